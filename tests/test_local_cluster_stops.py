"""deploy/local-cluster when its start is cut short or the balancer dies: it stops every process it
started, each by its process group, and leaves none behind.

- SIGTERM while the replicas are still starting: exit 0, no "ready" line, nothing left.
- A replica that refuses to start (a cookie secret shorter than deploy/serve.sh accepts): exit 1,
  the replica's own words quoted, nothing left.
- HAProxy killed once the cluster serves: it says so, exits 1, nothing left.
"""
from __future__ import annotations

import os
import signal
import time

import pytest

from tests.browser import free_port
from tests.test_balancer import haproxy_binary
from tests.redis_server import require as redis_require
from tests.test_local_cluster import OUT, Run, processes


@pytest.fixture(autouse=True)
def binaries():
    haproxy_binary()
    redis_require()


def assert_nothing_left(run: Run):
    groups = {pid for pid, _, _ in run.started().values()}
    left = [p for p in processes() if p[0] in groups or p[2] in groups or p[1] == run.proc.pid]
    assert not left, f"processes left behind (pid, parent, group): {left}"


def test_sigterm_during_the_start_stops_what_had_started():
    run = Run("--replicas", "1", "--port", str(free_port()), "--logs", str(OUT / "early"))
    try:
        run.wait_line(r"^local-cluster: r1 \(pid \d+\)", 60)
        t0 = time.monotonic()
        run.stop()
        print(f"stopped {time.monotonic() - t0:.2f} s after SIGTERM during the start")
        assert run.proc.returncode == 0, run.lines
        assert not any("ready after" in line for line in run.lines), run.lines
        run.wait_line(r"SIGTERM: stopping", 5)
        assert sorted(run.started()) == ["r1", "redis"]
        assert_nothing_left(run)
    finally:
        run.cleanup()


def test_a_replica_that_will_not_start_stops_everything():
    run = Run("--replicas", "2", "--port", str(free_port()), "--logs", str(OUT / "refused"), secret="too short")
    try:
        run.proc.wait(120)
        assert run.proc.returncode == 1, run.lines
        run.wait_line(r"could not start: r\d exited \(code 64\)", 5)
        run.wait_line(r"serve\.sh: set STREAMLIT_SERVER_COOKIE_SECRET \(at least 32 characters", 5)
        assert "haproxy" not in run.started()
        assert_nothing_left(run)
    finally:
        run.cleanup()


def test_a_dead_haproxy_stops_everything():
    run = Run("--replicas", "1", "--port", str(free_port()), "--logs", str(OUT / "no_haproxy"))
    try:
        run.wait_line(r"ready after", 240)
        pid = run.started()["haproxy"][0]
        os.kill(pid, signal.SIGKILL)
        run.proc.wait(60)
        assert run.proc.returncode == 1, run.lines
        run.wait_line(rf"haproxy \(pid {pid}\) was killed by SIGKILL; the cluster cannot serve: stopping", 5)
        run.wait_line(r"stopped 2 processes", 5)
        assert_nothing_left(run)
    finally:
        run.cleanup()
