"""Live charts: several plotly figures in one Streamlit component, updated in place.

Stock ``st.plotly_chart`` re-creates its chart on every data change (see
the README's "Why the live view is built this way"). This component (components v1, plain JS,
plotly.js's basic bundle vendored in ``static/``: nothing from a CDN, nothing copied at import)
keeps one plot div per figure in one iframe and calls ``Plotly.react`` on it: charts never
vanish, zoom/pan survive (``layout.uirevision`` defaults to a constant), and only what changed
is redrawn (unchanged traces / layout keys are handed to plotly as the objects it already holds).

One client (``static/view.js``), two ways in for the same messages (the live channel's,
``explorer/live/channel/wire.py``: a setup, statuses, binary frames of weights and new curve
points; the browser computes and draws every picture from them):

* ``live_channel`` (the app's live view): the iframe opens its own WebSocket to
  ``explorer.live.channel``, authenticated with the session's token. No Streamlit rerun per
  frame; Streamlit only learns of the channel's state (open / failed) through the
  component value.
* ``live_fallback`` (when no socket can be opened): a timer-driven fragment
  (``explorer.pages.live_view``) hands the same messages over as component arguments, and the
  client's buttons send their controls back through the component value.

Everything that changes every frame as a picture is painted in the browser onto a layout
image or a canvas over a plot: a changed *trace* makes plotly replot the whole figure.
"""

from __future__ import annotations

from typing import Any

import streamlit.components.v1 as components

from explorer.live.component_files import COMPONENT, NAME, STATIC_DIR   # noqa: F401 - COMPONENT: for callers

_component = components.declare_component(NAME, path=str(STATIC_DIR))


def live_channel(
    token: str,
    ws_path: str,
    height: int = 320,
    columns: int = 2,
    spans: dict[str, int] | None = None,
    speeds: list | tuple = (),
    controls: bool = True,
    key: str = "charts",
    draw: bool = False,
    on_change: Any = None,
    secret: str | None = None,
    seat: dict[str, str] | None = None,
) -> dict[str, Any] | None:
    """The live view fed by its own WebSocket (``explorer.live.channel``; ``wire`` is the format).

    The iframe opens ``ws_path`` on the page's host, says hello with ``token`` and draws
    what the server pushes; nothing goes through Streamlit reruns while it trains. With
    ``controls`` it draws Play/Pause, Step and Reset and a Speed choice (``speeds``)
    itself. With ``draw`` a click anywhere on the decision boundary's plane is reported
    (a crosshair shows it) and ``on_change`` runs before the next script run.
    Returns what the browser last reported: ``{"channel": "failed", "code": int}`` when the
    socket cannot open (the only state that reaches Python on its own: each value costs a
    page run), and after a click ``"click": [x1, x2], "seq": n`` with the channel's state
    then (``"open" | "failed" | "closed"``); or None before either.
    ``secret``: a browser secret offered to a browser that keeps none (``static/channel.js``'s
    BPKeeper keeps it in localStorage and the socket's hello carries it: the run is kept under
    it, ``channel.run_keeper``); ``seat``: ``{"code", "secret"}`` of a class seat for the browser
    to keep, so that a reload of the join link recognises the student (``live_keeper``).
    """
    return _component(token=token, ws_path=ws_path, height=int(height), columns=int(columns),
                      spans=spans or {}, speeds=list(speeds), controls=bool(controls), fallback=False,
                      draw=bool(draw), secret=secret, seat=seat, key=key, default=None, tab_index=-1,
                      on_change=on_change)


def live_keeper(code: str, key: str = "seat_keeper", seat: dict[str, str] | None = None) -> dict[str, Any] | None:
    """A class seat's keeper; draws nothing. Without ``seat`` (the join page): reports ``{"code": code,
    "seat": secret}`` once when this browser keeps a seat of class ``code``, else nothing (no page
    run); the page checks the secret with the room store like any other. With ``seat``, ``{"code",
    "secret"}`` (a student's page): the browser keeps it, as ``live_channel``'s ``seat``, and reports
    nothing."""
    return _component(keeper=True, code=code, seat=seat, height=0, key=key, default=None, tab_index=-1)


def live_fallback(
    messages: dict[str, Any],
    height: int = 320,
    columns: int = 2,
    spans: dict[str, int] | None = None,
    key: str = "charts",
) -> dict[str, Any] | None:
    """The same live view fed through Streamlit when no socket can be opened (the fallback).

    ``messages`` are the live channel's own (``explorer.live.channel.wire``), carried as this
    component's arguments: ``{"setup": setup JSON or None, "setup_id": int, "status":
    status dict, "frames": [base64 binary frame, ...]}`` (see ``wire``). The browser
    draws them exactly as it draws what the socket brings, skipping frames it already
    drew. Its own Play/Pause, Step and Reset buttons report through the component value,
    ``{"control": {...}, "id": str, "n": int}``, or ask for a fresh setup, ``{"resync":
    true, "id", "n"}``; a new ``(id, n)`` is a new request.
    """
    return _component(fallback=True, messages=messages, height=int(height), columns=int(columns),
                      spans=spans or {}, speeds=[], controls=True, draw=False, key=key, default=None,
                      tab_index=-1)


def live_grid(token: str, ws_path: str, height: int = 600, key: str = "grid", on_change: Any = None,
              speeds: list | tuple = ()) -> dict[str, Any] | None:
    """The Compare view's grid (``static/grid*.js``), fed by its own socket like ``live_channel``
    (the grid's messages: ``explorer.live.channel.grid_wire``, ``explorer.live.grid_setup``).
    ``height``: the room the page leaves it (the grid lays its cells out in it; on a phone the
    cells flow in one column and the frame grows). Returns the state the browser last reported:
    ``{"channel": ..., "epoch", "running", "ended"}`` plus, after a click on a cell's Open,
    ``{"open": cell index, "n": its click count}``; or None before that."""
    return _component(grid=True, token=token, ws_path=ws_path, height=int(height), speeds=list(speeds), key=key,
                      default=None, tab_index=-1, on_change=on_change)


def live_grid_fallback(messages: dict[str, Any], height: int = 600, key: str = "grid", on_change: Any = None,
                       speeds: list | tuple = ()) -> dict[str, Any] | None:
    """The same grid when no socket can be opened: the grid's messages come as arguments
    (``{"setup", "setup_id", "status", "frames"}``, as ``live_fallback``'s), drawn by the same
    client; its buttons report ``{"control": {...}, "id", "n"}`` (or ``{"resync": true, ...}``), and
    a cell's Open ``{"open": cell index, "n"}``, through the component value."""
    return _component(grid=True, fallback=True, messages=messages, height=int(height), speeds=list(speeds),
                      key=key, default=None, tab_index=-1, on_change=on_change)


def live_pins(message: dict[str, Any], height: int = 420, key: str = "pins", on_change: Any = None) -> dict[str, Any] | None:
    """Pinned runs side by side (``static/pinsview.js``): ``message`` is ``explorer.live.pins_setup``'s,
    drawn once per change of its ``id`` (no socket: pins do not train). ``height``: the room for the
    cells and the loss chart. Returns ``{"remove": uid, "n": clicks}`` after a pin's Remove, else None."""
    return _component(pins=True, message=message, height=int(height), key=key, default=None, tab_index=-1,
                      on_change=on_change)


def live_gallery(token: str, ws_path: str, height: int = 700, key: str = "gallery") -> None:
    """A class's projector gallery (``static/gallery*.js``), fed by its own socket like ``live_grid``
    (``explorer.live.channel.gallery_session``, ``gallery_wire``). It drives nothing and reports
    nothing; it sizes itself to the window's room below it (``height`` when it cannot read it)."""
    _component(gallery=True, token=token, ws_path=ws_path, height=int(height), key=key, default=None, tab_index=-1)


__all__ = ["STATIC_DIR", "live_channel", "live_fallback", "live_gallery", "live_grid", "live_keeper", "live_pins"]
