"""A classroom against one server: N simulated learners, each a real Streamlit session.

    python bench/bench_classroom.py [--learners 30] [--max 5] [--seconds 30] [--url http://...] [--grid 7x3]

Each learner opens the page as a browser does, through Streamlit's own WebSocket
(``/_stcore/stream``: a ``BackMsg`` rerun with the query string, ``ForwardMsg`` deltas
back), reads its live token from the live component's arguments, then opens the live
channel (``/live/ws``), says hello, presses Play and acks every frame as soon as it
has decoded it (a browser acks once it has drawn: this is the server's side of the
figure). Some learners pause and resume, change the learning rate (a widget change
through Streamlit's socket, the way a slider does it) or switch lessons (a button).
With ``--max K``, K of them set speed "max".

Reports per-learner updates/s (median and 5th percentile over learners; each learner's
figure is its frames over the time it was playing), the control round trip p95 (a
control sent → its ``status`` reply), the server's CPU (cores, from /proc) and RSS,
bytes/s per learner on the live channel, and errors. A calibration figure (headless
epochs/s of the default lesson in this process) is printed with every run. Loopback
only; everything is bounded in time.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from explorer.live.channel import wire  # noqa: E402

CONTROL_TIMEOUT_S = 5.0


class StreamlitSession:
    """One Streamlit session over ``/_stcore/stream``, as the browser's front end opens it."""

    def __init__(self, base: str, query: str = ""):
        self.base, self.query = base, query.lstrip("?")
        self.ws = None
        self.elements: dict[str, object] = {}     # widget / component id -> its proto element
        self.token: str | None = None
        self.widget_values: dict[str, tuple] = {}
        self.finished = asyncio.Event()
        self.errors: list[str] = []
        self._reader = None

    async def open(self) -> None:
        url = self.base.replace("http", "ws", 1) + "/_stcore/stream"
        self.ws = await websockets.connect(url, subprotocols=["streamlit"], max_size=None, origin=self.base,
                                           open_timeout=30, ping_interval=None)
        self._reader = asyncio.create_task(self._read())
        await self.rerun()

    async def rerun(self, widget: tuple | None = None, timeout: float = 60.0) -> None:
        """A script run with the widgets' states (``widget`` = (id, field, value) changes one)."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = ""
        if widget is not None:
            self.widget_values[widget[0]] = widget[1:]
        for wid, (field, value) in self.widget_values.items():
            ws = cs.widget_states.widgets.add()
            ws.id = wid
            if field.endswith("_array_value"):
                getattr(ws, field).data.extend(value)
            else:
                setattr(ws, field, value)
        self.finished.clear()
        await self.ws.send(msg.SerializeToString())
        await asyncio.wait_for(self.finished.wait(), timeout)
        if widget is not None and widget[1] == "trigger_value":
            self.widget_values.pop(widget[0], None)          # a click is not a state

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                fm = ForwardMsg()
                fm.ParseFromString(data)
                kind = fm.WhichOneof("type")
                if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                    el = fm.delta.new_element
                    what = el.WhichOneof("type")
                    if what == "component_instance":
                        args = json.loads(el.component_instance.json_args or "{}")
                        if args.get("token"):
                            self.token = args["token"]
                    elif what == "exception":
                        self.errors.append(f"exception: {el.exception.message}")
                    inner = getattr(el, what, None)
                    wid = getattr(inner, "id", "") if inner is not None else ""
                    if wid:
                        self.elements[wid] = (what, inner)
                elif kind == "script_finished":
                    self.finished.set()
        except websockets.ConnectionClosed:
            pass

    def widget(self, kind: str, key: str):
        """(id, proto) of the widget with this key (Streamlit puts the key in the id)."""
        for wid, (what, inner) in self.elements.items():
            if what == kind and (wid.endswith(f"-{key}") or wid.endswith(f"_{key}")):
                return wid, inner
        raise KeyError(f"no {kind} with key {key!r}; have {[w for w in self.elements][:20]}")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()


class Learner:
    """A Streamlit session plus its live channel; counts frames, bytes and control round trips."""

    def __init__(self, base: str, query: str = "", speed="1"):
        self.session = StreamlitSession(base, query)
        self.base, self.speed = base, speed
        self.live = None
        self.frames = 0
        self.bytes = 0
        self.setups = 0
        self.playing_s = 0.0
        self._play_t = None
        self.rtts: list[float] = []
        self.errors: list[str] = []
        self.n_layers = 1
        self.last = None
        self._pending: dict[str, float] = {}
        self._reply = asyncio.Event()
        self._reader = None

    async def open(self) -> None:
        await self.session.open()
        if not self.session.token:
            raise RuntimeError("the page sent no live token")
        url = self.base.replace("http", "ws", 1) + "/live/ws"
        self.live = await websockets.connect(url, max_size=None, origin=self.base, open_timeout=30,
                                             ping_interval=None)
        await self.live.send(json.dumps({"type": "hello", "token": self.session.token}))
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for data in self.live:
                self.bytes += len(data)
                if isinstance(data, bytes):
                    frame = wire.decode_frame(data, self.n_layers)
                    self.frames += 1
                    self.last = frame
                    await self.live.send(json.dumps({"type": "ack", "seq": frame["seq"]}))
                    continue
                msg = json.loads(data)
                if msg["type"] == "setup":
                    self.setups += 1
                    self.n_layers = len(msg["sizes"])
                elif msg["type"] == "status" and msg.get("reply_to") in self._pending:
                    self.rtts.append(time.perf_counter() - self._pending.pop(msg["reply_to"]))
                    self._reply.set()
                elif msg["type"] == "error":
                    self.errors.append(msg["text"])
        except websockets.ConnectionClosed as err:
            if err.rcvd is None or err.rcvd.code not in (1000, 1001):
                self.errors.append(f"live socket closed: {err}")

    async def control(self, msg: dict) -> None:
        """Send a control and wait for its status reply (the round trip is recorded)."""
        self._reply.clear()
        self._pending[msg["type"]] = time.perf_counter()
        await self.live.send(json.dumps(msg))
        try:
            await asyncio.wait_for(self._reply.wait(), CONTROL_TIMEOUT_S)
        except asyncio.TimeoutError:
            self.errors.append(f"no reply to {msg['type']} within {CONTROL_TIMEOUT_S} s")
            self._pending.pop(msg["type"], None)
        if msg["type"] == "play":
            self._play_t = time.perf_counter()
        elif msg["type"] == "pause" and self._play_t is not None:
            self.playing_s += time.perf_counter() - self._play_t
            self._play_t = None

    def stop_clock(self) -> None:
        if self._play_t is not None:
            self.playing_s += time.perf_counter() - self._play_t
            self._play_t = None

    async def close(self) -> None:
        if self.live is not None:
            await self.live.close()
        if self._reader is not None:
            self._reader.cancel()
        await self.session.close()


# ---- the classroom ----------------------------------------------------------------------
def proc_stats(pid: int) -> tuple[float, float]:
    """(CPU seconds used so far, RSS in MB) of the server process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024
    return cpu, rss


def calibration(seconds: float = 3.0) -> float:
    """Headless epochs/s of the default lesson in this process (no server, no browser)."""
    from explorer.choices.config import Config
    from explorer.training.run import Run, build_data
    cfg = Config()
    run = Run(cfg, build_data(cfg.data))
    t0, n = time.perf_counter(), 0
    while time.perf_counter() - t0 < seconds:
        n += run.train_for(0.05)
    return n / (time.perf_counter() - t0)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(q / 100 * len(v)))]


async def script(i: int, learner: Learner, seconds: float, t_start: float) -> None:
    """What learner i does during the window: Play; every 4th pauses and resumes; every 6th
    changes the learning rate through Streamlit's socket; every 9th switches lessons."""
    rng = random.Random(i)
    await learner.control({"type": "play"})
    plan = []
    if i % 4 == 1:
        plan.append((rng.uniform(0.2, 0.5) * seconds, "pause"))
    if i % 6 == 2:
        plan.append((rng.uniform(0.3, 0.6) * seconds, "lr"))
    if i % 9 == 3:
        plan.append((rng.uniform(0.4, 0.7) * seconds, "lesson"))
    for at, what in sorted(plan):
        await asyncio.sleep(max(0.0, t_start + at - time.perf_counter()))
        if what == "pause":
            await learner.control({"type": "pause"})
            await asyncio.sleep(2.0)
            await learner.control({"type": "play"})
        elif what == "lr":
            wid, slider = learner.session.widget("slider", "lr")
            options = list(slider.options)
            current = options[int(slider.value[0])] if slider.value else options[len(options) // 2]
            new = options[max(0, options.index(current) - 1)]
            t0 = time.perf_counter()
            await learner.session.rerun((wid, "string_array_value", [new]))
            learner.page_rtts.append(time.perf_counter() - t0)
        elif what == "lesson":
            wid, _ = learner.session.widget("button", "xor_hidden")
            t0 = time.perf_counter()
            await learner.session.rerun((wid, "trigger_value", True))
            learner.page_rtts.append(time.perf_counter() - t0)
            await learner.control({"type": "play"})          # a new network starts paused
    await asyncio.sleep(max(0.0, t_start + seconds - time.perf_counter()))
    learner.stop_clock()


async def classroom(base: str, n: int, n_max: int, seconds: float, pid: int | None, linger: float,
                    grid: str | None = None) -> dict:
    learners = [Learner(base, "?speed=max" if i < n_max else "") for i in range(n)]
    gridder = None
    if grid:                                        # --grid CxR: one more learner, a Compare grid at max
        from classroom_grid import GridLearner
        gridder = GridLearner(base, grid)
    for lr in learners:
        lr.page_rtts = []
    gate = asyncio.Semaphore(4)                     # pages open a few at a time, as a class does

    async def open_one(learner):
        async with gate:
            await learner.open()

    t_open = time.perf_counter()
    await asyncio.gather(*(open_one(lr) for lr in learners))
    if gridder is not None:
        await gridder.open()
    open_s = time.perf_counter() - t_open
    await asyncio.sleep(1.0)
    cpu0, rss0 = proc_stats(pid) if pid else (0.0, 0.0)
    bytes0 = [lr.bytes for lr in learners]
    frames0 = [lr.frames for lr in learners]
    t_start = time.perf_counter()
    rss_samples = []

    async def sample_rss():
        while True:
            if pid:
                rss_samples.append(proc_stats(pid)[1])
            await asyncio.sleep(1.0)

    sampler = asyncio.create_task(sample_rss())
    if gridder is not None:
        await gridder.play()
        grid0 = (gridder.frames, gridder.bytes)
    async def guarded(i, learner):
        try:
            await script(i, learner, seconds, t_start)
        except Exception as err:  # noqa: BLE001 - a learner's failure is a reported error, not a crash
            learner.errors.append(f"learner {i}: {type(err).__name__}: {err}")
            learner.stop_clock()

    await asyncio.gather(*(guarded(i, lr) for i, lr in enumerate(learners)))
    elapsed = time.perf_counter() - t_start
    sampler.cancel()
    cpu1, rss1 = proc_stats(pid) if pid else (0.0, 0.0)
    if gridder is not None:
        gridder.stop_clock()
        grid_result = dict(gridder.summary(*grid0), errors=gridder.errors + gridder.session.errors)
        await gridder.control({"type": "pause"})
        await gridder.close()
    for lr in learners:
        await lr.control({"type": "pause"})
    await asyncio.gather(*(lr.close() for lr in learners))
    after, freed = None, ""
    if pid and linger > 0:
        await asyncio.sleep(linger)
        poke = StreamlitSession(base)           # any visit makes Streamlit expire the sessions
        await poke.open()                       # that were disconnected for over 2 minutes
        await poke.close()
        await asyncio.sleep(5)
        after = proc_stats(pid)[1]
        sample = learners[:: max(1, n // 10)]
        codes = [await hello_code(base, lr.session.token) for lr in sample]
        freed = f"{codes.count(wire.CLOSE_BAD_TOKEN)} of {len(codes)} sampled tokens refused (sessions dropped)"

    ups = [(lr.frames - f0) / max(lr.playing_s, 1e-9) for lr, f0 in zip(learners, frames0)]
    paced = [u for u, lr in zip(ups, learners) if lr.session.query != "speed=max"]
    rtts = [r for lr in learners for r in lr.rtts]
    page_rtts = [r for lr in learners for r in lr.page_rtts]
    errors = [e for lr in learners for e in lr.errors + lr.session.errors]
    return {
        "n": n, "n_max": n_max, "open_s": open_s, "elapsed": elapsed,
        "ups_median": statistics.median(ups), "ups_p5": pct(ups, 5),
        "paced_median": statistics.median(paced) if paced else float("nan"), "paced_p5": pct(paced, 5),
        "rtt_p95": pct(rtts, 95) * 1e3, "rtt_median": statistics.median(rtts) * 1e3, "n_rtts": len(rtts),
        "page_rtt_p95": pct(page_rtts, 95) * 1e3 if page_rtts else float("nan"), "n_page": len(page_rtts),
        "cpu_cores": (cpu1 - cpu0) / elapsed, "rss_start": rss0, "rss_end": rss1,
        "rss_peak": max(rss_samples or [rss1]), "rss_after": after, "freed": freed,
        "rss_1min": rss_samples[60] if len(rss_samples) > 120 else None,
        "kBps": statistics.median([(lr.bytes - b0) / elapsed / 1e3 for lr, b0 in zip(learners, bytes0)]),
        "kBps_max": max((lr.bytes - b0) / elapsed / 1e3 for lr, b0 in zip(learners, bytes0)),
        "errors": errors, "grid": grid_result if gridder is not None else None,
    }


async def hello_code(base: str, token: str) -> int:
    """Open the live socket with ``token``: 0 if it was accepted (then closed), else the close code."""
    async with websockets.connect(base.replace("http", "ws", 1) + "/live/ws", origin=base) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token}))
        try:
            while True:
                data = await asyncio.wait_for(ws.recv(), 15)
                if isinstance(data, str) and json.loads(data)["type"] == "setup":
                    return 0
        except websockets.ConnectionClosed as err:
            return err.rcvd.code if err.rcvd else -1


async def time_to_free(base: str, busy: bool, limit: float = 420, poll: float = 5.0) -> float | None:
    """Seconds from closing a playing learner's tab until its token is refused (its
    LiveSession, and the Run with it, collected). ``busy``: other pages keep opening
    meanwhile (Streamlit expires disconnected sessions when its session store is used)."""
    learner = Learner(base)
    await learner.open()
    await learner.control({"type": "play"})
    await asyncio.sleep(2)
    token = learner.session.token
    await learner.close()
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        await asyncio.sleep(poll)
        if busy:
            other = StreamlitSession(base)
            await other.open()
            await other.close()
        if await hello_code(base, token) == wire.CLOSE_BAD_TOKEN:
            return time.perf_counter() - t0
    return None


def report(r: dict, calib: float, idle_rss: float) -> None:
    label = f"N = {r['n']}" + (f" ({r['n_max']} at max)" if r["n_max"] else "")
    print(f"\n{label}: {r['elapsed']:.0f} s window (pages opened in {r['open_s']:.1f} s); calibration "
          f"{calib:.0f} headless epochs/s")
    print(f"  updates/s per learner: median {r['ups_median']:.1f}, 5th percentile {r['ups_p5']:.1f}"
          + (f"; at the default pace: median {r['paced_median']:.1f}, 5th {r['paced_p5']:.1f}" if r["n_max"] else ""))
    print(f"  control round trip (socket): p95 {r['rtt_p95']:.0f} ms, median {r['rtt_median']:.0f} ms "
          f"({r['n_rtts']} controls); page reruns (lr, lesson): p95 {r['page_rtt_p95']:.0f} ms ({r['n_page']})")
    print(f"  server CPU {r['cpu_cores']:.2f} cores; RSS idle {idle_rss:.0f} MB, start {r['rss_start']:.0f}, "
          f"end {r['rss_end']:.0f}, peak {r['rss_peak']:.0f}"
          + (f"; {r['rss_1min']:.0f} after the first minute" if r["rss_1min"] else "")
          + (f"; {r['rss_after']:.0f} MB once everyone left and Streamlit dropped their sessions "
             f"({r['freed']})" if r["rss_after"] else ""))
    print(f"  live channel: {r['kBps']:.1f} kB/s per learner (median; max {r['kBps_max']:.1f})")
    print(f"  errors: {len(r['errors'])}" + (f" {[e[:160] for e in r['errors'][:5]]}" if r["errors"] else ""))
    g = r.get("grid")
    if g:
        print(f"  + one grid {g['spec']} ({g['cells']} networks) at max: {g['fps']:.1f} frames/s, {g['epochs_s']:.0f} grid "
              f"epochs/s ({g['epochs_s'] * g['cells']:.0f} network-epochs/s), {g['kBps']:.1f} kB/s; the others at "
              f"the default pace {'kept' if r['paced_p5'] >= 15 else 'did NOT keep'} 15 updates/s "
              f"(5th percentile {r['paced_p5']:.1f}); errors: {len(g['errors'])} {g['errors'][:3]}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--learners", type=int, nargs="+", default=[1, 10, 30, 60])
    ap.add_argument("--max", type=int, default=0, help="this many learners of each run at speed max")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--linger", type=float, default=0, help="wait this long after everyone left, then read RSS")
    ap.add_argument("--url", default=None, help="an already running server (else one is started)")
    ap.add_argument("--free", action="store_true", help="only measure when a closed tab's run is freed")
    ap.add_argument("--grid", default=None, metavar="CxR",
                    help="one more learner runs a Compare grid of C widths x R learning rates at max (7x3)")
    args = ap.parse_args()
    if args.free:
        from tests.browser import app_server
        with app_server() as url:
            for busy in (False, True):
                t = asyncio.run(time_to_free(url, busy))
                print(f"a closed tab's run freed after {t:.0f} s" if t is not None else "not freed within 420 s",
                      "(other pages opening meanwhile)" if busy else "(nothing else happening)")
        return
    calib = calibration()
    print(f"calibration: the default lesson trains at {calib:.0f} epochs/s headless in this process "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; the learners' client runs here too)")
    if args.url:
        runs(args, args.url, None, calib)
        return
    from tests.browser import app_server
    with app_server() as url:
        pid = server_pid(url)
        runs(args, url, pid, calib)


def server_pid(url: str) -> int:
    """The pid of the process listening on the server's port (from /proc/net/tcp)."""
    port = int(url.rsplit(":", 1)[1])
    inodes = set()
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            parts = line.split()
            if int(parts[1].split(":")[1], 16) == port and parts[3] == "0A":
                inodes.add(parts[9])
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(pid)
        except OSError:
            continue
    raise RuntimeError("server process not found")


def runs(args, url: str, pid: int | None, calib: float) -> None:
    idle = proc_stats(pid)[1] if pid else 0.0
    for n in args.learners:
        r = asyncio.run(classroom(url, n, min(args.max, n), args.seconds, pid, args.linger, args.grid))
        report(r, calib, idle)


if __name__ == "__main__":
    main()
