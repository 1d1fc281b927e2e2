"""``MemoryRunStore``: the run store that keeps every checkpoint in this server process.

The default: ``streamlit run app.py`` needs nothing else. Bounded memory: at most
``max_entries`` checkpoints (2,000) and ``max_total_bytes`` of their JSON text (64 MB) at once,
each at most ``max_bytes`` (2 MB); saving past a bound drops the least recently saved first,
and an entry unsaved for ``ttl_s`` (3 hours) is dropped when the store is next used. So the
store holds at most 64 MB whatever learners do (about 3,000 default-lesson runs' worth at
~20 kB each; the cap on entries comes first). One lock guards the index; encoding and parsing
happen outside it.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

from explorer.training.run_store_base import (MAX_CHECKPOINT_BYTES, MAX_ENTRIES, TTL_S, RunStore, decode, encode,
                                              key_of, valid_keys)

MAX_TOTAL_BYTES = 64 * 2**20


class MemoryRunStore(RunStore):
    def __init__(self, ttl_s: float = TTL_S, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_CHECKPOINT_BYTES,
                 max_total_bytes: int = MAX_TOTAL_BYTES, clock=time.monotonic):
        self.ttl_s, self.max_entries, self.max_bytes = ttl_s, max_entries, max_bytes
        self.max_total_bytes, self.clock = max_total_bytes, clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, str]] = OrderedDict()   # key -> (expires at, JSON); oldest first
        self.total_bytes = 0

    def save(self, secret: str, checkpoint: dict) -> int:
        key = key_of(secret)
        text = encode(checkpoint, self.max_bytes)
        with self._lock:
            now = self.clock()
            old = self._entries.pop(key, None)
            if old is not None:
                self.total_bytes -= len(old[1])
            self._entries[key] = (now + self.ttl_s, text)
            self.total_bytes += len(text)
            self._sweep(now)
        return len(text)

    def load(self, secret: str) -> dict | None:
        key = key_of(secret)
        with self._lock:
            self._sweep(self.clock())
            entry = self._entries.get(key)
        return None if entry is None else decode(entry[1])

    def load_keys(self, keys: list[str]) -> dict[str, dict]:
        keys = valid_keys(keys)
        with self._lock:
            self._sweep(self.clock())
            texts = {k: self._entries[k][1] for k in keys if k in self._entries}
        return {k: decode(text) for k, text in texts.items()}

    def forget(self, secret: str) -> None:
        key = key_of(secret)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.total_bytes -= len(old[1])

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _sweep(self, now: float) -> None:
        """Drop expired entries and, past a bound, the least recently saved (under the lock).
        Entries are in the order they were saved and share one TTL: the oldest expire first."""
        entries = self._entries
        while entries and (len(entries) > self.max_entries or self.total_bytes > self.max_total_bytes
                           or next(iter(entries.values()))[0] <= now):
            _, (_, text) = entries.popitem(last=False)
            self.total_bytes -= len(text)
