"""The class gallery's feed: each student's latest network state, published and read by class.

A publish/subscribe stream that keeps the latest value per student (a student's newer state
replaces the older one: the projector wants what each network looks like now, not a log).
Students' pages publish (``room_seats``, at most ``room_seats.PUBLISH_HZ`` a second each);
the projector's socket (``gallery_session``) and the teacher's results read, each after its
own key was checked by the room store. The feed itself checks no key: it is reached only
through those two.

``RoomFeed`` is the interface; ``MemoryRoomFeed`` keeps it in this process. A shared backend
(Redis, issue 19) implements the same verbs: ``publish`` as ``HSET room:CODE:thumbs SID blob``
plus ``PUBLISH room:CODE SID``; ``read`` from a local mirror that a subscriber thread fills for
the classes this process's projectors show (``version`` counts what it received).

A ``Thumb`` is small (float16 weights, a few numbers, the setup's link text); a data set's
points travel once per class and data set (``publish_data``), under a key that names them.
Bounded: at most ``MAX_DATA`` data sets a class (the oldest goes), a class idle for
``IDLE_S`` is dropped (``sweep``), a removed student is forgotten (``forget``).
"""
from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from dataclasses import dataclass, field, replace

MAX_DATA = 16                 # data sets kept per class (students who change their data make new ones)
IDLE_S = 3 * 3600.0           # as a class (rooms.store.EXPIRY_S): nothing published for this long


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
    version: int = 0              # set by the feed: the class's version when it was published


@dataclass
class _Class:
    version: int = 0
    thumbs: dict = field(default_factory=dict)              # student_id -> Thumb
    data: OrderedDict = field(default_factory=OrderedDict)  # key -> entry (a JSON-able dict)
    active: float = 0.0


class RoomFeed(ABC):
    @abstractmethod
    def publish(self, code: str, thumb: Thumb) -> int:
        """A student's latest state; returns the class's new version."""

    @abstractmethod
    def publish_data(self, code: str, key: str, entry: dict) -> None:
        """A data set the class's thumbnails are drawn over (points, features, grid), once per key."""

    @abstractmethod
    def version(self, code: str) -> int:
        """How many states the class has published (0: none)."""

    @abstractmethod
    def read(self, code: str, since: int) -> tuple[int, list[Thumb]]:
        """The class's version and every student's latest state published after ``since``."""

    @abstractmethod
    def data(self, code: str, key: str) -> dict | None:
        """The data set ``key`` of the class, or None if it is not (or no longer) kept."""

    @abstractmethod
    def forget(self, code: str, student_id: str) -> None:
        """A removed student: their state goes."""

    @abstractmethod
    def sweep(self) -> int:
        """Drop the classes idle for ``IDLE_S``; returns how many went."""


class MemoryRoomFeed(RoomFeed):
    """The feed in this process: one lock, a dict per class (see the module docstring)."""

    def __init__(self, clock=time.monotonic, idle_s: float = IDLE_S):
        self.clock, self.idle_s = clock, idle_s
        self._lock = threading.Lock()
        self._classes: dict[str, _Class] = {}

    def _class(self, code: str) -> _Class:
        c = self._classes.get(code)
        if c is None:
            c = self._classes[code] = _Class()
        c.active = self.clock()
        return c

    def publish(self, code: str, thumb: Thumb) -> int:
        with self._lock:
            c = self._class(code)
            c.version += 1
            c.thumbs[thumb.student_id] = replace(thumb, version=c.version)
            return c.version

    def publish_data(self, code: str, key: str, entry: dict) -> None:
        with self._lock:
            c = self._class(code)
            c.data[key] = entry
            c.data.move_to_end(key)
            while len(c.data) > MAX_DATA:
                c.data.popitem(last=False)

    def version(self, code: str) -> int:
        c = self._classes.get(code)           # (an int read: no lock needed)
        return c.version if c is not None else 0

    def read(self, code: str, since: int) -> tuple[int, list[Thumb]]:
        with self._lock:
            c = self._classes.get(code)
            if c is None:
                return 0, []
            return c.version, [t for t in c.thumbs.values() if t.version > since]

    def data(self, code: str, key: str) -> dict | None:
        with self._lock:
            c = self._classes.get(code)
            return None if c is None else c.data.get(key)

    def forget(self, code: str, student_id: str) -> None:
        with self._lock:
            c = self._classes.get(code)
            if c is not None and c.thumbs.pop(student_id, None) is not None:
                c.version += 1

    def sweep(self) -> int:
        with self._lock:
            now = self.clock()
            old = [code for code, c in self._classes.items() if now - c.active >= self.idle_s]
            for code in old:
                del self._classes[code]
            return len(old)


FEED: RoomFeed = MemoryRoomFeed()
