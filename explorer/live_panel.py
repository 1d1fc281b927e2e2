"""The live panel: the live charts, fed by the session's own WebSocket.

Each Streamlit session gets one ``LiveSession`` (``explorer.channel``), created here
and kept in ``st.session_state``; its unguessable token goes to the component, whose
socket presents it. Training happens in the process-wide scheduler thread, never in
this script: a script run only tells the live session which Run and View are current
(``attach``), so a sidebar change takes effect in the next frame and nothing reruns
per frame. Play/Pause, Step and Reset live in the component and travel over the
socket; Speed is a sidebar setting (in the URL), handed to the live session here.

Fallback: when the component reports that its socket cannot open (a proxy that
blocks WebSockets), the page says so in one line, shows Streamlit buttons, and a
timer-driven fragment (``FALLBACK_EVERY_S``) draws the latest server-built frame;
the scheduler keeps training the run.
"""
from __future__ import annotations

import streamlit as st

from . import draw_panel
from .channel.routes import PATH
from .channel.scheduler import SCHEDULER
from .channel.session import LiveSession
from .figures.curves import GRADIENT_LABELS, current_gradients
from .figures.theme import LAYER_COLORS
from .frames import View, build_frame
from .live import live_channel, live_charts
from .page import chart_spans, friendly_errors
from .run import Run

FALLBACK_EVERY_S = 0.3
CHARTS = "charts"                  # the live component's widget key
FALLBACK_NOTE = ("The live connection could not be opened (a proxy may block WebSockets), so the charts "
                 "update a few times a second through Streamlit instead.")


def live_session() -> LiveSession:
    """This Streamlit session's LiveSession (created, with its token, on first use)."""
    ss = st.session_state
    live = ss.get("live")
    if live is None:
        live = ss["live"] = LiveSession()
    return live


def in_fallback() -> bool:
    return bool(st.session_state.get("live_fallback"))


# ---- Streamlit buttons: the fallback's controls (the component has its own) -------------
def _set_playing(playing: bool) -> None:
    """What the button said when it was clicked (Play or Pause), not a toggle: a click
    that reaches the server twice, or after the run stopped by itself, still means it."""
    live = live_session()
    with st.session_state["run"].lock:
        live.play() if playing else live.pause()
    live.touch()


def _step(unit: str) -> None:
    live = live_session()
    with st.session_state["run"].lock:
        live.step(unit)
    live.touch()


def _reset() -> None:
    live = live_session()
    with st.session_state["run"].lock:
        live.reset()
    live.touch()


def _training_buttons(running: bool, message: str | None) -> None:
    """Play/Pause, Step epoch, Step mini-batch, Reset as Streamlit buttons: only in the
    fallback (over the socket the component draws them and clicks never rerun the page)."""
    c = st.columns([1.2, 1.2, 1.4, 1.0, 2.4], vertical_alignment="center")
    c[0].button("Pause" if running else "Play", key="play", on_click=_set_playing, args=(not running,), type="primary",
                icon=":material/pause:" if running else ":material/play_arrow:",
                width="stretch", disabled=message is not None)
    c[1].button("Step epoch", key="step_epoch", on_click=_step, args=("epoch",), width="stretch",
                help="Train one full pass over the training data, then stop")
    c[2].button("Step mini-batch", key="step_batch", on_click=_step, args=("batch",), width="stretch",
                help="One gradient update on one mini-batch, then stop")
    c[3].button("Reset", key="reset", on_click=_reset, width="stretch", help="Back to the starting weights (the weights seed's, or an opened model's): the run replays")


def _status(run: Run, view: View) -> None:
    """The epoch counter with the latest loss and score, and the current gradient
    magnitude of each layer in its line's colour (the fallback's status line)."""
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


def live_panel(view: View, columns: int) -> None:
    """The live charts for the session's current Run (``st.session_state["run"]``)."""
    ss = st.session_state
    run: Run = ss["run"]
    live = live_session()
    live.attach(run, view, speed=getattr(run.cfg.train, "speed", None))
    SCHEDULER.ensure_started()
    SCHEDULER.wake()
    if in_fallback():
        live.fallback = True
        st.caption(FALLBACK_NOTE)
        _fallback_view(view, columns)
        return
    live.fallback = False
    state = live_channel(live.token, PATH, height=view.height, columns=columns, spans=chart_spans(columns),
                         speeds=(), controls=True, key=CHARTS,   # Speed: the sidebar's setting (in the URL)
                         draw=draw_panel.drawing_on(), on_change=_on_charts_change)
    if isinstance(state, dict) and state.get("channel") == "failed":
        ss["live_fallback"] = True
        st.rerun()


def _on_charts_change() -> None:
    """The component's value changed: a click to draw (the channel state needs no callback)."""
    draw_panel.on_click(CHARTS)


@st.fragment(run_every=FALLBACK_EVERY_S)
def _fallback_view(view: View, columns: int) -> None:
    """The fallback's buttons, status line and charts, all in one timer-driven fragment:
    a click reruns only this fragment (never the page, whose full reruns raced the timer
    and could re-create the charts' iframe), and every tick redraws the buttons, so a run
    that stopped by itself (divergence, idle) shows Play without a page rerun. Each element
    keeps its place (the divergence message has its own slot), so the iframe is never
    re-mounted and a zoom survives."""
    with friendly_errors("updating the live view"):
        ss = st.session_state
        run: Run = ss["run"]
        with run.lock:
            live = live_session()
            key = (id(run), run.version, live.running, view)
            if ss.get("fallback_key") != key:
                ss["fallback_figs"] = build_frame(run, view, live.running)
                ss["fallback_key"] = key
                ss["fallback_rev"] = ss.get("fallback_rev", 0) + 1
            running, message, epoch = live.running, run.message, run.epoch
        _training_buttons(running, message)
        with run.lock:
            _status(run, view)
        warning = st.empty()
        if message:
            warning.error(f"**Training paused.** {message}", icon="⚠️")
        live_charts(ss["fallback_figs"], ss["fallback_rev"], height=view.height, columns=columns, key="charts",
                    spans=chart_spans(columns), extra={"epoch": epoch, "running": running, "rev": ss["fallback_rev"]})
