"""Batched training of a grid against one run at a time: ``core.sweep.Sweep`` vs ``core.Trainer``.

    python bench/bench_sweep.py [--repeats 31] [--epochs 100] [--quick] [--fit]

Workloads, on Ng's flower (400 points, full batch, tanh, sigmoid + cross-entropy, his
initialiser):

* **matching shapes** (the goal: ratio ≥ 3): width 4 × 7 learning rates × 3 weights seeds,
  21 cells that train as one stack;
* **mixed widths** (no goal): Ng's 7 widths 1, 2, 3, 4, 5, 20, 50 × learning rates 0.3, 1.2
  and 5, 21 cells, as the sweep plans them (``pad="auto"``: widths 1–5 padded to 5, 20 and
  50 alone), without padding (7 stacks of 3) and all padded to width 50 (one stack);
* **Ng's grid**: his 7 widths at learning rate 1.2, 7 cells (auto and unpadded).

``--fit`` also times stacks of 1, 3, 7 and 21 cells of widths 1, 5, 20 and 50 and fits the
cost model of core/stack_plan.py (µs per stack, per cell, per unit and example) to them.

Each repeat trains the sweep ``--epochs`` more epochs, then every cell's own ``Trainer`` the
same number (the order alternates between repeats), so both sides keep training from where
they were: steady-state speed, no set-up. BLAS is limited to one thread (both sides call it
for small matrices only). A rate is cell-epochs per second of wall time; the ratio of a
repeat is batched / one by one; medians and 10th–90th percentiles over the repeats, and
the same ratio from process CPU time ("cpu": the same work without the time other programs
took from this one on a shared machine). Both sides do the same bookkeeping every epoch
(cost, accuracy, finiteness, the weights kept for a divergence) but for one thing: a
``Trainer`` also records each layer's gradient norm and mean |δ| every step (the live
view's bars), which a grid cell does not show. The calibration figure, the default lesson's
headless epochs/s (``bench_classroom.calibration``), is printed first. Memory per cell:
the bytes of the arrays the sweep holds (``Sweep.nbytes``: weights, kept copies, optimizer
state, step buffers, masks, history; the shared data counted once) over the cells.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench.measure import calibration, pct  # noqa: E402
from core import datasets  # noqa: E402
from core.grid import Cell  # noqa: E402
from core.sweep import Sweep  # noqa: E402

NG_WIDTHS = (1, 2, 3, 4, 5, 20, 50)
LEARNING_RATES = (0.1, 0.2, 0.4, 0.6, 1.2, 2.4, 3.6)       # none diverges on the flower at width 4
SEEDS = (1, 2, 3)


def ng_cell(width: int, learning_rate: float, seed: int = 2) -> Cell:
    return Cell(((width, "tanh"), (1, "sigmoid")), "binary_cross_entropy", learning_rate, init="ng", seed=seed)


def matching_grid() -> list[Cell]:
    return [ng_cell(4, lr, seed) for lr in LEARNING_RATES for seed in SEEDS]


def mixed_grid() -> list[Cell]:
    return [ng_cell(w, lr) for w in NG_WIDTHS for lr in (0.3, 1.2, 5.0)]


def ng_grid() -> list[Cell]:
    return [ng_cell(w, 1.2) for w in NG_WIDTHS]


WORKLOADS = (("matching: width 4 × 7 lr × 3 seeds", matching_grid, "auto"),
             ("mixed 7 × 3, planned (auto)", mixed_grid, "auto"),
             ("mixed 7 × 3, unpadded", mixed_grid, False),
             ("mixed 7 × 3, all padded to 50", mixed_grid, True),
             ("Ng's 7 widths, planned (auto)", ng_grid, "auto"),
             ("Ng's 7 widths, unpadded", ng_grid, False))


def _timed(job) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    job()
    return time.perf_counter() - w0, time.process_time() - c0


def measure(cells, X, y, epochs: int, repeats: int, pad="auto") -> dict:
    """Rates of the sweep and of the cells one by one, interleaved over ``repeats``."""
    sweep = Sweep(cells, X, y, pad=pad)
    trainers = [cell.trainer(cell.network(X.shape[1]), X, y) for cell in cells]

    def one_by_one():
        for trainer in trainers:
            trainer.run_epochs(epochs)

    sweep.step(2)                                # warm: buffers allocated, caches filled
    one_by_one()
    work = len(cells) * epochs
    batched, single = [], []
    for r in range(repeats):
        jobs = [(batched, lambda: sweep.step(epochs)), (single, one_by_one)]
        for times, job in (jobs if r % 2 == 0 else jobs[::-1]):
            times.append(_timed(job))
    if np.any(sweep.diverged_at):
        raise RuntimeError(f"a cell diverged: {sweep.diverged_at}; the workload must not")
    rate_b = [work / w for w, _ in batched]
    rate_s = [work / w for w, _ in single]
    ratio = [b / s for b, s in zip(rate_b, rate_s)]
    cpu = [s / b for (_, b), (_, s) in zip(batched, single)]
    return {"batched": rate_b, "single": rate_s, "ratio": ratio, "cpu": cpu, "stacks": len(sweep.stacks),
            "bytes_per_cell": sweep.nbytes / len(cells)}


def fit(X, y, epochs: int) -> None:
    """Least-squares fit of the stack cost model to timed stacks (process CPU time, medians of 5)."""
    from core.cell_stack import CellStack
    from core.fast_step import augment
    from core.stack_plan import CELL_US, STACK_US, UNIT_EXAMPLE_US
    rows = []
    for w in (1, 5, 20, 50):
        for C in (1, 3, 7, 21):
            cells = [ng_cell(w, 0.3 + 0.01 * i) for i in range(C)]
            nets = [cell.network(2) for cell in cells]
            stack = CellStack(nets, cells, (augment(X), nets[0].targets(y), None, None), None, 0)
            stack.run_epochs(2)
            t = statistics.median(_timed(lambda: stack.run_epochs(epochs))[1] for _ in range(5)) / epochs * 1e6
            rows.append((1.0, C, C * len(X) * (w + 1), t))
    A, t = np.array([r[:3] for r in rows]), np.array([r[3] for r in rows])
    (a, b, g), *_ = np.linalg.lstsq(A, t, rcond=None)
    print(f"\nfit: {a:.0f} µs per stack, {b:.1f} µs per cell, {g * 1e3:.1f} ns per unit and example per cell "
          f"(core/stack_plan.py: {STACK_US:.0f}, {CELL_US:.1f}, {UNIT_EXAMPLE_US * 1e3:.1f}); worst misfit "
          f"{np.max(np.abs(A @ [a, b, g] - t) / t):.0%}")


def spread(values, digits: int = 0) -> str:
    return f"{statistics.median(values):.{digits}f} ({pct(values, 10):.{digits}f}–{pct(values, 90):.{digits}f})"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=31)
    ap.add_argument("--epochs", type=int, default=100, help="epochs per repeat and side")
    ap.add_argument("--quick", action="store_true", help="5 repeats of 40 epochs, for a smoke run")
    ap.add_argument("--fit", action="store_true", help="also fit the stack cost model of core/stack_plan.py")
    args = ap.parse_args(argv)
    repeats, epochs = (5, 40) if args.quick else (args.repeats, args.epochs)
    print(f"bench_sweep {time.strftime('%Y-%m-%d %H:%M:%S')}, numpy {np.__version__}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}; {repeats} repeats of {epochs} epochs", flush=True)
    calib = calibration(1.0 if args.quick else 3.0)
    print(f"calibration: the default lesson trains at {calib:.0f} epochs/s headless in this process", flush=True)
    X, y = datasets.make("planar")
    print(f"\n{'workload':34} {'stacks':>6} {'batched cell-epochs/s':>24} {'one by one':>22} "
          f"{'ratio':>17} {'cpu ratio':>17} {'bytes/cell':>10}   (medians, 10th–90th percentiles)")
    results = {}
    with threadpool_limits(limits=1):
        for name, grid, pad in WORKLOADS:
            r = results[name] = measure(grid(), X, y, epochs, repeats, pad)
            print(f"{name:34} {r['stacks']:>6} {spread(r['batched']):>24} {spread(r['single']):>22} "
                  f"{spread(r['ratio'], 2):>17} {spread(r['cpu'], 2):>17} {r['bytes_per_cell']:>10.0f}", flush=True)
        if args.fit:
            fit(X, y, epochs)
    r = results[WORKLOADS[0][0]]
    print(f"\nsweep: batched {statistics.median(r['batched']):.0f} cell-epochs/s, one by one "
          f"{statistics.median(r['single']):.0f}, ratio {statistics.median(r['ratio']):.2f}")


if __name__ == "__main__":
    main()
