"""Browser cost of redrawing each live figure, variants side by side, in one run.

    python bench/bench_figures_browser.py [--frames 30] [--repeats 5] [--query "layers=8:tanh,..."]
                                          [--only-channel] [--channel-frames 150]
    python bench/bench_figures_browser.py --first-load

Builds a sequence of real frames of the default lesson (training between frames, as
live), then in headless Chromium replays each figure's sequence with ``Plotly.react``
on one kept div, the way the live component does, and measures per frame:
- ``draw``: the component's own time from receiving a frame to its next animation frame;
- ``main``: main-thread task time from the DevTools protocol (script, style,
  layout, paint), divided by the frames drawn.
Repeats are interleaved (A B C, A B C, ...); medians are printed. Variants of the
curves figure are listed in ``VARIANTS`` so a change is measured against the current
figure in the same run, never against a number from another day.

The ``channel`` case replays the same training states the way the live channel sends
them (``explorer.channel``: one setup message, then binary frames of weights and new
curve points) through the same page, with a stand-in WebSocket in the page that answers
each ack with the next frame at once: the browser's own cost and its ceiling in updates/s
(``upd/s``), the server taking no time. ``forward``/``surface``/``network``/``curves`` are
the channel's own per-frame parts (view.js's timers, sync part); ``boundary`` is the
surface's colour map and PNG, ``curves`` one redraw (at most every 100 ms while running).

``--first-load`` starts the real app instead and reports the bytes over the wire and the
seconds from navigation to the first live frame, with the component's plotly.js basic
bundle (as shipped) and with the full plotly.min.js (index.html rewritten on the way),
interleaved. The machine's load changes these figures a lot: run it on a quiet machine,
or compare only figures from the same run.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser import browser_page  # noqa: E402

from explorer.config import Config  # noqa: E402
from explorer.frames import View, build_frame  # noqa: E402
from explorer.live import ensure_static_dir  # noqa: E402
from explorer.run import Run, build_data  # noqa: E402

REPLAY = """async ([frames, columns, height, spans]) => {
  // Drive the live component's own page (live.js) with streamlit:render messages,
  // as Streamlit would, and wait for each frame to be drawn and painted.
  const ms = [];
  for (let i = 0; i < frames.length; i++) {
    const before = __live.renders;
    window.postMessage({type: 'streamlit:render', args: {figures: frames[i], revision: ++window.__rev,
                        height, columns, spans}}, '*');
    while (__live.renders === before) await new Promise(r => setTimeout(r, 1));
    ms.push(__live.lastMs);
  }
  return ms;
}"""


def frames_of_default_lesson(n: int, seconds_between: float = 0.1, cfg: Config | None = None) -> list[dict[str, str]]:
    """``n`` consecutive live frames (name → figure JSON) of the default lesson, running."""
    cfg = cfg or Config()
    run = Run(cfg, build_data(cfg.data))
    run.train_for(1.0)                       # past the first epochs, as a viewer sees it
    view = View()
    out = []
    for _ in range(n):
        run.train_for(seconds_between)
        out.append(build_frame(run, view, running=True))
    return out


# A WebSocket stand-in for the channel case: it says setup once, then sends frame k+1
# as soon as frame k is acked, and records the acks.
FAKE_SOCKET = """
window.__fake = {setup: null, frames: [], acks: [], sent: []};
window.WebSocket = class {
  constructor(url) {
    this.url = url; this.readyState = 0; this.binaryType = "blob"; window.__fake.ws = this;
    setTimeout(() => { this.readyState = 1; this.onopen && this.onopen(); }, 0);
  }
  deliver(data) { setTimeout(() => this.onmessage && this.onmessage({data}), 0); }
  send(text) {
    const m = JSON.parse(text), f = window.__fake;
    f.sent.push(m);
    if (m.type === "hello") { this.deliver(f.setup); this.deliver(f.frames[0]); }
    if (m.type === "ack") {
      f.acks.push([m.seq, performance.now()]);
      if (f.acks.length < f.frames.length) this.deliver(f.frames[f.acks.length]);
    }
  }
  close() { this.readyState = 3; }
};
"""

START_CHANNEL = """([setup, frames]) => {
  const f = window.__fake;
  f.setup = setup;
  f.frames = frames.map(b => Uint8Array.from(atob(b), c => c.charCodeAt(0)).buffer);
  window.postMessage({type: 'streamlit:render', args: {channel: {route: '/live/ws', token: 'bench'},
                      height: 330, columns: 2, controls: true, speeds: [1, 5, 'max']}}, '*');
}"""


def channel_messages(cfg: Config, n: int, seconds_between: float, query: str = "") -> tuple[str, list[str]]:
    """The live channel's setup message and ``n`` binary frames (base64) of a running lesson."""
    import base64

    from explorer.channel.session import LiveSession
    run = Run(cfg, build_data(cfg.data))
    run.train_for(1.0)
    s = LiveSession()
    s.attach(run, View())
    s.play()
    setup = s.setup()
    frames = []
    for _ in range(n):
        run.train_for(seconds_between)
        frames.append(base64.b64encode(s.frame()).decode("ascii"))
    return setup, frames


def channel_case(page, cdp, setup: str, frames: list[str], warm: int = 3) -> tuple[float, float, float, dict]:
    """Replays the channel's frames; returns (ms per frame main thread, median draw ms, updates/s,
    view.js's per-part ms)."""
    page.evaluate(START_CHANNEL, [setup, frames])
    page.wait_for_function(f"window.__fake.acks.length >= {warm}", timeout=60_000)
    t0, a0 = main_thread_ms(cdp), page.evaluate("[window.__fake.acks.length, performance.now()]")
    page.wait_for_function(f"window.__fake.acks.length >= {len(frames)}", timeout=120_000)
    t1, a1 = main_thread_ms(cdp), page.evaluate("[window.__fake.acks.length, performance.now()]")
    acks = page.evaluate("window.__fake.acks")
    done = a1[0] - a0[0]
    span = (acks[-1][1] - acks[warm - 1][1]) / 1000.0
    parts = page.evaluate("__live.figMs")
    errors = page.evaluate("__live.errors")
    if errors:
        raise RuntimeError(f"the channel view reported {errors} errors: {page.evaluate('__live.lastError')}")
    return (t1 - t0) / done, page.evaluate("__live.drawMs"), (len(acks) - warm) / span, parts


def main_thread_ms(cdp) -> float:
    m = {x["name"]: x["value"] for x in cdp.send("Performance.getMetrics")["metrics"]}
    return 1000.0 * m["TaskDuration"]


def _with_legend(fig):
    fig["layout"]["showlegend"] = True
    fig["layout"]["legend"] = {"orientation": "h", "y": -0.12, "x": 0}
    fig["layout"]["margin"]["b"] = 70


def _with_titles(fig):
    for k, text in (("yaxis", "loss"), ("yaxis2", "accuracy"), ("yaxis3", "‖∂J/∂W‖"), ("xaxis", "epoch")):
        fig["layout"][k]["title"] = {"text": text}


# What-ifs for the curves figure, each against the app's own figure in the same run:
# what the legend and the axis titles it left out would cost.
CURVE_VARIANTS = {"with legend": [_with_legend], "with axis titles": [_with_titles]}


def variants(frames: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """case → frames (name → figure JSON) to replay: the whole frame, each figure alone,
    then each variant of the curves figure."""
    out = {"all": frames}
    for name in frames[0]:
        out[name] = [{name: f[name]} for f in frames]
    for label, edits in CURVE_VARIANTS.items():
        seq = []
        for f in frames:
            fig = json.loads(f["curves"])
            for edit in edits:
                edit(fig)
            seq.append({"curves": json.dumps(fig, separators=(",", ":"))})
        out["curves: " + label] = seq
    return out


def config(query: str) -> Config:
    """The lesson to replay: the default, or a shareable link's query (``layers=8:tanh,...``)."""
    if not query:
        return Config()
    from urllib.parse import parse_qs

    from explorer.query import from_query
    params = {k: v[-1] for k, v in parse_qs(query.lstrip("?")).items()}
    cfg, problems = from_query(params)
    if problems:
        raise SystemExit(f"bad query: {problems}")
    return cfg


def _full_plotly(route):
    response = route.fetch()
    route.fulfill(response=response, body=response.text().replace("plotly-basic.min.js", "plotly.min.js"))


def first_load(runs: int = 3) -> None:
    """Bytes over the wire and seconds from navigation to the live view's first drawn frame,
    on the real app (fresh browser each run: nothing cached), largest resources listed; the
    component with plotly.js's basic bundle (as shipped) and with the full one, interleaved."""
    from playwright.sync_api import sync_playwright

    from tests.browser import ARGS, CHROMIUM, app_server, live_frame
    with app_server() as url, sync_playwright() as p:
        for run, bundle in enumerate(["basic", "full"] * runs):
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            if bundle == "full":     # what the component loaded before: the whole plotly.min.js
                page.route(lambda u: "live_charts/index.html" in u, _full_plotly)
            sizes: dict[int, int] = {}            # request → bytes over the wire (body as sent + headers)
            urls: dict[int, str] = {}

            def finished(req):
                try:
                    n = req.sizes()
                except Exception:                 # (a request of a frame that went away)
                    return
                sizes[id(req)] = n["responseBodySize"] + n["responseHeadersSize"]
                urls[id(req)] = req.url
            page.on("requestfinished", finished)
            t0 = time.perf_counter()
            page.goto(url)
            frame = None
            while time.perf_counter() - t0 < 120:
                frame = live_frame(page)
                try:
                    if frame is not None and frame.evaluate("window.__live && __live.renders > 0"):
                        break
                except Exception:  # navigating
                    pass
                page.wait_for_timeout(50)
            seconds = time.perf_counter() - t0
            page.wait_for_timeout(500)                    # (let the transfer counters settle)
            total = sum(sizes.values())
            print(f"[{bundle} plotly.js] first frame after {seconds:.1f} s; {total / 1e6:.2f} MB transferred, "
                  f"{len(sizes)} requests")
            for n, u in sorted(((n, urls.get(k, k)) for k, n in sizes.items()), reverse=True)[:5]:
                print(f"   {n / 1e3:8.0f} kB  {u.split('?')[0][-70:]}")
            print("   plotly code: " + ", ".join(f"{u.split('?')[0].rsplit('/', 1)[-1]} {n / 1e3:.0f} kB"
                                              for k, n in sizes.items() for u in [urls.get(k, "")]
                                              if "plotly" in u.lower()))
            browser.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=30)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--channel-frames", type=int, default=150,
                    help="frames in the channel case (training 20 ms between them)")
    ap.add_argument("--query", default="", help="a lesson as in a shared link, e.g. 'layers=8:tanh,8:tanh'")
    ap.add_argument("--only-channel", action="store_true", help="skip today's per-figure cases")
    ap.add_argument("--first-load", action="store_true",
                    help="instead: bytes and seconds to the first live frame of the real app")
    args = ap.parse_args()
    if args.first_load:
        return first_load()
    cfg = config(args.query)
    cases = {} if args.only_channel else variants(frames_of_default_lesson(args.frames, cfg=cfg))
    setup, chan = channel_messages(cfg, args.channel_frames, 0.02)
    index = ensure_static_dir() / "index.html"
    sync: dict[str, list[float]] = {k: [] for k in cases}
    main_ms: dict[str, list[float]] = {k: [] for k in cases}
    ch_main, ch_draw, ch_rate, ch_parts = [], [], [], []
    with browser_page(1150, 900) as page:         # about the width the app gives the component
        page.add_init_script(FAKE_SOCKET)         # (only the channel case opens a socket)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        for _ in range(args.repeats):
            for name, figs in cases.items():
                page.goto(index.as_uri())        # a fresh page per case: no state carried over
                page.evaluate("window.__rev = 0")
                page.evaluate(REPLAY, [figs[:1], 2, 330, {"curves": 2}])       # first draw, not timed
                t0 = main_thread_ms(cdp)
                s = page.evaluate(REPLAY, [figs[1:], 2, 330, {"curves": 2}])
                main_ms[name].append((main_thread_ms(cdp) - t0) / len(s))
                sync[name].append(statistics.median(s))
            page.goto(index.as_uri())
            m, d, r, parts = channel_case(page, cdp, setup, chan)
            ch_main.append(m)
            ch_draw.append(d)
            ch_rate.append(r)
            ch_parts.append(parts)
    print(f"{'figure':<28}{'draw ms':>10}{'main ms':>10}   ({args.frames} frames × {args.repeats} repeats, medians)")
    for name in cases:
        print(f"{name:<28}{statistics.median(sync[name]):>10.1f}{statistics.median(main_ms[name]):>10.1f}")
    print(f"{'channel (all charts)':<28}{statistics.median(ch_draw):>10.1f}{statistics.median(ch_main):>10.1f}"
          f"   {statistics.median(ch_rate):.1f} upd/s ({args.channel_frames} frames, instant server)")
    print("  channel parts, ms (sync): " + ", ".join(
        f"{k} {statistics.median(p.get(k, float('nan')) for p in ch_parts):.2f}"
        for k in ("forward", "boundary", "network", "curves")))
    print(f"  setup {len(setup) / 1000:.1f} kB; frames {statistics.mean(len(f) * 3 / 4 for f in chan) / 1000:.2f} kB each")


if __name__ == "__main__":
    main()
