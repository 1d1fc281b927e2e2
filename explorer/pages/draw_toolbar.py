"""Drawing on the decision boundary: the toolbar above the charts and what a click does.

The live component owns the boundary chart and reports a click on it (anywhere in the
plane, empty space included) as its value ``{"click": [x1, x2], "seq": n}``; ``on_click``
is the component's change callback, so it runs before the page's widgets and may set
them. A click adds a point of the class (or target) chosen in the toolbar, or removes the
nearest point. The first edit of a named dataset starts from its points (train and test)
and switches the data to "your own"; training goes on while the learner draws. Undo
goes back one edit, Clear empties the plane.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from core.activations import ACTIVATIONS
from core.user_data import MAX_CLASSES
from explorer.choices import own_points
from explorer.choices.config import Config, OwnPoints
from explorer.training.run import EMPTY_EXTENT, Run
from explorer.choices.settings_table import OWN_DATA, SETTINGS
from explorer.pages import widget_state

ON, MODE, TARGET = "draw_on", "draw_mode", "draw_target"        # widget keys
UNDO, ERROR, SEQ, LAST_MODE = "draw_undo", "draw_error", "draw_seq", "draw_last_mode"   # what the edits keep
LAST_TARGET = "draw_last_target"
ADD, REMOVE = "add", "remove"
MAX_UNDO = 50


def _classes(run: Run) -> list:
    """What a click can add: the data's classes and one new class (up to MAX_CLASSES)."""
    k = run.data.n_classes or 2
    return list(range(min(k + 1, MAX_CLASSES)))


def _points_now(run: Run) -> OwnPoints:
    """The points being edited: the learner's own, or the shown dataset's (train and test)."""
    cfg: Config = run.cfg
    if cfg.data.dataset == OWN_DATA and cfg.data.points is not None:
        return cfg.data.points
    d = run.data
    return own_points.start_from(np.vstack([d.X_train, d.X_test]), np.concatenate([d.y_train, d.y_test]), d.problem,
                              extent=float(d.xs[-1]))


def _set_points(points: OwnPoints, before: OwnPoints) -> None:
    """Make ``points`` the learner's own data (Undo returns to what was shown before:
    the learner's earlier points, or the named dataset they started from). Callback only."""
    ss = st.session_state
    undo = ss.setdefault(UNDO, [])
    shown = ss.get(SETTINGS["ds"].key)
    undo.append((shown, before if shown == OWN_DATA else ss.get(SETTINGS["pts"].key)))
    del undo[:-MAX_UNDO]
    ss[SETTINGS["pts"].key] = points
    widget_state.write_widgets({SETTINGS["ds"].key: OWN_DATA})
    out = ACTIVATIONS.get(ss.get(SETTINGS["out"].key))         # None for "auto"
    if points.problem == "classification" and (points.n_classes or 0) > 2 \
            and out is not None and out.classifier == "binary":
        # One binary unit (a sigmoid) cannot tell three classes apart: follow the data, as a K-class set does.
        widget_state.write_widgets({SETTINGS["out"].key: "auto", SETTINGS["loss"].key: "auto"})
        ss[ERROR] = "A third class: the output switched from one sigmoid unit to softmax (one unit per class)."


def edit(points: OwnPoints, x1: float, x2: float, mode, target: float, extent: float) -> OwnPoints:
    """What a click at (x1, x2) makes of ``points``: ``mode`` is a class to add, ADD (a point
    with ``target``, regression) or REMOVE (the nearest point). ValueError says why not."""
    if mode == REMOVE:
        return own_points.remove_nearest(points, x1, x2)
    return own_points.add(points, x1, x2, target if points.problem == "regression" else mode, extent=extent)


def on_click(component_key: str) -> None:
    """Component callback: apply a click on the boundary chart, if the value holds a new one."""
    ss = st.session_state
    value = ss.get(component_key)
    click = value.get("click") if isinstance(value, dict) else None
    if not click or value.get("seq") == ss.get(SEQ):
        return
    ss[SEQ] = value.get("seq")
    run: Run | None = ss.get("run")
    try:
        x1, x2 = (float(v) for v in click)
    except (TypeError, ValueError):
        ss[ERROR] = "That click could not be read."
        return
    if run is None:
        return
    before = _points_now(run)
    try:
        new = edit(before, x1, x2, ss.get(MODE, 0), float(ss.get(TARGET, 0.0)), float(run.data.xs[-1]))
    except ValueError as err:
        ss[ERROR] = f"That point was not added: {err}."
        return
    ss[ERROR] = None
    _set_points(new, before)


def _undo() -> None:
    ss = st.session_state
    undo = ss.get(UNDO) or []
    if undo:
        shown, ss[SETTINGS["pts"].key] = undo.pop()
        widget_state.write_widgets({SETTINGS["ds"].key: shown})


def _clear(problem: str) -> None:
    ss = st.session_state
    run: Run | None = ss.get("run")
    if run is not None:
        empty = OwnPoints.of(np.zeros((0, 2)), np.zeros(0, dtype=np.int64 if problem == "classification" else float),
                             problem, extent=EMPTY_EXTENT)
        _set_points(empty, _points_now(run))
        ss[ERROR] = "The plane is empty: turn Draw on and click it to add points (Undo brings them back)."


def drawing_on() -> bool:
    """Whether clicks on the boundary chart draw (the component shows a crosshair then)."""
    return bool(st.session_state.get(ON))


TOOLS = "draw_tools"        # the toolbar's container (its CSS class st-key-draw_tools: clean=1 hides it)


def draw_toolbar(run: Run):
    """One compact row above the charts: Draw on/off; while drawing, what a click does (a
    class, or a target, or remove); Undo and Clear always (Clear is a way to start drawing).
    Returns the row (the Live view adds Pin this run to it)."""
    ss = st.session_state
    bar = st.container(horizontal=True, vertical_alignment="center", gap="small", key=TOOLS)
    on = bar.toggle("Draw", key=ON, help="Click the decision boundary chart to add or remove points; "
                                         "training goes on while you draw")
    classify = run.data.problem == "classification"
    options = (_classes(run) if classify else [ADD]) + [REMOVE]
    mode = ss.get(MODE)
    if mode is None and ss.get(LAST_MODE) in options:
        mode = ss[LAST_MODE]             # a second click on the chosen option unselects it: keep it
    if mode not in options:
        mode = options[0]
    # The choice shows only while drawing (a row that stays short on a phone). While it is hidden
    # Streamlit drops the widget's value and would bring back whatever the script last assigned,
    # so the last choice is assigned then; otherwise only when it must change (an assignment
    # while the widget is drawn would overwrite a click landing during the run).
    if not on or mode != ss.get(MODE):
        ss[MODE] = mode
    ss[LAST_MODE] = mode
    if not on or TARGET not in ss:
        ss[TARGET] = ss.get(LAST_TARGET, 0.0)       # (not the number input's lower limit, -30)
    if on:
        mode = bar.segmented_control("A click", options, key=MODE, label_visibility="collapsed",
                                     format_func=lambda o: "remove nearest" if o == REMOVE
                                     else (f"class {o}" if classify else "add a point"))
        if not classify and mode == ADD:
            ss[LAST_TARGET] = bar.number_input("with target", -30.0, 30.0, step=0.1, key=TARGET, width=140)
    bar.button("Undo", key="draw_undo_btn", icon=":material/undo:", on_click=_undo, disabled=not ss.get(UNDO))
    bar.button("Clear", key="draw_clear_btn", icon=":material/delete:", on_click=_clear,
               args=(run.data.problem,), help="Remove every point and draw your own")
    # Messages come as toasts: a row appearing above the charts between two clicks would move
    # the plane under the learner's pointer.
    if ss.get(ERROR):
        st.toast(ss[ERROR], icon="✏️")
        ss[ERROR] = None
    return bar
