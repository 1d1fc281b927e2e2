"""The engine's values behind the instrument settings: a learning-rate schedule from the
training settings (``core.schedules.Schedule``).

Each schedule parameter is one row of the settings table; ``SCHEDULE_KEYS`` maps the
parameter names a schedule entry ``uses`` to those rows' keys, so the sidebar shows only the
rows the chosen schedule reads (it asks the entry, never its name).
"""
from __future__ import annotations

from core.schedules import SCHEDULES, Schedule

# a Schedule parameter -> the key of its row in the settings table
SCHEDULE_KEYS = {"period": "speriod", "gamma": "sgamma", "floor": "sfloor", "restarts": "srestart"}


def schedule_of(t) -> Schedule:
    """The Schedule a TrainConfig ``t`` describes (its rows were checked by their parsers)."""
    return Schedule(t.schedule, int(t.sched_period), float(t.sched_gamma), float(t.sched_floor),
                    bool(t.sched_restarts), int(t.warmup))


def schedule_keys(name: str) -> list[str]:
    """The settings keys of the parameters schedule ``name`` uses, then the warm-up's."""
    return [SCHEDULE_KEYS[p] for p in SCHEDULES[name].uses] + ["warm"]


def schedule_fields(sched: Schedule) -> dict:
    """TrainConfig fields for ``sched`` (e.g. a model file's schedule)."""
    return {"schedule": sched.name, "sched_period": sched.period, "sched_gamma": sched.gamma,
            "sched_floor": sched.floor, "sched_restarts": sched.restarts, "warmup": sched.warmup}
