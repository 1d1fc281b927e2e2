"""The Compare grid's setup message: everything the browser draws the grid with, once.

Sent when the grid's socket opens and whenever the grid is rebuilt or reset (``GridSession``);
binary frames (``channel.grid_wire``) then carry only what changes. Fields, besides the
status fields (epoch, running, speed, message, notice, ended):

    kind "grid"; end_epoch; problem, n_classes, metric ("accuracy" | "r2"), has_test
    shape     {"cols": [names], "rows": [names], "seeds": k, "axes": [{"key", "label", "values": [texts]}]}
    cells     one per network, row by row, column by column, seed by seed: {"name", "row", "col",
              "seed", "data" (its data's index), "sizes": [S_0, ..., S_L], "activations",
              "weights" (base64 f32, the live wire's layout), "history": {"epoch": [...],
              "cost": [...], "score": [...]}, "link" (its setup as a query string: the Live view)}
    data      per data set the cells use: {"features", "mean", "scale", "grid": {"x": [min, max, G],
              "y": [...]}, "points": base64 f32 (x1, x2) pairs, "labels": base64 u8}
    colors    the theme's (``setup_message.colors``); paint {"surface_strength"}
    styles    per shown cell {"color", "dash"}; figure: the overlay's static part
    badges    the badge names, by code, and badge_colors; rule {badge: how it is decided} (grid_badges.RULE)
    labels    {"metric": "accuracy" | "R²", "score": what the captions' number is (training
              accuracy when there is no test set, and it says so)}
    view      {"big"} (presentation mode; the room the page leaves is the component's ``height``)
"""
from __future__ import annotations

import base64
from urllib.parse import urlencode

import numpy as np

from explorer.choices.grid_axes import AXES
from explorer.choices.grid_spec import cell_link
from explorer.figures.boundary import SURFACE_STRENGTH
from explorer.figures.curves import METRIC_LABELS
from explorer.figures.grid_overlay import BADGE_COLORS, line_styles, overlay_figure
from explorer.live.setup_message import colors
from explorer.training.grid_badges import BADGES, DIVERGED, RULE
from explorer.training.grid_run import GridRun

THUMB_GRID = 48          # thumbnail resolution: 48 × 48 points of the plane per cell


def _b64(a: np.ndarray, dtype) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype).tobytes()).decode("ascii")


def _finite_list(a: np.ndarray) -> list:
    return [None if not np.isfinite(v) else float(v) for v in a]


def score_label(run: GridRun) -> str:
    name = METRIC_LABELS[run.metric]
    return f"test {name}" if run.has_test else f"training {name} (no test set)"


def grid_setup(run: GridRun, view) -> dict:
    """The setup message's grid parts (see the module docstring); call under ``run.lock``."""
    shape = run.shape
    datas, data_index = [], {}
    for d in run.bundles:
        if id(d) in data_index:
            continue
        data_index[id(d)] = len(datas)
        pipe = d.pipeline
        datas.append({"features": list(d.feature_ids),
                      "mean": None if pipe.mean is None else [float(v) for v in pipe.mean],
                      "scale": None if pipe.scale is None else [float(v) for v in pipe.scale],
                      "grid": {"x": [float(d.xs[0]), float(d.xs[-1]), THUMB_GRID],
                               "y": [float(d.ys[0]), float(d.ys[-1]), THUMB_GRID]},
                      "points": _b64(d.X_train, "<f4"), "labels": _b64(np.clip(d.y_train, 0, 255), np.uint8)
                      if d.problem == "classification" else None})
    cells = []
    for i, (cell, d) in enumerate(zip(run.cells, run.bundles)):
        epochs, cost = run.curves(i, "cost")
        _, score = run.curves(i, "test_score" if run.has_test else "score")
        stack_layers = run.core_cells[i].layers
        cells.append({"name": cell.name, "place": cell.place, "row": cell.row, "col": cell.col, "seed": cell.seed,
                      "data": data_index[id(d)], "sizes": run.sizes[i],
                      "activations": [act for _, act in stack_layers],
                      "weights": _b64(run.weights(i), "<f4"),
                      "history": {"epoch": [int(e) for e in epochs], "cost": _finite_list(cost),
                                  "score": _finite_list(score)},
                      "link": "?" + urlencode(cell_link(cell))})
    first = run.bundles[0]
    return {
        "kind": "grid", "end_epoch": run.end_epoch, "problem": first.problem, "n_classes": first.n_classes,
        "metric": run.metric, "has_test": run.has_test,
        "shape": {"cols": list(shape.col_names), "rows": list(shape.row_names), "seeds": shape.seeds,
                  "axes": [{"key": k, "label": AXES[k].label, "values": list(names)}
                           for (k, _), names in zip(shape.axes, (shape.col_names, shape.row_names))]},
        "cells": cells, "data": datas, "colors": colors(),
        "paint": {"surface_strength": SURFACE_STRENGTH[bool(view.get("big"))]},
        "styles": line_styles(len(shape.col_names), len(shape.row_names)),
        "figure": overlay_figure(METRIC_LABELS[run.metric], bool(view.get("big")), bool(view.get("log_loss"))),
        "badges": list(BADGES), "diverged": DIVERGED, "badge_colors": BADGE_COLORS, "rule": RULE,
        "labels": {"metric": METRIC_LABELS[run.metric], "score": score_label(run)},
        "view": view,
    }
