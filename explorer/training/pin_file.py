"""Pinned runs as a file: JSON that holds each pin's numbers, for the runs a link cannot carry.

Examples are rows: points are (N, 2) raw (x1, x2). Version 1::

    {"format": "backprop-explorer-pins", "version": 1,
     "pins": [{"name": "planar · 4 tanh · η 1.2", "epoch": 1200,
               "setup": {"lr": "0.3", ...},          # its settings that differ from the defaults (texts)
               "link": "e.1200" | null,              # its link form, when a replay gives its numbers
               "why": "",                            # else why not
               "model": {...},                       # a model file's object (core.model_file): weights, loss,
                                                     # inputs, training, epoch (its history: null)
               "history": {"epoch": [...], "cost": [...], "score": [...], "test_cost": [...],
                           "test_score": [...]},     # the kept epochs (null: no number)
               "problem": "classification" | "regression", "metric": "accuracy" | "r2",
               "plane": [x1 lo, x1 hi, x2 lo, x2 hi],
               "points": {"x1": [...], "x2": [...], "y": [...]}}]}   # the training points

Reading is for untrusted files, as a model file is (``core.model_file``'s parser and field
checks: JSON only, never evaluated or unpickled; NaN and Infinity refused; the size checked first):
every field is checked and a problem raises ValueError naming it (``pins[1].history.cost[3]``).
A pin's link is kept only when a replay gives its numbers (``pins.check_link``, by the page).
"""
from __future__ import annotations

import json
import math

import numpy as np

from core import model_file
from core.model_file import _fields, _kind, _number, _parse, _vector, _whole   # the model file's own checks
from core.text_input import read_text
from core.user_data import MAX_CLASSES
from explorer.choices.own_points import MAX_POINTS
from explorer.choices.pin_link import MAX_PINS
from explorer.choices.settings_table import SETTINGS
from explorer.training.pins import FIELDS, Pin

FORMAT, VERSION = "backprop-explorer-pins", 1
MAX_BYTES = 8_000_000           # 8 pins of 8 layers of 50 units and 2,000 points each: about 5 MB
MAX_HISTORY = 600               # kept epochs a pin may hold (the live view keeps at most 256 + 1)
KEYS = ("format", "version", "pins")
PIN_KEYS = ("name", "epoch", "setup", "link", "why", "model", "history", "problem", "metric", "plane", "points")
PROBLEMS, METRICS = ("classification", "regression"), ("accuracy", "r2")


def _nan_list(a) -> list:
    return [None if not math.isfinite(v) else float(v) for v in a]


def pin_to_dict(pin: Pin) -> dict:
    h = pin.history
    return {"name": pin.name, "epoch": pin.epoch, "setup": dict(pin.setup),
            "link": pin.link.text if pin.link else None, "why": pin.why,
            "model": model_file.model_to_dict(pin.net, pin.pipeline, pin.training, pin.epoch),
            "history": {k: [int(e) for e in h[k]] if k == "epoch" else _nan_list(h[k]) for k in FIELDS},
            "problem": pin.problem, "metric": pin.metric, "plane": [float(v) for v in pin.plane],
            "points": {"x1": pin.X[:, 0].tolist(), "x2": pin.X[:, 1].tolist(),
                       "y": [int(v) for v in pin.y] if pin.problem == "classification" else pin.y.tolist()}}


def dumps(pins: list[Pin]) -> str:
    """The pins file's text."""
    return json.dumps({"format": FORMAT, "version": VERSION, "pins": [pin_to_dict(p) for p in pins]},
                      allow_nan=False, separators=(",", ":")) + "\n"


def loads(source) -> list[tuple[Pin, str | None]]:
    """Read and check a pins file (bytes, text or a file-like upload): [(pin, its link text or None)].
    ValueError names the field at fault."""
    text = read_text(source, MAX_BYTES, "a pins file", ", too large for a pins file; is it the right file?",
                     ("UTF-8 text", "a pins file is JSON text"))
    doc = _parse(text)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"format must be {FORMAT!r}; this is not a Backprop Explorer pins file")
    if doc.get("version") != VERSION or type(doc.get("version")) is not int:
        raise ValueError(f"version must be {VERSION}, got {_kind(doc.get('version'))}")
    _fields(doc, "", KEYS)
    pins = doc["pins"]
    if not isinstance(pins, list) or not 1 <= len(pins) <= MAX_PINS:
        raise ValueError(f"pins must be a list of 1 to {MAX_PINS} pinned runs, got "
                         f"{len(pins) if isinstance(pins, list) else _kind(pins)}")
    return [_pin(p, f"pins[{i}]") for i, p in enumerate(pins)]


def _text(v, where: str, most: int, empty: bool = True) -> str:
    if not isinstance(v, str) or len(v) > most or (not empty and not v):
        raise ValueError(f"{where} must be text of {'0' if empty else '1'} to {most} characters, got {_kind(v)}")
    return v


def _pin(doc, where: str) -> tuple[Pin, str | None]:
    _fields(doc, where, PIN_KEYS)
    name = _text(doc["name"], f"{where}.name", 120, empty=False)
    epoch = _whole(doc["epoch"], f"{where}.epoch", 0)
    setup = _setup(doc["setup"], f"{where}.setup")
    link = None if doc["link"] is None else _text(doc["link"], f"{where}.link", 2000, empty=False)
    why = _text(doc["why"], f"{where}.why", 300)
    try:
        model = model_file.model_from_dict(doc["model"])
    except ValueError as err:
        raise ValueError(f"{where}.model: {err}") from None
    if model.epoch != epoch:
        raise ValueError(f"{where}.model.epoch is {model.epoch} but {where}.epoch is {epoch}; they must agree")
    problem = _choice(doc["problem"], f"{where}.problem", PROBLEMS)
    metric = _choice(doc["metric"], f"{where}.metric", METRICS)
    if model.net.is_classifier != (problem == "classification"):
        raise ValueError(f"{where}.problem is {problem} but the model's output layer "
                         f"({model.net.output}) {'is' if model.net.is_classifier else 'is not'} a classifier's")
    history = _history(doc["history"], f"{where}.history", epoch)
    plane = _vector(doc["plane"], f"{where}.plane")
    if len(plane) != 4 or not (plane[0] < plane[1] and plane[2] < plane[3]):
        raise ValueError(f"{where}.plane must be [x1 lo, x1 hi, x2 lo, x2 hi] with lo < hi")
    X, y = _points(doc["points"], f"{where}.points", problem)
    training = {k: model.training[k] for k in ("optimizer", "learning_rate", "batch_size", "l1", "l2")}
    pin = Pin(name, tuple(setup.items()), epoch, model.net, model.pipeline, history, tuple(plane), X, y, problem,
              metric, training, None, why or "it came from a file")
    return pin, link


def _choice(v, where: str, options: tuple) -> str:
    if v not in options:
        raise ValueError(f"{where} must be one of {', '.join(options)}, got {_kind(v)}")
    return v


def _setup(v, where: str) -> dict:
    """Setting key → its link text, each read by its row's parser (points: "<n> points")."""
    if not isinstance(v, dict):
        raise ValueError(f"{where} must be an object of setting → text, got {_kind(v)}")
    for key, text in v.items():
        s = SETTINGS.get(key)
        if s is None or s.group not in ("data", "net", "train"):
            raise ValueError(f"{where} has {key[:30]!r}, which is not a data, network or training setting")
        _text(text, f"{where}.{key}", 400)
        if key == "pts":
            count, _, word = text.partition(" ")
            ok = count.isdigit() and count.isascii() and word == "points"
        else:
            try:
                s.parse(text)
                ok = True
            except ValueError:
                ok = False
        if not ok:
            raise ValueError(f"{where}.{key} is {_kind(text)}, which the {s.label} setting does not take")
    return dict(v)


def _history(v, where: str, epoch: int) -> dict:
    _fields(v, where, FIELDS)
    n = len(v["epoch"]) if isinstance(v["epoch"], list) else -1
    for key in FIELDS:
        if not isinstance(v[key], list) or len(v[key]) != n:
            raise ValueError(f"{where}.{key} must be a list with one entry per kept epoch ({max(n, 0)})")
    if n > MAX_HISTORY:
        raise ValueError(f"{where} keeps {n} epochs; a pin keeps at most {MAX_HISTORY}")
    epochs = [_whole(e, f"{where}.epoch[{i}]", 0) for i, e in enumerate(v["epoch"])]
    if any(b <= a for a, b in zip(epochs, epochs[1:])) or (epochs and epochs[-1] > epoch):
        raise ValueError(f"{where}.epoch must increase and end at most at the pin's epoch ({epoch})")
    out = {"epoch": np.array(epochs, dtype=float)}
    for key in FIELDS[1:]:
        out[key] = np.array([math.nan if x is None else _number(x, f"{where}.{key}[{i}]")
                             for i, x in enumerate(v[key])], dtype=float)
    return out


def _points(v, where: str, problem: str) -> tuple[np.ndarray, np.ndarray]:
    _fields(v, where, ("x1", "x2", "y"))
    x1, x2, y = (_vector(v[k], f"{where}.{k}") for k in ("x1", "x2", "y"))
    if not len(x1) == len(x2) == len(y) or len(y) > MAX_POINTS:
        raise ValueError(f"{where}: x1, x2 and y must be equally long, at most {MAX_POINTS} points")
    if problem == "classification":
        if not np.all((y == np.round(y)) & (y >= 0) & (y < MAX_CLASSES)):
            raise ValueError(f"{where}.y must hold classes 0 to {MAX_CLASSES - 1} (whole numbers)")
        y = y.astype(np.int64)
    return np.column_stack([x1, x2]), y


__all__ = ["dumps", "loads", "pin_to_dict", "FORMAT", "MAX_BYTES"]
