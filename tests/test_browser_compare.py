"""The Compare view in a real browser (headless Chromium): Ng's grid plays and every cell's
epoch and boundary move; a 7 × 3 grid at the default speed moves every cell within 50 kB/s
(its rates are bench_classroom --grid's); a cell opens in the Live view with its exact setup and Back
returns to the same grid, paused. Screenshots are kept in tests/artifacts/."""
from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

from explorer.live.channel import grid_wire
from tests.browser import browser_page, grid_frame, grid_stats, rates, rerun_of, wait_idle
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

GRID_7X3 = "?page=compare&ga=units:1,2,3,4,5,20,50&gb=lr:0.3,1.2,5"


def hover_names_the_cell(frame):
    """A cell under the pointer lights its line; a line under the pointer names its cell and lights it."""
    frame.locator("#cmp .gcell[data-cell='5']").hover()
    assert frame.evaluate("BPGridView.state().hot") == 5
    # a point of cell 2's line, in px of the chart's div (plotly's axes map it)
    at = frame.evaluate("""() => { const S = BPGridView.state(), l = S.lines[2], k = l.x.length - 2,
        xa = BPPlotly.axis(S.curveDiv, 'xaxis'), ya = BPPlotly.axis(S.curveDiv, 'yaxis');
        return {x: xa.toPx(Math.log10(l.x[k])), y: ya.toPx(l.y[k])}; }""")
    frame.locator("#cmp .gcurves > div").first.hover(position=at)
    frame.wait_for_function("document.querySelector('#cmp .gtip') && document.querySelector('#cmp .gtip').style.display !== 'none'")
    tip = frame.locator("#cmp .gtip").inner_text()
    hot = frame.evaluate("BPGridView.state().hot")
    name = frame.evaluate(f"BPGridView.state().cells[{hot}].name")
    assert tip.startswith(name) and frame.locator(f"#cmp .gcell[data-cell='{hot}']").get_attribute("class").endswith("hot")


def test_ngs_grid_plays_opens_a_cell_and_comes_back(server):
    with browser_page(1400, 900) as page:
        page.goto(server + "/?page=compare")
        frame = grid_frame(page)
        assert frame.locator("#cmp .gcell").count() == 7
        assert "training accuracy (no test set)" in grid_stats(frame)["text"]
        frame.locator("#cmp button[data-shortcut='play']").click()
        frame.wait_for_function("__grid.renders > 10 && Math.min(...__grid.epochs) > 5", timeout=30_000)
        r = rates(frame, 3.0)
        assert min(r["epochs"]) > 0 and min(r["thumbs"]) > 0 and r["errors"] == 0, r   # every cell moves
        page.screenshot(path=str(ARTIFACTS / "compare_ng_playing.png"))
        hover_names_the_cell(frame)
        before = max(grid_stats(frame)["epochs"])
        frame.locator("#cmp .gcell[data-cell='3'] .gopen").click()              # 4 units
        page.wait_for_function("() => location.search.includes('page=live') || !location.search.includes('page=')",
                               timeout=30_000)
        wait_idle(page)
        q = parse_qs(urlparse(page.url).query)
        assert q["layers"] == ["4:tanh"] and q["init"] == ["ng"] and q["test"] == ["0"] and q["seed"] == ["2"]
        page.get_by_text("of the Compare grid, with its exact setup").wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "compare_cell_open.png"))
        with rerun_of(page):
            page.locator(".st-key-grid_back button").click()
        frame = grid_frame(page)
        frame.wait_for_function("__grid.epochs.length === 7", timeout=30_000)   # its first frame drawn
        s = grid_stats(frame)
        assert "page=compare" in page.url and frame.locator("#cmp .gcell").count() == 7
        assert min(s["epochs"]) >= before - 1 and "Paused while a cell is open" in s["notice"], s
        page.wait_for_timeout(1000)
        assert grid_stats(frame)["epochs"] == s["epochs"]                     # paused: nothing moves
        assert page.locator('[data-testid="stException"]').count() == 0


def test_a_7x3_grid_moves_every_cell_within_50_kb_a_second(server):
    with browser_page(1920, 1080) as page:
        page.goto(server + "/" + GRID_7X3)
        frame = grid_frame(page)
        assert frame.locator("#cmp .gcell").count() == 21
        frame.locator("#cmp button[data-shortcut='play']").click()
        frame.wait_for_function("__grid.renders > 20", timeout=30_000)
        r = rates(frame, 5.0)
        print("7x3 at the default speed:", {k: (min(v), max(v)) if isinstance(v, list) else v for k, v in r.items()})
        page.screenshot(path=str(ARTIFACTS / "compare_7x3_1920.png"))
        # Every cell's numbers and boundary move, within 50 kB/s. How fast (>= 10 updates/s a cell
        # here) depends on the machine: bench_classroom --grid measures it; tests assert no speed.
        assert r["frames"] > 0 and min(r["epochs"]) > 0 and r["bytes"] <= 50_000 and r["errors"] == 0, r
        assert min(r["thumbs"]) > 0, r
        frame.locator("#cmp button[data-shortcut='play']").click()             # pause: the table shows
        page.get_by_text("every cell's settings and metrics").wait_for(timeout=30_000)
        page.get_by_text("Download the table (CSV)").wait_for(timeout=30_000)   # (drawn after the caption)
        assert page.get_by_text("Download the table (CSV)").count() == 1


# ---- the grid's own JS, checked against Python --------------------------------------------------
STATIC = Path(__file__).resolve().parents[1] / "explorer" / "live" / "static"


def test_the_browser_reads_grid_frames_as_python_writes_them():
    """Every float16 bit pattern decodes to numpy's value, and a whole frame to what encode wrote."""
    rng = np.random.default_rng(3)
    state = np.array([0, 1, 2 | grid_wire.AHEAD, 3], np.uint8)
    latest = rng.normal(size=(4, 3)).astype(np.float32)
    latest[1, 2] = np.nan
    w = [rng.normal(size=7) * 10.0 ** rng.integers(-6, 5, 7), rng.normal(size=5)]
    data = grid_wire.encode(9, 1234, grid_wire.FLAG_RUNNING | grid_wire.FLAG_ENDED, state, latest, [1, 3],
                            [grid_wire.thumbnail_weights(v) for v in w])
    with browser_page(400, 300) as page:
        page.add_script_tag(path=str(STATIC / "gridwire.js"))
        page.add_script_tag(path=str(STATIC / "gridlayout.js"))
        halves = page.evaluate("() => Array.from({length: 65536}, (_, h) => { const v = BPGridWire.half(h);"
                               " return v !== v ? 'nan' : (Object.is(v, -0) ? '-0' : v); })")
        want = np.arange(65536, dtype=np.uint16).view(np.float16).astype(np.float64)
        for h in range(65536):
            got, v = halves[h], want[h]
            assert (got == "nan") if np.isnan(v) else (got == ("-0" if v == 0 and np.signbit(v) else v)), (h, got, v)
        f = page.evaluate("b64 => { const bin = atob(b64), u = new Uint8Array(bin.length);"
                          " for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);"
                          " const f = BPGridWire.decode(u.buffer, [0, 7, 0, 5]);"
                          " return {seq: f.seq, epoch: f.epoch, running: f.running, ended: f.ended, badge: Array.from(f.badge),"
                          " ahead: Array.from(f.ahead), cost: Array.from(f.cost), test: Array.from(f.testScore).map(v => v !== v ? 'nan' : v),"
                          " sent: Array.from(f.sent), w: f.weights.map(a => Array.from(a))}; }",
                          base64.b64encode(data).decode())
        assert (f["seq"], f["epoch"], f["running"], f["ended"]) == (9, 1234, True, True)
        assert f["badge"] == [0, 1, 2, 3] and f["ahead"] == [0, 0, 1, 0] and f["sent"] == [1, 3]
        assert f["cost"] == [float(v) for v in latest[:, 0]] and f["test"][1] == "nan"
        for got, v in zip(f["w"], w):
            assert got == [float(x) for x in np.frombuffer(grid_wire.thumbnail_weights(v), "<f2")]
        phone = page.evaluate("BPGridLayout.choose({W: 374, room: 600, n: 7, rows: 1, cols: 7, capH: 46, gap: 10})")
        wide = page.evaluate("BPGridLayout.choose({W: 1230, room: 520, n: 7, rows: 1, cols: 7, capH: 57, gap: 10})")
        matrix = page.evaluate("BPGridLayout.choose({W: 1560, room: 780, n: 21, rows: 3, cols: 7, capH: 46, gap: 10,"
                               " labelW: 50, headH: 28})")
    assert phone["c"] == 1 and phone["s"] >= 150
    assert wide["side"] and wide["c"] * (wide["s"] + 8) + (wide["c"] - 1) * 10 + wide["ow"] + 12 <= 1230
    assert matrix["c"] == 7 and matrix["s"] >= 120


def test_the_grid_trains_without_a_socket(server):
    """As behind a proxy that blocks WebSockets: the page says so in one line and the same grid
    client draws the same messages through Streamlit; Play and Pause work. (Open works when the
    machine is quiet, but under load it was lost in 2 of ~10 runs: not asserted here; see the
    README.)"""
    from tests.test_browser_channel import block_sockets
    with browser_page(1400, 900) as page:
        page.route("**/component/**/channel.js", block_sockets)
        page.goto(server + "/?page=compare")
        page.get_by_text("the grid updates a few times a second through Streamlit").wait_for(timeout=60_000)
        frame = grid_frame(page)
        assert frame.evaluate("__grid.channel") == "fallback" and frame.locator("#cmp .gcell").count() == 7
        frame.locator("#cmp button[data-shortcut='play']").click()
        frame.wait_for_function("__grid.renders > 3 && Math.min(...__grid.epochs) > 5", timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "compare_fallback_playing.png"))
        frame.locator("#cmp button[data-shortcut='play']").click()                # Pause
        frame.wait_for_function("!window.BPGridView.state().running", timeout=30_000)
        page.wait_for_timeout(1500)
        still = grid_stats(frame)["epochs"]
        page.wait_for_timeout(1500)
        assert grid_stats(frame)["epochs"] == still and grid_stats(frame)["errors"] == 0
        assert page.locator('[data-testid="stException"]').count() == 0
