"""A student's own data from a CSV file, checked before it can reach the engine.

The file needs a header with the columns x1, x2 and either ``label`` (classification:
whole-number classes) or ``target`` (regression: any number), in any order, and may
have a ``split`` column (``train`` or ``test`` on every row). It is parsed with the
stdlib ``csv`` module only; nothing in it is ever evaluated. ``load_csv`` returns
``X`` (N, 2) float64 and ``y`` (N,): int64 labels remapped to 0..K-1 in sorted order
of the original labels (so -1/+1 becomes 0/1), or float64 targets; ``read_points``
returns the same and the split. Every problem raises a ValueError that names the row
(as numbered in the file, the header being row 1) and the column at fault.

``to_csv`` writes the other way: train rows, then test rows, every number with
``repr`` (the shortest text that reads back as the same float), so a file written by
``to_csv`` goes back in through ``read_points`` unchanged, split included.
"""
import csv
import io
import math
from typing import NamedTuple

import numpy as np

from .datasets import MAX_SAMPLES, PROBLEMS
from .text_input import read_text

MAX_BYTES = 1_000_000
MAX_CLASSES = 10
MAX_ABS = 1e6  # larger coordinates would overflow x1² and friends; rescale the data
DELIMITERS = ",;\t"
Y_COLUMNS = {"classification": "label", "regression": "target"}   # problem -> its y column
SPLITS = ("train", "test")   # values of the optional split column; a test row has is_test True
assert set(Y_COLUMNS) == set(PROBLEMS)


class Points(NamedTuple):
    """A checked CSV: X (N, 2) float64, y (N,), the problem, and is_test (N,) bool or None.

    ``is_test`` is None when the file has no split column (the caller splits the data).
    """

    X: np.ndarray
    y: np.ndarray
    problem: str
    is_test: np.ndarray | None


def _read_text(source, max_bytes):
    """The decoded text of a path, bytes, str or file-like object, at most max_bytes long."""
    return read_text(source, max_bytes, "a CSV", "; make it smaller (fewer rows) and upload it again",
                     ("plain text in UTF-8", "save it as CSV UTF-8 and try again"))


def _columns(header):
    """Positions of x1, x2, label/target and split (None if absent); explain any header problem."""
    names = [h.strip().lower() for h in header]
    wanted = ("the header must be exactly: x1, x2, label (or x1, x2, target for regression), "
              "optionally followed by split")
    for i, name in enumerate(names):
        if not name:
            raise ValueError(f"column {i + 1} of the header has no name; {wanted}")
        if names.count(name) > 1:
            raise ValueError(f"column {name!r} appears more than once in the header; {wanted}")
    if "label" in names and "target" in names:
        raise ValueError("the header has both 'label' and 'target'; keep 'label' for "
                         "classes or 'target' for regression, not both")
    y_col = "target" if "target" in names else "label"
    missing = [c for c in ("x1", "x2") if c not in names]
    if y_col not in names:
        missing.append("label (or target)")
    extra = [n for n in names if n not in ("x1", "x2", y_col, "split")]
    problems = []
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected column(s): {', '.join(extra)}")
    if problems:
        raise ValueError(f"{'; '.join(problems)} — {wanted}")
    split = names.index("split") if "split" in names else None
    return [names.index(c) for c in ("x1", "x2", y_col)], y_col, split


def _split(text, row):
    """True for a test row, False for a train row (any case, spaces ignored)."""
    value = text.strip().lower()
    if value not in SPLITS:
        shown = "the value is empty" if not value else f"{text.strip()!r} is not a split"
        raise ValueError(f"row {row}, column split: {shown}; write {' or '.join(SPLITS)}")
    return value == "test"


def _number(text, row, col):
    """float(text), or a ValueError naming the row and column."""
    text = text.strip()
    if not text:
        raise ValueError(f"row {row}, column {col}: the value is empty")
    try:
        if "_" in text:  # float() would accept '1_000'; a spreadsheet would not
            raise ValueError
        value = float(text)
    except ValueError:
        raise ValueError(f"row {row}, column {col}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"row {row}, column {col}: {text!r} is not a finite number")
    if abs(value) > MAX_ABS:
        raise ValueError(f"row {row}, column {col}: {text} is too large; keep values "
                         f"within ±{MAX_ABS:g} (rescale the data)")
    if col == "label" and not value.is_integer():
        raise ValueError(f"row {row}, column label: {text} is not a whole number; "
                         "labels name classes (0, 1, 2, ...) — for numbers to predict, "
                         "name the column 'target'")
    return value


def _table(text, max_rows):
    """Parse and check every cell: (N, 3) array of x1, x2, label/target, that name, and
    is_test (N,) bool, or None without a split column."""
    first = text.lstrip().split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=max(DELIMITERS, key=first.count))
    header, values, is_test = None, [], []
    try:
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue  # blank line
            if header is None:
                header = fields
                cols, y_col, split_col = _columns(header)
                continue
            row = reader.line_num
            if len(fields) != len(header):
                raise ValueError(f"row {row} has {len(fields)} values but the header has "
                                 f"{len(header)} columns")
            if len(values) == max_rows:
                raise ValueError(f"the file has more than {max_rows:,} data rows; "
                                 f"keep at most {max_rows:,}")
            values.append([_number(fields[c], row, name)
                           for c, name in zip(cols, ("x1", "x2", y_col))])
            if split_col is not None:
                is_test.append(_split(fields[split_col], row))
    except csv.Error as e:
        raise ValueError(f"row {reader.line_num}: the file could not be read as CSV "
                         f"({e})") from None
    if header is None:
        raise ValueError("the file is empty; it needs a header x1, x2, label and data rows")
    if not values:
        raise ValueError("the file has a header but no data rows")
    if split_col is not None and all(is_test):
        raise ValueError("the split column marks every row test; mark at least one row train "
                         "(the network learns from the train rows)")
    return np.array(values, dtype=float), y_col, (np.array(is_test) if split_col is not None else None)


def read_points(source, max_rows=MAX_SAMPLES, max_bytes=MAX_BYTES,
                max_classes=MAX_CLASSES) -> Points:
    """Read and check a CSV of points; return ``Points(X, y, problem, is_test)``.

    ``source``: a path (``os.PathLike``), bytes, the text itself (str) or a file-like
    object (e.g. a Streamlit upload). ``problem`` is "classification" for a ``label``
    column, "regression" for a ``target`` column. ``is_test`` (N,) bool marks the rows
    whose ``split`` is ``test``; it is None when the file has no split column. Rows keep
    the file's order. Raises ValueError on any problem.
    """
    data, y_col, is_test = _table(_read_text(source, max_bytes), max_rows)
    X, y = data[:, :2], data[:, 2]
    if y_col == Y_COLUMNS["regression"]:
        return Points(X, y, "regression", is_test)
    classes, y = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(f"every row has label {classes[0]:g}; a classifier needs at "
                         "least two different labels")
    if len(classes) > max_classes:
        raise ValueError(f"the label column has {len(classes)} different classes; at "
                         f"most {max_classes} are supported")
    return Points(X, y.astype(np.int64).reshape(-1), "classification", is_test)


def load_csv(source, max_rows=MAX_SAMPLES, max_bytes=MAX_BYTES, max_classes=MAX_CLASSES):
    """Read and check a CSV of points; return X (N, 2), y (N,) and the problem type.

    The same checks as ``read_points``; a split column is checked and then ignored.
    """
    X, y, problem, _ = read_points(source, max_rows, max_bytes, max_classes)
    return X, y, problem


def to_csv(X_train, y_train, X_test, y_test, problem) -> str:
    """The points as CSV text: header ``x1,x2,label,split`` (``target`` for regression).

    X_train (N, 2), y_train (N,), X_test (M, 2), y_test (M,); M may be 0. Train rows come
    first, then test rows. Labels are written as whole numbers, coordinates and targets
    with ``repr`` so that ``read_points`` gives back the very same floats (and labels
    0..K-1 with every class present come back as they went out; the reader renumbers
    labels in sorted order). Raises ValueError for values the reader would refuse
    (non-finite, beyond ±MAX_ABS, labels that are not whole numbers).
    """
    if problem not in Y_COLUMNS:
        raise ValueError(f"unknown problem {problem!r}; choose one of {', '.join(Y_COLUMNS)}")
    y_col = Y_COLUMNS[problem]
    lines = [f"x1,x2,{y_col},split"]
    for split, X, y in zip(SPLITS, (X_train, X_test), (y_train, y_test)):
        X, y = np.asarray(X, dtype=float), np.asarray(y).reshape(-1)
        if X.size == 0:
            X = X.reshape(0, 2)     # an empty test set may come as (0,), (0, 2) or []
        if X.ndim != 2 or X.shape[1] != 2 or y.shape != (len(X),):
            raise ValueError(f"X_{split} must be (N, 2) and y_{split} (N,), got {X.shape} and {y.shape}")
        values = np.concatenate([X.ravel(), y.astype(float)])
        if not np.all(np.isfinite(values)):
            raise ValueError(f"the {split} points contain NaN or infinite values; they cannot be written")
        if np.any(np.abs(values) > MAX_ABS):
            raise ValueError(f"the {split} points hold values beyond ±{MAX_ABS:g}, which the reader "
                             "refuses; rescale the data")
        if problem == "classification":
            if y.size and not np.all(np.mod(y.astype(float), 1) == 0):
                raise ValueError(f"y_{split} holds labels that are not whole numbers; "
                                 "write regression data with problem='regression'")
            ys = [str(int(v)) for v in y]
        else:
            ys = [repr(float(v)) for v in y]
        lines += [f"{float(a)!r},{float(b)!r},{t},{split}" for (a, b), t in zip(X.tolist(), ys)]
    return "\n".join(lines) + "\n"
