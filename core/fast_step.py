"""The training step's buffers and its forward pass; its backward pass is ``Network.backward``.

Examples are rows. A layer's input is kept *augmented* with a column of ones,
[a^(l−1) | 1] of shape (n, S_{l−1} + 1), so that with the layer's Wb = [W | b]

    z^(l)      = [a^(l−1) | 1] Wbᵀ             (F1: = W a^(l−1) + b, one product)
    dJ/dWb^(l) = δ^(l)ᵀ [a^(l−1) | 1] / n      (B3, B4: = [dJ/dW | dJ/db], one product)

(docs/derivation.md, "How the engine computes it"). Every array a step writes lives in
``StepBuffers`` and is reused from step to step: on a 2-core machine a fresh
half-megabyte temporary costs more than the arithmetic done in it. ``forward_into``
fills its Forward, ``Network.backward(fwd, T, out=bwd)`` its Backward, and
``magnitudes`` reads what the history records. ``tests/test_gradients.py`` proves the
forward equal to ``Network.forward``.
"""
from __future__ import annotations

import math

import numpy as np

from .network import Backward, Forward, augment

__all__ = ["StepBuffers", "augment", "forward_into", "magnitudes"]


class StepBuffers:
    """Buffers for batches of ``n`` examples.

    ``fwd``: a Forward whose ``inputs[l]`` are [a^(l) | 1] (n, S_l + 1) for the hidden layers
    and ``A[l]`` their a^(l) parts (``inputs[0]`` and ``A[0]`` are set to the batch by
    ``forward_into``); ``bwd``: a Backward; ``scratch[l]``: (n, S_{l+1}) for ``magnitudes``.
    """

    def __init__(self, net, n: int):
        sizes, dt = net.sizes, net.dtype
        self.n = n
        hidden = [np.ones((n, s + 1), dtype=dt) for s in sizes[1:-1]]       # [a^(l) | 1], l = 1..L−1
        self.fwd = Forward(Z=[np.empty((n, s), dtype=dt) for s in sizes[1:]],
                           A=[None] + [h[:, :-1] for h in hidden] + [np.empty((n, sizes[-1]), dtype=dt)],
                           inputs=[None] + hidden)
        self.bwd = Backward.empty(net, n)
        self.scratch = [np.empty((n, s), dtype=dt) for s in sizes[1:]]


def forward_into(net, buf: StepBuffers, X_aug: np.ndarray) -> np.ndarray:
    """Forward pass of X_aug = [X | 1] (n, S_0 + 1) into ``buf.fwd``; returns a^(L) (n, S_L)."""
    fwd = buf.fwd
    fwd.inputs[0], fwd.A[0] = X_aug, X_aug[:, :-1]
    for l, layer in enumerate(net.layers):
        z = np.matmul(fwd.inputs[l], layer.Wb.T, out=fwd.Z[l])      # (F1) z = [a_prev | 1] Wbᵀ
        layer.activation.fn(z, out=fwd.A[l + 1])                      # (F2) a = σ(z), beside its ones
    return fwd.A[-1]


def magnitudes(buf: StepBuffers) -> tuple[list[float], list[float]]:
    """(‖dJ/dW^(l)‖, mean |δ^(l)|) per layer after a backward pass into ``buf.bwd``.

    Nothing raises on overflow: non-finite values show up in the norms, which the caller checks.
    """
    norms, means = [], []
    for dWb, delta, scratch in zip(buf.bwd.dWb, buf.bwd.delta, buf.scratch):
        means.append(float(np.abs(delta, out=scratch).sum()) / delta.size)
        sq, db = float(np.vdot(dWb, dWb)), dWb[:, -1]
        norms.append(math.sqrt(max(sq - float(np.dot(db, db)), 0.0)) if math.isfinite(sq) else sq)
    return norms, means
