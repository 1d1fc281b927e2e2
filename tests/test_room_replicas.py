"""A class across two real app replicas sharing one real Redis (``REDIS_URL``), at the socket
level as browsers make it (``bench/room_client``): the teacher's page and the projector on
replica 1, three students who join and play on replica 2. The teacher's page lists them, and the
projector's gallery socket on replica 1 receives each one's live states, which only Redis pub/sub
can have carried there. Skipped without redis-server, except in CI."""
from __future__ import annotations

import asyncio
import time

from bench.room_client import Projector, Student, start_class
from tests.browser import app_server
from tests.redis_server import redis_server

NAMES = ("Ada", "Bo", "Cy")
SEE_S = 30.0                 # the projector shows every student's states within this (a loaded machine)


async def a_class_on_two_replicas(one: str, two: str) -> dict:
    teacher, code, key = await start_class(one)
    students = [Student(two, code, name) for name in NAMES]
    projector = Projector(one, key)
    try:
        for s in students:
            await s.open()
            await s.control({"type": "play"})
        await projector.open()
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < SEE_S and not (
                sorted(projector.students) == sorted(NAMES) and len(projector.updates) == len(NAMES)):
            await asyncio.sleep(0.2)
        seen_s = time.perf_counter() - t0
        await asyncio.sleep(2.0)
        await teacher.rerun()
        return {"students": projector.students, "updates": dict(projector.updates), "seen_s": seen_s,
                "teacher_texts": list(teacher.texts),
                "errors": projector.errors + teacher.errors + [e for s in students for e in s.errors + s.session.errors]}
    finally:
        await asyncio.gather(*(s.close() for s in students), projector.close(), teacher.close(),
                             return_exceptions=True)


def test_a_projector_on_one_replica_shows_students_playing_on_the_other(monkeypatch):
    with redis_server() as url:
        monkeypatch.setenv("REDIS_URL", url)
        with app_server() as one, app_server() as two:
            r = asyncio.run(a_class_on_two_replicas(one, two))
    print(f"every student's states on the other replica's projector {r['seen_s']:.1f} s after it opened; "
          f"records per student: {r['updates']}")
    assert r["errors"] == []
    assert sorted(r["students"]) == sorted(NAMES)
    assert sorted(r["updates"]) == [0, 1, 2] and min(r["updates"].values()) >= 2    # live: more than one state each
    for name in NAMES:                                                              # the teacher's list
        assert any(name in t for t in r["teacher_texts"]), name
