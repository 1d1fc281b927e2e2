"""One frame of the live view: the figures of a Run, as JSON strings.

``build_frame`` computes only what the frame shows: one forward pass over the
grid (cached per parameter version) feeds the boundary, the neuron tiles and the
hidden-space view; curves come from the history, thinned. With the live channel the
server builds a frame only for the setup message (the static parts and the first
picture) and for the fallback; the browser draws the rest from weights.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from core.features import FEATURES
from core.targets import CLASSIFIERS
from .figures.boundary import boundary_figure
from .figures.encode import thin, typed
from .figures.curves import curves_figure
from .figures.hidden_space import hidden_space_figure
from .figures.network_diagram import network_figure
from .run import GRID, TILE_STRIDE, Run


@dataclass(frozen=True)
class View:
    """How the live view is drawn (nothing here touches the network)."""

    discretize: bool = False
    show_test: bool = True
    log_loss: bool = False
    big: bool = False               # presentation mode
    grad_key: str = "grad_norm"     # or "delta_mean"
    height: int = 330


def neuron_tiles(run: Run, acts: list[np.ndarray]) -> list[np.ndarray]:
    """Each column's units as (n_units, k, k) tiles in [−1, 1], k = GRID / TILE_STRIDE."""
    k = GRID // TILE_STRIDE
    tiles = []
    for l, a in enumerate(acts):
        sub = a.reshape(GRID, GRID, -1)[::TILE_STRIDE, ::TILE_STRIDE]          # (k, k, S)
        if l > 0 and run.net.layers[l - 1].activation.name in CLASSIFIERS:   # outputs in (0, 1)
            sub = 2.0 * sub - 1.0                                              # (0, 1) → (−1, 1)
        else:
            scale = np.maximum(np.abs(sub).max(axis=(0, 1)), 1.0)              # keep tanh's ±1 as is
            sub = sub / scale
        tiles.append(np.moveaxis(sub[:k, :k], 2, 0))
    return tiles


def network_view(run: Run, acts, big: bool, height: int | None, highlight: int | None = None,
                 hover: bool = True) -> dict:
    """The network diagram of ``run`` with per-neuron tiles from grid activations ``acts``."""
    labels = ["input"] + [f"layer {l + 1}" for l in range(len(run.net.layers) - 1)] + ["output"]
    unit_labels = [[FEATURES[f].label for f in run.data.feature_ids]]
    for l, layer in enumerate(run.net.layers):
        unit_labels.append([f"layer {l + 1} ({layer.activation.name}) unit {u + 1}" for u in range(layer.size)])
    return network_figure(neuron_tiles(run, acts), [layer.W for layer in run.net.layers],
                          [layer.b for layer in run.net.layers], labels, unit_labels, big=big,
                          height=height, highlight=highlight, hover=hover)


def hidden_space(run: Run, big: bool, height: int | None) -> dict | None:
    """ConvNetJS's view for the first hidden layer with exactly 2 units, else None."""
    hidden = [l for l, layer in enumerate(run.net.layers[:-1]) if layer.size == 2]
    if not hidden:
        return None
    l = hidden[0]
    d = run.data
    acts = run.grid_activations()
    H = acts[l + 1].reshape(GRID, GRID, 2)
    step = 5
    lines = [H[i, :, :] for i in range(0, GRID, step)] + [H[:, j, :] for j in range(0, GRID, step)]
    Hd = run.net.forward(d.F_train).A[l + 1]
    y = d.y_train if d.problem == "classification" else (d.y_train > np.median(d.y_train)).astype(int)
    return hidden_space_figure(lines, Hd, y, d.n_classes or 2, l + 1, big=big, height=height)


def _epoch_axis(fig: dict, history) -> dict:
    """The curves' x values are the epochs a bounded history kept (not 1..n)."""
    epochs = getattr(history, "epochs", None)
    if epochs:
        x = typed(np.asarray(epochs, dtype=float)[thin(len(epochs))])
        for trace in fig["data"]:
            trace["x"] = x
    return fig


def build_frame(run: Run, view: View, running: bool = False) -> dict[str, str]:
    """name → figure JSON for the live component (boundary, network, curves[, hidden]);
    ``running``: the run is training (no hover)."""
    d, h = run.data, run.trainer.history
    acts = run.grid_activations()
    out = acts[-1]
    if d.problem == "classification" and out.shape[1] > 1:
        P = out.reshape(GRID, GRID, -1)
    else:
        P = out[:, 0].reshape(GRID, GRID)
    figs = {
        "boundary": boundary_figure(d.xs, d.ys, P, d.problem, d.n_classes or 2, d.X_train, d.y_train,
                                    d.X_test, d.y_test, view.discretize, view.show_test, view.big),
        "network": network_view(run, acts, view.big, None, hover=not running),
        "curves": _epoch_axis(curves_figure(h, view.log_loss, view.big, key=view.grad_key), h),
    }
    hs = hidden_space(run, view.big, None)
    if hs is not None:
        figs["hidden"] = hs
    if running:
        # Nobody hovers over a moving chart, and plotly's hover set-up is a good part of
        # each redraw; the frame drawn on Pause has hover again (and the diagram's
        # hover markers, which it left out while running).
        for fig in figs.values():
            fig["layout"]["hovermode"] = False
    return {name: json.dumps(fig, separators=(",", ":")) for name, fig in figs.items()}
