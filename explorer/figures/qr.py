"""A QR code of a join link, as a PNG: what the projector shows for phones to scan.

Made by ``segno`` (pure Python, no dependencies, ISO/IEC 18004 with its own tests); error
correction level M at least (segno raises it when the version allows), a quiet zone of 4
modules as the standard asks. ``tests/test_room_qr.py`` reads the PNG back with an
independent decoder.
"""
from __future__ import annotations

import io

import segno

QUIET_ZONE = 4


def qr_png(text: str, scale: int = 10) -> bytes:
    """``text`` (a link, at most 300 bytes) as a black-on-white QR code PNG, ``scale`` px a module."""
    data = text.encode()
    if not 0 < len(data) <= 300:
        raise ValueError(f"a QR link is 1 to 300 bytes, got {len(data)}")
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="png", scale=scale, border=QUIET_ZONE)
    return out.getvalue()
