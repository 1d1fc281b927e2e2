"""``deploy/local-cluster`` run for a benchmark: started, its processes found, their CPU read, and
stopped with none left behind. Used by ``bench_capacity.py``.

The processes are the ones local-cluster names as it starts them ("r1 (pid 123) on 127.0.0.1:456,
core 0"): Redis, the replicas r1..rK and HAProxy, each the leader of a process group of its own (a
replica's pid is its Streamlit's: serve.sh and taskset exec it). CPU is read from /proc per process
group (every process whose group is that pid), so nothing a child starts escapes the count.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STARTED = re.compile(r"^local-cluster: (\S+) \(pid (\d+)\) on 127\.0\.0\.1:(\d+)(?:, core (\d+))?$")
READY = re.compile(r"ready after [\d.]+ s: (http://\S+)")
READY_S = 240        # local-cluster's own limit is 180 s for the replicas to answer; K start at once
STOP_S = 30          # local-cluster sends SIGKILL 10 s after SIGTERM; then it exits
TICK = os.sysconf("SC_CLK_TCK")


class Cluster:
    """deploy/local-cluster --replicas K --port P [--pin], running. ``url`` is the balancer's;
    ``procs`` maps each name (redis, r1.., haproxy) to (pid, port, core or None)."""

    def __init__(self, replicas: int, port: int, pin: bool, logs: Path | None = None):
        env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
        argv = [str(ROOT / "deploy" / "local-cluster"), "--replicas", str(replicas), "--port", str(port)]
        argv += ["--pin"] if pin else []
        argv += ["--logs", str(logs)] if logs else []
        self.lines: list[str] = []
        self.procs: dict[str, tuple[int, int, int | None]] = {}
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, text=True, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._ready = threading.Event()
        self.url = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            self.lines.append(line)
            if m := STARTED.match(line):
                self.procs[m[1]] = (int(m[2]), int(m[3]), int(m[4]) if m[4] else None)
            elif m := READY.search(line):
                self.url = m[1].rstrip("/")
                self._ready.set()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_S
        while not self._ready.wait(0.2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("local-cluster did not get ready; it said:\n  " + "\n  ".join(self.lines[-20:]))

    def replicas(self) -> list[str]:
        return sorted((n for n in self.procs if re.fullmatch(r"r\d+", n)), key=lambda n: int(n[1:]))

    def cpu_seconds(self) -> dict[str, float]:
        """Cumulative CPU seconds (user + system) of each named process group, and "machine": the
        busy seconds of every core of the machine (/proc/stat), whoever used them."""
        groups = {pid: name for name, (pid, _, _) in self.procs.items()}
        out = dict.fromkeys(self.procs, 0.0)
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            name = groups.get(int(fields[2]))            # fields[2]: the process group
            if name is not None:
                out[name] += (int(fields[11]) + int(fields[12])) / TICK
        with open("/proc/stat") as f:
            ticks = [int(x) for x in f.readline().split()[1:]]
        out["machine"] = (sum(ticks[:8]) - ticks[3] - ticks[4]) / TICK   # all but idle and iowait; no guest
        return out

    def stop(self) -> list[str]:
        """SIGTERM local-cluster and wait for it; SIGKILL any group of its children still there.
        Returns what was still alive afterwards (empty: nothing is left)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        left = []
        for name, (pid, _, _) in self.procs.items():
            try:
                os.killpg(pid, signal.SIGKILL)
                left.append(f"{name} (process group {pid}, killed now)")
            except (ProcessLookupError, PermissionError):    # gone (or the id is now another user's)
                pass
        return left
