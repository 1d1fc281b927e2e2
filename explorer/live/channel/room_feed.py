"""The class gallery's feed this process uses (``FEED``), and the in-process one.

``MemoryRoomFeed`` keeps every class's latest states in this process: the default, so
``streamlit run app.py`` needs nothing else. With ``REDIS_URL`` (``explorer.rooms.server``)
``FEED`` is a ``redis_feed.RedisRoomFeed`` on the room store's Redis instead, so that a
projector on one replica shows students training on another. What a feed carries and its
verbs: ``feed_interface`` (``Thumb``, ``RoomFeed``, read here by the modules that use ``FEED``).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace

from explorer.live.channel.feed_interface import IDLE_S, MAX_DATA, RoomFeed, Thumb
from explorer.live.channel.redis_feed import RedisRoomFeed
from explorer.rooms.server import REDIS

__all__ = ["FEED", "IDLE_S", "MAX_DATA", "MemoryRoomFeed", "RoomFeed", "Thumb"]


@dataclass
class _Class:
    version: int = 0
    thumbs: dict = field(default_factory=dict)              # student_id -> Thumb
    data: OrderedDict = field(default_factory=OrderedDict)  # key -> entry (a JSON-able dict)
    active: float = 0.0


class MemoryRoomFeed(RoomFeed):
    """The feed in this process: one lock, a dict per class; ``sweep`` drops a class idle for ``idle_s``."""

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


FEED: RoomFeed = MemoryRoomFeed() if REDIS is None else RedisRoomFeed(REDIS)
