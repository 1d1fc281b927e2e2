"""Learning-rate schedules, keyed by the name the UI shows: η_u = η · f(t) for update u.

A schedule multiplies the learning rate η (its *base*) by a factor. The factor depends on
where the update falls, counted in epochs from the updates done: the update that covers
the training examples from position p to p + n of epoch e (0-based, N examples) spans
``t = e + p/N`` to ``t_end = e + (p + n)/N``. Full batch: one update an epoch, t = e. With
mini-batches t moves on by n/N each update, so a cosine falls a little every mini-batch.
The schedule's parameters are in epochs (the loss curve's axis).

A learning rate changed while the run plays is the new base: η_u = η_new · f(t) from
that update on (the factor never depends on η). Linear warm-up comes before any schedule:
for t < W, f = min(t_end / W, 1), and the schedule then starts at τ = t − W = 0.

Each entry has ``fn(tau, s)`` (the factor at τ epochs after warm-up, for the settings
``s``: a ``Schedule``), its label, its TeX, the parameters it ``uses`` and ``py``: the same
expression as Python text, which the exported script prints (``tests/test_schedules.py``
proves text and function equal, bit for bit).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

PARAMS = ("period", "gamma", "floor", "restarts")   # what an entry may use (besides warm-up)
MAX_EPOCHS = 1_000_000                              # the longest period or warm-up accepted


@dataclass(frozen=True)
class Entry:
    """One schedule: factor ``fn(tau, s)``, the same as Python text ``py`` (names tau,
    PERIOD, GAMMA, FLOOR, RESTARTS and the math module), label, TeX, the parameters used."""

    name: str
    fn: object
    py: str
    label: str
    tex: str
    uses: tuple = ()


def _cosine(tau, s):
    c = tau % s.period if s.restarts else min(tau, s.period)
    return s.floor + (1.0 - s.floor) * 0.5 * (1.0 + math.cos(math.pi * c / s.period))


SCHEDULES = {e.name: e for e in (
    Entry("constant", lambda tau, s: 1.0, "1.0", "Constant", r"\eta_t = \eta"),
    Entry("step", lambda tau, s: s.gamma ** math.floor(tau / s.period),
          "GAMMA ** math.floor(tau / PERIOD)", "Step (× γ every k epochs)",
          r"\eta_t = \eta\,\gamma^{\lfloor t/k \rfloor}", ("period", "gamma")),
    Entry("exponential", lambda tau, s: s.gamma ** (tau / s.period),
          "GAMMA ** (tau / PERIOD)", "Exponential (× γ per k epochs, smoothly)",
          r"\eta_t = \eta\,\gamma^{t/k}", ("period", "gamma")),
    Entry("cosine", _cosine,
          "FLOOR + (1.0 - FLOOR) * 0.5 * (1.0 + math.cos(math.pi * (tau % PERIOD if RESTARTS else "
          "min(tau, PERIOD)) / PERIOD))", "Cosine (optional restarts)",
          r"\eta_t = \eta\,\big(f + (1-f)\,\tfrac12(1 + \cos \pi t/T)\big)", ("period", "floor", "restarts")),
    Entry("triangle", lambda tau, s: s.floor + (1.0 - s.floor) * (1.0 - abs(2.0 * (tau / s.period % 1.0) - 1.0)),
          "FLOOR + (1.0 - FLOOR) * (1.0 - abs(2.0 * (tau / PERIOD % 1.0) - 1.0))", "Cyclical triangle",
          r"\eta_t = \eta\,\big(f + (1-f)(1 - |2\,\mathrm{frac}(t/T) - 1|)\big)", ("period", "floor")),
)}


@dataclass(frozen=True)
class Schedule:
    """A schedule and its parameters, all in epochs: ``period`` (step's and exponential's k,
    cosine's T, the triangle's whole cycle), ``gamma`` (the factor per period, 0 < γ ≤ 1),
    ``floor`` (the lowest factor of cosine and triangle, 0 ≤ f ≤ 1), ``restarts`` (cosine
    starts again every period) and ``warmup`` (W epochs of linear warm-up, 0: none).
    Checked when built: ValueError names the bad value and lists the valid ones."""

    name: str = "constant"
    period: int = 100
    gamma: float = 0.5
    floor: float = 0.0
    restarts: bool = False
    warmup: int = 0

    def __post_init__(self):
        if not isinstance(self.name, str) or self.name not in SCHEDULES:
            raise ValueError(f"unknown schedule {self.name!r}; choose one of {', '.join(SCHEDULES)}")
        _whole(self.period, "the schedule's period", 1)
        _whole(self.warmup, "the warm-up", 0)
        _real(self.gamma, "γ (gamma)", 0.0, 1.0, lo_open=True)
        _real(self.floor, "the floor", 0.0, 1.0)
        if not isinstance(self.restarts, bool):
            raise ValueError(f"restarts must be true or false, got {self.restarts!r}")
        object.__setattr__(self, "gamma", float(self.gamma))
        object.__setattr__(self, "floor", float(self.floor))
        object.__setattr__(self, "_fn", SCHEDULES[self.name].fn)
        object.__setattr__(self, "_constant", SCHEDULES[self.name].py == "1.0" and not self.warmup)

    @property
    def is_constant(self) -> bool:
        """True when every factor is 1 (the trainer then skips the call)."""
        return self._constant

    def factor(self, t: float, t_end: float) -> float:
        """f for the update spanning epochs [t, t_end): η_u = η · f."""
        if t < self.warmup:
            return min(t_end / self.warmup, 1.0)           # linear warm-up
        return self._fn(t - self.warmup, self)

    def curve(self, epochs: int, per_epoch: int = 1) -> list:
        """[(t, f)] for every update of ``epochs`` epochs of ``per_epoch`` equal updates: the
        curve to draw under the loss (its axis in epochs). per_epoch ≥ 1."""
        n = _whole(epochs, "epochs", 0) * _whole(per_epoch, "updates per epoch", 1)
        return [(u / per_epoch, self.factor(u / per_epoch, (u + 1) / per_epoch)) for u in range(n)]

    def to_dict(self) -> dict:
        """Its fields as plain JSON values (a model file's ``training.schedule``)."""
        return {"name": self.name, "period": self.period, "gamma": self.gamma, "floor": self.floor,
                "restarts": self.restarts, "warmup": self.warmup}

    @classmethod
    def from_dict(cls, d, where: str = "schedule") -> "Schedule":
        """The schedule a parsed JSON object describes; ValueError names the field at fault."""
        keys = tuple(cls().to_dict())
        if not isinstance(d, dict):
            raise ValueError(f"{where} must be an object with the fields {', '.join(keys)}")
        for k in d:
            if k not in keys:
                raise ValueError(f"{where} has an unexpected field {k!r}; its fields are {', '.join(keys)}")
        try:
            return cls(**d)
        except (ValueError, TypeError) as e:
            raise ValueError(f"{where}: {e}") from None


def _whole(v, what, lo):
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= MAX_EPOCHS:
        raise ValueError(f"{what} must be a whole number from {lo} to {MAX_EPOCHS:,}, got {v!r}")
    return v


def _real(v, what, lo, hi, lo_open=False):
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    if not ok or v > hi or v < lo or (lo_open and v == lo):
        raise ValueError(f"{what} must be a number {'above' if lo_open else 'from'} {lo:g} "
                         f"{'and at most' if lo_open else 'to'} {hi:g}, got {v!r}")
    return v
