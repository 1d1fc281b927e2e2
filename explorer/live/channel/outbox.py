"""Messages from the scheduler's thread to the sockets' event loop, handed over in batches.

``loop.call_soon_threadsafe`` wakes the loop by writing a byte to its self-pipe: once for
every message, and the loop then runs once for every byte. A round of the scheduler sends
many frames at once (every paced learner whose tick came), so an ``Outbox`` gathers them:
the first message of a batch schedules one ``_flush`` on the loop, the ones after it join
the batch until that flush runs. Each message still goes to its own socket's queue, in the
order it was sent (``routes.Connection.pump`` writes it out).

    box = outbox_for(loop)          # one per event loop
    box.put(queue, data)            # from any thread; queue: that socket's asyncio.Queue
"""
from __future__ import annotations

import asyncio
import threading
import weakref

_BOXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_BOXES_LOCK = threading.Lock()


class Outbox:
    """One event loop's batch of (queue, message) pairs waiting for its next ``_flush``."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self._items: list = []
        self._lock = threading.Lock()
        self._scheduled = False
        self.flushes = 0            # figures (tests): batches handed over
        self.messages = 0           # ... and messages in them

    def put(self, queue: asyncio.Queue, data) -> None:
        """Queue ``data`` for ``queue`` (thread-safe); wakes the loop only for a batch's first."""
        with self._lock:
            self._items.append((queue, data))
            if self._scheduled:
                return
            self._scheduled = True
        try:
            self.loop.call_soon_threadsafe(self._flush)
        except RuntimeError:        # the loop is closed (shutting down): nothing will send it
            with self._lock:
                self._scheduled = False
                self._items.clear()
            raise

    def _flush(self) -> None:
        with self._lock:
            items, self._items, self._scheduled = self._items, [], False
        self.flushes += 1
        self.messages += len(items)
        for queue, data in items:
            queue.put_nowait(data)


def outbox_for(loop: asyncio.AbstractEventLoop) -> Outbox:
    """The ``Outbox`` of ``loop`` (made on first use; it goes with the loop)."""
    with _BOXES_LOCK:
        box = _BOXES.get(loop)
        if box is None:
            box = _BOXES[loop] = Outbox(loop)
        return box
