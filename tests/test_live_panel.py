"""The live panel's training slice: two states per message, in order, and divergence."""
from __future__ import annotations

import json

from explorer.config import Config
from explorer.query import from_query
from explorer.frames import View
from explorer.live_panel import MAX_S, _train_slice
from explorer.run import Run, build_data


def _epochs_drawn(frame: dict) -> int:
    """The last epoch on the loss curve of a frame's curves figure."""
    import base64

    import numpy as np
    x = json.loads(frame["curves"])["data"][0]["x"]
    return int(np.frombuffer(base64.b64decode(x["bdata"]), np.float32)[-1])


def test_a_slice_yields_a_halfway_state_and_an_end_state():
    cfg = Config()
    run = Run(cfg, build_data(cfg.data))
    run.running = True
    ss: dict = {}
    frames = _train_slice(run, View(), ss)          # no ack arrives outside Streamlit: runs MAX_S
    assert len(frames) == 2 and set(frames[0]) == set(frames[1]) == {"boundary", "network", "curves"}
    first, last = _epochs_drawn(frames[0]), _epochs_drawn(frames[1])
    assert 0 < first < last == run.epoch             # two distinct states, in order, the last is now
    assert frames[0]["boundary"] != frames[1]["boundary"]
    assert 0.9 * MAX_S <= ss["slice_s"] < 3 * MAX_S   # remembered: the next halfway point follows it


def test_a_slice_that_diverges_stops_training_and_shows_the_restored_state():
    cfg, _ = from_query({"ds": "reg_plane", "lr": "10", "opt": "sgd", "layers": "8:relu,8:relu", "init": "he"})
    run = Run(cfg, build_data(cfg.data))
    run.running = True
    frames = _train_slice(run, View(), {})           # diverges within ~130 epochs
    assert not run.running and "smaller learning rate" in run.message
    assert 1 <= len(frames) <= 2


def test_no_training_after_a_divergence_in_the_first_half(monkeypatch):
    cfg = Config()
    run = Run(cfg, build_data(cfg.data))
    run.running = True
    calls = []

    def diverging_train_for(budget_s, min_s=None, stop=None):
        calls.append(budget_s)
        run.running, run.message = False, "diverged"
        return 0

    monkeypatch.setattr(run, "train_for", diverging_train_for)
    frames = _train_slice(run, View(), {})
    assert len(calls) == 1 and len(frames) == 1      # no second half, one frame: the state now
