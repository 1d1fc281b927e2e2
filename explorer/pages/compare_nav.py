"""Open a grid cell in the Live view, and come back to the grid.

A cell's Open (in the grid's component) asks for the Live view with exactly that cell's setup:
the page reads it back from the cell's link (``grid_spec.cell_link``, through the link reader,
as a teacher's link would open), keeps the view options and the grid, switches to the Live
view and pauses the grid (it stays paused while the cell is open). The setup the Compare view
had is kept; "Back to the grid" restores it, and with it the same grid at the same epoch.
"""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from explorer.choices.grid_spec import cell_link
from explorer.choices.link import from_query
from explorer.choices.settings_table import SETTINGS
from explorer.live.channel.grid_session import OPEN_NOTICE
from explorer.pages.widget_state import config_from_state, set_widgets

BACK = "compare_back"      # session key: the Compare view's setup while a cell is open
OPENED = "compare_opened"  # session key: the open cell's name


def open_cell(run, live, shown: int) -> None:
    """Open shown cell ``shown`` (its first seed) in the Live view (call from a callback)."""
    ss = st.session_state
    cell = run.cells[shown * run.shape.seeds]
    with run.lock:
        live.pause(OPEN_NOTICE)
        live.send_json(live.status(None))
    here = config_from_state()
    cfg, _ = from_query(cell_link(cell))
    cfg = replace(cfg, view=replace(here.view, page=SETTINGS["page"].default), grid=here.grid)
    ss[BACK] = here
    ss[OPENED] = cell.name
    set_widgets(cfg)


def back_bar() -> None:
    """On the Live view while a grid cell is open: which cell, and the way back."""
    ss = st.session_state
    if ss.get(BACK) is None:
        return
    c1, c2 = st.columns([1, 3], vertical_alignment="center")
    c1.button("Back to the grid", icon=":material/arrow_back:", key="grid_back", on_click=_back, width="stretch")
    c2.caption(f"Cell **{ss.get(OPENED, '')}** of the Compare grid, with its exact setup; the grid is paused.")


def _back() -> None:
    ss = st.session_state
    back = ss.pop(BACK, None)
    if back is not None:
        set_widgets(back)


def forget() -> None:
    """The Compare view is shown: no cell is open."""
    st.session_state.pop(BACK, None)
