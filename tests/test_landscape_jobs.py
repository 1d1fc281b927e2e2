"""The Live view's loss landscape, below the UI (explorer/training/landscape_job.py and landscape_board.py)
and through the page (AppTest).

The core slices are proven in tests/test_landscape.py (the origin is the run's cost, the line meets
both ends). Here the same proofs hold for what the learner's job computes from a live Run (its
copied weights, snapshots, training points and penalties): the plane's centre is the run's cost to
1e-12 and the line at t = 0 and t = 1 the costs at the start and current weights, for both kinds of
directions. The job cap is the board's real worker threads: jobs past the line are refused with a
sentence, never more than ``running`` compute at once (from each job's own start and end times).
A bad request parameter is refused with a message naming it, at the boundary and on the page.
"""
from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from explorer.choices.config import Config
from explorer.figures.landscape import line_figure, plane_figure
from explorer.training.landscape_board import LandscapeBoard, Refused
from explorer.training.landscape_job import LINE_TS, MAX_N, LandscapeJob, request
from explorer.training.run import Run, build_data
from tests.browser import ROOT

WAIT_S = 120


def trained(epochs: int = 60, **train) -> Run:
    cfg = Config()
    if train:
        cfg = replace(cfg, train=replace(cfg.train, **train))
    run = Run(cfg, build_data(cfg.data))
    for _ in range(epochs):
        run.step_epoch()
    return run


def finish(job: LandscapeJob):
    job.run()
    assert job.state == "done", job.error
    return job.result


@pytest.mark.parametrize("directions", ["pca", "random"])
@pytest.mark.parametrize("train", [{}, {"l2": 0.01, "batch_size": 32}], ids=["full-batch", "l2-minibatch"])
def test_the_centre_is_the_runs_cost_and_the_line_meets_both_ends(directions, train):
    run = trained(**train)
    res = finish(LandscapeJob.of(run, request(directions, 21, 1.0, seed=3)))
    d, tr = run.data, run.trainer
    k = 21 // 2
    assert res.alphas[k] == 0.0 and res.betas[k] == 0.0
    assert abs(res.J_plane[k, k] - tr.history.cost[-1]) <= 1e-12           # the run's own recorded cost
    assert abs(res.J_plane[k, k] - run.net.cost(d.F_train, d.y_train, tr.l1, tr.l2)) <= 1e-12
    start = Run(run.cfg, d).net                                          # the same draw, untrained
    i0, i1 = list(LINE_TS).index(0.0), list(LINE_TS).index(1.0)
    assert abs(res.J_line[i0] - start.cost(d.F_train, d.y_train, tr.l1, tr.l2)) <= 1e-12
    assert abs(res.J_line[i1] - tr.history.cost[-1]) <= 1e-12
    assert res.epoch == 60 and res.epochs[0] == 0 and res.epochs[-1] == 60
    np.testing.assert_allclose(res.path[-1], 0.0, atol=1e-12)              # now is the centre
    assert res.J_plane.shape == (21, 21) and np.isfinite(res.J_plane).all()
    if directions == "pca":
        assert res.held > 0.9                                              # the path lies in its own plane


def test_the_job_keeps_its_copy_while_training_goes_on():
    run = trained(30)
    job = LandscapeJob.of(run, request("pca", 11, 1.0))
    cost_then = run.trainer.history.cost[-1]
    for _ in range(30):
        run.step_epoch()
    res = finish(job)
    assert abs(res.J_plane[5, 5] - cost_then) <= 1e-12 and res.epoch == 30


@pytest.mark.parametrize("args, words", [
    (("sideways", 41, 1.0), "directions must be one of pca, random; got 'sideways'"),
    (("pca", 40, 1.0), "odd whole number of points from 11 to 61"),
    (("pca", 101, 1.0), "got 101"),
    (("pca", 41.0, 1.0), "got 41.0"),
    (("pca", True, 1.0), "got True"),
    (("pca", 41, 0.0), "span must be a number from 0.25 to 4"),
    (("pca", 41, float("nan")), "got nan"),
    (("pca", 41, "1"), "got '1'"),
    (("random", 41, 1.0, -1), "seed must be a whole number"),
])
def test_a_bad_parameter_is_refused_with_a_sentence(args, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        request(*args)


def test_a_run_that_cannot_give_a_landscape_says_why():
    run = trained(0)
    with pytest.raises(ValueError, match="train for a few epochs first"):
        LandscapeJob.of(run, request("pca", 41, 1.0))
    assert finish(LandscapeJob.of(run, request("random", 11, 1.0))).J_plane.shape == (11, 11)
    cfg = Config()
    wide = replace(cfg, net=replace(cfg.net, hidden=((50, "tanh"),) * 3))
    run = Run(wide, build_data(wide.data))
    run.step_epoch()
    with pytest.raises(ValueError, match=r"6\.3 billion multiply-adds, more than the 1 billion .*choose a smaller grid"):
        LandscapeJob.of(run, request("pca", MAX_N, 1.0))
    assert LandscapeJob.of(run, request("pca", 21, 1.0)).total == 22
    big = replace(cfg, net=replace(cfg.net, hidden=((50, "tanh"),) * 8), data=replace(cfg.data, n_samples=2000))
    heavy = Run(big, build_data(big.data))
    heavy.step_epoch()
    with pytest.raises(ValueError, match="even the smallest grid is too much here: fewer points or a smaller network"):
        LandscapeJob.of(heavy, request("pca", 11, 1.0))


def test_a_cancelled_job_stops_and_says_so():
    job = LandscapeJob.of(trained(20), request("pca", 41, 1.0))
    job.cancel()
    job.run()
    assert job.state == "cancelled" and job.result is None and job.done <= 1


def wait_for(predicate, what):
    deadline = time.monotonic() + WAIT_S
    while not predicate():
        assert time.monotonic() < deadline, f"waited {WAIT_S} s for {what}"
        time.sleep(0.01)


def test_the_board_caps_running_jobs_and_refuses_past_its_line():
    run = trained(20)
    board = LandscapeBoard(running=2, waiting=4, start=False)     # the workers start once the line is full
    jobs = [LandscapeJob.of(run, request("pca", 61, 1.0)) for _ in range(4)]
    for i, job in enumerate(jobs):
        board.submit(job)
        assert board.position(job) == i + 1 and job.state == "waiting"
    extra = LandscapeJob.of(run, request("pca", 11, 1.0))
    with pytest.raises(Refused, match="4 landscapes are already waiting for this server's 2 workers"):
        board.submit(extra)
    board.cancel(jobs[3])                                          # out of the line: a place frees
    assert jobs[3].state == "cancelled" and board.position(jobs[3]) == 0 and board.counts() == (0, 3)
    board.submit(extra)
    assert board.position(extra) == 4
    board.start()
    everyone = jobs[:3] + [extra]
    wait_for(lambda: all(j.state == "done" for j in everyone), "the jobs")
    events = sorted([(j.started, 1) for j in everyone] + [(j.finished, -1) for j in everyone])
    at_once = np.cumsum([e for _, e in events])
    assert at_once.max() == 2                                      # two at once, never three
    assert board.counts() == (0, 0)


def test_running_jobs_keep_to_the_boards_share_of_the_clock():
    board = LandscapeBoard(running=1, waiting=1, share=0.25)
    job = LandscapeJob.of(trained(20), request("pca", 21, 1.0))
    board.submit(job)
    wait_for(lambda: job.state == "done", "the job")
    assert job.finished - job.started >= 0.95 * job.worked / 0.25     # it waited 3× what each row took
    assert job.result.seconds >= 0.95 * job.worked / 0.25


def test_the_figures_mark_start_and_now_and_draw_the_path():
    res = finish(LandscapeJob.of(trained(40), request("pca", 11, 1.0)))
    line = line_figure(res.ts, res.J_line, res.epoch)
    names = [t["name"] for t in line["data"]]
    assert names == ["J(t)", "start", "now (epoch 40)"]
    assert line["data"][1]["x"] == [0.0] and line["data"][2]["x"] == [1.0]
    assert line["data"][2]["y"] == [float(res.J_line[45])]
    plane = plane_figure(res.alphas, res.betas, res.J_plane, res.path, res.epochs)
    kinds = {t["name"]: t for t in plane["data"]}
    assert kinds["log10 J"]["type"] == "contour" and np.allclose(kinds["log10 J"]["z"], np.log10(res.J_plane))
    assert len(kinds["training path"]["x"]) == len(res.path) >= 3
    assert kinds["now"]["x"] == [0.0] and kinds["start"]["x"] == [float(res.path[0, 0])]


def test_the_page_refuses_a_heavy_request_with_the_sentence():
    at = AppTest.from_file(str(ROOT / "explorer" / "pages" / "main.py"), default_timeout=60)
    for k, v in {"landscape": "1", "n": "2000", "layers": "50:tanh,50:tanh,50:tanh,50:tanh,50:tanh,50:tanh"}.items():
        at.query_params[k] = v
    at.session_state["live_fallback"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.button(key="land_go").value is False
    at.select_slider(key="land_n").set_value(61)
    at.button(key="land_go").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = [w.value for w in at.warning]
    assert any("billion multiply-adds" in w and "fewer points or a smaller network" in w for w in warnings), warnings
