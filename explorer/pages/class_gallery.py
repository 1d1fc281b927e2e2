"""The class's live gallery on the pages: the projector's component, and each student's
session bound to their seat so that the gallery shows it (issue 18).

The projector page makes one ``GallerySession`` with its projector key (kept in its session
state; its token goes to the component, whose socket presents it): it reads the class and
drives nothing. A student's page binds its own ``LiveSession`` with its own secret
(``room_seats.SEATS.bind``) on every script run; nothing else binds a student's session.
"""
from __future__ import annotations

import streamlit as st

from explorer.live.channel.gallery_session import GallerySession
from explorer.live.channel.room_seats import SEATS
from explorer.live.channel.routes import PATH
from explorer.live.channel.scheduler import SCHEDULER
from explorer.live.component import live_gallery
from explorer.pages.live_view import SEAT, live_session
from explorer.rooms.store import RoomError

GALLERY = "class_gallery"     # session key: the projector page's GallerySession


def projector_gallery(key: str) -> None:
    """The live gallery of the class whose projector key is ``key``."""
    ss = st.session_state
    session = ss.get(GALLERY)
    if session is None or session.key != key:
        session = ss[GALLERY] = GallerySession(key)
    SCHEDULER.ensure_started()
    SCHEDULER.wake()
    live_gallery(session.token, PATH)


def seat(role) -> None:
    """A student's page: their live session shows in the class's gallery (their own secret binds it),
    and their browser keeps the seat (``live_view.SEAT``) so that a reload of the join link finds it."""
    if role is None or role.kind != "student":
        st.session_state.pop(SEAT, None)
        return
    st.session_state[SEAT] = {"code": role.view.code, "secret": role.token}
    try:
        SEATS.bind(role.view.code, role.token, live_session())
    except RoomError:
        pass                  # removed a moment ago: the page says so on its next run
