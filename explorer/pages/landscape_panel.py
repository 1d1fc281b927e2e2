"""The loss landscape, below the Live view's charts (the chart option *Loss landscape*: a settings row).

On request, never per frame: the learner picks the plane's directions, the grid and the span and
presses *Compute the landscape*. The click checks every value (``landscape_job.request``), copies
the run's current weights and path (``LandscapeJob.of``) and puts the job in the server's line
(``landscape_board.BOARD``: at most ``MAX_RUNNING`` at once, a full line refuses with a sentence).
While it waits or computes, a fragment shows its place in line or a progress bar a few times a
second; once done, the page draws the two charts once (``explorer/figures/landscape.py``) with
what they show and the two caveats. The job and its result live in this session's state only,
tied to the run they were computed for (a new network drops them).
"""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from explorer.figures.landscape import line_figure, plane_figure
from explorer.pages.chrome import viewport
from explorer.training.landscape_board import BOARD, MAX_RUNNING, Refused
from explorer.training.landscape_job import DIRECTIONS, GRID_SIZES, LINE_TS, SPANS, LandscapeJob, Request, request
from explorer.training.run import Run

JOB = "landscape_job"                   # session key: (the Run it was computed for, its LandscapeJob)
NOTE = "landscape_note"                 # session key: a refusal, shown until the next click
SHOWN = "landscape_shown"               # session key: the job whose progress bar has been drawn
POLL_S = 0.25                           # the progress bar's refresh while a job waits or computes
PLOT_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
DEFAULT = Request()
CAVEATS = ("A slice shows 2 of the network's {P:,} weight directions: the loss may curve quite differently in "
           "the others.",
           "The 1-D path's shape does not predict test accuracy: alike paths can generalise very differently.")


def landscape_panel(run: Run, big: bool) -> None:
    """The controls, then the job's progress or its charts."""
    ss = st.session_state
    if JOB in ss and ss[JOB][0] is not run:        # another network: its landscape no longer applies
        del ss[JOB]
    job = ss[JOB][1] if JOB in ss else None
    busy = job is not None and job.busy
    with st.container(key="landscape_panel"):
        st.markdown("#### Loss landscape")
        row = st.container(horizontal=True, vertical_alignment="bottom", key="landscape_controls")
        dirs = row.selectbox("Directions", tuple(DIRECTIONS), index=tuple(DIRECTIONS).index(DEFAULT.directions),
                             format_func=lambda k: DIRECTIONS[k].label, key="land_dirs", disabled=busy,
                             help=" · ".join(f"{d.label}: {d.help}" for d in DIRECTIONS.values()), width=260)
        n = row.select_slider("Grid", GRID_SIZES, value=DEFAULT.n, format_func=lambda v: f"{v} × {v}",
                              key="land_n", disabled=busy, width=220,
                              help="Points a side; the current weights are the centre point")
        span = row.select_slider("Span", SPANS, value=DEFAULT.span, format_func=lambda v: f"× {v:g}",
                                 key="land_span", disabled=busy, width=200,
                                 help="How far the plane reaches: × the path's reach (PCA), × the weights' "
                                      "own size (random)")
        if row.button("Compute the landscape", key="land_go", disabled=busy, icon=":material/landscape:"):
            job = _submit(run, dirs, n, span)
        if ss.get(NOTE):
            st.warning(ss[NOTE])
        if job is None:
            st.caption("Computed on request for the current weights: the loss on the straight line from the "
                       "starting weights to now, and on a plane around now with the training path drawn on it.")
        elif job.busy or ss.get(SHOWN) is not job:       # every job's bar is seen, however fast it ran
            _progress()
        else:
            _result(job, big)


def _submit(run: Run, dirs, n, span) -> LandscapeJob | None:
    """The click: a checked request, its job in the server's line; a refusal is kept in NOTE."""
    ss = st.session_state
    ss[NOTE] = ""
    if JOB in ss and ss[JOB][1].busy:              # one landscape a learner at a time
        ss[NOTE] = "Your landscape is still being computed: wait for it, or cancel it first."
        return ss[JOB][1]
    try:
        job = LandscapeJob.of(run, request(dirs, n, span, seed=run.cfg.net.seed))
        BOARD.submit(job)
    except (Refused, ValueError) as err:
        ss[NOTE] = str(err)
        return ss[JOB][1] if JOB in ss else None
    ss[JOB] = (run, job)
    return job


@st.fragment(run_every=POLL_S)
def _progress() -> None:
    """The job's place in line or its progress; once it has ended, the whole page draws the result."""
    entry = st.session_state.get(JOB)
    if entry is None:
        return
    job = entry[1]
    if not job.busy and st.session_state.get(SHOWN) is job:
        st.rerun()                              # the charts are drawn by the page, once
    st.session_state[SHOWN] = job
    place = BOARD.position(job)
    if not job.busy:
        st.progress(1.0, text="Computed: drawing the charts…")
    elif place:
        st.progress(0.0, text=f"Waiting for the server: number {place} in line (it computes {MAX_RUNNING} "
                              "landscapes at once)…")
    else:
        st.progress(job.done / job.total, text=f"Computing the landscape: {job.done} of {job.total} "
                                                f"(the line, then {job.request.n} rows of the plane)…")
    st.button("Cancel", key="land_cancel", on_click=BOARD.cancel, args=(job,), disabled=not job.busy)


def _result(job: LandscapeJob, big: bool) -> None:
    if job.state != "done":
        (st.warning if job.state == "failed" else st.caption)(job.error or "The landscape was cancelled.")
        return
    r, d = job.result, DIRECTIONS[job.request.directions]
    height = max(280, min(460, viewport()["height"] - (370 if big else 260)))   # presentation: all on one screen
    left, right = st.columns([2, 3])
    left.plotly_chart(go.Figure(line_figure(r.ts, r.J_line, r.epoch, big, height)), key="land_line",
                      config=PLOT_CONFIG, theme=None)
    right.plotly_chart(go.Figure(plane_figure(r.alphas, r.betas, r.J_plane, r.path, r.epochs, big, height,
                                              title="Loss on a plane around now", x_title=d.axes[0],
                                              y_title=d.axes[1])),
                       key="land_plane", config=PLOT_CONFIG, theme=None)
    n = job.request.n
    st.caption(f"Training loss J at epoch {r.epoch:,}: {n} × {n} points and the line's {len(LINE_TS)}, computed "
               f"in {r.seconds:.2f} s ({job.worked:.2f} s of the server's time). The plane holds {100 * r.held:.1f} % of the path's spread about now; the path is "
               f"{len(r.path)} saved weights, spaced as the GIF's.")
    st.markdown("\n".join(f"- {c.format(P=r.n_weights)}" for c in CAVEATS))
