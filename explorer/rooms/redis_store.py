"""``RedisRoomStore``: the ``RoomStore`` every replica shares, kept in one Redis (``REDIS_URL``).

The same verbs, caps, rate limits, expiry and sentences as ``MemoryRoomStore``
(``tests/test_room_store.py`` runs both): each verb is one Lua script (``redis_scripts``), so
two replicas never race for a nickname, the last seat or a join token, and a recovery rotates
the teacher token in one step. Secrets are kept as digests only (``keys.digest``); the projector
key as it is (the teacher's page shows it again; it drives nothing). What is kept is JSON text
and plain strings, never a pickle.

Expiry is Redis's own: every key of a class carries a TTL of ``expiry_s``, renewed by activity
(the teacher's verbs, a join, a student's visit, a recovery), so a class idle for 3 hours is
gone from Redis without anyone sweeping. The class's last activity is also kept (by ``clock``,
the wall clock every replica shares), and a verb that finds it idle that long says so at once.
Its code is remembered ``ended_keep_s`` longer, so an expired code gets "it expired", not "no
such class", and is never given again.

A Redis that does not answer makes a verb raise ``Unavailable`` (nothing changed), logged at
most once every ``LOG_EVERY_S``; the client reconnects by itself when Redis is back.
"""
from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections import OrderedDict

import redis

from explorer.rooms import keys, nicknames
from explorer.rooms.messages import (CLASS_FULL, CLOSED, EXPIRED, NAME_TAKEN, NAME_TAKEN_RENAME, NO_CLASS,
                                     NO_PROJECTOR, NO_RECOVERY, NO_STUDENT, NO_TEACHER, NOT_A_CODE, NOT_A_RECOVERY,
                                     NOT_IN_CLASS, SERVER_FULL, TOO_FAST, UNAVAILABLE, bad_name)
from explorer.rooms.redis_scripts import PRELUDE, SCRIPTS
from explorer.rooms.store import (EXPIRY_S, JOINS_PER_MINUTE, MAX_CLASSES, MAX_STUDENTS, BadName, ClassView,
                                  Controls, Ended, Full, NewClass, NotFound, RoomError, RoomStore, Seat, TooFast,
                                  Unavailable, check_run_key, task_json)

ENDED_KEEP_S = 7 * 24 * 3600.0   # an ended code is told apart from a mistyped one for a week
LOG_EVERY_S = 10.0               # one log line per this long while Redis does not answer
ROSTERS_KEPT = 1024              # rosters remembered (by the key that read them), so an unchanged one is not re-sent
TRIES = 8                        # a drawn code or student id already taken: draw again (30⁸ codes: ~never)

log = logging.getLogger("explorer.rooms")


def _text(v) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


def _pairs(flat) -> dict[str, str]:
    """A Redis HGETALL reply as a dict of texts."""
    flat = [_text(v) for v in flat]
    return dict(zip(flat[::2], flat[1::2]))


class RedisRoomStore(RoomStore):
    """See the module docstring. ``client``: a ``redis.Redis``; ``prefix`` names this store's keys."""

    def __init__(self, client: redis.Redis, prefix: str = "bpx", max_classes: int = MAX_CLASSES,
                 max_students: int = MAX_STUDENTS, expiry_s: float = EXPIRY_S, clock=time.time,
                 ended_keep_s: float = ENDED_KEEP_S):
        self.client, self.prefix, self.clock = client, prefix, clock
        self.max_classes, self.max_students, self.expiry_s, self.ended_keep_s = (
            max_classes, max_students, expiry_s, ended_keep_s)
        self._scripts = {name: client.register_script(PRELUDE + body) for name, body in SCRIPTS.items()}
        self._lock = threading.Lock()
        self._rosters: OrderedDict[str, tuple[str, tuple]] = OrderedDict()   # lookup -> (rev, seats)
        self._logged = -LOG_EVERY_S

    # -- one script, its refusals ------------------------------------------------------------
    def _run(self, name: str, *args) -> list:
        try:
            out = self._scripts[name](args=[self.prefix, repr(float(self.clock())), repr(float(self.expiry_s)),
                                            repr(float(self.ended_keep_s)), *args])
        except redis.RedisError as err:
            now = time.monotonic()
            if now - self._logged >= LOG_EVERY_S:
                self._logged = now
                log.error("class store: Redis does not answer (%s: %s); classes refuse until it does",
                          type(err).__name__, err)
            raise Unavailable(UNAVAILABLE) from None
        return [_text(out[0]), *out[1:]]

    @staticmethod
    def _refuse(status: str, missing: str, no_seat: str = NO_STUDENT, taken: str = NAME_TAKEN_RENAME,
                name_error: str = "") -> RoomError:
        return {"nf": NotFound(missing), "expired": Ended(EXPIRED), "closed": Ended(CLOSED),
                "noseat": NotFound(no_seat), "taken": BadName(taken), "badname": BadName(name_error),
                "fast": TooFast(TOO_FAST)}.get(status) or RoomError(f"the class store refused: {status}")

    def _ok(self, name: str, *args, missing: str = NO_CLASS, **why) -> list:
        out = self._run(name, *args)
        if out[0] != "ok":
            raise self._refuse(out[0], missing, **why)
        return out

    # -- what a class looks like ---------------------------------------------------------------
    def _known(self, lookup: str) -> str:
        with self._lock:
            got = self._rosters.get(lookup)
            return got[0] if got else ""

    def _view(self, lookup: str, fields, seats, teacher: bool = False, runs: bool = True) -> ClassView | None:
        """The class of a script's reply; None if the roster was not sent and is no longer known here.
        ``runs``: with the seats' run keys (the teacher's and projector's views, not a student's)."""
        room = _pairs(fields)
        with self._lock:
            if seats is None:                       # unchanged since this lookup last read it
                known = self._rosters.get(lookup)
                if known is None or known[0] != room["rev"]:
                    return None
                roster = known[1]
                self._rosters.move_to_end(lookup)
            else:
                found = [(sid, json.loads(blob)) for sid, blob in _pairs(seats).items()]
                roster = tuple(Seat(sid, s["n"], run_key=s.get("r", ""))
                               for sid, s in sorted(found, key=lambda p: p[1]["o"]))
                self._rosters[lookup] = (room["rev"], roster)
                self._rosters.move_to_end(lookup)
                while len(self._rosters) > ROSTERS_KEPT:
                    self._rosters.popitem(last=False)
        if not runs:
            roster = tuple(Seat(s.student_id, s.nickname) for s in roster)
        controls = Controls(room["hidden"] == "1", room["focus"], room.get("paused") == "1", room.get("locked") == "1")
        return ClassView(room["code"], json.loads(room["task"]) if room["task"] else None,
                         int(room["tv"]), roster, room["closed"] == "1", room["pkey"] if teacher else "", controls)

    def _read_view(self, name: str, lookup: str, args: tuple, teacher: bool = False, runs: bool = True,
                   **why) -> tuple[ClassView, list]:
        """Script ``name``'s class (and its whole reply), the roster sent only if it changed."""
        for known in (self._known(lookup), ""):       # ("": another thread dropped what we knew)
            out = self._ok(name, *args, known, **why)
            view = self._view(lookup, out[1], out[2], teacher, runs)
            if view is not None:
                return view, out
        raise AssertionError("a roster sent in full is always read")

    @staticmethod
    def _token_digest(token: str) -> str | None:
        try:
            return keys.digest(keys.read_token(token))
        except ValueError:
            return None

    def _teacher(self, token: str) -> str:
        """The digest of a teacher token; ``NotFound`` if it cannot be one."""
        d = self._token_digest(token)
        if d is None:
            raise NotFound(NO_TEACHER)
        return d

    @staticmethod
    def _name(nickname) -> tuple[str, str, str]:
        """(nickname, folded, "") or ("", "", the sentence why it cannot be one)."""
        try:
            name = nicknames.read(nickname)
        except ValueError as err:
            return "", "", bad_name(err)
        return name, name.casefold(), ""

    # -- the interface ---------------------------------------------------------------------
    def create(self, task: dict | None = None) -> NewClass:
        text = task_json(task)
        token, recovery, projector = keys.new_teacher_token(), keys.new_recovery(), keys.new_projector_key()
        for _ in range(TRIES):
            code = keys.new_code()
            out = self._run("create", code, keys.digest(token), keys.digest(recovery), projector,
                            keys.digest(projector), text, 1 if text else 0, self.max_classes, JOINS_PER_MINUTE)
            if out[0] == "ok":
                return NewClass(code, token, recovery, projector)
            if out[0] == "full":
                raise Full(SERVER_FULL.format(n=self.max_classes))
        raise Unavailable(UNAVAILABLE)

    def teacher(self, token: str) -> ClassView:
        d = self._teacher(token)
        return self._read_view("teacher", "t:" + d, (d,), teacher=True, missing=NO_TEACHER)[0]

    def recover(self, recovery_code: str) -> str:
        try:
            d = keys.digest(keys.read_recovery(recovery_code))
        except ValueError as err:
            raise NotFound(NOT_A_RECOVERY.format(err=err)) from None
        token = keys.new_teacher_token()
        self._ok("recover", d, keys.digest(token), missing=NO_RECOVERY)
        return token

    def projector(self, key: str) -> ClassView:
        d = self._token_digest(key)
        if d is None:
            raise NotFound(NO_PROJECTOR)
        return self._read_view("projector", "p:" + d, (d,), missing=NO_PROJECTOR)[0]

    @staticmethod
    def _code(code: str) -> str:
        try:
            return keys.read_code(code)
        except ValueError as err:
            raise NotFound(NOT_A_CODE.format(err=err)) from None

    def check(self, code: str) -> None:
        self._ok("check", self._code(code))

    def join(self, code: str, nickname: str) -> Seat:
        code = self._code(code)
        name, folded, why = self._name(nickname)
        secret = keys.new_student_secret()
        for _ in range(TRIES):
            sid = secrets.token_hex(4)
            out = self._run("join", code, name, folded, sid, keys.digest(secret), self.max_students,
                            JOINS_PER_MINUTE / 60, JOINS_PER_MINUTE)
            if out[0] == "ok":
                return Seat(sid, name, secret)
            if out[0] == "full":
                raise Full(CLASS_FULL.format(n=self.max_students))
            if out[0] != "again":
                raise self._refuse(out[0], NO_CLASS, taken=NAME_TAKEN, name_error=why)
        raise Unavailable(UNAVAILABLE)

    def _seat_args(self, code: str, secret: str) -> tuple[str, str]:
        """(code, the seat secret's digest) as the seat scripts take them; NotFound otherwise."""
        try:
            code = keys.read_code(code)
        except ValueError:
            raise NotFound(NO_CLASS) from None
        d = self._token_digest(secret)
        if d is None:
            raise NotFound(NO_CLASS)
        return code, d

    def student(self, code: str, secret: str) -> tuple[Seat, ClassView]:
        code, d = self._seat_args(code, secret)
        view, out = self._read_view("student", "c:" + code, (code, d), runs=False, no_seat=NOT_IN_CLASS)
        sid = _text(out[3])
        seat = next((s for s in view.students if s.student_id == sid), None)
        if seat is None:
            raise NotFound(NOT_IN_CLASS)
        return seat, view

    def set_run(self, code: str, secret: str, run_key: str) -> None:
        run_key = check_run_key(run_key)
        code, d = self._seat_args(code, secret)
        self._ok("set_run", code, d, run_key, no_seat=NOT_IN_CLASS)

    def rename(self, token: str, student_id: str, nickname: str) -> None:
        name, folded, why = self._name(nickname)
        self._ok("rename", self._teacher(token), str(student_id), name, folded, missing=NO_TEACHER, name_error=why)

    def remove(self, token: str, student_id: str) -> None:
        self._ok("remove", self._teacher(token), str(student_id), missing=NO_TEACHER)

    def push_task(self, token: str, task: dict) -> int:
        text = task_json(task)
        return int(self._ok("push_task", self._teacher(token), text, missing=NO_TEACHER)[1])

    def control(self, token: str, names_hidden: bool | None = None, focus: str | None = None,
                paused: bool | None = None, locked: bool | None = None) -> Controls:
        def flag(v):
            return "" if v is None else ("1" if v else "0")
        out = self._ok("control", self._teacher(token), flag(names_hidden), "0" if focus is None else "1",
                       str(focus or ""), flag(paused), flag(locked), missing=NO_TEACHER)
        return Controls(_text(out[1]) == "1", _text(out[2]), _text(out[3]) == "1", _text(out[4]) == "1")

    def close(self, token: str) -> None:
        self._ok("close", self._teacher(token), missing=NO_TEACHER)

    def expire(self) -> int:
        return int(self._ok("expire")[1])
