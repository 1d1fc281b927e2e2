"""The live view of the real app in headless Chromium, over the live channel.

    python bench/bench_live_app.py [--seconds 20] [--query "?speed=max"] [--pauses 3]

Measured in the page (the component's own counters, ``window.__live`` in its iframe):
visible updates per second (a frame drawn: surface, tiles and edges repainted from the
weights, the status line updated; the curves at most every 100 ms), the share of
animation frames in which a chart is missing, Pause latency (click on the component's
Pause → its status line says paused; click → the last binary frame received), whether a
zoom survives the updates, the first load (bytes over the network, all documents and
the iframe included, and seconds from navigation to the first live frame drawn), and
training while live against the same Run trained headless in this process for the same
time (the calibration figure). Medians of one-second windows; one run prints all.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser import app_server, browser_page, wait_live  # noqa: E402

# Every animation frame for a while: is each chart whole? (boundary: its surface image;
# network: the tiles-and-edges canvas; curves: its lines, on plotly's SVG or on the canvas.)
SAMPLER = """async (ms) => {
  const cells = LiveCore.cells, out = {frames: 0, bad: 0, why: {}};
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    await new Promise(r => requestAnimationFrame(r));
    out.frames++;
    const img = cells.boundary && cells.boundary.querySelector('g.imagelayer image, g.layer-below image');
    const ov = cells.network && cells.network.querySelector('canvas.overlay');
    // (while training runs the lines are on a canvas over plotly's axes: curvelines.js)
    const onCanvas = BPView.state() && BPView.state().curvesOnCanvas;
    const lines = cells.curves && (onCanvas ? !!cells.curves.querySelector('canvas.overlay')
                                            : cells.curves.querySelectorAll('.scatterlayer .trace path.js-line').length);
    const bad = !img ? 'no surface' : !ov ? 'no network canvas' : !lines ? 'no curves' : null;
    if (bad) { out.bad++; out.why[bad] = (out.why[bad] || 0) + 1; }
  }
  return out;
}"""
COUNTS = "() => [__live.renders, __live.frames, (__live.extra || {}).epoch || 0]"
NOW = "() => performance.timeOrigin + performance.now()"


def wait_first_frame(page, timeout_s: float):
    return wait_live(page, timeout_s, "!!(window.__live && __live.renders > 0)", poll_ms=100)


def button(frame, text: str):
    return frame.locator(f"#top .controls button:text-is('{text}')")


def headless_rate(query: str, seconds: float) -> float:
    """Epochs/s of the same Run without server, browser or figures: the calibration figure."""
    from urllib.parse import parse_qsl

    from explorer.choices.link import from_query
    from explorer.training.run import Run, build_data
    cfg = from_query(dict(parse_qsl(query.lstrip("?"))))[0]
    run = Run(cfg, build_data(cfg.data))
    t0, n = time.perf_counter(), 0
    while time.perf_counter() - t0 < seconds:
        n += run.train_for(0.06)
    return n / (time.perf_counter() - t0)


def pause_once(page, frame) -> tuple[float, float]:
    """Click Pause while running: ms until the status says paused, ms until the last frame arrived."""
    # clicked inside the page and timed there (Playwright's own click adds its round trips)
    t0 = frame.evaluate("""() => { const b = [...document.querySelectorAll('#top .controls button')]
        .find(e => e.textContent === 'Pause'); const t = performance.timeOrigin + performance.now();
        b.click(); return t; }""")
    frame.wait_for_function("() => !(__live.extra || {}).running", timeout=10_000)
    shown = frame.evaluate(NOW)
    page.wait_for_timeout(1500)
    recv = frame.evaluate("(t) => __live.recv.filter(r => r[1] > t).map(r => r[1])", t0)
    return shown - t0, (max(recv) - t0 if recv else 0.0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--query", default="")
    ap.add_argument("--pauses", type=int, default=3)
    args = ap.parse_args()
    with app_server() as url, browser_page(1400, 1000) as page:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        loaded = {"bytes": 0}
        cdp.on("Network.loadingFinished", lambda e: loaded.__setitem__("bytes", loaded["bytes"] + e["encodedDataLength"]))
        t_nav = time.time()
        page.goto(url + "/" + args.query)
        frame = wait_first_frame(page, 120)
        first_s, first_bytes = time.time() - t_nav, loaded["bytes"]
        page.wait_for_timeout(1500)
        frame.evaluate("() => Plotly.relayout(document.getElementById('chart-boundary'), "
                       "{'xaxis.range': [-1, 1], 'yaxis.range': [-1, 1]})")
        button(frame, "Play").click()
        page.wait_for_timeout(3000)                                  # warm-up
        sampling = frame.evaluate_handle(f"() => ({SAMPLER})({int(args.seconds * 1000)})")
        fps, mps, eps = [], [], []
        (r0, m0, e0), t0 = frame.evaluate(COUNTS), time.time()
        end = t0 + args.seconds
        while time.time() < end:
            page.wait_for_timeout(1000)
            (r1, m1, e1), t1 = frame.evaluate(COUNTS), time.time()
            fps.append((r1 - r0) / (t1 - t0))
            mps.append((m1 - m0) / (t1 - t0))
            eps.append((e1 - e0) / (t1 - t0))
            (r0, m0, e0), t0 = (r1, m1, e1), t1
        drawn = frame.evaluate("(n) => __live.drawn.slice(-n)", int(sum(fps)))
        gaps = sorted(b - a for a, b in zip(drawn, drawn[1:])) or [float("nan")]
        sampler = sampling.json_value()
        zoom = frame.evaluate("() => document.getElementById('chart-boundary')._fullLayout.xaxis.range")
        pauses = []
        for _ in range(args.pauses):
            pauses.append(pause_once(page, frame))
            button(frame, "Play").click()
            page.wait_for_timeout(2500)
        button(frame, "Pause").click()
        page.screenshot(path=str(ROOT / "bench" / "results" / "live_app.png"), full_page=True)
    headless = headless_rate(args.query, 5.0)
    live = statistics.median(eps)
    bad = 100.0 * sampler["bad"] / max(sampler["frames"], 1)
    print(f"first load: {first_bytes / 1e6:.2f} MB over the network, first live frame drawn after {first_s:.1f} s")
    print(f"visible updates/s   median {statistics.median(fps):.1f} (min {min(fps):.1f}, max {max(fps):.1f})  "
          f"target >= 25; from {statistics.median(mps):.1f} frames/s received")
    print(f"  time between updates: median {statistics.median(gaps):.0f} ms, 10th percentile "
          f"{gaps[len(gaps) // 10]:.0f} ms, 90th {gaps[9 * len(gaps) // 10]:.0f} ms")
    print(f"bad animation frames {bad:.2f} % of {sampler['frames']} ({sampler['why']})  target 0 %")
    print(f"zoom after {args.seconds:.0f} s of updates: x range {[round(v, 3) for v in zoom]} (set to [-1, 1])")
    print("pause: status says paused after " + ", ".join(f"{a:.0f}" for a, _ in pauses) + " ms; last frame "
          + ", ".join(f"{b:.0f}" for _, b in pauses) + " ms after the click  target <= 150 ms")
    print(f"training while live {live:.0f} epochs/s; calibration: headless {headless:.0f} epochs/s of the same run "
          f"({100 * live / headless:.0f} %)")


if __name__ == "__main__":
    main()
