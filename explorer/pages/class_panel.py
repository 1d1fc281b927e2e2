"""A class on the explorer's own page: the teacher's panel, the student's line, and the
sidebar's "Class" entry (start, join with a code, recover a teacher link).

What each sees follows from the key the session holds (``class_pages.Role``): a teacher
sees the keys, the students and their controls; a student sees their nickname and the
task, never another student's controls nor the teacher's. Nicknames are shown escaped.
"""
from __future__ import annotations

import streamlit as st

from explorer.choices.room_links import NEW_CLASS
from explorer.pages import class_controls, class_gallery, class_pages, class_task
from explorer.pages.class_controls import ERROR
from explorer.pages.class_pages import CREATED, Role, join_link, projector_link, teacher_link
from explorer.rooms import keys, nicknames
from explorer.rooms.server import STORE
from explorer.rooms.store import RoomError

def begin() -> Role | None:
    """First in the page script: the session's class role (``class_pages.route``: the projector
    and join pages stop there), then a student's task enforced before any widget is drawn."""
    role = class_pages.route()
    class_task.enforce(role)
    return role


def limit(role: Role | None, run) -> None:
    """The run trains at most the epochs its task allows; a student's live session shows in the
    class's gallery (``class_gallery.seat``)."""
    run.epoch_limit = class_task.epoch_limit(role)
    class_gallery.seat(role)


def _refused(err: RoomError) -> None:
    st.session_state[ERROR] = str(err)


def _start() -> None:
    st.session_state["class"] = NEW_CLASS


def _join_with_code() -> None:
    ss = st.session_state
    try:
        ss["join"], ss["me"] = keys.read_code(ss.get("class_code_in", "")), ""
        ss[ERROR] = None
    except ValueError as err:
        ss[ERROR] = f"That is not a class code: {err}."


def _recover() -> None:
    ss = st.session_state
    try:
        ss["class"] = STORE.recover(ss.get("class_recovery_in", ""))
        ss[ERROR], ss["class_lost"] = None, False
    except RoomError as err:
        _refused(err)


def sidebar_entry(role: Role | None) -> None:
    """The sidebar's "Class" expander: start or join a class, or recover a teacher link."""
    if role is not None:
        return
    with st.expander("Class", expanded=bool(st.session_state.get("class_lost")), icon=":material/school:"):
        st.button("Start a class", key="class_start", on_click=_start, width="stretch", icon=":material/add:",
                  help="A join code for your students, a projector page, and a task set from this setup")
        st.text_input("Join with a code", key="class_code_in", placeholder="ABCD-EFGH", max_chars=20)
        st.button("Join", key="class_join", on_click=_join_with_code, width="stretch")
        st.text_input("Recover your class (teacher)", key="class_recovery_in", placeholder="XXXX-XXXX-XXXX-XXXX",
                      max_chars=40, help="The recovery code shown when you started the class")
        st.button("Recover", key="class_recover", on_click=_recover, width="stretch")
        if st.session_state.get(ERROR):
            st.error(st.session_state[ERROR])


def _keys_once(role: Role) -> None:
    """Right after the class starts: the teacher link and recovery code, to be saved."""
    ss = st.session_state
    created = ss.get(CREATED)
    if created is None or created.teacher_token != role.token:
        return
    code = keys.show_code(created.code)
    text = (f"Backprop Explorer class {code}\n\nTeacher link (drives the class: keep it private):\n"
            f"{teacher_link(created.teacher_token)}\n\nRecovery code (gets a new teacher link): "
            f"{keys.show_recovery(created.recovery_code)}\n\nProjector link (shows the class, drives nothing):\n"
            f"{projector_link(created.projector_key)}\n\nJoin link for students:\n{join_link(created.code)}\n")
    with st.container(border=True, key="class_keys_once"):
        st.warning("**Save your teacher link now.** It is the only way to drive this class and it is shown "
                   "here once. If you lose it, the recovery code gets you a new one.", icon="🔑")
        st.code(teacher_link(created.teacher_token), language=None)
        st.markdown(f"Recovery code: **{keys.show_recovery(created.recovery_code)}**")
        c1, c2 = st.columns(2)
        c1.download_button("Download the teacher key", text, file_name=f"class-{created.code}-teacher-key.txt",
                           mime="text/plain", on_click="ignore", width="stretch", icon=":material/key:")
        c2.button("I saved it", key="class_saved", on_click=lambda: ss.pop(CREATED, None), width="stretch")


def _rename(sid: str) -> None:
    ss = st.session_state
    try:
        STORE.rename(ss["class"], sid, ss.get(f"class_rename_{sid}", ""))
        ss[ERROR] = None
    except RoomError as err:
        _refused(err)


def _remove(sid: str) -> None:
    try:
        STORE.remove(st.session_state["class"], sid)
        st.session_state[ERROR] = None
    except RoomError as err:
        _refused(err)


def _students(role: Role) -> None:
    view = role.view
    if not view.students:
        st.caption("No student has joined yet.")
    for seat in view.students:
        c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="center")
        c1.markdown(nicknames.as_markdown(seat.nickname))
        with c2.popover("Rename", width="stretch"):
            st.text_input("New nickname", key=f"class_rename_{seat.student_id}", max_chars=nicknames.MAX_LENGTH)
            st.button("Rename", key=f"class_do_rename_{seat.student_id}", on_click=_rename, args=(seat.student_id,))
        c3.button("Remove", key=f"class_remove_{seat.student_id}", on_click=_remove, args=(seat.student_id,),
                  width="stretch")
    st.button("Refresh the list", key="class_refresh", icon=":material/refresh:")


def teacher_panel(role: Role) -> None:
    """The teacher's class: keys (once), the join code and links, the students."""
    view = role.view
    code = keys.show_code(view.code)
    _keys_once(role)
    title = f"Your class {code} · {len(view.students)} student{'s' * (len(view.students) != 1)}"
    with st.expander(title, expanded=True, icon=":material/school:"):
        c1, c2 = st.columns(2)
        with c1:
            st.markdown(f"Join code **{code}** · join link")
            st.code(join_link(view.code), language=None)
        with c2:
            st.markdown("Projector page (shows the class, drives nothing)")
            st.link_button("Open the projector page", projector_link(view.projector_key), icon=":material/tv:",
                           width="stretch")
        if view.closed:
            st.info("This class is closed: no one can join any more.")
        class_task.task_form(role)
        class_controls.controls(role)
        _students(role)
        if st.session_state.get(ERROR):
            st.error(st.session_state[ERROR])


def student_line(role: Role) -> None:
    """A student's place: the class and their nickname, and nothing of anyone else's; their browser
    keeps their seat (never their link: ``class_pages.keep_seat``)."""
    with st.container(gap=None):          # the keeper's frame has no height: no gap for it either
        st.info(f"You are in class **{keys.show_code(role.view.code)}** as "
                f"**{nicknames.as_markdown(role.seat.nickname)}**.", icon="🎓")
        class_pages.keep_seat(role)
    class_task.student_task(role)


def panel(role: Role | None) -> None:
    if role is None:
        return
    if role.kind == "teacher":
        teacher_panel(role)
    else:
        student_line(role)
