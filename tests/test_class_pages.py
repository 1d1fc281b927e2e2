"""A class's pages under AppTest: ``?class=new`` starts one and shows its teacher the keys
once; the projector page shows the code, the join link and its QR code and drives nothing;
``?join=CODE`` asks a nickname and joins; the student's secret is never in the address bar nor
in a link (a shared link hands over nothing), their browser keeps it and a reload recognises them
by it; an old link's ``me=`` is ignored and dropped; the teacher's rename, remove and close reach
the student's page; wrong, closed and malformed keys get a sentence; nicknames are shown escaped."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from explorer.choices.config import Config, ViewConfig
from explorer.choices.link import from_query, to_query
from explorer.live.channel import registry
from explorer.live.channel.gallery_session import GallerySession
from explorer.pages.class_pages import KEEPER

from explorer.rooms import keys
from explorer.rooms.server import STORE
from tests.test_app import start


def texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.code] + [e.value for e in at.error]
                     + [i.value for i in at.info] + [w.value for w in at.warning])


def labels(at: AppTest) -> set[str]:
    return {b.label for b in at.button}


def kept_seat(code: str, secret: str, query: dict | None = None, fallback: bool = True) -> AppTest:
    """A student's page as their browser opens it: the join link (with ``query``, say the rest of
    their own link), which asks a nickname, then the join page's keeper reporting the seat this
    browser keeps for the class (its component value, as the browser sends it), which recognises them."""
    at = start({"join": code, **(query or {})}, fallback=fallback)
    assert "Join a class" in texts(at)
    at.session_state[KEEPER] = {"code": code, "seat": secret}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def kept_by_the_page(at: AppTest, keeper: bool = True) -> list[dict]:
    """The seats the student's page hands to its browser to keep: the keeper's arguments (or, with
    ``keeper`` False, the live charts' on their socket)."""
    args = [json.loads(c.proto.json_args) for c in at.get("component_instance")]
    return [a["seat"] for a in args if a.get("seat") and bool(a.get("keeper")) == keeper]


def in_the_link(at: AppTest, secret: str) -> bool:
    return "me" in at.query_params or any(secret in str(v) for v in at.query_params.values())


def test_class_new_starts_a_class_and_shows_its_teacher_the_keys_once():
    at = start({"class": "new"})
    token = at.query_params["class"]
    view = STORE.teacher(token)                                  # the link now carries the teacher's token
    assert token != "new" and at.session_state["class"] == token
    page = texts(at)
    assert keys.show_code(view.code) in page and f"?class={token}" in page and "Recovery code" in page
    assert f"?join={view.code}" in page and {"I saved it", "Refresh the list"} <= labels(at)
    at.button(key="class_saved").click().run()
    assert f"?class={token}" not in texts(at) and keys.show_code(view.code) in texts(at)   # shown once
    assert at.query_params["ds"] == "planar"                   # the explorer goes on beside the class


def test_start_a_class_in_the_sidebar():
    at = start()
    at.button(key="class_start").click().run()
    assert not at.exception
    assert STORE.teacher(at.query_params["class"]).students == ()


def test_the_projector_shows_code_link_and_qr_and_drives_nothing():
    new = STORE.create()
    STORE.join(new.code, "Ada <b>")
    at = start({"projector": new.projector_key})
    page = texts(at)
    assert keys.show_code(new.code) in page and f"?join={new.code}" in page
    assert "Ada" not in page                                   # who joined is the live gallery's (names may be hidden)
    (gallery,) = [json.loads(c.proto.json_args) for c in at.get("component_instance")]
    session = registry.lookup(gallery["token"])                   # its socket reads the class with this key
    assert gallery["gallery"] is True and isinstance(session, GallerySession) and session.key == new.projector_key
    assert [i.proto.imgs[0].caption for i in at.get("image")] == ["Scan to join"]     # the QR code
    assert labels(at) == set() and not at.text_input and not at.sidebar.children   # no control at all
    assert new.teacher_token not in page and new.recovery_code not in page


def test_join_asks_a_nickname_and_the_browser_not_the_link_keeps_the_secret():
    new = STORE.create()
    at = start({"join": keys.show_code(new.code).lower()})
    assert f"Class code **{keys.show_code(new.code)}**" in texts(at)
    at.text_input(key="join_nickname").input("**Grace**")
    at.button[0].click().run()
    assert not at.exception
    me = at.session_state["me"]
    assert at.query_params["join"] == new.code and at.query_params["ds"] == "planar"   # the explorer's link
    assert not in_the_link(at, me)                                 # the address bar never holds the secret
    assert kept_by_the_page(at) == [{"code": new.code, "secret": me}]   # the browser keeps it, per class code
    assert r"as **\*\*Grace\*\***" in texts(at)                  # shown escaped, as typed
    assert [s.nickname for s in STORE.teacher(new.teacher_token).students] == ["**Grace**"]
    link = dict(at.query_params)                                   # what she copies for a classmate
    again = kept_seat(new.code, me, link)                          # a reload: her browser's seat recognises her
    assert r"\*\*Grace\*\*" in texts(again) and "Join a class" not in texts(again)
    assert not in_the_link(again, me)
    page = texts(again)                                            # a student sees no teacher's key or control
    assert "Projector page" not in page and "Recovery" not in page and "Remove" not in labels(again)
    shared = start(link)                                           # her link in a classmate's browser: only joins
    assert "Join a class" in texts(shared) and "Grace" not in texts(shared) and shared.session_state["me"] == ""


@pytest.mark.parametrize("view, fallback, by_keeper", [
    ("live", False, False),          # the live charts hand it over on their socket (no second frame)
    ("live", True, True),            # no socket (a proxy blocks it): the keeper does
    ("backprop", False, True),       # another view: the keeper does
    ("compare", False, True),
])
def test_the_students_page_hands_the_seat_to_the_browser_on_every_view(view, fallback, by_keeper):
    new = STORE.create()
    seat = STORE.join(new.code, "Ada")
    at = kept_seat(new.code, seat.secret, {"page": view}, fallback=fallback)
    assert "as **Ada**" in texts(at) and not in_the_link(at, seat.secret)
    want = [{"code": new.code, "secret": seat.secret}]
    assert kept_by_the_page(at, keeper=by_keeper) == want and kept_by_the_page(at, keeper=not by_keeper) == []


def test_an_old_link_with_a_secret_is_ignored_and_dropped_from_the_address_bar():
    new = STORE.create()
    seat = STORE.join(new.code, "Ada")
    at = start({"join": new.code, "me": seat.secret})             # a link shared before secrets left links
    assert "Join a class" in texts(at) and "Ada" not in texts(at)  # it does not seat whoever opens it
    assert "me" not in at.query_params and at.session_state["me"] == ""
    assert not any("me=" in n for n in at.session_state["notices"])
    again = kept_seat(new.code, seat.secret, {"me": seat.secret})  # in Ada's own browser: her keeper seats her
    assert "as **Ada**" in texts(again) and not in_the_link(again, seat.secret)


def test_no_link_the_page_writes_carries_the_secret():
    cfg = Config(view=ViewConfig(join="ABCDEFGH", me="s" * 43))
    assert "me" not in to_query(cfg) and to_query(cfg)["join"] == "ABCDEFGH"   # the address bar, pins, cells
    back, notices = from_query({"join": "ABCDEFGH", "me": "s" * 43})
    assert back.view.me == "" and back.view.join == "ABCDEFGH" and notices == []


def test_the_teacher_renames_removes_and_closes_on_the_students_page():
    new = STORE.create()
    seat = STORE.join(new.code, "Ada")
    at = kept_seat(new.code, seat.secret)
    STORE.rename(new.teacher_token, seat.student_id, "Grace")
    at.run()
    assert "as **Grace**" in texts(at)
    STORE.close(new.teacher_token)                                 # a closed class: no one joins; she stays
    at.run()
    assert "as **Grace**" in texts(at) and "Join a class" not in texts(at)
    other = STORE.create()
    seat = STORE.join(other.code, "Bo")
    at = kept_seat(other.code, seat.secret)
    STORE.remove(other.teacher_token, seat.student_id)
    at.run()
    assert "not in this class (any more)" in texts(at) and "Join a class" in texts(at)
    assert at.session_state["me"] == "" and not in_the_link(at, seat.secret)
    at.run()                                                       # the kept seat is not tried again
    assert "not in this class (any more)" not in texts(at) and "Join a class" in texts(at)


def test_the_teacher_renames_and_removes_students():
    at = start({"class": "new"})
    token = at.query_params["class"]
    view = STORE.teacher(token)
    a, b = STORE.join(view.code, "Ada"), STORE.join(view.code, "Bo")
    at.button(key="class_refresh").click().run()
    at.text_input(key=f"class_rename_{b.student_id}").input("Grace")
    at.button(key=f"class_do_rename_{b.student_id}").click().run()
    at.button(key=f"class_remove_{a.student_id}").click().run()
    assert [s.nickname for s in STORE.teacher(token).students] == ["Grace"]
    assert "Grace" in texts(at) and "Ada" not in texts(at)
    with pytest.raises(Exception):
        STORE.student(view.code, a.secret)


@pytest.mark.parametrize("query, says", [
    ({"join": "ZZZZ"}, "Ignored `join=ZZZZ`"),
    ({"join": "2345-6789"}, "No class has this code"),
    ({"class": "x" * 43}, "This teacher link does not open a class"),
    ({"class": "<script>"}, "Ignored `class="),
    ({"projector": "y" * 22}, "This projector link does not show a class"),
    ({"join": "ABCD-EFGH", "me": "z" * 32}, "No class has this code"),
])
def test_wrong_or_malformed_keys_get_a_sentence_and_no_traceback(query, says):
    at = start(query)
    assert says in texts(at)


def test_a_closed_class_says_so_and_the_explorer_opens():
    new = STORE.create()
    STORE.close(new.teacher_token)
    at = start({"join": new.code})
    assert "the teacher closed it" in texts(at) and "join_nickname" not in [t.key for t in at.text_input]


def test_the_recovery_code_gets_a_new_teacher_link():
    new = STORE.create()
    at = start()
    at.text_input(key="class_recovery_in").input(keys.show_recovery(new.recovery_code))
    at.button(key="class_recover").click().run()
    token = at.query_params["class"]
    assert token != new.teacher_token and STORE.teacher(token).code == new.code
