"""``RoomStore``: the interface every page and the live channel use for classes.

A class has four keys, each with its own rights (``explorer.rooms.keys``):

- the **teacher token** drives the class: rename or remove a student, push a task, close it;
- the **recovery code** only gets a new teacher token (the old one stops working);
- the **projector key** reads the class (its code, task, students) and drives nothing;
- the **join code** only joins: it gives a new student a seat and that student's secret.

A student's **secret** reads their own seat (a reload recognises them) and the class's task;
a nickname alone never does. It also tells the seat where the student's run is kept
(``set_run``: the run store's key of their browser secret, ``run_store_base.key_of``, a digest),
so that the gallery and the results read each student's run from the one run store; a seat's
run key is in the teacher's and the projector's views only. Every method checks its key first and raises a ``RoomError``
subclass whose message is a sentence for the page. Everything a store returns is a frozen
copy: a page cannot change the store's state except through these methods.

The in-process store is ``explorer.rooms.memory_store.MemoryRoomStore``; the shared one is
``explorer.rooms.redis_store.RedisRoomStore`` (chosen by ``REDIS_URL``: ``explorer.rooms.server``).
Both pass the same tests (``tests/test_room_store.py``) and refuse with the same sentences
(``explorer.rooms.messages``). A task is a plain JSON-able dict (``explorer.rooms.task`` makes and
checks it): the store keeps it as given (``task_json``) and never interprets it.
"""
from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass

EXPIRY_S = 3 * 3600          # a class with no activity for 3 hours is gone
MAX_CLASSES = 100            # classes one server holds at once
MAX_STUDENTS = 200           # students a class holds
JOINS_PER_MINUTE = 60        # a class's joins: a bucket of 60 filling at 1 a second
RUN_KEY = re.compile(r"[0-9a-f]{32}")       # run_store_base.key_of's digest


class RoomError(ValueError):
    """A request a room refuses; ``str(err)`` is a sentence to show."""


class NotFound(RoomError):
    """No class (or seat) has this key."""


class Ended(RoomError):
    """The class was closed by its teacher, or expired."""


class Full(RoomError):
    """A cap is reached: classes on the server, or students in a class."""


class TooFast(RoomError):
    """A rate limit: joins a minute for a class."""


class BadName(RoomError):
    """A nickname that cannot be used (its form, or taken in this class)."""


class Unavailable(RoomError):
    """A shared store that cannot be reached (or is misconfigured): nothing was changed."""


def check_run_key(run_key) -> str:
    """A run store key as a seat keeps it; ``RoomError`` (a sentence) otherwise."""
    if not isinstance(run_key, str) or not RUN_KEY.fullmatch(run_key):
        raise RoomError("a run key is 32 hexadecimal digits (run_store_base.key_of)")
    return run_key


def task_json(task: dict | None) -> str:
    """A task as the JSON text a store keeps ("" for none); TypeError if it is not a dict,
    ValueError if it is not plain JSON (NaN, a set, ...)."""
    if task is None:
        return ""
    if not isinstance(task, dict):
        raise TypeError(f"a task is a dict, got {type(task).__name__}")
    return json.dumps(task, allow_nan=False, separators=(",", ":"))


@dataclass(frozen=True)
class NewClass:
    """What creating a class hands its teacher, once: every key in its plain form."""

    code: str
    teacher_token: str
    recovery_code: str
    projector_key: str


@dataclass(frozen=True)
class Seat:
    """A student's place in a class: ``student_id`` names it to the teacher (not a secret);
    ``secret`` is what their browser keeps (shown to nobody else); ``run_key``: where the run
    store keeps their run ("" if not known yet; only in the teacher's and projector's views)."""

    student_id: str
    nickname: str
    secret: str = ""
    run_key: str = ""


@dataclass(frozen=True)
class Controls:
    """What the teacher's controls set for the whole class (``RoomStore.control``):
    ``names_hidden``: the projector shows "Student 1, 2, ..." instead of nicknames;
    ``focus``: the student_id the projector shows large ("" for the gallery);
    ``paused``: everyone's training is held paused until the teacher lets them go on (each
    student's run is paused, and paused again if they press Play: ``explorer.live.channel.room_seats``);
    ``locked``: the task is locked: every student's settings stay as they are, the free ones too
    (``explorer.rooms.task.freeze``); they may still play, pause, step and reset."""

    names_hidden: bool = False
    focus: str = ""
    paused: bool = False
    locked: bool = False


@dataclass(frozen=True)
class ClassView:
    """A class as one of its keys may read it: never a secret in it."""

    code: str
    task: dict | None
    task_version: int
    students: tuple[Seat, ...]
    closed: bool
    projector_key: str = ""          # only in the teacher's view
    controls: Controls = Controls()


class RoomStore(ABC):
    """Classes, their students and their task, behind one small set of verbs."""

    @abstractmethod
    def create(self, task: dict | None = None) -> NewClass:
        """A new class (``Full`` past ``MAX_CLASSES``)."""

    @abstractmethod
    def teacher(self, token: str) -> ClassView:
        """The class this teacher token drives (with its projector key)."""

    @abstractmethod
    def recover(self, recovery_code: str) -> str:
        """A new teacher token for the class of ``recovery_code``; the old token stops working."""

    @abstractmethod
    def projector(self, key: str) -> ClassView:
        """The class as the projector shows it."""

    @abstractmethod
    def check(self, code: str) -> None:
        """Nothing if class ``code`` takes joins; else the ``RoomError`` a join would get (no seat taken)."""

    @abstractmethod
    def join(self, code: str, nickname: str) -> Seat:
        """A new student's seat, with their secret (``Full``, ``TooFast``, ``BadName``, ``Ended``)."""

    @abstractmethod
    def student(self, code: str, secret: str) -> tuple[Seat, ClassView]:
        """The seat this secret holds in class ``code``, and the class as a student sees it
        (its task and students' nicknames; no projector key)."""

    @abstractmethod
    def set_run(self, code: str, secret: str, run_key: str) -> None:
        """The student whose secret this is keeps their run under ``run_key`` (32 hex digits: the
        run store's ``key_of`` their browser secret); only their own secret sets it."""

    @abstractmethod
    def rename(self, token: str, student_id: str, nickname: str) -> None:
        """The teacher renames a student."""

    @abstractmethod
    def remove(self, token: str, student_id: str) -> None:
        """The teacher removes a student: their secret no longer opens a seat."""

    @abstractmethod
    def push_task(self, token: str, task: dict) -> int:
        """The teacher sets a new task; returns its version (1, 2, ...)."""

    @abstractmethod
    def control(self, token: str, names_hidden: bool | None = None, focus: str | None = None,
                paused: bool | None = None, locked: bool | None = None) -> Controls:
        """The teacher's controls over everyone: hide or reveal names, show one student large
        (``focus``: a student_id, or "" for the gallery), hold everyone paused or let them go on,
        lock or unlock the task. None leaves a control as it is. Returns the new state."""

    @abstractmethod
    def close(self, token: str) -> None:
        """The teacher ends the class: no one joins any more; the teacher still reads it."""

    @abstractmethod
    def expire(self) -> int:
        """Forget the classes idle for ``EXPIRY_S``; returns how many went."""
