"""Every view fits the screen it is shown on (headless Chromium, 100 % zoom).

Checks what a viewer sees, not how the page is built: the bounding boxes of the charts
(every plotly plot on the page or in a same-origin iframe), of the Play/Pause button and
of the epoch line; the smallest computed font size of visible text; the sidebar; the
keyboard shortcuts. One server for the module. Screenshots go to tests/artifacts/layout_*.png
and the measurements to tests/artifacts/layout.json.
"""
from __future__ import annotations

import json
import re
import time
from urllib.parse import parse_qs, urlparse

import pytest

from explorer.choices.settings_table import PAGES
from explorer.pages.chrome import FRAME_TOP_REM, LAPTOP, root_font_px
from tests.browser import browser_page, wait_idle
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
MEASURED: dict[str, dict] = {}

# Boxes in the top page's coordinates, of every plot, Play/Pause, the epoch line; and the
# smallest font of visible text (page text, and chart text inside same-origin iframes).
MEASURE = r"""() => {
  const out = {plots: [], buttons: [], epoch: null, pageFont: [1e9, ''], chartFont: [1e9, ''], boundaryPlot: null, frameTop: null,
               vw: innerWidth, vh: innerHeight, scrollW: document.documentElement.scrollWidth};
  const box = (r, dx, dy) => ({x: r.x + dx, y: r.y + dy, w: r.width, h: r.height,
                               right: r.right + dx, bottom: r.bottom + dy});
  function visit(doc, dx, dy, depth, clip) {
    const win = doc.defaultView;
    doc.querySelectorAll('.js-plotly-plot').forEach(p => {
      const r = p.getBoundingClientRect();
      if (r.width < 50 || r.height < 50) return;
      const t = p.querySelector('.gtitle');
      // clipped: cut off by the edge of the iframe it is drawn in (what a viewer would miss)
      const clipped = r.bottom + dy > clip.y1 + 1 || r.right + dx > clip.x1 + 1;
      out.plots.push(Object.assign(box(r, dx, dy), {title: t ? t.textContent : '', clipped}));
    });
    doc.querySelectorAll('button').forEach(b => {
      const r = b.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return;
      out.buttons.push(Object.assign(box(r, dx, dy), {text: b.textContent.trim().slice(0, 30)}));
    });
    const ep = Array.from(doc.querySelectorAll('.epoch-counter, .epoch')).find(e => /Epoch/.test(e.textContent));
    if (ep && !out.epoch) out.epoch = Object.assign(box(ep.getBoundingClientRect(), dx, dy), {text: ep.textContent});
    const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const n = walker.currentNode;
      if (!n.textContent.trim()) continue;
      const el = n.parentElement, r = el.getBoundingClientRect();
      const x = r.x + dx, y = r.y + dy;
      if (r.width === 0 || r.height === 0 || y + r.height <= 0 || y >= innerHeight || x + r.width <= 0 || x >= innerWidth) continue;
      if (x < clip.x0 || y < clip.y0 || x >= clip.x1 || y >= clip.y1) continue;
      const cs = win.getComputedStyle(el);
      if (cs.visibility === 'hidden' || cs.display === 'none' || parseFloat(cs.opacity) === 0) continue;
      if (el.closest('[aria-hidden="true"], .stTooltipContent, [data-baseweb="tooltip"]')) continue;
      const s = parseFloat(cs.fontSize);
      const which = depth ? 'chartFont' : 'pageFont';
      if (s < out[which][0]) out[which] = [s, n.textContent.trim().slice(0, 40)];
    }
    // the decision boundary's plot area (plotly's drag layer over it), and the live frame's top
    const area = doc.querySelector('#chart-boundary .nsewdrag');
    if (area && !out.boundaryPlot) { out.boundaryPlot = box(area.getBoundingClientRect(), dx, dy); out.frameTop = dy; }
    doc.querySelectorAll('iframe').forEach(f => {
      let d; try { d = f.contentDocument; } catch (e) { return; }
      if (!d || !d.body) return;
      const r = f.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return;
      visit(d, dx + r.x, dy + r.y, depth + 1, {x0: dx + r.x, y0: dy + r.y, x1: dx + r.right, y1: dy + r.bottom});
    });
  }
  visit(document, 0, 0, 0, {x0: -1e9, y0: -1e9, x1: 1e9, y1: 1e9});
  const sb = document.querySelector('section[data-testid="stSidebar"]');
  out.sidebar = sb ? box(sb.getBoundingClientRect(), 0, 0) : null;
  out.sidebarVisible = !!sb && getComputedStyle(sb).display !== 'none' && sb.getBoundingClientRect().right > 10;
  return out;
}"""


@pytest.fixture(scope="module", autouse=True)
def keep_measurements():
    yield
    (ARTIFACTS / "layout.json").write_text(json.dumps(MEASURED, indent=1))


def play_button(page):
    """Play/Pause as the viewer sees it: on the page or in the live component."""
    name = re.compile(r"(Play|Pause)$")
    for frame in page.frames:
        loc = frame.get_by_role("button", name=name)
        if loc.count():
            return loc.first
    return None


def wait_charts(page, n: int = 3, timeout_ms: int = 120_000):
    """Until n plots are drawn and Play/Pause is on screen."""
    page.wait_for_function(f"() => ({MEASURE})().plots.length >= {n}", timeout=timeout_ms, polling=500)
    page.wait_for_function(f"() => ({MEASURE})().buttons.some(b => /(Play|Pause)$/.test(b.text))",
                           timeout=30_000, polling=500)
    page.wait_for_function("() => window.__bpShortcuts", timeout=30_000)     # the shortcuts are installed


def epoch(page) -> int:
    text = page.evaluate(f"() => ({MEASURE})().epoch.text")
    return int(re.sub(r"\D", "", re.search(r"Epoch\s*([\d,]+)", text).group(1)))


def inside(b, m, slack: float = 1.0) -> bool:
    return b["x"] >= -slack and b["y"] >= -slack and b["right"] <= m["vw"] + slack and b["bottom"] <= m["vh"] + slack


def plot(m, title: str):
    found = [p for p in m["plots"] if title.lower() in p["title"].lower()]
    assert found, (title, [p["title"] for p in m["plots"]])
    return found[0]


def estimate_holds(m, big: bool, clean: bool = False) -> bool:
    """page.live_layout's estimate of the live frame's top is what the browser measured (within
    the 8 px it tolerates), so the first layout is already the right one."""
    rem = root_font_px(big, {"width": m["vw"], "height": m["vh"]})
    return m["frameTop"] is not None and abs(m["frameTop"] - FRAME_TOP_REM[big, clean] * rem) <= 8


def settle(page, ms: int = 1500, timeout_s: float = 90):
    """The page's measures once it holds still: idle (no run being drawn) and the plots' boxes
    the same in two measures ``ms`` apart. (The viewport's first report reruns the page and
    lays the charts out again, later under load.)"""
    before, deadline = None, time.time() + timeout_s
    while True:
        wait_idle(page)
        m = page.evaluate(f"({MEASURE})")
        boxes = [(round(p["x"]), round(p["y"]), round(p["w"]), round(p["h"])) for p in m["plots"]]
        if boxes == before or time.time() > deadline:
            return m
        before = boxes
        page.wait_for_timeout(ms)


SCREENS = [(1280, 720), (1366, 768), (1920, 1080)]


@pytest.mark.parametrize("size", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_presentation_fits_the_projector(server, size):
    w, h = size
    with browser_page(w, h) as page:
        page.goto(server + "/?present=1")
        wait_charts(page)
        page.keyboard.press("Space")                       # Play, by the shortcut
        page.wait_for_function(f"() => /Epoch\\s*[1-9]/.test(({MEASURE})().epoch.text)", timeout=30_000)
        m = settle(page, 2500)                             # playing: two-line epoch line, curves drawn
        page.screenshot(path=str(ARTIFACTS / f"layout_present_{w}x{h}.png"))
        page.keyboard.press("Space")                       # Pause
        MEASURED[f"present_{w}x{h}"] = m
        charts = [plot(m, "Decision boundary"), plot(m, "Loss")]
        big = sorted(m["plots"], key=lambda p: -p["w"] * p["h"])[:3]      # the network has no title
        assert len(big) == 3 and all(inside(p, m) and not p["clipped"] for p in big + charts), m["plots"]
        play = [b for b in m["buttons"] if re.search(r"(Play|Pause)$", b["text"])]
        assert play and inside(play[0], m), play
        assert m["epoch"] and inside(m["epoch"], m), m["epoch"]
        assert m["scrollW"] <= w
        assert not m["sidebarVisible"]
        assert estimate_holds(m, big=True), (m["frameTop"], FRAME_TOP_REM[True, False])
        # Text alternatives: each chart is an image named by its title, described by the status line.
        live = next(f for f in page.frames if f.get_by_role("img", name=re.compile("Decision boundary")).count())
        for name in ("Decision boundary", "Network diagram", "Loss"):
            chart = live.get_by_role("img", name=re.compile(name))
            assert chart.count() == 1 and "Epoch" in live.locator("#" + chart.get_attribute("aria-describedby")).inner_text()
        # Text: at least 18 px at 1280 x 720, and larger on a larger screen.
        assert m["pageFont"][0] >= 18 * min(w / 1280, h / 720) - 0.01, m["pageFont"]
        assert m["chartFont"][0] >= 18 - 0.01, m["chartFont"]        # the charts' own text too


def test_laptop_with_sidebar_shows_boundary_and_curves_together(server):
    """And the first screen shows the network learning: the boundary's plot at least 320 px
    wide and wholly on it, below one row of view options and one of drawing tools."""
    with browser_page(LAPTOP["width"], LAPTOP["height"]) as page:
        page.goto(server)
        wait_charts(page)
        play_button(page).click()
        page.wait_for_function(f"() => /Epoch\\s*[1-9]/.test(({MEASURE})().epoch.text)", timeout=30_000)
        m = settle(page, 2500)
        page.screenshot(path=str(ARTIFACTS / "layout_laptop_1366x768.png"))
        play_button(page).click()
        MEASURED["laptop_1366x768"] = m
        assert m["sidebarVisible"] and m["sidebar"]["w"] > 200
        for title in ("Decision boundary", "Loss"):
            assert inside(plot(m, title), m) and not plot(m, title)["clipped"], plot(m, title)
        play = [b for b in m["buttons"] if re.search(r"(Play|Pause)$", b["text"])]
        assert play and inside(play[0], m)
        area = m["boundaryPlot"]
        assert area and area["w"] >= 320 and inside(area, m), area        # was 175 px wide, top at 467
        assert estimate_holds(m, big=False), m["frameTop"]
        # The chart options are one click away and open on the session's values (a popover draws
        # its widgets as it opens; they once came up at their defaults, Show test points off,
        # and the next rerun sent that back).
        page.locator(".st-key-chart_options button").first.click()
        page.locator(".st-key-show_test input").first.wait_for(state="attached", timeout=10_000)
        assert page.locator(".st-key-show_test input").first.is_checked()
        assert not page.locator(".st-key-discretize input").first.is_checked()


NARROW = [(390, 844), (768, 1024)]


@pytest.mark.parametrize("size", NARROW, ids=["phone_390x844", "tablet_768x1024"])
def test_phone_and_tablet_one_column_big_buttons_no_sidebar(server, size):
    w, h = size
    with browser_page(w, h) as page:
        page.goto(server)
        wait_charts(page)
        m = settle(page)
        page.screenshot(path=str(ARTIFACTS / f"layout_narrow_{w}x{h}.png"), full_page=True)
        MEASURED[f"narrow_{w}x{h}"] = m
        assert not m["sidebarVisible"], m["sidebar"]                      # collapsed on first load
        area = m["boundaryPlot"]                                           # the boundary starts on the first screen
        assert area and area["y"] < h and area["w"] >= 300, area            # (phone: was at 895 px, 224 wide)
        big = sorted(m["plots"], key=lambda p: -p["w"] * p["h"])[:3]
        assert len(big) == 3 and all(p["w"] >= 300 for p in big), big
        lefts = {round(p["x"]) for p in big}
        assert len(lefts) == 1, big                                        # one column, stacked
        visible = [b for b in m["buttons"] if b["x"] >= 0 and b["right"] <= w and b["w"] >= 30 and b["text"]]
        assert visible and all(b["h"] >= 44 - 0.5 for b in visible), [(b["text"], b["h"]) for b in visible]
        assert m["scrollW"] <= w, m["scrollW"]                              # nothing sticks out sideways
        switch = [b for b in m["buttons"] if b["text"] in PAGES.values()]        # every view within reach:
        assert len(switch) == len(PAGES) and all(b["x"] >= 0 and b["right"] <= w + 0.5 for b in switch), switch


# The step-by-step view's formulas (KaTeX display blocks of the current run, not stale ones).
FORMULAS = r"""() => Array.from(document.querySelectorAll('.katex-display'))
  .filter(e => !e.closest('[data-stale="true"]') && e.getBoundingClientRect().height > 0)
  .map(e => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height, right: r.right, bottom: r.bottom}; })"""


def test_backprop_view_opens_on_the_current_step(server):
    """The step-by-step view's first screen (laptop, sidebar open) holds the step buttons and
    the current step's formulas, not only controls: lessons and choices wait in popovers."""
    with browser_page(LAPTOP["width"], LAPTOP["height"]) as page:
        page.goto(server + "/?page=backprop")
        page.locator(".st-key-bp_next").first.wait_for(timeout=120_000)
        page.locator(".katex-display").first.wait_for(timeout=60_000)
        m = settle(page)
        wait_idle(page)                   # a later run (the layout's first report) redraws the formulas
        page.locator(".katex-display").first.wait_for(timeout=60_000)
        m["formulas"] = page.evaluate(FORMULAS)
        page.screenshot(path=str(ARTIFACTS / "layout_backprop_1366x768.png"))
        MEASURED["backprop_1366x768"] = m
        first = min(m["formulas"], key=lambda b: b["y"]) if m["formulas"] else None
        assert first and 0 <= first["y"] < m["vh"], m["formulas"]          # was at about 1066 px
        nxt = page.locator(".st-key-bp_next button").first.bounding_box()
        assert nxt and nxt["y"] + nxt["height"] <= m["vh"], nxt
        assert page.locator("h4", has_text="Forward, layer 1").first.bounding_box()["y"] < first["y"]
        # the choices and the lessons are one click away
        page.locator(".st-key-bp_choices button").first.click()
        page.locator(".st-key-bp_notation").first.wait_for(state="visible", timeout=10_000)
        page.screenshot(path=str(ARTIFACTS / "layout_backprop_choices.png"))
        page.keyboard.press("Escape")
        page.locator(".st-key-bp_lessons button").first.click()
        page.locator(".st-key-bp_lesson_view_vanishing").first.wait_for(state="visible", timeout=10_000)
        assert page.locator('[data-testid="stException"]').count() == 0


def shortcuts_fired(page) -> int:
    return page.evaluate("() => window.__bpShortcuts.fired.length")


def test_keyboard_shortcuts_and_never_while_typing(server):
    with browser_page(1366, 768) as page:
        page.goto(server)
        wait_charts(page)
        page.evaluate("document.activeElement && document.activeElement.blur()")   # focus the page, not a field
        page.keyboard.press("?")                                       # the list
        dialog = page.locator("#bp-shortcuts")
        dialog.wait_for(state="visible", timeout=5000)
        assert "Space" in dialog.inner_text() and "Presentation" in dialog.inner_text()
        page.screenshot(path=str(ARTIFACTS / "layout_shortcuts_help.png"))
        page.keyboard.press("Escape")
        dialog.wait_for(state="detached", timeout=5000)

        page.keyboard.press("Space")                                   # Play
        page.wait_for_function(f"() => /Epoch\\s*[1-9]/.test(({MEASURE})().epoch.text)", timeout=30_000)
        page.keyboard.press("Space")                                   # Pause
        page.wait_for_timeout(1500)
        paused = epoch(page)
        page.wait_for_timeout(1000)
        assert epoch(page) == paused > 0

        page.keyboard.press("ArrowRight")                              # one epoch
        page.wait_for_function(f"() => ({MEASURE})().epoch.text.replace(/,/g, '').includes('Epoch {paused + 1}')",
                               timeout=20_000)

        # Typing in a field, or in a select: no shortcut fires.
        fired = shortcuts_fired(page)
        for field in (".st-key-dseed input", ".st-key-grad_key input"):
            if "grad_key" in field:                                    # in the chart options popover
                page.locator(".st-key-chart_options button").first.click()
            page.locator(field).first.focus()
            for key in ("r", "Space", "ArrowRight", "p", "?"):
                page.keyboard.press(key)
            page.keyboard.press("Escape")
        page.wait_for_timeout(1500)
        assert shortcuts_fired(page) == fired and epoch(page) == paused + 1
        assert page.locator("#bp-shortcuts").count() == 0

        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.keyboard.press("r")                                       # Reset
        page.wait_for_function(f"() => /Epoch\\s*0\\b/.test(({MEASURE})().epoch.text)", timeout=20_000)
        page.keyboard.press("p")                                       # Presentation on
        page.wait_for_function("() => location.search.includes('present=1')", timeout=20_000)
        page.wait_for_function("() => !document.querySelector('section[data-testid=\"stSidebar\"]') || "
                               "getComputedStyle(document.querySelector('section[data-testid=\"stSidebar\"]')).display === 'none'",
                               timeout=20_000)


def test_clean_link_hides_sidebar_and_options(server):
    with browser_page(1280, 720) as page:
        page.goto(server + "/?present=1&clean=1")
        wait_charts(page)
        m = settle(page)
        page.screenshot(path=str(ARTIFACTS / "layout_clean_1280x720.png"))
        MEASURED["clean_1280x720"] = m
        assert not m["sidebarVisible"]
        for hidden in (".st-key-chart_options", ".st-key-discretize", ".st-key-draw_on", ".st-key-draw_clear_btn"):
            assert not page.locator(hidden).first.is_visible(), hidden
        assert page.locator(".st-key-present").first.is_visible()      # the presentation toggle stays
        assert estimate_holds(m, big=True, clean=True), (m["frameTop"], FRAME_TOP_REM[True, True])
        assert "clean=1" in page.url and "present=1" in page.url
        big = sorted(m["plots"], key=lambda p: -p["w"] * p["h"])[:3]
        assert len(big) == 3 and all(inside(p, m) for p in big)


def test_embedded_in_an_iframe_keeps_the_link(server):
    link = "/?embed=true&ds=xor&present=1"
    with browser_page(1280, 800) as page:
        page.set_content(f"<h3 style='font: 16px sans-serif'>A course page</h3>"
                         f"<iframe src='{server}{link}' width='1200' height='700' style='border: 1px solid #999'></iframe>")
        app = None
        for _ in range(120):
            app = next((f for f in page.frames if "embed=true" in f.url), None)
            if app is not None:
                break
            page.wait_for_timeout(500)
        assert app is not None
        app.wait_for_function(f"() => ({MEASURE})().plots.length >= 3", timeout=120_000, polling=500)
        app.wait_for_timeout(1500)
        q = parse_qs(urlparse(app.url).query)
        assert q.get("embed") == ["true"] and q.get("ds") == ["xor"] and q.get("present") == ["1"], app.url
        assert app.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(ARTIFACTS / "layout_embedded.png"))
