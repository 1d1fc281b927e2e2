"""One more learner in the classroom benchmark, running a Compare grid (``--grid 7x3``).

It opens the Compare page as a browser does (Streamlit's socket, then the grid's live
socket with the grid component's token), sets the speed, presses Play and acks every grid
frame at once (``explorer.live.channel.grid_wire``). ``bench_classroom.py --grid CxR`` runs it
beside the N learners and reports its frames and grid epochs a second, and whether the
others kept their pace. The grid: the first C of Ng's widths × the first R learning rates
of ``RATES`` (7 × 3: the issue's grid, widths 1, 2, 3, 4, 5, 20, 50 × η 0.3, 1.2, 5).
"""
from __future__ import annotations

import json
import time

from bench.classroom_client import Learner
from explorer.live.channel import grid_wire

NG_WIDTHS = (1, 2, 3, 4, 5, 20, 50)
RATES = (0.3, 1.2, 5, 0.1, 2.4, 0.6, 3.6)


def grid_query(spec: str, speed: str = "max") -> str:
    """``"7x3"`` -> the Compare page's link for that grid, at ``speed``."""
    cols, rows = (int(v) for v in spec.lower().split("x"))
    q = f"?page=compare&ga=units:{','.join(str(w) for w in NG_WIDTHS[:cols])}&speed={speed}&gep=100000"
    if rows > 1:
        q += f"&gb=lr:{','.join(f'{r:g}' for r in RATES[:rows])}"
    return q


class GridLearner(Learner):
    """A learner whose page is the Compare view: counts grid frames and the grid's epochs."""

    def __init__(self, base: str, spec: str, speed: str = "max"):
        super().__init__(base, grid_query(spec, speed), speed)
        self.spec, self.epoch0, self.epoch, self.cells = spec, None, 0, 0

    async def _read(self) -> None:
        import websockets
        try:
            async for data in self.live:
                self.bytes += len(data)
                if isinstance(data, bytes):
                    frame = grid_wire.decode(data)
                    self.frames += 1
                    self.epoch, self.cells = frame["epoch"], len(frame["badge"])
                    await self.live.send(json.dumps({"type": "ack", "seq": frame["seq"]}))
                    continue
                msg = json.loads(data)
                if msg["type"] == "setup":
                    self.setups += 1
                elif msg["type"] == "status" and msg.get("reply_to") in self._pending:
                    self.rtts.append(time.perf_counter() - self._pending.pop(msg["reply_to"]))
                    self._reply.set()
                    if msg.get("notice"):
                        self.errors.append(f"grid: {msg['notice']}")
        except websockets.ConnectionClosed as err:
            if err.rcvd is None or err.rcvd.code not in (1000, 1001):
                self.errors.append(f"grid socket closed: {err}")

    async def play(self) -> None:
        await self.control({"type": "speed", "value": "max" if self.speed == "max" else int(self.speed)})
        await self.control({"type": "play"})
        self.epoch0 = self.epoch

    def summary(self, frames0: int, bytes0: int) -> dict:
        s = max(self.playing_s, 1e-9)
        return {"spec": self.spec, "cells": self.cells, "fps": (self.frames - frames0) / s,
                "epochs_s": (self.epoch - (self.epoch0 or 0)) / s, "kBps": (self.bytes - bytes0) / s / 1e3}
