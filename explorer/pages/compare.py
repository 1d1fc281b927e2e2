"""The Compare view: a live grid of networks that differ in one or two settings.

What the grid varies is the grid group of the settings table (``ga``/``gb`` axes, ``gl``,
``gk`` seeds, ``gep`` epochs, ``gbase`` shared setup), edited here and kept in the link; the
rest is the sidebar's setup. The cells (``explorer.choices.grid_spec``) train as one
``GridRun`` in the session, on the server's one scheduler, through the session's
``GridSession`` (its socket feeds the grid component); this script only builds them when the
setup changes and hands them over. When the grid is paused or has ended, the table of
settings × metrics (``explorer.training.grid_metrics``) shows below, with its CSV.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from core.grid import MAX_AXIS_VALUES
from explorer.choices.grid_axes import AXES, SHARED_SHORT
from explorer.choices.grid_spec import grid_cells
from explorer.choices.parsers import BadValue
from explorer.choices.settings_table import SETTINGS
from explorer.live.channel.grid_session import MAX_SERVER_GRID_BYTES, MAX_TRAINING_CELLS, GridSession, grid_bytes_elsewhere
from explorer.live.channel.routes import PATH
from explorer.live.channel.scheduler import SCHEDULER
from explorer.live.component import live_grid, live_grid_fallback
from explorer.pages import chrome, compare_nav, fallback_feed, sidebar, widget_state
from explorer.training.grid_badges import RULE
from explorer.training.grid_metrics import grid_rows
from explorer.training.grid_run import MAX_GRID_BYTES, GridRun

RUN, LIVE, VIEW = "grid_run", "grid_live", "grid_view"     # session keys: the grid, its live session, component
FALLBACK, WIRE, OPENED_NOW = "grid_fallback", "grid_fallback_wire", "grid_opened_now"   # ... and its fallback's
FALLBACK_NOTE = ("The live connection could not be opened (a proxy may block WebSockets), so the grid "
                 "updates a few times a second through Streamlit instead.")
NO_AXIS = "none"


def compare_view(cfg, big: bool) -> None:
    compare_nav.forget()
    with st.expander(f"Grid: {_summary(cfg)}", expanded=False, icon=":material/grid_view:"):
        _editor(cfg)
    try:
        shape, cells = grid_cells(cfg)
    except ValueError as err:
        st.error(f"This grid cannot be built: {err}")
        return
    run = _grid_run(cfg, shape, cells)
    if run is None:
        return
    live = _grid_live()
    height = _room(big)
    live.attach(run, {"big": big, "log_loss": cfg.view.log_loss}, speed=cfg.train.speed)
    SCHEDULER.ensure_started()
    SCHEDULER.wake()
    speeds = [v if v == "max" else int(v) for v in SETTINGS["speed"].choices()]
    if st.session_state.get(FALLBACK):
        live.fallback = True
        st.caption(FALLBACK_NOTE)
        _fallback_grid(height, speeds)
    else:
        live.fallback = False
        state = live_grid(live.token, PATH, height=height, key=VIEW, on_change=_on_grid_change, speeds=speeds)
        if isinstance(state, dict) and state.get("channel") == "failed":
            st.session_state[FALLBACK] = True
            st.rerun()
    with run.lock:
        stopped, epoch = not live.running, run.epoch
    if stopped and epoch > 0:
        _table(run)
    with st.expander("How each cell's badge is decided"):
        st.markdown("\n".join(f"- **{k}**: {v}" for k, v in RULE.items()))
        st.caption(f"Every cell trains on the same data from its own starting weights, with a constant learning "
                   f"rate and no early stopping (the Live view has both); at most {MAX_TRAINING_CELLS} "
                   f"networks train at once on this server (all grids together), and a grid holds at most "
                   f"{MAX_GRID_BYTES // 2**20} MB. Units go up to {SETTINGS['layers'].hi} a layer in every view.")


# Where the grid's frame begins, in rem, until the browser has measured it (presentation, not):
# below the view bar and the grid's one-line editor; measured in Chromium at 1280 × 720 and
# 1400 × 900 (presentation at 21 px a rem, the sidebar open outside it at 18).
FRAME_TOP_REM = {True: 7.4, False: 14.0}


def _room(big: bool) -> int:
    """The grid's height: what the screen leaves below the frame's top, as estimated here (the
    grid measures it in the browser, gridview.js, where it can)."""
    vp = chrome.viewport()
    top = FRAME_TOP_REM[big] * chrome.root_font_px(big, vp)
    return max(360, int(vp["height"] - top - 12))


def _grid_live() -> GridSession:
    ss = st.session_state
    if ss.get(LIVE) is None:
        ss[LIVE] = GridSession()
    return ss[LIVE]


def _grid_run(cfg, shape, cells) -> GridRun | None:
    """The session's grid for these cells: rebuilt when a cell's setup changed (Speed aside),
    trained on when only Epochs grew."""
    ss = st.session_state
    key = tuple((c.cfg.data, c.cfg.net, replace(c.cfg.train, speed=None)) for c in cells)
    run = ss.get(RUN)
    if run is not None and ss.get(RUN + "_key") == key:
        if run.end_epoch != cfg.grid.epochs:
            with run.lock:
                run.extend(cfg.grid.epochs)
        return run
    old = ss.get(LIVE)
    if run is not None and old is not None:
        with run.lock:
            old.pause()                                 # the old grid stops before the new one is built
    try:
        room = MAX_SERVER_GRID_BYTES - grid_bytes_elsewhere(old)
        run = GridRun(shape, cells, widget_state.data_for, cfg.grid.epochs, limit=room)
    except ValueError as err:
        st.error(f"This grid cannot be built: {err}")
        return None
    ss[RUN], ss[RUN + "_key"] = run, key
    return run


@st.fragment(run_every=fallback_feed.FALLBACK_EVERY_S)
def _fallback_grid(height: int, speeds: list) -> None:
    """The grid without a socket: a timer-driven fragment hands the grid's messages to the same
    client (``fallback_feed``); its buttons come back through the component value. An Open
    click goes to the Live view: the whole page reruns."""
    ss = st.session_state
    run, live = ss[RUN], ss[LIVE]
    reply_to = fallback_feed.apply_value(live, run, ss.get(VIEW), WIRE)
    live_grid_fallback(fallback_feed.messages(live, run, WIRE, reply_to), height=height, key=VIEW,
                       on_change=_on_grid_change, speeds=speeds)
    if ss.pop(OPENED_NOW, False):
        st.rerun()


def _on_grid_change() -> None:
    """The grid component's value changed: an Open click opens that cell in the Live view."""
    ss = st.session_state
    value = ss.get(VIEW)
    if not isinstance(value, dict) or value.get("open") is None or value.get("n") == ss.get("grid_open_n"):
        return
    ss["grid_open_n"] = value.get("n")
    run, live = ss.get(RUN), ss.get(LIVE)
    i = value["open"]
    if run is not None and live is not None and type(i) is int and 0 <= i < run.shape.n_cells:
        compare_nav.open_cell(run, live, i)
        if ss.get(FALLBACK):
            ss[OPENED_NOW] = True                       # (from the fallback's fragment: the page reruns)


# ---- the grid editor: axes, layer, seeds, epochs, shared setup ------------------------------------
def _summary(cfg) -> str:
    """The grid in one line, for the editor's title."""
    g = cfg.grid
    axes = [f"{AXES[k].label.split(' (')[0].lower()} {SETTINGS['ga'].fmt((k, v)).partition(':')[2]}"
            for k, v in (a for a in (g.axis1, g.axis2) if a is not None)]
    seeds = f" · × {g.seeds} seeds" if g.seeds > 1 else ""
    return f"{' × '.join(axes) or 'one cell'}{seeds} · {g.epochs:,} epochs · {SHARED_SHORT[g.shared]}"



def _editor(cfg) -> None:
    c1, c2 = st.columns(2)
    for key, col in (("ga", c1), ("gb", c2)):
        _axis_editor(key, col)
    c1, c2, c3, c4 = st.columns([1, 1, 1, 2])
    sidebar.widget("gl", c1)
    sidebar.widget("gk", c2)
    sidebar.widget("gep", c3)
    sidebar.widget("gbase", c4)
    err = st.session_state.get("grid_edit_error")
    if err:
        st.warning(err)


def _axis_editor(key: str, col) -> None:
    """One axis: a setting (or none, for axis 2) and its values, comma-separated; composed into
    the row's link text when both read (else the last good one stays, with a warning)."""
    ss, s = st.session_state, SETTINGS[key]
    text = ss.get(key, s.fmt(s.default))
    axis, _, values = text.partition(":")
    ka, kv = f"{key}_axis", f"{key}_values"
    if ss.get(f"{key}_synced") != text or ka not in ss:   # a link, Back, or the widgets were not drawn
        ss[ka], ss[kv], ss[f"{key}_synced"] = axis or NO_AXIS, values, text
    options = ([NO_AXIS] if key == "gb" else []) + list(AXES)
    col.selectbox(s.label, options, key=ka, format_func=lambda k: "none" if k == NO_AXIS else AXES[k].label,
                  on_change=_compose, args=(key,), help=s.help)
    col.text_input(f"Values (up to {MAX_AXIS_VALUES}, comma-separated)", key=kv, on_change=_compose, args=(key,),
                   disabled=ss.get(ka) == NO_AXIS, placeholder="e.g. 0.3,1.2,5")


def _compose(key: str) -> None:
    ss, s = st.session_state, SETTINGS[key]
    axis, values = ss.get(f"{key}_axis"), (ss.get(f"{key}_values") or "").replace(" ", "")
    text = "" if axis == NO_AXIS else f"{axis}:{values}"
    try:
        s.parse(text)
    except BadValue as err:
        ss["grid_edit_error"] = f"Axis {'1' if key == 'ga' else '2'} `{text}` {err}: the grid keeps its last one."
        return
    ss["grid_edit_error"] = None
    ss[key] = text
    ss[f"{key}_synced"] = text


# ---- the table -------------------------------------------------------------------------------------
def _table(run: GridRun) -> None:
    with run.lock:
        rows = grid_rows(run)
        ended, epoch = run.ended, run.epoch
    df = pd.DataFrame(rows)
    st.markdown(f"**{'The grid ended' if ended else 'Paused'} at epoch {epoch:,}:** every cell's settings and "
                "metrics (click a column to sort).")
    st.dataframe(df, hide_index=True, width="stretch")
    st.download_button("Download the table (CSV)", df.to_csv(index=False).encode("utf-8"), "compare_grid.csv",
                       "text/csv", icon=":material/download:", key="grid_csv")
