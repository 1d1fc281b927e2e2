"""Every setting of an exploration, once: the settings table.

One row per setting: its key (the URL key *and* the widget key), the ``Config`` group
and field that hold it, the default, the parser for its URL text and the formatter back,
the widget that shows it (kind, label, help, choices) and how widget values map to the
config value. The config groups (``DataConfig``, ``NetConfig``, ``TrainConfig``,
``ViewConfig``), the URL form (``explorer.choices.link``), the widgets (``explorer.pages.sidebar``)
and session state (``explorer.pages.widget_state``) are all derived from this table.

Adding a setting: one row here and one ``controls.widget(key)`` call where it shows.
Choices come from the engine's registries, read when asked (so an entry added to a
registry appears in the menus and links at once). Nothing read from a URL is evaluated:
each value goes through its row's parser, which raises ``BadValue`` with a sentence
(``OutOfRange``, with the nearest limit, for a number outside the row's range).

A numeric row writes its limits once (``lo``/``hi``, narrowed per dataset by ``narrow``
from the dataset's spec); its parser, the link reader (``Setting.fit``) and its widget
all read them (``Setting.bounds``), so a link never holds a value its widget refuses.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, make_dataclass
from typing import Any, Callable, Sequence

from core import ACTIVATIONS, INITIALIZERS, LOSSES, OPTIMIZERS, datasets, hidden_activations
from core.features import DEFAULT_FEATURES, FEATURES
from core.outputs import AUTO
from core.user_data import MAX_CLASSES
from explorer.choices import own_points
from explorer.figures.curves import GRADIENT_LABELS

MAX_HIDDEN_LAYERS = 8
MAX_WIDTH = 32
MIN_CLASSES = 2                 # a K-class setting's lower limit (sets narrow it: ``class_range``)
OWN_DATA = "own"
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 1.2, 3.0, 10.0)
PENALTY_RATES = (0.0, 0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_SIZES = ("full", 1, 2, 4, 8, 10, 16, 32, 64, 128, 256)
SPEEDS = ("1", "2", "5", "10", "20", "50", "max")
PAGES = {"live": "Live training", "backprop": "Backpropagation, step by step"}


class BadValue(ValueError):
    """A value that a setting does not accept; the message completes "it ..."."""


class OutOfRange(BadValue):
    """A well-formed number outside its setting's range. ``value`` is the number read and
    ``limit`` the nearest one inside: a link's value is moved there with a notice
    (``explorer.choices.link``); a model file's is refused."""

    def __init__(self, message: str, value, limit):
        super().__init__(message)
        self.value, self.limit = value, limit


# ---- parsers: URL text -> value (raise BadValue) -------------------------------------
# A numeric row names its parser's kind (``Number``) and its limits once, as the row's
# ``lo``/``hi``; the row binds the two (``Setting.__post_init__``), and its widget reads the
# same limits (``Setting.bounds``), narrowed per dataset where the row says so.
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
    row's ``lo`` to ``hi``, at most ``MAX_HIDDEN_LAYERS`` layers."""

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
            if len(layers) > MAX_HIDDEN_LAYERS:
                raise BadValue(f"must have at most {MAX_HIDDEN_LAYERS} hidden layers")
            return tuple(layers)
        return parse


WHOLE, NUMBER = Number(whole=True), Number()


def _choice(options: Callable[[], Sequence[str]]):
    def parse(s: str) -> str:
        valid = tuple(options())
        if s not in valid:
            raise BadValue(f"must be one of {', '.join(valid)}")
        return s
    return parse


def _bool(s: str) -> bool:
    if s not in ("0", "1"):
        raise BadValue("must be 0 or 1")
    return s == "1"


def _features(s: str) -> tuple:
    ids = tuple(f for f in s.split(",") if f)
    if not ids or any(f not in FEATURES for f in ids) or len(set(ids)) != len(ids):
        raise BadValue(f"must be distinct feature ids from {', '.join(FEATURES)}")
    return ids


def _g(v) -> str:
    return f"{v:g}"


def _points_parse(s: str):
    try:
        return own_points.decode(s)
    except ValueError as err:
        raise BadValue(str(err)) from None


def _points_fmt(points) -> str | None:
    return own_points.encode(points)


def _dataset_names() -> tuple:
    return tuple(datasets.DATASETS) + (OWN_DATA,)


def _outputs() -> tuple:
    return (AUTO,) + tuple(ACTIVATIONS)


def _losses() -> tuple:
    return (AUTO,) + tuple(LOSSES)


# ---- the table -----------------------------------------------------------------------
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
        if limits is None:
            return f"does not apply to {_dataset_title(dataset)}"
        if self.number is None:
            return "cannot be shown here"
        narrowed = limits != (self.lo, self.hi)
        return f"must be {self.number.describe(*limits)}" + (f" for {_dataset_title(dataset)}" if narrowed else "")


def _dataset_title(name: str) -> str:
    return "Your own data (CSV)" if name == OWN_DATA else datasets.DATASETS[name].label


ROWS = [
    # data: changing one rebuilds the data and the network
    Setting("ds", "data", "dataset", "planar", _choice(_dataset_names), str, "selectbox", "Dataset",
            choices=_dataset_names, title=_dataset_title),
    Setting("n", "data", "n_samples", 400, WHOLE, str, "slider", "Samples",
            lo=50, hi=datasets.MAX_SAMPLES, step=50, narrow=lambda spec: (None, spec.max_n_samples)),
    Setting("noise", "data", "noise", 0.2, NUMBER, _g, "slider", "Noise", lo=0.0, hi=3.0, step=0.05,
            narrow=lambda spec: (None, spec.max_noise)),
    Setting("k", "data", "n_classes", None, Number(whole=True, words=(("", None),)),
            lambda v: "" if v is None else str(v), "slider", "Classes", lo=MIN_CLASSES, hi=MAX_CLASSES,
            narrow=lambda spec: spec.class_range, to_widget=lambda v: v or MIN_CLASSES),
    Setting("test", "data", "test_ratio", 0.2, NUMBER, _g, "slider", "Test share",
            "Share of the points held out as test data", lo=0.0, hi=0.9, step=0.05),
    Setting("dseed", "data", "seed", 1, WHOLE, str, "number", "Data seed", lo=0, hi=2**32 - 1),
    Setting("feat", "data", "features", DEFAULT_FEATURES, _features, ",".join, "multiselect", "Input features",
            "What the network sees, as in TF Playground", choices=lambda: tuple(FEATURES),
            title=lambda f: FEATURES[f].label, to_widget=list, from_widget=lambda v: tuple(v) or DEFAULT_FEATURES),
    Setting("std", "data", "standardize", False, _bool, lambda v: "1" if v else "0", "checkbox",
            "Standardise features", "Zero mean and unit variance, fitted on the training points"),
    # the learner's own points (uploaded or drawn on the boundary): used when ds is "own";
    # up to 200 travel in a link, larger sets as a CSV. Session state holds them under "pts".
    Setting("pts", "data", "points", None, _points_parse, _points_fmt, "canvas", "Your points",
            narrow=lambda spec: None),
    # network: changing one builds a new network
    Setting("layers", "net", "hidden", ((4, "tanh"),), Layers(),
            lambda h: ",".join(f"{w}:{a}" for w, a in h) or "none", "layers", "Hidden layers",
            "The output layer follows from the data", choices=hidden_activations, lo=1, hi=MAX_WIDTH),
    Setting("out", "net", "output", AUTO, _choice(_outputs), str, "selectbox", "Output",
            "auto: sigmoid for 2 classes, softmax for K, linear for regression", choices=_outputs,
            title=lambda k: k if k == AUTO else ACTIVATIONS[k].label),
    Setting("loss", "net", "loss", AUTO, _choice(_losses), str, "selectbox", "Loss", choices=_losses,
            title=lambda k: k if k == AUTO else LOSSES[k].label),
    Setting("init", "net", "init", "small_gaussian", _choice(lambda: tuple(INITIALIZERS)), str, "selectbox",
            "Initialiser", choices=lambda: tuple(INITIALIZERS), title=lambda k: INITIALIZERS[k].label),
    Setting("seed", "net", "seed", 2, WHOLE, str, "number", "Weights seed", lo=0, hi=2**32 - 1),
    # training: changes apply to the running trainer, no reset
    Setting("opt", "train", "optimizer", "sgd", _choice(lambda: tuple(OPTIMIZERS)), str, "selectbox", "Optimizer",
            choices=lambda: tuple(OPTIMIZERS), title=lambda k: OPTIMIZERS[k].label),
    Setting("lr", "train", "learning_rate", 1.2, Number(lo_open=True), _g, "select_slider",
            "Learning rate η", choices=lambda: LEARNING_RATES, lo=0.0, hi=LEARNING_RATES[-1]),
    Setting("bs", "train", "batch_size", None, Number(whole=True, words=(("full", None),)),
            lambda v: "full" if v is None else str(v), "select_slider",
            "Batch size", "full: every training point in each update (classic gradient descent)",
            choices=lambda: BATCH_SIZES, lo=1, hi=datasets.MAX_SAMPLES, to_widget=lambda v: "full" if v is None else v,
            from_widget=lambda v: None if v == "full" else int(v)),
    Setting("l1", "train", "l1", 0.0, NUMBER, _g, "select_slider", "L1 penalty",
            "l1·Σ|W| added to the cost (biases are not penalised)", choices=lambda: PENALTY_RATES,
            lo=PENALTY_RATES[0], hi=PENALTY_RATES[-1]),
    Setting("l2", "train", "l2", 0.0, NUMBER, _g, "select_slider", "L2 penalty",
            "(l2/2)·ΣW² added to the cost (biases are not penalised)", choices=lambda: PENALTY_RATES,
            lo=PENALTY_RATES[0], hi=PENALTY_RATES[-1]),
    Setting("speed", "train", "speed", "1", _choice(lambda: SPEEDS), str, "select_slider", "Speed",
            "Epochs (or mini-batches) per update; max trains as fast as the server allows", choices=lambda: SPEEDS),
    # view: how the charts are drawn; nothing is rebuilt
    Setting("page", "view", "page", "live", _choice(lambda: tuple(PAGES)), str, "segmented", "View",
            choices=lambda: tuple(PAGES), title=PAGES.get, from_widget=lambda v: v or "live"),
    Setting("present", "view", "present", False, _bool, lambda v: "1" if v else "0", "toggle", "Presentation mode"),
    Setting("discretize", "view", "discretize", False, _bool, lambda v: "1" if v else "0", "toggle",
            "Discretise output"),
    Setting("show_test", "view", "show_test", True, _bool, lambda v: "1" if v else "0", "toggle", "Show test points"),
    Setting("log_loss", "view", "log_loss", False, _bool, lambda v: "1" if v else "0", "toggle", "Log-scale loss"),
    Setting("grad_key", "view", "grad_key", "grad_norm", _choice(lambda: tuple(GRADIENT_LABELS)), str, "selectbox",
            "Gradient view", choices=lambda: tuple(GRADIENT_LABELS), title=lambda k: f"{GRADIENT_LABELS[k]} per layer"),
    Setting("recommended", "view", "recommended", True, _bool, lambda v: "1" if v else "0", "checkbox",
            "Use each dataset's recommended network"),
]
SETTINGS: dict[str, Setting] = {s.key: s for s in ROWS}
GROUPS = ("data", "net", "train", "view")
assert len(SETTINGS) == len(ROWS), "two settings share a key"


def rows(group: str) -> list[Setting]:
    return [s for s in ROWS if s.group == group]


def _config_class(group: str, name: str, extra=()):
    fields = [(s.field, Any, field(default=s.default)) for s in rows(group)] + list(extra)
    return make_dataclass(name, fields, frozen=True)


DataConfig = _config_class("data", "DataConfig")
# Weights imported from a model file (``explorer.choices.config.StartWeights``) replace the seeded draw.
NetConfig = _config_class("net", "NetConfig", [("start", Any, field(default=None))])
TrainConfig = _config_class("train", "TrainConfig")
ViewConfig = _config_class("view", "ViewConfig")
for _cls in (DataConfig, NetConfig, TrainConfig, ViewConfig):
    _cls.__module__ = __name__
