"""The live channel's WebSocket endpoint (a Starlette route served beside Streamlit).

``app.py`` mounts ``ROUTES`` with ``st.App(..., routes=ROUTES)``. A socket lives on
the server's asyncio loop: it checks the Origin and the hello, binds to the learner's
``LiveSession``, queues every client message for the scheduler thread, and sends what
the scheduler hands it (``Connection.send`` is safe to call from any thread).
"""
from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit

import streamlit as st
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from . import registry, wire
from .scheduler import SCHEDULER

PATH = "/live/ws"


class Connection:
    """One open socket; ``send`` queues text or bytes from any thread, in order."""

    def __init__(self, websocket: WebSocket, loop: asyncio.AbstractEventLoop):
        self.ws, self.loop = websocket, loop
        self.queue: asyncio.Queue = asyncio.Queue()
        self.closed = False
        self.bytes_sent = 0

    def send(self, data: str | bytes) -> None:
        if not self.closed:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, data)

    async def pump(self) -> None:
        try:
            while True:
                data = await self.queue.get()
                if isinstance(data, bytes):
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_text(data)
                self.bytes_sent += len(data)
        except Exception:    # noqa: BLE001 - the socket went away mid-send: the reader sees it too
            self.closed = True


async def _hello(websocket: WebSocket):
    """The session named by the first message, or None after closing the socket with a code."""
    try:
        first = await asyncio.wait_for(websocket.receive(), wire.HELLO_TIMEOUT_S)
    except asyncio.TimeoutError:
        await websocket.close(wire.CLOSE_NO_HELLO)
        return None
    if first["type"] == "websocket.disconnect":
        return None
    try:
        msg = wire.parse_client(first.get("text"))
    except wire.BadMessage:
        msg = None
    if msg is None or msg["type"] != "hello":
        await websocket.close(wire.CLOSE_NO_HELLO)
        return None
    session = registry.lookup(msg["token"])
    if session is None:
        await websocket.close(wire.CLOSE_BAD_TOKEN)
        return None
    return session


def origin_allowed(origin: str | None, host: str | None) -> bool:
    """Streamlit's own rule for its socket, from its public options: a page of this server
    (the Origin's host:port is the Host header), an origin listed in
    ``server.corsAllowedOrigins``, or any origin when ``server.enableCORS`` is off. No
    Origin (not a browser) passes: the token is still required. Another site's page can
    never learn a token, so this is a second lock, against a page that guesses one."""
    if origin is None:
        return True
    if urlsplit(origin).netloc == (host or "") or not st.get_option("server.enableCORS"):
        return True
    return origin.strip() in {o.strip() for o in st.get_option("server.corsAllowedOrigins") or ()}


async def live_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    if not origin_allowed(websocket.headers.get("origin"), websocket.headers.get("host")):
        await websocket.close(wire.CLOSE_BAD_ORIGIN)
        return
    session = await _hello(websocket)
    if session is None:
        return
    conn = Connection(websocket, asyncio.get_running_loop())
    if not session.connect(conn):
        await websocket.close(wire.CLOSE_IN_USE)
        return
    SCHEDULER.ensure_started()
    SCHEDULER.wake()
    pump = asyncio.create_task(conn.pump())
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            try:
                msg = wire.parse_client(message.get("text"))
                if msg["type"] == "hello":
                    raise wire.BadMessage("hello was already received")
            except wire.BadMessage as err:
                conn.send(json.dumps({"type": "error", "text": str(err)}))
                continue
            session.inbox.append(msg)
            SCHEDULER.wake()
    except WebSocketDisconnect:
        pass
    finally:
        conn.closed = True
        session.disconnect(conn)
        SCHEDULER.wake()
        pump.cancel()


ROUTES = [WebSocketRoute(PATH, live_socket)]
