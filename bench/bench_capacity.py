"""Capacity through the balancer: the server cores a learner costs, and the most learners held at
>= 15 updates/s, with one replica (K = 1) and with two (K = 2) behind HAProxy.

    python bench/bench_capacity.py --learners 100 --seconds 30          # the full, quiet measurement
    python bench/bench_capacity.py --learners 10 --seconds 8 --steps 10 120 --budget 90  # a smoke run, ~2 min

Run it on a quiet machine (nothing else building or testing) with the app's environment active;
HAProxy and Redis must be installed (deploy/local-cluster's requirements). For each K it starts
``deploy/local-cluster --replicas K --pin`` (replica i pinned to core i with taskset; Redis and
HAProxy float) and the learners of ``bench_classroom.py`` (real Streamlit sessions plus the live
channel, each keeping its cookies, so HAProxy's sticky cookie keeps it on one replica). What it prints:

1. **Calibration**: the default lesson's headless epochs/s in this process, and the load average
   (printed again before each K).
2. **Cost per learner** at N = --learners for --seconds:
   - K = 1 **direct**: the learners talk to the one replica's own port, bypassing HAProxy. The same
     process as behind the balancer (deploy/serve.sh's production flags, REDIS_URL set), so the only
     difference from K = 2 is HAProxy and the second replica;
   - K = 2 **through HAProxy**: the replicas' cores summed, HAProxy's and Redis's apart, and how the
     learners split over the replicas (their bpx_replica cookie) with each replica's updates/s;
   - the ratio of server cores per learner, K = 2 (replicas + HAProxy + Redis) over K = 1 (the
     replica), goal <= 1.1; also without HAProxy and Redis, and per 1,000 updates/s (the cost of
     an update, which does not drop when a saturated server sends fewer).
3. **The most learners held** (5th percentile of learners' updates/s >= 15 and no error), through
   HAProxy for both K so that the ratio is the replicas' scaling alone: N steps up the --steps
   list until one does not hold (K = 2 starts at the largest step K = 1 held; if its first step
   does not hold it steps down), then --refine bisections between the last held and the first not
   held (to 10 learners). Goal: K = 2 >= 1.6 x K = 1.
4. **The load generator apart**: this process's own CPU over each window (all the learners'
   sockets and frame decoding: one Python process, at most about one core), and the whole
   machine's busy cores (/proc/stat: ours, and the rest, whoever runs it). The generator and
   HAProxy share the 2 cores with the pinned replicas. If at K = 2 the generator or the machine
   ran out before the replicas did, it says so: the K = 2 figure is then the machine's limit, not
   the replicas', and the per-core figures (learners per replica core at >= 15 updates/s, and the
   generator's cores per learner) are what a larger machine multiplies.
5. A last line, "summary: ...", with the figures.

Every window is bounded (open + --seconds + closing, with a timeout), the capacity search by
--budget seconds a K (a step is skipped when the time left cannot hold it), so the full run above
takes at most about 2 x (60 + 30 + N's opening + 480) s, ~20 minutes. local-cluster is stopped
with SIGTERM in a ``finally`` (Ctrl-C or SIGTERM to this script too) and every process group it
started is checked gone afterwards, and said so.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_classroom import classroom  # noqa: E402
from bench.cluster_under_test import Cluster  # noqa: E402
from bench.measure import calibration, pct, proc_stats  # noqa: E402

sys.path.insert(0, str(ROOT / "deploy"))          # deploy/ is scripts, not a package
from local_cluster import in_range as bounded  # noqa: E402  (a whole number within limits, for argparse)

PACE = 15.0                # updates/s a learner must keep (5th percentile over learners)
COOKIE = "bpx_replica"     # deploy/haproxy.cfg.in's sticky cookie
FULL = 0.85                # cores: one Python process (a replica, the generator) near its one core
MACHINE_FULL = 0.9         # of os.cpu_count(): the machine is saturated
CPUS = os.cpu_count() or 1
IDLE_S = 5.0               # the cluster's own cost with no learner (health checks, event loops)


def window(cluster: Cluster, base: str, n: int, seconds: float) -> dict | None:
    """One classroom window of n learners at ``base``, with each process group's CPU; None if it did
    not finish within its time limit (pages that never opened)."""
    limit = seconds + 90 + 1.0 * n
    try:
        r = asyncio.run(asyncio.wait_for(classroom(base, n, 0, seconds, None, 0, counters=cluster.cpu_seconds),
                                         limit))
    except Exception as err:  # noqa: BLE001 - a window that fails (a page that never opened) is reported
        print(f"    N = {n}: did not finish ({type(err).__name__}: {str(err)[:160]}; limit {limit:.0f} s)")
        return None
    rates, names = r["rates"], cluster.replicas()
    r["replica_cores"] = {name: rates.get(name, float("nan")) for name in names}
    r["server"] = sum(r["replica_cores"].values())
    r["haproxy"], r["redis"] = rates.get("haproxy", 0.0), rates.get("redis", 0.0)
    ours = r["server"] + r["haproxy"] + r["redis"] + r["client_cores"]
    r["machine"], r["others"] = rates.get("machine", float("nan")), rates.get("machine", float("nan")) - ours
    r["rss"] = {name: proc_stats(cluster.procs[name][0])[1] for name in names}
    r["split"] = {}
    for ups, cookies in zip(r["ups"], r["cookies"]):
        r["split"].setdefault(cookies.get(COOKIE, "direct"), []).append(ups)
    r["held"] = r["ups_p5"] >= PACE and not r["errors"]
    time.sleep(2.0)                  # the closed sessions' last frames, before the next window's count
    return r


def show(label: str, r: dict) -> None:
    n, ups_total = r["n"], sum(r["ups"])
    split = "; ".join(f"{name}: {len(u)} learners, median {statistics.median(u):.1f}, 5th {pct(u, 5):.1f}"
                      for name, u in sorted(r["split"].items()))
    print(f"  {label}, N = {n}, {r['elapsed']:.0f} s (pages opened in {r['open_s']:.1f} s): updates/s median "
          f"{r['ups_median']:.1f}, 5th percentile {r['ups_p5']:.1f} -> {'held' if r['held'] else 'NOT held'} "
          f"({split})")
    cores = ", ".join(f"{k} {v:.2f}" for k, v in r["replica_cores"].items())
    print(f"    server cores: replicas {r['server']:.2f} ({cores}); HAProxy {r['haproxy']:.3f}; Redis "
          f"{r['redis']:.3f}; per learner {1e3 * r['server'] / n:.2f} millicores "
          f"({1e3 * (r['server'] + r['haproxy'] + r['redis']) / n:.2f} with HAProxy and Redis); per 1,000 "
          f"updates/s {1e3 * r['server'] / max(ups_total, 1e-9):.3f} cores")
    rss = ", ".join(f"{k} {v:.0f} MB" for k, v in r["rss"].items())
    print(f"    load generator (this process) {r['client_cores']:.2f} cores ({1e3 * r['client_cores'] / n:.2f} "
          f"millicores a learner); machine busy {r['machine']:.2f} of {CPUS} cores (ours "
          f"{r['machine'] - r['others']:.2f}, everything else {r['others']:.2f}); RSS {rss}; control p95 "
          f"{r['rtt_p95']:.0f} ms; errors {len(r['errors'])}" + (f" {[e[:120] for e in r['errors'][:3]]}"
                                                                  if r["errors"] else ""))
    if r["client_cores"] >= FULL:
        print(f"    ! the load generator used {r['client_cores']:.2f} cores: it, not the server, may cap updates/s")
    if r["machine"] >= MACHINE_FULL * CPUS:
        print(f"    ! the machine was saturated ({r['machine']:.2f} of {CPUS} cores busy)")


def search(cluster: Cluster, args, start: int, deadline: float, label: str) -> dict:
    """The largest N of the steps (then bisected) held at >= PACE updates/s through the balancer."""
    steps, runs = args.steps, {}
    held = failed = None
    per_page = 0.25                  # s to open a page, until measured (0.06-0.14 s here at N = 10)
    i = start

    def attempt(n: int) -> bool | None:
        """Whether n learners held; None: skipped for the budget, or the window did not finish."""
        nonlocal per_page, failed
        need = n * per_page + args.seconds + 10
        if time.monotonic() + need > deadline:
            print(f"    N = {n} skipped: ~{need:.0f} s needed, {max(0, deadline - time.monotonic()):.0f} s of "
                  f"--budget left")
            return None
        r = window(cluster, cluster.url, n, args.seconds)
        runs[n] = r
        if r is None:                # its learners' sockets may be left open: no further step here
            failed = n if failed is None else min(failed, n)
            return None
        per_page = max(0.05, r["open_s"] / n)
        show(label, r)
        return r["held"]

    while 0 <= i < len(steps):
        ok = attempt(steps[i])
        if ok is None:
            break
        if ok:
            held = max(held or 0, steps[i])
            if failed is not None:
                break
            i += 1
        else:
            failed = min(failed or steps[i], steps[i])
            if held is not None:
                break
            i -= 1
    for _ in range(args.refine):
        if held is None or failed is None:
            break
        mid = int(round((held + failed) / 20.0)) * 10
        if not held < mid < failed:
            break
        ok = attempt(mid)
        if ok is None:
            break
        held, failed = (mid, failed) if ok else (held, mid)
    return {"held": held, "failed": failed, "runs": runs}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def show_idle(cluster: Cluster) -> None:
    """The cluster's own cores with no learner: health checks every 2 s, the event loops."""
    c0, t0 = cluster.cpu_seconds(), time.monotonic()
    time.sleep(IDLE_S)
    c1, dt = cluster.cpu_seconds(), time.monotonic() - t0
    idle = {name: (c1[name] - c0[name]) / dt for name in c0}
    print(f"  idle, no learner ({IDLE_S:.0f} s): replicas " + ", ".join(f"{n} {idle[n]:.3f}" for n in cluster.replicas())
          + f" cores; HAProxy {idle['haproxy']:.3f}; Redis {idle['redis']:.3f}; machine busy {idle['machine']:.2f}")


def phase(k: int, args, cap1: dict | None) -> tuple[dict | None, dict]:
    """K replicas: the cost window (K = 1 direct, else through HAProxy), then the capacity search."""
    print(f"\nK = {k}: deploy/local-cluster --replicas {k} --pin (load average {os.getloadavg()[0]:.1f})")
    cluster = Cluster(k, args.port or free_port(), pin=True, logs=args.logs / f"k{k}" if args.logs else None)
    try:
        cluster.wait_ready()
        print("  " + "; ".join(f"{name} pid {pid} port {port}" + (f" core {core}" if core is not None else "")
                               for name, (pid, port, core) in cluster.procs.items()) + f"; balancer {cluster.url}")
        show_idle(cluster)
        base = f"http://127.0.0.1:{cluster.procs['r1'][1]}" if k == 1 else cluster.url
        label = "K = 1 direct (the replica's own port)" if k == 1 else f"K = {k} through HAProxy"
        cost = window(cluster, base, args.learners, args.seconds)
        if cost is not None:
            show(label, cost)
        start = max((i for i, n in enumerate(args.steps) if cap1 and n <= (cap1["held"] or 0)), default=0)
        cap = search(cluster, args, start, time.monotonic() + args.budget, f"K = {k} through HAProxy")
        print(f"  K = {k}: most learners held at >= {PACE:.0f} updates/s: {cap['held'] or 'none of the steps'}"
              + (f" (not held at {cap['failed']})" if cap["failed"] else " (every step tried held)"))
        return cost, cap
    finally:
        left = cluster.stop()
        print(f"  local-cluster stopped (exit {cluster.proc.returncode}); " +
              (f"LEFT BEHIND and killed now: {', '.join(left)}" if left else
               f"no process left of its {len(cluster.procs)} process groups"))


def per_core(k: int, cap: dict) -> str:
    r = cap["runs"].get(cap["held"]) if cap["held"] else None
    if not r:
        return f"K = {k}: no step held"
    return (f"K = {k}: {cap['held']} learners on {r['server']:.2f} replica cores = {r['n'] / r['server']:.0f} learners "
            f"per replica core (+{1e3 * (r['haproxy'] + r['redis']) / r['n']:.2f} millicores a learner for HAProxy and "
            f"Redis); the generator {1e3 * r['client_cores'] / r['n']:.2f} millicores a learner")


def verdict(k: int, cap: dict, goal: float | None = None) -> tuple[str, str]:
    """What ran out at K's first N not held: ("replica-bound" | "machine-bound" | "neither" |
    "limit not reached" | "did not finish", a sentence). ``goal``: the learners K = 2 should hold,
    to say what the generator would need for them."""
    if not cap["failed"]:
        return "limit not reached", f"K = {k}'s limit was not reached within the steps and the budget (a lower bound)"
    r = cap["runs"].get(cap["failed"])
    if not r:
        return "did not finish", f"K = {k}'s window at N = {cap['failed']} did not finish (see above)"
    at = f"{', '.join(f'{v:.2f}' for v in r['replica_cores'].values())} replica cores at N = {r['n']}"
    why = []
    if r["client_cores"] >= FULL:
        why.append(f"the load generator used {r['client_cores']:.2f} cores")
    if r["machine"] >= MACHINE_FULL * CPUS:
        why.append(f"the machine was busy {r['machine']:.2f} of {CPUS} cores ({r['others']:.2f} of them not ours)")
    if all(v >= FULL for v in r["replica_cores"].values()):
        whose = "its replicas'" if k > 1 else "its replica's"
        return "replica-bound", f"K = {k}'s limit is {whose} ({at})" + (f", though {'; '.join(why)}" if why else "")
    if not why:
        return "neither", (f"K = {k} fell under {PACE:.0f} updates/s with no replica, nor the generator, nor the "
                           f"machine full ({at}; generator {r['client_cores']:.2f}; machine {r['machine']:.2f})")
    text = f"K = {k} is bounded here by this machine, not by its replica{'s' if k > 1 else ''} ({'; '.join(why)}; {at})"
    if goal:
        text += (f": 1.6 x K = 1 = {goal:.0f} learners would need ~{goal * r['client_cores'] / r['n']:.2f} cores "
                 f"for the generator besides the 2 replicas' cores, on {CPUS}")
    return "machine-bound", text + ". Multiply the per-core figures instead"


def summarise(calib: float, args, cost1: dict | None, cap1: dict, cost2: dict | None, cap2: dict) -> None:
    print()
    if cost1 and cost2:
        per1 = cost1["server"] / cost1["n"]
        all2 = cost2["server"] + cost2["haproxy"] + cost2["redis"]
        ratio, alone = all2 / cost2["n"] / per1, cost2["server"] / cost2["n"] / per1
        per_update = (all2 / sum(cost2["ups"])) / (cost1["server"] / sum(cost1["ups"]))
        print(f"cost per learner at N = {args.learners}: K = 2 through HAProxy / K = 1 direct = {ratio:.2f}x "
              f"(goal <= 1.1: {'met' if ratio <= 1.1 else 'NOT met'}); the replicas alone {alone:.2f}x; per update "
              f"{per_update:.2f}x" + ("" if cost1["held"] and cost2["held"] else
                                      " (a window below 15 updates/s: read the per-update ratio)"))
        cost_line = f"cost {ratio:.2f}x (replicas alone {alone:.2f}x, per update {per_update:.2f}x)"
    else:
        cost_line = "cost: a window did not finish"

    def held(cap: dict) -> str:              # ">=": no step failed, the limit is higher still
        return "none" if not cap["held"] else f"{'' if cap['failed'] else '>= '}{cap['held']}"
    kind1, why1 = verdict(1, cap1)
    kind2, why2 = verdict(2, cap2, 1.6 * cap1["held"] if cap1["held"] else None)
    cap_line = f"held K = 1 {held(cap1)}, K = 2 {held(cap2)}"
    if cap1["held"] and cap2["held"]:
        x = cap2["held"] / cap1["held"]
        # The ratio stands only when K = 1's limit is its replica's; K = 2 at or past the goal without
        # reaching its own replicas' limit (none reached, or the machine ran out first) is a lower
        # bound that meets it.
        settled = kind1 == "replica-bound" and (
            kind2 == "replica-bound" or (kind2 in ("limit not reached", "machine-bound") and x >= 1.6))
        met = "met" + ("" if kind2 == "replica-bound" else f" (a lower bound: K = 2 {kind2})")
        cap_line += f" ({x:.2f}x, goal >= 1.6: " + ((met if x >= 1.6 else "NOT met") if settled else
                                                   f"not settled, K = 1 {kind1}, K = 2 {kind2}") + ")"
    print(f"most learners held at >= {PACE:.0f} updates/s (through HAProxy, replicas pinned): {cap_line}")
    print(why1)
    print(why2)
    print("per core (what a larger machine multiplies): " + per_core(1, cap1) + "; " + per_core(2, cap2))
    print(f"summary: calibration {calib:.0f} epochs/s; N = {args.learners}: {cost_line}; {cap_line}; "
          f"K = 1 {kind1}, K = 2 {kind2}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--learners", type=bounded(1, 2000), default=100, help="N for the cost per learner (100)")
    ap.add_argument("--seconds", type=bounded(3, 3600), default=30, help="each window's length (30)")
    ap.add_argument("--steps", type=bounded(1, 2000), nargs="+", default=[50, 100, 150, 200, 250, 300, 400, 500],
                    help="the learners tried for the capacity, in increasing order")
    ap.add_argument("--refine", type=bounded(0, 5), default=1, help="bisections after the steps (1)")
    ap.add_argument("--budget", type=bounded(10, 7200), default=480, help="seconds for each K's capacity search (480)")
    ap.add_argument("--port", type=bounded(1024, 65535), default=None, help="the balancer's port (a free one)")
    ap.add_argument("--logs", type=Path, default=None, help="local-cluster's logs under DIR/k1, DIR/k2 (default /tmp)")
    args = ap.parse_args()
    if args.steps != sorted(set(args.steps)):
        ap.error(f"--steps must increase, each once; got {args.steps}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))      # so that the finally stops the cluster

    calib = calibration()
    print(f"calibration: the default lesson trains at {calib:.0f} epochs/s headless in this process "
          f"(load average {os.getloadavg()[0]:.1f} on {CPUS} cores; the learners' client runs here too)")
    cost1, cap1 = phase(1, args, None)
    cost2, cap2 = phase(2, args, cap1)
    summarise(calib, args, cost1, cap1, cost2, cap2)


if __name__ == "__main__":
    main()
