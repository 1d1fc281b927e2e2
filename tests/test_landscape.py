"""Loss-landscape slices (core/landscape.py): the value at the origin is the run's cost (to
1e-12); the 1-D slice at t = 0 and t = 1 is the cost at the start and current weights; the
batched forward pass equals the network's own cost point by point, for every output and
loss and with penalties; PCA directions are orthonormal and place the trajectory on their
plane; random directions are filter-normalised with biases left out.
"""
import numpy as np
import pytest

from core import Network, Trainer, datasets
from core.landscape import (batched_costs, flatten, line_slice, pca_directions, plane_slice, random_directions)

CASES = [("planar", [(4, "tanh"), (1, "sigmoid")], "binary_cross_entropy", None),
         ("multi_blobs", [(6, "relu"), (5, "leaky_relu"), (3, "softmax")], "cross_entropy", 3),
         ("reg_plane", [(5, "tanh"), (1, "linear")], "mse", None),
         ("gauss", [(3, "sigmoid"), (1, "sigmoid")], "mse", None)]


def _trained(case, l1=0.0, l2=0.0, epochs=60):
    name, layers, loss, k = case
    X, y = datasets.make(name, n_samples=150, seed=1, n_classes=k)
    net = Network(2, layers, loss, seed=2)
    start = [p.copy() for p in net.parameters()]
    snaps = [start]
    tr = Trainer(net, X, y, learning_rate=0.3 if loss != "mse" else 0.05, batch_size=32, seed=1, l1=l1, l2=l2)
    for _ in range(epochs // 10):
        tr.run_epochs(10)
        snaps.append([p.copy() for p in net.parameters()])
    return net, X, y, start, snaps, tr


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.001, 0.003)])
def test_the_origin_is_the_runs_cost_and_the_line_meets_both_ends(case, l1, l2):
    net, X, y, start, snaps, tr = _trained(case, l1, l2)
    now = [p.copy() for p in net.parameters()]
    d1, d2, _, _ = pca_directions(snaps, now)
    J = plane_slice(net, X, y, now, d1, d2, np.linspace(-1, 1, 5), np.linspace(-1, 1, 5), l1, l2)
    assert abs(J[2, 2] - tr.history.cost[-1]) <= 1e-12               # the run's own recorded cost
    ts, line = line_slice(net, X, y, start, now, [-0.5, 0.0, 0.5, 1.0, 1.5], l1, l2)
    at_start = Network(2, case[1], case[2], seed=2).cost(X, y, l1, l2)
    assert abs(line[1] - at_start) <= 1e-12 and abs(line[3] - net.cost(X, y, l1, l2)) <= 1e-12


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_the_batched_pass_equals_one_point_at_a_time(case):
    net, X, y, start, snaps, _ = _trained(case)
    rng = np.random.default_rng(0)
    Wbs = [np.stack([s[l] + rng.normal(scale=0.3, size=s[l].shape) for s in snaps]) for l in range(len(start))]
    got = batched_costs(net, X, y, Wbs, 0.01, 0.02)
    for i in range(len(snaps)):
        for p, W in zip(net.parameters(), Wbs):
            np.copyto(p, W[i])
        assert abs(got[i] - net.cost(X, y, 0.01, 0.02)) <= 1e-12


def test_chunks_give_the_same_numbers(monkeypatch):
    import core.landscape as landscape
    net, X, y, start, snaps, _ = _trained(CASES[0])
    now = net.parameters()
    whole = plane_slice(net, X, y, now, *pca_directions(snaps, now)[:2], np.linspace(-2, 2, 9), np.linspace(-2, 2, 7))
    monkeypatch.setattr(landscape, "CHUNK_FLOATS", 1000)
    parts = plane_slice(net, X, y, now, *pca_directions(snaps, now)[:2], np.linspace(-2, 2, 9), np.linspace(-2, 2, 7))
    np.testing.assert_array_equal(whole, parts)
    assert whole.shape == (7, 9)


def test_pca_directions_are_orthonormal_and_hold_a_planar_trajectory():
    rng = np.random.default_rng(3)
    like = [np.zeros((4, 3)), np.zeros((1, 5))]
    u, v = rng.normal(size=17), rng.normal(size=17)
    coords = rng.normal(size=(12, 2))
    snaps = [[a.reshape(p.shape) for a, p in zip(np.split(c[0] * u + c[1] * v, [12]), like)] for c in coords]
    center = snaps[-1]
    d1, d2, xy, explained = pca_directions(snaps, center)
    D = np.stack([flatten(d1), flatten(d2)])
    np.testing.assert_allclose(D @ D.T, np.eye(2), atol=1e-12)
    rebuilt = xy @ D + flatten(center)
    np.testing.assert_allclose(rebuilt, np.stack([flatten(s) for s in snaps]), atol=1e-10)
    assert np.allclose(xy[-1], 0) and explained.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="at least 2"):
        pca_directions(snaps[:1], center)


def test_random_directions_are_filter_normalised():
    net, *_ = _trained(CASES[1], epochs=10)
    d1, d2 = random_directions(net.parameters(), np.random.default_rng(5))
    for d in (d1, d2):
        for p, q in zip(net.parameters(), d):
            np.testing.assert_allclose(np.linalg.norm(q[:, :-1], axis=1), np.linalg.norm(p[:, :-1], axis=1))
            assert not q[:, -1].any()
    assert not np.allclose(flatten(d1), flatten(d2))
