"""The projector's gallery, below the browser: the teacher's controls in the store (only the
teacher's token sets them), the goal's ranking, the results CSV (safe in a spreadsheet), the
feed, students' sessions publishing at most twice a second and the teacher's "pause
everyone" (the one documented exception: held until the teacher lets everyone go on), and the projector's socket session: what it sends,
with hidden names never leaving the server, within its byte budget."""
from __future__ import annotations

import csv
import io
import json
import math
import time

import numpy as np
import pytest

from explorer.choices.config import Config
from explorer.live.channel import gallery_wire
from explorer.live.channel.gallery_session import FRAME_EVERY_S, GallerySession
from explorer.live.channel.room_feed import MemoryRoomFeed, Thumb
from explorer.live.channel.room_seats import PAUSED_NOTICE, RELEASED_NOTICE, Seats, setup_link
from explorer.live.channel.session import LiveSession
from explorer.live.setup_message import View
from explorer.rooms import goals
from explorer.rooms.memory_store import MemoryRoomStore
from explorer.rooms.results import results_csv, safe_cell
from explorer.rooms.store import NotFound
from explorer.training.run import Run, build_data
from explorer.training.run_store_memory import MemoryRunStore


def flower() -> Run:
    cfg = Config()
    return Run(cfg, build_data(cfg.data))


def a_class(n=2, task=None):
    store = MemoryRoomStore()
    new = store.create(task)
    seats = [store.join(new.code, f"kid{i}") for i in range(n)]
    return store, new, seats


def student_session(run=None) -> LiveSession:
    s = LiveSession()
    s.fallback = True
    s.attach(run or flower(), View())
    return s


def test_only_the_teacher_sets_the_controls_and_focus_must_be_a_student():
    store, new, (a, b) = a_class()
    assert store.projector(new.projector_key).controls.names_hidden is False
    c = store.control(new.teacher_token, names_hidden=True, focus=b.student_id, paused=True)
    assert (c.names_hidden, c.focus, c.paused) == (True, b.student_id, True)
    view = store.projector(new.projector_key)
    assert view.controls == c and store.student(new.code, a.secret)[1].controls == c
    for key in (new.projector_key, new.code, a.secret, new.recovery_code):
        with pytest.raises(NotFound):
            store.control(key, paused=True)
    with pytest.raises(NotFound):
        store.control(new.teacher_token, focus="nobody")
    store.remove(new.teacher_token, b.student_id)              # the focused student goes: back to the gallery
    assert store.teacher(new.teacher_token).controls.focus == ""
    assert store.control(new.teacher_token, names_hidden=False).paused is True


def test_the_goal_ranks_the_leaderboard():
    entries = [(0.95, 40), (0.91, 17), (0.88, 5), (math.nan, 9), (0.99, 17)]
    assert goals.leaderboard("test_accuracy", entries) == [4, 0, 1, 2, 3]
    # fewest weights among those at ≥ 0.9 (ties: the higher score), then the others by score
    assert goals.leaderboard("fewest_weights", entries) == [4, 1, 0, 2, 3]
    assert goals.reached("fewest_weights", 0.9) and not goals.reached("fewest_weights", 0.89)
    with pytest.raises(ValueError, match="test_accuracy"):
        goals.standing("most_fun", 1.0, 1)


def test_the_results_csv_cannot_start_a_formula():
    rows = [{"rank": 1, "nickname": "=HYPERLINK(\"http://x\")", "setup": "ds=xor", "epoch": 12, "training_score": 0.5,
             "test_score": math.nan, "loss": -0.25, "weights": 17, "goal_reached": True, "running": False},
            {"nickname": "+1", "setup": "-x"}, {"nickname": "@me"}, {"nickname": "\tx"}, {"nickname": "a,\"b\"\nc"}]
    text = results_csv(rows)
    back = list(csv.reader(io.StringIO(text)))
    assert back[0][:3] == ["rank", "nickname", "setup"]
    assert [r[1] for r in back[1:]] == ["'=HYPERLINK(\"http://x\")", "'+1", "'@me", "'\tx", "a,\"b\"\nc"]
    assert back[2][2] == "'-x" and back[1][5] == "" and back[1][6] == "-0.25" and back[1][8] == "yes"
    assert safe_cell(3) == 3 and safe_cell(None) == ""


def thumb(sid, epoch=1, score=0.5, sizes=(2, 4, 1), data="d1"):
    n = sum(sizes[i] * (sizes[i - 1] + 1) for i in range(1, len(sizes)))
    return Thumb(sid, epoch, True, sizes, ("tanh",) * (len(sizes) - 2) + ("sigmoid",), data,
                 np.full(n, 0.5, "<f2").tobytes(), score, score, 0.3, n, "ds=planar")


def test_the_feed_relays_to_its_subscribers_and_keeps_no_copy():
    t = [0.0]
    feed = MemoryRoomFeed(clock=lambda: t[0], idle_s=10, sub_idle_s=5)
    feed.publish("C", thumb("early", 1))                        # nobody reads: it goes nowhere
    sub = feed.subscribe("C")
    assert sub.take() == [] and not sub.waiting()
    feed.publish("C", thumb("a", 1))
    feed.publish("C", thumb("b", 1))
    feed.publish("C", thumb("a", 2))                            # a newer state replaces the older
    late = feed.subscribe("C")                                  # a later reader gets only what follows
    feed.publish("OTHER", thumb("x", 1))
    assert sub.waiting() and len(sub) == 2
    assert sorted((x.student_id, x.epoch) for x in sub.take()) == [("a", 2), ("b", 1)]
    assert sub.take() == [] and late.take() == []
    for i in range(20):
        feed.publish_data("C", f"k{i}", {"i": i})
    assert feed.data("C", "k0") is None and feed.data("C", "k19") == {"i": 19}
    t[0] = 4
    sub.take()                                                  # read: kept
    t[0] = 6
    feed.sweep()                                                # `late` was not read for 5 s: dropped, lost
    assert late.lost and not sub.lost
    feed.publish("C", thumb("a", 3))
    assert late.take() == [] and [x.epoch for x in sub.take()] == [3]
    sub.close()
    t[0] = 17
    assert feed.sweep() == 1 and feed.data("C", "k19") is None


def test_a_student_publishes_when_the_network_changes_at_most_once_a_round():
    store, new, (a, b) = a_class()
    feed = MemoryRoomFeed()
    seats = Seats(feed, store)
    s = student_session()
    s.run.cfg = Config()
    sub = feed.subscribe(new.code)
    assert seats.bind(new.code, a.secret, s) == a.student_id
    seats.tick()
    (first,) = sub.take()
    assert first.epoch == 0 and first.sizes == (2, 4, 1) and len(first.weights) == 2 * first.n_weights
    assert feed.data(new.code, first.data)["features"] == ["x1", "x2"]
    seats.tick()
    assert sub.take() == []                                     # nothing changed: nothing published
    with s.run.lock:
        s.run.train_steps(30, float("inf"))
    seats.tick()
    (second,) = sub.take()
    assert second.epoch == 30 and math.isfinite(second.score) and second.weights != first.weights
    with pytest.raises(NotFound):                                # a secret of another class's shape binds nothing
        seats.bind(new.code, "x" * 32, s)


def test_the_setup_link_never_carries_a_class_key():
    cfg, _ = Config(), None
    from dataclasses import replace
    cfg = replace(cfg, view=replace(cfg.view, me="s" * 32, join="ABCDEFGH"))
    link = setup_link(cfg)
    assert "me=" not in link and "join=" not in link and "class=" not in link


def test_pause_everyone_holds_each_student_paused_until_the_teacher_lets_them_go_on():
    store, new, (a, b, c) = a_class(3)
    feed = MemoryRoomFeed()
    seats = Seats(feed, store)
    sa, sb, sc = student_session(), student_session(), student_session()
    for seat, s in ((a, sa), (b, sb), (c, sc)):
        seats.bind(new.code, seat.secret, s)
    for s in (sa, sb):                                           # c stays paused throughout
        with s.run.lock:
            s.play()
    seats.tick()
    store.control(new.teacher_token, paused=True)
    seats.tick()
    assert not sa.running and not sb.running and sa.notice == sb.notice == PAUSED_NOTICE and sc.notice is None
    with sa.run.lock:
        sa.play()                                                # a Play while held: the seats' thread undoes it
    t0 = time.monotonic()
    while sa.running and time.monotonic() - t0 < 5:
        time.sleep(0.005)
    held_for = time.monotonic() - t0
    assert not sa.running and sa.notice == PAUSED_NOTICE, held_for
    assert held_for < 1.0, f"a Play during the hold ran {held_for:.3f} s"
    store.control(new.teacher_token, paused=False)               # the teacher lets everyone go on
    seats.tick()
    assert sa.notice == sb.notice == RELEASED_NOTICE and not sa.running and sc.notice is None
    with sa.run.lock:
        sa.play()
    seats.tick()
    assert sa.running                                            # no hold any more: Play trains
    store.remove(new.teacher_token, b.student_id)
    sub = feed.subscribe(new.code)
    with sb.run.lock:
        sb.run.train_steps(3, float("inf"))                      # the removed student's page goes on
    seats.tick()
    assert seats.count() == 2 and b.student_id not in {t.student_id for t in sub.take()}


def test_a_student_who_joins_or_reloads_during_the_hold_is_held_too():
    store, new, (a,) = a_class(1)
    seats = Seats(MemoryRoomFeed(), store)
    store.control(new.teacher_token, paused=True)
    s = student_session()
    with s.run.lock:
        s.play()                                                 # (a Play carried over a reload)
    seats.bind(new.code, a.secret, s)
    seats.tick()
    assert not s.running and s.notice == PAUSED_NOTICE


class Recorder:
    def __init__(self):
        self.out = []


def gallery(n=30, task=None):
    """A projector's gallery subscribed to a class whose ``n`` students then publish a state each
    (no run kept: what it shows came through the feed)."""
    store, new, seat_list = a_class(n, task)
    feed = MemoryRoomFeed()
    g = GallerySession(new.projector_key, feed, store, MemoryRunStore())
    g.setup()
    for i, seat in enumerate(seat_list):
        feed.publish_data(new.code, "d1", {"features": ["x1", "x2"], "problem": "classification"})
        feed.publish(new.code, thumb(seat.student_id, epoch=i, score=i / n))
    return store, new, seat_list, feed, g


def test_the_projector_setup_and_frames_and_hidden_names_never_leave_the_server():
    store, new, seat_list, feed, g = gallery(3)
    msg = json.loads(g.setup())
    assert msg["kind"] == "gallery" and msg["students"] == ["kid0", "kid1", "kid2"] and len(msg["thumbs"]) == 3
    assert msg["order"] == [2, 1, 0] and msg["shapes"][0]["n_weights"] == 17 and msg["data"][0]["features"]
    store.control(new.teacher_token, names_hidden=True, focus=seat_list[1].student_id)
    g.checked = g.last_frame_t = 0.0
    assert not g.changed() and g.setup_needed
    text = g.setup()
    msg = json.loads(text)
    assert "kid" not in text and msg["students"][0] == "Student 1" and msg["focus"] == 1
    assert msg["focus_setup"] == "ds=planar"
    feed.publish(new.code, thumb(seat_list[0].student_id, epoch=99, score=0.99))
    g.last_frame_t = 0.0
    assert g.changed()
    f = gallery_wire.decode(g.frame(), g.sizes_of)
    assert f["order"][0] == 0 and [r[:3] for r in f["records"]] == [(0, 0, 99)]
    assert np.allclose(f["weights"][0], 0.5)
    assert not g.window_open()                                   # the next waits for this one's ack
    acked, g.acked = g.acked, g.seq
    assert g.window_open()
    g.acked = acked
    assert not g.changed()                                       # at most one frame every FRAME_EVERY_S
    g.last_frame_t -= FRAME_EVERY_S
    assert not g.changed()                                       # ... and only when something is new
    feed.publish(new.code, thumb(seat_list[2].student_id, sizes=(2, 8, 1)))
    assert g.changed() and json.loads(g.frame())["type"] == "setup"   # a new shape: a setup, never acked
    assert g.acked == g.seq


def test_the_projector_drives_nothing_and_a_wrong_key_says_so():
    store, new, seat_list, feed, g = gallery(2)
    g.play(), g.step("epoch"), g.reset(), g.set_speed("max")
    assert not g.running and not g.wants_training() and g.speed == 1
    bad = GallerySession("k" * 22, feed, store, MemoryRunStore())
    msg = json.loads(bad.setup())
    assert msg["students"] == [] and "projector link" in msg["message"]


def test_thirty_students_at_two_updates_a_second_cost_a_projector_a_few_kilobytes_a_second():
    store, new, seat_list, feed, g = gallery(30)
    g.setup()
    sizes = []
    for k in range(4):                                           # every student new in every frame
        for seat in seat_list:
            feed.publish(new.code, thumb(seat.student_id, epoch=10 + k))
        g.last_frame_t = 0.0
        sizes.append(len(g.frame()))
    per_second = max(sizes) / FRAME_EVERY_S
    assert per_second < 6_000, sizes                             # 2-4-1 networks: ~1.7 kB a frame
    big = (2, 50, 50, 50, 50, 50, 50, 50, 50, 1)                 # the largest network: the budget holds
    for seat in seat_list:
        feed.publish(new.code, thumb(seat.student_id, sizes=big))
    g.frame()
    for seat in seat_list:
        feed.publish(new.code, thumb(seat.student_id, epoch=3, sizes=big))
    g.last_frame_t = 0.0
    data = g.frame()
    assert isinstance(data, bytes) and len(data) <= gallery_wire.WEIGHT_BUDGET + 2000
    assert len(g.pending) > 0                                    # the rest follow in the next frames


def test_the_class_chart_and_show_this_one_cost_no_byte_per_update():
    """The browser keeps each student's line from the records it already gets: a frame is still its
    header, the leaderboard, one record and the weights per student updated; the setup lists the
    students' ids (the lines' keys) and, per shape, which layers' outputs are in (0, 1)."""
    store, new, seat_list, feed, g = gallery(30)
    msg = json.loads(g.setup())
    assert msg["ids"] == [s.student_id for s in seat_list] and len(msg["ids"]) == len(msg["students"])
    assert msg["shapes"][0]["squash"] == [False, True]                 # tanh, then a sigmoid's (0, 1)
    assert msg["paint"]["grid"] == 100 and msg["paint"]["edges"]["bins"] > 0
    for i in range(3):
        feed.publish(new.code, thumb(seat_list[i].student_id, epoch=100 + i, score=0.9))
    g.last_frame_t = 0.0
    frame = g.frame()
    n_weights = 3 * 17
    assert len(frame) == gallery_wire.HEADER.size + 2 * 30 + 3 * gallery_wire.RECORD.size + 2 * n_weights
    f = gallery_wire.decode(frame, g.sizes_of)
    assert sorted(r[2] for r in f["records"]) == [100, 101, 102]    # each record: its epoch and scores
