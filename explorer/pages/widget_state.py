"""Session state: widget keys from the settings table, the URL kept in step, and the
learner's Run rebuilt only when data or architecture change.

Widget keys are the URL keys of the settings table (``explorer.choices.settings_table``); the hidden
layers use ``layers_n`` and ``layers_w{i}`` / ``layers_a{i}``. ``st.session_state`` is
written here (first run, links, lessons, dataset presets), by Streamlit's widgets, and
for values that are not widgets: ``run`` (the learner's Run), ``pts`` (the learner's own
points, uploaded or drawn, kept while another dataset is shown; ``upload_id`` and
``upload_error`` say which file they came from) and ``notices`` (what a link got wrong).
"""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from core import datasets
from core.user_data import read_points
from explorer.choices.config import (Config, DataConfig, GridConfig, NetConfig, OWN_DATA, OwnPoints, TrainConfig,
                                    ViewConfig, preset_for_dataset, tidy_data)
from explorer.choices.link import from_query, to_query
from explorer.training.run import Run, build_data
from explorer.choices.setting import Setting
from explorer.choices.settings_table import GROUPS, ROWS, SETTINGS, rows

LAYERS = SETTINGS["layers"]
POINTS = SETTINGS["pts"].key       # session key of the learner's own points (an OwnPoints, not a widget)


def layer_keys(i: int) -> tuple[str, str]:
    """Widget keys of hidden layer i's width and activation."""
    return f"{LAYERS.key}_w{i}", f"{LAYERS.key}_a{i}"


N_LAYERS_KEY = f"{LAYERS.key}_n"


def widget_state(cfg: Config) -> dict:
    """The widget keys and values that show ``cfg``."""
    out = {}
    for s in ROWS:
        value = getattr(getattr(cfg, s.group), s.field)
        if s.kind == "layers":
            out[N_LAYERS_KEY] = len(value)
            for i, (w, a) in enumerate(value):
                kw, ka = layer_keys(i)
                out[kw], out[ka] = w, a
        else:
            out[s.key] = s.to_widget(value)
    return out


def read(s: Setting):
    """The config value of setting ``s`` as the session's widgets hold it (default if unset)."""
    ss = st.session_state
    if s.kind == "layers":
        n = ss.get(N_LAYERS_KEY)
        if n is None:
            return s.default
        return tuple((int(ss[layer_keys(i)[0]]), ss[layer_keys(i)[1]]) for i in range(n))
    return s.from_widget(ss[s.key]) if s.key in ss else s.default


def config_from_state() -> Config:
    """The Config the widgets hold now (for callbacks, which run before any widget)."""
    groups = {g: {s.field: read(s) for s in rows(g)} for g in GROUPS}
    return Config(tidy_data(DataConfig(**groups["data"])), NetConfig(**groups["net"]),
                  TrainConfig(**groups["train"]), ViewConfig(**groups["view"]), GridConfig(**groups["grid"]))


PENDING = "pending_widgets"  # session key: {widget key: (old, new, first run that may confirm new)}
RUNS = "page_runs"           # session key: script runs begun in this session


def set_widgets(cfg: Config) -> None:
    """Widget callback: write ``cfg`` into the widgets' session-state keys, and keep each
    changed value pending until a later run shows the browser has it (``settle_widgets``)."""
    write_widgets(widget_state(cfg))


def write_widgets(new: dict) -> None:
    """Widget callback: write widget keys and values ``new``, each changed one kept pending
    until a later run shows the browser has it (``settle_widgets``). Every callback that sets
    a widget's value goes through here."""
    ss = st.session_state
    pending = ss.setdefault(PENDING, {})
    due = ss.get(RUNS, 0) + 2          # this callback's run is RUNS + 1; the run after it may confirm
    for key, value in new.items():
        if ss.get(key) != value:
            pending[key] = (ss.get(key), value, due)
    ss.update(new)


def settle_widgets() -> None:
    """Start of a run: put back what a callback set and a rerun undid.

    A rerun asked for while a run is still being drawn (a component's report, a second click)
    carries every widget's value as the browser held it, from before that run: values a
    callback of that run had set (an opened model file, a lesson, a grid cell) come back as
    they were (streamlit/streamlit#218). A pending value the run sees as its ``old`` is written
    again, whichever run this is: the callback's own run may have been stopped by the racing
    rerun before it reached here. One it sees as the callback's value stays pending until a run
    after the callback's (``due``) confirms it; anything else the learner chose since, and wins."""
    ss = st.session_state
    runs = ss[RUNS] = ss.get(RUNS, 0) + 1
    pending = ss.get(PENDING)
    for key, (old, value, due) in list((pending or {}).items()):
        now = ss.get(key)
        if now == old and old != value:       # the browser's older value, carried back
            ss[key] = value
            pending[key] = (old, value, max(due, runs + 1))
        elif now != value or runs >= due:     # the learner's since, or confirmed
            del pending[key]


def reverted(key: str) -> bool:
    """In widget ``key``'s on_change callback: True when its new value is only the browser's
    older value, carried back by a rerun that raced a callback's run (``settle_widgets`` puts
    the callback's value back at the start of this run). Streamlit calls on_change for it all
    the same, before the script starts: a callback acting on it would undo the other
    callback's work (a lesson's layers replaced by the old dataset's preset)."""
    ss = st.session_state
    entry = (ss.get(PENDING) or {}).get(key)
    return entry is not None and entry[0] != entry[1] and ss.get(key) == entry[0]


KEPT = "kept_widgets"     # session key: each widget's value as the last run began


def keep_widget_state() -> None:
    """Streamlit drops a widget's key at the end of a run that did not draw the widget
    (the chart options on the backpropagation page, the noise slider while own data are
    chosen). Each run records every widget value it starts with and puts back only the
    keys Streamlit dropped, so nothing the learner set is lost. (Re-assigning every key on
    every run, as before, sent each widget's value back to the browser as set by the script:
    a click that landed while such a run was still being drawn, on the page switch say,
    was overwritten, and the next rerun switched the page back.)"""
    ss = st.session_state
    kept = ss.setdefault(KEPT, {})
    for key in widget_state(config_from_state()):
        if key in ss:
            kept[key] = ss[key]
        elif key in kept:
            ss[key] = kept[key]


def init_session() -> None:
    """First run of a session: the configuration from the URL (or defaults), with notices."""
    ss = st.session_state
    live = ss.get("live")
    if live is not None:          # a Play from now on was pressed after this run's changes
        live.page_run_begins()
    if "notices" in ss:
        settle_widgets()
        keep_widget_state()
        return
    cfg, notices = from_query(st.query_params.to_dict())
    ss.update(widget_state(cfg))
    ss["notices"] = notices


def sync_url(cfg: Config) -> None:
    """Keep the address bar equal to the configuration, so the link can be shared."""
    q = to_query(cfg)
    if st.query_params.to_dict() != q:
        st.query_params.from_dict(q)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_data(data_cfg: DataConfig):
    """Generated data are the same for every session: cached (each caller gets a copy)."""
    return build_data(data_cfg)


def effective_data(data: DataConfig) -> DataConfig:
    """Own data chosen but none uploaded yet: the default dataset stays loaded."""
    if data.dataset == OWN_DATA and data.points is None:
        return DataConfig()
    return data


def data_for(data: DataConfig):
    """The DataBundle of ``data`` as the page trains on it: generated data from the cache shared by
    every session, the learner's own points built for this session alone (never cached)."""
    data = effective_data(data)
    return build_data(data) if data.points is not None else cached_data(data)


def current_run(cfg: Config) -> Run:
    """The session's Run for ``cfg``: rebuilt (with a notice) when data or network changed."""
    ss = st.session_state
    cfg = replace(cfg, data=effective_data(cfg.data))
    run: Run | None = ss.get("run")
    if run is not None and run.cfg.data == cfg.data and run.cfg.net == cfg.net:
        if run.cfg.train != cfg.train:
            run.apply_train(cfg.train)
        return run
    data = data_for(cfg.data)
    if run is not None and cfg.data.points is not None and run.cfg.net == cfg.net and run.fits(data):
        run.set_data(cfg, data)           # points drawn or removed: the network learns on from here
        if run.cfg.train != cfg.train:
            run.apply_train(cfg.train)
        return run
    new = Run(cfg, data)
    if run is not None:
        what = "data" if run.cfg.data != cfg.data else "network"
        out = new.net.layers[-1]
        if cfg.data.points is not None and run.cfg.net == cfg.net:
            st.toast(f"The points now need a {out.activation.name} output with {out.size} unit(s), so the network "
                     "was rebuilt with new weights.", icon="🔁")
        else:
            st.toast(f"The {what} changed, so the network was rebuilt with new weights.", icon="🔁")
    ss["run"] = new
    return new


def points_from_upload(upload) -> tuple[OwnPoints | None, str | None]:
    """The learner's points from the uploader's file, checked (``core.user_data``), and an
    error sentence if this file cannot be used. A new good file replaces the kept points;
    a bad one keeps them (nothing is lost)."""
    ss = st.session_state
    error = None
    if upload is not None and ss.get("upload_id") != upload.file_id:
        ss["upload_id"] = upload.file_id
        try:
            pts = read_points(upload.getvalue())
        except ValueError as err:
            ss["upload_error"] = str(err)
        else:
            ss["upload_error"] = None
            ss[POINTS] = OwnPoints.of(pts.X, pts.y, pts.problem, pts.is_test)
    error = ss.get("upload_error")
    return ss.get(POINTS), error


def on_dataset_change() -> None:
    """Picking a dataset loads its sample count and noise (and, if chosen, its recommended network)."""
    if reverted(SETTINGS["ds"].key):
        return                            # not picked: a racing rerun's stale value (settle_widgets)
    cfg = config_from_state()
    if cfg.data.dataset == OWN_DATA:
        return
    new = preset_for_dataset(cfg.data.dataset, cfg)
    if not cfg.view.recommended:
        new = replace(new, net=cfg.net, train=cfg.train)
    set_widgets(new)
