"""Losses, averaged over the examples: J = (1/N) Σ_n L(a_n, t_n)  (C1 of docs/derivation.md).

Examples are rows: ``a`` and ``t`` have shape (N, S_L). ``grad`` returns the
per-example Δ^(L) = ∂L_n/∂a_n of (L1)–(L3) (no 1/N: the backward pass averages when it
forms dJ/dW), so the numbers shown to a learner are the textbook ones. ``fused_with``
names the output activation whose δ^(L) simplifies to a − t with this loss (B1f).
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
    label: str = ""                   # shown in menus
    tex: str = ""                     # TeX of L(a, t) for one example
    dtex: str = ""                    # TeX of ∂L/∂a
    np_fn: str = ""                   # numpy expression of a, t (N, S_L): the mean cost J
    np_grad: str = ""                 # numpy expression of a, t: ∂L_n/∂a_n per example

    @property
    def formula(self) -> str:
        """L and ∂L/∂a in one line of TeX."""
        return rf"L = {self.tex},\quad \frac{{\partial L}}{{\partial a}} = {self.dtex}"


LOSSES: dict[str, Loss] = {loss.name: loss for loss in [
    Loss("mse", _mse, lambda a, t: a - t, None, None, label="mean squared error ½‖a − t‖²",
         tex=r"\tfrac12\lVert a - t\rVert^2", dtex=r"a - t",
         np_fn="0.5 * np.sum((a - t) ** 2) / len(a)", np_grad="a - t"),
    Loss("binary_cross_entropy", _bce, _bce_grad, ("sigmoid",), "sigmoid", label="binary cross-entropy",
         tex=r"-\sum_j t_j\log a_j + (1-t_j)\log(1-a_j)", dtex=r"\frac{a - t}{a\,(1-a)}",
         np_fn="-np.sum(t * np.log(np.maximum(a, EPS)) + (1 - t) * np.log(np.maximum(1 - a, EPS))) / len(a)",
         np_grad="(a - t) / (np.maximum(a, EPS) * np.maximum(1 - a, EPS))"),
    Loss("cross_entropy", _ce, lambda a, t: -t / np.clip(a, EPS, None), ("softmax",), "softmax",
         label="cross-entropy", tex=r"-\sum_k t_k \log a_k", dtex=r"-\frac{t_k}{a_k}",
         np_fn="-np.sum(t * np.log(np.maximum(a, EPS))) / len(a)", np_grad="-t / np.maximum(a, EPS)"),
]}


def get_loss(name: str) -> Loss:
    """Look a loss up by name; unknown names list the valid ones."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None
