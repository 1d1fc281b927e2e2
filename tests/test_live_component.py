"""Real-browser test of the live chart component (explorer.live) via the spike app."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import bench_live  # noqa: E402  (bench/bench_live.py: server + browser helpers)

ARTIFACTS = ROOT / "tests" / "artifacts"


def _wait_for(page, predicate, timeout_s: float, step_ms: int = 200):
    for _ in range(int(timeout_s * 1000 / step_ms)):
        value = predicate()
        if value:
            return value
        page.wait_for_timeout(step_ms)
    return predicate()


@pytest.mark.browser
def test_live_charts_update_in_place_and_pause():
    if not Path(bench_live.CHROMIUM).exists():
        pytest.fail(f"{bench_live.CHROMIUM} missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with bench_live.streamlit_server() as url, sync_playwright() as p:
        browser = bench_live.launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        frame = bench_live.live_frame(page, timeout=90)
        detached = []   # a re-created iframe = blank charts + plotly.js reloaded
        page.on("framedetached", lambda f: detached.append(f.url))
        drawn = frame.evaluate("() => [...document.querySelectorAll('#grid .cell')]"
                               ".map(c => !!c.querySelector('.main-svg'))")
        assert len(drawn) >= 3 and all(drawn), drawn

        frame.evaluate(bench_live.SAMPLER)
        start = bench_live.state(frame)
        page.locator(".st-key-play button").click()
        advanced = _wait_for(page, lambda: bench_live.state(frame)["renders"] >= start["renders"] + 10, 30)
        assert advanced, f"render counter stuck at {bench_live.state(frame)['renders']}"
        running = bench_live.state(frame)
        assert running["extra"]["epoch"] > start["extra"]["epoch"], "training did not advance"
        assert running["errors"] == 0
        assert page.locator('[data-testid="stException"]').count() == 0, "the app raised while training"
        page.screenshot(path=str(ARTIFACTS / "live_component_running.png"), full_page=True)

        # Zoom (what a drag does: a relayout of the axis range) survives live updates.
        frame.evaluate("() => Plotly.relayout(document.getElementById('chart-curves'), "
                       "{'xaxis.range': [0, 500]})")
        zoomed_at = bench_live.state(frame)["renders"]
        _wait_for(page, lambda: bench_live.state(frame)["renders"] >= zoomed_at + 5, 15)
        xr = frame.evaluate("() => document.getElementById('chart-curves')._fullLayout.xaxis.range")
        assert [round(v) for v in xr] == [0, 500], f"zoom lost on update: {xr}"

        sampled = frame.evaluate("() => ({frames: __sampler.frames, bad: __sampler.bad})")
        assert sampled["frames"] > 20
        assert sampled["bad"] <= 0.01 * sampled["frames"], f"charts missing/half drawn: {sampled}"

        page.locator(".st-key-pause button").click()
        paused = _wait_for(page, lambda: "Status: paused" in page.inner_text("body"), 15)
        assert paused, "status never said paused"
        page.wait_for_timeout(1000)                       # a frame in flight may still land
        after_pause = bench_live.state(frame)["renders"]
        page.wait_for_timeout(2000)
        assert bench_live.state(frame)["renders"] == after_pause, "frames kept coming after Pause"
        page.screenshot(path=str(ARTIFACTS / "live_component_paused.png"), full_page=True)

        # Clicks (full reruns) racing the ack-driven fragment reruns must never
        # re-create the iframe (Streamlit drops unflushed fragment deltas; see
        # explorer.live.FLUSH_GRACE_S).
        for _ in range(12):
            for sel, wait in ((".st-key-play button", 250), (".st-key-log_loss input", 250),
                              (".st-key-pause button", 150)):
                page.evaluate(bench_live.CLICK, sel)
                page.wait_for_timeout(wait)
        assert not detached, f"iframe re-created {len(detached)} times"
        assert not errors, errors
        browser.close()
