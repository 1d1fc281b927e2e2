"""The projector's gallery on the live channel: a ``LiveSession`` that reads a class, drives nothing.

The projector page makes one with its projector key; its socket is a live socket (the same
route, token, door and acks) and the one scheduler (``scheduler.SCHEDULER``) serves it among
everyone's runs, as it serves a grid: it trains nothing (its run is a stand-in, every
training verb does nothing), and its ``setup``, ``changed`` and ``frame`` are the gallery's.

What it reads, it reads with the projector key's rights: the class (``RoomStore.projector``:
code, nicknames, task, the teacher's controls, where each student's run is kept; re-read every
``CHECK_EVERY_S``), each student's run in the one run store (``run_store.RUNS``, by the key their
seat holds: ``run_thumbs.class_thumbs``) and the class's feed (``room_feed.FEED``, subscribed:
each student's state as they publish it, at most ``room_seats.PUBLISH_HZ`` a second each).

**Where its picture comes from.** A setup's picture of the class comes from the run store for
every student this session has not seen yet (all of them when a projector opens late, or
reopens after its replica died: the run as last saved, at most ``run_keeper.SAVE_EVERY_S`` behind
a playing student, exact for a paused one); the feed then brings what each student publishes
after it subscribed (it keeps no copy: ``feed_interface``). A subscription the feed lost makes
the next frame a setup read from the run store again. A frame goes out at most every
``FRAME_EVERY_S``, once the last was acked, with the states published since (``gallery_wire``).
A new student, nickname, network shape or data set, hidden or revealed names, "Show this one", a
new task or the class closing make a new setup.
When the teacher hides names, nicknames never leave the server: the setup says "Student 1", ...

The class chart (everyone's score against epoch) and "Show this one"'s curves are drawn in the
browser from the states the frames already carry (epoch, scores, loss per record): the browser
keeps each student's line under the student_id the setup lists (``ids``: not a secret), so the
chart costs no byte per update. For "Show this one"'s network the setup also carries the painting
rules (edges, the tiles' grid) and, per network shape, which layers' outputs are in (0, 1).
"""
from __future__ import annotations

import base64
import json
import math
import threading
import time

from core import ACTIVATIONS
from explorer.figures.boundary import SURFACE_STRENGTH
from explorer.figures.curves import METRIC_LABELS
from explorer.figures.network_diagram import EDGE_STYLE
from explorer.live.channel import gallery_wire
from explorer.live.channel.room_feed import FEED, RoomFeed, Subscription, Thumb
from explorer.live.channel.run_thumbs import class_thumbs
from explorer.live.channel.session import LiveSession
from explorer.live.setup_message import colors
from explorer.rooms import goals, keys
from explorer.rooms.server import STORE
from explorer.rooms.store import RoomError, RoomStore
from explorer.rooms.task import GOALS
from explorer.training.run import GRID, TILE_STRIDE
from explorer.training.run_store import RUNS
from explorer.training.run_store_base import RunStore

FRAME_EVERY_S = 0.5           # frames a second, at most 2: each student's thumbnail ≤ 2 updates a second
CHECK_EVERY_S = 1.0           # the class (names, controls, task) is re-read this often


class _Stand:
    """What the scheduler reads of a session's run: a projector has none and trains nothing."""

    def __init__(self):
        self.lock = threading.RLock()
        self.version, self.epoch, self.message, self.trainable = 0, 0, None, False


def score_of(t: Thumb | None) -> float:
    """The score the goal ranks: test when there is a test set, else training (NaN: none yet)."""
    if t is None:
        return math.nan
    return t.test_score if math.isfinite(t.test_score) else t.score


class GallerySession(LiveSession):
    """The live channel's state for one projector page (see the module docstring)."""

    def __init__(self, key: str, feed: RoomFeed = FEED, store: RoomStore = STORE, runs: RunStore = RUNS):
        super().__init__()
        self.key, self.feed, self.store, self.runs = key, feed, store, runs
        self.sub: Subscription | None = None    # the class's states as they are published
        self.run = _Stand()
        self.code = ""
        self.roster = None            # what the last setup showed of the class
        self.index: dict[str, int] = {}         # student_id -> place in the setup's list
        self.shapes: dict[tuple, int] = {}      # (sizes, activations, data) -> shape index
        self.latest: dict[str, Thumb] = {}      # each student's latest state known here
        self.pending: dict[str, int] = {}       # student_id -> frames it has waited to be sent
        self.checked = 0.0
        self.goal = goals.DEFAULT_GOAL
        self.closed = False
        self.sizes_of: list[int] = []           # per shape: float16 weights

    # ---- the verbs: a projector drives nothing ----------------------------------------------
    def play(self) -> None:
        pass

    def pause(self, notice: str | None = None) -> None:
        pass                      # (never running: play does nothing)

    def step(self, unit: str, sliced: bool = False) -> None:
        pass

    def reset(self) -> None:
        pass

    def set_speed(self, value) -> None:
        pass

    # ---- scheduler side ----------------------------------------------------------------------
    def _view(self):
        try:
            return self.store.projector(self.key), None
        except RoomError as err:
            return None, str(err)

    @staticmethod
    def _roster(view, gone) -> tuple:
        if view is None:
            return ("gone", gone)
        return (tuple((s.student_id, s.nickname) for s in view.students), view.controls, view.closed,
                view.task_version)

    def window(self) -> int:
        return 1                  # the projector acks every frame (gallery.js)

    def changed(self) -> bool:
        now = time.monotonic()
        if now - self.last_frame_t < FRAME_EVERY_S:
            return False
        if now - self.checked >= CHECK_EVERY_S:
            self.checked = now
            if self._roster(*self._view()) != self.roster:
                self.setup_needed = True          # the scheduler's next push sends it
                return False
        sub = self.sub
        return bool(self.code) and (bool(self.pending) or sub is None or sub.lost or sub.waiting())

    def setup(self) -> str:
        view, gone = self._view()
        self.roster, self.checked = self._roster(view, gone), time.monotonic()
        self.setup_needed, self.sent = False, None
        msg = {"type": "setup", "kind": "gallery", "seq": self.seq, "epoch": 0, "running": False,
               "speed": self.speed, "message": gone, "notice": None, "colors": colors(),
               "paint": {"surface_strength": SURFACE_STRENGTH[True], "edges": EDGE_STYLE, "grid": GRID,
                         "tile_stride": TILE_STRIDE},
               "students": [], "ids": [], "shapes": [], "data": [], "thumbs": [], "order": [], "focus": -1}
        if view is None:
            self.code, self.index = "", {}
            self._unsubscribe()
            return json.dumps(msg, separators=(",", ":"))
        task = view.task or {}
        self.code, self.closed = view.code, view.closed
        self.goal = task.get("goal") if task.get("goal") in GOALS else goals.DEFAULT_GOAL
        hidden = view.controls.names_hidden
        self.index = {s.student_id: i for i, s in enumerate(view.students)}
        self.latest = self._picture(view)
        self.pending, self.shapes, self.sizes_of = {}, {}, []
        data_index: dict[str, int] = {}
        for t in self.latest.values():
            self._shape(t, msg, data_index)
        msg.update({
            "code": keys.show_code(view.code), "closed": view.closed, "task": task.get("text"),
            "goal": self.goal, "goal_text": GOALS[self.goal], "qualify": goals.QUALIFY, "names_hidden": hidden,
            "students": [f"Student {i + 1}" if hidden else s.nickname for i, s in enumerate(view.students)],
            "ids": [s.student_id for s in view.students],    # (not secrets: what the browser keeps lines under)
            "metric_labels": METRIC_LABELS,
            "thumbs": [dict(_finite(self._record(t)), weights=base64.b64encode(t.weights).decode("ascii"))
                       for t in self.latest.values()],
            "order": self._order(), "focus": self.index.get(view.controls.focus, -1)})
        focus = self.latest.get(view.controls.focus)
        msg["focus_setup"] = focus.setup if focus is not None else None
        return json.dumps(msg, separators=(",", ":"), allow_nan=False)

    def _unsubscribe(self) -> None:
        if self.sub is not None:
            self.sub.close()
            self.sub = None

    def _picture(self, view) -> dict[str, Thumb]:
        """Each student's latest state: what this session already holds, the run store's for the
        others (all of them with a new subscription), then what the feed brought since."""
        if self.sub is None or self.sub.lost or self.sub.code != view.code:
            self._unsubscribe()
            self.sub = self.feed.subscribe(view.code)        # first: what is published from now on is relayed
            self.latest = {}
        latest = {sid: t for sid, t in self.latest.items() if sid in self.index}
        latest.update(class_thumbs(self.runs, [s for s in view.students if s.student_id not in latest]))
        latest.update((t.student_id, t) for t in self.sub.take() if t.student_id in self.index)
        return latest

    def _shape(self, t: Thumb, msg: dict, data_index: dict) -> None:
        key = (t.sizes, t.activations, t.data)
        if key in self.shapes:
            return
        if t.data not in data_index:
            entry = self.feed.data(self.code, t.data)
            data_index[t.data] = len(msg["data"]) if entry is not None else -1
            if entry is not None:
                msg["data"].append(entry)
        self.shapes[key] = len(msg["shapes"])
        n = len(t.weights) // 2
        self.sizes_of.append(n)
        squash = [bool(getattr(ACTIVATIONS.get(a), "classifier", False)) for a in t.activations]
        msg["shapes"].append({"sizes": list(t.sizes), "activations": list(t.activations),
                              "data": data_index[t.data], "n_weights": n, "squash": squash})

    def _record(self, t: Thumb) -> dict:
        return {"student": self.index[t.student_id], "shape": self.shapes[(t.sizes, t.activations, t.data)],
                "epoch": t.epoch, "running": t.running, "stopped": t.message is not None, "score": t.score,
                "test": t.test_score, "cost": t.cost, "n_weights": t.n_weights}

    def _order(self) -> list[int]:
        ids = sorted(self.index, key=self.index.get)
        entries = [(score_of(self.latest.get(sid)), self.latest[sid].n_weights if sid in self.latest else 0)
                   for sid in ids]
        return [self.index[ids[i]] for i in goals.leaderboard(self.goal, entries)]

    def frame(self) -> bytes | str:
        self.last_frame_t = time.monotonic()
        sub = self.sub
        fresh = [] if sub is None else sub.take()
        new_shape = sub is None or sub.lost       # (a lost subscription: the run store again)
        for t in fresh:
            if t.student_id not in self.index:
                continue                          # not (yet) in the setup's list: the next check adds them
            self.latest[t.student_id] = t
            if (t.sizes, t.activations, t.data) not in self.shapes:
                new_shape = True                  # a new shape or data set: everything again
            else:
                self.pending[t.student_id] = self.pending.get(t.student_id, 0)
        if new_shape:
            text = self.setup()
            self.acked = self.seq                 # (a setup is never acked)
            return text
        self.seq += 1
        self.asked = self.seq                     # (each frame wants its ack: window_open)
        sent, used = [], 0
        for sid in sorted(self.pending, key=lambda s: -self.pending[s]):
            size = len(self.latest[sid].weights)
            if used + size <= gallery_wire.WEIGHT_BUDGET or not sent:
                sent.append(sid)
                used += size
        for sid in self.pending:
            self.pending[sid] += 1
        for sid in sent:
            del self.pending[sid]
        records = []
        for sid in sent:
            r = self._record(self.latest[sid])
            records.append((r["student"], r["shape"], r["epoch"],
                            (gallery_wire.REC_RUNNING if r["running"] else 0)
                            | (gallery_wire.REC_STOPPED if r["stopped"] else 0), r["score"], r["test"], r["cost"]))
        return gallery_wire.encode(self.seq, self.closed, len(self.index), self._order(), records,
                                   [self.latest[sid].weights for sid in sent])


def _finite(record: dict) -> dict:
    """JSON has no NaN: a score that is none yet goes as null."""
    return {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in record.items()}
