"""Each grid cell's badge, from its loss curve: learning, converged, stalled or diverged.

The one rule (the Compare view shows ``RULE`` beside the grid; the browser only shows the
badge each frame names):

* **diverged**: its cost or weights stopped being finite; the cell stopped at the epoch before.
* **learning**: fewer than ``WINDOW_MIN`` epochs so far, or the training cost fell by more
  than ``FLAT`` (1 %) of itself over the last window: ``WINDOW_SHARE`` (10 %) of the epochs
  so far, at least ``WINDOW_MIN``.
* **converged**: no longer falling, at a cost at most ``LEARNED`` (95 %) of its first epoch's
  (it learned something, then settled: possibly on a poor solution, as Ng's 1 unit does: its
  cost settles at 91 % of where it began, 0.633 from 0.693, with 67.5 % accuracy).
* **stalled**: no longer falling, still within 5 % of where it started.

The curve is the history's kept epochs (log-spaced: 32 per doubling), so "the cost a window
ago" is the kept epoch nearest before it.
"""
from __future__ import annotations

import math

import numpy as np

BADGES = ("learning", "converged", "stalled", "diverged")
LEARNING, CONVERGED, STALLED, DIVERGED = range(4)
WINDOW_MIN = 100
WINDOW_SHARE = 0.1
FLAT = 0.01
LEARNED = 0.95
RULE = {
    "learning": f"the training loss fell by more than {FLAT:.0%} over the last {WINDOW_SHARE:.0%} of the epochs "
                f"(at least {WINDOW_MIN})",
    "converged": f"no longer falling, at most {LEARNED:.0%} of its first epoch's loss",
    "stalled": f"no longer falling, still within {1 - LEARNED:.0%} of its first epoch's loss",
    "diverged": "its loss or weights stopped being finite (it stopped there)",
}


def window(epoch: int) -> int:
    return max(WINDOW_MIN, math.ceil(WINDOW_SHARE * epoch))


def badges(epochs: np.ndarray, cost: np.ndarray, diverged: np.ndarray) -> np.ndarray:
    """(C,) badge codes (indices into BADGES). ``epochs`` (E,) the kept epochs, the latest last;
    ``cost`` (E, C) each cell's training cost there; ``diverged`` (C,) bool."""
    C = cost.shape[1] if cost.ndim == 2 else len(diverged)
    out = np.full(C, LEARNING, dtype=np.uint8)
    if len(epochs) and epochs[-1] >= WINDOW_MIN:
        e = int(epochs[-1])
        then = int(np.searchsorted(epochs, e - window(e), side="right")) - 1
        now, before, first = cost[-1], cost[max(then, 0)], cost[0]
        with np.errstate(invalid="ignore"):
            falling = before - now > FLAT * np.abs(before)
            learned = now <= LEARNED * first
        out[~falling & learned] = CONVERGED
        out[~falling & ~learned] = STALLED
    out[np.asarray(diverged, dtype=bool)] = DIVERGED
    return out
