"""The hand-off from the scheduler's thread to the event loop (``explorer.live.channel.outbox``):
every message reaches its own socket's queue in the order it was sent, and a batch sent while
the loop is busy wakes it once, not once a message."""
from __future__ import annotations

import asyncio
import threading

import pytest

from explorer.live.channel.outbox import outbox_for


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


def on_loop(loop, make):
    """Run ``make()`` (a coroutine) on ``loop`` and return its result."""
    return asyncio.run_coroutine_threadsafe(make(), loop).result(10)


def test_a_batch_sent_while_the_loop_is_busy_wakes_it_once_and_keeps_each_sockets_order(loop):
    async def queues():
        return [asyncio.Queue() for _ in range(3)]
    qs = on_loop(loop, queues)
    box = outbox_for(loop)
    assert outbox_for(loop) is box                     # one per loop
    busy, free = threading.Event(), threading.Event()
    loop.call_soon_threadsafe(lambda: (busy.set(), free.wait(10)))     # the loop is busy meanwhile
    assert busy.wait(10)
    f0, m0 = box.flushes, box.messages
    for i in range(300):
        box.put(qs[i % 3], (i % 3, i))
    free.set()

    async def drain():
        return [[q.get_nowait() for _ in range(q.qsize())] for q in qs]
    deadline = loop.time() + 10
    while box.messages - m0 < 300 and loop.time() < deadline:
        threading.Event().wait(0.01)
    got = on_loop(loop, drain)
    assert [len(g) for g in got] == [100, 100, 100]
    for k, g in enumerate(got):
        assert g == [(k, i) for i in range(k, 300, 3)]  # each socket's messages, in order
    assert box.flushes - f0 == 1                        # 300 messages, one wake of the loop


def test_a_closed_loop_refuses_and_the_outbox_stays_usable():
    loop = asyncio.new_event_loop()
    box = outbox_for(loop)
    q = asyncio.Queue()
    loop.close()
    with pytest.raises(RuntimeError):
        box.put(q, b"x")
    with pytest.raises(RuntimeError):                   # refused again: not stuck as "scheduled"
        box.put(q, b"y")
    assert q.qsize() == 0
