"""Memory goes back to the system after learners leave (explorer.live.channel.memory)."""
from __future__ import annotations

import numpy as np
import pytest

from explorer.live.channel import memory


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


@pytest.mark.skipif(not memory.can_trim(), reason="malloc_trim is glibc's")
def test_freed_small_arrays_go_back_to_the_system():
    # What 60 learners leave behind: many small arrays (weights, gradients, curve points),
    # each below glibc's mmap threshold, so freeing them keeps the pages in the heap.
    keep = [np.ones(100) for _ in range(300_000)]        # ~250 MB of 1 kB blocks
    keep = keep[::1000]                                   # a few survivors pin nothing much
    before = rss_mb()
    assert memory.give_back()
    after = rss_mb()
    assert before - after > 100, (before, after)


def test_the_janitor_trims_once_sessions_were_freed_and_nobody_plays():
    j = memory.Janitor(min_gap_s=30)
    assert not j.tick(60, any_playing=True, now=0)        # a full class, playing
    assert not j.tick(60, any_playing=False, now=1)       # all paused: nothing freed yet
    assert not j.tick(20, any_playing=True, now=2)        # 40 left, but someone plays
    assert j.tick(20, any_playing=False, now=3)           # 40 left, nobody plays: trim
    assert not j.tick(20, any_playing=False, now=4)       # nothing new freed
    assert not j.tick(5, any_playing=False, now=10)       # freed again, but too soon after
    assert j.tick(5, any_playing=False, now=40)
    assert j.trims == 2
