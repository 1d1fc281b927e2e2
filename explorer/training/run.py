"""One learner's exploration: the data, the network, its trainer and the run state.

A ``Run`` lives in that learner's ``st.session_state`` only (never in a module
global or ``st.cache_resource``), so sessions never see each other's networks.
Nothing here calls Streamlit. Examples are rows; the grid over the input plane
is G×G points, flattened row by row (x2 outer, x1 inner).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

import numpy as np

from core import Network, Trainer, TrainingDiverged, datasets
from core.stopping import TrainingStopped
from core.features import train_test_split
from core.pipeline import InputPipeline
from core.snapshots import WeightSnapshots
from explorer.training.eta_plan import EtaPlan
from explorer.training.history import LiveHistory
from explorer.choices.config import Config, DataConfig, TrainConfig
from explorer.choices.instruments import schedule_of, stopping_of

GRID = 100          # boundary resolution (TF Playground draws 100×100)
TILE_STRIDE = 5     # neuron tiles sample every 5th grid point: 20×20
EMPTY_EXTENT = 6.0  # the plane shown for a set with no points yet: [−6, 6]², as TF Playground's


@dataclass
class DataBundle:
    """Everything derived from a DataConfig: raw points, feature matrices and the grid."""

    problem: str
    n_classes: int | None
    pipeline: InputPipeline # raw (x1, x2) -> network inputs, fitted on the training points
    X_train: np.ndarray     # (N_train, 2) raw points
    y_train: np.ndarray
    X_test: np.ndarray      # (N_test, 2)
    y_test: np.ndarray
    F_train: np.ndarray     # (N_train, F) what the network sees
    F_test: np.ndarray
    xs: np.ndarray          # (G,) grid axes
    ys: np.ndarray
    F_grid: np.ndarray      # (G*G, F)
    X_val: np.ndarray | None = None     # (N_val, 2) validation points, carved from the training points
    y_val: np.ndarray | None = None
    F_val: np.ndarray | None = None     # (N_val, F)

    @property
    def feature_ids(self) -> tuple:
        return self.pipeline.features


def build_data(cfg: DataConfig) -> DataBundle:
    """Generate the named dataset (or take the learner's own ``cfg.points``), split,
    featurise and grid the data. Own points that mark their test rows keep that split."""
    own = cfg.points
    if own is not None:
        X, y, problem = own.X, own.y, own.problem
        n_classes = own.n_classes
    else:
        spec = datasets.DATASETS[cfg.dataset]
        X, y = datasets.make(cfg.dataset, n_samples=cfg.n_samples, noise=cfg.noise, seed=cfg.seed,
                             n_classes=cfg.n_classes if spec.multiclass else None)
        problem = spec.problem
        n_classes = (cfg.n_classes or spec.n_classes) if problem == "classification" else None
    classify = problem == "classification"
    if own is not None and own.is_test is not None:
        X_tr, X_te, y_tr, y_te = X[~own.is_test], X[own.is_test], y[~own.is_test], y[own.is_test]
    elif cfg.test_ratio > 0 and len(y) > 1:
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, cfg.test_ratio, seed=cfg.seed, stratify=classify)
    else:
        X_tr, X_te, y_tr, y_te = X, X[:0], y, y[:0]
    X_va, y_va = X_tr[:0], y_tr[:0]     # validation rows: the training points' share, as the test share
    if cfg.val_ratio > 0 and len(y_tr) > 2:
        X_tr, X_va, y_tr, y_va = train_test_split(X_tr, y_tr, cfg.val_ratio, seed=cfg.seed + 1, stratify=classify)
    if own is not None and own.extent is not None:
        extent = own.extent               # drawn points: the plane stays put while the learner clicks
    else:
        extent = float(np.ceil(np.abs(X).max() * 1.1 * 2) / 2) if len(X) else EMPTY_EXTENT
    xs = np.linspace(-extent, extent, GRID)
    ys = xs.copy()
    gx, gy = np.meshgrid(xs, ys)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    pipe = InputPipeline.fit(X_tr, cfg.features, cfg.standardize and len(X_tr) > 0)
    F_tr, F_te, F_grid = (pipe.transform(A) for A in (X_tr, X_te, grid))
    return DataBundle(problem, n_classes, pipe, X_tr, y_tr, X_te, y_te, F_tr, F_te, xs, ys, F_grid,
                      X_va, y_va, pipe.transform(X_va))


class Untrained:
    """Stands in for a Trainer while the learner's own set has no training point: the
    network exists (its surface can be drawn, points can be clicked in), nothing trains."""

    def __init__(self, net: Network, t: TrainConfig, history: LiveHistory):
        self.net, self.history, self.epoch = net, history, 0
        self.optimizer, self.learning_rate, self.batch_size, self.l1, self.l2 = (
            t.optimizer, t.learning_rate, t.batch_size, t.l1, t.l2)
        self.schedule = schedule_of(t)

    @property
    def eta_now(self) -> float:
        return self.learning_rate

    @property
    def t_now(self) -> float:
        return float(self.epoch)

    def step(self) -> bool:
        raise TrainingDiverged("There are no training points yet: click on the plane to add some.")

    def run_epochs(self, n: int = 1):
        self.step()

    def flush(self) -> None:
        pass


class Run:
    """A network being trained on one DataBundle, in short slices."""

    def __init__(self, cfg: Config, data: DataBundle):
        self.cfg, self.data = cfg, data
        # The page's script thread and the live channel's training thread both touch a
        # Run: whoever changes or reads the network holds this lock (a slice, a click).
        self.lock = threading.RLock()
        self.version = 0                   # bumps whenever the parameters change
        self.epoch_limit: int | None = None     # a class's task stops the run here (explorer.rooms.task)
        self._grid_cache = (-1, None)
        self.reset()

    def reset(self) -> None:
        """Back to the starting weights (the weights seed's draw, or a model file's), an empty history,
        paused: training from here replays the run bit for bit."""
        cfg, data = self.cfg, self.data
        units, out, loss = cfg.resolve_output(data.problem, data.n_classes)
        layers = [tuple(layer) for layer in cfg.net.hidden] + [(units, out)]
        self.net = Network(len(data.feature_ids), layers, loss, seed=cfg.net.seed, init=cfg.net.init)
        if cfg.net.start is not None:                  # weights imported from a model file
            cfg.net.start.copy_into(self.net)
        self.snapshots = WeightSnapshots()             # spaced copies of the weights, for the GIF
        self.snapshots.record(0, self.net.parameters())
        # The live view keeps a bounded history (a fixed budget of epochs, log-spaced):
        # memory stays flat however long a learner trains.
        self.trainer = self._trainer(cfg, data, LiveHistory())
        tr = self.trainer       # what η each update uses, for the curve under the loss (eta_plan)
        self.eta_plan = EtaPlan(tr.learning_rate, tr.batch_size, len(data.y_train), tr.schedule)
        self.message: str | None = None    # divergence advice, shown until the next reset
        self.stopped_by: TrainingStopped | None = None   # why the stopping rule ended the run (in message)
        self.version += 1

    def _trainer(self, cfg: Config, data: DataBundle, history: LiveHistory):
        """A Trainer for ``data`` (or, with no training point yet, a stand-in that cannot train)."""
        t = cfg.train
        if len(data.y_train) == 0:
            return Untrained(self.net, t, history)
        val = data.F_val is not None and len(data.F_val) > 0
        return Trainer(self.net, data.F_train, data.y_train, optimizer=t.optimizer, learning_rate=t.learning_rate,
                       batch_size=t.batch_size, l1=t.l1, l2=t.l2, seed=cfg.net.seed, schedule=schedule_of(t),
                       X_val=data.F_val if val else None, y_val=data.y_val if val else None,
                       stopping=stopping_of(t, val),
                       X_test=data.F_test if len(data.F_test) else None,
                       y_test=data.y_test if len(data.y_test) else None, history=history)

    @property
    def trainable(self) -> bool:
        """False while the learner's own set has no training point (nothing to learn from)."""
        return isinstance(self.trainer, Trainer)

    def fits(self, data: DataBundle) -> bool:
        """True when this network's input and output layers fit ``data`` (same inputs, and
        the output the data call for is the one the network has)."""
        units, out, loss = self.cfg.resolve_output(data.problem, data.n_classes)
        last = self.net.layers[-1]
        return (data.feature_ids == self.data.feature_ids
                and (units, out, loss) == (last.size, last.activation.name, self.net.loss.name))

    def set_data(self, cfg: Config, data: DataBundle) -> None:
        """Train on new points from here on (the learner drew or removed some): the weights,
        the epoch count and the curves go on; the optimizer's running averages restart."""
        with self.lock:
            old = self.trainer
            self.cfg, self.data = cfg, data
            self.trainer = self._trainer(cfg, data, old.history)
            self.trainer.epoch = old.epoch
            self._note_eta()
            self.message = None
            self.version += 1

    # ---- live settings ---------------------------------------------------------
    def apply_train(self, t: TrainConfig) -> None:
        """Change learning rate, batch size, optimizer, penalties and the learning-rate schedule
        without a reset (a new learning rate is the schedule's base from the next update on)."""
        with self.lock:               # never between two steps of the scheduler's slice
            tr = self.trainer
            tr.learning_rate, tr.batch_size, tr.optimizer, tr.l1, tr.l2, tr.schedule = (
                t.learning_rate, t.batch_size, t.optimizer, t.l1, t.l2, schedule_of(t))
            tr.stopping = stopping_of(t, getattr(tr, "X_val", None) is not None)
            if self.stopped_by is not None and getattr(tr, "stopped", None) is None:   # a new rule: go on
                self.message = self.stopped_by = None
            self.cfg = replace(self.cfg, train=t)
            self._note_eta()

    def _note_eta(self) -> None:
        """The trainer's η, batch and schedule from its next update on, in the η plan."""
        tr = self.trainer
        self.eta_plan.note(tr.t_now, tr.learning_rate, tr.batch_size, len(self.data.y_train), tr.schedule)

    # ---- training ----------------------------------------------------------------
    def train_for(self, budget_s: float) -> int:
        """Train for ``budget_s`` seconds (tests and benchmarks); returns the updates done
        (epochs, when training full-batch)."""
        return self.train_steps(1 << 62, time.perf_counter() + budget_s)

    def train_steps(self, n: int, deadline: float) -> int:
        """At most ``n`` mini-batch updates (full batch: epochs), stopping at ``deadline``
        (perf_counter); returns the updates done. The live channel's scheduler calls this."""
        done, tr = 0, self.trainer
        try:
            while done < n:
                if self._at_limit():
                    break
                tr.step()
                self._snap()
                done += 1
                if done % 4 == 0 and time.perf_counter() >= deadline:
                    break
            tr.flush()
        except (TrainingDiverged, TrainingStopped) as err:   # (a stop says why, as divergence does)
            self._diverged(err)
        if done:
            self.version += 1
        return done

    @property
    def steps_per_epoch(self) -> int:
        b, n = self.trainer.batch_size, self.trainer.X.shape[0]
        return 1 if b is None else -(-n // b)

    def step_epoch(self) -> None:
        """Exactly one more epoch (finishing the current one if a mini-batch step began it)."""
        if self._at_limit():
            return
        try:
            self.trainer.run_epochs(1)
            self._snap()
        except (TrainingDiverged, TrainingStopped) as err:   # (a stop says why, as divergence does)
            self._diverged(err)
        self.version += 1

    def step_batch(self) -> None:
        """One mini-batch update (the whole batch when training full-batch)."""
        if self._at_limit():
            return
        try:
            self.trainer.step()
            self.trainer.flush()
            self._snap()
        except (TrainingDiverged, TrainingStopped) as err:   # (a stop says why, as divergence does)
            self._diverged(err)
        self.version += 1

    def _at_limit(self) -> bool:
        """At the task's epoch limit: say so (whoever trains sees ``message`` and pauses)."""
        if self.epoch_limit is None or self.trainer.epoch < self.epoch_limit:
            return False
        self.message = (f"The task stops at {self.epoch_limit:,} epochs: this network has trained as far as it "
                        "may. Reset to train it again, or change a setting the task leaves free.")
        return True

    def _snap(self) -> None:
        """Keep the weights if a GIF frame is due at this epoch (one int compare when not)."""
        self.snapshots.record(self.trainer.epoch, self.net.parameters())

    def _diverged(self, err: Exception) -> None:
        self.snapshots.truncate(self.trainer.epoch)   # the trainer went back to this epoch
        self.message = str(err)       # (whoever trains sees it and pauses: channel.session)
        self.stopped_by = err if isinstance(err, TrainingStopped) else None
        self.version += 1             # the trainer restored earlier weights: redraw

    # ---- what the views need -------------------------------------------------------
    @property
    def epoch(self) -> int:
        return self.trainer.epoch

    def grid_activations(self) -> list[np.ndarray]:
        """a^(l) over the grid for l = 0..L, each (G*G, S_l); cached per parameter version."""
        version, acts = self._grid_cache
        if version != self.version or acts is None:
            acts = self.net.forward(self.data.F_grid).A
            self._grid_cache = (self.version, acts)
        return acts
