"""The Compare grid's table: one row per shown cell, its settings beside its metrics.

Metrics (over its k seeds: the median, and the range beside it): the final and the best
score (test accuracy, or training accuracy when the grid has no test set: the column names
say which), the epoch of the best (every epoch counts, not only the kept ones), the
train − test gap at the end (with a test set), the final training loss and the badge.
Plain values (rows of dicts) for the page's table and its CSV.
"""
from __future__ import annotations

import numpy as np

from explorer.choices.grid_axes import AXES
from explorer.figures.curves import METRIC_LABELS
from explorer.training.grid_badges import BADGES
from explorer.training.grid_run import GridRun


def _pct(v: float, metric: str) -> float:
    return round(100 * float(v), 2) if metric == "accuracy" else round(float(v), 4)


def _range(values: np.ndarray, metric: str) -> str:
    ok = values[np.isfinite(values)]
    return "" if not len(ok) else f"{_pct(ok.min(), metric):g}–{_pct(ok.max(), metric):g}"


def metric_names(run: GridRun) -> dict[str, str]:
    name = METRIC_LABELS[run.metric] + (" %" if run.metric == "accuracy" else "")
    which = "test" if run.has_test else "train (no test set)"
    return {"final": f"final {which} {name}", "best": f"best {which} {name}", "epoch": "epoch of best",
            "gap": f"train − test gap {name}", "loss": "final train loss", "badge": "badge"}


def grid_rows(run: GridRun) -> list[dict]:
    """One dict per shown cell (row by row), settings first; see the module docstring."""
    shape, names, metric = run.shape, metric_names(run), run.metric
    k = shape.seeds
    score = run.latest("test_score" if run.has_test else "score")
    train, loss, badge = run.latest("score"), run.latest("cost"), run.badges()
    rows = []
    for start in range(0, len(run.cells), k):
        idx = np.arange(start, start + k)
        cell = run.cells[start]
        row = {}
        for (key, _), labels, at in zip(shape.axes, (shape.col_names, shape.row_names), (cell.col, cell.row)):
            row[AXES[key].label] = labels[at]
        if k > 1:
            row["seeds"] = k
        with np.errstate(invalid="ignore"):
            row[names["final"]] = _pct(np.nanmedian(score[idx]), metric) if np.isfinite(score[idx]).any() else None
            if k > 1:
                row[names["final"] + " range"] = _range(score[idx], metric)
            row[names["best"]] = _pct(np.nanmedian(run.best[idx]), metric) if np.isfinite(run.best[idx]).any() else None
            if k > 1:
                row[names["best"] + " range"] = _range(run.best[idx], metric)
            row[names["epoch"]] = int(np.median(run.best_epoch[idx]))
            if run.has_test:
                gap = train[idx] - score[idx]
                row[names["gap"]] = _pct(np.nanmedian(gap), metric) if np.isfinite(gap).any() else None
            row[names["loss"]] = round(float(np.nanmedian(loss[idx])), 5) if np.isfinite(loss[idx]).any() else None
        codes = [BADGES[b] for b in badge[idx]]
        row[names["badge"]] = codes[0] if len(set(codes)) == 1 else ", ".join(f"{codes.count(c)} {c}"
                                                                            for c in BADGES if c in codes)
        row["epoch"] = int(run.cell_epochs()[start])
        rows.append(row)
    return rows
