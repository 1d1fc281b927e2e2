"""The shared class store and gallery feed through a real Redis (Debian's ``redis-server`` on
localhost), as two replicas use them: the time of a join, of a student's visit (what
``room_seats`` asks twice a second per student), of the teacher's view of a class of 30, and of a
student's state from its publication on one replica to its arrival in the other's subscription; the
in-process store beside it. Medians and 95th percentiles of ``--n`` each (a few seconds).

    python bench/bench_room_redis.py [--n 100]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.measure import calibration  # noqa: E402
from explorer.live.channel.feed_interface import Thumb  # noqa: E402
from explorer.live.channel.redis_feed import RedisRoomFeed  # noqa: E402
from explorer.rooms.memory_store import MemoryRoomStore  # noqa: E402
from explorer.rooms.redis_store import RedisRoomStore  # noqa: E402
from tests.redis_server import redis_server  # noqa: E402


def timed(call, n: int) -> list[float]:
    """Milliseconds of ``n`` calls of ``call(i)``."""
    out = []
    for i in range(n):
        t = time.perf_counter()
        call(i)
        out.append(1000 * (time.perf_counter() - t))
    return out


def line(name: str, ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=20)
    return f"{name:<44} median {statistics.median(ms):6.3f} ms   p95 {q[18]:6.3f} ms   (n = {len(ms)})"


def stores(store, n: int) -> list[str]:
    classes = [store.create() for _ in range(n // 50 + 1)]       # ≤ 50 joins a class: within its 60 a minute
    seats = []
    out = [line("join", timed(lambda i: seats.append(store.join(classes[i // 50].code, f"s{i}")), n))]
    code = classes[0].code
    out.append(line("a student's visit (class of 50)", timed(lambda i: store.student(code, seats[i % 50].secret), n)))
    out.append(line("the teacher's view (class of 50)", timed(lambda i: store.teacher(classes[0].teacher_token), n)))
    return out


def feed_latency(url: str, n: int) -> tuple[list[float], list[float]]:
    """(publish call ms, publication -> arrival in the other replica's subscription ms)."""
    pub, sub = RedisRoomFeed(redis.Redis.from_url(url)), RedisRoomFeed(redis.Redis.from_url(url))
    weights = np.full(17, 0.5, "<f2").tobytes()

    def state(i: int) -> Thumb:
        return Thumb("s", i, True, (2, 4, 1), ("tanh", "sigmoid"), "d", weights, 0.5, 0.5, 0.3, 17, "")

    inbox = sub.subscribe("B")
    calls, arrivals = [], []
    try:
        deadline = time.monotonic() + 10                         # until the listener has subscribed
        while not inbox.waiting() and time.monotonic() < deadline:
            pub.publish("B", state(-1))
            time.sleep(0.01)
        inbox.take()
        for i in range(n):
            t = time.perf_counter()
            pub.publish("B", state(i))
            calls.append(1000 * (time.perf_counter() - t))
            while not inbox.waiting():
                time.sleep(0.0002)
            arrivals.append(1000 * (time.perf_counter() - t))
            assert [s.epoch for s in inbox.take()] == [i]
    finally:
        inbox.close()
        pub.close()
        sub.close()
    return calls, arrivals


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100)
    n = ap.parse_args().n
    print(f"calibration: the default lesson trains at {calibration():.0f} epochs/s headless in this process")
    with redis_server() as url:
        print("Redis (one round trip, Lua script, localhost):")
        for text in stores(RedisRoomStore(redis.Redis.from_url(url)), n):
            print("  " + text)
        calls, arrivals = feed_latency(url, n)
        print("  " + line("publish a student's state", calls))
        print("  " + line("  ... until the other replica has it", arrivals))
    print("In-process (MemoryRoomStore):")
    for text in stores(MemoryRoomStore(), n):
        print("  " + text)


if __name__ == "__main__":
    main()
