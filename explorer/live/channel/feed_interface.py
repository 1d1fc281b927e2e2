"""What a class's gallery feed carries (``Thumb``) and its verbs (``RoomFeed``), whichever keeps it.

A publish/subscribe stream that keeps the latest value per student (a student's newer state
replaces the older one: the projector wants what each network looks like now, not a log).
Students' pages publish (``room_seats``, at most ``room_seats.PUBLISH_HZ`` a second each);
the projector's socket (``gallery_session``) and the teacher's results read, each after its
own key was checked by the room store. A feed itself checks no key: it is reached only
through those two.

Two feeds implement it: ``room_feed.MemoryRoomFeed`` in this process (the default) and
``redis_feed.RedisRoomFeed`` through Redis pub/sub, for replicas (``REDIS_URL``);
``room_feed.FEED`` is the one this process uses.

A ``Thumb`` is small (float16 weights, a few numbers, the setup's link text); a data set's
points travel once per class and data set (``publish_data``), under a key that names them.
Bounded: at most ``MAX_DATA`` data sets a class (the oldest goes), a class idle for
``IDLE_S`` is dropped, a removed student is forgotten (``forget``).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

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


class RoomFeed(ABC):
    """The verbs of a class's gallery feed (see the module docstring)."""

    @abstractmethod
    def publish(self, code: str, thumb: Thumb) -> int:
        """A student's latest state; returns the class's new version (as ``read`` counts it here)."""

    @abstractmethod
    def publish_data(self, code: str, key: str, entry: dict) -> None:
        """A data set the class's thumbnails are drawn over (points, features, grid), once per key."""

    @abstractmethod
    def version(self, code: str) -> int:
        """The class's version: it grows with every state published or student forgotten that this
        process has seen (0: none). Versions are compared only with the same feed's."""

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
