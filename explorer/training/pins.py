"""Pinned runs: a Live run kept, with its final weights and a bounded history, to compare later.

A ``Pin`` holds what the Compare view shows of a run, whatever happened to it: the final network
(each layer's Wb = [W | b], (S_l, S_{l−1} + 1)), its input pipeline, its history as the live view
keeps it (at most ``LiveHistory``'s budget of epochs, log-spaced), the plane it was drawn on and
its training points (raw (N, 2), labels or targets (N,)). Its numbers are stored, never recomputed,
so a pin shows the same numbers from a link, from a file or in the session that pinned it.

``pin_run`` also decides how it travels: a run whose replay from its setup (the Run the Live
view builds, trained ``epoch`` epochs: ``replay``) gives the same costs, to ``TOLERANCE``, at every
kept epoch and the same final weights gets a ``PinLink`` (its setup and epoch count); a run that
changed settings mid-run, had points drawn, started from a model file or stepped part of an
epoch does not, and ``why`` says so: it travels as a file (``explorer.training.pin_file``).
``pin_from_link`` re-trains a link's pin. Nothing here calls Streamlit; ``data_for(DataConfig)``
is the page's data cache.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace

import numpy as np

from core import Network, TrainingDiverged
from core.pipeline import InputPipeline
from explorer.choices.config import Config
from explorer.choices.link import from_query
from explorer.choices.pin_link import PinLink
from explorer.choices.settings_table import SETTINGS
from explorer.training.run import DataBundle, Run, build_data

TOLERANCE = 1e-12               # a replay's costs and weights equal the run's to this (absolute)
# A replay (to check a pin, or to open a link's) is estimated to take at most this long (``replay_seconds``:
# per update, about 40 µs of Python and numpy calls; per training point and weight, a few ns. Measured on
# this machine: Ng's flower, 4 tanh units, 3,792 epochs in 0.19 s; 2 layers of 50 in 0.5 ms an epoch;
# batches of 8 at 30 µs an update). Longer runs travel as a file.
MAX_REPLAY_S = 3.0
STEP_S, POINT_WEIGHT_S = 4e-5, 3e-9
FIELDS = ("epoch", "cost", "score", "test_cost", "test_score")     # a pin's history, (E,) each


@dataclass(frozen=True, eq=False)
class Pin:
    """One pinned run (see the module docstring). ``history``: FIELDS → (E,) float arrays (NaN
    where there is no number: no test set); ``plane``: (x1 lo, x1 hi, x2 lo, x2 hi); ``X`` (N, 2)
    and ``y`` (N,) its training points; ``setup``: ((key, text), ...) of its data, network and
    training settings that differ from the defaults; ``link``: its link form when a replay gives
    its numbers, else None and ``why`` (completing "it travels as a file because ...")."""

    name: str
    setup: tuple
    epoch: int
    net: Network
    pipeline: InputPipeline
    history: dict
    plane: tuple
    X: np.ndarray
    y: np.ndarray
    problem: str
    metric: str
    training: dict              # optimizer, learning_rate, batch_size, l1, l2 at the end (a model file's)
    link: PinLink | None = None
    why: str = ""
    uid: str = field(default_factory=lambda: secrets.token_hex(6))

    @property
    def has_test(self) -> bool:
        return bool(np.isfinite(self.history["test_cost"]).any())

    def latest(self, key: str) -> float:
        """The last recorded ``key`` (FIELDS), NaN when there is none."""
        h = self.history[key]
        return float(h[-1]) if len(h) else float("nan")


def setup_fields(cfg: Config) -> tuple:
    """((key, text), ...): ``cfg``'s data, network and training settings that differ from their
    defaults (Speed aside), as its link writes them (points: only the count)."""
    out = []
    for s in SETTINGS.values():
        if s.group in ("data", "net", "train") and s.in_url and s.key != "speed":
            value = getattr(getattr(cfg, s.group), s.field)
            if value != s.default:
                text = f"{len(value.y)} points" if s.key == "pts" else s.fmt(value)
                out.append((s.key, text))
    return tuple(out)


def pin_name(cfg: Config) -> str:
    """A short name: dataset · hidden layers · η."""
    layers = ", ".join(f"{w} {a}" for w, a in cfg.net.hidden) or "no hidden layer"
    data = "your points" if cfg.data.points is not None else SETTINGS["ds"].title(cfg.data.dataset)
    return f"{data} · {layers} · η {cfg.train.learning_rate:g}"


def snapshot(run: Run, link: PinLink | None = None, why: str = "") -> Pin:
    """The run as it is now (call under ``run.lock``): copies of its weights, history and points."""
    cfg, d, net = run.cfg, run.data, run.net
    copy = Network(net.n_inputs, [(layer.size, layer.activation.name) for layer in net.layers], net.loss.name,
                   seed=net.seed, init=net.init)
    for mine, theirs in zip(copy.parameters(), net.parameters()):
        np.copyto(mine, theirs)
    h, t = run.trainer.history, cfg.train
    training = {"optimizer": t.optimizer, "learning_rate": t.learning_rate, "batch_size": t.batch_size,
                "l1": t.l1, "l2": t.l2}
    nan = [float("nan")] * len(h.cost)
    history = {"epoch": np.array(h.epochs, dtype=float), "cost": np.array(h.cost, dtype=float),
               "score": np.array(h.accuracy, dtype=float),
               "test_cost": np.array(h.test_cost or nan, dtype=float),
               "test_score": np.array(h.test_accuracy or nan, dtype=float)}
    return Pin(pin_name(cfg), setup_fields(cfg), int(run.epoch), copy, d.pipeline, history,
               (float(d.xs[0]), float(d.xs[-1]), float(d.ys[0]), float(d.ys[-1])), d.X_train.copy(),
               d.y_train.copy(), d.problem, h.metric,
               training, link, why)


def data_of(cfg: Config, data_for) -> DataBundle:
    """The data a setup trains on: own points built here, a named set from the page's cache."""
    return build_data(cfg.data) if cfg.data.points is not None else data_for(cfg.data)


def replay_seconds(data: DataBundle, cfg: Config, epochs: int) -> float:
    """About how long re-training a setup takes (see MAX_REPLAY_S)."""
    units, _, _ = cfg.resolve_output(data.problem, data.n_classes)
    sizes = [len(data.feature_ids)] + [w for w, _ in cfg.net.hidden] + [units]
    n, b = len(data.y_train), cfg.train.batch_size
    steps = 1 if b is None else -(-n // b)
    return float(epochs) * (steps * STEP_S + n * sum(a * (c + 1) for a, c in zip(sizes[1:], sizes)) * POINT_WEIGHT_S)


def replay(cfg: Config, epochs: int, data: DataBundle) -> Run:
    """The Run the Live view builds for ``cfg``, trained ``epochs`` epochs (a divergence stops it
    where the live run would have stopped)."""
    run = Run(cfg, data)
    if epochs and run.trainable:
        try:
            run.trainer.run_epochs(epochs)
        except TrainingDiverged as err:
            run.message = str(err)
    return run


def same_numbers(a: Pin, b: Pin) -> bool:
    """The same kept epochs, costs (training and test) to TOLERANCE and final weights to TOLERANCE."""
    if a.epoch != b.epoch or not np.array_equal(a.history["epoch"], b.history["epoch"]):
        return False
    for key in ("cost", "test_cost"):
        x, y = a.history[key], b.history[key]
        if not np.array_equal(np.isnan(x), np.isnan(y)) or np.nanmax(np.abs(x - y), initial=0.0) > TOLERANCE:
            return False
    pa, pb = a.net.parameters(), b.net.parameters()
    return [p.shape for p in pa] == [p.shape for p in pb] and all(
        np.max(np.abs(p - q), initial=0.0) <= TOLERANCE for p, q in zip(pa, pb))


def pin_run(run: Run, data_for, link_of) -> Pin:
    """Pin ``run`` now. ``link_of(cfg, epochs)`` gives a setup's ``PinLink`` (the settings table's
    ``pin`` row: ``PinText.link_of``). The pin gets that link when a replay of the link's setup
    gives the same numbers; otherwise ``why`` says what kept it out of the link."""
    with run.lock:
        pin = snapshot(run)
        cfg, trainable = run.cfg, run.trainable
    if cfg.net.start is not None:
        return replace(pin, why="it started from a model file's weights, which a link does not carry")
    if not trainable:
        return replace(pin, why="it has no training points")
    link = link_of(cfg, pin.epoch)
    if link is None:
        return replace(pin, why="its points are more than a link carries")
    return check_link(pin, link, data_for)


def check_link(pin: Pin, link: PinLink, data_for) -> Pin:
    """``pin`` with ``link`` when re-training the link's setup gives its numbers, else with ``why``."""
    back, notices = from_query(link.query)
    if notices or link.error or link.epochs != pin.epoch:
        return replace(pin, link=None, why="its setup does not read back from a link")
    try:
        data = data_of(back, data_for)
        too_long = replay_seconds(data, back, pin.epoch) > MAX_REPLAY_S
    except ValueError:
        return replace(pin, link=None, why="its setup does not read back from a link")
    if too_long:
        return replace(pin, link=None, why="re-training it from a link would take too long")
    again = replay(back, pin.epoch, data)
    with again.lock:
        twin = snapshot(again)
    if not same_numbers(pin, twin):
        return replace(pin, link=None, why="a replay of its setup gives other numbers (its settings or points "
                                           "changed while it trained, or it stopped inside an epoch)")
    return replace(pin, link=link, why="")


def pin_from_link(link: PinLink, data_for) -> Pin:
    """Re-train a link's pin; ValueError (completing "it ...") when it cannot be opened."""
    if link.error:
        raise ValueError(link.error)
    cfg, notices = from_query(link.query)
    if notices:
        raise ValueError("has a setup this page cannot open exactly: " + " ".join(notices))
    try:
        data = data_of(cfg, data_for)
        if replay_seconds(data, cfg, link.epochs) > MAX_REPLAY_S:
            raise ValueError(f"would take too long to re-train ({link.epochs:,} epochs of this network)")
        run = replay(cfg, link.epochs, data)
    except ValueError as err:
        raise ValueError(str(err)) from None
    with run.lock:
        return snapshot(run, link)


__all__ = ["Pin", "pin_run", "pin_from_link", "replay", "snapshot", "same_numbers", "MAX_REPLAY_S"]
