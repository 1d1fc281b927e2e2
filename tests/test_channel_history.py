"""The live view's bounded history: a fixed budget however long training runs, early
epochs kept in detail, the latest epoch always last, each kept point handed out once."""
from __future__ import annotations

import numpy as np

from core import Network, Trainer
from explorer.training.history import LiveHistory, kept


def _record(h: LiveHistory, epoch: int) -> None:
    h.record(epoch, 1.0 / epoch, 0.5, None, None, [0.1], [0.2])


def test_a_million_epochs_stay_within_the_budget():
    h = LiveHistory(budget=512)
    sizes = []
    for e in range(1, 1_000_001):
        _record(h, e)
        if e % 50_000 == 0:
            sizes.append(len(h))
    assert max(sizes) <= 512 + 1 and len(h) <= 513
    assert h.epochs[-1] == 1_000_000 and h.cost[-1] == 1e-6          # the latest is the last entry
    assert h.epochs[:20] == list(range(1, 21))                        # early epochs keep their detail
    assert np.all(np.diff(h.epochs) > 0)
    assert len(h.grad_norm) == len(h.delta_mean) == len(h.cost) == len(h.epochs)
    # log-spaced: about as many points in the last decade as in the one before it
    e = np.array(h.epochs)
    last, before = np.sum(e > 100_000), np.sum((e > 10_000) & (e <= 100_000))
    assert 0.7 < last / before < 1.4, (last, before)


def test_a_trainer_feeds_it_and_keeps_memory_flat():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 2))
    y = np.array([0, 1, 1, 0])
    net = Network(2, [(2, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=1)
    h = LiveHistory(budget=256)
    tr = Trainer(net, X, y, learning_rate=0.5, history=h, X_test=X, y_test=y)
    tr.run_epochs(20_000)
    assert tr.epoch == 20_000 and h.epochs[-1] == 20_000 and h.metric == "accuracy"
    assert len(h) <= 257 and len(h.test_cost) == len(h.cost)
    assert all(kept(e, h.per_octave) for e in h.epochs[:-1])


def test_new_points_are_handed_out_once_and_only_kept_ones():
    h = LiveHistory(budget=256, per_octave=8)
    taken = []
    for e in range(1, 2001):
        _record(h, e)
        if e % 7 == 0:
            taken += [int(r[0]) for r in h.take_new()]
    taken += [int(r[0]) for r in h.take_new()]
    assert len(taken) == len(set(taken)) and taken == sorted(taken)
    assert set(h.epochs[:-1]) <= set(taken)                           # the client got every kept point
    assert all(kept(e, 8) for e in taken)


def test_the_budget_coarsens_the_spacing():
    h = LiveHistory(budget=64, per_octave=16)
    for e in range(1, 100_001):
        _record(h, e)
    assert h.per_octave < 16 and len(h) <= 65
    assert all(kept(e, h.per_octave) for e in h.epochs[:-1])
