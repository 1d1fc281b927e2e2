"""One loss-landscape request of a learner: its parameters, checked, and the job that computes it.

A request names the plane's directions (``DIRECTIONS``: the trajectory's first two principal
directions, or two filter-normalised random ones), the grid (n × n points, n odd so the current
weights are its centre point) and the span (how far the plane reaches, as a multiple of the
trajectory's reach or of the weights' own size). ``request`` checks every one of them and says
what is wrong in a sentence; nothing else builds a ``Request``.

``LandscapeJob.of(run, req)`` copies what the job needs under the run's lock (the network's
layers and loss, the training points, the penalties, the weight snapshots of ``run.snapshots``
with the current weights added), so the job never touches the run again: training goes on
while it computes. ``compute`` then works in units a progress bar can follow: the 1-D slice
first, then the plane one row of β at a time (``core.landscape``'s batched forward passes).

Weights are the layers' [W | b], Wb^(l) of shape (S_l, S_{l-1} + 1); examples are rows.
"""
from __future__ import annotations

import copy
import math
import threading
import time
from dataclasses import dataclass

import numpy as np

from core.landscape import flatten, line_slice, pca_directions, plane_slice, random_directions

GRID_SIZES = (11, 21, 31, 41, 51, 61)   # n × n points; odd: the current weights are the centre point
SPANS = (0.25, 0.5, 1.0, 1.5, 2.0, 4.0)
MIN_N, MAX_N = GRID_SIZES[0], GRID_SIZES[-1]
MIN_SPAN, MAX_SPAN = SPANS[0], SPANS[-1]
LINE_TS = np.arange(-15, 46) / 30       # t from −0.5 to 1.5: t = 0 (index 15) and t = 1 (index 45) exactly
REACH = 1.25                            # PCA: the plane reaches 1.25 × the trajectory's farthest point
# A job's work, in multiply-adds of the batched forward passes (grid points × examples × Σ weights):
# at most this much (41 × 41 on the default network is 9.1 million: 0.05–0.15 s of work here); and a
# job that has worked MAX_SECONDS stops with a sentence (a loaded server is slower than the estimate).
MAX_WORK = 1e9
MAX_SECONDS = 15.0


@dataclass(frozen=True)
class Directions:
    label: str                  # the menu's words
    help: str
    axes: tuple[str, str]       # what α and β move along, for the chart's axes


DIRECTIONS = {
    "pca": Directions("Trajectory (PCA)", "The plane of the training path's first two principal directions "
                                          "(Li et al. 2018): the path lies (mostly) in it",
                      ("α: the path's 1st principal direction", "β: its 2nd principal direction")),
    "random": Directions("Random, filter-normalised", "Two random directions, each unit's row scaled to that "
                                                      "unit's weights (Li et al. 2018); in a large network they "
                                                      "miss the path",
                         ("α: random direction 1 (filter-normalised)", "β: random direction 2")),
}


@dataclass(frozen=True)
class Request:
    directions: str = "pca"
    n: int = 41
    span: float = 1.0
    seed: int = 0


def request(directions, n, span, seed=0) -> Request:
    """A checked Request, or ValueError with a sentence naming the bad value and what is allowed."""
    if not isinstance(directions, str) or directions not in DIRECTIONS:
        raise ValueError(f"directions must be one of {', '.join(DIRECTIONS)}; got {directions!r}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not MIN_N <= n <= MAX_N or n % 2 == 0:
        raise ValueError(f"the grid must be an odd whole number of points from {MIN_N} to {MAX_N} a side; got {n!r}")
    if isinstance(span, bool) or not isinstance(span, (int, float, np.floating)) or not math.isfinite(span) \
            or not MIN_SPAN <= span <= MAX_SPAN:
        raise ValueError(f"the span must be a number from {MIN_SPAN:g} to {MAX_SPAN:g}; got {span!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2 ** 32:
        raise ValueError(f"the directions' seed must be a whole number from 0 to 2³² − 1; got {seed!r}")
    return Request(directions, int(n), float(span), int(seed))


@dataclass
class Landscape:
    """What a job found. ``J_plane[i, j]`` is J at α = alphas[j], β = betas[i] (shape (n, n));
    the centre (n // 2, n // 2) is the current weights. ``path`` (k, 2): each snapshot's (α, β)
    on the plane (least squares for random directions), ``epochs`` (k,) their epochs, the last
    the current weights; ``held``: the share of the path's spread about the current weights that
    the plane holds. ``J_line`` along ``ts`` (LINE_TS): t = 0 the start, t = 1 the current weights."""

    request: Request
    epoch: int
    ts: np.ndarray
    J_line: np.ndarray
    alphas: np.ndarray
    betas: np.ndarray
    J_plane: np.ndarray
    path: np.ndarray
    epochs: np.ndarray
    held: float
    n_weights: int
    seconds: float


class LandscapeJob:
    """A request with its own copy of what it needs; computed once, by one worker thread.

    ``state``: "waiting", "running", "done", "failed" (``error`` says why, in a sentence) or
    "cancelled". ``done`` of ``total`` units (the line, then each row) are finished."""

    def __init__(self, req: Request, net, X, T, l1: float, l2: float, frames, epoch: int):
        self.request, self.net, self.X, self.T, self.l1, self.l2 = req, net, X, T, l1, l2
        self.frames, self.epoch = frames, epoch           # [(epoch, [Wb per layer])], the current weights last
        self.total, self.done = 1 + req.n, 0
        self.state, self.error, self.result = "waiting", "", None
        self.started = self.finished = None               # perf_counter of the start and the end
        self.worked = 0.0                                 # seconds spent computing (the rest: paced)
        self.pace = None                                  # pace(seconds) after each unit: the board's share
        self._cancel = threading.Event()

    @classmethod
    def of(cls, run, req: Request) -> "LandscapeJob":
        """Copy what ``req`` needs from ``run`` (under its lock); ValueError when the run cannot give it."""
        if not isinstance(req, Request):
            raise TypeError("a landscape job takes a Request made by landscape_job.request")
        with run.lock:
            if not run.trainable:
                raise ValueError("There are no training points yet: add some, then compute the landscape.")
            run.snapshots.record(run.epoch, run.net.parameters(), force=True)   # the current weights, last
            frames = list(run.snapshots)
            net, tr, d = copy.deepcopy(run.net), run.trainer, run.data
            job = cls(req, net, d.F_train.copy(), d.y_train.copy(), float(tr.l1), float(tr.l2), frames, run.epoch)
        work = req.n ** 2 * len(job.T) * sum(p.size for p in frames[-1][1])
        if work > MAX_WORK:
            fix = ("choose a smaller grid" if work * (MIN_N / req.n) ** 2 <= MAX_WORK else
                   "even the smallest grid is too much here: fewer points or a smaller network would fit")
            raise ValueError(f"{req.n} × {req.n} points on this network and {len(job.T):,} training points is "
                             f"{work / 1e9:.1f} billion multiply-adds, more than the {MAX_WORK / 1e9:g} billion a "
                             f"landscape may take: {fix}.")
        now = flatten(frames[-1][1])
        if req.directions == "pca" and not any(np.any(flatten(p) != now) for _, p in frames[:-1]):
            raise ValueError("The trajectory's directions need a path: train for a few epochs first "
                             "(or choose random directions).")
        if req.directions == "random" and not any(np.any(p[:, :-1]) for p in frames[-1][1]):
            raise ValueError("Every weight is zero, so filter-normalised random directions are zero too: "
                             "choose the trajectory's directions.")
        return job

    # ---- the work ------------------------------------------------------------------
    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, seconds: float) -> None:
        """Let the others have the CPU for ``seconds`` (the board's pace); a cancel ends it at once."""
        self._cancel.wait(seconds)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def busy(self) -> bool:
        return self.state in ("waiting", "running")

    def run(self) -> None:
        """Compute (the board's worker calls this once); never raises: a failure is ``error``."""
        self.started, self.state = time.perf_counter(), "running"
        try:
            self.result = self.compute()
            self.state = "cancelled" if self.result is None else "done"
        except (ValueError, FloatingPointError, MemoryError) as err:
            self.state, self.error = "failed", f"The landscape could not be computed: {err}"
        finally:
            self.finished = time.perf_counter()

    def compute(self) -> Landscape | None:
        """The 1-D slice, then the plane row by row; None once cancelled."""
        t0, req = time.perf_counter(), self.request
        net, X, T, l1, l2 = self.net, self.X, self.T, self.l1, self.l2
        start, now = self.frames[0][1], self.frames[-1][1]
        ts, J_line = line_slice(net, X, T, start, now, LINE_TS, l1, l2)
        d1, d2, path, held = self._directions(now)
        self._unit_done(t0, 1)
        k = req.n // 2
        unit = np.arange(-k, k + 1) / k                   # exact 0 at the centre
        reach_a, reach_b = self._reach(path)
        alphas, betas = req.span * reach_a * unit, req.span * reach_b * unit
        J = np.empty((req.n, req.n))
        for i, beta in enumerate(betas):
            if self.cancelled:
                return None
            if self.worked > MAX_SECONDS:
                raise ValueError(f"it needed more than {MAX_SECONDS:g} s of the server's time (it is busy); "
                                 "try a smaller grid, or again later")
            t = time.perf_counter()
            J[i] = plane_slice(net, X, T, now, d1, d2, alphas, [beta], l1, l2)[0]
            self._unit_done(t, 2 + i)
        return Landscape(req, self.epoch, ts, J_line, alphas, betas, J, path,
                         np.array([e for e, _ in self.frames]), held, int(flatten(now).size),
                         time.perf_counter() - t0)

    def _unit_done(self, since: float, done: int) -> None:
        """One more unit finished, begun at ``since``: count it, then keep to the board's pace."""
        dt = time.perf_counter() - since
        self.worked += dt
        self.done = done
        if self.pace is not None:
            self.pace(dt)

    def _directions(self, now):
        """(d1, d2, the path's (α, β) (k, 2), the share of its spread the plane holds)."""
        snaps = [p for _, p in self.frames]
        if self.request.directions == "pca":
            d1, d2, path, explained = pca_directions(snaps, now)
            return d1, d2, path, float(explained.sum())
        d1, d2 = random_directions(now, np.random.default_rng(self.request.seed))
        D = np.stack([flatten(d1), flatten(d2)], axis=1)                 # (P, 2)
        M = np.stack([flatten(s) for s in snaps]) - flatten(now)          # (k, P): each snapshot from now
        path = np.linalg.lstsq(D, M.T, rcond=None)[0].T                  # (k, 2): least squares on the plane
        spread = float(np.sum(M ** 2))
        return d1, d2, path, float(np.sum((path @ D.T) ** 2) / spread) if spread else 0.0

    def _reach(self, path) -> tuple[float, float]:
        """Half-widths before the span: random directions are the weights' own size (1 each);
        PCA reaches REACH × the path's farthest point on each axis (at least a tenth of the other's)."""
        if self.request.directions != "pca":
            return 1.0, 1.0
        a, b = (float(np.abs(path[:, i]).max()) for i in (0, 1))
        a, b = max(a, 0.1 * b), max(b, 0.1 * a)
        return REACH * a, REACH * b
