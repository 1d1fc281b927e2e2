"""Browser cost of the live view's frames, variants side by side, in one run.

    python bench/bench_figures_browser.py [--channel-frames 150] [--repeats 5] [--query "layers=8:tanh,..."]
    python bench/bench_figures_browser.py --first-load

Replays a running lesson (the default, or a shared link's ``--query``) the way the live
channel sends it (``explorer.live.channel``: one setup message, then binary frames of weights
and new curve points) through the live component's own page, with a stand-in WebSocket in
the page that answers each ack with the next frame at once: the browser's own cost and its
ceiling in updates/s (``upd/s``), the server taking no time. Per case: ``draw``, view.js's
time from a frame to its next animation frame; ``main``, main-thread task time from the
DevTools protocol (script, style, layout, paint) per frame; the per-frame parts
(``forward``/``boundary``/``network``/``curves``: view.js's timers, sync part; ``curves`` is
one redraw). The variants change the setup's curves figure (``CURVE_VARIANTS``: what the
legend and the axis titles it leaves out would cost) or switch a picture off
(``BPView.parts``), each measured against the app's own in the same run, never against a
number from another day. Repeats are interleaved (A B C, A B C, ...); medians are printed.

``--first-load`` starts the real app instead and reports the bytes over the wire and the
seconds from navigation to the first live frame, with the component's plotly.js basic
bundle (as shipped) and with plotly's full bundle (the installed plotly package's
plotly.min.js, served in its place through Playwright's route), interleaved. The machine's
load changes these figures a lot: run it on a quiet machine, or compare only figures from
the same run.
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

from explorer.choices.config import Config  # noqa: E402
from explorer.live.setup_message import View  # noqa: E402
from explorer.live.component import STATIC_DIR  # noqa: E402
from explorer.training.run import Run, build_data  # noqa: E402

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

START_CHANNEL = """([setup, frames, parts]) => {
  Object.assign(BPView.parts, parts);
  const f = window.__fake;
  f.setup = setup;
  f.frames = frames.map(b => Uint8Array.from(atob(b), c => c.charCodeAt(0)).buffer);
  window.postMessage({type: 'streamlit:render', args: {channel: {route: '/live/ws', token: 'bench'},
                      height: 330, columns: 2, controls: true, speeds: [1, 5, 'max']}}, '*');
}"""


def channel_messages(cfg: Config, n: int, seconds_between: float, query: str = "") -> tuple[str, list[str]]:
    """The live channel's setup message and ``n`` binary frames (base64) of a running lesson."""
    import base64

    from explorer.live.channel.session import LiveSession
    run = Run(cfg, build_data(cfg.data))
    run.train_for(1.0)
    s = LiveSession()
    s.attach(run, View(), "max")         # as at max speed: every frame asks for its ack (wire, Pacing)
    s.play()
    setup = s.setup()
    frames = []
    for _ in range(n):
        run.train_for(seconds_between)
        frames.append(base64.b64encode(s.frame()).decode("ascii"))
    return setup, frames


def channel_case(page, cdp, setup: str, frames: list[str], parts: dict, warm: int = 3) -> tuple[float, float, float, dict]:
    """Replays the channel's frames; returns (ms per frame main thread, median draw ms, updates/s,
    view.js's per-part ms)."""
    page.evaluate(START_CHANNEL, [setup, frames, parts])
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


# What-ifs, each against the app's own setup in the same run: the curves figure with the legend
# and the axis titles it left out, and a frame without one of its pictures (to weigh it).
CURVE_VARIANTS = {"curves with legend": _with_legend, "curves with axis titles": _with_titles}
PART_VARIANTS = {"no surface": {"surface": False}, "no network": {"network": False}}


def variants(setup: str) -> dict[str, tuple[str, dict]]:
    """case → (setup message, BPView.parts): the app's own, then each variant."""
    out = {"as shipped": (setup, {})}
    for label, edit in CURVE_VARIANTS.items():
        msg = json.loads(setup)
        edit(msg["figures"]["curves"])
        out[label] = (json.dumps(msg, separators=(",", ":")), {})
    for label, parts in PART_VARIANTS.items():
        out[label] = (setup, parts)
    return out


def config(query: str) -> Config:
    """The lesson to replay: the default, or a shareable link's query (``layers=8:tanh,...``)."""
    if not query:
        return Config()
    from urllib.parse import parse_qs

    from explorer.choices.link import from_query
    params = {k: v[-1] for k, v in parse_qs(query.lstrip("?")).items()}
    cfg, problems = from_query(params)
    if problems:
        raise SystemExit(f"bad query: {problems}")
    return cfg


def _full_index(route):
    response = route.fetch()
    route.fulfill(response=response, body=response.text().replace("plotly-basic.min.js", "plotly.min.js"))


def _full_bundle(route):
    """plotly's full bundle, from the installed plotly package (nothing of it is in the app)."""
    import plotly
    route.fulfill(path=str(Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"),
                  content_type="application/javascript",
                  headers={"Cache-Control": "public, max-age=3600"})   # cached as Streamlit's own files are


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
                page.route(lambda u: "live_charts/index.html" in u, _full_index)
                page.route(lambda u: "live_charts/plotly.min.js" in u, _full_bundle)
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
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--channel-frames", type=int, default=150,
                    help="frames per case (training 20 ms between them)")
    ap.add_argument("--query", default="", help="a lesson as in a shared link, e.g. 'layers=8:tanh,8:tanh'")
    ap.add_argument("--first-load", action="store_true",
                    help="instead: bytes and seconds to the first live frame of the real app")
    args = ap.parse_args()
    if args.first_load:
        return first_load()
    setup, chan = channel_messages(config(args.query), args.channel_frames, 0.02)
    cases = variants(setup)
    index = STATIC_DIR / "index.html"
    res: dict[str, dict[str, list]] = {k: {"main": [], "draw": [], "rate": [], "parts": []} for k in cases}
    with browser_page(1150, 900) as page:         # about the width the app gives the component
        page.add_init_script(FAKE_SOCKET)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        for _ in range(args.repeats):
            for name, (msg, parts) in cases.items():
                page.goto(index.as_uri())         # a fresh page per case: no state carried over
                m, d, r, p = channel_case(page, cdp, msg, chan, parts)
                for k, v in (("main", m), ("draw", d), ("rate", r), ("parts", p)):
                    res[name][k].append(v)
    print(f"{'case':<26}{'draw ms':>9}{'main ms':>9}{'upd/s':>8}   forward, boundary, network, curves ms (sync)"
          f"   ({args.channel_frames} frames × {args.repeats} repeats, medians, instant server)")
    for name, r in res.items():
        off = {"boundary": cases[name][1].get("surface") is False, "network": cases[name][1].get("network") is False}
        parts = ", ".join("off" if off.get(k) else f"{statistics.median(p.get(k, float('nan')) for p in r['parts']):.2f}"
                          for k in ("forward", "boundary", "network", "curves"))
        print(f"{name:<26}{statistics.median(r['draw']):>9.1f}{statistics.median(r['main']):>9.1f}"
              f"{statistics.median(r['rate']):>8.1f}   {parts}")
    print(f"setup {len(setup) / 1000:.1f} kB; frames {statistics.mean(len(f) * 3 / 4 for f in chan) / 1000:.2f} kB each")


if __name__ == "__main__":
    main()
