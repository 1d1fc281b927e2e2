"""A learner's run as a checkpoint: everything needed to go on training it, and back into a Run.

A ``Checkpoint`` holds the run's setup as a link query (data, network and training settings:
never a view or class key), a digest of the points it trains on, its epoch, whether it was
playing, its message (divergence advice, a stop), the Trainer's whole state
(``core.trainer_state``: weights Wb = [W | b] (S_l, S_{l-1} + 1) per layer, the optimizer's
running arrays, the shuffling generator's PCG64 state, the place inside the epoch) and the live
history's kept epochs. A resumed run therefore continues update for update as the
uninterrupted run would (``tests/test_run_store.py`` checks this bit for bit).

``capture`` takes one (copies only, cheap: the scheduler thread calls it), ``fits`` says whether
one belongs to a run (same link, same points, same shapes) and ``restore`` puts it in. A run
started from an imported model file is not kept (``capture`` returns None): a reload cannot
rebuild its starting weights from its link. Its JSON form, read as untrusted, is
``run_checkpoint_json``'s.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np

from core import trainer_state
from core.stopping import TrainingStopped
from core.trainer_state import TrainerState
from explorer.choices.link import to_query
from explorer.choices.settings_table import SETTINGS
from explorer.training.history import LiveHistory
from explorer.training.run import Run

SETUP_GROUPS = ("data", "net", "train")    # what the link carries: never a view or class key


@dataclass
class HistoryCopy:
    """The live history's kept epochs: ``rows`` (n, 5 + 2L), laid out as ``LiveHistory.row``
    lays them out (test columns NaN without a test set). A capture only copies the history's
    lists (``lists``: epochs, cost, score, test cost, test score, ‖dW‖ and mean |δ| per layer);
    the rows are built when first asked for, on the keeper's writer thread."""

    n_layers: int
    has_test: bool
    metric: str
    budget: int
    per_octave: int
    lists: tuple | None = None
    _rows: np.ndarray | None = None

    @property
    def rows(self) -> np.ndarray:
        if self._rows is None:
            epochs, cost, score, test_cost, test_score, grad_norm, delta_mean = self.lists
            n, L = len(epochs), self.n_layers
            rows = np.full((n, 5 + 2 * L), np.nan)
            if n:
                rows[:, 0], rows[:, 1], rows[:, 2] = epochs, cost, score
                if self.has_test:
                    rows[:, 3], rows[:, 4] = test_cost, test_score
                rows[:, 5:5 + L], rows[:, 5 + L:] = grad_norm, delta_mean
            self._rows = rows
        return self._rows


@dataclass
class Checkpoint:
    """A run's state (see the module docstring)."""

    link: str
    data: str
    epoch: int
    running: bool
    saved_at: float
    message: str | None
    trainer: TrainerState
    history: HistoryCopy


def setup_link(cfg) -> str:
    """The run's data, network and training settings as a link query (no view, grid or class key)."""
    return urlencode({k: v for k, v in to_query(cfg).items() if SETTINGS[k].group in SETUP_GROUPS})


def data_digest(d) -> str:
    """A digest naming exactly the points a DataBundle trains, validates and tests on."""
    h = hashlib.blake2b(digest_size=16)
    for a in (d.X_train, d.y_train, d.X_test, d.y_test, d.X_val, d.y_val):
        a = np.zeros(0) if a is None else np.ascontiguousarray(a)
        h.update(repr((a.dtype.str, a.shape)).encode())
        h.update(a.tobytes())
    return h.hexdigest()


# ---- taking and putting back (the caller holds run.lock) ------------------------------------
def capture(run: Run, running: bool, memo: dict | None = None) -> Checkpoint | None:
    """The run's checkpoint now, or None when a reload could not rebuild it from its link (a
    network started from a model file) or it has nothing to train on yet. Copies only: the
    history's lists (their entries are never changed once recorded) and the trainer's arrays.
    ``memo``: a dict the caller keeps for the run, so that its link and its points' digest are
    worked out again only when its settings or data change (they are most of the cost)."""
    if run.cfg.net.start is not None or not run.trainable:
        return None
    if memo is None or memo.get("cfg") is not run.cfg or memo.get("data") is not run.data:
        memo = {} if memo is None else memo
        memo.update(cfg=run.cfg, data=run.data, link=setup_link(run.cfg), digest=data_digest(run.data))
    h = run.trainer.history
    lists = (list(h.epochs), list(h.cost), list(h.accuracy), list(h.test_cost), list(h.test_accuracy),
             list(h.grad_norm), list(h.delta_mean))
    return Checkpoint(memo["link"], memo["digest"], int(run.epoch), bool(running), time.time(), run.message,
                      trainer_state.capture(run.trainer),
                      HistoryCopy(len(run.net.layers), bool(h.test_cost), h.metric, h.budget, h.per_octave, lists))


def fits(ck: Checkpoint, run: Run) -> str | None:
    """None when ``ck`` is a checkpoint of this run's setup (same link, same points, arrays that
    fit its network and optimizer); else why not, as a sentence."""
    if ck.link != setup_link(run.cfg):
        return "it was taken with another setup"
    if ck.data != data_digest(run.data):
        return "it was taken on other points"
    if not run.trainable or run.cfg.net.start is not None:
        return "this run cannot take a checkpoint"
    if ck.history.n_layers != len(run.net.layers):
        return "its history has another number of layers"
    try:
        trainer_state.check_fits(run.trainer, ck.trainer)
    except ValueError as err:
        return str(err)
    return None


def restore(run: Run, ck: Checkpoint) -> None:
    """Put ``ck`` into ``run`` (which ``fits`` it): weights, optimizer, generator, epoch, history
    and message; the GIF's frames go on from here. The caller holds ``run.lock``."""
    h = ck.history
    trainer = run.trainer
    trainer_state.restore(trainer, ck.trainer)
    trainer.history = LiveHistory.restored(h.rows, h.n_layers, h.has_test, h.metric, h.budget, h.per_octave)
    run.message = ck.message
    run.stopped_by = TrainingStopped(ck.trainer.stopped) if ck.message and ck.trainer.stopped else None
    run.snapshots.record(run.epoch, run.net.parameters(), force=True)
    run.version += 1


__all__ = ["Checkpoint", "HistoryCopy", "capture", "data_digest", "fits", "restore", "setup_link"]
