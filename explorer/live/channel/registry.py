"""Tokens: which open socket may drive which learner's run.

Every Streamlit session that shows the live view gets one ``LiveSession`` (kept in
its ``st.session_state``) with an unguessable token (``secrets.token_urlsafe``, 32
bytes). The page hands the token to its component; the component's socket must
present it in its first message. This registry maps tokens to sessions *weakly*: it
never keeps a session alive. When Streamlit drops a session (its tab closed, then
Streamlit's disconnected-session TTL, 2 minutes in 1.67), the session state goes, the
``LiveSession`` is collected and its token stops working (``lookup`` returns None).
"""
from __future__ import annotations

import threading
import weakref
from typing import Protocol


class Tokened(Protocol):
    """What the registry holds: a session with its token (``session.LiveSession``; the
    registry needs nothing else of it, so it imports nothing of it)."""
    token: str


_lock = threading.Lock()
_entries: dict[str, weakref.ref] = {}


def register(session: Tokened) -> None:
    """Make ``session.token`` valid for as long as ``session`` is alive."""
    token = session.token

    def forget(ref, token=token):
        with _lock:
            if _entries.get(token) is ref:
                del _entries[token]

    with _lock:
        _entries[token] = weakref.ref(session, forget)


def lookup(token: str) -> Tokened | None:
    """The live session holding ``token``, or None (never issued, or its session is gone)."""
    with _lock:
        ref = _entries.get(token)
    return ref() if ref is not None else None


def sessions() -> list:
    """Every live session still alive (strong references: drop them after use)."""
    with _lock:
        refs = list(_entries.values())
    return [s for s in (r() for r in refs) if s is not None]


def count() -> int:
    with _lock:
        return len(_entries)
