"""Which class page a session shows, and the two pages that are not the explorer:
the projector's and the join form (issue 18).

The link's class keys (rows of the settings table, kept in session state like every
setting) decide: ``projector=KEY`` shows the projector page; ``class=new`` starts a class
and ``class=TOKEN`` is its teacher's explorer; ``join=CODE`` asks a nickname, and is that
student's explorer in a browser that keeps a seat of that class.

A student's secret (session key ``me``, a settings row kept out of links: ``in_url`` False) is
never in the address bar nor in any link the page writes: a link a student shares ("look at my
network!") must not hand over their seat. Their browser keeps it instead (``localStorage``, per
class code): the student's page hands it to the browser (``keep_seat``), and the join page's
``live_keeper`` reports it, so a reload, or the join link opened again in the same browser,
recognises them. A ``me=`` an old link still carries is ignored and taken out of the address bar
(``_drop_unlinked``): honouring it once would hand the seat to whoever was sent the link, and the
student it belongs to is recognised by their own browser anyway.

``route()`` runs first in the page script; it returns the session's ``Role`` (or stops the script
after drawing a page that is not the explorer). Every key is checked by the room store
(``explorer.rooms.server``): a wrong or ended one gets the store's sentence and the explorer opens
without it (so the link's other settings, and their notices, still show).
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import streamlit as st

from explorer.choices import room_links
from explorer.choices.room_links import NEW_CLASS
from explorer.choices.settings_table import ROWS, SETTINGS
from explorer.figures.qr import qr_png
from explorer.live.component import live_keeper
from explorer.pages import class_gallery, live_view, widget_state
from explorer.rooms import keys, nicknames
from explorer.rooms.server import STORE
from explorer.rooms.store import ClassView, RoomError, Seat

CREATED = "class_created"     # session key: the NewClass whose keys are shown to its teacher once
KEEPER, KEEPER_TRIED = "seat_keeper", "seat_kept_tried"   # the join page's keeper's value; the seat it gave
KEEPING = "seat_keeping"      # the student's page's keeper: it hands their seat to the browser to keep
LIVE_PAGE = "live"            # the Live view (settings_table.PAGES), whose charts hand the seat over themselves
PROJECTOR_CSS = """
<style>
header[data-testid="stHeader"] {display: none;}
div[data-testid="stMainBlockContainer"] {padding-top: 1.2rem; max-width: 100%;}
.join-code {font-size: clamp(40px, 3.4vw, 68px); font-weight: 800; letter-spacing: .08em; line-height: 1.1;
  font-family: ui-monospace, monospace;}
.join-link {font-size: clamp(20px, 1.4vw, 30px); word-break: break-all;}
.join-words {font-size: clamp(18px, 1.2vw, 26px); margin: .2rem 0;}
.class-task {font-size: clamp(18px, 1.1vw, 24px);}
</style>
"""


@dataclass(frozen=True)
class Role:
    """The session's place in a class: ``kind`` is "teacher" or "student"; ``view`` the class
    as its key may read it; ``seat`` the student's own."""

    kind: str
    token: str
    view: ClassView
    seat: Seat | None = None


def base_url() -> str:
    """This page's address without its query: where links to the class pages point."""
    url = st.context.url or "http://localhost:8501/"
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path or '/'}"


def join_link(code: str) -> str:
    return f"{base_url()}?join={code}"


def projector_link(key: str) -> str:
    return f"{base_url()}?projector={key}"


def teacher_link(token: str) -> str:
    return f"{base_url()}?class={token}"


def route() -> Role | None:
    """The session's class role from its keys; draws and stops for the projector and the join form."""
    ss = st.session_state
    _drop_unlinked()
    if ss.get("projector"):
        try:
            STORE.projector(ss["projector"])
            projector_page(ss["projector"])
            st.stop()
        except RoomError as err:
            _lost(err, "projector")
    if ss.get("class") == NEW_CLASS:
        try:
            created = STORE.create()
        except RoomError as err:
            st.error(str(err))
            ss["class"] = ""
            return None
        ss["class"], ss[CREATED] = created.teacher_token, created
    if ss.get("class"):
        try:
            return Role("teacher", ss["class"], STORE.teacher(ss["class"]))
        except RoomError as err:
            st.error(str(err), icon="🔑")
            ss["class_lost"] = True
            ss["class"] = ""
            return None
    if ss.get("join"):
        if not ss.get("me"):
            _seat_kept_here(ss["join"])
        if ss.get("me"):
            try:
                seat, view = STORE.student(ss["join"], ss["me"])
                return Role("student", ss["me"], view, seat)
            except RoomError as err:
                st.error(str(err), icon="🎓")
                ss["me"] = ""
        try:
            STORE.check(ss["join"])
            join_page(ss["join"])
            st.stop()
        except RoomError as err:
            _lost(err, "join")
    return None


def _drop_unlinked() -> None:
    """A key the settings table keeps out of links (a student's secret, ``me``) that the address
    bar still holds (an old link): out of it, so it is never shown back, nor copied on. The link
    reader never read it (``explorer.choices.link``); the student's own browser recognises them."""
    for s in ROWS:
        if not s.in_url and s.key in st.query_params:
            del st.query_params[s.key]


def _seat_kept_here(code: str) -> None:
    """The seat this browser keeps for class ``code`` (the join page's keeper reported it): tried
    once, so a reload of the student's page, or of the join link, recognises the student."""
    ss = st.session_state
    found = ss.get(KEEPER)
    if not isinstance(found, dict) or found.get("code") != code:
        return
    try:
        secret = room_links.plain_token(found.get("seat", ""))
    except ValueError:
        return
    if ss.get(KEEPER_TRIED) != secret:
        ss[KEEPER_TRIED] = ss["me"] = secret


def _lost(err: RoomError, key: str) -> None:
    """A key no class has (any more): its sentence, and the explorer without it."""
    st.error(str(err), icon="🎓")
    st.session_state[key] = ""


def _join(code: str) -> None:
    """Callback of the join form: a seat for the nickname typed, or the store's sentence."""
    ss = st.session_state
    try:
        seat = STORE.join(code, ss.get("join_nickname", ""))
    except RoomError as err:
        ss["join_error"] = str(err)
        return
    ss["join_error"], ss["me"] = None, seat.secret


def join_page(code: str) -> None:
    """``?join=CODE``: the class's code and a nickname to join under."""
    st.markdown(f"## Join a class\nClass code **{keys.show_code(code)}**")
    with st.form("join_form", border=False):
        st.text_input("Your nickname", key="join_nickname", max_chars=nicknames.MAX_LENGTH,
                      placeholder="1 to 24 characters, shown to your class",
                      help="No account: your browser keeps a secret that recognises you when you come back.")
        st.form_submit_button("Join", type="primary", on_click=_join, args=(code,), width="stretch")
    if st.session_state.get("join_error"):
        st.error(st.session_state["join_error"])
    st.caption("Your teacher sees your nickname and your network; nobody sees your other tabs or files.")
    live_keeper(code, key=KEEPER)        # a seat this browser keeps for the class: the next run takes it


def keep_seat(role: Role) -> None:
    """A student's page: their browser keeps their seat (``localStorage``, per class code), so that a
    reload finds it without a secret in the link. The live charts hand it over when they open their
    socket (``live_view``, with the seat ``class_gallery.seat`` gives them); on another view, or in the
    fallback (a proxy that blocks WebSockets), this keeper does. Only there: beside the charts it
    would be a second frame of the live component, loading its files again for nothing."""
    if widget_state.read(SETTINGS["page"]) == LIVE_PAGE and not live_view.in_fallback():
        return
    live_keeper(role.view.code, key=KEEPING, seat={"code": role.view.code, "secret": role.token})


def projector_page(key: str) -> None:
    """``?projector=KEY``: the join code, the join link as text and as a QR code, the task and
    who joined. It drives nothing: the key only reads the class."""
    st.markdown(PROJECTOR_CSS, unsafe_allow_html=True)
    view = STORE.projector(key)
    link = join_link(view.code)
    left, right = st.columns([6, 1], vertical_alignment="center")
    with left:
        st.markdown(f"<div class='join-words'>Join the class at <span class='join-link'>{nicknames.as_html(link)}"
                    f"</span> with the code</div><div class='join-code'>{keys.show_code(view.code)}</div>",
                    unsafe_allow_html=True)
    right.image(qr_png(link, scale=12), caption="Scan to join", width=160)
    _projector_class(key)
    class_gallery.projector_gallery(key)


@st.fragment(run_every=2.0)
def _projector_class(key: str) -> None:
    """The task, read again every 2 s (this page has no other input to wait on); who joined, and
    how their networks do, is the live gallery's (``class_gallery``: names hidden there stay hidden)."""
    try:
        view = STORE.projector(key)
    except RoomError as err:
        st.error(str(err))
        return
    if view.closed:
        st.warning("This class is closed: no one can join any more.")
    task = (view.task or {}).get("text") if view.task else None
    st.markdown(f"<div class='class-task'><b>Task:</b> {nicknames.as_html(task or 'the teacher has not set one yet')}"
                "</div>", unsafe_allow_html=True)
