"""Loss-landscape slices: the cost J on a line or a plane through weight space.

Weights are the layers' [W | b] arrays, Wb^(l) of shape (S_l, S_{l-1} + 1); a *direction*
is a list of arrays of those shapes. Examples are rows: X is (N, S_0), T (N, S_L).

* ``line_slice``: J(θ0 + t (θ1 − θ0)) along the straight line from the starting weights θ0
  to the current θ1, extended past both ends (Goodfellow et al. 2015).
* ``plane_slice``: J(θ + α d1 + β d2) on a grid around the current weights, for directions
  from ``pca_directions`` (the trajectory's first two principal directions, with the
  trajectory projected on them: how Li et al. 2018 draw trajectories) or
  ``random_directions`` (filter-normalised random directions, Li et al. 2018).

Every grid point's weights are stacked and evaluated together: one batched matrix product
per layer for all points (``batched_costs``), in chunks that keep memory bounded. A slice is a
picture of two dimensions out of many: it can mislead, and the 1-D path's shape does not
predict test accuracy.
"""
from __future__ import annotations

import numpy as np

CHUNK_FLOATS = 4_000_000      # at most this many floats of z per layer per chunk (32 MB)


def batched_costs(net, X, T, Wbs, l1: float = 0.0, l2: float = 0.0) -> np.ndarray:
    """J at P weight settings: ``Wbs[l]`` is (P, S_l, S_{l-1} + 1), every setting's [W | b] of
    layer l. Returns (P,) costs, each as ``net.cost`` computes it (mean loss + penalties)."""
    X, T = net.check_X(X), net.targets(T)
    P, N = Wbs[0].shape[0], X.shape[0]
    widest = max(layer.size for layer in net.layers)
    step = max(1, CHUNK_FLOATS // max(1, N * widest))
    X1 = np.hstack([X, np.ones((N, 1), dtype=X.dtype)])
    out = np.empty(P)
    for s in range(0, P, step):
        a = X1                                                    # [a^(0) | 1], (N, S_0 + 1)
        for l, layer in enumerate(net.layers):
            WbT = np.swapaxes(Wbs[l][s:s + step], 1, 2)           # (p, S_{l-1} + 1, S_l)
            z = np.matmul(a, WbT)                                 # (F1) z = [a | 1] Wbᵀ, (p, N, S_l): one product
            a = layer.activation.fn(z)                            # (F2) a = σ(z)
            if l < len(net.layers) - 1:
                a = np.concatenate([a, np.ones(a.shape[:-1] + (1,), dtype=a.dtype)], axis=-1)
        for i in range(a.shape[0]):                               # (C1) the loss of each setting, as net.cost
            out[s + i] = net.loss.fn(a[i], T)
    if l1 or l2:
        for l in range(len(net.layers)):
            W = Wbs[l][:, :, :-1]
            if l1:
                out += l1 * np.abs(W).sum(axis=(1, 2))
            if l2:
                out += 0.5 * l2 * np.einsum("pij,pij->p", W, W)
    return out


def _stack(origin, dirs, coords) -> list:
    """[(P, S_l, S_{l-1} + 1)]: origin + Σ_k coords[:, k] dirs[k], per layer."""
    return [o[None] + sum(c[:, None, None] * d[l][None] for c, d in zip(coords.T, dirs))
            for l, o in enumerate(origin)]


def line_slice(net, X, T, start, end, ts=None, l1: float = 0.0, l2: float = 0.0):
    """(ts, J) along θ(t) = start + t (end − start); ``ts`` default: 61 points from −0.5 to 1.5
    (t = 0 is the start, t = 1 the end). start, end: lists of [W | b] arrays."""
    ts = np.linspace(-0.5, 1.5, 61) if ts is None else np.asarray(ts, dtype=float)
    d = [e - s for s, e in zip(start, end)]
    return ts, batched_costs(net, X, T, _stack(start, [d], ts[:, None]), l1, l2)


def plane_slice(net, X, T, center, d1, d2, alphas, betas, l1: float = 0.0, l2: float = 0.0) -> np.ndarray:
    """J(center + α d1 + β d2) as (len(betas), len(alphas)): row i is β = betas[i]."""
    A, B = np.meshgrid(np.asarray(alphas, float), np.asarray(betas, float))
    coords = np.column_stack([A.ravel(), B.ravel()])
    return batched_costs(net, X, T, _stack(center, [d1, d2], coords), l1, l2).reshape(A.shape)


def flatten(params) -> np.ndarray:
    return np.concatenate([np.asarray(p, float).ravel() for p in params])


def unflatten(v, like) -> list:
    out, i = [], 0
    for p in like:
        out.append(v[i:i + p.size].reshape(p.shape))
        i += p.size
    return out


def pca_directions(snapshots, center):
    """The trajectory's first two principal directions about ``center`` (the current weights).

    snapshots: the weights along the run, each a list of [W | b] arrays (k ≥ 2 of them). The
    rows θ_i − θ_center are decomposed (SVD); returns (d1, d2, coords (k, 2), explained (2,)):
    unit directions shaped like the weights, each snapshot's (α, β) on their plane, and the
    share of the trajectory's spread each direction explains."""
    c = flatten(center)
    M = np.stack([flatten(s) - c for s in snapshots])
    if M.shape[0] < 2:
        raise ValueError(f"the trajectory needs at least 2 saved weight snapshots, got {M.shape[0]}")
    _, sv, Vt = np.linalg.svd(M, full_matrices=False)
    V = np.zeros((2, c.size))
    V[:min(2, Vt.shape[0])] = Vt[:2]
    total = float(np.sum(sv ** 2)) or 1.0
    explained = np.array([(sv[i] ** 2 if i < sv.size else 0.0) / total for i in range(2)])
    return unflatten(V[0], center), unflatten(V[1], center), M @ V.T, explained


def random_directions(params, rng: np.random.Generator):
    """Two filter-normalised random directions (Li et al. 2018): Gaussian, then each unit's
    row of W scaled to the norm of that unit's weights in ``params``; biases 0 (as they do)."""
    dirs = []
    for _ in range(2):
        d = []
        for p in params:
            W = p[:, :-1]
            r = rng.standard_normal(W.shape)
            norms = np.linalg.norm(r, axis=1, keepdims=True)
            r *= np.linalg.norm(W, axis=1, keepdims=True) / np.where(norms == 0, 1.0, norms)
            d.append(np.column_stack([r, np.zeros(p.shape[0])]))
        dirs.append(d)
    return dirs[0], dirs[1]
