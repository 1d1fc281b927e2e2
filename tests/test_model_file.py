"""Model out and back in: save -> load gives the same predictions, and every bad file is
refused with a message that names the field at fault."""
import copy
import io
import json
import math
import pickle

import numpy as np
import pytest

import core
from core import ACTIVATIONS, INITIALIZERS, LOSSES, OPTIMIZERS, Network, Trainer, datasets, train
from core.features import FEATURES, train_test_split
from core.model_file import (FORMAT, FORMAT_VERSION, MAX_BYTES, MAX_HISTORY, SavedModel, dumps,
                             load_model, model_from_dict, model_to_dict)
from core.pipeline import InputPipeline

SETTINGS = dict(optimizer="adam", learning_rate=0.01, batch_size=16, l1=0.0, l2=1e-4)

# (dataset, hidden layers, output activation, loss, features, standardised)
CASES = [
    ("xor", [(4, "tanh")], "sigmoid", "binary_cross_entropy", ("x1", "x2"), False),
    ("circle", [(6, "relu"), (3, "leaky_relu")], "sigmoid", "binary_cross_entropy",
     ("x1", "x2", "x1sq", "x2sq"), True),
    ("multi_blobs", [(8, "tanh")], "softmax", "cross_entropy", tuple(FEATURES), True),
    ("spiral", [(5, "sigmoid")], "sigmoid", "mse", ("x1x2", "sinx1", "sinx2"), False),
    ("reg_plane", [(8, "tanh"), (4, "relu")], "linear", "mse", ("x1", "x2", "x1sq", "sinx1"), True),
    ("reg_gauss", [], "linear", "mse", ("x2", "x1"), False),
]


def _trained(case, epochs=30):
    name, hidden, out, loss, features, standardize = case
    X, y = datasets.make(name, seed=4)
    classify = datasets.DATASETS[name].problem == "classification"
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, 0.3, seed=1, stratify=classify)
    pipe = InputPipeline.fit(X_tr, features, standardize)
    width = int(y.max()) + 1 if out == "softmax" else 1
    net = Network(pipe.n_inputs, hidden + [(width, out)], loss, seed=7, init="he")
    hist = train(net, pipe.transform(X_tr), y_tr, epochs=epochs, seed=3, **SETTINGS)
    return net, pipe, hist, X_tr, y_tr, X_te


def _grid(n=200):
    g = np.linspace(-6, 6, n)
    return np.column_stack([a.ravel() for a in np.meshgrid(g, g)])


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[2]}-{'std' if c[5] else 'raw'}" for c in CASES])
def test_save_load_gives_identical_predictions(case, tmp_path):
    net, pipe, hist, X_tr, _, X_te = _trained(case)
    text = dumps(net, pipe, SETTINGS, 30, hist)
    path = tmp_path / "model.json"
    path.write_text(text, encoding="utf-8")
    points = np.concatenate([X_tr, X_te, _grid()])
    expected = net.predict_proba(pipe.transform(points))      # what the app computes
    for source in (path, str(path), text, text.encode(), io.BytesIO(text.encode()), io.StringIO(text)):
        model = load_model(source)
        got = model.predict_proba_raw(points)
        assert got.shape == expected.shape
        assert np.max(np.abs(got - expected)) <= 1e-12
        assert np.array_equal(got, expected)                  # in fact bit for bit
        assert np.array_equal(model.predict_raw(points), net.predict(pipe.transform(points)))
    assert core.load_model(path).dumps() == text
    model = Network.load(path)                                # the same function, by its older name
    assert isinstance(model, SavedModel) and model.pipeline == pipe and model.epoch == 30
    assert model.net.sizes == net.sizes and model.net.loss.name == net.loss.name
    assert model.net.output == net.output
    for a, b in zip(model.net.layers, net.layers):
        assert a.activation.name == b.activation.name
        assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)
    assert model.training == {**SETTINGS, "seed": 7, "init": "he"}
    assert model.history["epochs"] == list(range(1, 31))
    assert model.history["cost"] == hist.cost
    assert np.array_equal(model.history["accuracy"], hist.accuracy, equal_nan=True)
    assert model.dumps() == text                              # the text is stable


def test_a_loaded_model_keeps_training_exactly_like_the_original():
    net, pipe, _, X_tr, y_tr, _ = _trained(CASES[2], epochs=5)
    model = load_model(dumps(net, pipe, SETTINGS, 5))
    F = pipe.transform(X_tr)
    settings = {k: v for k, v in model.training.items() if k not in ("seed", "init")}
    assert settings == SETTINGS
    for n in (net, model.net):
        Trainer(n, F, y_tr, seed=9, **settings).run_epochs(20)
    for a, b in zip(model.net.layers, net.layers):
        assert np.array_equal(a.Wb, b.Wb)


def test_file_layout():
    net, pipe, hist, *_ = _trained(CASES[1], epochs=3)
    doc = json.loads(dumps(net, pipe, SETTINGS, 3, hist))
    assert list(doc) == ["format", "version", "layers", "loss", "inputs", "training", "epoch", "history"]
    assert doc["format"] == FORMAT and doc["version"] == FORMAT_VERSION == 1
    assert [np.shape(layer["W"]) for layer in doc["layers"]] == [(6, 4), (3, 6), (1, 3)]   # (S_l, S_{l-1})
    assert [len(layer["b"]) for layer in doc["layers"]] == [6, 3, 1]
    assert [layer["activation"] for layer in doc["layers"]] == ["relu", "leaky_relu", "sigmoid"]
    assert doc["inputs"] == {"features": ["x1", "x2", "x1sq", "x2sq"], "mean": pipe.mean.tolist(),
                             "scale": pipe.scale.tolist()}
    assert list(doc["training"]) == ["optimizer", "learning_rate", "batch_size", "l1", "l2", "seed", "init"]
    assert doc == model_to_dict(net, pipe, SETTINGS, 3, hist)


def test_unstandardised_inputs_and_full_batch_are_null():
    net, pipe, *_ = _trained(CASES[0], epochs=2)
    doc = model_to_dict(net, pipe, {**SETTINGS, "batch_size": None}, 2)
    assert doc["inputs"]["mean"] is None and doc["inputs"]["scale"] is None
    assert doc["training"]["batch_size"] is None and doc["history"] is None
    model = model_from_dict(json.loads(json.dumps(doc)))
    assert model.pipeline.mean is None and model.history is None


def test_long_history_is_thinned_with_early_epochs_kept():
    net, pipe, *_ = _trained(CASES[0], epochs=1)
    n = 5000
    hist = {"cost": list(np.linspace(1, 0.1, n)), "accuracy": [0.5] * n}
    h = load_model(dumps(net, pipe, SETTINGS, n, hist)).history
    assert len(h["epochs"]) <= MAX_HISTORY and h["epochs"][0] == 1 and h["epochs"][-1] == n
    assert h["epochs"][:10] == list(range(1, 11))                 # early learning shows
    assert all(b > a for a, b in zip(h["epochs"], h["epochs"][1:]))
    assert h["cost"] == [hist["cost"][e - 1] for e in h["epochs"]]


def test_a_history_with_its_own_epochs_is_thinned_by_epoch():
    # e.g. the live view's LiveHistory, which keeps log-spaced epochs and lists them
    net, pipe, *_ = _trained(CASES[0], epochs=1)
    epochs = sorted({int(e) for e in np.geomspace(1, 10 ** 6, 900)})
    hist = {"epochs": epochs, "cost": [1 / e for e in epochs], "accuracy": [0.9] * len(epochs)}
    h = load_model(dumps(net, pipe, SETTINGS, 10 ** 6, hist)).history
    assert len(h["epochs"]) <= MAX_HISTORY and h["epochs"][0] == 1 and h["epochs"][-1] == 10 ** 6
    assert set(h["epochs"]) <= set(epochs) and h["cost"] == [1 / e for e in h["epochs"]]
    assert sum(e > 500_000 for e in h["epochs"]) >= 40       # the late, linear half is not lost


def test_history_of_a_shorter_window_ends_at_the_epoch_and_undefined_r2_is_null():
    net, pipe, *_ = _trained(CASES[5], epochs=1)
    text = dumps(net, pipe, SETTINGS, 50, {"cost": [3.0, 2.0, 1.0], "accuracy": [float("nan"), 0.1, 0.2]})
    assert '"accuracy": [null, 0.1, 0.2]' in text
    h = load_model(text).history
    assert h["epochs"] == [48, 49, 50] and math.isnan(h["accuracy"][0]) and h["accuracy"][1:] == [0.1, 0.2]


def test_nothing_is_written_that_would_not_load():
    net, pipe, *_ = _trained(CASES[0], epochs=1)
    with pytest.raises(ValueError, match=r"training.l2 is missing"):
        model_to_dict(net, pipe, {k: v for k, v in SETTINGS.items() if k != "l2"}, 1)
    with pytest.raises(ValueError, match=r"training.optimizer: unknown optimizer 'rmsprop'"):
        model_to_dict(net, pipe, {**SETTINGS, "optimizer": "rmsprop"}, 1)
    with pytest.raises(ValueError, match=r"inputs.features lists 3 features"):
        model_to_dict(net, InputPipeline(("x1", "x2", "x1x2")), SETTINGS, 1)
    net.layers[0].W[1, 0] = np.nan
    with pytest.raises(ValueError, match=r"layers\[0\].W\[1\]\[0\] must be a finite number, got nan"):
        dumps(net, pipe, SETTINGS, 1)


# ---- bad files -------------------------------------------------------------------
def _base():
    net = Network(2, [(4, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=1)
    pipe = InputPipeline(("x1", "x2"), np.array([0.5, -1.0]), np.array([2.0, 3.0]))
    return model_to_dict(net, pipe, SETTINGS, 10, {"cost": [0.7, 0.6], "accuracy": [0.5, 0.75]})


def _set(path, value):
    """A change to the base document: set doc[path...] = value (or delete it for ...)."""
    def apply(doc):
        *head, last = path
        for k in head:
            doc = doc[k]
        if value is ...:
            del doc[last]
        else:
            doc[last] = value
    return apply


ACT_LIST = ", ".join(ACTIVATIONS)
BAD_DOCS = [
    # (what changes, the message it must give)
    (_set(["format"], "keras"), r"^format must be 'backprop-explorer-model', got 'keras'; this is not a Backprop"),
    (_set(["format"], ...), r"^format must be .* got null"),
    (_set(["version"], 2), r"^version 2 is newer than this program reads \(version 1\)"),
    (_set(["version"], 0), r"^version must be 1, got 0"),
    (_set(["version"], "1"), r"^version must be 1, got '1'"),
    (_set(["version"], 1.0), r"^version must be 1, got 1.0"),
    (_set(["version"], True), r"^version must be 1, got true"),
    (_set(["layers"], ...), r"^layers is missing; the file needs format, version, layers"),
    (_set(["weights"], []), r"^the file has an unexpected field 'weights'"),
    (_set(["layers"], []), r"^layers must be a non-empty list.*got an empty list"),
    (_set(["layers"], {"W": 1}), r"^layers must be a non-empty list.*got an object"),
    (_set(["layers", 0], [1, 2]), r"^layers\[0\] must be an object with the fields activation, W, b"),
    (_set(["layers", 1, "W"], ...), r"^layers\[1\].W is missing"),
    (_set(["layers", 1, "bias"], [0]), r"^layers\[1\] has an unexpected field 'bias'"),
    (_set(["layers", 1, "activation"], "swish"),
     rf"^layers\[1\].activation: unknown activation 'swish'; choose one of {ACT_LIST}$"),
    (_set(["layers", 0, "activation"], None), r"^layers\[0\].activation: unknown activation null"),
    (_set(["layers", 0, "activation"], "softmax"),
     r"^layers\[0\].activation: softmax can only be the output layer's activation"),
    (_set(["layers", 1, "W"], [[1.0, 2.0, 3.0]]),
     r"^layers\[1\].W has shape \(1, 3\) but layers\[0\] has 4 units; .* shape \(1, 4\)"),
    (_set(["layers", 0, "W"], [[1.0, 2.0, 3.0]] * 4),
     r"^layers\[0\].W has shape \(4, 3\) but inputs.features lists 2 features; .* shape \(4, 2\)"),
    (_set(["layers", 0, "b"], [0.0] * 3), r"^layers\[0\].b has 3 numbers but layers\[0\].W has 4 rows"),
    (_set(["layers", 0, "W", 2], [1.0]), r"^layers\[0\].W\[2\] has 1 numbers but layers\[0\].W\[0\] has 2"),
    (_set(["layers", 0, "W"], []), r"^layers\[0\].W must be a non-empty list of rows.*got an empty list"),
    (_set(["layers", 0, "W"], [[]] * 4), r"^layers\[0\].W\[0\] is empty"),
    (_set(["layers", 0, "W"], "[[1, 2]]"), r"^layers\[0\].W must be a non-empty list of rows.*got '\[\[1, 2\]\]'"),
    (_set(["layers", 0, "W", 1], 0.5), r"^layers\[0\].W\[1\] must be a list of numbers"),
    (_set(["layers", 0, "W", 1, 0], "0.5"), r"^layers\[0\].W\[1\]\[0\] must be a finite number, got '0.5'"),
    (_set(["layers", 0, "W", 1, 1], True), r"^layers\[0\].W\[1\]\[1\] must be a finite number, got true"),
    (_set(["layers", 0, "W", 1, 1], None), r"^layers\[0\].W\[1\]\[1\] must be a finite number, got null"),
    (_set(["layers", 1, "b", 0], 10 ** 400), r"^layers\[1\].b\[0\] must be a finite number, got int"),
    (_set(["layers", 1, "b"], 0.0), r"^layers\[1\].b must be a list of numbers, got 0.0"),
    (_set(["loss"], "hinge"), rf"^loss: unknown loss 'hinge'; choose one of {', '.join(LOSSES)}$"),
    (_set(["loss"], "cross_entropy"),
     r"^loss and layers\[1\] \(the output layer\) do not fit: the cross_entropy loss needs a softmax"),
    (_set(["layers", 1, "activation"], "linear"),
     r"^loss and layers\[1\] \(the output layer\) do not fit: the binary_cross_entropy loss needs a sigmoid"),
    (_set(["inputs"], ["x1", "x2"]), r"^inputs must be an object with the fields features, mean, scale"),
    (_set(["inputs", "features"], ["x1", "x3"]),
     rf"^inputs.features: unknown feature 'x3'; valid ones: {', '.join(FEATURES)}"),
    (_set(["inputs", "features"], ["x1", "x1"]), r"^inputs.features: feature 'x1' is chosen more than once"),
    (_set(["inputs", "features"], []), r"^inputs.features: choose at least one input feature"),
    (_set(["inputs", "features"], "x1"), r"^inputs.features must be a list of feature names, got 'x1'"),
    (_set(["inputs", "features"], [["x1"], "x2"]), r"^inputs.features must be a list of feature names"),
    (_set(["inputs", "mean"], [0.0]), r"^inputs.mean has 1 numbers but inputs.features lists 2"),
    (_set(["inputs", "scale"], [1.0, 0.0]), r"^inputs.scale\[1\] must be > 0, got 0"),
    (_set(["inputs", "scale"], [1.0, -2.0]), r"^inputs.scale\[1\] must be > 0, got -2"),
    (_set(["inputs", "scale"], None), r"^inputs.mean is given but inputs.scale is null; give both or neither"),
    (_set(["inputs", "mean"], None), r"^inputs.scale is given but inputs.mean is null"),
    (_set(["inputs", "mean", 0], "0"), r"^inputs.mean\[0\] must be a finite number, got '0'"),
    (_set(["training", "optimizer"], "rmsprop"),
     rf"^training.optimizer: unknown optimizer 'rmsprop'; choose one of {', '.join(OPTIMIZERS)}$"),
    (_set(["training", "init"], "zeros"),
     rf"^training.init: unknown initialiser 'zeros'; choose one of {', '.join(INITIALIZERS)}$"),
    (_set(["training", "learning_rate"], 0), r"^training.learning_rate must be a finite number > 0, got 0"),
    (_set(["training", "learning_rate"], -0.1), r"^training.learning_rate must be a finite number > 0"),
    (_set(["training", "learning_rate"], "fast"), r"^training.learning_rate must be a finite number > 0, got 'fast'"),
    (_set(["training", "batch_size"], 0), r"^training.batch_size must be a whole number ≥ 1, got 0"),
    (_set(["training", "batch_size"], 2.5), r"^training.batch_size must be a whole number ≥ 1, got 2.5"),
    (_set(["training", "l1"], -1), r"^training.l1 must be a finite number ≥ 0, got -1"),
    (_set(["training", "seed"], -1), r"^training.seed must be a whole number ≥ 0, got -1"),
    (_set(["training", "seed"], False), r"^training.seed must be a whole number ≥ 0, got false"),
    (_set(["training", "l2"], ...), r"^training.l2 is missing; training needs optimizer, learning_rate"),
    (_set(["training", "momentum"], 0.9), r"^training has an unexpected field 'momentum'"),
    (_set(["epoch"], -1), r"^epoch must be a whole number ≥ 0, got -1"),
    (_set(["epoch"], 1.5), r"^epoch must be a whole number ≥ 0, got 1.5"),
    (_set(["history"], []), r"^history must be an object with the fields epochs, cost, accuracy"),
    (_set(["history", "cost"], [0.7]), r"^history.cost has 1 entries but history.epochs has 2"),
    (_set(["history", "epochs"], [2, 1]), r"^history.epochs\[1\] is 1, not after 2"),
    (_set(["history", "epochs"], [9, 11]), r"^history.epochs ends at 11 but epoch is 10"),
    (_set(["history", "epochs"], [0, 1]), r"^history.epochs\[0\] must be a whole number ≥ 1, got 0"),
    (_set(["history", "cost", 1], None), r"^history.cost\[1\] must be a finite number, got null"),
    (_set(["history", "accuracy", 0], "high"), r"^history.accuracy\[0\] must be a finite number, got 'high'"),
]


@pytest.mark.parametrize("change,message", BAD_DOCS, ids=[m[1:40] for _, m in BAD_DOCS])
def test_every_malformed_document_names_its_field(change, message):
    doc = copy.deepcopy(_base())
    change(doc)
    text = json.dumps(doc)
    with pytest.raises(ValueError, match=message):
        load_model(text)


def _base_text():
    return json.dumps(_base())


BAD_TEXTS = [
    (lambda t: t.replace("0.5", "NaN", 1), r"^the file contains NaN, which is not a number"),
    (lambda t: t.replace("0.5", "Infinity", 1), r"^the file contains Infinity, which is not a number"),
    (lambda t: t.replace("0.5", "-Infinity", 1), r"^the file contains -Infinity"),
    (lambda t: t.replace('"mean": [0.5', '"mean": [1e999', 1), r"^inputs.mean\[0\] must be a finite number, got inf"),
    (lambda t: t.replace('"mean": [0.5', '"mean": [-1e999', 1), r"^inputs.mean\[0\] must be a finite number, got -inf"),
    (lambda t: t[:len(t) // 2], r"^the file is not valid JSON: .* \(the file ends too early: is it truncated\?\)"),
    (lambda t: t[:-3], r"ends too early"),
    (lambda t: t.replace('"loss"', "loss", 1), r"^the file is not valid JSON: Expecting property name .* at line \d+"),
    (lambda t: t.replace('"epoch": 10', '"epoch": 10, "epoch": 11'), r"^the field 'epoch' appears twice"),
    (lambda t: "", r"^cannot read|^the file is not valid JSON|No such file"),
    (lambda t: "[" * 100_000 + "]" * 100_000, r"^the file is not valid JSON"),
    (lambda t: "[1, 2]", r"^the file holds a list, not a model"),
    (lambda t: '"model"', r"^the file holds 'model', not a model"),
    (lambda t: "{}", r"^format must be 'backprop-explorer-model', got null"),
    (lambda t: '{"format": "backprop-explorer-model", "version": 1, "layers": [{"W": __import__("os")}]}',
     r"^the file is not valid JSON: Expecting value"),
]


@pytest.mark.parametrize("change,message", BAD_TEXTS, ids=[m[1:40] for _, m in BAD_TEXTS])
def test_every_malformed_text_is_refused(change, message):
    text = change(_base_text())
    for source in ([text.encode()] if not text.lstrip().startswith("{") else [text, text.encode()]):
        with pytest.raises(ValueError, match=message):
            load_model(source)


def test_the_base_document_itself_loads():
    model = load_model(_base_text())
    assert model.net.sizes == [2, 4, 1] and model.epoch == 10


def test_non_utf8_and_pickles_are_refused_without_unpickling(tmp_path):
    with pytest.raises(ValueError, match=r"not UTF-8 text \(bad byte at position 0\)"):
        load_model(b"\xff{}")
    marker = tmp_path / "unpickled"

    class Bomb:   # unpickling this would create the marker file
        def __reduce__(self):
            return (open, (str(marker), "w"))

    for proto in (0, pickle.HIGHEST_PROTOCOL):
        with pytest.raises(ValueError):
            load_model(pickle.dumps(Bomb(), protocol=proto))
    assert not marker.exists()
    with pytest.raises(ValueError, match=r"cannot read a model from a int"):
        load_model(42)


def test_size_limit_is_checked_before_parsing(monkeypatch, tmp_path):
    text = _base_text()
    padded = text + " " * (MAX_BYTES + 1 - len(text))           # valid JSON, one byte too long
    assert len(padded) == MAX_BYTES + 1
    assert load_model(padded[:MAX_BYTES]).epoch == 10              # exactly the limit is fine
    import core.model_file as mf
    monkeypatch.setattr(mf.json, "loads", lambda *a, **k: pytest.fail("parsed a file over the limit"))
    path = tmp_path / "big.json"
    path.write_text(padded)

    class Upload(io.BytesIO):
        def read(self, n=-1):
            assert 0 < n <= MAX_BYTES + 1, "the whole upload was read"
            return super().read(n)

    for source in (padded, padded.encode(), path, Upload(padded.encode() * 3)):
        with pytest.raises(ValueError, match=r"^the file is larger than 2,000,000 bytes"):
            load_model(source)
    with pytest.raises(ValueError, match=r"larger than 100 bytes"):
        load_model(text, max_bytes=100)


def test_registries_are_read_not_respelled():
    # every activation, loss, optimizer, initialiser and feature the engine offers can be saved
    net = Network(len(FEATURES), [(3, a) for a, v in ACTIVATIONS.items() if not v.output_only] + [(1, "linear")],
                  "mse")
    pipe = InputPipeline(tuple(FEATURES))
    for opt in OPTIMIZERS:
        for init in INITIALIZERS:
            model = load_model(dumps(net, pipe, {**SETTINGS, "optimizer": opt, "init": init}, 0))
            assert model.training["optimizer"] == opt and model.training["init"] == init


def test_core_modules_import_no_circle():
    """No import circle in core/, not even one hidden inside a function (network.py once
    imported model_file.py inside ``Network.load`` while model_file.py imports network.py)."""
    import ast
    import pathlib
    pkg = pathlib.Path(core.__file__).parent
    graph = {}
    for f in pkg.glob("*.py"):
        deps = set()
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                deps |= {node.module} if node.module else {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("core."):
                deps.add(node.module.split(".")[1])
        graph[f.stem] = deps - {"__init__"}
    done, path = set(), []

    def visit(m):
        assert m not in path, "import circle: " + " -> ".join(path[path.index(m):] + [m])
        if m in done or m not in graph:
            return
        path.append(m)
        for d in sorted(graph[m]):
            visit(d)
        path.pop()
        done.add(m)

    for m in sorted(graph):
        if m != "__init__":
            visit(m)
