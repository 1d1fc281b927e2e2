"""Turning what a user passes as y into the target matrix T the loss compares with.

Examples are rows: T has shape (N, S_L). Accepted forms:

* integer class labels (N,) for a classification output (one whose activation has a
  ``classifier`` kind: sigmoid or softmax):
  0/1 for one sigmoid unit, 0..K−1 for K output units (one-hot encoded);
* an (N, S_L) array, used as it is;
* real targets (N,) or (N, 1) for a one-unit regression output.
"""
from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS, Activation

# The activations whose outputs are class probabilities, in registry order.
CLASSIFIERS = tuple(name for name, act in ACTIVATIONS.items() if act.classifier)


def as_targets(y, n_outputs: int, output: Activation, dtype=np.float64) -> np.ndarray:
    """Validate ``y`` against the output layer (``n_outputs`` units of ``output``) and return
    T of shape (N, n_outputs)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == n_outputs:
        T = y.astype(dtype, copy=False)
    elif y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1):
        y = y.reshape(-1)
        if n_outputs == 1:
            T = y.astype(dtype).reshape(-1, 1)
        else:
            T = one_hot(y, n_outputs, dtype)
    else:
        raise ValueError(
            f"targets of shape {y.shape} do not fit an output layer of {n_outputs} unit(s); "
            f"pass labels of shape (N,) or an array of shape (N, {n_outputs})")
    if not np.all(np.isfinite(T)):
        raise ValueError("the targets contain NaN or infinite values")
    # Checked for (N,) labels and (N, S_L) arrays alike: an (N, 1) column of 0/1/2 is as wrong.
    if output.classifier == "binary" and np.any((T < 0) | (T > 1)):
        bad = T[(T < 0) | (T > 1)][0]
        raise ValueError(
            f"a {output.name} output predicts values between 0 and 1, but a target is {bad:g}; "
            "use labels 0 and 1, or a softmax output with one unit per class")
    return T


def one_hot(labels: np.ndarray, K: int, dtype=np.float64) -> np.ndarray:
    """Integer labels (N,) in 0..K−1 -> one-hot rows (N, K)."""
    if labels.size and not np.all(np.equal(np.mod(labels, 1), 0)):
        raise ValueError(f"an output of {K} units needs integer class labels 0..{K - 1}")
    lab = labels.astype(np.int64)
    if lab.size and (lab.min() < 0 or lab.max() >= K):
        n_classes = int(lab.max()) + 1
        raise ValueError(
            f"the labels name {n_classes} classes (0..{n_classes - 1}) but the output layer has "
            f"{K} units; give the output layer {n_classes} units")
    T = np.zeros((lab.size, K), dtype=dtype)
    T[np.arange(lab.size), lab] = 1.0
    return T
