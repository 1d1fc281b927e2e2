"""The live channel's WebSocket endpoint (a Starlette route served beside Streamlit).

``app.py`` mounts ``ROUTES`` with ``st.App(..., routes=ROUTES)``. A socket lives on
the server's asyncio loop: it checks the Origin and the hello, binds to the learner's
``LiveSession``, lets each client message through its ``Door`` (checked once, completely,
and rate-limited) into the session's inbox for the scheduler thread, and sends what the
scheduler hands it (``Connection.send`` is safe to call from any thread). Nothing one
socket sends raises out of here: an unexpected error refuses that message and logs one
line (at most one per ``guard.LOG_EVERY_S``).
"""
from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlsplit

import streamlit as st
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from explorer.live.channel import registry, wire
from explorer.live.channel.guard import log_limited
from explorer.live.channel.outbox import outbox_for
from explorer.live.channel.run_keeper import KEEPER
from explorer.live.channel.scheduler import SCHEDULER
from explorer.live.channel.session import INBOX_MAX

PATH = "/live/ws"
CLOSE_FLUSH_S = 2.0        # a flooding socket's last status goes out within this, then it closes


class Door:
    """One socket's limits (see ``wire``): what goes into the session's inbox, what is refused.

    ``admit`` returns (message, None) for a message to apply, or (None, reason) for one
    refused: bad (``wire.parse_client``), over its rate, or the inbox full. Every refusal is a
    strike; ``flooding`` turns True once the strikes outrun their leak (the socket is closed)."""

    def __init__(self, clock=time.monotonic):
        self.controls = wire.Bucket(wire.CONTROL_RATE, wire.CONTROL_BURST, clock)
        self.acks = wire.Bucket(wire.ACK_RATE, wire.ACK_BURST, clock)
        self.strikes = wire.Bucket(wire.STRIKE_LEAK, wire.STRIKE_LIMIT, clock)
        self.replies = wire.Bucket(wire.ERROR_RATE, wire.ERROR_BURST, clock)
        self.flooding = False
        self.dropped = 0

    def admit(self, text, queued: int) -> tuple[dict | None, str | None]:
        try:
            msg = wire.parse_client(text)
            if msg["type"] == "hello":
                raise wire.BadMessage("hello was already received")
        except wire.BadMessage as err:
            return self._refuse(str(err))
        bucket = self.acks if msg["type"] == "ack" else self.controls
        if queued >= INBOX_MAX or not bucket.take():
            self.dropped += 1
            return self._refuse(f"too many messages (at most {wire.CONTROL_RATE:g} controls and {wire.ACK_RATE:g} "
                                f"acks a second): {self.dropped} dropped so far")
        return msg, None

    def _refuse(self, reason: str) -> tuple[None, str]:
        if not self.strikes.take():
            self.flooding = True
        return None, reason


class _Close:
    """Queued after a socket's last message: the pump closes the socket with ``code``."""

    def __init__(self, code: int, reason: str = ""):
        self.code, self.reason = code, reason


class Connection:
    """One open socket; ``send`` queues text or bytes from any thread, in order (through its
    loop's ``outbox``: a round's frames wake the loop once, not once each)."""

    def __init__(self, websocket: WebSocket, loop: asyncio.AbstractEventLoop):
        self.ws, self.loop = websocket, loop
        self.outbox = outbox_for(loop)
        self.queue: asyncio.Queue = asyncio.Queue()
        self.closed = False
        self.bytes_sent = 0

    def send(self, data: str | bytes) -> None:
        if not self.closed:
            self.outbox.put(self.queue, data)

    def close_after_queued(self, code: int, reason: str = "") -> None:
        """Close with ``code`` (and ``reason``, at most 123 bytes) once what is queued so far has gone out."""
        self.send(_Close(code, reason))

    async def pump(self) -> None:
        try:
            while True:
                data = await self.queue.get()
                if isinstance(data, _Close):
                    self.closed = True
                    await self.ws.close(data.code, data.reason)
                    return
                if isinstance(data, bytes):
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_text(data)
                self.bytes_sent += len(data)
        except Exception:    # noqa: BLE001 - the socket went away mid-send: the reader sees it too
            self.closed = True


async def _hello(websocket: WebSocket):
    """(the session named by the first message, the browser's secret or None, what the page last
    drew from an earlier server or None: ``wire``'s hello), or None after closing the socket with a code."""
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
    except Exception as err:  # noqa: BLE001 - a bug in the check: refuse the hello, log one line
        log_limited("hello", "live socket: a hello could not be read", err)
        msg = None
    if msg is None or msg["type"] != "hello":
        await websocket.close(wire.CLOSE_NO_HELLO)
        return None
    session = registry.lookup(msg["token"])
    if session is None:
        await websocket.close(wire.CLOSE_BAD_TOKEN)
        return None
    return session, msg["secret"], msg["seen"]


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
    try:
        await _serve(websocket)
    except WebSocketDisconnect:
        pass
    except Exception as err:  # noqa: BLE001 - one socket's trouble: log one line, never a traceback
        log_limited("socket", "live socket: closed after an error", err)


async def _serve(websocket: WebSocket) -> None:
    await websocket.accept()
    if not origin_allowed(websocket.headers.get("origin"), websocket.headers.get("host")):
        await websocket.close(wire.CLOSE_BAD_ORIGIN)
        return
    hello = await _hello(websocket)
    if hello is None:
        return
    session, secret, seen = hello
    # The run kept under the browser's secret, read in a worker thread (a shared store is a round trip).
    checkpoint = await asyncio.to_thread(KEEPER.load, secret) if secret is not None else None
    conn = Connection(websocket, asyncio.get_running_loop())
    if not session.connect(conn, secret, checkpoint, seen):
        await websocket.close(wire.CLOSE_IN_USE)
        return
    SCHEDULER.ensure_started()
    SCHEDULER.wake()
    pump = asyncio.create_task(conn.pump())
    door = Door()
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            try:
                msg, refused = door.admit(message.get("text"), len(session.inbox))
            except Exception as err:  # noqa: BLE001 - a bug in our checks: refuse this message only
                log_limited("receive", "live socket: a message could not be read", err)
                msg, refused = None, "the server could not read this message"
            if msg is not None:
                session.inbox.append(msg)
                # An ack wakes the scheduler only if the learner waits for it (its window is
                # closed); one that does not (a paced page acks one frame in four) waits for the
                # next round, which its next tick brings: no round walks every session for it.
                if msg["type"] != "ack" or not session.window_open():
                    SCHEDULER.wake()
            elif door.flooding:
                await _close_flooding(session, conn, pump)
                break
            else:
                if door.replies.take():
                    conn.send(json.dumps({"type": "error", "text": refused}))
                await asyncio.sleep(wire.REFUSED_PAUSE_S)     # a flood waits in the sender's buffers
    finally:
        conn.closed = True
        session.disconnect(conn)
        SCHEDULER.wake()
        pump.cancel()


async def _close_flooding(session, conn: Connection, pump: asyncio.Task) -> None:
    """Say why in a status line (the page shows its notice), then close with CLOSE_FLOOD. (The
    run stops as the socket closes: the scheduler pauses a run without a socket.)"""
    conn.send(json.dumps(dict(session.status(None), running=False, notice=wire.FLOOD_NOTICE)))
    conn.close_after_queued(wire.CLOSE_FLOOD, wire.FLOOD_NOTICE)
    try:
        await asyncio.wait_for(asyncio.shield(pump), CLOSE_FLUSH_S)
    except Exception:  # noqa: BLE001 - (a timeout, or the socket went first) it is going away either way
        pass
    log_limited("flood", "live socket: closed a socket that sent too many bad or excess messages (4429)")


ROUTES = [WebSocketRoute(PATH, live_socket)]
