"""The step's matrices on the page: rows of heatmap charts whose cells keep about one width
(``pack``), and the same numbers as text for screen readers (``numbers_text``)."""
from __future__ import annotations

import html
import re

import plotly.graph_objects as go
import streamlit as st

from explorer.figures.matrix import cell_text, matrix_figure
from explorer.pages.backprop.steps import Step

PLOT_CONFIG = {"displayModeBar": False}
ROW_CELLS = 16                    # matrix columns per row of charts: every cell gets about the same width
CELL_PX = 84                      # presentation: the narrowest a printed matrix cell may be (18 px numbers)


def matrices(step: Step, i: int, big: bool, budget: int = ROW_CELLS, most: int = 4, spacer: bool = True) -> None:
    """The step's matrices in rows of charts; on a narrow screen each row scrolls sideways
    (the page's CSS gives rows in a ``bp_mats`` container a minimum width) instead of
    squeezing the cells until the numbers overflow."""
    k = 0
    with st.container(key=f"bp_mats_{i}"):
        for row in pack(step.matrices, budget, most):
            widths = [width(m) for m in row]
            cols = st.columns(widths + ([budget - sum(widths)] if spacer and sum(widths) < budget else []))
            for col, m in zip(cols, row):
                with col:
                    st.plotly_chart(go.Figure(matrix_figure(m.values, m.label, big)), key=f"bp_m_{i}_{k}",
                                    config=PLOT_CONFIG)
                k += 1


def numbers_text(step: Step, most: int = 64) -> str:
    """The step's matrices as text, for screen readers (the charts' text alternative): each
    matrix's name, shape and, when it has at most ``most`` entries, its rows of values."""
    parts = []
    for m in step.matrices:
        r, c = m.values.shape
        name = re.sub(r"<[^>]+>", "", m.label)
        rows = "; ".join(", ".join(cell_text(float(v)) for v in row) for row in m.values) if r * c <= most else ""
        parts.append(f"{html.escape(name)} ({r} × {c}){': ' + rows if rows else ''}")
    return f"<span class='sr-only'>Numbers of this step. {'. '.join(parts)}.</span>" if parts else ""


def width(m) -> int:
    """A matrix's share of a row of charts: its columns, from 3 to 16."""
    return min(max(m.values.shape[1], 3), 16)


def pack(mats: list, budget: int, most: int = 4) -> list[list]:
    """Matrices in rows of at most ``most``, each row at most ``budget`` matrix columns wide (a cell is
    about as wide in every row, so the printed numbers fit)."""
    rows, used = [[]], 0
    for m in mats:
        if rows[-1] and (used + width(m) > budget or len(rows[-1]) == most):
            rows.append([])
            used = 0
        rows[-1].append(m)
        used += width(m)
    return [r for r in rows if r]
