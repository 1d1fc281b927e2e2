"""The ``RoomStore`` contract, run against every store: the in-process one and the shared one
on a real ``redis-server`` (``tests/redis_server.py``; skipped without the binary, except in CI):
keys and their rights, nicknames, caps, rate limits, expiry, and that what a store returns is a
copy."""
from __future__ import annotations

import threading

import pytest
import redis

from explorer.rooms import keys
from explorer.rooms.memory_store import MemoryRoomStore
from explorer.rooms.redis_store import RedisRoomStore
from explorer.rooms.store import BadName, Ended, Full, NotFound, RoomError, TooFast
from tests.redis_server import redis_server


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


def memory(request, **kw):
    return MemoryRoomStore(**kw)


def shared(request, **kw):
    """A RedisRoomStore on an empty database of the module's redis-server."""
    client = redis.Redis.from_url(request.getfixturevalue("redis_url"))
    client.flushdb()
    request.addfinalizer(client.close)
    return RedisRoomStore(client, **kw)


STORES = {"memory": memory, "redis": shared}


@pytest.fixture(params=list(STORES))
def make(request):
    """A factory: ``make(**limits)`` -> (store, clock)."""
    def build(**kw):
        clock = Clock()
        return STORES[request.param](request, clock=clock, **kw), clock
    return build


@pytest.fixture
def store(make):
    return make()[0]


def test_create_hands_out_four_distinct_keys_and_the_teacher_reads_the_class(store):
    new = store.create({"ds": "xor"})
    assert len({new.code, new.teacher_token, new.recovery_code, new.projector_key}) == 4
    assert keys.read_code(new.code) == new.code and len(new.code) == keys.CODE_LENGTH
    view = store.teacher(new.teacher_token)
    assert (view.code, view.task, view.task_version, view.students, view.closed) == (new.code, {"ds": "xor"}, 1, (), False)
    assert view.projector_key == new.projector_key


def test_the_projector_reads_but_holds_no_secret_and_drives_nothing(store):
    new = store.create()
    view = store.projector(new.projector_key)
    assert view.code == new.code and view.projector_key == ""
    for verb in (lambda k: store.push_task(k, {}), store.close, store.teacher, lambda k: store.remove(k, "x")):
        with pytest.raises(NotFound):
            verb(new.projector_key)
    with pytest.raises(NotFound):               # nor does the join code, or a recovery code used as a token
        store.teacher(new.code)
    with pytest.raises(NotFound):
        store.close(new.recovery_code)


def test_join_gives_a_secret_that_a_reload_recognises_and_a_nickname_alone_never_does(store):
    new = store.create()
    seat = store.join(new.code.lower()[:4] + " - " + new.code[4:].lower(), "  Ada   L ")   # as typed on a phone
    assert seat.nickname == "Ada L" and seat.secret
    again, view = store.student(new.code, seat.secret)
    assert (again.student_id, again.nickname, again.secret) == (seat.student_id, "Ada L", "")
    assert view.projector_key == "" and [s.nickname for s in view.students] == ["Ada L"]
    assert all(s.secret == "" for s in store.teacher(new.teacher_token).students)    # no secret leaves the store
    for wrong in ("Ada L", seat.student_id, new.teacher_token, keys.new_student_secret()):
        with pytest.raises(NotFound):
            store.student(new.code, wrong)
    other = store.create()
    with pytest.raises(NotFound):                # a seat is in one class only
        store.student(other.code, seat.secret)


@pytest.mark.parametrize("name, why", [("", "at least one"), ("   ", "at least one"), ("x" * 25, "at most 24"),
                                       ("a\x07b", "control"), ("a\u200db", "control"), ("\u202egnp.exe", "control"),
                                       (None, "text")])
def test_a_nickname_is_1_to_24_characters_without_control_characters(store, name, why):
    code = store.create().code
    with pytest.raises(BadName, match=why):
        store.join(code, name)


def test_two_students_cannot_share_a_nickname_and_the_teacher_renames_and_removes(store):
    new = store.create()
    a, b = store.join(new.code, "Ada"), store.join(new.code, "Bo")
    with pytest.raises(BadName, match="already"):
        store.join(new.code, "ADA")
    with pytest.raises(BadName):
        store.rename(new.teacher_token, b.student_id, "ada")
    store.rename(new.teacher_token, b.student_id, "Grace")
    assert [s.nickname for s in store.teacher(new.teacher_token).students] == ["Ada", "Grace"]
    store.remove(new.teacher_token, a.student_id)
    with pytest.raises(NotFound, match="join it again"):
        store.student(new.code, a.secret)
    with pytest.raises(NotFound):
        store.remove(new.teacher_token, a.student_id)
    with pytest.raises(NotFound):                # a student's secret is not a teacher's token
        store.rename(b.secret, b.student_id, "Me")


def test_a_pushed_task_has_a_new_version_and_what_the_store_returns_is_a_copy(store):
    new = store.create()
    task = {"setup": {"ds": "xor"}, "free": ["lr"]}
    assert store.push_task(new.teacher_token, task) == 1
    task["free"].append("layers")                                  # the caller's dict is not the store's
    seen = store.teacher(new.teacher_token).task
    seen["free"].append("ds")
    assert store.teacher(new.teacher_token).task == {"setup": {"ds": "xor"}, "free": ["lr"]}
    assert store.push_task(new.teacher_token, {"free": []}) == 2
    with pytest.raises((TypeError, ValueError)):
        store.push_task(new.teacher_token, {"x": float("nan")})      # not JSON: refused
    with pytest.raises(TypeError):
        store.push_task(new.teacher_token, ["not", "a", "dict"])


def test_recovery_gives_a_new_teacher_token_and_the_old_one_stops(store):
    new = store.create()
    token = store.recover(keys.show_recovery(new.recovery_code).lower())
    assert token != new.teacher_token and store.teacher(token).code == new.code
    with pytest.raises(NotFound):
        store.teacher(new.teacher_token)
    with pytest.raises(NotFound):
        store.recover(keys.new_recovery())
    with pytest.raises(NotFound, match="not a recovery code"):
        store.recover("0000")


def test_a_closed_class_refuses_joins_with_a_message_and_its_teacher_still_reads_it(store):
    new = store.create()
    store.join(new.code, "Ada")
    store.check(new.code)
    store.close(new.teacher_token)
    with pytest.raises(Ended, match="closed"):
        store.join(new.code, "Bo")
    with pytest.raises(Ended, match="closed"):
        store.check(new.code)
    assert store.teacher(new.teacher_token).closed and store.projector(new.projector_key).closed


def test_a_class_expires_after_3_idle_hours_and_its_code_says_so(make):
    store, clock = make()
    new, busy = store.create(), store.create()
    seat = store.join(busy.code, "Ada")
    clock.t += 2 * 3600
    store.student(busy.code, seat.secret)            # a student's visit is activity
    clock.t += 3600
    with pytest.raises(Ended, match="expired"):
        store.join(new.code, "Bo")
    for read in (lambda: store.teacher(new.teacher_token), lambda: store.projector(new.projector_key),
                 lambda: store.recover(new.recovery_code)):
        with pytest.raises(RoomError):
            read()
    assert store.student(busy.code, seat.secret)[0].nickname == "Ada"
    clock.t += 3 * 3600
    assert store.expire() == 1
    with pytest.raises(Ended):
        store.join(busy.code, "Bo")
    with pytest.raises(NotFound, match="No class has this code"):
        store.join(keys.new_code(), "Bo")


def test_caps_on_classes_and_students_are_refused_with_a_message(make):
    store, clock = make(max_classes=2, max_students=3)
    first, _ = store.create(), store.create()
    with pytest.raises(Full, match="2 classes"):
        store.create()
    for i in range(3):
        store.join(first.code, f"s{i}")
    with pytest.raises(Full, match="3 students"):
        store.join(first.code, "s3")
    clock.t += 3 * 3600 + 1
    store.create()                                   # expired classes make room


def test_joins_are_limited_per_class_not_per_address(make):
    store, clock = make()
    a, b = store.create(), store.create()
    for i in range(60):                              # a class of 60 joins at once
        store.join(a.code, f"a{i}")
    with pytest.raises(TooFast):
        store.join(a.code, "late")
    store.join(b.code, "other class")                # another class is not slowed
    clock.t += 2
    store.join(a.code, "late")                       # the bucket refills at 1 a second


def test_bad_keys_of_any_shape_are_refused_with_a_room_error(store):
    new = store.create()
    for bad in ("", "new", "x" * 10_000, "../../etc", "<script>", "\x00", new.code + "Z"):
        for call in (store.teacher, store.projector, store.check, lambda k: store.student(new.code, k),
                     lambda k: store.join(k, "Ada"), store.recover):
            with pytest.raises(RoomError):
                call(bad)


def test_the_store_is_thread_safe(store):
    new = store.create()
    errors = []

    def joiner(i):
        for j in range(10):
            try:
                store.join(new.code, f"t{i}-{j}")
            except RoomError as err:
                errors.append(err)

    threads = [threading.Thread(target=joiner, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    students = store.teacher(new.teacher_token).students
    assert all(isinstance(e, TooFast) for e in errors)        # 60 at once, then the join limit
    assert len(students) == 60 and len(errors) == 20 and len({s.student_id for s in students}) == len(students)


def test_only_the_teacher_sets_the_controls_and_focus_must_be_a_student(store):
    new = store.create()
    a, b = store.join(new.code, "Ada"), store.join(new.code, "Bo")
    assert store.projector(new.projector_key).controls.names_hidden is False
    assert store.teacher(new.teacher_token).controls == type(store.teacher(new.teacher_token).controls)()
    c = store.control(new.teacher_token, names_hidden=True, focus=b.student_id, paused=True)
    assert (c.names_hidden, c.focus, c.paused, c.locked) == (True, b.student_id, True, False)
    assert store.projector(new.projector_key).controls == c == store.student(new.code, a.secret)[1].controls
    for key in (new.projector_key, new.code, a.secret, new.recovery_code):
        with pytest.raises(NotFound):
            store.control(key, paused=True)
        with pytest.raises(NotFound):
            store.control(key, locked=True)
    with pytest.raises(NotFound):
        store.control(new.teacher_token, focus="nobody")
    assert store.control(new.teacher_token, focus="").focus == ""             # back to the gallery
    store.control(new.teacher_token, focus=b.student_id)
    store.remove(new.teacher_token, b.student_id)              # the focused student goes: back to the gallery
    assert store.teacher(new.teacher_token).controls.focus == ""
    assert store.control(new.teacher_token, names_hidden=False) == type(c)(False, "", True, False)


def test_the_teacher_holds_everyone_paused_and_locks_the_task_until_they_undo_it(store):
    """Each control stays as set until the teacher sets it again; None leaves it as it is."""
    new = store.create()
    a = store.join(new.code, "Ada")
    c = store.control(new.teacher_token, paused=True, locked=True)
    assert (c.paused, c.locked, c.names_hidden, c.focus) == (True, True, False, "")
    assert store.control(new.teacher_token, names_hidden=True) == type(c)(True, "", True, True)
    assert store.student(new.code, a.secret)[1].controls.paused                # every key reads it
    c = store.control(new.teacher_token, paused=False)
    assert (c.paused, c.locked) == (False, True)
    assert store.control(new.teacher_token, locked=False) == type(c)(True, "", False, False)
    assert store.projector(new.projector_key).controls == type(c)(True, "", False, False)


def test_a_roster_read_again_follows_every_change(store):
    """Each key reads the students as they are now, however often it read them before."""
    new = store.create()
    a = store.join(new.code, "Ada")
    for _ in range(2):
        assert [s.nickname for s in store.projector(new.projector_key).students] == ["Ada"]
        assert [s.nickname for s in store.student(new.code, a.secret)[1].students] == ["Ada"]
    b = store.join(new.code, "Bo")
    store.rename(new.teacher_token, a.student_id, "Grace")
    assert [s.nickname for s in store.projector(new.projector_key).students] == ["Grace", "Bo"]
    assert store.student(new.code, a.secret)[0].nickname == "Grace"
    store.remove(new.teacher_token, b.student_id)
    assert [s.student_id for s in store.student(new.code, a.secret)[1].students] == [a.student_id]
    assert [s.nickname for s in store.teacher(new.teacher_token).students] == ["Grace"]


def test_only_a_students_own_secret_sets_where_their_run_is_kept(store):
    """The seat learns the run store's key of the student's run (a digest, never a secret); the
    teacher and the projector read it, a student's view never carries anyone's."""
    new = store.create()
    a, b = store.join(new.code, "Ada"), store.join(new.code, "Bo")
    assert [s.run_key for s in store.projector(new.projector_key).students] == ["", ""]
    key_a, key_b = "a" * 32, "0123456789abcdef" * 2
    store.set_run(new.code, a.secret, key_a)
    store.set_run(new.code, b.secret, key_b)
    assert [s.run_key for s in store.projector(new.projector_key).students] == [key_a, key_b]
    assert [s.run_key for s in store.teacher(new.teacher_token).students] == [key_a, key_b]
    seat, view = store.student(new.code, a.secret)
    assert seat.run_key == "" and [s.run_key for s in view.students] == ["", ""]
    store.set_run(new.code, a.secret, key_b)                  # another browser of the same student: the latest
    assert store.projector(new.projector_key).students[0].run_key == key_b
    for key in (new.teacher_token, new.projector_key, new.recovery_code, "x" * 32):
        with pytest.raises(NotFound):
            store.set_run(new.code, key, key_a)
    other = store.create()
    with pytest.raises(NotFound):                             # a secret of another class sets nothing here
        store.set_run(other.code, a.secret, key_a)
    for bad in ("A" * 32, "a" * 31, "a" * 33, None, 7, "g" * 32):
        with pytest.raises(RoomError, match="32 hexadecimal"):
            store.set_run(new.code, a.secret, bad)
    store.remove(new.teacher_token, a.student_id)             # a removed student's secret sets nothing
    with pytest.raises(NotFound):
        store.set_run(new.code, a.secret, key_a)
    assert [s.run_key for s in store.projector(new.projector_key).students] == [key_b]
