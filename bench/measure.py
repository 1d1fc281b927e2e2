"""What every benchmark prints or reads beside its figures: the calibration (the default
lesson's headless epochs/s in this process: machines of this kind differ by about 3x),
percentiles, and the server process's CPU, RSS and pid (from /proc).
"""
from __future__ import annotations

import os
import time

def proc_stats(pid: int) -> tuple[float, float]:
    """(CPU seconds used so far, RSS in MB) of the server process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024
    return cpu, rss


def calibration(seconds: float = 3.0) -> float:
    """Headless epochs/s of the default lesson in this process (no server, no browser)."""
    from explorer.choices.config import Config
    from explorer.training.run import Run, build_data
    cfg = Config()
    run = Run(cfg, build_data(cfg.data))
    t0, n = time.perf_counter(), 0
    while time.perf_counter() - t0 < seconds:
        n += run.train_for(0.05)
    return n / (time.perf_counter() - t0)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(q / 100 * len(v)))]


def server_pid(url: str) -> int:
    """The pid of the process listening on the server's port (from /proc/net/tcp)."""
    port = int(url.rsplit(":", 1)[1])
    inodes = set()
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            parts = line.split()
            if int(parts[1].split(":")[1], 16) == port and parts[3] == "0A":
                inodes.add(parts[9])
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(pid)
        except OSError:
            continue
    raise RuntimeError("server process not found")
