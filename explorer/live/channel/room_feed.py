"""The class gallery's feed this process uses (``FEED``), and the in-process one.

``MemoryRoomFeed`` relays every class's published states to the readers subscribed in this
process: the default, so ``streamlit run app.py`` needs nothing else. With ``REDIS_URL``
(``explorer.rooms.server``) ``FEED`` is a ``redis_feed.RedisRoomFeed`` on the room store's Redis
instead, so that a projector on one replica shows students training on another. What a feed
carries, its verbs and what it keeps: ``feed_interface`` (``Thumb``, ``Subscription``,
``RoomFeed``, read here by the modules that use ``FEED``).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from explorer.live.channel.feed_interface import IDLE_S, MAX_DATA, SUB_IDLE_S, RoomFeed, Subscription, Thumb
from explorer.live.channel.redis_feed import RedisRoomFeed
from explorer.rooms.server import REDIS

__all__ = ["FEED", "IDLE_S", "MAX_DATA", "MemoryRoomFeed", "RoomFeed", "Subscription", "Thumb"]


@dataclass
class _Class:
    subs: list = field(default_factory=list)                # the readers subscribed now
    data: OrderedDict = field(default_factory=OrderedDict)  # key -> entry (a JSON-able dict)
    active: float = 0.0


class MemoryRoomFeed(RoomFeed):
    """The feed in this process: one lock, a record per class (its subscriptions and data sets);
    ``sweep`` drops subscriptions idle for ``sub_idle_s`` and a class idle for ``idle_s``."""

    def __init__(self, clock=time.monotonic, idle_s: float = IDLE_S, sub_idle_s: float = SUB_IDLE_S):
        self.clock, self.idle_s, self.sub_idle_s = clock, idle_s, sub_idle_s
        self._lock = threading.Lock()
        self._classes: dict[str, _Class] = {}

    def _class(self, code: str) -> _Class:
        c = self._classes.get(code)
        if c is None:
            c = self._classes[code] = _Class()
        c.active = self.clock()
        return c

    def publish(self, code: str, thumb: Thumb) -> None:
        with self._lock:
            c = self._classes.get(code)
            if c is None:
                return                        # nobody reads it and no data set: nothing to keep
            c.active = self.clock()
            subs = list(c.subs)
        for sub in subs:
            sub.put(thumb)

    def publish_data(self, code: str, key: str, entry: dict) -> None:
        with self._lock:
            c = self._class(code)
            c.data[key] = entry
            c.data.move_to_end(key)
            while len(c.data) > MAX_DATA:
                c.data.popitem(last=False)

    def subscribe(self, code: str) -> Subscription:
        sub = Subscription(code, self.clock)
        with self._lock:
            self._class(code).subs.append(sub)
        return sub

    def data(self, code: str, key: str) -> dict | None:
        with self._lock:
            c = self._classes.get(code)
            return None if c is None else c.data.get(key)

    def sweep(self) -> int:
        with self._lock:
            now = self.clock()
            for c in self._classes.values():
                for sub in [sub for sub in c.subs if sub.idle(now, self.sub_idle_s)]:
                    sub.drop()
                    c.subs.remove(sub)
            old = [code for code, c in self._classes.items() if now - c.active >= self.idle_s and not c.subs]
            for code in old:
                del self._classes[code]
            return len(old)


FEED: RoomFeed = MemoryRoomFeed() if REDIS is None else RedisRoomFeed(REDIS)
