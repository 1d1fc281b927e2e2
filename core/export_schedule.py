"""The exported script's learning-rate schedule: the parts ``core.export_script`` adds when
the run's schedule is not a constant η.

The script computes η for each update as the trainer does (``Trainer._eta_at``): the base
η times ``schedule(t, t_end)``, where the update spans epochs t to t_end (t = e + p/N for
the mini-batch starting at example p of epoch e, 0-based). The schedule's expression is
its registry entry's ``py`` text (``core.schedules``), so the floats are the engine's, bit
for bit. Examples are rows, as in the script.
"""
from __future__ import annotations

from .schedules import SCHEDULES, Schedule


def check_schedule(value) -> Schedule | None:
    """A ``Schedule``, its dict (a model file's), or None; None when it is constant η."""
    if value is None:
        return None
    sched = value if isinstance(value, Schedule) else Schedule.from_dict(value)
    return None if sched.is_constant else sched


def schedule_part(sched: Schedule) -> str:
    """The script's ``schedule(t, t_end)``: η / base η for the update spanning [t, t_end)."""
    entry = SCHEDULES[sched.name]
    consts = {"PERIOD": sched.period, "GAMMA": sched.gamma, "FLOOR": sched.floor, "RESTARTS": sched.restarts}
    used = [k for k in consts if k in entry.py]
    lines = [f"# ---- the learning-rate schedule: {entry.label}, in epochs ----", "import math", ""]
    if used:
        lines.append(f"{', '.join(used)} = {', '.join(repr(consts[k]) for k in used)}")
    lines += [f"WARMUP = {sched.warmup!r}   # epochs of linear warm-up first (0: none)", "", "",
              "def schedule(t, t_end):",
              '    """η / BASE_ETA for the update that covers epochs t to t_end (mini-batches: fractions)."""',
              "    if t < WARMUP:",
              "        return min(t_end / WARMUP, 1.0)   # linear warm-up",
              "    tau = t - WARMUP                       # epochs since the warm-up",
              f"    return {entry.py}"]
    return "\n".join(lines)


def eta_line(full_batch: bool) -> str:
    """The loop's line that sets η before each update (the update functions read ETA)."""
    span = "epoch - 1, epoch" if full_batch else "epoch - 1 + start / N, epoch - 1 + (start + len(batch)) / N"
    indent = "    " if full_batch else "        "
    return f"{indent}ETA = BASE_ETA * schedule({span})   # η of this update, from the schedule"
