"""The live run's η plan (explorer/training/eta_plan.py) and what the setup message says of
schedules and stopping (explorer/live/setup_message.py: schedule_part, stop_part).

The plan must give, for every update, the η the trainer really used, through mid-run changes
of the learning rate, the schedule and the batch size made as the page makes them
(``Run.apply_train``); the browser draws the curve from it (tests/test_js_schedules.py proves
the browser's arithmetic equal to core's).
"""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from core.schedules import Schedule
from explorer.choices.config import Config
from explorer.live.setup_message import View, schedule_part, setup_parts, stop_part
from explorer.training.eta_plan import MAX_ENTRIES, EtaPlan
from explorer.training.run import Run, build_data


def _run(val=0.0, **train) -> Run:
    cfg = Config()
    cfg = replace(cfg, data=replace(cfg.data, val_ratio=val), train=replace(cfg.train, **train))
    return Run(cfg, build_data(cfg.data))


def _steps(run: Run, n: int, used: list) -> None:
    """n updates, noting (t, t_end, η) of each as the trainer is about to make it."""
    tr = run.trainer
    for _ in range(n):
        N = tr.X.shape[0]
        b = N if tr.batch_size is None else tr.batch_size
        t = tr.t_now
        used.append((t, tr.epoch + min(round((t - tr.epoch) * N) + b, N) / N, tr.eta_now))
        run.train_steps(1, float("inf"))


def test_the_plan_gives_the_eta_of_every_update_through_mid_run_changes():
    run = _run(schedule="cosine", sched_period=20, sched_floor=0.1, warmup=4, learning_rate=0.8)
    used: list = []
    _steps(run, 9, used)
    run.apply_train(replace(run.cfg.train, learning_rate=0.3))            # a new base, full batch
    _steps(run, 7, used)
    run.apply_train(replace(run.cfg.train, batch_size=64))                 # mini-batches from here
    _steps(run, 12, used)                                                  # (5 an epoch: ends mid-epoch)
    run.apply_train(replace(run.cfg.train, schedule="triangle", sched_period=6, learning_rate=0.5))
    _steps(run, 25, used)
    plan = run.eta_plan
    assert [e.t for e in plan.entries][:3] == [0.0, 9.0, 16.0] and len(plan.entries) == 4
    assert plan.entries[3].t == 18.4 and plan.entries[3].batch == 64          # mid-epoch
    for t, t_end, eta in used:
        assert plan.eta_at(t, t_end) == pytest.approx(eta, rel=0, abs=1e-15), (t, eta)


def test_a_change_that_changes_nothing_adds_no_entry_and_reset_starts_again():
    run = _run(schedule="step", sched_period=5)
    run.train_steps(3, float("inf"))
    run.apply_train(replace(run.cfg.train, l2=0.01))                     # not η, batch or schedule
    assert len(run.eta_plan.entries) == 1 and run.eta_plan.version == 0
    run.apply_train(replace(run.cfg.train, learning_rate=0.1))
    assert len(run.eta_plan.entries) == 2 and run.eta_plan.version == 1
    run.apply_train(replace(run.cfg.train, learning_rate=0.2))           # same t: the last is replaced
    assert [e.eta for e in run.eta_plan.entries] == [1.2, 0.2]
    run.reset()
    assert [(e.t, e.eta) for e in run.eta_plan.entries] == [(0.0, 0.2)]


def test_the_plan_keeps_its_latest_entries():
    plan = EtaPlan(1.0, None, 100, Schedule())
    for k in range(1, 3 * MAX_ENTRIES):
        assert plan.note(float(k), 1.0 + k, None, 100, Schedule())
    assert len(plan.entries) == MAX_ENTRIES and plan.entries[-1].eta == 3.0 * MAX_ENTRIES
    assert [e.t for e in plan.entries] == sorted(e.t for e in plan.entries)


def test_the_setup_carries_the_plan_only_with_a_schedule():
    plain = _run()
    assert schedule_part(plain) is None
    parts = setup_parts(plain, View())
    assert "schedule" not in parts and "stop" not in parts                # as before, byte for byte
    assert not [t for t in parts["figures"]["curves"]["data"] if t["meta"]["series"] in ("eta", "eta_now")]
    run = _run(schedule="exponential", sched_period=10, sched_gamma=0.5)
    part = schedule_part(run)
    assert part == {"plan": [{"t": 0.0, "eta": 1.2, "batch": None, "n": len(run.data.y_train),
                              "schedule": Schedule("exponential", 10, 0.5).to_dict()}]}
    curves = setup_parts(run, View())["figures"]["curves"]
    assert [t["meta"]["series"] for t in curves["data"] if t.get("yaxis") == "y4"] == ["eta", "eta_now"]
    assert len(json.dumps(part)) < 200
    warm = _run(warmup=5)                                                  # warm-up alone is a schedule too
    assert schedule_part(warm) is not None


def test_stop_part_names_the_best_epoch_and_the_stop():
    run = _run(val=0.25, patience=3)
    run.train_steps(2, float("inf"))
    part = stop_part(run)
    assert part["stopped"] is False and 1 <= part["best_epoch"] <= 2
    assert part["best_cost"] == run.trainer.best_val_cost
    run.train_steps(100_000, float("inf"))
    part = stop_part(run)
    assert part["stopped"] is True and run.message.startswith("Stopped after epoch")
    assert f"at epoch {part['best_epoch']})" in run.message
    assert stop_part(_run()) is None
    curves = setup_parts(run, View())["figures"]["curves"]
    assert [t["meta"]["series"] for t in curves["data"] if t["meta"]["series"] in ("val_cost", "best")] == \
        ["val_cost", "best"]
