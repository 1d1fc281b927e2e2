"""The compose topology on one machine, without Docker: K replicas, HAProxy and Redis on localhost.

    deploy/local-cluster --replicas K --port P [--pin] [--logs DIR]

It starts, each in a process group of its own:

- Redis (Debian's ``redis-server``) on a free port, saving nothing (``--save "" --appendonly no``),
  its directory ``DIR/redis``;
- K replicas r1..rK: ``deploy/serve.sh`` (``streamlit run app.py`` with the production flags, the
  Dockerfile's command), each on a free port, all with the same cookie secret
  (STREAMLIT_SERVER_COOKIE_SECRET if set, else a new random one) and
  ``REDIS_URL=redis://127.0.0.1:<Redis's port>/0``; with ``--pin``, replica i runs on core i
  (``taskset``);
- HAProxy (Debian's ``haproxy``) on 127.0.0.1:P with deploy/haproxy.cfg.in's rules (cookie
  stickiness, both WebSockets, 1 h tunnels, health checks on /_stcore/health), rendered by
  haproxy_cfg.render, as deploy/haproxy.cfg is for compose.

Once every replica answers /_stcore/health through HAProxy (asked with its own cookie, so HAProxy
routes to it and does not reroute), it prints one line with the URL. A replica that dies is reported
and HAProxy serves on with the others; if HAProxy, Redis or the last replica dies, everything stops
and it exits 1. SIGTERM, Ctrl-C (SIGINT) or SIGHUP stop every process group it started (SIGKILL
after 10 s) and it exits 0 (deploy/process_groups.py). Logs and the rendered haproxy.cfg are kept
in DIR (default: a new directory under /tmp).
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

import haproxy_cfg  # beside this file: deploy/ is scripts, not a package
from process_groups import HOST, SIGNALS, ProcessGroups, StartError, Stop, say

HERE = Path(__file__).resolve().parent
SERVE = HERE / "serve.sh"
# 16 replicas: ~250 MB each (README) is 4 GB, and HAProxy's maxconn (haproxy.cfg.in) is sized for
# 8 replicas of ~60 learners; more on one machine is a typo.
MAX_REPLICAS = 16
# 180 s for every replica to answer its health check: one answers ~2.5 s after its start on a quiet
# machine, but K of them import numpy, scikit-learn and plotly at once on however few cores there are.
START_S = 180


def port_is_free(port: int) -> bool:
    """Whether nothing listens on HOST:port (SO_REUSEADDR: closed connections do not count)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port(taken: set[int]) -> int:
    """A port nothing listens on and not in ``taken`` (to which it is added)."""
    while True:
        with socket.socket() as s:
            s.bind((HOST, 0))
            port = s.getsockname()[1]
        if port not in taken:
            taken.add(port)
            return port


def binary(name: str) -> str:
    found = shutil.which(name, path=os.environ.get("PATH", "") + os.pathsep + "/usr/sbin:/usr/bin")
    if not found:
        raise SystemExit(f"local-cluster: {name} is not installed (Debian: apt-get install -y {name})")
    return found


def http_health(port: int, cookie: tuple[str, str] | None = None) -> bool:
    """GET /_stcore/health on HOST:port answers 200; with ``cookie`` (name, value) also that the
    answer sets no new value of it (HAProxy sent the request to the replica the cookie names)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", "/_stcore/health", headers={"Cookie": f"{cookie[0]}={cookie[1]}"} if cookie else {})
        answer = conn.getresponse()
        answer.read()
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()
    rerouted = cookie and any(v.startswith(f"{cookie[0]}=") for v in answer.headers.get_all("Set-Cookie") or [])
    return answer.status == 200 and not rerouted


def redis_pong(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def in_range(low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, got {value}")
        return value
    return parse


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="deploy/local-cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", required=True, type=in_range(1, MAX_REPLICAS),
                        help=f"how many app processes (1-{MAX_REPLICAS})")
    # From 1024: HAProxy runs as this user, who cannot bind below it.
    parser.add_argument("--port", required=True, type=in_range(1024, 65535),
                        help=f"the balancer's port on {HOST} (1024-65535)")
    parser.add_argument("--pin", action="store_true", help="replica i on core i (taskset), when taskset is installed")
    parser.add_argument("--logs", type=Path, help="where logs go (default: a new directory under /tmp)")
    args = parser.parse_args(argv)
    if not port_is_free(args.port):
        parser.error(f"port {args.port} is in use on {HOST}; choose another --port")
    return args


def run(groups: ProcessGroups, args: argparse.Namespace, haproxy: str, redis: str) -> int:
    """Start Redis, the replicas and HAProxy in ``groups``; once all serve, watch them (the exit code)."""
    t0 = time.monotonic()
    taken = {args.port}
    redis_port = free_port(taken)
    (groups.logs / "redis").mkdir(exist_ok=True)
    groups.start("redis", "redis", [redis, "--port", str(redis_port), "--bind", HOST, "--save", "",
                                    "--appendonly", "no", "--dir", str(groups.logs / "redis")], redis_port)
    groups.wait_until(lambda: redis_pong(redis_port), "Redis to answer PING", t0 + 30)

    secret = os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET") or secrets.token_hex(32)
    # serve.sh runs `streamlit`: this interpreter's, whatever PATH says.
    env = {**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": secret, "ADDRESS": HOST,
           "REDIS_URL": f"redis://{HOST}:{redis_port}/0",
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
    taskset = shutil.which("taskset") if args.pin else None
    cores = sorted(os.sched_getaffinity(0))
    if args.pin and not taskset:
        say("taskset is not installed: the replicas are not pinned")
    elif taskset and args.replicas > len(cores):
        say(f"{args.replicas} replicas on {len(cores)} cores: some share a core")
    replicas = []
    for i in range(args.replicas):
        port, argv, note = free_port(taken), ["sh", str(SERVE)], ""
        if taskset:
            core = cores[i % len(cores)]
            argv, note = [taskset, "-c", str(core), *argv], f", core {core}"
        replicas.append(groups.start(f"r{i + 1}", "replica", argv, port, {**env, "PORT": str(port)}, note))
    for r in replicas:
        groups.wait_until(lambda r=r: http_health(r.port), f"{r.name}'s /_stcore/health", t0 + START_S)

    cfg = haproxy_cfg.render([(r.name, f"{HOST}:{r.port}") for r in replicas], f"{HOST}:{args.port}")
    cookie = re.search(r"^\s*cookie (\S+) ", cfg, re.M)[1]
    (groups.logs / "haproxy.cfg").write_text(cfg)
    groups.start("haproxy", "haproxy", [haproxy, "-db", "-f", str(groups.logs / "haproxy.cfg")], args.port)
    for r in replicas:
        groups.wait_until(lambda r=r: http_health(args.port, (cookie, r.name)),
                          f"{r.name}'s /_stcore/health through HAProxy", t0 + START_S)
    say(f"ready after {time.monotonic() - t0:.1f} s: http://{HOST}:{args.port}/ ({args.replicas} replicas "
        f"healthy through HAProxy, Redis on {redis_port}); Ctrl-C or SIGTERM stops everything")
    return groups.watch()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    haproxy, redis = binary("haproxy"), binary("redis-server")
    logs = args.logs or Path(tempfile.mkdtemp(prefix="local-cluster-"))
    logs.mkdir(parents=True, exist_ok=True)
    groups = ProcessGroups(logs.resolve())
    for s in SIGNALS:
        signal.signal(s, groups.on_signal)
    try:
        return run(groups, args, haproxy, redis)
    except Stop as stop:
        say(f"{signal.Signals(stop.args[0]).name}: stopping")
        return 0
    except StartError as error:
        say(f"could not start: {error}")
        return 1
    finally:
        groups.stop()


if __name__ == "__main__":
    sys.exit(main())
