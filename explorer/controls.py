"""The sidebar: data, network builder and training settings.

Widgets read and write ``st.session_state`` under the keys of ``explorer.state``;
they compute nothing. Choices come from the engine's registries.
"""
from __future__ import annotations

import streamlit as st

from core import HIDDEN_ACTIVATIONS, INITIALIZERS, OPTIMIZERS, datasets
from core.features import FEATURES
from core.initializers import INITIALIZER_TITLES
from core.user_data import load_csv
from .config import LEARNING_RATES, LOSS_CHOICES, MAX_HIDDEN_LAYERS, MAX_WIDTH, OUTPUTS, OWN_DATA
from .figures.preview import preview_png
from .state import on_dataset_change

DATASET_NAMES = list(datasets.DATASETS) + [OWN_DATA]


def _title(name: str) -> str:
    return "Your own data (CSV)" if name == OWN_DATA else datasets.DATASETS[name].title


@st.cache_data(show_spinner=False)
def _preview(name: str, n_classes: int | None) -> bytes:
    spec = datasets.DATASETS[name]
    X, y = datasets.make(name, n_samples=min(spec.default_n_samples, 500),
                         n_classes=n_classes if spec.multiclass else None)
    return preview_png(X, y, spec.problem, n_classes or spec.n_classes or 2)


def data_controls() -> None:
    ss = st.session_state
    st.selectbox("Dataset", DATASET_NAMES, key="ds", format_func=_title, on_change=on_dataset_change)
    if ss["ds"] == OWN_DATA:
        _own_data()
    else:
        spec = datasets.DATASETS[ss["ds"]]
        c1, c2 = st.columns([1, 2])
        c1.image(_preview(spec.name, ss["k"] if spec.multiclass else None), width=96)
        c2.caption(spec.description)
        if spec.multiclass:
            st.slider("Classes", *spec.class_range, key="k")
        st.slider("Samples", 50, 2000 if spec.default_n_samples <= 2000 else datasets.MAX_SAMPLES, step=50, key="n")
        st.slider("Noise", 0.0, 1.0 if spec.default_noise <= 1.0 else 3.0, step=0.05, key="noise")
        st.number_input("Data seed", 0, 2**32 - 1, key="dseed")
        st.button("New data", icon=":material/refresh:", on_click=_new_seed, use_container_width=True,
                  help="Draw another sample with a new seed")
    st.slider("Test share", 0.0, 0.9, step=0.05, key="test", help="Share of the points held out as test data")
    st.multiselect("Input features", list(FEATURES), key="feat", format_func=lambda f: FEATURES[f].label,
                   help="What the network sees, as in TF Playground")
    st.checkbox("Standardise features", key="std", help="Zero mean and unit variance, fitted on the training points")
    with st.expander("Browse all datasets"):
        cols = st.columns(3)
        for i, name in enumerate(datasets.DATASETS):
            spec = datasets.DATASETS[name]
            cols[i % 3].image(_preview(name, spec.n_classes if spec.multiclass else None), caption=spec.title,
                              width=88)


def _new_seed() -> None:
    st.session_state["dseed"] = (int(st.session_state["dseed"]) * 7919 + 1) % 100_000


def _own_data() -> None:
    ss = st.session_state
    up = st.file_uploader("CSV with columns x1, x2 and label (or target)", type=["csv", "txt"], key="upload")
    if up is not None and ss.get("upload_id") != up.file_id:
        ss["upload_id"] = up.file_id
        try:
            X, y, problem = load_csv(up.getvalue())
        except ValueError as err:
            ss["upload_error"] = str(err)
        else:
            ss["upload_error"] = None
            ss["own_data"] = (X, y, problem)
            ss["own_version"] = ss.get("own_version", 0) + 1
    if ss.get("upload_error"):
        st.error(f"That file cannot be used: {ss['upload_error']}")
    if ss.get("own_data") is None:
        st.info("Upload a CSV to train on your own points. Until then the flower data stay loaded.")


def network_controls() -> None:
    ss = st.session_state
    st.caption("Hidden layers (the output layer follows from the data)")
    for i in range(ss["n_hidden"]):
        head, rm = st.columns([5, 1], vertical_alignment="center")
        head.markdown(f"**Layer {i + 1}**")
        rm.button("", key=f"rm{i}", icon=":material/close:", type="tertiary", on_click=_remove_layer, args=(i,),
                  help=f"Remove layer {i + 1}")
        c1, c2 = st.columns([2, 3])
        c1.number_input(f"Layer {i + 1} units", 1, MAX_WIDTH, key=f"w{i}", label_visibility="collapsed")
        c2.selectbox(f"Layer {i + 1} activation", HIDDEN_ACTIVATIONS, key=f"a{i}", label_visibility="collapsed")
    st.button("Add hidden layer", icon=":material/add:", on_click=_add_layer,
              disabled=ss["n_hidden"] >= MAX_HIDDEN_LAYERS, use_container_width=True)
    c1, c2 = st.columns(2)
    c1.selectbox("Output", OUTPUTS, key="out", help="auto: sigmoid for 2 classes, softmax for K, linear for regression")
    c2.selectbox("Loss", LOSS_CHOICES, key="loss")
    st.selectbox("Initialiser", list(INITIALIZERS), key="init", format_func=INITIALIZER_TITLES.get)
    st.number_input("Weights seed", 0, 2**32 - 1, key="seed")


def _add_layer() -> None:
    ss = st.session_state
    i = ss["n_hidden"]
    ss[f"w{i}"] = ss.get(f"w{i - 1}", 4) if i else 4
    ss[f"a{i}"] = ss.get(f"a{i - 1}", "tanh") if i else "tanh"
    ss["n_hidden"] = i + 1


def _remove_layer(i: int) -> None:
    ss = st.session_state
    n = ss["n_hidden"]
    for j in range(i, n - 1):
        ss[f"w{j}"], ss[f"a{j}"] = ss[f"w{j + 1}"], ss[f"a{j + 1}"]
    ss["n_hidden"] = n - 1


def training_controls() -> None:
    ss = st.session_state
    st.selectbox("Optimizer", list(OPTIMIZERS), key="opt", format_func=lambda k: OPTIMIZERS[k].title)
    st.select_slider("Learning rate η", options=_lr_options(), key="lr")
    c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
    c1.checkbox("Full batch", key="bs_full")
    c2.slider("Batch size", 1, 256, key="bs", disabled=ss["bs_full"])
    c1, c2 = st.columns(2)
    c1.selectbox("Regularisation", ["none", "L1", "L2"], key="reg")
    c2.select_slider("Rate", options=[0.0, 0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0],
                     key="reg_rate", disabled=ss["reg"] == "none")
    st.caption("These change live, without a reset.")


def _lr_options() -> list[float]:
    lr = float(st.session_state["lr"])
    return sorted(set(LEARNING_RATES) | {lr})


def view_controls() -> None:
    st.checkbox("Use each dataset's recommended network", key="recommended")
