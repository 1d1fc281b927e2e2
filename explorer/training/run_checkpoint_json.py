"""A run's checkpoint (``run_checkpoint.Checkpoint``) as JSON values, and read back, checked.

Version 1 (arrays are ``{"shape": [...], "f8": base64 of little-endian float64}`` or ``"i8"``
for int64: exact, NaN-safe and ~10.7 bytes a number; the rest plain JSON)::

    {"format": "backprop-explorer-run", "version": 1,
     "link": "ds=planar&n=400&...",      # the run's setup as a link query (data, network, training)
     "data": "9f3c...",                  # digest of the points it trains on (blake2b, 16 bytes, hex)
     "epoch": 1234, "running": true,     # completed epochs; playing when taken
     "saved_at": 1767225600.5,           # wall-clock seconds when taken
     "message": null | "Training diverged in epoch ...",     # what stopped it, shown when resumed
     "trainer": {"optimizer", "pos", "order", "pending", "sums", "n_batches", "params", "kept",
                 "kept_epoch", "rng", "slots", "counters", "best_loss", "best_epoch",
                 "best_params", "waited", "stopped", "val_cost"},   # core.trainer_state, field by field
     "history": {"budget", "per_octave", "metric", "test", "layers",
                 "rows": (n, 5 + 2L)}}   # the live history's kept epochs (LiveHistory.row's layout)

Weights are each layer's Wb = [W | b] (S_l, S_{l-1} + 1); the generator's state is numpy's
PCG64 dict (128-bit integers, which JSON holds). A checkpoint is read as untrusted (a shared
store may be written by another process): ``from_dict`` checks every field, with the model
file's own checks, and raises ValueError naming it; nothing is evaluated or unpickled.
"""
from __future__ import annotations

import base64
import math

import numpy as np

from core.model_file import _fields, _kind, _number, _whole     # the model file's own checks
from core.optimizers import OPTIMIZERS
from core.stopping import MAX_REASON, StopRecord
from core.trainer_state import TrainerState
from explorer.training.run_checkpoint import Checkpoint, HistoryCopy

FORMAT, VERSION = "backprop-explorer-run", 1
MAX_LINK = 4000
MAX_MESSAGE = 1000
MAX_LAYERS = 16
MAX_VALUES = 200_000           # numbers in one array (the largest layer allowed has 2,550)
KEYS = ("format", "version", "link", "data", "epoch", "running", "saved_at", "message", "trainer", "history")
TRAINER_KEYS = ("optimizer", "pos", "order", "pending", "sums", "n_batches", "params", "kept", "kept_epoch", "rng",
                "slots", "counters", "best_loss", "best_epoch", "best_params", "waited", "stopped", "val_cost")
HISTORY_KEYS = ("budget", "per_octave", "metric", "test", "layers", "rows")
RNG_KEYS = ("bit_generator", "state", "has_uint32", "uinteger")
METRICS = ("accuracy", "r2")


# ---- as JSON values -------------------------------------------------------------------------
def _array(a: np.ndarray) -> dict:
    kind = "i8" if a.dtype.kind in "iu" else "f8"
    data = np.ascontiguousarray(a, dtype="<" + kind)
    return {"shape": list(a.shape), kind: base64.b64encode(data.tobytes()).decode("ascii")}


def _arrays(arrays) -> list:
    return [_array(a) for a in arrays]


def _finite_or_none(v: float | None) -> float | None:
    return v if v is not None and math.isfinite(v) else None


def to_dict(ck: Checkpoint) -> dict:
    """The checkpoint as JSON values (``json.dumps(..., allow_nan=False)`` takes it)."""
    t = ck.trainer
    h = ck.history
    return {"format": FORMAT, "version": VERSION, "link": ck.link, "data": ck.data, "epoch": ck.epoch,
            "running": ck.running, "saved_at": ck.saved_at, "message": ck.message,
            "trainer": {"optimizer": t.optimizer, "pos": t.pos, "order": None if t.order is None else _array(t.order),
                        "pending": t.pending, "sums": None if t.sums is None else [list(t.sums[0]), list(t.sums[1])],
                        "n_batches": t.n_batches, "params": _arrays(t.params), "kept": _arrays(t.kept),
                        "kept_epoch": t.kept_epoch, "rng": t.rng,
                        "slots": {k: _arrays(v) for k, v in t.slots.items()}, "counters": dict(t.counters),
                        "best_loss": _finite_or_none(t.best_loss), "best_epoch": t.best_epoch,
                        "best_params": None if t.best_params is None else _arrays(t.best_params),
                        "waited": t.waited, "stopped": None if t.stopped is None else t.stopped.to_dict(),
                        "val_cost": _finite_or_none(t.val_cost)},
            "history": {"budget": h.budget, "per_octave": h.per_octave, "metric": h.metric, "test": h.has_test,
                        "layers": h.n_layers, "rows": _array(h.rows)}}


# ---- reading (untrusted) ----------------------------------------------------------------------
def _text(v, where: str, most: int, empty: bool = False) -> str:
    if not isinstance(v, str) or len(v) > most or (not empty and not v):
        raise ValueError(f"{where} must be text of {'0' if empty else '1'} to {most} characters, got {_kind(v)}")
    return v


def _bool(v, where: str) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"{where} must be true or false, got {_kind(v)}")
    return v


def _read_array(v, where: str, kind: str = "f8", finite: bool = True, ndim: int | None = None) -> np.ndarray:
    _fields(v, where, ("shape", kind))
    shape = v["shape"]
    if (not isinstance(shape, list) or (ndim is not None and len(shape) != ndim) or len(shape) > 2
            or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_VALUES for n in shape)):
        raise ValueError(f"{where}.shape must be a list of {ndim or 'up to 2'} sizes, got {_kind(shape)}")
    count = int(np.prod(shape)) if shape else 1
    text = v[kind]
    if not isinstance(text, str) or count > MAX_VALUES or len(text) != 4 * ((8 * count + 2) // 3):
        raise ValueError(f"{where}.{kind} must be base64 of {count} 8-byte numbers")
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raise ValueError(f"{where}.{kind} is not base64") from None
    a = np.frombuffer(raw, dtype="<" + kind).astype(np.int64 if kind == "i8" else np.float64).reshape(shape)
    if finite and kind == "f8" and not np.all(np.isfinite(a)):
        raise ValueError(f"{where} holds a number that is not finite")
    return a


def _read_arrays(v, where: str) -> list[np.ndarray]:
    if not isinstance(v, list) or not 1 <= len(v) <= MAX_LAYERS:
        raise ValueError(f"{where} must be a list of 1 to {MAX_LAYERS} arrays, got {_kind(v)}")
    return [_read_array(a, f"{where}[{i}]", ndim=2) for i, a in enumerate(v)]


def _optional(v, where: str, read):
    return None if v is None else read(v, where)


def _rng(v, where: str) -> dict:
    _fields(v, where, RNG_KEYS)
    _fields(v["state"], f"{where}.state", ("state", "inc"))
    for key, value, top in (("state.state", v["state"]["state"], 2 ** 128), ("state.inc", v["state"]["inc"], 2 ** 128),
                            ("has_uint32", v["has_uint32"], 2), ("uinteger", v["uinteger"], 2 ** 32)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < top:
            raise ValueError(f"{where}.{key} must be a whole number from 0 to {top - 1}, got {_kind(value)}")
    _text(v["bit_generator"], f"{where}.bit_generator", 40)
    return {"bit_generator": v["bit_generator"], "state": {"state": v["state"]["state"], "inc": v["state"]["inc"]},
            "has_uint32": v["has_uint32"], "uinteger": v["uinteger"]}


def _sums(v, where: str) -> tuple[list[float], list[float]]:
    if not isinstance(v, list) or len(v) != 2 or not all(isinstance(x, list) and len(x) <= MAX_LAYERS for x in v):
        raise ValueError(f"{where} must be two lists of per-layer numbers, got {_kind(v)}")
    return tuple([_number(x, f"{where}[{j}][{i}]") for i, x in enumerate(v[j])] for j in (0, 1))


def _trainer(v, epoch: int) -> TrainerState:
    where = "trainer"
    _fields(v, where, TRAINER_KEYS)
    optimizer = v["optimizer"]
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"trainer.optimizer: unknown optimizer {_kind(optimizer)}; one of {', '.join(OPTIMIZERS)}")
    slots = v["slots"]
    if not isinstance(slots, dict) or len(slots) > 4:
        raise ValueError(f"trainer.slots must be an object of at most 4 array lists, got {_kind(slots)}")
    counters = v["counters"]
    if not isinstance(counters, dict) or len(counters) > 4:
        raise ValueError(f"trainer.counters must be an object of at most 4 whole numbers, got {_kind(counters)}")
    best_epoch = None if v["best_epoch"] is None else _whole(v["best_epoch"], "trainer.best_epoch", 1)
    kept_epoch = _whole(v["kept_epoch"], "trainer.kept_epoch", 0)
    if kept_epoch > epoch or (best_epoch or 0) > epoch:
        raise ValueError(f"trainer.kept_epoch and trainer.best_epoch must be at most the epoch {epoch}")
    stopped = None if v["stopped"] is None else StopRecord.from_dict(v["stopped"], max(epoch, 1), "trainer.stopped")
    return TrainerState(
        optimizer=optimizer, epoch=epoch, pos=_whole(v["pos"], "trainer.pos", 0),
        order=_optional(v["order"], "trainer.order", lambda a, w: _read_array(a, w, "i8", ndim=1)),
        pending=_bool(v["pending"], "trainer.pending"), sums=_optional(v["sums"], "trainer.sums", _sums),
        n_batches=_whole(v["n_batches"], "trainer.n_batches", 0), params=_read_arrays(v["params"], "trainer.params"),
        kept=_read_arrays(v["kept"], "trainer.kept"), kept_epoch=kept_epoch, rng=_rng(v["rng"], "trainer.rng"),
        slots={_text(k, "a trainer.slots name", 20): _read_arrays(a, f"trainer.slots.{k}") for k, a in slots.items()},
        counters={_text(k, "a trainer.counters name", 20): _whole(n, f"trainer.counters.{k}", 0)
                  for k, n in counters.items()},
        best_loss=math.inf if v["best_loss"] is None else _number(v["best_loss"], "trainer.best_loss"),
        best_epoch=best_epoch, best_params=_optional(v["best_params"], "trainer.best_params", _read_arrays),
        waited=_whole(v["waited"], "trainer.waited", 0), stopped=stopped,
        val_cost=_optional(v["val_cost"], "trainer.val_cost", _number))


def _history(v, epoch: int) -> HistoryCopy:
    _fields(v, "history", HISTORY_KEYS)
    per_octave = _whole(v["per_octave"], "history.per_octave", 1)
    budget = _whole(v["budget"], "history.budget", 4 * per_octave)
    if budget > 4096:
        raise ValueError(f"history.budget must be at most 4096, got {budget}")
    layers = _whole(v["layers"], "history.layers", 1)
    if layers > MAX_LAYERS:
        raise ValueError(f"history.layers must be at most {MAX_LAYERS}, got {layers}")
    if v["metric"] not in METRICS:
        raise ValueError(f"history.metric must be one of {', '.join(METRICS)}, got {_kind(v['metric'])}")
    rows = _read_array(v["rows"], "history.rows", finite=False, ndim=2)
    if rows.shape[1] != 5 + 2 * layers or rows.shape[0] > budget + 1:
        raise ValueError(f"history.rows must be (at most {budget + 1}, {5 + 2 * layers}), got {rows.shape}")
    epochs = rows[:, 0]
    if (not np.all(np.isfinite(epochs)) or np.any(epochs != np.round(epochs)) or np.any(epochs < 1)
            or np.any(np.diff(epochs) <= 0) or (len(epochs) and epochs[-1] > epoch)):
        raise ValueError(f"history.rows' epochs must be whole, increasing, from 1 to the epoch {epoch}")
    return HistoryCopy(layers, _bool(v["test"], "history.test"), v["metric"], budget, per_octave, _rows=rows)


def from_dict(doc) -> Checkpoint:
    """Check a parsed checkpoint field by field; ValueError names the field at fault."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"format must be {FORMAT!r}; this is not a run checkpoint")
    if doc.get("version") != VERSION or type(doc.get("version")) is not int:
        raise ValueError(f"version must be {VERSION}, got {_kind(doc.get('version'))}")
    _fields(doc, "", KEYS)
    epoch = _whole(doc["epoch"], "epoch", 0)
    data = _text(doc["data"], "data", 32)
    if len(data) != 32 or any(c not in "0123456789abcdef" for c in data):
        raise ValueError("data must be 32 hexadecimal digits")
    message = None if doc["message"] is None else _text(doc["message"], "message", MAX_MESSAGE)
    trainer = _trainer(doc["trainer"], epoch)
    if trainer.stopped is not None and len(trainer.stopped.reason) > MAX_REASON:
        raise ValueError("trainer.stopped.reason is too long")
    return Checkpoint(_text(doc["link"], "link", MAX_LINK, empty=True), data, epoch, _bool(doc["running"], "running"),
                      _number(doc["saved_at"], "saved_at", lo=0), message, trainer, _history(doc["history"], epoch))


__all__ = ["from_dict", "to_dict"]
