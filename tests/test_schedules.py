"""Learning-rate schedules (core/schedules.py): each entry's Python text is its function, bit for
bit; each schedule has the shape its name promises; warm-up comes first; the trainer applies
η · f(t) to every update, counting updates (mini-batches) in fractions of an epoch; a learning
rate changed mid-run is the new base from that update on; and the gradients are unchanged
(central differences, as tests/test_gradients.py).
"""
import math

import numpy as np
import pytest

from core import Network, Trainer, datasets
from core.gradcheck import relative_error
from core.schedules import SCHEDULES, Schedule

TAUS = [0.0, 0.25, 0.5, 1.0, 2.9999999, 3.0, 7.5, 10.0, 12.0, 99.0, 100.0, 100.5, 250.0, 1e4 + 1 / 3]


@pytest.mark.parametrize("name", list(SCHEDULES))
@pytest.mark.parametrize("restarts", [False, True])
def test_python_text_is_the_function_bit_for_bit(name, restarts):
    s = Schedule(name, period=10, gamma=0.7, floor=0.05, restarts=restarts)
    for tau in TAUS:
        text = eval(SCHEDULES[name].py, {"math": math, "tau": tau, "PERIOD": s.period, "GAMMA": s.gamma,
                                          "FLOOR": s.floor, "RESTARTS": s.restarts})
        assert text == SCHEDULES[name].fn(tau, s), (name, tau)


def test_each_schedule_has_its_shape():
    f = lambda s, t: s.factor(t, t + 1)                      # noqa: E731 - full batch: one update an epoch
    step = Schedule("step", period=10, gamma=0.5)
    assert [f(step, t) for t in (0, 9, 10, 19, 20)] == [1.0, 1.0, 0.5, 0.5, 0.25]
    expo = Schedule("exponential", period=10, gamma=0.5)
    assert f(expo, 0) == 1.0 and f(expo, 5) == pytest.approx(2 ** -0.5) and f(expo, 20) == pytest.approx(0.25)
    cos = Schedule("cosine", period=100, floor=0.1)
    assert f(cos, 0) == 1.0 and f(cos, 50) == pytest.approx(0.55) and f(cos, 100) == pytest.approx(0.1)
    assert f(cos, 400) == pytest.approx(0.1)                # no restarts: it stays at the floor
    again = Schedule("cosine", period=100, floor=0.1, restarts=True)
    assert f(again, 100) == 1.0 and f(again, 150) == pytest.approx(0.55)
    tri = Schedule("triangle", period=20, floor=0.2)
    assert [f(tri, t) for t in (0, 5, 10, 15, 20)] == pytest.approx([0.2, 0.6, 1.0, 0.6, 0.2])
    assert f(Schedule(), 1e6) == 1.0 and Schedule().is_constant


def test_linear_warm_up_comes_first_then_the_schedule_starts():
    s = Schedule("cosine", period=10, warmup=4)
    assert [s.factor(t, t + 1) for t in range(5)] == [0.25, 0.5, 0.75, 1.0, 1.0]
    assert s.factor(9, 10) == pytest.approx(Schedule("cosine", period=10).factor(5, 6))
    assert not Schedule(warmup=3).is_constant and Schedule(warmup=3).factor(0.0, 0.5) == pytest.approx(0.5 / 3)


@pytest.mark.parametrize("kw, message", [
    (dict(name="warm"), "unknown schedule 'warm'; choose one of constant, step"),
    (dict(period=0), "period must be a whole number from 1"),
    (dict(gamma=0.0), "γ \\(gamma\\) must be a number above 0"),
    (dict(gamma=1.5), "γ \\(gamma\\) must be"),
    (dict(floor=float("nan")), "the floor must be a number from 0 to 1"),
    (dict(warmup=-1), "the warm-up must be a whole number"),
    (dict(restarts=1), "restarts must be true or false"),
])
def test_bad_parameters_are_refused_with_a_sentence(kw, message):
    with pytest.raises(ValueError, match=message):
        Schedule(**kw)


def test_from_dict_names_the_field_and_round_trips():
    s = Schedule("triangle", period=7, floor=0.25, warmup=2)
    assert Schedule.from_dict(s.to_dict()) == s
    with pytest.raises(ValueError, match="training.schedule has an unexpected field 'speed'"):
        Schedule.from_dict({"name": "step", "speed": 2}, "training.schedule")
    with pytest.raises(ValueError, match="training.schedule: unknown schedule"):
        Schedule.from_dict({"name": 3}, "training.schedule")


def _flower(n=120):
    X, y = datasets.make("planar", n_samples=n, noise=0.2, seed=1)
    return X, y


def _sgd_by_hand(net, X, T, etas_of, batch, epochs, seed):
    """Plain SGD written out: the η of each update from ``etas_of(t, t_end)``."""
    rng, N = np.random.default_rng(seed), len(X)
    for e in range(epochs):
        order = np.arange(N) if batch is None else rng.permutation(N)
        size = N if batch is None else batch
        for p in range(0, N, size):
            idx = order[p:p + size]
            grads = net.gradients(X[idx], T[idx])
            eta = etas_of(e + p / N, e + (p + len(idx)) / N)
            for layer, (dW, db) in zip(net.layers, grads):
                layer.W -= eta * dW
                layer.b -= eta * db


@pytest.mark.parametrize("batch", [None, 25])
@pytest.mark.parametrize("sched", [Schedule("step", period=2, gamma=0.5), Schedule("triangle", period=3, floor=0.1),
                                   Schedule("cosine", period=4, floor=0.0, restarts=True, warmup=1)])
def test_the_trainer_applies_eta_times_the_factor_to_every_update(batch, sched):
    """Mini-batches of 25 out of 120: t moves on by 25/120 each update (the last batch 20/120)."""
    X, y = _flower()
    a = Network(2, [(4, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=3)
    b = Network(2, [(4, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=3)
    Trainer(a, X, y, learning_rate=0.8, batch_size=batch, seed=4, schedule=sched).run_epochs(6)
    _sgd_by_hand(b, X, b.targets(y), lambda t, t_end: 0.8 * sched.factor(t, t_end), batch, 6, seed=4)
    for la, lb in zip(a.layers, b.layers):
        np.testing.assert_allclose(la.W, lb.W, rtol=0, atol=1e-12)


def test_a_learning_rate_changed_mid_run_is_the_new_base_from_that_update_on():
    X, y = _flower()
    sched = Schedule("exponential", period=3, gamma=0.5)
    net = Network(2, [(4, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=3)
    tr = Trainer(net, X, y, learning_rate=1.0, batch_size=40, seed=1, schedule=sched)
    tr.run_epochs(2)
    assert tr.eta_now == pytest.approx(0.5 ** (2 / 3))       # epoch 2 starts: f(2) = γ^(2/3)
    tr.step()                                                # one mini-batch: t = 2 + 40/120
    tr.learning_rate = 3.0
    assert tr.eta_now == pytest.approx(3.0 * 0.5 ** ((2 + 1 / 3) / 3))
    tr.schedule = Schedule()
    assert tr.eta_now == 3.0


@pytest.mark.parametrize("sched", [Schedule("cosine", period=5, floor=0.1, warmup=2), Schedule("step", period=1)])
def test_gradients_with_a_schedule_are_unchanged(sched):
    """After scheduled training, backprop still matches central differences of the cost, and
    the schedule changed only the step sizes: the gradient at the same weights is the same."""
    X, y = _flower(60)
    net = Network(2, [(5, "tanh"), (3, "relu"), (1, "sigmoid")], "binary_cross_entropy", seed=5)
    Trainer(net, X, y, learning_rate=0.5, batch_size=16, seed=2, schedule=sched).run_epochs(7)
    twin = Network(2, [(5, "tanh"), (3, "relu"), (1, "sigmoid")], "binary_cross_entropy", seed=5)
    for p, q in zip(twin.parameters(), net.parameters()):
        np.copyto(p, q)
    grads, h = net.gradients(X, y), 1e-6
    for layer, (dW, db) in zip(net.layers, grads):
        for M, dM in ((layer.W, dW), (layer.b, db)):
            num = np.zeros_like(M)
            for i in np.ndindex(M.shape):
                keep = M[i]
                M[i] = keep + h
                up = net.cost(X, y)
                M[i] = keep - h
                num[i] = (up - net.cost(X, y)) / (2 * h)
                M[i] = keep
            assert relative_error(dM, num) < 1e-6
    for (dW, db), (tW, tb) in zip(grads, twin.gradients(X, y)):
        np.testing.assert_array_equal(dW, tW)
        np.testing.assert_array_equal(db, tb)


def test_the_curve_is_in_epochs():
    c = Schedule("step", period=1, gamma=0.5).curve(2, per_epoch=4)
    assert [t for t, _ in c] == [0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
    assert [f for _, f in c] == [1.0] * 4 + [0.5] * 4
