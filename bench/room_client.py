"""A class at the socket level, as browsers make one: a teacher page (``?class=new``), students
who join through the join form (``?join=CODE``: a nickname, the form's submit) and then play on
the live channel (``classroom_client.Learner``), and the projector page's gallery socket.
Used by ``bench_room.py`` and the gallery's browser test.
"""
from __future__ import annotations

import asyncio
import json
import re
import time

import websockets

from bench.classroom_client import Learner, StreamlitSession, connect
from explorer.live.channel import gallery_wire

JOIN_WAIT_S = 120.0                 # a student retries a join refused by the class's rate limit this long
TOO_FAST = "Many students are joining"


class PageSession(StreamlitSession):
    """A Streamlit session that also keeps the page's texts and link buttons' addresses (the
    teacher's links), the query string the page last wrote, and the join form's submit button."""

    def __init__(self, base: str, query: str = "", cookies: dict | None = None):
        super().__init__(base, query, cookies)
        self.texts: list[str] = []
        self.page_query = ""
        self.submit = None
        self.seat: dict | None = None             # the class seat the page handed the browser to keep

    async def report_seat(self) -> bool:
        """The join page again (a reload, a failover): its keeper reports the seat this "browser"
        keeps, as ``static/channel.js`` does from ``localStorage``; the next run recognises it."""
        try:
            kid, _ = self.widget("component_instance", "seat_keeper")
        except KeyError:
            return False
        if not self.seat:
            return False
        await self.rerun((kid, "json_value", json.dumps({"code": self.seat["code"], "seat": self.seat["secret"]})))
        return True

    def on_message(self, kind: str, fm) -> None:
        if kind == "page_info_changed":
            self.page_query = fm.page_info_changed.query_string

    def on_element(self, what: str, el) -> None:
        super().on_element(what, el)
        if what == "component_instance":
            seat = json.loads(el.component_instance.json_args or "{}").get("seat")
            if isinstance(seat, dict) and seat.get("secret"):
                self.seat = seat                  # {"code", "secret"}: what the browser keeps (localStorage)
        if what == "markdown":
            self.texts.append(el.markdown.body)
        elif what == "alert":
            self.texts.append(el.alert.body)
        elif what == "code":
            self.texts.append(el.code.code_text)
        elif what == "link_button":
            self.texts.append(el.link_button.url)
        elif what == "button" and el.button.is_form_submitter:
            self.submit = el.button.id

    def find(self, pattern: str) -> str:
        for text in reversed(self.texts):
            m = re.search(pattern, text)
            if m:
                return m.group(1)
        raise KeyError(f"nothing on the page matches {pattern!r}")


async def start_class(base: str, cookies: dict | None = None) -> tuple[PageSession, str, str]:
    """A teacher page with a new class: (its session, the join code, the projector key)."""
    teacher = PageSession(base, "class=new", cookies)
    await teacher.open()
    return teacher, teacher.find(r"\?join=([0-9A-Z]{8})"), teacher.find(r"\?projector=([A-Za-z0-9_-]{16,64})")


class Student(Learner):
    """A student: the join page, a nickname through the join form, then the explorer's live channel."""

    def __init__(self, base: str, code: str, nickname: str, speed="1", cookies: dict | None = None,
                 keep_run: bool = False):
        super().__init__(base, f"join={code}", speed, cookies, keep_run)
        self.session = PageSession(base, f"join={code}", self.cookies)
        self.nickname = nickname
        self.join_waits = 0

    async def open(self) -> None:
        s = self.session
        await s.open()
        wid, _ = s.widget("text_input", "join_nickname")
        s.widget_values[wid] = ("string_value", self.nickname)
        deadline = time.perf_counter() + JOIN_WAIT_S
        while True:
            await s.rerun((s.submit, "trigger_value", True))
            if s.token or time.perf_counter() > deadline or not any(TOO_FAST in t for t in s.texts[-3:]):
                break
            self.join_waits += 1                  # the class's join limit (60 a minute): wait, as a student would
            await asyncio.sleep(2.0)
        if not s.token:
            raise RuntimeError(f"{self.nickname}: the join gave no live page ({s.errors or s.texts[-3:]})")
        await self.open_live()


class Projector:
    """The projector page and its gallery socket: counts setups, frames, bytes and each student's
    updates (records), and acks every frame once decoded."""

    def __init__(self, base: str, key: str, cookies: dict | None = None):
        self.base, self.session = base, PageSession(base, f"projector={key}", cookies)
        self.ws = None
        self.setups = self.frames = self.bytes = 0
        self.updates: dict[int, int] = {}          # student index -> records received
        self.students: list[str] = []
        self.counts: list[int] = []
        self.errors: list[str] = []
        self.t0 = time.perf_counter()
        self._reader = None

    async def open(self) -> None:
        await self.session.open()
        url = self.base.replace("http", "ws", 1) + "/live/ws"
        self.ws = await connect(url, self.session.cookies, max_size=None, origin=self.base, open_timeout=30,
                                ping_interval=None)
        await self.ws.send(json.dumps({"type": "hello", "token": self.session.token}))
        self._reader = asyncio.create_task(self._read())

    def reset_counts(self) -> None:
        self.frames = self.bytes = 0
        self.updates = {}
        self.t0 = time.perf_counter()

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                self.bytes += len(data)
                if isinstance(data, bytes):
                    f = gallery_wire.decode(data, self.counts)
                    self.frames += 1
                    for rec in f["records"]:
                        self.updates[rec[0]] = self.updates.get(rec[0], 0) + 1
                    await self.ws.send(json.dumps({"type": "ack", "seq": f["seq"]}))
                    continue
                msg = json.loads(data)
                if msg["type"] == "setup":
                    self.setups += 1
                    self.students = msg["students"]
                    self.counts = [s["n_weights"] for s in msg["shapes"]]
                elif msg["type"] == "error":
                    self.errors.append(msg["text"])
        except websockets.ConnectionClosed as err:
            if err.rcvd is None or err.rcvd.code not in (1000, 1001):
                self.errors.append(f"gallery socket closed: {err}")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
        await self.session.close()
