"""A rolling update costs a learner nothing: ``deploy/local-cluster`` for real (two replicas, Debian's
HAProxy and Redis on localhost), r1 stopped with SIGTERM, as Kubernetes or compose stop a container
(``tests/test_failover.py`` kills one with SIGKILL: a crash, at most ~5 s of training lost).

On SIGTERM Streamlit's server closes every socket, and the live channel pauses each run whose socket
closed and saves it at once (``run_keeper``: "at once when it stops"); the app's lifespan waits for
those saves before the process ends (``Keeper.drain``). So every learner of r1 comes back on r2 at
the epoch its page last drew, or later: its notice says nothing was lost, and it plays on. The
learners on r2 notice nothing. Figures go to tests/artifacts/rollout.json.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import time

from bench.failover_client import FailoverLearner
from explorer.live.channel.run_keeper import SAVE_EVERY_S, failover_notice
from explorer.training.run_store_redis import RedisRunStore
from tests.conftest import ARTIFACTS
from tests.test_failover import RESUME_S, SURVIVOR, VICTIM, cluster, longest_gap  # noqa: F401 - cluster: a fixture

PER_REPLICA = 3
STOP_S = 10.0              # compose's stop_grace_period (SIGKILL after it): the replica must be gone before


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return False
    except ProcessLookupError:
        return True


async def a_lesson_with_a_rollout(cluster) -> dict:
    learners = {name: [FailoverLearner(cluster.url, cookies={"bpx_replica": name}) for _ in range(PER_REPLICA)]
                for name in (VICTIM, SURVIVOR)}
    everyone = learners[VICTIM] + learners[SURVIVOR]
    try:
        for learner in everyone:
            await learner.open()
        for learner in everyone:
            await learner.control({"type": "play"})
        assert [lr.replica for lr in learners[VICTIM]] == [VICTIM] * PER_REPLICA
        # Past a periodic checkpoint, and half-way to the next: a crash now would lose ~2 s.
        await asyncio.sleep(SAVE_EVERY_S * 1.5)
        epochs_then = [lr.epoch for lr in everyone]
        pid = cluster.started()[VICTIM][0]
        t_stop, wall_stop = time.perf_counter(), time.time()
        os.killpg(pid, signal.SIGTERM)
        while not gone(pid) and time.perf_counter() - t_stop < STOP_S:
            await asyncio.sleep(0.05)
        exit_s = time.perf_counter() - t_stop
        store = RedisRunStore(cluster.redis)                   # what r1 left in Redis, before r2 writes
        kept = [store.load(lr.secret) for lr in learners[VICTIM]]
        back = await asyncio.wait_for(asyncio.gather(*(lr.come_back(60) for lr in learners[VICTIM])), 90)
        t_back = max(f.resumed_at for f in back)
        epochs_back = [lr.epoch for lr in everyone]
        await asyncio.sleep(5.0)
        return {"t_stop": t_stop, "wall_stop": wall_stop, "exit_s": exit_s, "kept": kept, "back": back,
                "t_back": t_back, "epochs_then": epochs_then, "epochs_back": epochs_back,
                "epochs_end": [lr.epoch for lr in everyone], "learners": learners}
    finally:
        await asyncio.gather(*(lr.close() for lr in everyone), return_exceptions=True)


def test_a_replica_stopped_for_a_rollout_hands_its_learners_on_with_nothing_lost(cluster):
    r = asyncio.run(a_lesson_with_a_rollout(cluster))
    victims, survivors = r["learners"][VICTIM], r["learners"][SURVIVOR]
    assert r["exit_s"] < STOP_S, f"{VICTIM} still ran {STOP_S} s after SIGTERM"
    rows = []
    for learner, f, doc in zip(victims, r["back"], r["kept"]):
        assert doc is not None, "Redis held no checkpoint of a playing learner"
        row = {"resume_s": round(f.resumed_at - r["t_stop"], 2), "epoch_drawn": f.seen["epoch"],
               "saved_epoch": doc["epoch"], "saved_after_sigterm_s": round(doc["saved_at"] - r["wall_stop"], 2),
               "resumed_at_epoch": f.setup["epoch"], "notice": f.setup["notice"], "drop_code": f.drop_code}
        rows.append(row)
        print(f"{VICTIM} learner: {row}")
        assert doc["saved_at"] >= r["wall_stop"] - 0.05, ("the last checkpoint predates the stop", row)
        assert doc["epoch"] >= f.seen["epoch"], ("epochs were lost", row)
        assert f.setup["notice"] == failover_notice(doc["epoch"], f.seen), row
        assert "nothing was lost" in f.setup["notice"], row
        assert f.seen["running"] and f.setup["running"], row                 # it plays on
        assert f.resumed_at - r["t_stop"] < RESUME_S, row
        assert learner.replica == SURVIVOR
        assert learner.errors == [] and learner.session.errors == [], (learner.errors, learner.session.errors)
    n = len(victims)
    for then, back, end in zip(r["epochs_then"][:n], r["epochs_back"][:n], r["epochs_end"][:n]):
        assert end >= back + 20 and back >= then, "a handed-on run did not play on"
    gaps = []
    for learner, then, end in zip(survivors, r["epochs_then"][n:], r["epochs_end"][n:]):
        gaps.append(longest_gap(learner.frame_times, r["t_stop"], r["t_back"] + 5.0))
        assert learner.failover.dropped_at is None and learner.setups == 1
        assert learner.errors == [] and learner.session.errors == [], (learner.errors, learner.session.errors)
        assert end >= then + 20
    assert max(gaps) < 2.5, gaps
    figures = {"exit_s": round(r["exit_s"], 2), "learners": rows, "survivors_longest_frame_gap_s": round(max(gaps), 2)}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "rollout.json").write_text(json.dumps(figures, indent=1))
    print(f"{VICTIM} exited {r['exit_s']:.2f} s after SIGTERM; survivors' longest gap {max(gaps):.2f} s")
