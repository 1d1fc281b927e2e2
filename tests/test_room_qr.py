"""The projector's QR code reads back as its join link (an independent reader: tests/qr_read.py)."""
from __future__ import annotations

import pytest

from explorer.figures.qr import QUIET_ZONE, qr_png
from tests.qr_read import modules, read


@pytest.mark.parametrize("link", ["http://localhost:8501/?join=ABCDEFGH",
                                  "https://backprop-explorer.example.org/?join=Z9Y8X7W6",
                                  "https://a-long-school-host-name.district.example.edu/explorer/?join=23456789"])
def test_the_qr_code_reads_back_as_the_join_link(link):
    png = qr_png(link, scale=6)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) < 2000
    assert read(modules(png, 6, QUIET_ZONE)) == link


def test_the_reader_can_fail():
    m = modules(qr_png("http://localhost:8501/?join=ABCDEFGH", scale=4), 4, QUIET_ZONE)
    m[8][0] ^= 1                                              # one format bit flipped
    with pytest.raises(AssertionError, match="BCH"):
        read(m)


def test_a_link_too_long_or_empty_is_refused():
    for text in ("", "x" * 301):
        with pytest.raises(ValueError, match="1 to 300 bytes"):
            qr_png(text)
