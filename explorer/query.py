"""The configuration in the URL: a teacher's link opens exactly that setup.

``to_query(cfg)`` gives short string keys; ``from_query(params)`` reads them
back, and every malformed value falls back to its default with a notice (never
an exception). Nothing read from the URL is evaluated: each value is parsed by
its own small parser and checked against the registries.
"""
from __future__ import annotations

import math
from dataclasses import replace

from core import datasets
from .config import MAX_HIDDEN_LAYERS, MAX_WIDTH, OUTPUTS, LOSS_CHOICES, OWN_DATA, VALID, Config, DataConfig


def _int(lo, hi):
    def parse(s):
        try:
            v = int(s)
        except ValueError:
            v = None
        if v is None or not lo <= v <= hi:
            raise ValueError(f"must be a whole number from {lo} to {hi}")
        return v
    return parse


def _float(lo, hi, lo_open=False):
    def parse(s):
        try:
            v = float(s)
        except ValueError:
            v = math.nan
        if not math.isfinite(v) or v > hi or v < lo or (lo_open and v <= lo):
            raise ValueError(f"must be a number {'above' if lo_open else 'from'} {lo:g} {'and at most' if lo_open else 'to'} {hi:g}")
        return v
    return parse


def _choice(options):
    def parse(s):
        if s not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return s
    return parse


def _features(s):
    ids = tuple(f for f in s.split(",") if f)
    if not ids or any(f not in VALID["features"] for f in ids) or len(set(ids)) != len(ids):
        raise ValueError(f"must be distinct feature ids from {', '.join(VALID['features'])}")
    return ids


def _hidden(s):
    if s in ("", "none"):
        return ()
    layers = []
    for part in s.split(","):
        width, _, act = part.partition(":")
        w = int(width) if width.isdigit() else 0
        if not 1 <= w <= MAX_WIDTH or act not in VALID["hidden_activations"]:
            raise ValueError(f"each layer is width:activation, width 1–{MAX_WIDTH}, activation one of "
                             f"{', '.join(VALID['hidden_activations'])}")
        layers.append((w, act))
    if len(layers) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers")
    return tuple(layers)


def _batch(s):
    return None if s == "full" else _int(1, datasets.MAX_SAMPLES)(s)


def _bool(s):
    if s not in ("0", "1"):
        raise ValueError("must be 0 or 1")
    return s == "1"


# URL key -> (group, field, parser, formatter)
KEYS = {
    "ds": ("data", "dataset", _choice(VALID["datasets"]), str),
    "n": ("data", "n_samples", _int(10, datasets.MAX_SAMPLES), str),
    "noise": ("data", "noise", _float(0.0, 3.0), lambda v: f"{v:g}"),
    "k": ("data", "n_classes", lambda s: None if s == "" else _int(2, 10)(s), lambda v: "" if v is None else str(v)),
    "test": ("data", "test_ratio", _float(0.0, 0.9), lambda v: f"{v:g}"),
    "dseed": ("data", "seed", _int(0, 2**32 - 1), str),
    "feat": ("data", "features", _features, ",".join),
    "std": ("data", "standardize", _bool, lambda v: "1" if v else "0"),
    "layers": ("net", "hidden", _hidden, lambda h: ",".join(f"{w}:{a}" for w, a in h) or "none"),
    "out": ("net", "output", _choice(OUTPUTS), str),
    "loss": ("net", "loss", _choice(LOSS_CHOICES), str),
    "init": ("net", "init", _choice(VALID["initializers"]), str),
    "seed": ("net", "seed", _int(0, 2**32 - 1), str),
    "opt": ("train", "optimizer", _choice(VALID["optimizers"]), str),
    "lr": ("train", "learning_rate", _float(0.0, 10.0, lo_open=True), lambda v: f"{v:g}"),
    "bs": ("train", "batch_size", _batch, lambda v: "full" if v is None else str(v)),
    "l1": ("train", "l1", _float(0.0, 10.0), lambda v: f"{v:g}"),
    "l2": ("train", "l2", _float(0.0, 10.0), lambda v: f"{v:g}"),
}


def to_query(cfg: Config) -> dict[str, str]:
    """Every setting as a short URL key → string (own uploaded data is not in a link)."""
    out = {}
    for key, (group, name, _, fmt) in KEYS.items():
        out[key] = fmt(getattr(getattr(cfg, group), name))
    return out


def from_query(params, base: Config | None = None) -> tuple[Config, list[str]]:
    """Read a Config from URL parameters; returns it and notices about ignored values."""
    cfg = base or Config()
    notices = []
    values = {"data": {}, "net": {}, "train": {}}
    for key, raw in dict(params).items():
        if key not in KEYS:
            continue                                  # other parameters (e.g. view flags) are not ours
        group, name, parse, _ = KEYS[key]
        raw = raw[-1] if isinstance(raw, list) else raw
        try:
            values[group][name] = parse(str(raw)[:400])
        except (ValueError, TypeError) as err:
            msg = str(err) if "must" in str(err) else "is not a valid value"
            notices.append(f"Ignored `{key}={str(raw)[:40]}` from the link: it {msg}. Using the default.")
    data = replace(cfg.data, **values["data"])
    if data.dataset == OWN_DATA:
        notices.append("A link cannot carry uploaded data; opening the default dataset instead.")
        data = replace(data, dataset=DataConfig().dataset)
    spec = datasets.DATASETS[data.dataset]
    if spec.multiclass:
        if data.n_classes is None or not spec.class_range[0] <= data.n_classes <= spec.class_range[1]:
            data = replace(data, n_classes=spec.n_classes)
    elif data.n_classes is not None:
        data = replace(data, n_classes=None)
    new = Config(data, replace(cfg.net, **values["net"]), replace(cfg.train, **values["train"]))
    try:
        new.resolve_output(spec.problem, data.n_classes or spec.n_classes)
    except ValueError as err:
        notices.append(f"The link's output layer does not fit this data ({err}); using the automatic one.")
        new = replace(new, net=replace(new.net, output="auto", loss="auto"))
    return new, notices


__all__ = ["KEYS", "to_query", "from_query"]
