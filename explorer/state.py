"""Session state: the configuration read from the widgets, the URL kept in step,
and the learner's Run rebuilt only when data or architecture change.

Widget keys are the URL keys of ``explorer.query`` (plus ``w{i}``/``a{i}`` for
hidden layer i), so a shared link fills the widgets directly.
"""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from core import datasets
from .config import Config, DataConfig, NetConfig, TrainConfig, OWN_DATA, preset_for_dataset
from .query import from_query, to_query
from .run import Run, build_data

VIEW_KEYS = {"discretize": False, "show_test": True, "log_loss": False, "pres": False, "grad_key": "grad_norm",
             "recommended": True, "page": "Live training"}


def widget_values(cfg: Config) -> dict:
    """The widget keys and values that show ``cfg``."""
    d, n, t = cfg.data, cfg.net, cfg.train
    values = {"ds": d.dataset, "n": d.n_samples, "noise": float(d.noise), "k": d.n_classes or 3,
              "test": float(d.test_ratio), "dseed": d.seed, "feat": list(d.features), "std": d.standardize,
              "n_hidden": len(n.hidden), "out": n.output, "loss": n.loss, "init": n.init, "seed": n.seed,
              "opt": t.optimizer, "lr": t.learning_rate, "bs_full": t.batch_size is None,
              "bs": t.batch_size or 10, "reg": "L1" if t.l1 else ("L2" if t.l2 else "none"),
              "reg_rate": t.l1 or t.l2 or 0.001}
    for i, (w, a) in enumerate(n.hidden):
        values[f"w{i}"], values[f"a{i}"] = w, a
    return values


def set_widgets(cfg: Config) -> None:
    """Write ``cfg`` into the widgets' session-state keys (call from callbacks or before widgets)."""
    for key, value in widget_values(cfg).items():
        st.session_state[key] = value


def keep_widget_state() -> None:
    """Streamlit drops a widget's key at the end of a run that did not draw the widget
    (e.g. the noise slider while own data are chosen). Re-assigning every key at the top
    of the run makes it session state proper, so nothing the learner set is lost."""
    ss = st.session_state
    n = ss.get("n_hidden", 0)
    keys = list(widget_values(Config())) + list(VIEW_KEYS) + [f"{p}{i}" for i in range(n) for p in ("w", "a")]
    for key in keys:
        if key in ss:
            ss[key] = ss[key]


def init_session() -> None:
    """First run of a session: the configuration from the URL (or defaults), with notices."""
    ss = st.session_state
    if "initialised" in ss:
        keep_widget_state()
        return
    cfg, notices = from_query(st.query_params.to_dict())
    set_widgets(cfg)
    for key, value in VIEW_KEYS.items():
        ss.setdefault(key, value)
    if st.query_params.get("present") == "1":
        ss["pres"] = True
    ss["notices"] = notices
    ss["initialised"] = True


def config_from_widgets() -> Config:
    """The Config the widgets show now."""
    ss = st.session_state
    spec = datasets.DATASETS.get(ss["ds"])
    multi = spec is not None and spec.multiclass
    data = DataConfig(ss["ds"], int(ss["n"]), float(ss["noise"]), int(ss["k"]) if multi else None,
                      float(ss["test"]), int(ss["dseed"]), tuple(ss["feat"]) or ("x1", "x2"), bool(ss["std"]))
    hidden = tuple((int(ss[f"w{i}"]), ss[f"a{i}"]) for i in range(ss["n_hidden"]))
    net = NetConfig(hidden, ss["out"], ss["loss"], ss["init"], int(ss["seed"]))
    rate = float(ss["reg_rate"])
    train = TrainConfig(ss["opt"], float(ss["lr"]), None if ss["bs_full"] else int(ss["bs"]),
                        rate if ss["reg"] == "L1" else 0.0, rate if ss["reg"] == "L2" else 0.0)
    return Config(data, net, train)


def sync_url(cfg: Config) -> None:
    """Keep the address bar equal to the configuration, so the link can be shared."""
    q = to_query(cfg)
    if st.session_state.get("pres"):
        q["present"] = "1"
    if st.query_params.to_dict() != q:
        st.query_params.from_dict(q)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_data(data_cfg: DataConfig):
    """Generated data are the same for every session: cached (each caller gets a copy)."""
    return build_data(data_cfg)


def effective_data(data: DataConfig) -> DataConfig:
    """Own data chosen but nothing uploaded yet: the default dataset stays loaded."""
    if data.dataset == OWN_DATA and st.session_state.get("own_data") is None:
        return DataConfig()
    return data


def current_run(cfg: Config) -> Run:
    """The session's Run for ``cfg``: rebuilt (with a notice) when data or network changed."""
    ss = st.session_state
    cfg = replace(cfg, data=effective_data(cfg.data))
    run: Run | None = ss.get("run")
    if run is not None and run.cfg.data == cfg.data and run.cfg.net == cfg.net \
            and ss.get("own_version") == ss.get("run_own_version"):
        if run.cfg.train != cfg.train:
            run.apply_train(cfg.train)
        return run
    own = ss.get("own_data") if cfg.data.dataset == OWN_DATA else None
    data = build_data(cfg.data, own) if own is not None else cached_data(cfg.data)
    new = Run(cfg, data)
    if run is not None:
        what = "data" if run.cfg.data != cfg.data else "network"
        st.toast(f"The {what} changed, so the network was rebuilt with new weights.", icon="🔁")
    ss["run"] = new
    ss["run_own_version"] = ss.get("own_version")
    return new


def on_dataset_change() -> None:
    """Picking a dataset loads its sample count and noise (and, if chosen, its recommended network)."""
    ss = st.session_state
    name = ss["ds"]
    if name == OWN_DATA:
        return
    cfg = config_from_widgets()
    new = preset_for_dataset(name, cfg)
    if not ss.get("recommended", True):
        new = replace(new, net=cfg.net, train=cfg.train)
    set_widgets(new)
