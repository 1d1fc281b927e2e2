"""What merging the two backward passes cost: the training step before and after.

    python bench/bench_backward.py [--repeats 31] [--quick]

Until issue 16 the engine had two backward passes: ``Network.backward`` (the one the
step-by-step view shows, allocating its arrays) and ``core.fast_step.backward_into``
(the one training ran: preallocated buffers, δ pre-divided by n, each activation's
derivative written a second time as an in-place ``backward_into``). Now there is one:
the trainer calls ``Network.backward(fwd, T, out=buffers)``, and each σ' is the registry's
``df`` computed into the buffer that then holds δ.

This script times one training step (the forward pass into the buffers, the backward
pass, the per-layer magnitudes the history records) both ways on the same buffers:
"merged" is today's code; "before" is the old ``backward_into`` and its in-place
derivatives, copied below as they were, reading today's buffers (kept here only to
measure against). The two are
interleaved, alternating which goes first, with BLAS limited to one thread; the ratio is
the median over repeats of merged / before per-step wall time (> 1: the merge costs
time), with its range, and "cpu" the ratio of the process-CPU-time medians (the same
work without the time other programs on a shared machine took from this one). The calibration figure, the default lesson's headless epochs/s
(``bench_classroom.calibration``), is printed first. The decision rule of issue 16: merge
unless the default lesson's step is more than 10 % slower merged.
"""
from __future__ import annotations

import argparse
import math
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

from bench.measure import calibration  # noqa: E402
from core import Network, datasets  # noqa: E402
from core.activations import _row_sum  # noqa: E402
from core.fast_step import StepBuffers, augment, forward_into, magnitudes  # noqa: E402

THRESHOLD = 1.10


# ---- before the merge: core/fast_step.py's backward_into and the activations' in-place
# ---- derivatives as they were (commit 6c1ad95), on today's buffers -------------------------
def _tanh(z, a, dA, tmp):
    np.multiply(a, a, out=tmp)
    np.subtract(1.0, tmp, out=tmp)
    dA *= tmp
    return dA


def _sigmoid(z, a, dA, tmp):
    np.subtract(1.0, a, out=tmp)
    tmp *= a
    dA *= tmp
    return dA


def _relu(z, a, dA, tmp):
    np.multiply(dA, z > 0, out=dA)
    return dA


def _softmax(z, a, dA, tmp):
    np.multiply(dA, a, out=tmp)
    dA -= _row_sum(tmp)
    dA *= a
    return dA


def _leaky(z, a, dA, tmp):
    dA *= np.where(z > 0, 1.0, 0.01)
    return dA


BEFORE = {"tanh": _tanh, "sigmoid": _sigmoid, "relu": _relu, "leaky_relu": _leaky, "softmax": _softmax,
          "linear": lambda z, a, dA, tmp: dA}


def _output_before(act, z, a, dA):
    """The old ``Activation.backward``: dA * df(z, a), or softmax's Jacobian product."""
    if act.name == "softmax":
        return a * (dA - np.sum(dA * a, axis=1, keepdims=True))
    return dA * act.df(z, a)


def backward_before(net, buf, X_aug, T, l1, l2):
    L, n, fwd = len(net.layers), buf.n, buf.fwd
    a, tmp, dWbs = fwd.A[-1], buf.scratch, buf.bwd.dWb
    norms, means = [0.0] * L, [0.0] * L
    delta = buf.bwd.delta[-1]
    if net.fused:
        np.subtract(a, T, out=delta)
    else:
        delta[...] = _output_before(net.layers[-1].activation, fwd.Z[-1], a, net.loss.grad(a, T))
    delta *= 1.0 / n
    for l in range(L - 1, -1, -1):
        layer = net.layers[l]
        A_in = fwd.inputs[l] if l else X_aug
        dWb = np.matmul(delta.T, A_in, out=dWbs[l])
        means[l] = float(np.abs(delta, out=tmp[l]).sum()) / delta.shape[1]
        if l1 or l2:
            dW = dWb[:, :-1]
            if l1:
                dW += l1 * np.sign(layer.W)
            if l2:
                dW += l2 * layer.W
        sq = float(np.vdot(dWb, dWb))
        db = dWb[:, -1]
        norms[l] = math.sqrt(max(sq - float(np.dot(db, db)), 0.0)) if math.isfinite(sq) else sq
        if l:
            Delta = np.matmul(delta, layer.Wb[:, :-1], out=buf.bwd.delta[l - 1])
            delta = BEFORE[net.layers[l - 1].activation.name](fwd.Z[l - 1], fwd.A[l], Delta, tmp[l - 1])
    return norms, means


# ---- measuring -------------------------------------------------------------------------------
def workloads(quick: bool):
    """(name, network, X, y, batch size, steps per timing)."""
    k = 4 if quick else 1
    X, y = datasets.make("planar", n_samples=400, noise=0.2, seed=1)
    X3, y3 = datasets.make("multi_spiral", n_samples=1000, seed=1, n_classes=3)
    Xr, yr = datasets.make("reg_plane", n_samples=1200, seed=1)
    return [
        ("default lesson: 2-4-1 tanh, full batch", Network(2, [(4, "tanh"), (1, "sigmoid")],
                                                          "binary_cross_entropy", seed=1), X, y, None, 2000 // k),
        ("2-8-8-8-8-1 tanh, batch 10", Network(2, [(8, "tanh")] * 4 + [(1, "sigmoid")],
                                               "binary_cross_entropy", seed=1), X, y, 10, 2000 // k),
        ("2-16-16-1 tanh regression, 1200", Network(2, [(16, "tanh")] * 2 + [(1, "linear")], "mse", seed=1),
         Xr, yr, None, 1000 // k),
        ("2-64-64-64-3 relu softmax, 1000", Network(2, [(64, "relu")] * 3 + [(3, "softmax")],
                                                    "cross_entropy", seed=1), X3, y3, None, 100 // k),
        ("2-8-3 softmax + mse, 1000", Network(2, [(8, "tanh"), (3, "softmax")], "mse", seed=1),
         X3, y3, None, 1000 // k),
    ]


def measure(net, X, y, batch, steps, repeats):
    n = batch or X.shape[0]
    Xa, T = augment(X[:n]), net.targets(y)[:n]
    buf = StepBuffers(net, n)

    def merged():
        for _ in range(steps):
            forward_into(net, buf, Xa)
            net.backward(buf.fwd, T, out=buf.bwd)
            magnitudes(buf)

    def before():
        for _ in range(steps):
            forward_into(net, buf, Xa)
            backward_before(net, buf, Xa, T, 0.0, 0.0)

    forward_into(net, buf, Xa)                     # the two compute the same gradients
    backward_before(net, buf, Xa, T, 0.0, 0.0)
    old = [g.copy() for g in buf.bwd.dWb]
    net.backward(buf.fwd, T, out=buf.bwd)
    for g, h in zip(old, buf.bwd.dWb):
        assert np.allclose(g, h, rtol=1e-12, atol=1e-15 * np.abs(g).max())
    merged(), before()                             # warm-up
    t_new, t_old = [], []
    for r in range(repeats):
        for job, times in ((merged, t_new), (before, t_old))[::(-1 if r % 2 else 1)]:
            w0, c0 = time.perf_counter(), time.process_time()
            job()
            times.append(((time.perf_counter() - w0) / steps, (time.process_time() - c0) / steps))
    wall = [a[0] / b[0] for a, b in zip(t_new, t_old)]
    cpu = statistics.median(a[1] for a in t_new) / statistics.median(b[1] for b in t_old)
    return (statistics.median(a[0] for a in t_new), statistics.median(b[0] for b in t_old),
            statistics.median(wall), min(wall), max(wall), cpu)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=31)
    ap.add_argument("--quick", action="store_true", help="a quarter of the steps, for a smoke run")
    args = ap.parse_args(argv)
    print(f"bench_backward {time.strftime('%Y-%m-%d %H:%M:%S')}, numpy {np.__version__}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}", flush=True)
    calib = calibration()
    print(f"calibration: the default lesson trains at {calib:.0f} epochs/s headless in this process", flush=True)
    print(f"\n{'workload':42} {'merged':>10} {'before':>10} {'merged/before':>14} {'range':>13} {'cpu':>7}")
    rows = []
    with threadpool_limits(limits=1):
        for name, net, X, y, batch, steps in workloads(args.quick):
            new, old, ratio, lo, hi, cpu = measure(net, X, y, batch, steps, args.repeats)
            rows.append((ratio, cpu))
            print(f"{name:42} {new * 1e6:>8.1f}µs {old * 1e6:>8.1f}µs {ratio:>13.3f}× {lo:>6.3f}–{hi:<6.3f} "
                  f"{cpu:>6.3f}×", flush=True)
    ratio, cpu = rows[0]
    verdict = "within" if max(ratio, cpu) <= THRESHOLD else "OVER"
    print(f"\ndefault lesson: the merged step takes {ratio:.3f}× the wall time ({cpu:.3f}× the CPU time) "
          f"it took before: {verdict} the {THRESHOLD:.2f}× threshold")


if __name__ == "__main__":
    main()
