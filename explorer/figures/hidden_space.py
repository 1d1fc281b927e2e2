"""ConvNetJS's hidden-space view: the input plane as a 2-unit hidden layer sees it.

``hidden_space_figure`` is the live chart's static part: its axes, the grid's line style
and the training points, each group (a class, or for regression the targets up to / above
their median) one trace. The points are given in the input plane (x1, x2): the browser
pushes them and the plane's grid lines through the layers with the current weights and
draws them where that layer sees them (``explorer/live/static/hidden.js``).
"""
from __future__ import annotations

import numpy as np

from explorer.figures.encode import typed
from explorer.figures.theme import BLUE, CLASS_COLORS, ORANGE, base_layout

GRID_LINE_STEP = 5        # the grid lines drawn: every 5th row and column of the boundary's grid


def hidden_space_figure(X, y, problem: str, n_classes: int | None, layer: int, big: bool = False,
                        height: int | None = None) -> dict:
    """The warped grid's line (no points yet: ``meta.grid_step``) and the training points X
    (N, 2) in the input plane, one marker trace per group of ``y``, in hidden layer
    ``layer``'s axes."""
    if problem != "classification":           # regression: coloured as two groups, split at the median
        y = (np.asarray(y) > np.median(y)).astype(int) if len(y) else np.zeros(0, int)
        n_classes = 2
    n_classes = n_classes or 2
    data = [{"type": "scatter", "mode": "lines", "x": [], "y": [], "line": {"color": "rgba(90,90,90,0.45)", "width": 1},
             "hoverinfo": "skip", "connectgaps": False, "meta": {"grid_step": GRID_LINE_STEP}}]
    for k in range(max(n_classes, 2)):
        m = np.asarray(y) == k
        if not np.any(m):
            continue
        color = (ORANGE, BLUE)[k] if n_classes <= 2 else CLASS_COLORS[k % len(CLASS_COLORS)]
        data.append({"type": "scatter", "mode": "markers", "x": typed(X[m, 0]), "y": typed(X[m, 1]),
                     "marker": {"color": color, "size": 8 if big else 5, "line": {"color": "white", "width": 1}},
                     "hovertemplate": f"class {k}<br>h1=%{{x:.3f}}, h2=%{{y:.3f}}<extra></extra>",
                     "meta": {"group": k, "points": "input plane"}})
    layout = base_layout(f"Hidden space of layer {layer} (2 units)", big, height)
    layout.update(xaxis={"title": {"text": f"a^({layer}) unit 1"}, "zeroline": False},
                  yaxis={"title": {"text": f"a^({layer}) unit 2"}, "zeroline": False})
    return {"data": data, "layout": layout}
