"""Small previews of every dataset, one scatter panel each, for the data picker."""
from __future__ import annotations

import numpy as np

from .encode import typed
from .theme import BLUE, CLASS_COLORS, DIVERGING, ORANGE


def preview_figure(X, y, problem: str, n_classes: int, size: int = 110) -> dict:
    """A tiny axis-free scatter of one dataset (X (N, 2), y (N,))."""
    if problem == "regression":
        lim = max(float(np.abs(y).max()), 1e-9)
        color = {"color": typed(y), "colorscale": DIVERGING, "cmin": -lim, "cmax": lim}
    else:
        palette = [ORANGE, BLUE] if n_classes <= 2 else CLASS_COLORS
        color = {"color": [palette[int(k) % len(palette)] for k in y]}
    return {"data": [{"type": "scatter", "mode": "markers", "x": typed(X[:, 0]), "y": typed(X[:, 1]),
                      "marker": dict(color, size=3), "hoverinfo": "skip"}],
            "layout": {"width": size, "height": size, "margin": {"l": 2, "r": 2, "t": 2, "b": 2},
                       "xaxis": {"visible": False}, "yaxis": {"visible": False, "scaleanchor": "x"},
                       "showlegend": False, "paper_bgcolor": "white", "plot_bgcolor": "#f7f7f7"}}


def preview_png(X, y, problem: str, n_classes: int, size: int = 96) -> bytes:
    """A size×size PNG thumbnail of a dataset: each point a 3×3 dot in its class colour."""
    import base64

    from .encode import png_data_uri
    from .theme import class_rgb
    img = np.full((size, size, 3), 247, np.uint8)
    lim = max(float(np.abs(X).max()), 1e-9) * 1.05
    px = np.clip(((X[:, 0] / lim + 1) / 2 * (size - 3)).astype(int), 0, size - 3)
    py = np.clip(((1 - (X[:, 1] / lim + 1) / 2) * (size - 3)).astype(int), 0, size - 3)
    if problem == "regression":
        t = np.clip((y - y.min()) / max(float(np.ptp(y)), 1e-9), 0, 1)[:, None]
        colors = (1 - t) * class_rgb()[0] + t * class_rgb()[1]
    else:
        colors = class_rgb()[np.asarray(y, int) % 10]
    for dy in range(3):
        for dx in range(3):
            img[py + dy, px + dx] = colors.astype(np.uint8)
    return base64.b64decode(png_data_uri(img).split(",", 1)[1])
