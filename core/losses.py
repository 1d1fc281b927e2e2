"""Losses, averaged over the examples: J = (1/N) Σ_n L(a_n, t_n).

Examples are rows: ``a`` and ``t`` have shape (N, S_L). ``grad`` returns the
per-example Delta^(L) = ∂L_n/∂a_n (no 1/N: the backward pass averages when it
forms dJ/dW), so the numbers shown to a learner are the textbook ones.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

# Probabilities are clipped this far from 0 and 1 before a log: log(0) never happens.
EPS = 1e-12


def _mse(a, t):
    d = a - t
    return 0.5 * float(np.vdot(d, d)) / a.shape[0]


def _bce(a, t):
    # a and 1 − a are each kept ≥ EPS. (Clipping a to [EPS, 1 − EPS] fails in float32, where
    # 1 − 1e-12 rounds to 1: a saturated a = 1 then gave log 0 and a NaN cost.)
    log_a, log_1ma = np.log(np.maximum(a, EPS)), np.log(np.maximum(1.0 - a, EPS))
    return -float(np.sum(t * log_a + (1.0 - t) * log_1ma)) / a.shape[0]


def _bce_grad(a, t):
    return (a - t) / (np.maximum(a, EPS) * np.maximum(1.0 - a, EPS))


def _ce(a, t):
    return -float(np.sum(t * np.log(np.clip(a, EPS, None)))) / a.shape[0]


@dataclass(frozen=True)
class Loss:
    """A per-example loss L(a, t), its mean ``fn`` and its gradient ∂L/∂a."""

    name: str
    fn: Callable[[np.ndarray, np.ndarray], float]
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray]
    outputs: tuple[str, ...] | None  # output activations it pairs with (None: any)
    fused_with: str | None            # output activation whose delta simplifies to a − t
    formula: str = ""


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", _mse, lambda a, t: a - t, None, None,
                formula=r"L = \tfrac12\lVert a - t\rVert^2,\quad \frac{\partial L}{\partial a} = a - t"),
    "binary_cross_entropy": Loss(
        "binary_cross_entropy", _bce, _bce_grad, ("sigmoid",), "sigmoid",
        formula=r"L = -\sum_j t_j\log a_j + (1-t_j)\log(1-a_j),\quad \frac{\partial L}{\partial a_j} = \frac{a_j - t_j}{a_j(1-a_j)}"),
    "cross_entropy": Loss(
        "cross_entropy", _ce, lambda a, t: -t / np.clip(a, EPS, None), ("softmax",), "softmax",
        formula=r"L = -\sum_k t_k \log a_k,\quad \frac{\partial L}{\partial a_k} = -\frac{t_k}{a_k}"),
}


def get_loss(name: str) -> Loss:
    """Look a loss up by name; unknown names list the valid ones."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None
