"""The projector's live gallery in real Chromium: a teacher, three students who join and play
in their own pages, and the projector showing three live boundaries that change, with the class
chart beside them (three faint lines and a bold median, read from the canvas's pixels); "Show
this one" puts one student's network full screen (boundary, network and curves, each painted,
inside 1920×1080 and 1280×720) and back; "Pause everyone" pauses the students' pages and holds
them paused (a student's Play is undone) until "Let everyone go on"; a student's page has no
teacher control. Then 27 more students join at the socket level (bench/room_client: real
Streamlit sessions and live channels) and the 30 fit the projector at 1920×1080 with thumbnails
of at least 120 px and labels of at least 16 px, the chart drawing 30 lines. Screenshots
(tests/artifacts/gallery_*.png): the gallery of 3, one shown full screen at 1920×1080 and
1280×720, 30 at 1920×1080 and 1280×720.
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
from tests.test_browser_class import join, open_page

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
                          " lastError: __gallery.lastError, frames: __gallery.frames, focusParts: __gallery.focusParts})")


def wait_for(page, frame, predicate, what: str, timeout_s: float = 60):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        s = stats(frame)
        if predicate(s):
            return s
        page.wait_for_timeout(300)
    raise AssertionError(f"the gallery never showed {what}: {stats(frame)}")


# The class chart's pixels inside its plot area: the median's (the ink colour, bold) and the faint
# lines' (the positive colour at 35 % over white), and how thick the median is per column it crosses.
CHART_PIXELS = """() => {
  const c = document.querySelector('#gal .gchart'), ch = __gallery.chart, dpr = window.devicePixelRatio || 1;
  const [l, t, w, h] = ch.plot.map(v => Math.round(v * dpr));
  const px = c.getContext('2d').getImageData(l + 3, t + 3, w - 6, h - 6).data, cols = new Map();
  let ink = 0, faint = 0;
  for (let i = 0; i < px.length; i += 4) {
    const [r, g, b, a] = [px[i], px[i + 1], px[i + 2], px[i + 3]];
    if (a > 200 && Math.abs(r - 49) < 30 && Math.abs(g - 51) < 30 && Math.abs(b - 63) < 30) {
      ink++; const x = (i / 4) % (w - 6); cols.set(x, (cols.get(x) || 0) + 1);
    } else if (a > 40 && b > r + 30) faint++;
  }
  return {ink, faint, columns: cols.size, students: ch.students, median: ch.median};
}"""

# "Show this one"'s three pictures: each canvas's box (page pixels) and how many of its pixels are painted.
FOCUS_CANVASES = """() => Array.from(document.querySelectorAll('#gal .gfocus canvas')).map(c => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) painted++;
  return {label: c.getAttribute('aria-label'), painted, n: c.width * c.height};
})"""


def fits(frame, selector, width, height):
    """Every element of ``selector`` in the gallery lies inside the width × height window."""
    boxes = [frame.locator(selector).nth(i).bounding_box() for i in range(frame.locator(selector).count())]
    assert boxes and all(b and b["width"] > 20 and b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= width
                         and b["y"] + b["height"] <= height for b in boxes), (selector, boxes)
    return boxes


def show_one(projector, g, name: str, width: int, height: int, shot: str):
    """The shown student's boundary, network and curves are painted and fit width × height."""
    projector.set_viewport_size({"width": width, "height": height})
    wait_for(projector, g, lambda s: s["focus"] >= 0 and s["focusParts"] and min(s["focusParts"].values()) > 1,
             f"{name}'s network shown with a frame painted")
    projector.wait_for_timeout(1200)                       # (a resize lays the view out again)
    g.locator(".gfocus h2", has_text=name).wait_for(timeout=10_000)
    boxes = fits(g, ".gfocus canvas", width, height)
    pictures = g.evaluate(FOCUS_CANVASES)
    labels = [p["label"] for p in pictures]
    assert len(pictures) == 4 and "Decision boundary" in labels[0] and "network" in labels[1], labels
    assert "loss" in labels[2] and "score" in labels[3], labels
    assert all(p["painted"] > 0.01 * p["n"] for p in pictures), pictures           # each one drawn
    assert boxes[0]["width"] >= 0.4 * height, boxes                                 # the boundary is large
    fits(g, ".gfocus h2", width, height)
    ms = sorted(g.evaluate("__gallery.drawMs.slice(-5)"))
    print(f"'Show this one' at {width}×{height}: a frame drawn in {ms[len(ms) // 2]:.1f} ms (median of {len(ms)})")
    projector.screenshot(path=str(ARTIFACTS / shot))


def play(page):
    frame = wait_live(page, 30)
    frame.locator("#top .controls button:text-is('Play')").click()
    frame.wait_for_function("() => /Pause/.test(document.querySelector('#top .controls button.primary').textContent)")
    return frame


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


def test_the_projector_shows_every_student_live(server, chromium):
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
    projector = open_page(chromium, projector_link, 1920, 1080)      # before anyone plays: every line whole
    g = gallery(projector)
    # The three train the same task from the same weights, so their curves are one curve, and the
    # median is drawn over it where two of them reach. Ada starts 100 epochs ahead: her faint line
    # shows past the median's end however closely Bo and Cy press Play (their lead alone was a
    # few epochs: 12 faint pixels in one round).
    play(students[0]).wait_for_function("__live.extra.epoch >= 100", timeout=60_000)
    for page in students[1:]:
        play(page)
    assert students[0].get_by_role("button", name="Pause everyone").count() == 0   # no teacher control for a student
    assert students[0].get_by_text("Download the results").count() == 0

    first = wait_for(projector, g, lambda s: sorted(s["names"]) == sorted(names) and min(s["painted"]) > 0,
                     "three painted students")
    later = wait_for(projector, g, lambda s: all(b > a for a, b in zip(first["epochs"], s["epochs"]))
                     and all(b > a for a, b in zip(first["painted"], s["painted"])), "the boundaries changing")
    assert later["errors"] == 0, later["lastError"]
    assert g.locator(".gname", has_text="Ada <b>").count() == 1                  # escaped: shown as typed
    wait_for(projector, g, lambda s: g.evaluate("__gallery.chart && __gallery.chart.median") >= 60,
             "the class chart's median over half of its epochs", 120)
    chart = g.evaluate(CHART_PIXELS)                                           # three faint lines, a bold median
    assert chart["students"] == 3 and chart["median"] > 10, chart
    assert chart["faint"] > 30 and chart["ink"] > 100, chart                 # (the median covers some faint pixels)
    assert chart["ink"] / chart["columns"] >= 3, chart                          # bold: 3+ px in each column
    fits(g, ".gchart", 1920, 1080)
    projector.screenshot(path=str(ARTIFACTS / "gallery_3_1920x1080.png"))

    wait_idle(teacher)                                                         # "Show this one": Bo, large
    with rerun_of(teacher):
        teacher.get_by_role("button", name="Refresh the list").click()
    teacher.get_by_role("combobox", name="Show this one").click()
    teacher.get_by_role("option", name="Bo").click()
    bo = later["names"].index("Bo")
    wait_for(projector, g, lambda s: s["focus"] == bo, "Bo shown")
    show_one(projector, g, "Bo", 1920, 1080, "gallery_show_one_1920x1080.png")
    show_one(projector, g, "Bo", 1280, 720, "gallery_show_one_1280x720.png")
    assert g.locator(".gfocus a.gsetup").get_attribute("href").split("?", 1)[1].startswith("ds=")
    projector.set_viewport_size({"width": 1920, "height": 1080})
    wait_idle(teacher)
    teacher.get_by_role("combobox", name="Show this one").click()
    teacher.get_by_role("option", name="The whole gallery").click()
    wait_for(projector, g, lambda s: s["focus"] == -1, "the whole gallery again")
    g.locator(".gchart").wait_for(timeout=10_000)                              # the chart is back beside it

    wait_idle(teacher)                                                         # pause everyone: held
    with rerun_of(teacher):
        teacher.get_by_role("button", name="Pause everyone").click()
    for page in students:
        wait_live(page, 5).get_by_text("Your teacher paused everyone").wait_for(timeout=20_000)
    ada = wait_live(students[0], 5)
    ada.locator("#top .controls button:text-is('Play')").click()               # a Play during the hold is undone
    ada.wait_for_function("() => /Play/.test(document.querySelector('#top .controls button.primary').textContent)"
                          " && /paused everyone/.test(document.body.innerText)", timeout=20_000)
    wait_idle(teacher)
    with rerun_of(teacher):
        teacher.get_by_role("button", name="Let everyone go on").click()
    ada.get_by_text("Your teacher let everyone go on").wait_for(timeout=20_000)

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
        wait_for(projector, g, lambda s: g.evaluate("__gallery.chart.students") == 30, "30 lines in the chart")
        fits(g, ".gchart", 1920, 1080)
        cost = g.evaluate("(() => { const a = __gallery.chartMs.slice(-40).sort((x, y) => x - y), "
                          "d = __gallery.drawMs.slice(-40).sort((x, y) => x - y); "
                          "return {chart: a[a.length >> 1], chart_max: a[a.length - 1], frame: d[d.length >> 1], "
                          "frame_max: d[d.length - 1], n: a.length}; })()")
        print("projector at 30 students, ms (median, max over the last frames):", cost)
        projector.screenshot(path=str(ARTIFACTS / "gallery_30_1920x1080.png"))
        projector.set_viewport_size({"width": 1280, "height": 720})
        projector.wait_for_timeout(1500)
        projector.screenshot(path=str(ARTIFACTS / "gallery_30_1280x720.png"))
    finally:
        bots.close()
