"""Page chrome: title, notices, keyboard shortcuts, and the styling and chart sizes that
fit the screen in use (a projector in presentation mode, a laptop, a tablet, a phone).

Sizes come from the viewport the browser reports (``explorer.pages.keyboard``); before it
has answered (the first run, AppTest) a 1366 × 768 laptop is assumed.
"""
from __future__ import annotations

import contextlib
import logging

import streamlit as st

from explorer.pages import keyboard

BASE_CSS = """
<style>
.epoch-counter {font-size: 0.95rem; line-height: 1.4; white-space: nowrap;}
.epoch-counter .epoch {font-size: 1.35rem; font-weight: 700;}
.epoch-counter .grads {white-space: normal;}
div[data-testid="stMainBlockContainer"] {padding-top: 2.2rem; padding-left: 1rem; padding-right: 1rem;}
/* a phone: the charts get the width (the boundary plot at least 300 px at 390 px), no keyboard hint */
@media (max-width: 640px) {
  div[data-testid="stMainBlockContainer"] {padding-left: 0.5rem; padding-right: 0.5rem;}
  h3 .hint {display: none;}
  /* the three views' switch wraps instead of hiding "Compare" behind a sideways scroll */
  .st-key-page [data-testid="stButtonGroup"] > div {flex-wrap: wrap; row-gap: 4px;}
}
/* the shortcuts component is invisible: it takes no room in the page */
.st-key-shortcuts {position: absolute !important; width: 0 !important; height: 0 !important; overflow: hidden;}
/* touch targets: every button at least 44 px high */
div.stButton > button, [data-testid="stButtonGroup"] button {min-height: 44px;}
@media (max-width: 991px) {
  header[data-testid="stHeader"] button, section[data-testid="stSidebar"] button {min-height: 44px; min-width: 44px;}
}
/* the step-by-step view's matrices scroll sideways on a narrow screen instead of squeezing */
[class*="st-key-bp_mats"] {overflow-x: auto;}
[class*="st-key-bp_mats"] div[data-testid="stHorizontalBlock"] {min-width: 600px; flex-wrap: nowrap;}
[class*="st-key-bp_mats"] div[data-testid="stColumn"] {min-width: 0 !important;}
h3 .hint {font-size: 0.8rem; font-weight: 400; color: #6b6f7a; margin-left: 0.8rem; white-space: nowrap;}
.sr-only {position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap;}
#bp-shortcuts {position: fixed; z-index: 1000100; top: 50%; left: 50%; transform: translate(-50%, -50%);
  background: white; color: #111; border: 2px solid #333; border-radius: 10px; padding: 1rem 1.5rem;
  box-shadow: 0 8px 30px rgba(0,0,0,.3); max-width: 90vw; font-size: 1rem; outline: none;}
#bp-shortcuts h2 {font-size: 1.3rem; margin: 0 0 .5rem; padding: 0;}
#bp-shortcuts th {text-align: left; padding: .2rem 1rem .2rem 0; white-space: nowrap;}
#bp-shortcuts kbd {border: 1px solid #999; border-radius: 4px; padding: 0 .4rem; background: #f3f3f3;}
#bp-shortcuts p {font-size: .9rem; margin: .6rem 0 0;}
</style>
"""

# Presentation mode: the root font follows the screen (18 px at the smallest text of a
# 1280 × 720 projector, larger on a larger one; Streamlit sizes its widgets in rem),
# no Streamlit toolbar and no sidebar, and tight spacing so that the charts, the epoch
# line and Play/Pause share one screen.
PRESENTATION_CSS = """
<style>
html {font-size: clamp(21px, min(1.65vw, 2.93vh), 34px) !important;}
header[data-testid="stHeader"] {display: none;}
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stExpandSidebarButton"] {display: none;}
div[data-testid="stMainBlockContainer"] {padding: 0.5rem 1.2rem 0.3rem; max-width: 100%;}
div[data-testid="stMainBlockContainer"] div[data-testid="stVerticalBlock"] {gap: 0.6rem;}
.epoch-counter {font-size: 1rem; line-height: 1.3; margin-bottom: 0.4rem;} .epoch-counter .epoch {font-size: 1.45rem;}
div.stButton > button {font-size: 1.05rem; padding: 0.2rem 1rem; min-height: 2.3rem;}
h1 {font-size: 2rem !important;}
.st-key-bp_note p {font-size: 0.9rem; line-height: 1.45;}
</style>
"""

# A clean projected screen (``&clean=1``): no sidebar, no chart options, no drawing tools
# (``controls.CHART_OPTIONS``, ``draw_panel.TOOLS``).
CLEAN_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stExpandSidebarButton"] {display: none;}
.st-key-chart_options, div:has(> .st-key-draw_tools) {display: none !important;}
</style>
"""

LAPTOP = {"width": 1366, "height": 768}
STATUS_PX = {True: 92, False: 74}   # the live frame's controls and two-line status line (presentation, not)
NARROW = 992            # below this width: one column of charts (phones, tablets)
SIDEBAR = 336           # px the open sidebar takes from the page


def header(big: bool) -> None:
    """Styling for the mode and screen, the keyboard shortcuts, and the title."""
    ss = st.session_state
    if "clean" not in ss:                       # a link option, read once per session
        ss["clean"] = st.query_params.get("clean") == "1"
    st.markdown(BASE_CSS, unsafe_allow_html=True)
    if big:
        st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
    if ss["clean"]:
        st.markdown(CLEAN_CSS, unsafe_allow_html=True)
    viewport = keyboard.keyboard()
    if viewport is not None:
        ss["viewport"] = viewport
    if not big:
        st.markdown("### Backprop Explorer <span class='hint'>press ? for keyboard shortcuts</span>",
                    unsafe_allow_html=True)


def keep_link_options() -> None:
    """Keep ``clean=1`` in the address bar (call after ``state.sync_url``), so the link
    of a clean projected screen can be shared as it is."""
    if st.session_state.get("clean") and st.query_params.get("clean") != "1":
        st.query_params["clean"] = "1"


def viewport() -> dict:
    """The browser's viewport in CSS px (a laptop's until the browser has reported)."""
    return st.session_state.get("viewport") or LAPTOP


def root_font_px(big: bool, vp: dict | None = None) -> float:
    """The page's root font size: PRESENTATION_CSS's clamp() in presentation mode, else theme.baseFontSize."""
    vp = vp or viewport()
    if not big:
        return 18.0
    return min(max(21.0, min(0.0165 * vp["width"], 0.0293 * vp["height"])), 34.0)


def live_layout(big: bool, clean: bool | None = None, charts: int = 3) -> tuple[int, int]:
    """(chart height px, grid columns) for the live charts on this screen.

    Wide screens: boundary, network and curves side by side in one row, as tall as the
    screen leaves below the controls; outside presentation the boundary gets the widest
    cell (``WIDE_SPANS``). Narrow screens (phones, tablets): one column, the boundary
    about square. ``charts`` > 3 (the hidden-space view) adds its columns.
    """
    vp = viewport()
    clean = st.session_state.get("clean", False) if clean is None else clean
    w, h = vp["width"], vp["height"]
    if w < NARROW:
        # The cell's width: the page's less its side padding (BASE_CSS). The boundary's plot
        # is square, inside 62 px of side margins and 80 of title and axis: a cell 18 px
        # taller than wide fills it.
        side = w - (18 if w <= PHONE else 36)
        return int(min(max(side + 18, 260), 420)), 1
    rem = root_font_px(big, vp)
    # The live frame holds its controls and a status line of up to two lines above the grid.
    # Where the frame begins is estimated from the rows above it (FRAME_TOP_REM): a first
    # height, which the live view corrects in the browser (live.js room) as rows above it come
    # and go, without a page run.
    top = FRAME_TOP_REM[big, bool(clean)] * rem
    height = int(h - top - STATUS_PX[big] - 12)
    columns = PRESENT_COLUMNS if big else LAPTOP_COLUMNS
    return max(height, 280), columns + WIDE_SPANS[columns]["hidden"] * (charts > 3)


PHONE = 640             # at most this wide: a phone (Streamlit stacks columns; BASE_CSS's narrow padding)
# The live frame's top in rem, by (presentation, clean): below the title (outside presentation),
# the view bar (view, chart options, presentation mode) and the drawing row (unless clean=1).
# Measured in Chromium with the sidebar open (outside presentation): 253 px at 1366 × 768 and
# 207 with clean=1; in presentation 167 / 178 / 250 px at 1280 × 720 / 1366 × 768 / 1920 × 1080,
# and 105 / 110 / 155 with clean=1.
FRAME_TOP_REM = {(False, False): 14.05, (False, True): 11.5, (True, False): 7.91, (True, True): 4.92}
PRESENT_COLUMNS, LAPTOP_COLUMNS = 7, 17
# Grid columns of a wide row and the columns each chart spans. Presentation: the projector's
# row as it was tuned (the curves, two panels side by side, get the most). Outside it the
# boundary comes first: at 1366 × 768 with the sidebar open its cell is about 400 px wide,
# its square plot over 320 px. The instruments (chart options) share the row below.
WIDE_SPANS = {PRESENT_COLUMNS: {"boundary": 2, "network": 2, "curves": 3, "hidden": 2, "metrics": 4, "histograms": 3},
              LAPTOP_COLUMNS: {"boundary": 7, "network": 4, "curves": 6, "hidden": 4, "metrics": 8, "histograms": 9}}


def chart_spans(columns: int) -> dict[str, int]:
    """Grid columns each live chart spans: on a wide row (``live_layout``) as in ``WIDE_SPANS``;
    with fewer columns the curves take a row of their own."""
    for cols, spans in WIDE_SPANS.items():
        if columns in (cols, cols + spans["hidden"]):
            return spans
    return {"curves": columns}


def notices(cfg) -> None:
    """Show what a shared link got wrong, until the learner changes a setting."""
    ss = st.session_state
    if not ss.get("notices"):
        return
    shown_for = ss.setdefault("notices_cfg", cfg)
    if shown_for != cfg:
        ss["notices"] = []
        return
    for text in ss["notices"]:
        st.warning(text, icon="🔗")


LOG = logging.getLogger("backprop_explorer")
FAILURE = "Something went wrong"


@contextlib.contextmanager
def friendly_errors(what: str):
    """Turn an unexpected error into a plain message; the traceback goes to the server log.

    Training pauses and every setting is kept. (Streamlit's own rerun/stop signals
    derive from BaseException and pass through untouched.)
    """
    try:
        yield
    except Exception:
        LOG.exception("unexpected error while %s", what)
        live, run = st.session_state.get("live"), st.session_state.get("run")
        if live is not None and run is not None:
            with run.lock:
                live.pause()
        st.error(f"**{FAILURE} while {what}.** Training is paused and your settings are kept. "
                 "Try Reset, or undo the last change.", icon="🛠️")
