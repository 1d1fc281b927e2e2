"""The live panel: training controls, the epoch counter and the live charts.

It runs as a Streamlit fragment paced by the browser. When the browser acks message
k (the component's value changes, which reruns this fragment only), the panel
sends message k+1 — prepared during the previous run — and then trains until the
browser acks k+1 (at least MIN_S, at most MAX_S) and prepares message k+2. The
server is never more than one message ahead, so nothing queues up and Pause lands
at once. A full run (a sidebar setting changed) trains first and shows the result
in the same run; the next ack resumes the pipelined loop.

Each message carries two states of the training (one from halfway through the
slice, one from its end); the browser draws them one after the other. Every
fragment run makes Streamlit's front end re-render the whole page (~25 ms of the
browser's main thread here, measured with a Chromium trace), so two states per run
pay that once for two visible updates.
"""
from __future__ import annotations

import threading
import time

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from .figures.curves import GRADIENT_LABELS, current_gradients
from .figures.theme import LAYER_COLORS
from .frames import View, build_frame
from .page import chart_spans, friendly_errors
from .live import acked, live_charts, rerun_requested
from .run import Run

MIN_S, MAX_S = 0.04, 0.15   # training per message: at least, and at most (s)
HALF_MAX_S = 0.06           # the first state of a message is built at most this far in


def _toggle_play() -> None:
    run: Run = st.session_state["run"]
    run.running = not run.running and run.message is None


def _step_epoch() -> None:
    run: Run = st.session_state["run"]
    run.running = False
    run.step_epoch()


def _step_batch() -> None:
    run: Run = st.session_state["run"]
    run.running = False
    run.step_batch()


def _reset() -> None:
    ss = st.session_state
    run: Run = ss["run"]
    ss["run"] = Run(run.cfg, run.data)


def training_buttons(run: Run) -> None:
    """Play/Pause, Step epoch, Step mini-batch, Reset. They sit outside the live fragment:
    re-sending four buttons with every frame cost the browser about one update in eight."""
    c = st.columns([1.2, 1.2, 1.4, 1.0, 2.4], vertical_alignment="center")
    c[0].button("Pause" if run.running else "Play", key="play", on_click=_toggle_play, type="primary",
                icon=":material/pause:" if run.running else ":material/play_arrow:",
                use_container_width=True, disabled=run.message is not None)
    c[1].button("Step epoch", key="step_epoch", on_click=_step_epoch, use_container_width=True,
                help="Train one full pass over the training data, then stop")
    c[2].button("Step mini-batch", key="step_batch", on_click=_step_batch, use_container_width=True,
                help="One gradient update on one mini-batch, then stop")
    c[3].button("Reset", key="reset", on_click=_reset, use_container_width=True, help="New random weights")


def _status(run: Run, view: View) -> None:
    """The epoch counter with the latest loss and score, and the current gradient
    magnitude of each layer in its line's colour; updated with every frame."""
    h = run.trainer.history
    metric = "accuracy" if h.metric == "accuracy" else "R²"
    stats = f"<span class='epoch'>Epoch {run.epoch:,}</span>"
    if len(h):
        stats += f" &nbsp; loss {h.cost[-1]:.4f} · {metric} {h.accuracy[-1]:.3f}"
        if h.test_cost:
            stats += f" · test {h.test_cost[-1]:.4f} · {h.test_accuracy[-1]:.3f}"
    now = current_gradients(h, view.grad_key)
    if now:
        label = GRADIENT_LABELS[view.grad_key]
        layers = " ".join(f"<span style='color:{LAYER_COLORS[l % len(LAYER_COLORS)]}'>■</span>&thinsp;"
                          f"layer {l + 1} {v:.2e}" for l, v in enumerate(now))
        stats += f"<br><span class='grads'>{label} now: {layers}</span>"
    st.markdown(f"<div class='epoch-counter'>{stats}</div>", unsafe_allow_html=True)


def _state(run: Run, view: View) -> tuple:
    """What a frame shows: a new value means a new frame (running frames have no hover)."""
    return id(run), run.version, run.running, view


def _in_fragment_run() -> bool:
    ctx = get_script_run_ctx()
    return bool(ctx and ctx.fragment_ids_this_run)


def _train_slice(run: Run, view: View, ss) -> list[dict[str, str]]:
    """Train until the browser acks (MIN_S..MAX_S); the frames of two states: one from
    about halfway (by the last slice's length) and one from the end."""
    t0 = time.perf_counter()
    half = min(HALF_MAX_S, 0.5 * ss.get("slice_s", 2 * MIN_S))
    run.train_for(half)
    frames = []
    if run.running:                   # (not if it diverged: that shows at once)
        frames.append(build_frame(run, view))
        done = time.perf_counter() - t0
        run.train_for(MAX_S - done, min_s=max(0.0, MIN_S - done), stop=rerun_requested)
    frames.append(build_frame(run, view))
    ss["slice_s"] = time.perf_counter() - t0
    return frames


@st.fragment
def live_panel(view: View, columns: int) -> None:
    with friendly_errors("updating the live view"):
        _live_panel(view, columns)


def _live_panel(view: View, columns: int) -> None:
    ss = st.session_state
    run: Run = ss["run"]
    lock = ss.setdefault("train_lock", threading.Lock())
    pipelined = _in_fragment_run()
    if run.running and not pipelined:
        with lock:                    # a full run: train, then show it in this run
            run.train_for(MIN_S)
        if not run.running:
            st.rerun()                # diverged: redraw the page, Play button included
    _status(run, view)
    if run.message:
        st.error(f"**Training paused.** {run.message}", icon="⚠️")
    with lock:
        state = _state(run, view)
        ready = acked(ss.get("charts")) >= ss.get("rev", 0)      # the browser drew what we sent
        # A fragment run waits for the browser; a full run (user-driven) always shows the new state.
        sent = ss.get("frame_state") is None or ((ready or not pipelined) and ss["frame_state"] != state)
        if sent:
            ss["figs"] = ss["next_figs"] if ss.get("next_state") == state else [build_frame(run, view)]
            ss["frame_state"] = state
            ss["rev"] = ss.get("rev", 0) + 1
    live_charts(ss["figs"], ss["rev"], height=view.height, columns=columns, key="charts", spans=chart_spans(columns),
                extra={"epoch": run.epoch, "running": run.running, "rev": ss["rev"]})
    if not (pipelined and run.running and ss["frame_state"] == state):
        return
    with lock:                        # train while the browser draws the message just sent
        ss["next_figs"] = _train_slice(run, view, ss)
        ss["next_state"] = _state(run, view)
    if not run.running:
        st.rerun()                    # diverged in this slice: the whole page shows it (Play button too)
    if ready and not sent:
        st.rerun(scope="fragment")    # nothing in flight: send the new frame now
