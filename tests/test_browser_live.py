"""The live page in a real browser (headless Chromium), over the live channel: Play,
live settings, Pause, Step, Reset (the component's own buttons) and a shared link.
Screenshots are kept in tests/artifacts/."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser import app_server, browser_page, live_stats, wait_live
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    with app_server() as url:
        yield url


def status(page) -> str:
    """The status line the live component draws (epoch, loss, accuracy)."""
    return wait_live(page, 5).locator(".epoch-counter").inner_text()


def epoch(page) -> int:
    return int(re.sub(r"\D", "", re.search(r"Epoch ([0-9,]+)", status(page)).group(1)))


def shown_loss(page) -> float:
    """The train loss printed under the epoch counter."""
    return float(re.search(r"loss ([0-9.]+)", status(page)).group(1))


def button(page, key: str):
    """One of the live component's own buttons (they send controls over its socket)."""
    text = {"play": "Play", "pause": "Pause", "step_epoch": "Step epoch", "step_batch": "Step mini-batch",
            "reset": "Reset"}[key]
    return wait_live(page, 5).locator(f"#top .controls button:text-is('{text}')")


def wait_epoch(page, predicate: str, timeout_ms: int = 20_000):
    """Wait until ``predicate`` (JS, of the shown epoch ``e``) holds in the component."""
    frame = wait_live(page, 5)
    try:
        frame.wait_for_function(
            "() => { const s = document.querySelector('.epoch-counter'); const m = s && s.textContent.match(/Epoch ([0-9,]+)/);"
            f" const e = m ? Number(m[1].replace(/,/g, '')) : -1; return {predicate}; }}", timeout=timeout_ms)
    except Exception as err:        # say what the component saw (a lost Play was seen once under load)
        seen = frame.evaluate("({status: (document.querySelector('#top') || {}).textContent, channel: __live.channel,"
                              " states: __live.states, renders: __live.renders, frame: __live.frame,"
                              " messages: __live.messages, errors: __live.errors, lastError: __live.lastError})")
        raise AssertionError(f"the shown epoch never met {predicate!r}: {seen}") from err


def no_error_boxes(page):
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Something went wrong").count() == 0


def test_play_learn_change_pause_step_reset(server):
    with browser_page() as page:
        page.goto(server)
        frame = wait_live(page, 120)
        assert epoch(page) == 0
        assert page.locator(".st-key-play").count() == 0          # no Streamlit Play: it is in the component
        button(page, "play").click()
        wait_epoch(page, "e > 0", 30_000)
        page.wait_for_timeout(1500)
        first_loss, first_epoch = shown_loss(page), epoch(page)
        r0 = frame.evaluate("__live.renders")
        page.wait_for_timeout(3000)
        assert epoch(page) > first_epoch
        assert shown_loss(page) < first_loss
        assert frame.evaluate("__live.renders") - r0 >= 5          # frames keep coming, over the socket
        assert frame.evaluate("__live.channel") == "open"
        page.screenshot(path=str(ARTIFACTS / "live_running.png"), full_page=True)

        # Change the learning rate while it runs: no reset, the URL follows.
        before = epoch(page)
        slider = page.locator(".st-key-lr input[type='range'], .st-key-lr [role='slider']").first
        slider.focus()
        slider.press("ArrowLeft")                      # 1.2 -> 1.0
        page.wait_for_function("() => location.search.includes('lr=1&') || location.search.endsWith('lr=1')",
                               timeout=20_000)
        page.wait_for_timeout(1500)
        assert epoch(page) > before

        # Pause: the counter stops.
        button(page, "pause").click()
        page.wait_for_timeout(1500)
        paused = epoch(page)
        renders = live_stats(frame)["renders"]
        page.wait_for_timeout(1500)
        assert epoch(page) == paused and live_stats(frame)["renders"] == renders

        # Step one epoch, then Reset.
        button(page, "step_epoch").click()
        wait_epoch(page, f"e === {paused + 1}")
        button(page, "reset").click()
        wait_epoch(page, "e === 0")
        no_error_boxes(page)
        assert live_stats(frame)["errors"] == 0
        page.screenshot(path=str(ARTIFACTS / "live_after_reset.png"), full_page=True)


def test_a_shared_link_opens_that_setup(server):
    link = "?ds=xor&layers=8:relu,4:tanh&opt=adam&lr=0.03&feat=x1,x2,x1x2&bs=16&seed=7"
    with browser_page() as page:
        page.goto(server + "/" + link)
        frame = wait_live(page, 120)
        q = parse_qs(urlparse(page.url).query)
        assert q["ds"] == ["xor"] and q["layers"] == ["8:relu,4:tanh"] and q["bs"] == ["16"]
        labels = frame.evaluate("Array.from(document.querySelectorAll('#chart-network .annotation-text'))"
                                ".map(e => e.textContent)")
        assert labels == ["input", "layer 1", "layer 2", "output"]
        button(page, "play").click()
        wait_epoch(page, "e > 0", 30_000)
        no_error_boxes(page)
        page.screenshot(path=str(ARTIFACTS / "shared_link.png"), full_page=True)


def test_a_malformed_link_falls_back_with_a_notice(server):
    with browser_page() as page:
        page.goto(server + "/?lr=zzz&layers=oops&ds=nothing")
        wait_live(page, 120)
        notices = page.locator('[data-testid="stAlert"]').all_inner_texts()
        assert any("lr=zzz" in n and "Ignored" in n for n in notices), notices
        assert parse_qs(urlparse(page.url).query)["ds"] == ["planar"]
        no_error_boxes(page)


def test_own_csv_upload_is_checked_then_trained(server, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n0.1,0.2,0\n0.3,oops,1\n")
    rng = __import__("numpy").random.default_rng(0)
    X = rng.normal(size=(120, 2))
    good = tmp_path / "good.csv"
    good.write_text("x1,x2,label\n" + "".join(f"{a:.4f},{b:.4f},{int(a * b > 0)}\n" for a, b in X))
    with browser_page() as page:
        page.goto(server)
        wait_live(page, 120)
        page.locator(".st-key-ds").click()
        page.get_by_role("option", name="Your own data (CSV)").click()
        upload = page.locator(".st-key-upload [data-testid='stFileUploaderDropzoneInput']")
        upload.wait_for(state="attached", timeout=20_000)
        page.wait_for_timeout(1000)
        no_error_boxes(page)                        # nothing uploaded yet: the default data stay
        upload.set_input_files(str(bad))
        page.get_by_text("That file cannot be used").wait_for(timeout=20_000)
        alert = " ".join(page.locator('[data-testid="stAlert"]').all_inner_texts())
        assert "row 3" in alert or "line 3" in alert, alert
        upload.set_input_files(str(good))
        page.wait_for_function("() => !document.body.innerText.includes('That file cannot be used')", timeout=20_000)
        frame = wait_live(page, 60)
        # the new run's setup message redraws the figures with the uploaded points
        frame.wait_for_function("() => document.querySelectorAll('#chart-boundary .point').length === 120",
                                timeout=30_000)     # 96 train + 24 test points drawn
        button(page, "play").click()
        wait_epoch(page, "e > 0", 30_000)
        no_error_boxes(page)
        page.screenshot(path=str(ARTIFACTS / "own_csv.png"), full_page=True)


def test_zoom_survives_live_updates(server):
    with browser_page() as page:
        page.goto(server)
        frame = wait_live(page, 120)
        frame.evaluate("Plotly.relayout(document.getElementById('chart-boundary'), "
                       "{'xaxis.range': [-1, 1], 'yaxis.range': [-1, 1]})")
        button(page, "play").click()
        start = live_stats(frame)["renders"]
        frame.wait_for_function(f"() => __live.renders >= {start + 5}", timeout=30_000)
        x = frame.evaluate("BPPlotly.axis(document.getElementById('chart-boundary'), 'xaxis').range")
        assert x == pytest.approx([-1, 1])
        button(page, "pause").click()
        no_error_boxes(page)
