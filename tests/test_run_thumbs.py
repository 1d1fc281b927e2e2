"""One run store, read by the gallery and the results (issue 18, "Lifecycle"): a student's seat
learns the key of their run from their own page; the Thumb made from the run store's checkpoint
is the one their page publishes live (weights, shape, data set, scores), so a projector that opens
late, or reopens, shows each student as the run store holds them; the feed keeps no copy."""
from __future__ import annotations

import base64
import json
import math
import secrets
import time
from dataclasses import fields
from urllib.parse import parse_qsl

import numpy as np
import pytest

from explorer.choices.link import from_query
from explorer.live.channel import gallery_wire
from explorer.live.channel.gallery_session import GallerySession
from explorer.live.channel.room_feed import MemoryRoomFeed
from explorer.live.channel.room_seats import Seats
from explorer.live.channel.run_keeper import Keeper
from explorer.live.channel.run_thumbs import class_thumbs, thumb_of
from explorer.pages.class_controls import result_rows
from explorer.rooms.memory_store import MemoryRoomStore
from explorer.training.run import Run, build_data
from explorer.training.run_checkpoint import capture, setup_link
from explorer.training.run_checkpoint_json import to_dict
from explorer.training.run_store_base import key_of
from explorer.training.run_store_memory import MemoryRunStore
from tests.test_room_gallery import student_session

LINKS = ("",                                           # the default lesson: Ng's flower, 4 tanh
         "ds=xor&test=0.3&layers=6:relu,3:tanh&opt=adam",   # a test set, two hidden layers
         "ds=reg_plane&layers=5:tanh",                 # regression: a linear output, R²
         "ds=multi_blobs&layers=4:relu")               # three classes: a softmax of 3


def run_of(link: str) -> Run:
    cfg, _ = from_query(parse_qsl(link))
    return Run(cfg, build_data(cfg.data))


def same(a, b) -> bool:
    """Two Thumbs equal field by field (NaN equals NaN)."""
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if not (x == y or (isinstance(x, float) and math.isnan(x) and isinstance(y, float) and math.isnan(y))):
            print(f.name, x, y)
            return False
    return True


class Student:
    """A student's page: a live session whose socket said hello with a browser secret, bound to
    their seat."""

    def __init__(self, keeper: Keeper, link: str = ""):
        self.secret = secrets.token_urlsafe(32)
        self.session = student_session(run_of(link))
        keeper.connected(self.session, self.secret, None)

    def train(self, epochs: int) -> None:
        with self.session.run.lock:
            self.session.run.train_steps(epochs, float("inf"))

    def save(self, runs) -> None:
        """What the keeper's writer does with the run's checkpoint (``run_keeper``)."""
        with self.session.run.lock:
            runs.save(self.secret, to_dict(capture(self.session.run, self.session.running)))


def a_class(links, runs=None):
    """A class whose students (one per link) trained 5, 10, 15, ... epochs, each run saved in the run
    store and each seat told where it is (``Seats.tick``)."""
    store, feed, runs = MemoryRoomStore(), MemoryRoomFeed(), runs or MemoryRunStore()
    keeper = Keeper(runs)
    new = store.create()
    seats = Seats(feed, store, keeper=keeper)
    students = []
    for i, link in enumerate(links):
        seat = store.join(new.code, f"kid{i}")
        st = Student(keeper, link)
        st.train(5 * (i + 1))
        st.save(runs)
        seats.bind(new.code, seat.secret, st.session)
        students.append((seat, st))
    seats.tick()
    return store, feed, runs, new, seats, students


@pytest.mark.parametrize("link", LINKS)
def test_the_thumb_from_the_run_store_is_the_one_the_page_publishes(link):
    store, feed, runs, new, seats, ((seat, st),) = a_class([link])
    sub = feed.subscribe(new.code)
    st.train(7)
    seats.tick()
    (live,) = sub.take()
    st.save(runs)
    stored = thumb_of(seat.student_id, runs.load(st.secret))
    assert stored is not None and same(stored, live)
    assert stored.epoch == 12 and len(stored.weights) == 2 * stored.n_weights
    assert feed.data(new.code, stored.data) is not None          # the page published the data set under that key


def test_the_seat_learns_the_run_key_from_the_students_own_page_and_never_the_secret():
    store, feed, runs, new, seats, students = a_class(LINKS[:2])
    view = store.projector(new.projector_key)
    assert [s.run_key for s in view.students] == [key_of(st.secret) for _, st in students]
    for _, st in students:
        assert st.secret not in repr(view)
    assert all(s.run_key == "" for s in store.student(new.code, students[0][0].secret)[1].students)


def test_a_projector_that_opens_late_shows_each_student_as_the_run_store_holds_them():
    store, feed, runs, new, seats, students = a_class(LINKS)
    g = GallerySession(new.projector_key, feed, store, runs)        # opens after they trained
    msg = json.loads(g.setup())
    assert msg["students"] == ["kid0", "kid1", "kid2", "kid3"]
    by_student = {t["student"]: t for t in msg["thumbs"]}
    assert [by_student[i]["epoch"] for i in range(4)] == [5, 10, 15, 20]
    for i, (seat, st) in enumerate(students):
        t = by_student[i]
        shape = msg["shapes"][t["shape"]]
        Wb = [layer.Wb for layer in st.session.run.net.layers]
        want = np.concatenate([w.ravel() for w in Wb]).astype("<f2")
        assert np.array_equal(np.frombuffer(base64.b64decode(t["weights"]), "<f2"), want)
        assert shape["sizes"][1:] == [w.shape[0] for w in Wb] and shape["data"] >= 0
    # a student trains on: the feed brings it to the projector, live
    students[1][1].train(3)
    seats.tick()
    g.last_frame_t = 0.0
    assert g.changed()
    f = gallery_wire.decode(g.frame(), g.sizes_of)
    assert [(r[0], r[2]) for r in f["records"]] == [(1, 13)]


def test_a_lost_subscription_makes_the_next_frame_a_setup_from_the_run_store():
    store, feed, runs, new, seats, students = a_class(LINKS[:2])
    g = GallerySession(new.projector_key, feed, store, runs)
    g.setup()
    g.sub.drop()                                                  # (as the feed does when Redis went away)
    assert g.changed()
    msg = json.loads(g.frame())
    assert msg["type"] == "setup" and sorted(t["epoch"] for t in msg["thumbs"]) == [5, 10]
    assert not g.sub.lost


def test_the_results_read_the_run_store():
    store, feed, runs, new, seats, students = a_class(LINKS[:3])
    rows = result_rows(store.teacher(new.teacher_token), runs)
    assert sorted(r["epoch"] for r in rows) == [5, 10, 15]
    assert {r["nickname"]: r["setup"] for r in rows}["kid1"] == setup_link(students[1][1].session.run.cfg)
    runs.forget(students[0][1].secret)                            # a run no longer kept: a name, no numbers
    rows = result_rows(store.teacher(new.teacher_token), runs)
    assert {r["nickname"]: r.get("epoch") for r in rows} == {"kid0": None, "kid1": 10, "kid2": 15}


def test_thirty_students_setup_from_the_run_store_is_quick():
    store, feed, runs, new, seats, students = a_class([""] * 30)
    view = store.projector(new.projector_key)
    t0 = time.perf_counter()
    thumbs = class_thumbs(runs, view.students)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    msg = json.loads(GallerySession(new.projector_key, feed, store, runs).setup())
    setup_s = time.perf_counter() - t0
    print(f"30 students: their thumbs from the run store {1000 * load_s:.1f} ms, a whole setup {1000 * setup_s:.1f} ms")
    assert len(thumbs) == 30 and len(msg["thumbs"]) == 30
    assert setup_s < 2.0                                          # (a loaded machine; ~10 ms when quiet)
