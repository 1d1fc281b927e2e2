"""The exported Python script: run in a subprocess on the exported CSV, it prints the
same costs as the engine's ``History.cost`` (to 1e-9), for full-batch and seeded
mini-batch runs, every optimizer, penalties, extra features, standardisation and every
learning-rate schedule.
It imports nothing but numpy and the standard library.

Examples are rows (X is (N, 2) raw points).
"""
import ast
import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from core import ACTIVATIONS, LOSSES, OPTIMIZERS, Network, Trainer, datasets
from core import user_data
from core.export_script import FEATURE_CODE, python_notebook, python_script
from core.features import FEATURES, train_test_split
from core.pipeline import InputPipeline
from core.schedules import Schedule
from core.stopping import Stopping, TrainingStopped

needs_registry_code = pytest.mark.skipif(
    not all(getattr(a, "np_fn", "") for a in ACTIVATIONS.values())
    or not all(getattr(loss, "np_fn", "") and getattr(loss, "np_grad", "") for loss in LOSSES.values()),
    reason="the activation/loss registries have no np_fn/np_df/np_grad text yet (the lead adds them)")


def _csv(X_tr, y_tr, X_te, y_te, problem) -> str:
    if hasattr(user_data, "to_csv"):
        return user_data.to_csv(X_tr, y_tr, X_te, y_te, problem)
    out = io.StringIO()                       # until core.user_data.to_csv exists
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["x1", "x2", "label" if problem == "classification" else "target", "split"])
    for split, X, y in (("train", X_tr, y_tr), ("test", X_te, y_te)):
        for (a, b), t in zip(X.tolist(), y.tolist()):
            w.writerow([repr(a), repr(b), int(t) if problem == "classification" else repr(float(t)), split])
    return out.getvalue()


def _run(tmp_path, dataset, layers, loss, training, epochs, every, *, features=("x1", "x2"), standardize=False,
         init="xavier", n_samples=None, noise=None, n_classes=None, net_seed=3, pass_path=True, notebook=False):
    """Train with the engine and with the exported script (or the notebook's cells, run in
    order in the notebook's folder); return (printed {epoch: cost}, history, the text)."""
    X, y = datasets.make(dataset, n_samples=n_samples, noise=noise, seed=1, n_classes=n_classes)
    problem = datasets.DATASETS[dataset].problem
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, 0.2, seed=1, stratify=problem == "classification")
    pipe = InputPipeline.fit(X_tr, features, standardize)
    net = Network(pipe.n_inputs, layers, loss, seed=net_seed, init=init)
    script = python_script(net, pipe, training, epochs, every, "points.csv")
    (tmp_path / "points.csv").write_text(_csv(X_tr, y_tr, X_te, y_te, problem))
    if notebook:
        script = python_notebook(net, pipe, training, epochs, every, "points.csv")
        cells = json.loads(script)["cells"]
        code = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        (tmp_path / "train.py").write_text(code)
    else:
        (tmp_path / "train.py").write_text(script)
    settings = {k: v for k, v in training.items() if k != "init"}
    hist = Trainer(net, pipe.transform(X_tr), y_tr, **settings).run_epochs(epochs)
    args = [sys.executable, str(tmp_path / "train.py")] + ([str(tmp_path / "points.csv")] if pass_path else [])
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=tmp_path if notebook else "/")
    assert done.returncode == 0, done.stderr
    printed = {}
    for line in done.stdout.splitlines():
        _, epoch, _, cost = line.split()
        printed[int(epoch)] = float(cost)
    return printed, hist, script


def _assert_same(printed, hist, epochs, every):
    expected = {1, epochs} | set(range(every, epochs + 1, every))
    assert set(printed) == expected
    worst = max(abs(cost - hist.cost[e - 1]) for e, cost in printed.items())
    assert worst <= 1e-9, worst


@needs_registry_code
def test_default_lesson_full_batch(tmp_path):
    """Ng's flower: 4 tanh, sigmoid + binary cross-entropy, weights × 0.01, η = 1.2, full batch.
    The script finds its CSV next to itself when given no argument."""
    training = dict(optimizer="sgd", learning_rate=1.2, batch_size=None)
    printed, hist, script = _run(tmp_path, "planar", [(4, "tanh"), (1, "sigmoid")], "binary_cross_entropy",
                                 training, 3000, 100, init="small_gaussian", n_samples=400, noise=0.2,
                                 net_seed=2, pass_path=False)
    _assert_same(printed, hist, 3000, 100)
    assert hist.cost[-1] < 0.35                       # it learnt something, not just matched
    assert len(script.splitlines()) <= 130            # about 100 lines a student can read (122 here)


@needs_registry_code
@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_seeded_mini_batches_softmax_three_classes(tmp_path, optimizer):
    """3 classes, softmax + cross-entropy, extra features, standardised, shuffled
    mini-batches of 16 (the last one smaller), with L2 (adam) or L1 (momentum)."""
    training = dict(optimizer=optimizer, learning_rate=0.01 if optimizer == "adam" else 0.05, batch_size=16,
                    seed=5, l1=0.001 if optimizer == "momentum" else 0.0, l2=0.001 if optimizer == "adam" else 0.0)
    printed, hist, script = _run(tmp_path, "multi_blobs", [(8, "relu"), (6, "tanh"), (3, "softmax")],
                                 "cross_entropy", training, 150, 10, n_samples=303, n_classes=3,
                                 features=("x1", "x2", "x1sq", "x1x2", "sinx2"), standardize=True)
    _assert_same(printed, hist, 150, 10)
    assert "rng.permutation(N)" in script and "MEAN = np.array(" in script


@needs_registry_code
def test_notebook_cells_reproduce_the_costs(tmp_path):
    """The notebook (nbformat 4 JSON) holds the same program, one part per cell."""
    training = dict(optimizer="momentum", learning_rate=0.05, batch_size=32, seed=4)
    printed, hist, text = _run(tmp_path, "noisy_moons", [(6, "tanh"), (1, "sigmoid")], "binary_cross_entropy",
                               training, 60, 10, n_samples=200, features=("x1", "x2", "x1x2"), standardize=True,
                               notebook=True)
    _assert_same(printed, hist, 60, 10)
    nb = json.loads(text)
    assert nb["nbformat"] == 4 and nb["cells"][0]["cell_type"] == "markdown"
    assert all(set(c) >= {"cell_type", "metadata", "source", "id"} for c in nb["cells"])
    assert sum(c["cell_type"] == "code" for c in nb["cells"]) == 8


@needs_registry_code
def test_a_long_chaotic_run_stays_exact(tmp_path):
    """Spiral, 16-16 ReLU, momentum, 8000 mini-batch steps: the textbook form's last-bit differences grew to
    0.012 in the cost. The script computes as the trainer does ([a | 1] Wbᵀ, δ scaled by
    1/n once, [dJ/dW | dJ/db] = δᵀ [a | 1]), so its weights stay bit for bit the engine's."""
    training = dict(optimizer="momentum", learning_rate=0.1, batch_size=10, seed=1)
    printed, hist, _ = _run(tmp_path, "spiral", [(16, "relu"), (16, "relu"), (1, "sigmoid")],
                            "binary_cross_entropy", training, 200, 20, n_samples=500, noise=0.1, init="he")
    _assert_same(printed, hist, 200, 20)


@needs_registry_code
def test_mse_regression(tmp_path):
    training = dict(optimizer="sgd", learning_rate=0.03, batch_size=10, seed=2, l1=0.0005, l2=0.001,
                    init="xavier")        # a model file's settings carry init; the script ignores it
    printed, hist, _ = _run(tmp_path, "reg_plane", [(6, "tanh"), (1, "linear")], "mse", training, 100, 10,
                            n_samples=200, features=("x1", "x2", "x2sq", "sinx1"), standardize=True)
    _assert_same(printed, hist, 100, 10)


@needs_registry_code
@pytest.mark.parametrize("hidden", [k for k, v in ACTIVATIONS.items() if not v.output_only])
def test_every_hidden_activation(tmp_path, hidden):
    training = dict(optimizer="sgd", learning_rate=0.05, batch_size=None)
    printed, hist, _ = _run(tmp_path, "gauss", [(5, hidden), (4, hidden), (1, "sigmoid")],
                            "binary_cross_entropy", training, 40, 5, n_samples=120)
    _assert_same(printed, hist, 40, 5)


@needs_registry_code
@pytest.mark.parametrize("output, n_classes", [("sigmoid", None), ("softmax", 3)])
def test_mse_on_a_classifier_uses_the_unfused_output_delta(tmp_path, output, n_classes):
    """mse on a sigmoid or softmax output: δ^(L) = Δ ⊙ σ'(z), and softmax's full Jacobian."""
    dataset, units = ("gauss", 1) if output == "sigmoid" else ("multi_blobs", 3)
    training = dict(optimizer="adam", learning_rate=0.01, batch_size=25, seed=9)
    printed, hist, script = _run(tmp_path, dataset, [(6, "tanh"), (units, output)], "mse", training, 30, 5,
                                 n_samples=150, n_classes=n_classes)
    _assert_same(printed, hist, 30, 5)
    assert "loss_grad(A[-1], T)" in script


@needs_registry_code
def test_script_imports_only_numpy_and_the_standard_library():
    pipe = InputPipeline(("x1", "x2", "sinx1"))
    net = Network(3, [(4, "tanh"), (3, "softmax")], "mse", seed=0)
    for optimizer in OPTIMIZERS:
        tree = ast.parse(python_script(net, pipe, dict(optimizer=optimizer, learning_rate=0.1, batch_size=8,
                                                       l1=0.1, l2=0.1), 10, 2, "d.csv"))
        modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                   for alias in node.names}
        modules |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert modules - {"numpy"} <= set(sys.stdlib_module_names), modules


def test_every_feature_has_script_code():
    """A feature added to core.features.FEATURES needs its numpy text in FEATURE_CODE."""
    assert set(FEATURE_CODE) == set(FEATURES)
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=(2, 50)) * 3
    for fid, feature in FEATURES.items():
        np.testing.assert_array_equal(eval(FEATURE_CODE[fid], {"np": np, "x1": x1, "x2": x2}), feature.fn(x1, x2))


def test_every_optimizer_has_script_code():
    net, pipe = Network(2, [(1, "sigmoid")], "mse", seed=0), InputPipeline(("x1", "x2"))
    for name in OPTIMIZERS:
        if not getattr(net.layers[0].activation, "np_fn", ""):
            pytest.skip("the activation registry has no np_fn text yet")
        assert "def update(" in python_script(net, pipe, dict(optimizer=name, learning_rate=0.1), 5, 1, "d.csv")


@pytest.mark.parametrize("training, epochs, message", [
    (dict(optimizer="rmsprop", learning_rate=0.1), 10, "unknown optimizer 'rmsprop'; choose one of sgd"),
    (dict(optimizer="sgd", learning_rate=0.1, momentum=0.9), 10, "unknown training setting(s) momentum"),
    (dict(optimizer="sgd", learning_rate=0.0), 10, "learning rate must be a positive number"),
    (dict(optimizer="sgd", learning_rate=0.1, batch_size=0), 10, "batch size must be a whole number >= 1"),
    (dict(optimizer="sgd", learning_rate=0.1, l2=-1.0), 10, "l2 must be a number >= 0"),
    (dict(optimizer="sgd", learning_rate=0.1), 0, "epochs must be a whole number >= 1"),
])
def test_bad_settings_are_refused(training, epochs, message):
    net, pipe = Network(2, [(1, "sigmoid")], "mse", seed=0), InputPipeline(("x1", "x2"))
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        python_script(net, pipe, training, epochs, 1, "d.csv")


def test_pipeline_must_fit_the_network():
    net, pipe = Network(2, [(1, "sigmoid")], "mse", seed=0), InputPipeline(("x1", "x2", "x1sq"))
    with pytest.raises(ValueError, match="the pipeline makes 3 inputs but the network takes 2"):
        python_script(net, pipe, dict(optimizer="sgd", learning_rate=0.1), 5, 1, "d.csv")


SCHEDULED = [Schedule("step", period=7, gamma=0.5), Schedule("exponential", period=20, gamma=0.3),
             Schedule("cosine", period=25, floor=0.05), Schedule("cosine", period=9, floor=0.0, restarts=True),
             Schedule("triangle", period=12, floor=0.1, warmup=5), Schedule("constant", warmup=10)]


@needs_registry_code
@pytest.mark.parametrize("batch", [None, 24])
@pytest.mark.parametrize("sched", SCHEDULED, ids=lambda s: f"{s.name}-w{s.warmup}-r{int(s.restarts)}")
def test_every_schedule_replays_the_costs(tmp_path, sched, batch):
    """Each schedule (warm-up included), full batch and mini-batches of 24 (the last smaller):
    the script sets η = BASE_ETA · schedule(t, t_end) before each update, as the trainer does."""
    training = dict(optimizer="adam" if batch else "sgd", learning_rate=0.02 if batch else 1.0, batch_size=batch,
                    seed=3, schedule=sched)
    printed, hist, script = _run(tmp_path, "noisy_moons", [(6, "tanh"), (1, "sigmoid")], "binary_cross_entropy",
                                 training, 60, 10, n_samples=150)
    _assert_same(printed, hist, 60, 10)
    assert "def schedule(t, t_end):" in script


@needs_registry_code
def test_a_schedule_given_as_a_model_files_dict_is_the_same():
    net, pipe = Network(2, [(3, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=0), InputPipeline(("x1", "x2"))
    sched = Schedule("cosine", period=30, floor=0.1)
    a = python_script(net, pipe, dict(optimizer="sgd", learning_rate=0.1, schedule=sched), 5, 1, "d.csv")
    assert a == python_script(net, pipe, dict(optimizer="sgd", learning_rate=0.1, schedule=sched.to_dict()), 5, 1,
                              "d.csv")
    plain = python_script(net, pipe, dict(optimizer="sgd", learning_rate=0.1, schedule=Schedule()), 5, 1, "d.csv")
    assert "schedule" not in plain.split('"""', 2)[2]         # a constant η adds nothing to the script
    with pytest.raises(ValueError, match="unknown schedule 'warm'"):
        python_script(net, pipe, dict(optimizer="sgd", learning_rate=0.1, schedule={"name": "warm"}), 5, 1, "d.csv")


@needs_registry_code
@pytest.mark.parametrize("batch", [None, 20])
def test_a_stopped_run_stops_at_the_same_epoch_with_the_same_weights(tmp_path, batch):
    """Early stopping with the best weights restored: the script trains to the stop epoch, keeps the
    best epoch's weights and puts them back; the restored cost is the engine's at that epoch."""
    X, y = datasets.make("noisy_moons", n_samples=240, noise=0.35, seed=1)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, 0.2, seed=1, stratify=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X_tr, y_tr, 0.25, seed=2, stratify=True)
    pipe = InputPipeline.fit(X_tr, ("x1", "x2"), True)
    layers = [(24, "relu"), (24, "relu"), (1, "sigmoid")]
    net = Network(2, layers, "binary_cross_entropy", seed=4, init="he")
    start = Network(2, layers, "binary_cross_entropy", seed=4, init="he")
    tr = Trainer(net, pipe.transform(X_tr), y_tr, optimizer="adam", learning_rate=0.03, batch_size=batch, seed=3,
                 X_val=pipe.transform(X_va), y_val=y_va, stopping=Stopping(patience=10, restore_best=True),
                 schedule=Schedule("cosine", period=50, floor=0.1))
    with pytest.raises(TrainingStopped) as err:
        tr.run_epochs(2000)
    rec = err.value.record
    assert rec.restored and rec.best_epoch < rec.epoch
    training = dict(optimizer="adam", learning_rate=0.03, batch_size=batch, seed=3, stopped=rec.to_dict(),
                    schedule=tr.schedule)
    script = python_script(start, pipe, training, rec.epoch, 5, "points.csv")
    assert rec.reason in script
    (tmp_path / "points.csv").write_text(_csv(X_tr, y_tr, X_te, y_te, "classification"))
    (tmp_path / "train.py").write_text(script)
    done = subprocess.run([sys.executable, str(tmp_path / "train.py")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    *lines, last = done.stdout.splitlines()
    printed = {int(line.split()[1]): float(line.split()[3]) for line in lines}
    _assert_same(printed, tr.history, rec.epoch, 5)
    _, _, best, _, restored = last.split()
    assert int(best) == rec.best_epoch and abs(float(restored) - tr.history.cost[rec.best_epoch - 1]) <= 1e-9
    with pytest.raises(ValueError, match=f"the run stopped after epoch {rec.epoch}; export {rec.epoch} epochs"):
        python_script(start, pipe, training, rec.epoch + 1, 5, "points.csv")
