"""One matrix as a small heatmap: values on hover, printed in the cells when the matrix is small.

``M`` is any 2-D array (rows, cols) shown as written on paper: row 1 at the top,
column 1 on the left. The colour is symmetric about 0 (orange negative, blue
positive, as the network diagram draws weights).
"""
from __future__ import annotations

import numpy as np

from explorer.figures.encode import typed
from explorer.figures.theme import DIVERGING, base_layout

MAX_PRINTED = 64      # print the numbers when rows × cols ≤ this (about 8 × 8) ...
MAX_SIDE = 16         # ... and neither side is longer than this


def cell_text(v: float) -> str:
    """A cell's printed value: 3 significant digits ('0.0123', '-1.5', '2.3e+04')."""
    return "0" if v == 0 else f"{v:.3g}"


def matrix_figure(M, title: str, big: bool = False, height: int | None = None) -> dict:
    """A plotly figure dict for M (rows, cols), titled with ``title`` and the shape.

    The exact values travel as a float64 typed array (``z``), so hover shows them to
    6 significant digits and tests can read them back bit for bit.
    """
    M = np.asarray(M, dtype=np.float64)
    if M.ndim != 2:
        raise ValueError(f"a matrix must be 2-D, got shape {M.shape}")
    r, c = M.shape
    finite = np.abs(M[np.isfinite(M)])
    lim = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    trace = {"type": "heatmap", "z": typed(M, "float64"), "x": list(range(1, c + 1)), "y": list(range(1, r + 1)),
             "zmin": -lim, "zmax": lim, "colorscale": DIVERGING, "showscale": False, "xgap": 1, "ygap": 1,
             "hovertemplate": "row %{y}, column %{x}<br>%{z:.6g}<extra></extra>", "name": title}
    printed = r * c <= MAX_PRINTED and max(r, c) <= MAX_SIDE
    if printed:
        trace["text"] = [[cell_text(v) for v in row] for row in M]
        trace["texttemplate"] = "%{text}"
        trace["textfont"] = {"size": 18 if big else 11 - (2 if c >= 4 else 0)}   # presentation: >= 18 px
    cell = (38 if big else 24) if printed else (18 if big else 12)
    shape = f"<span style='font-size:{'1em' if big else '0.8em'};color:#666'>{r} × {c}</span>"
    layout = base_layout(f"{title}<br>{shape}", big)
    layout["title"]["font"]["size"] = 18 if big else 13
    layout["margin"] = {"l": 36 if big else 28, "r": 6, "t": 60 if big else 50, "b": 6}
    layout["height"] = height or int(min(max(r * cell + layout["margin"]["t"] + 12, 110), 480))
    axis = {"tickmode": "linear", "dtick": 1 if max(r, c) <= MAX_SIDE else 5, "showgrid": False, "zeroline": False,
            "tickfont": {"size": 18 if big else 10}, "fixedrange": True}
    layout["xaxis"] = dict(axis, side="top", showticklabels=False)
    layout["yaxis"] = dict(axis, autorange="reversed", showticklabels=r > 1)
    layout["meta"] = {"shape": [r, c]}
    return {"data": [trace], "layout": layout}
