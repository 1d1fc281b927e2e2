"""The configuration in the URL: a teacher's link opens exactly that setup.

``to_query(cfg)`` gives each setting's URL key and text (view settings only when
they differ from the default, so links stay short); ``from_query(params)`` reads them
back through the settings table's parsers. Every malformed value falls back to its
default with a notice that names the key (never an exception). Nothing read from the
URL is evaluated.
"""
from __future__ import annotations

from dataclasses import replace

from .config import Config, DataConfig, OWN_DATA, problem_of, tidy_data
from .settings import GROUPS, ROWS, SETTINGS, BadValue

MAX_TEXT = 400      # longer URL values are cut before parsing


def to_query(cfg: Config) -> dict[str, str]:
    """Every setting as URL key → text (own points are not in a link)."""
    out = {}
    for s in ROWS:
        value = getattr(getattr(cfg, s.group), s.field)
        if s.in_url and (s.group != "view" or value != s.default):
            text = s.fmt(value)
            if text is not None:                      # e.g. no points, or too many for a link
                out[s.key] = text
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
    if data.dataset == OWN_DATA and data.points is None:
        notices.append("This link names your own data but carries no points (more than 200 travel as a CSV: "
                       "upload it); opening the default dataset instead.")
        data = replace(data, dataset=DataConfig().dataset)
    data = tidy_data(data)
    new = Config(data, replace(cfg.net, **values["net"]), replace(cfg.train, **values["train"]),
                 replace(cfg.view, **values["view"]))
    try:
        new.resolve_output(*problem_of(data))
    except ValueError as err:
        notices.append(f"The link's output layer does not fit this data ({err}); using the automatic one.")
        new = replace(new, net=replace(new.net, output=SETTINGS["out"].default, loss=SETTINGS["loss"].default))
    return new, notices


__all__ = ["to_query", "from_query"]
