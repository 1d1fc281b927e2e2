"""Page chrome: title, notices, presentation-mode styling."""
from __future__ import annotations

import contextlib
import logging

import streamlit as st

BASE_CSS = """
<style>
.epoch-counter {font-size: 0.95rem; line-height: 1.4; white-space: nowrap;}
.epoch-counter .epoch {font-size: 1.35rem; font-weight: 700;}
.epoch-counter .grads {white-space: normal;}
div[data-testid="stMainBlockContainer"] {padding-top: 2.2rem;}
</style>
"""

PRESENTATION_CSS = """
<style>
html, body, [class*="css"] {font-size: 22px;}
section[data-testid="stSidebar"] {display: none;}
div[data-testid="stMainBlockContainer"] {padding: 1rem 1.5rem; max-width: 100%;}
.epoch-counter {font-size: 1.2rem;} .epoch-counter .epoch {font-size: 2rem;}
div.stButton > button {font-size: 1.3rem; padding: 0.5rem 1rem;}
h1 {font-size: 2.2rem !important;}
</style>
"""


def header(big: bool) -> None:
    st.markdown(BASE_CSS, unsafe_allow_html=True)
    if big:
        st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
    st.markdown("### Backprop Explorer" if not big else "# Backprop Explorer")


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
        run = st.session_state.get("run")
        if run is not None:
            run.running = False
        st.error(f"**{FAILURE} while {what}.** Training is paused and your settings are kept. "
                 "Try Reset, or undo the last change.", icon="🛠️")
