"""``MemoryRoomStore``: the ``RoomStore`` that keeps every class in this server process.

One lock guards everything (each method is a few dict operations), so the page threads and
the live channel's thread may call it at once. Secrets are kept as digests only
(``keys.digest``); the projector key is kept as it is too, because the teacher's page shows
it again (it drives nothing). Bounded: at most ``max_classes`` classes of ``max_students``
students; a class idle for ``expiry_s`` is dropped, and its code remembered (the last
``ENDED_KEPT`` codes) so that it is told apart from a mistyped one.
"""
from __future__ import annotations

import json
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace

from explorer.rooms import keys, nicknames
from explorer.rooms.buckets import Bucket
from explorer.rooms.messages import (CLASS_FULL, CLOSED, EXPIRED, NAME_TAKEN, NAME_TAKEN_RENAME, NO_CLASS,
                                     NO_PROJECTOR, NO_RECOVERY, NO_STUDENT, NO_TEACHER, NOT_A_CODE, NOT_A_RECOVERY,
                                     NOT_IN_CLASS, SERVER_FULL, TOO_FAST, bad_name)
from explorer.rooms.store import (EXPIRY_S, JOINS_PER_MINUTE, MAX_CLASSES, MAX_STUDENTS, BadName, ClassView,
                                  Controls, Ended, Full, NewClass, NotFound, RoomStore, Seat, TooFast, check_run_key,
                                  task_json)

ENDED_KEPT = 1000
SWEEP_EVERY_S = 60.0


def _copy(task: dict | None) -> dict | None:
    """A task as plain JSON values, copied: what goes in or out is never the store's own object
    (and a task a shared backend could not hold is refused here too)."""
    text = task_json(task)
    return json.loads(text) if text else None


@dataclass
class _Seat:
    id: str
    nickname: str
    secret: str                  # digest
    run: str = ""                # the run store's key of the student's run


@dataclass
class _Room:
    code: str
    teacher: str                 # digest of the teacher token
    recovery: str                # digest of the recovery code
    projector_key: str
    active: float
    joins: Bucket
    task: dict | None = None
    task_version: int = 0
    closed: bool = False
    seats: dict[str, _Seat] = field(default_factory=dict)     # id -> seat
    controls: Controls = Controls()

    def view(self, teacher: bool = False, runs: bool = False) -> ClassView:
        """The class as a key reads it; ``runs``: with the seats' run keys (teacher, projector)."""
        return ClassView(self.code, _copy(self.task), self.task_version,
                         tuple(Seat(s.id, s.nickname, run_key=s.run if runs else "") for s in self.seats.values()),
                         self.closed,
                         self.projector_key if teacher else "", self.controls)


class MemoryRoomStore(RoomStore):
    def __init__(self, max_classes: int = MAX_CLASSES, max_students: int = MAX_STUDENTS,
                 expiry_s: float = EXPIRY_S, clock=time.monotonic):
        self.max_classes, self.max_students, self.expiry_s, self.clock = max_classes, max_students, expiry_s, clock
        self._lock = threading.Lock()
        self._rooms: dict[str, _Room] = {}                   # code -> room
        self._by_teacher: dict[str, str] = {}                # digest -> code
        self._by_recovery: dict[str, str] = {}
        self._by_projector: dict[str, str] = {}
        self._ended: OrderedDict[str, str] = OrderedDict()   # code -> why
        self._swept = clock()

    # -- lookups (under the lock) --------------------------------------------------------
    def _now(self) -> float:
        now = self.clock()
        if now - self._swept >= SWEEP_EVERY_S:
            self._sweep(now)
        return now

    def _live(self, code: str | None, now: float, missing: str = NO_CLASS) -> _Room:
        room = self._rooms.get(code) if code else None
        if room is not None and now - room.active >= self.expiry_s:
            self._drop(room, EXPIRED)
            room = None
        if room is None:
            if code in self._ended:
                raise Ended(self._ended[code])
            raise NotFound(missing)
        return room

    def _teacher_room(self, token: str, now: float) -> _Room:
        try:
            code = self._by_teacher.get(keys.digest(keys.read_token(token)))
        except ValueError:
            code = None
        room = self._live(code, now, NO_TEACHER) if code else None
        if room is None:
            raise NotFound(NO_TEACHER)
        room.active = now
        return room

    def _drop(self, room: _Room, why: str) -> None:
        del self._rooms[room.code]
        for index, key in ((self._by_teacher, room.teacher), (self._by_recovery, room.recovery),
                           (self._by_projector, keys.digest(room.projector_key))):
            index.pop(key, None)
        self._ended[room.code] = why
        while len(self._ended) > ENDED_KEPT:
            self._ended.popitem(last=False)

    def _sweep(self, now: float) -> int:
        self._swept = now
        old = [r for r in self._rooms.values() if now - r.active >= self.expiry_s]
        for room in old:
            self._drop(room, EXPIRED)
        return len(old)

    # -- the interface ---------------------------------------------------------------
    def create(self, task: dict | None = None) -> NewClass:
        with self._lock:
            now = self._now()
            self._sweep(now)
            if len(self._rooms) >= self.max_classes:
                raise Full(SERVER_FULL.format(n=self.max_classes))
            code = keys.new_code()
            while code in self._rooms or code in self._ended:
                code = keys.new_code()
            token, recovery, projector = keys.new_teacher_token(), keys.new_recovery(), keys.new_projector_key()
            room = _Room(code, keys.digest(token), keys.digest(recovery), projector, now,
                         Bucket(JOINS_PER_MINUTE / 60, JOINS_PER_MINUTE, now), _copy(task), 1 if task else 0)
            self._rooms[code] = room
            self._by_teacher[room.teacher] = code
            self._by_recovery[room.recovery] = code
            self._by_projector[keys.digest(projector)] = code
            return NewClass(code, token, recovery, projector)

    def teacher(self, token: str) -> ClassView:
        with self._lock:
            return self._teacher_room(token, self._now()).view(teacher=True, runs=True)

    def recover(self, recovery_code: str) -> str:
        with self._lock:
            now = self._now()
            try:
                code = self._by_recovery.get(keys.digest(keys.read_recovery(recovery_code)))
            except ValueError as err:
                raise NotFound(NOT_A_RECOVERY.format(err=err)) from None
            if code is None:
                raise NotFound(NO_RECOVERY)
            room = self._live(code, now)
            token = keys.new_teacher_token()
            del self._by_teacher[room.teacher]
            room.teacher, room.active = keys.digest(token), now
            self._by_teacher[room.teacher] = code
            return token

    def projector(self, key: str) -> ClassView:
        with self._lock:
            now = self._now()
            try:
                code = self._by_projector.get(keys.digest(keys.read_token(key)))
            except ValueError:
                code = None
            if code is None:
                raise NotFound(NO_PROJECTOR)
            return self._live(code, now).view(runs=True)

    def _open_room(self, code: str, now: float) -> _Room:
        try:
            code = keys.read_code(code)
        except ValueError as err:
            raise NotFound(NOT_A_CODE.format(err=err)) from None
        room = self._live(code, now)
        if room.closed:
            raise Ended(CLOSED)
        return room

    def check(self, code: str) -> None:
        with self._lock:
            self._open_room(code, self._now())

    def join(self, code: str, nickname: str) -> Seat:
        with self._lock:
            now = self._now()
            room = self._open_room(code, now)
            try:
                name = nicknames.read(nickname)
            except ValueError as err:
                raise BadName(bad_name(err)) from None
            if any(nicknames.same(name, s.nickname) for s in room.seats.values()):
                raise BadName(NAME_TAKEN)
            if len(room.seats) >= self.max_students:
                raise Full(CLASS_FULL.format(n=self.max_students))
            if not room.joins.take(now):
                raise TooFast(TOO_FAST)
            sid = secrets.token_hex(4)
            while sid in room.seats:
                sid = secrets.token_hex(4)
            secret = keys.new_student_secret()
            room.seats[sid] = _Seat(sid, name, keys.digest(secret))
            room.active = now
            return Seat(sid, name, secret)

    def _own_seat(self, code: str, secret: str, now: float) -> tuple[_Room, _Seat]:
        try:
            room = self._live(keys.read_code(code), now)
            mine = keys.digest(keys.read_token(secret))
        except ValueError:
            raise NotFound(NO_CLASS) from None
        seat = next((s for s in room.seats.values() if s.secret == mine), None)
        if seat is None:
            raise NotFound(NOT_IN_CLASS)
        room.active = now
        return room, seat

    def student(self, code: str, secret: str) -> tuple[Seat, ClassView]:
        with self._lock:
            room, seat = self._own_seat(code, secret, self._now())
            return Seat(seat.id, seat.nickname), room.view()

    def set_run(self, code: str, secret: str, run_key: str) -> None:
        run_key = check_run_key(run_key)
        with self._lock:
            self._own_seat(code, secret, self._now())[1].run = run_key

    def rename(self, token: str, student_id: str, nickname: str) -> None:
        with self._lock:
            room = self._teacher_room(token, self._now())
            seat = self._seat(room, student_id)
            try:
                name = nicknames.read(nickname)
            except ValueError as err:
                raise BadName(bad_name(err)) from None
            if any(nicknames.same(name, s.nickname) for s in room.seats.values() if s is not seat):
                raise BadName(NAME_TAKEN_RENAME)
            seat.nickname = name

    def remove(self, token: str, student_id: str) -> None:
        with self._lock:
            room = self._teacher_room(token, self._now())
            sid = self._seat(room, student_id).id
            del room.seats[sid]
            if room.controls.focus == sid:
                room.controls = replace(room.controls, focus="")

    @staticmethod
    def _seat(room: _Room, student_id: str) -> _Seat:
        seat = room.seats.get(str(student_id))
        if seat is None:
            raise NotFound(NO_STUDENT)
        return seat

    def push_task(self, token: str, task: dict) -> int:
        with self._lock:
            task = _copy(task)
            room = self._teacher_room(token, self._now())
            room.task, room.task_version = task, room.task_version + 1
            return room.task_version

    def control(self, token: str, names_hidden: bool | None = None, focus: str | None = None,
                paused: bool | None = None, locked: bool | None = None) -> Controls:
        with self._lock:
            room = self._teacher_room(token, self._now())
            c = room.controls
            if focus:
                focus = self._seat(room, focus).id
            room.controls = Controls(c.names_hidden if names_hidden is None else bool(names_hidden),
                                     c.focus if focus is None else focus,
                                     c.paused if paused is None else bool(paused),
                                     c.locked if locked is None else bool(locked))
            return room.controls

    def close(self, token: str) -> None:
        with self._lock:
            self._teacher_room(token, self._now()).closed = True

    def expire(self) -> int:
        with self._lock:
            return self._sweep(self.clock())
