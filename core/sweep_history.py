"""Per-cell history of a sweep, bounded however long it trains.

Cells train in step, so they share one list of epochs; each recorded number is one row of
C values (one per cell). The epochs kept follow the live view's rule:

    keep epoch e  iff  e % spacing(e) == 0,  spacing(e) = max(1, 2**floor(log2(e / per_octave)))

every epoch up to 2·per_octave, then ``per_octave`` per doubling; when more than ``budget``
are kept, ``per_octave`` halves and the kept rows are filtered by the new rule. The latest
epoch is always the last row, kept or not. With the defaults (256 rows, 32 per doubling)
and a test set, a cell's history holds at most 4 × 257 float64 = 8.2 kB.
"""
from __future__ import annotations

import math

import numpy as np

FIELDS = ("cost", "score", "test_cost", "test_score")


def spacing(epoch: int, per_octave: int) -> int:
    if epoch < 2 * per_octave:
        return 1
    return 1 << int(math.log2(epoch / per_octave))


def kept(epoch: int, per_octave: int) -> bool:
    return epoch % spacing(epoch, per_octave) == 0


class CellHistory:
    """Rows of (cost, score, test cost, test score) for C cells at the kept epochs.

    ``epochs`` (E,) and, through ``get(field)``, arrays (E, C); the score is accuracy for a
    classifier, R² for regression; the test fields are NaN without test data.
    """

    def __init__(self, n_cells: int, budget: int = 256, per_octave: int = 32):
        if budget < 4 * per_octave:
            raise ValueError(f"budget must be at least 4 × per_octave, got {budget} and {per_octave}")
        self.budget, self.per_octave = budget, per_octave
        self._epochs = np.zeros(budget + 1, dtype=np.int64)
        self._rows = np.full((budget + 1, len(FIELDS), n_cells), np.nan)
        self._n = 0                     # rows in use
        self._provisional = False       # the last row is the latest epoch, not a kept one

    def __len__(self) -> int:
        return self._n

    @property
    def epochs(self) -> np.ndarray:
        return self._epochs[:self._n]

    def get(self, field: str) -> np.ndarray:
        """(E, C) values of ``field`` (one of FIELDS), a view."""
        return self._rows[:self._n, FIELDS.index(field)]

    def record(self, epoch: int, cost, score, test_cost=None, test_score=None) -> None:
        """Append epoch ``epoch``'s (C,) numbers (the last row is replaced if it was provisional)."""
        if self._n and epoch <= self._epochs[self._n - 1]:
            raise ValueError(f"epoch {epoch} is not after the last recorded one, {self._epochs[self._n - 1]}")
        if self._provisional:
            self._n -= 1
        row = self._rows[self._n]
        row[0], row[1] = cost, score
        if test_cost is not None:
            row[2], row[3] = test_cost, test_score
        self._epochs[self._n] = epoch
        self._n += 1
        self._provisional = not kept(epoch, self.per_octave)
        if not self._provisional and self._n > self.budget:
            self._coarsen()

    def _coarsen(self) -> None:
        self.per_octave //= 2
        keep = [i for i in range(self._n - 1) if kept(int(self._epochs[i]), self.per_octave)]
        self._provisional = not kept(int(self._epochs[self._n - 1]), self.per_octave)
        keep.append(self._n - 1)                      # the latest epoch stays, kept or not
        n = len(keep)
        self._epochs[:n] = self._epochs[keep]
        self._rows[:n] = self._rows[keep]
        self._rows[n:] = np.nan
        self._n = n

    @property
    def nbytes(self) -> int:
        return self._epochs.nbytes + self._rows.nbytes
