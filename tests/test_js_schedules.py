"""The browser's learning-rate schedules (explorer/live/static/schedules.js) equal core's.

The η curve under the loss is computed in the browser from the setup's η plan. Here every
entry of ``core.schedules.SCHEDULES``, with and without warm-up, restarts and floors, runs in
headless Chromium over full-batch and mini-batch update times, and its factor must equal
``Schedule.factor`` to 1e-12; a plan with mid-run changes (base η, schedule, batch size) must
give ``EtaPlan.eta_at``'s η, and the curve of every update ``Schedule.curve``'s points.
"""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from core.schedules import SCHEDULES, Schedule
from explorer.training.eta_plan import EtaPlan
from tests.browser import browser_page

pytestmark = pytest.mark.browser

SCHEDULES_JS = Path(__file__).resolve().parents[1] / "explorer" / "live" / "static" / "schedules.js"
TOL = 1e-12


def schedules() -> list[Schedule]:
    """Every entry with a few parameter sets each (restarts on and off, floors, warm-ups)."""
    out = []
    for name, (period, gamma, floor, restarts, warmup) in itertools.product(
            SCHEDULES, [(1, 0.5, 0.0, False, 0), (7, 0.9, 0.1, True, 0), (100, 0.1, 0.25, False, 10),
                        (3, 0.999, 1.0, True, 3), (50, 1.0, 0.0, True, 1)]):
        out.append(Schedule(name, period, gamma, floor, restarts, warmup))
    return out


def times() -> list[tuple[float, float]]:
    """(t, t_end) of updates: full batch (one an epoch) and mini-batches of 32 of 400 (the last
    epoch's update shorter), around warm-up ends and period boundaries, and far out."""
    full = [(float(e), e + 1.0) for e in [0, 1, 2, 3, 6, 7, 9, 10, 11, 13, 14, 49, 50, 99, 100, 101, 110, 350, 12_345]]
    mini = []
    for e in (0, 2, 9, 99, 100, 1000):
        for p in range(0, 400, 32):
            mini.append((e + p / 400, e + min(p + 32, 400) / 400))
    return full + mini


def test_every_schedule_has_a_js_factor():
    with browser_page(300, 200) as page:
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(content=SCHEDULES_JS.read_text())
        assert page.evaluate("Object.keys(BPSchedules.FACTORS).sort()") == sorted(SCHEDULES), \
            "schedules.js must implement every schedule in core.schedules.SCHEDULES"


def test_js_schedules_equal_core():
    scheds, ts = schedules(), times()
    expected = np.array([[s.factor(t, t_end) for t, t_end in ts] for s in scheds])
    # a plan with changes mid-run: base η, then the schedule, then the batch size (mid-epoch)
    plan = EtaPlan(0.5, None, 400, Schedule("cosine", 40, floor=0.1, warmup=5))
    plan.note(12.0, 0.2, None, 400, Schedule("cosine", 40, floor=0.1, warmup=5))
    plan.note(30.0, 0.2, None, 400, Schedule("triangle", 8, floor=0.3))
    plan.note(55.25, 0.2, 50, 400, Schedule("step", 20, gamma=0.5, warmup=2))
    plan_ts = [(t, t + 1.0) for t in range(0, 55)] + [(55.25 + k / 8, 55.25 + (k + 1) / 8) for k in range(0, 300)]
    plan_eta = [plan.eta_at(t, t_end) for t, t_end in plan_ts]
    curve_cases = [(Schedule("step", 3, gamma=0.5, warmup=2), 4, 9), (Schedule("triangle", 5, floor=0.2), 1, 30)]
    with browser_page(300, 200) as page:
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(content=SCHEDULES_JS.read_text())
        got = page.evaluate("""([scheds, ts]) => scheds.map(s => ts.map(([t, tEnd]) => BPSchedules.factor(s, t, tEnd)))""",
                            [[s.to_dict() for s in scheds], ts])
        got_plan = page.evaluate("([plan, ts]) => ts.map(([t]) => BPSchedules.eta(plan, t))",
                                 [plan.to_json(), plan_ts])
        got_curves = page.evaluate("""(cases) => cases.map(([plan, hi]) => BPSchedules.curve(plan, 1e-9, hi, 100000))""",
                                   [[EtaPlan(1.0, 100 // per, 100, s).to_json(), epochs - 1e-9]
                                    for s, per, epochs in curve_cases])
    err = np.abs(np.array(got) - expected)
    worst = np.unravel_index(err.argmax(), err.shape)
    assert err.max() <= TOL, f"{scheds[worst[0]]} at {ts[worst[1]]}: JS {got[worst[0]][worst[1]]!r} vs core " \
                             f"{expected[worst]!r}"
    np.testing.assert_allclose(got_plan, plan_eta, rtol=0, atol=TOL)
    for (s, per, epochs), js in zip(curve_cases, got_curves):
        ref = s.curve(epochs, per)[1:]          # (t = 0 has no place on the log epoch axis)
        np.testing.assert_allclose(js["x"], [t for t, _ in ref], rtol=0, atol=TOL)
        np.testing.assert_allclose(js["y"], [f for _, f in ref], rtol=0, atol=TOL)


def test_js_curve_over_many_epochs_is_bounded_and_exact_where_it_samples():
    """A curve over a million epochs holds at most the points asked for, each an update's exact η."""
    plan = EtaPlan(0.3, 32, 400, Schedule("cosine", 1000, floor=0.05, restarts=True, warmup=20))
    with browser_page(300, 200) as page:
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(content=SCHEDULES_JS.read_text())
        c = page.evaluate("(plan) => BPSchedules.curve(plan, 1, 1e6, 600)", plan.to_json())
    assert 500 <= len(c["x"]) <= 600 and c["x"] == sorted(c["x"])
    assert c["x"][0] == 1 and c["x"][-1] <= 1e6
    for t, eta in zip(c["x"], c["y"]):
        pos = round((t - np.floor(t)) * 400)
        assert pos % 32 == 0                                  # an update's start
        assert abs(eta - plan.eta_at(t, np.floor(t) + min(pos + 32, 400) / 400)) <= TOL
