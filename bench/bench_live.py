"""Benchmark the live view (explorer.live) in real headless Chromium.

    python bench/bench_live.py [--seconds 20] [--hidden 4] [--min 0.04] [--budget 0.15]

Starts bench/live_spike_app.py under streamlit, presses Play and measures in the page:
frames/s fully drawn (all changed charts redrawn + painted), share of animation frames with
a chart missing or half drawn, Pause and control latency, websocket bytes per frame,
training epochs/s live vs. headless, CPU cores used (ours and other jobs'). Results and
screenshots go to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "bench" / "live_spike_app.py"
CHROMIUM = "/usr/bin/chromium"
CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]

# Injected into the iframe: checks every animation frame that each chart is fully drawn
# (its svg, one drawn path per line trace, a group per scatter trace, every heatmap and
# layout image with its picture, every shape).
SAMPLER = """() => {
  if (window.__sampler) return;
  const s = window.__sampler = {frames: 0, bad: 0, badNames: {}};
  const n = (div, sel, attr) => [...div.querySelectorAll(sel)]
    .filter(e => !attr || (e.getAttribute(attr) || e.getAttribute('xlink:' + attr) || '').length > 2).length;
  function chartOk(div) {
    const fd = div._fullData, fl = div._fullLayout;
    if (!div.querySelector('.main-svg') || !fd || !fl) return false;
    const vis = fd.filter(t => t.visible === true);
    const lines = vis.filter(t => t.type === 'scatter' && (t.mode || '').includes('lines') && t._length > 1);
    return n(div, '.scatterlayer .trace') >= vis.filter(t => t.type === 'scatter').length
      && n(div, '.scatterlayer path.js-line', 'd') >= lines.length
      && n(div, '.heatmaplayer image', 'href') >= vis.filter(t => t.type === 'heatmap').length
      && n(div, '.imagelayer image', 'href') >= (fl.images || []).filter(i => i.visible).length
      && n(div, '.shapelayer path', 'd') >= (fl.shapes || []).filter(i => i.visible).length;
  }
  (function tick() {
    const bad = [...document.querySelectorAll('#grid .cell')].filter(d => !chartOk(d));
    bad.forEach(d => { s.badNames[d.dataset.name] = (s.badNames[d.dataset.name] || 0) + 1; });
    s.frames++; s.bad += bad.length ? 1 : 0; requestAnimationFrame(tick);
  })();
}"""

CLICK = """(sel) => { const t = performance.timeOrigin + performance.now();
  document.querySelector(sel).click(); return t; }"""

# Records when the main page first shows `text`.
WATCH_TEXT = """(text) => { window.__shownAt = null;
  const obs = new MutationObserver(() => {
    if (window.__shownAt === null && document.body.innerText.includes(text)) {
      window.__shownAt = performance.timeOrigin + performance.now(); obs.disconnect(); } });
  obs.observe(document.body, {subtree: true, childList: true, characterData: true}); }"""


@contextmanager
def streamlit_server(app: Path = APP, timeout: float = 30.0):
    """Run `streamlit run app` in its own process group; yield the base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    log = open(ROOT / "bench" / f".streamlit-{port}.log", "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    streamlit_server.pid = proc.pid
    ok = False
    try:
        deadline = time.time() + timeout
        while True:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"streamlit did not start (see {log.name})")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
        ok = True
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        if ok:
            os.unlink(log.name)
        else:
            print(f"streamlit log kept: {log.name}", file=sys.stderr)


def launch(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)


def live_frame(page, timeout: float = 60.0):
    """The component iframe once the first run is over and its first frame is drawn.
    (Streamlit may re-mount the iframe during the first load: wait until it stays.)"""
    deadline = time.time() + timeout
    while time.time() < deadline:
        idle = page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').count()
        for fr in page.frames:
            if idle and "/component/" in fr.url and "live_charts" in fr.url:
                try:
                    if fr.evaluate("() => !!window.__live && window.__live.renders > 0"):
                        page.wait_for_timeout(500)
                        if not fr.is_detached():
                            return fr
                except Exception:  # frame still loading or replaced
                    pass
        page.wait_for_timeout(200)
    raise TimeoutError("live chart iframe never drew")


def state(frame) -> dict:
    return frame.evaluate("() => ({renders: __live.renders, extra: __live.extra, errors: __live.errors})")


def shown_after(page, text: str, selector: str, wait_ms: int = 1500) -> float | None:
    """Click `selector`; ms until the page shows `text` (None if it never does)."""
    page.evaluate(WATCH_TEXT, text)
    t = page.evaluate(CLICK, selector)
    page.wait_for_timeout(wait_ms)
    at = page.evaluate("() => window.__shownAt")
    return None if at is None else at - t


def pause_latency(page, frame) -> dict:
    """Click Pause: ms until the status says paused, and until the last new frame arrived."""
    t0, seen = frame.evaluate("() => [performance.timeOrigin + performance.now(), __live.frame]")
    status = shown_after(page, "Status: paused", ".st-key-pause button", 2000)
    recv = [r for r in frame.evaluate("(t) => __live.recv.filter(r => r[1] > t)", t0) if r[0] > seen]
    last = max((r[1] for r in recv), default=t0)   # new frames only (not re-renders)
    return {"status_ms": status, "last_frame_ms": last - t0, "frames_after": len({r[0] for r in recv})}


def cpu_snapshot(server_pid: int) -> dict:
    """Jiffies: whole machine busy, our streamlit server, our other children (browser)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    procs = {}
    for d in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read().rsplit(")", 1)[1].split()
            procs[int(d)] = (int(st[1]), int(st[11]) + int(st[12]))  # ppid, utime+stime
        except (OSError, IndexError):
            pass
    def tree(root, out=None):
        out = out if out is not None else {root}
        for c in [c for c, (pp, _) in procs.items() if pp == root and c not in out]:
            out.add(c), tree(c, out)
        return out
    server = tree(server_pid)
    others = tree(os.getpid()) - server - {os.getpid()}
    return {"busy": sum(v) - v[3] - v[4], "server": sum(procs[p][1] for p in server),
            "browser": sum(procs[p][1] for p in others)}


def cores(c0: dict, c1: dict, seconds: float) -> dict:
    """CPU cores used in the window (2 on this box); foreign = everyone else's jobs."""
    d = {k: (c1[k] - c0[k]) / os.sysconf("SC_CLK_TCK") / seconds for k in c0}
    d["foreign"] = d["busy"] - d["server"] - d["browser"]
    return {k: round(v, 2) for k, v in d.items()}


def headless_rate(hidden, seconds=4.0) -> float:
    """Epochs/s of the same trainer in this process: no server, no browser, no figures."""
    import importlib.util
    mod = importlib.util.module_from_spec(spec := importlib.util.spec_from_file_location("s", APP))
    spec.loader.exec_module(mod)
    tr, t0, n = mod.Trainer(hidden), time.perf_counter(), 0
    while time.perf_counter() - t0 < seconds:
        n += tr.train_for(0.1)
    return n / (time.perf_counter() - t0)


def run(args) -> dict:
    from playwright.sync_api import sync_playwright
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    hidden = tuple(int(v) for v in args.hidden.split(","))
    deadline = time.time() + args.max_wait   # others' jobs skew every figure: wait for quiet
    while os.getloadavg()[0] > args.max_load and time.time() < deadline:
        time.sleep(5)
    res: dict = {"config": vars(args), "load_before": os.getloadavg()[0],
                 "headless_before": headless_rate(hidden)}
    with streamlit_server() as url, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{url}/?hidden={args.hidden}&min={args.min}&budget={args.budget}"
                  f"&ctl={args.ctl}&cols={args.cols}&h={args.h}")
        frame = live_frame(page)
        t_ready, detached, ws = time.time(), [], {"bytes": 0, "on": False}
        page.on("framedetached", lambda f: detached.append(round(time.time() - t_ready, 2)))
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.webSocketFrameReceived", lambda ev: ws["on"] and ws.update(
            bytes=ws["bytes"] + len(ev["response"]["payloadData"]) * 3 // 4))  # base64
        cdp.send("Network.enable")
        cdp.send("Performance.enable")
        frame.evaluate(SAMPLER)
        page.evaluate(CLICK, ".st-key-play button")
        page.wait_for_timeout(2000)                   # warm-up
        frame.evaluate("() => { __sampler.frames = 0; __sampler.bad = 0; __sampler.badNames = {}; }")
        ws["on"], task0 = True, {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        cpu0, t_start, s0 = cpu_snapshot(streamlit_server.pid), time.time(), state(frame)
        samples, prev = [], (t_start, s0)
        while time.time() - t_start < args.seconds:
            page.wait_for_timeout(1000)
            if frame.is_detached():          # re-created iframe (reported below)
                frame = live_frame(page)
                frame.evaluate(SAMPLER)
            now, s = time.time(), state(frame)
            samples.append(max(0, s["renders"] - prev[1]["renders"]) / (now - prev[0]))
            prev = (now, s)
        ws["on"], task1 = False, {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        cpu1, (t_end, s1) = cpu_snapshot(streamlit_server.pid), prev
        el = t_end - t_start
        frames = sum(samples) / len(samples) * el
        smp = frame.evaluate("() => __sampler")
        page.screenshot(path=str(out / "live_running.png"), full_page=True)
        res.update({
            "updates_per_s_median": statistics.median(samples), "updates_per_s_mean": frames / el,
            "epochs_per_s_live": (s1["extra"]["epoch"] - s0["extra"]["epoch"]) / el,
            "anim_frames": smp["frames"], "bad_frames": smp["bad"], "bad_by_chart": smp["badNames"],
            "bad_pct": 100.0 * smp["bad"] / max(1, smp["frames"]),
            "ws_bytes_per_frame": ws["bytes"] / max(1, frames),
            "renderer_busy_pct": 100 * (task1["TaskDuration"] - task0["TaskDuration"]) / el,
            "server_training_pct": 100 * (s1["extra"]["train_s"] - s0["extra"]["train_s"]) / el,
            "server_idle_pct": 100 * (s1["extra"]["wait_s"] - s0["extra"]["wait_s"]) / el,
            "full_script_runs_while_playing": s1["extra"]["script_runs"] - s0["extra"]["script_runs"],
            "js_errors": s1["errors"], "fig_ms_ema": frame.evaluate("() => __live.figMs"),
            "cores": cores(cpu0, cpu1, el), "load_after": os.getloadavg()[0],
        })
        ctl = []
        for _ in range(4):   # toggle the log-scale checkbox while training
            on = page.evaluate("() => document.body.innerText.includes('loss scale: log')")
            ctl.append(shown_after(page, "loss scale: " + ("linear" if on else "log"),
                                   ".st-key-log_loss input", 1000) or float("nan"))
        res["control_ms"], res["control_ms_median"] = ctl, statistics.median(ctl)
        pauses = [pause_latency(page, frame)]
        for _ in range(args.pauses - 1):
            page.evaluate(CLICK, ".st-key-play button")
            page.wait_for_timeout(1500)
            pauses.append(pause_latency(page, frame))
        res.update(pause=pauses, iframe_detached_at_s=detached,
                   pause_status_ms_median=statistics.median(x["status_ms"] or 1e9 for x in pauses),
                   pause_last_frame_ms_median=statistics.median(x["last_frame_ms"] for x in pauses))
        page.screenshot(path=str(out / "live_paused.png"), full_page=True)
        browser.close()
    res["epochs_per_s_headless"] = max(res["headless_before"], res.setdefault(
        "headless_after", headless_rate(hidden)))
    res["live_over_headless"] = res["epochs_per_s_live"] / res["epochs_per_s_headless"]
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default, help_ in [
            ("seconds", 20.0, "measuring window"), ("hidden", "4", "hidden layer sizes"),
            ("min", 0.04, "min training s per frame"), ("budget", 0.15, "max training s per frame"),
            ("ctl", "outside", "Play/Pause outside or inside the fragment"),
            ("cols", 2, "grid columns"), ("h", 300, "chart row height"), ("pauses", 5, "Pause clicks"),
            ("max_load", 1.5, "wait for a 1-min load average below this ..."),
            ("max_wait", 120.0, "... but at most this many s")]:
        ap.add_argument("--" + name.replace("_", "-"), type=type(default), default=default, help=help_)
    args = ap.parse_args()
    r = run(args)
    (ROOT / "bench" / "results" / "live.json").write_text(json.dumps(r, indent=1, default=str))
    print(json.dumps(r, indent=1, default=str))
    print(f"\nupdates/s median {r['updates_per_s_median']:.1f} (mean {r['updates_per_s_mean']:.1f}); "
          f"bad frames {r['bad_pct']:.2f}% of {r['anim_frames']}; pause: status "
          f"{r['pause_status_ms_median']:.0f} ms, last frame {r['pause_last_frame_ms_median']:.0f} ms; "
          f"control {r['control_ms_median']:.0f} ms; live/headless {r['live_over_headless']:.2f} "
          f"({r['epochs_per_s_live']:.0f}/{r['epochs_per_s_headless']:.0f} epochs/s); "
          f"{r['ws_bytes_per_frame'] / 1000:.1f} kB/frame; server training "
          f"{r['server_training_pct']:.0f}% idle {r['server_idle_pct']:.0f}%; cores {r['cores']}")


if __name__ == "__main__":
    main()
