"""Model files: a network, its input pipeline and its training settings as JSON.

Examples are rows: raw points are (M, 2), the network's inputs (M, F). Version 1::

    {"format": "backprop-explorer-model", "version": 1,
     "layers": [{"activation": "tanh", "W": [[...], ...], "b": [...]}, ...],   # W is (S_l, S_{l-1})
     "loss": "binary_cross_entropy",
     "inputs": {"features": ["x1", "x2"], "mean": [...] | null, "scale": [...] | null},
     "training": {"optimizer", "learning_rate", "batch_size" (null: full batch), "l1", "l2",
                  "seed" (the weights' seed), "init",
                  "schedule" (optional: core.schedules.Schedule.to_dict(); absent: constant η)},
     "epoch": 120,
     "history": {"epochs": [...], "cost": [...], "accuracy": [...]} | null,
     "stopped": {"epoch", "reason", "best_epoch", "restored"}}   # optional: where and why it stopped

``history`` keeps at most MAX_HISTORY epochs (spaced so that early learning shows);
``epochs`` says which, and ``accuracy`` holds R² for a regression output (null where it
is undefined), as in ``core.History``. Numbers are written with ``repr``, which reads
back as the very same float, so a loaded network predicts bit for bit as the saved one.

Reading is for untrusted files: the size is checked before parsing, the text is parsed
with ``json.loads`` only (nothing is evaluated or unpickled; NaN and Infinity are
refused), and every field is checked; each problem raises ValueError naming the field.
"""
from __future__ import annotations

import json
import math
import pathlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS
from .features import check_feature_ids
from .initializers import INITIALIZERS
from .losses import LOSSES
from .network import Network
from .optimizers import OPTIMIZERS
from .pipeline import InputPipeline
from .schedules import Schedule
from .stopping import StopRecord
from .text_input import read_text

FORMAT = "backprop-explorer-model"
FORMAT_VERSION = 1
MAX_BYTES = 2_000_000
MAX_HISTORY = 200
KEYS = ("format", "version", "layers", "loss", "inputs", "training", "epoch", "history")
OPTIONAL_KEYS = ("stopped",)                # a run its stopping rule ended (core.stopping.StopRecord)
LAYER_KEYS = ("activation", "W", "b")
INPUT_KEYS = ("features", "mean", "scale")
TRAINING_KEYS = ("optimizer", "learning_rate", "batch_size", "l1", "l2", "seed", "init")
OPTIONAL_TRAINING_KEYS = ("schedule",)     # files written before schedules existed lack it
HISTORY_KEYS = ("epochs", "cost", "accuracy")


@dataclass
class SavedModel:
    """A loaded model: ``net`` (a core.Network with the file's weights), ``pipeline``
    (raw points -> inputs), ``training`` (the settings, keys TRAINING_KEYS), ``epoch``
    (completed epochs) and ``history`` (dict of lists, keys HISTORY_KEYS, or None)."""

    net: Network
    pipeline: InputPipeline
    training: dict
    epoch: int
    history: dict | None = None
    stopped: StopRecord | None = None

    def predict_proba_raw(self, X_raw) -> np.ndarray:
        """The output a^(L) for raw points (M, 2): (M, 1) sigmoid or linear, (M, K) softmax."""
        return self.net.predict_proba(self.pipeline.transform(X_raw))

    def predict_raw(self, X_raw) -> np.ndarray:
        """Class labels (M,) for a classifier, predictions (M,) for regression, from raw points."""
        return self.net.predict(self.pipeline.transform(X_raw))

    @property
    def schedule(self) -> Schedule:
        """The learning-rate schedule the run used (constant η for a file that names none)."""
        return Schedule.from_dict(self.training.get("schedule") or {})

    def dumps(self) -> str:
        """The model file's text again."""
        return dumps(self.net, self.pipeline, self.training, self.epoch, self.history, self.stopped)


# ---- writing -------------------------------------------------------------------
def model_to_dict(net: Network, pipeline: InputPipeline, training: Mapping, epoch: int,
                  history=None, stopped: StopRecord | None = None) -> dict:
    """The model file as a dict of plain JSON values.

    ``training`` holds TRAINING_KEYS; ``seed`` and ``init`` default to the network's own.
    ``history`` is a core.History, a mapping with ``cost`` and ``accuracy`` (and maybe
    ``epochs``), or None; it is thinned to at most MAX_HISTORY epochs, the last being
    ``epoch``. The result passes the same checks as a file being loaded (ValueError if not).
    """
    training = {"seed": net.seed, "init": net.init, **training}
    if isinstance(training.get("schedule"), Schedule):
        training["schedule"] = training["schedule"].to_dict()
    doc = {
        "format": FORMAT, "version": FORMAT_VERSION,
        "layers": [{"activation": layer.activation.name, "W": layer.W.tolist(), "b": layer.b.tolist()}
                   for layer in net.layers],
        "loss": net.loss.name,
        "inputs": {"features": list(pipeline.features),
                   "mean": None if pipeline.mean is None else pipeline.mean.tolist(),
                   "scale": None if pipeline.scale is None else pipeline.scale.tolist()},
        "training": {k: _plain(v) for k, v in training.items()},
        "epoch": _plain(epoch),
        "history": _thin(history, _plain(epoch)),
    }
    if stopped is not None:
        doc["stopped"] = stopped.to_dict()
    doc["training"] = model_from_dict(doc).training   # never write a file that would not load
    return doc


def dumps(net: Network, pipeline: InputPipeline, training: Mapping, epoch: int, history=None,
          stopped: StopRecord | None = None) -> str:
    """The model file's text: ``model_to_dict`` as JSON, one matrix row per line."""
    text = json.dumps(model_to_dict(net, pipeline, training, epoch, history, stopped), indent=1, allow_nan=False)
    # Put each list of numbers on one line (no quotes inside, so no string is touched).
    return re.sub(r"\[([^\[\]{}\"]*)\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text) + "\n"


def _plain(v):
    """numpy scalars as the Python numbers json writes."""
    return v.item() if isinstance(v, np.generic) else v


def _thin(history, epoch):
    if history is None:
        return None
    get = history.get if isinstance(history, Mapping) else lambda k, d=None: getattr(history, k, d)
    cost, acc, epochs = list(get("cost")), list(get("accuracy")), get("epochs")
    n = len(cost)
    epochs = list(range(epoch - n + 1, epoch + 1)) if epochs is None else [int(e) for e in epochs]
    if len(acc) != n or len(epochs) != n:
        raise ValueError(f"history has {n} costs, {len(acc)} accuracies and {len(epochs)} epochs; "
                         "give one of each per epoch")
    keep = range(n)
    if n > MAX_HISTORY:   # epochs half evenly spaced, half log-spaced: early learning keeps its detail
        first, last, half = max(epochs[0], 1), epochs[-1], MAX_HISTORY // 2
        wanted = np.concatenate([np.linspace(first, last, half), np.geomspace(first, last, half)])
        keep = np.unique(np.searchsorted(epochs, np.round(wanted))).clip(0, n - 1).tolist()
    return {"epochs": [epochs[i] for i in keep], "cost": [float(cost[i]) for i in keep],
            "accuracy": [None if acc[i] is None or math.isnan(acc[i]) else float(acc[i]) for i in keep]}


# ---- reading -------------------------------------------------------------------
def load_model(source, max_bytes: int = MAX_BYTES) -> SavedModel:
    """Read and check a model file: a path (str or os.PathLike), bytes, the JSON text
    itself (a str starting with '{') or a file-like object (e.g. a Streamlit upload).
    Raises ValueError naming the field at fault (OSError if a path cannot be opened)."""
    return model_from_dict(_parse(_read(source, max_bytes)))


def _read(source, max_bytes):
    if isinstance(source, str) and not source.lstrip().startswith("{"):
        source = pathlib.Path(source)          # a str is JSON text only if it starts with '{'
    return read_text(source, max_bytes, "a model", ", too large for a model file; is it the right file?",
                     ("UTF-8 text", "a model file is JSON text"))


class _Refused(ValueError):
    """A refusal from one of the parser's hooks (passes through unchanged)."""


def _no_constant(name):
    raise _Refused(f"the file contains {name}, which is not a number; a model file holds finite numbers only")


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    for k in keys:
        if keys.count(k) > 1:
            raise _Refused(f"the field {k!r} appears twice in one object; keep one")
    return dict(pairs)


def _parse(text):
    try:
        return json.loads(text, parse_constant=_no_constant, object_pairs_hook=_no_duplicates)
    except _Refused:
        raise
    except json.JSONDecodeError as e:
        end = " (the file ends too early: is it truncated?)" if e.pos >= len(text.rstrip()) else ""
        raise ValueError(f"the file is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}{end}") from None
    except (ValueError, RecursionError) as e:
        raise ValueError(f"the file is not valid JSON: {e}") from None


def model_from_dict(doc) -> SavedModel:
    """Check a parsed model file field by field and build the SavedModel."""
    if not isinstance(doc, dict):
        raise ValueError(f"the file holds {_kind(doc)}, not a model; a model file is a JSON object")
    if doc.get("format") != FORMAT:
        raise ValueError(f"format must be {FORMAT!r}, got {_kind(doc.get('format'))}; "
                         "this is not a Backprop Explorer model file")
    version = doc.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise ValueError(f"version {version} is newer than this program reads (version {FORMAT_VERSION}); "
                         "update Backprop Explorer to load it")
    if type(version) is not int or version != FORMAT_VERSION:
        raise ValueError(f"version must be {FORMAT_VERSION}, got {_kind(version)}")
    _fields(doc, "", KEYS, OPTIONAL_KEYS)
    pipeline = _inputs(doc["inputs"])
    training = _training(doc["training"])
    epoch = _whole(doc["epoch"], "epoch", 0)
    layers = _layers(doc["layers"], pipeline.n_inputs)
    loss = _name(doc["loss"], "loss", LOSSES, "loss")
    try:   # the pairing of loss and output layer is Network's own check
        net = Network(pipeline.n_inputs, [(W.shape[0], act) for act, W, _ in layers], loss,
                      seed=training["seed"], init=training["init"])
    except ValueError as e:
        raise ValueError(f"loss and layers[{len(layers) - 1}] (the output layer) do not fit: {e}") from None
    for layer, (_, W, b) in zip(net.layers, layers):
        layer.W, layer.b = W, b
    stopped = StopRecord.from_dict(doc["stopped"], epoch) if "stopped" in doc else None
    return SavedModel(net, pipeline, training, epoch, _history(doc["history"], epoch), stopped)


def _kind(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (int, float, str)):
        return repr(v) if len(repr(v)) <= 40 else f"{type(v).__name__} {repr(v)[:40]}…"
    return "a list" if isinstance(v, list) else "an object"


def _fields(obj, where, keys, optional=()):
    """obj is an object with exactly ``keys`` (and maybe some of ``optional``)."""
    name = where or "the file"
    if not isinstance(obj, dict):
        raise ValueError(f"{name} must be an object with the fields {', '.join(keys)}; got {_kind(obj)}")
    for k in keys:
        if k not in obj:
            raise ValueError(f"{where + '.' if where else ''}{k} is missing; {name} needs {', '.join(keys)}")
    for k in obj:
        if k not in keys and k not in optional:
            raise ValueError(f"{name} has an unexpected field {k!r}; its fields are {', '.join(keys + optional)}")


def _name(v, where, registry, what):
    if not isinstance(v, str) or v not in registry:
        raise ValueError(f"{where}: unknown {what} {_kind(v)}; choose one of {', '.join(registry)}")
    return v


def _number(v, where, lo=None, positive=False):
    """A finite JSON number as float; ``lo``: at least that; ``positive``: above 0."""
    bad = isinstance(v, bool) or not isinstance(v, (int, float))
    if not bad:
        try:
            bad = not math.isfinite(v)
        except OverflowError:       # an integer too large for a float
            bad = True
    if bad or (lo is not None and v < lo) or (positive and v <= 0):
        need = "a finite number" + (f" ≥ {lo:g}" if lo is not None else "") + (" > 0" if positive else "")
        raise ValueError(f"{where} must be {need}, got {_kind(v)}")
    return float(v)


def _whole(v, where, lo):
    if isinstance(v, bool) or not isinstance(v, int) or v < lo:
        raise ValueError(f"{where} must be a whole number ≥ {lo}, got {_kind(v)}")
    return v


def _vector(v, where, what="numbers"):
    if not isinstance(v, list):
        raise ValueError(f"{where} must be a list of {what}, got {_kind(v)}")
    return np.array([_number(x, f"{where}[{i}]") for i, x in enumerate(v)], dtype=np.float64)


def _matrix(v, where):
    """A list of equally long, non-empty rows of numbers -> (rows, cols) float64."""
    if not isinstance(v, list) or not v:
        raise ValueError(f"{where} must be a non-empty list of rows (one per unit) of numbers, got "
                         f"{'an empty list' if v == [] else _kind(v)}")
    rows = [_vector(r, f"{where}[{i}]", what="numbers (one per input of the layer)") for i, r in enumerate(v)]
    if not len(rows[0]):
        raise ValueError(f"{where}[0] is empty; every row of W needs one weight per input of the layer")
    for i, r in enumerate(rows):
        if len(r) != len(rows[0]):
            raise ValueError(f"{where}[{i}] has {len(r)} numbers but {where}[0] has {len(rows[0])}; "
                             "every row of W needs one weight per input of the layer")
    return np.array(rows)


def _inputs(v):
    _fields(v, "inputs", INPUT_KEYS)
    feats = v["features"]
    if not isinstance(feats, list) or not all(isinstance(f, str) for f in feats):
        raise ValueError(f"inputs.features must be a list of feature names, got {_kind(feats)}")
    try:
        feats = check_feature_ids(feats)
    except ValueError as e:
        raise ValueError(f"inputs.features: {e}") from None
    if (v["mean"] is None) != (v["scale"] is None):
        given, null = ("mean", "scale") if v["scale"] is None else ("scale", "mean")
        raise ValueError(f"inputs.{given} is given but inputs.{null} is null; give both or neither")
    if v["mean"] is None:
        return InputPipeline(tuple(feats))
    mean, scale = _vector(v["mean"], "inputs.mean"), _vector(v["scale"], "inputs.scale")
    for key, arr in (("mean", mean), ("scale", scale)):
        if len(arr) != len(feats):
            raise ValueError(f"inputs.{key} has {len(arr)} numbers but inputs.features lists {len(feats)}; "
                             "give one per feature")
    for i, x in enumerate(scale):
        if x <= 0:
            raise ValueError(f"inputs.scale[{i}] must be > 0, got {x:g}; the inputs are divided by it")
    return InputPipeline(tuple(feats), mean, scale)


def _training(v):
    _fields(v, "training", TRAINING_KEYS, OPTIONAL_TRAINING_KEYS)
    t = {"optimizer": _name(v["optimizer"], "training.optimizer", OPTIMIZERS, "optimizer"),
         "learning_rate": _number(v["learning_rate"], "training.learning_rate", positive=True),
         "batch_size": None if v["batch_size"] is None else _whole(v["batch_size"], "training.batch_size", 1),
         "l1": _number(v["l1"], "training.l1", lo=0), "l2": _number(v["l2"], "training.l2", lo=0),
         "seed": _whole(v["seed"], "training.seed", 0),
         "init": _name(v["init"], "training.init", INITIALIZERS, "initialiser")}
    if "schedule" in v:      # checked field by field, kept as plain JSON values
        t["schedule"] = Schedule.from_dict(v["schedule"], "training.schedule").to_dict()
    return t


def _layers(v, n_inputs):
    """[(activation, W, b)], the shapes checked against each other and the inputs."""
    if not isinstance(v, list) or not v:
        raise ValueError(f"layers must be a non-empty list, first hidden layer to output layer, "
                         f"got {'an empty list' if v == [] else _kind(v)}")
    out, n_prev = [], n_inputs
    for i, layer in enumerate(v):
        where = f"layers[{i}]"
        _fields(layer, where, LAYER_KEYS)
        act = _name(layer["activation"], f"{where}.activation", ACTIVATIONS, "activation")
        if ACTIVATIONS[act].output_only and i < len(v) - 1:
            raise ValueError(f"{where}.activation: {act} can only be the output layer's activation "
                             f"(layers[{len(v) - 1}]), and {where} is hidden")
        W, b = _matrix(layer["W"], f"{where}.W"), _vector(layer["b"], f"{where}.b")
        if W.shape[1] != n_prev:
            before = (f"inputs.features lists {n_prev} features" if i == 0
                      else f"layers[{i - 1}] has {n_prev} units")
            raise ValueError(f"{where}.W has shape {W.shape} but {before}; W needs one column per "
                             f"input of the layer, shape ({W.shape[0]}, {n_prev})")
        if len(b) != W.shape[0]:
            raise ValueError(f"{where}.b has {len(b)} numbers but {where}.W has {W.shape[0]} rows; "
                             "give one bias per unit (row of W)")
        out.append((act, W, b))
        n_prev = W.shape[0]
    return out


def _history(v, epoch):
    if v is None:
        return None
    _fields(v, "history", HISTORY_KEYS)
    for key in HISTORY_KEYS:
        if not isinstance(v[key], list):
            raise ValueError(f"history.{key} must be a list, got {_kind(v[key])}")
        if len(v[key]) != len(v["epochs"]):
            raise ValueError(f"history.{key} has {len(v[key])} entries but history.epochs has "
                             f"{len(v['epochs'])}; give one per epoch")
    epochs = [_whole(e, f"history.epochs[{i}]", 1) for i, e in enumerate(v["epochs"])]
    for i in range(1, len(epochs)):
        if epochs[i] <= epochs[i - 1]:
            raise ValueError(f"history.epochs[{i}] is {epochs[i]}, not after {epochs[i - 1]}; "
                             "list the epochs in increasing order")
    if epochs and epochs[-1] > epoch:
        raise ValueError(f"history.epochs ends at {epochs[-1]} but epoch is {epoch}")
    cost = [_number(c, f"history.cost[{i}]") for i, c in enumerate(v["cost"])]
    acc = [math.nan if a is None else _number(a, f"history.accuracy[{i}]") for i, a in enumerate(v["accuracy"])]
    return {"epochs": epochs, "cost": cost, "accuracy": acc}
