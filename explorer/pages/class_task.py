"""A class's task on the page: the teacher sets it from their setup; a student takes it,
sees it, and has it enforced on every script run (``explorer.rooms.task``).

``enforce(role)`` runs at the start of a student's script run, before any widget is drawn:
the settings the session holds are whatever the widgets, the link, a lesson, drawing, an
upload or a model file made of them, so one check covers every path. What it puts back is
written into the widgets' keys (and dropped from the values pending for a rerun, which
would bring it back) with a sentence. A new task the teacher pushes waits as a notice until
the student takes it; until then the task they took stays in force.

When the teacher locks the task (``Controls.locked``, read with the student's own secret on
each run), every setting a task sets stays at the value the student had when the lock reached
their page (``task.freeze``: the free ones too; the pace stays free), drawn disabled, and no
model file opens; Play, Pause, Step and Reset stay theirs. A new task the teacher pushes may
still be taken (it is the teacher's setup): the lock then holds that one. Unlocked, the task's
own freedoms come back. A page learns of the lock on its next script run (the next thing the
student does): that change is put back with a sentence.
"""
from __future__ import annotations

import streamlit as st

from explorer.choices.settings_table import SETTINGS
from explorer.pages import widget_state
from explorer.pages.class_pages import Role
from explorer.pages.exports import IMPORTED
from explorer.pages.sidebar import LOCKED
from explorer.rooms.server import STORE
from explorer.rooms.store import RoomError
from explorer.rooms.task import GOALS, MAX_EPOCHS, MAX_UNITS, TASK_KEYS, Task, freeze

TAKEN = "class_task_taken"     # session key: (version, the task's dict) the student works on
LAST_OK = "class_task_ok"      # session key: the last Config the task allowed
NOTES = "class_task_notes"     # session key: this run's sentences about what was put back
FROZEN = "class_task_frozen"   # session key: (the Config the teacher's lock holds, the model file kept then)


def _taken(role: Role) -> tuple[int, Task] | None:
    kept = st.session_state.get(TAKEN)
    return None if kept is None else (kept[0], Task.from_dict(kept[1]))


def _take(version: int, task: dict) -> None:
    """Start the task: its setup in the widgets, a new network (callback, or before any widget)."""
    ss = st.session_state
    checked = Task.from_dict(task)
    widget_state.set_widgets(checked.config(widget_state.config_from_state()))
    ss[TAKEN] = (version, checked.to_dict())
    ss.pop("run", None)
    ss.pop(IMPORTED, None)
    ss.pop(LAST_OK, None)
    ss.pop(FROZEN, None)            # a lock holds the new task's setup from the next run on


def enforce(role: Role | None) -> None:
    """Before any widget: the student's settings as their task allows (see the module's docstring)."""
    ss = st.session_state
    ss[NOTES] = []
    if role is None or role.kind != "student":
        ss.pop(LOCKED, None)
        ss.pop(FROZEN, None)
        return
    if role.view.task is not None and ss.get(TAKEN) is None:
        try:                                   # the first task is the student's at once: its setup, unless
            if any(k in st.query_params for k in TASK_KEYS):     # their own link (a reload) carries one
                ss[TAKEN] = (role.view.task_version, Task.from_dict(role.view.task).to_dict())
            else:
                _take(role.view.task_version, role.view.task)
        except ValueError as err:
            ss[NOTES] = [f"The class's task cannot be used: {err}."]
            return
    taken, locked = _taken(role), role.view.controls.locked
    if not locked:
        ss.pop(FROZEN, None)
    if taken is None and not locked:
        ss.pop(LOCKED, None)
        ss[LAST_OK] = widget_state.config_from_state()     # (what a lock would hold, if one comes)
        return
    cfg = widget_state.config_from_state()
    fixed, notes = cfg, []
    if taken is not None:
        task = taken[1]
        fixed, notes = task.enforce(cfg, ss.get(LAST_OK))
        if ss.get(IMPORTED) is not None and task.refuses_weights:
            ss.pop(IMPORTED)
            notes.append("A model file's weights cannot be opened in this task: they were trained elsewhere.")
    ss[LOCKED] = TASK_KEYS if locked else taken[1].locked
    if locked:                              # the teacher's lock: everything stays as it was when it came
        if ss.get(FROZEN) is None:
            ss[FROZEN] = (ss.get(LAST_OK) or fixed, ss.get(IMPORTED))
        at, imported = ss[FROZEN]
        fixed, more = freeze(fixed, at)
        notes += more
        if ss.get(IMPORTED) is not imported:
            ss.pop(IMPORTED, None)
            if imported is not None:
                ss[IMPORTED] = imported
            notes.append("Your teacher locked the task: a model file cannot be opened now.")
    if fixed != cfg:
        pending = ss.get(widget_state.PENDING, {})
        for key, value in widget_state.widget_state(fixed).items():
            if ss.get(key) != value:
                ss[key] = value
                pending.pop(key, None)
    ss[LAST_OK], ss[NOTES] = fixed, notes


def epoch_limit(role: Role | None) -> int | None:
    """The epochs the session's run may train (its task's limit; None: no limit)."""
    taken = _taken(role) if role is not None and role.kind == "student" else None
    return None if taken is None else taken[1].max_epochs


def student_task(role: Role) -> None:
    """The task the student works on, what was put back this run, and a newer task waiting."""
    ss = st.session_state
    taken, locked = _taken(role), role.view.controls.locked
    if taken is not None:
        st.markdown(f"**Task:** {taken[1].text(locked)}")
    elif locked:
        st.markdown("**Locked by your teacher:** every setting stays as it is.")
    for note in ss.get(NOTES, []):
        st.warning(note, icon="🔒")
    view = role.view
    if view.task is not None and taken is not None and view.task_version > taken[0]:
        c1, c2 = st.columns([3, 1], vertical_alignment="center")
        c1.info("Your teacher set a new task. Take it when you are ready: your network starts again from its "
                "setup.", icon="📬")
        c2.button("Take the new task", key="class_take_task", on_click=_take, args=(view.task_version, view.task),
                  type="primary", width="stretch")


def _push() -> None:
    ss = st.session_state
    try:
        task = Task.from_config(widget_state.config_from_state(), free=ss.get("class_task_free", []),
                                max_units=int(ss.get("class_task_units") or 0) or None,
                                max_epochs=int(ss.get("class_task_epochs") or 0) or None,
                                goal=ss.get("class_task_goal", "test_accuracy"))
        version = STORE.push_task(ss["class"], task.to_dict())
    except (ValueError, RoomError) as err:
        ss["class_task_error"] = f"That task cannot be set: {err}."
        return
    ss["class_task_error"] = None
    st.toast(f"Task {version} sent to the class: students see it as a notice.", icon="📬")


def task_form(role: Role) -> None:
    """The teacher's task: the current one, and a new one from the teacher's own setup."""
    view = role.view
    if view.task is not None:
        st.markdown(f"**Task {view.task_version}:** {view.task.get('text', '')}")
    with st.popover("Set the task from my setup", icon=":material/assignment:", width="stretch"):
        st.caption("Students get your dataset, noise, seed and network as they are now; what you do not free "
                   "is locked for them.")
        st.multiselect("Students may change", TASK_KEYS, default=["lr", "layers"], key="class_task_free",
                       format_func=lambda k: SETTINGS[k].label)
        c1, c2 = st.columns(2)
        c1.number_input("At most hidden units in total (0: no limit)", 0, MAX_UNITS, 0, key="class_task_units")
        c2.number_input("At most epochs (0: no limit)", 0, MAX_EPOCHS, 0, step=100, key="class_task_epochs")
        st.selectbox("Goal", tuple(GOALS), format_func=lambda g: GOALS[g].capitalize(), key="class_task_goal")
        st.button("Send the task", key="class_task_push", on_click=_push, type="primary", width="stretch")
    if st.session_state.get("class_task_error"):
        st.error(st.session_state["class_task_error"])
