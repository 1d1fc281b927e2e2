"""The teacher's controls over the whole class, on the teacher's page: pause everyone (held
until *Let everyone go on*), hide or reveal names on the projector, "Show this one" (one
student's network full screen on the projector), lock the task (every student's settings stay
as they are until *Unlock the task*), close the class, and the results as CSV.

Each goes through the room store with the teacher's token (``RoomStore.control`` and ``close``
check it); a student's page never draws any of them (``class_panel.panel``). The results read
each student's run from the one run store (``run_store.RUNS``, by the key their seat holds:
``run_thumbs.class_thumbs``), as the projector's gallery does. "Pause everyone"
is the one documented exception to "one session never drives another's state": see
``explorer.live.channel.room_seats``, which carries it out. The lock acts on each student's own
page (``class_task.enforce``), which reads it with the student's own secret.
"""
from __future__ import annotations

import streamlit as st

from explorer.live.channel.gallery_session import score_of
from explorer.live.channel.run_thumbs import class_thumbs
from explorer.pages.class_pages import Role
from explorer.rooms import goals, keys
from explorer.rooms.results import results_csv
from explorer.rooms.server import STORE
from explorer.rooms.store import ClassView, RoomError
from explorer.rooms.task import GOALS
from explorer.training.run_store import RUNS
from explorer.training.run_store_base import RunStore

ERROR = "class_error"          # session key: the last refused class action's sentence (class_panel shows it)


def _control(**change) -> None:
    ss = st.session_state
    try:
        STORE.control(ss["class"], **change)
        ss[ERROR] = None
    except RoomError as err:
        ss[ERROR] = str(err)
        return
    for key, on, words, icon in (("paused", True, "Everyone's training is paused until you let them go on.", "⏸️"),
                                 ("paused", False, "Everyone may go on: each student presses Play.", "▶️"),
                                 ("locked", True, "The task is locked: every student's settings stay as they are.",
                                  "🔒"),
                                 ("locked", False, "The task is unlocked: students may change what it leaves free.",
                                  "🔓")):
        if change.get(key) is on:
            st.toast(words, icon=icon)


def _focus() -> None:
    _control(focus=st.session_state.get("class_focus") or "")


def _close() -> None:
    ss = st.session_state
    try:
        STORE.close(ss["class"])
        ss[ERROR] = None
    except RoomError as err:
        ss[ERROR] = str(err)


def result_rows(view: ClassView, runs: RunStore = RUNS) -> list[dict]:
    """Every student's run as the run store keeps it (``view``: the teacher's, with the seats' run
    keys), in the leaderboard's order; a student with no run kept has a rank and a nickname only."""
    by = class_thumbs(runs, view.students)
    goal = (view.task or {}).get("goal") if (view.task or {}).get("goal") in GOALS else goals.DEFAULT_GOAL
    seats = list(view.students)
    entries = [(score_of(by.get(s.student_id)), by[s.student_id].n_weights if s.student_id in by else 0)
               for s in seats]
    rows = []
    for rank, i in enumerate(goals.leaderboard(goal, entries), 1):
        t = by.get(seats[i].student_id)
        row = {"rank": rank, "nickname": seats[i].nickname}
        if t is not None:
            row.update(setup=t.setup, epoch=t.epoch, training_score=t.score, test_score=t.test_score, loss=t.cost,
                       weights=t.n_weights, goal_reached=goals.reached(goal, score_of(t)), running=t.running)
        rows.append(row)
    return rows


def controls(role: Role) -> None:
    """The teacher's row of class controls (see the module docstring)."""
    view = role.view
    c = view.controls
    st.markdown("**On the projector and for everyone**")
    c1, c2, c3, c4, c5 = st.columns(5, vertical_alignment="bottom")
    c1.button("Let everyone go on" if c.paused else "Pause everyone", key="class_pause_all", on_click=_control,
              kwargs={"paused": not c.paused}, icon=":material/play_arrow:" if c.paused else ":material/pause:",
              width="stretch", help="Let each student press Play again" if c.paused else
              "Every student's training pauses, and stays paused until you let them go on")
    c2.button("Unlock the task" if c.locked else "Lock the task", key="class_lock", on_click=_control,
              kwargs={"locked": not c.locked}, icon=":material/lock_open:" if c.locked else ":material/lock:",
              width="stretch", help="Students may change again what the task leaves free" if c.locked else
              "Every student's settings stay as they are now, the free ones too (they can still Play, Step "
              "and Reset)")
    c3.button("Reveal names" if c.names_hidden else "Hide names", key="class_names", width="stretch",
              on_click=_control, kwargs={"names_hidden": not c.names_hidden},
              icon=":material/visibility:" if c.names_hidden else ":material/visibility_off:",
              help="The projector shows Student 1, 2, … instead of nicknames (they never reach it)")
    ids = [""] + [s.student_id for s in view.students]
    names = {s.student_id: s.nickname for s in view.students}
    st.session_state["class_focus"] = c.focus if c.focus in names else ""
    c4.selectbox("Show this one", ids, key="class_focus", on_change=_focus,
                 format_func=lambda sid: names.get(sid, "The whole gallery"),
                 help="One student's network full screen on the projector: boundary, network, curves, setup")
    with c5.popover("Close the class", icon=":material/block:", width="stretch", disabled=view.closed):
        st.markdown("No one can join any more; the gallery and the results stay.")
        st.button("Close it", key="class_close", on_click=_close, type="primary")
    rows = result_rows(view)
    focus = next((r for r in rows if c.focus and r["nickname"] == names.get(c.focus)), None)
    if focus is not None and focus.get("setup"):
        st.link_button("Open the shown student's setup", "?" + focus["setup"], icon=":material/open_in_new:")
    st.download_button("Download the results (CSV)", results_csv(rows), width="content",
                       file_name=f"class-{keys.show_code(view.code)}-results.csv", mime="text/csv",
                       on_click="ignore", icon=":material/download:", key="class_results",
                       help="Nickname, setup, epoch, scores, loss and weights of every student, by the goal")
