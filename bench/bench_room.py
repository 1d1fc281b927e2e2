"""A class against one server: a teacher page, N students and one projector, at the socket level.

    python bench/bench_room.py [--students 30 100] [--seconds 30] [--url http://...]

The teacher opens ``?class=new`` (a real Streamlit session); each student opens the join
link, joins through the join form with a nickname (a real Streamlit session: a refused join,
over the class's 60 a minute, is tried again 2 s later as a student would) and plays on the
live channel at the default pace, acking every frame as soon as it is decoded
(``bench/room_client.py``); every 4th pauses and resumes once (the control round trip). The
projector page opens its gallery socket and acks every frame. Over the window it measures:
each student's live updates/s (frames over playing time), the gallery's updates/s per
student (records received for each), the projector's bytes/s, the control p95, the server's
CPU (cores, from /proc) and RSS, and errors; then the teacher presses "Pause everyone" and it
counts the students whose frames stopped. With the calibration (the default lesson's headless
epochs/s in this process: machines of this kind differ by about 3x). Loopback only; bounded.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.measure import calibration, pct, proc_stats, server_pid  # noqa: E402
from bench.room_client import Projector, Student, start_class  # noqa: E402


async def room(base: str, n: int, seconds: float, pid: int | None) -> dict:
    teacher, code, key = await start_class(base)
    students = [Student(base, code, f"student {i:03d}") for i in range(n)]
    gate = asyncio.Semaphore(4)                     # pages open a few at a time, as a class does
    errors: list[str] = []

    async def open_one(s):
        async with gate:
            try:
                await s.open()
                await s.control({"type": "play"})
            except Exception as err:  # noqa: BLE001 - a student who cannot join is a reported error
                errors.append(f"{s.nickname}: {type(err).__name__}: {err}")

    t_open = time.perf_counter()
    await asyncio.gather(*(open_one(s) for s in students))
    open_s = time.perf_counter() - t_open
    students = [s for s in students if s.live is not None]
    projector = Projector(base, key)
    await projector.open()
    await asyncio.sleep(3.0)                         # the gallery's setup, everyone's first states
    cpu0, rss0 = proc_stats(pid) if pid else (0.0, 0.0)
    frames0 = [s.frames for s in students]
    play0 = [s.playing_s + (time.perf_counter() - s._play_t if s._play_t else 0.0) for s in students]
    projector.reset_counts()
    rss = []
    t0 = time.perf_counter()

    async def script(i, s):
        if i % 4 == 1:
            await asyncio.sleep((i % 13) / 13 * seconds * 0.6)
            await s.control({"type": "pause"})
            await asyncio.sleep(1.0)
            await s.control({"type": "play"})

    async def sample():
        while True:
            if pid:
                rss.append(proc_stats(pid)[1])
            await asyncio.sleep(1.0)

    sampler = asyncio.create_task(sample())
    await asyncio.gather(*(script(i, s) for i, s in enumerate(students)))
    await asyncio.sleep(max(0.0, t0 + seconds - time.perf_counter()))
    elapsed = time.perf_counter() - t0
    sampler.cancel()
    cpu1, rss1 = proc_stats(pid) if pid else (0.0, 0.0)
    for s in students:
        s.stop_clock()
    gallery_s = time.perf_counter() - projector.t0
    ups = [(s.frames - f0) / max(s.playing_s - p0, 1e-9) for s, f0, p0 in zip(students, frames0, play0)]
    gallery_ups = [projector.updates.get(i, 0) / gallery_s for i in range(len(students))]
    result = {"n": n, "joined": len(students), "open_s": open_s, "elapsed": elapsed,
              "join_waits": sum(s.join_waits for s in students),
              "ups_median": statistics.median(ups) if ups else float("nan"), "ups_p5": pct(ups, 5),
              "gallery_median": statistics.median(gallery_ups) if gallery_ups else float("nan"),
              "gallery_p5": pct(gallery_ups, 5), "projector_Bps": projector.bytes / gallery_s,
              "projector_fps": projector.frames / gallery_s, "setups": projector.setups,
              "rtt_p95": pct([r for s in students for r in s.rtts], 95) * 1e3,
              "cpu_cores": (cpu1 - cpu0) / elapsed, "rss_start": rss0, "rss_end": rss1, "rss_peak": max(rss or [rss1]),
              "rss_minutes": rss[::60] + [rss1]}
    wid, _ = teacher.widget("button", "class_pause_all")           # the teacher pauses everyone
    t_pause = time.perf_counter()
    await teacher.rerun((wid, "trigger_value", True))
    await asyncio.sleep(2.0)
    before = [s.frames for s in students]
    await asyncio.sleep(1.5)
    result["paused"] = sum(s.frames == b for s, b in zip(students, before))
    result["pause_s"] = time.perf_counter() - t_pause
    errors += [e for s in students for e in s.errors + s.session.errors] + projector.errors + teacher.errors
    result["errors"] = errors
    await asyncio.gather(*(s.close() for s in students), projector.close(), teacher.close(), return_exceptions=True)
    return result


def report(r: dict, calib: float) -> None:
    print(f"\nN = {r['n']} students ({r['joined']} joined in {r['open_s']:.0f} s; {r['join_waits']} joins waited for "
          f"the class's limit of 60 a minute), one projector, one teacher page; {r['elapsed']:.0f} s window; "
          f"calibration {calib:.0f} headless epochs/s")
    print(f"  students' live updates/s: median {r['ups_median']:.1f}, 5th percentile {r['ups_p5']:.1f}; control "
          f"round trip p95 {r['rtt_p95']:.0f} ms")
    print(f"  gallery: {r['gallery_median']:.2f} updates/s per student (median; 5th pct {r['gallery_p5']:.2f}), "
          f"{r['projector_fps']:.1f} frames/s, {r['projector_Bps'] / 1e3:.1f} kB/s to the projector "
          f"({r['setups']} setups)")
    print(f"  server CPU {r['cpu_cores']:.2f} cores; RSS start {r['rss_start']:.0f} MB, end {r['rss_end']:.0f}, "
          f"peak {r['rss_peak']:.0f}")
    if len(r["rss_minutes"]) > 2:                   # "memory stays flat": RSS each minute of the window
        m = r["rss_minutes"]
        half = m[len(m) // 2:]
        print(f"  RSS each minute (MB): {', '.join(f'{x:.0f}' for x in m)}; over the second half "
              f"{half[-1] - half[0]:+.0f} MB ({(half[-1] - half[0]) / max(len(half) - 1, 1):+.1f} MB a minute)")
    print(f"  pause everyone: {r['paused']} of {r['joined']} students' frames stopped within {r['pause_s']:.1f} s")
    print(f"  errors: {len(r['errors'])}" + (f" {[e[:160] for e in r['errors'][:5]]}" if r["errors"] else ""))
    print(f"room: {r['n']} students, gallery {r['gallery_median']:.2f} updates/s per student (5th pct "
          f"{r['gallery_p5']:.2f}), server {r['cpu_cores']:.2f} cores, RSS {r['rss_peak']:.0f} MB, "
          f"errors {len(r['errors'])}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, nargs="+", default=[30])
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--url", default=None, help="an already running server (else one is started)")
    args = ap.parse_args()
    calib = calibration()
    print(f"calibration: the default lesson trains at {calib:.0f} epochs/s headless in this process "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; the students' client runs here too)")
    if args.url:
        for n in args.students:
            report(asyncio.run(room(args.url, n, args.seconds, None)), calib)
        return
    from tests.browser import app_server
    for n in args.students:                          # a fresh server for each N
        with app_server() as url:
            report(asyncio.run(room(url, n, args.seconds, server_pid(url))), calib)


if __name__ == "__main__":
    main()
