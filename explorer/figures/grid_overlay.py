"""The Compare view's overlay: every cell's training loss in one chart, and its line styles.

``overlay_figure`` is the chart's static part (axes, title): the browser strokes the lines on
a canvas over it from the curves it keeps (explorer/live/static/gridcurves.js), as the live
curves do while training runs, and names the cell under the pointer itself. Line styles: the
colour follows axis 1's value (an ordered ramp, since axis values usually are: widths,
rates), the dash axis 2's; the k seeds of a cell draw as a band (min to max) around their
median.
"""
from __future__ import annotations

from explorer.figures.theme import BLUE, base_layout

# Viridis from 0 to 0.85 (its light yellow end is lost on white): ordered, and told apart in
# lightness under every colour-vision deficiency.
_RAMP = [(0.0, (68, 1, 84)), (0.25, (59, 82, 139)), (0.5, (33, 145, 140)), (0.75, (94, 201, 98)),
         (0.85, (160, 200, 40))]
# A badge's colour, by code (explorer.training.grid_badges.BADGES: learning, converged, stalled, diverged).
BADGE_COLORS = [BLUE, "#2e7d32", "#6b6f7a", "#c62828"]
DASHES = [[], [9, 4], [2, 3], [9, 3, 2, 3], [16, 5], [16, 4, 2, 4], [4, 2]]   # canvas setLineDash, per row


def ramp_color(t: float) -> str:
    """A colour of the ramp, t in [0, 1]."""
    t = min(max(t, 0.0), 1.0) * _RAMP[-1][0]
    for (a, ca), (b, cb) in zip(_RAMP, _RAMP[1:]):
        if t <= b:
            u = (t - a) / (b - a)
            return "#" + "".join(f"{round(x + (y - x) * u):02x}" for x, y in zip(ca, cb))
    return "#" + "".join(f"{x:02x}" for x in _RAMP[-1][1])


def line_styles(n_cols: int, n_rows: int) -> list[dict]:
    """Per shown cell, row by row: {"color", "dash"}."""
    return [{"color": ramp_color(c / max(n_cols - 1, 1)), "dash": DASHES[r % len(DASHES)]}
            for r in range(n_rows) for c in range(n_cols)]


def overlay_figure(metric_label: str, big: bool = False, log_y: bool = False) -> dict:
    """Axes for the loss curves: epochs on a log scale (the early epochs, where most of the
    learning shows, keep their width), the loss from 0 (or on a log scale)."""
    layout = base_layout("Training loss by epoch (log) · hover a line", big)
    layout["margin"].update(l=56 if big else 46, b=44 if big else 34, t=40 if big else 30)
    layout.update(
        xaxis={"type": "log", "title": {"text": "epoch"}, **({"dtick": 1} if big else {})},
        yaxis={"type": "log" if log_y else "linear", "title": {"text": "loss"},
               **({} if log_y else {"rangemode": "tozero"})},
        hovermode=False,
        meta={"label": f"Training loss of every cell; {metric_label} in each cell's caption"},
    )
    return {"data": [{"type": "scatter", "mode": "lines", "x": [], "y": [], "hoverinfo": "skip"}], "layout": layout}
