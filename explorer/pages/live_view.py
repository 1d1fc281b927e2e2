"""The live panel: the live charts, fed by the session's own WebSocket.

Each Streamlit session gets one ``LiveSession`` (``explorer.live.channel``), created here
and kept in ``st.session_state``; its unguessable token goes to the component, whose
socket presents it. Training happens in the process-wide scheduler thread, never in
this script: a script run only tells the live session which Run and View are current
(``attach``), so a sidebar change takes effect in the next frame and nothing reruns
per frame. Play/Pause, Step and Reset live in the component and travel over the
socket; Speed is a sidebar setting (in the URL), handed to the live session here.

Fallback: when the component reports that its socket cannot open (a proxy that
blocks WebSockets), the page says so in one line and a timer-driven fragment
(``fallback_feed``) hands the SAME messages (the setup, a status, the latest binary
frames: ``explorer.live.channel.wire``) to the SAME client as component arguments; the
client's buttons come back through the component value and are applied here with the
live session's verbs (``fallback_feed.apply_value``). The scheduler keeps training the run.
"""
from __future__ import annotations

import streamlit as st

from explorer.pages import draw_toolbar, fallback_feed
from explorer.live.channel.routes import PATH
from explorer.live.channel.scheduler import SCHEDULER
from explorer.live.channel.session import LiveSession
from explorer.live.setup_message import View
from explorer.live.component import live_channel, live_fallback
from explorer.pages.chrome import chart_spans, friendly_errors
from explorer.training.run import Run

WIRE = "fallback_wire"             # session key of the fallback's wire state (fallback_feed)
CHARTS = "charts"                  # the live component's widget key
SEAT = "class_seat"                # session key: {"code", "secret"} of a student's seat, for the browser to keep
FALLBACK_NOTE = ("The live connection could not be opened (a proxy may block WebSockets), so the charts "
                 "update a few times a second through Streamlit instead.")


def live_session() -> LiveSession:
    """This Streamlit session's LiveSession (created, with its token, on first use)."""
    ss = st.session_state
    live = ss.get("live")
    if live is None:
        live = ss["live"] = LiveSession()
    return live


def in_fallback() -> bool:
    return bool(st.session_state.get("live_fallback"))


def live_panel(view: View, columns: int) -> None:
    """The live charts for the session's current Run (``st.session_state["run"]``)."""
    ss = st.session_state
    run: Run = ss["run"]
    live = live_session()
    live.attach(run, view, speed=getattr(run.cfg.train, "speed", None))
    SCHEDULER.ensure_started()
    SCHEDULER.wake()
    if in_fallback():
        live.fallback = True
        st.caption(FALLBACK_NOTE)
        _fallback_view(view, columns)
        return
    live.fallback = False
    state = live_channel(live.token, PATH, height=view.height, columns=columns, spans=chart_spans(columns),
                         speeds=(), controls=True, key=CHARTS,   # Speed: the sidebar's setting (in the URL)
                         draw=draw_toolbar.drawing_on(), on_change=_on_charts_change,
                         secret=live.offer, seat=ss.get(SEAT))   # kept by the browser (run_keeper)
    if isinstance(state, dict) and state.get("channel") == "failed":
        ss["live_fallback"] = True
        st.rerun()


def _on_charts_change() -> None:
    """The component's value changed: a click to draw (the channel state needs no callback)."""
    draw_toolbar.on_click(CHARTS)


@st.fragment(run_every=fallback_feed.FALLBACK_EVERY_S)
def _fallback_view(view: View, columns: int) -> None:
    """The fallback: one timer-driven fragment hands the live channel's messages to the
    component. A click in it reruns only this fragment (never the page, whose full reruns
    raced the timer and could re-create the charts' iframe); the component keeps its
    place, so the iframe is never re-mounted and a zoom survives."""
    with friendly_errors("updating the live view"):
        ss = st.session_state
        live, run = live_session(), ss["run"]
        reply_to = fallback_feed.apply_value(live, run, ss.get(CHARTS), WIRE)
        live_fallback(fallback_feed.messages(live, run, WIRE, reply_to), height=view.height, columns=columns,
                      spans=chart_spans(columns), key=CHARTS)
