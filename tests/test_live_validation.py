"""The live channel's part in early stopping and schedules: the validation loss rides in the
history (a column of every curve point when the run has validation rows), the status says
where the best epoch is and whether the rule stopped the run, and a new η plan sends a setup.
"""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np

from explorer.choices.config import Config
from explorer.live.channel import wire
from explorer.live.channel.session import LiveSession
from explorer.live.setup_message import View
from explorer.training.history import LiveHistory
from explorer.training.run import Run, build_data


def _run(val=0.25, **train) -> Run:
    cfg = Config()
    cfg = replace(cfg, data=replace(cfg.data, val_ratio=val), train=replace(cfg.train, **train))
    return Run(cfg, build_data(cfg.data))


def _session(run: Run) -> LiveSession:
    s = LiveSession()
    s.attach(run, View())
    return s


def test_the_validation_loss_is_a_column_of_every_point():
    run = _run()
    s = _session(run)
    L = len(run.net.layers)
    seen = []
    tr = run.trainer
    for _ in range(70):
        run.train_steps(1, float("inf"))
        seen.append((tr.epoch, tr.val_cost))
    f = wire.decode_frame(s.frame(), L)
    assert f["points"].shape[1] == 6 + 2 * L
    val = dict(seen)
    for row in f["points"]:
        assert abs(row[-1] - np.float32(val[int(row[0])])) <= 1e-6 * val[int(row[0])]
    setup = json.loads(s.setup())
    h = setup["history"]
    assert len(h["val_cost"]) == len(h["epoch"]) and h["val_cost"][-1] == val[h["epoch"][-1]]
    plain = _run(val=0.0)
    plain.train_steps(3, float("inf"))
    p = _session(plain)
    assert "val_cost" not in json.loads(p.setup())["history"]
    plain.train_steps(3, float("inf"))
    assert wire.decode_frame(p.frame(), L)["points"].shape[1] == 5 + 2 * L    # as before


def test_a_history_restored_without_it_keeps_its_lists_in_step():
    h = LiveHistory(budget=64, per_octave=8)
    for e in range(1, 40):
        h.record(e, 1.0, 0.5, None, None, [0.1], [0.2])
    back = LiveHistory.restored(h.rows(), 1, False, "accuracy", 64, h.per_octave)
    for e in range(40, 400):
        back.record(e, 1.0, 0.5, None, None, [0.1], [0.2], val_cost=0.3)
    assert len(back.val_cost) == len(back.epochs) and np.isnan(back.val_cost[0]) and back.val_cost[-1] == 0.3
    assert all(len(r) == 5 + 2 + 1 for r in map(back.wire_row, range(len(back.epochs))))
    assert all(len(r) == 5 + 2 for r in back.rows())                        # a checkpoint's rows as before


def test_the_status_says_where_the_best_epoch_is_and_that_the_rule_stopped_it():
    run = _run(patience=4, restore_best=True)
    s = _session(run)
    s.play()
    assert s.status()["stop"] is None                                      # no epoch yet
    run.train_steps(2, float("inf"))
    st = s.status()["stop"]
    assert st["stopped"] is False and st["best_epoch"] in (1, 2)
    run.train_steps(100_000, float("inf"))
    st = s.status()
    assert st["stop"]["stopped"] is True and st["message"] == run.message
    assert st["message"].startswith(f"Stopped after epoch {run.epoch}:")
    assert f"(best {run.trainer.best_val_cost:.4g}, at epoch {st['stop']['best_epoch']})" in st["message"]
    setup = json.loads(s.setup())
    assert setup["stop"] == st["stop"]
    assert _session(_run(val=0.0)).status()["stop"] is None


def test_a_new_eta_plan_sends_a_setup_only_while_a_schedule_is_drawn():
    run = _run(val=0.0, schedule="cosine", sched_period=50)
    s = _session(run)
    s.setup()
    assert not s.setup_needed
    s.attach(run, s.view)
    assert not s.setup_needed                                              # nothing changed
    run.train_steps(5, float("inf"))
    run.apply_train(replace(run.cfg.train, learning_rate=0.3))
    s.attach(run, s.view)
    assert s.setup_needed
    plan = json.loads(s.setup())["schedule"]["plan"]
    assert [(e["t"], e["eta"]) for e in plan] == [(0.0, 1.2), (5.0, 0.3)]
    plain = _run(val=0.0)
    p = _session(plain)
    p.setup()
    plain.apply_train(replace(plain.cfg.train, learning_rate=0.3))       # constant η: no curve, no setup
    p.attach(plain, p.view)
    assert not p.setup_needed
