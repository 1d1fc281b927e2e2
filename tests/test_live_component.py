"""The live component's fallback path in a real browser: with WebSockets blocked (as a
proxy might), the page says so, trains with its Streamlit buttons, and the charts are
updated in place by the timer-driven fragment (the iframe is never re-created, zoom
survives), and Pause stops the updates."""
from __future__ import annotations

import re

import pytest

from explorer.live_panel import FALLBACK_NOTE
from tests.browser import app_server, browser_page, wait_live
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

BLOCK_SOCKETS = "window.WebSocket = function () { throw new Error('blocked, as a proxy would'); };\n"


def _block(route):
    response = route.fetch()
    route.fulfill(response=response, body=BLOCK_SOCKETS + response.text())


def _epoch(frame) -> int:
    return frame.evaluate("(__live.extra || {}).epoch || 0")


def test_fallback_updates_in_place_and_pauses():
    with app_server() as url, browser_page() as page:
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route(re.compile(r".*/component/.*live_charts.*/(live|channel)\.js.*"), _block)
        page.goto(url)
        page.get_by_text(FALLBACK_NOTE).wait_for(timeout=120_000)
        # The fallback's own iframe: the channel's iframe is replaced when the socket fails,
        # and may have drawn its empty charts before that; only the fallback's carries a rev.
        frame = wait_live(page, timeout_s=120, ready="window.__live && __live.renders > 0 && 'rev' in (__live.extra || {})")
        detached = []
        page.on("framedetached", lambda f: detached.append(f.url))
        frame.evaluate("() => Plotly.relayout(document.getElementById('chart-boundary'), "
                       "{'xaxis.range': [-1, 1], 'yaxis.range': [-1, 1]})")
        page.locator(".st-key-play:not([data-stale='true']) button").first.click()
        frame.wait_for_function("() => (__live.extra || {}).epoch > 0", timeout=30_000)
        r0, e0 = frame.evaluate("__live.renders"), _epoch(frame)
        page.wait_for_timeout(3000)
        assert frame.evaluate("__live.renders") > r0 and _epoch(frame) > e0      # it trains and redraws
        assert frame.evaluate("document.getElementById('chart-boundary')._fullLayout.xaxis.range") == [-1, 1]
        page.screenshot(path=str(ARTIFACTS / "fallback_running.png"), full_page=True)

        page.locator(".st-key-play:not([data-stale='true']) button").first.click()   # Pause
        frame.wait_for_function("() => (__live.extra || {}).running === false", timeout=30_000)
        page.wait_for_timeout(1000)
        stopped = _epoch(frame)
        page.wait_for_timeout(1500)
        assert _epoch(frame) == stopped
        assert not detached, f"iframe re-created {len(detached)} times"
        assert frame.evaluate("__live.errors") == 0 and not errors, errors
