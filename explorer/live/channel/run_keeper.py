"""Each learner's run kept in the run store, and found again when their page comes back.

**Which key.** A learner's browser keeps one secret (``localStorage``, offered by the server
as ``secrets.token_urlsafe(32)`` to a browser that has none: ``static/keeper.js``) and sends it
in its live socket's hello (``wire.parse_client`` checks its form). Runs are kept under that
secret, in or out of a class; a session whose socket brought none (the fallback through
Streamlit, a Compare grid, a projector) is never kept. Never the balancer's cookie, which names
a replica, not a learner.

**Saving** (the scheduler thread calls ``tick`` for every session once a round). A run whose
state changed since its last checkpoint is saved

- while it plays, when its last checkpoint is ``SAVE_EVERY_S`` old (4.5 s: rounds come a few ms
  apart, so a playing run is saved at least every 5 s and a lost replica costs at most ~5 s);
- at once when it stops or starts playing (Pause, a closed socket, divergence, a task's limit),
  and at a browser's first socket when the store holds no run for it (a class's projector then
  shows a student who joined but has not trained yet);
- otherwise (Step, Reset, new points, a rebuilt network) at most every ``PAUSED_EVERY_S``.

Taking a checkpoint (copies of its arrays, under the run's lock) is the scheduler's and counts
in its duty cycle; encoding it and writing it is this module's one writer thread's, which keeps
only each learner's latest, so a slow or absent store never stalls training.

**Resuming.** ``routes`` reads the hello's secret's checkpoint in a worker thread (``load``:
off the event loop and off the training thread) and hands it over with the ``connected``
message; the scheduler calls ``connected``. On a session's first socket, a fresh run (epoch 0)
whose setup is the checkpoint's (its link, its points, its shapes: ``run_checkpoint.fits``)
takes it, paused, and the page says "Resumed at epoch N". A later socket of the same session
(a dropped connection) keeps the session's own run, which is newer. A changed link starts fresh.

**After a failover.** When the replica that held a page's session dies (or the server restarts),
Streamlit's page reconnects through the balancer to a live replica and runs again there, which
gives the live component a new token; its socket's hello then also says what the page last drew
from the old one (``seen``: epoch, playing or not: ``wire``). The run resumes from its checkpoint
as it was: playing if it was (the learner never pressed Pause; a reload, the learner's own act,
resumes paused, since nothing tells whether they meant to stop), with a notice of how many epochs
were lost (the page's last epoch minus the checkpoint's: at most ~5 s of training). Those epochs
are not trained differently when replayed: the checkpoint holds the shuffling generator's state.
"""
from __future__ import annotations

import threading
import time
import weakref

from explorer.live.channel.guard import log_limited
from explorer.training import run_checkpoint, run_checkpoint_json
from explorer.training.run import Run
from explorer.training.run_checkpoint import Checkpoint
from explorer.training.run_store import RUNS
from explorer.training.run_store_base import RunStore, RunStoreError, key_of

SAVE_EVERY_S = 4.5
PAUSED_EVERY_S = 1.0
# The server's stop waits this long at most for the last checkpoints (``drain``): compose allows 10 s
# between SIGTERM and SIGKILL, Kubernetes 30 s; a class's saves take milliseconds.
DRAIN_S = 3.0
RESUMED = "Resumed at epoch {epoch:,}: press Play to go on."
FAILED_OVER = "The server restarted: resumed at epoch {epoch:,}, {lost}."
# (no checkpoint, or one of other points: an uploaded CSV or over 200 drawn points are not in the link)
NOT_KEPT = "The server restarted and this run could not be resumed here: it starts again at epoch 0."
PRESS_PLAY = " Press Play to go on."


def failover_notice(epoch: int, seen: dict) -> str:
    """The notice of a run resumed at checkpoint ``epoch`` on a page that last drew ``seen``
    ({"epoch", "running"}: ``wire``'s hello) from a server that went away."""
    lost = max(0, seen["epoch"] - epoch)    # (a page a frame behind its checkpoint lost nothing)
    text = FAILED_OVER.format(epoch=epoch, lost="nothing was lost" if lost == 0 else
                              "the last epoch was lost" if lost == 1 else f"the last ~{lost:,} epochs were lost")
    return text if seen["running"] else text + PRESS_PLAY


def run_state(s, run: Run) -> tuple:
    """What a checkpoint of session ``s``'s ``run`` records of it: (run id, run version, playing).
    A run whose state differs from its last checkpoint's has something unsaved."""
    return id(run), run.version, bool(s.running)


class _Kept:
    """What the keeper knows of one session: its browser secret and its last checkpoint's moment."""

    def __init__(self, secret: str):
        self.secret = secret
        self.state = None               # (run id, run version, running) at the last checkpoint
        self.at = 0.0                   # monotonic time of the last checkpoint
        self.memo: dict = {}            # the run's link and points' digest (run_checkpoint.capture)


class Keeper:
    """Checkpoints every kept learner's run (see the module docstring)."""

    def __init__(self, store: RunStore = RUNS):
        self.store = store
        self._kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # session -> _Kept (scheduler thread)
        self._pending: dict[str, Checkpoint | None] = {}    # secret -> latest checkpoint (None: forget it)
        self._cond = threading.Condition()                   # guards _pending, _writing and _thread
        self._writing = False
        self._thread: threading.Thread | None = None
        # figures (tests, the benchmark): checkpoints taken, written, their cost
        self.taken = self.written = self.failed = self.resumed = 0
        self.take_s = self.write_s = 0.0
        self.last_bytes = 0

    # ---- the scheduler thread -------------------------------------------------------------
    def connected(self, s, secret: str | None, ck: Checkpoint | None, seen: dict | None = None) -> None:
        """A socket of session ``s`` said hello with ``secret`` and the store held ``ck`` for it;
        ``seen``: what the page last drew from a server that went away (see the module docstring)."""
        if secret is None:
            return
        kept = self._kept.get(s)
        first = kept is None
        if first:
            kept = self._kept[s] = _Kept(secret)
        kept.secret = secret
        run = s.run
        if not first or not isinstance(run, Run):
            return
        try:
            with run.lock:
                if ck is not None and ck.epoch > 0 and run.epoch == 0 and run_checkpoint.fits(ck, run) is None:
                    run_checkpoint.restore(run, ck)
                    if seen is None:
                        s.pause(RESUMED.format(epoch=ck.epoch))
                    elif seen["running"]:
                        s.play(failover_notice(ck.epoch, seen))
                    else:
                        s.pause(failover_notice(ck.epoch, seen))
                    self.resumed += 1
                elif seen is not None and seen["epoch"] > 0 and run.epoch == 0:
                    s.pause(NOT_KEPT)
                # None kept for this browser yet: the next tick saves this run, so that a class's
                # projector shows a student who has not pressed Play yet.
                if ck is not None:
                    kept.state = run_state(s, run)
                kept.at = time.monotonic()
        except Exception as err:  # noqa: BLE001 - a checkpoint that fits but fails: start fresh, say it once
            log_limited("run-resume", "run keeper: a checkpoint could not be restored; the run starts fresh", err)
            with run.lock:
                run.reset()

    def run_key(self, s) -> str | None:
        """The run store's key (``key_of``: a digest, never the secret) under which session ``s``'s
        run is kept, or None if it is not kept (no secret came with its socket). Any thread: the
        class's seats tell it to the room store (``room_seats``)."""
        kept = self._kept.get(s)
        try:
            return None if kept is None else key_of(kept.secret)
        except ValueError:
            return None

    def tick(self, s) -> float:
        """Take ``s``'s checkpoint if one is due; returns the seconds it took (0.0 if none)."""
        kept = self._kept.get(s)
        run = s.run
        if kept is None or not isinstance(run, Run):
            return 0.0
        state = run_state(s, run)
        if state == kept.state:
            return 0.0
        now = time.monotonic()
        flipped = kept.state is None or kept.state[2] != state[2]
        if not flipped and now - kept.at < (SAVE_EVERY_S if state[2] else PAUSED_EVERY_S):
            return 0.0
        t0 = time.perf_counter()
        try:
            with run.lock:
                state = run_state(s, run)
                ck = run_checkpoint.capture(run, state[2], kept.memo)
        except Exception as err:  # noqa: BLE001 - a checkpoint that cannot be taken: training goes on
            log_limited("run-capture", "run keeper: a run's checkpoint could not be taken", err)
            ck = None
        kept.state, kept.at = state, now
        self._submit(kept.secret, ck)
        dt = time.perf_counter() - t0
        self.taken += 1
        self.take_s += dt
        return dt

    def _submit(self, secret: str, ck: Checkpoint | None) -> None:
        with self._cond:
            self._pending[secret] = ck
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="run-keeper", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    # ---- the writer thread ------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending)
                batch, self._pending, self._writing = self._pending, {}, True
            try:
                for secret, ck in batch.items():
                    self._write(secret, ck)
            finally:
                with self._cond:
                    self._writing = False
                    self._cond.notify_all()

    def _write(self, secret: str, ck: Checkpoint | None) -> None:
        t0 = time.perf_counter()
        try:
            if ck is None:
                self.store.forget(secret)        # a run a reload could not rebuild: no older run comes back
                return
            self.last_bytes = self.store.save(secret, run_checkpoint_json.to_dict(ck))
            self.written += 1
            self.write_s += time.perf_counter() - t0
        except (RunStoreError, ValueError) as err:   # the store is down, or the run too large to keep
            self.failed += 1
            log_limited("run-save", "run keeper: a run could not be saved", err)
        except Exception as err:  # noqa: BLE001 - a bug must not stop everyone's checkpoints
            self.failed += 1
            log_limited("run-save-bug", "run keeper: saving a run failed", err)

    def flush(self, timeout_s: float = 5.0) -> bool:
        """Wait until every checkpoint submitted so far is written (tests); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._writing, timeout_s)

    def drain(self, timeout_s: float = DRAIN_S) -> bool:
        """The server is stopping (a rollout's SIGTERM) and has closed every socket: wait until the
        scheduler has saved each kept run as stopped (it pauses a run whose socket closed and saves it
        at once) and the writer has written it all, so that the learner's next replica resumes it
        where the page left it. Any thread; False past ``timeout_s``."""
        def unsaved() -> bool:
            try:
                kept = list(self._kept.items())
            except RuntimeError:          # the scheduler thread added a session meanwhile: look again
                return True
            return any(isinstance(s.run, Run) and (s.running or k.state != run_state(s, s.run)) for s, k in kept)

        with self._cond:                  # _submit and the writer notify: each may end the wait
            return self._cond.wait_for(lambda: not unsaved() and not self._pending and not self._writing,
                                       timeout_s)

    # ---- a socket's worker thread ---------------------------------------------------------------
    def load(self, secret: str) -> Checkpoint | None:
        """The checkpoint kept for ``secret``, checked; None if there is none or it does not read."""
        try:
            doc = self.store.load(secret)
            return None if doc is None else run_checkpoint_json.from_dict(doc)
        except (RunStoreError, ValueError) as err:
            log_limited("run-load", "run keeper: a kept run could not be read; the page starts fresh", err)
            return None


KEEPER = Keeper()
