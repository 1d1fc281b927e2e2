"""The live socket's door: only the token of a live session opens it, once at a time, and
a learner's socket sees and drives that learner's run only. The routes run under
uvicorn in this process (as in ``streamlit run app.py``), so tests create sessions directly."""
from __future__ import annotations

import asyncio
import gc
import json
import socket
import threading
import time

import pytest
import uvicorn
import websockets
from starlette.applications import Starlette

from explorer.live.channel import registry, wire
from explorer.live.channel.routes import PATH, ROUTES
from explorer.live.channel.session import LiveSession
from explorer.choices.config import Config
from explorer.live.setup_message import View
from explorer.choices.link import from_query
from explorer.training.run import Run, build_data


@pytest.fixture(scope="module")
def url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=ROUTES), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"ws://127.0.0.1:{port}{PATH}"
    server.should_exit = True
    thread.join(10)


def session(query: dict | None = None) -> LiveSession:
    cfg = from_query(query)[0] if query else Config()
    s = LiveSession()
    s.attach(Run(cfg, build_data(cfg.data)), View())
    return s


async def recv_json(ws, kind: str, timeout: float = 30):
    """The next text message of this type (binary frames are acked and skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            data = await ws.recv()
            if isinstance(data, bytes):
                await ws.send(json.dumps({"type": "ack", "seq": wire.HEADER.unpack_from(data)[0]}))
                continue
            msg = json.loads(data)
            if msg["type"] == kind:
                return msg


async def closed_with(url: str, first: str | None, origin: str | None = None) -> int:
    async with websockets.connect(url, origin=origin) as ws:
        with pytest.raises(websockets.ConnectionClosed) as info:   # (a refused origin may close before the send)
            if first is not None:
                await ws.send(first)
            async with asyncio.timeout(wire.HELLO_TIMEOUT_S + 10):
                while True:
                    await ws.recv()
        return info.value.rcvd.code


def hello(token: str) -> str:
    return json.dumps({"type": "hello", "token": token})


def test_a_wrong_token_is_refused(url):
    session()                                  # a valid session exists, but not this token
    assert asyncio.run(closed_with(url, hello("not-a-token"))) == wire.CLOSE_BAD_TOKEN


def test_a_first_message_that_is_not_a_hello_is_refused(url):
    s = session()
    assert asyncio.run(closed_with(url, json.dumps({"type": "play"}))) == wire.CLOSE_NO_HELLO
    assert asyncio.run(closed_with(url, "{not json")) == wire.CLOSE_NO_HELLO
    assert not s.running


def test_the_token_of_a_session_that_is_gone_is_refused(url):
    s = session()
    token = s.token
    assert registry.lookup(token) is s
    del s
    gc.collect()                               # Streamlit dropped the session: nothing holds it
    assert registry.lookup(token) is None
    assert asyncio.run(closed_with(url, hello(token))) == wire.CLOSE_BAD_TOKEN


def test_another_sites_page_is_refused_even_with_a_valid_token(url):
    s = session()
    assert asyncio.run(closed_with(url, hello(s.token), origin="https://evil.example")) == wire.CLOSE_BAD_ORIGIN
    assert asyncio.run(closed_with(url, hello(s.token), origin="http://127.0.0.1:1")) == wire.CLOSE_BAD_ORIGIN

    async def same_origin():                   # a page of this server (Origin = Host) gets in
        origin = "http://" + url.split("/")[2]
        async with websockets.connect(url, origin=origin) as ws:
            await ws.send(hello(s.token))
            return await recv_json(ws, "setup")

    assert asyncio.run(same_origin())["sizes"] == [4, 1]
    assert not s.running


def test_a_token_already_in_use_is_refused(url):
    s = session()

    async def go():
        async with websockets.connect(url) as first:
            await first.send(hello(s.token))
            await recv_json(first, "setup")
            return await closed_with(url, hello(s.token))

    assert asyncio.run(go()) == wire.CLOSE_IN_USE


def test_each_socket_sees_and_drives_only_its_own_run(url):
    a = session()                                              # 2-4-1 on the flower
    b = session({"ds": "xor", "layers": "8:relu,4:tanh"})     # 2-8-4-1 on XOR

    async def go():
        async with websockets.connect(url) as wa, websockets.connect(url) as wb:
            await wa.send(hello(a.token))
            await wb.send(hello(b.token))
            setup_a, setup_b = await recv_json(wa, "setup"), await recv_json(wb, "setup")
            assert setup_a["sizes"] == [4, 1] and setup_b["sizes"] == [8, 4, 1]
            await wa.send(json.dumps({"type": "play"}))
            assert (await recv_json(wa, "status"))["running"] is True
            async with asyncio.timeout(30):
                while a.run.epoch < 5:                          # ack A's frames as a browser does
                    data = await wa.recv()
                    if isinstance(data, bytes):
                        await wa.send(json.dumps({"type": "ack", "seq": wire.HEADER.unpack_from(data)[0]}))
            assert not b.running and b.run.epoch == 0      # B's run was not touched
            await wa.send(json.dumps({"type": "pause"}))
            assert (await recv_json(wa, "status"))["running"] is False

    asyncio.run(go())


def test_malformed_messages_get_an_error_and_the_socket_stays_open(url):
    s = session()

    async def go():
        async with websockets.connect(url) as ws:
            await ws.send(hello(s.token))
            await recv_json(ws, "setup")
            for bad in ("nonsense", json.dumps({"type": "drop_tables"}), json.dumps({"type": "speed", "value": -1}),
                        json.dumps({"type": "ack", "seq": "x"}), "x" * 5000, b"\x00\x01",
                        hello(s.token)):
                await ws.send(bad)
                assert (await recv_json(ws, "error"))["text"]
            await ws.send(json.dumps({"type": "step", "unit": "epoch"}))
            assert (await recv_json(ws, "status"))["epoch"] == 1

    asyncio.run(go())


def test_closing_the_socket_stops_that_run(url):
    s = session()

    async def go():
        async with websockets.connect(url) as ws:
            await ws.send(hello(s.token))
            await recv_json(ws, "setup")
            await ws.send(json.dumps({"type": "play"}))
            await recv_json(ws, "status")
        async with asyncio.timeout(10):
            while s.conn is not None:
                await asyncio.sleep(0.01)

    asyncio.run(go())
    assert not s.wants_training()                  # no socket: not trained from that moment
    deadline = time.monotonic() + 5
    while s.running and time.monotonic() < deadline:   # and the scheduler's next round pauses it
        time.sleep(0.01)
    assert not s.running


def test_channel_js_knows_every_close_code_the_server_sends():
    """The close codes are written twice (wire.py and channel.js): the same numbers."""
    import re
    from pathlib import Path

    js = (Path(wire.__file__).parents[1] / "static" / "channel.js").read_text()
    table = re.search(r"var CLOSE = \{([^}]*)\}", js).group(1)
    in_js = {int(code) for code in re.findall(r"(\d{4}):", table)}
    in_py = {v for k, v in vars(wire).items() if k.startswith("CLOSE_")}
    assert in_py and in_py <= in_js, in_py - in_js
