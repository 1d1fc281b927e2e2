"""The training verbs have one owner (``LiveSession``), and Play is the learner's state:
a Play pressed while the page rebuilds the run, or on a plane with no point yet, is not
lost. (The browser export test lost it after Undo: the Play landed on the cleared plane,
which had nothing to train, and the flower's new run started paused.)"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np

from explorer.live.channel.session import LiveSession
from explorer.choices.config import Config, OwnPoints
from explorer.live.setup_message import View
from explorer.training.run import Run, build_data
from explorer.choices.settings_table import OWN_DATA

ROOT = Path(__file__).resolve().parents[1]
EMPTY = OwnPoints.of(np.zeros((0, 2)), np.zeros(0, dtype=np.int64), "classification", extent=6.0)


def flower() -> Run:
    cfg = Config()
    return Run(cfg, build_data(cfg.data))


def own(points: OwnPoints) -> tuple[Config, object]:
    cfg = Config()
    cfg = replace(cfg, data=replace(cfg.data, dataset=OWN_DATA, points=points))
    return cfg, build_data(cfg.data)


def some_points() -> OwnPoints:
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, size=(20, 2))
    return OwnPoints.of(X, (X[:, 0] > 0).astype(np.int64), "classification", extent=6.0)


def session_on(run: Run) -> LiveSession:
    s = LiveSession()
    s.fallback = True                 # trained without a socket: nothing else is needed here
    s.attach(run, View())
    return s


def test_play_after_undo_trains_the_run_the_page_brings_back():
    empty = Run(*own(EMPTY))
    s = session_on(empty)
    s.page_run_begins()               # the Undo click's page run begins ...
    with empty.lock:
        s.play()                      # ... and the learner's Play lands on the empty plane
    assert not s.running and s.play_waiting and "Nothing to train on yet" in s.notice
    back = flower()
    s.attach(back, View())            # ... then the page attaches the flower's run
    assert s.running and s.run is back and not s.play_waiting


def test_play_pressed_while_the_page_rebuilds_carries_over():
    s = session_on(flower())
    s.page_run_begins()               # a lesson or a new dataset: the page run that rebuilds
    with s.run.lock:
        s.play()
    s.attach(flower(), View())
    assert s.running


def test_a_rebuild_pauses_a_run_that_was_playing_before():
    """As TensorFlow Playground does on a new network: the new weights start paused."""
    s = session_on(flower())
    with s.run.lock:
        s.play()
    s.page_run_begins()               # the learner then changes the network: a later page run
    s.attach(flower(), View())
    assert not s.running and not s.play_waiting


def test_clearing_a_playing_plane_waits_and_drawing_resumes():
    run = Run(*own(some_points()))
    s = session_on(run)
    with run.lock:
        s.play()
    assert s.running
    run.set_data(*own(EMPTY))         # Clear: the same network, no point left
    s.attach(run, View())
    assert not s.running and s.play_waiting
    run.set_data(*own(some_points())) # the first points drawn
    s.attach(run, View())
    assert s.running


def test_pause_and_step_forget_a_waiting_play():
    s = session_on(Run(*own(EMPTY)))
    with s.run.lock:
        s.play()
        s.pause()
    s.attach(flower(), View())
    assert not s.running


def test_a_diverged_run_does_not_play():
    run = flower()
    s = session_on(run)
    run.message = "diverged"
    with run.lock:
        s.play()
    assert not s.running and not s.play_waiting


def test_running_is_assigned_by_the_verbs_only():
    """One owner: ``.running =`` appears in explorer/ only inside LiveSession's verbs
    (and its constructor), never on a Run."""
    found = []
    for path in sorted((ROOT / "explorer").rglob("*.py")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\.running\s*=[^=]", line):
                found.append((path.relative_to(ROOT).as_posix(), n, line.strip()))
    assert found and {f for f, _, _ in found} == {"explorer/live/channel/session.py"}, found
    text = (ROOT / "explorer/live/channel/session.py").read_text()
    owners = {m.group(1) for m in re.finditer(r"\n    def (\w+)\(", text)
              if re.search(r"self\.running\s*=[^=]", text[m.end():text.find("\n    def ", m.end())])}
    assert owners == {"__init__", "play", "pause"}, owners
