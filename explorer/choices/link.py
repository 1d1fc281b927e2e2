"""The configuration in the URL: a teacher's link opens exactly that setup.

``to_query(cfg)`` gives each setting's URL key and text (view and grid settings only
when they differ from the default, so links stay short); ``from_query(params)`` reads them
back through the settings table's parsers. Never an exception, and a notice that names
the key wherever the link's value is not what the page shows: a malformed value falls
back to its default; a number outside what the page can show (the row's limits, narrowed
for the link's dataset: ``Setting.bounds``, the same limits the widgets use) moves to the
nearest limit; a value that does not apply to the dataset, or an output that does not fit
it, is dropped. Nothing read from the URL is evaluated.
"""
from __future__ import annotations

from dataclasses import replace

from explorer.choices.config import Config, DataConfig, OWN_DATA, problem_of, tidy_data
from explorer.choices.own_points import MAX_LINK_POINTS
from explorer.choices.parsers import BadValue, OutOfRange
from explorer.choices.settings_table import GROUPS, ROWS, SETTINGS, SPARSE_GROUPS, rows

def to_query(cfg: Config) -> dict[str, str]:
    """Every setting as URL key → text (own points are not in a link)."""
    out = {}
    for s in ROWS:
        value = getattr(getattr(cfg, s.group), s.field)
        if s.in_url and (s.group not in SPARSE_GROUPS or value != s.default):
            text = s.fmt(value)
            if text is not None:                      # e.g. no points, or too many for a link
                out[s.key] = text
    return out


def from_query(params, base: Config | None = None) -> tuple[Config, list[str]]:
    """Read a Config from URL parameters; returns it and notices about what was changed."""
    cfg = base or Config()
    notices = []
    values = {g: {} for g in GROUPS}
    asked = {}                                        # key -> (its text, the value it asked for)
    for key, raw in dict(params).items():
        s = SETTINGS.get(key)
        if s is None or not s.in_url:
            continue                                  # other parameters (e.g. Streamlit's embed) are not ours
        raw = str(raw[-1] if isinstance(raw, list) else raw)
        try:
            value = wanted = s.parse(raw[:s.max_text])   # (each row's limit)
        except OutOfRange as err:                     # a number: moved inside; the notice below says so
            value, wanted = err.limit, err.value
        except BadValue as err:
            notices.append(f"Ignored `{key}={raw[:40]}` from the link: it {err}. Using the default.")
            continue
        values[s.group][s.field] = value
        asked[key] = (raw[:40], wanted)
    why = {}                                          # key -> why the page shows another value
    data = replace(cfg.data, **values["data"])
    if data.dataset == OWN_DATA and data.points is None:
        why["ds"] = (f"names your own data but carries no points (more than {MAX_LINK_POINTS} travel as a CSV: "
                     "upload it)")
        data = replace(data, dataset=DataConfig().dataset)
    data = tidy_data(replace(data, **{s.field: s.fit(getattr(data, s.field), data.dataset) for s in rows("data")}))
    new = Config(data, replace(cfg.net, **values["net"]), replace(cfg.train, **values["train"]),
                 replace(cfg.view, **values["view"]), replace(cfg.grid, **values["grid"]))
    g = new.grid
    if g.axis1 is not None and g.axis2 is not None and g.axis1[0] == g.axis2[0]:
        why["gb"] = f"varies {g.axis2[0]}, as the grid's first axis does"       # one setting, one axis
        new = replace(new, grid=replace(g, axis2=SETTINGS["gb"].default))
    try:
        new.resolve_output(*problem_of(data))
    except ValueError as err:
        why["out"] = why["loss"] = f"does not fit this data ({err})"
        new = replace(new, net=replace(new.net, output=SETTINGS["out"].default, loss=SETTINGS["loss"].default))
    for key, (text, wanted) in asked.items():
        s = SETTINGS[key]
        shown = getattr(getattr(new, s.group), s.field)
        if shown == wanted or (wanted is None and s.number is not None):   # a word for "the set's own" (k=)
            continue
        if key not in why and s.number is not None and shown is not None:     # moved to a limit
            notices.append(f"Changed `{key}={text}` from the link: it {s.expects(data.dataset)}. "
                           f"Using {s.fmt(shown)}.")
        else:                                         # dropped: it does not apply, or does not fit
            reason = why.get(key) or f"does not apply to {SETTINGS['ds'].title(data.dataset)}"
            notices.append(f"Ignored `{key}={text}` from the link: it {reason}. Using the default.")
    return new, notices


__all__ = ["to_query", "from_query"]
