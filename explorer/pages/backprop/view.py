"""The backpropagation view's layout: ``render(run, big)`` draws the controls, then one step
(or all of them) with its words, formulas, highlighted layer and matrices, then the gradient
check. The numbers come from ``one_pass`` (the engine's forward and backward on a batch of
training rows) and ``steps``; this file only places them.
"""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from explorer.live.setup_message import network_view
from explorer.pages.backprop import controls, gradient_check
from explorer.pages.backprop.matrices import CELL_PX, PLOT_CONFIG, matrices, numbers_text, width
from explorer.pages.backprop.notes import note
from explorer.pages.backprop.one_pass import Pass
from explorer.pages.backprop.steps import Step, steps
from explorer.pages.lessons import preset_buttons
from explorer.training.run import Run


def render(run: Run, big: bool) -> None:
    """The whole view for ``run``; ``big`` is presentation mode."""
    if not run.trainable:
        st.info("There are no training points yet: draw some on the live view's boundary chart, "
                "then come back to follow one backpropagation pass.", icon=":material/draw:")
        return
    ss = st.session_state
    for key, value in controls.DEFAULTS.items():
        ss.setdefault(key, value)
    nav = None
    if big:              # presentation: the step gets the screen; the choices wait in two expanders
        c = st.columns(2)
        with c[0]:
            controls.lesson_banner(run)
            with st.expander("Lesson presets", expanded=False):
                preset_buttons("bp_lesson_view_", columns=2)
        with c[1], st.expander("Example, batch and notation", expanded=False):
            idx, example = controls.batch_controls(run)
    else:                # one row: Back, Next, Start again (filled in below), the choices, the lessons
        controls.lesson_banner(run)
        bar = st.container(horizontal=True, vertical_alignment="center", key="bp_bar")
        nav = bar.container(horizontal=True, vertical_alignment="center", gap="small", width="content")
        with bar.popover(controls.choices_label(run), icon=":material/tune:", key="bp_choices",
                         help="Which example or mini-batch, the notation, one step at a time or all steps"):
            idx, example = controls.batch_controls(run)
        with bar.popover("Lesson presets", icon=":material/school:", key="bp_lessons",
                         help="One click sets up a network that shows one phenomenon; hover a lesson for what "
                              "to look for"):
            preset_buttons("bp_lesson_view_")
    p = controls.current_pass(run, idx, example)
    all_steps = steps(p, ss["bp_notation"], "H" if ss["bp_H"] else "delta")
    if ss["bp_mode"] == controls.MODES[0]:
        _step_through(run, p, all_steps, big, nav)
    else:
        _show_all(run, p, all_steps, big)
    gradient_check.show(run, p, big)


def _words(step: Step, p: Pass, run: Run) -> str:
    """What the step does, and its numbers as text for screen readers."""
    return note(step, p, st.session_state["bp_notation"], run.trainer.optimizer) + numbers_text(step)


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
            controls.step_buttons(run, p, all_steps, i, label, nxt,
                                  st.columns([1, 2.2, 1.8], vertical_alignment="center"))
        right.caption(trail)
        _show_step_big(run, p, all_steps[i], i, left, right)
        return
    controls.step_buttons(run, p, all_steps, i, label, nxt, [nav] * 3, width="content")
    st.caption(trail)
    _show_step(run, p, all_steps[i], i, big, diagram=True)


def _show_all(run: Run, p: Pass, all_steps: list[Step], big: bool) -> None:
    st.plotly_chart(go.Figure(network_view(run, run.grid_activations(), big, 420 if big else 300)),
                    key="bp_diagram_all", config=PLOT_CONFIG)
    for i, step in enumerate(all_steps):
        st.divider()
        _show_step(run, p, step, i, big, diagram=False)
    if not p.applied:
        st.button("Apply this update to the network", key="bp_apply", type="primary", on_click=controls.apply,
                  args=(run, p), icon=":material/check:")


def _show_step(run: Run, p: Pass, step: Step, i: int, big: bool, diagram: bool) -> None:
    """Title, what it does and (in step mode) the highlighted diagram; the formulas; the matrices."""
    st.markdown(f"{'###' if big else '####'} {step.title}")
    if diagram:          # what it does and its formulas beside the highlighted layer, then the numbers
        left, right = st.columns([3, 2], vertical_alignment="top")
        left.markdown(_words(step, p, run), unsafe_allow_html=True)
        for formula in step.formulas:
            left.latex(formula)
        right.plotly_chart(go.Figure(network_view(run, run.grid_activations(), big, 320 if big else 240,
                                                  highlight=step.column)), key=f"bp_diagram_{i}", config=PLOT_CONFIG)
    else:
        st.markdown(_words(step, p, run), unsafe_allow_html=True)
        for formula in step.formulas:
            st.latex(formula)
    matrices(step, i, big)


def _show_step_big(run: Run, p: Pass, step: Step, i: int, left, right) -> None:
    """Presentation mode, one screen per step: the formulas and their numbers (left), the
    highlighted layer and what the step does (right), side by side under the step buttons."""
    with left:
        pairs = st.columns(2) if len(step.formulas) > 3 else [st.container()]
        for k, formula in enumerate(step.formulas):                 # four (a backward step): two by two
            with pairs[k % len(pairs)]:
                st.latex(formula)
        units = sum(width(m) for m in step.matrices)
        matrices(step, i, True, budget=units, most=len(step.matrices), spacer=False)
        # One row of numbers; each matrix column at least CELL_PX wide, the row scrolls if it must.
        st.html(f"<style>.st-key-bp_mats_{i} div[data-testid='stHorizontalBlock'] "
                f"{{min-width: {units * CELL_PX}px !important;}}</style>")
    with right:
        st.plotly_chart(go.Figure(network_view(run, run.grid_activations(), True, 220, highlight=step.column)),
                        key=f"bp_diagram_{i}", config=PLOT_CONFIG)
        with st.container(key="bp_note"):
            st.markdown(f"**{step.title}.** " + _words(step, p, run), unsafe_allow_html=True)
