"""Heatmaps as plotly layout images (PNG data URLs) for the live view.

Measured in headless Chromium (bench/bench_live.py): any change to a plotly
*trace* redraws every trace of its subplot, so a boundary heatmap that changes
each frame also redraws the 400 data points on top of it (~20 ms a frame).
A layout image changes through plotly's cheap "arraydraw" path (~3 ms) while
the points trace stays untouched. Images sit in data coordinates, so zoom/pan
still work. Encoding a 100x100 PNG here costs well under 1 ms.
"""

from __future__ import annotations

import base64
import struct
import zlib
from functools import lru_cache

import numpy as np


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


def png_bytes(rgb: np.ndarray, level: int = 1) -> bytes:
    """Encode an HxWx3 (RGB) or HxWx4 (RGBA) uint8 array as PNG, row 0 on top."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w, c = rgb.shape
    if c not in (3, 4):
        raise ValueError("need 3 or 4 channels")
    raw = np.zeros((h, w * c + 1), np.uint8)   # filter byte 0 per row
    raw[:, 1:] = rgb.reshape(h, w * c)

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    head = struct.pack(">IIBBBBB", w, h, 8, 2 if c == 3 else 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head)
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), level)) + chunk(b"IEND", b""))


def png_data_url(rgb: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(rgb)).decode("ascii")


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


__all__ = ["colorscale_lut", "png_bytes", "png_data_url", "colorize", "heatmap_image"]
