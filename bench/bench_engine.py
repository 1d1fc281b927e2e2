"""Benchmark the engine against scikit-learn and PyTorch: same work, side by side, medians.

    python bench/bench_engine.py [--repeats 7] [--quick] [--no-default-threads]

Workloads (issue 2, "Speed"); every contender does the same number of gradient steps:

  W1    400 planar points, 2-4(tanh)-1(sigmoid), full batch, sgd lr 1.2  vs MLPClassifier
  W2    400 planar points, 2-8-8-8-8-1 tanh, batch 10, sgd              vs MLPClassifier
  W3    1000 points, 2-64-64-64-3 relu + softmax, full batch, sgd       vs torch eager, 1 thread
  grid  forward pass over a 200×200 grid, trained W1-size net           vs MLPClassifier.predict_proba

Each timing builds the model and runs the whole fit (so each side pays its own set-up once,
amortised over the steps); ours includes the per-epoch history the explorer needs (cost,
accuracy, ‖dW‖ and mean |δ| per layer), scikit-learn its loss curve, torch a plain loop
that keeps loss.item(). Float64 on every side (W3f32 repeats W3 in float32 on both sides,
torch's default dtype). The contenders are interleaved in every repeat (the machine is
shared and noisy) and the table shows per-step wall-clock medians and the ratio of the
medians (theirs / ours: > 1 means we are faster); "spread" is the range of the per-repeat
ratios of the interleaved pairs, "cpu" the ratio of the process-CPU-time medians.
BLAS is limited to one thread with threadpoolctl; a second table repeats the set with the
default thread count (where "cpu" adds up all threads). The output is also written to
bench/results/engine-<time>.txt (ignored by git).
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_info, threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import Network, datasets, train  # noqa: E402

try:
    import torch
except ImportError:              # the W3 row is skipped with a message
    torch = None

TARGETS = {"W1": 7.0, "W2": 8.0, "W3": 2.0, "grid": 4.0}
HUGE = 10**9


# ---- the contenders -----------------------------------------------------------------------
# Each returns a zero-argument callable that does the whole timed job, plus the number of
# gradient steps (or forward passes) it performs.

def ours_fit(X, y, hidden, act, out, loss, lr, batch, epochs, init="xavier", dtype=np.float64):
    layers = [(w, act) for w in hidden] + out

    def job():
        net = Network(X.shape[1], layers, loss, seed=0, init=init, dtype=dtype)
        train(net, X, y, optimizer="sgd", learning_rate=lr, epochs=epochs, batch_size=batch)
        return net
    return job


def sklearn_fit(X, y, hidden, act, lr, batch, epochs):
    def job():
        clf = MLPClassifier(hidden_layer_sizes=tuple(hidden), activation=act, solver="sgd", momentum=0.0,
                            nesterovs_momentum=False, alpha=0.0, learning_rate_init=lr, batch_size=batch,
                            shuffle=False, tol=0.0, n_iter_no_change=HUGE, max_iter=epochs, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        return clf
    return job


def torch_fit(X, y, hidden, lr, steps):
    Xt = torch.from_numpy(X)                       # the dtype of X: float64 like ours, or float32
    yt = torch.from_numpy(y.astype(np.int64))
    dt = Xt.dtype

    def job():
        torch.manual_seed(0)
        mods, fan_in = [], X.shape[1]
        for w in hidden:
            mods += [torch.nn.Linear(fan_in, w, dtype=dt), torch.nn.ReLU()]
            fan_in = w
        mods.append(torch.nn.Linear(fan_in, int(y.max()) + 1, dtype=dt))
        model = torch.nn.Sequential(*mods)
        loss_fn = torch.nn.CrossEntropyLoss()
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        losses = []
        for _ in range(steps):
            opt.zero_grad()
            loss = loss_fn(model(Xt), yt)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return model
    return job


# ---- measuring ------------------------------------------------------------------------------

def clock(job) -> tuple[float, float]:
    """(wall seconds, this process's CPU seconds) of one run of ``job``."""
    w0, c0 = time.perf_counter(), time.process_time()
    job()
    return time.perf_counter() - w0, time.process_time() - c0


def compare(name, ours, theirs, n, repeats, what="step"):
    """Interleave the two jobs ``repeats`` times (alternating who goes first); per-step medians.

    The wall-clock medians decide the ratio. The CPU-time ratio is printed beside it: with
    one BLAS thread it is the same work measured without the time other programs on the
    shared machine took from us, a check that the wall ratio is not an artefact of noise.
    """
    ours(), theirs()                               # warm-up: imports, caches, first-call costs
    t_ours, t_theirs = [], []
    for r in range(repeats):
        if r % 2:
            t_theirs.append(clock(theirs))
            t_ours.append(clock(ours))
        else:
            t_ours.append(clock(ours))
            t_theirs.append(clock(theirs))
    med = [[statistics.median(t[i] for t in ts) / n for i in (0, 1)] for ts in (t_ours, t_theirs)]
    pair = [b[0] / a[0] for a, b in zip(t_ours, t_theirs)]
    return dict(name=name, what=what, n=n, ours=med[0][0], theirs=med[1][0], ratio=med[1][0] / med[0][0],
                lo=min(pair), hi=max(pair), cpu_ratio=med[1][1] / med[0][1])


def workloads(repeats, quick):
    scale = 0.25 if quick else 1.0
    X, y = datasets.make("planar", n_samples=400, noise=0.2, seed=1)
    rows = []

    # W1: full batch, one step per epoch.
    steps = int(2000 * scale)
    rows.append(compare("W1", ours_fit(X, y, [4], "tanh", [(1, "sigmoid")], "binary_cross_entropy", 1.2, None,
                                       steps, init="small_gaussian"),
                        sklearn_fit(X, y, [4], "tanh", 1.2, 400, steps), steps, repeats) | {"vs": "sklearn"})

    # W2: batch 10 → 40 steps per epoch.
    epochs = int(100 * scale)
    rows.append(compare("W2", ours_fit(X, y, [8] * 4, "tanh", [(1, "sigmoid")], "binary_cross_entropy", 0.1, 10,
                                       epochs),
                        sklearn_fit(X, y, [8] * 4, "tanh", 0.1, 10, epochs), epochs * 40, repeats)
                | {"vs": "sklearn"})

    # W3: 1000 points, 3 classes, full batch.
    X3, y3 = datasets.make("multi_spiral", n_samples=1000, n_classes=3, noise=0.1, seed=1)
    steps = int(200 * scale)
    if torch is None:
        rows.append(dict(name="W3", vs="torch", skipped="torch is not installed "
                         "(pip install torch==2.13.0 uses the local CPU wheel)"))
    else:
        rows.append(compare("W3", ours_fit(X3, y3, [64] * 3, "relu", [(3, "softmax")], "cross_entropy", 0.1, None,
                                           steps),
                            torch_fit(X3, y3, [64] * 3, 0.1, steps), steps, repeats) | {"vs": "torch"})
        # The same in float32 on both sides (torch's default dtype; our float32 mode).
        X32 = X3.astype(np.float32)
        rows.append(compare("W3", ours_fit(X32, y3, [64] * 3, "relu", [(3, "softmax")], "cross_entropy", 0.1,
                                           None, steps, dtype=np.float32),
                            torch_fit(X32, y3, [64] * 3, 0.1, steps), steps, repeats)
                    | {"vs": "torch", "label": "W3f32"})

    # Decision surface: a 200×200 grid through trained W1-size networks.
    net = ours_fit(X, y, [4], "tanh", [(1, "sigmoid")], "binary_cross_entropy", 1.2, None, 500,
                   init="small_gaussian")()
    clf = sklearn_fit(X, y, [4], "tanh", 1.2, 400, 500)()
    g = np.linspace(-5, 5, 200)
    grid = np.column_stack([a.ravel() for a in np.meshgrid(g, g)])
    calls = int(20 * scale) or 1

    def ours_grid():
        for _ in range(calls):
            net.predict_proba(grid)

    def sk_grid():
        for _ in range(calls):
            clf.predict_proba(grid)
    rows.append(compare("grid", ours_grid, sk_grid, calls, repeats, what="pass") | {"vs": "sklearn"})
    return rows


def table(rows, title):
    out = [title, f"{'work':6} {'vs':8} {'n':>6} {'ours':>11} {'theirs':>11} {'ratio':>7} {'spread':>13} "
                  f"{'cpu':>7} {'target':>7}  met"]
    for r in rows:
        label = r.get("label", r["name"])
        if "skipped" in r:
            out.append(f"{label:6} {r['vs']:8} skipped: {r['skipped']}")
            continue
        target = TARGETS[r["name"]]
        out.append(f"{label:6} {r['vs']:8} {r['n']:>6} {r['ours'] * 1e6:>8.1f} µs {r['theirs'] * 1e6:>8.1f} µs "
                   f"{r['ratio']:>6.2f}× {r['lo']:>5.2f}–{r['hi']:<5.2f}× {r['cpu_ratio']:>6.2f}× {target:>6.0f}×  "
                   f"{'yes' if r['ratio'] >= target else 'NO'}")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="a quarter of the steps, for a smoke run")
    ap.add_argument("--no-default-threads", action="store_true", help="skip the default-thread table")
    args = ap.parse_args(argv)

    blas = sorted({(i["internal_api"], i.get("architecture"), i["num_threads"]) for i in threadpool_info()})
    head = [f"bench_engine {time.strftime('%Y-%m-%d %H:%M:%S')}  python {platform.python_version()}  "
            f"numpy {np.__version__}  scikit-learn {sklearn.__version__}  "
            f"torch {torch.__version__ if torch else 'not installed'}",
            f"cpu: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; thread pools: {blas}",
            f"per-step medians of {args.repeats} interleaved repeats; ratio = theirs / ours"]
    print("\n".join(head), flush=True)
    blocks = []
    with threadpool_limits(limits=1):
        if torch is not None:
            torch.set_num_threads(1)
        blocks.append(table(workloads(args.repeats, args.quick), "\nBLAS limited to 1 thread (torch.set_num_threads(1))"))
        print(blocks[-1], flush=True)
    if not args.no_default_threads:
        if torch is not None:
            torch.set_num_threads(os.cpu_count() or 1)
        blocks.append(table(workloads(max(3, args.repeats // 2), args.quick),
                            f"\ndefault threads ({os.cpu_count()} cores; W3's torch as well)"))
        print(blocks[-1], flush=True)
    text = "\n".join(head + blocks) + "\n"
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"engine-{time.strftime('%Y%m%d-%H%M%S')}.txt"
    path.write_text(text)
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
