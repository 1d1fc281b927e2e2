"""Small previews of every dataset (PNG thumbnails) for the data picker."""
from __future__ import annotations

import base64

import numpy as np

from explorer.figures.encode import png_data_uri
from explorer.figures.theme import class_rgb


def preview_png(X, y, problem: str, n_classes: int, size: int = 96) -> bytes:
    """A size×size PNG thumbnail of a dataset: each point a 3×3 dot in its class colour."""
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
