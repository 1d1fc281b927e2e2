"""Does a loss landscape stall another learner's training? One learner trains at "max" while another
computes 41 × 41 landscapes without pause; the first learner's epochs/s with and without, interleaved.

    python bench/bench_landscape_fairness.py [--windows 10] [--seconds 2] [--n 41] [--jobs 1] [--share 0.25]

In one process, as on the server: learner A is the default lesson at "max", trained by the live
channel's real scheduler thread (``SCHEDULER``), its frames acked at once by a socket stand-in (as a
fast browser would); learner B's landscapes go through the real board (``landscape_board.BOARD``,
its worker threads), each submitted as soon as the previous one is done (``--jobs`` at once: 2 fills
the board's cap). Windows of ``--seconds`` alternate: without landscapes, with, without, ... (the
first is dropped as a warm-up). Printed: the calibration, A's epochs/s in each window, the medians
with and without, and B's landscapes a second and their median time.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.measure import calibration  # noqa: E402
from explorer.choices.config import Config  # noqa: E402
from explorer.live.channel import wire  # noqa: E402
from explorer.live.channel.scheduler import SCHEDULER  # noqa: E402
from explorer.live.channel.session import LiveSession  # noqa: E402
from explorer.live.setup_message import View  # noqa: E402
from explorer.training.landscape_board import BOARD  # noqa: E402
from explorer.training.landscape_job import LandscapeJob, request  # noqa: E402
from explorer.training.run import Run, build_data  # noqa: E402


class AckingSocket:
    """Takes what the scheduler sends; acks each binary frame at once."""

    closed = False

    def __init__(self, session: LiveSession):
        self.session = session

    def send(self, data) -> None:
        if isinstance(data, bytes):
            frame = wire.decode_frame(data, len(self.session.run.net.layers))
            self.session.inbox.append({"type": "ack", "seq": frame["seq"]})
            SCHEDULER.wake()


class Landscapes:
    """Learner B: ``jobs`` landscapes in the board at all times while on."""

    def __init__(self, n: int, jobs: int):
        cfg = Config()
        self.run = Run(cfg, build_data(cfg.data))
        self.run.train_steps(300, time.perf_counter() + 30)
        self.req, self.on, self.times = request("pca", n, 1.0), threading.Event(), []
        self.threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(jobs)]
        for t in self.threads:
            t.start()

    def _loop(self) -> None:
        while True:
            self.on.wait()
            job = LandscapeJob.of(self.run, self.req)
            BOARD.submit(job)
            while job.busy:
                time.sleep(0.002)          # (the bench's own polling; the page polls 4 times a second)
            if job.state == "done":
                self.times.append(job.result.seconds)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--windows", type=int, default=10, help="pairs of windows (without, with)")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--n", type=int, default=41)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--share", type=float, default=BOARD.share, help="the board's share (1: no pacing)")
    args = ap.parse_args()
    BOARD.share = args.share
    print(f"calibration: {calibration():,.0f} epochs/s (default lesson, headless); load {os.getloadavg()[0]:.1f}; "
          f"board share {BOARD.share:g}, {args.jobs} job(s) at once")
    b = Landscapes(args.n, args.jobs)
    alone = []
    for _ in range(11):                              # B alone first: what a learner waits for, paced
        job = LandscapeJob.of(b.run, b.req)
        BOARD.submit(job)
        while job.busy:
            time.sleep(0.002)
        alone.append((job.worked, job.result.seconds))
    print(f"B alone, {args.n} × {args.n} on the default network (300 epochs trained), 11 jobs: work median "
          f"{statistics.median(w for w, _ in alone):.3f} s, wall median {statistics.median(s for _, s in alone):.3f} s "
          f"(max {max(s for _, s in alone):.3f})")
    cfg = Config()
    a_run = Run(cfg, build_data(cfg.data))
    a = LiveSession()
    a.attach(a_run, View(), "max")
    assert a.connect(AckingSocket(a))
    SCHEDULER.ensure_started()
    a.inbox.append({"type": "play"})
    SCHEDULER.wake()
    time.sleep(2.0)                                  # warm-up, dropped
    rates = {False: [], True: []}
    for i in range(2 * args.windows):
        with_b = bool(i % 2)
        (b.on.set if with_b else b.on.clear)()
        done_before = len(b.times)
        e0, t0 = a_run.epoch, time.perf_counter()
        time.sleep(args.seconds)
        rate = (a_run.epoch - e0) / (time.perf_counter() - t0)
        rates[with_b].append(rate)
        extra = f"   B: {len(b.times) - done_before} landscapes" if with_b else ""
        print(f"window {i + 1:2d} {'with   ' if with_b else 'without'} landscapes: A {rate:8,.0f} epochs/s{extra}")
    b.on.clear()
    a.inbox.append({"type": "pause"})
    SCHEDULER.wake()
    without, with_ = statistics.median(rates[False]), statistics.median(rates[True])
    # each window with landscapes against the mean of the windows without just before and after it
    # (the last one: the one before), so a machine whose load drifts compares like with like
    w, o = rates[True], rates[False]
    paired = [w[i] / (0.5 * (o[i] + o[i + 1]) if i + 1 < len(o) else o[i]) for i in range(len(w))]
    print(f"A at max, median epochs/s: without {without:,.0f}, with {with_:,.0f} "
          f"({100 * (with_ / without - 1):+.1f} %); windows without {min(o):,.0f}–{max(o):,.0f}, "
          f"with {min(w):,.0f}–{max(w):,.0f}")
    print(f"paired (each window with / its neighbours without): median {statistics.median(paired):.2f}, "
          f"range {min(paired):.2f}–{max(paired):.2f}")
    if b.times:
        print(f"B: {len(b.times)} landscapes of {args.n} × {args.n} in {args.windows * args.seconds:.0f} s "
              f"({len(b.times) / (args.windows * args.seconds):.1f}/s), each median {statistics.median(b.times):.3f} s")


if __name__ == "__main__":
    main()
