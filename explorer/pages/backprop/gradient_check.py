"""The view's gradient check: central differences against backpropagation, per layer, on
the pass's batch and the network's current weights (float64), as a coloured table."""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import streamlit as st

from core import ACTIVATIONS, gradient_check
from explorer.pages.backprop.one_pass import Pass
from explorer.training.run import Run

EPSILONS = (1e-4, 1e-5, 1e-6)
GOOD = 1e-6                       # a relative error below this passes the gradient check
ERR_W, ERR_B = "relative error ∂J/∂W", "relative error ∂J/∂b"


def gradient_table(run: Run, p: Pass, eps: float | str = "auto") -> pd.DataFrame:
    """Central differences against backprop, per layer, on the pass's batch and the current weights (float64).

    ``eps="auto"`` runs every ε of EPSILONS and keeps, per layer, the one with the smaller error: a large ε
    suffers from curvature (and ReLU kinks), a small one from rounding, and which wins depends on the layer.
    """
    if run.net.dtype != np.float64:
        raise ValueError(f"the gradient check needs float64 weights, the network has {run.net.dtype}")
    best = {}                       # layer -> (LayerCheck, ε)
    for e in (EPSILONS if eps == "auto" else (eps,)):
        for c in gradient_check(copy.deepcopy(run.net), p.X, p.T, p.l1, p.l2, eps=e, max_entries=64):
            if c.layer not in best or _worst(c) < _worst(best[c.layer][0]):
                best[c.layer] = (c, e)
    return pd.DataFrame([{"layer": c.layer, ERR_W: c.rel_error_W, ERR_B: c.rel_error_b, "ε": e,
                          "entries checked": c.n_checked} for c, e in best.values()])


def _eps_text(e) -> str:
    return e if e == "auto" else f"{e:.0e}"


def _worst(c) -> float:
    return max(c.rel_error_W, c.rel_error_b)


def show(run: Run, p: Pass, big: bool) -> None:
    """The check's heading, its ε choice and table, and why a failure may not be backpropagation's."""
    st.divider()
    st.markdown(f"{'###' if big else '####'} Gradient check")
    c = st.columns([3, 1], vertical_alignment="bottom")
    c[0].markdown("Each gradient from backpropagation against the central difference "
                  "(J(θ + ε) − J(θ − ε)) / 2ε on the same batch, with the network's current weights, in float64. "
                  f"Relative error ‖g − g̃‖ / (‖g‖ + ‖g̃‖); green below {GOOD:.0e}.")
    c[1].select_slider("ε", ("auto",) + EPSILONS, key="bp_eps", help="auto: per layer, the best of 1e-4, 1e-5, 1e-6",
                       format_func=_eps_text)
    df = gradient_table(run, p, st.session_state["bp_eps"])
    errs = [ERR_W, ERR_B]
    style = df.style.format({**{k: "{:.2e}" for k in errs}, "ε": "{:.0e}"}).map(
        lambda v: f"background-color: {'#d4f4dd' if v < GOOD else '#fbd5d5'}", subset=errs)
    st.dataframe(style, hide_index=True)
    if not (df[errs] >= GOOD).any().any():
        return
    J = run.net.cost(p.X, p.T, p.l1, p.l2)
    kinked = [ACTIVATIONS[a].label for a in dict.fromkeys(p.activations) if ACTIVATIONS[a].kink_at_zero]
    if not np.isfinite(J) or J > 1e12:
        st.caption(f"The cost on this batch is {J:.1e}: float64 keeps 16 digits, far too few to see J change by "
                   "ε here, so the check fails for the numbers, not for backpropagation.")
    elif kinked:
        st.caption(f"A {' or '.join(kinked)} unit whose z sits exactly at 0 (or within ε of it) has no derivative "
                   "there: the two estimates then disagree for a reason that has nothing to do with backpropagation.")
