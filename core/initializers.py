"""Weight initialisers, keyed by the name the UI shows.

Each entry is called as ``INITIALIZERS[name](fan_out, fan_in, rng)`` and returns W of
shape (S_l, S_{l-1}); biases always start at zero. Each also owns its menu ``label``
and ``tex`` (the distribution), and ``np_fn``: the same draw as a numpy expression of
``n_out``, ``n_in`` and ``rng`` for the exported script.

``stream`` builds the generator a network's weights seed starts, and every layer draws
from it in turn, W^(1) first: ``np.random.default_rng(seed)`` for all entries but ``ng``,
which uses numpy's legacy ``np.random.RandomState(seed)`` (a generator of its own, not the
global one), the stream behind ``np.random.seed`` and ``np.random.randn``. Ng's planar
notebook runs ``np.random.seed(2)`` and then draws ``W1 = randn(n_h, n_x) * 0.01``,
``W2 = randn(n_y, n_h) * 0.01`` with zero biases: ``ng`` with weights seed 2 (the explorer's
default) gives his weights exactly, for every hidden size; another seed gives another
draw of the same kind, in the same order.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Initializer:
    name: str
    fn: Callable[[int, int, np.random.Generator | np.random.RandomState], np.ndarray]
    label: str
    tex: str
    np_fn: str
    stream: Callable[[int], object] = np.random.default_rng      # weights seed -> generator
    np_stream: str = "np.random.default_rng(seed)"               # the same, as numpy text

    def __call__(self, n_out: int, n_in: int, rng) -> np.ndarray:
        """W (n_out, n_in), drawn from ``rng`` (what ``stream`` built)."""
        return self.fn(n_out, n_in, rng)


INITIALIZERS: dict[str, Initializer] = {i.name: i for i in [
    Initializer("xavier", lambda n_out, n_in, rng: rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / (n_in + n_out)),
                "Glorot/Xavier normal, std √(2/(fan_in+fan_out))",
                r"W \sim \mathcal{N}\big(0, \tfrac{2}{S_{l-1}+S_l}\big)",
                "rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / (n_in + n_out))"),
    Initializer("he", lambda n_out, n_in, rng: rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in),
                "He normal, std √(2/fan_in)", r"W \sim \mathcal{N}\big(0, \tfrac{2}{S_{l-1}}\big)",
                "rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)"),
    Initializer("small_gaussian", lambda n_out, n_in, rng: rng.standard_normal((n_out, n_in)) * 0.01,
                "Gaussian × 0.01 (Ng's course)", r"W = 0.01\,\mathcal{N}(0, 1)",
                "rng.standard_normal((n_out, n_in)) * 0.01"),
    Initializer("ng", lambda n_out, n_in, rng: rng.randn(n_out, n_in) * 0.01,
                "Gaussian × 0.01, Ng's own draws (seed 2 = his notebook)",
                r"W = 0.01\,\mathcal{N}(0, 1)\ \text{(np.random.seed)}",
                "rng.randn(n_out, n_in) * 0.01", np.random.RandomState, "np.random.RandomState(seed)"),
    Initializer("uniform", lambda n_out, n_in, rng: rng.uniform(-0.5, 0.5, size=(n_out, n_in)),
                "Uniform(−0.5, 0.5) (TF Playground)", r"W \sim \mathcal{U}(-0.5, 0.5)",
                "rng.uniform(-0.5, 0.5, size=(n_out, n_in))"),
    Initializer("large_gaussian", lambda n_out, n_in, rng: rng.standard_normal((n_out, n_in)) * 3.0,
                "Gaussian × 3 (too large: exploding gradients)", r"W = 3\,\mathcal{N}(0, 1)",
                "rng.standard_normal((n_out, n_in)) * 3.0"),
    # (draws nothing: every unit of a layer starts as every other, the symmetry a random start breaks)
    Initializer("zero", lambda n_out, n_in, rng: np.zeros((n_out, n_in)),
                "Zeros (every unit alike: nothing breaks the symmetry)", r"W = 0", "np.zeros((n_out, n_in))"),
]}
