"""Drawing on the boundary, behind the clicks: what a click makes of the points, and a
run that keeps learning (same weights, same epoch count) when points are added, or is
rebuilt with a softmax output when a third class appears (examples are rows)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from explorer.choices import own_points
from explorer.choices.config import Config, OwnPoints
from explorer.pages.draw_toolbar import ADD, REMOVE, edit
from explorer.training.run import Run, build_data
from explorer.choices.settings_table import OWN_DATA

PAGE = str(Path(__file__).resolve().parents[1] / "explorer" / "pages" / "main.py")
EMPTY = OwnPoints.of(np.zeros((0, 2)), np.zeros(0, dtype=np.int64), "classification")


def _pts(n=40, k=2, seed=0):
    rng = np.random.default_rng(seed)
    return own_points.start_from(rng.uniform(-3, 3, (n, 2)), np.arange(n) % k, "classification")


def test_a_click_adds_a_class_or_removes_the_nearest():
    p = edit(EMPTY, 1.0, 2.0, 1, 0.0, extent=6)
    assert p.X.tolist() == [[1.0, 2.0]] and p.y.tolist() == [1]
    gone = edit(p, 0.9, 2.1, REMOVE, 0.0, extent=6)
    assert len(gone.y) == 0 and gone.extent == 6.0           # the plane it was drawn on stays
    reg = OwnPoints.of(np.zeros((0, 2)), np.zeros(0), "regression")
    assert edit(reg, 0.0, 0.5, ADD, 2.25, extent=6).y.tolist() == [2.25]
    with pytest.raises(ValueError, match="outside the plane"):
        edit(p, 7.0, 0.0, 0, 0.0, extent=6)


def test_the_plane_stays_put_while_points_are_drawn():
    cfg = Config()
    pts = replace(EMPTY, extent=None)
    extents = []
    for x in (-2.0, -2.5, 1.0, 0.5):
        pts = edit(pts, x, x / 2, 0, 0.0, extent=6.0)
        extents.append(build_data(replace(cfg.data, dataset=OWN_DATA, points=pts)).xs[-1])
    assert extents == [6.0] * 4                              # (it followed the points before: ±3 after one click)
    assert own_points.decode(own_points.encode(pts)) == pts and own_points.decode(own_points.encode(pts)).extent == 6.0


def test_points_drawn_while_training_keep_the_network_learning():
    cfg = Config()
    cfg = replace(cfg, data=replace(cfg.data, dataset=OWN_DATA, points=_pts()))
    run = Run(cfg, build_data(cfg.data))
    run.trainer.run_epochs(30)
    weights = [p.copy() for p in run.net.parameters()]
    more = edit(cfg.data.points, 0.5, 0.5, 1, 0.0, extent=float(run.data.xs[-1]))
    data = build_data(replace(cfg.data, points=more))
    assert run.fits(data)
    run.set_data(replace(cfg, data=replace(cfg.data, points=more)), data)
    for p, w in zip(run.net.parameters(), weights):
        np.testing.assert_array_equal(p, w)
    assert run.epoch == 30 and len(run.data.y_train) + len(run.data.y_test) == 41
    run.trainer.run_epochs(5)
    assert run.epoch == 35 and np.isfinite(run.trainer.history.cost[-1])


def test_a_third_class_calls_for_a_softmax_output():
    cfg = Config()
    cfg = replace(cfg, data=replace(cfg.data, dataset=OWN_DATA, points=_pts()))
    run = Run(cfg, build_data(cfg.data))
    three = edit(cfg.data.points, 0.0, 0.0, 2, 0.0, extent=6)
    assert not run.fits(build_data(replace(cfg.data, points=three)))
    rebuilt = Run(replace(cfg, data=replace(cfg.data, points=three)), build_data(replace(cfg.data, points=three)))
    assert rebuilt.net.output == "softmax" and rebuilt.net.layers[-1].size == 3


def test_an_empty_plane_shows_a_network_that_waits_for_points():
    cfg = Config()
    cfg = replace(cfg, data=replace(cfg.data, dataset=OWN_DATA, points=EMPTY))
    run = Run(cfg, build_data(cfg.data))
    assert not run.trainable and run.data.xs[-1] == 6.0
    assert run.train_steps(5, deadline=float("inf")) == 0
    assert "click on the plane" in run.message


def test_the_page_trains_on_drawn_points_from_a_link():
    pts = _pts(30, k=3)
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params.update({"ds": OWN_DATA, "pts": own_points.encode(pts)})
    at.run()
    assert not at.exception
    run = at.session_state["run"]
    assert run.cfg.data.points == pts and run.net.output == "softmax" and run.net.layers[-1].size == 3
    assert at.query_params["pts"] in (own_points.encode(pts), [own_points.encode(pts)])


def test_the_toolbar_shows_the_choice_while_drawing_and_keeps_it():
    """One compact row: Draw, Undo and Clear always; what a click adds only while drawing,
    and the choice (a class, or a regression target) survives Draw off and on."""
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    present = lambda kind, key: key in [w.key for w in getattr(at, kind)]      # noqa: E731
    assert not present("segmented_control", "draw_mode")
    assert present("button", "draw_undo_btn") and present("button", "draw_clear_btn")
    at.toggle(key="draw_on").set_value(True).run()
    assert at.segmented_control(key="draw_mode").value == 0
    at.segmented_control(key="draw_mode").set_value(1).run()
    at.toggle(key="draw_on").set_value(False).run()
    assert not present("segmented_control", "draw_mode")
    at.toggle(key="draw_on").set_value(True).run()
    assert at.segmented_control(key="draw_mode").value == 1 and not at.exception

    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["ds"] = "reg_plane"
    at.run()
    at.toggle(key="draw_on").set_value(True).run()
    assert at.number_input(key="draw_target").value == 0.0                  # not the lower limit, -30
    at.number_input(key="draw_target").set_value(2.5).run()
    at.toggle(key="draw_on").set_value(False).run()
    at.toggle(key="draw_on").set_value(True).run()
    assert at.number_input(key="draw_target").value == 2.5 and not at.exception
