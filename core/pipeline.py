"""The input side of a network: raw points (x1, x2) to what its first layer sees.

Examples are rows: raw points are (M, 2); the network's inputs are (M, F), one
column per chosen feature (``core.features.FEATURES``), optionally standardised with
the mean and scale fitted on the training points only. A trained network is applied
to new raw points as ``net.predict_proba(pipeline.transform(X_raw))``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .features import Standardizer, check_feature_ids, feature_matrix


@dataclass(frozen=True, eq=False)
class InputPipeline:
    """Features, then (optionally) (F − mean) / scale.

    features: feature ids in column order; mean, scale: (F,) arrays, or both None
    when the inputs are not standardised.
    """

    features: tuple[str, ...]
    mean: np.ndarray | None = None
    scale: np.ndarray | None = None

    def __post_init__(self):
        object.__setattr__(self, "features", tuple(check_feature_ids(self.features)))
        if (self.mean is None) != (self.scale is None):
            raise ValueError("give both mean and scale, or neither")
        if self.mean is not None:
            F = len(self.features)
            mean, scale = (np.asarray(v, dtype=float).reshape(-1) for v in (self.mean, self.scale))
            if mean.shape != (F,) or scale.shape != (F,):
                raise ValueError(f"mean and scale need one entry per feature ({F}), "
                                 f"got {mean.shape[0]} and {scale.shape[0]}")
            if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(scale)) and np.all(scale > 0)):
                raise ValueError("mean must be finite and scale finite and > 0")
            object.__setattr__(self, "mean", mean)
            object.__setattr__(self, "scale", scale)

    @classmethod
    def fit(cls, X_raw_train, features, standardize: bool = False) -> "InputPipeline":
        """Fit on raw training points (N, 2); the standardiser sees these points only."""
        features = tuple(check_feature_ids(features))
        if not standardize:
            return cls(features)
        sc = Standardizer().fit(feature_matrix(X_raw_train, features))
        return cls(features, sc.mean, sc.std)

    @property
    def n_inputs(self) -> int:
        """F, the width of the network's input layer."""
        return len(self.features)

    @property
    def standardized(self) -> bool:
        return self.mean is not None

    def transform(self, X_raw) -> np.ndarray:
        """Raw points (M, 2) -> network inputs (M, F)."""
        F = feature_matrix(X_raw, self.features)
        if self.mean is not None:
            F = (F - self.mean) / self.scale
        return F

    def __eq__(self, other) -> bool:
        if not isinstance(other, InputPipeline) or self.features != other.features:
            return False
        if self.mean is None or other.mean is None:
            return self.mean is None and other.mean is None
        return bool(np.array_equal(self.mean, other.mean) and np.array_equal(self.scale, other.scale))

    __hash__ = None
