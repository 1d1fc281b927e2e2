"""The Compare view's grid: which settings may form its axes, and how its link texts read.

An axis is one setting taking up to ``core.grid.MAX_AXIS_VALUES`` values; the grid's cells
are every combination of its (at most two) axes, each repeated over ``k`` starting seeds,
and everything else is the shared setup (the sidebar's, or Ng's version of it: ``SHARED``).

Most axes are rows of the settings table (learning rate, optimizer, batch size, L2,
initialiser, noise, weights seed): their key *is* the row's key, and their values are read
and written by that row's parser and formatter, so a value means in a grid what it means in
a link. Three act on the hidden layers (the ``layers`` row's value): ``units`` (the chosen
layer's width), ``depth`` (the chosen layer repeated: 0 is no hidden layer at all) and
``act`` (every hidden layer's activation).

Link forms (the settings table's grid rows): an axis is ``<axis>:<value>,<value>,...``
(``units:1,2,3,4,5,20,50``, ``lr:0.3,1.2,5``) or empty for none; seeds a whole number
1..MAX_SEEDS. A value out of a row's range, a repeated value, an unknown axis or more than
seven values is refused (``BadValue``: the link reader falls back to the default grid
and says so); more than five seeds too. Nothing here imports the settings table (it
imports this): the rows are handed over as a callable, read when a text is parsed.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable

from core import hidden_activations
from core.grid import MAX_AXIS_VALUES, MAX_SEEDS, check_grid
from explorer.choices.parsers import BadValue, Number

MAX_VALUE_TEXT = 24          # characters per value, at most


@dataclass(frozen=True)
class Axis:
    """One setting a grid may vary. ``row``: the settings row whose parser, formatter and
    Config field its values use (None for the three that act on the hidden layers).
    ``short``: a cell's name for a value (``"20 units"``)."""

    key: str
    label: str
    row: str | None
    short: Callable[[Any], str]

    def layered(self) -> bool:
        return self.row is None


def _units(v) -> str:
    return f"{v} unit" + ("" if v == 1 else "s")


def _depth(v) -> str:
    return "no hidden layer" if v == 0 else f"{v} hidden layer" + ("" if v == 1 else "s")


AXES: dict[str, Axis] = {a.key: a for a in [
    Axis("units", "Hidden units (of the chosen layer)", None, _units),
    Axis("depth", "Depth (the chosen layer repeated)", None, _depth),
    Axis("act", "Activation (every hidden layer)", None, str),
    Axis("lr", "Learning rate", "lr", lambda v: f"η {v:g}"),
    Axis("opt", "Optimizer", "opt", str),
    Axis("bs", "Batch size", "bs", lambda v: "full batch" if v is None else f"batch {v}"),
    Axis("l2", "L2 penalty", "l2", lambda v: f"L2 {v:g}"),
    Axis("init", "Initialiser", "init", str),
    Axis("noise", "Dataset noise", "noise", lambda v: f"noise {v:g}"),
    Axis("seed", "Weights seed", "seed", lambda v: f"seed {v}"),
]}

# What the cells share besides the axes: the sidebar's setup as it is, or as Ng's notebook ran
# it (every point trains, his initialiser), each as (settings key, value) pairs applied on top.
SHARED = {"ng": (("test", 0.0), ("init", "ng")), "sidebar": ()}
SHARED_TITLES = {"ng": "The sidebar's setup as Ng ran it: all points train (no test set), his initialiser",
                 "sidebar": "The sidebar's setup, as it is"}
SHARED_SHORT = {"ng": "Ng's setup (all points train, his initialiser)", "sidebar": "the sidebar's setup"}


@dataclass(frozen=True)
class AxisText:
    """How a grid axis reads its URL text (see the module docstring). ``rows``: a callable
    returning the settings table (key -> Setting); ``max_width``, ``max_depth``: the limits of
    the ``units`` and ``depth`` axes (the layers row's)."""

    rows: Callable[[], dict]
    max_width: int
    max_depth: int

    def value_parser(self, axis: Axis) -> Callable[[str], Any]:
        if axis.key == "units":
            return Number(whole=True).bind(1, self.max_width)
        if axis.key == "depth":
            return Number(whole=True).bind(0, self.max_depth)
        if axis.key == "act":
            def act(s: str) -> str:
                if s not in hidden_activations():
                    raise BadValue(f"must be one of {', '.join(hidden_activations())}")
                return s
            return act
        return self.rows()[axis.row].parse

    def value_text(self, axis: Axis, value) -> str:
        return str(value) if axis.row is None else self.rows()[axis.row].fmt(value)

    def parse(self, s: str):
        """``axis:v1,v2,...`` -> (axis key, (values...)); empty or ``none`` -> None."""
        if s in ("", "none"):
            return None
        key, colon, rest = s.partition(":")
        if not colon or key not in AXES:
            raise BadValue(f"must be an axis and its values, as units:1,2,3 or lr:0.3,1.2,5; axes: {', '.join(AXES)}")
        axis = AXES[key]
        tokens = rest.split(",")
        try:
            check_grid([len(tokens)])
        except ValueError as err:
            raise BadValue(f"is refused: {err}") from None
        parse, values = self.value_parser(axis), []
        for t in tokens:
            try:
                v = parse(t[:MAX_VALUE_TEXT])
            except BadValue as err:       # (an OutOfRange too: a grid's value is refused, not moved)
                raise BadValue(f"has the {axis.label.lower()} value {t[:MAX_VALUE_TEXT]!r}, which {err}") from None
            if v in values:
                raise BadValue(f"lists the value {t[:MAX_VALUE_TEXT]!r} twice")
            values.append(v)
        return key, tuple(values)

    def fmt(self, spec) -> str:
        if spec is None:
            return ""
        key, values = spec
        return f"{key}:" + ",".join(self.value_text(AXES[key], v) for v in values)


def seeds(s: str) -> int:
    """How many starting seeds each cell repeats over: a whole number 1..MAX_SEEDS (more is refused)."""
    try:
        k = int(s)
    except ValueError:
        raise BadValue(f"must be a whole number of seeds from 1 to {MAX_SEEDS}") from None
    try:
        check_grid([], k)
    except ValueError as err:
        raise BadValue(f"is refused: {err}") from None
    return k


def apply(axis: Axis, cfg, value, layer: int, rows: dict):
    """``cfg`` (a ``Config``) with ``axis`` set to ``value``; ``layer``: the chosen hidden
    layer's index (0-based) for the axes that act on it. A ValueError says when the setup has
    no such layer."""
    if axis.row is not None:
        s = rows[axis.row]
        return replace(cfg, **{s.group: replace(getattr(cfg, s.group), **{s.field: value})})
    s = rows["layers"]
    hidden = list(getattr(cfg.net, s.field))
    if axis.key == "act":
        hidden = [(w, value) for w, _ in hidden]
    elif not hidden:
        raise ValueError(f"the {axis.label.lower()} axis needs a hidden layer, and this network has none: "
                         "add one in the sidebar")
    else:
        layer = min(layer, len(hidden) - 1)
        if axis.key == "units":
            hidden[layer] = (value, hidden[layer][1])
        else:                                                  # depth: the chosen layer, value times
            hidden = hidden[:layer] + [hidden[layer]] * value + hidden[layer + 1:]
    return replace(cfg, net=replace(cfg.net, **{s.field: tuple(hidden)}))


__all__ = ["AXES", "Axis", "AxisText", "SHARED", "SHARED_TITLES", "SHARED_SHORT", "MAX_AXIS_VALUES", "MAX_SEEDS", "seeds", "apply"]
