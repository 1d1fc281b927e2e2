"""The configuration in the URL: a teacher's link opens exactly that setup.

``to_query(cfg)`` gives each setting's URL key and text (view settings only when
they differ from the default, so links stay short); ``from_query(params)`` reads them
back through the settings table's parsers. Every malformed value falls back to its
default with a notice that names the key (never an exception). Nothing read from the
URL is evaluated.
"""
from __future__ import annotations

from dataclasses import replace

from core import datasets
from .config import Config, DataConfig, OWN_DATA
from .settings import GROUPS, ROWS, SETTINGS, BadValue

MAX_TEXT = 400      # longer URL values are cut before parsing


def to_query(cfg: Config) -> dict[str, str]:
    """Every setting as URL key → text (own points are not in a link)."""
    out = {}
    for s in ROWS:
        value = getattr(getattr(cfg, s.group), s.field)
        if s.in_url and (s.group != "view" or value != s.default):
            out[s.key] = s.fmt(value)
    return out


def from_query(params, base: Config | None = None) -> tuple[Config, list[str]]:
    """Read a Config from URL parameters; returns it and notices about ignored values."""
    cfg = base or Config()
    notices = []
    values = {g: {} for g in GROUPS}
    for key, raw in dict(params).items():
        s = SETTINGS.get(key)
        if s is None or not s.in_url:
            continue                                  # other parameters (e.g. Streamlit's embed) are not ours
        raw = str(raw[-1] if isinstance(raw, list) else raw)
        try:
            values[s.group][s.field] = s.parse(raw[:MAX_TEXT])
        except BadValue as err:
            notices.append(f"Ignored `{key}={raw[:40]}` from the link: it {err}. Using the default.")
    data = replace(cfg.data, **values["data"])
    if data.dataset == OWN_DATA:
        notices.append("A link cannot carry uploaded data; opening the default dataset instead.")
        data = replace(data, dataset=DataConfig().dataset)
    spec = datasets.DATASETS[data.dataset]
    if spec.multiclass:
        if data.n_classes is None or not spec.class_range[0] <= data.n_classes <= spec.class_range[1]:
            data = replace(data, n_classes=spec.n_classes)
    elif data.n_classes is not None:
        data = replace(data, n_classes=None)
    new = Config(data, replace(cfg.net, **values["net"]), replace(cfg.train, **values["train"]),
                 replace(cfg.view, **values["view"]))
    try:
        new.resolve_output(spec.problem, data.n_classes or spec.n_classes)
    except ValueError as err:
        notices.append(f"The link's output layer does not fit this data ({err}); using the automatic one.")
        new = replace(new, net=replace(new.net, output=SETTINGS["out"].default, loss=SETTINGS["loss"].default))
    return new, notices


__all__ = ["to_query", "from_query"]
