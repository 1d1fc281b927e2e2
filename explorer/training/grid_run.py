"""A Compare grid being trained: its cells' data, their sweeps, and what the views read.

Lives in one learner's ``st.session_state`` (as ``Run`` does); the live channel's scheduler
trains it through ``train_steps`` under ``lock``. Each cell (``explorer.choices.grid_spec``)
becomes a ``core.grid.Cell`` with exactly the network and trainer its Live view would build
(``Run``): the same data (the page's cached bundle), output layer, starting weights and
shuffling seed (its weights seed), so its numbers are that run's (to ~1e-15 where cells of
different widths share a padded stack: core/sweep.py). Cells that share their data and (when
training in mini-batches) their shuffling seed train as one ``core.sweep.Sweep``.

Training goes stack by stack, one update at a time, the lowest epoch first, so a slice can
end anywhere and every stack stays within one epoch of the others; ``epoch`` is the lowest.
Examples are rows, as in core. Memory: ``nbytes`` (the sweeps' arrays); a grid that could
hold more than ``MAX_GRID_BYTES`` (``core.sweep.sweep_bytes``, an upper bound found from the
shapes) is refused before its arrays are allocated.
"""
from __future__ import annotations

import threading
import time

import numpy as np

from core.grid import Cell
from core.sweep import Sweep, sweep_bytes
from explorer.choices.grid_spec import GridCell, GridShape
from explorer.training.grid_badges import badges

# A paced grid (speed k: k epochs of every cell per frame) trains at most this much CPU time per
# second, refilled evenly (one live "max" slice, 4 ms, per frame at 20 frames a second): when its k epochs
# cost more, it falls behind its pace rather than take more than a learner at max gets.
PACED_SHARE = 0.08
PACED_BURST_S = 0.004
PACED_CALL = 1 << 20             # a call for fewer epochs than this is a paced one ("max" asks for 2**30)
MAX_GRID_BYTES = 32 * 2**20      # one grid's arrays, at most (a 7 × 3 grid of Ng's widths: 4.3 MB)


class GridRun:
    """The networks of one grid (``cells``, row by row, seed by seed), trained together.

    ``data_for(DataConfig) -> DataBundle`` builds (or fetches the cached) data of a setup.
    Raises ValueError with a sentence when a cell's setup cannot be built, or the grid could
    hold more than ``MAX_GRID_BYTES`` or ``limit`` (what the server's other grids leave).
    """

    def __init__(self, shape: GridShape, cells: list[GridCell], data_for, end_epoch: int,
                 limit: int = MAX_GRID_BYTES):
        self.shape, self.cells, self.end_epoch = shape, list(cells), int(end_epoch)
        self.lock = threading.RLock()
        self.version = 0
        self.trainer = self                  # what the scheduler compares to see a rebuilt run
        self.trainable = True
        bundles, self.core_cells, sizes, by_data = [], [], [], {}
        for cell in self.cells:
            d = by_data.get(cell.cfg.data)              # one bundle per data set (a cache may hand out copies)
            if d is None:
                d = by_data[cell.cfg.data] = data_for(cell.cfg.data)
            units, out, loss = cell.cfg.resolve_output(d.problem, d.n_classes)
            t, n = cell.cfg.train, cell.cfg.net
            core_cell = Cell(tuple(tuple(layer) for layer in n.hidden) + ((units, out),), loss, t.learning_rate,
                             optimizer=t.optimizer, init=n.init, seed=n.seed, batch_size=t.batch_size, l1=t.l1, l2=t.l2)
            bundles.append(d)
            self.core_cells.append(core_cell)
            sizes.append([len(d.feature_ids)] + [w for w, _ in core_cell.layers])
        # One sweep per (data, shuffling seed when in mini-batches): cells listed by their index.
        groups: dict = {}
        for i, (cell, cc) in enumerate(zip(self.cells, self.core_cells)):
            key = (cell.cfg.data, cell.cfg.net.seed if cc.batch_size is not None else None)
            groups.setdefault(key, []).append(i)
        self.sweeps, self.stacks, self._where = [], [], [None] * len(self.cells)
        self._cells_of: dict[int, np.ndarray] = {}       # id(stack) -> the grid's indices of its cells
        need = sum(sweep_bytes([self.core_cells[i] for i in members], bundles[members[0]].F_train.shape[1],
                               len(bundles[members[0]].y_train), len(bundles[members[0]].y_test))
                   for members in groups.values())
        if need > min(limit, MAX_GRID_BYTES):
            room = (f"a grid may hold {MAX_GRID_BYTES / 2**20:.0f} MB" if limit >= MAX_GRID_BYTES else
                    f"the server's other grids leave room for {max(0, limit) / 2**20:.0f} MB now")
            raise ValueError(f"this grid would hold up to {need / 2**20:.1f} MB ({need / len(self.cells) / 1e3:.0f} kB "
                             f"per network); {room}: use fewer cells or seeds, fewer units or fewer points")
        self.bundles, self.sizes = bundles, sizes
        for (_, shuffle), members in groups.items():
            d = bundles[members[0]]
            test = len(d.y_test) > 0
            sweep = Sweep([self.core_cells[i] for i in members], d.F_train, d.y_train,
                          X_test=d.F_test if test else None, y_test=d.y_test if test else None,
                          shuffle_seed=shuffle if shuffle is not None else self.cells[members[0]].cfg.net.seed)
            self.sweeps.append(sweep)
            for stack in sweep.stacks:
                here = self._cells_of[id(stack)] = np.array([members[m] for m in stack.members])
                for c, i in enumerate(here):
                    self._where[i] = (stack, c)
                self.stacks.append(stack)
        self.has_test = any(len(d.y_test) for d in bundles)
        self.metric = "accuracy" if bundles[0].problem == "classification" else "r2"
        self.reset()

    # ---- state -----------------------------------------------------------------------------
    def reset(self) -> None:
        """Every cell back to its starting weights; no history; paused at epoch 0."""
        with self.lock:
            for sweep in self.sweeps:
                sweep.reset()
            C = len(self.cells)
            self.best = np.full(C, np.nan)              # best test score (training score without a test set)
            self.best_epoch = np.zeros(C, dtype=np.int64)
            self._seen = {id(s): 0 for s in self.stacks}
            self.epoch = 0
            self.behind = 0                              # paced ticks the share cut short (they fell behind)
            self._budget, self._budget_t = PACED_BURST_S, time.perf_counter()
            self.message: str | None = None
            self.version += 1

    @property
    def ended(self) -> bool:
        return self.epoch >= self.end_epoch

    # ---- training (the scheduler holds ``lock``) ---------------------------------------------
    def train_steps(self, n: int, deadline: float) -> int:
        """Train on until every cell has ``n`` more epochs (at most to ``end_epoch``) or
        ``deadline`` (perf_counter) passes; returns the whole grid epochs completed. A paced call
        (``n`` < PACED_CALL) trains within ``PACED_SHARE``; when that is spent it trains nothing and
        returns ``n``: the tick is over and the grid falls behind its pace (``behind`` counts them)."""
        t0, cpu0 = time.perf_counter(), time.thread_time()
        paced = n < PACED_CALL
        if paced:
            self._budget = min(PACED_BURST_S, self._budget + (t0 - self._budget_t) * PACED_SHARE)
            self._budget_t = t0
            if self._budget <= 0:
                self.behind += 1
                self.version += 1                       # the frame of this tick still goes out
                return n
            deadline = min(deadline, t0 + self._budget)
        done = self._train(n, deadline)
        if paced:                                       # charged in CPU time: a busy machine's waits are not the grid's
            self._budget -= time.thread_time() - cpu0
        return done

    def _train(self, n: int, deadline: float) -> int:
        before = self.epoch
        target = min(before + n, self.end_epoch)
        stacks = self.stacks
        while True:
            low = min(stacks, key=lambda s: s.epoch)
            if low.epoch >= target:
                break
            low.step()
            self._note(low)
            if time.perf_counter() >= deadline:
                break
        for s in stacks:
            s.flush()
            self._note(s)
        self.epoch = min(s.epoch for s in stacks)
        if self.ended and self.message is None:
            self.message = (f"The grid reached its {self.end_epoch:,} epochs: the table below compares the cells. "
                            "Reset replays it; raise Epochs to train on.")
        if self.epoch != before or any(s.epoch != before for s in stacks):
            self.version += 1
        return self.epoch - before

    def train_until(self, epoch: int, deadline: float) -> int:
        """Train (unpaced) until every cell reached ``epoch`` or ``deadline`` (perf_counter) passes:
        a Step epoch in the scheduler's slices. Returns the whole grid epochs completed."""
        return self._train(max(0, epoch - self.epoch), deadline)

    def step_epoch(self) -> None:
        """Every cell one more epoch (not past ``end_epoch``)."""
        self.train(1)

    def train(self, epochs: int) -> int:
        """``epochs`` more epochs of every cell at once (not past ``end_epoch``): scripts, tests and
        Step; the scheduler trains in slices (``train_steps``)."""
        done = self._train(epochs, float("inf"))
        self.version += 1
        return done

    def train_for(self, budget_s: float) -> int:
        return self._train(1 << 30, time.perf_counter() + budget_s)

    def extend(self, end_epoch: int) -> None:
        """Train on to ``end_epoch`` (Epochs raised after the end)."""
        self.end_epoch = int(end_epoch)
        if not self.ended:
            self.message = None
        self.version += 1

    def _note(self, stack) -> None:
        """A stack recorded a new epoch: each of its cells' best score so far (every epoch counts)."""
        h = stack.history
        if not len(h) or h.epochs[-1] == self._seen[id(stack)]:
            return
        e = int(h.epochs[-1])
        self._seen[id(stack)] = e
        score = h.get("test_score" if self.has_test else "score")[-1]
        idx = self._cells_of[id(stack)]
        old = self.best[idx]
        better = score > old
        better |= np.isnan(old) & ~np.isnan(score)
        if better.any():
            self.best[idx[better]] = score[better]
            self.best_epoch[idx[better]] = e

    # ---- what the views read -----------------------------------------------------------------
    def cell_epochs(self) -> np.ndarray:
        out = np.empty(len(self.cells), dtype=np.int64)
        for i, (s, _) in enumerate(self._where):
            out[i] = s.epoch
        return out

    def latest(self, field: str) -> np.ndarray:
        """(C,) the latest recorded ``field`` (core.sweep_history.FIELDS) of every cell (NaN: none)."""
        out = np.full(len(self.cells), np.nan)
        for i, (s, c) in enumerate(self._where):
            v = s.latest.get(field)
            if v is not None:
                out[i] = v[c]
        return out

    def diverged_at(self) -> np.ndarray:
        return np.array([s.diverged_at[c] for s, c in self._where])

    def badges(self) -> np.ndarray:
        """(C,) badge codes (explorer.training.grid_badges), from each stack's curve."""
        out = np.zeros(len(self.cells), dtype=np.uint8)
        for s in self.stacks:
            h = s.history
            out[self._cells_of[id(s)]] = badges(h.epochs, h.get("cost"), s.diverged_at > 0)
        return out

    def weights(self, i: int) -> np.ndarray:
        """Cell i's weights flat, float64: each layer's Wb = [W | b] (S_l, S_{l−1} + 1), row-major,
        layer 1 first (the live wire's layout), cut out of its (possibly padded) stack."""
        stack, c = self._where[i]
        s = stack.cell_sizes[c]
        parts = []
        for l, layer in enumerate(stack.net.layers):
            Wb = layer.Wb[c]
            parts.append(np.concatenate([Wb[:s[l + 1], :s[l]], Wb[:s[l + 1], -1:]], axis=1).ravel())
        return np.concatenate(parts)

    def curves(self, i: int, field: str = "cost") -> tuple[np.ndarray, np.ndarray]:
        """Cell i's kept history of ``field``: (epochs (E,), values (E,))."""
        stack, c = self._where[i]
        return stack.history.epochs.copy(), stack.history.get(field)[:, c].copy()

    def network(self, i: int):
        stack, c = self._where[i]
        return stack.network(c)

    @property
    def nbytes(self) -> int:
        return sum(s.nbytes for s in self.sweeps)
