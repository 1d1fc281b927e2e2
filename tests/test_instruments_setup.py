"""The live instruments' part of the setup message (explorer/live/instruments_setup.py) and the
chart options that turn them on.

What the browser counts with comes from core: the saturation ranges are the activation
registry's, the bins core.histograms.DEFAULT_BINS. The points are the boundary figure's own,
tagged with their split and class, the test points carried (invisible) even when not shown;
with both instruments off the setup message is what it was, and frames never change.
"""
from __future__ import annotations

import base64
import json
from dataclasses import replace

import numpy as np

from core import ACTIVATIONS
from core.histograms import DEFAULT_BINS
from explorer.choices.config import Config
from explorer.choices.link import from_query, to_query
from explorer.figures.encode import typed
from explorer.live.channel.session import LiveSession
from explorer.live.setup_message import View
from explorer.training.run import Run, build_data


def setup_of(cfg: Config, view: View) -> tuple[dict, Run, bytes]:
    run = Run(cfg, build_data(cfg.data))
    live = LiveSession()
    live.attach(run, view)
    with run.lock:
        msg = json.loads(live.setup())
        run.train_steps(2, float("inf"))
        frame = live.frame()
    return msg, run, frame


def flower(**net) -> Config:
    cfg = Config()
    return replace(cfg, net=replace(cfg.net, **net)) if net else cfg


def test_the_links_carry_the_chart_options():
    cfg, notices = from_query({"metrics": "1", "hist": "1"})
    assert not notices and cfg.view.metrics and cfg.view.histograms
    q = to_query(cfg)
    assert q["metrics"] == "1" and q["hist"] == "1"
    assert "metrics" not in to_query(Config()) and "hist" not in to_query(Config())   # off: not in a link
    assert not Config().view.metrics and not Config().view.histograms


def test_off_the_setup_has_no_instruments_and_untagged_points():
    msg, _, _ = setup_of(flower(), View())
    assert "instruments" not in msg
    assert all("meta" not in t and t.get("visible", True) for t in msg["figures"]["boundary"]["data"])
    no_test, _, _ = setup_of(flower(), View(show_test=False))
    assert all(t["name"].startswith("train") for t in no_test["figures"]["boundary"]["data"])


def test_the_thresholds_and_bins_come_from_core():
    cfg = flower(hidden=((5, "tanh"), (4, "relu"), (3, "sigmoid")))
    msg, run, _ = setup_of(cfg, View(metrics=True, histograms=True))
    part = msg["instruments"]
    assert part["panels"] == ["metrics", "histograms"] and part["bins"] == DEFAULT_BINS and part["classes"] == 2
    assert [l["activation"] for l in part["layers"]] == ["tanh", "relu", "sigmoid", "sigmoid"]
    for entry, layer in zip(part["layers"], run.net.layers):
        act = ACTIVATIONS[entry["activation"]]
        want = None if act.saturated_outside is None else list(act.saturated_outside)
        assert entry["saturated_outside"] == want and entry["label"] == act.label
    assert part["layers"][1]["saturated_outside"] is None                 # ReLU never saturates
    assert [l["name"] for l in part["layers"]] == ["layer 1", "layer 2", "layer 3", "output"]
    assert setup_of(cfg, View(histograms=True))[0]["instruments"]["panels"] == ["histograms"]


def test_the_points_are_the_boundarys_tagged_by_split_and_class():
    for show_test in (True, False):
        msg, run, _ = setup_of(flower(), View(metrics=True, show_test=show_test))
        d, traces = run.data, msg["figures"]["boundary"]["data"]
        for split, X, y in (("train", d.X_train, d.y_train), ("test", d.X_test, d.y_test)):
            mine = [t for t in traces if t["meta"]["split"] == split]
            assert sum(len(np.frombuffer(base64.b64decode(t["x"]["bdata"]), np.float32)) for t in mine) == len(X)
            for t in mine:
                k = t["meta"]["label"]
                assert t["x"] == typed(X[y == k, 0]) and t["y"] == typed(X[y == k, 1])
                assert t.get("visible", True) is (show_test or split == "train")


def test_regression_points_carry_their_targets():
    cfg = Config()
    cfg = replace(cfg, data=replace(cfg.data, dataset="reg_plane"))
    msg, run, _ = setup_of(cfg, View(metrics=True))
    assert msg["instruments"]["classes"] is None
    (train,) = [t for t in msg["figures"]["boundary"]["data"] if t["meta"] == {"split": "train"}]
    assert train["marker"]["color"] == typed(run.data.y_train)


def test_frames_are_unchanged_by_the_instruments():
    _, _, plain = setup_of(flower(), View())
    _, _, with_both = setup_of(flower(), View(metrics=True, histograms=True))
    assert plain == with_both and len(plain) > 100           # byte for byte: the browser computes the rest
