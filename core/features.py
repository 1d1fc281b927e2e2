"""Input features, standardisation and the train/test split.

Examples are rows: ``X`` is ``(N, 2)`` raw points (x1, x2); ``feature_matrix`` turns it
into ``(N, F)``, one column per chosen feature, in the order chosen. These are the
inputs TensorFlow Playground offers: x1, x2, x1², x2², x1·x2, sin x1, sin x2.
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Feature:
    """One input column: ``fn`` maps x1, x2 (each (N,)) to the column (N,)."""

    id: str
    label: str
    fn: Callable


FEATURES = {f.id: f for f in [
    Feature("x1", "x1", lambda x1, x2: x1),
    Feature("x2", "x2", lambda x1, x2: x2),
    Feature("x1sq", "x1²", lambda x1, x2: x1 ** 2),
    Feature("x2sq", "x2²", lambda x1, x2: x2 ** 2),
    Feature("x1x2", "x1·x2", lambda x1, x2: x1 * x2),
    Feature("sinx1", "sin x1", lambda x1, x2: np.sin(x1)),
    Feature("sinx2", "sin x2", lambda x1, x2: np.sin(x2)),
]}
DEFAULT_FEATURES = ("x1", "x2")


def check_feature_ids(feature_ids):
    """Return the ids as a list, or raise ValueError naming the bad one and the valid ones."""
    if isinstance(feature_ids, str):
        feature_ids = [feature_ids]
    ids = list(feature_ids)
    if not ids:
        raise ValueError("choose at least one input feature; valid ones: "
                         f"{', '.join(FEATURES)}")
    for f in ids:
        if f not in FEATURES:
            raise ValueError(f"unknown feature {f!r}; valid ones: {', '.join(FEATURES)}")
    dup = sorted({f for f in ids if ids.count(f) > 1})
    if dup:
        raise ValueError(f"feature {dup[0]!r} is chosen more than once; choose each at most once")
    return ids


def feature_matrix(X, feature_ids=DEFAULT_FEATURES):
    """Columns of the chosen features: X (N, 2) -> (N, F), F = len(feature_ids)."""
    ids = check_feature_ids(feature_ids)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2), got {X.shape}")
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([FEATURES[f].fn(x1, x2) for f in ids]).reshape(len(X), len(ids))


class Standardizer:
    """Per-column (x - mean) / std, with mean and std learnt from the training set only.

    A constant column (std 0) is only centred: its std is taken as 1.
    """

    def __init__(self):
        self.mean = None  # (F,)
        self.std = None   # (F,)

    def fit(self, X):
        """Learn mean and std of X (N, F); N must be >= 1. Returns self."""
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or len(X) == 0:
            raise ValueError(f"fit needs a non-empty (N, F) array, got shape {X.shape}")
        self.mean = X.mean(axis=0)
        std = X.std(axis=0)
        self.std = np.where(std > 0, std, 1.0)
        return self

    def transform(self, X):
        """(X - mean) / std for X (M, F); M may be 0."""
        if self.mean is None:
            raise ValueError("the Standardizer is not fitted yet; call fit(X_train) first")
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != len(self.mean):
            raise ValueError(f"expected shape (M, {len(self.mean)}), got {X.shape}")
        return (X - self.mean) / self.std

    def fit_transform(self, X):
        """fit(X) then transform(X)."""
        return self.fit(X).transform(X)


def _n_test(n, ratio):
    """round(n * ratio), half up, leaving at least one example for training."""
    return min(int(np.floor(n * ratio + 0.5)), max(n - 1, 0))


def train_test_split(X, y, test_ratio=0.5, seed=0, stratify=True):
    """Shuffle and split into train and test sets.

    X (N, d), y (N,) -> X_train (N - M, d), X_test (M, d), y_train, y_test, with
    M ≈ test_ratio * N. ``test_ratio`` 0 gives an empty test set of shape (0, d).
    With ``stratify`` (classification) each class is split in the same ratio, and
    keeps at least one training example; y must then hold integer labels.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"X must be (N, d) and y (N,), got {X.shape} and {y.shape}")
    if isinstance(test_ratio, bool) or not isinstance(test_ratio, (int, float, np.number)) \
            or not 0 <= test_ratio < 1:
        raise ValueError(f"test_ratio must be in [0, 1), got {test_ratio!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    rng = np.random.default_rng(seed)
    if stratify:
        if not np.issubdtype(y.dtype, np.integer):
            raise ValueError("a stratified split needs integer class labels; "
                             "use stratify=False for regression targets")
        test = []
        for c in np.unique(y):
            idx = rng.permutation(np.flatnonzero(y == c))
            test.append(idx[:_n_test(len(idx), test_ratio)])
        test = np.concatenate(test)
    else:
        test = rng.permutation(len(y))[:_n_test(len(y), test_ratio)]
    is_test = np.zeros(len(y), dtype=bool)
    is_test[test] = True
    train = rng.permutation(np.flatnonzero(~is_test))
    test = rng.permutation(np.flatnonzero(is_test))
    return X[train], X[test], y[train], y[test]
