"""``RedisRunStore``: the run store shared by every replica, in Redis (issue 19).

Chosen by ``REDIS_URL`` (``explorer.training.run_store``). A checkpoint is one string key,
``bpx:run:<digest of the browser secret>`` (``run_store_base.key_of``: never the secret),
written with ``SET ... PX ttl`` so Redis drops it ``ttl_s`` after its last save. A sorted set,
``bpx:runs`` (member: the digest, score: when it was saved), bounds the entries: past
``max_entries`` the least recently saved are deleted, and members older than the TTL leave it.
So a replica that dies loses nothing saved: the learner's next page, on any replica, loads it.

Every call has a 2 s socket timeout; a Redis that is down or slow raises ``RunStoreError``
(the live channel's keeper logs one line and the learner trains on unsaved), never hangs a
training thread (the keeper saves from its own thread).
"""
from __future__ import annotations

import time

import redis

from explorer.training.run_store_base import (MAX_CHECKPOINT_BYTES, MAX_ENTRIES, TTL_S, RunStore, RunStoreError,
                                              decode, encode, key_of, valid_keys)

TIMEOUT_S = 2.0
PREFIX = "bpx:"


class RedisRunStore(RunStore):
    def __init__(self, url: str, ttl_s: float = TTL_S, max_entries: int = MAX_ENTRIES,
                 max_bytes: int = MAX_CHECKPOINT_BYTES, prefix: str = PREFIX):
        self.ttl_s, self.max_entries, self.max_bytes = ttl_s, max_entries, max_bytes
        self._index = prefix + "runs"
        self._run = prefix + "run:"
        # ValueError here: ``url`` is not a Redis address (``run_store.store_for`` says so and keeps nothing)
        self.client = redis.Redis.from_url(url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S)

    def save(self, secret: str, checkpoint: dict) -> int:
        key = key_of(secret)
        text = encode(checkpoint, self.max_bytes)
        now = time.time()
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.set(self._run + key, text, px=max(1, int(self.ttl_s * 1000)))
            pipe.zadd(self._index, {key: now})
            pipe.zremrangebyscore(self._index, "-inf", now - self.ttl_s)
            pipe.zcard(self._index)
            excess = pipe.execute()[-1] - self.max_entries
            if excess > 0:
                gone = [m.decode("ascii") for m, _ in self.client.zpopmin(self._index, excess)]
                if gone:
                    self.client.delete(*(self._run + k for k in gone))
        except redis.RedisError as err:
            raise RunStoreError(f"Redis could not keep the run: {err}") from None
        return len(text)

    def load(self, secret: str) -> dict | None:
        key = key_of(secret)
        try:
            text = self.client.get(self._run + key)
        except redis.RedisError as err:
            raise RunStoreError(f"Redis could not read the run: {err}") from None
        return None if text is None else decode(text)

    def load_keys(self, keys: list[str]) -> dict[str, dict]:
        keys = valid_keys(keys)
        if not keys:
            return {}
        try:
            texts = self.client.mget([self._run + k for k in keys])      # one round trip for a class
        except redis.RedisError as err:
            raise RunStoreError(f"Redis could not read the runs: {err}") from None
        return {k: decode(text) for k, text in zip(keys, texts) if text is not None}

    def forget(self, secret: str) -> None:
        key = key_of(secret)
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.delete(self._run + key)
            pipe.zrem(self._index, key)
            pipe.execute()
        except redis.RedisError as err:
            raise RunStoreError(f"Redis could not forget the run: {err}") from None

    def __len__(self) -> int:
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.zremrangebyscore(self._index, "-inf", time.time() - self.ttl_s)
            pipe.zcard(self._index)
            return int(pipe.execute()[-1])
        except redis.RedisError as err:
            raise RunStoreError(f"Redis could not count the runs: {err}") from None
