"""A gallery ``Thumb`` as bytes, for a feed shared between processes (``redis_feed``).

    thumb = JSON head + b"\n" + weights

The head holds every field but the weights (non-finite scores as null, read back as NaN); the
weights follow as the float16 bytes they are. JSON only: nothing is evaluated or unpickled, and
``decode`` reads every field into its type (ValueError, KeyError or TypeError if it cannot).
"""
from __future__ import annotations

import json
import math

from explorer.live.channel.feed_interface import Thumb


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def encode(t: Thumb) -> bytes:
    """A thumb as it travels: its JSON head, a newline, its float16 weights (bytes)."""
    head = {"sid": t.student_id, "epoch": t.epoch, "running": t.running, "sizes": list(t.sizes),
            "activations": list(t.activations), "data": t.data, "score": _num(t.score), "test": _num(t.test_score),
            "cost": _num(t.cost), "n_weights": t.n_weights, "setup": t.setup, "message": t.message}
    return json.dumps(head, separators=(",", ":"), allow_nan=False).encode() + b"\n" + bytes(t.weights)


def decode(blob: bytes) -> Thumb:
    """``encode``'s inverse; ValueError, KeyError or TypeError if ``blob`` is not one."""
    head, _, weights = blob.partition(b"\n")
    h = json.loads(head)
    nan = float("nan")
    return Thumb(str(h["sid"]), int(h["epoch"]), bool(h["running"]), tuple(int(s) for s in h["sizes"]),
                 tuple(str(a) for a in h["activations"]), str(h["data"]), weights,
                 nan if h["score"] is None else float(h["score"]), nan if h["test"] is None else float(h["test"]),
                 nan if h["cost"] is None else float(h["cost"]), int(h["n_weights"]), str(h["setup"]),
                 None if h["message"] is None else str(h["message"]))
