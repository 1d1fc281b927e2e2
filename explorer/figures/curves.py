"""Training curves over epochs: loss and accuracy, and per-layer gradient magnitudes.

Inputs are the engine's ``History`` lists (one entry per epoch); long runs are
thinned to a few hundred points so a frame stays small.
"""
from __future__ import annotations

import numpy as np

from .encode import thin, typed
from .theme import BLUE, LAYER_COLORS, ORANGE, base_layout


def _line(x, y, name, color, yaxis="y", dash=None, width=2.5):
    line = {"color": color, "width": width}
    if dash:
        line["dash"] = dash
    return {"type": "scatter", "mode": "lines", "name": name, "x": typed(x), "y": typed(y),
            "line": line, "yaxis": yaxis, "hovertemplate": f"{name}<br>epoch %{{x}}: %{{y:.4g}}<extra></extra>"}


def _at(series: list, idx: np.ndarray) -> np.ndarray:
    """series[idx] without converting the whole (long, growing) list first."""
    return np.array([series[i] for i in idx], dtype=float)


def _epochs(history, idx: np.ndarray) -> np.ndarray:
    """The epoch of each kept entry: a bounded live history says which (``epochs``);
    a full one holds every epoch from 1."""
    kept = getattr(history, "epochs", None)
    return np.asarray(kept, dtype=float)[idx] if kept is not None else idx + 1.0


def loss_figure(history, log_y: bool = False, big: bool = False, height: int | None = None) -> dict:
    """Train/test cost (top) and accuracy or R² (bottom) against the epoch (thicker lines when ``big``)."""
    w = 4.0 if big else 2.5
    n = len(history.cost)
    idx = thin(n)
    epochs = _epochs(history, idx)
    metric = "accuracy" if history.metric == "accuracy" else "R²"
    data = []
    if n:
        data.append(_line(epochs, _at(history.cost, idx), "train loss", BLUE, width=w))
        data.append(_line(epochs, _at(history.accuracy, idx), f"train {metric}", BLUE, "y2", width=w))
        if history.test_cost:
            data.append(_line(epochs, _at(history.test_cost, idx), "test loss", ORANGE, dash="dot", width=w))
            data.append(_line(epochs, _at(history.test_accuracy, idx), f"test {metric}", ORANGE, "y2", "dot", w))
    layout = base_layout(f"Loss and {metric}", big, height)
    layout.update(
        showlegend=True, legend={"orientation": "h", "y": -0.12, "x": 0},
        xaxis={"anchor": "y2", "rangemode": "tozero"},
        # A linear loss axis starts at 0 (a loss is never negative): a loss stuck at 0.6931
        # (vanishing gradients) then reads as flat, not as noise in the 8th digit.
        yaxis={"domain": [0.42, 1.0], "type": "log" if log_y else "linear", "title": {"text": "loss"},
               **(_log_ticks(big) if log_y else {"rangemode": "tozero"})},
        yaxis2={"domain": [0.0, 0.32], "title": {"text": metric},
                "range": [0, 1.02] if metric == "accuracy" else None, "autorange": metric != "accuracy"},
    )
    layout["margin"]["b"] = 70
    return {"data": data, "layout": layout}


GRADIENT_LABELS = {"grad_norm": "‖∂J/∂W‖", "delta_mean": "mean |δ|"}


def gradient_lines(history, big: bool = False, key: str = "grad_norm") -> list[dict]:
    """One log-scale line per layer of ``key`` ("grad_norm" or "delta_mean") over epochs."""
    rows = getattr(history, key)                                     # epochs × L
    if not rows:
        return []
    idx = thin(len(rows))
    epochs = _epochs(history, idx)
    series = np.maximum(_at(rows, idx), 1e-30)                       # (len(idx), L)
    return [_line(epochs, series[:, l], f"layer {l + 1}", LAYER_COLORS[l % len(LAYER_COLORS)],
                  width=3.5 if big else 2) for l in range(series.shape[1])]


def _gradient_axis(label: str, big: bool = False) -> dict:
    return dict({"type": "log", "title": {"text": label}, "exponentformat": "power"}, **_log_ticks(big))


def _log_ticks(big: bool) -> dict:
    """Presentation mode: one label per decade, written 1e-3, so no tick label is smaller than
    the chart's font (plotly draws the in-between 2 and 5 labels, and 10ⁿ's exponent, smaller)."""
    return {"dtick": 1, "exponentformat": "e"} if big else {}


def curves_figure(history, log_y: bool = False, big: bool = False, height: int | None = None,
                  key: str = "grad_norm") -> dict:
    """Loss (top left), accuracy or R² (bottom left) and per-layer gradient magnitudes on a
    log scale (right) as one figure: what the live view redraws every frame.

    Kept lean for the browser, which redraws all of it every frame
    (``bench/bench_figures_browser.py``: a legend cost ~3.5 ms a frame, axis titles
    ~3 ms, a bar subplot ~5 ms): one figure, the title names the panels and says
    solid = train, dotted = test, and the current value per layer is shown as text
    beside the charts (``current_gradients``) instead of as bars.
    """
    left = loss_figure(history, log_y, big, height)
    data = left["data"] + [dict(tr, xaxis="x3", yaxis="y3") for tr in gradient_lines(history, big, key)]
    metric = "accuracy" if history.metric == "accuracy" else "R²"
    label = GRADIENT_LABELS[key]
    layout = left["layout"]
    # Two short lines: one long line was cut off in a chart a third of the screen wide.
    layout["title"]["text"] = (f"Loss (top), {metric} (bottom) by epoch (log)"
                               f"<br>train solid, test dotted; right: {label} per layer (log)")
    layout["showlegend"] = False
    layout["margin"]["b"] = 30
    layout["margin"]["t"] = 76 if big else 56
    # Epochs on a log scale: the first epochs, where most of the learning shows, keep their
    # width however long training runs (a linear axis squeezed them into the first pixels).
    layout["xaxis"] = dict({"domain": [0.0, 0.46], "anchor": "y2", "type": "log"}, **_log_ticks(big))
    layout["xaxis3"] = dict({"domain": [0.54, 1.0], "anchor": "y3", "type": "log"}, **_log_ticks(big))
    layout["yaxis3"] = dict(_gradient_axis(label, big), anchor="x3")
    for k in ("yaxis", "yaxis2", "yaxis3"):
        layout[k].pop("title", None)
    return {"data": data, "layout": layout}


def current_gradients(history, key: str = "grad_norm") -> list[float]:
    """The latest per-layer value of ``key`` (‖∂J/∂W‖ or mean |δ|), [] before the first epoch."""
    rows = getattr(history, key)
    return [float(v) for v in rows[-1]] if rows else []
