"""Weight initialisers, keyed by the name the UI shows.

Each takes (fan_out, fan_in, rng) and returns W of shape (S_l, S_{l-1});
biases always start at zero.
"""
from __future__ import annotations

import numpy as np


def _small_gaussian(n_out, n_in, rng):
    return rng.standard_normal((n_out, n_in)) * 0.01          # Ng's course


def _xavier(n_out, n_in, rng):
    return rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / (n_in + n_out))


def _he(n_out, n_in, rng):
    return rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)


def _large_gaussian(n_out, n_in, rng):
    return rng.standard_normal((n_out, n_in)) * 3.0           # deliberately too large: exploding signals


def _uniform(n_out, n_in, rng):
    return rng.uniform(-0.5, 0.5, size=(n_out, n_in))          # TF Playground


INITIALIZERS = {
    "xavier": _xavier,
    "he": _he,
    "small_gaussian": _small_gaussian,
    "uniform": _uniform,
    "large_gaussian": _large_gaussian,
}

INITIALIZER_TITLES = {
    "xavier": "Glorot/Xavier normal, std √(2/(fan_in+fan_out))",
    "he": "He normal, std √(2/fan_in)",
    "small_gaussian": "Gaussian × 0.01 (Ng's course)",
    "uniform": "Uniform(−0.5, 0.5) (TF Playground)",
    "large_gaussian": "Gaussian × 3 (too large: exploding gradients)",
}
