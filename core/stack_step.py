"""The training step of C networks of one shape at once: buffers, forward and backward.

Examples are rows and the stack comes first: Wb^(l) (C, S_l, S_{l−1} + 1); z, a, δ, Δ of
layer l (C, n, S_l); X_aug = [X | 1] (n, S_0 + 1) and T (n, S_L) are shared. The equations
and the matrix products are core/fast_step.py's and ``Network.backward``'s, one line each:

    (F1) z = [a_prev | 1] Wbᵀ      (F2) a = σ(z)
    (B1f) δ^(L) = a − t  or (B1) δ^(L) = Δ^(L) ⊙ σ'(z^(L))
    (B3, B4) [dJ/dW | dJ/db] = δᵀ [a_prev | 1] / n      (B2) Δ = δ W,  δ_prev = Δ ⊙ σ'(z_prev)

and each product is one ``np.matmul`` over the stack, which calls the same BLAS routine for
every network that a single run calls for its one: the numbers are a single run's, bit for
bit (tests/test_sweep.py). What differs is where the element-wise work happens. A hidden
layer's a sits beside its column of ones, [a | 1], so a single run's a is a strided view;
for one network of 400 rows that costs nothing, but for a stack numpy then runs one short
loop per row (8,400 loops of 4 numbers for 21 networks of width 4), and σ, σ' and the
product with Δ took over half the step. Here every hidden layer keeps *whole* buffers
with the bias unit's column, [z | 0], [a | 1], [δ | 0] and [Δ | 0], and σ, σ' and ⊙ run
over them as one contiguous loop; the bias column is reset to 1 after σ, and its δ is
0 · σ' = 0 (nothing flows back into a constant). ``bench/bench_sweep.py`` gives the figures.
"""
from __future__ import annotations

import numpy as np


class StackBuffers:
    """Arrays for a batch of ``n`` examples of a stack ``net`` (its layers hold stacked Wb).

    Hidden layer l (list index l − 1): ``Zw``, ``Aw`` = [a | 1], ``dw``, ``Dw``, each
    (C, n, S_l + 1). Output layer: ``Z``, ``A``, ``delta``, ``Delta`` (C, n, S_L; ``Delta`` only
    when the output error is not fused). ``dWb[l-1]`` is shaped like Wb^(l).
    """

    def __init__(self, net, n: int):
        C, dt = net.layers[0].Wb.shape[0], net.dtype
        hidden, S_L = net.sizes[1:-1], net.sizes[-1]
        self.n = n
        self.Zw = [np.zeros((C, n, s + 1), dtype=dt) for s in hidden]
        self.Aw = [np.ones((C, n, s + 1), dtype=dt) for s in hidden]
        self.dw = [np.zeros((C, n, s + 1), dtype=dt) for s in hidden]
        self.Dw = [np.zeros((C, n, s + 1), dtype=dt) for s in hidden]
        # δ of a one-unit hidden layer, contiguous (see ``backward``)
        self.dcol = [np.zeros((C, n, 1), dtype=dt) if s == 1 else None for s in hidden]
        self.Z, self.A, self.delta = (np.zeros((C, n, S_L), dtype=dt) for _ in range(3))
        self.Delta = None if net.fused else np.zeros((C, n, S_L), dtype=dt)
        self.dWb = [np.empty_like(layer.Wb) for layer in net.layers]

    @property
    def nbytes(self) -> int:
        arrays = self.Zw + self.Aw + self.dw + self.Dw + self.dWb + self.dcol + [self.Z, self.A, self.delta, self.Delta]
        return sum(a.nbytes for a in arrays if a is not None)

    @staticmethod
    def bytes_for(C: int, sizes: list[int], n: int, fused: bool, itemsize: int = 8) -> int:
        """What ``StackBuffers`` of C networks of ``sizes`` [S_0, ..., S_L] for ``n`` examples hold,
        without allocating them (the same arrays as ``__init__``)."""
        hidden, S_L = sizes[1:-1], sizes[-1]
        units = sum(4 * (s + 1) + (1 if s == 1 else 0) for s in hidden) + (3 if fused else 4) * S_L
        weights = sum(a * (b + 1) for a, b in zip(sizes[1:], sizes))
        return itemsize * C * (n * units + weights)


def forward(net, buf: StackBuffers, X_aug: np.ndarray) -> np.ndarray:
    """Forward pass of X_aug = [X | 1] (n, S_0 + 1) for every network; returns a^(L) (C, n, S_L)."""
    inputs, L = X_aug, len(net.layers)
    for l, layer in enumerate(net.layers):
        if l < L - 1:
            np.matmul(inputs, layer.Wb.mT, out=buf.Zw[l][..., :-1])   # (F1) z = [a_prev | 1] Wbᵀ
            layer.activation.fn(buf.Zw[l], out=buf.Aw[l])              # (F2) a = σ(z), over [z | 0]
            buf.Aw[l][..., -1] = 1.0                                    # the bias unit: 1 again
            inputs = buf.Aw[l]
        else:
            z = np.matmul(inputs, layer.Wb.mT, out=buf.Z)               # (F1)
            layer.activation.fn(z, out=buf.A)                           # (F2)
    return buf.A


def backward(net, buf: StackBuffers, X_aug: np.ndarray, T: np.ndarray, l1=0.0, l2=0.0) -> list:
    """Backpropagate after ``forward`` (same buffers, same X_aug); T (n, S_L). Returns
    [dJ/dWb^(l)] (C, S_l, S_{l−1} + 1). ``l1``, ``l2``: 0.0 or one rate per network, (C, 1, 1)."""
    L, n, out = len(net.layers), T.shape[0], net.layers[-1]
    if net.fused:
        delta = np.subtract(buf.A, T, out=buf.delta)                    # (B1f) δ^(L) = a − t
    else:                                                               # (B1) Δ^(L) ⊙ σ'(z^(L)) (softmax: B1s)
        buf.Delta[...] = net.loss.grad(buf.A, T)
        delta = out.activation.backward(buf.Z, buf.A, buf.Delta, out=buf.delta)
    for l in range(L, 0, -1):
        W = net.layers[l - 1].W
        inputs = buf.Aw[l - 2] if l > 1 else X_aug
        # (B3, B4) [∂J/∂W^(l) | ∂J/∂b^(l)] = (1/n) δ^(l)ᵀ [a^(l−1) | 1]
        dWb = np.matmul(delta.mT, inputs, out=buf.dWb[l - 1])
        dWb /= n
        # (P) the penalties' gradients l1 sign(W) + l2 W (the biases are not penalised)
        if _nonzero(l1):
            dWb[..., :-1] += l1 * np.sign(W)
        if _nonzero(l2):
            dWb[..., :-1] += l2 * W
        if l > 1:
            Dw, dw = buf.Dw[l - 2], buf.dw[l - 2]
            _delta_times_W(delta, W, Dw[..., :-1])                      # (B2) Δ^(l−1) = δ^(l) W^(l)
            net.layers[l - 2].activation.df(buf.Zw[l - 2], buf.Aw[l - 2], out=dw)   # σ'(z^(l−1)), [z | 0]
            dw *= Dw                                                    # (B2) δ^(l−1) = Δ ⊙ σ'; the bias column 0
            delta = dw[..., :-1]
            if buf.dcol[l - 2] is not None:
                # One unit: a single run's δ is a contiguous column, which numpy hands BLAS as a vector
                # one way; a strided one it hands over the other way, which sums in another order.
                np.copyto(buf.dcol[l - 2], delta)
                delta = buf.dcol[l - 2]
    return buf.dWb


def _delta_times_W(delta: np.ndarray, W: np.ndarray, out: np.ndarray) -> None:
    """Δ = δ W for every network, into ``out`` (C, n, S_{l−1}).

    From a layer of one unit (δ (C, n, 1)) each entry is one product δ_n W_j, which any order
    computes alike: taken column by column (S_{l−1} loops of C·n numbers), that is 2–4× faster
    than a BLAS call per network. Otherwise one batched matmul.
    """
    if delta.shape[-1] == 1 and W.shape[-1] <= 16:
        for j in range(W.shape[-1]):
            np.multiply(delta[..., 0], W[:, 0, j, None], out=out[..., j])
    else:
        np.matmul(delta, W, out=out)


def _nonzero(rate) -> bool:
    """A penalty rate in use: a number ≠ 0, or one rate per network (C, 1, 1) of which one is."""
    return bool(rate.any()) if isinstance(rate, np.ndarray) else bool(rate)
