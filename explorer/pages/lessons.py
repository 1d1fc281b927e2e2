"""Lesson presets: one click sets up a network that shows one phenomenon of backprop.

Each lesson is a full ``Config`` (data, network, training) and one sentence saying
what to look for. ``apply_lesson`` is a widget callback: it writes the config into
the sidebar's widget keys (``explorer.pages.widget_state.set_widgets``) and drops the session's
Run so the next script run builds the new network. ``preset_buttons`` draws one
button per lesson; pass a distinct ``key_prefix`` wherever it is drawn twice.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import streamlit as st

from explorer.choices.config import Config, DataConfig, NetConfig, TrainConfig
from explorer.pages.widget_state import config_from_state, set_widgets

XY = ("x1", "x2")


@dataclass(frozen=True)
class Lesson:
    title: str
    look_for: str       # one sentence: what the learner should watch
    config: Config


def _cfg(dataset, n, noise, hidden, init, optimizer, lr, seed=2) -> Config:
    return Config(DataConfig(dataset=dataset, n_samples=n, noise=noise, features=XY),
                  NetConfig(hidden=tuple(hidden), init=init, seed=seed),
                  TrainConfig(optimizer=optimizer, learning_rate=lr))


LESSONS: dict[str, Lesson] = {
    "flower": Lesson(
        "Ng's flower",
        "Andrew Ng's course network (4 tanh units, a sigmoid output, cross-entropy, weights × 0.01, η = 1.2): "
        "its output error is exactly a − t, and after a few hundred epochs the boundary grows petals.",
        _cfg("planar", 400, 0.2, [(4, "tanh")], "small_gaussian", "sgd", 1.2)),
    "vanishing": Lesson(
        "Vanishing gradients",
        "Six sigmoid layers each pass back at most a quarter of the error (σ′ ≤ ¼): switch the gradient chart "
        "to mean |δ| per layer and see δ shrink about four orders of magnitude from the output back to layer 1 "
        "(‖∂J/∂W‖ shows the same gap in the first epochs), while accuracy stays near 50%.",
        _cfg("circle", 500, 0.0, [(8, "sigmoid")] * 6, "xavier", "sgd", 0.1)),
    "exploding": Lesson(
        "Exploding gradients",
        "Weights drawn with standard deviation 3 amplify the signal at every layer: switch the gradient chart to "
        "mean |δ| per layer and see δ grow several-fold with each layer it travels back through; the very first "
        "update throws the loss past 1e40 and training stops.",
        _cfg("reg_plane", 1200, 0.0, [(8, "leaky_relu")] * 4, "large_gaussian", "sgd", 0.03)),
    "dead_relu": Lesson(
        "Dead ReLUs",
        "At η = 3 a few big steps push some units' z below zero for every input: their tiles turn flat, their "
        "rows of δ and ∂J/∂W are exactly 0 in the backward steps, and nothing can bring them back.",
        _cfg("circle", 500, 0.0, [(8, "relu"), (8, "relu")], "he", "sgd", 3.0)),
    "xor_linear": Lesson(
        "XOR, no hidden layer",
        "With no hidden layer the boundary can only be one straight line, so the opposite corners of XOR "
        "never separate and accuracy stays far from 100% however long you train.",
        _cfg("xor", 500, 0.0, [], "xavier", "adam", 0.03)),
    "xor_hidden": Lesson(
        "XOR, one hidden layer",
        "Four tanh units bend the boundary: compare with the previous preset, the same data now reaches "
        "over 90% accuracy within a few hundred epochs.",
        _cfg("xor", 500, 0.0, [(4, "tanh")], "xavier", "adam", 0.03)),
    "lr_diverges": Lesson(
        "Learning rate too large",
        "At η = 10 each step overshoots the minimum by more than it corrects, so the loss grows by orders of "
        "magnitude every few epochs; set η to 0.03 and the same network converges.",
        _cfg("reg_plane", 1200, 0.0, [(2, "tanh")], "xavier", "sgd", 10.0)),
    # The effect of the initialisation (TF Playground #1, #198): one network, three starts.
    "init_zero": Lesson(
        "Start: all weights 0",
        "Every weight starts at 0, so every tanh unit outputs 0 for every point: the units of a layer are "
        "identical (the same flat tile) and no error flows back through weights of 0, so the hidden layers "
        "never move and accuracy stays at 50%. The next two presets start the same network otherwise.",
        _cfg("circle", 500, 0.0, [(8, "tanh")] * 3, "zero", "sgd", 0.3)),
    "init_large": Lesson(
        "Start: weights too large",
        "Weights drawn with standard deviation 3 drive most tanh units to ±1 (hard two-tone tiles; the "
        "Histograms chart option shows about 60–80% of each layer saturated): there σ′ ≈ 0, so little error gets "
        "back and the same network crawls, about 70% after 100 epochs, short of 100% after 600.",
        _cfg("circle", 500, 0.0, [(8, "tanh")] * 3, "large_gaussian", "sgd", 0.3)),
    "init_xavier": Lesson(
        "Start: Xavier",
        "The same network from Xavier's start (standard deviation √(2/(fan_in + fan_out))): every unit begins "
        "different and unsaturated, so the error flows back through all three layers and the ring is "
        "separated within 50 epochs.",
        _cfg("circle", 500, 0.0, [(8, "tanh")] * 3, "xavier", "sgd", 0.3)),
}


def apply_lesson(key: str) -> None:
    """Widget callback: load lesson ``key`` into the widgets and force a fresh Run."""
    lesson = LESSONS[key]
    ss = st.session_state
    set_widgets(replace(lesson.config, view=config_from_state().view))   # the view stays as it is
    ss.pop("run", None)
    ss["bp_lesson"] = key
    for k in [k for k in ss if k.startswith("bp_pass")] + ["bp_step"]:
        ss.pop(k, None)


def active_lesson(cfg: Config) -> str | None:
    """The lesson whose configuration ``cfg`` still is (None once the learner changed it)."""
    key = st.session_state.get("bp_lesson")
    if key not in LESSONS:
        return None
    lesson = LESSONS[key].config
    return key if (lesson.data, lesson.net, lesson.train) == (cfg.data, cfg.net, cfg.train) else None


def preset_buttons(key_prefix: str = "bp_lesson_sidebar_", columns: int = 1) -> None:
    """One button per lesson (its sentence as the tooltip); ``key_prefix`` keeps keys unique."""
    cols = st.columns(columns)
    for i, (key, lesson) in enumerate(LESSONS.items()):
        cols[i % columns].button(lesson.title, key=key_prefix + key, help=lesson.look_for, on_click=apply_lesson,
                                 args=(key,), width="stretch")
