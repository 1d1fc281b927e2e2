"""A class's results as CSV: one row per student, for the teacher (``class_controls``).

Every text cell is made safe to open in a spreadsheet (CSV injection, OWASP): a cell that
begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read as a formula,
so it gets a leading apostrophe. Numbers are written by Python from floats and ints, so
they never carry a formula and stay numbers. Nicknames are as students typed them (checked
by ``nicknames.read``): the CSV module quotes commas, quotes and newlines.
"""
from __future__ import annotations

import csv
import io
import math

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("rank", "nickname", "setup", "epoch", "training_score", "test_score", "loss", "weights",
           "goal_reached", "running")


def safe_cell(value) -> str | int | float:
    """A cell as the CSV writes it: text that could start a formula gets a leading apostrophe."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return "" if isinstance(value, float) and not math.isfinite(value) else value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def results_csv(rows: list[dict]) -> str:
    """``rows``: dicts with the ``COLUMNS`` keys (missing ones are empty), in leaderboard order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(row.get(k)) for k in COLUMNS])
    return out.getvalue()
