"""A class's task: the setup every student starts from, what they may change, the limits
and the goal, as one checked value (``Task``) and as the plain dict a room store keeps.

The teacher sets it from their own setup (``Task.from_config``). A student's explorer then
runs ``Task.enforce`` at the start of every script run, before any widget is drawn, on the
settings the session holds: whatever changed them (a widget, a link, a lesson, drawing, a CSV
upload, a model file) ends there, so one check covers every path. A locked setting goes back
to the task's value, a network over the hidden-unit limit back to the last one within it,
and each gets a sentence. The epoch limit is the run's (``Run.epoch_limit``). When the teacher
locks the task (``Controls.locked``), ``freeze`` holds every setting a task sets, the free ones
too, at the student's values of that moment, with or without a task.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from explorer.choices.config import Config
from explorer.choices.link import from_query, to_query
from explorer.choices.settings_table import MAX_HIDDEN_LAYERS, MAX_WIDTH, SETTINGS, rows

GROUPS = ("data", "net", "train")            # what a task sets; view and grid stay the student's
ALWAYS_FREE = ("speed",)                     # a pace, not a result: never locked
TASK_KEYS = tuple(s.key for g in GROUPS for s in rows(g) if s.key not in ALWAYS_FREE)
GOALS = {"test_accuracy": "highest test accuracy",
         "fewest_weights": "fewest weights at ≥ 0.9 test accuracy"}
MAX_UNITS = MAX_WIDTH * MAX_HIDDEN_LAYERS    # 400: the largest network the explorer builds
MAX_EPOCHS = 1_000_000


def _limit(value, most: int, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise ValueError(f"{what} must be a whole number from 1 to {most:,}, got {value!r}")
    return value


def units(cfg: Config) -> int:
    return sum(w for w, _ in cfg.net.hidden)


@dataclass(frozen=True)
class Task:
    """``setup``: the task's settings as link texts (key -> text); ``free``: the keys a student
    may change; ``max_units``: hidden units in total, ``max_epochs``: epochs (None: no limit)."""

    setup: tuple                      # ((key, text), ...), sorted
    free: tuple[str, ...]
    max_units: int | None
    max_epochs: int | None
    goal: str

    @classmethod
    def from_config(cls, cfg: Config, free=(), max_units=None, max_epochs=None, goal="test_accuracy") -> "Task":
        """The task of the teacher's setup ``cfg``; ValueError with a sentence if it cannot be one."""
        query = to_query(cfg)
        if cfg.data.points is not None and "pts" not in query:
            raise ValueError("your own points are too many for a task (at most 200 travel in a link): "
                             "use a named dataset, or fewer points")
        return cls.from_dict({"setup": {k: v for k, v in query.items() if k in TASK_KEYS}, "free": list(free),
                              "max_units": max_units, "max_epochs": max_epochs, "goal": goal})

    @classmethod
    def from_dict(cls, d) -> "Task":
        """A task from its stored form, every field checked (ValueError names the bad one)."""
        if not isinstance(d, dict):
            raise ValueError("a task must be a dict")
        setup, free = d.get("setup"), d.get("free")
        if not isinstance(setup, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in setup.items()):
            raise ValueError("a task's setup must map setting keys to link texts")
        bad = sorted(set(setup) - set(TASK_KEYS))
        if bad:
            raise ValueError(f"a task cannot set {', '.join(bad)}; it sets {', '.join(TASK_KEYS)}")
        _, notices = from_query(setup)
        if notices:
            raise ValueError(f"a task's setup must read back exactly: {notices[0]}")
        if not isinstance(free, list) or not all(isinstance(k, str) for k in free):
            raise ValueError("a task's free settings must be a list of setting keys")
        unknown = sorted(set(free) - set(TASK_KEYS))
        if unknown:
            raise ValueError(f"unknown settings {', '.join(unknown)}: a student may change {', '.join(TASK_KEYS)}")
        if d.get("goal") not in GOALS:
            raise ValueError(f"a task's goal must be one of {', '.join(GOALS)}, got {d.get('goal')!r}")
        task = cls(tuple(sorted(setup.items())), tuple(k for k in TASK_KEYS if k in free),
                   _limit(d.get("max_units"), MAX_UNITS, "the hidden-unit limit"),
                   _limit(d.get("max_epochs"), MAX_EPOCHS, "the epoch limit"), d["goal"])
        if task.max_units is not None and units(task.config()) > task.max_units:
            raise ValueError(f"the task's own network has {units(task.config())} hidden units, over its limit "
                             f"of {task.max_units}")
        return task

    def to_dict(self) -> dict:
        return {"setup": dict(self.setup), "free": list(self.free), "max_units": self.max_units,
                "max_epochs": self.max_epochs, "goal": self.goal, "text": self.text()}

    def config(self, base: Config | None = None) -> Config:
        """The task's setup; the view and grid (and a free pace) are ``base``'s."""
        base = base or Config()
        cfg, _ = from_query(dict(self.setup))
        return replace(cfg, train=replace(cfg.train, speed=base.train.speed), view=base.view, grid=base.grid)

    @property
    def locked(self) -> tuple[str, ...]:
        return tuple(k for k in TASK_KEYS if k not in self.free)

    @property
    def refuses_weights(self) -> bool:
        """Weights from a model file would skip the task: refused while it locks the network or
        limits the epochs."""
        return bool(set(self.locked) & {s.key for s in rows("net")}) or self.max_epochs is not None

    def enforce(self, cfg: Config, previous: Config | None = None) -> tuple[Config, list[str]]:
        """``cfg`` as the task allows it, and a sentence for each thing put back."""
        want = self.config(cfg)
        out, notes = _hold(cfg, want, self.locked, "{label} is locked by the task: it stays {shown}.",
                           "The points are the task's: drawing and uploading are locked.")
        if out.net.start is not None and self.refuses_weights:
            out = replace(out, net=replace(out.net, start=None))
            notes.append("A model file's weights cannot be opened in this task: they were trained elsewhere.")
        if self.max_units is not None and units(out) > self.max_units:
            back = previous if previous is not None and units(previous) <= self.max_units else want
            notes.append(f"The task allows at most {self.max_units} hidden units in total; that network has "
                         f"{units(out)}.")
            out = replace(out, net=replace(out.net, hidden=back.net.hidden))
        return out, notes

    def text(self, locked: bool = False) -> str:
        """The task in one paragraph, for the projector and the students."""
        cfg = self.config()
        d = cfg.data
        parts = [f"{SETTINGS['ds'].title(d.dataset)}, noise {d.noise:g}, data seed {d.seed}."]
        free = [SETTINGS[k].label for k in self.free]
        if locked:
            parts.append("Locked by your teacher: every setting stays as it is.")
        else:
            parts.append(f"You may change: {', '.join(free)}." if free else "Every setting is fixed: watch it learn.")
        if self.max_units is not None:
            parts.append(f"At most {self.max_units} hidden units in total.")
        if self.max_epochs is not None:
            parts.append(f"At most {self.max_epochs:,} epochs.")
        parts.append(f"Goal: {GOALS[self.goal]}.")
        return " ".join(parts)


def _hold(cfg: Config, want: Config, keys, sentence: str, points: str) -> tuple[Config, list[str]]:
    """``cfg`` with each setting of ``keys`` back at ``want``'s value, and a sentence for each put
    back (``sentence`` with {label} and {shown}; ``points`` for the points)."""
    notes, groups = [], {g: getattr(cfg, g) for g in GROUPS}
    for key in keys:
        s = SETTINGS[key]
        have, must = getattr(groups[s.group], s.field), getattr(getattr(want, s.group), s.field)
        if have != must:
            groups[s.group] = replace(groups[s.group], **{s.field: must})
            shown = s.title(must) if s.title else s.fmt(must)
            notes.append(sentence.format(label=s.label, shown=shown) if key != "pts" else points)
    return replace(cfg, **groups), notes


def freeze(cfg: Config, at: Config) -> tuple[Config, list[str]]:
    """The teacher locked the task: ``cfg`` with every setting a task sets (the free ones too, not
    the pace) back at ``at``'s value (the student's settings when the lock reached them), and a
    sentence for each thing put back."""
    return _hold(cfg, at, TASK_KEYS, "Your teacher locked the task: {label} stays {shown}.",
                 "Your teacher locked the task: drawing and uploading points are off.")
