"""Every setting of an exploration, once: the settings table.

One row per setting (``explorer.choices.setting.Setting``): its key (the URL key *and* the
widget key), the ``Config`` group and field that hold it, the default, the parser for its
URL text (``explorer.choices.parsers``) and the formatter back, the widget that shows it
(kind, label, help, choices) and how widget values map to the config value. The config
groups (``explorer.choices.config``), the URL form (``explorer.choices.link``), the widgets
(``explorer.pages.sidebar``) and session state (``explorer.pages.widget_state``) are all
derived from this table.

Adding a setting: one row here and one ``sidebar.widget(key)`` call where it shows.
Choices come from the engine's registries, read when asked (so an entry added to a
registry appears in the menus and links at once). Besides the registries and the lesson
presets, this table is where their names are written (defaults, the recommended
initialisers); no code compares with them (``tests/test_registry_names.py``).
"""
from __future__ import annotations

from core import ACTIVATIONS, INITIALIZERS, LOSSES, OPTIMIZERS, datasets, hidden_activations
from core.features import DEFAULT_FEATURES, FEATURES
from core.outputs import AUTO
from core.schedules import MAX_EPOCHS, SCHEDULES
from core.user_data import MAX_CLASSES
from explorer.choices import own_points, room_links
from explorer.choices.grid_axes import SHARED, SHARED_TITLES, AxisText, seeds
from explorer.choices.pin_link import MAX_LINK_CHARS, PinText
from explorer.choices.parsers import NUMBER, WHOLE, Layers, Number, choice, features, flag, points
from explorer.choices.setting import Setting
from explorer.figures.curves import GRADIENT_LABELS

MAX_HIDDEN_LAYERS = 8
# Units a hidden layer, in every view: 50, Ng's widest (his grid, and a cell of it opened in the Live
# view). Measured in the live view (software-rendered Chromium): one layer of 50 draws at 20 frames/s
# (forward 7 ms, frame 0.9 kB); the heaviest network allowed, 8 layers of 50, sends 72 kB frames
# (30 kB at the old 32).
MAX_WIDTH = 50
MAX_GRID_EPOCHS = 100_000       # a Compare grid stops at its epochs (``gep``), at most this many
MIN_CLASSES = 2                 # a K-class setting's lower limit (sets narrow it: ``class_range``)
OWN_DATA = "own"
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 1.2, 3.0, 10.0)
PENALTY_RATES = (0.0, 0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_SIZES = ("full", 1, 2, 4, 8, 10, 16, 32, 64, 128, 256)
SPEEDS = ("1", "2", "5", "10", "20", "50", "max")
# learning-rate schedules (core.schedules): periods and warm-ups in epochs, factors as shares of η
PERIODS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
GAMMAS = (0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99)
FLOORS = (0.0, 0.01, 0.05, 0.1, 0.2, 0.5)
WARMUPS = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500)
# early stopping (core.stopping): "off" or a value
PATIENCES = ("off", 5, 10, 20, 50, 100, 200, 500)
STOP_EPOCHS = ("off", 10, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
LOSS_TARGETS = ("off", 0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01)
SCORE_TARGETS = ("off", 0.8, 0.9, 0.95, 0.98, 0.99, 1.0)
PAGES = {"live": "Live training", "backprop": "Backpropagation, step by step", "compare": "Compare"}
# The initialiser a dataset's recommended network starts from: Ng's small Gaussian for his
# flower, Glorot/Xavier for every other set (``core.datasets``' specs do not name one).
RECOMMENDED_INIT = {"planar": "small_gaussian"}
OTHER_RECOMMENDED_INIT = "xavier"


_AXIS = AxisText(lambda: SETTINGS, MAX_WIDTH, MAX_HIDDEN_LAYERS)   # a grid axis's link text
PIN_TEXT = PinText(lambda: SETTINGS)                                # pinned runs' link text


def _g(v) -> str:
    return f"{v:g}"


def _off(v) -> str:
    return "off" if v is None else f"{v:g}"


def _to_off(v):
    return "off" if v is None else v


def _from_off(v):
    return None if v == "off" else v


def _dataset_names() -> tuple:
    return tuple(datasets.DATASETS) + (OWN_DATA,)


def _dataset_title(name: str) -> str:
    return "Your own data (CSV)" if name == OWN_DATA else datasets.DATASETS[name].label


def _outputs() -> tuple:
    return (AUTO,) + tuple(ACTIVATIONS)


def _losses() -> tuple:
    return (AUTO,) + tuple(LOSSES)


ROWS = [
    # data: changing one rebuilds the data and the network
    Setting("ds", "data", "dataset", "planar", choice(_dataset_names), str, "selectbox", "Dataset",
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
    Setting("val", "data", "val_ratio", 0.0, NUMBER, _g, "slider", "Validation share",
            "Share of the training points held out to choose when to stop (never the test points)",
            lo=0.0, hi=0.5, step=0.05),
    Setting("dseed", "data", "seed", 1, WHOLE, str, "number", "Data seed", lo=0, hi=2**32 - 1),
    Setting("feat", "data", "features", DEFAULT_FEATURES, features, ",".join, "multiselect", "Input features",
            "What the network sees, as in TF Playground", choices=lambda: tuple(FEATURES),
            title=lambda f: FEATURES[f].label, to_widget=list, from_widget=lambda v: tuple(v) or DEFAULT_FEATURES),
    Setting("std", "data", "standardize", False, flag, lambda v: "1" if v else "0", "checkbox",
            "Standardise features", "Zero mean and unit variance, fitted on the training points"),
    # the learner's own points (uploaded or drawn on the boundary): used when ds is "own";
    # up to 200 travel in a link, larger sets as a CSV. Session state holds them under "pts".
    Setting("pts", "data", "points", None, points, own_points.encode, "canvas", "Your points",
            narrow=lambda spec: None, max_text=MAX_LINK_CHARS),       # 200 points: up to 1,606 characters
    # network: changing one builds a new network
    Setting("layers", "net", "hidden", ((4, "tanh"),), Layers(most=MAX_HIDDEN_LAYERS),
            lambda h: ",".join(f"{w}:{a}" for w, a in h) or "none", "layers", "Hidden layers",
            "The output layer follows from the data", choices=hidden_activations, lo=1, hi=MAX_WIDTH),
    Setting("out", "net", "output", AUTO, choice(_outputs), str, "selectbox", "Output",
            "auto: sigmoid for 2 classes, softmax for K, linear for regression", choices=_outputs,
            title=lambda k: k if k == AUTO else ACTIVATIONS[k].label),
    Setting("loss", "net", "loss", AUTO, choice(_losses), str, "selectbox", "Loss", choices=_losses,
            title=lambda k: k if k == AUTO else LOSSES[k].label),
    Setting("init", "net", "init", "small_gaussian", choice(lambda: tuple(INITIALIZERS)), str, "selectbox",
            "Initialiser", choices=lambda: tuple(INITIALIZERS), title=lambda k: INITIALIZERS[k].label),
    Setting("seed", "net", "seed", 2, WHOLE, str, "number", "Weights seed", lo=0, hi=2**32 - 1),
    # training: changes apply to the running trainer, no reset
    Setting("opt", "train", "optimizer", "sgd", choice(lambda: tuple(OPTIMIZERS)), str, "selectbox", "Optimizer",
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
    # the learning-rate schedule: η·f(t), t in epochs counted from the updates (core.schedules); each
    # parameter row shows only for the schedules whose entry ``uses`` it (explorer.choices.instruments)
    Setting("sched", "train", "schedule", "constant", choice(lambda: tuple(SCHEDULES)), str, "selectbox",
            "Learning-rate schedule", "η changes as training goes on; a learning rate you set becomes its base",
            choices=lambda: tuple(SCHEDULES), title=lambda k: SCHEDULES[k].label),
    Setting("speriod", "train", "sched_period", 100, WHOLE, str, "select_slider", "Period (epochs)",
            "Step and exponential: k; cosine: T; triangle: one whole cycle", choices=lambda: PERIODS,
            lo=1, hi=MAX_EPOCHS),
    Setting("sgamma", "train", "sched_gamma", 0.5, Number(lo_open=True), _g, "select_slider", "Factor γ per period",
            choices=lambda: GAMMAS, lo=0.0, hi=1.0),
    Setting("sfloor", "train", "sched_floor", 0.0, NUMBER, _g, "select_slider", "Lowest η (a share of η)",
            choices=lambda: FLOORS, lo=0.0, hi=1.0),
    Setting("srestart", "train", "sched_restarts", False, flag, lambda v: "1" if v else "0", "checkbox",
            "Restart every period"),
    Setting("warm", "train", "warmup", 0, WHOLE, str, "select_slider", "Warm-up (epochs)",
            "η rises linearly from η/W to η over the first W epochs, then the schedule starts",
            choices=lambda: WARMUPS, lo=0, hi=MAX_EPOCHS),
    # early stopping (core.stopping): on the validation loss (the "val" share), never the test set's
    Setting("patience", "train", "patience", None, Number(whole=True, words=(("off", None),)), _off, "select_slider",
            "Stop after epochs without improvement", "Of the validation loss (needs a validation share)",
            choices=lambda: PATIENCES, lo=1, hi=MAX_EPOCHS, to_widget=_to_off, from_widget=_from_off),
    Setting("restore", "train", "restore_best", False, flag, lambda v: "1" if v else "0", "checkbox",
            "Restore the best weights when it stops", "The epoch with the lowest validation loss"),
    Setting("stop_at", "train", "stop_epoch", None, Number(whole=True, words=(("off", None),)), _off, "select_slider",
            "Stop at epoch", choices=lambda: STOP_EPOCHS, lo=1, hi=MAX_EPOCHS, to_widget=_to_off, from_widget=_from_off),
    Setting("stop_loss", "train", "stop_loss", None, Number(words=(("off", None),)), _off, "select_slider",
            "Stop at training loss", choices=lambda: LOSS_TARGETS, lo=0.0, hi=10.0, to_widget=_to_off,
            from_widget=_from_off),
    Setting("stop_acc", "train", "stop_score", None, Number(words=(("off", None),)), _off, "select_slider",
            "Stop at training accuracy (R²)", choices=lambda: SCORE_TARGETS, lo=-1.0, hi=1.0, to_widget=_to_off,
            from_widget=_from_off),
    Setting("speed", "train", "speed", "1", choice(lambda: SPEEDS), str, "select_slider", "Speed",
            "Epochs (or mini-batches) per update; max trains as fast as the server allows", choices=lambda: SPEEDS),
    # view: how the charts are drawn; nothing is rebuilt
    Setting("page", "view", "page", "live", choice(lambda: tuple(PAGES)), str, "segmented", "View",
            choices=lambda: tuple(PAGES), title=PAGES.get, from_widget=lambda v: v or "live"),
    Setting("present", "view", "present", False, flag, lambda v: "1" if v else "0", "toggle", "Presentation mode"),
    Setting("discretize", "view", "discretize", False, flag, lambda v: "1" if v else "0", "toggle",
            "Discretise output"),
    Setting("show_test", "view", "show_test", True, flag, lambda v: "1" if v else "0", "toggle", "Show test points"),
    Setting("log_loss", "view", "log_loss", False, flag, lambda v: "1" if v else "0", "toggle", "Log-scale loss"),
    Setting("grad_key", "view", "grad_key", "grad_norm", choice(lambda: tuple(GRADIENT_LABELS)), str, "selectbox",
            "Gradient view", choices=lambda: tuple(GRADIENT_LABELS), title=lambda k: f"{GRADIENT_LABELS[k]} per layer"),
    # instruments drawn in the browser from the weights and the setup's points (explorer/live/instruments_setup.py)
    Setting("metrics", "view", "metrics", False, flag, lambda v: "1" if v else "0", "toggle", "Metrics",
            "A confusion matrix with precision and recall (R² and RMSE for regression), for the training and "
            "the test points; click a cell to ring its points on the boundary"),
    Setting("hist", "view", "histograms", False, flag, lambda v: "1" if v else "0", "toggle", "Histograms",
            "Per layer: the weights W and the activations a over the training points, with the saturated "
            "(tanh, sigmoid) and dead (ReLU) shares"),
    # computed on request by the server, below the charts (explorer/pages/landscape_panel.py)
    Setting("landscape", "view", "landscape", False, flag, lambda v: "1" if v else "0", "toggle", "Loss landscape",
            "The loss on the line from the starting weights to now, and on a plane around now with the training "
            "path, computed when you ask"),
    Setting("recommended", "view", "recommended", True, flag, lambda v: "1" if v else "0", "checkbox",
            "Use each dataset's recommended network"),
    # a class (``explorer.rooms``), kept in the link like every key: the teacher's key (or ``new``), a
    # class's join code and the projector's key; none has a widget. A student's own secret is a session
    # key only, never in a link (a shared link would hand over the seat): their browser keeps it
    # (``explorer.pages.class_pages``), and a ``me=`` an old link carries is ignored
    Setting("class", "view", "room_class", "", room_links.teacher_key, str, "room_key", "Your class (teacher)"),
    Setting("join", "view", "join", "", room_links.join_code, str, "room_key", "Class code"),
    Setting("projector", "view", "projector", "", room_links.key, str, "room_key", "Projector"),
    Setting("me", "view", "me", "", room_links.key, str, "room_key", "You, in the class", in_url=False),
    # the Compare view's grid (``explorer.choices.grid_axes``): in a link only when not the default,
    # Ng's hidden-layer sizes on the flower, trained as his notebook did
    Setting("ga", "grid", "axis1", ("units", (1, 2, 3, 4, 5, 20, 50)), _AXIS.parse, _AXIS.fmt, "grid_axis",
            "Grid axis 1", "A setting and up to 7 values, one cell each", to_widget=_AXIS.fmt, from_widget=_AXIS.parse),
    Setting("gb", "grid", "axis2", None, _AXIS.parse, _AXIS.fmt, "grid_axis", "Grid axis 2",
            "Optional: a second setting; the grid is then axis 1 × axis 2", to_widget=_AXIS.fmt,
            from_widget=_AXIS.parse),
    Setting("gl", "grid", "layer", 1, WHOLE, str, "number", "Hidden layer the axes change",
            "Units and depth act on this hidden layer (1 is the first)", lo=1, hi=MAX_HIDDEN_LAYERS),
    Setting("gk", "grid", "seeds", 1, seeds, str, "selectbox", "Seeds per cell",
            "Each cell repeats over this many starting seeds (weights seed, +1, ...): the spread of one setup",
            choices=lambda: (1, 2, 3, 4, 5), title=lambda k: "one seed" if k == 1 else f"× {k} seeds"),
    Setting("gep", "grid", "epochs", 5000, WHOLE, str, "number", "Epochs", "The grid stops here (Ng ran 5,000)",
            lo=1, hi=MAX_GRID_EPOCHS),
    Setting("gbase", "grid", "shared", "ng", choice(lambda: tuple(SHARED)), str, "selectbox", "Shared setup",
            "What every cell shares besides the axes", choices=lambda: tuple(SHARED), title=SHARED_TITLES.get),
    # runs pinned from the Live view, shown beside the grid: those a replay of their setup gives again
    # (``explorer.choices.pin_link``, ``explorer.training.pins``); the others travel as a file
    Setting("pin", "grid", "pins", (), PIN_TEXT.parse, PIN_TEXT.fmt, "pins", "Pinned runs",
            "Each pin's setup and epochs (drawn in the Compare view)", max_text=MAX_LINK_CHARS),
]
SETTINGS: dict[str, Setting] = {s.key: s for s in ROWS}
GROUPS = ("data", "net", "train", "view", "grid")
SPARSE_GROUPS = ("view", "grid")    # written into a link only where they differ from the default
assert len(SETTINGS) == len(ROWS), "two settings share a key"


def rows(group: str) -> list[Setting]:
    return [s for s in ROWS if s.group == group]
