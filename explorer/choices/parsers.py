"""How a setting reads its URL text: the parsers of the settings table's rows.

Nothing read from a URL is evaluated: each value goes through its row's parser, which
raises ``BadValue`` with a sentence (``OutOfRange``, with the nearest limit, for a number
outside the row's range). A numeric row names its parser's kind (``Number``, ``Layers``)
and writes its limits once, as the row's ``lo``/``hi``; the row binds the two
(``Setting.__post_init__``), and its widget reads the same limits (``Setting.bounds``).
Choices come from the engine's registries, read when asked.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from core import hidden_activations
from core.features import FEATURES
from explorer.choices import own_points


class BadValue(ValueError):
    """A value that a setting does not accept; the message completes "it ..."."""


class OutOfRange(BadValue):
    """A well-formed number outside its setting's range. ``value`` is the number read and
    ``limit`` the nearest one inside: a link's value is moved there with a notice
    (``explorer.choices.link``); a model file's is refused."""

    def __init__(self, message: str, value, limit):
        super().__init__(message)
        self.value, self.limit = value, limit


@dataclass(frozen=True)
class Number:
    """How a numeric setting reads its URL text: ``whole`` (int) or any finite float;
    ``lo_open``: ``lo`` itself is refused (a learning rate must be above 0); ``words``:
    ``(text, value)`` pairs for texts that stand for a non-number (``full`` -> None)."""

    whole: bool = False
    lo_open: bool = False
    words: tuple = ()

    def describe(self, lo, hi) -> str:
        """What a value must be, completing "it must be ..."."""
        if self.whole:
            text = f"a whole number from {lo} to {hi}"
        elif self.lo_open:
            text = f"a number above {lo:g} and at most {hi:g}"
        else:
            text = f"a number from {lo:g} to {hi:g}"
        named = [w for w, _ in self.words if w]
        return text + "".join(f" or {w}" for w in named)

    def bind(self, lo, hi) -> Callable[[str], Any]:
        words, what = dict(self.words), self.describe(lo, hi)

        def parse(s: str):
            if s in words:
                return words[s]
            try:
                v = int(s) if self.whole else float(s)     # int("²") raises although "²".isdigit()
            except ValueError:
                raise BadValue(f"must be {what}") from None
            if not math.isfinite(v) or (self.lo_open and v <= lo):
                raise BadValue(f"must be {what}")
            if not lo <= v <= hi:
                raise OutOfRange(f"must be {what}", v, lo if v < lo else hi)
            return v
        return parse


@dataclass(frozen=True)
class Layers:
    """The hidden layers' URL text ``width:activation,...`` (or ``none``); widths from the
    row's ``lo`` to ``hi``, at most ``most`` layers, activations a hidden layer may use."""

    most: int

    def bind(self, lo, hi) -> Callable[[str], tuple]:
        def parse(s: str) -> tuple:
            if s in ("", "none"):
                return ()
            layers = []
            for part in s.split(","):
                width, _, act = part.partition(":")
                try:
                    w = int(width)
                except ValueError:
                    w = lo - 1
                if not lo <= w <= hi or act not in hidden_activations():
                    raise BadValue(f"must list layers as width:activation, width {lo}–{hi}, activation one of "
                                   f"{', '.join(hidden_activations())}")
                layers.append((w, act))
            if len(layers) > self.most:
                raise BadValue(f"must have at most {self.most} hidden layers")
            return tuple(layers)
        return parse


WHOLE, NUMBER = Number(whole=True), Number()


def choice(options: Callable[[], Sequence[str]]) -> Callable[[str], str]:
    """A parser accepting one of ``options()`` (read when a value is parsed)."""
    def parse(s: str) -> str:
        valid = tuple(options())
        if s not in valid:
            raise BadValue(f"must be one of {', '.join(valid)}")
        return s
    return parse


def flag(s: str) -> bool:
    """``0`` or ``1``."""
    if s not in ("0", "1"):
        raise BadValue("must be 0 or 1")
    return s == "1"


def features(s: str) -> tuple:
    """Distinct input-feature ids, comma-separated."""
    ids = tuple(f for f in s.split(",") if f)
    if not ids or any(f not in FEATURES for f in ids) or len(set(ids)) != len(ids):
        raise BadValue(f"must be distinct feature ids from {', '.join(FEATURES)}")
    return ids


def points(s: str):
    """The learner's own points in their link form (``explorer.choices.own_points``)."""
    try:
        return own_points.decode(s)
    except ValueError as err:
        raise BadValue(str(err)) from None
