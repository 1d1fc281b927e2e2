"""The live channel's wire format: what the page's component and the server say.

One WebSocket per open page, at ``/live/ws`` on the app's own host and port
(``st.App`` route, see ``app.py``). Text frames are UTF-8 JSON objects with a
``"type"``; the server's frequent updates are small binary frames. All numbers in
binary frames are little-endian.

Client → server (text JSON, at most ``MAX_CLIENT_BYTES`` = 1024 bytes each; binary
client frames are refused):

    {"type": "hello", "token": "<the token the page gave the component>"[,   first, once
     "secret": "<the browser's secret: 43 of A-Z a-z 0-9 - _>"][,   (the live view's: its run is
                                          kept under it, run_keeper; anything else refuses the hello)
     "seen": {"epoch": 1234, "running": true}]}   what this page last drew from a socket of
                                          another token: the server that knew the page went
                                          away (a replica died, or restarted) and the page's new
                                          run gave a new token. The run resumes as it was, playing
                                          or not, and its notice says how many epochs were lost
                                          (run_keeper); epoch a whole number 0 .. 2**32 - 1
    {"type": "ack", "seq": 17}            frame 17 is on screen (and every frame before it): the
                                          server may send more (a whole seq, 0 ≤ seq < 2**32). The
                                          page acks a frame it draws once a frame flagged
                                          FLAG_ACK has arrived since its last ack (see Pacing)
    {"type": "play"} | {"type": "pause"} | {"type": "reset"}
    {"type": "step", "unit": "epoch" | "batch"}      pauses, then one epoch / one mini-batch
    {"type": "speed", "value": 1 | "max"}   trainer updates per frame (epochs, or mini-batches
                                            when training in mini-batches; a whole number
                                            1..10000, the page offers 1, 2, 5, 10, 20, 50) or
                                            "max" (a fair share of the server): ``parse_speed``
    {"type": "visible", "hidden": true | false}      the tab was hidden / shown again

Anything else (unknown type, missing or wrong-typed field, not JSON, too long) is
answered with ``{"type": "error", "text": ...}`` and otherwise ignored; the
connection stays open. A socket whose first message is not a valid hello is closed.
``parse_client`` checks a message completely: whatever it returns, the scheduler
applies without a second check (a speed passes ``parse_speed``, the one speed rule).

Limits per socket (``routes.Door``): at most ``CONTROL_RATE`` controls a second
(play, pause, reset, step, speed, visible; bursts of ``CONTROL_BURST``) and ``ACK_RATE``
acks (at max speed a frame is acked each, at most 75 frames a second). A message over
either limit is dropped; after a refused message (bad or dropped) the server reads that
socket's next one no sooner than ``REFUSED_PAUSE_S`` later, so a flood fills the sender's
own buffers rather than the server's time. Every refused message is a strike, strikes
leak away at ``STRIKE_LEAK`` a second, and a socket holding more than ``STRIKE_LIMIT``
is closed with 4429 (reason ``FLOOD_NOTICE``) after a status whose notice says the same
(the page does not reconnect;
a script that does starts again from a fresh socket, whose setup and controls cost its own
learner's budget). Error replies are themselves limited (``ERROR_RATE``).
The work a control causes on the server (a step, a reset and the setup that follows)
counts in the scheduler's duty cycle and, while others train, in the learner's own
budget (``session.WORK_SHARE``): a step over a large set may take several slices.

Close codes (server → client):

    4401  no hello within HELLO_TIMEOUT_S, or the first message is not a hello
    4403  wrong or expired token (that Streamlit session is gone): reload the page
    4409  the token already has a live socket (another tab of the same session)
    4429  too many bad or excess messages (see the limits above): reload the page
    1001  server shutting down

Server → client, text JSON:

    {"type": "setup", ...}   after hello, and whenever the run is rebuilt (data, network,
                             Reset) or the view options change. Replaces everything the
                             client holds. Fields:
        seq           int    the next binary frame's seq is greater than this
        problem       "classification" | "regression";   n_classes  int | null
        n_inputs      int    S_0 (number of input features)
        sizes         [S_1, ..., S_L]   units per layer
        activations   ["tanh", ..., "sigmoid"]   one per layer (core.ACTIVATIONS names)
        features      ["x1", "x2", ...]          core.features ids, column order of the inputs
        weights       base64 of f32[n_weights], laid out as a frame's: the first picture is
                      drawn from these (no frame needed)
        mean, scale   [F floats] | null          standardiser: input = (feature - mean) / scale
        grid          {"x": [min, max, G], "y": [min, max, G]}   the surface grid (G points per axis;
                      row 0 of the grid is y = min, as core's grid is flattened, x inner)
        tile_stride   int    neuron tiles sample every tile_stride-th grid point
        figures       {name: figure}   each live figure's static part (``setup_message.setup_figures``:
                      boundary, network, curves[, hidden]): layout, the data points, and lines and
                      markers without points (their ``meta`` names what the browser fills them with)
        colors        {"classes": [...], "layers": [...], "negative", "positive", "middle"}  "#rrggbb"
                      (theme's: the surface, the tiles, the edges, the status line)
        labels        {"units": [[names of column c's units], ...], "grad": "‖∂J/∂W‖",
                       "metric": "accuracy" | "R²", "weight": "W{l}[{j},{i}]", "bias": "b"}
                      display names from the registries
        formats       {"cost", "score", "grad", "weight": ["fixed" | "exp", digits]}  numbers as
                      Python's .4f / .2e
        paint         {"surface_strength": float, "edges": {"bins", "width": [a, b], "opacity": [a, b]},
                       "squash": [bool per layer: outputs in (0, 1), tiles drawn as 2a − 1],
                       "hover_weights": int (at most this many weights carry hover)}
        history       {"epoch": [...], "cost": [...], "score": [...], "test_cost": [...],
                       "test_score": [...], "grad_norm": [[L floats], ...],
                       "delta_mean": [[L floats], ...][, "val_cost": [...]]}   the bounded live
                      history so far (test lists empty without test data; val_cost, the validation
                      loss, only with validation rows)
        per_octave    int    the history's spacing rule (see LiveHistory): epoch e is kept iff
                      e % max(1, 2**floor(log2(e / per_octave))) == 0; it halves when the
                      budget is reached; the client may drop its own points by the same rule
        metric        "accuracy" | "r2"
        epoch, running, speed ("max" or a number), message (divergence advice or null), notice (why
                      training stopped when it was not the learner's click, or null: it outlives a setup)
        view          {"discretize", "show_test", "log_loss", "big", "grad_key", "height"}
        schedule      {"plan": [{"t", "eta", "batch", "n", "schedule": {core.schedules.Schedule.to_dict}},
                      ...]}   the run's η plan (explorer.training.eta_plan): the browser computes every
                      update's η from it (static/schedules.js). Absent while every factor is 1; a new
                      plan (η, batch or schedule changed while a schedule is drawn) sends a new setup
        stop          {"best_epoch": int | null, "best_cost": float | null, "stopped": bool}   the lowest
                      validation loss so far and its epoch, and whether the stopping rule ended the
                      run (``message`` says why, in one line); absent when neither applies
                      (``setup_message.stop_part``)
    {"type": "status", "running": bool, "speed": ..., "epoch": int, "message": str | null,
     "notice": str | null, "stop": <as the setup's> | null, "reply_to": "<control type>" | null}
                             after every control message (within one scheduler slice: the
                             control's round trip) and when training stops by itself
                             (divergence, auto-pause; ``notice`` then says why, one line)
    {"type": "error", "text": "..."}   a refused client message

Server → client, binary frame (at most ``window`` unacked; the server never runs further ahead):

    header  HEADER = struct "<IIBBHffffIIH" (38 bytes, packed; fields in order; the body that
            follows is therefore not 4-byte aligned: read it through a DataView)
        seq          u32   frame number (strictly increasing per socket)
        epoch        u32   completed epochs
        flags        u8    bit 0 running, bit 1 has test data, bit 2 the weights changed,
                           bit 3 ack asked (FLAG_ACK: see Pacing)
        version      u8    WIRE_VERSION (2; a version 1 server asked for no ack: it wanted
                           every frame acked, and the page does so for it, as in a rolling update)
        per_octave   u16   the history's current spacing (see setup)
        cost, score, test_cost, test_score    f32   latest epoch's values (NaN if none yet)
        n_weights    u32   number of float32 weights that follow
        n_points     u32   number of new curve points that follow
        point_width  u16   floats per point = 5 + 2 L (6 + 2 L with validation rows)
    body
        weights      f32[n_weights]   every layer's Wb = [W | b], row-major, shape
                     (S_l, S_{l-1} + 1), layer 1 first: a^(l) = act_l(Wb_l @ [a^(l-1); 1])
        points       f32[n_points × point_width]   curve points appended since the last
                     frame, each (epoch, cost, score, test_cost, test_score,
                     grad_norm[1..L], delta_mean[1..L][, val_cost]); NaN where there is no test
                     data; val_cost (the validation loss) only when the run has validation rows.
                     Only points the history keeps are sent, each once; the latest epoch's
                     values are also in the header (and ``latest`` points: see below)
        latest       f32[2 L]    grad_norm[1..L], delta_mean[1..L] of the latest epoch
                     (present when epoch > 0: the status line and the curves' last point)

The component (``explorer.live.component``) gets these arguments from the page. Over the channel
(``live_channel``):

    token      str    this Streamlit session's token (send it in the hello)
    ws_path    str    "/live/ws" (same host and port as the page; ws:// or wss:// as the page)
    height, columns, spans    the chart grid
    fallback   false
    controls   bool   true: the component draws Play/Pause, Step epoch, Step mini-batch,
                      Reset and Speed itself and sends them over the socket (the page then
                      shows no Streamlit buttons); speeds offered: ``speeds`` (list, "max" last)
    speeds     list   the Speed choices the component offers, e.g. [1, 2, 5, 10, 20, 50, "max"]
                      (trainer updates per frame; empty: Speed is the sidebar's setting)
    draw       bool   a click on the boundary's plane is reported (see below)
and reports through the component value (``setComponentValue``) only what the page acts on:
    {"channel": "failed", "code": <close code or 0>}
(with a drawing click, the value also carries the channel's state then: "open", "failed"
or "closed"). "failed" (the socket never opened, or closed before setup) makes the page switch to the
fallback (``live_fallback``), where the same messages come as arguments instead:

    fallback   true   no socket, no acks
    messages   {"setup": <the setup message's JSON text> | null (only when it changed),
                "setup_id": int (numbers the setups),
                "status": <a status message, as a dict>,
                "frames": [<a binary frame, base64>, ...]}   the latest frames since the setup
                      (a few: a render the browser never saw loses no curve point); the
                      browser draws each once, by seq, and skips the rest
    height, columns, spans, controls (true), speeds ([]), draw (false)   as above
and the component's buttons report through its value, each a new request by (id, n):
    {"control": <a client control message: play, pause, step, reset or speed>, "id": str, "n": int}
    {"resync": true, "id": str, "n": int}    a setup or a frame was missed: send a fresh setup
The page checks a control with ``parse_client``, as the socket does, and applies it with
the same ``LiveSession`` verbs.

Pacing: after hello the server sends setup and then frame 1. It sends a frame only when
something changed and fewer than ``window`` frames are unacked: ``PACED_WINDOW`` (8) at a
paced speed, 1 at max (``window``). The frame that shows training stopped (Pause, Step,
divergence, auto-pause) goes out at once, one over the window. Training goes on between frames.

A frame asks for an ack (FLAG_ACK) at max speed, and at a paced speed once ``ACK_EVERY`` (4)
frames are unacked: a page acks one frame in four. The page acks a frame as it draws it, if
a frame that asked arrived since its last ack (a page that draws only the latest of several
frames still acks, with the later seq). So the server is never blocked for want of an ack:
the newest unacked frame of a full window asked for one. At max speed the browser's own
pace sets the frames' (one in flight, acked each); at a paced speed the server's tick does,
and the acks only bound how far a slow page can fall behind (8 frames, 0.4 s). Through a
balancer each message costs it a receive and a send: 1.25 messages an update instead of 2.
"""
from __future__ import annotations

import json
import math
import numbers
import struct
import time
from typing import Any

import numpy as np

from explorer.training.run_store_base import check_secret

WIRE_VERSION = 2                    # 2: frames ask for their acks (FLAG_ACK)
MAX_CLIENT_BYTES = 1024
HELLO_TIMEOUT_S = 10.0
HEADER = struct.Struct("<IIBBHffffIIH")
FLAG_RUNNING, FLAG_TEST, FLAG_WEIGHTS, FLAG_ACK = 1, 2, 4, 8
PACED_WINDOW = 8                    # unacked frames at a paced speed, at most (0.4 s at 20 a second)
ACK_EVERY = 4                       # ... of which a page acks one in this many (ACK_EVERY < PACED_WINDOW)
MAX_SPEED = 10_000                  # updates per frame, at most
MAX_SEQ = 2**32 - 1                 # frame numbers are u32

CLOSE_NO_HELLO, CLOSE_BAD_TOKEN, CLOSE_IN_USE = 4401, 4403, 4409
CLOSE_BAD_ORIGIN = 4400
CLOSE_FLOOD = 4429

# Per-socket limits (see the module docstring). A person clicking stays within them; a key
# held down (auto-repeat ~30 a second) loses some repeats after a couple of seconds but is
# never closed (its strikes leak away faster than they come); a page never sends a bad message.
CONTROL_RATE, CONTROL_BURST = 20.0, 40
ACK_RATE, ACK_BURST = 90.0, 30       # 75 frames a second at most (scheduler.ALONE_FPS), plus the frames that show a stop
STRIKE_LEAK, STRIKE_LIMIT = 20.0, 50
REFUSED_PAUSE_S = 0.02               # at most ~50 refused messages a second are read from a socket
ERROR_RATE, ERROR_BURST = 5.0, 10
FLOOD_NOTICE = ("The live connection was closed: this page sent too many messages, or malformed ones. "
                "Reload the page to go on.")

CONTROLS = ("play", "pause", "reset", "step", "speed", "visible", "ack")


class BadMessage(ValueError):
    """A client message the server refuses (the text says why)."""


def parse_speed(value: Any) -> int | str:
    """The one speed rule (the URL, the widget and the socket): "max", or a whole number of
    updates per frame from 1 to ``MAX_SPEED`` (a number, or its text); ValueError otherwise."""
    if isinstance(value, str) and value == "max":
        return "max"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, str)):
        raise ValueError(f"speed must be a number of updates per frame or 'max', got {_short(value)}")
    try:
        v = float(value)
    except (ValueError, OverflowError):       # not a number; an integer too large for a float
        raise ValueError(f"speed must be a number of updates per frame or 'max', got {_short(value)}") from None
    if not (math.isfinite(v) and 1 <= v <= MAX_SPEED and v == int(v)):
        raise ValueError(f"speed must be a whole number of updates per frame from 1 to {MAX_SPEED}, "
                         f"got {_short(value)}")
    return int(v)


def window(speed: int | str) -> int:
    """Frames a page may have unacked at ``speed`` (a ``parse_speed`` value; see Pacing)."""
    return 1 if speed == "max" else PACED_WINDOW


def asks_ack(unacked: int, speed: int | str) -> bool:
    """Does a frame that leaves ``unacked`` frames unacked (itself included) ask for an ack?"""
    return speed == "max" or unacked >= ACK_EVERY


def _short(value: Any) -> str:
    """The value for an error message, at most 40 characters."""
    try:
        text = repr(value)
    except ValueError:                        # an integer of more digits than Python prints
        return "a very large integer"
    return text if len(text) <= 40 else text[:37] + "..."


class Bucket:
    """A token bucket: ``rate`` tokens a second, at most ``burst`` held (it starts full).

    ``take`` spends whole tokens and refuses when short (messages at the door);
    ``charge`` spends what a piece of work cost once it is done, into debt if need be,
    so work that cannot be sized beforehand is paid back before the next may start."""

    def __init__(self, rate: float, burst: float, clock=time.monotonic):
        self.rate, self.burst, self._clock = float(rate), float(burst), clock
        self.level = self.burst
        self._t = clock()

    def _refill(self) -> float:
        now = self._clock()
        self.level = min(self.burst, self.level + (now - self._t) * self.rate)
        self._t = now
        return self.level

    def take(self, n: float = 1.0) -> bool:
        if self._refill() < n:
            return False
        self.level -= n
        return True

    def charge(self, cost: float) -> None:
        self._refill()
        self.level -= cost

    def ready(self) -> bool:
        """Anything left (work may start; ``charge`` settles its cost afterwards)."""
        return self._refill() > 0

    def wait_s(self) -> float:
        """Seconds until ``ready``."""
        return max(0.0, -self._refill() / self.rate)


def parse_client(text: Any) -> dict:
    """A client message as a checked dict; raises BadMessage with a reason."""
    if not isinstance(text, str):
        raise BadMessage("binary messages are not accepted")
    # (a text of more characters than the limit is longer in bytes too: no need to encode it)
    if len(text) > MAX_CLIENT_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_CLIENT_BYTES:
        raise BadMessage(f"message longer than {MAX_CLIENT_BYTES} bytes")
    try:
        msg = json.loads(text)
    except (ValueError, RecursionError):       # (ValueError: also an integer of too many digits)
        raise BadMessage("not JSON") from None
    if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
        raise BadMessage("expected a JSON object with a 'type'")
    kind = msg["type"]
    if kind == "hello":
        if not isinstance(msg.get("token"), str) or not 0 < len(msg["token"]) <= 200:
            raise BadMessage("hello needs a token string")
        secret = msg.get("secret")
        if secret is not None:
            try:
                check_secret(secret)
            except ValueError as err:
                raise BadMessage(f"hello's secret: {err}") from None
        return {"type": kind, "token": msg["token"], "secret": secret, "seen": _seen(msg.get("seen"))}
    if kind == "ack":
        seq = msg.get("seq")
        if not _whole(seq) or not 0 <= seq <= MAX_SEQ:
            raise BadMessage(f"ack needs a whole seq from 0 to {MAX_SEQ}")
        return {"type": kind, "seq": int(seq)}
    if kind in ("play", "pause", "reset"):
        return {"type": kind}
    if kind == "step":
        if msg.get("unit") not in ("epoch", "batch"):
            raise BadMessage("step needs unit 'epoch' or 'batch'")
        return {"type": kind, "unit": msg["unit"]}
    if kind == "speed":
        try:
            return {"type": kind, "value": parse_speed(msg.get("value"))}
        except ValueError as err:
            raise BadMessage(str(err)) from None
    if kind == "visible":
        if not isinstance(msg.get("hidden"), bool):
            raise BadMessage("visible needs hidden: true or false")
        return {"type": kind, "hidden": msg["hidden"]}
    raise BadMessage(f"unknown type {kind[:40]!r}; expected one of hello, {', '.join(CONTROLS)}")


def _seen(seen) -> dict | None:
    """A hello's ``seen`` (see the module docstring), checked; BadMessage otherwise."""
    if seen is None:
        return None
    if (not isinstance(seen, dict) or set(seen) != {"epoch", "running"} or not _whole(seen["epoch"])
            or not 0 <= seen["epoch"] <= MAX_SEQ or not isinstance(seen["running"], bool)):
        raise BadMessage(f"hello's seen needs epoch (a whole number from 0 to {MAX_SEQ}) and running "
                         f"(true or false), and nothing else")
    return {"epoch": int(seen["epoch"]), "running": seen["running"]}


def _whole(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)



def encode_frame(seq: int, epoch: int, flags: int, per_octave: int, latest: tuple, weights: np.ndarray,
                 points: np.ndarray, grads: np.ndarray) -> bytes:
    """One binary frame (see the module docstring). ``latest`` = (cost, score, test_cost,
    test_score); ``weights`` float32 (n,); ``points`` (n_points, 5 + 2L); ``grads`` (2L,) or empty."""
    points = np.ascontiguousarray(points, dtype="<f4")
    width = points.shape[1] if points.ndim == 2 and points.shape[0] else 0
    head = HEADER.pack(seq, epoch, flags, WIRE_VERSION, per_octave, *latest, weights.size,
                       points.shape[0] if width else 0, width)
    return b"".join((head, np.ascontiguousarray(weights, "<f4").tobytes(), points.tobytes() if width else b"",
                     np.ascontiguousarray(grads, "<f4").tobytes()))


def decode_frame(data: bytes, n_layers: int) -> dict:
    """The inverse of ``encode_frame`` (tests and the classroom benchmark)."""
    (seq, epoch, flags, version, per_octave, cost, score, test_cost, test_score, n_w, n_p,
     width) = HEADER.unpack_from(data, 0)
    off = HEADER.size
    weights = np.frombuffer(data, "<f4", n_w, off)
    off += 4 * n_w
    points = np.frombuffer(data, "<f4", n_p * width, off).reshape(n_p, width) if n_p else np.zeros((0, 0), "<f4")
    off += 4 * n_p * width
    grads = np.frombuffer(data, "<f4", (len(data) - off) // 4, off)
    assert grads.size in (0, 2 * n_layers), (grads.size, n_layers)
    return {"seq": seq, "epoch": epoch, "running": bool(flags & FLAG_RUNNING), "flags": flags,
            "version": version, "per_octave": per_octave, "latest": (cost, score, test_cost, test_score),
            "weights": weights, "points": points, "grads": grads}
