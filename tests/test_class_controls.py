"""The teacher's controls under AppTest: pause everyone, hide and reveal names, "Show this
one", close the class and the results CSV, each through the store with the teacher's token;
a student's page has none of them, and their page binds their own live session to the
gallery."""
from __future__ import annotations

import csv
import io

import secrets
from urllib.parse import parse_qsl

from explorer.choices.link import from_query
from explorer.live.channel.room_feed import FEED
from explorer.live.channel.room_seats import SEATS
from explorer.pages.class_controls import result_rows
from explorer.rooms.results import results_csv
from explorer.rooms.server import STORE
from explorer.training.run import Run, build_data
from explorer.training.run_checkpoint import capture
from explorer.training.run_checkpoint_json import to_dict
from explorer.training.run_store import RUNS
from explorer.training.run_store_base import key_of
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
    run = kept_run(view.code, bo.secret, "ds=xor&layers=4:tanh&test=0.5", 40)          # Bo's run, in the run store
    rows = list(csv.reader(io.StringIO(results_csv(result_rows(STORE.teacher(token))))))
    assert rows[0][:4] == ["rank", "nickname", "setup", "epoch"]
    assert [r[1] for r in rows[1:]] == ["Bo", "'=cmd|' /C calc'!A0"]          # by the goal; a formula defused
    h = run.trainer.history
    assert rows[1][2].startswith("ds=xor") and rows[1][3] == "40" and rows[2][3] == ""
    assert rows[1][4:6] == [str(h.accuracy[-1]), str(h.test_accuracy[-1])]


def kept_run(code: str, seat_secret: str, link: str, epochs: int) -> Run:
    """A student's run trained ``epochs`` and saved in the run store under a browser secret, the
    seat told where (as the student's page and ``room_seats`` do)."""
    cfg, _ = from_query(parse_qsl(link))
    run = Run(cfg, build_data(cfg.data))
    run.train_steps(epochs, float("inf"))
    browser = secrets.token_urlsafe(32)
    RUNS.save(browser, to_dict(capture(run, False)))
    STORE.set_run(code, seat_secret, key_of(browser))
    return run


def test_a_students_page_has_no_controls_and_binds_their_own_session():
    teacher = STORE.create()
    seat = STORE.join(teacher.code, "Cy")
    sub = FEED.subscribe(teacher.code)
    at = kept_seat(teacher.code, seat.secret)
    assert not (CONTROLS & keys_of(at))
    assert "class_focus" not in {s.key for s in at.selectbox}
    SEATS.tick()
    (thumb,) = sub.take()
    assert thumb.student_id == seat.student_id and thumb.epoch == 0 and "me=" not in thumb.setup
