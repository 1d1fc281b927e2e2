"""A class in real Chromium: a teacher starts one, two students join from the join link
(one on a phone); their browsers keep their secrets, never their links (a link a student shares
only joins), a reload recognises a student, and the projector shows both nicknames.
The teacher sends a task first; a student's locked settings are disabled. (The gallery's
own test is tests/test_browser_gallery.py.) Screenshots
(tests/artifacts/class_*.png): the teacher page, the projector at 1280×720 and 1920×1080,
the join form and a student's page on a 390×844 phone, a student's locked sidebar."""
from __future__ import annotations

import re

import pytest

from tests.browser import new_page, rerun_of, wait_idle, wait_live
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def open_page(chromium, url: str, width: int, height: int, mobile: bool = False):
    page = new_page(chromium, width, height, mobile)
    page.goto(url)
    return page


def join(chromium, link: str, nickname: str, phone: bool):
    page = open_page(chromium, link, *((390, 844) if phone else (1280, 800)), mobile=phone)
    page.get_by_role("textbox", name="Your nickname").fill(nickname)
    if phone:
        page.screenshot(path=str(ARTIFACTS / "class_join_phone.png"))
    with rerun_of(page):
        page.get_by_role("button", name="Join").click()
    page.get_by_text("You are in class").wait_for(timeout=60_000)
    wait_live(page)                       # the explorer is drawn: its live charts show a frame
    wait_idle(page)
    return page


def test_create_join_two_students_and_the_projector_shows_them(server, chromium):
    teacher = open_page(chromium, f"{server}/?class=new", 1400, 1000)
    teacher.get_by_text("Save your teacher link now").wait_for(timeout=60_000)
    wait_live(teacher)
    wait_idle(teacher)
    teacher.get_by_text(re.compile(r"\?class=")).first.wait_for()
    teacher.screenshot(path=str(ARTIFACTS / "class_teacher.png"))
    assert re.search(r"[?&]class=[A-Za-z0-9_-]{43}", teacher.url)
    link = teacher.get_by_text(re.compile(r"\?join=[0-9A-Z]{8}$")).first.inner_text().strip()
    projector = teacher.get_by_role("link", name="Open the projector page").get_attribute("href")
    assert link.startswith(server) and "?projector=" in projector
    with rerun_of(teacher):
        teacher.get_by_role("button", name="I saved it").click()
    teacher.get_by_text("Save your teacher link now").wait_for(state="detached", timeout=60_000)
    teacher.get_by_role("button", name="Set the task from my setup").click()  # opens the form (no run)
    teacher.get_by_role("button", name="Send the task").wait_for(timeout=30_000)  # the form is open
    with rerun_of(teacher):
        teacher.get_by_role("button", name="Send the task").click()
    teacher.get_by_text("Task 1:").wait_for(timeout=30_000)

    ada = join(chromium, link, "Ada <i>", phone=True)
    ada.screenshot(path=str(ARTIFACTS / "class_student_phone.png"))
    bo = join(chromium, link, "Bo", phone=False)
    bo.get_by_text("Task:").first.wait_for()
    assert bo.get_by_role("combobox", name="Dataset").first.is_disabled()          # locked by the task
    bo.screenshot(path=str(ARTIFACTS / "class_student_locked.png"))
    code = re.search(r"join=([0-9A-Z]{8})", link).group(1)
    for page in (ada, bo):
        kept = page.evaluate(f"localStorage.getItem('bpx.seat.{code}')")    # the browser keeps the secret ...
        assert kept and re.fullmatch(r"[A-Za-z0-9_-]{16,64}", kept)
        assert kept not in page.url and "me=" not in page.url and "class=" not in page.url   # ... never the link
    assert ada.get_by_text("Open the projector page").count() == 0        # no teacher control on a student's page
    mate = open_page(chromium, f"{bo.url}&page=backprop", 1280, 800)       # Bo shares his link: it only joins
    mate.get_by_role("textbox", name="Your nickname").wait_for(timeout=60_000)
    wait_idle(mate)
    assert mate.get_by_text("You are in class").count() == 0                # not Bo, nor anyone
    mate.get_by_role("textbox", name="Your nickname").fill("Cy")          # she joins on a view without
    with rerun_of(mate):                                                  # the live charts: the keeper keeps
        mate.get_by_role("button", name="Join").click()                   # her seat, and a reload finds it
    mate.get_by_text("You are in class").wait_for(timeout=60_000)
    wait_idle(mate)
    kept = mate.evaluate(f"localStorage.getItem('bpx.seat.{code}')")
    assert kept and kept not in mate.url and "me=" not in mate.url
    mate.reload()
    mate.get_by_text("You are in class").wait_for(timeout=60_000)
    assert "Cy" in mate.get_by_text("You are in class").inner_text()
    mate.context.close()
    ada.reload()                                                          # her browser's seat recognises her
    ada.get_by_text("You are in class").wait_for(timeout=60_000)
    assert "Ada" in ada.get_by_text("You are in class").inner_text() and "me=" not in ada.url
    assert ada.get_by_role("textbox", name="Your nickname").count() == 0

    for width, height in ((1280, 720), (1920, 1080)):
        page = open_page(chromium, projector, width, height)
        gallery = wait_live(page, 60, ready="!!(window.__gallery && __gallery.names.length >= 2)")   # (Cy too, perhaps)
        for name in ("Ada <i>", "Bo"):                                    # the live gallery's captions, as typed
            gallery.locator(".gname", has_text=name).wait_for(timeout=30_000)
            # Neither has pressed Play: the projector, opened after they joined, draws each one's
            # network from the run store (epoch 0), not "waiting for a first frame".
            cell = gallery.locator(".gcell", has=gallery.locator(".gname", has_text=name))
            cell.locator(".gnums", has_text="ep 0").wait_for(timeout=30_000)
        code = page.locator(".join-code").inner_text()
        assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", code) and code.replace("-", "") in link
        names = [b.get_attribute("aria-label") or b.inner_text() for b in page.get_by_role("button").all()]
        assert set(names) <= {"Fullscreen: Scan to join"}, names           # the projector drives nothing
        assert page.locator(".join-link").inner_text().strip() == link
        box = page.get_by_role("img").first.bounding_box()
        assert box and box["y"] + box["height"] <= height and box["width"] >= 150     # the QR code fits the screen
        page.screenshot(path=str(ARTIFACTS / f"class_projector_{width}x{height}.png"))
