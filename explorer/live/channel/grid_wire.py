"""The Compare grid's frames on the live channel: every cell's numbers, and thumbnails' weights.

A grid's socket is a live socket (``wire``: the same route, hello, acks, controls, statuses,
close codes, limits); only its setup (JSON, ``"kind": "grid"``: see ``grid_setup``) and its
binary frames differ. All numbers little-endian.

    header  GRID_HEADER = struct "<IIBBHHI" (18 bytes, packed)
        seq        u32   frame number (strictly increasing per socket)
        epoch      u32   the grid's epoch: the lowest of its cells'
        flags      u8    bit 0 running, bit 1 has test data, bit 2 ended (the grid reached its epochs)
        version    u8    GRID_WIRE_VERSION (1)
        n_cells    u16   C, networks in the grid (as in the setup)
        n_sent     u16   networks whose weights follow
        n_weights  u32   float16 weights that follow, in all
    body
        state      u8[C]       bits 0–1: the badge (explorer.training.grid_badges.BADGES), bit 7: this
                               network is one epoch ahead of ``epoch`` (it trains stack by stack)
        latest     f32[3 C]    each network's latest cost, score and test score (NaN: none yet / none)
        sent       u16[n_sent] which networks' weights follow, in order
        weights    f16[n_weights]   their weights, each laid out as the live wire's (every layer's
                               Wb = [W | b], row-major, layer 1 first); float16 is for the
                               thumbnails only: the numbers shown come in ``latest`` (float32)

The body is not aligned: read it through a DataView. Only weights that changed since they
were last sent (as float16) go out, and at most ``weight_budget`` bytes a frame, the
longest-waiting first: a budget of half of all the grid's weights plus its largest network
sends every changing network at least every other frame (a 7 × 3 grid of Ng's widths:
2.1 kB of weights in all, 1.4 kB a frame at most, 10 thumbnails a second at 20 frames).
"""
from __future__ import annotations

import struct

import numpy as np

GRID_WIRE_VERSION = 1
GRID_HEADER = struct.Struct("<IIBBHHI")
FLAG_RUNNING, FLAG_TEST, FLAG_ENDED = 1, 2, 4
AHEAD = 0x80
F16_MAX = 65504.0


def weight_budget(sizes_bytes: list[int]) -> int:
    """Bytes of weights a frame may carry: half the grid's, plus its largest network's."""
    return (sum(sizes_bytes) + 1) // 2 + max(sizes_bytes)


def thumbnail_weights(w: np.ndarray) -> bytes:
    """A network's weights as float16 for its thumbnail (clipped to float16's range)."""
    with np.errstate(invalid="ignore"):
        return np.clip(w, -F16_MAX, F16_MAX).astype("<f2").tobytes()


def choose(changed: list[int], waited: np.ndarray, sizes_bytes: list[int], budget: int) -> list[int]:
    """The networks whose weights go out: of ``changed``, the longest-waiting first (``waited``:
    frames since each was last sent), while they fit in ``budget`` bytes."""
    out, used = [], 0
    for i in sorted(changed, key=lambda i: -waited[i]):
        if used + sizes_bytes[i] <= budget:
            out.append(i)
            used += sizes_bytes[i]
    return sorted(out)


def encode(seq: int, epoch: int, flags: int, state: np.ndarray, latest: np.ndarray, sent: list[int],
           weights: list[bytes]) -> bytes:
    """One grid frame. ``state`` (C,) u8; ``latest`` (C, 3) cost, score, test score;
    ``sent`` the networks whose float16 ``weights`` (bytes each) follow."""
    C = len(state)
    n_weights = sum(len(w) for w in weights) // 2
    head = GRID_HEADER.pack(seq, epoch, flags, GRID_WIRE_VERSION, C, len(sent), n_weights)
    return b"".join([head, np.ascontiguousarray(state, np.uint8).tobytes(),
                     np.ascontiguousarray(latest, "<f4").tobytes(), np.array(sent, "<u2").tobytes(), *weights])


def decode(data: bytes) -> dict:
    """The inverse of ``encode`` (tests and the benchmark)."""
    seq, epoch, flags, version, C, n_sent, n_w = GRID_HEADER.unpack_from(data, 0)
    off = GRID_HEADER.size
    state = np.frombuffer(data, np.uint8, C, off)
    off += C
    latest = np.frombuffer(data, "<f4", 3 * C, off).reshape(C, 3)
    off += 12 * C
    sent = np.frombuffer(data, "<u2", n_sent, off)
    off += 2 * n_sent
    weights = np.frombuffer(data, "<f2", n_w, off)
    assert off + 2 * n_w == len(data), (off, n_w, len(data))
    return {"seq": seq, "epoch": epoch, "running": bool(flags & FLAG_RUNNING), "has_test": bool(flags & FLAG_TEST),
            "ended": bool(flags & FLAG_ENDED), "version": version, "badge": state & 0x3,
            "ahead": (state & AHEAD) > 0, "latest": latest, "sent": sent, "weights": weights}
