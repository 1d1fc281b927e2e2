"""The loss landscape in a real browser (headless Chromium): a learner trains a little, turns the
chart option *Loss landscape* on, presses *Compute the landscape*, sees a progress bar that runs
to its end and goes, then the 1-D slice with start and now marked and the contour with the training
path drawn on it, and the two caveats. In presentation mode (1280×720, random directions) the
panel fits one screen and its chart text is at least 18 px. Screenshots: tests/artifacts/landscape_*.png.
"""
from __future__ import annotations

import re

import pytest

from tests.browser import browser_page, rerun_of, wait_idle, wait_live
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
PANEL = ".st-key-landscape_panel"
# Records every text the panel's progress bar shows, from now on (a MutationObserver: the bar may
# live for a fraction of a second).
WATCH_PROGRESS = """() => {
  window.__progress = [];
  new MutationObserver(() => {
    for (const bar of document.querySelectorAll('%s [data-testid="stProgress"]')) {
      const t = bar.textContent.trim();
      if (window.__progress[window.__progress.length - 1] !== t) window.__progress.push(t);
    }
  }).observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true});
}""" % PANEL
PLOTS = f"Array.from(document.querySelectorAll('{PANEL} .js-plotly-plot'))"


def train(page, frame, epochs: int = 200) -> None:
    frame.locator("#top .controls button:text-is('Play')").click()
    frame.wait_for_function("() => { const m = document.querySelector('.epoch-counter').textContent"
                            ".match(/Epoch ([0-9,]+)/); return m && Number(m[1].replace(/,/g, '')) >= "
                            f"{epochs}; }}", timeout=90_000)
    frame.locator("#top .controls button:text-is('Pause')").click()
    frame.wait_for_function("() => !BPView.state().running", timeout=10_000)


def compute(page) -> list[str]:
    """Press Compute; wait for both charts; returns the progress bar's texts seen meanwhile."""
    page.evaluate(WATCH_PROGRESS)
    with rerun_of(page):
        page.locator(".st-key-land_go button").click()
    page.wait_for_function(f"() => {PLOTS}.length === 2 && !!document.querySelector('{PANEL} .contour')",
                           timeout=90_000)
    wait_idle(page)
    return page.evaluate("window.__progress")


def drawn(page) -> dict:
    """What the two charts hold, read from plotly's own data and the SVG it drew."""
    return page.evaluate(f"""() => {{
      const [line, plane] = {PLOTS};
      const trace = (p, name) => p.data.find(t => t.name === name);
      const path = trace(plane, 'training path');
      return {{line: line.data.map(t => t.name), plane: plane.data.map(t => t.type + ':' + t.name),
              path_points: path.x.length, contour_cells: trace(plane, 'log10 J').z.length,
              path_svg: plane.querySelectorAll('.scatterlayer .trace path.js-line').length,
              contour_svg: plane.querySelectorAll('.contourlayer path').length,
              now: [trace(plane, 'now').x[0], trace(plane, 'now').y[0]],
              bars: document.querySelectorAll('{PANEL} [data-testid="stProgress"]').length,
              text: document.querySelector('{PANEL}').innerText}};
    }}""")


def smallest_chart_text(page) -> float:
    return page.evaluate(f"""() => Math.min(...Array.from(document.querySelectorAll('{PANEL} .main-svg text'))
        .filter(t => t.textContent.trim()).map(t => parseFloat(t.style.fontSize || getComputedStyle(t).fontSize)))""")


def check(page, progress: list[str], n: int) -> dict:
    got = drawn(page)
    assert progress and all(t.startswith(("Computing the landscape", "Waiting", "Computed")) for t in progress), \
        progress
    counts = [int(m.group(1)) for t in progress if (m := re.search(r"(\d+) of (\d+)", t))]
    assert counts == sorted(counts), progress                       # it only moves forward
    assert got["bars"] == 0, "the progress bar is still there once the charts are drawn"
    assert got["line"] == ["J(t)", "start", got["line"][2]] and got["line"][2].startswith("now (epoch ")
    assert got["plane"][:3] == ["contour:log10 J", "scatter:path outline", "scatter:training path"]
    assert got["contour_cells"] == n and got["contour_svg"] > 10  # n rows of J, drawn as filled contours
    assert got["path_points"] >= 20 and got["path_svg"] >= 2        # the path, drawn (outline and line)
    assert got["now"] == [0, 0]
    assert "the loss may curve quite differently in the others" in got["text"]
    assert "The 1-D path's shape does not predict test accuracy" in got["text"]
    assert re.search(rf"{n} × {n} points and the line's 61, computed in [\d.]+ s", got["text"]), got["text"]
    return got


def turn_on_landscape(page) -> None:
    page.locator(".st-key-chart_options button").first.click()
    with rerun_of(page):
        page.locator(".st-key-landscape label").first.click()
    page.keyboard.press("Escape")


def test_the_landscape_at_1366x768(server):
    with browser_page(1366, 768) as page:
        page.goto(server)
        frame = wait_live(page, 120)
        wait_idle(page)
        assert page.locator(PANEL).count() == 0                      # off by default
        turn_on_landscape(page)
        page.wait_for_selector(".st-key-land_go button", timeout=30_000)
        assert "landscape=1" in page.url                             # in the link, as every setting
        train(page, frame)
        slider = page.locator(".st-key-land_n input[type='range'], .st-key-land_n [role='slider']").first
        slider.focus()
        with rerun_of(page):
            slider.press("End")                                      # 61 × 61: the bar has time to show
        progress = compute(page)
        check(page, progress, 61)
        page.evaluate(f"document.querySelector('{PANEL}').scrollIntoView()")
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "landscape_1366x768.png"))


def test_random_directions_in_presentation_mode_at_1280x720(server):
    with browser_page(1280, 720) as page:
        page.goto(server + "/?present=1&landscape=1")
        frame = wait_live(page, 120)
        wait_idle(page)
        train(page, frame, 100)
        page.evaluate(f"document.querySelector('{PANEL}').scrollIntoView()")
        wait_idle(page)                                              # (a scroll may report the viewport: a run)
        page.get_by_role("combobox", name="Directions").click()
        with rerun_of(page):
            page.get_by_role("option", name="Random, filter-normalised").click()
        progress = compute(page)
        got = check(page, progress, 41)
        assert "random direction 1" in page.evaluate(f"{PLOTS}[1].layout.xaxis.title.text")
        assert smallest_chart_text(page) >= 18
        page.evaluate(f"document.querySelector('{PANEL}').scrollIntoView()")
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "landscape_present_1280x720.png"))
        box = page.locator(PANEL).bounding_box()
        assert box["height"] <= 720, box                             # the panel fits one screen
        assert got["path_points"] >= 20
