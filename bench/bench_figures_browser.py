"""Browser cost of redrawing each live figure, variants side by side, in one run.

    python bench/bench_figures_browser.py [--frames 30] [--repeats 5]

Builds a sequence of real frames of the default lesson (training between frames, as
live), then in headless Chromium replays each figure's sequence with ``Plotly.react``
on one kept div, the way the live component does, and measures per frame:
- ``draw``: the component's own time from receiving a frame to its next animation frame;
- ``main``: main-thread task time from the DevTools protocol (script, style,
  layout, paint), divided by the frames drawn.
Repeats are interleaved (A B C, A B C, ...); medians are printed. Variants of the
curves figure are listed in ``VARIANTS`` so a change is measured against the current
figure in the same run, never against a number from another day.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
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


def frames_of_default_lesson(n: int, seconds_between: float = 0.1) -> list[dict[str, str]]:
    """``n`` consecutive live frames (name → figure JSON) of the default lesson, running."""
    cfg = Config()
    run = Run(cfg, build_data(cfg.data))
    run.running = True
    run.train_for(1.0)                       # past the first epochs, as a viewer sees it
    view = View()
    out = []
    for _ in range(n):
        run.train_for(seconds_between)
        out.append(build_frame(run, view))
    return out


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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=30)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    cases = variants(frames_of_default_lesson(args.frames))
    index = ensure_static_dir() / "index.html"
    sync: dict[str, list[float]] = {k: [] for k in cases}
    main_ms: dict[str, list[float]] = {k: [] for k in cases}
    with browser_page(1150, 900) as page:         # about the width the app gives the component
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
    print(f"{'figure':<28}{'draw ms':>10}{'main ms':>10}   ({args.frames} frames × {args.repeats} repeats, medians)")
    for name in cases:
        print(f"{name:<28}{statistics.median(sync[name]):>10.1f}{statistics.median(main_ms[name]):>10.1f}")


if __name__ == "__main__":
    main()
