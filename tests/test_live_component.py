"""The live component's fallback in a real browser: with WebSockets blocked (as a proxy
might), the page says so and the SAME client (view.js) draws the SAME messages (the live
channel's setup, statuses and binary frames), handed over by the timer-driven fragment as
the component's arguments. Its own Play/Pause, Step and Reset buttons (and the keyboard
shortcuts, which click them) go back through the component value; the charts are updated
in place (the iframe is never re-created, zoom survives) and the status line shows the
epoch."""
from __future__ import annotations

import re

import pytest

from explorer.pages.live_view import FALLBACK_NOTE
from tests.browser import app_server, browser_page, paused_epoch, wait_live
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

BLOCK_SOCKETS = "window.WebSocket = function () { throw new Error('blocked, as a proxy would'); };\n"

STATE = """() => ({channel: __live.channel, setups: __live.setups, frames: __live.frames, acks: __live.acks,
  renders: __live.renders, errors: __live.errors, lastError: __live.lastError || null, extra: __live.extra,
  statuses: __live.statuses, model: BPView.state() && BPView.state().sizes})"""

# The boundary's surface, as painted by the client (a canvas under the plot; its pixels change as it trains).
SURFACE = """() => { const cv = LiveCore.cells.boundary.querySelector('.svg-container > div.underlay > canvas');
  const d = cv && cv.toDataURL();
  return d ? d.length + ':' + d.slice(-60) : null; }"""


def _block(route):
    response = route.fetch()
    route.fulfill(response=response, body=BLOCK_SOCKETS + response.text())


def shown_epoch(frame) -> int:
    """The epoch the client's status line shows."""
    return int(re.sub(r"\D", "", frame.locator(".epoch-counter .epoch").inner_text()))


def wait_shown(frame, predicate: str, timeout_ms: int = 30_000):
    """Wait until ``predicate`` (JS, of the status line's epoch ``e``) holds."""
    frame.wait_for_function(
        "() => { const s = document.querySelector('.epoch-counter .epoch');"
        f" const e = s ? Number(s.textContent.replace(/\\D/g, '')) : -1; return {predicate}; }}", timeout=timeout_ms)


def test_the_fallback_is_the_same_client_fed_through_streamlit():
    with app_server() as url, browser_page() as page:
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route(re.compile(r".*/component/.*live_charts.*/channel\.js.*"), _block)
        page.goto(url)
        page.get_by_text(FALLBACK_NOTE).wait_for(timeout=120_000)
        # The fallback's own iframe (the channel's is replaced when the socket fails).
        frame = wait_live(page, timeout_s=120, ready="window.__live && __live.channel === 'fallback' && "
                                                       "__live.setups > 0 && __live.renders > 0")
        s = frame.evaluate(STATE)
        assert s["model"] == [2, 4, 1] and s["frames"] >= 1 and s["acks"] == 0, s    # wire messages, no acks
        assert shown_epoch(frame) == 0 and frame.evaluate(SURFACE)                   # drawn from the setup
        assert frame.locator("#chart-network canvas.overlay").count() == 1           # tiles and edges too
        detached = []
        page.on("framedetached", lambda f: detached.append(f.url))
        frame.evaluate("() => Plotly.relayout(LiveCore.cells.boundary, {'xaxis.range': [-1, 1], 'yaxis.range': [-1, 1]})")

        frame.locator("#top button.primary").click()                                 # Play, in the component
        frame.wait_for_function("() => __live.extra.running && __live.extra.epoch > 0", timeout=30_000)
        a, surface = frame.evaluate(STATE), frame.evaluate(SURFACE)
        page.wait_for_timeout(3000)
        b = frame.evaluate(STATE)
        assert b["renders"] > a["renders"] + 3 and b["extra"]["epoch"] > a["extra"]["epoch"], (a, b)  # trains, redraws
        assert shown_epoch(frame) >= a["extra"]["epoch"] and frame.evaluate(SURFACE) != surface
        assert frame.locator("#top button.primary").inner_text() == "Pause"
        assert frame.evaluate("BPPlotly.axis(LiveCore.cells.boundary, 'xaxis').range") == [-1, 1]
        page.screenshot(path=str(ARTIFACTS / "fallback_running.png"), full_page=True)

        frame.locator("#top button.primary").click()                                 # Pause
        stopped = paused_epoch(frame)
        page.wait_for_timeout(1500)
        assert frame.evaluate("__live.extra.epoch") == stopped == shown_epoch(frame)
        assert frame.locator("#top button.primary").inner_text() == "Play"

        frame.get_by_role("button", name="Step epoch", exact=True).click()                       # exactly one epoch
        wait_shown(frame, f"e === {stopped + 1}")
        frame.get_by_role("button", name="Reset", exact=True).click()
        wait_shown(frame, "e === 0")
        page.screenshot(path=str(ARTIFACTS / "fallback_after_reset.png"), full_page=True)

        # The keyboard shortcuts click the same buttons (focus on the page, not in a field).
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.keyboard.press("Space")                                                 # Play
        frame.wait_for_function("() => __live.extra.running && __live.extra.epoch > 0", timeout=30_000)
        page.keyboard.press("Space")                                                 # Pause
        frame.wait_for_function("() => __live.extra.running === false", timeout=30_000)
        assert frame.evaluate("BPPlotly.axis(LiveCore.cells.boundary, 'xaxis').range") == [-1, 1]
        assert not detached, f"iframe re-created {len(detached)} times"
        final = frame.evaluate(STATE)
        assert final["errors"] == 0 and final["channel"] == "fallback" and not errors, (final, errors)
