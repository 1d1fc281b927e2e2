"""Students' live sessions in their class: what each publishes to the gallery, and the
teacher's "pause everyone".

A student's page binds its ``LiveSession`` here with the student's own secret (``bind``, from
``explorer.pages.class_gallery``); nothing else ever binds a session. One thread of this
process (``Seats.loop``, started on the first bind) then, every ``1 / PUBLISH_HZ`` seconds:

1. re-reads each bound student's seat through the room store **with that student's own secret**
   (``RoomStore.student``): a student the teacher removed, or a class that ended, is unbound
   (the gallery drops them from its roster);
2. tells the seat, with the same secret, where the student's run is kept (``RoomStore.set_run``:
   the run store's key of the browser secret their live socket sent, ``run_keeper.KEEPER``), once
   per page, so that the gallery and the results read the run from the one run store;
3. publishes the student's network to the feed (``room_feed.FEED``) if it changed since the
   last time: float16 weights, epoch, scores, the setup's link text (at most ``PUBLISH_HZ``
   states a second per student, whatever their speed; a paused network publishes nothing). The
   feed relays it to the projectors reading now and keeps no copy;
4. holds the student paused while the teacher holds everyone paused (``Controls.paused``).

**The one exception to "one session never drives another's state".** Every session's training
verbs are its own page's and socket's (``session.LiveSession``). A class's teacher may pause
every student of *their* class, and nothing else: the teacher's token sets the class's hold in
the store (``RoomStore.control``, which checks the token), and here each student's session,
found through a binding that the student's own page made, is paused under its run's lock with a
notice that says who paused it. While the hold lasts a Play is undone within ``HOLD_CHECK_S``
(the bound sessions of held classes are looked at that often, without asking the store); when
the teacher lets everyone go on, each student held here is told so and presses Play. Step and
Reset stay the student's. No other verb and no other key reaches another session: the
projector's key only reads the feed and the run store.
"""
from __future__ import annotations

import base64
import threading
import time
import weakref
from urllib.parse import urlencode

import numpy as np

from explorer.choices.link import to_query
from explorer.choices.settings_table import SETTINGS
from explorer.live.channel import grid_wire
from explorer.live.channel.guard import log_limited
from explorer.live.channel.room_feed import FEED, RoomFeed, Thumb
from explorer.live.channel.run_keeper import KEEPER, Keeper
from explorer.live.channel.run_thumbs import data_key
from explorer.live.grid_setup import THUMB_GRID
from explorer.rooms.server import STORE
from explorer.rooms.store import RoomError, RoomStore, Unavailable
from explorer.training.run_checkpoint import data_digest

PUBLISH_HZ = 2.0              # states a second per student, at most (the issue: gallery ≥ 1, ≤ 2)
IDLE_WAIT_S = 5.0             # nobody bound: look again this often
SETUP_GROUPS = ("data", "net", "train")       # what a thumbnail's setup link carries (never a class key)
HOLD_CHECK_S = 0.05           # while a class is held paused, its students' Play is undone within this
PAUSED_NOTICE = "Your teacher paused everyone: wait until they let you go on."
RELEASED_NOTICE = "Your teacher let everyone go on: press Play."


def setup_link(cfg) -> str:
    """The run's data, network and training settings as a link query (no view, grid or class key)."""
    return urlencode({k: v for k, v in to_query(cfg).items() if SETTINGS[k].group in SETUP_GROUPS})


def data_entry(d) -> dict:
    """A DataBundle as the gallery draws over it (its training points at ``THUMB_GRID``); the feed
    names it ``run_thumbs.data_key`` (link, ``data_digest``), as a checkpoint of the run does."""
    pipe = d.pipeline
    entry = {"features": list(d.feature_ids), "problem": d.problem,
             "mean": None if pipe.mean is None else [float(v) for v in pipe.mean],
             "scale": None if pipe.scale is None else [float(v) for v in pipe.scale],
             "grid": {"x": [float(d.xs[0]), float(d.xs[-1]), THUMB_GRID], "y": [float(d.ys[0]), float(d.ys[-1]), THUMB_GRID]},
             "points": base64.b64encode(np.ascontiguousarray(d.X_train, "<f4").tobytes()).decode("ascii"),
             "labels": base64.b64encode(np.clip(d.y_train, 0, 255).astype(np.uint8).tobytes()).decode("ascii")
             if d.problem == "classification" else None}
    return entry


def _last(values: list, has: bool = True) -> float:
    return float(values[-1]) if has and values else float("nan")


class _Seat:
    def __init__(self, code: str, secret: str, sid: str, session):
        self.code, self.secret, self.sid = code, secret, sid
        self.ref = weakref.ref(session)
        self.held = False               # the class holds everyone paused (as last read from the store)
        self.stopped = False            # this hold paused the session at least once (it is told of the release)
        self.sent = None                # (run, version, running) last published
        self.data = (None, None, "")    # (DataBundle, Config, the data set's key) last published
        self.cfg = (None, "")           # (Config, its setup link)
        self.run_key = ""               # where the run store keeps the run, as the seat was told


class Seats:
    """The bound students of this process (see the module docstring)."""

    def __init__(self, feed: RoomFeed = FEED, store: RoomStore = STORE, hz: float = PUBLISH_HZ,
                 keeper: Keeper = KEEPER):
        self.feed, self.store, self.every_s, self.keeper = feed, store, 1.0 / hz, keeper
        self._lock = threading.Lock()
        self._seats: dict[tuple[str, str], _Seat] = {}        # (code, student_id) -> seat
        self._wake = threading.Event()
        self._due = True                # a bind asks for a round at once
        self._thread = None
        self.published = 0

    def bind(self, code: str, secret: str, session) -> str:
        """The student's own page binds its session (their secret, checked by the store); returns
        the student_id. A later bind of the same seat (a reload: a new session) replaces it."""
        seat, view = self.store.student(code, secret)
        with self._lock:
            old = self._seats.get((view.code, seat.student_id))
            if old is None or old.ref() is not session:
                self._seats[(view.code, seat.student_id)] = _Seat(view.code, secret, seat.student_id, session)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self.loop, name="room-seats", daemon=True)
                self._thread.start()
        self._due = True
        self._wake.set()
        return seat.student_id

    def count(self) -> int:
        with self._lock:
            return len(self._seats)

    def loop(self) -> None:
        """A round (``tick``) every ``1 / PUBLISH_HZ`` s; in between, while a class is held paused,
        its students' runs are looked at every ``HOLD_CHECK_S`` (``hold_tick``)."""
        next_round = 0.0
        while True:
            now = time.monotonic()
            try:
                if self._due or now >= next_round:
                    self._due = False
                    next_round = now + (self.every_s if self.tick() else IDLE_WAIT_S)
                else:
                    self.hold_tick()
            except Exception as err:  # noqa: BLE001 - a bug must not stop every class's gallery
                log_limited("seats", "room seats: a round failed; retrying", err)
                next_round = now + self.every_s
            wait = next_round - time.monotonic()
            if self.holding():
                wait = min(wait, HOLD_CHECK_S)
            self._wake.wait(max(0.0, wait))
            self._wake.clear()

    def holding(self) -> bool:
        """Is any bound student's class held paused (as last read)?"""
        with self._lock:
            return any(seat.held for seat in self._seats.values())

    def hold_tick(self) -> None:
        """Between rounds: pause again each student of a held class who pressed Play."""
        with self._lock:
            held = [seat for seat in self._seats.values() if seat.held]
        for seat in held:
            session = seat.ref()
            if session is not None and (session.running or session.play_waiting):
                seat.stopped = self._pause(session, PAUSED_NOTICE) or seat.stopped

    def tick(self) -> int:
        """One round over every bound student; returns how many are bound."""
        with self._lock:
            seats = list(self._seats.items())
        for key, seat in seats:
            session = seat.ref()
            try:
                _, view = self.store.student(seat.code, seat.secret)
            except Unavailable:                     # a shared store that does not answer: the next round asks again
                continue
            except RoomError:                       # removed, or the class ended
                view = None
            if view is None or session is None:
                with self._lock:
                    if self._seats.get(key) is seat:
                        del self._seats[key]
                continue
            try:
                self._tell_run(seat, session)
                self._hold(seat, session, view.controls.paused)
                self._publish(seat, session)
            except Exception as err:  # noqa: BLE001 - one student's trouble stays theirs
                log_limited("seat", "room seats: one student's state could not be published", err)
        self.feed.sweep()
        return len(seats)

    def _tell_run(self, seat: _Seat, session) -> None:
        """The seat learns, with the student's own secret, the run store's key of their run (once a
        page: a reload, or another browser, brings another)."""
        run_key = self.keeper.run_key(session)
        if run_key and run_key != seat.run_key:
            try:
                self.store.set_run(seat.code, seat.secret, run_key)
            except Unavailable:
                return                              # the next round tells it again
            seat.run_key = run_key

    def _hold(self, seat: _Seat, session, paused: bool) -> None:
        """The class's hold as just read: pause a running student; at the release, tell each student
        this hold stopped (unless they did something since: then their page says that)."""
        was, seat.held = seat.held, paused
        if paused:
            seat.stopped = self._pause(session, PAUSED_NOTICE) or seat.stopped
        elif was and seat.stopped:
            seat.stopped = False
            if session.notice == PAUSED_NOTICE:
                self._pause(session, RELEASED_NOTICE, running_too=False)

    @staticmethod
    def _pause(session, notice: str, running_too: bool = True) -> bool:
        """The documented exception (module docstring): the teacher pauses this student's run (or,
        ``running_too`` False, only tells a paused one ``notice``). True if the session was told."""
        run = session.run
        if run is None:
            return False
        with run.lock:
            if (session.running or session.play_waiting) != running_too:
                return False
            session.pause(notice)
        session.send_json(session.status(None))
        return True

    def _publish(self, seat: _Seat, session) -> None:
        run = session.run
        if run is None:
            return
        with run.lock:
            key = (run, run.version, bool(session.running))
            if seat.sent is not None and seat.sent[0] is run and seat.sent[1:] == key[1:]:
                return
            if seat.cfg[0] is not run.cfg:
                seat.cfg = (run.cfg, setup_link(run.cfg))
            if seat.data[0] is not run.data or seat.data[1] is not run.cfg:
                dkey = data_key(seat.cfg[1], data_digest(run.data))
                if dkey != seat.data[2]:
                    self.feed.publish_data(seat.code, dkey, data_entry(run.data))
                seat.data = (run.data, run.cfg, dkey)
            layers, h = run.net.layers, run.trainer.history
            with np.errstate(over="ignore", invalid="ignore"):
                weights = np.concatenate([layer.Wb.ravel() for layer in layers])
            thumb = Thumb(seat.sid, int(run.epoch), bool(session.running),
                          (int(layers[0].W.shape[1]),) + tuple(int(layer.size) for layer in layers),
                          tuple(layer.activation.name for layer in layers), seat.data[2],
                          grid_wire.thumbnail_weights(weights), _last(h.accuracy),
                          _last(h.test_accuracy, bool(h.test_cost)), _last(h.cost), int(weights.size),
                          seat.cfg[1], run.message)
            seat.sent = key
        self.feed.publish(seat.code, thumb)
        self.published += 1


SEATS = Seats()
