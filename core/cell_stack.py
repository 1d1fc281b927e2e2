"""C networks of one shape, trained as one computation: the sweep's batched trainer.

Every array has the stack in front: Wb^(l) (C, S_l, S_{l−1} + 1), one network per row of
the first axis; X_aug = [X | 1] (N, S_0 + 1) and the targets T (N, S_L) are shared. Each
step is ``core.Trainer``'s (same mini-batch order, same updates, same epoch ends), with the
forward and backward passes of core/stack_step.py (one batched matmul per product for all
C networks: a single run's numbers, bit for bit) and the optimizers of core/optimizers.py
updating the stack in place with one learning rate per network, shaped (C, 1, 1). Cells
are ordered by optimizer, so each optimizer updates one contiguous slice.

Cells of different widths may share a stack, padded: each layer is as wide as its widest
cell, the padded units' weights start at zero and a mask zeroes their gradients, so they
stay zero and the next layer never sees them (their outgoing weights are zero); every
real number is the cell's own. Only the order of floating-point sums changes: the padded
zeros make BLAS group a dot product differently (last-bit differences; tests/test_sweep.py
measures how far they grow).

A cell whose cost or weights stop being finite is *frozen*: its weights go back to the end
of its last finite epoch (as ``Trainer`` does before raising ``TrainingDiverged``), its
learning rate and optimizer state to 0, it is written back after every later update (a
guard: its updates are 0), and its history reads NaN from then on.
"""
from __future__ import annotations

import copy
import math
from itertools import groupby

import numpy as np

from .metrics import Scorer
from .network import Layer, Network, penalty
from .optimizers import make_optimizer
from .stack_step import StackBuffers, backward, forward
from .sweep_history import FIELDS, CellHistory


class _Stacked:
    """What the stacked step reads of a network, for C networks (Wb (C, S_l, S_{l−1}+1)): sizes,
    layers, loss, whether the output error is fused, the parameters to update."""

    sizes, output, fused, parameters = Network.sizes, Network.output, Network.fused, Network.parameters

    def __init__(self, n_inputs: int, layers: list[Layer], loss, dtype):
        self.n_inputs, self.layers, self.loss, self.dtype = n_inputs, layers, loss, dtype


def stack_bytes(C: int, sizes: list[int], batch_size: int | None, n_examples: int, n_test: int, fused: bool,
                padded: bool, history_budget: int = 256, itemsize: int = 8) -> int:
    """The most a ``CellStack`` of C networks of ``sizes`` [S_0, ..., S_L] holds, before it is built:
    its weights (W and b), the kept copies, the starting networks, the masks when padded, up to
    two optimizer states (Adam's), the history, and a ``StackBuffers`` for each batch length it
    will meet (the batch, the last smaller batch, all N examples for the scores, the test set)."""
    P = itemsize * C * sum(a * (b + 1) for a, b in zip(sizes[1:], sizes))
    lengths = {n_examples} | ({batch_size, n_examples % batch_size} - {0} if batch_size else set())
    buffers = sum(StackBuffers.bytes_for(C, sizes, n, fused, itemsize) for n in lengths | ({n_test} - {0}))
    history = (history_budget + 1) * (8 + len(FIELDS) * C * 8)
    return P * (5 + padded) + buffers + history


class CellStack:
    """Trains ``nets`` (starting weights, of one depth, activations and loss) with ``cells``' settings.

    ``data``: (X_aug (N, S_0 + 1), T (N, S_L), X_test_aug or None, T_test or None), shared.
    The cells' order is the stack's; ``Sweep`` orders them by optimizer.
    """

    def __init__(self, nets: list[Network], cells, data, batch_size: int | None, shuffle_seed: int,
                 history_budget: int = 256, history_per_octave: int = 32):
        first, C = nets[0], len(nets)
        self.cells, self._start = list(cells), nets
        self.members = list(range(C))                # the cells' indices in their sweep (Sweep sets them)
        self.cell_sizes = [net.sizes for net in nets]
        self.sizes = [int(s) for s in np.max(self.cell_sizes, axis=0)]
        self.padded = any(s != self.sizes for s in self.cell_sizes)
        S, dt = self.sizes, first.dtype
        layers = []
        for l, layer in enumerate(first.layers):
            Wb = np.zeros((C, S[l + 1], S[l] + 1), dtype=dt)
            layers.append(Layer(Wb[..., :-1], Wb[..., -1], layer.activation))
        self.net = _Stacked(S[0], layers, first.loss, dt)
        self._params = self.net.parameters()
        # A cell's real weights: [:S_l, :S_{l−1}] of its W and [:S_l] of its b (all of it, unpadded).
        self._W = [[layer.W[c, :s[l + 1], :s[l]] for l, layer in enumerate(layers)]
                   for c, s in enumerate(self.cell_sizes)]
        self._b = [[layer.b[c, :s[l + 1]] for l, layer in enumerate(layers)] for c, s in enumerate(self.cell_sizes)]
        self._masks = None
        if self.padded:
            self._masks = [np.zeros_like(p) for p in self._params]
            for c, s in enumerate(self.cell_sizes):
                for l, m in enumerate(self._masks):
                    m[c, :s[l + 1], :s[l]] = 1.0
                    m[c, :s[l + 1], -1] = 1.0
        self.l1, self.l2 = (_per_cell([getattr(cell, k) for cell in cells], dt) for k in ("l1", "l2"))
        self._opt_runs = []                          # (optimizer name, its cells' slice)
        for name, run in groupby(range(C), key=lambda c: cells[c].optimizer):
            run = list(run)
            self._opt_runs.append((name, slice(run[0], run[-1] + 1)))
        self._X_aug, self._T, self._X_test_aug, T_test = data
        self._score = Scorer(first, self._T)
        self._score_test = None if T_test is None else Scorer(first, T_test)
        self._bufs: dict[int, StackBuffers] = {}
        self._buf_test = None if T_test is None else StackBuffers(self.net, T_test.shape[0])
        self.batch_size, self.shuffle_seed = batch_size, shuffle_seed
        self._history_args = (C, history_budget, history_per_octave)
        self.reset()

    # ---- state ----------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the starting weights, fresh optimizers, no history."""
        for c, net in enumerate(self._start):
            for l, layer in enumerate(net.layers):
                self._W[c][l][...] = layer.W
                self._b[c][l][...] = layer.b
        self._kept = [p.copy() for p in self._params]        # the weights at the last recorded epoch
        self.eta = np.array([cell.learning_rate for cell in self.cells], dtype=self.net.dtype).reshape(-1, 1, 1)
        # (its cells' slice, their parameters (views), their optimizer)
        self._opts = [(sl, views, make_optimizer(name, views)) for name, sl in self._opt_runs
                      for views in [[p[sl] for p in self._params]]]
        self.rng = np.random.default_rng(self.shuffle_seed)
        self.epoch, self._pos, self._order, self._pending = 0, 0, None, False
        self.frozen = np.zeros(len(self.cells), dtype=bool)
        self._any_frozen = False
        self.diverged_at = np.zeros(len(self.cells), dtype=np.int64)      # 0: never diverged
        self.history = CellHistory(*self._history_args)
        self.latest = {}

    def network(self, c: int) -> Network:
        """A copy of cell ``c``'s network with its current weights, (S_l, S_{l−1}) as a single run has them."""
        net = copy.deepcopy(self._start[c])
        for layer, W, b in zip(net.layers, self._W[c], self._b[c]):
            layer.W, layer.b = W, b
        return net

    @property
    def nbytes(self) -> int:
        """Bytes of arrays this stack holds (weights, kept copies, optimizer state, buffers, masks, history)."""
        arrays = self._params + self._kept + (self._masks or [])
        arrays += [v for _, _, opt in self._opts for vs in vars(opt).values() if isinstance(vs, list) for v in vs]
        total = sum(a.nbytes for a in arrays) + self.history.nbytes
        for buf in list(self._bufs.values()) + ([self._buf_test] if self._buf_test else []):
            total += buf.nbytes
        return total

    # ---- training -------------------------------------------------------------------------
    def run_epochs(self, n: int) -> None:
        for _ in range(n):
            while not self.step():
                pass
        self.flush()

    def step(self) -> bool:
        """One mini-batch update of every cell; True when it completed an epoch (as ``Trainer.step``)."""
        N = self._X_aug.shape[0]
        if self.batch_size is None:                  # full batch, data in its own order
            Xa, Tb = self._X_aug, self._T
        else:
            if self._pos == 0:
                self._order = self.rng.permutation(N)
            idx = self._order[self._pos:self._pos + self.batch_size]
            Xa, Tb = self._X_aug[idx], self._T[idx]
        buf = self._buffers(Xa.shape[0])
        a = forward(self.net, buf, Xa)
        if self._pending:                            # full batch: scores of the previous epoch
            self._pending = False
            self._record(a)
        grads = backward(self.net, buf, Xa, Tb, self.l1, self.l2)      # (B1)–(B4), all cells at once
        if self._masks is not None:                  # padded units get no gradient: they stay 0
            for g, m in zip(grads, self._masks):
                g *= m
        for sl, params, opt in self._opts:
            opt.step(params, [g[sl] for g in grads], self.eta[sl])
        if self._any_frozen:
            for p, kept in zip(self._params, self._kept):
                p[self.frozen] = kept[self.frozen]
        self._pos += Xa.shape[0]
        if self._pos < N:
            return False
        self._pos = 0
        self.epoch += 1
        if self.batch_size is None:
            self._pending = True
        else:
            self._record(forward(self.net, self._buffers(N), self._X_aug))
        return True

    def flush(self) -> None:
        """Record a full-batch epoch whose scores are still pending."""
        if self._pending:
            self._pending = False
            self._record(forward(self.net, self._buffers(self._X_aug.shape[0]), self._X_aug))

    def _freeze(self, gone: np.ndarray) -> None:
        for p, kept in zip(self._params, self._kept):
            p[gone] = kept[gone]
        self.frozen |= gone
        self._any_frozen = True
        self.diverged_at[gone] = self.epoch
        self.eta[gone] = 0.0
        for sl, _, opt in self._opts:                # running averages may hold inf: every state array
            for state in vars(opt).values():         # (lists shaped like the parameters) to 0
                if isinstance(state, list):
                    for arr in state:
                        arr[gone[sl]] = 0.0

    def _buffers(self, n: int) -> StackBuffers:
        buf = self._bufs.get(n)
        if buf is None:
            buf = self._bufs[n] = StackBuffers(self.net, n)
        return buf

    def _record(self, a: np.ndarray) -> None:
        cost, score = self._score.cells(a)
        if isinstance(self.l1, np.ndarray) or isinstance(self.l2, np.ndarray):
            for c, cell in enumerate(self.cells):     # each cell's own weights, as Network.penalty sums them
                cost[c] += penalty(self._W[c], cell.l1, cell.l2)
        # A weight can be inf while the cost stays finite (tanh(±inf) = ±1): check both, per cell
        # only when something is not finite (one sum per layer says whether all of it is).
        if not math.isfinite(float(cost.sum()) + sum(float(p.sum()) for p in self._params)):
            finite = np.isfinite(cost)
            for p in self._params:
                finite &= np.isfinite(p.sum(axis=(1, 2)))
            gone = ~finite & ~self.frozen
            if gone.any():                           # back to the last finite epoch, and stay there
                self._freeze(gone)
        for kept, p in zip(self._kept, self._params):
            np.copyto(kept, p)
        test_cost = test_score = None
        if self._score_test is not None:
            test_cost, test_score = self._score_test.cells(
                forward(self.net, self._buf_test, self._X_test_aug))
        if self._any_frozen:
            for v in (cost, score, test_cost, test_score):
                if v is not None:
                    v[self.frozen] = np.nan
        self.history.record(self.epoch, cost, score, test_cost, test_score)
        self.latest = {"cost": cost, "score": score, "test_cost": test_cost, "test_score": test_score}


def _per_cell(rates, dtype):
    """Penalty rates as Network.backward takes them: 0.0 when none is used, else (C, 1, 1)."""
    return np.array(rates, dtype=dtype).reshape(-1, 1, 1) if any(rates) else 0.0
