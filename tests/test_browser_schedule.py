"""Learning-rate schedules, early stopping and the initialisation lessons in the live view
(headless Chromium, over the live channel).

- With ``?sched=cosine&...`` the η strip under the loss holds the schedule's curve, computed in
  the browser from the setup's η plan, and its marker moves with the epoch while the run plays
  (read back from the canvas's pixels); a learning rate changed while it plays is the new base.
- With ``?val=0.2&patience=100&restore=1&stop_at=3000`` the run stops by itself: the status line
  says why in one line (core's reason) and the best epoch's diamond is drawn on the validation
  loss.
- An initialisation lesson loads from the sidebar.

Screenshots (tests/artifacts/schedule_*.png) at 1366×768 with the sidebar and in presentation
mode at 1280×720, where the charts must still fit as tests/test_browser_layout.py demands.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from core.schedules import Schedule
from tests.browser import app_server, browser_page, rerun_of, wait_idle, wait_live
from tests.conftest import ARTIFACTS
from tests.test_browser_layout import MEASURE, inside, plot, settle, wait_charts

pytestmark = pytest.mark.browser

SCHED = "sched=cosine&speriod=200&sfloor=0.1&warm=10"

# The η strip as the curves draw it: the plan, the lines' last drawn points (S.curveTraces), and
# where the η marker is on the canvas (its centre's pixel) while training runs.
ETA = """() => {
  const S = BPView.state(), t = S.curveTraces || [];
  const by = n => t.find(x => x.meta && x.meta.series === n) || {x: [], y: []};
  const eta = by('eta'), now = by('eta_now'), out = {plan: S.schedule && S.schedule.plan, epoch: S.epoch,
    running: S.running, n: eta.x.length, etaX: eta.x.slice(0, 3), etaY: eta.y.slice(0, 3),
    now: [now.x[0], now.y[0]], onCanvas: S.curvesOnCanvas, pixel: null};
  const div = document.getElementById('chart-curves');
  const xa = BPPlotly.axis(div, 'xaxis'), ya = BPPlotly.axis(div, 'yaxis4');
  if (S.curvesOnCanvas && S.curveCanvas && xa && ya && now.x.length) {
    const dpr = window.devicePixelRatio || 1;
    const px = xa.toPx(Math.log10(now.x[0])), py = ya.toPx(now.y[0]);
    const d = S.curveCanvas.getContext('2d').getImageData(Math.round(px * dpr), Math.round(py * dpr), 1, 1).data;
    out.pixel = [d[0], d[1], d[2], d[3]];
    out.strip = [ya.offset, ya.offset + ya.length];
    out.py = py;
  }
  return out;
}"""

STOP = """() => {
  const S = BPView.state(), div = document.getElementById('chart-curves');
  const best = (div.data || []).find(t => t.meta && t.meta.series === 'best') || {x: [], y: []};
  const val = (div.data || []).find(t => t.meta && t.meta.series === 'val_cost') || {x: [], y: []};
  const labels = Array.from(div.querySelectorAll('.textpoint text')).map(e => e.textContent);
  return {stop: S.stop, message: S.message, running: S.running, epoch: S.epoch,
          notice: document.querySelector('#top .notice').textContent, best: [best.x, best.y],
          valPoints: val.x.length, labels: labels, onCanvas: S.curvesOnCanvas};
}"""


# Every line of the curves' title within the chart (one line was once cut off at the chart's edge).
TITLE_FITS = """() => { const div = document.getElementById('chart-curves'), r = div.getBoundingClientRect();
  const lines = Array.from(div.querySelectorAll('.gtitle tspan.line, .gtitle'));
  return lines.length > 0 && lines.every(t => t.getBoundingClientRect().right <= r.right + 0.5); }"""


@pytest.fixture(scope="module")
def server():
    with app_server() as url:
        yield url


def _play(frame):
    frame.locator("#top .controls button:text-is('Play')").click()


def _pause(frame):
    frame.locator("#top .controls button:text-is('Pause')").click()


def test_the_eta_curve_is_drawn_and_its_marker_moves(server):
    with browser_page(1366, 768) as page:
        page.goto(f"{server}/?{SCHED}&speed=2")
        frame = wait_live(page, 120)
        first = frame.evaluate(ETA)
        plan = first["plan"]
        assert plan and len(plan) == 1 and plan[0]["schedule"]["name"] == "cosine" and plan[0]["eta"] == 1.2
        _play(frame)
        frame.wait_for_function("() => BPView.state().epoch > 20 && BPView.state().curvesOnCanvas", timeout=30_000)
        frame.wait_for_timeout(300)
        a = frame.evaluate(ETA)
        frame.wait_for_timeout(2000)
        b = frame.evaluate(ETA)
        page.screenshot(path=str(ARTIFACTS / "schedule_laptop_1366x768.png"))
        assert frame.evaluate(TITLE_FITS)
        # the curve: every update's η on the axis, the same as core's schedule
        s = Schedule("cosine", 200, floor=0.1, warmup=10)
        assert b["n"] >= 50
        assert all(abs(y - 1.2 * s.factor(x, x + 1)) < 1e-12 for x, y in zip(b["etaX"], b["etaY"]))
        # the marker: at the frame's epoch, where the schedule says, and it moved
        for m in (a, b):
            assert 20 < m["now"][0] <= m["epoch"], m          # (the last drawn frame's epoch)
            assert abs(m["now"][1] - 1.2 * s.factor(m["now"][0], m["now"][0] + 1)) < 1e-12
        assert b["now"][0] > a["now"][0] and b["now"][1] != a["now"][1]
        # drawn: the marker's centre pixel on the canvas is its colour, inside the η strip
        for m in (a, b):
            assert m["pixel"] and m["pixel"][3] > 200 and max(m["pixel"][:3]) < 0x60, m
            assert m["strip"][0] - 1 <= m["py"] <= m["strip"][1] + 1, m

        # A learning rate changed while it plays is the new base from then on: a new setup, a new plan
        setups = frame.evaluate("__live.setups")
        slider = page.locator(".st-key-lr input[type='range'], .st-key-lr [role='slider']").first
        slider.focus()
        slider.press("ArrowLeft")                                  # 1.2 -> 1.0
        frame.wait_for_function(f"() => __live.setups > {setups} && BPView.state().schedule.plan.length === 2",
                                timeout=30_000)
        c = frame.evaluate(ETA)
        assert [e["eta"] for e in c["plan"]] == [1.2, 1.0] and c["plan"][1]["t"] >= b["epoch"]
        frame.wait_for_function(f"() => BPView.state().epoch > {c['plan'][1]['t'] + 4}", timeout=30_000)
        frame.wait_for_timeout(300)
        d = frame.evaluate(ETA)
        assert abs(d["now"][1] - 1.0 * s.factor(d["now"][0], d["now"][0] + 1)) < 1e-12
        _pause(frame)
        frame.wait_for_function("() => !BPView.state().running && !BPView.state().curvesOnCanvas", timeout=10_000)
        drawn = frame.evaluate("() => document.getElementById('chart-curves').data"
                               ".filter(t => t.meta && /^eta/.test(t.meta.series)).map(t => t.x.length)")
        assert drawn[0] >= 50 and drawn[1] == 1                    # paused: plotly draws the curve and marker
        assert frame.evaluate("__live.errors") == 0


def test_presentation_with_a_schedule_still_fits(server):
    with browser_page(1280, 720) as page:
        page.goto(f"{server}/?present=1&{SCHED}&val=0.2")
        wait_charts(page)
        page.keyboard.press("Space")
        page.wait_for_function(f"() => /Epoch\\s*[1-9]/.test(({MEASURE})().epoch.text)", timeout=30_000)
        m = settle(page, 3000)
        page.screenshot(path=str(ARTIFACTS / "schedule_present_1280x720.png"))
        page.keyboard.press("Space")
        assert wait_live(page, 5).evaluate(TITLE_FITS)
        loss = plot(m, "Loss")
        assert "η" in loss["title"] and "validation dashed" in loss["title"] and "per layer" in loss["title"]
        charts = [plot(m, "Decision boundary"), loss]
        assert all(inside(p, m) and not p["clipped"] for p in charts), m["plots"]
        assert m["epoch"] and inside(m["epoch"], m) and m["scrollW"] <= 1280
        assert m["chartFont"][0] >= 18 - 0.01, m["chartFont"]


def test_a_run_stops_by_itself_and_says_why(server):
    with browser_page(1366, 768) as page:
        page.goto(f"{server}/?val=0.2&patience=100&restore=1&stop_at=3000&speed=20")
        frame = wait_live(page, 120)
        _play(frame)
        frame.wait_for_function("() => { const S = BPView.state(); return S.stop && S.stop.stopped && !S.running"
                                " && !S.curvesOnCanvas; }", timeout=60_000)
        frame.wait_for_function("() => (document.getElementById('chart-curves').data || [])"
                                ".some(t => t.meta && t.meta.series === 'best' && t.x.length === 1)", timeout=10_000)
        s = frame.evaluate(STOP)
        page.screenshot(path=str(ARTIFACTS / "schedule_stopped_1366x768.png"))
        assert frame.evaluate(TITLE_FITS)
        # the stopping rule's own line (core.stopping), alone, on one line
        assert s["notice"] == s["message"] and "\n" not in s["notice"]
        assert re.fullmatch(r"Stopped after epoch (\d+): the validation loss has not improved for 100 epochs "
                            r"\(best [0-9.]+, at epoch (\d+)\); the weights are back to epoch \2's, the best on "
                            r"the validation set\.", s["notice"]), s["notice"]
        stopped_at, best = map(int, re.match(r"Stopped after epoch (\d+).*at epoch (\d+)\)", s["notice"]).groups())
        assert stopped_at == best + 100 and s["stop"]["best_epoch"] == best and s["epoch"] == stopped_at
        # the best epoch's diamond, on the validation loss, labelled
        assert s["best"][0] == [best] and abs(s["best"][1][0] - s["stop"]["best_cost"]) < 1e-12
        assert s["valPoints"] > 50 and f"best: epoch {best}" in s["labels"]
        assert frame.locator("#top .controls button:text-is('Play')").is_disabled()
        assert frame.evaluate("__live.errors") == 0


def test_the_initialisation_lesson_loads(server):
    with browser_page(1366, 768) as page:
        page.goto(server)
        frame = wait_live(page, 120)
        wait_idle(page)
        page.get_by_text("Lessons", exact=True).first.click()
        button = page.locator(".st-key-bp_lesson_sidebar_init_zero button").first
        button.wait_for(state="visible", timeout=10_000)
        with rerun_of(page):
            button.click()
        # (the lesson's layers may take a second run to be drawn: wait for the network, then read the link)
        frame = wait_live(page, 60, ready="window.BPView && BPView.state() && BPView.state().sizes.length === 5")
        page.wait_for_function("() => new URLSearchParams(location.search).get('layers') === '8:tanh,8:tanh,8:tanh'",
                               timeout=30_000)
        q = parse_qs(urlparse(page.url).query)
        assert q["init"] == ["zero"] and q["ds"] == ["circle"]
        assert frame.evaluate("() => Array.from(BPView.state().weights).every(w => w === 0)")
        _play(frame)
        frame.wait_for_function("() => BPView.state().epoch >= 30", timeout=30_000)
        _pause(frame)
        frame.wait_for_function("() => !BPView.state().running", timeout=10_000)
        w = frame.evaluate("() => { const S = BPView.state(); return Array.from(S.weights); }")
        n_hidden = 8 * 3 + 8 * 9 + 8 * 9                            # the three hidden layers' [W | b]
        assert not any(w[:n_hidden]) and frame.evaluate("BPView.state().latest[1]") == 0.5
        page.screenshot(path=str(ARTIFACTS / "schedule_lesson_init_zero.png"))
        assert frame.evaluate("__live.errors") == 0


def test_a_rising_loss_is_re_ranged_every_10_percent_not_every_frame():
    """A validation loss that keeps rising (overfitting) redraws plotly's axes only when its line
    leaves them (then with 10 % headroom), not at each new maximum: curvelines.js's ranging."""
    from pathlib import Path
    js = (Path(__file__).resolve().parents[1] / "explorer" / "live" / "static" / "curvelines.js").read_text()
    with browser_page(300, 200) as page:
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(content=js)
        redraws = page.evaluate("""() => {
          const layout = {yaxis: {}}, mine = {}, n = [];
          let count = 0;
          for (let i = 0; i <= 200; i++) {          // a loss rising from 0.69 to 0.97, one frame an epoch
            const top = 0.69 + 0.0014 * i;
            if (BPCurveLines.range(layout, [{x: [1, 2], y: [0.5, top], yaxis: 'y', xaxis: 'x'}], mine)) count++;
            n.push(layout.yaxis.range[1]);
          }
          return {count: count, top: n[n.length - 1]};
        }""")
    assert redraws["count"] <= 5 and redraws["top"] >= 0.97, redraws          # (was one a frame: 200)
