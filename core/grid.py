"""A grid of networks to compare: one cell's setup, and how large a grid may be.

A ``Cell`` holds everything that makes one run: its network (layers, loss, initialiser
and weights seed) and its training (optimizer, learning rate, batch size, penalties).
The cells of a grid share the data and the shuffling seed; ``core.sweep.Sweep`` trains
them together and ``Cell.network`` + ``Cell.trainer`` are the same run on its own.

Limits: a grid has at most ``MAX_AXIS_VALUES`` values on each of its (at most two) axes
and repeats each cell over at most ``MAX_SEEDS`` starting seeds, so a sweep trains at most
``MAX_CELLS`` = 7 × 7 × 5 = 245 networks. Larger requests are refused with a ValueError
that says what to shrink.
"""
from __future__ import annotations

from dataclasses import dataclass

from .network import Network
from .optimizers import make_optimizer
from .training import Trainer, check_batch_size, check_learning_rate, check_penalty

MAX_AXES = 2
MAX_AXIS_VALUES = 7
MAX_SEEDS = 5
MAX_CELLS = MAX_AXIS_VALUES ** MAX_AXES * MAX_SEEDS


@dataclass(frozen=True)
class Cell:
    """One cell's setup. ``layers``: ((S_1, activation), ..., (S_L, output activation)), as
    ``Network`` takes them; ``seed`` is the weights seed (the shuffling seed is the grid's)."""

    layers: tuple
    loss: str
    learning_rate: float
    optimizer: str = "sgd"
    init: str = "xavier"
    seed: int = 0
    batch_size: int | None = None
    l1: float = 0.0
    l2: float = 0.0

    def __post_init__(self):
        # Hashable layers (the sweep groups cells by shape); the network checks them when built.
        object.__setattr__(self, "layers", tuple(tuple(layer) for layer in self.layers))
        object.__setattr__(self, "learning_rate", check_learning_rate(self.learning_rate))
        object.__setattr__(self, "l1", check_penalty("L1", self.l1))
        object.__setattr__(self, "l2", check_penalty("L2", self.l2))
        check_batch_size(self.batch_size, 1)
        make_optimizer(self.optimizer, [])          # an unknown name lists the valid ones

    def network(self, n_inputs: int) -> Network:
        """The cell's network with its starting weights (the weights seed's draw)."""
        return Network(n_inputs, list(self.layers), self.loss, seed=self.seed, init=self.init)

    def trainer(self, net: Network, X, y, *, shuffle_seed: int = 0, X_test=None, y_test=None,
                history=None) -> Trainer:
        """The cell's run on its own: ``net`` (X (N, S_0), y) trained with the cell's settings."""
        return Trainer(net, X, y, optimizer=self.optimizer, learning_rate=self.learning_rate,
                       batch_size=self.batch_size, l1=self.l1, l2=self.l2, seed=shuffle_seed,
                       X_test=X_test, y_test=y_test, history=history)


def check_grid(axis_lengths, seeds: int = 1) -> int:
    """The number of networks of a grid with these axes (values per axis) and seeds per cell;
    a ValueError names what is over its limit."""
    axis_lengths = list(axis_lengths)
    if len(axis_lengths) > MAX_AXES:
        raise ValueError(f"a grid has at most {MAX_AXES} axes, got {len(axis_lengths)}")
    for i, n in enumerate(axis_lengths):
        if not 1 <= n <= MAX_AXIS_VALUES:
            raise ValueError(f"axis {i + 1} of the grid has {n} values; give it 1 to {MAX_AXIS_VALUES}")
    if not 1 <= seeds <= MAX_SEEDS:
        raise ValueError(f"each cell repeats over 1 to {MAX_SEEDS} seeds, got {seeds}")
    n = seeds
    for k in axis_lengths:
        n *= k
    return n


def check_cells(n: int) -> None:
    """Refuse a sweep of more than MAX_CELLS networks (or none)."""
    if not 1 <= n <= MAX_CELLS:
        raise ValueError(f"a sweep trains 1 to {MAX_CELLS} networks ({MAX_AXIS_VALUES} × {MAX_AXIS_VALUES} "
                         f"cells × {MAX_SEEDS} seeds), got {n}; remove values from an axis or seeds")
