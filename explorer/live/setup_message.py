"""The live view's static parts, built once per setup message (``LiveSession.setup``).

The browser draws every live picture (the surface, the neuron tiles and edges, the curves,
the hidden space, the status line) from the weights and the history points the live
channel sends. What it draws them with comes from here, built from the Python registries
and figure builders, so nothing is spelled twice: each figure's static part (axes, titles,
the data points, line and marker styles), the colours, the display labels, the number
formats and the painting rules (``setup_parts``). Also ``View`` (how the live view is
drawn) and the step-through view's network diagram (``network_view``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.features import FEATURES
from explorer.figures.boundary import SURFACE_STRENGTH, boundary_figure
from explorer.figures.curves import GRADIENT_LABELS, METRIC_LABELS, curves_figure
from explorer.figures.hidden_space import hidden_space_figure
from explorer.figures.network_diagram import EDGE_STYLE, HOVER, hover_markers, network_figure, network_layout
from explorer.figures.theme import BLUE, CLASS_COLORS, LAYER_COLORS, ORANGE, WHITE
from explorer.live.instruments_setup import instruments_setup, panels
from explorer.training.run import GRID, TILE_STRIDE, Run

# The status line's numbers: the latest loss and score with fixed decimals, each layer's
# gradient magnitude in scientific notation ([kind, digits], as Python's .4f and .2e).
STATUS_FORMATS = {"cost": ["fixed", 4], "score": ["fixed", 3], "grad": ["exp", 2]}


@dataclass(frozen=True)
class View:
    """How the live view is drawn (nothing here touches the network)."""

    discretize: bool = False
    show_test: bool = True
    log_loss: bool = False
    big: bool = False               # presentation mode
    grad_key: str = "grad_norm"     # or "delta_mean"
    height: int = 330
    metrics: bool = False           # the instruments (instruments_setup.py), drawn in the browser
    histograms: bool = False


def column_labels(run: Run) -> list[str]:
    return ["input"] + [f"layer {l + 1}" for l in range(len(run.net.layers) - 1)] + ["output"]


def unit_labels(run: Run) -> list[list[str]]:
    """Each unit's name, per column (the features, then every layer's units)."""
    labels = [[FEATURES[f].label for f in run.data.feature_ids]]
    for l, layer in enumerate(run.net.layers):
        labels.append([f"layer {l + 1} ({layer.activation.name}) unit {u + 1}" for u in range(layer.size)])
    return labels


def squashed(run: Run) -> list[bool]:
    """Per layer: are its outputs in (0, 1) (an activation with a ``classifier`` kind: class
    probabilities), drawn as 2a − 1 in the tiles? Else a tile is scaled by its largest |a|
    when that is above 1."""
    return [bool(layer.activation.classifier) for layer in run.net.layers]


def neuron_tiles(run: Run, acts: list[np.ndarray]) -> list[np.ndarray]:
    """Each column's units as (n_units, k, k) tiles in [−1, 1], k = GRID / TILE_STRIDE."""
    k = GRID // TILE_STRIDE
    squash = [False] + squashed(run)
    tiles = []
    for l, a in enumerate(acts):
        sub = a.reshape(GRID, GRID, -1)[::TILE_STRIDE, ::TILE_STRIDE]          # (k, k, S)
        if squash[l]:                                                          # outputs in (0, 1)
            sub = 2.0 * sub - 1.0                                              # (0, 1) → (−1, 1)
        else:
            scale = np.maximum(np.abs(sub).max(axis=(0, 1)), 1.0)              # keep tanh's ±1 as is
            sub = sub / scale
        tiles.append(np.moveaxis(sub[:k, :k], 2, 0))
    return tiles


def network_view(run: Run, acts, big: bool, height: int | None, highlight: int | None = None,
                 hover: bool = True) -> dict:
    """The network diagram of ``run`` with per-neuron tiles from grid activations ``acts``
    (the step-through view; the live view paints its own in the browser)."""
    return network_figure(neuron_tiles(run, acts), [layer.W for layer in run.net.layers],
                          [layer.b for layer in run.net.layers], column_labels(run), unit_labels(run), big=big,
                          height=height, highlight=highlight, hover=hover)


def colors() -> dict:
    """theme's colours as the browser paints with them (the setup's ``colors``)."""
    return {"classes": CLASS_COLORS, "layers": LAYER_COLORS, "negative": ORANGE, "positive": BLUE, "middle": WHITE}


def setup_figures(run: Run, view: View) -> dict[str, dict]:
    """name → the static part of each live figure (boundary, network, curves[, hidden]): what
    stays while training runs. The pictures and the lines' points are the browser's."""
    d, h = run.data, run.trainer.history
    sizes = [d.F_train.shape[1]] + [layer.size for layer in run.net.layers]
    network = network_layout(sizes, GRID // TILE_STRIDE, column_labels(run), view.big)
    network["data"] = hover_markers(view.big)
    figs = {
        "boundary": boundary_figure(d.xs, d.ys, d.problem, d.n_classes or 2, d.X_train, d.y_train, d.X_test,
                                    d.y_test, view.show_test, view.big, tag_points=bool(panels(view))),
        "network": network,
        "curves": curves_figure(h.metric, len(run.net.layers), len(d.F_test) > 0, view.log_loss, view.big,
                                key=view.grad_key, eta=not run.eta_plan.is_constant, val=has_validation(run)),
    }
    hidden = [l for l, layer in enumerate(run.net.layers[:-1]) if layer.size == 2]
    if hidden:       # ConvNetJS's view for the first hidden layer of exactly 2 units
        figs["hidden"] = hidden_space_figure(d.X_train, d.y_train, d.problem, d.n_classes, hidden[0] + 1, view.big)
    return figs


def has_validation(run: Run) -> bool:
    """Does the run hold validation rows (the Validation share, carved from the training points)?"""
    return run.data.F_val is not None and len(run.data.F_val) > 0


def schedule_part(run: Run) -> dict | None:
    """The setup's ``schedule``: the run's η plan (``explorer.training.eta_plan``), from which the
    browser draws every update's η (``static/schedules.js``); None while every factor is 1."""
    plan = run.eta_plan
    return None if plan.is_constant else {"plan": plan.to_json()}


def stop_part(run: Run) -> dict | None:
    """Where the run stands with its stopping rule, for the setup and every status:
    ``{"best_epoch", "best_cost", "stopped"}``: the epoch of the lowest validation loss so far and
    that loss (null without validation rows or before the first epoch), and whether the rule
    ended the run (``message`` then says why, in one line). None when neither applies (also for
    a run without a stopping rule: a Compare grid's, whose session shares the status)."""
    if not isinstance(run, Run):
        return None
    tr = run.trainer
    best = getattr(tr, "best_epoch", None)       # (None too while a drawn set has no training point)
    stopped = run.stopped_by is not None
    if best is None and not stopped:
        return None
    return {"best_epoch": best, "best_cost": None if best is None else float(tr.best_val_cost), "stopped": stopped}


def setup_parts(run: Run, view: View) -> dict:
    """What the setup message carries besides the model and the history (see ``wire``):
    the figures' static parts, colours, labels, number formats and painting rules (and the
    instruments' part when one is on: ``instruments_setup``; the η plan with a learning-rate
    schedule: ``schedule_part``; the best epoch and whether the run stopped: ``stop_part``)."""
    parts = {
        "figures": setup_figures(run, view),
        "colors": colors(),
        "labels": {"units": unit_labels(run),
                   "grad": GRADIENT_LABELS[view.grad_key], "metric": METRIC_LABELS[run.trainer.history.metric],
                   "weight": HOVER["weight"], "bias": HOVER["bias"]},
        "formats": dict(STATUS_FORMATS, weight=["fixed", HOVER["digits"]]),
        "paint": {"surface_strength": SURFACE_STRENGTH[view.big], "edges": EDGE_STYLE, "squash": squashed(run),
                  "hover_weights": HOVER["max_weights"]},
    }
    instruments = instruments_setup(run, view, column_labels(run)[1:])
    if instruments:
        parts["instruments"] = instruments
    for key, part in (("schedule", schedule_part(run)), ("stop", stop_part(run))):
        if part is not None:          # (absent with a constant η and no stopping: the setup as before)
            parts[key] = part
    return parts
