"""Early stopping: when a run stops by itself, and the one line that says why.

``Stopping`` is the rule (all parts optional): stop after ``patience`` epochs without an
improvement of the *validation* loss (never the test set's: choosing on the test set is
the lesson not to teach), at epoch ``at_epoch``, or once the training cost falls to
``loss_target`` or the training accuracy (R² for regression) reaches ``score_target``.
``restore_best`` puts back the weights of the epoch with the lowest validation loss when
the run stops. ``Watch`` applies a rule epoch by epoch (the trainer calls it after each
recorded epoch); ``TrainingStopped`` carries the line; ``StopRecord`` is where and why, as a
model file keeps it. Weights are the layers' [W | b] arrays, (S_l, S_{l-1} + 1) each.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

MAX_REASON = 300          # characters of a reason kept in a model file


class TrainingStopped(Exception):
    """The run stopped by its rule; ``str(err)`` is the one line that says why, and
    ``record`` (a ``StopRecord``) where. The weights are the last epoch's, or the best
    epoch's when the rule restores them."""

    def __init__(self, record: "StopRecord"):
        super().__init__(record.reason)
        self.record = record


@dataclass(frozen=True)
class Stopping:
    """When to stop (None: that part is off). ``patience`` ≥ 1 epochs; ``at_epoch`` ≥ 1;
    ``loss_target`` ≥ 0; ``score_target`` a number; ``min_delta`` ≥ 0 is how much lower
    the validation loss must be to count as an improvement."""

    patience: int | None = None
    restore_best: bool = False
    at_epoch: int | None = None
    loss_target: float | None = None
    score_target: float | None = None
    min_delta: float = 0.0

    def __post_init__(self):
        for name, lo in (("patience", 1), ("at_epoch", 1)):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < lo):
                raise ValueError(f"{name} must be a whole number ≥ {lo} (or None: off), got {v!r}")
        for name in ("loss_target", "score_target", "min_delta"):
            v = getattr(self, name)
            if (v is not None or name == "min_delta") and (isinstance(v, bool) or not isinstance(v, (int, float))
                                                          or not math.isfinite(v) or (v < 0 and name != "score_target")):
                raise ValueError(f"{name} must be a finite number{'' if name == 'score_target' else ' ≥ 0'}"
                                 f"{'' if name == 'min_delta' else ' (or None: off)'}, got {v!r}")
        if not isinstance(self.restore_best, bool):
            raise ValueError(f"restore_best must be true or false, got {self.restore_best!r}")

    @property
    def needs_validation(self) -> bool:
        """True when the rule reads the validation loss (patience, or restoring the best)."""
        return self.patience is not None or self.restore_best


@dataclass(frozen=True)
class StopRecord:
    """Where and why a run stopped: the ``epoch`` it stopped after, the ``reason`` (one
    line), the ``best_epoch`` by validation loss (None without validation data) and whether
    its weights were ``restored``."""

    epoch: int
    reason: str
    best_epoch: int | None = None
    restored: bool = False

    def to_dict(self) -> dict:
        return {"epoch": self.epoch, "reason": self.reason, "best_epoch": self.best_epoch, "restored": self.restored}

    @classmethod
    def from_dict(cls, d, last_epoch: int, where: str = "stopped") -> "StopRecord":
        """The record a parsed JSON object holds, checked against the run's ``last_epoch``."""
        keys = ("epoch", "reason", "best_epoch", "restored")
        if not isinstance(d, dict) or set(d) != set(keys):
            raise ValueError(f"{where} must be an object with exactly the fields {', '.join(keys)}")
        e, b = d["epoch"], d["best_epoch"]
        if isinstance(e, bool) or not isinstance(e, int) or not 1 <= e <= last_epoch:
            raise ValueError(f"{where}.epoch must be a whole number from 1 to the file's epoch {last_epoch}, got {e!r}")
        if b is not None and (isinstance(b, bool) or not isinstance(b, int) or not 1 <= b <= e):
            raise ValueError(f"{where}.best_epoch must be null or a whole number from 1 to {e}, got {b!r}")
        if not isinstance(d["reason"], str) or not 0 < len(d["reason"]) <= MAX_REASON or "\n" in d["reason"]:
            raise ValueError(f"{where}.reason must be one line of 1 to {MAX_REASON} characters")
        if not isinstance(d["restored"], bool) or (d["restored"] and b is None):
            raise ValueError(f"{where}.restored must be true or false (true only with a best_epoch)")
        return cls(e, d["reason"], b, d["restored"])


@dataclass
class Watch:
    """A rule applied epoch by epoch: the best validation loss so far, its epoch and (when
    the rule restores them) its weights, and the epochs waited since."""

    rule: Stopping = field(default_factory=Stopping)
    best_loss: float = math.inf
    best_epoch: int | None = None
    best_params: list | None = None
    waited: int = 0

    def after_epoch(self, epoch: int, cost: float, score: float, val_cost: float | None, params,
                    metric: str = "accuracy") -> StopRecord | None:
        """Note epoch ``epoch``'s numbers (the training cost and score, the validation cost or
        None); the StopRecord if the run stops here, else None. ``params``: the weights now."""
        r = self.rule
        if val_cost is not None:
            if val_cost < self.best_loss - r.min_delta:
                self.best_loss, self.best_epoch, self.waited = val_cost, epoch, 0
                if r.restore_best:
                    self.best_params = [np.array(p, copy=True) for p in params]
            else:
                self.waited += 1
        if r.patience is not None and val_cost is not None and self.waited >= r.patience:
            why = (f"the validation loss has not improved for {r.patience} epochs "
                   f"(best {self.best_loss:.4g}, at epoch {self.best_epoch})")
        elif r.loss_target is not None and cost <= r.loss_target:
            why = f"the training loss {cost:.4g} reached the target {r.loss_target:g}"
        elif r.score_target is not None and score >= r.score_target:
            name = "R²" if metric == "r2" else "accuracy"
            why = f"the training {name} {score:.4g} reached the target {r.score_target:g}"
        elif r.at_epoch is not None and epoch >= r.at_epoch:
            why = "the epoch chosen to stop at"
        else:
            return None
        return self.stop(epoch, why, params)

    def stop(self, epoch: int, why: str, params) -> StopRecord:
        """The record for a stop after ``epoch``; puts the best weights back into ``params``
        when the rule says so."""
        restored = bool(self.rule.restore_best and self.best_params is not None and self.best_epoch != epoch)
        if restored:
            for p, kept in zip(params, self.best_params):
                np.copyto(p, kept)
        back = f"; the weights are back to epoch {self.best_epoch}'s, the best on the validation set" if restored else ""
        return StopRecord(epoch, f"Stopped after epoch {epoch}: {why}{back}.", self.best_epoch, restored)
