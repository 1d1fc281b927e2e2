"""The class chart's lines and median (explorer/live/static/galleryhistory.js) against a numpy
reference, in headless Chromium as the other JS tests run.

* A line keeps the first point of each bucket of 1/per of an octave of epochs, plus the latest:
  after ~50,000 states up to epoch 4 billion (the wire's u32) it holds at most MAX + 1 points, exactly those the
  rule gives for its final ``per`` (computed here from every state added), and ``per`` was not
  halved once too often. A state whose epoch goes back starts the line again; one at the same
  epoch replaces the latest.
* A line's values are the test score where the line has one, else the training score.
* The median at each sampled epoch equals numpy's median of ``np.interp`` of the lines that reach
  that epoch, where at least half of them do (else none), to 1e-12.
* The lines survive a reload through sessionStorage (NaN as none), one class kept at a time.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from tests.browser import browser_page

pytestmark = pytest.mark.browser

JS = Path(__file__).resolve().parents[1] / "explorer" / "live" / "static" / "galleryhistory.js"


@pytest.fixture(scope="module")
def page():
    with browser_page(800, 600) as p:
        p.route("http://lines.test/**", lambda route: route.fulfill(body="<html></html>", content_type="text/html"))
        p.goto("http://lines.test/")                                 # an origin: sessionStorage works
        p.add_script_tag(path=str(JS))
        yield p


def bucket(e, per):
    return math.floor(per * math.log2(max(e, 1)))


def expected_points(states, per):
    """The rule for ``per``: the first state of each bucket, then the latest if it is not one of them."""
    kept = []
    for s in states:
        if not kept or bucket(s[0], per) > bucket(kept[-1][0], per):
            kept.append(s)
    if kept[-1] is not states[-1]:
        kept.append(states[-1])
    return kept


def test_a_line_stays_bounded_by_its_rule_however_long_the_class_trains(page):
    rng = np.random.default_rng(3)
    epochs = np.unique(np.exp(rng.uniform(0, math.log(4e9), 50_000)).astype(np.int64))   # up to u32's epochs
    states = [[int(e), float(s), float(t), float(c)] for e, s, t, c in
              zip(epochs, rng.random(epochs.size), rng.random(epochs.size), rng.random(epochs.size))]
    got = page.evaluate("""(states) => { const L = BPClassLines, l = L.line();
        for (const s of states) L.add(l, s[0], s[1], s[2], s[3]);
        return {pts: L.points(l), per: l.per, kept: l.pts.length, MAX: L.MAX, PER: L.PER_OCTAVE}; }""", states)
    assert got["kept"] <= got["MAX"] and len(got["pts"]) <= got["MAX"] + 1
    assert got["pts"] == expected_points(states, got["per"])
    assert got["per"] < got["PER"] and len(expected_points(states, 2 * got["per"])) - 1 > got["MAX"]
    assert got["pts"][0] == states[0] and got["pts"][-1] == states[-1]


def test_a_line_starts_again_when_the_epoch_goes_back_and_takes_the_newer_state_of_an_epoch(page):
    got = page.evaluate("""() => { const L = BPClassLines, l = L.line();
        L.add(l, 0, 0.5, NaN, 0.7); L.add(l, 40, 0.6, 0.55, 0.6); L.add(l, 40, 0.65, 0.6, 0.5);
        const before = L.points(l).map(p => p[0]);
        L.add(l, 3, 0.5, 0.5, 0.69);
        return {before, after: L.points(l), values: L.values(l)}; }""")
    assert got["before"] == [0, 40]
    assert got["after"] == [[3, 0.5, 0.5, 0.69]]
    trained = page.evaluate("""() => { const L = BPClassLines, l = L.line();
        L.add(l, 1, 0.5, NaN, 0.7); L.add(l, 100, 0.8, NaN, 0.4); return L.values(l); }""")
    assert trained == [[0, 0.5], [2, 0.8]]                       # no test set: the training score
    mixed = page.evaluate("""() => { const L = BPClassLines, l = L.line();
        L.add(l, 1, 0.5, NaN, 0.7); L.add(l, 10, 0.8, 0.7, 0.4); return L.values(l); }""")
    assert mixed == [[1, 0.7]]                                   # a test score: only test values


def reference_median(series, n):
    lines = [np.array(s) for s in series if len(s)]
    x0, x1 = min(s[0, 0] for s in lines), max(s[-1, 0] for s in lines)
    need = max(1, math.ceil(len(lines) / 2))
    n = max(2, n) if x1 > x0 else 1
    xs = [x0] if n == 1 else [x0 + (x1 - x0) * i / (n - 1) for i in range(n)]
    ys = []
    for x in xs:
        v = [float(np.interp(x, s[:, 0], s[:, 1])) for s in lines if s[0, 0] <= x <= s[-1, 0]]
        ys.append(float(np.median(v)) if len(v) >= need else math.nan)
    return xs, ys


@pytest.mark.parametrize("n_lines", [1, 2, 3, 7, 30])
def test_the_median_is_numpys_over_the_lines_that_reach_each_epoch(page, n_lines):
    rng = np.random.default_rng(n_lines)
    series = []
    for _ in range(n_lines):
        start, end = sorted(rng.uniform(0, 5, size=2))
        k = int(rng.integers(1, 40))
        xs = np.sort(np.concatenate([[start, end], rng.uniform(start, end, size=k)]))
        series.append([[float(x), float(y)] for x, y in zip(xs, rng.random(xs.size))])
    got = page.evaluate("(a) => BPClassLines.median(a[0], a[1])", [series, 120])
    xs, ys = reference_median(series, 120)
    assert np.allclose(got["x"], xs, rtol=0, atol=1e-12)
    gy = np.array([math.nan if v is None else v for v in got["y"]], float)
    assert np.array_equal(np.isnan(gy), np.isnan(ys)) and np.allclose(gy, ys, rtol=0, atol=1e-12, equal_nan=True)
    if n_lines >= 3:
        assert np.isnan(ys).any() and not np.isnan(ys).all()     # ends where fewer than half reach


def test_the_lines_survive_a_reload_through_session_storage_one_class_at_a_time(page):
    got = page.evaluate("""() => { const L = BPClassLines, a = L.line();
        try { sessionStorage.clear(); } catch (e) { return "no storage"; }
        L.add(a, 1, 0.5, NaN, 0.7); L.add(a, 50, 0.9, NaN, 0.2);
        L.save("ABCD-EFGH", {s1: a});
        const back = L.restore("ABCD-EFGH");
        L.save("WXYZ-2345", {s2: a});
        return {back: L.points(back.s1), old: L.restore("ABCD-EFGH"), junk: (sessionStorage.setItem(
          "bpx.classlines.Q", '{"x": {"per": 16, "pts": [["no"]]}}'), L.restore("Q"))}; }""")
    assert got != "no storage"
    assert got["back"] == [[1, 0.5, None, 0.7], [50, 0.9, None, 0.2]]
    assert got["old"] == {} and got["junk"] == {}
