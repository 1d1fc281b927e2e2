"""The engine's values behind the instrument settings: a learning-rate schedule
(``core.schedules.Schedule``) and an early-stopping rule (``core.stopping.Stopping``) from the
training settings.

Each schedule parameter is one row of the settings table; ``SCHEDULE_KEYS`` maps the
parameter names a schedule entry ``uses`` to those rows' keys, so the sidebar shows only the
rows the chosen schedule reads (it asks the entry, never its name).
"""
from __future__ import annotations

from dataclasses import replace

from core.schedules import SCHEDULES, Schedule
from core.stopping import Stopping

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


def stopping_of(t, has_validation: bool) -> Stopping:
    """The Stopping rule a TrainConfig ``t`` describes; without validation rows the parts that
    read the validation loss (patience, restoring the best) are off."""
    return Stopping(patience=t.patience if has_validation else None,
                    restore_best=bool(t.restore_best) and has_validation, at_epoch=t.stop_epoch,
                    loss_target=None if t.stop_loss is None else float(t.stop_loss),
                    score_target=None if t.stop_score is None else float(t.stop_score))


# What a Compare grid leaves out (core.sweep trains every cell with a constant η and no stopping rule)
INSTRUMENT_FIELDS = ("schedule", "sched_period", "sched_gamma", "sched_floor", "sched_restarts", "warmup",
                     "patience", "restore_best", "stop_epoch", "stop_loss", "stop_score")


def without_instruments(t):
    """TrainConfig ``t`` with a constant learning rate and no stopping rule (each field at its
    default): what a grid cell trains, so that its link opens the very run it shows."""
    plain = type(t)()
    return replace(t, **{f: getattr(plain, f) for f in INSTRUMENT_FIELDS})
