"""Weight and activation histograms (core/histograms.py): bins shared per layer so networks
line up, every value counted once, the saturated share as the issue defines it for tanh and
sigmoid (read from the registry), the dead share of ReLU units never positive on any point.
"""
import numpy as np
import pytest

from core import Network, datasets
from core.histograms import activation_histograms, shared_edges, weight_histograms


def _X(n=200):
    return datasets.make("planar", n_samples=n, noise=0.2, seed=1)[0]


def test_weights_of_several_initialisations_share_each_layers_bins():
    layers = [(8, "tanh"), (6, "tanh"), (1, "sigmoid")]
    nets = [Network(2, layers, "binary_cross_entropy", seed=1, init=i) for i in ("xavier", "he", "small_gaussian")]
    for layer in nets[0].layers:                  # a network from zeros: a constant set
        layer.W[...] = 0.0
    hs = weight_histograms(nets, bins=12)
    assert [h.layer for h in hs] == [1, 2, 3]
    for h, l in zip(hs, range(3)):
        assert h.edges.shape == (13,) and h.counts.shape == (3, 12)
        assert list(h.counts.sum(axis=1)) == [net.layers[l].W.size for net in nets]   # every weight, once
        allW = np.concatenate([net.layers[l].W.ravel() for net in nets])
        assert h.edges[0] == allW.min() and h.edges[-1] == allW.max()
    assert hs[0].saturated is None and hs[0].dead is None


def test_saturated_and_dead_shares():
    X = _X()
    big = Network(2, [(5, "tanh"), (4, "sigmoid"), (1, "sigmoid")], "binary_cross_entropy", seed=3)
    for layer in big.layers:
        layer.W *= 40.0
    hs = activation_histograms([big], X, bins=10)
    A1, A2 = big.forward(X).A[1], big.forward(X).A[2]
    assert hs[0].saturated[0] == pytest.approx(np.mean(np.abs(A1) > 0.99)) and hs[0].saturated[0] > 0.5
    assert hs[1].saturated[0] == pytest.approx(np.mean((A2 < 0.01) | (A2 > 0.99)))
    assert hs[0].counts.sum() == A1.size and len(hs) == 2             # hidden layers only

    relu = Network(2, [(6, "relu"), (1, "sigmoid")], "binary_cross_entropy", seed=3)
    relu.layers[0].b[:2] = -1e3                                       # two units never positive
    h = activation_histograms([relu], X)[0]
    assert h.saturated is None and h.dead[0] == pytest.approx(2 / 6)


def test_constant_values_and_bad_arguments():
    e = shared_edges([np.zeros(5)], bins=4)
    assert e[0] < 0 < e[-1] and len(e) == 5
    with pytest.raises(ValueError, match="bins must be a whole number"):
        shared_edges([np.ones(3)], bins=0)
    a = Network(2, [(3, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=0)
    b = Network(2, [(4, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=0)
    with pytest.raises(ValueError, match="the networks differ"):
        weight_histograms([a, b])
