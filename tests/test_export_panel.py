"""What a learner takes away from the app, and brings back: the app's own glue around
core's exporters. The data CSV goes back in unchanged; the model file predicts what the
run predicts; the exported script replays the run's costs; a model file sets up the
same network; Reset replays bit for bit and New weights draws a new seed.

Examples are rows (X is (N, 2) raw points).
"""
from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.model_file import load_model
from core.user_data import read_points
from explorer.pages import exports as ex
from explorer.choices.config import Config, OwnPoints, StartWeights
from explorer.training.run import Run, build_data
from explorer.choices.settings_table import OWN_DATA

PAGE = str(Path(__file__).resolve().parents[1] / "explorer" / "pages" / "main.py")


def _run(cfg: Config | None = None, epochs: int = 40) -> Run:
    cfg = cfg or Config()
    run = Run(cfg, build_data(cfg.data))
    run.trainer.run_epochs(epochs)
    return run


def test_the_data_csv_goes_back_in_unchanged():
    run = _run(epochs=0)
    pts = read_points(ex.data_csv(run).encode())
    d = build_data(replace(run.cfg.data, dataset=OWN_DATA, points=OwnPoints.of(pts.X, pts.y, pts.problem,
                                                                             pts.is_test)))
    for a, b in [(d.X_train, run.data.X_train), (d.y_train, run.data.y_train), (d.X_test, run.data.X_test),
                 (d.y_test, run.data.y_test)]:
        np.testing.assert_array_equal(a, b)


def test_the_model_file_predicts_what_the_run_predicts():
    cfg = replace(Config(), data=replace(Config().data, features=("x1", "x2", "x1x2"), standardize=True))
    run = _run(cfg)
    model = load_model(ex.model_json(run))
    X = np.random.default_rng(3).uniform(-4, 4, size=(500, 2))
    np.testing.assert_array_equal(model.predict_proba_raw(X), run.net.predict_proba(run.data.pipeline.transform(X)))
    assert model.epoch == run.epoch == 40


def test_the_exported_script_replays_the_runs_costs(tmp_path):
    run = _run(epochs=60)
    (tmp_path / ex.CSV_NAME).write_text(ex.data_csv(run))
    (tmp_path / "train.py").write_text(ex.script_text(run))
    done = subprocess.run([sys.executable, "train.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    printed = {int(line.split()[1]): float(line.split()[3]) for line in done.stdout.splitlines()}
    h = run.trainer.history
    costs = dict(zip(getattr(h, "epochs", range(1, len(h.cost) + 1)), h.cost))
    assert len(printed) >= 10 and max(printed) == 60
    for epoch, cost in printed.items():
        assert cost == pytest.approx(costs[epoch], rel=1e-9, abs=1e-12)


def test_a_model_file_sets_up_the_same_network_on_the_same_data():
    cfg = replace(Config(), data=replace(Config().data, dataset="circle", features=("x1sq", "x2sq"),
                                         standardize=True))
    run = _run(replace(cfg, net=replace(cfg.net, hidden=((3, "relu"),), seed=9)))
    model = load_model(ex.model_json(run))
    new = ex.config_from_model(Config(data=cfg.data), model)
    assert new.net.hidden == ((3, "relu"),) and new.net.seed == 9 and new.data.features == ("x1sq", "x2sq")
    start = StartWeights.of(model.net, model.epoch)
    again = Run(replace(new, net=replace(new.net, start=start)), build_data(new.data))
    X = np.random.default_rng(0).uniform(-2, 2, size=(300, 2))
    np.testing.assert_array_equal(again.net.predict_proba(again.data.pipeline.transform(X)),
                                  model.predict_proba_raw(X))
    again.trainer.run_epochs(3)                               # and it keeps training
    again.reset()                                             # Reset returns to the file's weights
    for p, w in zip(again.net.parameters(), start.Wb):
        np.testing.assert_array_equal(p, w)


def test_a_model_that_does_not_fit_the_data_says_why():
    three = Config(data=replace(Config().data, dataset="multi_blobs", n_classes=3))
    model = load_model(ex.model_json(_run(three, epochs=1)))
    new = ex.config_from_model(Config(), model)               # the flower has two classes
    with pytest.raises(ValueError, match="sigmoid|softmax|units|shape"):
        Run(replace(new, net=replace(new.net, start=StartWeights.of(model.net))), build_data(new.data))


@pytest.mark.parametrize("batch_size", [None, 32])
def test_reset_replays_the_run_bit_for_bit(batch_size):
    cfg = replace(Config(), train=replace(Config().train, batch_size=batch_size))
    run = _run(cfg, epochs=0)
    start = [p.copy() for p in run.net.parameters()]
    run.trainer.run_epochs(25)
    first = ([p.copy() for p in run.net.parameters()], list(run.trainer.history.cost))
    run.reset()
    for p, w in zip(run.net.parameters(), start):
        np.testing.assert_array_equal(p, w)
    run.trainer.run_epochs(25)
    for p, w in zip(run.net.parameters(), first[0]):
        np.testing.assert_array_equal(p, w)
    assert list(run.trainer.history.cost) == first[1]


def test_new_weights_draws_a_new_seed_into_the_link():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    old = at.session_state["run"]
    seed = old.cfg.net.seed
    at.button(key="new_weights").click().run()
    new = at.session_state["run"]
    assert new is not old and new.cfg.net.seed != seed
    assert at.query_params["seed"] in (str(new.cfg.net.seed), [str(new.cfg.net.seed)])
    assert not np.array_equal(new.net.layers[0].W, old.net.layers[0].W)


def test_the_notebook_runs_to_the_scripts_output(tmp_path):
    import json
    run = _run(epochs=30)
    nb = json.loads(ex.script_text(run, notebook=True))
    code = "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    (tmp_path / ex.CSV_NAME).write_text(ex.data_csv(run))
    (tmp_path / "nb.py").write_text(code)
    (tmp_path / "train.py").write_text(ex.script_text(run))
    out = [subprocess.run([sys.executable, f], cwd=tmp_path, capture_output=True, text=True, timeout=120)
           for f in ("nb.py", "train.py")]
    assert all(o.returncode == 0 for o in out), [o.stderr for o in out]
    assert out[0].stdout == out[1].stdout and "epoch" in out[0].stdout


def test_the_gif_shows_the_run_so_far():
    from PIL import Image
    import io
    run = _run(epochs=0)
    run.train_steps(200, deadline=float("inf"))            # as the live channel trains: snapshots on the way
    gif = Image.open(io.BytesIO(ex.gif_bytes(run)))
    assert 30 <= gif.n_frames <= 120


@pytest.mark.parametrize("layers,loss,says", [
    ([(80, "tanh"), (1, "sigmoid")], "binary_cross_entropy", "cannot build its hidden layers, 80:tanh: the setting must"),
    ([(4, "tanh"), (3, "softmax")], "cross_entropy", "3 softmax unit(s), but the current data have 2 classes"),
    ([(4, "tanh"), (1, "linear")], "mse", "does not fit the current data"),
])
def test_a_model_the_explorer_cannot_show_is_refused_with_the_reason(layers, loss, says):
    from core import Network
    from core.model_file import dumps
    from core.pipeline import InputPipeline
    net = Network(2, layers, loss, seed=3)
    model = load_model(dumps(net, InputPipeline(("x1", "x2")), {"optimizer": "sgd", "learning_rate": 0.3,
                                                                "batch_size": None, "l1": 0.0, "l2": 0.0}, 0))
    cfg = ex.config_from_model(Config(), model)
    assert says in ex.misfit(cfg, model)


def test_a_model_that_fits_is_not_refused():
    run = _run(epochs=3)
    model = load_model(ex.model_json(run))
    assert ex.misfit(ex.config_from_model(Config(), model), model) is None
