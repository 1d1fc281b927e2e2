"""The live view of the real app in headless Chromium, at the default lesson.

    python bench/bench_live_app.py [--seconds 20] [--query "?ds=spiral&layers=16:tanh,16:tanh"]

Measured in the page (the component's own counters): visible updates per second (all
changed charts redrawn and painted; a message from the server carries up to two
training states, each drawn and painted in its own animation frame) and messages per second, the share of animation frames in which a chart is
missing or half drawn, Pause latency (click → button shows Play; click → last frame
received), and training throughput while live against the same Run trained headless in
this process for the same time. Medians of one-second windows; one run prints all.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_live import CLICK, SAMPLER, WATCH_TEXT  # noqa: E402  (the spike's in-page probes)
from tests.browser import app_server, browser_page, wait_live  # noqa: E402

PLAY = ".st-key-play:not([data-stale='true']) button"


def epoch(page) -> int:
    return int("".join(c for c in page.locator(".epoch-counter .epoch").inner_text() if c.isdigit()))


def headless_rate(query: str, seconds: float) -> float:
    """Epochs/s of the same Run without server, browser or figures."""
    from urllib.parse import parse_qsl

    from explorer.query import from_query
    from explorer.run import Run, build_data
    cfg, _ = from_query(dict(parse_qsl(query.lstrip("?"))))
    run = Run(cfg, build_data(cfg.data))
    t0, n = time.perf_counter(), 0
    while time.perf_counter() - t0 < seconds:
        n += run.train_for(0.06)
    return n / (time.perf_counter() - t0)


def pause_once(page, frame) -> tuple[float, float]:
    """Click Pause while running; ms until the button reads Play, ms until the last frame arrived."""
    page.evaluate(WATCH_TEXT, "Play")
    page.wait_for_selector(PLAY)                        # not between two renders of the button
    t0 = page.evaluate(CLICK, PLAY)
    page.wait_for_timeout(2000)
    shown = page.evaluate("() => window.__shownAt")
    recv = frame.evaluate("(t) => __live.recv.filter(r => r[1] > t).map(r => r[1])", t0)
    return (shown - t0 if shown else float("nan")), (max(recv) - t0 if recv else 0.0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--query", default="")
    ap.add_argument("--pauses", type=int, default=3)
    args = ap.parse_args()
    with app_server() as url, browser_page(1400, 1000) as page:
        page.goto(url + "/" + args.query)
        frame = wait_live(page, 120)
        page.wait_for_timeout(1500)
        frame.evaluate(SAMPLER)
        page.locator(PLAY).click()
        page.wait_for_timeout(3000)                                  # warm-up
        frame.evaluate("() => { __sampler.frames = 0; __sampler.bad = 0; __sampler.badNames = {}; }")
        fps, mps, eps = [], [], []
        counts = "[__live.renders, __live.messages, __live.skipped]"
        (r0, m0, s0), e0, t0 = frame.evaluate(counts), epoch(page), time.time()
        skipped0 = s0
        end = t0 + args.seconds
        while time.time() < end:
            page.wait_for_timeout(1000)
            (r1, m1, s1), e1, t1 = frame.evaluate(counts), epoch(page), time.time()
            fps.append((r1 - r0) / (t1 - t0))
            mps.append((m1 - m0) / (t1 - t0))
            eps.append((e1 - e0) / (t1 - t0))
            (r0, m0, s0), e0, t0 = (r1, m1, s1), e1, t1
        skipped = s0 - skipped0
        drawn = frame.evaluate("(n) => __live.drawn.slice(-n)", int(sum(fps)))
        gaps = sorted(b - a for a, b in zip(drawn, drawn[1:]))
        sampler = frame.evaluate("() => __sampler")
        pauses = []
        for _ in range(args.pauses):
            pauses.append(pause_once(page, frame))
            page.locator(PLAY).click()
            page.wait_for_timeout(2500)
        page.screenshot(path=str(ROOT / "bench" / "results" / "live_app.png"), full_page=True)
    headless = headless_rate(args.query, 5.0)
    live = statistics.median(eps)
    bad = 100.0 * sampler["bad"] / max(sampler["frames"], 1)
    print(f"visible updates/s   median {statistics.median(fps):.1f} (min {min(fps):.1f}, max {max(fps):.1f})  target >= 10")
    print(f"  from {statistics.median(mps):.1f} messages/s (states drawn per message: up to 2; "
          f"{skipped} states skipped as superseded)")
    print(f"  time between updates: median {statistics.median(gaps):.0f} ms, 10th percentile "
          f"{gaps[len(gaps) // 10]:.0f} ms, 90th {gaps[9 * len(gaps) // 10]:.0f} ms")
    print(f"bad animation frames {bad:.2f} % of {sampler['frames']} ({sampler['badNames']})  target <= 1 %")
    print("pause: button shows Play after " + ", ".join(f"{a:.0f}" for a, _ in pauses) + " ms; last frame "
          + ", ".join(f"{b:.0f}" for _, b in pauses) + " ms after the click  target <= 300 ms")
    print(f"training while live {live:.0f} epochs/s, headless {headless:.0f} epochs/s: "
          f"{100 * live / headless:.0f} %  target >= 50 %")


if __name__ == "__main__":
    main()
