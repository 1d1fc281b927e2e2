"""The backpropagation view in headless Chromium: a full forward–backward–update, clicked through.

Keeps a screenshot of the final (Update) step in tests/artifacts/backprop.png.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import app_server, browser_page, rerun_of, wait_idle, wait_live

SHOT = Path(__file__).resolve().parent / "artifacts" / "backprop.png"
STEPS = ["Forward, layer 1", "Forward, layer 2", "Output error", "Backward, layer 2", "Backward, layer 1", "Update"]


def _next_button(page):
    return page.locator(".st-key-bp_next button").first      # (the tooltip adds a second one)


def _wait_heading(page, title: str) -> None:
    page.locator("h4", has_text=title).first.wait_for(state="visible", timeout=30_000)


@pytest.mark.browser
def test_step_through_forward_backward_update_in_a_browser():
    with app_server() as url, browser_page(1400, 2300) as page:
        page.goto(url)
        # As a person does: switch once the first page is drawn (a click during the cold
        # server's first script run was undone in CI, twice in this round's four runs).
        wait_live(page, timeout_s=120)
        page.get_by_text("Backpropagation, step by step", exact=True).click(timeout=60_000)
        _wait_heading(page, STEPS[0])
        page.get_by_text("Gradient check", exact=True).wait_for(timeout=30_000)
        page.locator(".katex").first.wait_for(timeout=30_000)          # the formulas are typeset (lazily)
        assert page.locator(".katex").count() >= 3
        for title in STEPS[1:]:
            _next_button(page).click()
            _wait_heading(page, title)
            page.wait_for_timeout(300)                                 # let the rerun finish drawing
            assert page.locator('[data-testid="stException"]').count() == 0, f"exception at {title}"
        page.get_by_text("Applied:").wait_for(timeout=30_000)         # the update reached the network
        assert _next_button(page).is_disabled()
        page.wait_for_timeout(1500)                                    # charts finish their first draw
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator(".js-plotly-plot").count() >= 10           # diagram and matrices drawn
        SHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOT))


# ---- presentation: one step per screen; phone: matrices scroll sideways ---------------------
BOXES = r"""() => {
  const r = (e) => { const b = e.getBoundingClientRect(); return {x: b.x, y: b.y, right: b.right, bottom: b.bottom, w: b.width, h: b.height}; };
  const live = (sel) => Array.from(document.querySelectorAll(sel)).filter(e => !e.closest('[data-stale="true"]') && e.getBoundingClientRect().height > 0);
  return {vw: innerWidth, vh: innerHeight, scrollW: document.documentElement.scrollWidth,
          formulas: live('.katex-display').map(r), matrices: live('[class*="st-key-bp_mats"] .js-plotly-plot').map(r),
          mrows: live('[class*="st-key-bp_mats"]').map(r),
          diagram: live('[class*="st-key-bp_diagram"] .js-plotly-plot').map(r),
          note: live('.st-key-bp_note').map(r),
          rows: live('[class*="st-key-bp_mats"]').map(e => [e.scrollWidth, e.clientWidth])};
}"""


def _on_screen(b, m) -> bool:
    return b["x"] >= -1 and b["y"] >= -1 and b["right"] <= m["vw"] + 1 and b["bottom"] <= m["vh"] + 1


@pytest.mark.browser
def test_presentation_shows_each_step_on_one_screen():
    with app_server() as url, browser_page(1280, 720) as page:
        page.goto(url + "/?page=backprop&present=1")
        page.locator(".st-key-bp_next").first.wait_for(timeout=120_000)
        page.wait_for_function("() => !!window.__bpShortcuts", timeout=60_000)     # the keys are listened to
        for n, title in enumerate(STEPS):
            if n:
                wait_idle(page)                                          # as a person waits for the page
                page.evaluate("document.activeElement && document.activeElement.blur()")
                with rerun_of(page):
                    page.keyboard.press("ArrowRight")                    # the shortcut clicks Next
            page.locator(".st-key-bp_note", has_text=title).first.wait_for(timeout=90_000)
            page.wait_for_function("() => document.querySelectorAll('[class*=\"st-key-bp_mats\"] .main-svg').length > 0"
                                   " && document.querySelectorAll('.katex-display').length > 0", timeout=90_000)
            for _ in range(60):              # (a rerun, e.g. the viewport's first report, marks it all stale)
                page.wait_for_timeout(1000)
                m = page.evaluate(BOXES)
                if m["formulas"] and m["matrices"] and m["note"] and m["diagram"]:
                    break
            page.screenshot(path=str(SHOT.parent / f"backprop_present_{n + 1}.png"))
            assert m["formulas"] and m["matrices"] and m["note"] and m["diagram"], (title, m)
            everything = m["formulas"] + m["mrows"] + m["note"] + m["diagram"]     # (a wide row of matrices scrolls)
            assert all(_on_screen(b, m) for b in everything), (title, [b for b in everything if not _on_screen(b, m)])
            assert m["scrollW"] <= m["vw"]
            alt = page.locator(".st-key-bp_note .sr-only").first.text_content()     # the charts' text alternative
            assert alt.startswith("Numbers of this step.") and "×" in alt, alt
        assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.browser
def test_phone_matrices_scroll_sideways_inside_their_row():
    with app_server() as url, browser_page(390, 844) as page:
        page.goto(url + "/?page=backprop")
        page.locator(".st-key-bp_next").first.wait_for(timeout=120_000)
        page.wait_for_function("() => document.querySelectorAll('[class*=\"st-key-bp_mats\"] .main-svg').length > 0",
                               timeout=60_000)
        page.locator('[class*="st-key-bp_mats"]').first.scroll_into_view_if_needed()
        page.wait_for_timeout(1500)
        m = page.evaluate(BOXES)
        page.screenshot(path=str(SHOT.parent / "backprop_phone.png"))
        assert m["scrollW"] <= 390, m["scrollW"]                        # the page itself never scrolls sideways
        assert any(sw > cw for sw, cw in m["rows"]), m["rows"]           # the matrices' row does
        assert all(b["w"] >= 80 for b in m["matrices"]), m["matrices"]   # and no matrix is squeezed to a sliver
