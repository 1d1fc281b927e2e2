"""The teacher's controls under AppTest: pause everyone, hide and reveal names, "Show this
one", close the class and the results CSV, each through the store with the teacher's token;
a student's page has none of them, and their page binds their own live session to the
gallery."""
from __future__ import annotations

import csv
import io

from explorer.live.channel.room_feed import FEED, Thumb
from explorer.live.channel.room_seats import SEATS
from explorer.pages.class_controls import result_rows
from explorer.rooms.results import results_csv
from explorer.rooms.server import STORE
from tests.test_app import start
from tests.test_class_pages import kept_seat

CONTROLS = {"class_pause_all", "class_names", "class_close", "class_results"}


def keys_of(at) -> set[str]:
    return {b.key for b in at.button}


def test_the_teacher_drives_the_class_through_the_store():
    at = start({"class": "new"})
    token = at.query_params["class"]
    view = STORE.teacher(token)
    ada, bo = STORE.join(view.code, "=cmd|' /C calc'!A0"), STORE.join(view.code, "Bo")
    at.button(key="class_refresh").click().run()
    assert {"class_pause_all", "class_names"} <= keys_of(at)
    at.button(key="class_pause_all").click().run()
    at.button(key="class_names").click().run()
    assert STORE.teacher(token).controls.paused and STORE.teacher(token).controls.names_hidden
    assert at.button(key="class_names").label == "Reveal names"
    at.selectbox(key="class_focus").select(bo.student_id).run()
    assert STORE.teacher(token).controls.focus == bo.student_id
    at.selectbox(key="class_focus").select("").run()
    assert STORE.teacher(token).controls.focus == ""
    at.button(key="class_close").click().run()
    assert STORE.teacher(token).closed and not at.exception
    assert any("class_results" in d.proto.id for d in at.get("download_button"))
    FEED.publish(view.code, thumb(bo.student_id, 0.95))
    rows = list(csv.reader(io.StringIO(results_csv(result_rows(STORE.teacher(token))))))
    assert rows[0][:4] == ["rank", "nickname", "setup", "epoch"]
    assert [r[1] for r in rows[1:]] == ["Bo", "'=cmd|' /C calc'!A0"]          # by the goal; a formula defused
    assert rows[1][2] == "ds=xor" and rows[1][4:6] == ["0.95", "0.95"] and rows[2][3] == ""


def thumb(sid, score):
    return Thumb(sid, 40, False, (2, 1), ("sigmoid",), "d", b"\0" * 6, score, score, 0.2, 3, "ds=xor")


def test_a_students_page_has_no_controls_and_binds_their_own_session():
    teacher = STORE.create()
    seat = STORE.join(teacher.code, "Cy")
    at = kept_seat(teacher.code, seat.secret)
    assert not (CONTROLS & keys_of(at))
    assert "class_focus" not in {s.key for s in at.selectbox}
    SEATS.tick()
    (thumb,) = FEED.read(teacher.code, 0)[1]
    assert thumb.student_id == seat.student_id and thumb.epoch == 0 and "me=" not in thumb.setup
