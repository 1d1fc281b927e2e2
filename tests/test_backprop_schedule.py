"""The backprop view's update step with a learning-rate schedule: the η it shows and applies is
the one the trainer's next update uses (the schedule's, not the base rate), written as the base
rate times the schedule's factor at that point of the run."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from explorer.choices.config import Config
from explorer.pages.backprop.notes import note
from explorer.pages.backprop.one_pass import compute_pass, eta_used
from explorer.pages.backprop.steps import steps
from explorer.training.run import Run, build_data


def _run(**train) -> Run:
    cfg = Config()
    cfg = replace(cfg, train=replace(cfg.train, **train))
    return Run(cfg, build_data(cfg.data))


def _pass(run: Run):
    d, tr = run.data, run.trainer
    eta, sched = eta_used(tr)
    p = compute_pass(run.net, d.F_train, run.net.targets(d.y_train), eta, tr.l1, tr.l2)
    p.schedule = sched
    return p


def test_the_update_shows_and_applies_the_schedules_eta():
    run = _run(schedule="cosine", sched_period=20, sched_floor=0.1, warmup=3, learning_rate=1.2)
    run.train_steps(7, float("inf"))
    tr = run.trainer
    p = _pass(run)                                   # the whole training set: the trainer's full batch
    base, f, t = p.schedule
    assert (base, t) == (1.2, 7.0) and p.eta == tr.eta_now != 1.2
    assert abs(base * f - p.eta) <= 1e-15
    assert abs(f - tr.schedule.factor(7.0, 8.0)) <= 1e-15
    run.train_steps(1, float("inf"))                 # the trainer's own next update (sgd, full batch)
    for Wb, layer in zip(p.Wb_after, run.net.layers):
        np.testing.assert_allclose(layer.Wb, Wb, rtol=0, atol=1e-12)
    update = steps(p)[-1]
    assert update.kind == "update"
    assert rf"\eta_0\,f(t) = 1.2 \times {f:.4g} = {p.eta:.4g}\quad(t = 7)" in update.formulas[0]
    text = note(update, p, "rows", "sgd")
    assert f"η = {p.eta:g} times as far" in text and f"the learning rate 1.2 times the schedule's factor {f:.4g} " \
                                                      "at epoch 7." in text


def test_a_constant_learning_rate_shows_only_eta():
    run = _run(learning_rate=0.5)
    run.train_steps(3, float("inf"))
    p = _pass(run)
    assert p.schedule is None and p.eta == 0.5
    assert steps(p)[-1].formulas[0].endswith(r"\eta = 0.5")
    assert "schedule" not in note(steps(p)[-1], p, "rows", "sgd")
