"""Encoding numpy arrays for plotly.js, and images as PNG data URIs."""
from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

_DTYPES = {np.dtype("float32"): "f4", np.dtype("float64"): "f8", np.dtype("uint8"): "u1",
           np.dtype("int32"): "i4", np.dtype("int16"): "i2", np.dtype("uint16"): "u2"}


def typed(a, dtype="float32") -> dict:
    """A numpy array as a plotly.js typed array: {'dtype', 'bdata'[, 'shape']}."""
    a = np.ascontiguousarray(a, dtype=dtype)
    spec = {"dtype": _DTYPES[a.dtype], "bdata": base64.b64encode(a.tobytes()).decode("ascii")}
    if a.ndim > 1:
        spec["shape"] = ",".join(str(s) for s in a.shape)
    return spec


def png_data_uri(rgb: np.ndarray) -> str:
    """An (H, W, 3) uint8 image as a PNG data URI (stdlib zlib only). Row 0 is the top."""
    h, w, _ = rgb.shape
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rgb.reshape(h, w * 3)], axis=1).tobytes()

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
