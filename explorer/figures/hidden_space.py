"""ConvNetJS's hidden-space view: the input plane as a 2-unit hidden layer sees it.

``grid_lines`` is a list of polylines, each (m, 2) in the hidden layer's two
coordinates (the input plane's grid lines pushed through the layers); the points
are the data's hidden coordinates H (N, 2) with their labels.
"""
from __future__ import annotations

import numpy as np

from .encode import typed
from .theme import BLUE, CLASS_COLORS, ORANGE, base_layout


def hidden_space_figure(grid_lines, H, y, n_classes: int, layer: int, big: bool = False,
                        height: int | None = None) -> dict:
    """The warped input grid (grey mesh) and the data points in hidden layer ``layer``'s space."""
    pts = []
    for line in grid_lines:
        pts.append(line)
        pts.append(np.full((1, 2), np.nan))
    mesh = np.concatenate(pts).astype(np.float32) if pts else np.zeros((0, 2), np.float32)
    data = [{"type": "scatter", "mode": "lines", "x": typed(mesh[:, 0]), "y": typed(mesh[:, 1]),
             "line": {"color": "rgba(90,90,90,0.45)", "width": 1}, "hoverinfo": "skip", "connectgaps": False}]
    for k in range(max(n_classes, 2)):
        m = y == k
        if np.any(m):
            color = (ORANGE, BLUE)[k] if n_classes <= 2 else CLASS_COLORS[k % len(CLASS_COLORS)]
            data.append({"type": "scatter", "mode": "markers", "x": typed(H[m, 0]), "y": typed(H[m, 1]),
                         "marker": {"color": color, "size": 8 if big else 5, "line": {"color": "white", "width": 1}},
                         "hovertemplate": f"class {k}<br>h1=%{{x:.3f}}, h2=%{{y:.3f}}<extra></extra>"})
    layout = base_layout(f"Hidden space of layer {layer} (2 units)", big, height)
    layout.update(xaxis={"title": {"text": f"a^({layer}) unit 1"}, "zeroline": False},
                  yaxis={"title": {"text": f"a^({layer}) unit 2"}, "zeroline": False})
    return {"data": data, "layout": layout}
