"""The sidebar: data, network builder and training settings.

Every widget comes from its row of the settings table (``explorer.choices.settings_table``): key,
label, help, choices. The functions return their part of the ``Config`` and compute
nothing; callbacks that load presets live in ``explorer.pages.widget_state``.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from core import datasets
from explorer.choices.instruments import schedule_keys
from explorer.choices.config import OWN_DATA, DataConfig, NetConfig, TrainConfig, ViewConfig
from explorer.figures.preview import preview_png
from explorer.choices.setting import Setting
from explorer.choices.settings_table import MAX_HIDDEN_LAYERS, SETTINGS, rows
from explorer.pages import widget_state

LOCKED = "class_locked"     # session key: the settings a class's task locks (drawn disabled)


def widget(key: str, container: Any = None, dataset: str | None = None, **overrides) -> Any:
    """Draw the widget of setting ``key`` from its table row; returns the config value.

    A numeric widget's limits are the row's, narrowed for ``dataset`` (``Setting.bounds``:
    the same limits a link's value is fitted to)."""
    s: Setting = SETTINGS[key]
    c = container if container is not None else st
    kw = {"key": s.key, "help": s.help or None, **overrides}
    if s.key in st.session_state.get(LOCKED, ()):          # a class's task sets it (explorer.pages.class_task)
        kw["disabled"] = True
    label = kw.pop("label", s.label)
    fmt = s.title or str
    lo, hi = s.bounds(dataset) or (s.lo, s.hi)
    if s.kind == "selectbox":
        value = c.selectbox(label, s.choices(), format_func=fmt, **kw)
    elif s.kind == "slider":
        value = c.slider(label, lo, hi, step=s.step, **kw)
    elif s.kind == "select_slider":
        options = list(s.choices())
        current = st.session_state.get(s.key)
        if current is not None and current not in options:       # e.g. η = 0.05 from a link
            words = [o for o in options if isinstance(o, str)]
            options = words + sorted({o for o in options if not isinstance(o, str)} | {current})
        value = c.select_slider(label, options=options, format_func=fmt, **kw)
    elif s.kind == "number":
        value = c.number_input(label, int(lo), int(hi), **kw)
    elif s.kind == "checkbox":
        value = c.checkbox(label, **kw)
    elif s.kind == "toggle":
        value = c.toggle(label, **kw)
    elif s.kind == "multiselect":
        value = c.multiselect(label, s.choices(), format_func=fmt, **kw)
    elif s.kind == "segmented":
        value = c.segmented_control(label, s.choices(), format_func=fmt, label_visibility="collapsed", **kw)
    else:
        raise ValueError(f"setting {key!r} has widget kind {s.kind!r}, which has no generic widget")
    return s.from_widget(value)


class Group:
    """Collects the values the widgets of one config group return; fields whose widget
    is not drawn this run keep what the session holds (``widget_state.read``)."""

    def __init__(self, group: str):
        self.group, self.values = group, {}

    def show(self, key: str, container: Any = None, dataset: str | None = None, **overrides) -> Any:
        value = widget(key, container, dataset, **overrides)
        self.values[SETTINGS[key].field] = value
        return value

    def put(self, key: str, value: Any) -> None:
        self.values[SETTINGS[key].field] = value

    def done(self, cls, **extra):
        for s in rows(self.group):
            if s.field not in self.values:
                self.values[s.field] = widget_state.read(s)
        return cls(**self.values, **extra)


@st.cache_data(show_spinner=False)
def _preview(name: str, n_classes: int | None) -> bytes:
    spec = datasets.DATASETS[name]
    X, y = datasets.make(name, n_samples=min(spec.default_n_samples, 500),
                         n_classes=n_classes if spec.multiclass else None)
    return preview_png(X, y, spec.problem, n_classes or spec.n_classes or 2)


def data_controls() -> DataConfig:
    g = Group("data")
    name = g.show("ds", on_change=widget_state.on_dataset_change)
    if name == OWN_DATA:
        g.put("pts", _own_data())
        g.put("k", None)
    else:
        spec = datasets.DATASETS[name]
        c1, c2 = st.columns([1, 2])
        c1.image(_preview(spec.name, widget_state.read(SETTINGS["k"]) if spec.multiclass else None), width=96)
        c2.caption(spec.description)
        if spec.multiclass:
            g.show("k", dataset=name)
        else:
            g.put("k", None)
        g.put("pts", None)
        g.show("n", dataset=name)
        g.show("noise", dataset=name)
        g.show("dseed")
        st.button("New data", key="new_data", icon=":material/refresh:", on_click=_new_seed, width="stretch",
                  help="Draw another sample with a new seed")
    g.show("test")
    g.show("val")
    g.show("feat")
    g.show("std")
    with st.expander("Browse all datasets"):
        cols = st.columns(3)
        for i, (key, spec) in enumerate(datasets.DATASETS.items()):
            cols[i % 3].image(_preview(key, spec.n_classes if spec.multiclass else None), caption=spec.label, width=88)
    return g.done(DataConfig)


def _new_seed() -> None:
    key = SETTINGS["dseed"].key
    st.session_state[key] = (int(st.session_state[key]) * 7919 + 1) % 100_000


def _own_data():
    """The uploader; returns the learner's points (the last good upload) or None."""
    up = st.file_uploader("CSV with columns x1, x2 and label (or target)", type=["csv", "txt"], key="upload")
    points, error = widget_state.points_from_upload(up)
    if error:
        st.error(f"That file cannot be used: {error}")
    if points is None:
        st.info("Upload a CSV to train on your own points. Until then the flower data stay loaded.")
    return points


def network_controls() -> NetConfig:
    g = Group("net")
    g.put("layers", _layer_builder())
    c1, c2 = st.columns(2)
    g.show("out", c1)
    g.show("loss", c2)
    g.show("init")
    g.show("seed")
    return g.done(NetConfig)


def _layer_builder() -> tuple:
    """One row per hidden layer (units, activation, remove) and an Add button; returns the layers."""
    ss = st.session_state
    s = SETTINGS["layers"]
    n = ss.get(widget_state.N_LAYERS_KEY, len(s.default))
    off = s.key in ss.get(LOCKED, ())                        # a class's task sets them
    st.caption(f"{s.label} ({s.help[0].lower() + s.help[1:]})" + (": locked by the task" if off else ""))
    layers = []
    for i in range(n):
        kw, ka = widget_state.layer_keys(i)
        head, rm = st.columns([5, 1], vertical_alignment="center")
        head.markdown(f"**Layer {i + 1}**")
        rm.button("", key=f"rm{i}", icon=":material/close:", type="tertiary", on_click=_remove_layer, args=(i,),
                  help=f"Remove layer {i + 1}", disabled=off)
        c1, c2 = st.columns([2, 3])
        w = c1.number_input(f"Layer {i + 1} units", int(s.lo), int(s.hi), key=kw, label_visibility="collapsed",
                            disabled=off)
        a = c2.selectbox(f"Layer {i + 1} activation", s.choices(), key=ka, label_visibility="collapsed", disabled=off)
        layers.append((int(w), a))
    st.button("Add hidden layer", icon=":material/add:", on_click=_add_layer,
              disabled=off or n >= MAX_HIDDEN_LAYERS, width="stretch")
    return tuple(layers)


def _add_layer() -> None:
    ss = st.session_state
    i = ss.get(widget_state.N_LAYERS_KEY, 0)
    kw, ka = widget_state.layer_keys(i)
    pw, pa = widget_state.layer_keys(i - 1)
    width, act = SETTINGS["layers"].default[0]      # a first layer as the table's default network
    ss[kw] = ss.get(pw, width) if i else width
    ss[ka] = ss.get(pa, act) if i else act
    ss[widget_state.N_LAYERS_KEY] = i + 1


def _remove_layer(i: int) -> None:
    ss = st.session_state
    n = ss[widget_state.N_LAYERS_KEY]
    for j in range(i, n - 1):
        for here, there in zip(widget_state.layer_keys(j), widget_state.layer_keys(j + 1)):
            ss[here] = ss[there]
    ss[widget_state.N_LAYERS_KEY] = n - 1


def training_controls() -> TrainConfig:
    g = Group("train")
    g.show("opt")
    g.show("lr")
    g.show("bs")
    c1, c2 = st.columns(2)
    g.show("l1", c1)
    g.show("l2", c2)
    for key in schedule_keys(g.show("sched")):     # the parameters this schedule uses, then warm-up
        g.show(key)
    with st.expander("Stop by itself"):                # early stopping (core.stopping)
        for key in ("patience", "restore", "stop_at", "stop_loss", "stop_acc"):
            g.show(key)
    g.show("speed")
    st.caption("These change live, without a reset.")
    return g.done(TrainConfig)


def view_controls() -> None:
    """Sidebar view options (the rest of the view group sits above the charts)."""
    widget("recommended")


CHART_OPTIONS = "chart_options"      # the popover's key (its CSS class st-key-chart_options: clean=1 hides it)


def chart_options(view: Group, container: Any = None) -> None:
    """The live charts' options, folded into one popover above the charts (its widgets
    keep their keys: they are the settings' URL keys). Its content runs on every run,
    open or closed, so the values always reach the Config."""
    c = container if container is not None else st
    with c.popover("Chart options", icon=":material/tune:", key=CHART_OPTIONS,
                   help="Discretise the output, show the test points, a log-scale loss, which gradient to plot, "
                        "metrics, histograms and the loss landscape"):
        for key in ("discretize", "show_test", "log_loss", "grad_key", "metrics", "hist", "landscape"):
            view.show(key, **mounted_default(key))


def mounted_default(key: str) -> dict:
    """The widget's default made the session's value, for a widget inside a popover.

    The browser draws a popover's widgets only when it opens, and a widget drawn then starts
    from its default, not from the value the session holds: Show test points (on) came up
    off, and the next rerun sent that back. Streamlit identifies these widgets by their key
    alone, so the default may follow the value. (Streamlit then logs once per process that a
    widget "was created with a default value but also had its value set via the Session
    State API": expected here.)"""
    s: Setting = SETTINGS[key]
    value = st.session_state.get(s.key, s.default)
    if s.kind in ("toggle", "checkbox"):
        return {"value": bool(value)}
    if s.kind == "selectbox":
        options = list(s.choices())
        return {"index": options.index(value)} if value in options else {}
    raise ValueError(f"setting {key!r} has widget kind {s.kind!r}; add its default here")


def view_group() -> Group:
    return Group("view")


__all__ = ["widget", "Group", "data_controls", "network_controls", "training_controls", "view_controls",
           "chart_options", "CHART_OPTIONS", "mounted_default", "view_group", "ViewConfig"]
