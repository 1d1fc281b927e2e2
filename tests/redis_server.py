"""A real ``redis-server`` for the tests: Debian's binary on a free port of 127.0.0.1, saving
nothing (``--save "" --appendonly no``), in a temporary directory, stopped afterwards.

Without the binary the tests that need it are skipped with the reason, except in CI
(``.ci/run`` installs ``redis-server``), where they must run.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager

import pytest

REDIS_SERVER = "/usr/bin/redis-server"
START_S = 10.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require() -> str:
    """The binary's path, or a skip (a failure in CI)."""
    path = REDIS_SERVER if os.path.exists(REDIS_SERVER) else shutil.which("redis-server")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("CI must run the Redis tests but redis-server is missing (.ci/run: apt-get install -y redis-server)")
    pytest.skip("redis-server is not installed (apt-get install -y redis-server); CI installs it and runs these tests")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


@contextmanager
def redis_server(port: int | None = None, args: tuple = ()):
    """Yields ``redis://127.0.0.1:PORT/0`` once the server answers (PING); stops it on exit.
    ``args``: more of redis-server's options (``("--requirepass", "x")``)."""
    binary = require()
    port = port or free_port()
    with tempfile.TemporaryDirectory(prefix="redis-test-") as workdir:
        proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--dir", workdir, "--loglevel", "warning", *args],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + START_S
            while not _answers(port):
                if proc.poll() is not None:
                    raise RuntimeError(f"redis-server exited: {proc.stderr.read().decode()[-500:]}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not answer on port {port} within {START_S} s")
                time.sleep(0.02)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stderr.close()
