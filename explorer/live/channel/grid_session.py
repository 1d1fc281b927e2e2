"""One learner's Compare grid on the live channel: a ``LiveSession`` whose run is a grid.

The grid's socket is a live socket: the same route, token, door, acks and controls, and the
same scheduler (``scheduler.SCHEDULER``) trains it among everyone's runs. Only what it
trains and sends differs: its run is a ``GridRun`` (every cell, in stacks), its setup is the
grid's (``explorer.live.grid_setup``) and its frames are ``grid_wire``'s. Play, Pause, Step,
Reset and Speed act on the whole grid and are this class's (``LiveSession``'s verbs; Step
trains one epoch of every cell at once).

Its share of the server. At "max" a grid is one learner at max: one slice per round (however
many cells it holds). Paced (speed k: k epochs of every cell per frame, 20 frames a second) it
trains within ``grid_run.PACED_SHARE`` (one max slice per frame), falling behind its pace
rather than taking more. And a server-wide cap: at most ``MAX_TRAINING_CELLS`` networks
train at once across all grids; a Play that would pass it is refused with a notice.

Frames: at most ``GRID_FPS`` a second, each with every cell's latest numbers and the float16
weights of the cells whose thumbnails changed, within ``grid_wire.weight_budget``.
"""
from __future__ import annotations

import json
import time

import numpy as np

from explorer.live.channel import grid_wire, registry
from explorer.live.channel.session import LiveSession
from explorer.live.grid_setup import grid_setup
from explorer.training.grid_run import GridRun

# Networks training at once in all grids of the server. Why 250: one full grid (7 × 7 cells × 5
# seeds = 245) fits; at the default pace that is 250 × 20 epochs/s × ~45 µs a network-epoch
# (Ng's widths, 400 points) ≈ 0.23 of a core, beside a class of 30 paced learners (~0.55), on a
# 2-core server; and their step buffers (83 kB a network at width 4, 680 kB at width 50) stay
# under ~50 MB for typical grids. Memory per grid is bounded on its own (grid_run.MAX_GRID_BYTES).
MAX_TRAINING_CELLS = 250
# Bytes all the grids of the server hold at once (a grid is kept while its learner's session
# lives, paused or not, so that Back and Play find it). Why 512 MB: 16 grids at the largest
# (grid_run.MAX_GRID_BYTES, 32 MB), or ~120 grids of Ng's 7 × 3 (4.1 MB), beside ~300 MB for
# the process and its learners' runs, within a 1 GiB container (deploy/).
MAX_SERVER_GRID_BYTES = 512 * 2**20
GRID_FPS = 20
OPEN_NOTICE = "Paused while a cell is open in the Live view."


def cap_notice(others: int, mine: int) -> str:
    return (f"The server is training {others} networks in other grids; this grid's {mine} would pass the cap of "
            f"{MAX_TRAINING_CELLS} networks training at once (it keeps the server fair to everyone). Press Play "
            "again in a while, or compare fewer cells or seeds.")


def training_elsewhere(me) -> int:
    """Networks training now in every other grid of the server."""
    return sum(len(s.run.cells) for s in registry.sessions()
               if isinstance(s, GridSession) and s is not me and s.running and s.run is not None)


def grid_bytes_elsewhere(me) -> int:
    """Bytes held by every other grid of the server."""
    return sum(s.run.nbytes for s in registry.sessions()
               if isinstance(s, GridSession) and s is not me and s.run is not None)


class GridSession(LiveSession):
    """The live channel's state for one learner's grid (see the module docstring)."""

    def __init__(self, speed=1):
        super().__init__(speed)
        self._sent_bytes: list[bytes] = []      # each network's weights as last sent (float16)
        self._waited = np.zeros(0)               # frames since each network's weights were last sent

    # ---- page side -----------------------------------------------------------------------
    def attach(self, run: GridRun, view: dict, speed=None) -> None:
        """The page's current grid and view: a new one of either makes the next message a setup;
        a new grid starts paused."""
        with run.lock:
            if run is not self.run or view != self.view:
                if run is not self.run:
                    self.pause()
                    self.stepping = None
                    self.run = run
                self.view = view
                self.setup_needed = True
            if speed is not None and speed != self.page_speed:
                self.page_speed = speed
                self.set_speed(speed)
            self.last_input = time.monotonic()

    # ---- the verbs (the caller holds run.lock) ---------------------------------------------
    def play(self) -> None:
        """Train on, unless the grid ended, or the server-wide cap would be passed (a notice says so)."""
        run = self.run
        if run is not None and not self.running:
            others = training_elsewhere(self)
            if others + len(run.cells) > MAX_TRAINING_CELLS:
                self.pause(cap_notice(others, len(run.cells)))
                return
        super().play()

    def step(self, unit: str, sliced: bool = False) -> None:
        """Pause, then one more epoch of every cell (a grid has no mini-batch step of its own);
        ``sliced``: the scheduler trains it in slices (``step_slice``), as the Live view's Step
        epoch: a large grid's epoch takes a second or more, which must not stop everyone else."""
        self.pause()
        run = self.run
        if run is None or run.ended:
            return
        if sliced:
            self.stepping = (run, run.trainer, run.epoch + 1)
        else:
            run.step_epoch()

    def step_slice(self, deadline: float) -> bool:
        """The grid's Step epoch trains on until ``deadline``; True once every cell has it."""
        run, _, epoch = self.stepping
        run.train_until(epoch, deadline)
        return run.epoch >= epoch or run.ended

    # ---- scheduler side ----------------------------------------------------------------------
    def status(self, reply_to: str | None = None) -> dict:
        msg = super().status(reply_to)
        msg["ended"] = bool(self.run and self.run.ended)
        return msg

    def changed(self) -> bool:
        """Something new to show; at "max", at most GRID_FPS frames a second (a paced grid's frames
        follow its ticks, 20 a second: holding one back there would leave the scheduler asleep)."""
        if not super().changed():
            return False
        return not self.running or self.speed != "max" or time.monotonic() - self.last_frame_t >= 1.0 / GRID_FPS

    def setup(self) -> str:
        run = self.run
        msg = {"type": "setup", "seq": self.seq, "epoch": run.epoch, "running": self.running, "speed": self.speed,
               "message": run.message, "notice": self.notice, "ended": run.ended}
        msg.update(grid_setup(run, self.view or {}))
        C = len(run.cells)
        self._sent_bytes = [grid_wire.thumbnail_weights(run.weights(i)) for i in range(C)]
        self._waited = np.zeros(C)
        self._weight_budget = grid_wire.weight_budget([len(b) for b in self._sent_bytes])
        self.setup_needed = False
        self.sent = None
        return json.dumps(msg, separators=(",", ":"), allow_nan=False)

    def window(self) -> int:
        return 1                  # the grid's page acks every frame (gridview.js)

    def frame(self) -> bytes:
        run = self.run
        self.seq += 1
        self.asked = self.seq     # (each frame wants its ack: window_open)
        self.sent = (id(run), run.version, self.running)
        self.unsent = False
        self.last_frame_t = time.monotonic()
        C = len(run.cells)
        fresh = [grid_wire.thumbnail_weights(run.weights(i)) for i in range(C)]
        changed = [i for i in range(C) if fresh[i] != self._sent_bytes[i]]
        sizes = [len(b) for b in fresh]
        sent = grid_wire.choose(changed, self._waited, sizes, self._weight_budget)
        self._waited += 1
        for i in sent:
            self._sent_bytes[i] = fresh[i]
            self._waited[i] = 0
        state = run.badges()
        state[run.cell_epochs() > run.epoch] |= grid_wire.AHEAD
        latest = np.column_stack([run.latest("cost"), run.latest("score"), run.latest("test_score")])
        flags = ((grid_wire.FLAG_RUNNING if self.running else 0) | (grid_wire.FLAG_TEST if run.has_test else 0)
                 | (grid_wire.FLAG_ENDED if run.ended else 0))
        with np.errstate(over="ignore", invalid="ignore"):
            return grid_wire.encode(self.seq, run.epoch, flags, state, latest.astype(np.float32), sent,
                                    [fresh[i] for i in sent])
