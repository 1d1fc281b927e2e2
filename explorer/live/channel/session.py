"""One learner's live channel: the token, the run it drives, its socket and pacing state.

A ``LiveSession`` lives in the learner's ``st.session_state`` (the page creates it
once and calls ``attach`` on every script run); the registry only holds it weakly.
Its socket (``Connection``) belongs to the asyncio loop, which only sets ``conn`` and
queues messages; everything else is touched by the scheduler thread, or by the page's
script thread while holding ``run.lock``.

The training verbs live here, one method each: ``play``, ``pause``, ``step``, ``reset``
and ``set_speed``. The socket's messages (through the scheduler), the fallback's buttons,
the keyboard shortcuts (which click those buttons) and the page's error guard call them,
under ``run.lock``; ``running`` is assigned in these methods and nowhere else. Playing is
the learner's state, not the network's: a Play that lands while the page is rebuilding
the run (a Play pressed right after Undo, a lesson or a new dataset), or that waited for
training points, carries over to the run the page attaches (``attach``).
Client messages arrive checked and rate-limited (``routes.Door``), are queued in ``inbox``
and applied by the scheduler between slices; the work they cause (a step, a reset, the
setup after it) comes out of ``work``, this learner's budget, while others train.
"""
from __future__ import annotations

import base64
import collections
import json
import math
import secrets
import time

import numpy as np

from explorer.live.setup_message import View, setup_parts, stop_part
from explorer.training.run import GRID, TILE_STRIDE
from explorer.live.channel import registry, wire
from explorer.live.channel.wire import parse_speed  # noqa: F401 - the one speed rule (URL, widget, socket) lives in wire

# Speed k: k trainer updates (epochs when training full-batch, else mini-batches) per
# frame, at scheduler.PACED_FPS frames a second; "max": a fair share of the CPU.
DEFAULT_SPEED = 1            # Ng's flower at 20 epochs/s: 0.85 accuracy after ~120 epochs (~6 s),
                             # most of the learning over 15 s
IDLE_PAUSE_S = 15 * 60       # auto-pause after this long without input
INBOX_MAX = 256              # queued client messages, at most (the socket refuses more)
# The work a learner's controls cause (Step, Reset, the setup message after them): free while
# nobody else trains; while others do, at most this share of the wall clock, after a burst.
WORK_SHARE = 0.03
WORK_BURST_S = 0.02
NAN = float("nan")


class LiveSession:
    """The live channel's state for one Streamlit session."""

    def __init__(self, speed: float | str = DEFAULT_SPEED):
        self.token = secrets.token_urlsafe(32)
        self.offer = secrets.token_urlsafe(32)   # a browser secret, for a browser that keeps none (run_keeper)
        self.run = None                  # explorer.training.run.Run, set by attach
        self.running = False             # training: assigned by the verbs below only
        self.play_waiting = False        # Play pressed with nothing to train yet: starts once there is
        self.played_at = -1.0            # monotonic time of the last Play
        self.page_began = 0.0            # monotonic time the page's current script run began
        self.view = None                 # explorer.live.setup_message.View
        self.data = None                 # the run's DataBundle when last attached
        self.plan = None                 # the run's η plan and its version when last attached (eta_plan)
        self.speed = parse_speed(speed)
        self.conn = None                 # the one open socket (routes.Connection) or None
        self.fallback = False            # the page trains without a socket (it said so)
        self.inbox: collections.deque = collections.deque(maxlen=INBOX_MAX)
        self.hidden = False
        self.last_input = time.monotonic()
        self.notice: str | None = None
        # pacing (scheduler thread only)
        self.seq = 0                     # last frame sent
        self.acked = 0                   # last frame the browser acked
        self.asked = 0                   # last frame that asked for an ack (wire.FLAG_ACK)
        self.setup_needed = True
        self.sent = None                 # (run id, version, running) of the last frame
        self.last_frame_t = 0.0
        self.owed = 0                    # updates of the current frame still to train (paced)
        self.unsent = False              # a paced update is trained but its frame not yet sent
        self.next_tick = 0.0             # perf_counter time of the next paced frame
        self.page_speed = None           # the speed widget's value last seen
        self.steps = 0                   # updates trained by the scheduler (fairness tests)
        self.stepping = None             # (run, trainer, epoch) of a Step epoch under way, in slices
        self.work = wire.Bucket(WORK_SHARE, WORK_BURST_S)   # seconds of control work (see WORK_SHARE)
        self.broken_until = 0.0          # monotonic time: after an error, left alone until then
        registry.register(self)

    # ---- page side (script thread) ----------------------------------------------
    def page_run_begins(self) -> None:
        """The page's script run begins (before it may rebuild the run): a Play from now on
        was pressed after whatever this run changes, and carries over to a rebuilt run."""
        self.page_began = time.monotonic()

    def attach(self, run, view, speed=None) -> None:
        """The page's current run and view; a new one of either (or new data in the same run:
        points drawn; or a new η plan while a schedule is drawn) makes the next message a setup.
        A new run starts paused, unless the learner pressed Play while the page was rebuilding
        it or Play waited for points."""
        with run.lock:
            if run is not self.run or view != self.view or run.data is not self.data:
                old = self.run
                if old is not run:
                    carry = self.play_waiting or (self.running and self.played_at >= self.page_began)
                    self.pause()
                    self.stepping = None
                    self.run = run
                    if carry:
                        self.play()
                elif not run.trainable:             # the learner's points are all gone: wait for new ones
                    waiting = self.play_waiting or self.running
                    self.pause()
                    self.play_waiting = waiting
                elif self.play_waiting:              # points arrived for a Play that waited for them
                    self.play()
                self.view, self.data = view, run.data
                self.setup_needed = True
            # η, the batch size or the schedule changed while a schedule is drawn: the η curve's setup
            plan = None if run.eta_plan.is_constant else (run.eta_plan, run.eta_plan.version)
            if plan != self.plan:
                self.plan, self.setup_needed = plan, True
            if speed is not None and speed != self.page_speed:     # the widget moved
                self.page_speed = speed
                self.set_speed(speed)
            self.last_input = time.monotonic()

    # ---- the training verbs (the caller holds run.lock) -----------------------------
    def play(self, notice: str | None = None) -> None:
        """Train on (``notice``: why, when it was not the learner's click). A diverged run stays
        paused (its message says to Reset or change a setting); with no training point yet the
        Play waits for the first ones."""
        run = self.run
        self.played_at = time.monotonic()
        self.notice = notice
        if run is None or run.message is not None:
            return
        self.play_waiting = not run.trainable
        self.running = run.trainable
        if self.play_waiting:
            self.notice = "Nothing to train on yet: turn Draw on and click the plane; training starts with the first points."
        self.owed, self.next_tick, self.unsent = 0, 0.0, False

    def pause(self, notice: str | None = None) -> None:
        """Stop training (``notice``: why, when it was not the learner's click)."""
        self.running = self.play_waiting = False
        self.owed = 0
        self.notice = notice

    def step(self, unit: str, sliced: bool = False) -> None:
        """Pause, then one mini-batch (``unit`` "batch") or one epoch ("epoch"). ``sliced``: the
        scheduler trains the epoch in slices (``stepping``) instead of at once."""
        run = self.run
        self.pause()
        if run is None:
            return
        if unit == "batch":
            run.step_batch()
        elif sliced:
            self.stepping = (run, run.trainer, run.epoch + 1)
        else:
            run.step_epoch()

    def step_slice(self, deadline: float) -> bool:
        """The Step epoch under way (``stepping``) trains on until ``deadline`` (perf_counter), one
        update at a time so that the epoch ends exactly; True once it is complete or the run
        diverged (``run.message`` says so). Scheduler thread, under run.lock."""
        run, trainer, epoch = self.stepping
        diverged = False
        while trainer.epoch < epoch and not diverged and time.perf_counter() < deadline:
            diverged = run.train_steps(1, deadline) == 0          # 0 done: it diverged
        return trainer.epoch >= epoch or diverged

    def reset(self) -> None:
        """Back to the starting weights, paused: training from here replays the run."""
        self.pause()
        self.stepping = None
        if self.run is not None:
            self.run.reset()
        self.setup_needed = True

    def set_speed(self, value) -> None:
        """Trainer updates per frame, or "max" (``parse_speed``'s rule)."""
        self.speed = parse_speed(value)
        self.owed = 0

    def touch(self) -> None:
        """The learner did something (resets the idle auto-pause clock)."""
        self.last_input = time.monotonic()

    # ---- socket side (event loop) -------------------------------------------------
    def connect(self, conn, secret: str | None = None, checkpoint=None, seen: dict | None = None) -> bool:
        """Bind the socket; False if another socket already holds this token. The scheduler
        applies what a new socket means (a setup, the tab shown; with the browser's ``secret``, the
        run kept under it: ``checkpoint``, resumed as the page last ``seen`` it, see ``run_keeper``)
        from the queued message."""
        if self.conn is not None and not self.conn.closed:
            return False
        self.inbox.clear()
        self.inbox.append({"type": "connected", "secret": secret, "checkpoint": checkpoint, "seen": seen})
        self.conn = conn
        return True

    def disconnect(self, conn) -> None:
        """The socket closed: that run stops training at once (``wants_training`` needs a
        socket; the scheduler pauses it in its next round)."""
        if self.conn is conn:
            self.conn = None

    # ---- scheduler side -------------------------------------------------------------
    def dormant(self) -> bool:
        """Nothing for the scheduler to do each round: no socket (a closed tab Streamlit keeps, or
        a page whose socket is not open yet), no fallback, not playing, no step under way, no message."""
        return self.conn is None and not self.fallback and not self.running and self.stepping is None \
            and not self.inbox

    def window(self) -> int:
        """Frames this page may have unacked (``wire.window``; a page that acks each: 1)."""
        return wire.window(self.speed)

    def window_open(self, stopped: bool = False) -> bool:
        """May a frame go out as far as acks go (``wire``'s Pacing)? Fewer than ``window()``
        unacked (the frame that shows a stop: one more), or no ack asked for is outstanding (a speed
        changed to max with frames unacked that asked for none: never wait for an ack not asked for)."""
        return self.seq - self.acked < self.window() + stopped or self.asked <= self.acked

    def wants_training(self) -> bool:
        run = self.run
        return run is not None and self.running and (self.conn is not None or self.fallback)

    def send_json(self, msg: dict) -> None:
        conn = self.conn
        if conn is not None:
            conn.send(json.dumps(msg, separators=(",", ":")))

    def status(self, reply_to: str | None = None) -> dict:
        run = self.run
        return {"type": "status", "running": bool(run and self.running), "speed": self.speed,
                "epoch": run.epoch if run else 0, "message": run.message if run else None,
                "notice": self.notice, "stop": stop_part(run) if run else None, "reply_to": reply_to}

    def setup(self) -> str:
        """The setup message (see ``wire``) for the current run and view; call under run.lock."""
        run, view, d = self.run, self.view, self.run.data
        h = run.trainer.history
        h.take_new()                     # the setup carries all of it
        pipe = d.pipeline
        with np.errstate(over="ignore", invalid="ignore"):
            weights = np.concatenate([layer.Wb.ravel() for layer in run.net.layers]).astype("<f4")
        msg = {"type": "setup", "seq": self.seq, "problem": d.problem, "n_classes": d.n_classes,
               "n_inputs": run.net.layers[0].W.shape[1], "sizes": [layer.size for layer in run.net.layers],
               "activations": [layer.activation.name for layer in run.net.layers],
               "features": list(d.feature_ids),
               "weights": base64.b64encode(weights.tobytes()).decode("ascii"),
               "mean": None if pipe.mean is None else [float(v) for v in pipe.mean],
               "scale": None if pipe.scale is None else [float(v) for v in pipe.scale],
               "grid": {"x": [float(d.xs[0]), float(d.xs[-1]), GRID], "y": [float(d.ys[0]), float(d.ys[-1]), GRID]},
               "tile_stride": TILE_STRIDE, "history": _finite(h.to_json()),
               "per_octave": h.per_octave, "metric": h.metric, "epoch": run.epoch, "running": self.running,
               "speed": self.speed, "message": run.message, "notice": self.notice,
               "view": {k: getattr(view, k) for k in ("discretize", "show_test", "log_loss", "big", "grad_key",
                                                      "height")} if view else None}
        # Static parts, colours, labels, formats (from the registries: nothing is spelled in the JS).
        msg.update(setup_parts(run, view or View()))
        self.setup_needed = False
        self.sent = None
        return json.dumps(msg, separators=(",", ":"), allow_nan=False)

    def frame(self) -> bytes:
        """The next binary frame (see ``wire``); call under run.lock."""
        run = self.run
        h = run.trainer.history
        self.seq += 1
        has_test = bool(h.test_cost)
        flags = (wire.FLAG_RUNNING if self.running else 0) | (wire.FLAG_TEST if has_test else 0)
        if wire.asks_ack(self.seq - self.acked, self.speed):
            flags |= wire.FLAG_ACK
            self.asked = self.seq
        key = (id(run), run.version)
        if self.sent is None or self.sent[:2] != key:
            flags |= wire.FLAG_WEIGHTS
        self.sent = key + (self.running,)
        self.unsent = False
        self.last_frame_t = time.monotonic()
        # float32 on the wire: a diverging run's values past its range become ±inf (struct would refuse them)
        with np.errstate(over="ignore", invalid="ignore"):
            if len(h):
                latest = tuple(float(v) for v in np.array(
                    (h.cost[-1], h.accuracy[-1], h.test_cost[-1] if has_test else NAN,
                     h.test_accuracy[-1] if has_test else NAN), np.float32))
                grads = np.array(list(h.grad_norm[-1]) + list(h.delta_mean[-1]), dtype=np.float32)
            else:
                latest, grads = (NAN,) * 4, np.zeros(0, np.float32)
            weights = np.concatenate([layer.Wb.ravel() for layer in run.net.layers]).astype(np.float32)
            new = h.take_new()
            points = np.array(new, dtype=np.float32) if new else np.zeros((0, 0), np.float32)
        return wire.encode_frame(self.seq, run.epoch, flags, h.per_octave, latest, weights, points, grads)

    def changed(self) -> bool:
        run = self.run
        return self.sent is None or self.sent != (id(run), run.version, self.running)


def _finite(obj):
    """JSON has no NaN/inf: such numbers (a diverged epoch's cost) become null."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj
