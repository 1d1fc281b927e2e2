"""Central-difference check of the backward pass, layer by layer (G1 of docs/derivation.md)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class LayerCheck:
    """Analytic against numerical gradient of one layer (relative errors)."""

    layer: int            # 1-based
    rel_error_W: float
    rel_error_b: float
    n_checked: int        # how many entries were perturbed


def relative_error(g_analytic: np.ndarray, g_numeric: np.ndarray) -> float:
    """‖g_a − g_n‖ / (‖g_a‖ + ‖g_n‖), 0 when both are 0."""
    den = np.linalg.norm(g_analytic) + np.linalg.norm(g_numeric)
    return float(np.linalg.norm(g_analytic - g_numeric) / den) if den > 0 else 0.0


def gradient_check(net, X, y, l1: float = 0.0, l2: float = 0.0, eps: float = 1e-6,
                   max_entries: int | None = 64) -> list[LayerCheck]:
    """Compare ``net.backward`` with (J(θ+ε) − J(θ−ε)) / 2ε (G1) for each layer.

    Checks up to ``max_entries`` entries of each W (all of them when None; a sample drawn
    the same way on every call otherwise) and all of b. The network is left exactly as it
    was. Run it in float64.
    """
    T = net.targets(y)
    X = net.check_X(X)
    bwd = net.backward(net.forward(X), T, l1, l2)
    rng = np.random.default_rng(0)

    def J() -> float:
        return net.loss.fn(net.forward(X).A[-1], T) + net.penalty(l1, l2)

    def numeric(p: np.ndarray, flat_idx: np.ndarray) -> np.ndarray:
        # p is a view into the layer's [W | b]; index it in place (p.reshape(-1) of the
        # non-contiguous W view would be a copy, and perturbing a copy changes nothing).
        out = np.empty(flat_idx.size)
        for k, i in enumerate(flat_idx):
            ij = np.unravel_index(i, p.shape)
            old = p[ij]
            p[ij] = old + eps
            j_plus = J()
            p[ij] = old - eps
            j_minus = J()
            p[ij] = old
            out[k] = (j_plus - j_minus) / (2 * eps)
        return out

    checks = []
    for l, layer in enumerate(net.layers):
        idx = np.arange(layer.W.size)
        if max_entries is not None and idx.size > max_entries:
            idx = np.sort(rng.choice(idx, size=max_entries, replace=False))
        gW = numeric(layer.W, idx)
        gb = numeric(layer.b, np.arange(layer.b.size))
        checks.append(LayerCheck(l + 1, relative_error(bwd.dW[l].reshape(-1)[idx], gW),
                                 relative_error(bwd.db[l], gb), idx.size + layer.b.size))
    return checks
