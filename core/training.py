"""Mini-batch gradient descent, run a few steps or epochs at a time.

Examples are rows (X is (N, S_0)). ``Trainer`` owns everything a run needs
between calls — the optimizer's state, the shuffling generator, the position in
the current epoch and the history — so the explorer can train in short slices and
change the learning rate, batch size, optimizer or penalties in between without
resetting the network. ``train`` is the one-call form.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from .fast_step import StepBuffers, augment, forward_into, magnitudes
from .metrics import Scorer
from .optimizers import make_optimizer
from .schedules import Schedule
from .stopping import Stopping, TrainingStopped, Watch


class TrainingDiverged(ArithmeticError):
    """The cost, a gradient or a weight stopped being a finite number.

    The trainer has put the network back to the end of the last epoch in its history
    (the last whose numbers were all finite) and reset the optimizer's running averages,
    so training can go on from there, e.g. with a smaller learning rate.
    """


@dataclass
class History:
    """One entry per completed epoch; test lists stay empty without test data, ``val_cost`` (the
    validation loss, without the penalties) without validation rows.

    ``accuracy`` holds R² for a regression output (``metric`` says which).
    ``grad_norm[e][l]`` is ‖dJ/dW^(l+1)‖ and ``delta_mean[e][l]`` is mean |δ^(l+1)|,
    both averaged over the epoch's mini-batches.
    """

    metric: str = "accuracy"
    cost: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    test_cost: list = field(default_factory=list)
    test_accuracy: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    delta_mean: list = field(default_factory=list)
    val_cost: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.cost)

    def record(self, epoch: int, cost: float, score: float, test_cost: float | None, test_score: float | None,
               grad_norm: list, delta_mean: list, val_cost: float | None = None) -> None:
        """Append epoch ``epoch``'s numbers (the trainer calls this once per completed epoch).

        A caller that trains for a long time can hand the trainer another object with
        this method and these attributes (e.g. a bounded history that keeps some epochs);
        the trainer passes ``val_cost`` only when it has validation rows.
        """
        self.cost.append(cost)
        self.accuracy.append(score)
        if test_cost is not None:
            self.test_cost.append(test_cost)
            self.test_accuracy.append(test_score)
        self.grad_norm.append(grad_norm)
        self.delta_mean.append(delta_mean)
        if val_cost is not None:
            self.val_cost.append(val_cost)


class Trainer:
    """Trains ``net`` on (X, y) with mini-batches; see ``train`` for the arguments."""

    def __init__(self, net, X, y, *, optimizer: str = "sgd", learning_rate: float = 0.03,
                 batch_size: int | None = None, l1: float = 0.0, l2: float = 0.0, seed: int = 0,
                 X_test=None, y_test=None, history=None, schedule: Schedule | None = None,
                 X_val=None, y_val=None, stopping: Stopping | None = None):
        self.net = net
        self.X, self.T, self.X_test, self.T_test = check_data(net, X, y, X_test, y_test)
        # validation rows (carved from the training points by the caller): early stopping reads them
        self.X_val, self.T_val = check_data(net, X, y, X_val, y_val, "X_val")[2:]
        self._params = net.parameters()
        if not _all_finite(self._params):
            raise ValueError("the network's weights contain NaN or infinite values; build a new network")
        self._kept = [p.copy() for p in self._params]   # the weights at the last history entry
        self.learning_rate, self.batch_size, self.l1, self.l2 = learning_rate, batch_size, l1, l2
        self.optimizer = optimizer
        self.schedule = Schedule() if schedule is None else schedule
        self._watch, self.stopped, self.val_cost = Watch(), None, None   # stopped: a StopRecord once stopped
        self.stopping = Stopping() if stopping is None else stopping
        self.rng = np.random.default_rng(seed)
        # ``history``: any object with History's ``record`` and ``metric`` (default: a full History)
        self.history = History() if history is None else history
        self.history.metric = "accuracy" if net.is_classifier else "r2"
        self.epoch = 0                # completed epochs
        self._kept_epoch = 0          # the epoch whose end the kept weights are
        self._pos = 0                 # examples consumed in the current epoch
        self._order = None            # this epoch's permutation (mini-batch only)
        self._pending = False         # full batch: last epoch's scores come from the next forward
        self._sums = None             # per-layer sums of ‖dW‖ and mean|δ| over this epoch's batches
        self._n_batches = 0
        self.last_batch = None        # row indices of the last mini-batch (None: all rows)
        self._X_aug = augment(self.X)
        self._score = Scorer(net, self.T)
        self._bufs: dict[int, StepBuffers] = {}
        if self.X_test is not None:
            self._X_test_aug = augment(self.X_test)
            self._buffers_test = StepBuffers(net, self.X_test.shape[0])
            self._score_test = Scorer(net, self.T_test)
        if self.X_val is not None:
            self._X_val_aug = augment(self.X_val)
            self._buffers_val = StepBuffers(net, self.X_val.shape[0])
            self._score_val = Scorer(net, self.T_val)

    # ---- settings that may change between calls ----------------------------
    @property
    def learning_rate(self) -> float:
        return self._eta

    @learning_rate.setter
    def learning_rate(self, eta):
        self._eta = check_learning_rate(eta)

    @property
    def batch_size(self) -> int | None:
        return self._batch

    @batch_size.setter
    def batch_size(self, size):
        self._batch = check_batch_size(size, self.X.shape[0])

    @property
    def optimizer(self) -> str:
        return self._opt_name

    @optimizer.setter
    def optimizer(self, name):
        if getattr(self, "_opt_name", None) != name:
            self._opt = make_optimizer(name, self._params)
            self._opt_name = name

    @property
    def schedule(self) -> Schedule:
        """The learning-rate schedule (``core.schedules``); ``learning_rate`` is its base η."""
        return self._sched

    @schedule.setter
    def schedule(self, sched):
        if not isinstance(sched, Schedule):
            raise ValueError(f"schedule must be a core.schedules.Schedule, got {sched!r}")
        self._sched = sched

    @property
    def stopping(self) -> Stopping:
        """When the run stops by itself (``core.stopping``); a new rule lets a stopped run go on."""
        return self._watch.rule

    @stopping.setter
    def stopping(self, rule):
        if not isinstance(rule, Stopping):
            raise ValueError(f"stopping must be a core.stopping.Stopping, got {rule!r}")
        if rule.needs_validation and self.X_val is None:
            raise ValueError("early stopping on the validation loss needs validation rows (X_val, y_val): "
                             "carve some from the training points")
        if rule != self._watch.rule:
            self._watch.rule, self.stopped = rule, None

    @property
    def best_epoch(self) -> int | None:
        """The epoch with the lowest validation loss so far (None without validation rows)."""
        return self._watch.best_epoch

    @property
    def best_val_cost(self) -> float | None:
        """The lowest validation loss so far, at ``best_epoch`` (None without validation rows)."""
        return None if self._watch.best_epoch is None else self._watch.best_loss

    @property
    def t_now(self) -> float:
        """Where the next update starts, in epochs: completed epochs plus the share of this
        epoch's examples already used (the schedule's t; ``eta_now`` is η there)."""
        return self.epoch + self._pos / self.X.shape[0]

    @property
    def eta_now(self) -> float:
        """η of the next update: the base learning rate times the schedule's factor there."""
        N = self.X.shape[0]
        n = N - self._pos if self._batch is None else min(self._batch, N - self._pos)
        return self._eta_at(N, n)

    def _eta_at(self, N: int, n: int) -> float:
        """η for the update of the next ``n`` of the N examples (it spans t to t_end epochs)."""
        if self._sched.is_constant:
            return self._eta
        return self._eta * self._sched.factor(self.epoch + self._pos / N, self.epoch + (self._pos + n) / N)

    @property
    def l1(self) -> float:
        return self._l1

    @l1.setter
    def l1(self, rate):
        self._l1 = check_penalty("L1", rate)

    @property
    def l2(self) -> float:
        return self._l2

    @l2.setter
    def l2(self, rate):
        self._l2 = check_penalty("L2", rate)

    # ---- training ------------------------------------------------------------
    def step(self) -> bool:
        """One mini-batch update; returns True when it completed an epoch. Raises
        ``TrainingStopped`` when the stopping rule ends the run (and again while it stays so)."""
        if self.stopped is not None or self._watch.rule.at_epoch is not None:
            self._check_stop()
        net, N = self.net, self.X.shape[0]
        if self._batch is None:                      # full batch, data in its own order
            idx, Xa, Tb = None, self._X_aug, self.T
        else:
            if self._pos == 0:
                self._order = self.rng.permutation(N)
            idx = self._order[self._pos:self._pos + self._batch]
            Xa, Tb = self._X_aug[idx], self.T[idx]
        buf = self._buffers(Xa.shape[0])
        a = forward_into(net, buf, Xa)
        if self._pending:                            # full batch: scores of the previous epoch
            self._pending = False
            self._record(a)
        net.backward(buf.fwd, Tb, self._l1, self._l2, out=buf.bwd)    # (B1)–(B4), into the buffers
        norms, means = magnitudes(buf)
        if not math.isfinite(sum(norms)):
            raise self._diverged("a gradient became infinite or NaN")
        self._accumulate(norms, means)
        self.last_batch = idx
        eta = self._eta_at(N, Xa.shape[0])                               # the schedule's η here
        self._opt.step(self._params, buf.bwd.dWb, eta)                   # the update; sgd is (U1)
        self._pos += Xa.shape[0]
        if self._pos < N:
            return False
        self._pos = 0
        self.epoch += 1
        if self._batch is None:
            self._pending = True
        else:
            self._record(forward_into(net, self._buffers(N), self._X_aug))
        return True

    def _check_stop(self):
        if self.stopped is None and self._pos == 0 and 0 < self._watch.rule.at_epoch <= self.epoch:
            self.flush()       # full batch: the epoch's record is pending (the rule may stop there)
            self.stopped = self._watch.stop(self.epoch, "the epoch chosen to stop at", self._params)
        if self.stopped is not None:
            raise TrainingStopped(self.stopped)

    def _buffers(self, n: int) -> StepBuffers:
        buf = self._bufs.get(n)
        if buf is None:
            buf = self._bufs[n] = StepBuffers(self.net, n)
        return buf

    def run_epochs(self, n: int = 1) -> History:
        """Run until ``n`` more epochs are complete; returns the history."""
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"epochs must be a whole number ≥ 0, got {n!r}")
        for _ in range(n):
            while not self.step():
                pass
        self.flush()
        return self.history

    def flush(self) -> None:
        """Record a full-batch epoch whose scores are still pending."""
        if self._pending:
            self._pending = False
            self._record(forward_into(self.net, self._buffers(self.X.shape[0]), self._X_aug))

    # ---- bookkeeping ------------------------------------------------------------
    def _accumulate(self, norms, means):
        if self._sums is None:
            self._sums = [list(norms), list(means)]
        else:
            for i, (g, d) in enumerate(zip(norms, means)):
                self._sums[0][i] += g
                self._sums[1][i] += d
        self._n_batches += 1

    def _record(self, a_train):
        h, net = self.history, self.net
        cost, score = self._score(a_train)
        if self._l1 or self._l2:
            cost += net.penalty(self._l1, self._l2)
        if not math.isfinite(cost):
            raise self._diverged(f"the cost became {cost}")
        # A weight can be inf while the cost stays finite (tanh(±inf) = ±1): check them too.
        if not _all_finite(self._params):
            raise self._diverged("a weight became infinite or NaN")
        for kept, p in zip(self._kept, self._params):
            np.copyto(kept, p)
        self._kept_epoch = self.epoch
        test_cost = test_score = None
        if self.X_test is not None:
            test_cost, test_score = self._score_test(forward_into(net, self._buffers_test, self._X_test_aug))
        if self.X_val is not None:       # the validation loss, without the penalties (as the test's)
            self.val_cost = self._score_val(forward_into(net, self._buffers_val, self._X_val_aug))[0]
        k = self._n_batches
        val = {} if self.X_val is None else {"val_cost": self.val_cost}
        h.record(self.epoch, cost, score, test_cost, test_score, [g / k for g in self._sums[0]],
                 [d / k for d in self._sums[1]], **val)
        self._sums, self._n_batches = None, 0
        stop = self._watch.after_epoch(self.epoch, cost, score, self.val_cost, self._params, h.metric)
        if stop is not None:
            self.stopped = stop
            for kept, p in zip(self._kept, self._params):      # (the best epoch's, if restored)
                np.copyto(kept, p)
            raise TrainingStopped(stop)

    def _diverged(self, what: str) -> TrainingDiverged:
        """Put the network back to the last history entry and build the exception to raise."""
        epoch = self._kept_epoch + 1                 # the epoch that went wrong
        for p, kept in zip(self._params, self._kept):
            np.copyto(p, kept)
        self.epoch = self._kept_epoch
        self._pos, self._order, self._pending = 0, None, False
        self._sums, self._n_batches, self.last_batch = None, 0, None
        self._opt = make_optimizer(self._opt_name, self._params)    # running averages may hold inf
        back = (f"their values after epoch {self.epoch}, the last with a finite cost" if self.epoch
                else "their starting values")
        return TrainingDiverged(
            f"Training diverged in epoch {epoch}: {what}. The weights are back to {back}. Try a smaller "
            f"learning rate (now {self._eta:g}), the adam optimizer, or another initialiser.")


def _is_real(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


# ---- the checks a setting passes before training uses it (the sweep makes the same) ----------
def check_learning_rate(eta) -> float:
    if not (_is_real(eta) and math.isfinite(eta) and eta > 0):
        raise ValueError(f"learning rate must be a positive number, got {eta!r}")
    return float(eta)


def check_batch_size(size, n_examples: int) -> int | None:
    """The batch size as the trainer holds it: None for the full batch (also when ≥ n_examples)."""
    if size is not None and (not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 1):
        raise ValueError(f"batch size must be a whole number ≥ 1 (or None for the full batch), got {size!r}")
    return None if size is None or size >= n_examples else int(size)


def check_penalty(name, rate) -> float:
    if not (_is_real(rate) and math.isfinite(rate) and rate >= 0):
        raise ValueError(f"{name} rate must be a number ≥ 0, got {rate!r}")
    return float(rate)


def check_data(net, X, y, X_test=None, y_test=None, held="X_test"):
    """(X (N, S_0), T (N, S_L), X_test or None, T_test or None), checked against ``net``'s input
    and output layers: finite, one target per example, at least one training example.
    ``held`` names the held-out rows in messages (X_test, X_val)."""
    X, T = net.check_X(X), net.targets(y)
    if X.shape[0] != T.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {T.shape[0]}; give one target per example")
    if X.shape[0] == 0:
        raise ValueError("there are no training examples")
    _check_finite("X", X)
    if X_test is None or np.asarray(X_test).size == 0:
        return X, T, None, None
    X_test, T_test = net.check_X(X_test), net.targets(y_test)
    _check_finite(held, X_test)
    if X_test.shape[0] != T_test.shape[0]:
        raise ValueError(f"{held} has {X_test.shape[0]} rows but y{held[1:]} has {T_test.shape[0]}; "
                         f"give one target per example")
    return X, T, X_test, T_test


def _check_finite(name, X):
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinite values; remove or fill in those examples")


def _all_finite(params) -> bool:
    # One reduction per layer: the sum is finite only if every entry is.
    return math.isfinite(sum(float(p.sum()) for p in params))


def train(net, X, y, *, optimizer: str = "sgd", learning_rate: float = 0.03, epochs: int = 1,
          batch_size: int | None = None, l1: float = 0.0, l2: float = 0.0, seed: int = 0,
          X_test=None, y_test=None, schedule: Schedule | None = None, X_val=None, y_val=None,
          stopping: Stopping | None = None) -> History:
    """Train ``net`` in place for ``epochs`` epochs and return the per-epoch history.

    X (N, S_0); y labels (N,) or targets (N, S_L). ``batch_size=None`` is the full
    batch (classic gradient descent, data in its own order); otherwise the data are
    reshuffled every epoch from ``seed``. Penalties: l1·Σ|W| + (l2/2)·ΣW² (no biases).
    ``schedule``: a ``core.schedules.Schedule`` (default: constant η). ``stopping``: a
    ``core.stopping.Stopping`` rule, reading the validation rows ``X_val``/``y_val``; a stopped
    run ends early (the history says where) and ``train`` returns normally.
    Raises ``TrainingDiverged`` if the cost or a gradient stops being finite.
    """
    trainer = Trainer(net, X, y, optimizer=optimizer, learning_rate=learning_rate, batch_size=batch_size,
                      l1=l1, l2=l2, seed=seed, X_test=X_test, y_test=y_test, schedule=schedule,
                      X_val=X_val, y_val=y_val, stopping=stopping)
    try:
        return trainer.run_epochs(epochs)
    except TrainingStopped:
        return trainer.history
