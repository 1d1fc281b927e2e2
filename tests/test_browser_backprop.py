"""The backpropagation view in headless Chromium: a full forward–backward–update, clicked through.

Keeps a screenshot of the final (Update) step in tests/artifacts/backprop.png.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import app_server, browser_page

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
