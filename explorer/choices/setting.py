"""One row of the settings table: ``Setting``, and how it applies its limits.

A numeric row writes its limits once (``lo``/``hi``, narrowed per dataset by ``narrow``
from the dataset's spec); its parser, the link reader (``Setting.fit``) and its widget
all read them (``Setting.bounds``), so a link never holds a value its widget refuses.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from core import datasets
from explorer.choices.parsers import Layers, Number


@dataclass(frozen=True)
class Setting:
    """One setting. ``key`` is its URL key and widget key; ``group``/``field`` its place in Config.

    ``kind`` names the widget (selectbox, slider, select_slider, number, checkbox, toggle,
    multiselect, segmented, layers; canvas: drawn on the boundary chart, no sidebar widget).
    ``choices`` (a callable, read when asked) lists the options of a choice widget. ``title``
    shows a choice. ``to_widget``/``from_widget`` map the config value to the widget's value
    and back. ``in_url`` False keeps it out of links (written only when not the default
    for view settings; see ``explorer.choices.link``).

    Limits are written once, here: ``lo``/``hi`` (and ``step``) bound a numeric setting's
    parser (a ``Number`` or ``Layers`` given as ``parse`` is bound to them) and its widget.
    ``max_text``: a longer link text is cut to this length before parsing.

    ``narrow(spec)`` narrows them for one dataset (``(lo, hi)``, None for "as the row";
    or None: the setting does not apply to that set); ``bounds(dataset)`` is what both the
    link reader (``fit``) and the widget use.
    """

    key: str
    group: str
    field: str
    default: Any
    parse: Callable[[str], Any]
    fmt: Callable[[Any], str]
    kind: str
    label: str
    help: str = ""
    choices: Callable[[], Sequence] | None = None
    title: Callable[[Any], str] | None = None
    lo: float | None = None
    hi: float | None = None
    step: float | None = None
    to_widget: Callable[[Any], Any] = lambda v: v
    from_widget: Callable[[Any], Any] = lambda v: v
    in_url: bool = True
    narrow: Callable[[datasets.DatasetSpec], tuple | None] | None = None
    max_text: int = 400             # a link's text for it is cut to this many characters before parsing
    number: Number | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        if isinstance(self.parse, (Number, Layers)):
            if isinstance(self.parse, Number):
                object.__setattr__(self, "number", self.parse)
            object.__setattr__(self, "parse", self.parse.bind(self.lo, self.hi))

    def bounds(self, dataset: str | None = None) -> tuple | None:
        """(lo, hi) of the values the page shows for ``dataset``: the row's, narrowed by the
        set's spec where ``narrow`` says so; None where the setting does not apply to it."""
        if self.narrow is None or dataset not in datasets.DATASETS:
            return self.lo, self.hi
        limits = self.narrow(datasets.DATASETS[dataset])
        if limits is None:
            return None
        lo, hi = limits
        kind = type(self.lo)                                   # an int slider needs int limits, a float one floats
        return (kind(self.lo if lo is None else max(self.lo, lo)),
                kind(self.hi if hi is None else min(self.hi, hi)))

    def fit(self, value, dataset: str | None = None):
        """``value`` as the page can show it for ``dataset``: a number moved to the nearest
        limit of ``bounds(dataset)``; the default where the setting does not apply; any
        other value as it is."""
        limits = self.bounds(dataset)
        if limits is None:
            return self.default
        if self.number is None or not isinstance(value, (int, float)) or isinstance(value, bool):
            return value
        lo, hi = limits
        return min(max(value, lo), hi)

    def expects(self, dataset: str | None = None) -> str:
        """What this setting takes for ``dataset``, completing "it ..." (for notices)."""
        limits = self.bounds(dataset)
        if limits is None:          # (bounds differ from the row's only for a named dataset)
            return f"does not apply to {datasets.DATASETS[dataset].label}"
        if self.number is None:
            return "cannot be shown here"
        narrowed = limits != (self.lo, self.hi)
        return f"must be {self.number.describe(*limits)}" + (
            f" for {datasets.DATASETS[dataset].label}" if narrowed else "")
