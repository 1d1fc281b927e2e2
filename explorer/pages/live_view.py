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
(``FALLBACK_EVERY_S``) hands the SAME messages (the setup, a status, the latest binary
frames: ``explorer.live.channel.wire``) to the SAME client as component arguments; the
client's buttons come back through the component value and are applied here with the
live session's verbs (``apply_value``). The scheduler keeps training the run.
"""
from __future__ import annotations

import base64
import json

import streamlit as st

from explorer.pages import draw_toolbar
from explorer.live.channel import wire
from explorer.live.channel.routes import PATH
from explorer.live.channel.scheduler import SCHEDULER
from explorer.live.channel.session import LiveSession
from explorer.live.setup_message import View
from explorer.live.component import live_channel, live_fallback
from explorer.pages.chrome import chart_spans, friendly_errors
from explorer.training.run import Run

FALLBACK_EVERY_S = 0.3
FALLBACK_FRAMES = 8                # frames re-sent each tick: a render the browser skipped loses no curve point
CHARTS = "charts"                  # the live component's widget key
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
                         draw=draw_toolbar.drawing_on(), on_change=_on_charts_change)
    if isinstance(state, dict) and state.get("channel") == "failed":
        ss["live_fallback"] = True
        st.rerun()


def _on_charts_change() -> None:
    """The component's value changed: a click to draw (the channel state needs no callback)."""
    draw_toolbar.on_click(CHARTS)


@st.fragment(run_every=FALLBACK_EVERY_S)
def _fallback_view(view: View, columns: int) -> None:
    """The fallback: one timer-driven fragment hands the live channel's messages to the
    component. A click in it reruns only this fragment (never the page, whose full reruns
    raced the timer and could re-create the charts' iframe); the component keeps its
    place, so the iframe is never re-mounted and a zoom survives."""
    with friendly_errors("updating the live view"):
        reply_to = apply_value(st.session_state.get(CHARTS))
        live_fallback(fallback_messages(reply_to), height=view.height, columns=columns, spans=chart_spans(columns),
                      key=CHARTS)


def apply_value(value) -> str | None:
    """What the fallback's component sent, applied once: a control (Play, Pause, Step, Reset,
    Speed) through the live session's verbs, as the socket's would be; or a request for a
    fresh setup (the browser missed a message). Returns the control's type, else None.

    The control is checked by the socket's own parser (``wire.parse_client``); a request is
    new when its ``(id, n)`` is (the browser numbers them; ``id`` names its iframe)."""
    ss = st.session_state
    if not isinstance(value, dict) or not ("control" in value or value.get("resync")):
        return None
    stamp = (str(value.get("id")), value.get("n"))
    if ss.get("fallback_stamp") == stamp:
        return None
    ss["fallback_stamp"] = stamp
    run: Run = ss["run"]
    live = live_session()
    if value.get("resync"):
        with run.lock:
            live.setup_needed = True
        return None
    try:
        msg = wire.parse_client(json.dumps(value["control"]))
    except (wire.BadMessage, TypeError, ValueError):
        return None
    kind = msg["type"]
    with run.lock:
        if kind == "play":
            live.play()
        elif kind == "pause":
            live.pause()
        elif kind == "step":
            live.step(msg["unit"])
        elif kind == "reset":
            live.reset()
        elif kind == "speed":
            live.set_speed(msg["value"])
        else:
            return None                               # (hello, ack, visible: the socket's only)
    live.touch()
    return kind


def fallback_messages(reply_to: str | None = None) -> dict:
    """The component's arguments in the fallback: the live channel's messages for this tick.

    ``setup``: the setup JSON when it changed (a rebuilt run, a new view, Reset, a request),
    else None; ``setup_id`` numbers the setups; ``status``: ``LiveSession.status``;
    ``frames``: the latest binary frames since the setup (base64, at most ``FALLBACK_FRAMES``),
    one more whenever something changed. The browser draws each frame once (by its seq)."""
    ss = st.session_state
    run: Run = ss["run"]
    live = live_session()
    fb = ss.get("fallback_wire")
    with run.lock:
        fresh = fb is None or live.setup_needed
        if fresh:
            fb = ss["fallback_wire"] = {"setup": live.setup(), "setup_id": fb["setup_id"] + 1 if fb else 1,
                                        "frames": []}
        if live.changed():
            frame = base64.b64encode(live.frame()).decode("ascii")
            fb["frames"] = (fb["frames"] + [frame])[-FALLBACK_FRAMES:]
        status = live.status(reply_to)
    return {"setup": fb["setup"] if fresh else None, "setup_id": fb["setup_id"], "status": status,
            "frames": list(fb["frames"])}
