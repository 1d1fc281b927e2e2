"""What a run's checkpoint costs: taking it (the scheduler thread, under the run's lock), writing it
(the keeper's thread: to JSON and into the store) and reading it back into a new run.

    python bench/bench_checkpoint.py [--redis]      # --redis: also a real redis-server on localhost

For the default lesson (2-4-1, SGD, full batch) and a 3×16 network (2-16-16-16-1, Adam, batches of
10), each trained 1,000 epochs first (so the live history holds its full budget): median µs of
each step over repeats, and the checkpoint's bytes.
"""
from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explorer.choices.config import Config, NetConfig, TrainConfig  # noqa: E402
from explorer.training import run_checkpoint as rc  # noqa: E402
from explorer.training.run_checkpoint_json import from_dict, to_dict  # noqa: E402
from explorer.training.run import Run, build_data  # noqa: E402
from explorer.training.run_store_memory import MemoryRunStore  # noqa: E402

SETUPS = {
    "default lesson 2-4-1 sgd": Config(),
    "3x16 tanh adam batch 10": Config(net=NetConfig(hidden=((16, "tanh"),) * 3),
                                      train=TrainConfig(optimizer="adam", learning_rate=0.01, batch_size=10)),
}


def median_us(fn, repeats: int) -> float:
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def measure(name: str, cfg: Config, stores: dict, repeats: int) -> None:
    run = Run(cfg, build_data(cfg.data))
    run.trainer.run_epochs(1000)
    memo = {}
    rc.capture(run, True, memo)
    taken = []
    take = median_us(lambda i: taken.append(rc.capture(run, True, memo)), repeats)
    size = len(json.dumps(to_dict(taken[0]), separators=(",", ":")))
    secret = secrets.token_urlsafe(32)
    print(f"{name}: {size:,} bytes; take {take:.0f} µs (the scheduler thread, under the run's lock)")
    for label, store in stores.items():
        fresh_copies = [rc.capture(run, True, memo) for _ in range(repeats)]     # rows not built yet
        write = median_us(lambda i: store.save(secret, to_dict(fresh_copies[i])), repeats)
        fresh = Run(cfg, build_data(cfg.data))

        def read_back(i):
            back = from_dict(store.load(secret))
            with fresh.lock:
                rc.restore(fresh, back)
        resume = median_us(read_back, repeats)
        print(f"  {label}: write (to JSON + save, the keeper's thread) {write:.0f} µs; "
              f"resume (load + check + restore) {resume:.0f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", action="store_true", help="also time a real redis-server (started here)")
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    stores = {"in-process store": MemoryRunStore()}
    if args.redis:
        from explorer.training.run_store_redis import RedisRunStore
        from tests.real_redis import redis_server
        with redis_server() as url:
            stores["Redis on localhost"] = RedisRunStore(url)
            for name, cfg in SETUPS.items():
                measure(name, cfg, stores, args.repeats)
        return
    for name, cfg in SETUPS.items():
        measure(name, cfg, stores, args.repeats)


if __name__ == "__main__":
    main()
