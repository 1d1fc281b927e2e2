"""Points the learner draws on the decision boundary: edits, limits and the link form.

Examples are rows: X is (N, 2) raw points (x1, x2), y (N,) int labels 0..K−1 or float
targets. Every drawn coordinate (and regression target) is rounded to 1/1000 so that
the compact link form (``encode``/``decode``) gives back exactly the same points.
Edits return new ``OwnPoints`` values (they are compared by content), and refuse bad
input with a sentence: a point outside the plane, a class beyond ``MAX_CLASSES``, more
than ``MAX_POINTS`` points.
"""
from __future__ import annotations

import base64
import hashlib
import math
from dataclasses import dataclass, field

import numpy as np

from core.user_data import MAX_CLASSES

MAX_POINTS = 2000        # drawn or edited: larger sets go through a CSV
MAX_LINK_POINTS = 200    # a link carries at most this many (about 1.4 kB of text)


@dataclass(frozen=True, eq=False)
class OwnPoints:
    """A learner's own points (uploaded or drawn), compared by content.

    X (N, 2) raw points; y (N,) int labels 0..K−1 or float targets; is_test (N,) bool
    or None (then the data config's test share splits them).
    """

    X: np.ndarray
    y: np.ndarray
    problem: str
    is_test: np.ndarray | None = None
    extent: float | None = None     # drawn points keep the plane they were drawn on: [−extent, extent]²
    digest: str = field(default="", repr=False)

    @classmethod
    def of(cls, X, y, problem: str, is_test=None, extent: float | None = None) -> "OwnPoints":
        X, y = np.asarray(X, dtype=float).reshape(-1, 2), np.asarray(y)
        is_test = None if is_test is None else np.asarray(is_test, dtype=bool)
        extent = None if extent is None else float(extent)
        h = hashlib.sha256(f"{problem} {extent}".encode())
        for a in (X, y, is_test):
            if a is not None:
                h.update(np.ascontiguousarray(a).tobytes())
        return cls(X, y, problem, is_test, extent, h.hexdigest())

    @property
    def n_classes(self) -> int | None:
        return int(self.y.max()) + 1 if self.problem == "classification" and len(self.y) else None

    def __eq__(self, other) -> bool:
        return isinstance(other, OwnPoints) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)
SCALE = 1000             # coordinates and targets are kept to 1/1000
_LIMIT = 32.767          # int16 / SCALE: the link form's range
_VERSION = 1


def quantize(v: float) -> float:
    return round(float(v) * SCALE) / SCALE


def add(points: OwnPoints, x1: float, x2: float, value, extent: float) -> OwnPoints:
    """``points`` plus one point at (x1, x2) of class ``value`` (or target, for regression).

    The plane shown is [−extent, extent]²; a point outside it is refused.
    """
    if not all(math.isfinite(v) for v in (x1, x2)) or max(abs(x1), abs(x2)) > min(extent, _LIMIT):
        raise ValueError(f"({x1:.3g}, {x2:.3g}) lies outside the plane shown "
                         f"([−{extent:g}, {extent:g}] on both axes); click inside it")
    if len(points.y) >= MAX_POINTS:
        raise ValueError(f"there are already {MAX_POINTS} points, the most that can be drawn; "
                         "remove some, or upload a CSV")
    if points.problem == "classification":
        label = int(value) if float(value).is_integer() else -1
        top = min(max(points.n_classes or 0, 2), MAX_CLASSES - 1)      # an existing class, or the next one
        if not 0 <= label <= top:
            raise ValueError(f"a class is a whole number from 0 to {top} (the next new class), got {value!r}")
        y_new = np.append(points.y.astype(np.int64), np.int64(label))
    else:
        target = float(value)
        if not math.isfinite(target) or abs(target) > _LIMIT:
            raise ValueError(f"a target must be a number within ±{_LIMIT:g}, got {value!r}")
        y_new = np.append(points.y.astype(float), quantize(target))
    X_new = np.vstack([points.X, [[quantize(x1), quantize(x2)]]])
    plane = points.extent if points.extent is not None else quantize(extent)   # the plane stays put
    return OwnPoints.of(X_new, y_new, points.problem, extent=plane)


def remove_nearest(points: OwnPoints, x1: float, x2: float) -> OwnPoints:
    """``points`` without the point nearest to (x1, x2) (unchanged when there are none)."""
    if not len(points.y):
        return points
    i = int(np.argmin(np.sum((points.X - [x1, x2]) ** 2, axis=1)))
    keep = np.arange(len(points.y)) != i
    return OwnPoints.of(points.X[keep], points.y[keep], points.problem, extent=points.extent)


def start_from(X, y, problem: str, extent: float | None = None) -> OwnPoints:
    """Editable points from a dataset's (X, y), rounded as drawn points are, on the plane
    [−extent, extent]² (None: the plane follows the points)."""
    X = np.round(np.asarray(X, dtype=float) * SCALE) / SCALE
    y = np.asarray(y)
    y = y.astype(np.int64) if problem == "classification" else np.round(y.astype(float) * SCALE) / SCALE
    if len(y) > MAX_POINTS:
        raise ValueError(f"this dataset has {len(y)} points; at most {MAX_POINTS} can be edited")
    return OwnPoints.of(X, y, problem, extent=None if extent is None else quantize(extent))


def encode(points: OwnPoints | None) -> str | None:
    """The link form: base64url of a 4-byte header (version, kind, the plane's half-width as
    uint16 ×1000, 0 for none), int16 x1, x2 (×1000) and a uint8 class or int16 target.

    None when there are no points or more than ``MAX_LINK_POINTS`` (or some lie beyond
    the link's ±32.767 range): such sets travel as a CSV.
    """
    if points is None or not 0 < len(points.y) <= MAX_LINK_POINTS or np.abs(points.X).max() > _LIMIT:
        return None
    classify = points.problem == "classification"
    plane = 0 if points.extent is None else int(round(min(points.extent, _LIMIT) * SCALE))
    head = np.array([_VERSION, 0 if classify else 1], dtype=np.uint8).tobytes() + np.array([plane], "<u2").tobytes()
    xy = np.round(points.X * SCALE).astype("<i2").tobytes()
    if classify:
        labels = points.y.astype(np.uint8).tobytes()
    else:
        if np.abs(points.y).max() > _LIMIT:
            return None
        labels = np.round(points.y.astype(float) * SCALE).astype("<i2").tobytes()
    return base64.urlsafe_b64encode(head + xy + labels).decode().rstrip("=")


def decode(text: str) -> OwnPoints:
    """Points from their link form; ValueError (a sentence) for anything malformed."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise ValueError("must be points in the link's compact form (base64url)") from None
    if len(raw) < 4 or raw[0] != _VERSION or raw[1] not in (0, 1):
        raise ValueError(f"must be points in the link's compact form, version {_VERSION}")
    classify = raw[1] == 0
    plane = int(np.frombuffer(raw[2:4], "<u2")[0]) / SCALE or None
    per = 4 + (1 if classify else 2)
    body = raw[4:]
    n = len(body) // per
    if len(body) != n * per or not 0 < n <= MAX_LINK_POINTS:
        raise ValueError(f"must hold 1 to {MAX_LINK_POINTS} whole points")
    X = np.frombuffer(body[:4 * n], dtype="<i2").reshape(n, 2).astype(float) / SCALE
    if classify:
        y = np.frombuffer(body[4 * n:], dtype=np.uint8).astype(np.int64)
        if y.max() >= MAX_CLASSES:
            raise ValueError(f"must name classes 0 to {MAX_CLASSES - 1}")
        # Labels as drawn may skip a number (0 and 2): renumber as an uploaded CSV is.
        y = np.unique(y, return_inverse=True)[1].astype(np.int64)
        return OwnPoints.of(X, y, "classification", extent=plane)
    y = np.frombuffer(body[4 * n:], dtype="<i2").astype(float) / SCALE
    return OwnPoints.of(X, y, "regression", extent=plane)
