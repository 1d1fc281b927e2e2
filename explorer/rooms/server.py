"""The room store this server process uses, chosen once, here and only here; the pages ask for ``STORE``.

- Without ``REDIS_URL``: one ``MemoryRoomStore`` in this process (``streamlit run app.py`` needs
  nothing else).
- With ``REDIS_URL`` (``redis://HOST:PORT/DB``; compose and the Kubernetes manifests set it on every
  replica): a ``RedisRoomStore`` that every replica shares. ``REDIS`` is its client; the gallery's
  feed (``explorer.live.channel.room_feed``) uses the same one.

A ``REDIS_URL`` that is not a Redis address logs one line and classes refuse with a sentence that
says so (``OffStore``), while the rest of the explorer works; a Redis that does not answer yet logs
one line, and classes work as soon as it answers (each verb until then refuses with ``Unavailable``).
"""
from __future__ import annotations

import logging
import os

import redis

from explorer.rooms.memory_store import MemoryRoomStore
from explorer.rooms.messages import MISCONFIGURED
from explorer.rooms.redis_store import RedisRoomStore
from explorer.rooms.store import RoomStore, Unavailable

CONNECT_S = 1.0               # a Redis that does not accept a connection within this is down
ANSWER_S = 2.0                # a verb is one round trip (under a millisecond on a LAN): 2 s is trouble

log = logging.getLogger("explorer.rooms")


class OffStore(RoomStore):
    """Classes are off: every verb refuses with ``why`` (a misconfigured ``REDIS_URL``)."""

    def __init__(self, why: str):
        self.why = why

    def _refuse(self, *args, **kwargs):
        raise Unavailable(self.why)

    create = teacher = recover = projector = check = join = student = set_run = _refuse
    rename = remove = push_task = control = close = expire = _refuse


def where(client: redis.Redis) -> str:
    """A client's Redis as host:port/db (never the URL's password)."""
    kw = client.connection_pool.connection_kwargs
    return f"{kw.get('host', kw.get('path', '?'))}:{kw.get('port', '')}/{kw.get('db', 0)}"


def choose(url: str | None) -> tuple[redis.Redis | None, RoomStore]:
    """(the Redis client or None, the store) for ``REDIS_URL`` = ``url``; never raises."""
    if not url:
        return None, MemoryRoomStore()
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_S, socket_timeout=ANSWER_S)
    except ValueError as err:
        log.error("REDIS_URL is not a Redis address (%s): classes are off on this server", err)
        return None, OffStore(MISCONFIGURED)
    try:
        client.ping()
    except redis.RedisError as err:
        log.error("REDIS_URL: Redis at %s does not answer (%s); classes refuse until it does", where(client), err)
    return client, RedisRoomStore(client)


REDIS, STORE = choose(os.environ.get("REDIS_URL"))
