"""What learning rate a live run trains with: its η plan, from which the η curve is drawn.

Each update uses η_u = η·f(t) (``core.schedules``): a pure function of where the update falls
(t, in epochs from the run's start), given the base η, the schedule and the batch size. The
learner may change any of them while the run plays; the new values count from the next update
on, and the factor still counts t from the run's start. So the plan is one entry from the run's
start and one from each such change, ``(t, η, batch, N, schedule)``: a few numbers from which
the browser draws every update's η (``explorer/live/static/schedules.js``), sent once in the
setup message (``explorer.live.setup_message``), nothing per frame.

At most ``MAX_ENTRIES`` entries: older changes fall off the front (the curve then starts at
the oldest entry kept). Nothing here calls Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.schedules import Schedule

MAX_ENTRIES = 32


@dataclass(frozen=True)
class Entry:
    """From ``t`` epochs on: base ``eta``, mini-batches of ``batch`` (None: full batch) of the
    ``n`` training points, factor ``schedule``."""

    t: float
    eta: float
    batch: int | None
    n: int
    schedule: Schedule

    def to_json(self) -> dict:
        return {"t": float(self.t), "eta": float(self.eta), "batch": self.batch, "n": int(self.n),
                "schedule": self.schedule.to_dict()}


class EtaPlan:
    """The entries of one run, by increasing t; ``version`` counts the changes (a setup follows one)."""

    def __init__(self, eta: float, batch: int | None, n: int, schedule: Schedule):
        self.entries: list[Entry] = [Entry(0.0, float(eta), batch, max(int(n), 1), schedule)]
        self.version = 0

    def note(self, t: float, eta: float, batch: int | None, n: int, schedule: Schedule) -> bool:
        """The trainer's values from ``t`` epochs on (``Trainer.t_now``); True when they differ from
        the last entry's (a new entry, or the last one replaced when it starts at the same t)."""
        new = Entry(float(t), float(eta), batch, max(int(n), 1), schedule)
        last = self.entries[-1]
        if (new.eta, new.batch, new.n, new.schedule) == (last.eta, last.batch, last.n, last.schedule):
            return False
        if new.t <= last.t:
            self.entries[-1] = Entry(last.t, new.eta, new.batch, new.n, new.schedule)
        else:
            self.entries.append(new)
            del self.entries[:-MAX_ENTRIES]
        self.version += 1
        return True

    @property
    def is_constant(self) -> bool:
        """True when every entry's factor is 1 (no schedule, no warm-up): no curve is drawn."""
        return all(e.schedule.is_constant for e in self.entries)

    def eta_at(self, t: float, t_end: float) -> float:
        """η of the update spanning epochs [t, t_end) under this plan (what the trainer used)."""
        e = next(e for e in reversed(self.entries) if e.t <= t or e is self.entries[0])
        return e.eta if e.schedule.is_constant else e.eta * e.schedule.factor(t, t_end)

    def to_json(self) -> list[dict]:
        return [e.to_json() for e in self.entries]
