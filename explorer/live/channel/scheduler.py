"""The one training thread of the process: fair slices for every playing run.

Streamlit's script threads never train in the live view. This thread does, for every
learner at once, round robin:

* **Controls first.** Before each slice it applies every learner's queued messages
  (play, pause, step, speed, reset, ack, visible) and answers each control with a
  ``status`` message: a control acts within one slice. Messages arrive checked
  (``wire.parse_client``) and rate-limited (``routes.Door``).
* **Control work is training time.** The work a control causes (a step, a reset, the
  setup message after it) counts in the duty cycle below, and while others train it
  comes out of that learner's own budget (``session.WORK_SHARE`` of the wall clock):
  a learner who steps or resets without pause slows nobody else by more than that.
  Step epoch trains in slices (``slice_for``) like "max" and answers once the epoch is
  complete; that learner's later messages wait for it.
* **One learner's error is that learner's.** An exception while serving one session
  pauses that run, tells its page (a ``status`` with a notice), leaves the session alone
  for ``BROKEN_S`` and logs one line (at most one per ``guard.LOG_EVERY_S`` per kind).
* **Paced runs** (speed k: k updates of the trainer, i.e. k epochs or k mini-batches,
  per frame) train their k updates at each tick (``PACED_FPS`` a second) once the
  previous update's frame has gone out, so the next one is ready when the browser acks:
  one epoch per frame at 20 frames a second is a pace a teacher can narrate.
* **"max" runs** train for one slice each per round (``slice_for``: 4 ms, shorter when
  many are at max): equal time, so two runs at max get the same share (tested within
  20 % in epochs), whatever the paced runs leave.
* **Bounded CPU.** Training takes at most ``TRAIN_SHARE`` of the wall clock over
  each second (a duty cycle); the rest of the time the GIL is free for the event loop
  (Streamlit's and the channel's sockets) and the script threads, so controls stay
  prompt with everyone at max.
* **Frames follow acks.** A learner gets its next binary frame only while its window is
  open (``LiveSession.window_open``: at max it acked the previous frame; at a paced speed
  fewer than ``wire.PACED_WINDOW`` are unacked, and the page acks one in ``wire.ACK_EVERY``),
  something changed, and ``frame_interval`` has passed (a learner alone: its
  browser's frame rate, up to ``ALONE_FPS``; with others: at most ``MAX_FPS`` a second,
  fewer when many learners play, so the total stays near ``FRAME_BUDGET`` frames a
  second). No backlog can build up. The browser acks a frame as it starts drawing it; a
  learner alone gets its next frame between slices (``_serve``), not after its own next
  slice, so the frame arrives before the browser's next animation frame.
* **Hand-off.** Messages reach the sockets through the loop's ``outbox`` (one
  ``loop.call_soon_threadsafe`` for a round's frames, ``routes.Connection.send``); this thread
  never awaits.
* **Auto-pause** when the tab is hidden, after 15 minutes without input, or the
  socket closed (at once).
* **Closed tabs are visited once a second.** Streamlit keeps a closed tab's session for 2
  minutes (up to 128 of them), and its ``LiveSession`` with it. A session with no socket, not
  playing, stepping or holding a message (``LiveSession.dormant``) has nothing to do each
  round: walking 128 of them every round made every learner's frame cost more after each
  wave of reloads (7.3 -> 8.1 millicores a learner). Its socket's close is still handled in
  the first round after it (it was playing then: paused and saved at once); a dormant session's
  idle checks and a checkpoint it still owes come at its once-a-second visit.
* **Memory back** after learners left, while nobody plays (``memory.Janitor``).
* **Checkpoints** of every run whose page sent a browser secret: at least every 5 s while it
  plays and when it stops (``run_keeper``: taken here, written by the keeper's own thread).
"""
from __future__ import annotations

import threading
import time

from explorer.live.channel import registry
from explorer.live.channel.guard import log_limited, per_session
from explorer.live.channel.memory import Janitor
from explorer.live.channel.run_keeper import KEEPER
from explorer.live.channel.session import IDLE_PAUSE_S, LiveSession

SLICE_S = 0.004            # training per max-speed run per round, at most
MIN_SLICE_S = 0.001        # ... and at least (many at max: shorter slices, so frames keep coming)
TRAIN_SHARE = 0.6          # at most this share of wall time spent training
MAX_FPS = 40               # frames per second per learner, at most, while others play too
FRAME_BUDGET = 600         # frames per second over all learners (fewer each when many play)
ALONE_FPS = 75             # one learner playing alone: its browser's animation frames, up to this
PACED_FPS = 20             # frames per second at a paced speed (k updates each)
IDLE_WAIT_S = 1.0          # nothing to do: wake up this often for the idle checks
MIN_ROUND_S = 0.004        # rounds between paced updates are at least this far apart
BROKEN_S = 1.0             # a session whose work raised is left alone this long
DORMANT_EVERY_S = 1.0      # a session with nothing to do (a closed tab Streamlit keeps) is visited this often
COSTLY = ("step", "reset") # controls whose work comes out of the learner's budget
ERROR_NOTICE = "The server hit an error with this run and paused it: press Play to go on, or Reset."

def frame_interval(n_playing: int) -> float:
    """Seconds between two frames of a learner at max, at least (paced learners get one per
    tick). A learner playing alone: its frames follow its acks, which the browser sends once
    per animation frame: on a 60 Hz display the browser sets the pace, not this interval
    (ALONE_FPS is above 60, so the server's own timing, checked between slices of a few ms,
    never makes a frame miss an animation frame); faster displays get ALONE_FPS (the acks'
    limit, ``wire.ACK_RATE``, stays above it). With others playing: MAX_FPS, fewer when many
    play, so that the frames of everyone stay near FRAME_BUDGET a second."""
    if n_playing <= 1:
        return 1.0 / ALONE_FPS
    return 1.0 / max(8.0, min(MAX_FPS, FRAME_BUDGET / n_playing))


def slice_for(n_max: int, interval: float) -> float:
    """Each max run's slice: a round of every max run's slice fits one frame interval at the
    training share, so each still gets a frame per interval. 30 at max: 1 ms slices, rounds
    of ~50 ms (with 4 ms slices a round took ~200 ms: 4.6 frames a second each)."""
    return max(MIN_SLICE_S, min(SLICE_S, interval * TRAIN_SHARE / max(1, n_max)))


class Scheduler:
    def __init__(self):
        self._wake = threading.Event()
        self._idle = threading.Event()     # never set: a plain timed wait
        self._everyone: list = []          # this round's sessions (controls are applied between slices)
        self._playing: list = []           # this round's playing sessions (control work waits for them)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.busy_s = 0.0          # training time in the current window
        self._window_t = time.perf_counter()
        self.janitor = Janitor()   # memory back to the system after learners leave
        self.slice_s = SLICE_S
        self._dormant_at = 0.0     # monotonic time of the last round that visited the dormant sessions
        self.rounds = self.visits = 0   # figures (tests): rounds, and sessions walked over them

    def ensure_started(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="live-scheduler", daemon=True)
                self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    # ---- the loop -----------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            t0 = time.perf_counter()
            try:
                wait = self._round()
            except Exception as err:   # noqa: BLE001 - a bug must not stop everyone's training
                log_limited("round", "live scheduler: a round failed; retrying", err)
                self._everyone, self._playing = [], []
                wait = 0.05
            # Wait here, outside the round: it holds no session, so a closed tab's session
            # can be collected while the thread is idle.
            if wait is not None:
                self._wake.wait(wait)
                self._wake.clear()
                # Acks arrive one by one (20 a second from each learner): gather those of a
                # few ms into one round instead of walking every session for each.
                rest = MIN_ROUND_S - (time.perf_counter() - t0)
                if rest > 0:
                    self._idle.wait(rest)

    def _round(self) -> float | None:
        """Apply messages, train and push once for every session; returns how long to wait."""
        t_now = time.monotonic()
        sessions = [s for s in registry.sessions() if s.broken_until <= t_now]
        n_sessions = len(sessions)
        if t_now - self._dormant_at >= DORMANT_EVERY_S:
            self._dormant_at = t_now
        else:
            sessions = [s for s in sessions if not s.dormant()]
        self.rounds += 1
        self.visits += len(sessions)
        self._playing = [s for s in sessions if s.wants_training()]
        for s in sessions:
            self._apply_inbox(s)
        playing = [s for s in sessions if s.wants_training()]
        self._playing = playing
        interval = frame_interval(len(playing))
        paced = [s for s in playing if s.speed != "max"]
        self.slice_s = slice_for(len(playing) - len(paced), interval)
        self._everyone = sessions
        self._serve(paced, interval)
        for s in playing:
            if s.speed == "max":
                self._apply_inbox(s)
                self._train(s)
                self._push(s, interval)
                # paced learners are served between the max slices: their pace does not
                # depend on how many others are at max
                self._serve(paced, interval)
                self._throttle(paced, interval)
        stepping = [s for s in sessions if s.stepping is not None]
        for s in stepping:                    # Step epoch, a slice at a time (within the learner's budget)
            self._step_slice(s)
            self._push(s, interval)
            self._serve(paced, interval)
            self._throttle(paced, interval)
        for s in sessions:
            if s not in playing:
                self._push(s, interval)
            self._idle_checks(s)
            self.busy_s += KEEPER.tick(s)        # its run's checkpoint, when one is due (run_keeper)
        # Control work that waits for its learner's budget: come back when the budget allows.
        waiting, more = [], False
        for s in sessions:
            if s.stepping is not None or (s.inbox and s.inbox[0]["type"] in COSTLY) or (
                    s.setup_needed and s.conn is not None):
                if self._may_work(s):
                    more = more or s.stepping is not None      # a step under way goes on at once
                else:
                    waiting.append(s.work.wait_s())
        self._everyone, self._playing = [], []    # hold no session while waiting
        if more:
            return None
        if not playing:
            self.janitor.tick(n_sessions, any_playing=False)
            return min([IDLE_WAIT_S, *waiting])
        if len(paced) < len(playing) or any(s.owed for s in paced):
            return None
        # Only paced runs between updates: sleep until the next tick is due (an ack or a control wakes us).
        now = time.perf_counter()
        due = [s.next_tick - now for s in paced if not s.unsent or s.conn is None] + waiting
        return max(0.0, min(due)) if due else IDLE_WAIT_S

    def _serve(self, paced: list, interval: float) -> None:
        """Everyone's controls, the paced learners' updates and frames, and the next frame of a
        learner alone at max once it acked (cheap: a few ms at most)."""
        for s in self._everyone:
            if s.inbox:
                self._apply_inbox(s)
        for s in paced:
            self._apply_inbox(s)
            self._train(s)
            self._push(s, interval)
        if len(self._playing) == 1:        # a learner alone at max: its next frame as soon as it acked
            s = self._playing[0]
            if s.speed == "max" and s.window_open():
                self._push(s, interval)

    def _throttle(self, paced: list, interval: float) -> None:
        """Keep training under TRAIN_SHARE of the wall clock (per one-second window); paced
        learners are still served every few ms while it waits."""
        while True:
            now = time.perf_counter()
            elapsed = now - self._window_t
            if elapsed >= 1.0:
                self._window_t, self.busy_s = now, 0.0
                return
            over = self.busy_s / TRAIN_SHARE - elapsed
            if over <= 0:
                return
            self._wake.wait(min(over, MIN_ROUND_S))
            self._wake.clear()
            self._serve(paced, interval)

    # ---- per learner ------------------------------------------------------------------
    def _may_work(self, s: LiveSession) -> bool:
        """May work for ``s``'s controls start now? Always while nobody else trains; else
        within its budget (``session.WORK_SHARE``)."""
        return s.work.ready() or not any(p is not s for p in self._playing)

    def _charge(self, s: LiveSession, t0: float) -> None:
        """Work for ``s``'s controls since ``t0`` (perf_counter): the duty cycle's and ``s``'s."""
        dt = time.perf_counter() - t0
        self.busy_s += dt
        s.work.charge(dt)

    @per_session
    def _apply_inbox(self, s: LiveSession) -> None:
        if s.conn is None and not s.fallback:
            s.inbox.clear()                              # what a closed socket left: not for the next one
            if s.running and s.run is not None:          # its socket closed: training stops at once
                with s.run.lock:
                    s.pause()
            return
        while s.inbox and s.stepping is None:            # a Step epoch under way: the rest waits for it
            msg = s.inbox[0]
            kind = msg["type"]
            if kind in COSTLY and not self._may_work(s):
                return                                   # its turn comes when its budget allows
            s.inbox.popleft()
            run = s.run
            if kind == "ack":
                s.acked = max(s.acked, min(msg["seq"], s.seq))
                continue
            if kind == "connected":                      # a new socket (routes): it needs a setup
                s.setup_needed, s.hidden, s.fallback = True, False, False
                # a reload, or a page whose server went away, finds its run (run_keeper)
                KEEPER.connected(s, msg.get("secret"), msg.get("checkpoint"), msg.get("seen"))
                continue
            if kind == "visible":
                s.hidden = msg["hidden"]
                if s.hidden and run is not None and s.running:
                    with run.lock:
                        s.pause("Training paused while this tab was hidden: press Play to go on.")
                    s.send_json(s.status("visible"))
                continue
            s.last_input = time.monotonic()
            if run is None:
                continue
            t0 = time.perf_counter()
            with run.lock:                               # the session's verbs (session.py)
                if kind == "play":
                    s.play()
                elif kind == "pause":
                    s.pause()
                elif kind == "step":
                    s.step(msg["unit"], sliced=True)     # an epoch in slices: see _step_slice
                elif kind == "speed":
                    s.set_speed(msg["value"])            # checked at the socket (wire.parse_speed)
                elif kind == "reset":
                    s.reset()
                if s.stepping is None:
                    s.send_json(s.status(kind))
            if kind in COSTLY:
                self._charge(s, t0)

    @per_session
    def _step_slice(self, s: LiveSession) -> None:
        """Train ``s``'s Step epoch on for one slice; answer the step once the epoch is complete."""
        run = s.stepping[0]
        if not self._may_work(s):
            return
        t0 = time.perf_counter()
        with run.lock:                                   # (the step's state, like the run, under its lock)
            if s.stepping is None:
                return
            _, trainer, _ = s.stepping
            if run is not s.run or run.trainer is not trainer or (s.conn is None and not s.fallback):
                s.stepping = None                        # rebuilt, new data, or its socket closed
                s.send_json(s.status("step"))
                return
            if s.step_slice(t0 + self.slice_s):          # the session's run trains; True: the step is over
                s.stepping = None
                s.send_json(s.status("step"))
        self._charge(s, t0)

    @per_session
    def _train(self, s: LiveSession) -> None:
        run = s.run
        t0 = time.perf_counter()
        if s.speed == "max":
            n = 1 << 30
        else:
            if s.owed == 0:                       # the last update's steps are all done
                if (s.unsent and s.conn is not None) or t0 < s.next_tick:
                    return                        # its frame has not gone out yet, or too soon
                s.owed = int(s.speed)
                s.next_tick = max(s.next_tick, t0 - 0.5 / PACED_FPS) + 1.0 / PACED_FPS
            n = s.owed
        with run.lock:
            if not s.running:
                return
            done = run.train_steps(n, t0 + self.slice_s)
            if run.message is not None:           # diverged: say so at once
                s.pause()
                s.send_json(s.status(None))
        if s.speed != "max":
            s.owed = max(0, s.owed - done)
            s.unsent = s.unsent or s.owed == 0    # one update ready: train the next only once it is sent
        s.steps += done
        self.busy_s += time.perf_counter() - t0

    @per_session
    def _push(self, s: LiveSession, interval: float) -> None:
        conn, run = s.conn, s.run
        if conn is None or run is None or conn.closed or s.stepping is not None:
            return                                # (a step shows once complete)
        if s.setup_needed:
            if not self._may_work(s):
                return
            t0 = time.perf_counter()
            with run.lock:
                text = s.setup()
            # The setup carries everything up to s.seq and the browser draws it instead of any
            # frame still waiting there, which it will never ack: wait for no earlier ack.
            s.acked = s.seq
            conn.send(text)
            self._charge(s, t0)
            return
        if not s.changed():
            return
        # The frame that shows a stop (Pause, Step, divergence) goes out at once, one over the
        # window: Pause is on screen as soon as the browser can draw it.
        stopped = not s.running and s.sent is not None and s.sent[2]
        if not s.window_open(stopped):
            return
        if s.running and (s.owed if s.speed != "max" else time.monotonic() - s.last_frame_t < interval):
            return                                # mid-update, or too soon after the last frame
        with run.lock:
            data = s.frame()
        conn.send(data)

    @per_session
    def _idle_checks(self, s: LiveSession) -> None:
        run = s.run
        if run is not None and s.running and time.monotonic() - s.last_input > IDLE_PAUSE_S:
            with run.lock:
                s.pause("Training paused after 15 minutes without input: press Play to go on.")
            s.send_json(s.status(None))

    def _failed(self, s: LiveSession, err: Exception, where: str) -> None:
        """Serving ``s`` raised: pause its run, tell its page, leave it alone for a moment, log a line."""
        s.broken_until = time.monotonic() + BROKEN_S
        s.stepping, s.owed = None, 0
        try:
            s.pause(ERROR_NOTICE)                        # (its lock may be what failed: not taken)
            s.send_json(s.status(None))
        except Exception:  # noqa: BLE001 - the status itself failed: the log line says enough
            pass
        log_limited(where, f"live scheduler: {where} failed for one session, whose run was paused", err)


SCHEDULER = Scheduler()
