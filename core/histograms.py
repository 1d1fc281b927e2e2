"""Weight and activation histograms, per layer, with bins shared so they compare.

Weights are each layer's W, (S_l, S_{l-1}) (biases are left out, as in Glorot & Bengio's
and Li et al.'s plots); activations are a^(l) over the training points, (N, S_l) (examples
are rows). For one layer the bin edges are shared by everything drawn together: several
networks side by side (the initialisation lesson: zeros, a too-large Gaussian, Xavier/He),
or one network at several epochs, so their bars line up. Each layer also reports the share
of saturated activations (the entry's ``saturated_outside`` range: |a| > 0.99 for tanh,
a ∉ [0.01, 0.99] for sigmoid) and of dead units (σ'(z) = 0 on every training point: a
ReLU never positive).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_BINS = 30


@dataclass(frozen=True)
class LayerHistogram:
    """One layer's histograms: ``edges`` (bins + 1,) shared by all ``counts`` (K, bins), one
    row per network (or epoch) given; ``saturated`` and ``dead`` (K,) shares in [0, 1], or
    None where they do not apply (weights, or an activation that never saturates)."""

    layer: int
    edges: np.ndarray
    counts: np.ndarray
    saturated: np.ndarray | None = None
    dead: np.ndarray | None = None


def shared_edges(arrays, bins: int = DEFAULT_BINS) -> np.ndarray:
    """(bins + 1,) equal-width edges spanning every value of ``arrays`` (a constant set, e.g.
    zeros, gets a unit-wide range around its value)."""
    if not isinstance(bins, int) or isinstance(bins, bool) or bins < 1:
        raise ValueError(f"bins must be a whole number ≥ 1, got {bins!r}")
    finite = [np.asarray(a, float)[np.isfinite(a)] for a in arrays]
    finite = [a for a in finite if a.size]
    if not finite:
        return np.linspace(-0.5, 0.5, bins + 1)
    lo, hi = min(float(a.min()) for a in finite), max(float(a.max()) for a in finite)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, bins + 1)


def _counts(arrays, edges) -> np.ndarray:
    return np.stack([np.histogram(np.asarray(a, float).ravel(), edges)[0] for a in arrays])


def weight_histograms(nets, bins: int = DEFAULT_BINS) -> list[LayerHistogram]:
    """Per layer l: the W^(l) of every network in ``nets`` (same layer sizes) on shared edges."""
    nets = list(nets)
    _same_shapes(nets)
    out = []
    for l in range(len(nets[0].layers)):
        Ws = [net.layers[l].W for net in nets]
        edges = shared_edges(Ws, bins)
        out.append(LayerHistogram(l + 1, edges, _counts(Ws, edges)))
    return out


def activation_histograms(nets, X, bins: int = DEFAULT_BINS) -> list[LayerHistogram]:
    """Per hidden layer l: a^(l) over the points X (N, S_0) for every network in ``nets``, on
    shared edges, with the saturated share of the values and the dead share of the units."""
    nets = list(nets)
    _same_shapes(nets)
    passes = [net.forward(X) for net in nets]
    out = []
    for l in range(len(nets[0].layers) - 1):
        act = nets[0].layers[l].activation
        As = [f.A[l + 1] for f in passes]
        edges = shared_edges(As, bins)
        sat = None
        if act.saturated_outside is not None:
            lo, hi = act.saturated_outside
            sat = np.array([float(np.mean((A < lo) | (A > hi))) for A in As])
        dead = np.array([float(np.mean(~np.any(act.df(f.Z[l], f.A[l + 1]) != 0, axis=0))) for f in passes])
        out.append(LayerHistogram(l + 1, edges, _counts(As, edges), sat, dead))
    return out


def _same_shapes(nets):
    if not nets:
        raise ValueError("give at least one network")
    sizes = {tuple(net.sizes) for net in nets}
    acts = {tuple(layer.activation.name for layer in net.layers) for net in nets}
    if len(sizes) > 1 or len(acts) > 1:
        raise ValueError(f"the networks differ (layer sizes {sorted(sizes)}); shared bins compare one layer "
                         "of networks built alike")
