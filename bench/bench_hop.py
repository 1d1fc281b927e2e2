"""What the balancer costs, in windows that alternate so that machine noise and a process's drift fall
on both sides alike.

    python bench/bench_hop.py --learners 100 --seconds 30 --pairs 3                # the hop, ~8 minutes
    python bench/bench_hop.py --pair scale --learners 100 --seconds 30 --pairs 3   # K = 2 vs K = 1, ~9 minutes

``--pair hop`` (default): one ``deploy/local-cluster --replicas 1 --pin`` serves ``--pairs`` pairs of
windows, straight to the replica's own port, then through HAProxy. The per-pair ratio of the replica's
cores per 1,000 updates/s (through / direct) is what the hop costs the replica; HAProxy's own cores
come on top of it.

``--pair scale``: the issue's cost figure. Two clusters run side by side, ``--replicas 1`` and
``--replicas 2`` (each ``--pin``; the one not measured sits idle, a few millicores), and each pair is a
window straight to the K = 1 replica, then one through the K = 2 cluster's HAProxy. Per pair: the
server's cores a learner (replicas + HAProxy + Redis) K = 2 / K = 1, and the replicas' alone.

``bench_capacity.py`` measured its windows minutes apart, one of each, where a process's cost drifts
(7.25 -> 8.07 millicores a learner over six windows of one replica). Per window this prints the
replicas' millicores a learner, HAProxy's and Redis's (``bench_capacity.window`` and ``show``). The
ratios are per update, so a window that delivered fewer updates does not flatter. Calibration (the
default lesson's headless epochs/s) and the load average are printed first.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_capacity import bounded, free_port, show, show_idle, window  # noqa: E402
from bench.cluster_under_test import Cluster  # noqa: E402
from bench.measure import calibration  # noqa: E402


def per_update(r: dict, cores: float) -> float:
    """``cores`` per 1,000 updates/s the learners of window ``r`` received."""
    return 1e3 * cores / max(sum(r["ups"]), 1e-9)


def everything(r: dict) -> float:
    """The server's cores in window ``r``: replicas, HAProxy and Redis (not the load generator)."""
    return r["server"] + r["haproxy"] + r["redis"]


def sides(kind: str, clusters: dict) -> list[tuple[str, Cluster, str]]:
    """The pair's two windows, in order: (label, the cluster measured, the address the learners use)."""
    one = clusters[1]
    direct = ("direct", one, f"http://127.0.0.1:{one.procs['r1'][1]}")
    if kind == "hop":
        return [direct, ("through HAProxy", one, one.url)]
    return [("K = 1 direct", one, direct[2]), ("K = 2 through HAProxy", clusters[2], clusters[2].url)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pair", choices=("hop", "scale"), default="hop",
                    help="hop: one replica, direct vs through HAProxy; scale: K = 1 direct vs K = 2 through HAProxy")
    ap.add_argument("--learners", type=bounded(1, 2000), default=100, help="N learners in every window (100)")
    ap.add_argument("--seconds", type=bounded(3, 3600), default=30, help="each window's length (30)")
    ap.add_argument("--pairs", type=bounded(1, 20), default=3, help="pairs of windows (3)")
    args = ap.parse_args()
    print(f"calibration: the default lesson trains at {calibration():.0f} epochs/s headless in this process "
          f"(load average {os.getloadavg()[0]:.1f})")
    ks = (1,) if args.pair == "hop" else (1, 2)
    clusters = {}
    replica_ratios, all_ratios = [], []
    try:
        for k in ks:
            clusters[k] = Cluster(k, free_port(), pin=True)
        for k in ks:
            clusters[k].wait_ready()
            show_idle(clusters[k])
        for i in range(args.pairs):
            pair = []
            for label, cluster, base in sides(args.pair, clusters):
                r = window(cluster, base, args.learners, args.seconds)
                if r is None:
                    break
                show(f"pair {i + 1}, {label}", r)
                pair.append(r)
            if len(pair) == 2:
                a, b = pair
                replica_ratios.append(per_update(b, b["server"]) / per_update(a, a["server"]))
                all_ratios.append(per_update(b, everything(b)) / per_update(a, everything(a)))
                print(f"  pair {i + 1}, per update, second / first: the replicas' cores {replica_ratios[-1]:.3f}, "
                      f"with HAProxy and Redis {all_ratios[-1]:.3f}")
    finally:
        for k, cluster in clusters.items():
            left = cluster.stop()
            print(f"  local-cluster --replicas {k} stopped; " + (f"LEFT BEHIND and killed now: {', '.join(left)}"
                                                                 if left else "no process left"))
    if replica_ratios:
        what = "the hop (through / direct)" if args.pair == "hop" else "K = 2 through HAProxy / K = 1 direct"
        print(f"summary: {what}, per update, median of {len(replica_ratios)} pairs: the replicas' cores "
              f"{statistics.median(replica_ratios):.3f}x ({', '.join(f'{x:.3f}' for x in replica_ratios)}); "
              f"with HAProxy and Redis {statistics.median(all_ratios):.3f}x "
              f"({', '.join(f'{x:.3f}' for x in all_ratios)})")


if __name__ == "__main__":
    main()
