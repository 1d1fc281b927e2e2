"""The loss landscape's two static charts (arrays in, figure dicts out; built once per request).

* ``line_figure``: J along θ(t) = θ_start + t (θ_now − θ_start), ``ts`` (T,) and ``J`` (T,), with
  the start (t = 0) and the current weights (t = 1) marked (Goodfellow et al. 2015).
* ``plane_figure``: J on the plane θ_now + α d1 + β d2, ``J`` (len(betas), len(alphas)) (row i is
  β = betas[i]), as filled contours of log₁₀ J (a landscape spans decades), with the training path
  ``path`` (k, 2) of (α, β), its start and the current weights (the centre) marked.

Both are shown with ``st.plotly_chart`` (Streamlit's full plotly.js: contours included).
"""
from __future__ import annotations

import numpy as np

from explorer.figures.theme import BLUE, ORANGE, base_layout

LOG_FLOOR = 1e-12        # J = 0 (a perfect regression) is drawn at log₁₀ of this
PATH_INK = "#111111"
LOG_Y_RATIO = 50.0       # the 1-D chart's y axis is logarithmic when max J / min J exceeds this


def _mark(name: str, x: float, y: float, color: str, symbol: str, size: int, big: bool) -> dict:
    return {"type": "scatter", "mode": "markers+text", "name": name, "x": [float(x)], "y": [float(y)],
            "text": [name], "textposition": "top center", "textfont": {"size": 18 if big else 13, "color": PATH_INK},
            "marker": {"color": color, "symbol": symbol, "size": size + (4 if big else 0),
                       "line": {"color": PATH_INK, "width": 1.5}},
            "hovertemplate": f"{name}<br>%{{x:.3g}}, %{{y:.4g}}<extra></extra>", "cliponaxis": False}


def line_figure(ts, J, epoch: int, big: bool = False, height: int | None = None,
                title: str = "Loss from the start to now") -> dict:
    """J along the straight line from the starting weights (t = 0) to the current ones (t = 1)."""
    ts, J = np.asarray(ts, float), np.asarray(J, float)
    i0, i1 = int(np.argmin(np.abs(ts))), int(np.argmin(np.abs(ts - 1.0)))
    layout = base_layout(title, big, height)
    finite = J[np.isfinite(J) & (J > 0)]
    log_y = finite.size > 0 and finite.max() / finite.min() > LOG_Y_RATIO
    layout.update(xaxis={"title": {"text": "t  (0: the starting weights, 1: now)"}, "zeroline": False, "automargin": True,
                         "showgrid": True, "gridcolor": "#eeeeee"},
                  yaxis={"title": {"text": "training loss J"}, "type": "log" if log_y else "linear", "automargin": True,
                         "showgrid": True, "gridcolor": "#eeeeee"})
    layout["shapes"] = [{"type": "line", "xref": "x", "yref": "paper", "x0": t, "x1": t, "y0": 0, "y1": 1,
                         "line": {"color": "#999999", "width": 1, "dash": "dot"}} for t in (0.0, 1.0)]
    data = [{"type": "scatter", "mode": "lines", "name": "J(t)", "x": ts.tolist(), "y": J.tolist(),
             "line": {"color": PATH_INK, "width": 3.5 if big else 2.5},
             "hovertemplate": "t = %{x:.3f}<br>J = %{y:.4g}<extra></extra>"},
            _mark("start", ts[i0], J[i0], ORANGE, "circle", 11, big),
            _mark(f"now (epoch {epoch:,})", ts[i1], J[i1], BLUE, "star", 15, big)]
    return {"data": data, "layout": layout}


def plane_figure(alphas, betas, J, path, epochs, big: bool = False, height: int | None = None,
                 title: str = "Loss around the current weights", x_title: str = "α", y_title: str = "β") -> dict:
    """Filled contours of log₁₀ J over (α, β) with the training path drawn on them."""
    alphas, betas, J = np.asarray(alphas, float), np.asarray(betas, float), np.asarray(J, float)
    path, epochs = np.asarray(path, float), np.asarray(epochs)
    Z = np.log10(np.maximum(J, LOG_FLOOR))
    font = 18 if big else 12
    layout = base_layout(title, big, height)
    layout.update(xaxis={"title": {"text": x_title}, "range": [float(alphas[0]), float(alphas[-1])],
                         "showgrid": False, "zeroline": False, "automargin": True},
                  yaxis={"title": {"text": y_title}, "range": [float(betas[0]), float(betas[-1])],
                         "showgrid": False, "zeroline": False, "automargin": True})
    layout["margin"] = dict(layout["margin"], r=20)
    contour = {"type": "contour", "name": "log10 J", "x": alphas.tolist(), "y": betas.tolist(), "z": Z.tolist(),
               "text": [[f"{v:.4g}" for v in row] for row in J], "colorscale": "Viridis", "ncontours": 24,
               "contours": {"coloring": "heatmap", "showlines": True},
               "line": {"width": 0.5, "color": "rgba(255,255,255,0.35)"},
               "colorbar": {"title": {"text": "log₁₀ J", "side": "right"}, "thickness": 14,
                            "tickfont": {"size": font}},
               "hovertemplate": "α = %{x:.3g}, β = %{y:.3g}<br>J = %{text}<extra></extra>"}
    under = {"type": "scatter", "mode": "lines", "name": "path outline", "x": path[:, 0].tolist(),
             "y": path[:, 1].tolist(), "line": {"color": PATH_INK, "width": 6 if big else 4.5},
             "hoverinfo": "skip"}
    line = {"type": "scatter", "mode": "lines+markers", "name": "training path", "x": path[:, 0].tolist(),
            "y": path[:, 1].tolist(), "customdata": [int(e) for e in epochs],
            "line": {"color": "white", "width": 3 if big else 2},
            "marker": {"color": "white", "size": 5 if big else 4, "line": {"color": PATH_INK, "width": 1}},
            "hovertemplate": "epoch %{customdata}<br>α = %{x:.3g}, β = %{y:.3g}<extra></extra>"}
    data = [contour, under, line,
            _mark("start", path[0, 0], path[0, 1], ORANGE, "circle", 11, big),
            _mark("now", path[-1, 0], path[-1, 1], BLUE, "star", 15, big)]
    return {"data": data, "layout": layout}
