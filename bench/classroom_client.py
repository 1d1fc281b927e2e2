"""One simulated learner, as a browser is one: a real Streamlit session over Streamlit's own
socket (``/_stcore/stream``) plus the live channel (``/live/ws``) it opens with the page's
token. It counts frames, bytes and control round trips, and acks a frame as soon as it has
decoded it if one since its last ack asked for an ack, as the page does (``wire``, Pacing).
Used by ``bench_classroom.py``, ``classroom_grid.py`` and ``bench_flood.py``.

Like a browser it keeps its cookies (``cookies``: name -> value, sent on both sockets and taken
from their handshakes' Set-Cookie, so a balancer's cookie keeps it on one replica), and with
``keep_run`` its browser secret (the page's offer, kept as ``localStorage`` keeps it), which its
hello sends so that the server keeps its run (``run_keeper``).
"""
from __future__ import annotations

import asyncio
import json
import time

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from explorer.live.channel import wire

CONTROL_TIMEOUT_S = 5.0


class StreamlitSession:
    """One Streamlit session over ``/_stcore/stream``, as the browser's front end opens it."""

    def __init__(self, base: str, query: str = "", cookies: dict | None = None):
        self.base, self.query = base, query.lstrip("?")
        self.cookies = {} if cookies is None else cookies   # name -> value, as a browser keeps them
        self.ws = None
        self.elements: dict[str, object] = {}     # widget / component id -> its proto element
        self.token: str | None = None
        self.offer: str | None = None             # the browser secret the live view's page offers
        self.widget_values: dict[str, tuple] = {}
        self.finished = asyncio.Event()
        self.errors: list[str] = []
        self._reader = None

    async def open(self) -> None:
        url = self.base.replace("http", "ws", 1) + "/_stcore/stream"
        self.ws = await connect(url, self.cookies, subprotocols=["streamlit"], max_size=None, origin=self.base,
                                open_timeout=30, ping_interval=None)
        self._reader = asyncio.create_task(self._read())
        await self.rerun()

    async def rerun(self, widget: tuple | None = None, timeout: float = 60.0) -> None:
        """A script run with the widgets' states (``widget`` = (id, field, value) changes one)."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = ""
        if widget is not None:
            self.widget_values[widget[0]] = widget[1:]
        for wid, (field, value) in self.widget_values.items():
            ws = cs.widget_states.widgets.add()
            ws.id = wid
            if field.endswith("_array_value"):
                getattr(ws, field).data.extend(value)
            else:
                setattr(ws, field, value)
        self.finished.clear()
        await self.ws.send(msg.SerializeToString())
        await asyncio.wait_for(self.finished.wait(), timeout)
        if widget is not None and widget[1] == "trigger_value":
            self.widget_values.pop(widget[0], None)          # a click is not a state

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                fm = ForwardMsg()
                fm.ParseFromString(data)
                kind = fm.WhichOneof("type")
                if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                    el = fm.delta.new_element
                    what = el.WhichOneof("type")
                    self.on_element(what, el)
                    inner = getattr(el, what, None)
                    wid = getattr(inner, "id", "") if inner is not None else ""
                    if wid:
                        self.elements[wid] = (what, inner)
                elif kind == "script_finished":
                    self.finished.set()
                else:
                    self.on_message(kind, fm)
        except websockets.ConnectionClosed:
            pass

    def on_element(self, what: str, el) -> None:
        """A new element of the page (``what``: its proto's type): the live token, an exception."""
        if what == "component_instance":
            args = json.loads(el.component_instance.json_args or "{}")
            if args.get("token"):
                self.token = args["token"]
            if args.get("secret"):
                self.offer = args["secret"]
        elif what == "exception":
            self.errors.append(f"exception: {el.exception.message}")

    def on_message(self, kind: str, fm) -> None:
        """Any other ForwardMsg (``kind``: its type), for a subclass to read."""

    def widget(self, kind: str, key: str):
        """(id, proto) of the widget with this key (Streamlit puts the key in the id)."""
        for wid, (what, inner) in self.elements.items():
            if what == kind and (wid.endswith(f"-{key}") or wid.endswith(f"_{key}")):
                return wid, inner
        raise KeyError(f"no {kind} with key {key!r}; have {[w for w in self.elements][:20]}")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()


async def connect(url: str, cookies: dict, **kwargs):
    """A WebSocket to ``url`` sending ``cookies`` (name -> value), which takes the handshake's
    Set-Cookie into ``cookies``, as a browser does."""
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else None
    ws = await websockets.connect(url, additional_headers=headers, **kwargs)
    for value in ws.response.headers.get_all("Set-Cookie"):
        name, _, rest = value.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0].strip()
    return ws


class Learner:
    """A Streamlit session plus its live channel; counts frames, bytes and control round trips.
    ``keep_run``: its hello sends the browser secret (``secret``, the first page's offer)."""

    def __init__(self, base: str, query: str = "", speed="1", cookies: dict | None = None, keep_run: bool = False):
        self.cookies = {} if cookies is None else cookies
        self.session = StreamlitSession(base, query, self.cookies)
        self.base, self.speed, self.keep_run = base, speed, keep_run
        self.secret: str | None = None
        self.live = None
        self.frames = 0
        self.acks = 0
        self._asked = False
        self.bytes = 0
        self.setups = 0
        self.playing_s = 0.0
        self._play_t = None
        self.rtts: list[float] = []
        self.errors: list[str] = []
        self.n_layers = 1
        self.last = None
        self._pending: dict[str, float] = {}
        self._reply = asyncio.Event()
        self._reader = None

    async def open(self) -> None:
        await self.session.open()
        if not self.session.token:
            raise RuntimeError("the page sent no live token")
        await self.open_live()

    async def open_live(self, **hello) -> None:
        """The live socket, with the page's token (and the browser secret: ``keep_run``), saying
        hello with ``hello``'s fields too."""
        if self.keep_run:
            self.secret = self.secret or self.session.offer
            if self.secret:
                hello["secret"] = self.secret
        url = self.base.replace("http", "ws", 1) + "/live/ws"
        self.live = await connect(url, self.cookies, max_size=None, origin=self.base, open_timeout=30,
                                  ping_interval=None)
        await self.live.send(json.dumps({"type": "hello", "token": self.session.token, **hello}))
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for data in self.live:
                self.bytes += len(data)
                if isinstance(data, bytes):
                    frame = wire.decode_frame(data, self.n_layers)
                    self.frames += 1
                    self.last = frame
                    self.on_live(frame)
                    # as the page acks (view.js): once a frame since the last ack asked for one
                    self._asked = self._asked or bool(frame["flags"] & wire.FLAG_ACK) or frame["version"] < 2
                    if self._asked:
                        self._asked = False
                        self.acks += 1
                        await self.live.send(json.dumps({"type": "ack", "seq": frame["seq"]}))
                    continue
                msg = json.loads(data)
                self.on_live(msg)
                if msg["type"] == "setup":
                    self.setups += 1
                    self.n_layers = len(msg["sizes"])
                elif msg["type"] == "status" and msg.get("reply_to") in self._pending:
                    self.rtts.append(time.perf_counter() - self._pending.pop(msg["reply_to"]))
                    self._reply.set()
                elif msg["type"] == "error":
                    self.errors.append(msg["text"])
        except websockets.ConnectionClosed as err:
            self.on_closed(err)

    def on_live(self, msg: dict) -> None:
        """Every message of the live socket (a decoded frame, or a text message's dict), for a subclass."""

    def on_closed(self, err: websockets.ConnectionClosed) -> None:
        """The live socket closed: an error unless the server said goodbye (1000, 1001)."""
        if err.rcvd is None or err.rcvd.code not in (1000, 1001):
            self.errors.append(f"live socket closed: {err}")

    async def control(self, msg: dict) -> None:
        """Send a control and wait for its status reply (the round trip is recorded)."""
        self._reply.clear()
        self._pending[msg["type"]] = time.perf_counter()
        await self.live.send(json.dumps(msg))
        try:
            await asyncio.wait_for(self._reply.wait(), CONTROL_TIMEOUT_S)
        except asyncio.TimeoutError:
            self.errors.append(f"no reply to {msg['type']} within {CONTROL_TIMEOUT_S} s")
            self._pending.pop(msg["type"], None)
        if msg["type"] == "play":
            self._play_t = time.perf_counter()
        elif msg["type"] == "pause" and self._play_t is not None:
            self.playing_s += time.perf_counter() - self._play_t
            self._play_t = None

    def stop_clock(self) -> None:
        if self._play_t is not None:
            self.playing_s += time.perf_counter() - self._play_t
            self._play_t = None

    async def close(self) -> None:
        if self.live is not None:
            await self.live.close()
        if self._reader is not None:
            self._reader.cancel()
        await self.session.close()
