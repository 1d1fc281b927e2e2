"""Pinned runs in a real browser (headless Chromium): a run trained and pinned in the Live view shows in
Compare, its boundary painted from its weights, with its epoch and score; its link (under 2,000
characters) opens the same pin on a phone, re-trained. Screenshots at 1280×720 and 390×844 are kept
in tests/artifacts/."""
from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

from explorer.choices.pin_link import MAX_LINK_CHARS
from tests.browser import browser_page, rerun_of, wait_idle, wait_live
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

READY = "!!(window.__pins && window.__pins.drawn > 0 && window.BPPinsView.state())"


def pins_frame(page, timeout_s: float = 90):
    """The pinned runs' iframe once it has drawn them."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for frame in page.frames:
            if "live_charts" in frame.url:
                try:
                    if frame.evaluate(READY):
                        return frame
                except Exception:       # the frame may be navigating
                    pass
        page.wait_for_timeout(200)
    raise TimeoutError("the pinned runs never drew")


def pins_seen(frame) -> dict:
    return frame.evaluate("""() => { const S = BPPinsView.state(), c = S.cellEls[0].canvas,
        d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, px = [];
        for (let i = 0; i < d.length; i += 4 * 97) px.push(d[i], d[i + 1], d[i + 2]);
        return {names: __pins.names, painted: __pins.painted, errors: __pins.errors, weights: Array.from(S.nets[0].weights),
                caption: document.querySelector('#cmp .gnums').textContent, size: c.width, px: px}; }""")


def shown_epoch(page) -> int:
    text = wait_live(page, 5).locator(".epoch-counter").inner_text()
    return int(re.sub(r"\D", "", re.search(r"Epoch ([0-9,]+)", text).group(1)))


def test_a_run_pinned_in_the_live_view_shows_in_compare_and_travels_in_its_link(server):
    with browser_page(1280, 720) as page:
        page.goto(server + "/")
        live = wait_live(page)
        live.locator("#top .controls button:text-is('Play')").click()
        live.wait_for_function("() => /Epoch ([0-9]{3,}|[0-9],)/.test(document.querySelector('.epoch-counter').textContent)",
                               timeout=60_000)
        live.locator("#top .controls button:text-is('Pause')").click()
        wait_idle(page)
        with rerun_of(page):
            page.get_by_role("button", name="Pin this run").click()
        page.get_by_text("it is in the link").wait_for(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "pins_live_1280.png"))
        q = parse_qs(urlparse(page.url).query)
        epoch = int(q["pin"][0].removeprefix("e."))
        assert epoch >= 100 and abs(shown_epoch(page) - epoch) <= 1, (q["pin"], shown_epoch(page))
        assert len(page.url) < MAX_LINK_CHARS
        link = page.url

        page.locator(".st-key-page button", has_text="Compare").click()
        frame = pins_frame(page)
        seen = pins_seen(frame)
        assert seen["names"] == ["1. Flower (Ng) · 4 tanh · η 1.2"] and seen["errors"] == 0, seen
        assert seen["painted"][0] >= 1 and f"epoch {epoch:,}" in seen["caption"], seen
        px = np.array(seen["px"], dtype=float)
        assert px.std() > 20, "the boundary is blank"                          # painted: two classes' colours
        assert page.get_by_text("Pinned runs · 1 of 8").count() == 1
        frame.locator("#cmp .gcell").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "pins_compare_1280.png"))
        assert page.locator('[data-testid="stException"]').count() == 0

    with browser_page(390, 844) as page:                                       # the link, on a phone
        page.goto(link.replace("page=live", "").rstrip("&") + "&page=compare")
        frame = pins_frame(page)
        again = pins_seen(frame)
        assert again["names"] == seen["names"] and again["caption"] == seen["caption"], (again, seen)
        assert again["weights"] == seen["weights"] and np.array(again["px"], dtype=float).std() > 20   # re-trained: the same
        frame.locator("#cmp .gcell").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "pins_compare_390.png"))
        assert page.locator('[data-testid="stException"]').count() == 0
