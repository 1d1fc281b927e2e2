"""No rerun asked for while a script run is drawn, in a real browser (headless Chromium).

Streamlit sends every widget's value with every rerun request. A request sent while a
script run is still being drawn carries the values the browser held before that run's
changes, and Streamlit takes them as the learner's (streamlit/streamlit#218): Clear's
switch to "your own data" came back as the flower, Undo's flower as the empty plane. The
page's own components (the keyboard and layout component, the live charts) must therefore
never ask for a rerun while a script runs. This test wraps the page's WebSocket, records
the app's script state at each rerun request, and drives the drawing toolbar, presentation
mode and a lesson the way a person does (one click once the page is idle).

The script state is read from Streamlit's ``data-test-script-state`` attribute, as the
layout component does: the first test fails if a Streamlit upgrade removes it.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from streamlit.proto.BackMsg_pb2 import BackMsg

from tests.browser import IDLE, browser_page, wait_live

pytestmark = pytest.mark.browser

# Each message the page sends on Streamlit's socket: its BackMsg field (the protobuf tag's
# field number: a rerun request, a heartbeat, ...) and the script state at that moment.
RECORD_SENDS = """
(() => {
  const send = WebSocket.prototype.send;
  window.__sends = [];
  // A person's own click or key (the test's) may land as a run starts: that request is
  // Streamlit's, not a component's. Each send says how long after the last input it went.
  let lastInput = -1e9;
  for (const type of ["pointerdown", "click", "keydown"])
    window.addEventListener(type, () => { lastInput = performance.now(); }, true);
  WebSocket.prototype.send = function (data) {
    if (String(this.url).includes("_stcore/stream")) {
      const app = document.querySelector("[data-test-script-state]");
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ?
        new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
      let field = null;                       // the first tag's varint >> 3
      if (bytes && bytes.length) {
        let v = 0, shift = 0, i = 0;
        do { v += (bytes[i] & 0x7f) * 2 ** shift; shift += 7; } while (bytes[i++] & 0x80 && i < 5);
        field = Math.floor(v / 8);
      }
      window.__sends.push({state: app ? app.getAttribute("data-test-script-state") : null,
                           field: field, t: performance.now(), afterInput: performance.now() - lastInput});
    }
    return send.call(this, data);
  };
})();
"""
# The rerun request's field in Streamlit's BackMsg (read from the installed package, not spelled).
RERUN = BackMsg.DESCRIPTOR.fields_by_name["rerun_script"].number
INPUT_MS = 150       # a request this soon after the test's own click or key press is that input's


def query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def settle(page, ms: int = 2500):
    """Idle, and then a while longer (the layout component reports within a second)."""
    page.wait_for_function(IDLE, timeout=60_000)
    page.wait_for_timeout(ms)
    page.wait_for_function(IDLE, timeout=60_000)


def click_when_idle(page, selector: str):
    settle(page, 300)
    page.locator(selector).first.click()


def test_streamlit_still_marks_a_running_script(server):
    with browser_page() as page:
        page.goto(server)
        wait_live(page, 180)
        settle(page)
        states = page.evaluate("""async () => {
            const app = document.querySelector('[data-test-script-state]');
            if (!app) return null;
            const seen = new Set([app.getAttribute('data-test-script-state')]);
            new MutationObserver(() => seen.add(app.getAttribute('data-test-script-state')))
                .observe(app, {attributes: true});
            window.__seen = seen;
            return [...seen];
        }""")
        assert states == ["notRunning"], "Streamlit no longer marks its script state in the page"
        # On a loaded machine React may draw a short run's start and end as one render, so one
        # run can pass unmarked: the page must show "running" in one of three runs.
        for attempt in range(3):
            page.locator(".st-key-draw_clear_btn button:visible").click()
            try:
                page.wait_for_function("() => window.__seen.has('running')", timeout=20_000)
                break
            except PlaywrightTimeout:
                settle(page, 500)
        assert page.evaluate("window.__seen.has('running')"), "Streamlit no longer marks a running script"
        settle(page, 500)


def test_no_rerun_is_asked_for_while_a_script_runs(server):
    with browser_page() as page:
        page.add_init_script(RECORD_SENDS)
        # A slow link (or a loaded server): each script run stays "running" in the page longer,
        # as on a school's network, so a component that asks for a rerun mid-run is caught.
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 300,
                                                       "downloadThroughput": -1, "uploadThroughput": -1})
        page.goto(server)
        wait_live(page, 180)
        settle(page)
        click_when_idle(page, ".st-key-draw_clear_btn button:visible")
        page.wait_for_function("() => new URLSearchParams(location.search).get('ds') === 'own'", timeout=60_000)
        settle(page)
        click_when_idle(page, ".st-key-draw_undo_btn button:visible:enabled")
        page.wait_for_function("() => new URLSearchParams(location.search).get('ds') === 'planar'", timeout=60_000)
        settle(page)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.keyboard.press("p")                                           # presentation on: the layout moves
        page.wait_for_function("() => new URLSearchParams(location.search).get('present') === '1'", timeout=60_000)
        settle(page)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.keyboard.press("p")                                           # and off again
        page.wait_for_function("() => !new URLSearchParams(location.search).get('present')", timeout=60_000)
        settle(page)
        sends = page.evaluate("window.__sends")
        reruns = [s for s in sends if s["field"] == RERUN]
        assert len(reruns) >= 4, sends                                     # the clicks themselves
        during = [s for s in reruns if s["state"] == "running" and s["afterInput"] > INPUT_MS]
        assert not during, f"{len(during)} of {len(reruns)} rerun requests were sent while a script ran: {sends}"
        # And nothing the clicks set was undone.
        assert query(page).get("ds") == "planar"
