"""The balancer for real: two app replicas behind HAProxy, on localhost.

Each replica is ``deploy/serve.sh`` (the Dockerfile's command: ``streamlit run app.py`` with the
production flags, XSRF on), both with the same cookie secret; HAProxy (Debian's ``haproxy``)
runs the rules of ``deploy/haproxy.cfg.in``, rendered by ``deploy/haproxy_cfg.py`` for these two
replicas, as ``deploy/haproxy.cfg`` is rendered for compose. The tests prove:

- the cookie: a browser without it is given a replica (both get some), and with it every request
  goes to that replica; the image's HEALTHCHECK command passes for a live replica only;
- one learner in Chromium through the balancer: the live channel trains (frames arrive), every
  download button gives its file (model, data, script, notebook where offered, GIF), the model
  uploads back and the page starts from its weights, the data CSV uploads as the learner's own
  points, and every request of that browser (the page, both WebSockets, the uploads, the
  downloads) went to one replica; a downloaded file exists only on that replica (so the
  stickiness is what made it work);
- a replica killed (SIGKILL) mid-lesson: HAProxy's health check takes it out, a page loaded with its
  cookie opens on the survivor and trains, and a learner already on the survivor keeps training.

The figures (seconds to take the dead replica out, to open a page on the survivor) are printed
and kept in tests/artifacts/balancer/figures.json. Without haproxy the tests are skipped, except
in CI (.ci/run installs it), where they must run.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest

from tests.browser import free_port
from tests.browser import chromium as launch_chromium, paused_epoch, wait_idle, wait_live
from tests.conftest import ARTIFACTS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
import haproxy_cfg  # noqa: E402  (deploy/ is scripts, not a package)

OUT = ARTIFACTS / "balancer"
COOKIE = "bpx_replica"
START_S = 120            # two replicas importing numpy, scikit-learn and plotly at once on 2 shared cores
# One line of HAProxy's httplog: client [date] frontend backend/server timers status bytes - - flags ... "METHOD URI
LOG_LINE = re.compile(r'^\S+ \[[^\]]+\] web replicas/(?P<server>\S+) \S+ (?P<status>-?\d+) \d+ \S+ \S+ '
                      r'(?P<flags>\S{4}) .*?"(?P<method>[A-Z]+) (?P<uri>\S+)')
READY = "!!(window.__live && __live.renders > 0 && __live.extra)"


def haproxy_binary() -> str:
    """Debian's haproxy, or a skip with the reason (a failure in CI, which installs it)."""
    found = shutil.which("haproxy", path=os.environ.get("PATH", "") + os.pathsep + "/usr/sbin")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("CI must run the balancer tests but haproxy is missing (.ci/run: apt-get install -y haproxy)")
    pytest.skip("haproxy is not installed (apt-get install -y haproxy); CI installs it and runs these tests")


# ---- the cluster ---------------------------------------------------------------------------------
@dataclass
class Replica:
    name: str
    port: int
    proc: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Request:
    server: str
    status: int
    flags: str
    method: str
    uri: str


@dataclass
class Cluster:
    url: str
    replicas: dict[str, Replica]
    log: Path
    figures: dict = field(default_factory=dict)

    def log_offset(self) -> int:
        return self.log.stat().st_size

    def log_text(self, since: int = 0) -> str:
        with open(self.log, "rb") as f:
            f.seek(since)
            return f.read().decode(errors="replace")

    def requests(self, since: int = 0) -> list[Request]:
        out = []
        for line in self.log_text(since).splitlines():
            m = LOG_LINE.match(line)
            if m:
                out.append(Request(m["server"], int(m["status"]), m["flags"], m["method"], m["uri"]))
        return out

    def wait_log(self, pattern: str, since: int, timeout_s: float) -> float:
        """Poll HAProxy's log until ``pattern`` (a regex) shows after ``since``; the monotonic time it did."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if re.search(pattern, self.log_text(since), re.M):
                return time.monotonic()
            time.sleep(0.05)
        raise AssertionError(f"HAProxy's log never showed {pattern!r} within {timeout_s} s:\n"
                             f"{self.log_text(since)[-3000:]}")

    def kill(self, name: str):
        """Kill a replica as a crash does: SIGKILL to its process group, no goodbye."""
        os.killpg(self.replicas[name].proc.pid, signal.SIGKILL)
        self.replicas[name].proc.wait(10)


def get(url: str, cookie: str | None = None, timeout: float = 30):
    """(status, headers) of a GET, with ``bpx_replica=cookie`` if given; HTTP errors are answers too."""
    req = urllib.request.Request(url, headers={"Cookie": f"{COOKIE}={cookie}"} if cookie else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status, r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.headers


def set_cookie(headers) -> str | None:
    """The replica named by the balancer's Set-Cookie in ``headers``, if any."""
    for value in headers.get_all("Set-Cookie") or []:
        m = re.match(rf"{COOKIE}=([^;]*)", value)
        if m:
            return m.group(1)
    return None


def wait_healthy(url: str, timeout_s: float):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if get(url + "/_stcore/health", timeout=2)[0] == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer /_stcore/health within {timeout_s} s")


def stop(proc: subprocess.Popen):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


@pytest.fixture(scope="module")
def cluster():
    haproxy = haproxy_binary()
    OUT.mkdir(parents=True, exist_ok=True)
    # The replicas get what a container gets: the cookie secret (the same for both) and where to
    # listen; the venv's streamlit first on PATH, as pip puts it on the image's PATH.
    env = {**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32), "ADDRESS": "127.0.0.1",
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
    procs: list[subprocess.Popen] = []
    try:
        replicas = {}
        for name in ("r1", "r2"):
            port = free_port()
            with open(OUT / f"{name}.log", "w") as log:
                proc = subprocess.Popen(["sh", "deploy/serve.sh"], cwd=ROOT, env={**env, "PORT": str(port)},
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            procs.append(proc)
            replicas[name] = Replica(name, port, proc)
        for r in replicas.values():
            wait_healthy(r.url, START_S)
        port = free_port()
        cfg = OUT / "haproxy.cfg"
        cfg.write_text(haproxy_cfg.render([(r.name, f"127.0.0.1:{r.port}") for r in replicas.values()],
                                          f"127.0.0.1:{port}"))
        log_path = OUT / "haproxy.log"
        with open(log_path, "w") as log:
            proc = subprocess.Popen([haproxy, "-db", "-f", str(cfg)], stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        procs.append(proc)
        c = Cluster(f"http://127.0.0.1:{port}", replicas, log_path)
        wait_healthy(c.url, 30)
        yield c
        (OUT / "figures.json").write_text(json.dumps(c.figures, indent=1))
    finally:
        for proc in reversed(procs):
            stop(proc)


# ---- the browser -----------------------------------------------------------------------------------
@contextlib.contextmanager
def browser():
    """One headless Chromium; each learner is a context of it (its own cookies, as another person)."""
    with launch_chromium() as b:
        yield b


def learner(b, url: str):
    """A new learner's page on ``url`` once the live channel has drawn a frame: (context, page, frame)."""
    ctx = b.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(url)
    return ctx, page, wait_live(page, 180, READY, poll_ms=250)


def replica_of(ctx) -> str:
    values = [c["value"] for c in ctx.cookies() if c["name"] == COOKIE]
    assert len(values) == 1, ctx.cookies()
    return values[0]


def press_play(frame):
    """The component's Play/Pause button."""
    frame.locator("#top button.primary").click()


def epoch(frame) -> int:
    return frame.evaluate("__live.extra.epoch")


def download(page, key: str, name: str, tries: int = 3):
    """Click download button ``key`` in the sidebar; (saved path, the URL it came from). A click
    that lands while a rerun redraws the button is lost: click again, ``tries`` times at most."""
    for attempt in range(tries):
        wait_idle(page)
        button = page.locator(f".st-key-{key} button:visible")
        button.scroll_into_view_if_needed()
        try:
            with page.expect_download(timeout=40_000) as info:
                button.click()
            break
        except Exception:
            if attempt == tries - 1:
                raise
            print(f"{key}: no download 40 s after the click; clicking again")
    d = info.value
    assert d.failure() is None, d.failure()
    path = OUT / name
    d.save_as(path)
    return path, d.url


def choose(page, key: str, option: str, tries: int = 5):
    """Pick ``option`` in the selectbox ``key``. A rerun that lands while its menu opens closes the
    menu again, so open it until the option shows (at most ``tries`` times)."""
    for _ in range(tries):
        wait_idle(page)
        page.locator(key).click()
        item = page.get_by_role("option", name=option)
        try:
            item.wait_for(state="visible", timeout=5_000)
        except Exception:
            page.keyboard.press("Escape")
            continue
        item.click()
        return
    page.screenshot(path=str(OUT / "menu_never_opened.png"), full_page=True)
    raise AssertionError(f"the menu {key} never showed {option!r} (tests/artifacts/balancer/menu_never_opened.png)")


# ---- the tests ---------------------------------------------------------------------------------------
def test_the_cookie_gives_a_replica_and_keeps_every_request_on_it(cluster):
    given, start = [], cluster.log_offset()
    for _ in range(4):
        status, headers = get(cluster.url + "/")
        assert status == 200
        given.append(set_cookie(headers))
        cookie_header = next(v for v in headers.get_all("Set-Cookie") if v.startswith(COOKIE))
        assert "path=/" in cookie_header and "HttpOnly" in cookie_header, cookie_header
    assert set(given) == set(cluster.replicas), f"new browsers were given {given}; both replicas should get some"
    deadline = time.monotonic() + 10        # HAProxy logs a request after answering it: wait for these four
    while len(cluster.requests(start)) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)

    for name in cluster.replicas:
        since = cluster.log_offset()
        for path in ("/", "/_stcore/health", "/_stcore/host-config", "/"):
            status, headers = get(cluster.url + path, cookie=name)
            assert status == 200, (path, status)
            assert set_cookie(headers) is None            # a valid cookie is not set again
        deadline = time.monotonic() + 10
        while len(seen := cluster.requests(since)) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(seen) == 4, seen
        assert {r.server for r in seen} == {name}, seen
        assert all(r.flags[2:] == "VN" for r in seen), seen   # HAProxy: a Valid cookie, Not set again


def test_the_images_health_check_command_answers_for_a_live_replica_only(cluster):
    from tests.test_deploy import dockerfile
    (check,) = [a for w, a in dockerfile() if w == "HEALTHCHECK"]
    argv = json.loads(check[check.index("CMD") + 3:])
    argv[0] = sys.executable if argv[0] == "python" else argv[0]
    for name, replica in cluster.replicas.items():
        ok = subprocess.run(argv, env={**os.environ, "PORT": str(replica.port)}, capture_output=True, timeout=30)
        assert ok.returncode == 0, (name, ok.stderr[-500:])
    dead = subprocess.run(argv, env={**os.environ, "PORT": str(free_port())}, capture_output=True, timeout=30)
    assert dead.returncode != 0


@pytest.mark.browser
def test_a_learner_trains_uploads_and_downloads_through_the_balancer(cluster):
    from core.model_file import load_model
    from core.user_data import read_points

    since = cluster.log_offset()
    with browser() as b:
        ctx, page, frame = learner(b, cluster.url)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        mine = replica_of(ctx)
        other = next(n for n in cluster.replicas if n != mine)

        # The live channel through the balancer: Play, frames arrive, the epochs count up.
        renders = frame.evaluate("__live.renders")
        press_play(frame)
        frame.wait_for_function("__live.extra.running && __live.extra.epoch >= 30", timeout=120_000)
        assert frame.evaluate("__live.renders") >= renders + 10
        press_play(frame)
        trained = paused_epoch(frame)

        # Downloads: the model and the data, as the learner's own run has them.
        page.locator("[data-testid='stSidebar'] summary", has_text="Take it with you").click()
        page.locator(".st-key-dl_model button:visible").wait_for(state="visible", timeout=30_000)
        model_path, model_url = download(page, "dl_model", "backprop_model.json")
        model = load_model(model_path)
        assert model.epoch == trained, (model.epoch, trained)
        csv_path, _ = download(page, "dl_csv", "backprop_data.csv")
        assert read_points(csv_path).X.shape == (400, 2)
        # The file was served by the learner's replica, which alone has it: without the cookie,
        # half the downloads would be a 404.
        path = urlsplit(model_url).path
        assert path.startswith("/media/"), model_url
        assert get(cluster.replicas[mine].url + path)[0] == 200, model_url
        assert get(cluster.replicas[other].url + path)[0] == 404, model_url

        # Upload: the model goes back in (an XSRF-checked PUT), and the page starts from its weights.
        page.locator(".st-key-model_upload input[type='file']").set_input_files(str(model_path))
        page.locator(".st-key-model_upload").get_by_text("backprop_model.json").wait_for(timeout=60_000)
        frame = wait_live(page, 120, READY + " && __live.extra.epoch === 0", poll_ms=250)
        assert page.get_by_text("That model file cannot be used").count() == 0
        back = load_model(download(page, "dl_model", "backprop_model_reloaded.json")[0])
        assert back.epoch == 0
        for a, c in zip(back.net.layers, model.net.layers):
            assert np.array_equal(a.W, c.W) and np.array_equal(a.b, c.b), "the page did not start from the upload"
        # ...and trains on from there, through the balancer.
        press_play(frame)
        frame.wait_for_function("__live.extra.running && __live.extra.epoch >= 5", timeout=120_000)
        press_play(frame)
        frame.wait_for_function("__live.extra.running === false", timeout=20_000)

        # The other download buttons: the script, the notebook (where offered) and the GIF.
        script, _ = download(page, "dl_script", "backprop_train.py")
        assert "import numpy" in script.read_text()
        if page.locator(".st-key-dl_notebook button:visible").count():
            notebook, _ = download(page, "dl_notebook", "backprop_train.ipynb")
            assert json.loads(notebook.read_text())["nbformat"] == 4
        gif, _ = download(page, "dl_gif", "backprop_run.gif")
        assert gif.read_bytes()[:4] == b"GIF8"

        # The other upload: the data CSV back in as the learner's own points, all 400 drawn.
        choose(page, ".st-key-ds", "Your own data (CSV)")
        page.locator(".st-key-upload [data-testid='stFileUploaderDropzoneInput']").set_input_files(str(csv_path))
        frame = wait_live(page, 120, READY + " && document.querySelectorAll('#chart-boundary .point').length === 400",
                          poll_ms=250)
        assert page.get_by_text("That file cannot be used").count() == 0
        assert frame.evaluate("__live.errors") == 0
        assert page.locator('[data-testid="stException"]').count() == 0
        assert not errors, errors
        assert replica_of(ctx) == mine
        ctx.close()

    # Every request of that browser went to its replica: the page, Streamlit's WebSocket and the live
    # channel's (logged when they close), the upload and the downloads.
    cluster.wait_log(r'"GET /live/ws', since, 30)
    cluster.wait_log(r'"GET /_stcore/stream', since, 30)
    seen = cluster.requests(since)
    assert {r.server for r in seen} == {mine}, sorted({(r.server, r.method, r.uri) for r in seen if r.server != mine})
    kinds = {"page": ("GET", r"/(\?.*)?"), "Streamlit's socket": ("GET", r"/_stcore/stream"),
             "live socket": ("GET", r"/live/ws.*"), "upload": ("PUT", r"/_stcore/upload_file/.+"),
             "model download": ("GET", r"/media/\w+\.json"), "data download": ("GET", r"/media/\w+\.csv"),
             "script download": ("GET", r"/media/\w+\.py"), "GIF download": ("GET", r"/media/\w+\.gif")}
    for kind, (method, uri) in kinds.items():
        hits = [r for r in seen if r.method == method and re.fullmatch(uri, r.uri)]
        assert hits, f"no {kind} request ({method} {uri}) in HAProxy's log"
        assert all(r.status < 400 for r in hits), (kind, hits)
    assert [r.status for r in seen if r.uri.startswith(("/_stcore/stream", "/live/ws"))].count(101) >= 2
    assert len([r for r in seen if r.method == "PUT"]) >= 2          # the model file and the CSV
    assert not [r for r in seen if r.status >= 400], [r for r in seen if r.status >= 400]
    print(f"one learner on {mine}: {len(seen)} requests through the balancer, all to {mine}")


@pytest.mark.browser
def test_a_dead_replica_is_taken_out_and_a_new_page_opens_on_the_survivor(cluster):
    """Last in this file: it kills a replica of the module's cluster."""
    with browser() as b:
        ctx_a, page_a, frame_a = learner(b, cluster.url)
        victim = replica_of(ctx_a)
        ctx_b, page_b, frame_b = learner(b, cluster.url)
        survivor = replica_of(ctx_b)
        # leastconn: A's two WebSockets are open on A's replica, so B is given the other one.
        assert survivor != victim, f"both learners were given {victim}"
        press_play(frame_a)
        press_play(frame_b)
        frame_a.wait_for_function("__live.extra.running && __live.extra.epoch >= 10", timeout=120_000)
        frame_b.wait_for_function("__live.extra.running && __live.extra.epoch >= 10", timeout=120_000)

        since = cluster.log_offset()
        b_epoch, b_renders = epoch(frame_b), frame_b.evaluate("__live.renders")
        t0 = time.monotonic()
        cluster.kill(victim)

        # A request with the dead replica's cookie, at once: sent to the survivor, its cookie rewritten.
        status, headers = get(cluster.url + "/", cookie=victim)
        t_redispatch = time.monotonic() - t0
        assert status == 200 and set_cookie(headers) == survivor, (status, set_cookie(headers))

        # The health check takes the dead replica out.
        t_down = cluster.wait_log(rf"Server replicas/{victim} is DOWN", since, 30) - t0
        assert t_down < 10, f"the dead replica was taken out after {t_down:.1f} s"

        # A new page load of the dead replica's learner opens on the survivor and trains there.
        t_nav = time.monotonic()
        page_a.goto(cluster.url)
        frame_a = wait_live(page_a, 120, READY, poll_ms=100)
        t_page = time.monotonic() - t_nav
        assert replica_of(ctx_a) == survivor
        press_play(frame_a)
        frame_a.wait_for_function("__live.extra.running && __live.extra.epoch >= 10", timeout=120_000)

        # The learner already on the survivor noticed nothing: still training, frames still coming.
        frame_b.wait_for_function(f"__live.extra.running && __live.extra.epoch > {b_epoch + 20}", timeout=60_000)
        assert frame_b.evaluate("__live.renders") > b_renders
        assert frame_b.evaluate("__live.errors") == 0
        assert replica_of(ctx_b) == survivor
        assert page_b.get_by_text("Connection error").count() == 0

    cluster.figures.update({"redispatch_s": round(t_redispatch, 3), "taken_out_s": round(t_down, 2),
                            "new_page_first_frame_s": round(t_page, 2)})
    print(f"replica {victim} killed: a request with its cookie answered by {survivor} after {t_redispatch:.3f} s; "
          f"health check took it out after {t_down:.2f} s; a new page drew its first live frame on {survivor} "
          f"{t_page:.2f} s after navigation")
