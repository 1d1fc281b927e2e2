"""The training loop's gradient step: the same equations as ``Network.forward`` and
``Network.backward``, computed in preallocated buffers.

Examples are rows. A layer's input is kept *augmented* with a column of ones,
[a^(l−1) | 1] of shape (n, S_{l−1} + 1), so that with the layer's Wb = [W | b]

    z^(l)      = [a^(l−1) | 1] Wbᵀ           (= W a^(l−1) + b, one product)
    dJ/dWb^(l) = δ^(l)ᵀ [a^(l−1) | 1] / n    (= [dJ/dW | dJ/db], one product)

The deltas here are pre-divided by n (the batch mean is applied once, at the
output), so each gradient is a single matrix product. Every array the step writes
lives in ``StepBuffers`` and is reused from step to step: on a 2-core machine a fresh
half-megabyte temporary costs more than the arithmetic done in it.
``tests/test_gradients.py`` proves the results equal the reference backward pass.
"""
from __future__ import annotations

import math

import numpy as np


class StepBuffers:
    """Buffers for batches of ``n`` examples, per layer l = 1..L (list index l − 1).

    ``A[l]``: [a^(l) | 1] (n, S_l + 1) for the hidden layers; ``a[l]`` its a^(l) part;
    ``Z[l]``: z^(l) (n, S_l); ``a_out``: a^(L); ``delta[l]``: δ^(l)/n (n, S_l);
    ``tmp[l]``: scratch (n, S_l); ``dWb[l]``: [dJ/dW | dJ/db] like the layer's Wb.
    """

    def __init__(self, net, n: int):
        sizes = net.sizes
        dt = net.dtype
        self.n = n
        self.A = [np.ones((n, s + 1), dtype=dt) for s in sizes[1:-1]]   # [a^(l) | 1], l = 1..L−1
        self.a = [A[:, :-1] for A in self.A]
        self.Z = [np.empty((n, s), dtype=dt) for s in sizes[1:]]
        self.a_out = np.empty((n, sizes[-1]), dtype=dt)
        self.delta = [np.empty((n, s), dtype=dt) for s in sizes[1:]]
        self.tmp = [np.empty((n, s), dtype=dt) for s in sizes[1:]]
        self.dWb = [np.empty_like(layer.Wb) for layer in net.layers]


def augment(X: np.ndarray) -> np.ndarray:
    """[X | 1], shape (N, S_0 + 1)."""
    return np.concatenate([X, np.ones((X.shape[0], 1), dtype=X.dtype)], axis=1)


def forward_into(net, buf: StepBuffers, X_aug: np.ndarray) -> np.ndarray:
    """Forward pass of X_aug (n, S_0+1) into ``buf``; returns a^(L) (n, S_L)."""
    A_in, last = X_aug, len(net.layers) - 1
    for l, layer in enumerate(net.layers):
        z = np.matmul(A_in, layer.Wb.T, out=buf.Z[l])                 # z = W a_prev + b
        if l < last:
            layer.activation.fn_into(z, buf.a[l])                      # a = σ(z), beside its ones
            A_in = buf.A[l]
        else:
            layer.activation.fn_into(z, buf.a_out)
    return buf.a_out


def backward_into(net, buf: StepBuffers, X_aug: np.ndarray, T: np.ndarray, l1: float, l2: float):
    """Gradients into ``buf.dWb`` after ``forward_into``; returns (‖dJ/dW‖, mean |δ|) per layer.

    δ is the per-example error ∂L_n/∂z_n (mean |δ| is reported on that scale). Nothing
    raises on overflow: non-finite values show up in the norms, which the caller checks.
    """
    L, n, a = len(net.layers), buf.n, buf.a_out
    norms, means = [0.0] * L, [0.0] * L
    delta = buf.delta[-1]
    if net.fused:
        np.subtract(a, T, out=delta)                                   # δ^(L) = a − t (fused pairing)
    else:
        out = net.layers[-1].activation
        delta[...] = out.backward(buf.Z[-1], a, net.loss.grad(a, T))   # δ^(L) = Delta^(L) ⊙ σ'(z)
    delta *= 1.0 / n                                                   # the batch mean, once
    for l in range(L - 1, -1, -1):
        layer = net.layers[l]
        A_in = buf.A[l - 1] if l else X_aug
        dWb = np.matmul(delta.T, A_in, out=buf.dWb[l])                 # [dW | db] = δᵀ [a_prev | 1]
        means[l] = float(np.abs(delta, out=buf.tmp[l]).sum()) / delta.shape[1]
        if l1 or l2:
            dW = dWb[:, :-1]
            if l1:
                dW += l1 * np.sign(layer.W)
            if l2:
                dW += l2 * layer.W
        sq = float(np.vdot(dWb, dWb))
        db = dWb[:, -1]
        norms[l] = math.sqrt(max(sq - float(np.dot(db, db)), 0.0)) if math.isfinite(sq) else sq
        if l:
            Delta = np.matmul(delta, layer.Wb[:, :-1], out=buf.delta[l - 1])   # Delta^(l−1) = (W^(l))ᵀ δ^(l)
            prev = net.layers[l - 1].activation                        # δ = Delta ⊙ σ'(z), in place
            delta = prev.backward_into(buf.Z[l - 1], buf.a[l - 1], Delta, buf.tmp[l - 1])
    return norms, means
