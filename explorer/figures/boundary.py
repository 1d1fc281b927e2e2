"""The decision boundary: the network's output over the input plane, with the data.

Grid outputs P have shape (G, G) for one sigmoid or linear unit (rows follow y),
or (G, G, K) for a softmax over K classes. Points are rows (N, 2).
"""
from __future__ import annotations

import numpy as np

from .encode import png_data_uri, typed
from .theme import BLUE, DIVERGING, ORANGE, base_layout, class_rgb, CLASS_COLORS


def _points(X, y, problem, n_classes, name, outline, size):
    """Scatter traces of one split (train: white outline, test: black outline)."""
    if X is None or len(X) == 0:
        return []
    marker = {"size": size, "line": {"width": 1.2, "color": outline}}
    if problem == "regression":
        lim = max(float(np.abs(y).max()), 1e-9)
        marker.update(color=typed(y), colorscale=DIVERGING, cmin=-lim, cmax=lim)
        return [{"type": "scattergl" if len(X) > 2000 else "scatter", "mode": "markers", "name": name,
                 "x": typed(X[:, 0]), "y": typed(X[:, 1]), "marker": marker,
                 "hovertemplate": f"{name}<br>x1=%{{x:.2f}}, x2=%{{y:.2f}}<extra></extra>"}]
    traces = []
    for k in range(max(n_classes, 2)):
        m = y == k
        if not np.any(m):
            continue
        color = (ORANGE, BLUE)[k] if n_classes <= 2 else CLASS_COLORS[k % len(CLASS_COLORS)]
        traces.append({"type": "scattergl" if len(X) > 2000 else "scatter", "mode": "markers",
                       "name": f"{name} class {k}", "x": typed(X[m, 0]), "y": typed(X[m, 1]),
                       "marker": dict(marker, color=color),
                       "hovertemplate": f"{name}, class {k}<br>x1=%{{x:.2f}}, x2=%{{y:.2f}}<extra></extra>"})
    return traces


def boundary_figure(xs, ys, P, problem: str, n_classes: int, X_train, y_train, X_test=None, y_test=None,
                    discretize: bool = False, show_test: bool = True, big: bool = False,
                    title: str = "Decision boundary", height: int | None = None) -> dict:
    """The output over the grid (xs (G,), ys (G,)) with the points on top.

    Two classes: P(class 1) shaded orange → blue (hover shows it); K classes: the
    class colours blended by probability (an image); regression: the predicted
    value. ``discretize`` shows only the winning class / the sign.
    """
    size = 9 if big else 6
    layout = base_layout(title, big, height)
    layout.update(xaxis={"range": [float(xs[0]), float(xs[-1])], "title": {"text": "x1"}, "constrain": "domain",
                         "showgrid": False, "zeroline": False},
                  yaxis={"range": [float(ys[0]), float(ys[-1])], "title": {"text": "x2"}, "scaleanchor": "x",
                         "showgrid": False, "zeroline": False})
    if problem == "classification" and P.ndim == 3:                 # K-class softmax: blended colours
        probs = P
        if discretize:
            probs = np.eye(P.shape[2])[P.argmax(axis=2)]
        rgb = probs @ class_rgb()[:P.shape[2]]
        rgb = 255 - 0.55 * (255 - rgb)                              # lighten so points stand out
        img = np.clip(rgb[::-1], 0, 255).astype(np.uint8)          # PNG rows go top-down
        layout["images"] = [{"source": png_data_uri(img), "xref": "x", "yref": "y", "layer": "below",
                             "x": float(xs[0]), "y": float(ys[-1]), "sizex": float(xs[-1] - xs[0]),
                             "sizey": float(ys[-1] - ys[0]), "sizing": "stretch"}]
        bg = []
    else:
        if problem == "classification":
            Z = (P > 0.5).astype(float) if discretize else P
            z = np.round(Z * 254).astype(np.uint8)
            zmin, zmax, label = 0, 254, "P(class 1)"

        else:
            lim = max(float(np.abs(P).max()), 1e-9)
            Z = np.sign(P) if discretize else P
            z = np.round((Z / lim + 1) * 127).astype(np.uint8)
            zmin, zmax, label = 0, 254, "prediction"

        bg = [{"type": "heatmap", "name": label, "x": typed(xs), "y": typed(ys), "z": typed(z, "uint8"),
               "zmin": zmin, "zmax": zmax, "colorscale": DIVERGING, "showscale": False, "opacity": 0.8,
               "hoverinfo": "skip", "zsmooth": False}]
    data = bg + _points(X_train, y_train, problem, n_classes, "train", "white", size)
    if show_test:
        data += _points(X_test, y_test, problem, n_classes, "test", "black", size)
    return {"data": data, "layout": layout}
