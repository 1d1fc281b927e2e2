"""Start the app on a free local port and drive it with headless Chromium (Playwright).

Used by the browser tests and the live benchmark. Chromium is Debian's
/usr/bin/chromium (``apt-get install -y chromium``); Playwright's own browser
download is not used.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app_server(script: str = "app.py", port: int | None = None):
    """Run ``streamlit run script`` in its own process group; yields the base URL."""
    port = port or free_port()
    log = open(ROOT / "tests" / "artifacts" / f"server-{port}.log", "w") if (ROOT / "tests" / "artifacts").is_dir() \
        else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.address",
         "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("the Streamlit server did not start within 60 s")
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)


@contextlib.contextmanager
def chromium():
    """One headless Chromium (apt's, with ARGS); closed on the way out."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def browser_page(width: int = 1400, height: int = 1000):
    with chromium() as browser:
        yield watch(browser.new_context(viewport={"width": width, "height": height})).new_page()


@contextlib.contextmanager
def browser_context(width: int = 1400, height: int = 1000):
    """A browser context: its pages share one HTTP cache, as a learner's later visits do."""
    with chromium() as browser:
        yield watch(browser.new_context(viewport={"width": width, "height": height}))


def live_frame(page):
    """The live charts' iframe (the component named live_charts)."""
    for frame in page.frames:
        if "live_charts" in frame.url:
            return frame
    return None


def wait_live(page, timeout_s: float = 60, ready: str = "window.__live && window.__live.renders > 0",
              poll_ms: int = 200):
    """Wait until the live charts' iframe holds ``ready`` (by default: it has drawn a frame);
    returns the frame."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        frame = live_frame(page)
        if frame is not None:
            try:
                if frame.evaluate(ready):
                    return frame
            except Exception:  # the frame may be navigating
                pass
        page.wait_for_timeout(poll_ms)   # (time.sleep would stop Playwright from seeing new frames)
    raise TimeoutError("the live charts never drew a frame")


# Streamlit marks the app's script state on the page; "notRunning": the last run is drawn. And the
# page's size is reported (the keyboard component's first report, or one after a resize, reruns
# the page: a click meanwhile would race that run).
IDLE = ("() => { const a = document.querySelector('[data-test-script-state]');"
        " if (!a || a.getAttribute('data-test-script-state') !== 'notRunning') return false;"
        " const k = document.querySelector(\"iframe[src*='keyboard_shortcuts']\");"
        " try { return !(k && k.contentWindow.__layoutPending && k.contentWindow.__layoutPending()); }"
        " catch (e) { return true; } }")


def wait_idle(page, timeout_ms: int = 60_000):
    """Wait until no script run is being drawn, as a person waits for the page to settle.
    What a run draws (a download button's file, a widget's value) is the previous run's until
    then: a click on "Download" while the run after "New weights" is still drawn gets the old
    weights."""
    page.wait_for_function(IDLE, timeout=timeout_ms)


# In every page the tests open (an init script, before Streamlit's own): counts the messages
# of Streamlit's socket (/_stcore/stream) and notes when the last one came. A click that reruns
# the script gets at least one (the new run's start) however quickly React draws it.
STREAM_WATCH = """(() => {
  if (window !== window.top) return;
  const S = window.__stream = {n: 0, last: 0};
  const WS = window.WebSocket;
  window.WebSocket = function (...a) {
    const ws = new WS(...a);
    if (String(a[0]).includes('/_stcore/stream'))
      ws.addEventListener('message', () => { S.n++; S.last = performance.now(); });
    return ws;
  };
  window.WebSocket.prototype = WS.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();"""
QUIET_MS = 750           # no message of Streamlit's for this long, and the page idle: the run is drawn


def watch(context):
    """Install STREAM_WATCH in every page of a Playwright browser context; returns the context."""
    context.add_init_script(STREAM_WATCH)
    return context


def new_page(browser, width: int = 1400, height: int = 1000, mobile: bool = False):
    """A page in a context of its own (its own cookies and storage, as another person's browser)."""
    ctx = watch(browser.new_context(viewport={"width": width, "height": height}, is_mobile=mobile,
                                    has_touch=mobile))
    return ctx.new_page()


@contextlib.contextmanager
def rerun_of(page, timeout_ms: int = 90_000):
    """Around an action that reruns the script (a click on a Streamlit widget): wait until the
    server has answered it and the run it started is drawn (the page idle, Streamlit's socket
    quiet for QUIET_MS). ``wait_idle`` alone can pass before the click's own run has begun,
    and the next click then races it (streamlit#218); the page's "running" marker alone can be
    missed, as React may draw a short run's start and end as one::

        with rerun_of(page):
            page.get_by_role("button", name="Pin this run").click()
    """
    before = page.evaluate("window.__stream ? window.__stream.n : -1")
    if before < 0:
        raise RuntimeError("rerun_of needs a page opened by tests.browser (browser_page, new_page, watch)")
    yield
    try:
        page.wait_for_function(f"() => window.__stream.n > {before}", timeout=timeout_ms)
    except Exception as err:
        # The click asked for no run at all (seen once in a round: a lesson button after the
        # Lessons expander opened). What the page showed, for whoever reads the failure.
        shot = ROOT / "tests" / "artifacts" / f"rerun_of_no_run_{int(time.time())}.png"
        if shot.parent.is_dir():
            page.screenshot(path=str(shot))
        state = page.evaluate("(document.querySelector('[data-test-script-state]') || {getAttribute: () => null})"
                              ".getAttribute('data-test-script-state')")
        raise AssertionError(f"no Streamlit message after the action in {timeout_ms / 1000:.0f} s (script state "
                             f"{state}, messages {before}; the page as it was: {shot.name})") from err
    page.wait_for_function(f"() => ({IDLE})() && performance.now() - window.__stream.last > {QUIET_MS}",
                           timeout=timeout_ms, polling=100)


def paused_epoch(frame, quiet_ms: int = 1000, timeout_ms: int = 30_000) -> int:
    """The epoch a paused live view settles on: Pause's status can be drawn before the frame
    already on its way (the epoch trained just before the pause), so wait until the view is
    paused and its epoch has not changed for ``quiet_ms``."""
    frame.wait_for_function("__live.extra.running === false", timeout=timeout_ms)
    frame.wait_for_function(f"""() => {{ const w = window.__pausedWatch || (window.__pausedWatch = {{}});
        const e = __live.extra.epoch, t = performance.now();
        if (__live.extra.running !== false || w.epoch !== e) {{ w.epoch = e; w.since = t; return false; }}
        return t - w.since > {quiet_ms}; }}""", timeout=timeout_ms, polling=100)
    epoch = frame.evaluate("__live.extra.epoch")
    frame.evaluate("delete window.__pausedWatch")
    return epoch


def live_stats(frame) -> dict:
    return frame.evaluate("({renders: __live.renders, frame: __live.frame, errors: __live.errors, extra: __live.extra})")


# ---- the Compare grid's component (explorer/live/static/gridview.js) ----------------------------
def grid_frame(page, timeout_s: float = 90):
    """The grid component's iframe once it has its setup."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for frame in page.frames:
            if "live_charts" in frame.url:
                try:
                    if frame.evaluate("!!(window.__grid && window.__grid.setups > 0 && window.BPGridView.state())"):
                        return frame
                except Exception:       # the frame may be navigating
                    pass
        page.wait_for_timeout(200)
    raise TimeoutError("the grid never arrived")


def grid_stats(frame) -> dict:
    return frame.evaluate("({epochs: __grid.epochs.slice(), painted: __grid.painted.slice(), renders: __grid.renders,"
                          " bytes: __grid.bytes, errors: __grid.errors, t: performance.now(),"
                          " text: document.querySelector('#cmp .gstatus').textContent,"
                          " notice: document.querySelector('#cmp .gnotice').textContent})")


def rates(frame, seconds: float) -> dict:
    """Per shown cell over ``seconds``: epochs/s, caption updates/s (frames drawn), thumbnails/s; bytes/s."""
    a = grid_stats(frame)
    frame.page.wait_for_timeout(int(seconds * 1000))
    b = grid_stats(frame)
    dt = (b["t"] - a["t"]) / 1000
    return {"epochs": [(y - x) / dt for x, y in zip(a["epochs"], b["epochs"])],
            "frames": (b["renders"] - a["renders"]) / dt,
            "thumbs": [(y - x) / dt for x, y in zip(a["painted"], b["painted"])],
            "bytes": (b["bytes"] - a["bytes"]) / dt, "errors": b["errors"]}
