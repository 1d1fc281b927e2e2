"""core.sweep: every cell of a grid equals its own single run; the grid's limits and memory.

A cell's single run is ``cell.trainer(cell.network(S_0), X, y)``: a ``core.Trainer``. Cells
of one shape share a stack and equal their single runs bit for bit (each network gets the
BLAS calls its single run makes); cells padded into a wider stack differ in the last bits
(the padded zeros change how BLAS groups a dot product), and training can grow that.

Measured over 10,000 epochs (numpy 2.4, OpenBLAS 0.3.31): on Ng's 7 × 3 grid (widths 1, 2,
3, 4, 5, 20, 50 × learning rates 0.3, 1.2, 5; widths 1–5 padded to 5) the largest cost
difference was 7.3e-15 (width 3, learning rate 5), widths 4, 5, 20 and 50 bit for bit. On
MIXED below, SGD and momentum cells stay within 1.9e-14; the padded Adam cell (width 2,
learning rate 0.02) within 4.4e-16 for 1,000 epochs, past 1e-12 from epoch 2,281, 4.9e-6
at 10,000: Adam divides each step by the running size of its gradient, so where gradients
are tiny a last-bit difference becomes a difference in the step itself, and the run drifts.
(Adam at learning rate 1.2 in a stack padded to width 20: 1.7e-9 after 200 epochs.)
``pad=False`` keeps every cell bit for bit, however long it trains.
"""
import numpy as np
import pytest

from core import TrainingDiverged, datasets
from core.grid import MAX_CELLS, Cell, check_cells, check_grid
from core.sweep import Sweep, sweep_bytes
from core.sweep_history import CellHistory

FLOWER = datasets.make("planar")
EPOCHS = 1000


def ng(width, lr, seed=1, optimizer="sgd", l2=0.0, init="ng"):
    return Cell(((width, "tanh"), (1, "sigmoid")), "binary_cross_entropy", lr, optimizer=optimizer, init=init,
                seed=seed, l2=l2)


MIXED = ([ng(w, lr, s) for w in (1, 3, 4, 20) for lr in (0.3, 1.2) for s in (1, 2)]
         + [ng(2, 0.02, 3, "adam"), ng(20, 0.02, 3, "adam"),
            ng(3, 0.3, 4, "momentum", 0.01, "xavier"), ng(20, 0.3, 4, "momentum", 0.01, "xavier")])


def every_epoch(cells, X, y, **kw):
    """A sweep that keeps every epoch of its first EPOCHS in its history."""
    return Sweep(cells, X, y, history_budget=4 * EPOCHS, history_per_octave=EPOCHS, **kw)


def single_run(cell, X, y, epochs, **kw):
    trainer = cell.trainer(cell.network(X.shape[1]), X, y, **kw)
    trainer.run_epochs(epochs)
    return trainer


@pytest.fixture(scope="module")
def mixed():
    sweep = every_epoch(MIXED, *FLOWER)
    sweep.step(EPOCHS)
    return sweep


@pytest.fixture(scope="module")
def singles():
    return [single_run(cell, *FLOWER, EPOCHS) for cell in MIXED]


def test_the_mixed_grid_shares_stacks(mixed):
    """Widths 1–4 train padded in one stack (SGD, momentum and Adam side by side), width 20 in another."""
    widths = sorted(sorted({c.layers[0][0] for c in stack.cells}) for stack in mixed.stacks)
    assert widths == [[1, 2, 3, 4], [20]]
    assert any(stack.padded for stack in mixed.stacks)


def test_every_cell_equals_its_single_run_to_1e_12_over_1000_epochs(mixed, singles):
    epochs, cost = mixed.curves("cost")
    _, score = mixed.curves("score")
    np.testing.assert_array_equal(epochs, np.arange(1, EPOCHS + 1))
    for i, (cell, trainer) in enumerate(zip(MIXED, singles)):
        np.testing.assert_allclose(cost[:, i], trainer.history.cost, rtol=0, atol=1e-12, err_msg=str(cell))
        np.testing.assert_array_equal(score[:, i], trainer.history.accuracy, err_msg=str(cell))
        for got, want in zip(mixed.network(i).layers, trainer.net.layers):
            np.testing.assert_allclose(got.Wb, want.Wb, rtol=0, atol=1e-12)


def test_cells_of_one_shape_equal_their_single_runs_bit_for_bit(mixed, singles):
    _, cost = mixed.curves("cost")
    for i, (cell, trainer) in enumerate(zip(MIXED, singles)):
        if cell.layers[0][0] == 20:                   # their stack is not padded
            np.testing.assert_array_equal(cost[:, i], trainer.history.cost)
            for got, want in zip(mixed.network(i).layers, trainer.net.layers):
                np.testing.assert_array_equal(got.Wb, want.Wb)


def test_without_padding_every_cell_is_bit_for_bit(singles):
    sweep = every_epoch(MIXED, *FLOWER, pad=False)
    sweep.step(300)
    assert not any(stack.padded for stack in sweep.stacks)
    _, cost = sweep.curves("cost")
    for i, trainer in enumerate(singles):
        np.testing.assert_array_equal(cost[:, i], trainer.history.cost[:300])


def test_mini_batches_penalties_test_set_and_softmax_bit_for_bit():
    """Shared shuffling seed, smaller last batch (300 = 4 × 64 + 44), L1 and L2 per cell, test
    scores, a non-fused loss and a width-1 hidden layer: each cell's whole history is its single run's."""
    X, y = datasets.make("multi_blobs", n_samples=360, n_classes=3, seed=2)
    X_tr, y_tr, X_te, y_te = X[:300], y[:300], X[300:], y[300:]
    cells = [Cell(((w, "relu"), (3, "softmax")), loss, lr, optimizer=opt, seed=s, batch_size=64, l1=l1, l2=l2)
             for w, loss in ((5, "cross_entropy"), (1, "cross_entropy"), (5, "mse"))
             for lr, opt, s, l1, l2 in ((0.1, "sgd", 1, 0.0, 0.0), (0.05, "momentum", 2, 0.001, 0.0),
                                        (0.01, "adam", 3, 0.0, 0.01))]
    epochs = 15
    sweep = Sweep(cells, X_tr, y_tr, X_test=X_te, y_test=y_te, shuffle_seed=7, pad=False)
    sweep.step(epochs)
    for i, cell in enumerate(cells):
        h = single_run(cell, X_tr, y_tr, epochs, shuffle_seed=7, X_test=X_te, y_test=y_te).history
        for field, want in (("cost", h.cost), ("score", h.accuracy), ("test_cost", h.test_cost),
                            ("test_score", h.test_accuracy)):
            np.testing.assert_array_equal(sweep.curves(field)[1][:, i], want, err_msg=f"{cell} {field}")


def test_a_diverging_cell_stops_where_its_single_run_does_and_alone():
    X, y = datasets.make("reg_plane", n_samples=200)
    cells = [Cell(((8, "relu"), (1, "linear")), "mse", lr, seed=1) for lr in (0.01, 3.0)]
    sweep = every_epoch(cells, X, y)
    with np.errstate(all="ignore"):
        sweep.step(40)
        trainer = cells[1].trainer(cells[1].network(2), X, y)
        with pytest.raises(TrainingDiverged, match="in epoch 5"):
            trainer.run_epochs(40)
    assert list(sweep.diverged_at) == [0, 5]
    for got, want in zip(sweep.network(1).layers, trainer.net.layers):
        np.testing.assert_array_equal(got.Wb, want.Wb)         # both back to the end of epoch 4
    _, cost = sweep.curves("cost")
    assert np.all(np.isnan(cost[4:, 1])) and np.all(np.isfinite(cost[:4, 1]))
    np.testing.assert_array_equal(cost[:, 0], single_run(cells[0], X, y, 40).history.cost)


def test_reset_replays_the_same_numbers():
    cells = [ng(w, 1.2) for w in (2, 4)]
    sweep = Sweep(cells, *FLOWER)
    sweep.step(30)
    first = sweep.curves("cost")[1].copy()
    sweep.reset()
    assert sweep.epoch == 0 and len(sweep.curves()[0]) == 0
    sweep.step(30)
    np.testing.assert_array_equal(sweep.curves("cost")[1], first)


# ---- limits and memory ------------------------------------------------------------------

def test_grids_over_7_by_7_cells_and_5_seeds_are_refused():
    assert check_grid([7, 7], seeds=5) == MAX_CELLS == 245
    assert check_grid([4]) == 4
    with pytest.raises(ValueError, match=r"axis 2 of the grid has 8 values; give it 1 to 7"):
        check_grid([7, 8])
    with pytest.raises(ValueError, match=r"1 to 5 seeds, got 6"):
        check_grid([7, 7], seeds=6)
    with pytest.raises(ValueError, match=r"at most 2 axes"):
        check_grid([2, 2, 2])
    with pytest.raises(ValueError, match=r"a sweep trains 1 to 245 networks .* got 246; remove values"):
        Sweep([ng(4, 1.2)] * 246, *FLOWER)
    with pytest.raises(ValueError, match=r"got 0"):
        check_cells(0)


def test_bad_cells_are_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"learning rate must be a positive number"):
        ng(4, 0.0)
    with pytest.raises(ValueError, match=r"unknown optimizer 'rmsprop'; choose one of sgd, momentum, adam"):
        ng(4, 1.2, optimizer="rmsprop")
    with pytest.raises(ValueError, match=r"cell 2's output layer differs"):
        Sweep([ng(4, 1.2), Cell(((4, "tanh"), (2, "softmax")), "cross_entropy", 1.2)], *FLOWER)
    with pytest.raises(ValueError, match=r"X must have shape \(N, S_0\)"):
        Sweep([ng(4, 1.2)], FLOWER[0][:, 0], FLOWER[1])


def test_memory_per_cell_is_bounded_whatever_the_epoch_count():
    sweep = Sweep([ng(4, lr) for lr in (0.3, 1.2, 5.0)], *FLOWER)
    sweep.step(10)
    before = sweep.nbytes
    sweep.step(3000)
    assert sweep.nbytes == before                      # buffers reused, history preallocated ...
    assert len(sweep.stacks[0].history) <= 256 + 1     # ... and kept within its budget of rows
    assert before / 3 < 150_000                        # weights, buffers, history: ~90 kB a cell


def test_the_history_keeps_every_early_epoch_and_a_bounded_rest():
    h = CellHistory(2, budget=128, per_octave=32)
    for e in range(1, 100_001):
        h.record(e, np.array([e, -e]), np.zeros(2))
        assert len(h) <= 129
    epochs = h.epochs
    assert epochs[-1] == 100_000 and np.all(np.diff(epochs) > 0)
    early = 2 * h.per_octave                                        # halved twice when full: 8
    assert h.per_octave == 8 and list(epochs[:early]) == list(range(1, early + 1))    # early epochs stay
    np.testing.assert_array_equal(h.get("cost")[:, 0], epochs)
    np.testing.assert_array_equal(h.get("cost")[:, 1], -epochs)
    assert np.all(np.isnan(h.get("test_cost")))
    with pytest.raises(ValueError, match="not after"):
        h.record(5, np.zeros(2), np.zeros(2))


@pytest.mark.parametrize("batch_size", [None, 1, 32, 128])
@pytest.mark.parametrize("widths", [(4,), (1, 2, 3, 4, 5, 20, 50), (50, 50)])
def test_the_byte_bound_holds_what_a_trained_sweep_holds(batch_size, widths):
    """``sweep_bytes`` is found from the shapes before anything is built, and bounds what the
    sweep holds once every buffer it needs exists (a few epochs in: batches, the last smaller
    batch, the scores over all N, the test set), padded stacks and Adam's two states included;
    and it is not a wild overestimate."""
    X, y = datasets.make("planar")
    X_test, y_test = X[:80], y[:80]
    cells = [Cell(((w, "tanh"), (w, "relu"), (1, "sigmoid")), "binary_cross_entropy", 0.01, optimizer=opt,
                  seed=s, batch_size=batch_size) for w in widths for s, opt in ((1, "adam"), (2, "sgd"))]
    bound = sweep_bytes(cells, 2, len(y), len(y_test))
    sweep = Sweep(cells, X, y, X_test=X_test, y_test=y_test)
    sweep.step(2)
    starts = sum(p.nbytes for cell in cells for p in cell.network(2).parameters())      # the kept starting networks
    held = sweep.nbytes + starts
    assert held <= bound <= 2 * held, (held, bound)
