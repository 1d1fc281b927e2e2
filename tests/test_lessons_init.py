"""The initialisation lessons say what their runs do: the same network on the circle from all
zeros (identical units that never move), from a too-large Gaussian (most tanh units saturated,
slow) and from Xavier (separated within 50 epochs). Each claim of their sentences is checked on
the run the preset builds, as the live view trains it."""
from __future__ import annotations

import numpy as np
import pytest

from core.histograms import activation_histograms
from explorer.pages.lessons import LESSONS
from explorer.training.run import Run, build_data

INIT_LESSONS = ("init_zero", "init_large", "init_xavier")


def _run(key: str) -> Run:
    cfg = LESSONS[key].config
    return Run(cfg, build_data(cfg.data))


def _accuracy_at(run: Run, epochs) -> list[float]:
    out = []
    for e in epochs:
        run.trainer.run_epochs(e - run.epoch)
        out.append(run.trainer.history.accuracy[-1])
    return out


def test_the_three_lessons_are_one_network_with_three_starts():
    cfgs = [LESSONS[k].config for k in INIT_LESSONS]
    assert len({c.net.init for c in cfgs}) == 3
    assert all((c.data, c.net.hidden, c.train) == (cfgs[0].data, cfgs[0].net.hidden, cfgs[0].train) for c in cfgs)


def test_all_zeros_gives_identical_units_that_never_move():
    run = _run("init_zero")
    assert _accuracy_at(run, (50, 200)) == [0.5, 0.5]
    for layer in run.net.layers[:-1]:
        assert not layer.W.any() and not layer.b.any()           # the hidden layers never moved
    acts = run.net.forward(run.data.F_train).A
    for a in acts[1:-1]:
        assert (a == a[:, :1]).all()                             # every unit of a layer alike (all 0)
    assert not run.net.layers[-1].W.any()                        # only the output's bias learns


def test_too_large_saturates_most_units_and_crawls():
    run = _run("init_large")
    hist = activation_histograms([run.net], run.data.F_train)
    assert len(hist) == 3 and all(0.55 <= h.saturated[0] <= 0.8 for h in hist), [h.saturated[0] for h in hist]
    acc100, acc600 = _accuracy_at(run, (100, 600))
    assert 0.65 <= acc100 <= 0.75 and acc600 < 1.0


def test_xavier_separates_the_ring_within_50_epochs():
    run = _run("init_xavier")
    assert _accuracy_at(run, (50,)) == [1.0]
    hist = activation_histograms([run.net], run.data.F_train)
    assert len(hist) == 3 and all(h.saturated[0] < 0.1 for h in hist)


@pytest.mark.parametrize("key", INIT_LESSONS)
def test_each_sentence_is_one_paragraph_of_plain_text(key):
    text = LESSONS[key].look_for
    assert "\n" not in text and 100 < len(text) < 400
    assert text.isprintable()
