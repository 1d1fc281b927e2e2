"""The run store this server process uses, chosen once, here and only here (as
``explorer.rooms.server`` chooses the class store, from the same variable):

- without ``REDIS_URL``: the in-process ``MemoryRunStore`` (``streamlit run app.py`` needs
  nothing else);
- with ``REDIS_URL`` (``redis://HOST:PORT/DB``): a ``RedisRunStore`` every replica shares, so a
  learner's next page finds their run on whichever replica serves it;
- a ``REDIS_URL`` that is not a Redis address: one log line, and runs are not kept
  (``OffRunStore``: every call refuses with ``RunStoreError``; the explorer works, unsaved).

``RUNS`` is made on first import; the live channel's keeper reads and writes it
(``explorer.live.channel.run_keeper``). ``run_store_base`` holds the interface and its bounds.
"""
from __future__ import annotations

import logging
import os

from explorer.training.run_store_base import RunStore, RunStoreError
from explorer.training.run_store_memory import MemoryRunStore
from explorer.training.run_store_redis import RedisRunStore

log = logging.getLogger("explorer.training")
MISCONFIGURED = "REDIS_URL is not a Redis address, so runs are not kept on this server"


class OffRunStore(RunStore):
    """Runs are not kept: every call refuses with ``why``."""

    def __init__(self, why: str):
        self.why = why

    def save(self, secret: str, checkpoint: dict) -> int:
        raise RunStoreError(self.why)

    def load(self, secret: str) -> dict | None:
        raise RunStoreError(self.why)

    def load_keys(self, keys: list[str]) -> dict[str, dict]:
        raise RunStoreError(self.why)

    def forget(self, secret: str) -> None:
        raise RunStoreError(self.why)

    def __len__(self) -> int:
        return 0


def store_for(url: str | None) -> RunStore:
    """The backend ``REDIS_URL`` = ``url`` names (empty or None: in-process); never raises."""
    if not url:
        return MemoryRunStore()
    try:
        return RedisRunStore(url)
    except ValueError as err:
        log.error("REDIS_URL is not a Redis address (%s): runs are not kept on this server", err)
        return OffRunStore(MISCONFIGURED)


RUNS: RunStore = store_for(os.environ.get("REDIS_URL", "").strip())
