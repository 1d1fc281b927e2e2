"""Child processes, each the leader of a process group of its own: started, watched, and stopped
with none left behind. deploy/local_cluster.py's machinery (its children: Redis, the replicas,
HAProxy).

A stop signal (SIGTERM, SIGINT, SIGHUP) raises ``Stop`` in the main thread, except while a child
is being started: then it waits until the child is recorded, so no child is started unrecorded.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
# 10 s between SIGTERM and SIGKILL: Docker's default, compose.yaml's stop_grace_period.
STOP_S = 10
SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class Stop(Exception):
    """A stop signal arrived (args[0]: its number)."""


class StartError(Exception):
    """Something did not start; the message says what."""


@dataclass
class Child:
    name: str
    kind: str            # "redis", "replica" or "haproxy"
    port: int
    proc: subprocess.Popen
    log: Path
    reaped: bool = False


def say(message: str) -> None:
    print(f"local-cluster: {message}", flush=True)


def group_gone(pgid: int, deadline: float) -> bool:
    """Wait until no process (not even an unreaped one) is left in process group ``pgid``."""
    while True:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):   # empty (or its id now another user's group)
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)


class ProcessGroups:
    """The processes started, each the leader of its own process group, and how to end them."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.children: list[Child] = []
        self.holding = False          # inside start(): a signal waits until the child is recorded
        self.pending: int | None = None

    def on_signal(self, signum, _frame):
        if self.holding:
            self.pending = signum
        else:
            raise Stop(signum)

    def start(self, name: str, kind: str, argv: list[str], port: int, env: dict | None = None,
              note: str = "") -> Child:
        """Start ``argv`` in a new session (its own process group), its output to DIR/<name>.log."""
        log = self.logs / f"{name}.log"
        self.holding = True
        try:
            with open(log, "wb") as out:
                proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                        env=env, start_new_session=True)
            child = Child(name, kind, port, proc, log)
            self.children.append(child)
        finally:
            self.holding = False
        say(f"{name} (pid {proc.pid}) on {HOST}:{port}{note}")
        if self.pending is not None:
            raise Stop(self.pending)
        return child

    def wait_until(self, ready, what: str, deadline: float) -> None:
        """Poll ``ready()`` until it is true; a child that exits meanwhile, or the deadline, fails the start."""
        while not ready():
            for c in self.children:
                if c.proc.poll() is not None:
                    tail = c.log.read_text(errors="replace").splitlines()[-15:]
                    raise StartError(f"{c.name} exited (code {c.proc.returncode}) while waiting for {what}; "
                                     f"the end of {c.log}:\n  " + "\n  ".join(tail))
            if time.monotonic() > deadline:
                raise StartError(f"gave up waiting for {what} (logs in {self.logs})")
            time.sleep(0.2)

    def watch(self) -> int:
        """Block until a child exits and say so. A replica may die while another one lives (HAProxy
        serves on); any other death, or the last replica's, returns 1: the cluster cannot serve."""
        while True:
            pid = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT).si_pid
            child = next(c for c in self.children if c.proc.pid == pid)
            code = child.proc.wait()
            child.reaped = True
            with contextlib.suppress(ProcessLookupError):   # anything it left in its group
                os.killpg(pid, signal.SIGKILL)
            what = f"{'replica ' if child.kind == 'replica' else ''}{child.name} (pid {pid})"
            how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"
            left = [c.name for c in self.children if c.kind == "replica" and not c.reaped]
            if child.kind == "replica" and left:
                say(f"{what} {how}; HAProxy serves on with {', '.join(left)}")
                continue
            say(f"{what} {how}; the cluster cannot serve: stopping")
            return 1

    def stop(self) -> None:
        """SIGTERM every process group started, SIGKILL what is left after STOP_S; none survives."""
        for s in SIGNALS:
            signal.signal(s, signal.SIG_IGN)
        t0 = time.monotonic()
        alive = [c for c in reversed(self.children) if not c.reaped]   # the balancer first
        for c in alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(c.proc.pid, signal.SIGTERM)
        forced = []
        for c in alive:
            try:
                c.proc.wait(max(0.0, t0 + STOP_S - time.monotonic()))
            except subprocess.TimeoutExpired:
                forced.append(c.name)
                os.killpg(c.proc.pid, signal.SIGKILL)
                c.proc.wait()
            with contextlib.suppress(ProcessLookupError):   # anything its leader left in its group
                os.killpg(c.proc.pid, signal.SIGKILL)
            c.reaped = True
        for c in alive:   # SIGKILL is asynchronous: what the leader left (reaped by init) may still be dying
            if not group_gone(c.proc.pid, time.monotonic() + STOP_S):
                say(f"{c.name}'s process group {c.proc.pid} still has processes {STOP_S} s after SIGKILL")
        if alive:
            say(f"stopped {len(alive)} processes in {time.monotonic() - t0:.2f} s"
                + (f" ({', '.join(forced)} after SIGKILL)" if forced else "") + f"; logs in {self.logs}")
