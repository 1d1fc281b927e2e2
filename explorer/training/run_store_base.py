"""``RunStore``: where each learner's run is kept between page loads, under their browser secret.

One store of runs for the whole app (issue 18, "one run store"): the live view saves every
learner's run here (``explorer.live.channel.run_keeper``), in or out of a class, and a reload
finds it again. A checkpoint is a JSON-able dict (``explorer.training.run_checkpoint`` makes
and checks it); the store keeps it as JSON text and never interprets it.

**Keys.** A learner's browser secret (``secrets.token_urlsafe(32)``: 43 characters of
A–Z a–z 0–9 - _, 256 bits) is checked here (``check_secret``) and kept only as a digest
(``key_of``): a store's contents, or a dump of a shared backend, never hold a secret.

**Bounds, every backend.** A checkpoint's JSON is at most ``MAX_CHECKPOINT_BYTES``
(``TooLarge`` otherwise); an entry lives ``TTL_S`` after its last save; at most
``MAX_ENTRIES`` entries (the least recently saved go first). Backends may bound more (the
in-process store also bounds its total bytes).

The in-process default is ``run_store_memory.MemoryRunStore``; ``run_store_redis.RedisRunStore``
shares runs between processes. ``explorer.training.run_store`` picks one (``REDIS_URL``); both
pass the same contract tests (``tests/test_run_store.py``).
"""
from __future__ import annotations

import hashlib
import json
import re
from abc import ABC, abstractmethod

from core.model_file import _parse          # JSON only: no NaN, no duplicate fields, nothing evaluated

TTL_S = 3 * 3600                 # as a class (rooms.store.EXPIRY_S): a run unsaved this long is gone
MAX_CHECKPOINT_BYTES = 2_000_000  # the largest network allowed with Adam and its best weights: ~1 MB
MAX_ENTRIES = 2000               # runs kept at once (a server holds ~60 playing learners a core)
SECRET = re.compile(r"[A-Za-z0-9_-]{43}")   # what secrets.token_urlsafe(32) makes
KEY = re.compile(r"[0-9a-f]{32}")           # what key_of makes


class RunStoreError(RuntimeError):
    """A store could not do what was asked (a shared backend is down); ``str`` says why."""


class TooLarge(ValueError):
    """A checkpoint over ``MAX_CHECKPOINT_BYTES``: it is not kept."""


def check_secret(secret) -> str:
    """A browser secret as the store takes it; ValueError (a sentence) otherwise."""
    if not isinstance(secret, str) or not SECRET.fullmatch(secret):
        raise ValueError("a browser secret is 43 characters of letters, digits, - and _ (secrets.token_urlsafe(32))")
    return secret


def key_of(secret: str) -> str:
    """The store's key for a browser secret: a digest (32 hex digits), never the secret."""
    return hashlib.blake2b(check_secret(secret).encode("ascii"), digest_size=16, person=b"bpx-run").hexdigest()


def valid_keys(keys) -> list[str]:
    """The store keys of ``keys`` that ``key_of`` could have made, each once, in their order."""
    return list(dict.fromkeys(k for k in keys if isinstance(k, str) and KEY.fullmatch(k)))


def encode(checkpoint: dict, max_bytes: int = MAX_CHECKPOINT_BYTES) -> str:
    """A checkpoint as the JSON text a store keeps; ``TooLarge`` past ``max_bytes``, ValueError if
    it is not plain JSON values (NaN and infinities included)."""
    if not isinstance(checkpoint, dict):
        raise ValueError(f"a checkpoint is a dict, got {type(checkpoint).__name__}")
    text = json.dumps(checkpoint, allow_nan=False, separators=(",", ":"))
    if len(text) > max_bytes:                # (ASCII only: json.dumps escapes the rest)
        raise TooLarge(f"this run's checkpoint is {len(text):,} bytes; at most {max_bytes:,} are kept")
    return text


def decode(text: str | bytes) -> dict:
    """The dict a store's JSON text holds (ValueError if it is not a JSON object)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    doc = _parse(text)
    if not isinstance(doc, dict):
        raise ValueError("a stored checkpoint is not a JSON object")
    return doc


class RunStore(ABC):
    """Each learner's latest checkpoint, by browser secret (see the module docstring)."""

    ttl_s: float = TTL_S
    max_entries: int = MAX_ENTRIES
    max_bytes: int = MAX_CHECKPOINT_BYTES

    @abstractmethod
    def save(self, secret: str, checkpoint: dict) -> int:
        """Keep ``checkpoint`` as this secret's run (replacing the one before; its TTL starts again);
        returns its size in bytes. ``TooLarge`` past ``max_bytes``; ``RunStoreError`` if the
        backend fails."""

    @abstractmethod
    def load(self, secret: str) -> dict | None:
        """This secret's checkpoint, or None (never saved, forgotten, expired or evicted)."""

    @abstractmethod
    def load_keys(self, keys: list[str]) -> dict[str, dict]:
        """The checkpoints kept under these store keys (``key_of`` digests, as a class's seats
        hold them: the gallery and the results read a class's runs without the secrets), by key;
        a key with none is left out. Malformed keys are skipped. ``RunStoreError`` if the backend fails."""

    @abstractmethod
    def forget(self, secret: str) -> None:
        """Drop this secret's checkpoint (nothing if there is none)."""

    @abstractmethod
    def __len__(self) -> int:
        """Entries held now (expired ones may count until they are swept)."""
