"""A reload resumes the run, in real Chromium: the browser keeps its secret (localStorage), the
live socket's hello carries it, and the server's run keeper gives the new page its run back.

- Played past epoch 100 and paused: a reload shows the same epoch and the very same weights,
  with "Resumed at epoch N", and Play trains on from there.
- Reloaded while playing: it resumes within the last 5 s of training (20 epochs a second).
- A student in a class reloads and stays in the class with their run; opened again from the bare
  join link (no ``me=``), the same browser is recognised (the seat it keeps) and resumes too.

The seconds from a reload to the resumed picture go to tests/artifacts/resume.json."""
from __future__ import annotations

import json
import re
import time

import pytest

from tests.browser import new_page, paused_epoch, rerun_of, wait_idle, wait_live
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

STATE = "() => { const S = BPView.state(); return S && {epoch: S.epoch, notice: S.notice, running: S.running," \
        " weights: Array.from(S.weights)}; }"
RESUMED = "() => { const S = BPView.state(); return !!S && /^Resumed at epoch/.test(S.notice || '') && __live.renders > 0; }"
FIGURES: dict = {}


@pytest.fixture(scope="module", autouse=True)
def figures_file():
    yield
    (ARTIFACTS / "resume.json").write_text(json.dumps(FIGURES, indent=1))


def play_to(frame, epoch: int) -> None:
    frame.locator("#top button.primary").click()                       # Play
    frame.wait_for_function(f"() => __live.extra.epoch >= {epoch}", timeout=120_000)


def pause(frame) -> dict:
    frame.locator("#top button.primary").click()                       # Pause
    paused_epoch(frame)                                                # the last frames land
    return frame.evaluate(STATE)


def reload_and_resume(page) -> tuple:
    """Reload; the live frame once the resumed setup is drawn, its state, and the seconds it took."""
    t0 = time.monotonic()
    page.reload()
    frame = wait_live(page, 120, ready=RESUMED)
    return frame, frame.evaluate(STATE), time.monotonic() - t0


def test_a_reload_resumes_the_run_at_its_epoch_with_its_weights(server, chromium):
    page = new_page(chromium, 1400, 1000)
    page.goto(server)
    frame = wait_live(page)
    wait_idle(page)
    secret = frame.evaluate("localStorage.getItem('bpx.secret')")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret) and secret not in page.url
    play_to(frame, 100)
    before = pause(frame)
    assert before["epoch"] >= 100

    frame, after, seconds = reload_and_resume(page)
    FIGURES["reload_paused_s"] = round(seconds, 2)
    assert after["epoch"] == before["epoch"] and after["weights"] == before["weights"]
    assert after["notice"] == f"Resumed at epoch {before['epoch']:,}: press Play to go on." and not after["running"]
    assert frame.locator(".notice").inner_text().startswith("Resumed at epoch")
    assert frame.evaluate("localStorage.getItem('bpx.secret')") == secret          # the same browser secret
    page.screenshot(path=str(ARTIFACTS / "resume_paused.png"))
    play_to(frame, before["epoch"] + 20)                                 # it trains on from there

    # Reloaded while it plays: the page leaves, its socket closes, the run pauses and is saved;
    # at worst the last periodic checkpoint (at most 5 s, 100 epochs at 20 a second) is lost.
    playing = frame.evaluate(STATE)
    frame, after, seconds = reload_and_resume(page)
    FIGURES["reload_playing_s"] = round(seconds, 2)
    FIGURES["reload_playing_epochs"] = [playing["epoch"], after["epoch"]]
    assert playing["epoch"] - 100 <= after["epoch"] and after["epoch"] >= before["epoch"] + 20
    assert after["weights"] != before["weights"]

    # Another browser (its own secret) opening the same link starts fresh.
    other = new_page(chromium, 1400, 1000)
    other.goto(page.url)
    fresh = wait_live(other)
    wait_idle(other)
    assert fresh.evaluate(STATE)["epoch"] == 0 and not fresh.evaluate(STATE)["notice"]
    assert fresh.evaluate("localStorage.getItem('bpx.secret')") != secret
    other.context.close()
    page.context.close()


def test_a_student_reloads_and_stays_in_the_class_with_their_run(server, chromium):
    teacher = new_page(chromium, 1400, 1000)
    teacher.goto(f"{server}/?class=new")
    teacher.get_by_text("Save your teacher link now").wait_for(timeout=60_000)
    wait_idle(teacher)
    link = teacher.get_by_text(re.compile(r"\?join=[0-9A-Z]{8}$")).first.inner_text().strip()

    student = new_page(chromium, 1280, 900)
    student.goto(link)
    student.get_by_role("textbox", name="Your nickname").fill("Cy")
    with rerun_of(student):
        student.get_by_role("button", name="Join").click()
    student.get_by_text("You are in class").wait_for(timeout=60_000)
    frame = wait_live(student)
    wait_idle(student)
    play_to(frame, 60)
    before = pause(frame)

    frame, after, seconds = reload_and_resume(student)                 # the browser keeps the seat (never in the link)
    FIGURES["student_reload_s"] = round(seconds, 2)
    student.get_by_text("You are in class").wait_for(timeout=60_000)
    assert "Cy" in student.get_by_text("You are in class").inner_text()
    assert after["epoch"] == before["epoch"] and after["weights"] == before["weights"]

    # The bare join link, as the projector shows it: this browser keeps the seat, so it is recognised.
    t0 = time.monotonic()
    student.goto(link)
    student.get_by_text("You are in class").wait_for(timeout=60_000)
    frame = wait_live(student, 120, ready=RESUMED)
    FIGURES["student_join_link_s"] = round(time.monotonic() - t0, 2)
    assert frame.evaluate(STATE)["epoch"] == before["epoch"]
    assert student.get_by_role("textbox", name="Your nickname").count() == 0
    student.screenshot(path=str(ARTIFACTS / "resume_student.png"))
    student.context.close()
    teacher.context.close()
