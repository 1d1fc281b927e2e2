"""The projector's gallery frames on the live channel: students' latest states, and the leaderboard.

The projector's socket is a live socket (``wire``: the same route, hello, acks, close codes,
limits); only its setup (JSON, ``"kind": "gallery"``: ``gallery_session``) and its binary
frames differ. All numbers little-endian; the body is not aligned (read it through a DataView).

    header  HEADER = struct "<IBBHHI" (14 bytes, packed)
        seq        u32   frame number (strictly increasing per socket)
        flags      u8    bit 0: the class is closed
        version    u8    GALLERY_WIRE_VERSION (1)
        n          u16   N, students in the setup's list
        k          u16   students whose state follows
        n_weights  u32   float16 weights that follow, in all
    body
        order      u16[N]      the leaderboard: student indices, first to last (``rooms.goals``)
        records    k × RECORD = "<HHIBfff" (21 bytes): student index, shape index (the setup's
                   ``shapes``), epoch, flags (bit 0 running, bit 1 stopped with a message), training
                   score, test score (NaN: none), loss
        weights    f16[n_weights]  each record's network in turn, laid out as the live wire's
                   (every layer's Wb = [W | b], row-major); its length is its shape's ``n_weights``

A frame carries only the states published since the last one, and at most ``WEIGHT_BUDGET``
bytes of weights (the students waiting longest first; the rest follow in the next frame).
"""
from __future__ import annotations

import struct

import numpy as np

GALLERY_WIRE_VERSION = 1
HEADER = struct.Struct("<IBBHHI")
RECORD = struct.Struct("<HHIBfff")
FLAG_CLOSED = 1
REC_RUNNING, REC_STOPPED = 1, 2
WEIGHT_BUDGET = 48 * 1024     # bytes of weights a frame (2 a second: ≤ 96 kB/s a projector)


def encode(seq: int, closed: bool, n: int, order: list[int], records: list[tuple], weights: list[bytes]) -> bytes:
    """One frame: ``records`` (student, shape, epoch, flags, score, test score, loss) each with its
    float16 ``weights`` (bytes) in the same order."""
    n_weights = sum(len(w) for w in weights) // 2
    head = HEADER.pack(seq, FLAG_CLOSED if closed else 0, GALLERY_WIRE_VERSION, n, len(records), n_weights)
    with np.errstate(over="ignore"):
        body = [RECORD.pack(s, sh, e, f, *np.array(v, np.float32).tolist()) for s, sh, e, f, *v in records]
    return b"".join([head, np.array(order, "<u2").tobytes(), *body, *weights])


def decode(data: bytes, n_weights_of: list[int] | None = None) -> dict:
    """The inverse of ``encode`` (tests and the benchmark); ``n_weights_of``: per shape index."""
    seq, flags, version, n, k, n_w = HEADER.unpack_from(data, 0)
    off = HEADER.size
    order = np.frombuffer(data, "<u2", n, off).tolist()
    off += 2 * n
    records = []
    for _ in range(k):
        records.append(RECORD.unpack_from(data, off))
        off += RECORD.size
    flat = np.frombuffer(data, "<f2", n_w, off)
    assert off + 2 * n_w == len(data), (off, n_w, len(data))
    weights, at = [], 0
    for rec in records:
        size = n_weights_of[rec[1]] if n_weights_of is not None else n_w
        weights.append(flat[at:at + size])
        at += size
    return {"seq": seq, "closed": bool(flags & FLAG_CLOSED), "version": version, "n": n, "order": order,
            "records": records, "weights": weights}
