"""One learner's page floods the live channel: does another learner's training slow down?

    python bench/bench_flood.py [--cycles 4] [--window-s 2] [--url http://...]

Opens a victim page (a real Streamlit session and its live channel, acking every frame as
a browser does, ``bench_classroom.Learner``) and a flooder page on a large set at batch
size 1 (Ng's flower, 10,000 points, 8000 of them for training, 2-8-8-1: Step epoch there
is ~0.6 s of work). The flooder's socket alternates between quiet (closed) and one of two
floods:

  bad    ~1000 messages a second: malformed, out of range (speed 0.5, 1.5, 1e300, a
         400-digit integer, -1, NaN, true, ...) and valid controls far over the socket's
         rate (Step epoch over the large set, Reset, Play, Pause, acks); reconnecting at
         once whenever the server closes it (4429), as a script would
  busy   valid controls just under the socket's rate (19 a second): Step epoch over the
         large set, Reset, Step mini-batch: the most work one socket may ask for

Windows are interleaved (quiet, bad, quiet, busy, quiet, ...) so that machine noise and
drift cancel: each flooded window is compared with the mean of the quiet windows on
either side, and the median of those ratios is the figure. It is measured for a victim
at "max" and one at the default pace (1 epoch a frame, 20 a second), one after the other.
Prints the medians and percentiles of each kind of window, the calibration (the default
lesson's headless epochs/s, ``bench_classroom.calibration``), what the flooder saw (close
codes, error replies), the cores the server and this client used in each kind of window
(the clients share the machine's cores with the server) and the server log's tracebacks
(none expected) and channel lines; the last line sums it up.
``tests/test_channel_flood.py`` runs the same measurement, shorter, and asserts on it.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402

from bench.classroom_client import Learner, StreamlitSession  # noqa: E402
from bench.measure import calibration, pct, proc_stats, server_pid  # noqa: E402
from explorer.live.channel import wire  # noqa: E402

FLOODER_QUERY = "?n=10000&bs=1&layers=8:tanh,8:tanh"
SETTLE_S = 0.3             # after each switch, before a window starts

_step = json.dumps({"type": "step", "unit": "epoch"})
_reset = json.dumps({"type": "reset"})
BAD = [json.dumps({"type": "speed", "value": v}) for v in (0.5, 1.5, 1e300, -1, 0, True, None, "fast", 10_001)] + [
    '{"type":"speed","value":' + "9" * 400 + "}",            # a huge integer (float() overflows)
    '{"type":"speed","value":NaN}', '{"type":"speed","value":-Infinity}',
    '{"type":"ack","seq":-1}', '{"type":"ack","seq":4294967296}', '{"type":"ack","seq":1.5}',
    '{"type":"step","unit":"year"}', '{"type":"visible","hidden":"yes"}', '{"type":"drop_tables"}',
    '{"type":"hello","token":"again"}', "nonsense", "[]", "[" * 300 + "]" * 300, "x" * 2000, b"\x00\x01",
]
EXCESS = [_step, _reset, json.dumps({"type": "step", "unit": "batch"}), json.dumps({"type": "play"}),
          json.dumps({"type": "pause"}), json.dumps({"type": "speed", "value": 1}),
          json.dumps({"type": "ack", "seq": 1}), json.dumps({"type": "visible", "hidden": False})]
BAD_MIX = [m for pair in zip(BAD, EXCESS * 3) for m in pair]          # bad and valid, alternating
BUSY_MIX = [_step, _reset, json.dumps({"type": "step", "unit": "batch"}), _step]
FLOODS = {"bad": (BAD_MIX, 1000.0), "busy": (BUSY_MIX, 19.0)}


class Flooder:
    """A page gone wrong: while ``on``, its live socket sends ``rate`` messages a second from
    ``mix`` (and reads whatever comes back); reconnects whenever the server closes it."""

    def __init__(self, base: str, page: StreamlitSession):
        self.url = base.replace("http", "ws", 1) + "/live/ws"
        self.base, self.page, self.token = base, page, page.token
        self.mix, self.rate = FLOODS["bad"]
        self.on = asyncio.Event()
        self.sent = 0
        self.errors = 0
        self.statuses = 0
        self.flood_notices = 0
        self.closes: dict[int, int] = {}
        self._task = None

    def start(self, kind: str) -> None:
        self.mix, self.rate = FLOODS[kind]
        self.on.set()
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    def stop(self) -> None:
        self.on.clear()

    async def close(self) -> None:
        self.on.clear()
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        while True:
            await self.on.wait()
            try:
                await self._flood()
            except (OSError, websockets.WebSocketException):
                pass

    async def _flood(self) -> None:
        async with websockets.connect(self.url, origin=self.base, max_size=None, ping_interval=None,
                                      open_timeout=30) as ws:
            await ws.send(json.dumps({"type": "hello", "token": self.token}))
            reader = asyncio.create_task(self._read(ws))
            t0, k = time.perf_counter(), 0
            try:
                while self.on.is_set():
                    due = int((time.perf_counter() - t0) * self.rate) + 1
                    while k < due:
                        await ws.send(self.mix[(self.sent + k) % len(self.mix)])
                        k += 1
                    await asyncio.sleep(0.005)
            except websockets.ConnectionClosed as err:
                code = err.rcvd.code if err.rcvd is not None else 0
                self.closes[code] = self.closes.get(code, 0) + 1
                await asyncio.sleep(0.05)          # a script that reconnects at once
            finally:
                self.sent += k
                reader.cancel()

    async def _read(self, ws) -> None:
        try:
            async for data in ws:
                if isinstance(data, str):
                    msg = json.loads(data)
                    if msg["type"] == "error":
                        self.errors += 1
                    elif msg["type"] == "status":
                        self.statuses += 1
                        self.flood_notices += msg.get("notice") == wire.FLOOD_NOTICE
        except websockets.ConnectionClosed:
            pass                                   # (the sender counts the close)


CPU: dict[str, list] = {}   # window kind -> [(server cores, this client's cores), ...]
SERVER_PID: list = []        # the server's pid, when known


async def victim_rate(victim: Learner, seconds: float, kind: str = "quiet") -> float:
    """The victim's epochs/s over the next ``seconds`` (from the frames it acked); the CPU the
    server and this client process used meanwhile goes to ``CPU[kind]``."""
    pid = SERVER_PID[0] if SERVER_PID else None
    s0, c0 = proc_stats(pid)[0] if pid else 0.0, time.process_time()
    e0, t0 = victim.last["epoch"], time.perf_counter()
    await asyncio.sleep(seconds)
    dt = time.perf_counter() - t0
    rate = (victim.last["epoch"] - e0) / dt
    CPU.setdefault(kind, []).append(((proc_stats(pid)[0] - s0) / dt if pid else float("nan"),
                                     (time.process_time() - c0) / dt))
    return rate


async def interleaved(victim: Learner, flooder: Flooder, cycles: int, window_s: float,
                      floods: tuple = tuple(FLOODS)) -> dict:
    """quiet, bad, quiet, busy, quiet, ... (``cycles`` of each flood); the victim's epochs/s in
    each window and, per flooded window, its ratio to the mean of the quiet windows around it."""
    kinds = [k for _ in range(cycles) for k in floods]
    quiet, flooded = [], {k: [] for k in floods}
    ratios = {k: [] for k in floods}
    flooder.stop()
    await asyncio.sleep(SETTLE_S)
    quiet.append(await victim_rate(victim, window_s))
    for kind in kinds:
        flooder.start(kind)
        await asyncio.sleep(SETTLE_S)
        rate = await victim_rate(victim, window_s, kind)
        flooder.stop()
        await asyncio.sleep(SETTLE_S)
        quiet.append(await victim_rate(victim, window_s))
        flooded[kind].append(rate)
        ratios[kind].append(rate / max(1e-9, (quiet[-2] + quiet[-1]) / 2))
    return {"quiet": quiet, "flooded": flooded, "ratios": ratios}


async def open_pages(base: str, victim_query: str) -> tuple[Learner, Flooder]:
    victim = Learner(base, victim_query)
    await victim.open()
    page = StreamlitSession(base, FLOODER_QUERY)
    await page.open()
    if not page.token:
        raise RuntimeError("the flooder's page sent no live token")
    flooder = Flooder(base, page)
    await victim.control({"type": "play"})
    deadline = time.monotonic() + 30
    while victim.last is None:
        if time.monotonic() > deadline:
            raise RuntimeError("the victim got no frame within 30 s")
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)                    # past the first frames' warm-up
    return victim, flooder


async def close_pages(victim: Learner, flooder: Flooder) -> None:
    await flooder.close()
    await flooder.page.close()
    await victim.close()


async def measure(base: str, victim_query: str, cycles: int, window_s: float) -> dict:
    victim, flooder = await open_pages(base, victim_query)
    try:
        r = await interleaved(victim, flooder, cycles, window_s)
    finally:
        await close_pages(victim, flooder)
    r.update(cpu={k: list(v) for k, v in CPU.items()})
    CPU.clear()
    r.update(sent=flooder.sent, errors=flooder.errors, closes=dict(flooder.closes),
             flood_notices=flooder.flood_notices, victim_errors=list(victim.errors))
    return r


def summary(r: dict) -> tuple[float, float, float, str]:
    """(quiet median, flooded median of the worse flood, its median ratio, its name)."""
    worst = min(r["ratios"], key=lambda k: statistics.median(r["ratios"][k]))
    return (statistics.median(r["quiet"]), statistics.median(r["flooded"][worst]),
            statistics.median(r["ratios"][worst]), worst)


def report(label: str, r: dict) -> None:
    def spread(v):
        return f"median {statistics.median(v):.1f} (p10 {pct(v, 10):.1f}, p90 {pct(v, 90):.1f}, n={len(v)})"

    print(f"\nvictim {label}: epochs/s per window")
    print(f"  quiet  {spread(r['quiet'])}")
    for k in r["flooded"]:
        print(f"  {k:<6} {spread(r['flooded'][k])}; ratio to the quiet windows around it: median "
              f"{statistics.median(r['ratios'][k]):.3f} (min {min(r['ratios'][k]):.3f}, max {max(r['ratios'][k]):.3f})")
    print(f"  flooder: {r['sent']} messages sent, {r['errors']} error replies, closes {r['closes']}, "
          f"{r['flood_notices']} flood notices; victim errors: {len(r['victim_errors'])}")
    cpu = r.get("cpu", {})
    print("  cores used (server / this client): " + "; ".join(
        f"{k} {statistics.median(a for a, _ in v):.2f} / {statistics.median(b for _, b in v):.2f}"
        for k, v in cpu.items()))


def log_lines(base: str) -> list[str]:
    """The app server's log (tests.browser.app_server writes tests/artifacts/server-PORT.log)."""
    path = ROOT / "tests" / "artifacts" / f"server-{base.rsplit(':', 1)[1]}.log"
    return path.read_text(errors="replace").splitlines() if path.exists() else []


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cycles", type=int, default=4, help="windows of each flood per victim")
    ap.add_argument("--window-s", type=float, default=2.0)
    ap.add_argument("--url", default=None, help="an already running server (else one is started)")
    args = ap.parse_args()
    calib = calibration()
    print(f"calibration: the default lesson trains at {calib:.0f} epochs/s headless in this process "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; the clients run here too)")

    def run(url: str) -> None:
        if not args.url:
            SERVER_PID.append(server_pid(url))
        res = {}
        for label, query in (("at max", "?speed=max"), ("paced (speed 1)", "")):
            res[label] = asyncio.run(measure(url, query, args.cycles, args.window_s))
            report(label, res[label])
        lines = log_lines(url)
        print(f"\nserver log: {sum('Traceback' in s for s in lines)} tracebacks, "
              f"{sum('explorer.live.channel' in s or 'live s' in s for s in lines)} channel lines")
        for s in [s for s in lines if "live s" in s][:10]:
            print("  " + s[:200])
        mq, mf, mr, mk = summary(res["at max"])
        pq, pf, pr, pk = summary(res["paced (speed 1)"])
        print(f"flood: victim at max {mq:.0f} epochs/s quiet, {mf:.0f} flooded, ratio {mr:.2f} ({mk}); "
              f"paced {pq:.1f} quiet, {pf:.1f} flooded, ratio {pr:.2f} ({pk}); calibration {calib:.0f}")

    if args.url:
        run(args.url)
        return
    from tests.browser import app_server
    with app_server() as url:
        run(url)


if __name__ == "__main__":
    main()
