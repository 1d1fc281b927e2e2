"""The live channel's messages without a socket: one feed for every live view's fallback.

When a page's WebSocket cannot open (a proxy that blocks WebSockets), a timer-driven
fragment of that view hands the SAME messages the socket would carry (the setup, a status,
the latest binary frames: ``explorer.live.channel.wire`` and ``grid_wire``) to the SAME
browser client as component arguments (``static/feed.js``); the client's buttons come back
through the component value and are applied here with the session's verbs, checked by the
socket's own parser. The scheduler keeps training the run (``LiveSession.fallback``).

Used by the Live view (``live_view``) and the Compare grid (``compare``): ``slot`` names the
session-state key that keeps a view's wire state, so two views never share one.
"""
from __future__ import annotations

import base64
import json

import streamlit as st

from explorer.live.channel import wire

FALLBACK_EVERY_S = 0.3
FALLBACK_FRAMES = 8                # frames re-sent each tick: a render the browser skipped loses no frame


def apply_value(live, run, value, slot: str) -> str | None:
    """What the fallback's component sent, applied once: a control (Play, Pause, Step, Reset,
    Speed) through ``live``'s verbs, as the socket's would be; or a request for a fresh setup
    (the browser missed a message). Returns the control's type, else None.

    The control is checked by the socket's own parser (``wire.parse_client``); a request is
    new when its ``(id, n)`` is (the browser numbers them; ``id`` names its iframe)."""
    ss = st.session_state
    if not isinstance(value, dict) or not ("control" in value or value.get("resync")):
        return None
    stamp = (str(value.get("id")), value.get("n"))
    last = ss.get(slot + "_stamp")
    if last == stamp or (last is not None and last[0] == stamp[0] and _older(stamp[1], last[1])):
        return None               # applied already, or older than one applied: a rerun that carried
    ss[slot + "_stamp"] = stamp   # the page's earlier value (streamlit#218) must not undo a later one
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


def _older(n, m) -> bool:
    """Is request number ``n`` before ``m`` (both the browser's whole numbers; anything else: no)?"""
    return type(n) is int and type(m) is int and n < m


def messages(live, run, slot: str, reply_to: str | None = None) -> dict:
    """The component's arguments in the fallback: the channel's messages for this tick.

    ``setup``: the setup JSON when it changed (a rebuilt run, a new view, Reset, a request),
    else None; ``setup_id`` numbers the setups; ``status``: ``live.status``; ``frames``: the
    latest binary frames since the setup (base64, at most ``FALLBACK_FRAMES``), one more
    whenever something changed; ``applied``: the ``[id, n]`` of the last request applied
    (``apply_value``), so that the browser sends again one that got lost. The browser draws
    each frame once (by its seq)."""
    ss = st.session_state
    fb = ss.get(slot)
    with run.lock:
        fresh = fb is None or live.setup_needed
        if fresh:
            fb = ss[slot] = {"setup": live.setup(), "setup_id": fb["setup_id"] + 1 if fb else 1, "frames": []}
        if live.changed():
            frame = base64.b64encode(live.frame()).decode("ascii")
            fb["frames"] = (fb["frames"] + [frame])[-FALLBACK_FRAMES:]
        status = live.status(reply_to)
    return {"setup": fb["setup"] if fresh else None, "setup_id": fb["setup_id"], "status": status,
            "frames": list(fb["frames"]), "applied": list(ss.get(slot + "_stamp") or ())}
