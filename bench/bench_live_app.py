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

Time to the first drawn frame (``__live.renders > 0`` in the live iframe), from navigation:
"cold" for the server's first visitor (the page's first script run imports numpy, plotly's
figure code and the engine), "warm" for later visits to the running server in the same
browser (its HTTP cache: Streamlit's own bundle is cached for a year; the live component's
files are revalidated, ``explorer/live/caching.py``). With the moments between, from the page
(marks of an init script in every frame, the iframe's own time origin): the Streamlit page's
scripts run (DOMContentLoaded), its socket open, the script run done (the page's
``data-test-script-state``), the live iframe's navigation start, plotly-basic.min.js run,
the live socket open, the setup received, the first frame drawn; and what plotly-basic.min.js
cost on the wire (Resource Timing: about 0.4 MB downloaded, or a few hundred bytes revalidated).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser import app_server, browser_context, live_frame, wait_live  # noqa: E402

# Every animation frame for a while: is each chart whole? (boundary: its surface canvas, under the plot;
# network: the tiles-and-edges canvas; curves: its lines, on plotly's SVG or on the canvas.)
SAMPLER = """async (ms) => {
  const cells = LiveCore.cells, out = {frames: 0, bad: 0, why: {}};
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    await new Promise(r => requestAnimationFrame(r));
    out.frames++;
    const img = cells.boundary && cells.boundary.querySelector('.svg-container > div.underlay > canvas');
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
# Marks in every frame, before its own scripts (Playwright's init script): the Streamlit page's
# socket and script state; in the live iframe its socket, the setup and plotly.js's global.
PROBE = r"""(() => {
  const T = window.__ff = {}, now = () => performance.timeOrigin + performance.now();
  const mark = (k) => { if (!(k in T)) T[k] = now(); };
  const WS = window.WebSocket;
  window.WebSocket = function (...a) {
    const ws = new WS(...a);
    ws.addEventListener('open', () => mark('socket'));
    ws.addEventListener('message', (e) => { if (typeof e.data === 'string' && e.data.startsWith('{"type":"setup"')) mark('setup'); });
    return ws;
  };
  window.WebSocket.prototype = WS.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  if (window === window.top) {
    document.addEventListener('DOMContentLoaded', () => mark('scripts'));
    new MutationObserver(() => {
      const s = document.querySelector('[data-test-script-state]');
      const v = s && s.getAttribute('data-test-script-state');
      if (v === 'running') mark('running'); else if (v === 'notRunning' && T.running) mark('done');
    }).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-test-script-state']});
  } else {
    let P;
    Object.defineProperty(window, 'Plotly', {configurable: true, get() { return P; }, set(v) { P = v; mark('plotly'); }});
  }
})();"""
MOMENTS = [("page scripts run", "top", "scripts"), ("Streamlit socket open", "top", "socket"),
           ("script run done", "top", "done"), ("live iframe created", "live", "origin"),
           ("plotly-basic.min.js run", "live", "plotly"), ("live socket open", "live", "socket"),
           ("setup received", "live", "setup"), ("first frame drawn", "live", "first")]
COUNTS = "() => [__live.renders, __live.frames, (__live.extra || {}).epoch || 0]"
NOW = "() => performance.timeOrigin + performance.now()"


def wait_first_frame(page, timeout_s: float):
    return wait_live(page, timeout_s, "!!(window.__live && __live.renders > 0)", poll_ms=50)


def first_frame(page, url: str) -> tuple[dict, float]:
    """Navigate; wait for the first live frame; returns ({moment: ms from navigation}, MB over the network)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    loaded = {"bytes": 0}
    cdp.on("Network.loadingFinished", lambda e: loaded.__setitem__("bytes", loaded["bytes"] + e["encodedDataLength"]))
    page.goto(url)
    frame = wait_first_frame(page, 120)
    top = page.evaluate("() => Object.assign({origin: performance.timeOrigin}, window.__ff)")
    live = frame.evaluate("() => Object.assign({origin: performance.timeOrigin, first: __live.drawn[0]}, window.__ff)")
    marks = {name: ({"top": top, "live": live}[where].get(key, float("nan")) - top["origin"])
             for name, where, key in MOMENTS}
    marks["plotly bytes"] = frame.evaluate("""() => { const r = performance.getEntriesByType('resource')
        .find(e => e.name.includes('plotly-basic')); return r ? r.transferSize : NaN; }""")
    cdp.detach()
    return marks, loaded["bytes"] / 1e6


def show_first(label: str, visits: list[tuple[dict, float]]) -> None:
    """One line per kind of visit: the median of each moment (ms from navigation)."""
    med = {name: statistics.median(m[name] for m, _ in visits) for name, _, _ in MOMENTS}
    mb = statistics.median(b for _, b in visits)
    print(f"first frame, {label}: {med['first frame drawn'] / 1000:.2f} s, {mb:.2f} MB"
          + (f" (median of {len(visits)}: " + ", ".join(f"{m['first frame drawn'] / 1000:.2f}" for m, _ in visits)
             + " s)" if len(visits) > 1 else ""))
    print("  " + "; ".join(f"{name} {v / 1000:.2f}" for name, v in med.items())
          + f" (plotly-basic.min.js over the network: {statistics.median(m['plotly bytes'] for m, _ in visits) / 1e3:.1f} kB)")


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
    ap.add_argument("--warm", type=int, default=3, help="warm visits timed to their first frame")
    args = ap.parse_args()
    with app_server() as url, browser_context(1400, 1000) as context:
        context.add_init_script(PROBE)
        page = context.new_page()
        cold = first_frame(page, url + "/" + args.query)
        frame = live_frame(page)
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
        zoom = frame.evaluate("() => BPPlotly.axis(document.getElementById('chart-boundary'), 'xaxis').range")
        pauses = []
        for _ in range(args.pauses):
            pauses.append(pause_once(page, frame))
            button(frame, "Play").click()
            page.wait_for_timeout(2500)
        button(frame, "Pause").click()
        (ROOT / "bench" / "results").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "bench" / "results" / "live_app.png"), full_page=True)
        page.close()
        warm = []
        for _ in range(args.warm):           # later visits in the same browser (its cache)
            visit = context.new_page()
            warm.append(first_frame(visit, url + "/" + args.query))
            visit.close()
    headless = headless_rate(args.query, 5.0)
    live = statistics.median(eps)
    bad = 100.0 * sampler["bad"] / max(sampler["frames"], 1)
    show_first("cold (the server's first visitor)", [cold])
    if warm:
        show_first("warm (a later visit, same browser)", warm)
    print(f"visible updates/s   median {statistics.median(fps):.1f} (min {min(fps):.1f}, max {max(fps):.1f})  "
          f"target: 20 at a paced speed, >= 55 at max; from {statistics.median(mps):.1f} frames/s received")
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
