"""A replica's death costs a learner at most ~5 s of training: ``deploy/local-cluster`` for real (two
replicas, Debian's HAProxy and Redis on localhost), one replica SIGKILLed mid-lesson.

- **At the socket level** (``bench/failover_client``): 10 learners, 5 on each replica (by the
  balancer's cookie), each a real Streamlit session plus its live channel, one of each five a
  student of a class whose teacher and projector are on the replica that survives; all playing.
  r1 is killed. Its learners come back as their pages do: Streamlit's socket through the
  balancer (a cookie naming the dead replica lands on the survivor), a script run, the live
  socket with the new token, the browser secret and what the page last drew. Each resumes within
  10 s from the checkpoint Redis held when r1 died, at most ~5 s old, playing on, with a notice
  naming the epoch and the epochs lost; the student is still in the class (the projector on r2
  shows their run again). The learners on r2 notice nothing: no socket of theirs closes, no new
  setup, no error, their frames keep coming.
- **In Chromium** (the page itself, not a simulation of it): a learner's page on the replica that is
  killed resumes by itself on the other, playing, with the notice in its status line.

Figures (seconds to resume per learner, epochs and seconds of training lost, checkpoint ages,
survivors' longest gap between frames) are printed and kept in tests/artifacts/failover/.
Without haproxy or redis-server the tests are skipped, except in CI, where they must run.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import time

import pytest

from bench.failover_client import COOKIE, FailoverLearner, FailoverStudent
from bench.room_client import Projector, start_class
from explorer.live.channel.run_keeper import SAVE_EVERY_S, failover_notice
from explorer.training.run_store_redis import RedisRunStore
from tests.browser import ARGS, CHROMIUM, free_port, live_frame, wait_live
from tests.conftest import ARTIFACTS
from tests.redis_server import require as redis_require
from tests.test_balancer import haproxy_binary
from tests.test_local_cluster import READY_S, Run

OUT = ARTIFACTS / "failover"
VICTIM, SURVIVOR = "r1", "r2"
STUDENT = {VICTIM: "Ada", SURVIVOR: "Bo"}     # each replica's student
PER_REPLICA = 5                  # learners on each replica, one of them a student
PLAY_S = 12.0                    # playing before the kill: past the first checkpoints taken every 4.5 s
RESUME_S = 10.0                  # the bound: a dead replica's learner resumes within this
CHECKPOINT_AGE_S = 5.0           # ... from a checkpoint at most this old (run_keeper: every 4.5 s)
WATCH_S = 10.0                   # everyone is watched this long after the last resume
READY = "!!(window.__live && __live.renders > 0 && __live.extra)"


@pytest.fixture
def cluster():
    haproxy_binary()
    redis_require()
    OUT.mkdir(parents=True, exist_ok=True)
    run = Run("--replicas", "2", "--port", str(free_port()), "--logs", str(OUT / "logs"))
    try:
        run.url = run.wait_line(r"ready after [\d.]+ s: (http://\S+)", READY_S)[1].rstrip("/")
        run.redis = f"redis://127.0.0.1:{run.started()['redis'][1]}/0"
        yield run
    finally:
        run.cleanup()


def kill(cluster, name: str) -> None:
    """A crash: SIGKILL to the replica's process group, no goodbye."""
    os.killpg(cluster.started()[name][0], signal.SIGKILL)


async def a_lesson_with_a_failover(cluster) -> dict:
    url = cluster.url
    teacher, code, key = await start_class(url, {COOKIE: SURVIVOR})
    projector = Projector(url, key, {COOKIE: SURVIVOR})
    learners = {}
    for name in (VICTIM, SURVIVOR):
        learners[name] = [FailoverStudent(url, code, STUDENT[name], cookies={COOKIE: name})] + \
                         [FailoverLearner(url, cookies={COOKIE: name}) for _ in range(PER_REPLICA - 1)]
    everyone = learners[VICTIM] + learners[SURVIVOR]
    try:
        for learner in everyone:
            await learner.open()
        await projector.open()
        # Play one after another over a checkpoint's period, so that when r1 dies its learners'
        # last checkpoints are of every age from ~0 to ~4.5 s.
        for learner in (l for pair in zip(*learners.values()) for l in pair):
            await learner.control({"type": "play"})
            await asyncio.sleep(SAVE_EVERY_S / len(everyone))
        assert [l.replica for l in learners[VICTIM]] == [VICTIM] * PER_REPLICA
        assert [l.replica for l in learners[SURVIVOR]] == [SURVIVOR] * PER_REPLICA
        await asyncio.sleep(PLAY_S)
        before = [(l.epoch, time.perf_counter()) for l in everyone]
        await asyncio.sleep(3.0)
        pace = [(l.epoch - e) / (time.perf_counter() - t) for l, (e, t) in zip(everyone, before)]

        t_kill, wall_kill = time.perf_counter(), time.time()
        kill(cluster, VICTIM)
        store = RedisRunStore(cluster.redis)          # what Redis held when r1 died: nothing writes it now
        kept = [store.load(l.secret) for l in learners[VICTIM]]
        back = await asyncio.wait_for(asyncio.gather(*(l.come_back(60) for l in learners[VICTIM])), 90)
        t_back = max(f.resumed_at for f in back)
        student = projector.students.index(STUDENT[VICTIM])
        gallery_then = projector.updates.get(student, 0)
        epochs_then = [l.epoch for l in everyone]
        await asyncio.sleep(WATCH_S)
        await teacher.rerun()
        return {
            "pace": pace, "t_kill": t_kill, "wall_kill": wall_kill, "kept": kept, "back": back, "t_back": t_back,
            "epochs_then": epochs_then, "epochs_end": [l.epoch for l in everyone],
            "gallery": (gallery_then, projector.updates.get(student, 0)), "teacher_texts": list(teacher.texts),
            "learners": learners, "projector_errors": projector.errors + teacher.errors,
        }
    finally:
        await asyncio.gather(*(l.close() for l in everyone), projector.close(), teacher.close(),
                             return_exceptions=True)


def longest_gap(times: list[float], start: float, end: float) -> float:
    """The longest time without a frame between ``start`` and ``end``."""
    inside = [start] + [t for t in times if start < t < end] + [end]
    return max(b - a for a, b in zip(inside, inside[1:]))


def test_a_dead_replicas_learners_resume_within_10_s_and_the_others_notice_nothing(cluster):
    r = asyncio.run(a_lesson_with_a_failover(cluster))
    victims, survivors = r["learners"][VICTIM], r["learners"][SURVIVOR]
    pace = dict(zip(victims + survivors, r["pace"]))
    figures = {"learners": []}
    for learner, f, doc in zip(victims, r["back"], r["kept"]):
        assert doc is not None, "Redis held no checkpoint of a playing learner"
        age = r["wall_kill"] - doc["saved_at"]
        lost = f.seen["epoch"] - doc["epoch"]
        row = {"kind": type(learner).__name__, "resume_s": round(f.resumed_at - r["t_kill"], 2),
               "checkpoint_age_s": round(age, 2), "epoch_drawn": f.seen["epoch"], "resumed_at_epoch": doc["epoch"],
               "epochs_lost": lost, "training_lost_s": round(lost / pace[learner], 2),
               "epochs_per_s": round(pace[learner], 1), "drop_code": f.drop_code, "page_attempts": f.attempts}
        figures["learners"].append(row)
        print(f"{VICTIM} learner: {row}")
        assert f.resumed_at - r["t_kill"] < RESUME_S, row
        assert -0.1 <= age <= CHECKPOINT_AGE_S, row                          # (one may land as r1 dies)
        assert f.seen["running"] and f.setup["running"], row                 # it plays on
        assert f.setup["notice"] == failover_notice(doc["epoch"], f.seen), (f.setup["notice"], row)
        assert doc["epoch"] <= f.setup["epoch"] <= doc["epoch"] + 5, row     # (it may train before the setup)
        assert 0 <= lost <= pace[learner] * (CHECKPOINT_AGE_S + 1.0), row    # ~5 s of training, at most
        assert learner.replica == SURVIVOR                                    # the balancer moved it
        assert learner.errors == [] and learner.session.errors == [], (learner.errors, learner.session.errors)
    for learner, then, end in zip(victims, r["epochs_then"], r["epochs_end"]):
        assert end >= then + 20, "a resumed run did not play on"

    # The student is still in the class: the projector on r2 shows their run again, the teacher lists them.
    gallery_then, gallery_end = r["gallery"]
    assert gallery_end >= gallery_then + 2, r["gallery"]
    assert any(STUDENT[VICTIM] in t for t in r["teacher_texts"])
    assert r["projector_errors"] == []

    # The learners on r2 noticed nothing: the same sockets, no new setup, no error, frames all along.
    gaps = []
    for learner, then, end in zip(survivors, r["epochs_then"][len(victims):], r["epochs_end"][len(victims):]):
        gaps.append(longest_gap(learner.frame_times, r["t_kill"], r["t_back"] + WATCH_S))
        assert learner.failover.dropped_at is None and learner.setups == 1
        assert learner.errors == [] and learner.session.errors == [], (learner.errors, learner.session.errors)
        assert learner.replica == SURVIVOR and end >= then + 20
    figures.update(survivors_errors=0, survivors_longest_frame_gap_s=round(max(gaps), 2),
                   survivors_epochs_per_s=[round(pace[l], 1) for l in survivors])
    print(f"{SURVIVOR} learners: 0 errors, no reconnect; longest gap between frames {max(gaps):.2f} s")
    assert max(gaps) < 2.5, gaps
    (OUT / "figures.json").write_text(json.dumps(figures, indent=1))


@pytest.mark.browser
def test_a_page_on_the_dead_replica_resumes_by_itself_on_the_other(cluster):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            ctx = b.new_context(viewport={"width": 1400, "height": 1000})
            ctx.add_cookies([{"name": COOKIE, "value": VICTIM, "url": cluster.url}])
            page = ctx.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(cluster.url)
            frame = wait_live(page, 180, READY, poll_ms=250)
            frame.locator("#top button.primary").click()                     # Play
            frame.wait_for_function("__live.extra.running && __live.extra.epoch >= 1", timeout=60_000)
            page.wait_for_timeout(PLAY_S * 1000)
            drawn = frame.evaluate("__live.extra.epoch")
            t0 = time.monotonic()
            kill(cluster, VICTIM)
            # Nothing is clicked or reloaded: the page finds the live replica and its run by itself.
            notice = re.compile(r"The server restarted: resumed at epoch ([\d,]+), "
                                r"(nothing was lost|the last epoch was lost|the last ~([\d,]+) epochs were lost)\.")
            text = ""
            while time.monotonic() - t0 < 30 and not notice.search(text):
                page.wait_for_timeout(100)
                f = live_frame(page)
                try:
                    text = f.locator("#top").inner_text(timeout=1000) if f else ""
                except Exception:  # noqa: BLE001 - the frame may be redrawing
                    text = ""
            resume_s = time.monotonic() - t0
            page.screenshot(path=str(OUT / "resumed.png"))
            m = notice.search(text)
            assert m, f"no failover notice within 30 s; the status line says {text!r}"
            epoch = int(m[1].replace(",", ""))
            lost = 0 if m[2].startswith("nothing") else int(m[3].replace(",", "")) if m[3] else 1
            # what the page drew past the checkpoint (it drew a few more frames between `drawn` and the kill)
            assert 0 <= lost - (drawn - epoch) <= 10, (m[0], drawn)
            assert lost <= 20 * (CHECKPOINT_AGE_S + 1.0), m[0]        # speed 1: 20 epochs a second at most
            frame = live_frame(page)
            frame.wait_for_function(f"__live.extra.running && __live.extra.epoch >= {epoch + 40}", timeout=60_000)
            cookie = [c["value"] for c in ctx.cookies() if c["name"] == COOKIE]
            assert cookie == [SURVIVOR], cookie
            assert not errors, errors
            assert page.get_by_text("Connection error").count() == 0
        finally:
            b.close()
    figures = {"resume_s": round(resume_s, 2), "epoch_drawn": drawn, "resumed_at_epoch": epoch, "epochs_lost": lost,
               "notice": m[0]}
    (OUT / "browser_figures.json").write_text(json.dumps(figures, indent=1))
    print(f"Chromium: resumed on {SURVIVOR} {resume_s:.1f} s after {VICTIM} was killed: {m[0]!r}")
    assert resume_s < RESUME_S
