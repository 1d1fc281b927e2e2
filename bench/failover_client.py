"""A simulated learner whose replica may die: when its sockets drop, it comes back as its page does.

What the page does when the replica that held its session dies (seen in Chromium:
``tests/test_failover.py`` proves it there too), done here at the socket level:

1. Streamlit's page opens its socket (``/_stcore/stream``) again through the balancer, with the
   browser's cookies: a cookie that names a dead replica is sent to a live one, whose answer sets
   the cookie anew;
2. it asks for a script run with the address bar's query and its widgets' states (Streamlit's own
   reconnect does: "Requesting a script run"); that replica has no session for it, so the run is a
   new session's and gives the live component a new token;
3. the live view opens its socket with that token; the hello carries the browser secret and what
   the page last drew from the old socket (``seen``: ``static/channel.js``).

Each learner records its replica (the balancer's cookie), what it last drew, and for a failover
the moment its live socket dropped, the resumed setup (its epoch, notice, playing or not) and when
that setup arrived.
"""
from __future__ import annotations

import asyncio
import time

import websockets

from bench.classroom_client import Learner
from bench.room_client import PageSession, Student

COOKIE = "bpx_replica"               # deploy/haproxy.cfg.in
BACKOFF_S = (0.25, 0.5, 1.0, 2.0, 4.0)   # as the page's sockets retry (channel.js BACKOFF_MS)


class Failover:
    """What one learner saw of a failover (perf_counter times)."""

    def __init__(self):
        self.dropped_at: float | None = None     # its live socket closed
        self.drop_code: int | None = None        # the close code the client saw (1006: none received)
        self.seen: dict | None = None            # {"epoch", "running"} the page had drawn then
        self.resumed_at: float | None = None     # the setup of the new live socket arrived
        self.setup: dict | None = None           # that setup (epoch, running, notice)
        self.attempts = 0                        # Streamlit socket openings it took


class Comeback:
    """The failover part of a learner (mixed into ``Learner`` and ``Student``)."""

    def _comeback_init(self) -> None:
        self.epoch, self.running = 0, False     # what the page last drew (setup, status, frame)
        self.frame_times: list[float] = []      # perf_counter time of each frame
        self.failover = Failover()
        self._dropped = asyncio.Event()
        self._setup = asyncio.Event()

    @property
    def replica(self) -> str | None:
        """The replica the balancer's cookie names."""
        return self.cookies.get(COOKIE)

    def on_live(self, msg: dict) -> None:
        if "type" not in msg:
            self.frame_times.append(time.perf_counter())
        if "epoch" in msg and msg.get("type") in (None, "setup", "status"):    # (a frame has no type)
            self.epoch, self.running = int(msg["epoch"]), bool(msg["running"])
        if msg.get("type") == "setup":
            self.failover.setup = msg
            self._setup.set()

    def on_closed(self, err: websockets.ConnectionClosed) -> None:
        f = self.failover
        if f.dropped_at is None:
            f.dropped_at = time.perf_counter()
            f.drop_code = err.rcvd.code if err.rcvd is not None else 1006
            f.seen = {"epoch": self.epoch, "running": self.running}
        self._dropped.set()

    async def come_back(self, timeout_s: float = 60.0) -> Failover:
        """Once the live socket dropped: steps 1-3 of the module docstring; returns the record once
        the new socket's setup arrived (TimeoutError past ``timeout_s``)."""
        await asyncio.wait_for(self._dropped.wait(), timeout_s)
        f, s = self.failover, self.session
        deadline = time.perf_counter() + timeout_s
        await s.close()
        s.query = s.page_query or s.query           # the address bar: what the page last wrote there
        for wait in BACKOFF_S + (BACKOFF_S[-1],) * 20:
            f.attempts += 1
            s.token = None
            try:
                await s.open()                       # the socket, and a script run with the widgets' states
                if not s.token and isinstance(s, PageSession):
                    await s.report_seat()            # a student: the join page's keeper recognises them
                if s.token:
                    break
            except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake, websockets.ConnectionClosed):
                pass
            await s.close()
            if time.perf_counter() + wait > deadline:
                raise TimeoutError(f"no page with a live token {timeout_s} s after the drop")
            await asyncio.sleep(wait)
        self._setup.clear()
        await self.open_live(seen=f.seen)
        await asyncio.wait_for(self._setup.wait(), max(1.0, deadline - time.perf_counter()))
        f.resumed_at = time.perf_counter()
        return f


class FailoverLearner(Comeback, Learner):
    """A learner on the live view who keeps its run (``keep_run``) and comes back after a failover."""

    def __init__(self, base: str, query: str = "", speed="1", cookies: dict | None = None):
        super().__init__(base, query, speed, cookies, keep_run=True)
        self.session = PageSession(base, query, self.cookies)
        self._comeback_init()


class FailoverStudent(Comeback, Student):
    """A student of a class (``room_client.Student``) who keeps its run and comes back after a failover."""

    def __init__(self, base: str, code: str, nickname: str, speed="1", cookies: dict | None = None):
        super().__init__(base, code, nickname, speed, cookies, keep_run=True)
        self._comeback_init()
