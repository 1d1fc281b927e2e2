"""The training scheduler: fair shares at "max", the default lesson's pace, auto-pause,
and training that stops when its socket closes. A fake socket acks every frame at once
(as a fast browser would); nothing here asserts on wall-clock durations."""
from __future__ import annotations

import gc
import json
import time

import pytest

from explorer.live.channel import wire
from explorer.live.channel.scheduler import PACED_FPS, SCHEDULER
from explorer.live.channel.session import LiveSession
from explorer.choices.config import Config
from explorer.live.setup_message import View
from explorer.training.run import Run, build_data

WAIT_S = 60          # generous limits for a loaded machine: a test fails only if nothing happens


class FakeSocket:
    """Collects what the scheduler sends; acks each binary frame immediately (``auto_ack``
    True), never (False), or as the page does ("asked": once a frame since its last ack asked)."""

    closed = False

    def __init__(self, session: LiveSession, auto_ack: bool | str = True):
        self.session, self.auto_ack = session, auto_ack
        self.frames: list[dict] = []
        self.texts: list[dict] = []
        self.acks: list[int] = []
        self.asked = False

    def send(self, data):
        if isinstance(data, bytes):
            n_layers = len(self.session.run.net.layers)
            frame = wire.decode_frame(data, n_layers)
            self.frames.append(frame)
            self.asked = self.asked or bool(frame["flags"] & wire.FLAG_ACK)
            if self.auto_ack is True or (self.auto_ack == "asked" and self.asked):
                self.asked = False
                self.acks.append(frame["seq"])
                self.session.inbox.append({"type": "ack", "seq": frame["seq"]})
                SCHEDULER.wake()
        else:
            self.texts.append(json.loads(data))

    def statuses(self, reply_to=None):
        return [m for m in self.texts if m["type"] == "status" and (reply_to is None or m["reply_to"] == reply_to)]


def wait_for(predicate, what: str):
    deadline = time.monotonic() + WAIT_S
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT_S} s for {what}")
        time.sleep(0.01)


def learner(speed="1", cfg: Config | None = None):
    cfg = cfg or Config()
    run = Run(cfg, build_data(cfg.data))
    s = LiveSession()
    s.attach(run, View(), speed)
    sock = FakeSocket(s)
    assert s.connect(sock)
    SCHEDULER.ensure_started()
    return s, sock, run


def send(s: LiveSession, **msg):
    s.inbox.append(msg)
    SCHEDULER.wake()


@pytest.fixture(autouse=True)
def quiet():
    gc.collect()            # sessions of earlier tests are gone: they do not share the CPU
    yield
    gc.collect()


def test_two_runs_at_max_get_the_same_share():
    a, sa, ra = learner("max")
    b, sb, rb = learner("max")
    send(a, type="play")
    send(b, type="play")
    wait_for(lambda: ra.epoch + rb.epoch > 3000, "3000 epochs")
    send(a, type="pause")
    send(b, type="pause")
    wait_for(lambda: not a.running and not b.running, "both paused")
    assert 0.8 < ra.epoch / rb.epoch < 1.25, (ra.epoch, rb.epoch)
    assert sa.frames and sb.frames


def test_the_default_lesson_learns_at_a_pace_people_can_follow():
    """Speed 1: one epoch per frame, PACED_FPS frames a second. Ng's flower must not pass
    0.85 training accuracy within 5 s of Play, and must get there within 20 s."""
    s, sock, run = learner()
    assert s.speed == 1
    send(s, type="play")
    wait_for(lambda: len(sock.frames) >= 20 * PACED_FPS, f"{20 * PACED_FPS} frames")
    send(s, type="pause")
    epochs = [f["epoch"] for f in sock.frames[:20 * PACED_FPS]]
    assert epochs == list(range(epochs[0], epochs[0] + len(epochs)))      # one epoch per frame
    acc = {f["epoch"]: f["latest"][1] for f in sock.frames}
    five_s, twenty_s = 5 * PACED_FPS, 20 * PACED_FPS
    assert max(acc[e] for e in acc if e <= five_s) < 0.85
    assert acc[twenty_s] >= 0.85
    assert len(sock.statuses("play")) == 1 and sock.statuses("play")[0]["running"]


def test_pause_step_and_speed_act_within_a_slice():
    s, sock, run = learner("max")
    send(s, type="play")
    wait_for(lambda: run.epoch > 50, "training")
    send(s, type="pause")
    wait_for(lambda: sock.statuses("pause"), "the pause status")
    stopped = run.epoch
    assert sock.statuses("pause")[0]["running"] is False
    send(s, type="step", unit="epoch")
    wait_for(lambda: sock.statuses("step"), "the step status")
    assert run.epoch == stopped + 1 and not s.running
    send(s, type="speed", value=5)
    wait_for(lambda: sock.statuses("speed"), "the speed status")
    assert s.speed == 5 and sock.statuses("speed")[0]["speed"] == 5


def test_a_hidden_tab_pauses_with_a_notice():
    s, sock, run = learner("max")
    send(s, type="play")
    wait_for(lambda: run.epoch > 10, "training")
    send(s, type="visible", hidden=True)
    wait_for(lambda: sock.statuses("visible"), "the auto-pause status")
    status = sock.statuses("visible")[-1]
    assert not s.running and status["running"] is False and "hidden" in status["notice"]


def test_fifteen_minutes_without_input_pause_with_a_notice():
    s, sock, run = learner("max")
    send(s, type="play")
    wait_for(lambda: run.epoch > 10, "training")
    s.last_input -= 15 * 60 + 1
    SCHEDULER.wake()
    wait_for(lambda: not s.running, "the idle auto-pause")
    assert "15 minutes" in sock.statuses()[-1]["notice"]


def test_closing_the_socket_stops_training_at_once():
    s, sock, run = learner("max")
    send(s, type="play")
    wait_for(lambda: run.epoch > 10, "training")
    s.disconnect(sock)
    assert not s.wants_training()                 # no socket: not trained from this moment
    SCHEDULER.wake()
    time.sleep(0.2)
    assert not s.running                          # and the next round paused it
    stopped = s.steps
    time.sleep(0.3)
    assert s.steps == stopped and s.conn is None


def test_frames_wait_for_the_ack():
    s, sock, run = learner("max")
    sock.auto_ack = False
    send(s, type="play")
    wait_for(lambda: sock.frames, "the first frame")
    wait_for(lambda: run.epoch > sock.frames[0]["epoch"] + 100, "training past the first frame")
    assert len(sock.frames) == 1                     # trained on, but sent nothing unacked
    send(s, type="ack", seq=sock.frames[0]["seq"])
    wait_for(lambda: len(sock.frames) == 2, "the next frame after the ack")
    send(s, type="pause")


def test_a_paced_page_acks_one_frame_in_four_and_misses_no_update():
    """At a paced speed the server's tick sets the pace: the page acks only the frames that ask
    (one in ``wire.ACK_EVERY``), and every epoch still comes in its own frame, in order."""
    s, sock, run = learner("1")
    sock.auto_ack = "asked"
    send(s, type="play")
    wait_for(lambda: len(sock.frames) >= 41, "41 frames")
    send(s, type="pause")
    frames = sock.frames[:41]
    assert [f["epoch"] for f in frames] == list(range(frames[0]["epoch"], frames[0]["epoch"] + 41))
    asked = [f["seq"] for f in frames if f["flags"] & wire.FLAG_ACK]
    acked = [q for q in sock.acks if q <= frames[-1]["seq"]]
    assert acked == asked                              # the page acked exactly the frames that asked
    assert 41 // wire.ACK_EVERY - 1 <= len(acked) <= 41 // wire.ACK_EVERY + 1, acked


def test_a_page_that_stops_acking_gets_a_window_of_frames_and_no_more():
    """A page that draws nothing (a slow phone) holds the server back after ``wire.PACED_WINDOW``
    frames at a paced speed; its ack lets the next ones go; Pause still shows, one over."""
    s, sock, run = learner("1")
    sock.auto_ack = False
    send(s, type="play")
    wait_for(lambda: len(sock.frames) >= wire.PACED_WINDOW, "a window of frames")
    r0 = SCHEDULER.rounds
    wait_for(lambda: SCHEDULER.rounds > r0 + 3, "3 more rounds")
    assert len(sock.frames) == wire.PACED_WINDOW
    assert sock.frames[-1]["flags"] & wire.FLAG_ACK       # the newest unacked frame asked
    assert run.epoch == sock.frames[-1]["epoch"] + 1      # one update is ready for the ack, no more
    send(s, type="ack", seq=sock.frames[wire.ACK_EVERY - 1]["seq"])
    wait_for(lambda: len(sock.frames) >= wire.PACED_WINDOW + wire.ACK_EVERY, "frames after the ack")
    r0 = SCHEDULER.rounds
    wait_for(lambda: SCHEDULER.rounds > r0 + 3, "3 more rounds")
    assert len(sock.frames) == wire.PACED_WINDOW + wire.ACK_EVERY
    send(s, type="pause")
    wait_for(lambda: not sock.frames[-1]["running"], "the frame that shows Pause")
    assert len(sock.frames) == wire.PACED_WINDOW + wire.ACK_EVERY + 1


def test_the_window_never_waits_for_an_ack_that_was_not_asked_for():
    """Which frames ask (``wire.asks_ack``) and when the next may go (``LiveSession.window_open``),
    state by state: at a paced speed the 4th unacked frame asks and the 9th waits (a stop: the
    10th); at max each asks and the 2nd waits; and frames sent at a paced speed before any asked
    (then the speed went to max) never hold the next one back."""
    assert [wire.asks_ack(u, 1) for u in range(1, 10)] == [u >= wire.ACK_EVERY for u in range(1, 10)]
    assert all(wire.asks_ack(u, "max") for u in range(1, 10))
    s = LiveSession()
    s.speed = 1
    s.seq, s.acked, s.asked = wire.PACED_WINDOW - 1, 0, wire.ACK_EVERY
    assert s.window_open()                               # 7 unacked, one of which asked: room for one
    s.seq = wire.PACED_WINDOW
    assert not s.window_open() and s.window_open(stopped=True)     # a full window; Pause: one over
    s.seq += 1
    assert not s.window_open(stopped=True)
    s.acked = wire.ACK_EVERY                             # the page acked the frame that asked
    assert s.window_open()
    s.speed = "max"
    s.seq, s.acked, s.asked = 3, 0, 0                    # 3 paced frames out, none asked: then max
    assert s.window_open()                               # ...so none is waited for
    s.seq = s.asked = 4                                  # the first frame at max asked
    assert not s.window_open() and not s.window_open(stopped=True)
    s.acked = 4
    assert s.window_open()


def test_a_setup_while_a_frame_waits_unacked_does_not_stop_the_frames():
    """The browser draws a setup instead of a frame still waiting for its animation frame, and
    never acks that frame (view.js, gridview.js): the frames after the setup must not wait for it."""
    s, sock, run = learner("max")
    sock.auto_ack = False
    send(s, type="play")
    wait_for(lambda: sock.frames, "the first frame")
    with run.lock:
        s.setup_needed = True                       # a page run changed the view, say
    SCHEDULER.wake()
    wait_for(lambda: sum(m["type"] == "setup" for m in sock.texts) >= 2, "the second setup")
    sock.auto_ack = True
    wait_for(lambda: len(sock.frames) >= 2, "a frame after the setup, though frame 1 was never acked")
    assert sock.frames[1]["seq"] == sock.frames[0]["seq"] + 1
    send(s, type="pause")


def test_many_at_max_get_shorter_slices_so_frames_keep_coming():
    from explorer.live.channel.scheduler import MIN_SLICE_S, SLICE_S, TRAIN_SHARE, frame_interval, slice_for
    assert slice_for(1, frame_interval(1)) == SLICE_S            # one learner: the full slice
    assert slice_for(5, frame_interval(30)) == SLICE_S           # 5 of 30 at max: unchanged
    s = slice_for(30, frame_interval(30))                        # everyone at max
    assert MIN_SLICE_S <= s < SLICE_S
    assert 30 * s / TRAIN_SHARE <= frame_interval(30) + 1e-12    # a round fits one frame interval
    assert slice_for(1000, frame_interval(1000)) == MIN_SLICE_S


def test_a_learner_alone_at_max_follows_the_browser_and_classes_keep_their_budget():
    """Alone, a learner at max gets a frame per ack (the browser acks once per animation frame,
    as it starts drawing one): the server's own minimum interval is shorter than a 60 Hz
    display's frame, and the acks' limit admits that many. With others playing nothing
    changed: at most MAX_FPS each, and the frames of everyone stay within FRAME_BUDGET
    (30 learners: 20 a second each)."""
    from explorer.live.channel.scheduler import ALONE_FPS, FRAME_BUDGET, MAX_FPS, frame_interval
    assert frame_interval(1) == 1 / ALONE_FPS < 1 / 60
    assert wire.ACK_RATE > ALONE_FPS and wire.ACK_RATE > MAX_FPS
    assert frame_interval(2) == 1 / MAX_FPS
    assert frame_interval(30) == 1 / 20
    for n in range(2, 200):
        assert n / frame_interval(n) <= FRAME_BUDGET + 1e-9 or frame_interval(n) == 1 / 8


def test_closed_tabs_are_visited_once_a_second_not_every_round():
    """Streamlit keeps a closed tab's session for 2 minutes (up to 128), and its LiveSession with
    it: the rounds that serve the learners still playing walk those only once a second."""
    from explorer.live.channel import registry
    from explorer.live.channel.scheduler import DORMANT_EVERY_S
    closed = []                                   # held, as Streamlit's session store holds them
    for _ in range(40):
        s, sock, run = learner()
        s.disconnect(sock)
        closed.append((s, run))
    s, sock, run = learner("max")
    send(s, type="play")
    wait_for(lambda: run.epoch > 5, "training")
    alive = registry.sessions()
    dormant = sum(x.dormant() for x in alive)
    assert dormant >= 40 and len(alive) - dormant == 1, (len(alive), dormant)
    del alive
    r0, v0, t0 = SCHEDULER.rounds, SCHEDULER.visits, time.monotonic()
    time.sleep(2.5)
    rounds, visits, dt = SCHEDULER.rounds - r0, SCHEDULER.visits - v0, time.monotonic() - t0
    assert rounds > 50, rounds
    # every round walks the one playing learner; the closed tabs once a second (at least once here)
    assert rounds + dormant <= visits <= rounds + dormant * (dt / DORMANT_EVERY_S + 1), (rounds, visits, dormant)
    assert run.epoch > 5 and all(x.run is r and not x.running for x, r in closed)
