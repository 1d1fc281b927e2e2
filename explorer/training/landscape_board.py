"""The server's loss-landscape jobs: at most ``MAX_RUNNING`` computed at once, ``MAX_WAITING`` in line.

One board for the process (``BOARD``). It owns ``MAX_RUNNING`` worker threads, started on the
first request: each takes the oldest waiting job and computes it (``LandscapeJob.run``, numpy's
batched forward passes), so never more than ``MAX_RUNNING`` jobs run at once however many
learners ask. A request while ``MAX_WAITING`` jobs already wait is refused with a sentence
(``Refused``); a waiting job knows its place in line (``position``). The board holds a job only
while it waits or runs; the job itself, and its result, live in its learner's session.

The workers are not the live channel's training thread, and they share its GIL: numpy releases
it inside large matrix products, but a landscape of a small network is mostly small numpy calls,
as training is. So the workers keep a duty cycle of their own: after each unit of work (a row of
the plane) a job waits until all running landscapes together have used at most ``SHARE`` of the
wall clock (with k running, each waits k / SHARE − 1 times what its row took). A learner playing
meanwhile keeps the rest. ``bench/bench_landscape_fairness.py`` measures what a learner training at
"max" keeps while another computes landscapes without pause (README, "Loss landscape").
"""
from __future__ import annotations

import logging
import threading
from collections import deque

from explorer.training.landscape_job import LandscapeJob

MAX_RUNNING = 2        # landscapes computed at once on this server
MAX_WAITING = 10       # ... and waiting for a worker; a request past these is refused
SHARE = 0.25           # of the wall clock, for all running landscapes together (1.0: no pacing)
SERVER_ERROR = "The server hit an error computing this landscape; it has been logged. Try again."
log = logging.getLogger(__name__)


class Refused(ValueError):
    """The board is full: the message is the sentence the learner reads."""


class LandscapeBoard:
    def __init__(self, running: int = MAX_RUNNING, waiting: int = MAX_WAITING, start: bool = True,
                 share: float = SHARE):
        self.running, self.waiting, self.share = running, waiting, share
        self._cv = threading.Condition()
        self._line: deque[LandscapeJob] = deque()
        self._now: set[LandscapeJob] = set()
        self._workers: list[threading.Thread] = []
        self._start = start               # False: the workers wait for ``start`` (tests fill the line first)

    def submit(self, job: LandscapeJob) -> None:
        """Put ``job`` in line, or raise Refused when MAX_WAITING jobs already wait."""
        with self._cv:
            if len(self._line) >= self.waiting:
                raise Refused(f"{len(self._line)} landscapes are already waiting for this server's {self.running} "
                              f"workers, the most it keeps in line: try again in a few seconds.")
            job.state, job.pace = "waiting", (lambda seconds: self._pace(job, seconds))
            self._line.append(job)
            self._cv.notify()
        if self._start:
            self.start()

    def position(self, job: LandscapeJob) -> int:
        """``job``'s place in line (1: next), or 0 when it is not waiting."""
        with self._cv:
            for i, j in enumerate(self._line):
                if j is job:
                    return i + 1
        return 0

    def cancel(self, job: LandscapeJob) -> None:
        """Stop ``job``: out of the line if it waits, at its next row if it runs."""
        job.cancel()
        with self._cv:
            if job in self._line:
                self._line.remove(job)
                job.state = "cancelled"

    def counts(self) -> tuple[int, int]:
        """(running, waiting) now."""
        with self._cv:
            return len(self._now), len(self._line)

    def start(self) -> None:
        """Start the workers that are not running (exactly ``running`` of them live)."""
        self._start = True
        with self._cv:
            self._workers = [t for t in self._workers if t.is_alive()]
            while len(self._workers) < self.running:
                t = threading.Thread(target=self._work, name=f"landscape-{len(self._workers) + 1}", daemon=True)
                self._workers.append(t)
                t.start()

    def _pace(self, job: LandscapeJob, seconds: float) -> None:
        """After ``job`` worked ``seconds``: wait so that the running jobs together keep to ``share``."""
        if self.share < 1.0:
            with self._cv:
                k = max(1, len(self._now))
            job.wait(seconds * (k / self.share - 1.0))

    def _work(self) -> None:
        while True:
            with self._cv:
                while not self._line:
                    self._cv.wait()
                job = self._line.popleft()
                self._now.add(job)
            try:
                job.run()
            except Exception:   # noqa: BLE001 - a bug in one job must not stop the worker
                log.exception("landscape job failed")
                job.state, job.error = "failed", SERVER_ERROR
            finally:
                with self._cv:
                    self._now.discard(job)


BOARD = LandscapeBoard()
