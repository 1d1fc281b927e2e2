"""The live page in a real browser (headless Chromium): Play, live settings, Pause,
Step, Reset and a shared link. Screenshots are kept in tests/artifacts/."""
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


def epoch(page) -> int:
    text = page.locator(".epoch-counter .epoch").inner_text()
    return int(re.sub(r"\D", "", text))


def shown_loss(page) -> float:
    """The train loss printed under the epoch counter."""
    text = page.locator(".epoch-counter").inner_text()
    return float(re.search(r"loss ([0-9.]+)", text).group(1))


def button(page, key: str):
    """The live (not stale) button with this key; a rerun briefly keeps the old one in the DOM."""
    # (a button with a help tooltip can match twice inside its container: take the first)
    return page.locator(f".st-key-{key}:not([data-stale='true']) button").first


def no_error_boxes(page):
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Something went wrong").count() == 0


def test_play_learn_change_pause_step_reset(server):
    with browser_page() as page:
        page.goto(server)
        frame = wait_live(page, 120)
        assert epoch(page) == 0
        button(page, "play").click()
        page.wait_for_function("() => document.querySelector('.epoch-counter .epoch') && "
                               "/[1-9]/.test(document.querySelector('.epoch-counter .epoch').textContent)",
                               timeout=30_000)
        page.wait_for_timeout(1500)
        first_loss, first_epoch = shown_loss(page), epoch(page)
        counts = "[__live.renders, __live.messages, __live.skipped]"
        r0, m0, s0 = frame.evaluate(counts)
        page.wait_for_timeout(3000)
        assert epoch(page) > first_epoch
        assert shown_loss(page) < first_loss
        # Each message while running carries two training states, each drawn (or
        # skipped when a newer message already waits). A message is counted when it
        # arrives and its states when drawn, so each read may be up to 2 states behind.
        r1, m1, s1 = frame.evaluate(counts)
        assert m1 - m0 >= 5 and abs((r1 - r0) + (s1 - s0) - 2 * (m1 - m0)) <= 2, (r1 - r0, m1 - m0, s1 - s0)
        page.screenshot(path=str(ARTIFACTS / "live_running.png"), full_page=True)

        # Change the learning rate while it runs: no reset, the URL follows.
        before = epoch(page)
        slider = page.locator(".st-key-lr input[type='range']")
        slider.focus()
        slider.press("ArrowLeft")                      # 1.2 -> 1.0
        page.wait_for_function("() => location.search.includes('lr=1&') || location.search.endsWith('lr=1')",
                               timeout=20_000)
        page.wait_for_timeout(1500)
        assert epoch(page) > before

        # Pause: the counter stops.
        button(page, "play").click()
        page.wait_for_timeout(1500)
        paused = epoch(page)
        renders = live_stats(frame)["renders"]
        page.wait_for_timeout(1500)
        assert epoch(page) == paused and live_stats(frame)["renders"] == renders

        # Step one epoch, then Reset.
        button(page, "step_epoch").click()
        page.wait_for_function(f"() => document.querySelector('.epoch-counter .epoch').textContent"
                               f".replace(/\\D/g, '') === '{paused + 1}'", timeout=20_000)
        button(page, "reset").click()
        page.wait_for_function("() => document.querySelector('.epoch-counter .epoch').textContent"
                               ".replace(/\\D/g, '') === '0'", timeout=20_000)
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
        page.wait_for_timeout(3000)
        assert epoch(page) > 0
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
        upload = page.locator("[data-testid='stFileUploaderDropzoneInput']")
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
        page.wait_for_timeout(1500)
        button(page, "play").click()
        page.wait_for_timeout(3000)
        assert epoch(page) > 0
        n_points = frame.evaluate("document.querySelectorAll('#chart-boundary .point').length")
        assert n_points == 120                     # 96 train + 24 test points drawn
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
        page.wait_for_function("(n) => document.querySelector('.epoch-counter') !== null", arg=0)
        frame.wait_for_function(f"() => __live.renders >= {start + 5}", timeout=30_000)
        x = frame.evaluate("document.getElementById('chart-boundary')._fullLayout.xaxis.range")
        assert x == pytest.approx([-1, 1])
        button(page, "play").click()
        no_error_boxes(page)
