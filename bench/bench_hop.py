"""What the balancer's hop costs one replica: the same replica, the same N learners, alternately
straight to its own port and through HAProxy, so that machine noise falls on both alike.

    python bench/bench_hop.py --learners 100 --seconds 30 --pairs 3      # ~8 minutes, quiet machine

``bench_capacity.py`` measured a replica's own cores 16 % higher behind HAProxy than direct, in one
window of each, minutes apart. Here one ``deploy/local-cluster --replicas 1 --pin`` serves
``--pairs`` pairs of windows (direct, then through HAProxy; ``bench_capacity.window``), and the
script prints, per window, the replica's millicores a learner, HAProxy's and Redis's, and per pair
the ratio through / direct of the replica's cores per 1,000 updates/s (the cost of an update, which a
window that sends fewer updates does not flatter). The median ratio is the hop's cost to the
replica; HAProxy's own cores come on top of it. Calibration (the default lesson's headless
epochs/s) and the load average are printed first.
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


def per_update(r: dict) -> float:
    """The replica's cores per 1,000 updates/s the learners received."""
    return 1e3 * r["server"] / max(sum(r["ups"]), 1e-9)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--learners", type=bounded(1, 2000), default=100, help="N learners in every window (100)")
    ap.add_argument("--seconds", type=bounded(3, 3600), default=30, help="each window's length (30)")
    ap.add_argument("--pairs", type=bounded(1, 20), default=3, help="pairs of windows, direct then through HAProxy (3)")
    args = ap.parse_args()
    print(f"calibration: the default lesson trains at {calibration():.0f} epochs/s headless in this process "
          f"(load average {os.getloadavg()[0]:.1f})")
    cluster = Cluster(1, free_port(), pin=True)
    ratios = []
    try:
        cluster.wait_ready()
        show_idle(cluster)
        direct = f"http://127.0.0.1:{cluster.procs['r1'][1]}"
        for i in range(args.pairs):
            pair = {}
            for label, base in (("direct", direct), ("through HAProxy", cluster.url)):
                r = window(cluster, base, args.learners, args.seconds)
                if r is None:
                    break
                show(f"pair {i + 1}, {label}", r)
                pair[label] = r
            if len(pair) == 2:
                ratios.append(per_update(pair["through HAProxy"]) / per_update(pair["direct"]))
                print(f"  pair {i + 1}: the replica's cores per update, through HAProxy / direct = {ratios[-1]:.3f}")
    finally:
        left = cluster.stop()
        print("  local-cluster stopped; " + (f"LEFT BEHIND and killed now: {', '.join(left)}" if left else
                                             "no process left"))
    if ratios:
        print(f"summary: the hop costs the replica {statistics.median(ratios):.3f}x per update (median of "
              f"{len(ratios)} pairs: {', '.join(f'{x:.3f}' for x in ratios)}), HAProxy's own cores apart")


if __name__ == "__main__":
    main()
