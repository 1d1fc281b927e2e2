"""A Trainer's whole state between two updates, as arrays and plain numbers, and back.

``capture(trainer)`` copies everything training needs to go on exactly as if it had never
stopped: every layer's weights ``Wb = [W | b]`` (S_l, S_{l-1} + 1), the optimizer's running
arrays (momentum's v; Adam's m, s and its step count t), the shuffling generator's state, the
place inside the epoch (this epoch's permutation and the examples consumed), the per-layer
sums of ‖dW‖ and mean |δ| not yet recorded, the weights at the last history entry (divergence
goes back to them) and the stopping rule's watch. ``restore(trainer, state)`` puts it into a
Trainer built for the same network shape, data and settings, after checking that it fits.

This module is the Trainer's friend: it reads and writes the Trainer's own fields, so that
``core.training`` keeps one job. The history is the caller's (any object with History's
``record``), and so is reading text: nothing here parses or evaluates anything.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .stopping import StopRecord


@dataclass
class TrainerState:
    """A copy of a Trainer's state; arrays are float64 copies (never the trainer's own).

    ``params`` / ``kept``: [Wb per layer]; ``order``: this epoch's permutation (N,) int64, or
    None (full batch, or between epochs); ``sums``: ([‖dW‖ per layer], [mean |δ| per layer]) of
    the epoch so far, or None; ``slots``: the optimizer's running arrays by attribute name
    ([one per layer] each); ``counters``: its whole-number attributes (Adam's t); ``rng``: the
    bit generator's state dict (numpy's form); ``best_params``: the watch's kept weights or None.
    """

    optimizer: str
    epoch: int
    pos: int
    order: np.ndarray | None
    pending: bool
    sums: tuple[list[float], list[float]] | None
    n_batches: int
    params: list[np.ndarray]
    kept: list[np.ndarray]
    kept_epoch: int
    rng: dict
    slots: dict[str, list[np.ndarray]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    best_loss: float = math.inf
    best_epoch: int | None = None
    best_params: list[np.ndarray] | None = None
    waited: int = 0
    stopped: StopRecord | None = None
    val_cost: float | None = None


def _copies(arrays) -> list[np.ndarray]:
    return [np.array(a, dtype=np.float64, copy=True) for a in arrays]


def optimizer_parts(opt) -> tuple[dict[str, list], dict[str, int]]:
    """An optimizer's running state: its per-layer array lists and its whole-number counters
    (read from the instance, so a new optimizer with such state needs nothing here)."""
    slots, counters = {}, {}
    for name, value in vars(opt).items():
        if isinstance(value, list) and all(isinstance(a, np.ndarray) for a in value):
            slots[name] = value
        elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            counters[name] = int(value)
        else:
            raise ValueError(f"the optimizer's {name!r} ({type(value).__name__}) is neither arrays nor a count")
    return slots, counters


def capture(trainer) -> TrainerState:
    """A copy of ``trainer``'s state (call between updates, with nothing else training it)."""
    t = trainer
    slots, counters = optimizer_parts(t._opt)
    w = t._watch
    return TrainerState(
        optimizer=t.optimizer, epoch=int(t.epoch), pos=int(t._pos),
        order=None if t._order is None else np.array(t._order, dtype=np.int64, copy=True),
        pending=bool(t._pending),
        sums=None if t._sums is None else (list(map(float, t._sums[0])), list(map(float, t._sums[1]))),
        n_batches=int(t._n_batches), params=_copies(t._params), kept=_copies(t._kept),
        kept_epoch=int(t._kept_epoch), rng=t.rng.bit_generator.state,
        slots={k: _copies(v) for k, v in slots.items()}, counters=counters,
        best_loss=float(w.best_loss), best_epoch=w.best_epoch,
        best_params=None if w.best_params is None else _copies(w.best_params), waited=int(w.waited),
        stopped=t.stopped, val_cost=None if t.val_cost is None else float(t.val_cost))


def check_fits(trainer, state: TrainerState) -> None:
    """ValueError (a sentence) unless ``state`` fits ``trainer``: the same optimizer, the same
    shapes of every array, a place inside an epoch of this data, the same kind of generator."""
    t = trainer
    shapes = [p.shape for p in t._params]
    if state.optimizer != t.optimizer:
        raise ValueError(f"the run used the {state.optimizer} optimizer, this one {t.optimizer}")
    for what, arrays in (("weights", state.params), ("kept weights", state.kept),
                         ("best weights", state.best_params or state.params)):
        if [a.shape for a in arrays] != shapes:
            raise ValueError(f"its {what} have shapes {[a.shape for a in arrays]}, this network {shapes}")
    slots, counters = optimizer_parts(t._opt)
    if set(state.slots) != set(slots) or set(state.counters) != set(counters):
        raise ValueError(f"its optimizer state holds {sorted(state.slots) + sorted(state.counters)}, "
                         f"this optimizer {sorted(slots) + sorted(counters)}")
    for name, arrays in state.slots.items():
        if [a.shape for a in arrays] != shapes:
            raise ValueError(f"its optimizer's {name} has shapes {[a.shape for a in arrays]}, the weights {shapes}")
    n = t.X.shape[0]
    if not 0 <= state.pos < n or (state.order is not None and (state.order.shape != (n,) or not
                                                               np.array_equal(np.sort(state.order), np.arange(n)))):
        raise ValueError(f"its place in the epoch does not fit {n} training examples")
    if state.pos and (state.order is None or t.batch_size is None):
        raise ValueError("it stopped inside an epoch of mini-batches, and this run trains on the full batch")
    if state.rng.get("bit_generator") != t.rng.bit_generator.state["bit_generator"]:
        raise ValueError(f"its generator is {state.rng.get('bit_generator')!r}, "
                         f"this run's {t.rng.bit_generator.state['bit_generator']!r}")
    if state.sums is not None and (len(state.sums[0]) != len(shapes) or len(state.sums[1]) != len(shapes)):
        raise ValueError("its per-layer sums do not have one number per layer")


def restore(trainer, state: TrainerState) -> None:
    """Put ``state`` into ``trainer`` (its network's weights included); training then goes on
    update for update as it would have from where ``state`` was captured. ValueError (and
    nothing changed) unless it fits (``check_fits``)."""
    check_fits(trainer, state)
    t = trainer
    t.rng.bit_generator.state = state.rng         # numpy checks the dict itself (ValueError if bad)
    for p, src in zip(t._params, state.params):
        np.copyto(p, src)
    for k, src in zip(t._kept, state.kept):
        np.copyto(k, src)
    slots, _ = optimizer_parts(t._opt)
    for name, arrays in state.slots.items():
        for a, src in zip(slots[name], arrays):
            np.copyto(a, src)
    for name, value in state.counters.items():
        setattr(t._opt, name, int(value))
    t.epoch, t._pos, t._pending = int(state.epoch), int(state.pos), bool(state.pending)
    t._order = None if state.order is None else np.array(state.order, dtype=np.int64, copy=True)
    t._sums = None if state.sums is None else [list(state.sums[0]), list(state.sums[1])]
    t._n_batches, t._kept_epoch = int(state.n_batches), int(state.kept_epoch)
    t.last_batch = None
    w = t._watch
    w.best_loss, w.best_epoch, w.waited = float(state.best_loss), state.best_epoch, int(state.waited)
    w.best_params = None if state.best_params is None else _copies(state.best_params)
    t.stopped, t.val_cost = state.stopped, state.val_cost


__all__ = ["TrainerState", "capture", "check_fits", "restore", "optimizer_parts"]
