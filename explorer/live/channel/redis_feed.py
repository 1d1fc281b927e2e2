"""``RedisRoomFeed``: the class gallery's feed through one Redis, shared by every replica.

A student's replica publishes (``room_seats``); a projector's replica relays each state to its
subscribed readers (``gallery_session``). Redis keeps no state of any student: a publication is
one PUBLISH on the class's channel, which Redis hands to the replicas listening at that moment
and forgets. Where a student's run is kept is the run store (``run_store_redis``, on the same
Redis): a projector builds its picture of the class from it. In Redis, for class CODE (prefix P):

    channel P:feed:CODE  "<thumb>" for each publication (as ``thumb_codec`` writes it: JSON and
                         its float16 weights as they are, never a pickle)
    P:feed:CODE:data     hash: data key -> JSON entry (at most MAX_DATA: :dorder and :dn keep their
                         order; the three expire ``idle_s`` after the class's last data set)

One listener thread a process subscribes to the channels of the classes read here (a class's
channel from its first ``subscribe`` until its last subscription is closed or idle for
``sub_idle_s``) and hands each message to the class's subscriptions (``feed_interface``). A
subscription made here gets what is published once the listener's SUBSCRIBE is through (at most
``POLL_S`` later: its reader reads the run store after subscribing, so the gap is covered by the
checkpoints). When the connection to Redis breaks, what was published meanwhile is gone: the
client subscribes again by itself, and every subscription of those channels is marked ``lost``, so
its reader reads the run store again.
"""
from __future__ import annotations

import json
import threading
import time

import redis

from explorer.live.channel.feed_interface import IDLE_S, MAX_DATA, SUB_IDLE_S, RoomFeed, Subscription, Thumb
from explorer.live.channel.guard import log_limited
from explorer.live.channel.thumb_codec import decode, encode

POLL_S = 0.2                 # the listener takes up new subscriptions at least this often
RETRY_S = 1.0                # after Redis failed, the listener tries again after this long
SWEEP_EVERY_S = 10.0         # the listener drops idle subscriptions this often

_DATA = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
while redis.call('ZCARD', KEYS[2]) > tonumber(ARGV[4]) do
  redis.call('HDEL', KEYS[1], redis.call('ZPOPMIN', KEYS[2])[1])
end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
return 0
"""


class RedisRoomFeed(RoomFeed):
    """See the module docstring. ``client``: a ``redis.Redis`` (bytes replies)."""

    def __init__(self, client: redis.Redis, prefix: str = "bpx", idle_s: float = IDLE_S,
                 sub_idle_s: float = SUB_IDLE_S):
        self.client, self.prefix, self.sub_idle_s = client, prefix, sub_idle_s
        self.ttl_ms = int(idle_s * 1000)
        self._data = client.register_script(_DATA)
        self._lock = threading.Lock()
        self._subs: dict[str, list[Subscription]] = {}      # channel -> subscriptions (under the lock)
        self._have: set[str] = set()          # channels listened to (the listener's own)
        self._confirmed: set[str] = set()     # channels whose SUBSCRIBE went through (the listener's own)
        self._pubsub = client.pubsub()
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None
        self.relayed = 0                      # states handed to subscriptions (tests, the benchmark)

    def _key(self, code: str, part: str) -> str:
        return f"{self.prefix}:feed:{code}:{part}"

    def _channel(self, code: str) -> str:
        return f"{self.prefix}:feed:{code}"

    # ---- writers (a student's replica) ----------------------------------------------------------
    def publish(self, code: str, thumb: Thumb) -> None:
        self.client.publish(self._channel(code), encode(thumb))

    def publish_data(self, code: str, key: str, entry: dict) -> None:
        self._data(keys=[self._key(code, "data"), self._key(code, "dorder"), self._key(code, "dn")],
                   args=[key, json.dumps(entry, separators=(",", ":"), allow_nan=False), self.ttl_ms, MAX_DATA])

    # ---- readers (a projector's replica) ----------------------------------------------------------
    def subscribe(self, code: str) -> Subscription:
        sub = Subscription(code)
        with self._lock:
            self._subs.setdefault(self._channel(code), []).append(sub)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._listen, name="room-feed", daemon=True)
                self._thread.start()
        self._wake.set()
        return sub

    def data(self, code: str, key: str) -> dict | None:
        try:
            raw = self.client.hget(self._key(code, "data"), key)
        except redis.RedisError as err:
            log_limited("feed", "room feed: Redis does not answer; the gallery waits for it", err)
            return None
        return None if raw is None else json.loads(raw)

    def sweep(self) -> int:
        """Drop the subscriptions idle for ``sub_idle_s`` (Redis expires the data sets itself)."""
        now = time.monotonic()
        with self._lock:
            for channel, subs in list(self._subs.items()):
                for sub in [sub for sub in subs if sub.idle(now, self.sub_idle_s)]:
                    sub.drop()
                    subs.remove(sub)
                if not subs:
                    del self._subs[channel]
        self._wake.set()
        return 0

    # ---- the listener thread ----------------------------------------------------------------------
    def _listen(self) -> None:
        swept = time.monotonic()
        while not self._stop.is_set():
            try:
                with self._lock:
                    want = set(self._subs)
                if want - self._have:
                    self._pubsub.subscribe(*(want - self._have))
                    self._have |= want
                if self._have - want:
                    self._pubsub.unsubscribe(*(self._have - want))
                    self._have &= want
                    self._confirmed &= want
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
        channel = msg["channel"].decode()
        if msg["type"] == "subscribe":
            if channel in self._confirmed:    # again: the connection broke, what was sent meanwhile is gone
                with self._lock:
                    for sub in self._subs.get(channel, ()):
                        sub.drop()
            self._confirmed.add(channel)
            return
        if msg["type"] != "message":
            return
        try:
            thumb = decode(msg["data"])
        except (ValueError, KeyError, TypeError) as err:
            log_limited("feed-bad", "room feed: a message does not read; skipped", err)
            return
        with self._lock:
            subs = list(self._subs.get(channel, ()))
        for sub in subs:
            sub.put(thumb)
        self.relayed += len(subs)

    def close(self) -> None:
        """Stop the listener (tests; a server's feed lives as long as its process)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5)
