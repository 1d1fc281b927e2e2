"""The live instruments in a real browser (headless Chromium): Metrics and Histograms, turned on
in the chart options (or by the link), computed in the browser from the frames' weights.

Checks what a learner sees: the confusion matrix counts every training point once, its diagonal
share is the accuracy the status line shows (training and test), a click on a cell rings that
many points on the boundary (and a second click clears them), the row-normalised view's rows sum
to 1, every histogram is drawn, R² in regression is the status line's; the instruments update at
most ~4 times a second while training runs, and their cost per update and per drawn frame is kept
in tests/artifacts/instruments.json. Screenshots at 1366×768 and in presentation mode at 1280×720
go to tests/artifacts/instruments_*.png.
"""
from __future__ import annotations

import json
import re

import pytest

from explorer.choices.link import from_query
from explorer.training.run import build_data
from tests.browser import browser_page, rerun_of, wait_idle, wait_live
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
MEASURED: dict[str, dict] = {}


@pytest.fixture(scope="module", autouse=True)
def keep_measurements():
    yield
    (ARTIFACTS / "instruments.json").write_text(json.dumps(MEASURED, indent=1))


def shown(frame) -> dict:
    """The status line's numbers: epoch, the training score and the test score (as printed)."""
    text = frame.locator(".epoch-counter").inner_text()
    m = re.search(r"Epoch ([\d,]+).*?(?:accuracy|R²) ([\d.\-]+)(?: · test [\d.]+ · ([\d.\-]+))?", text, re.S)
    assert m, text
    return {"epoch": int(m.group(1).replace(",", "")), "score": m.group(2), "test": m.group(3)}


def play_then_pause(page, frame, epochs: int = 40) -> dict:
    """Play until the status shows ``epochs`` epochs, then Pause; returns the instruments' cost
    over the run (updates, ms, frames drawn, seconds)."""
    before = frame.evaluate("({i: Object.assign({updates: 0, ms: 0}, __live.instruments), r: __live.renders,"
                            " t: performance.now()})")
    frame.locator("#top .controls button:text-is('Play')").click()
    frame.wait_for_function("() => { const m = document.querySelector('.epoch-counter').textContent.match(/Epoch ([0-9,]+)/);"
                            f" return m && Number(m[1].replace(/,/g, '')) >= {epochs}; }}", timeout=60_000)
    after = frame.evaluate("({i: __live.instruments, r: __live.renders, t: performance.now()})")
    frame.locator("#top .controls button:text-is('Pause')").click()
    frame.wait_for_function("() => !BPView.state().running && !BPView.state().inst.dirty", timeout=10_000)
    page.wait_for_timeout(500)                                # the last frame's update is drawn
    updates, ms, renders = after["i"]["updates"] - before["i"]["updates"], after["i"]["ms"] - before["i"]["ms"], \
        after["r"] - before["r"]
    seconds = (after["t"] - before["t"]) / 1000
    return {"updates": updates, "seconds": round(seconds, 2), "frames": renders,
            "ms_per_update": round(ms / max(updates, 1), 2), "ms_per_frame": round(ms / max(renders, 1), 3),
            "updates_per_s": round(updates / seconds, 2)}


def matrix(frame, split: int) -> list[list[int]]:
    """Confusion matrix ``split`` (0 training, 1 test) as the cells show it."""
    return frame.evaluate(f"""() => Array.from(document.querySelectorAll('#chart-metrics .cm-block')[{split}]
        .querySelectorAll('tbody tr')).map(tr => Array.from(tr.querySelectorAll('.cm-cell')).map(b => b.textContent))""")


def diagonal_share(m) -> str:
    counts = [[int(v) for v in row] for row in m]
    return f"{sum(counts[i][i] for i in range(len(counts))) / sum(map(sum, counts)):.3f}"


def painted(frame, selector: str) -> list[int]:
    """How many non-transparent pixels each canvas matching ``selector`` holds."""
    return frame.evaluate(f"""() => Array.from(document.querySelectorAll({selector!r})).map(c => {{
        if (!c.width || !c.height) return 0;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }})""")


def smallest_font(frame, selector: str) -> float:
    return frame.evaluate(f"""() => Math.min(...Array.from(document.querySelectorAll({selector!r} + ' *'))
        .filter(e => e.childNodes.length && Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()))
        .map(e => parseFloat(getComputedStyle(e).fontSize)))""")


def turn_on(page, key: str):
    """A chart option's toggle, clicked in the Chart options popover."""
    if not page.locator(f".st-key-{key} label").first.is_visible():
        page.locator(".st-key-chart_options button").first.click()
    with rerun_of(page):
        page.locator(f".st-key-{key} label").first.click()


def test_metrics_and_histograms_at_1366x768(server):
    n_train = len(build_data(from_query({})[0].data).X_train)
    with browser_page(1366, 768) as page:
        page.goto(server)
        frame = wait_live(page, 120)
        wait_idle(page)
        assert frame.locator("#chart-metrics").count() == 0          # off by default
        turn_on(page, "metrics")
        turn_on(page, "hist")
        page.keyboard.press("Escape")
        frame = wait_live(page, 60, ready="document.querySelectorAll('#chart-metrics .cm-cell').length === 8"
                                          " && document.querySelectorAll('#chart-histograms canvas').length === 3")
        assert "metrics=1" in page.url and "hist=1" in page.url      # in the link, as every setting
        cost = play_then_pause(page, frame)
        MEASURED["laptop_1366x768"] = cost
        assert cost["updates_per_s"] <= 5.5, cost                    # at most ~4 a second while training runs
        assert cost["ms_per_update"] < 50, cost

        s = shown(frame)
        train, test = matrix(frame, 0), matrix(frame, 1)
        assert sum(int(v) for row in train for v in row) == n_train
        assert diagonal_share(train) == s["score"] and diagonal_share(test) == s["test"], (train, test, s)
        assert f"accuracy {s['score']}" in frame.locator("#chart-metrics .cm-title").first.inner_text()

        # a click on the largest mistake rings its points on the boundary; again, clears them
        wrong = max(((int(train[i][j]), i * 2 + j) for i in range(2) for j in range(2) if i != j))
        assert wrong[0] > 0, train
        cell = frame.locator("#chart-metrics .cm-block").first.locator(".cm-cell").nth(wrong[1])
        cell.click()
        frame.wait_for_function(f"() => __live.ringed === {wrong[0]}", timeout=5_000)
        assert cell.get_attribute("aria-pressed") == "true"
        assert painted(frame, "#chart-boundary canvas.overlay")[0] > 50 * wrong[0]
        assert "Ringed on the boundary: " + str(wrong[0]) in frame.locator("#chart-metrics .inst-note").inner_text()
        frame.evaluate("document.getElementById('chart-boundary').scrollIntoView()")
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / "instruments_rings_1366x768.png"))
        frame.evaluate("document.getElementById('chart-metrics').scrollIntoView()")
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / "instruments_1366x768.png"))
        cell.click()
        frame.wait_for_function("() => __live.ringed === 0", timeout=5_000)
        assert painted(frame, "#chart-boundary canvas.overlay")[0] == 0

        # row-normalised: each row sums to 1 (two decimals each)
        frame.locator("#chart-metrics .seg button:text-is('Row-normalised')").click()
        for row in matrix(frame, 0) + matrix(frame, 1):
            assert abs(sum(float(v) for v in row) - 1) <= 0.011, row

        # the histograms: W of both layers and a of the hidden tanh layer drawn, its saturated share shown
        assert all(n > 20 for n in painted(frame, "#chart-histograms canvas")), painted(frame, "#chart-histograms canvas")
        names = frame.locator("#chart-histograms .hist-name").all_inner_texts()
        assert len(names) == 2 and re.search(r"layer 1 · tanh\s+saturated \d+(\.\d)? % · dead \d of 4 units", names[0]), names
        assert frame.evaluate("__live.errors") == 0


def test_presentation_mode_still_fits_and_the_instruments_are_legible(server):
    with browser_page(1280, 720) as page:
        page.goto(server + "/?present=1&metrics=1&hist=1")
        frame = wait_live(page, 120, ready="document.querySelectorAll('#chart-metrics .cm-cell').length === 8")
        wait_idle(page)
        page.wait_for_timeout(1000)
        MEASURED["present_1280x720"] = play_then_pause(page, frame, 30)
        # the first screen is as without the instruments: boundary, Play and the epoch line on it
        boxes = frame.evaluate("""() => ['#chart-boundary', '#top .controls', '.epoch-counter', '#chart-curves']
            .map(s => document.querySelector(s).getBoundingClientRect().bottom)""")
        top = page.evaluate("() => document.querySelector('iframe[src*=live_charts]').getBoundingClientRect().top")
        assert all(top + b <= 720 + 1 for b in boxes), (top, boxes)
        page.screenshot(path=str(ARTIFACTS / "instruments_present_top_1280x720.png"))
        assert smallest_font(frame, "#chart-metrics") >= 18 and smallest_font(frame, "#chart-histograms") >= 18
        s = shown(frame)
        assert diagonal_share(matrix(frame, 0)) == s["score"]
        frame.locator("#chart-metrics .cm-block").first.locator(".cm-cell").nth(1).click()
        frame.evaluate("document.getElementById('chart-metrics').scrollIntoView()")
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / "instruments_present_1280x720.png"))
        assert frame.evaluate("__live.errors") == 0


def test_regression_shows_r2_rmse_and_the_scatter(server):
    with browser_page(1366, 768) as page:
        page.goto(server + "/?ds=reg_plane&metrics=1")
        frame = wait_live(page, 120, ready="!!document.querySelector('#chart-metrics canvas.scatter')")
        wait_idle(page)
        page.wait_for_timeout(1000)
        play_then_pause(page, frame, 30)
        s = shown(frame)
        lines = frame.locator("#chart-metrics .reg-line").all_inner_texts()
        assert len(lines) == 2 and f"R² {s['score']} · RMSE" in lines[0] and f"R² {s['test']} · RMSE" in lines[1], (lines, s)
        assert painted(frame, "#chart-metrics canvas.scatter")[0] > 1000
        assert frame.locator("#chart-histograms").count() == 0       # only what was turned on
        frame.evaluate("document.getElementById('chart-metrics').scrollIntoView()")
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / "instruments_regression_1366x768.png"))
        assert frame.evaluate("__live.errors") == 0
