"""The Compare view's grid in headless Chromium: how often does every cell move?

    python bench/bench_compare_browser.py [--windows 6] [--seconds 3] [--query "?page=compare&..."]

Opens the grid (by default the 7 × 3 grid of the issue: Ng's widths 1, 2, 3, 4, 5, 20, 50 ×
learning rates 0.3, 1.2, 5, at the default speed), presses Play and measures, in one-second
windows of the grid component's own counters (``window.__grid``, ``tests.browser.rates``):
per cell, epochs shown a second (its caption: epoch, accuracy, badge) and thumbnails
repainted a second (its decision boundary, drawn from float16 weights); frames drawn a
second; bytes a second over the channel. Goal: every cell ≥ 10 updates a second at ≤ 50 kB/s.
Prints the slowest cell's median and 10th percentile over the windows, and the calibration
(the default lesson's headless epochs/s, ``bench_classroom.calibration``) with the load.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.measure import calibration, pct  # noqa: E402
from tests.browser import app_server, browser_page, grid_frame, rates  # noqa: E402

GRID_7X3 = "?page=compare&ga=units:1,2,3,4,5,20,50&gb=lr:0.3,1.2,5&gep=100000"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--windows", type=int, default=6)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--query", default=GRID_7X3)
    args = ap.parse_args()
    cal = calibration()
    print(f"calibration: the default lesson trains at {cal:.0f} epochs/s headless "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    with app_server() as url, browser_page(1920, 1080) as page:
        page.goto(url + "/" + args.query)
        frame = grid_frame(page)
        cells = frame.locator("#cmp .gcell").count()
        frame.locator("#cmp button[data-shortcut='play']").click()
        frame.wait_for_function("__grid.renders > 20", timeout=60_000)
        windows = [rates(frame, args.seconds) for _ in range(args.windows)]
    slowest_epochs = [min(w["epochs"]) for w in windows]
    slowest_thumbs = [min(w["thumbs"]) for w in windows]
    frames = [w["frames"] for w in windows]
    kb = [w["bytes"] / 1e3 for w in windows]
    print(f"{cells} cells, {args.windows} windows of {args.seconds:.0f} s")
    print(f"  frames drawn/s   median {statistics.median(frames):.1f} (p10 {pct(frames, 10):.1f})")
    print(f"  slowest cell's captions/s (epochs shown)  median {statistics.median(slowest_epochs):.1f} "
          f"(p10 {pct(slowest_epochs, 10):.1f})")
    print(f"  slowest cell's boundary repaints/s       median {statistics.median(slowest_thumbs):.1f} "
          f"(p10 {pct(slowest_thumbs, 10):.1f})")
    print(f"  channel kB/s     median {statistics.median(kb):.1f} (max {max(kb):.1f}); errors {windows[-1]['errors']}")
    print(f"compare: slowest cell {statistics.median(slowest_epochs):.1f} captions/s and "
          f"{statistics.median(slowest_thumbs):.1f} boundaries/s, {statistics.median(kb):.1f} kB/s; "
          f"calibration {cal:.0f}")


if __name__ == "__main__":
    main()
