"""The projector's live gallery in real Chromium: a teacher, three students who join and play
in their own pages, and the projector showing three live boundaries that change; "Show this
one" puts one student large and back; "Pause everyone" pauses the students' pages; a student's
page has no teacher control. Then 27 more students join at the socket level (bench/room_client:
real Streamlit sessions and live channels) and the 30 fit the projector at 1920×1080 with
thumbnails of at least 120 px and labels of at least 16 px. Screenshots
(tests/artifacts/gallery_*.png): the gallery of 3, one shown large, 30 at 1920×1080 and 1280×720.
"""
from __future__ import annotations

import asyncio
import re
import threading
import time

import pytest

from bench.room_client import Student
from tests.browser import rerun_of, wait_idle, wait_live
from tests.conftest import ARTIFACTS
from tests.test_browser_class import chromium, join, open_page  # noqa: F401 - the module's browser

pytestmark = pytest.mark.browser


def gallery(page, timeout_s: float = 90):
    """The projector page's gallery iframe once it has its setup."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for frame in page.frames:
            if "live_charts" in frame.url:
                try:
                    if frame.evaluate("!!(window.__gallery && window.__gallery.setups > 0)"):
                        return frame
                except Exception:      # the frame may be navigating
                    pass
        page.wait_for_timeout(200)
    raise TimeoutError("the gallery never arrived")


def stats(frame) -> dict:
    return frame.evaluate("({names: __gallery.names.slice(), epochs: __gallery.epochs.slice(), painted:"
                          " __gallery.painted.slice(), focus: __gallery.focus, errors: __gallery.errors,"
                          " lastError: __gallery.lastError, frames: __gallery.frames})")


def wait_for(page, frame, predicate, what: str, timeout_s: float = 60):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        s = stats(frame)
        if predicate(s):
            return s
        page.wait_for_timeout(300)
    raise AssertionError(f"the gallery never showed {what}: {stats(frame)}")


def play(page):
    frame = wait_live(page, 30)
    frame.locator("#top .controls button:text-is('Play')").click()
    frame.wait_for_function("() => /Pause/.test(document.querySelector('#top .controls button.primary').textContent)")


class Bots:
    """Simulated students at the socket level, on an event loop of their own thread."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.students: list[Student] = []

    def run(self, coro, timeout: float = 240):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _join(self, base, code, names):
        for batch in range(0, len(names), 5):
            group = [Student(base, code, name) for name in names[batch:batch + 5]]
            await asyncio.gather(*(s.open() for s in group))
            await asyncio.gather(*(s.control({"type": "play"}) for s in group))
            self.students += group

    async def _close(self):
        await asyncio.gather(*(s.close() for s in self.students), return_exceptions=True)

    def close(self):
        self.run(self._close(), 60)
        self.loop.call_soon_threadsafe(self.loop.stop)


def test_the_projector_shows_every_student_live(server, chromium):   # noqa: F811
    teacher = open_page(chromium, f"{server}/?class=new", 1400, 1000)
    teacher.get_by_text("Save your teacher link now").wait_for(timeout=60_000)
    wait_live(teacher)
    wait_idle(teacher)
    link = teacher.get_by_text(re.compile(r"\?join=[0-9A-Z]{8}$")).first.inner_text().strip()
    projector_link = teacher.get_by_role("link", name="Open the projector page").get_attribute("href")
    with rerun_of(teacher):
        teacher.get_by_role("button", name="I saved it").click()

    names = ("Ada <b>", "Bo", "Cy")
    students = [join(chromium, link, name, phone=False) for name in names]
    for page in students:
        play(page)
    assert students[0].get_by_role("button", name="Pause everyone").count() == 0   # no teacher control for a student
    assert students[0].get_by_text("Download the results").count() == 0

    projector = open_page(chromium, projector_link, 1920, 1080)
    g = gallery(projector)
    first = wait_for(projector, g, lambda s: sorted(s["names"]) == sorted(names) and min(s["painted"]) > 0,
                     "three painted students")
    later = wait_for(projector, g, lambda s: all(b > a for a, b in zip(first["epochs"], s["epochs"]))
                     and all(b > a for a, b in zip(first["painted"], s["painted"])), "the boundaries changing")
    assert later["errors"] == 0, later["lastError"]
    assert g.locator(".gname", has_text="Ada <b>").count() == 1                  # escaped: shown as typed
    projector.screenshot(path=str(ARTIFACTS / "gallery_3_1920x1080.png"))

    wait_idle(teacher)                                                         # "Show this one": Bo, large
    with rerun_of(teacher):
        teacher.get_by_role("button", name="Refresh the list").click()
    teacher.get_by_role("combobox", name="Show this one").click()
    teacher.get_by_role("option", name="Bo").click()
    bo = later["names"].index("Bo")
    wait_for(projector, g, lambda s: s["focus"] == bo, "Bo large")
    g.locator(".gfocus h2", has_text="Bo").wait_for(timeout=10_000)
    box = g.locator(".gfocus canvas").bounding_box()
    assert box and box["width"] >= 500 and box["y"] + box["height"] <= 1080
    projector.screenshot(path=str(ARTIFACTS / "gallery_show_one_1920x1080.png"))
    wait_idle(teacher)
    teacher.get_by_role("combobox", name="Show this one").click()
    teacher.get_by_role("option", name="The whole gallery").click()
    wait_for(projector, g, lambda s: s["focus"] == -1, "the whole gallery again")

    wait_idle(teacher)                                                         # pause everyone
    teacher.get_by_role("button", name="Pause everyone").click()
    for page in students:
        wait_live(page, 5).get_by_text("Your teacher paused everyone").wait_for(timeout=20_000)

    bots = Bots()                                                              # 27 more: 30 in all
    try:
        bots.run(bots._join(server, link.rsplit("=", 1)[1], [f"Student bot {i:02d}" for i in range(27)]))
        full = wait_for(projector, g, lambda s: len(s["names"]) == 30 and min(s["painted"]) > 0, "30 students", 120)
        assert full["errors"] == 0, full["lastError"]
        cells = g.locator(".gcell")
        assert cells.count() == 30, g.evaluate("(() => { const S = BPGallery.state(); return [S.pages, S.layout]; })()")
        for i in range(30):
            b = cells.nth(i).locator("canvas").bounding_box()
            assert b and b["width"] >= 120 and b["y"] + b["height"] <= 1080 and b["x"] + b["width"] <= 1920, (i, b)
        size = g.evaluate("parseFloat(getComputedStyle(document.querySelector('#gal .gname')).fontSize)")
        assert size >= 16
        projector.screenshot(path=str(ARTIFACTS / "gallery_30_1920x1080.png"))
        projector.set_viewport_size({"width": 1280, "height": 720})
        projector.wait_for_timeout(1500)
        projector.screenshot(path=str(ARTIFACTS / "gallery_30_1280x720.png"))
    finally:
        bots.close()
