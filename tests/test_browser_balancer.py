"""Affinity through the balancer (issue 19), in Chromium: two learners, one on each of K = 2 replicas.

The cluster is tests/test_balancer.py's: two replicas (``deploy/serve.sh``, one cookie secret)
behind Debian's HAProxy with ``deploy/haproxy.cfg.in`` rendered for them. One line is added to the
rendered frontend, for the test's eyes only: ``capture request header User-Agent``, so that each
line of HAProxy's log names the browser that sent the request: each browser context's User-Agent
starts with ``learner-A`` or ``learner-B`` (the User-Agent, because Chromium sends it with its
downloads too, where it leaves out a context's extra headers). Routing is untouched.

Two browser contexts (two cookie jars: two people) open the app through HAProxy; leastconn gives
the second the other replica. In each: the CSV of its own points is uploaded and drawn, the live
channel trains it (Play: the epochs rise, frames arrive on the live socket through HAProxy), and
every download button gives a valid file of that learner's run: the CSV holds its points, the
model loads and was trained on them, the script runs beside the CSV and prints the model's
costs, the notebook holds the script's network, the GIF decodes.

Reruns: each download button makes its file when clicked (Streamlit's deferred download: a request
on Streamlit's socket, then a GET of /media/<id>), so a button works after any rerun, as the model
button does here after "New weights". A made file is named by its content and kept by its replica
until the second script run that ends there (of any session), so an earlier URL may answer 200 or
404 after a rerun: through the balancer it answers as on the learner's own replica, and it is a
404 on the other replica. HAProxy's log then shows that every request of each browser (the page, both
WebSockets, the uploads, every download) went to that browser's replica, and counts them.
Figures go to tests/artifacts/balancer/affinity/figures.json.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from PIL import Image

from core.model_file import load_model
from core.user_data import read_points
from tests.browser import free_port, paused_epoch, wait_live
from tests.test_balancer import (OUT, READY, START_S, Cluster, Replica, browser, choose, download, get,
                                 haproxy_binary, haproxy_cfg, press_play, stop, wait_healthy)
from tests.test_browser_export import COST_LINE, open_export_section, sorted_rows

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
DIR = OUT / "affinity"
TAG = "User-Agent"
# HAProxy's httplog with one captured request header: ... flags conns queues {learner-A} "METHOD URI
LINE = re.compile(r'^\S+ \[[^\]]+\] web replicas/(?P<server>\S+) \S+ (?P<status>-?\d+) \d+ \S+ \S+ '
                  r'(?P<flags>\S{4}) \S+ \S+ \{(?:learner-(?P<tag>[AB])|[^}]*)\} "(?P<method>[A-Z]+) (?P<uri>\S+)')
EXPORTS = {"dl_csv": "backprop_data.csv", "dl_model": "backprop_model.json", "dl_script": "backprop_train.py",
           "dl_notebook": "backprop_train.ipynb", "dl_gif": "backprop_run.gif"}
POINTS = "document.querySelectorAll('#chart-boundary .point').length"


@pytest.fixture(scope="module")
def cluster():
    """test_balancer's cluster, its HAProxy logging the start of each request's User-Agent."""
    haproxy = haproxy_binary()
    DIR.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32), "ADDRESS": "127.0.0.1",
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
    procs: list[subprocess.Popen] = []
    try:
        replicas = {}
        for name in ("r1", "r2"):
            port = free_port()
            with open(DIR / f"{name}.log", "w") as log:
                procs.append(subprocess.Popen(["sh", "deploy/serve.sh"], cwd=ROOT, env={**env, "PORT": str(port)},
                                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
            replicas[name] = Replica(name, port, procs[-1])
        for r in replicas.values():
            wait_healthy(r.url, START_S)
        bind = f"127.0.0.1:{free_port()}"
        cfg = haproxy_cfg.render([(r.name, f"127.0.0.1:{r.port}") for r in replicas.values()], bind)
        tagged = cfg.replace(f"    bind {bind}\n", f"    bind {bind}\n    capture request header {TAG} len 9\n", 1)
        assert tagged != cfg, "the rendered config has no bind line to add the capture after"
        (DIR / "haproxy.cfg").write_text(tagged)
        log_path = DIR / "haproxy.log"
        with open(log_path, "w") as log:
            procs.append(subprocess.Popen([haproxy, "-db", "-f", str(DIR / "haproxy.cfg")], stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True))
        c = Cluster(f"http://{bind}", replicas, log_path)
        wait_healthy(c.url, 30)
        c.wait_log(r'"GET /_stcore/health', 0, 30)      # its line is written: the test's lines come after
        yield c
    finally:
        for proc in reversed(procs):
            stop(proc)


@dataclass
class Learner:
    """One person: a browser context (its own cookies) with its page, its live socket's frames."""
    tag: str
    ctx: object
    page: object
    frame: object = None
    replica: str = ""
    live_urls: list = field(default_factory=list)
    live_frames: int = 0
    errors: list = field(default_factory=list)
    urls: dict = field(default_factory=dict)       # download key -> the /media/ path it came from

    @property
    def dir(self) -> Path:
        return DIR / self.tag


def arrive(b, url: str, tag: str) -> Learner:
    """A new person (context) opens ``url``: once its live channel has drawn, with its replica."""
    agent = f"learner-{tag} Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) " \
            f"HeadlessChrome/{b.version} Safari/537.36"
    ctx = b.new_context(viewport={"width": 1400, "height": 1000}, user_agent=agent)
    me = Learner(tag, ctx, ctx.new_page())
    me.dir.mkdir(parents=True, exist_ok=True)
    me.page.on("pageerror", lambda e: me.errors.append(str(e)))

    def on_socket(ws):
        if urlsplit(ws.url).path == "/live/ws":
            me.live_urls.append(ws.url)
            ws.on("framereceived", lambda _: setattr(me, "live_frames", me.live_frames + 1))
    me.page.on("websocket", on_socket)
    me.page.goto(url)
    me.frame = wait_live(me.page, 180, READY, poll_ms=250)
    (me.replica,) = [c["value"] for c in ctx.cookies() if c["name"] == "bpx_replica"]
    return me


def own_points(tag: str, n: int, seed: int, label) -> tuple[Path, np.ndarray]:
    """A CSV of ``n`` points of the learner's own (x1, x2, label), and its rows sorted."""
    X = np.round(np.random.default_rng(seed).uniform(-3, 3, size=(n, 2)), 4)
    y = np.array([label(a, b) for a, b in X])
    path = DIR / tag / f"own_{tag}.csv"
    path.write_text("x1,x2,label\n" + "".join(f"{a},{b},{t}\n" for (a, b), t in zip(X, y)))
    return path, sorted_rows(X, y)


def weights_block(code: str) -> str:
    """The starting weights as the exported program writes them (``W = [`` up to ``b = [``)."""
    m = re.search(r"^W = \[\n.*?^b = \[", code, re.S | re.M)
    assert m, code[:2000]
    return m.group(0)


def requests(cluster: Cluster, since: int) -> list[re.Match]:
    lines = [ln for ln in cluster.log_text(since).splitlines() if re.search(r'"[A-Z]+ /', ln)]
    parsed = [LINE.match(ln) for ln in lines]
    assert all(parsed), [ln for ln, m in zip(lines, parsed) if not m]      # no <NOSRV>, no other shape
    return parsed


KINDS = {"page": ("GET", r"/(\?.*)?"), "streamlit_socket": ("GET", r"/_stcore/stream.*"),
         "live_socket": ("GET", r"/live/ws.*"), "upload": ("PUT", r"/_stcore/upload_file/.+"),
         "media": ("GET", r"/media/.+")}


def all_on_its_replica(me: Learner, seen: list[re.Match], gone: int) -> dict:
    """Check that every logged request of ``me`` went to its replica, each kind there and
    answered; ``gone``: how many 404s ``me`` was given for earlier media URLs asked again.
    Returns the count of each kind (``other``: scripts, styles, the component's files)."""
    mine = [m for m in seen if m["tag"] == me.tag]
    assert {m["server"] for m in mine} == {me.replica}, \
        sorted({(m["server"], m["method"], m["uri"]) for m in mine if m["server"] != me.replica})
    kinds = {kind: [int(m["status"]) for m in mine if m["method"] == method and re.fullmatch(uri, m["uri"])]
             for kind, (method, uri) in KINDS.items()}
    assert set(kinds["page"]) == {200}, kinds["page"]
    assert 101 in kinds["streamlit_socket"] and 101 in kinds["live_socket"], kinds
    assert kinds["upload"] and max(kinds["upload"]) < 400, kinds["upload"]
    for key, path in me.urls.items():
        assert any(m["uri"] == path and m["status"] == "200" for m in mine), (me.tag, key, path)
    bad = [(m["status"], m["uri"]) for m in mine if int(m["status"]) >= 400]
    assert len(bad) == gone and all(u.startswith("/media/") and s == "404" for s, u in bad), bad
    counts = {kind: len(v) for kind, v in kinds.items()}
    return {**counts, "other": len(mine) - sum(counts.values()), "all": len(mine)}


def take_exports(me: Learner, trained: int, rows: np.ndarray) -> dict:
    """Every download button of ``me``'s sidebar: each file parsed and checked; the script run."""
    open_export_section(me.page)
    files = {}
    for key, name in EXPORTS.items():
        files[key], url = download(me.page, key, f"affinity/{me.tag}/{name}")
        me.urls[key] = urlsplit(url).path
        assert me.urls[key].startswith("/media/"), url
    pts = read_points(files["dl_csv"])
    np.testing.assert_array_equal(sorted_rows(pts.X, pts.y), rows)          # its own points, every row
    assert pts.is_test is not None and 0 < pts.is_test.sum() < len(rows)
    model = load_model(files["dl_model"])
    assert model.epoch == trained, (model.epoch, trained)
    X_train, y_train = pts.X[~pts.is_test], pts.y[~pts.is_test]
    J = float(model.net.cost(model.pipeline.transform(X_train), y_train))
    assert J == pytest.approx(model.history["cost"][-1], abs=1e-12)         # trained on those points
    script = files["dl_script"].read_text()
    assert "a 2-4-1 network (tanh, sigmoid)" in script, script[:300]
    nb = json.loads(files["dl_notebook"].read_text())
    assert nb["nbformat"] == 4
    code = "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert weights_block(code) == weights_block(script)                       # the same network
    with Image.open(files["dl_gif"]) as im:
        assert im.format == "GIF" and im.n_frames >= 2, (im.format, im.n_frames)
        im.seek(im.n_frames - 1)
        im.convert("RGB")                                                     # the last frame decodes
    # The script, beside the CSV, replays the run: started now, read at the end.
    run = subprocess.Popen([sys.executable, EXPORTS["dl_script"]], cwd=me.dir, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    return {"model": model, "script": run}


def after_a_rerun(cluster: Cluster, me: Learner, model) -> dict:
    """Rerun ``me``'s page ("New weights"); its model button still gives the new start. Each earlier
    media URL answers through the balancer as on ``me``'s replica and is a 404 on the other; returns
    {download key: the balancer's status}."""
    other = next(r for r in cluster.replicas.values() if r.name != me.replica)
    seed = model.training["seed"]
    assert parse_qs(urlsplit(me.page.url).query)["seed"] == [str(seed)]
    me.page.locator(".st-key-new_weights button:visible").click()
    # The click's own run: it puts the new seed in the link, then draws the new start (download
    # waits for the page to be idle before it clicks).
    new_seed = int(me.page.wait_for_function(
        f"() => {{ const s = new URLSearchParams(location.search).get('seed'); return s !== '{seed}' && s; }}",
        timeout=90_000).json_value())
    me.frame = wait_live(me.page, 120, f"{READY} && __live.extra.epoch === 0", 250)
    fresh = load_model(download(me.page, "dl_model", f"affinity/{me.tag}/after_rerun.json")[0])
    assert fresh.epoch == 0 and fresh.training["seed"] == new_seed != seed
    answers = {}
    for key, path in me.urls.items():
        # A file of the replica goes at the end of a later run and never comes back: asked on the
        # replica before and after, the balancer's answer is one of the replica's.
        before = get(cluster.replicas[me.replica].url + path)[0]
        answers[key] = me.ctx.request.get(cluster.url + path).status
        after = get(cluster.replicas[me.replica].url + path)[0]
        assert answers[key] in {before, after} and {before, after} <= {200, 404}, (me.tag, key, before, after)
        assert get(other.url + path)[0] == 404, (me.tag, key, path)
    return answers


def test_two_learners_on_two_replicas_upload_train_and_download(cluster):
    t0, since = time.monotonic(), cluster.log_offset()
    figures = {}
    with browser() as b:
        # Two weights seeds: files are named by their content, so two learners' files must differ
        # for "a 404 on the other replica" to mean anything.
        a = arrive(b, cluster.url + "/?seed=11", "A")
        # leastconn: A's two WebSockets are open on its replica, so the next newcomer gets the other.
        bee = arrive(b, cluster.url + "/?seed=12", "B")
        learners = (a, bee)
        assert a.replica != bee.replica, f"both learners were given {a.replica}"
        figures["both_pages_live_s"] = round(time.monotonic() - t0, 1)

        # Own data: each uploads a CSV of its own points (different ones), drawn on its page.
        data = {"A": own_points("A", 120, 1, lambda x1, x2: int(x1 * x2 > 0)),
                "B": own_points("B", 90, 2, lambda x1, x2: int(x1 * x1 + x2 * x2 < 3))}
        for me in learners:
            choose(me.page, ".st-key-ds", "Your own data (CSV)")
            me.page.locator(".st-key-upload [data-testid='stFileUploaderDropzoneInput']").set_input_files(
                str(data[me.tag][0]))
        for me in learners:
            n = len(data[me.tag][1])
            me.frame = wait_live(me.page, 120, f"{READY} && {POINTS} === {n} && __live.extra.epoch === 0", 250)
            assert me.page.get_by_text("That file cannot be used").count() == 0

        # The live channel, both at once: Play, the epochs rise, frames come on the live socket.
        before = {me.tag: (me.live_frames, me.frame.evaluate("__live.renders")) for me in learners}
        for me in learners:
            press_play(me.frame)
        for me in learners:
            me.frame.wait_for_function("__live.extra.running && __live.extra.epoch >= 30", timeout=120_000)
            press_play(me.frame)
        trained = {}
        for me in learners:
            trained[me.tag] = paused_epoch(me.frame)
            frames, renders = before[me.tag]
            assert me.live_frames >= frames + 10 and me.frame.evaluate("__live.renders") >= renders + 10, \
                (me.tag, me.live_frames, frames)
            assert all(u.startswith(cluster.url.replace("http", "ws", 1)) for u in me.live_urls), me.live_urls
        figures["trained_s"] = round(time.monotonic() - t0, 1)

        # Every download button, in each browser; the scripts replay the runs meanwhile.
        taken = {me.tag: take_exports(me, trained[me.tag], data[me.tag][1]) for me in learners}
        assert not set(a.urls.values()) & set(bee.urls.values()), (a.urls, bee.urls)
        figures["downloaded_s"] = round(time.monotonic() - t0, 1)

        # A rerun: the buttons still give files, and the earlier media URLs answer through the
        # balancer as on the learner's own replica, never found on the other one.
        lifetime = {f"{me.tag} {key}": via for me in learners
                    for key, via in after_a_rerun(cluster, me, taken[me.tag]["model"]).items()}
        print(f"earlier media URLs after the rerun, through the balancer: {lifetime}")

        for me in learners:
            assert me.frame.evaluate("__live.errors") == 0
            assert me.page.locator('[data-testid="stException"]').count() == 0
            assert not me.errors, me.errors
            me.ctx.close()
    figures["browsers_closed_s"] = round(time.monotonic() - t0, 1)

    for me in learners:                          # the script of each run prints its model's costs
        out, err = taken[me.tag]["script"].communicate(timeout=300)
        assert taken[me.tag]["script"].returncode == 0, err[-2000:]
        printed = [(int(e), float(c)) for e, c in COST_LINE.findall(out)]
        model = taken[me.tag]["model"]
        assert printed, out[-1000:]
        assert printed[-1][0] == model.epoch and printed[-1][1] == pytest.approx(model.history["cost"][-1], abs=1e-9)

    # HAProxy's log: every request of each browser went to its replica. The WebSockets are logged
    # when they close (the contexts are closed above).
    for me in learners:
        for path in ("/_stcore/stream", "/live/ws"):
            cluster.wait_log(rf'\{{learner-{me.tag}\}} "GET {re.escape(path)}', since, 30)
    seen = requests(cluster, since)
    assert {m["tag"] for m in seen} == {"A", "B"}, {m["tag"] for m in seen}   # each line names its browser
    for me in learners:
        gone = sum(1 for k, v in lifetime.items() if k.startswith(me.tag) and v == 404)
        figures[f"requests_{me.tag}_on_{me.replica}"] = all_on_its_replica(me, seen, gone)
        figures[f"live_frames_{me.tag}"] = me.live_frames
    figures["media_after_rerun"] = lifetime
    figures["test_s"] = round(time.monotonic() - t0, 1)
    (DIR / "figures.json").write_text(json.dumps(figures, indent=1))
    print(f"affinity figures: {figures}")
