"""A class's goal metric: how a student's network is scored and ranked on the leaderboard.

One rule, here: the projector's leaderboard (``explorer.live.channel.gallery_session`` sends
its order), the teacher's results CSV and the tests all rank with ``standing``. The score is
the test accuracy (R² for regression) when the student's data has a test set, else the
training one (the labels say which). Goals (``task.GOALS``):

- ``test_accuracy``: the highest score first;
- ``fewest_weights``: networks at ``QUALIFY`` or more first, the fewest weights (every W and b)
  first among them, then the higher score; below ``QUALIFY``, the higher score first.

A score that is not a number yet (no epoch trained, or a diverged run) ranks last.
"""
from __future__ import annotations

import math

from explorer.rooms.task import GOALS

QUALIFY = 0.9
DEFAULT_GOAL = "test_accuracy"


def standing(goal: str, score: float, n_weights: int) -> tuple:
    """A sort key: smaller ranks higher (``sorted(..., key=standing)`` is the leaderboard)."""
    if goal not in GOALS:
        raise ValueError(f"unknown goal {goal!r}; the goals are {', '.join(GOALS)}")
    if score is None or not math.isfinite(score):
        return (3, 0, 0.0)
    if goal == "fewest_weights" and score >= QUALIFY:
        return (0, int(n_weights), -score)
    return (1 if goal == "fewest_weights" else 0, 0, -score)


def reached(goal: str, score: float) -> bool:
    """Whether a score meets the goal's bar (always, for a goal without one)."""
    return goal != "fewest_weights" or (score is not None and math.isfinite(score) and score >= QUALIFY)


def leaderboard(goal: str, entries: list[tuple[float, int]]) -> list[int]:
    """Indices of ``entries`` ((score, n_weights) each) from first to last; ties keep their order."""
    return sorted(range(len(entries)), key=lambda i: standing(goal, *entries[i]))
