"""The 2-D loss landscape of the default network at 41 × 41 points: batched against naive.

    python bench/bench_landscape.py [--repeats 21] [--n 41]

The default lesson (Ng's flower, 2-4-1 tanh/sigmoid, η = 1.2, full batch, 320 training
points) is trained 1,000 epochs, with a weight snapshot every 25; then the landscape on the
plane of the trajectory's first two principal directions (``core.landscape``) is timed:
"batched" stacks every grid point's weights and does one matrix product per layer for all
of them (``plane_slice``); "naive" sets the network's weights to one point at a time and
calls ``Network.cost``. Both give the same numbers (checked here to 1e-12). Printed: the
calibration (the default lesson's headless epochs/s in this process: machines differ by
about 3x), the median and 10th/90th percentiles of each, and the ratio of the medians.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from bench.measure import calibration, pct  # noqa: E402
from core.landscape import pca_directions, plane_slice  # noqa: E402
from explorer.choices.config import Config  # noqa: E402
from explorer.training.run import Run, build_data  # noqa: E402


def naive(net, X, y, center, d1, d2, alphas, betas) -> np.ndarray:
    """The same slice, one point at a time through the network's own cost."""
    params, J = net.parameters(), np.empty((len(betas), len(alphas)))
    keep = [p.copy() for p in params]
    for i, b in enumerate(betas):
        for j, a in enumerate(alphas):
            for p, c, u, v in zip(params, center, d1, d2):
                np.copyto(p, c + a * u + b * v)
            J[i, j] = net.cost(X, y)
    for p, k in zip(params, keep):
        np.copyto(p, k)
    return J


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=21)
    ap.add_argument("--n", type=int, default=41)
    args = ap.parse_args()
    print(f"calibration: {calibration():,.0f} epochs/s (default lesson, headless)")
    cfg = Config()
    run = Run(cfg, build_data(cfg.data))
    snaps = [[p.copy() for p in run.net.parameters()]]
    for _ in range(40):
        run.trainer.run_epochs(25)
        snaps.append([p.copy() for p in run.net.parameters()])
    X, y, now = run.data.F_train, run.data.y_train, [p.copy() for p in run.net.parameters()]
    d1, d2, xy, _ = pca_directions(snaps, now)
    span = 1.25 * float(np.abs(xy).max())
    grid = np.linspace(-span, span, args.n)
    fast, slow = [], []
    for r in range(args.repeats):
        t0 = time.perf_counter()
        J = plane_slice(run.net, X, y, now, d1, d2, grid, grid)
        fast.append(time.perf_counter() - t0)
        if r < max(3, args.repeats // 5):
            t0 = time.perf_counter()
            ref = naive(run.net, X, y, now, d1, d2, grid, grid)
            slow.append(time.perf_counter() - t0)
    worst = float(np.max(np.abs(J - ref)))
    assert worst <= 1e-12, worst
    print(f"{args.n}×{args.n} = {args.n ** 2} points, {len(y)} training points, net {run.net.sizes}")
    for name, t in (("batched", fast), ("naive", slow)):
        print(f"{name:8s} median {statistics.median(t) * 1e3:8.1f} ms   p10 {pct(t, 10) * 1e3:8.1f}   "
              f"p90 {pct(t, 90) * 1e3:8.1f}   ({len(t)} runs)")
    print(f"naive / batched: {statistics.median(slow) / statistics.median(fast):.1f}×   "
          f"(largest difference {worst:.1e}; the origin J = {J[args.n // 2, args.n // 2]:.12f}, "
          f"the run's {run.trainer.history.cost[-1]:.12f})")


if __name__ == "__main__":
    main()
