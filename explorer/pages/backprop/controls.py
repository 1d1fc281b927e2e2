"""The backprop view's controls and what they do: the lesson banner, the choices (example or
mini-batch, notation, mode), the step buttons, and the pass they act on, kept in session state.

Session keys all start with ``bp_``. ``current_pass`` keeps the pass across reruns, and
Next on the last step applies its update to the run's network (``apply``).
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.pages.backprop.notation import NOTATIONS
from explorer.pages.backprop.one_pass import Pass, apply_update, batch_indices, compute_pass, eta_used
from explorer.pages.backprop.steps import Step
from explorer.pages.lessons import LESSONS, active_lesson
from explorer.training.run import Run

SOURCES = ("one example", "a mini-batch")
MODES = ("Step through", "Show all steps")
DEFAULTS = {"bp_source": SOURCES[0], "bp_example": 1, "bp_batch": 4, "bp_notation": "rows", "bp_H": False,
            "bp_mode": MODES[0], "bp_step": 0, "bp_eps": "auto", "bp_jac": 1}
NOTATION_SHORT = {"rows": "examples as rows", "columns": "examples as columns"}
NOTATION_HELP = ("Both compute the same numbers, and W keeps its shape S_l × S_(l−1) in both. The two forms are "
                 "derived side by side in docs/derivation.md (section 8, \"Two notations for a batch\") in the "
                 "project's repository.")


def lesson_banner(run: Run) -> None:
    """The lesson the network still is, and what to look for in it."""
    key = active_lesson(run.cfg)
    if key is not None:
        st.info(f"**Lesson: {LESSONS[key].title}.** {LESSONS[key].look_for}", icon=":material/school:")


def choices_label(run: Run) -> str:
    """The choices popover's button: what is chosen now (the popover is drawn before its widgets)."""
    ss = st.session_state
    n = min(max(ss["bp_batch"], 2), len(run.data.F_train))
    what = f"Example {ss['bp_example']}" if ss["bp_source"] == SOURCES[0] else f"{n} examples from {ss['bp_example']}"
    return f"{what} · {NOTATION_SHORT[ss['bp_notation']]}"


def batch_controls(run: Run) -> tuple[np.ndarray, int]:
    """The widgets choosing the batch, the notation and the mode, one under another; returns the batch's
    training rows and the example (within the batch) whose output Jacobian is shown.

    Each widget's default is the session's value: in a popover a widget is drawn only when the
    popover opens, and it would start from its default (see ``sidebar.mounted_default``)."""
    ss, N = st.session_state, len(run.data.F_train)
    if not 1 <= ss["bp_example"] <= N:
        ss["bp_example"] = 1
    batch = min(max(ss["bp_batch"], 2), max(min(16, N), 2))
    if batch != ss["bp_batch"]:          # (assigned only when it changes: see sidebar.mounted_default)
        ss["bp_batch"] = batch
    st.radio("Backpropagate", SOURCES, index=SOURCES.index(ss["bp_source"]), key="bp_source", on_change=restart,
             horizontal=True)
    st.slider("Example (training row)" if ss["bp_source"] == SOURCES[0] else "First example of the batch",
              1, N, value=ss["bp_example"], key="bp_example", on_change=restart)
    n = 1
    if ss["bp_source"] == SOURCES[1] and N >= 2:
        n = st.slider("Batch size n", 2, min(16, N), value=ss["bp_batch"], key="bp_batch", on_change=restart,
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
    out = run.net.layers[-1].activation
    if not out.elementwise and n > 1:    # an output that couples its units (softmax) has a Jacobian per example
        if ss["bp_jac"] > n:
            ss["bp_jac"] = n
        example = st.slider(f"{out.label.capitalize()} Jacobian of example", 1, n, value=ss["bp_jac"],
                            key="bp_jac") - 1
    return batch_indices(N, ss["bp_example"] - 1, n), example


def restart() -> None:
    st.session_state["bp_step"] = 0
    st.session_state.pop("bp_pass", None)


def current_pass(run: Run, idx: np.ndarray, example: int) -> Pass:
    """The pass for this batch and these weights, kept across reruns (and after its update was applied)."""
    ss, tr = st.session_state, run.trainer
    key = (id(run), run.version, tuple(idx), tr.eta_now, tr.l1, tr.l2, example)   # η: the schedule's, now
    stored = ss.get("bp_pass")
    if stored is not None and stored[0] == key:
        return stored[1]
    d = run.data
    eta, schedule = eta_used(tr)          # the η this update uses: the schedule's at this point of the run
    p = compute_pass(run.net, d.F_train[idx], run.net.targets(d.y_train[idx]), eta, tr.l1, tr.l2, example)
    p.schedule = schedule
    ss["bp_pass"] = (key, p)
    return p


def apply(run: Run, p: Pass) -> None:
    """Apply the pass's update to the run's network; the same pass stays on screen, marked applied."""
    ss = st.session_state
    stored = ss.get("bp_pass")
    if ss.get("run") is not run or stored is None or stored[1] is not p:
        restart()                   # the network was rebuilt meanwhile: these numbers belong to no network
        return
    apply_update(run.net, p)
    run.version += 1
    ss["bp_pass"] = (stored[0][:1] + (run.version,) + stored[0][2:], p)


def _next(run: Run, p: Pass, n_steps: int) -> None:
    ss = st.session_state
    ss["bp_step"] = min(ss["bp_step"] + 1, n_steps - 1)
    if ss["bp_step"] == n_steps - 1 and not p.applied:
        apply(run, p)


def _back() -> None:
    st.session_state["bp_step"] = max(st.session_state["bp_step"] - 1, 0)


def step_buttons(run: Run, p: Pass, all_steps: list[Step], i: int, label: str, nxt: str | None, c,
                 width: str = "stretch") -> None:
    """Back, Next (or Update the weights) and Start again, in the first three of ``c`` (columns, each
    button as wide as its column; or one row's container repeated, with ``width="content"``)."""
    c[0].button("Back", key="bp_back", icon=":material/arrow_back:", on_click=_back, disabled=i == 0,
                width=width)
    c[1].button(label, key="bp_next", icon=":material/arrow_forward:", type="primary", disabled=nxt is None,
                on_click=_next, args=(run, p, len(all_steps)), width=width,
                help="The Update step applies W ← W − η ∂J/∂W to the network" if nxt == "Update" else None)
    c[2].button("Start again", key="bp_restart",
                icon=":material/restart_alt:", on_click=restart, width=width,
                help="Back to the first step, with the network's current weights")
