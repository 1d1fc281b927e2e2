"""``RedisRoomFeed``: the class gallery's feed through one Redis, shared by every replica.

A student's replica publishes (``room_seats``); a projector's or teacher's replica reads
(``gallery_session``, the results CSV). In Redis, for class CODE (prefix P; every key expires
``idle_s`` after the class's last publication):

    P:feed:CODE:thumbs   hash: student_id -> "<v> <thumb>" (each student's latest state)
    P:feed:CODE:v        the class's counter: each publication or forgotten student takes the next;
                         it starts from Redis's clock in microseconds, so it never goes back, even
                         when Redis lost the class (restarted without saving, or its keys expired)
    P:feed:CODE:data     hash: data key -> JSON entry (at most MAX_DATA: :dorder and :dn keep their order)
    channel P:feed:CODE  "T<v> <thumb>" for each publication, "F<v> <student_id>" for each forgotten one

A publication is one Lua script (HSET, the counter and PUBLISH at once: the channel's order is
the counter's). A thumb travels as ``thumb_codec`` writes it: JSON and its float16 weights as
they are, never a pickle.

A process reads from its own mirror of each class it reads. The first ``read`` or ``version``
of a class loads it from the hash and asks the one listener thread to subscribe; the listener
applies each message, and loads the class again whenever a subscription is confirmed, so nothing
published before the subscription, or while Redis was away (the client re-subscribes), is
missed. Loads and messages may arrive in any order: a student's state carries the counter it
was published under and only a newer one replaces it. The versions readers get are the mirror's
own (a count of the changes it applied), so ``read(code, since)`` never skips a state that
arrived late. A class not read for ``mirror_idle_s`` is unsubscribed and forgotten here
(``sweep``, which the listener also runs).
"""
from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from dataclasses import replace

import redis

from explorer.live.channel.feed_interface import IDLE_S, MAX_DATA, RoomFeed, Thumb
from explorer.live.channel.guard import log_limited
from explorer.live.channel.thumb_codec import decode, encode

POLL_S = 0.2                 # the listener takes up new subscriptions at least this often
RETRY_S = 1.0                # after Redis failed, the listener tries again after this long
SWEEP_EVERY_S = 10.0         # the listener forgets classes nobody here reads this often
MIRROR_IDLE_S = 120.0        # a class nobody here read for this long (a projector reads twice a second)

_COUNTER = """
if redis.call('EXISTS', KEYS[2]) == 0 then
  local t = redis.call('TIME')
  redis.call('SET', KEYS[2], t[1] * 1000000 + t[2])
end
local v = string.format('%.0f', redis.call('INCR', KEYS[2]))   -- (a Lua number prints as 1.7e+15)
"""
_PUBLISH = _COUNTER + """
redis.call('HSET', KEYS[1], ARGV[1], v .. ' ' .. ARGV[2])
redis.call('PUBLISH', ARGV[3], 'T' .. v .. ' ' .. ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return v
"""
_FORGET = """
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
""" + _COUNTER + """redis.call('PUBLISH', ARGV[2], 'F' .. v .. ' ' .. ARGV[1])
return v
"""
_DATA = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
while redis.call('ZCARD', KEYS[2]) > tonumber(ARGV[4]) do
  redis.call('HDEL', KEYS[1], redis.call('ZPOPMIN', KEYS[2])[1])
end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
return 0
"""


class _Mirror:
    """One class as this process read it (under the feed's lock). ``remote``: per student, the
    counter of the newest state (or forgetting) applied; ``local``: the versions readers get."""

    def __init__(self, now: float):
        self.local = 0
        self.thumbs: dict[str, Thumb] = {}
        self.remote: dict[str, int] = {}
        self.data: OrderedDict[str, dict] = OrderedDict()
        self.read_at = now

    def put(self, v: int, thumb: Thumb) -> None:
        if v > self.remote.get(thumb.student_id, 0):
            self.remote[thumb.student_id] = v
            self.local += 1
            self.thumbs[thumb.student_id] = replace(thumb, version=self.local)

    def drop(self, v: int, sid: str) -> None:
        if v > self.remote.get(sid, 0):
            self.remote[sid] = v
            if self.thumbs.pop(sid, None) is not None:
                self.local += 1

    def load(self, v: int, states: dict[str, tuple[int, Thumb]]) -> None:
        """The class as it was at counter ``v``: a student missing from it was forgotten by then."""
        for sid in [s for s in self.thumbs if s not in states and self.remote.get(s, 0) <= v]:
            del self.thumbs[sid]
            self.remote[sid] = v
            self.local += 1
        for w, thumb in states.values():
            self.put(w, thumb)


class RedisRoomFeed(RoomFeed):
    """See the module docstring. ``client``: a ``redis.Redis`` (bytes replies)."""

    def __init__(self, client: redis.Redis, prefix: str = "bpx", idle_s: float = IDLE_S,
                 mirror_idle_s: float = MIRROR_IDLE_S):
        self.client, self.prefix, self.mirror_idle_s = client, prefix, mirror_idle_s
        self.ttl_ms = int(idle_s * 1000)
        self._publish, self._forget, self._data = (client.register_script(s) for s in (_PUBLISH, _FORGET, _DATA))
        self._lock = threading.Lock()
        self._mirrors: dict[str, _Mirror] = {}
        self._want: set[str] = set()          # channels to listen to (any thread, under the lock)
        self._have: set[str] = set()          # channels listened to (the listener's own)
        self._pubsub = client.pubsub()
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    def _key(self, code: str, part: str) -> str:
        return f"{self.prefix}:feed:{code}:{part}"

    def _channel(self, code: str) -> str:
        return f"{self.prefix}:feed:{code}"

    # ---- writers (a student's replica) ----------------------------------------------------------
    def publish(self, code: str, thumb: Thumb) -> int:
        """Returns the mirror's version if this process reads the class, else the shared counter."""
        v = int(self._publish(keys=[self._key(code, "thumbs"), self._key(code, "v")],
                              args=[thumb.student_id, encode(thumb), self._channel(code), self.ttl_ms]))
        with self._lock:
            m = self._mirrors.get(code)
            if m is None:
                return v
            m.put(v, thumb)
            return m.local

    def publish_data(self, code: str, key: str, entry: dict) -> None:
        self._data(keys=[self._key(code, "data"), self._key(code, "dorder"), self._key(code, "dn")],
                   args=[key, json.dumps(entry, separators=(",", ":"), allow_nan=False), self.ttl_ms, MAX_DATA])

    def forget(self, code: str, student_id: str) -> None:
        v = int(self._forget(keys=[self._key(code, "thumbs"), self._key(code, "v")],
                             args=[student_id, self._channel(code)]))
        with self._lock:
            m = self._mirrors.get(code)
            if v and m is not None:
                m.drop(v, student_id)

    # ---- readers (a projector's or teacher's replica) -------------------------------------------
    def _mirror(self, code: str) -> _Mirror:
        with self._lock:
            m = self._mirrors.get(code)
            if m is not None:
                m.read_at = time.monotonic()
                return m
            m = self._mirrors[code] = _Mirror(time.monotonic())
            self._want.add(self._channel(code))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._listen, name="room-feed", daemon=True)
                self._thread.start()
        self._wake.set()
        self._load(code)
        return m

    def _load(self, code: str) -> None:
        try:
            with self.client.pipeline(transaction=True) as pipe:
                states, v = pipe.hgetall(self._key(code, "thumbs")).get(self._key(code, "v")).execute()
        except redis.RedisError as err:
            log_limited("feed", "room feed: Redis does not answer; the gallery waits for it", err)
            return
        parsed = {}
        for sid, value in states.items():
            w, _, blob = value.partition(b" ")
            try:
                parsed[sid.decode()] = (int(w), decode(blob))
            except (ValueError, KeyError, TypeError) as err:
                log_limited("feed-bad", "room feed: a stored state does not read; skipped", err)
        with self._lock:
            m = self._mirrors.get(code)
            if m is not None:
                m.load(int(v or 0), parsed)

    def version(self, code: str) -> int:
        return self._mirror(code).local

    def read(self, code: str, since: int) -> tuple[int, list[Thumb]]:
        m = self._mirror(code)
        with self._lock:
            return m.local, [t for t in m.thumbs.values() if t.version > since]

    def data(self, code: str, key: str) -> dict | None:
        with self._lock:
            m = self._mirrors.get(code)
            if m is not None and key in m.data:
                return m.data[key]
        try:
            raw = self.client.hget(self._key(code, "data"), key)
        except redis.RedisError as err:
            log_limited("feed", "room feed: Redis does not answer; the gallery waits for it", err)
            return None
        entry = None if raw is None else json.loads(raw)
        with self._lock:
            if entry is not None and m is not None:
                m.data[key] = entry
                while len(m.data) > MAX_DATA:
                    m.data.popitem(last=False)
        return entry

    def sweep(self) -> int:
        """Forget the classes nobody here read for ``mirror_idle_s`` (Redis expires the shared state)."""
        now = time.monotonic()
        with self._lock:
            old = [code for code, m in self._mirrors.items() if now - m.read_at >= self.mirror_idle_s]
            for code in old:
                del self._mirrors[code]
                self._want.discard(self._channel(code))
        if old:
            self._wake.set()
        return len(old)

    # ---- the listener thread ----------------------------------------------------------------------
    def _listen(self) -> None:
        swept = time.monotonic()
        while not self._stop.is_set():
            try:
                with self._lock:
                    want = set(self._want)
                if want - self._have:
                    self._pubsub.subscribe(*(want - self._have))
                    self._have |= want
                if self._have - want:
                    self._pubsub.unsubscribe(*(self._have - want))
                    self._have &= want
                if self._have:
                    msg = self._pubsub.get_message(timeout=POLL_S)
                    if msg is not None:
                        self._on(msg)
                else:
                    self._wake.wait(SWEEP_EVERY_S)
                    self._wake.clear()
            except (redis.RedisError, OSError) as err:
                log_limited("feed", "room feed: Redis does not answer; the gallery waits for it", err)
                self._stop.wait(RETRY_S)
            except Exception as err:  # noqa: BLE001 - a bug must not stop every class's gallery
                log_limited("feed-bug", "room feed: the listener failed; it goes on", err)
                self._stop.wait(RETRY_S)
            if time.monotonic() - swept >= SWEEP_EVERY_S:
                swept = time.monotonic()
                self.sweep()
        self._pubsub.close()

    def _on(self, msg: dict) -> None:
        code = msg["channel"].decode()[len(self._channel("")):]
        if msg["type"] == "subscribe":
            self._load(code)                  # (again after a reconnection: what was missed meanwhile)
            return
        if msg["type"] != "message":
            return
        data = msg["data"]
        w, _, rest = data[1:].partition(b" ")
        try:
            v = int(w)
            thumb = decode(rest) if data[:1] == b"T" else None
            sid = rest.decode() if data[:1] == b"F" else None
        except (ValueError, KeyError, TypeError) as err:
            log_limited("feed-bad", "room feed: a message does not read; skipped", err)
            return
        with self._lock:
            m = self._mirrors.get(code)
            if m is not None and thumb is not None:
                m.put(v, thumb)
            elif m is not None and sid is not None:
                m.drop(v, sid)

    def close(self) -> None:
        """Stop the listener (tests; a server's feed lives as long as its process)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5)
