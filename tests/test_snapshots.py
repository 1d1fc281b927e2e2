"""Weight snapshots for the GIF export: bounded memory whatever the run's length, every
epoch kept early, spaced further apart later, copies (not views) of the layers' Wb."""
import time

import numpy as np
import pytest

from core import Network, Trainer, datasets
from core.snapshots import WeightSnapshots

PARAMS = [np.zeros((4, 3)), np.zeros((1, 5))]


def test_a_million_epochs_stay_within_budget_and_keep_the_start_and_the_end():
    snaps = WeightSnapshots(max_frames=120)
    start = time.perf_counter()
    for epoch in range(1_000_001):
        snaps.record(epoch, PARAMS)
        assert len(snaps) <= 120 or pytest.fail(f"{len(snaps)} frames at epoch {epoch}")
    seconds = time.perf_counter() - start
    epochs = snaps.epochs
    assert epochs[:3] == [0, 1, 2]                      # the first epochs, where learning shows most
    assert epochs == sorted(set(epochs))
    assert epochs[-1] >= 0.97 * 1_000_000               # the latest, within one spacing step
    snaps.record(1_000_000, PARAMS, force=True)
    assert snaps.epochs[-1] == 1_000_000 and len(snaps) <= 120
    assert seconds < 10                                  # ~0.3 s here: an int compare when not due


def test_spacing_is_dense_early_and_sparse_late():
    snaps = WeightSnapshots(max_frames=120)
    for epoch in range(3001):
        snaps.record(epoch, PARAMS)
    e = np.array(snaps.epochs)
    assert 100 <= len(e) <= 120
    assert list(e[:8]) == list(range(8))
    gaps = np.diff(e)
    assert gaps[:20].mean() < gaps[-20:].mean() / 5
    assert np.sum(e <= 300) >= 30                       # the first tenth of the run keeps a quarter


def test_short_runs_keep_every_epoch():
    snaps = WeightSnapshots(max_frames=120)
    for epoch in range(51):
        snaps.record(epoch, PARAMS)
    assert snaps.epochs == list(range(51))


def test_frames_are_copies_of_the_training_weights():
    X, y = datasets.make("planar", n_samples=100, noise=0.2, seed=1)
    net = Network(2, [(4, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=2, init="small_gaussian")
    trainer = Trainer(net, X, y, learning_rate=1.2)
    snaps = WeightSnapshots(max_frames=20)
    snaps.record(0, net.parameters())
    start = [p.copy() for p in net.parameters()]
    for _ in range(50):
        trainer.run_epochs(1)
        snaps.record(trainer.epoch, net.parameters())
    epoch0, params0 = next(iter(snaps))
    assert epoch0 == 0
    for kept, p in zip(params0, start):
        np.testing.assert_array_equal(kept, p)
    assert not np.shares_memory(snaps.params[-1][0], net.parameters()[0])
    assert len(snaps) <= 20 and snaps.last_epoch <= 50


def test_truncate_after_a_rollback_and_clear():
    snaps = WeightSnapshots(max_frames=10)
    for epoch in range(30):
        snaps.record(epoch, PARAMS)
    snaps.truncate(12)
    assert snaps.last_epoch <= 12
    assert snaps.record(13, PARAMS)                     # due again right after the rollback point
    with pytest.raises(ValueError, match="before the last recorded epoch"):
        snaps.record(5, PARAMS, force=True)
    snaps.clear()
    assert len(snaps) == 0 and snaps.record(0, PARAMS)


def test_budget_must_be_sensible():
    with pytest.raises(ValueError, match="max_frames must be a whole number >= 3"):
        WeightSnapshots(max_frames=2)
