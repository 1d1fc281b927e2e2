"""One learner's trouble stays that learner's: the scheduler's per-session guard and a log
that says each kind of failure once in a while, never a traceback per message.

``per_session`` wraps the scheduler's work for one learner: an exception pauses that
learner's run only (``Scheduler._failed``: a status with a notice to that page, left alone
for a moment). ``log_limited`` writes one line per kind at most every ``LOG_EVERY_S``.
"""
from __future__ import annotations

import functools
import logging
import os
import threading
import time
import traceback

LOG_EVERY_S = 10.0         # one log line per kind of failure at most this often

log = logging.getLogger("explorer.live.channel")


class LimitedLog:
    """One line per kind at most every ``every_s`` (with the count of those left out), never a
    traceback: the line names the exception and where it was raised."""

    def __init__(self, every_s: float = LOG_EVERY_S):
        self.every_s = every_s
        self._last: dict[str, float] = {}
        self._skipped: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, kind: str, text: str, err: BaseException | None = None) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last.get(kind, -self.every_s) < self.every_s:
                self._skipped[kind] = self._skipped.get(kind, 0) + 1
                return
            self._last[kind] = now
            skipped = self._skipped.pop(kind, 0)
        if err is not None:
            tb = traceback.extract_tb(err.__traceback__)
            where = f" at {os.path.basename(tb[-1].filename)}:{tb[-1].lineno}" if tb else ""
            text += f" ({type(err).__name__}{where}: {str(err)[:200]})"
        if skipped:
            text += f"; {skipped} more like it in the last {self.every_s:g} s"
        log.warning("%s", text)


log_limited = LimitedLog()


def per_session(method):
    """Work for one learner: an exception pauses that learner's run only (``Scheduler._failed``)."""
    @functools.wraps(method)
    def guarded(self, s, *args):
        if s.broken_until > time.monotonic():
            return None                                  # it failed a moment ago: left alone until then
        try:
            return method(self, s, *args)
        except Exception as err:  # noqa: BLE001 - one learner's error must not stop everyone's training
            self._failed(s, err, method.__name__)
            return None
    return guarded
