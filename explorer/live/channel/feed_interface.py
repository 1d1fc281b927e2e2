"""What a class's gallery feed carries (``Thumb``) and its verbs (``RoomFeed``), whichever relays it.

A publish/subscribe relay, and no store of runs. Students' pages publish their state
(``room_seats``, at most ``room_seats.PUBLISH_HZ`` a second each); the feed hands each state to
the readers subscribed to the class at that moment (``subscribe``: a projector's
``gallery_session``, after the room store checked its key) and keeps no copy of it. Where each
student's run *is* kept is the one run store (``explorer.training.run_store``): the gallery builds
its picture of the class from it (``run_thumbs``), and the teacher's results read it too; the feed
only carries what changed since.

A ``Subscription`` is the relay's buffer for one reader: the states that arrived since the
reader last took them, at most one per student (a newer state replaces the older one: the
projector wants what each network looks like now, not a log), so at most a class's students'
states (``rooms.store.MAX_STUDENTS``). A subscription not read for ``SUB_IDLE_S`` is dropped and
marked ``lost``, as is one whose feed lost states meant for it (Redis went away): its reader
builds its picture from the run store again and subscribes anew.

Two feeds implement it: ``room_feed.MemoryRoomFeed`` in this process (the default) and
``redis_feed.RedisRoomFeed`` through Redis pub/sub, for replicas (``REDIS_URL``);
``room_feed.FEED`` is the one this process uses.

A ``Thumb`` is small (float16 weights, a few numbers, the setup's link text). The data sets the
thumbnails are drawn over are data, not runs: a data set's points travel once per class and data
set (``publish_data``), under a key that names them (``run_thumbs.data_key``), and are kept for
readers that subscribe later. Bounded: at most ``MAX_DATA`` data sets a class (the oldest goes),
a class idle for ``IDLE_S`` is dropped.
"""
from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass

MAX_DATA = 16                 # data sets kept per class (students who change their data make new ones)
IDLE_S = 3 * 3600.0           # as a class (rooms.store.EXPIRY_S): nothing published for this long
SUB_IDLE_S = 30.0             # a subscription not read for this long is dropped (a projector reads twice a second)


@dataclass(frozen=True)
class Thumb:
    """One student's network as the gallery draws it. ``sizes`` [S_0, ..., S_L]; ``weights``:
    float16 bytes in the live wire's layout; scores are accuracy (R² for regression), NaN when
    there is none (no test set, no epoch yet); ``setup``: the run's settings as a link query
    (data, network and training only: never a class key)."""

    student_id: str
    epoch: int
    running: bool
    sizes: tuple
    activations: tuple
    data: str
    weights: bytes
    score: float
    test_score: float
    cost: float
    n_weights: int
    setup: str
    message: str | None = None


class Subscription:
    """One reader's relay buffer for class ``code`` (see the module docstring). The feed calls
    ``put`` and ``drop``; the reader ``take``s, asks ``waiting``, and ``close``s when done."""

    def __init__(self, code: str, clock=time.monotonic):
        self.code, self.clock = code, clock
        self._lock = threading.Lock()
        self._states: dict[str, Thumb] = {}     # student_id -> the latest state not yet taken
        self.read_at = clock()
        self.lost = False             # states meant for it were dropped: read the run store again
        self.closed = False

    def put(self, thumb: Thumb) -> None:
        with self._lock:
            if not self.closed:
                self._states[thumb.student_id] = thumb

    def drop(self, lost: bool = True) -> None:
        """The feed lets it go (idle, or states were lost): what it held goes."""
        with self._lock:
            self.closed, self.lost = True, self.lost or lost
            self._states.clear()

    def take(self) -> list[Thumb]:
        """The states that arrived since the last ``take`` (the latest per student)."""
        with self._lock:
            self.read_at = self.clock()
            states, self._states = list(self._states.values()), {}
            return states

    def waiting(self) -> bool:
        """Is there anything to take? (Counts as reading: the subscription is kept.)"""
        self.read_at = self.clock()
        return bool(self._states)

    def __len__(self) -> int:
        return len(self._states)

    def close(self) -> None:
        self.drop(lost=False)

    def idle(self, now: float, idle_s: float = SUB_IDLE_S) -> bool:
        return self.closed or now - self.read_at >= idle_s


class RoomFeed(ABC):
    """The verbs of a class's gallery feed (see the module docstring)."""

    @abstractmethod
    def publish(self, code: str, thumb: Thumb) -> None:
        """A student's latest state, to every reader subscribed to class ``code`` now."""

    @abstractmethod
    def publish_data(self, code: str, key: str, entry: dict) -> None:
        """A data set the class's thumbnails are drawn over (points, features, grid), once per key."""

    @abstractmethod
    def subscribe(self, code: str) -> Subscription:
        """A new reader of class ``code``: it gets every state published from now on."""

    @abstractmethod
    def data(self, code: str, key: str) -> dict | None:
        """The data set ``key`` of the class, or None if it is not (or no longer) kept."""

    @abstractmethod
    def sweep(self) -> int:
        """Drop idle subscriptions and the classes idle for ``IDLE_S``; returns how many classes went."""
