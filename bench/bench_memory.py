"""Server memory with several learners training at once (Community Cloud's smallest
tier has 690 MB). Starts the app, opens N browser tabs (one session each), presses
Play in every tab, and samples the server's resident memory (RSS, its whole process
group) while they train.

    python bench/bench_memory.py [--sessions 6] [--seconds 30]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser import app_server, browser_page, wait_live  # noqa: E402


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (from /proc)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def server_pid(port: int) -> int:
    """The streamlit process listening on ``port`` (the newest python -m streamlit)."""
    for pid in sorted((p for p in os.listdir("/proc") if p.isdigit()), key=int, reverse=True):
        try:
            cmd = open(f"/proc/{pid}/cmdline").read()
        except OSError:
            continue
        if "streamlit" in cmd and f"{port}" in cmd:
            return int(pid)
    raise RuntimeError("server process not found")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=6)
    ap.add_argument("--seconds", type=float, default=30)
    args = ap.parse_args()
    with app_server() as url:
        pid = server_pid(int(url.rsplit(":", 1)[1]))
        idle = rss_mb(pid)
        with browser_page() as first:
            browser = first.context.browser
            pages = [first] + [browser.new_page() for _ in range(args.sessions - 1)]
            for p in pages:
                p.set_viewport_size({"width": 1400, "height": 1000})
                p.goto(url)
            for p in pages:
                wait_live(p, 120)
            loaded = rss_mb(pid)
            for p in pages:
                p.locator(".st-key-play:not([data-stale='true']) button").first.click()
            samples, t0 = [], time.time()
            while time.time() - t0 < args.seconds:
                first.wait_for_timeout(1000)
                samples.append(rss_mb(pid))
            epochs = [int("".join(c for c in p.locator(".epoch-counter .epoch").inner_text() if c.isdigit()))
                      for p in pages]
    print(f"server RSS: idle {idle:.0f} MB, {args.sessions} sessions loaded {loaded:.0f} MB, "
          f"training median {statistics.median(samples):.0f} MB, peak {max(samples):.0f} MB")
    print(f"epochs reached per session after {args.seconds:.0f} s: {epochs}")


if __name__ == "__main__":
    main()
