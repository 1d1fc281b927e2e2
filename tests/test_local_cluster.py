"""deploy/local-cluster for real: Debian's HAProxy and Redis and K = 2 replicas, from the one command.

- A bad --replicas or --port, or a port in use, is refused with a sentence before anything starts.
- Started with K = 2 and --pin: one "ready" line, and /_stcore/health answers on P. Its children are
  exactly the processes it named (Redis, r1, r2, HAProxy), each the leader of its own process group;
  the replicas share one cookie secret and get REDIS_URL of the Redis it started, which answers PING;
  each replica runs on its own core.
- Two browsers (separate cookie jars) are given different replicas, and every request of each goes
  to its replica (HAProxy's log).
- A replica killed (SIGKILL): the command says so and runs on, /_stcore/health on P answers 200
  within a few seconds and from then on, and HAProxy takes the dead replica out.
- SIGTERM: it exits 0, every process it started is gone, by pid and by process group, and every
  port it used is free again. (How it ends when the start is cut short or HAProxy dies:
  tests/test_local_cluster_stops.py.)

The figures (seconds to ready, to stop, health probes after the kill) are printed and kept in
tests/artifacts/local_cluster/figures.json.
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser import free_port
from tests.conftest import ARTIFACTS
from tests.redis_server import require as redis_require
from tests.test_balancer import COOKIE, LOG_LINE, get, haproxy_binary, set_cookie

ROOT = Path(__file__).resolve().parents[1]
OUT = ARTIFACTS / "local_cluster"
STARTED = re.compile(r"^local-cluster: (\S+) \(pid (\d+)\) on 127\.0\.0\.1:(\d+)(?:, core (\d+))?$")
READY_S = 240            # the command's own limit is 180 s; two replicas start at once on 2 shared cores
FIGURES: dict = {}


class Run:
    """deploy/local-cluster running, its output read line by line as it comes."""

    def __init__(self, *args: str, secret: str | None = None):
        env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
        env.pop("STREAMLIT_SERVER_COOKIE_SECRET", None)
        if secret is not None:
            env["STREAMLIT_SERVER_COOKIE_SECRET"] = secret
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen([str(ROOT / "deploy" / "local-cluster"), *args], cwd=ROOT, env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_line(self, pattern: str, timeout_s: float) -> re.Match:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if m := re.search(pattern, line):
                    return m
            time.sleep(0.05)
        raise AssertionError(f"no line like {pattern!r} within {timeout_s} s; it said:\n" + "\n".join(self.lines))

    def started(self) -> dict[str, tuple[int, int, int | None]]:
        """{name: (pid, port, core or None)} of every process it said it started."""
        out = {}
        for line in list(self.lines):
            if m := STARTED.match(line):
                out[m[1]] = (int(m[2]), int(m[3]), int(m[4]) if m[4] else None)
        return out

    def stop(self) -> float:
        """SIGTERM; the seconds until it exited."""
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)
        return time.monotonic() - t0

    def cleanup(self):
        """Whatever a failed test left: stop it, and kill its children's groups if it could not."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        for pid, _, _ in self.started().values():
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def processes() -> list[tuple[int, int, int]]:
    """(pid, parent pid, process group) of every process on the machine, from /proc."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out.append((int(stat.parent.name), int(fields[1]), int(fields[2])))
    return out


def environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            s.listen()
        except OSError:
            return False
    return True


def browser_like():
    """A client with its own cookie jar, as a browser is; (open function, jar)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), urllib.request.ProxyHandler({}))
    return (lambda url: opener.open(url, timeout=30).read()), jar


def replica_in(jar) -> str:
    (value,) = [c.value for c in jar if c.name == COOKIE]
    return value


def log_requests(path: Path, since: int) -> list:
    with open(path, "rb") as f:
        f.seek(since)
        return [m for line in f.read().decode(errors="replace").splitlines() if (m := LOG_LINE.match(line))]


@pytest.fixture(scope="module")
def cluster():
    haproxy_binary()
    redis_require()                      # the binary, or a skip (a failure in CI)
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    run = Run("--replicas", "2", "--port", str(port), "--pin", "--logs", str(OUT))
    try:
        m = run.wait_line(r"ready after ([\d.]+) s: (http://\S+)", READY_S)
        FIGURES.update(ready_s_said=float(m[1]), ready_s_measured=round(time.monotonic() - run.t0, 2))
        run.port, run.url = port, m[2].rstrip("/")
        yield run
    finally:
        run.cleanup()
        (OUT / "figures.json").write_text(json.dumps(FIGURES, indent=1))
        print(f"local cluster figures: {FIGURES}")


@pytest.mark.parametrize("args, said", [
    (["--replicas", "0", "--port", "8000"], "argument --replicas: must be from 1 to 16, got 0"),
    (["--replicas", "two", "--port", "8000"], "argument --replicas: must be a whole number, got 'two'"),
    (["--replicas", "2", "--port", "80"], "argument --port: must be from 1024 to 65535, got 80"),
    (["--replicas", "2"], "the following arguments are required: --port"),
    (["--replicas", "2", "--port", "IN_USE"], "port IN_USE is in use on 127.0.0.1; choose another --port"),
])
def test_it_refuses_bad_arguments_before_starting_anything(args, said):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        args = [port if a == "IN_USE" else a for a in args]
        done = subprocess.run([str(ROOT / "deploy" / "local-cluster"), *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
    assert done.returncode == 2, done
    assert said.replace("IN_USE", port) in done.stderr, done.stderr
    assert "pid" not in done.stdout + done.stderr


def test_it_starts_redis_two_replicas_and_haproxy_and_answers_health(cluster):
    assert get(cluster.url + "/_stcore/health")[0] == 200
    started = cluster.started()
    assert sorted(started) == ["haproxy", "r1", "r2", "redis"], cluster.lines
    assert started["haproxy"][1] == cluster.port
    mine = {pid: ppid_pgid for pid, *ppid_pgid in processes()}
    children = {pid for pid, (ppid, _) in mine.items() if ppid == cluster.proc.pid}
    assert children == {pid for pid, _, _ in started.values()}, (children, started)
    assert all(mine[pid][1] == pid for pid in children), "each child leads its own process group"

    replicas = [environ(started[name][0]) for name in ("r1", "r2")]
    redis_port = started["redis"][1]
    for name, env in zip(("r1", "r2"), replicas):
        assert env["REDIS_URL"] == f"redis://127.0.0.1:{redis_port}/0"
        assert env["PORT"] == str(started[name][1])
    secret = replicas[0]["STREAMLIT_SERVER_COOKIE_SECRET"]
    assert len(secret) >= 32 and replicas[1]["STREAMLIT_SERVER_COOKIE_SECRET"] == secret
    with socket.create_connection(("127.0.0.1", redis_port), timeout=5) as s:
        s.sendall(b"PING\r\n")
        assert s.recv(64) == b"+PONG\r\n"
    if shutil.which("taskset"):
        cores = [started[name][2] for name in ("r1", "r2")]
        assert len(set(cores)) == 2, cores
        for name, core in zip(("r1", "r2"), cores):
            assert os.sched_getaffinity(started[name][0]) == {core}


def test_two_browsers_get_both_replicas_and_each_keeps_its_own(cluster):
    log = OUT / "haproxy.log"
    given = set()
    for _ in range(6):                        # leastconn with nothing open: ties go round robin
        since = log.stat().st_size
        fetch, jar = browser_like()
        fetch(cluster.url + "/")
        name = replica_in(jar)
        for path in ("/_stcore/health", "/_stcore/host-config", "/", "/_stcore/health"):
            fetch(cluster.url + path)
            assert replica_in(jar) == name, "the balancer moved a browser to another replica"
        deadline = time.monotonic() + 10
        while len(seen := log_requests(log, since)) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(seen) == 5 and {m["server"] for m in seen} == {name}, [m.group(0) for m in seen]
        given.add(name)
        if len(given) == 2:
            break
    assert sorted(given) == ["r1", "r2"], f"new browsers were given only {given}"


def test_a_killed_replica_leaves_health_answering_on_the_port(cluster):
    """Before the SIGTERM test: it kills r1 of the module's cluster."""
    pid = cluster.started()["r1"][0]
    t0 = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    probes, down_s, log = [], None, OUT / "haproxy.log"
    while (t := time.monotonic() - t0) < 8:          # a probe every 0.1 s for 8 s
        try:
            status = get(cluster.url + "/_stcore/health", timeout=5)[0]
        except OSError:
            status = 0
        probes.append((round(t, 3), status))
        if down_s is None and "Server replicas/r1 is DOWN" in log.read_text():
            down_s = t
        time.sleep(0.1)
    failed = [p for p in probes if p[1] != 200]
    recovered_s = failed[-1][0] if failed else 0.0
    assert not failed, f"health on the port failed after the kill (HAProxy's retry-on): {failed}"
    cluster.wait_line(rf"replica r1 \(pid {pid}\) was killed by SIGKILL; HAProxy serves on with r2", 5)
    assert cluster.proc.poll() is None, "the command stopped when one replica died"
    status, headers = get(cluster.url + "/", cookie="r1")
    assert status == 200 and set_cookie(headers) == "r2", "a browser of the dead replica is not moved to r2"
    assert down_s is not None, "HAProxy's health check did not take r1 out within 8 s"
    FIGURES.update(health_probes_after_kill=len(probes), health_failed_probes=failed,
                   health_ok_again_s=recovered_s, taken_out_s=round(down_s, 2))


def test_sigterm_stops_everything_it_started(cluster):
    started = cluster.started()
    stop_s = cluster.stop()
    assert cluster.proc.returncode == 0, cluster.lines
    cluster.wait_line(r"stopped \d+ processes in [\d.]+ s", 5)
    groups = {pid for pid, _, _ in started.values()}
    left = [p for p in processes() if p[0] in groups or p[2] in groups or p[1] == cluster.proc.pid]
    assert not left, f"processes left behind (pid, parent, group): {left}"
    busy = [port for _, port, _ in started.values() if not port_free(port)]
    assert not busy, f"ports still taken: {busy}"
    FIGURES["stop_s"] = round(stop_s, 2)

