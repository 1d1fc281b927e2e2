"""Values a callback sets survive a rerun that carries the browser's older values.

A rerun asked for while a run is still being drawn brings back every widget's value as the
browser held it before that run (streamlit/streamlit#218): a callback's change (an opened
model file, a lesson, a grid cell, Back) came back undone. ``settle_widgets`` writes such
values again at the start of the next run. Here the session state is a plain dict and each
"run" is what Streamlit does at its start: the browser's widget values, then our settle.
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from explorer.choices.config import Config
from explorer.pages import widget_state as ws


@pytest.fixture
def ss(monkeypatch):
    state: dict = {}
    monkeypatch.setattr(ws.st, "session_state", state)
    state.update(ws.widget_state(Config()))        # the first run's widgets
    state["notices"] = []
    return state


def page_run(ss, browser: dict | None = None):
    """One script run: Streamlit puts the browser's widget values first, then init_session."""
    ss.update(browser or {})
    ws.settle_widgets()


def other() -> Config:
    cfg = Config()
    return replace(cfg, net=replace(cfg.net, hidden=((6, "relu"), (3, "tanh"))),
                   train=replace(cfg.train, learning_rate=0.03))


def test_a_rerun_with_the_browsers_old_values_does_not_undo_a_callback(ss):
    page_run(ss)
    before = ws.widget_state(Config())
    want = ws.widget_state(other())
    ws.set_widgets(other())                        # a callback (the model file's)
    page_run(ss)                                   # its run begins ... and is interrupted
    page_run(ss, browser=before)                   # a rerun with what the browser held
    assert {k: ss[k] for k in want} == want        # written again
    page_run(ss, browser=want)                     # the browser has them now
    assert not ss[ws.PENDING]
    assert ws.config_from_state() == other()


def test_a_callbacks_run_stopped_before_it_settled_is_still_put_back(ss):
    """The callback's run can be stopped by the racing rerun before its script reaches
    ``settle_widgets`` (Streamlit stops a run at its next element): the rerun that follows is the
    first to settle, and it carries the browser's older value. New weights' seed came back old
    this way in a browser round (its link kept the old seed)."""
    page_run(ss)
    seed = ws.SETTINGS["seed"].key
    old = ss[seed]
    ws.write_widgets({seed: old + 1})              # New weights' callback
    page_run(ss, browser={seed: old})              # the racing rerun, the first run to settle
    assert ss[seed] == old + 1
    page_run(ss, browser={seed: old + 1})          # drawn: the browser has it
    assert ss[seed] == old + 1 and not ss[ws.PENDING]


def test_a_run_that_completed_confirms_the_values(ss):
    page_run(ss)
    want = ws.widget_state(other())
    ws.set_widgets(other())
    page_run(ss)                                   # drawn: the browser holds them
    page_run(ss, browser=want)
    assert not ss[ws.PENDING]


def test_what_the_learner_chose_since_wins(ss):
    page_run(ss)
    ws.set_widgets(other())
    page_run(ss)
    lr_key = ws.SETTINGS["lr"].key
    page_run(ss, browser={lr_key: ws.SETTINGS["lr"].to_widget(0.3)})    # the learner typed another η
    assert ws.read(ws.SETTINGS["lr"]) == pytest.approx(0.3)
    page_run(ss)
    assert ws.read(ws.SETTINGS["lr"]) == pytest.approx(0.3)


def test_a_single_widget_a_callback_wrote_survives_too(ss):
    """Clear (the drawing toolbar) switches the dataset to the learner's own points through
    ``write_widgets``: a rerun with the browser's older dataset does not switch it back."""
    page_run(ss)
    ds = ws.SETTINGS["ds"].key
    shown = ss[ds]
    ws.write_widgets({ds: "own"})
    page_run(ss)
    page_run(ss, browser={ds: shown})
    assert ss[ds] == "own"
    page_run(ss, browser={ds: "own"})
    assert not ss[ws.PENDING]
