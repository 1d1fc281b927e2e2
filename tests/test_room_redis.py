"""The shared class store and gallery feed on a real ``redis-server`` (``tests/redis_server.py``;
skipped without the binary, except in CI), as replicas use them: two store and feed instances,
each with its own client, are two replicas. A teacher on one sees a student who joined on the
other; a student's state published on one reaches a projector on the other, also from another
process and after Redis restarts; nothing secret is kept; Redis expires an idle class itself;
a bad or silent REDIS_URL is one log line and a sentence, never a crash."""
from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import redis

from explorer.live.channel import gallery_wire
from explorer.live.channel.gallery_session import GallerySession
from explorer.live.channel.run_keeper import Keeper
from explorer.live.channel.redis_feed import RedisRoomFeed
from explorer.live.channel.room_feed import MemoryRoomFeed, Thumb
from explorer.live.channel.room_seats import Seats
from explorer.rooms import messages
from explorer.rooms.redis_store import RedisRoomStore
from explorer.rooms.server import OffStore, choose
from explorer.rooms.store import BadName, Ended, Full, NotFound, RoomError, Unavailable
from explorer.training.run_checkpoint import capture
from explorer.training.run_checkpoint_json import to_dict
from explorer.training.run_store_redis import RedisRunStore
from tests.redis_server import free_port, redis_server
from tests.test_room_gallery import student_session

ROOT = Path(__file__).resolve().parents[1]
ARRIVE_S = 2.0               # a published state reaches another replica within this


@pytest.fixture(scope="module")
def url():
    with redis_server() as u:
        yield u


@pytest.fixture
def replicas(url):
    """Two replicas' (store, feed), each on its own client, on an empty database."""
    made = []
    for _ in range(2):
        client = redis.Redis.from_url(url)
        made.append((client, RedisRoomStore(client), RedisRoomFeed(client)))
    made[0][0].flushdb()
    yield [(store, feed) for _, store, feed in made]
    for client, _, feed in made:
        feed.close()
        client.close()


def thumb(sid, epoch=1, score=0.5):
    return Thumb(sid, epoch, True, (2, 4, 1), ("tanh", "sigmoid"), "d1", np.full(17, 0.5, "<f2").tobytes(),
                 score, float("nan"), 0.3, 17, "ds=planar")


def until(condition, seconds=ARRIVE_S):
    """Whether ``condition()`` holds within ``seconds`` (polled)."""
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.005)
    return True


def test_a_teacher_on_one_replica_sees_students_who_joined_on_the_other(replicas):
    (one, _), (two, _) = replicas
    new = one.create({"goal": "test_accuracy"})
    assert one.teacher(new.teacher_token).students == ()
    ada = two.join(new.code, "Ada")
    assert [s.nickname for s in one.teacher(new.teacher_token).students] == ["Ada"]
    assert one.student(new.code, ada.secret)[0].student_id == ada.student_id      # a reload on the other replica
    two.rename(new.teacher_token, ada.student_id, "Grace")                       # the teacher's page moved too
    assert [s.nickname for s in one.projector(new.projector_key).students] == ["Grace"]
    one.close(new.teacher_token)
    with pytest.raises(Ended, match="closed"):
        two.join(new.code, "Bo")


def race(calls) -> list:
    """Each call at once, on its own thread; what each returned or raised (a RoomError)."""
    start, out = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i, call):
        start.wait()
        try:
            out[i] = call()
        except RoomError as err:
            out[i] = err

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_two_replicas_racing_never_overfill_a_class_or_share_a_nickname(url):
    clients = [redis.Redis.from_url(url) for _ in range(2)]
    clients[0].flushdb()
    one, two = (RedisRoomStore(c, max_students=5) for c in clients)
    for _ in range(5):
        new = one.create()
        names = ["Same", "same", "SAME", "a", "b", "c", "d", "e", "f", "g"]
        out = race([lambda s=(one, two)[i % 2], n=n: s.join(new.code, n) for i, n in enumerate(names)])
        seated = [r.nickname for r in out if not isinstance(r, RoomError)]
        assert len(seated) == 5 and len({n.casefold() for n in seated}) == 5, out
        assert all(isinstance(r, (BadName, Full)) for r in out if isinstance(r, RoomError))
        assert sorted(s.nickname for s in two.teacher(new.teacher_token).students) == sorted(seated)
        tokens = race([lambda s=s: s.recover(new.recovery_code) for s in (one, two, one, two)])
        assert sum(_opens(one, t) for t in tokens) == 1 and not _opens(two, new.teacher_token)
    for c in clients:
        c.close()


def _opens(store, token) -> bool:
    try:
        store.teacher(token)
        return True
    except NotFound:
        return False


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_the_feed_contract(kind, replicas):
    """What ``room_seats`` and ``gallery_session`` rely on, for both feeds: a relay to the readers
    subscribed, the latest state per student since they last took, no copy kept."""
    feed = MemoryRoomFeed() if kind == "memory" else replicas[0][1]
    feed.publish("C", thumb("before", 1))                   # nobody subscribed: it goes nowhere
    sub = feed.subscribe("C")
    if kind == "redis":
        assert until(lambda: "bpx:feed:C" in feed._confirmed)    # (the listener's SUBSCRIBE went through)
    feed.publish("C", thumb("a", 1))
    feed.publish("C", thumb("b", 1))
    feed.publish("C", thumb("a", 2))
    if kind == "memory":
        assert len(sub) == 2                                # a's two states: the latest only
    got: dict = {}

    def gathered() -> bool:                                 # (through Redis they may come in two takes)
        got.update((x.student_id, x) for x in sub.take())
        return "b" in got and "a" in got and got["a"].epoch == 2

    assert until(gathered)
    assert {k: t.epoch for k, t in got.items()} == {"a": 2, "b": 1}
    assert got["b"].weights == thumb("b").weights and np.isnan(got["b"].test_score)
    assert sub.take() == [] and feed.subscribe("C").take() == []   # a new reader gets nothing old
    for i in range(20):
        feed.publish_data("C", f"k{i}", {"i": i})
    assert feed.data("C", "k0") is None and feed.data("C", "k19") == {"i": 19}


def test_redis_keeps_no_state_of_any_student(replicas, url):
    """A class of 30 publishing: Redis holds their data set and no student's state (that is the
    run store's); the figure is the bytes of the class's feed keys."""
    (store, feed), _ = replicas
    new = store.create()
    sub = feed.subscribe(new.code)
    assert until(lambda: f"bpx:feed:{new.code}" in feed._confirmed)
    feed.publish_data(new.code, "d1", {"features": ["x1", "x2"], "points": "A" * 4000})
    for i in range(30):
        for epoch in range(3):
            feed.publish(new.code, thumb(f"s{i}", epoch))
    assert until(lambda: len(sub) == 30)
    client = redis.Redis.from_url(url)
    keys = sorted(k.decode() for k in client.scan_iter(f"bpx:feed:{new.code}*"))
    used = sum(client.memory_usage(k) or 0 for k in keys)
    client.close()
    print(f"a class of 30 publishing: its feed's keys in Redis {keys}, {used:,} bytes")
    assert keys == [f"bpx:feed:{new.code}:{part}" for part in ("data", "dn", "dorder")]


def test_a_state_published_on_one_replica_reaches_a_projector_on_the_other(replicas):
    (_, pub), (_, sub_feed) = replicas
    sub = sub_feed.subscribe("K")                            # the projector's replica subscribes
    assert until(lambda: "bpx:feed:K" in sub_feed._confirmed)
    sent = time.monotonic()
    pub.publish("K", thumb("s1", epoch=7))
    assert until(sub.waiting), "nothing arrived"
    print(f"arrived after {1000 * (time.monotonic() - sent):.1f} ms")
    (t,) = sub.take()
    assert (t.student_id, t.epoch, t.weights) == ("s1", 7, thumb("s1").weights)


def test_a_projector_on_one_replica_shows_a_run_saved_on_the_other(replicas, url):
    """A student trains on replica 1 (their run saved in the shared run store, their seat told
    where); a projector opened afterwards on replica 2 (or reopened after its replica died) shows
    them as the run store holds them, and then live through the feed."""
    (store1, feed1), (store2, feed2) = replicas
    runs1, runs2 = RedisRunStore(url, prefix="bpx-t:"), RedisRunStore(url, prefix="bpx-t:")
    new = store1.create()
    seat = store2.join(new.code, "Ada")
    session, secret = student_session(), secrets.token_urlsafe(32)
    keeper = Keeper(runs1)
    keeper.connected(session, secret, None)
    with session.run.lock:
        session.run.train_steps(12, float("inf"))
        runs1.save(secret, to_dict(capture(session.run, False)))   # (what the keeper's writer saves)
    seats = Seats(feed1, store1, keeper=keeper)
    seats.bind(new.code, seat.secret, session)
    seats.tick()
    gallery = GallerySession(new.projector_key, feed2, store2, runs2)
    msg = json.loads(gallery.setup())
    assert msg["students"] == ["Ada"] and [t["epoch"] for t in msg["thumbs"]] == [12]
    Wb = np.concatenate([layer.Wb.ravel() for layer in session.run.net.layers]).astype("<f2")
    assert np.array_equal(np.frombuffer(base64.b64decode(msg["thumbs"][0]["weights"]), "<f2"), Wb)
    assert msg["data"][0]["features"] == ["x1", "x2"]       # the data set came through Redis too
    assert until(lambda: f"bpx:feed:{new.code}" in feed2._confirmed)
    with session.run.lock:
        session.run.train_steps(3, float("inf"))
    seats.tick()
    assert until(lambda: gallery.sub.waiting())
    gallery.last_frame_t = 0.0
    f = gallery_wire.decode(gallery.frame(), gallery.sizes_of)
    assert [(r[0], r[2]) for r in f["records"]] == [(0, 15)]
    runs1.client.close()
    runs2.client.close()


PUBLISHER = """
import sys, numpy as np, redis
from explorer.live.channel.redis_feed import RedisRoomFeed
from explorer.live.channel.room_feed import Thumb
from explorer.rooms.redis_store import RedisRoomStore
client = redis.Redis.from_url(sys.argv[1])
seat = RedisRoomStore(client).join(sys.argv[2], "From afar")
RedisRoomFeed(client).publish(sys.argv[2], Thumb(seat.student_id, 42, True, (2, 4, 1), ("tanh", "sigmoid"), "d1",
                              np.zeros(17, "<f2").tobytes(), 0.9, 0.8, 0.1, 17, "ds=xor"))
"""


def test_a_student_in_another_process_reaches_this_ones_teacher_and_projector(replicas, url):
    (store, feed), _ = replicas
    new = store.create()
    sub = feed.subscribe(new.code)
    assert until(lambda: f"bpx:feed:{new.code}" in feed._confirmed)
    subprocess.run([sys.executable, "-c", PUBLISHER, url, new.code], cwd=ROOT, check=True, timeout=60)
    assert [s.nickname for s in store.teacher(new.teacher_token).students] == ["From afar"]
    assert until(lambda: [t.epoch for t in sub.take()] == [42])


def test_the_gallery_comes_back_after_redis_restarts():
    port = free_port()
    with redis_server(port) as u:
        pub, sub = RedisRoomFeed(redis.Redis.from_url(u)), RedisRoomFeed(redis.Redis.from_url(u))
        reader = sub.subscribe("C")
        assert until(lambda: "bpx:feed:C" in sub._confirmed)
        pub.publish("C", thumb("old", 1))
        assert until(lambda: [t.epoch for t in reader.take()] == [1])
    try:
        with pytest.raises(redis.RedisError):
            pub.publish("C", thumb("s1", 2))
        with redis_server(port):                            # empty again: it saves nothing
            assert until(lambda: reader.lost, 10)           # what was published meanwhile is gone: its reader
            again = sub.subscribe("C")                      # reads the run store again and subscribes anew
            assert until(lambda: (pub.publish("C", thumb("s1", 3)), again.waiting())[1], 10)
            assert [(t.student_id, t.epoch) for t in again.take()] == [("s1", 3)]
    finally:
        pub.close()
        sub.close()


def test_nothing_secret_is_kept_in_redis(replicas, url):
    (store, feed), _ = replicas
    new = store.create({"setup": {"ds": "xor"}})
    seat = store.join(new.code, "Ada")
    token = store.recover(new.recovery_code)
    client = redis.Redis.from_url(url)
    dump = b""
    for key in client.scan_iter():
        kind = client.type(key)
        value = {b"string": client.get, b"hash": client.hgetall, b"zset": lambda k: client.zrange(k, 0, -1)}[kind](key)
        dump += key + repr(value).encode()
    client.close()
    assert b"Ada" in dump and new.projector_key.encode() in dump          # kept: shown again, drives nothing
    for secret in (new.teacher_token, token, new.recovery_code, seat.secret):
        assert secret.encode() not in dump


def test_redis_itself_forgets_a_class_idle_past_its_expiry(url):
    client = redis.Redis.from_url(url)
    client.flushdb()
    store = RedisRoomStore(client, prefix="ttl", expiry_s=1.0)
    new = store.create()
    store.join(new.code, "Ada")
    assert 0 < client.pttl(f"ttl:room:{new.code}") <= 1000
    time.sleep(0.6)
    store.teacher(new.teacher_token)                          # activity renews every key's TTL
    assert client.pttl(f"ttl:room:{new.code}:seats") > 800
    assert until(lambda: client.keys("ttl:room:*") == [], 3)
    assert not client.keys("ttl:teacher:*") and not client.keys("ttl:projector:*")
    assert client.exists(f"ttl:ended:{new.code}")             # the code is remembered as ended
    with pytest.raises(Ended, match="expired"):
        store.join(new.code, "Bo")
    client.close()


def test_a_bad_or_silent_redis_url_is_one_log_line_and_a_sentence(caplog):
    caplog.set_level(logging.ERROR, "explorer.rooms")
    client, store = choose("http://redis.example:6379")
    assert client is None and isinstance(store, OffStore) and len(caplog.records) == 1
    assert "REDIS_URL" in caplog.records[0].getMessage()
    with pytest.raises(Unavailable, match="misconfigured"):
        store.join("ABCD-EFGH", "Ada")
    caplog.clear()
    port = free_port()
    client, store = choose(f"redis://:hunter2@127.0.0.1:{port}/0")
    (line,) = [r.getMessage() for r in caplog.records]
    assert "does not answer" in line and "hunter2" not in line
    with pytest.raises(Unavailable) as err:
        store.create()
    assert str(err.value) == messages.UNAVAILABLE
    with redis_server(port, ("--requirepass", "hunter2")):          # it answers now: classes work
        assert store.teacher(store.create().teacher_token).students == ()
    client.close()


def test_the_app_starts_with_a_bad_redis_url():
    """The process's store and feed are chosen at import; a bad URL does not stop the import."""
    env = dict(os.environ, REDIS_URL="not a url")
    out = subprocess.run([sys.executable, "-c", "import explorer.live.channel.room_feed as f, explorer.rooms.server as s;"
                          "print(type(f.FEED).__name__, type(s.STORE).__name__)"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.split() == ["MemoryRoomFeed", "OffStore"]
    assert len(out.stderr.strip().splitlines()) == 1 and "REDIS_URL" in out.stderr


def test_a_student_stays_in_the_gallery_while_redis_is_away():
    """A store that does not answer is not a student removed: the seat stays bound."""
    port = free_port()
    with redis_server(port) as u:
        client = redis.Redis.from_url(u)
        store, feed = RedisRoomStore(client), RedisRoomFeed(client)
        new = store.create()
        seat = store.join(new.code, "Ada")
        seats, session = Seats(feed, store), student_session()
        seats.bind(new.code, seat.secret, session)
    try:
        seats.tick()
        assert seats.count() == 1
    finally:
        feed.close()
        client.close()
