"""Copies of a network's weights at spaced epochs, for replaying a run (the GIF export).

A snapshot is the list of every layer's ``Wb = [W | b]`` (shapes (S_l, S_{l-1} + 1): W as
docs/derivation.md shapes it, with b as its last column), copied at the end of an epoch.
Which epochs are kept follows a time axis that is half logarithmic and half linear,

    w(e) = ½ · log(1 + e) / log(1 + E)  +  ½ · e / E        (E = the latest epoch),

and aims at evenly spaced frames on it: every epoch at first (learning changes most
there), then further and further apart. When more than ``max_frames`` are held, the
frame whose neighbours are closest on w is dropped, again and again, so memory stays
bounded however long the run goes, and the early epochs keep their detail.
"""
from __future__ import annotations

import math

import numpy as np


class WeightSnapshots:
    """At most ``max_frames`` (epoch, [Wb copies]) pairs, oldest first.

    Call ``record(epoch, params)`` after every completed epoch (and with epoch 0 for
    the starting weights); when no frame is due it returns after one integer compare.
    """

    def __init__(self, max_frames: int = 120):
        if not isinstance(max_frames, int) or isinstance(max_frames, bool) or max_frames < 3:
            raise ValueError(f"max_frames must be a whole number >= 3, got {max_frames!r}")
        self.max_frames = max_frames
        self.clear()

    def clear(self) -> None:
        """Forget every frame (a reset or a new network)."""
        self.epochs: list[int] = []
        self.params: list[list[np.ndarray]] = []
        self._next = 0                      # the first epoch at which a frame is due

    def __len__(self) -> int:
        return len(self.epochs)

    def __iter__(self):
        return iter(zip(self.epochs, self.params))

    @property
    def last_epoch(self) -> int | None:
        return self.epochs[-1] if self.epochs else None

    def record(self, epoch: int, params, force: bool = False) -> bool:
        """Keep a copy of ``params`` (the layers' Wb) if a frame is due at ``epoch``.

        ``force`` keeps it anyway (e.g. the current weights just before an export).
        Returns True when a copy was taken. Epochs must not go backwards; after the
        trainer rolls back a diverged epoch, call ``truncate`` first.
        """
        if epoch < self._next and not force:
            return False
        if self.epochs and epoch <= self.epochs[-1]:
            if epoch == self.epochs[-1]:        # already held: refresh the copy
                self.params[-1] = [np.array(p, copy=True) for p in params]
                return True
            raise ValueError(f"epoch {epoch} is before the last recorded epoch {self.epochs[-1]}; "
                             f"call truncate({epoch}) first")
        self.epochs.append(int(epoch))
        self.params.append([np.array(p, copy=True) for p in params])
        while len(self.epochs) > self.max_frames:
            self._drop_one()
        self._next = self._due_after(int(epoch))
        return True

    def truncate(self, epoch: int) -> None:
        """Drop the frames after ``epoch`` (the trainer went back to it)."""
        while self.epochs and self.epochs[-1] > epoch:
            self.epochs.pop()
            self.params.pop()
        self._next = self._due_after(self.epochs[-1]) if self.epochs else 0

    # ---- spacing --------------------------------------------------------------
    def _warp(self, e: float, E: float) -> float:
        """w(e) on [0, 1] for the current horizon E ≥ 1."""
        return 0.5 * math.log1p(e) / math.log1p(E) + 0.5 * e / E

    def _due_after(self, e: int) -> int:
        """The next epoch one even step of w after e, at the horizon E = e."""
        if e < 1:
            return e + 1
        slope = 0.5 / ((1 + e) * math.log1p(e)) + 0.5 / e          # dw/de at e
        step = 1.0 / ((self.max_frames - 1) * slope)
        return e + max(1, int(step))

    def _drop_one(self) -> None:
        """Remove the interior frame whose neighbours are closest on w (first and last stay)."""
        E = max(self.epochs[-1], 1)
        w = [self._warp(e, E) for e in self.epochs]
        gaps = [w[i + 1] - w[i - 1] for i in range(1, len(w) - 1)]
        i = 1 + min(range(len(gaps)), key=gaps.__getitem__)
        del self.epochs[i]
        del self.params[i]
