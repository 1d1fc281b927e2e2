"""The live view's history: a fixed budget of epochs, however long training runs.

``core.Trainer`` records every epoch into its history; a full ``core.History`` grows
by ~480 bytes an epoch (300 MB a minute at max speed). ``LiveHistory`` has the same
attributes and ``record`` method but keeps only the epochs on a log-spaced grid:

    keep epoch e  iff  e % spacing(e) == 0,  spacing(e) = max(1, 2**floor(log2(e / per_octave)))

so every epoch up to 2·per_octave is kept, then ``per_octave`` epochs per doubling:
early epochs keep their detail and a curve over a million epochs still has over a
hundred points (the curves draw 150). The defaults (256 points, 32 per doubling) hold
about 110 kB of numbers per learner at most, reached after ~4,000 epochs. When more than ``budget`` are kept, ``per_octave`` halves and the kept
points are filtered by the new rule (the client applies the same rule to its copy).
The latest epoch is always the last entry, whether or not the rule keeps it.
"""
from __future__ import annotations

from core.sweep_history import kept, spacing  # noqa: F401 - the one spacing rule (core owns it; the grid's history too)
from core.training import History

NAN = float("nan")


class LiveHistory(History):
    """A bounded stand-in for ``core.History`` (same lists, plus ``epochs``)."""

    def __init__(self, budget: int = 256, per_octave: int = 32):
        if budget < 4 * per_octave:
            raise ValueError(f"budget must be at least 4 × per_octave, got {budget} and {per_octave}")
        self.metric = "accuracy"
        self.budget, self.per_octave = budget, per_octave
        self.epochs: list[int] = []
        self.cost: list[float] = []
        self.accuracy: list[float] = []
        self.test_cost: list[float] = []
        self.test_accuracy: list[float] = []
        self.grad_norm: list[list[float]] = []
        self.delta_mean: list[list[float]] = []
        self.val_cost: list[float] = []     # the validation loss (empty without validation rows)
        self._provisional = False       # the last entry is the latest epoch, not a kept one
        self._new: list[tuple] = []     # kept rows not yet taken by ``take_new``

    def __len__(self) -> int:
        return len(self.cost)

    @property
    def latest_epoch(self) -> int:
        return self.epochs[-1] if self.epochs else 0

    def _lists(self):
        lists = [self.epochs, self.cost, self.accuracy, self.grad_norm, self.delta_mean]
        lists += [self.test_cost, self.test_accuracy] if self.test_cost else []
        return lists + [self.val_cost] if self.val_cost else lists

    def record(self, epoch, cost, score, test_cost, test_score, grad_norm, delta_mean, val_cost=None) -> None:
        if self._provisional:
            for lst in self._lists():
                lst.pop()
        self.epochs.append(int(epoch))
        if val_cost is not None and len(self.val_cost) < len(self.epochs) - 1:   # (a history restored without it)
            self.val_cost.extend([NAN] * (len(self.epochs) - 1 - len(self.val_cost)))
        super().record(epoch, cost, score, test_cost, test_score, grad_norm, delta_mean, val_cost)
        self._provisional = not kept(epoch, self.per_octave)
        if not self._provisional:
            self._new.append(self.wire_row(-1))
            if len(self.epochs) > self.budget:
                self._coarsen()

    def row(self, i: int) -> tuple:
        """Entry i as (epoch, cost, score, test_cost, test_score, *grad_norm, *delta_mean)."""
        test = (self.test_cost[i], self.test_accuracy[i]) if self.test_cost else (NAN, NAN)
        return (self.epochs[i], self.cost[i], self.accuracy[i], *test, *self.grad_norm[i], *self.delta_mean[i])

    def rows(self) -> list[tuple]:
        return [self.row(i) for i in range(len(self.epochs))]

    def wire_row(self, i: int) -> tuple:
        """Entry i as a frame's point carries it: ``row(i)``, then the validation loss when the
        run has validation rows (``val_cost``)."""
        return self.row(i) + ((self.val_cost[i],) if self.val_cost else ())

    def take_new(self) -> list[tuple]:
        """Kept rows (``wire_row``'s) recorded since the last call (each row is handed out once)."""
        new, self._new = self._new, []
        return new

    def _coarsen(self) -> None:
        self.per_octave //= 2
        keep = [i for i, e in enumerate(self.epochs) if kept(e, self.per_octave)
                or (i == len(self.epochs) - 1 and self._provisional)]
        for lst in self._lists():
            lst[:] = [lst[i] for i in keep]
        self._new = [r for r in self._new if kept(int(r[0]), self.per_octave)]

    @classmethod
    def restored(cls, rows, n_layers: int, has_test: bool, metric: str, budget: int, per_octave: int) -> "LiveHistory":
        """A history holding ``rows`` (n, 5 + 2L), each laid out as ``row`` gives it (the test
        columns NaN without a test set), as a history that recorded them would hold them: the
        last row is the latest epoch (provisional if the keep-rule would not keep it). The
        caller checks the numbers (``run_checkpoint``); ``rows`` is copied."""
        h = cls(budget, per_octave)
        h.metric = metric
        for r in rows:
            r = [float(v) for v in r]
            h.epochs.append(int(r[0]))
            h.cost.append(r[1])
            h.accuracy.append(r[2])
            if has_test:
                h.test_cost.append(r[3])
                h.test_accuracy.append(r[4])
            h.grad_norm.append(r[5:5 + n_layers])
            h.delta_mean.append(r[5 + n_layers:5 + 2 * n_layers])
        h._provisional = bool(h.epochs) and not kept(h.epochs[-1], per_octave)
        return h

    def to_json(self) -> dict:
        """The whole history for the setup message (see ``wire``; ``val_cost`` only with validation rows)."""
        h = {"epoch": list(self.epochs), "cost": list(self.cost), "score": list(self.accuracy),
             "test_cost": list(self.test_cost), "test_score": list(self.test_accuracy),
             "grad_norm": [list(g) for g in self.grad_norm], "delta_mean": [list(d) for d in self.delta_mean]}
        if self.val_cost:
            h["val_cost"] = list(self.val_cost)
        return h
