"""A classroom against one server: N simulated learners, each a real Streamlit session.

    python bench/bench_classroom.py [--learners 30] [--max 5] [--seconds 30] [--url http://...] [--grid 7x3]

Each learner opens the page as a browser does, through Streamlit's own WebSocket
(``/_stcore/stream``: a ``BackMsg`` rerun with the query string, ``ForwardMsg`` deltas
back), reads its live token from the live component's arguments, then opens the live
channel (``/live/ws``), says hello, presses Play and acks every frame as soon as it
has decoded it (a browser acks once it has drawn: this is the server's side of the
figure). Some learners pause and resume, change the learning rate (a widget change
through Streamlit's socket, the way a slider does it) or switch lessons (a button).
With ``--max K``, K of them set speed "max".

Reports per-learner updates/s (median and 5th percentile over learners; each learner's
figure is its frames over the time it was playing), the control round trip p95 (a
control sent → its ``status`` reply), the server's CPU (cores, from /proc) and RSS,
bytes/s per learner on the live channel, and errors. A calibration figure (headless
epochs/s of the default lesson in this process) is printed with every run, and the
learners' client's own CPU (this process) with each window. Loopback only; everything is
bounded in time. With ``--url`` no server CPU is read; through a balancer, ``bench_capacity.py``
reads every replica's, HAProxy's and Redis's.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402

from bench.classroom_client import Learner, StreamlitSession  # noqa: E402
from bench.measure import calibration, pct, proc_stats, server_pid  # noqa: E402
from explorer.live.channel import wire  # noqa: E402

# ---- the classroom ----------------------------------------------------------------------
async def script(i: int, learner: Learner, seconds: float, t_start: float) -> None:
    """What learner i does during the window: Play; every 4th pauses and resumes; every 6th
    changes the learning rate through Streamlit's socket; every 9th switches lessons."""
    rng = random.Random(i)
    await learner.control({"type": "play"})
    plan = []
    if i % 4 == 1:
        plan.append((rng.uniform(0.2, 0.5) * seconds, "pause"))
    if i % 6 == 2:
        plan.append((rng.uniform(0.3, 0.6) * seconds, "lr"))
    if i % 9 == 3:
        plan.append((rng.uniform(0.4, 0.7) * seconds, "lesson"))
    for at, what in sorted(plan):
        await asyncio.sleep(max(0.0, t_start + at - time.perf_counter()))
        if what == "pause":
            await learner.control({"type": "pause"})
            await asyncio.sleep(2.0)
            await learner.control({"type": "play"})
        elif what == "lr":
            wid, slider = learner.session.widget("slider", "lr")
            options = list(slider.options)
            current = options[int(slider.value[0])] if slider.value else options[len(options) // 2]
            new = options[max(0, options.index(current) - 1)]
            t0 = time.perf_counter()
            await learner.session.rerun((wid, "string_array_value", [new]))
            learner.page_rtts.append(time.perf_counter() - t0)
        elif what == "lesson":
            learner.stop_clock()          # the new network starts paused; the Play below starts the clock again
            wid, _ = learner.session.widget("button", "xor_hidden")
            t0 = time.perf_counter()
            await learner.session.rerun((wid, "trigger_value", True))
            learner.page_rtts.append(time.perf_counter() - t0)
            await learner.control({"type": "play"})          # a new network starts paused
    await asyncio.sleep(max(0.0, t_start + seconds - time.perf_counter()))
    learner.stop_clock()
    learner.frames_end = learner.frames   # frames after its clock stopped (while others pause) do not count


async def classroom(base: str, n: int, n_max: int, seconds: float, pid: int | None, linger: float,
                    grid: str | None = None, counters=None) -> dict:
    """One window of N learners. ``counters``: a function returning cumulative seconds by name (the
    CPU seconds of processes the caller watches, say), read at the window's start and end; the result's
    "rates" holds each one's increase per second of the window. "client_cores" is this process's own CPU
    (the learners' client) over the window; "ups" and "cookies" are each learner's updates/s and cookies."""
    learners = [Learner(base, "?speed=max" if i < n_max else "") for i in range(n)]
    gridder = None
    if grid:                                        # --grid CxR: one more learner, a Compare grid at max
        from bench.classroom_grid import GridLearner
        gridder = GridLearner(base, grid)
    for lr in learners:
        lr.page_rtts, lr.frames_end = [], None
    gate = asyncio.Semaphore(4)                     # pages open a few at a time, as a class does

    async def open_one(learner):
        async with gate:
            await learner.open()

    t_open = time.perf_counter()
    await asyncio.gather(*(open_one(lr) for lr in learners))
    if gridder is not None:
        await gridder.open()
    open_s = time.perf_counter() - t_open
    await asyncio.sleep(1.0)
    cpu0, rss0 = proc_stats(pid) if pid else (0.0, 0.0)
    counted0, client0 = counters() if counters else {}, time.process_time()
    bytes0 = [lr.bytes for lr in learners]
    frames0 = [lr.frames for lr in learners]
    t_start = time.perf_counter()
    rss_samples = []

    async def sample_rss():
        while True:
            if pid:
                rss_samples.append(proc_stats(pid)[1])
            await asyncio.sleep(1.0)

    sampler = asyncio.create_task(sample_rss())
    if gridder is not None:
        await gridder.play()
        grid0 = (gridder.frames, gridder.bytes)
    async def guarded(i, learner):
        try:
            await script(i, learner, seconds, t_start)
        except Exception as err:  # noqa: BLE001 - a learner's failure is a reported error, not a crash
            learner.errors.append(f"learner {i}: {type(err).__name__}: {err}")
            learner.stop_clock()
            learner.frames_end = learner.frames

    await asyncio.gather(*(guarded(i, lr) for i, lr in enumerate(learners)))
    elapsed = time.perf_counter() - t_start
    client1, counted1 = time.process_time(), counters() if counters else {}
    bytes1 = [lr.bytes for lr in learners]
    sampler.cancel()
    cpu1, rss1 = proc_stats(pid) if pid else (0.0, 0.0)
    if gridder is not None:
        gridder.stop_clock()
        grid_result = dict(gridder.summary(*grid0), errors=gridder.errors + gridder.session.errors)
        await gridder.control({"type": "pause"})
        await gridder.close()
    for lr in learners:
        await lr.control({"type": "pause"})
    await asyncio.gather(*(lr.close() for lr in learners))
    after, freed = None, ""
    if pid and linger > 0:
        await asyncio.sleep(linger)
        poke = StreamlitSession(base)           # any visit makes Streamlit expire the sessions
        await poke.open()                       # that were disconnected for over 2 minutes
        await poke.close()
        await asyncio.sleep(5)
        after = proc_stats(pid)[1]
        sample = learners[:: max(1, n // 10)]
        codes = [await hello_code(base, lr.session.token) for lr in sample]
        freed = f"{codes.count(wire.CLOSE_BAD_TOKEN)} of {len(codes)} sampled tokens refused (sessions dropped)"

    ups = [(lr.frames_end - f0) / max(lr.playing_s, 1e-9) for lr, f0 in zip(learners, frames0)]
    paced = [u for u, lr in zip(ups, learners) if lr.session.query != "speed=max"]
    rtts = [r for lr in learners for r in lr.rtts]
    page_rtts = [r for lr in learners for r in lr.page_rtts]
    errors = [e for lr in learners for e in lr.errors + lr.session.errors]
    return {
        "n": n, "n_max": n_max, "open_s": open_s, "elapsed": elapsed,
        "ups_median": statistics.median(ups), "ups_p5": pct(ups, 5),
        "paced_median": statistics.median(paced) if paced else float("nan"), "paced_p5": pct(paced, 5),
        "rtt_p95": pct(rtts, 95) * 1e3, "rtt_median": statistics.median(rtts) * 1e3, "n_rtts": len(rtts),
        "page_rtt_p95": pct(page_rtts, 95) * 1e3 if page_rtts else float("nan"), "n_page": len(page_rtts),
        "cpu_cores": (cpu1 - cpu0) / elapsed, "rss_start": rss0, "rss_end": rss1,
        "rss_peak": max(rss_samples or [rss1]), "rss_after": after, "freed": freed,
        "rss_1min": rss_samples[60] if len(rss_samples) > 120 else None,
        "kBps": statistics.median([(b1 - b0) / elapsed / 1e3 for b1, b0 in zip(bytes1, bytes0)]),
        "kBps_max": max((b1 - b0) / elapsed / 1e3 for b1, b0 in zip(bytes1, bytes0)),
        "errors": errors, "grid": grid_result if gridder is not None else None,
        "client_cores": (client1 - client0) / elapsed,
        "rates": {k: (counted1[k] - counted0[k]) / elapsed for k in counted0 if k in counted1},
        "ups": ups, "cookies": [dict(lr.cookies) for lr in learners],
    }


async def hello_code(base: str, token: str) -> int:
    """Open the live socket with ``token``: 0 if it was accepted (then closed), else the close code."""
    async with websockets.connect(base.replace("http", "ws", 1) + "/live/ws", origin=base) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token}))
        try:
            while True:
                data = await asyncio.wait_for(ws.recv(), 15)
                if isinstance(data, str) and json.loads(data)["type"] == "setup":
                    return 0
        except websockets.ConnectionClosed as err:
            return err.rcvd.code if err.rcvd else -1


async def time_to_free(base: str, busy: bool, limit: float = 420, poll: float = 5.0) -> float | None:
    """Seconds from closing a playing learner's tab until its token is refused (its
    LiveSession, and the Run with it, collected). ``busy``: other pages keep opening
    meanwhile (Streamlit expires disconnected sessions when its session store is used)."""
    learner = Learner(base)
    await learner.open()
    await learner.control({"type": "play"})
    await asyncio.sleep(2)
    token = learner.session.token
    await learner.close()
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        await asyncio.sleep(poll)
        if busy:
            other = StreamlitSession(base)
            await other.open()
            await other.close()
        if await hello_code(base, token) == wire.CLOSE_BAD_TOKEN:
            return time.perf_counter() - t0
    return None


def report(r: dict, calib: float, idle_rss: float) -> None:
    label = f"N = {r['n']}" + (f" ({r['n_max']} at max)" if r["n_max"] else "")
    print(f"\n{label}: {r['elapsed']:.0f} s window (pages opened in {r['open_s']:.1f} s); calibration "
          f"{calib:.0f} headless epochs/s")
    print(f"  updates/s per learner: median {r['ups_median']:.1f}, 5th percentile {r['ups_p5']:.1f}"
          + (f"; at the default pace: median {r['paced_median']:.1f}, 5th {r['paced_p5']:.1f}" if r["n_max"] else ""))
    print(f"  control round trip (socket): p95 {r['rtt_p95']:.0f} ms, median {r['rtt_median']:.0f} ms "
          f"({r['n_rtts']} controls); page reruns (lr, lesson): p95 {r['page_rtt_p95']:.0f} ms ({r['n_page']})")
    print(f"  server CPU {r['cpu_cores']:.2f} cores; RSS idle {idle_rss:.0f} MB, start {r['rss_start']:.0f}, "
          f"end {r['rss_end']:.0f}, peak {r['rss_peak']:.0f}"
          + (f"; {r['rss_1min']:.0f} after the first minute" if r["rss_1min"] else "")
          + (f"; {r['rss_after']:.0f} MB once everyone left and Streamlit dropped their sessions "
             f"({r['freed']})" if r["rss_after"] else ""))
    print(f"  live channel: {r['kBps']:.1f} kB/s per learner (median; max {r['kBps_max']:.1f}); "
          f"the learners' client (this process) {r['client_cores']:.2f} cores")
    print(f"  errors: {len(r['errors'])}" + (f" {[e[:160] for e in r['errors'][:5]]}" if r["errors"] else ""))
    g = r.get("grid")
    if g:
        print(f"  + one grid {g['spec']} ({g['cells']} networks) at max: {g['fps']:.1f} frames/s, {g['epochs_s']:.0f} grid "
              f"epochs/s ({g['epochs_s'] * g['cells']:.0f} network-epochs/s), {g['kBps']:.1f} kB/s; the others at "
              f"the default pace {'kept' if r['paced_p5'] >= 15 else 'did NOT keep'} 15 updates/s "
              f"(5th percentile {r['paced_p5']:.1f}); errors: {len(g['errors'])} {g['errors'][:3]}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--learners", type=int, nargs="+", default=[1, 10, 30, 60])
    ap.add_argument("--max", type=int, default=0, help="this many learners of each run at speed max")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--linger", type=float, default=0, help="wait this long after everyone left, then read RSS")
    ap.add_argument("--url", default=None, help="an already running server (else one is started)")
    ap.add_argument("--free", action="store_true", help="only measure when a closed tab's run is freed")
    ap.add_argument("--grid", default=None, metavar="CxR",
                    help="one more learner runs a Compare grid of C widths x R learning rates at max (7x3)")
    args = ap.parse_args()
    if args.free:
        from tests.browser import app_server
        with app_server() as url:
            for busy in (False, True):
                t = asyncio.run(time_to_free(url, busy))
                print(f"a closed tab's run freed after {t:.0f} s" if t is not None else "not freed within 420 s",
                      "(other pages opening meanwhile)" if busy else "(nothing else happening)")
        return
    calib = calibration()
    print(f"calibration: the default lesson trains at {calib:.0f} epochs/s headless in this process "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; the learners' client runs here too)")
    if args.url:
        runs(args, args.url, None, calib)
        return
    from tests.browser import app_server
    with app_server() as url:
        pid = server_pid(url)
        runs(args, url, pid, calib)


def runs(args, url: str, pid: int | None, calib: float) -> None:
    idle = proc_stats(pid)[1] if pid else 0.0
    for n in args.learners:
        r = asyncio.run(classroom(url, n, min(args.max, n), args.seconds, pid, args.linger, args.grid))
        report(r, calib, idle)


if __name__ == "__main__":
    main()
