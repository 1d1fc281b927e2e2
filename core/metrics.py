"""Scores of an output against targets, both (N, S_L), examples as rows (the outputs of a
stack of C networks have a leading axis, (C, N, S_L): see ``Scorer.cells``)."""
from __future__ import annotations

import numpy as np

from . import losses


def accuracy(a: np.ndarray, T: np.ndarray) -> float:
    """Share of rows whose predicted class equals the target class."""
    if a.shape[0] == 0:
        return float("nan")
    if a.shape[1] == 1:
        return float(np.mean((a[:, 0] > 0.5) == (T[:, 0] > 0.5)))
    return float(np.mean(a.argmax(axis=1) == T.argmax(axis=1)))


def r2(a: np.ndarray, T: np.ndarray) -> float:
    """Coefficient of determination 1 − SS_res / SS_tot (nan with fewer than 2 rows)."""
    if a.shape[0] < 2:
        return float("nan")
    ss_tot = float(np.sum((T - T.mean(axis=0)) ** 2))
    ss_res = float(np.sum((T - a) ** 2))
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")


class Scorer:
    """Cost and score of outputs a (N, S_L) against fixed targets T (N, S_L).

    With hard 0/1 targets and a cross-entropy loss both numbers come from the
    probability each example gives its own class, p_n, computed once:
    J = −mean log p_n and accuracy = share of p_n > ½ (sigmoid) or of rows whose
    argmax is the target (softmax). Any other case uses the loss's own ``fn``.
    """

    def __init__(self, net, T: np.ndarray):
        self.loss, self.T = net.loss, T
        self.metric = accuracy if net.is_classifier else r2
        hard = T.size > 0 and bool(np.all((T == 0) | (T == 1)))
        out = net.layers[-1].activation.classifier if hard and net.fused else ""
        self.kind = None
        if out == "binary" and T.shape[1] == 1:
            self.kind, self._s, self._c = "binary", 2.0 * T - 1.0, 1.0 - T     # p = a·s + c
            # Correct ⟺ (a > ½) == t, i.e. p > ½ for t = 1 but p ≥ ½ for t = 0 (a = ½ predicts
            # class 0, as ``accuracy`` and ``Network.predict`` say): one threshold per row.
            half = T.dtype.type(0.5)
            self._thr = np.where(T == 1, half, np.nextafter(half, T.dtype.type(0)))
        elif out == "multiclass" and np.all(T.sum(axis=1) == 1):
            self.kind, self._labels = "onehot", T.argmax(axis=1)

    def __call__(self, a: np.ndarray) -> tuple[float, float]:
        """(J, score) of outputs a (N, S_L)."""
        if self.kind is None:
            return self.loss.fn(a, self.T), self.metric(a, self.T)
        N = a.shape[0]
        p, right = self._own_class(a)
        np.maximum(p, losses.EPS, out=p)          # the losses' own clip (read at call time): no log(0)
        return -float(np.log(p, out=p).sum()) / N, float(np.count_nonzero(right) / N)

    def cells(self, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(J, score) of each network of a stack (core/sweep.py): a (C, N, S_L) -> two (C,) arrays.

        Each network's numbers are those ``__call__`` gives for its a (C, ...) alone, bit for
        bit: the same products, and each sum runs over one network's N values, in order."""
        C, N = a.shape[0], a.shape[1]
        if self.kind is None:
            J, score = zip(*(self(a_c) for a_c in a))
            return np.array(J), np.array(score)
        p, right = self._own_class(a)
        np.maximum(p, losses.EPS, out=p)
        J = np.log(p, out=p).reshape(C, N).sum(axis=1)
        J /= -N
        return J, np.count_nonzero(right.reshape(C, N), axis=1) / N

    def _own_class(self, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """p, the probability each example gives its own class, and whether it is the predicted
        one; a (..., N, S_L) with any leading axes."""
        if self.kind == "binary":
            p = a * self._s
            p += self._c
            return p, p > self._thr
        # Contiguous, one network's N values after another: numpy sums each in a single run's order.
        p = np.ascontiguousarray(a[..., np.arange(a.shape[-2]), self._labels])
        return p, a.argmax(axis=-1) == self._labels
