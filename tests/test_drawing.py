"""Drawn points: add, remove, the limits, and the link round trip (examples are rows)."""
from __future__ import annotations

import numpy as np
import pytest

from explorer.choices import own_points
from explorer.choices.config import OwnPoints
from explorer.choices.parsers import BadValue
from explorer.choices.settings_table import SETTINGS

EMPTY = OwnPoints.of(np.zeros((0, 2)), np.zeros(0, dtype=np.int64), "classification")


def _draw(n, k=2, seed=0):
    rng = np.random.default_rng(seed)
    pts = EMPTY
    for i in range(n):
        pts = own_points.add(pts, *rng.uniform(-3, 3, 2), i % k, extent=4.0)
    return pts


def test_add_and_remove_nearest():
    pts = own_points.add(EMPTY, 1.23456, -2.0, 0, extent=4)
    pts = own_points.add(pts, -1.0, 1.0, 1, extent=4)
    assert pts.X.tolist() == [[1.235, -2.0], [-1.0, 1.0]] and pts.y.tolist() == [0, 1]
    fewer = own_points.remove_nearest(pts, -0.9, 0.8)
    assert fewer.X.tolist() == [[1.235, -2.0]] and fewer.y.tolist() == [0]
    assert own_points.remove_nearest(EMPTY, 0, 0) == EMPTY


def test_points_outside_the_plane_and_skipped_classes_are_refused():
    with pytest.raises(ValueError, match="outside the plane"):
        own_points.add(EMPTY, 4.5, 0.0, 0, extent=4)
    with pytest.raises(ValueError, match="outside the plane"):
        own_points.add(EMPTY, float("nan"), 0.0, 0, extent=4)
    two = _draw(4)
    assert own_points.add(two, 0, 0, 2, extent=4).n_classes == 3          # the next class: a third one
    with pytest.raises(ValueError, match="from 0 to 2"):
        own_points.add(two, 0, 0, 3, extent=4)


def test_the_point_limit(monkeypatch):
    monkeypatch.setattr(own_points, "MAX_POINTS", 5)
    pts = _draw(5)
    with pytest.raises(ValueError, match="already 5 points"):
        own_points.add(pts, 0, 0, 0, extent=4)


@pytest.mark.parametrize("k", [2, 3, 10])
def test_links_carry_drawn_points_exactly(k):
    pts = _draw(own_points.MAX_LINK_POINTS, k=k)
    text = own_points.encode(pts)
    assert len(text) < 1400
    assert own_points.decode(text) == pts


def test_regression_targets_round_trip():
    pts = OwnPoints.of(np.zeros((0, 2)), np.zeros(0), "regression")
    for x, t in [(0.5, 1.2345), (-2.0, -7.5), (3.9, 0.0)]:
        pts = own_points.add(pts, x, x / 2, t, extent=4)
    assert own_points.decode(own_points.encode(pts)) == pts


def test_too_many_points_stay_out_of_links():
    assert own_points.encode(_draw(own_points.MAX_LINK_POINTS + 1)) is None
    assert own_points.encode(None) is None and own_points.encode(EMPTY) is None


@pytest.mark.parametrize("text", ["", "!!!", "AQ", "AgAA", "AQAAAAAA", "AQA" + "A" * 5, "AQAAAAAAFA"])
def test_malformed_link_points_are_refused_with_a_sentence(text):
    with pytest.raises(ValueError, match="must"):
        own_points.decode(text)
    with pytest.raises(BadValue, match="must"):           # the link reader's parser says the same
        SETTINGS["pts"].parse(text)
