"""Train a grid of networks together: ``Sweep(cells, X, y).step(epochs)``.

Examples are rows: X (N, S_0), y (N,) labels or (N, S_L) targets, shared by every cell
(as is X_test, y_test, and the shuffling seed that orders the mini-batches). Each cell
(``core.grid.Cell``) is one run; cell i's numbers are those of
``cells[i].trainer(cells[i].network(S_0), X, y, shuffle_seed=...)``, the same run alone.

Cells whose weights have the same shapes (they differ in learning rate, weights seed,
initialiser, optimizer, penalties) train as one stack (core/cell_stack.py): arrays of
shape (cells, ...), one batched matmul per layer and pass for all of them, bit for bit a
single run's numbers. Cells that differ only in width share a stack padded to the widest
where that pays (core/stack_plan.py: Ng's widths 1–5 together, 20 and 50 alone); padding
changes the order of some floating-point sums, so those cells equal their single runs to
about 1e-15 rather than bit for bit (tests/test_sweep.py says how far that holds);
``pad=False`` keeps every cell bit for bit. Depth, activations, loss and batch size always
split stacks.

History: per cell, the cost and score (accuracy, or R² for regression) of every epoch up
to 64, then 32 per doubling (``core.sweep_history``), and the latest epoch's.
"""
from __future__ import annotations

import numpy as np

from .cell_stack import CellStack, stack_bytes
from .fast_step import augment
from .grid import check_cells
from .optimizers import OPTIMIZERS
from .stack_plan import plan
from .sweep_history import FIELDS
from .training import check_batch_size, check_data


def _stacks(nets, batch: list, n_examples: int, pad) -> list[list[int]]:
    """Cell indices per stack: cells share a stack when their depth, activations, loss and batch
    size agree (and, padded, where ``stack_plan`` says it pays)."""
    keys = [(tuple(layer.activation.name for layer in net.layers), net.loss.name, b) for net, b in zip(nets, batch)]
    return plan(keys, [net.sizes for net in nets], n_examples, pad)


def sweep_bytes(cells, n_inputs: int, n_examples: int, n_test: int = 0, pad="auto", history_budget: int = 256) -> int:
    """The most a ``Sweep`` of ``cells`` on N = ``n_examples`` training (and ``n_test`` test) examples
    of ``n_inputs`` features holds (its stacks and its copy of the data: X_aug and T, for training
    and test), found before it is built (only each cell's starting network is drawn): a caller
    refuses a sweep too large before allocating it."""
    nets = [cell.network(n_inputs) for cell in cells]
    batch = [check_batch_size(cell.batch_size, n_examples) for cell in cells]
    itemsize = np.dtype(nets[0].dtype).itemsize
    total = itemsize * (n_examples + n_test) * (n_inputs + 1 + nets[0].sizes[-1])
    for members in _stacks(nets, batch, n_examples, pad):
        sizes = [int(v) for v in np.max([nets[i].sizes for i in members], axis=0)]
        padded = any(list(nets[i].sizes) != sizes for i in members)
        total += stack_bytes(len(members), sizes, batch[members[0]], n_examples, n_test, nets[members[0]].fused,
                             padded, history_budget, itemsize)
    return total


class Sweep:
    """Cells trained in step on one data set; see the module docstring.

    ``cells``: a list of ``core.grid.Cell``. ``pad``: let cells of different widths share a
    stack: "auto" where it pays, True always, False never (see above). ``history_budget``
    rows of history are kept per cell, every epoch up to 2 × ``history_per_octave`` and then
    ``history_per_octave`` per doubling (fewer when full).
    """

    def __init__(self, cells, X, y, *, X_test=None, y_test=None, shuffle_seed: int = 0, pad="auto",
                 history_budget: int = 256, history_per_octave: int = 32):
        self.cells = list(cells)
        check_cells(len(self.cells))
        if np.ndim(X) != 2:
            raise ValueError(f"X must have shape (N, S_0), one row per example; got shape {np.shape(X)}")
        nets = [cell.network(np.shape(X)[1]) for cell in self.cells]     # checks each setup, draws its weights
        out = nets[0].layers[-1]
        for i, net in enumerate(nets):
            if (net.layers[-1].size, net.layers[-1].activation) != (out.size, out.activation):
                raise ValueError(f"cell {i + 1}'s output layer differs from cell 1's; the cells of a sweep share "
                                 f"their data, so they need the same output layer")
        X, T, X_test, T_test = check_data(nets[0], X, y, X_test, y_test)
        self.n_examples, self.shuffle_seed = X.shape[0], shuffle_seed
        data = self._data = (augment(X), T, None if X_test is None else augment(X_test), T_test)
        batch = [check_batch_size(cell.batch_size, self.n_examples) for cell in self.cells]
        self.stacks: list[CellStack] = []
        self._where = [None] * len(self.cells)       # cell i -> (stack, its index there)
        opt_order = list(OPTIMIZERS)
        for members in _stacks(nets, batch, self.n_examples, pad):
            members.sort(key=lambda i: opt_order.index(self.cells[i].optimizer))   # one slice per optimizer
            stack = CellStack([nets[i] for i in members], [self.cells[i] for i in members], data,
                              batch[members[0]], shuffle_seed, history_budget, history_per_octave)
            stack.members = members                  # its cells' indices in ``self.cells``
            for c, i in enumerate(members):
                self._where[i] = (stack, c)
            self.stacks.append(stack)

    # ---- the verbs ------------------------------------------------------------------------
    def step(self, epochs: int = 1) -> None:
        """Train every cell ``epochs`` more epochs."""
        if not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"epochs must be a whole number ≥ 0, got {epochs!r}")
        for stack in self.stacks:
            stack.run_epochs(epochs)

    def reset(self) -> None:
        """Every cell back to its starting weights, with fresh optimizers and no history."""
        for stack in self.stacks:
            stack.reset()

    # ---- what it shows --------------------------------------------------------------------
    @property
    def epoch(self) -> int:
        return self.stacks[0].epoch

    def latest(self, field: str = "cost") -> np.ndarray:
        """(C,) the latest epoch's ``field`` per cell (one of FIELDS; NaN for a diverged cell)."""
        if field not in FIELDS:
            raise ValueError(f"unknown field {field!r}; choose one of {', '.join(FIELDS)}")
        out = np.full(len(self.cells), np.nan)
        for k, (stack, c) in enumerate(self._where):
            if stack.latest.get(field) is not None:
                out[k] = stack.latest[field][c]
        return out

    @property
    def costs(self) -> np.ndarray:
        """(C,) each cell's cost J after the latest epoch (with its penalties)."""
        return self.latest("cost")

    @property
    def diverged_at(self) -> np.ndarray:
        """(C,) the epoch in which each cell diverged, 0 for none (a diverged cell stops there)."""
        return np.array([stack.diverged_at[c] for stack, c in self._where])

    def curves(self, field: str = "cost") -> tuple[np.ndarray, np.ndarray]:
        """(epochs (E,), values (E, C)): the kept history of ``field`` for every cell."""
        epochs = self.stacks[0].history.epochs.copy()
        values = np.empty((len(epochs), len(self.cells)))
        for k, (stack, c) in enumerate(self._where):
            values[:, k] = stack.history.get(field)[:, c]
        return epochs, values

    def network(self, i: int):
        """Cell ``i``'s network (a ``core.Network`` copy) with its current weights."""
        stack, c = self._where[i]
        return stack.network(c)

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays the sweep holds (the data, shared, counted once)."""
        shared = sum(a.nbytes for a in self._data if a is not None)
        return shared + sum(stack.nbytes for stack in self.stacks)
