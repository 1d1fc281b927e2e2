"""Early stopping (core/stopping.py and the trainer): each rule stops where it says and says
why in one line; restoring gives the best validation epoch's weights exactly; the test set
never decides anything; a stop does not change training (a stopped run that goes on equals
one never stopped) and the gradients stay those of central differences.
"""
import numpy as np
import pytest

from core import Network, Trainer, datasets, train
from core.features import train_test_split
from core.gradcheck import relative_error
from core.stopping import StopRecord, Stopping, TrainingStopped, Watch


def _data(n=200, noise=0.35):
    X, y = datasets.make("noisy_moons", n_samples=n, noise=noise, seed=2)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, 0.3, seed=1, stratify=True)
    return X_tr, y_tr, X_va, y_va


def _net(seed=4):
    return Network(2, [(24, "relu"), (24, "relu"), (1, "sigmoid")], "binary_cross_entropy", seed=seed, init="he")


def test_the_watch_counts_epochs_without_improvement():
    w, params = Watch(Stopping(patience=4)), [np.zeros((2, 3))]
    for e, v in enumerate([0.9, 0.8, 0.85, 0.8, 0.81], start=1):
        assert w.after_epoch(e, 0.5, 0.7, v, params) is None
    stop = w.after_epoch(6, 0.5, 0.7, 0.79999, params)        # 0.79999 < 0.8: an improvement, the count restarts
    assert stop is None and w.best_epoch == 6
    for e in (7, 8, 9):
        assert w.after_epoch(e, 0.5, 0.7, 0.9, params) is None
    stop = w.after_epoch(10, 0.5, 0.7, 0.9, params)
    assert stop == StopRecord(10, "Stopped after epoch 10: the validation loss has not improved for 4 epochs "
                                  "(best 0.8, at epoch 6).", 6, False)
    assert "\n" not in str(TrainingStopped(stop))


def test_patience_stops_and_restores_the_best_epochs_weights_exactly():
    X_tr, y_tr, X_va, y_va = _data()
    net = _net()
    tr = Trainer(net, X_tr, y_tr, learning_rate=0.05, batch_size=10, seed=3, optimizer="adam", X_val=X_va, y_val=y_va,
                 stopping=Stopping(patience=15, restore_best=True))
    with pytest.raises(TrainingStopped) as err:
        tr.run_epochs(1000)
    rec, best = err.value.record, tr.best_epoch
    assert rec.epoch == tr.epoch < 1000 and rec.restored and rec.best_epoch == best == rec.epoch - 15
    assert f"the weights are back to epoch {best}'s" in str(err.value)
    again = _net()                                             # the same run, never stopped, to the best epoch
    Trainer(again, X_tr, y_tr, learning_rate=0.05, batch_size=10, seed=3, optimizer="adam").run_epochs(best)
    for p, q in zip(net.parameters(), again.parameters()):
        np.testing.assert_array_equal(p, q)
    with pytest.raises(TrainingStopped):                       # it stays stopped, and says so again
        tr.step()


@pytest.mark.parametrize("batch", [None, 16])
def test_a_stopped_run_that_goes_on_equals_one_never_stopped(batch):
    X_tr, y_tr, X_va, y_va = _data()
    a, b = _net(), _net()
    tr = Trainer(a, X_tr, y_tr, learning_rate=0.1, batch_size=batch, seed=1, X_val=X_va, y_val=y_va,
                 stopping=Stopping(at_epoch=7))
    with pytest.raises(TrainingStopped, match="Stopped after epoch 7: the epoch chosen to stop at."):
        tr.run_epochs(20)
    assert tr.epoch == 7 and len(tr.history) == 7
    tr.stopping = Stopping()                                   # a new rule: it trains on
    tr.run_epochs(5)
    ref = Trainer(b, X_tr, y_tr, learning_rate=0.1, batch_size=batch, seed=1)
    ref.run_epochs(12)
    assert tr.history.cost == ref.history.cost
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p, q)


def test_a_chosen_epoch_already_passed_stops_at_once():
    X_tr, y_tr, *_ = _data()
    tr = Trainer(_net(), X_tr, y_tr, learning_rate=0.1)
    tr.run_epochs(5)
    tr.stopping = Stopping(at_epoch=3)
    with pytest.raises(TrainingStopped, match="Stopped after epoch 5: the epoch chosen"):
        tr.step()
    assert tr.epoch == 5


def test_loss_and_accuracy_targets():
    X_tr, y_tr, *_ = _data(noise=0.1)
    h = train(_net(), X_tr, y_tr, learning_rate=0.05, optimizer="adam", batch_size=20, epochs=500,
              stopping=Stopping(score_target=0.95))
    assert h.accuracy[-1] >= 0.95 > max(h.accuracy[:-1])
    tr = Trainer(_net(), X_tr, y_tr, learning_rate=0.05, optimizer="adam", batch_size=20,
                 stopping=Stopping(loss_target=0.2))
    with pytest.raises(TrainingStopped, match=r"the training loss 0\.\d+ reached the target 0.2."):
        tr.run_epochs(500)
    assert tr.history.cost[-1] <= 0.2 < min(tr.history.cost[:-1])


def test_the_test_set_never_decides():
    """Scrambled test labels change nothing: where it stops and its best epoch come from the validation rows."""
    X_tr, y_tr, X_va, y_va = _data()
    ends = []
    for y_te in (y_va, 1 - y_va):
        tr = Trainer(_net(), X_tr, y_tr, learning_rate=0.05, batch_size=10, seed=3, optimizer="adam", X_test=X_va,
                     y_test=y_te, X_val=X_va, y_val=y_va, stopping=Stopping(patience=10))
        with pytest.raises(TrainingStopped):
            tr.run_epochs(1000)
        ends.append((tr.epoch, tr.best_epoch, tr.val_cost))
    assert ends[0] == ends[1]


def test_patience_without_validation_rows_is_refused():
    X_tr, y_tr, *_ = _data()
    with pytest.raises(ValueError, match="needs validation rows"):
        Trainer(_net(), X_tr, y_tr, stopping=Stopping(patience=5))
    for bad in (dict(patience=0), dict(at_epoch=1.5), dict(loss_target=-1.0), dict(restore_best=1)):
        with pytest.raises(ValueError):
            Stopping(**bad)


def test_gradients_at_a_stopped_runs_weights_match_central_differences():
    X_tr, y_tr, X_va, y_va = _data(60)
    net = Network(2, [(5, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=2)
    tr = Trainer(net, X_tr, y_tr, learning_rate=0.5, batch_size=8, X_val=X_va, y_val=y_va,
                 stopping=Stopping(patience=3, restore_best=True, at_epoch=40))
    with pytest.raises(TrainingStopped):
        tr.run_epochs(100)
    h = 1e-6
    for layer, (dW, db) in zip(net.layers, net.gradients(X_tr, y_tr)):
        for M, dM in ((layer.W, dW), (layer.b, db)):
            num = np.zeros_like(M)
            for i in np.ndindex(M.shape):
                keep = M[i]
                M[i] = keep + h
                up = net.cost(X_tr, y_tr)
                M[i] = keep - h
                num[i] = (up - net.cost(X_tr, y_tr)) / (2 * h)
                M[i] = keep
            assert relative_error(dM, num) < 1e-6


def test_the_record_round_trips_and_is_checked():
    rec = StopRecord(30, "Stopped after epoch 30: the epoch chosen to stop at.", 22, True)
    assert StopRecord.from_dict(rec.to_dict(), 30) == rec
    for bad, msg in [({**rec.to_dict(), "epoch": 31}, "stopped.epoch must be"),
                     ({**rec.to_dict(), "best_epoch": 40}, "best_epoch must be"),
                     ({**rec.to_dict(), "reason": "a\nb"}, "one line"),
                     ({**rec.to_dict(), "best_epoch": None}, "restored must be"),
                     ({"epoch": 3}, "exactly the fields")]:
        with pytest.raises(ValueError, match=msg):
            StopRecord.from_dict(bad, 30)
