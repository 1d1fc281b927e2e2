"""The backpropagation view: the derivation of docs/derivation.md, one click at a time, with the run's own numbers.

``render(run, big)`` draws it. The numbers come from ``explorer.pages.backprop_math`` (the
engine's forward and backward on a batch of training rows); this file only lays
them out, says in words what each step does, and applies the update when the
learner reaches it. Session keys all start with ``bp_``.
"""
from __future__ import annotations

import copy
import html
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core import gradient_check
from explorer.pages.backprop_math import NOTATIONS, Pass, Step, apply_update, batch_indices, compute_pass, steps
from explorer.figures.matrix import cell_text, matrix_figure
from explorer.live.setup_message import network_view
from explorer.pages.lessons import LESSONS, active_lesson, preset_buttons
from explorer.training.run import Run

SOURCES = ("one example", "a mini-batch")
MODES = ("Step through", "Show all steps")
EPSILONS = (1e-4, 1e-5, 1e-6)
GOOD = 1e-6                       # a relative error below this passes the gradient check
ERR_W, ERR_B = "relative error ∂J/∂W", "relative error ∂J/∂b"
DEFAULTS = {"bp_source": SOURCES[0], "bp_example": 1, "bp_batch": 4, "bp_notation": "rows", "bp_H": False,
            "bp_mode": MODES[0], "bp_step": 0, "bp_eps": "auto", "bp_jac": 1}
PLOT_CONFIG = {"displayModeBar": False}
NOTATION_SHORT = {"rows": "examples as rows", "columns": "examples as columns"}
NOTATION_HELP = ("Both compute the same numbers, and W keeps its shape S_l × S_(l−1) in both. The two forms are "
                 "derived side by side in docs/derivation.md (section 8, \"Two notations for a batch\") in the "
                 "project's repository.")
ROW_CELLS = 16                    # matrix columns per row of charts: every cell gets about the same width
CELL_PX = 84                      # presentation: the narrowest a printed matrix cell may be (18 px numbers)


def render(run: Run, big: bool) -> None:
    """The whole view for ``run``; ``big`` is presentation mode."""
    if not run.trainable:
        st.info("There are no training points yet: draw some on the live view's boundary chart, "
                "then come back to follow one backpropagation pass.", icon=":material/draw:")
        return
    ss = st.session_state
    for key, value in DEFAULTS.items():
        ss.setdefault(key, value)
    nav = None
    if big:              # presentation: the step gets the screen; the choices wait in two expanders
        c = st.columns(2)
        with c[0]:
            _lesson_banner(run)
            with st.expander("Lesson presets", expanded=False):
                preset_buttons("bp_lesson_view_", columns=2)
        with c[1], st.expander("Example, batch and notation", expanded=False):
            idx, example = _batch_controls(run)
    else:                # one row: Back, Next, Start again (filled in below), the choices, the lessons
        _lesson_banner(run)
        bar = st.container(horizontal=True, vertical_alignment="center", key="bp_bar")
        nav = bar.container(horizontal=True, vertical_alignment="center", gap="small", width="content")
        with bar.popover(_choices_label(run), icon=":material/tune:", key="bp_choices",
                         help="Which example or mini-batch, the notation, one step at a time or all steps"):
            idx, example = _batch_controls(run)
        with bar.popover("Lesson presets", icon=":material/school:", key="bp_lessons",
                         help="One click sets up a network that shows one phenomenon; hover a lesson for what "
                              "to look for"):
            preset_buttons("bp_lesson_view_")
    p = _current_pass(run, idx, example)
    all_steps = steps(p, ss["bp_notation"], "H" if ss["bp_H"] else "delta")
    if ss["bp_mode"] == MODES[0]:
        _step_through(run, p, all_steps, big, nav)
    else:
        _show_all(run, p, all_steps, big)
    _gradient_check(run, p, big)


# ---- controls -------------------------------------------------------------------------
def _lesson_banner(run: Run) -> None:
    """The lesson the network still is, and what to look for in it."""
    key = active_lesson(run.cfg)
    if key is not None:
        st.info(f"**Lesson: {LESSONS[key].title}.** {LESSONS[key].look_for}", icon=":material/school:")


def _choices_label(run: Run) -> str:
    """The choices popover's button: what is chosen now (the popover is drawn before its widgets)."""
    ss = st.session_state
    n = min(max(ss["bp_batch"], 2), len(run.data.F_train))
    what = f"Example {ss['bp_example']}" if ss["bp_source"] == SOURCES[0] else f"{n} examples from {ss['bp_example']}"
    return f"{what} · {NOTATION_SHORT[ss['bp_notation']]}"


def _batch_controls(run: Run) -> tuple[np.ndarray, int]:
    """The widgets choosing the batch, the notation and the mode, one under another; returns the batch's
    training rows and the example (within the batch) whose softmax Jacobian is shown.

    Each widget's default is the session's value: in a popover a widget is drawn only when the
    popover opens, and it would start from its default (see ``controls.mounted_default``)."""
    ss, N = st.session_state, len(run.data.F_train)
    if not 1 <= ss["bp_example"] <= N:
        ss["bp_example"] = 1
    batch = min(max(ss["bp_batch"], 2), max(min(16, N), 2))
    if batch != ss["bp_batch"]:          # (assigned only when it changes: see controls.mounted_default)
        ss["bp_batch"] = batch
    st.radio("Backpropagate", SOURCES, index=SOURCES.index(ss["bp_source"]), key="bp_source", on_change=_restart,
             horizontal=True)
    st.slider("Example (training row)" if ss["bp_source"] == SOURCES[0] else "First example of the batch",
              1, N, value=ss["bp_example"], key="bp_example", on_change=_restart)
    n = 1
    if ss["bp_source"] == SOURCES[1] and N >= 2:
        n = st.slider("Batch size n", 2, min(16, N), value=ss["bp_batch"], key="bp_batch", on_change=_restart,
                      help="Rows spread evenly over the training set, starting at the chosen example")
    st.radio("Notation", list(NOTATIONS), index=list(NOTATIONS).index(ss["bp_notation"]), key="bp_notation",
             format_func=NOTATIONS.get, help=NOTATION_HELP)
    st.toggle("Write δ as H and ∂L/∂A as Δ", value=bool(ss["bp_H"]), key="bp_H",
              help="The names of the examples-as-columns form: see docs/derivation.md (section 8) in the "
                   "project's repository")
    if ss.get("bp_mode") not in MODES:
        ss["bp_mode"] = MODES[0]         # a second click on the chosen mode unselects it: keep stepping
    st.segmented_control("Mode", MODES, default=ss["bp_mode"], key="bp_mode", label_visibility="collapsed")
    example = 0
    if run.net.output == "softmax" and n > 1:
        if ss["bp_jac"] > n:
            ss["bp_jac"] = n
        example = st.slider("Softmax Jacobian of example", 1, n, value=ss["bp_jac"], key="bp_jac") - 1
    return batch_indices(N, ss["bp_example"] - 1, n), example


def _restart() -> None:
    st.session_state["bp_step"] = 0
    st.session_state.pop("bp_pass", None)


def _current_pass(run: Run, idx: np.ndarray, example: int) -> Pass:
    """The pass for this batch and these weights, kept across reruns (and after its update was applied)."""
    ss, tr = st.session_state, run.trainer
    key = (id(run), run.version, tuple(idx), tr.learning_rate, tr.l1, tr.l2, example)
    stored = ss.get("bp_pass")
    if stored is not None and stored[0] == key:
        return stored[1]
    d = run.data
    p = compute_pass(run.net, d.F_train[idx], run.net.targets(d.y_train[idx]), tr.learning_rate, tr.l1, tr.l2, example)
    ss["bp_pass"] = (key, p)
    return p


def _apply(run: Run, p: Pass) -> None:
    """Apply the pass's update to the run's network; the same pass stays on screen, marked applied."""
    ss = st.session_state
    stored = ss.get("bp_pass")
    if ss.get("run") is not run or stored is None or stored[1] is not p:
        _restart()                  # the network was rebuilt meanwhile: these numbers belong to no network
        return
    apply_update(run.net, p)
    run.version += 1
    ss["bp_pass"] = (stored[0][:1] + (run.version,) + stored[0][2:], p)


def _next(run: Run, p: Pass, n_steps: int) -> None:
    ss = st.session_state
    ss["bp_step"] = min(ss["bp_step"] + 1, n_steps - 1)
    if ss["bp_step"] == n_steps - 1 and not p.applied:
        _apply(run, p)


def _back() -> None:
    st.session_state["bp_step"] = max(st.session_state["bp_step"] - 1, 0)


# ---- the steps --------------------------------------------------------------------------
def _step_through(run: Run, p: Pass, all_steps: list[Step], big: bool, nav=None) -> None:
    """One step on the screen; ``nav`` (outside presentation) is the row's place for the step buttons."""
    ss = st.session_state
    ss["bp_step"] = min(ss["bp_step"], len(all_steps) - 1)
    i = ss["bp_step"]
    nxt = all_steps[i + 1].title if i + 1 < len(all_steps) else None
    label = ("Update the weights" if nxt == "Update" else f"Next: {nxt}") if nxt else "Done"
    trail = " → ".join(f"**{s.title}**" if j == i else s.title for j, s in enumerate(all_steps))
    if big:                          # one screen per step: buttons, formulas, numbers | trail, diagram, words
        left, right = st.columns([2.4, 1], gap="medium")
        with left:
            _step_buttons(run, p, all_steps, i, label, nxt, st.columns([1, 2.2, 1.8], vertical_alignment="center"))
        right.caption(trail)
        _show_step_big(run, p, all_steps[i], i, left, right)
        return
    _step_buttons(run, p, all_steps, i, label, nxt, [nav] * 3, width="content")
    st.caption(trail)
    _show_step(run, p, all_steps[i], i, big, diagram=True)


def _step_buttons(run: Run, p: Pass, all_steps: list[Step], i: int, label: str, nxt: str | None, c,
                  width: str = "stretch") -> None:
    """Back, Next (or Update the weights) and Start again, in the first three of ``c`` (columns, each
    button as wide as its column; or one row's container repeated, with ``width="content"``)."""
    c[0].button("Back", key="bp_back", icon=":material/arrow_back:", on_click=_back, disabled=i == 0,
                width=width)
    c[1].button(label, key="bp_next", icon=":material/arrow_forward:", type="primary", disabled=nxt is None,
                on_click=_next, args=(run, p, len(all_steps)), width=width,
                help="The Update step applies W ← W − η ∂J/∂W to the network" if nxt == "Update" else None)
    c[2].button("Start again", key="bp_restart",
                icon=":material/restart_alt:", on_click=_restart, width=width,
                help="Back to the first step, with the network's current weights")


def _show_all(run: Run, p: Pass, all_steps: list[Step], big: bool) -> None:
    st.plotly_chart(go.Figure(network_view(run, run.grid_activations(), big, 420 if big else 300)),
                    key="bp_diagram_all", config=PLOT_CONFIG)
    for i, step in enumerate(all_steps):
        st.divider()
        _show_step(run, p, step, i, big, diagram=False)
    if not p.applied:
        st.button("Apply this update to the network", key="bp_apply", type="primary", on_click=_apply,
                  args=(run, p), icon=":material/check:")


def _show_step(run: Run, p: Pass, step: Step, i: int, big: bool, diagram: bool) -> None:
    """Title, what it does and (in step mode) the highlighted diagram; the formulas; the matrices."""
    st.markdown(f"{'###' if big else '####'} {step.title}")
    if diagram:          # what it does and its formulas beside the highlighted layer, then the numbers
        left, right = st.columns([3, 2], vertical_alignment="top")
        left.markdown(note(step, p, run) + numbers_text(step), unsafe_allow_html=True)
        for formula in step.formulas:
            left.latex(formula)
        right.plotly_chart(go.Figure(network_view(run, run.grid_activations(), big, 320 if big else 240,
                                                  highlight=step.column)), key=f"bp_diagram_{i}", config=PLOT_CONFIG)
    else:
        st.markdown(note(step, p, run) + numbers_text(step), unsafe_allow_html=True)
        for formula in step.formulas:
            st.latex(formula)
    _matrices(step, i, big)


def _show_step_big(run: Run, p: Pass, step: Step, i: int, left, right) -> None:
    """Presentation mode, one screen per step: the formulas and their numbers (left), the
    highlighted layer and what the step does (right), side by side under the step buttons."""
    with left:
        pairs = st.columns(2) if len(step.formulas) > 3 else [st.container()]
        for k, formula in enumerate(step.formulas):                 # four (a backward step): two by two
            with pairs[k % len(pairs)]:
                st.latex(formula)
        units = sum(_width(m) for m in step.matrices)
        _matrices(step, i, True, budget=units, most=len(step.matrices), spacer=False)
        # One row of numbers; each matrix column at least CELL_PX wide, the row scrolls if it must.
        st.html(f"<style>.st-key-bp_mats_{i} div[data-testid='stHorizontalBlock'] "
                f"{{min-width: {units * CELL_PX}px !important;}}</style>")
    with right:
        st.plotly_chart(go.Figure(network_view(run, run.grid_activations(), True, 220, highlight=step.column)),
                        key=f"bp_diagram_{i}", config=PLOT_CONFIG)
        with st.container(key="bp_note"):
            st.markdown(f"**{step.title}.** " + note(step, p, run) + numbers_text(step), unsafe_allow_html=True)


def _matrices(step: Step, i: int, big: bool, budget: int = ROW_CELLS, most: int = 4, spacer: bool = True) -> None:
    """The step's matrices in rows of charts; on a narrow screen each row scrolls sideways
    (the page's CSS gives rows in a ``bp_mats`` container a minimum width) instead of
    squeezing the cells until the numbers overflow."""
    k = 0
    with st.container(key=f"bp_mats_{i}"):
        for row in pack(step.matrices, budget, most):
            widths = [_width(m) for m in row]
            cols = st.columns(widths + ([budget - sum(widths)] if spacer and sum(widths) < budget else []))
            for col, m in zip(cols, row):
                with col:
                    st.plotly_chart(go.Figure(matrix_figure(m.values, m.label, big)), key=f"bp_m_{i}_{k}",
                                    config=PLOT_CONFIG)
                k += 1


def numbers_text(step: Step, most: int = 64) -> str:
    """The step's matrices as text, for screen readers (the charts' text alternative): each
    matrix's name, shape and, when it has at most ``most`` entries, its rows of values."""
    parts = []
    for m in step.matrices:
        r, c = m.values.shape
        name = re.sub(r"<[^>]+>", "", m.label)
        rows = "; ".join(", ".join(cell_text(float(v)) for v in row) for row in m.values) if r * c <= most else ""
        parts.append(f"{html.escape(name)} ({r} × {c}){': ' + rows if rows else ''}")
    return f"<span class='sr-only'>Numbers of this step. {'. '.join(parts)}.</span>" if parts else ""


def _width(m) -> int:
    return min(max(m.values.shape[1], 3), 16)


def pack(mats: list, budget: int, most: int = 4) -> list[list]:
    """Matrices in rows of at most ``most``, each row at most ``budget`` matrix columns wide (a cell is
    about as wide in every row, so the printed numbers fit)."""
    rows, used = [[]], 0
    for m in mats:
        if rows[-1] and (used + _width(m) > budget or len(rows[-1]) == most):
            rows.append([])
            used = 0
        rows[-1].append(m)
        used += _width(m)
    return [r for r in rows if r]


def note(step: Step, p: Pass, run: Run) -> str:
    """What a step does, in a sentence or three (the formulas are those of docs/derivation.md)."""
    by = "row" if st.session_state["bp_notation"] == "rows" else "column"
    if step.kind == "forward":
        act = p.activations[step.layer - 1]
        first = " The input layer's activations are the features themselves." if step.layer == 1 else ""
        return (f"Layer {step.layer} weighs the previous layer's activations with W, adds its bias and passes "
                f"the result through {act}. Each {by} of Z and A belongs to one example.{first}")
    if step.kind == "output":
        gap = float(np.max(np.abs(p.bwd.delta[-1] - p.generic.delta[-1])))
        out = p.activations[-1]
        same = ("the two agree to the last bit" if gap == 0 else
                f"the largest difference between the two routes here is {gap:.1e}")
        if p.fused and out == "sigmoid":
            return ("A sigmoid output scored by binary cross-entropy needs no chain of factors: σ′ = a(1 − a) "
                    "cancels the denominator of ∂L/∂a, leaving prediction minus target. The engine takes that "
                    f"shortcut; the long route ∂L/∂A ⊙ σ′(Z) is computed beside it, and {same}.")
        if p.fused:
            return ("Each softmax output depends on every z, so its derivative is a K × K Jacobian per example. "
                    "Multiplied by the cross-entropy gradient −y/ŷ, everything cancels except ŷ − y. The engine "
                    f"takes that shortcut; the full Jacobian route is computed beside it, and {same}.")
        if out == "softmax":
            return (f"With {p.loss} on a softmax there is no shortcut: each example's δ is its ∂L/∂a multiplied "
                    f"by the softmax Jacobian a_j(𝟙[j = k] − a_k), shown here for example {p.example + 1}.")
        return ("∂L/∂A measures how the loss moves with each output; multiplied element by element with σ′(Z) "
                "it becomes δ, the error of each unit's weighted input z.")
    if step.kind == "backward":
        grad = ("The weight gradient averages, over the batch, each example's δ times the activations that fed "
                f"the layer (n = {p.n}); the bias gradient averages δ alone.")
        if step.layer == p.L:
            return grad
        return (f"The error of layer {step.layer + 1} travels back along the same weights that carried the signal "
                f"forward, transposed, and σ′(Z) of layer {step.layer} scales it unit by unit. " + grad)
    opt = run.trainer.optimizer
    where = "" if opt == "sgd" else (f" This is plain gradient descent; the live view's {opt} optimizer keeps its "
                                     "own state and is not used here.")
    done = (" **Applied:** the network now holds the new weights and the live view continues from them."
            if p.applied else " Clicking Update applies it to the network.")
    return f"Every weight and bias moves against its gradient, η = {p.eta:g} times as far.{where}{done}"


# ---- gradient check ------------------------------------------------------------------------
def gradient_table(run: Run, p: Pass, eps: float | str = "auto") -> pd.DataFrame:
    """Central differences against backprop, per layer, on the pass's batch and the current weights (float64).

    ``eps="auto"`` runs every ε of EPSILONS and keeps, per layer, the one with the smaller error: a large ε
    suffers from curvature (and ReLU kinks), a small one from rounding, and which wins depends on the layer.
    """
    if run.net.dtype != np.float64:
        raise ValueError(f"the gradient check needs float64 weights, the network has {run.net.dtype}")
    best = {}                       # layer -> (LayerCheck, ε)
    for e in (EPSILONS if eps == "auto" else (eps,)):
        for c in gradient_check(copy.deepcopy(run.net), p.X, p.T, p.l1, p.l2, eps=e, max_entries=64):
            if c.layer not in best or _worst(c) < _worst(best[c.layer][0]):
                best[c.layer] = (c, e)
    return pd.DataFrame([{"layer": c.layer, ERR_W: c.rel_error_W, ERR_B: c.rel_error_b, "ε": e,
                          "entries checked": c.n_checked} for c, e in best.values()])


def _eps_text(e) -> str:
    return e if e == "auto" else f"{e:.0e}"


def _worst(c) -> float:
    return max(c.rel_error_W, c.rel_error_b)


def _gradient_check(run: Run, p: Pass, big: bool) -> None:
    st.divider()
    st.markdown(f"{'###' if big else '####'} Gradient check")
    c = st.columns([3, 1], vertical_alignment="bottom")
    c[0].markdown("Each gradient from backpropagation against the central difference "
                  "(J(θ + ε) − J(θ − ε)) / 2ε on the same batch, with the network's current weights, in float64. "
                  f"Relative error ‖g − g̃‖ / (‖g‖ + ‖g̃‖); green below {GOOD:.0e}.")
    c[1].select_slider("ε", ("auto",) + EPSILONS, key="bp_eps", help="auto: per layer, the best of 1e-4, 1e-5, 1e-6",
                       format_func=_eps_text)
    df = gradient_table(run, p, st.session_state["bp_eps"])
    errs = [ERR_W, ERR_B]
    style = df.style.format({**{k: "{:.2e}" for k in errs}, "ε": "{:.0e}"}).map(
        lambda v: f"background-color: {'#d4f4dd' if v < GOOD else '#fbd5d5'}", subset=errs)
    st.dataframe(style, hide_index=True)
    if not (df[errs] >= GOOD).any().any():
        return
    J = run.net.cost(p.X, p.T, p.l1, p.l2)
    if not np.isfinite(J) or J > 1e12:
        st.caption(f"The cost on this batch is {J:.1e}: float64 keeps 16 digits, far too few to see J change by "
                   "ε here, so the check fails for the numbers, not for backpropagation.")
    elif any(a in ("relu", "leaky_relu") for a in p.activations):
        st.caption("A ReLU whose z sits exactly at 0 (or within ε of it) has no derivative there: the two "
                   "estimates then disagree for a reason that has nothing to do with backpropagation.")
