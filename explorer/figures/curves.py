"""Training curves over epochs: loss and accuracy, and per-layer gradient magnitudes.

``curves_figure`` is the live chart's static part: its axes, titles and one line per
series, without points. The browser fills each line from the history the live channel
sends (``meta.series`` names the history's list, ``meta.layer`` the layer), and draws
it while training runs (``explorer/live/static/curves.js``). With a learning-rate schedule a
strip under the loss holds the η curve and a marker at the current η (series ``eta`` and
``eta_now``: the browser computes them from the setup's η plan, ``static/schedules.js``); with
validation rows the validation loss (series ``val_cost``) and a marker at the best epoch
(series ``best``: the lowest validation loss, from the setup and the status messages).
"""
from __future__ import annotations

from explorer.figures.theme import BLUE, LAYER_COLORS, ORANGE, base_layout

GRADIENT_LABELS = {"grad_norm": "‖∂J/∂W‖", "delta_mean": "mean |δ|"}
METRIC_LABELS = {"accuracy": "accuracy", "r2": "R²"}
LOG_FLOOR = 1e-30        # a gradient of exactly 0 on a log axis: drawn at this value
ETA_COLOR = "#444444"    # the η strip: none of the classes', train/test's or the layers' colours
VAL_COLOR = "#7b3294"    # the validation loss and the best epoch's marker


def _line(name, series, color, yaxis="y", dash=None, width=2.5, **meta):
    line = {"color": color, "width": width}
    if dash:
        line["dash"] = dash
    return {"type": "scatter", "mode": "lines", "name": name, "x": [], "y": [], "line": line, "yaxis": yaxis,
            "hovertemplate": f"{name}<br>epoch %{{x}}: %{{y:.4g}}<extra></extra>", "meta": dict(meta, series=series)}


def _marker(name, series, color, size, symbol="circle", yaxis="y", text=False):
    """A marker trace without points (``meta.series`` says what the browser puts there)."""
    t = {"type": "scatter", "mode": "markers+text" if text else "markers", "name": name, "x": [], "y": [],
         "marker": {"color": color, "size": size, "symbol": symbol, "line": {"color": "white", "width": 1}},
         "yaxis": yaxis, "hovertemplate": f"{name}<br>epoch %{{x}}: %{{y:.4g}}<extra></extra>",
         "meta": {"series": series}}
    if text:
        t.update(text=[], textposition="top center", textfont={"color": color})
    return t


def _log_ticks(big: bool) -> dict:
    """Presentation mode: one label per decade, written 1e-3, so no tick label is smaller than
    the chart's font (plotly draws the in-between 2 and 5 labels, and 10ⁿ's exponent, smaller)."""
    return {"dtick": 1, "exponentformat": "e"} if big else {}


def curves_figure(metric: str, n_layers: int, has_test: bool, log_y: bool = False, big: bool = False,
                  height: int | None = None, key: str = "grad_norm", eta: bool = False, val: bool = False) -> dict:
    """Loss (top left), ``metric`` ("accuracy" or "r2", bottom left) and each of the
    ``n_layers`` layers' gradient magnitude ``key`` ("grad_norm" or "delta_mean") on a log
    scale (right), against the epoch on a log scale; test lines (dotted) with ``has_test``.
    ``eta``: a strip under the loss for the learning rate η (the curve and a marker at the
    current η); ``val``: the validation loss (dashed) and the best epoch's marker on it.

    Kept lean for the browser (``bench/bench_figures_browser.py``: a legend cost ~3.5 ms a
    redraw, axis titles ~3 ms, a bar subplot ~5 ms): one figure, the title names the panels
    and says solid = train, dotted = test; the current value per layer is the status line's.
    """
    w = 4.0 if big else 2.5
    name = METRIC_LABELS[metric]
    label = GRADIENT_LABELS[key]
    data = [_line("train loss", "cost", BLUE, width=w), _line(f"train {name}", "score", BLUE, "y2", width=w)]
    if has_test:
        data += [_line("test loss", "test_cost", ORANGE, dash="dot", width=w),
                 _line(f"test {name}", "test_score", ORANGE, "y2", "dot", w)]
    if val:
        data += [_line("validation loss", "val_cost", VAL_COLOR, dash="dash", width=w),
                 _marker("best epoch", "best", VAL_COLOR, 16 if big else 12, "diamond", text=True)]
    if eta:
        data += [_line("η", "eta", ETA_COLOR, "y4", width=w),
                 _marker("η now", "eta_now", ETA_COLOR, 13 if big else 9, yaxis="y4")]
    data += [dict(_line(f"layer {l + 1}", key, LAYER_COLORS[l % len(LAYER_COLORS)], "y3", width=3.5 if big else 2,
                        layer=l, floor=LOG_FLOOR), xaxis="x3") for l in range(n_layers)]
    # Two short lines: one long line was cut off in a chart a third of the screen wide.
    parts = f"Loss (top), η, {name} (bottom)" if eta else f"Loss (top), {name} (bottom)"
    right = f"right: {label} per layer (log)"
    # With validation the key takes a line of its own (one line was cut off a third of a laptop wide).
    lines = [f"train solid, test dotted; {right}"] if not val else ["train solid, validation dashed, test dotted", right]
    layout = base_layout("<br>".join([f"{parts} by epoch (log)", *lines]), big, height)
    layout["margin"].update(b=30, t=(76 if big else 56) + (30 if big else 20) * (len(lines) - 1))
    if len(lines) > 1:   # three lines hang from the top (plotly centres a title in the margin by default)
        layout["title"].update(y=1, yref="container", yanchor="top", pad={"t": 6})
    layout.update(
        # Epochs on a log scale: the first epochs, where most of the learning shows, keep their
        # width however long training runs (a linear axis squeezed them into the first pixels).
        xaxis=dict({"domain": [0.0, 0.46], "anchor": "y2", "type": "log"}, **_log_ticks(big)),
        xaxis3=dict({"domain": [0.54, 1.0], "anchor": "y3", "type": "log"}, **_log_ticks(big)),
        # A linear loss axis starts at 0 (a loss is never negative): a loss stuck at 0.6931
        # (vanishing gradients) then reads as flat, not as noise in the 8th digit.
        yaxis={"domain": [0.62, 1.0] if eta else [0.42, 1.0], "type": "log" if log_y else "linear",
               **(_log_ticks(big) if log_y else {"rangemode": "tozero"})},
        yaxis2={"domain": [0.0, 0.32], "range": [0, 1.02] if metric == "accuracy" else None,
                "autorange": metric != "accuracy"},
        yaxis3=dict({"type": "log", "exponentformat": "power", "anchor": "x3"}, **_log_ticks(big)),
    )
    for t in data:   # the best epoch's label in the chart's own type
        if "textfont" in t:
            t["textfont"] = dict(layout["font"], color=t["textfont"]["color"])
    if eta:          # η's own strip under the loss, on the loss's epoch axis; from 0, two or three ticks
        layout["yaxis4"] = {"domain": [0.40, 0.55], "rangemode": "tozero", "nticks": 2 if big else 3, "anchor": "x"}
    return {"data": data, "layout": layout}
