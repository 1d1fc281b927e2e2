"""The live channel's run keeper: the scheduler saves a playing run at least every 5 s (and when it
stops), under the browser secret its socket brought; a new session of that browser resumes it.
A fake socket stands for the browser (it acks every frame); the store is the real in-process one."""
from __future__ import annotations

import gc
import json
import secrets
import time

import numpy as np
import pytest

from explorer.choices.config import Config
from explorer.live.channel import wire
from explorer.live.channel.run_keeper import KEEPER, NOT_KEPT, RESUMED, SAVE_EVERY_S, failover_notice
from explorer.live.channel.scheduler import SCHEDULER
from explorer.live.channel.session import LiveSession
from explorer.live.setup_message import View
from explorer.training.run import Run, build_data
from explorer.training.run_store_memory import MemoryRunStore

WAIT_S = 60


class RecordingStore(MemoryRunStore):
    """The in-process store, noting when each save landed and what it held."""

    def __init__(self):
        super().__init__()
        self.saves: list[tuple[float, str, int, bool]] = []     # (monotonic time, secret, epoch, running)

    def save(self, secret, checkpoint):
        n = super().save(secret, checkpoint)
        self.saves.append((time.monotonic(), secret, checkpoint["epoch"], checkpoint["running"]))
        return n


class FakeSocket:
    closed = False

    def __init__(self, session: LiveSession):
        self.session = session
        self.texts: list[dict] = []

    def send(self, data):
        if isinstance(data, bytes):
            frame = wire.decode_frame(data, len(self.session.run.net.layers))
            self.session.inbox.append({"type": "ack", "seq": frame["seq"]})
            SCHEDULER.wake()
        else:
            self.texts.append(json.loads(data))

    def setups(self):
        return [m for m in self.texts if m["type"] == "setup"]


def wait_for(predicate, what: str):
    deadline = time.monotonic() + WAIT_S
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT_S} s for {what}")
        time.sleep(0.01)


@pytest.fixture(autouse=True)
def store(monkeypatch):
    gc.collect()
    s = RecordingStore()
    monkeypatch.setattr(KEEPER, "store", s)
    yield s
    KEEPER.flush()
    gc.collect()


def page(secret: str | None, cfg: Config | None = None, speed="1", seen: dict | None = None):
    """A page of this browser: a session, its run, its socket saying hello with ``secret``
    (and the checkpoint the store keeps for it, as ``routes`` reads it; ``seen``: what the page
    last drew from a server that went away)."""
    cfg = cfg or Config()
    run = Run(cfg, build_data(cfg.data))
    s = LiveSession()
    s.attach(run, View(), speed)
    sock = FakeSocket(s)
    assert s.connect(sock, secret, KEEPER.load(secret) if secret else None, seen)
    SCHEDULER.ensure_started()
    SCHEDULER.wake()
    wait_for(lambda: sock.setups(), "the setup")
    return s, sock, run


def send(s: LiveSession, **msg):
    s.inbox.append(msg)
    SCHEDULER.wake()


def test_a_playing_run_is_saved_at_least_every_5_s_and_when_it_stops(store):
    secret = secrets.token_urlsafe(32)
    s, sock, run = page(secret)
    t0 = time.monotonic()
    send(s, type="play")
    wait_for(lambda: len(store.saves) >= 3, "three checkpoints while playing")
    playing = [t for t, _, _, running in store.saves if running]
    gaps = np.diff([t0] + playing)
    # the first right at Play (it started playing), then one every SAVE_EVERY_S: never more than 5 s apart
    assert gaps[0] < 1.0 and all(SAVE_EVERY_S - 0.05 <= g <= 5.0 for g in gaps[1:]), gaps
    assert [e for _, _, e, _ in store.saves] == sorted(e for _, _, e, _ in store.saves)
    n = len(store.saves)
    send(s, type="pause")
    wait_for(lambda: len(store.saves) > n, "the checkpoint at Pause")
    t, who, epoch, running = store.saves[-1]
    assert who == secret and not running and epoch == run.epoch
    assert t - playing[-1] < SAVE_EVERY_S
    assert KEEPER.take_s / KEEPER.taken < 0.01          # a checkpoint takes far less than a slice's budget


def test_a_new_page_of_the_same_browser_resumes_the_run_paused_with_a_notice(store):
    secret = secrets.token_urlsafe(32)
    s, sock, run = page(secret)
    send(s, type="play")
    wait_for(lambda: run.epoch >= 60, "60 epochs")
    send(s, type="pause")
    wait_for(lambda: store.saves and not store.saves[-1][3], "the checkpoint at Pause")
    KEEPER.flush()
    weights = [p.copy() for p in run.net.parameters()]
    rows = run.trainer.history.rows()
    s.disconnect(sock)                                   # the tab reloads: a new session, a new socket
    s2, sock2, run2 = page(secret)
    setup = sock2.setups()[-1]
    assert setup["epoch"] == run.epoch and run2.epoch == run.epoch and not setup["running"]
    assert setup["notice"] == RESUMED.format(epoch=run.epoch)
    assert all(np.array_equal(a, b) for a, b in zip(weights, run2.net.parameters()))
    assert len(setup["history"]["epoch"]) == len(rows) and setup["history"]["epoch"][-1] == run.epoch
    # It trains on from there; another browser's page (another secret) starts fresh.
    send(s2, type="play")
    wait_for(lambda: run2.epoch >= run.epoch + 5, "training on")
    send(s2, type="pause")
    _, _, run3 = page(secrets.token_urlsafe(32))
    assert run3.epoch == 0


def test_a_browser_with_no_run_kept_has_its_fresh_run_saved_at_once(store):
    """A student who joined a class and has not pressed Play is in the run store (the projector
    reads it there); a browser whose run is kept is not overwritten by merely opening a page."""
    secret = secrets.token_urlsafe(32)
    s, sock, run = page(secret)
    wait_for(lambda: store.saves, "the fresh run's checkpoint")
    assert store.saves == [(store.saves[0][0], secret, 0, False)]
    KEEPER.flush()
    assert KEEPER.load(secret).epoch == 0
    s.disconnect(sock)
    page(secret)                                          # a reload: the run kept is found, not saved again
    time.sleep(1.5)
    assert len(store.saves) == 1


def test_another_setup_starts_fresh_and_a_socket_without_a_secret_is_never_saved(store):
    secret = secrets.token_urlsafe(32)
    s, sock, run = page(secret)
    send(s, type="step", unit="epoch")
    wait_for(lambda: store.saves, "the checkpoint after Step")
    other = Config(train=Config().train.__class__(learning_rate=0.5))
    _, sock2, run2 = page(secret, other)                # the same browser, another link
    assert run2.epoch == 0 and sock2.setups()[-1]["notice"] is None
    n = len(store.saves)
    s3, _, run3 = page(None)                             # the fallback, or a grid: no secret
    send(s3, type="play")
    wait_for(lambda: run3.epoch >= 30, "training")
    send(s3, type="pause")
    KEEPER.flush()
    assert all(who == secret for _, who, _, _ in store.saves[n:])


def test_a_reconnect_of_the_same_session_keeps_its_newer_run(store):
    secret = secrets.token_urlsafe(32)
    s, sock, run = page(secret)
    send(s, type="play")
    wait_for(lambda: run.epoch >= 40, "40 epochs")
    send(s, type="reset")                                # back to epoch 0, then the socket drops
    wait_for(lambda: run.epoch == 0 and not s.running, "the reset")
    s.disconnect(sock)
    sock2 = FakeSocket(s)
    assert s.connect(sock2, secret, KEEPER.load(secret))
    SCHEDULER.wake()
    wait_for(lambda: sock2.setups(), "the setup")
    assert run.epoch == 0 and sock2.setups()[-1]["notice"] is None


class SlowStore(RecordingStore):
    """A store whose writes take ``delay_s`` each (a remote Redis under load)."""

    def __init__(self, delay_s: float):
        super().__init__()
        self.delay_s = delay_s

    def save(self, secret, checkpoint):
        time.sleep(self.delay_s)
        return super().save(secret, checkpoint)


def test_at_the_servers_stop_drain_returns_once_every_run_is_saved_where_its_socket_closed(monkeypatch):
    """The stop (``lifespan``): the sockets are closed, and ``drain`` returns only once each playing
    run's checkpoint at its last epoch is in the store, although the store takes 50 ms a write."""
    slow = SlowStore(0.05)
    monkeypatch.setattr(KEEPER, "store", slow)
    keys = [secrets.token_urlsafe(32) for _ in range(4)]
    pages = [page(key) for key in keys]
    for s, _, _ in pages:
        send(s, type="play")
    wait_for(lambda: all(run.epoch >= 20 for _, _, run in pages), "20 epochs each")
    for s, sock, _ in pages:                               # as the server's stop closes every socket
        s.disconnect(sock)
    SCHEDULER.wake()
    assert KEEPER.drain(10.0)
    for key, (s, _, run) in zip(keys, pages):
        assert not s.running
        doc = slow.load(key)
        assert doc is not None and doc["epoch"] == run.epoch and not doc["running"], (doc and doc["epoch"], run.epoch)


def test_drain_gives_up_after_its_limit_when_a_run_still_plays():
    s, sock, run = page(secrets.token_urlsafe(32))
    send(s, type="play")
    wait_for(lambda: run.epoch >= 5, "5 epochs")
    t0 = time.monotonic()
    assert not KEEPER.drain(0.3)                            # its socket is open: it plays on, unsaved
    assert 0.3 <= time.monotonic() - t0 < 2.0
    s.disconnect(sock)
    SCHEDULER.wake()
    assert KEEPER.drain(10.0)


@pytest.mark.parametrize("secret, ok", [(None, True), ("A" * 43, True), ("a-_9" * 10 + "abc", True),
                                        ("A" * 42, False), ("A" * 44, False), ("A" * 42 + "=", False),
                                        (12, False), ("", False), ("é" * 43, False)])
def test_the_hello_takes_only_a_well_formed_browser_secret(secret, ok):
    msg = {"type": "hello", "token": "t" * 43}
    if secret is not None:
        msg["secret"] = secret
    text = json.dumps(msg)
    if ok:
        assert wire.parse_client(text) == {"type": "hello", "token": "t" * 43, "secret": secret, "seen": None}
    else:
        with pytest.raises(wire.BadMessage, match="hello's secret"):
            wire.parse_client(text)


def test_a_page_whose_server_went_away_resumes_as_it_was_and_says_how_many_epochs_were_lost(store):
    secret = secrets.token_urlsafe(32)
    s, sock, run = page(secret)
    send(s, type="play")
    wait_for(lambda: [e for _, _, e, running in store.saves if running and e >= 20], "a checkpoint while playing")
    KEEPER.flush()
    saved = KEEPER.load(secret)
    wait_for(lambda: run.epoch >= saved.epoch + 30, "30 epochs past it")
    with run.lock:                                       # the server dies: its last checkpoint is all there is
        drawn = run.epoch
        KEEPER.flush()
        last = store.load(secret)
    s.disconnect(sock)
    wait_for(lambda: not s.running, "the socket's run to stop")
    KEEPER.flush()
    store.save(secret, last)                             # (a dead server saves nothing more)
    saved = KEEPER.load(secret)
    # The page runs again on another server, whose socket says what the page last drew: it plays on.
    s2, sock2, run2 = page(secret, seen={"epoch": drawn, "running": True})
    setup = sock2.setups()[-1]
    assert saved.epoch <= setup["epoch"] <= saved.epoch + 5 and setup["running"]   # (it may train before the setup)
    assert setup["notice"] == f"The server restarted: resumed at epoch {saved.epoch:,}, " \
                              f"the last ~{drawn - saved.epoch:,} epochs were lost."
    wait_for(lambda: run2.epoch >= drawn + 5, "training on past where the page was")
    send(s2, type="pause")
    # Paused when the server went away: it stays paused, and says so.
    wait_for(lambda: store.saves and not store.saves[-1][3], "the checkpoint at Pause")
    KEEPER.flush()
    s2.disconnect(sock2)
    _, sock3, run3 = page(secret, seen={"epoch": run2.epoch, "running": False})
    assert run3.epoch == run2.epoch and not sock3.setups()[-1]["running"]
    assert sock3.setups()[-1]["notice"] == f"The server restarted: resumed at epoch {run2.epoch:,}, nothing was " \
                                           "lost. Press Play to go on."


def test_a_page_whose_run_was_not_kept_is_told_so(store):
    _, sock, run = page(secrets.token_urlsafe(32), seen={"epoch": 120, "running": True})
    setup = sock.setups()[-1]
    assert run.epoch == 0 and not setup["running"] and setup["notice"] == NOT_KEPT


@pytest.mark.parametrize("seen, lost", [({"epoch": 100, "running": True}, "nothing was lost."),
                                        ({"epoch": 99, "running": True}, "nothing was lost."),
                                        ({"epoch": 101, "running": True}, "the last epoch was lost."),
                                        ({"epoch": 1190, "running": True}, "the last ~1,090 epochs were lost."),
                                        ({"epoch": 101, "running": False},
                                         "the last epoch was lost. Press Play to go on.")])
def test_the_failover_notice_counts_the_epochs_the_page_drew_past_the_checkpoint(seen, lost):
    assert failover_notice(100, seen) == "The server restarted: resumed at epoch 100, " + lost


@pytest.mark.parametrize("seen, ok", [({"epoch": 0, "running": False}, True), ({"epoch": 2**32 - 1, "running": True}, True),
                                      ({"epoch": -1, "running": True}, False), ({"epoch": 2**32, "running": True}, False),
                                      ({"epoch": 1.5, "running": True}, False), ({"epoch": True, "running": True}, False),
                                      ({"epoch": 3, "running": 1}, False), ({"epoch": 3}, False),
                                      ({"epoch": 3, "running": True, "x": 1}, False), ([3, True], False), ("3", False)])
def test_the_hello_takes_only_a_well_formed_seen(seen, ok):
    text = json.dumps({"type": "hello", "token": "t" * 43, "secret": "A" * 43, "seen": seen})
    if ok:
        assert wire.parse_client(text)["seen"] == seen
    else:
        with pytest.raises(wire.BadMessage, match="hello's seen"):
            wire.parse_client(text)
