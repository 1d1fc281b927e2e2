"""Heatmaps as plotly layout images (PNG data URLs) for the live view.

Measured in headless Chromium (bench/bench_live.py): any change to a plotly
*trace* redraws every trace of its subplot, so a boundary heatmap that changes
each frame also redraws the 400 data points on top of it (~20 ms a frame).
A layout image changes through plotly's cheap "arraydraw" path (~3 ms) while
the points trace stays untouched. Images sit in data coordinates, so zoom/pan
still work. Encoding a 100x100 PNG here costs well under 1 ms.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from explorer.figures.encode import png_data_uri


@lru_cache(maxsize=32)
def colorscale_lut(colorscale: str | tuple = "RdBu") -> np.ndarray:
    """256x3 uint8 lookup table for a plotly colorscale name (or tuple of (pos, color))."""
    import plotly.colors as pc

    scale = pc.get_colorscale(colorscale) if isinstance(colorscale, str) else list(colorscale)
    cols = pc.sample_colorscale(scale, [i / 255 for i in range(256)], colortype="tuple")
    arr = np.asarray(cols, dtype=float)
    if arr.max() <= 1.0:
        arr = arr * 255
    return arr.round().clip(0, 255).astype(np.uint8)


def png_data_url(rgb: np.ndarray) -> str:
    """An HxWx3 uint8 image as a PNG data URL, row 0 on top (the app's own encoder)."""
    return png_data_uri(rgb)


def colorize(z: np.ndarray, colorscale="RdBu", zmin: float = 0.0, zmax: float = 1.0) -> np.ndarray:
    """Map a 2-D array to RGB through a colorscale (row 0 = lowest y, as plotly heatmaps)."""
    idx = np.clip((np.asarray(z, dtype=np.float32) - zmin) * (255.0 / (zmax - zmin)), 0, 255)
    return colorscale_lut(colorscale)[idx.astype(np.uint8)]


def heatmap_image(z: np.ndarray, x: tuple[float, float], y: tuple[float, float],
                  colorscale="RdBu", zmin: float = 0.0, zmax: float = 1.0, **extra) -> dict:
    """A plotly layout image showing z (row 0 at y[0]) stretched over x/y in data coordinates.

    Put it in ``layout.images`` of a figure whose axes have fixed ranges. z may also be
    an HxWx3 uint8 RGB array (e.g. class colours blended by probability).
    """
    rgb = z if (z.ndim == 3 and z.dtype == np.uint8) else colorize(z, colorscale, zmin, zmax)
    img = {"source": png_data_url(rgb[::-1]), "xref": "x", "yref": "y",
           "x": float(x[0]), "y": float(y[1]), "sizex": float(x[1] - x[0]),
           "sizey": float(y[1] - y[0]), "xanchor": "left", "yanchor": "top",
           "sizing": "stretch", "layer": "below"}
    img.update(extra)
    return img


__all__ = ["colorscale_lut", "png_data_url", "colorize", "heatmap_image"]
