"""A student's own data from a CSV file, checked before it can reach the engine.

The file needs a header with the columns x1, x2 and either ``label`` (classification:
whole-number classes) or ``target`` (regression: any number), in any order. It is
parsed with the stdlib ``csv`` module only; nothing in it is ever evaluated.
``load_csv`` returns ``X`` (N, 2) float64 and ``y`` (N,): int64 labels remapped to
0..K-1 in sorted order of the original labels (so -1/+1 becomes 0/1), or float64
targets. Every problem raises a ValueError that names the row (as numbered in the
file, the header being row 1) and the column at fault.
"""
import csv
import io
import math
import os

import numpy as np

from .datasets import MAX_SAMPLES

MAX_BYTES = 1_000_000
MAX_CLASSES = 10
MAX_ABS = 1e6  # larger coordinates would overflow x1² and friends; rescale the data
DELIMITERS = ",;\t"


def _read_text(source, max_bytes):
    """The decoded text of a path, bytes, str or file-like object, at most max_bytes long."""
    if isinstance(source, os.PathLike):
        with open(source, "rb") as f:
            data = f.read(max_bytes + 1)
    elif isinstance(source, (bytes, bytearray, memoryview, str)):
        data = source
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
    else:
        raise ValueError(f"cannot read a CSV from a {type(source).__name__}; "
                         "give a file, bytes or text")
    if isinstance(data, str):
        data = data.encode("utf-8")
    data = bytes(data)
    if len(data) > max_bytes:
        raise ValueError(f"the file is larger than {max_bytes:,} bytes; "
                         "make it smaller (fewer rows) and upload it again")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"the file is not plain text in UTF-8 (bad byte at position "
                         f"{e.start}); save it as CSV UTF-8 and try again") from None


def _columns(header):
    """Map x1, x2 and label/target to their positions; explain any header problem."""
    names = [h.strip().lower() for h in header]
    wanted = "the header must be exactly: x1, x2, label (or x1, x2, target for regression)"
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
    extra = [n for n in names if n not in ("x1", "x2", y_col)]
    problems = []
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected column(s): {', '.join(extra)}")
    if problems:
        raise ValueError(f"{'; '.join(problems)} — {wanted}")
    return [names.index(c) for c in ("x1", "x2", y_col)], y_col


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
    """Parse and check every cell: (N, 3) array of x1, x2, label/target, and that name."""
    first = text.lstrip().split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=max(DELIMITERS, key=first.count))
    header, values = None, []
    try:
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue  # blank line
            if header is None:
                header = fields
                cols, y_col = _columns(header)
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
    except csv.Error as e:
        raise ValueError(f"row {reader.line_num}: the file could not be read as CSV "
                         f"({e})") from None
    if header is None:
        raise ValueError("the file is empty; it needs a header x1, x2, label and data rows")
    if not values:
        raise ValueError("the file has a header but no data rows")
    return np.array(values, dtype=float), y_col


def load_csv(source, max_rows=MAX_SAMPLES, max_bytes=MAX_BYTES, max_classes=MAX_CLASSES):
    """Read and check a CSV of points; return X (N, 2), y (N,) and the problem type.

    ``source``: a path (``os.PathLike``), bytes, the text itself (str) or a file-like
    object (e.g. a Streamlit upload). ``problem`` is "classification" for a ``label``
    column, "regression" for a ``target`` column. Raises ValueError on any problem.
    """
    data, y_col = _table(_read_text(source, max_bytes), max_rows)
    X, y = data[:, :2], data[:, 2]
    if y_col == "target":
        return X, y, "regression"
    classes, y = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(f"every row has label {classes[0]:g}; a classifier needs at "
                         "least two different labels")
    if len(classes) > max_classes:
        raise ValueError(f"the label column has {len(classes)} different classes; at "
                         f"most {max_classes} are supported")
    return X, y.astype(np.int64).reshape(-1), "classification"
