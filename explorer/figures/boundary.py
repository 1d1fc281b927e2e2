"""The decision boundary: the network's output over the input plane, with the data.

Grid outputs P have shape (G, G) for one sigmoid or linear unit (rows follow y),
or (G, G, K) for a softmax over K classes. Points are rows (N, 2).

``surface_rgb`` colours an output grid (the GIF; the browser paints the live surface the
same way, ``explorer/live/static/paint.js``, tested equal); ``boundary_figure`` is the live
chart's static part: the axes, the points and where the surface image goes.
"""
from __future__ import annotations

import numpy as np

from explorer.figures.encode import typed
from explorer.figures.theme import BLUE, CLASS_COLORS, DIVERGING, ORANGE, base_layout, class_rgb, ramp_rgb

# How strongly the surface is coloured (1: full colour; towards white so points stand out),
# in normal and in presentation mode.
SURFACE_STRENGTH = {False: 0.6, True: 0.8}


def _points(X, y, problem, n_classes, name, outline, size, tag=False):
    """Scatter traces of one split (train: white outline, test: black outline); ``tag``: each
    trace's ``meta`` names its split and class ({"split": name, "label": k}; regression: the
    split, the targets being the marker colours)."""
    if X is None or len(X) == 0:
        return []
    marker = {"size": size, "line": {"width": 1.2 if size < 8 else 2.0, "color": outline}}
    if problem == "regression":
        lim = max(float(np.abs(y).max()), 1e-9)
        marker.update(color=typed(y), colorscale=DIVERGING, cmin=-lim, cmax=lim)
        return [{"type": "scattergl" if len(X) > 2000 else "scatter", "mode": "markers", "name": name,
                 "x": typed(X[:, 0]), "y": typed(X[:, 1]), "marker": marker,
                 "hovertemplate": f"{name}<br>x1=%{{x:.2f}}, x2=%{{y:.2f}}<extra></extra>",
                 **({"meta": {"split": name}} if tag else {})}]
    traces = []
    for k in range(max(n_classes, 2)):
        m = y == k
        if not np.any(m):
            continue
        color = (ORANGE, BLUE)[k] if n_classes <= 2 else CLASS_COLORS[k % len(CLASS_COLORS)]
        traces.append({"type": "scattergl" if len(X) > 2000 else "scatter", "mode": "markers",
                       "name": f"{name} class {k}", "x": typed(X[m, 0]), "y": typed(X[m, 1]),
                       "marker": dict(marker, color=color),
                       "hovertemplate": f"{name}, class {k}<br>x1=%{{x:.2f}}, x2=%{{y:.2f}}<extra></extra>",
                       **({"meta": {"split": name, "label": k}} if tag else {})})
    return traces


def surface_rgb(P: np.ndarray, problem: str, discretize: bool = False,
                strength: float = SURFACE_STRENGTH[False]) -> np.ndarray:
    """The output over the grid as an (G, G, 3) uint8 image, top row first.

    Two classes: P(class 1) from orange through white to blue; K classes: the class
    colours blended by probability; regression: the prediction scaled by its largest
    magnitude on the same orange–blue ramp. Colours are lightened towards white so points
    stand out (``strength`` 1 keeps full colour; presentation mode uses a stronger 0.8).
    """
    if P.ndim == 3:
        probs = np.eye(P.shape[2])[P.argmax(axis=2)] if discretize else P
        rgb = probs @ class_rgb()[:P.shape[2]]
    else:
        if problem == "classification":
            t = (P > 0.5).astype(float) if discretize else P
        else:
            lim = max(float(np.abs(P).max()), 1e-9)
            t = (np.sign(P) + 1) / 2 if discretize else (P / lim + 1) / 2
        rgb = ramp_rgb(t)
    rgb = 255 - strength * (255 - rgb)
    return np.clip(rgb[::-1], 0, 255).astype(np.uint8)


def boundary_figure(xs, ys, problem: str, n_classes: int, X_train, y_train, X_test=None, y_test=None,
                    show_test: bool = True, big: bool = False, title: str = "Decision boundary",
                    height: int | None = None, tag_points: bool = False) -> dict:
    """The plane over the grid (xs (G,), ys (G,)) with the points, and a layout image
    stretched over it (``source`` empty) that marks where the browser paints the surface
    (``surface_rgb``'s colours, presentation mode's ``SURFACE_STRENGTH``): on a canvas under
    the plot, in that rectangle (``static/pictures.js``). Between frames only the canvas
    changes, so the browser never redraws the points. ``tag_points``: the point traces name their
    split and class in ``meta``, and the test points are carried even when not shown (invisible):
    the live instruments read them (``explorer/live/instruments_setup.py``)."""
    size = 10 if big else 6          # presentation mode: larger points, stronger colours
    layout = base_layout(title, big, height)
    layout.update(xaxis={"range": [float(xs[0]), float(xs[-1])], "title": {"text": "x1"}, "constrain": "domain",
                         "showgrid": False, "zeroline": False},
                  yaxis={"range": [float(ys[0]), float(ys[-1])], "title": {"text": "x2"}, "scaleanchor": "x",
                         "constrain": "domain", "showgrid": False, "zeroline": False})   # a tall cell: no wider range
    layout["images"] = [{"source": "", "xref": "x", "yref": "y", "layer": "below", "x": float(xs[0]), "y": float(ys[-1]),
                         "sizex": float(xs[-1] - xs[0]), "sizey": float(ys[-1] - ys[0]), "sizing": "stretch"}]
    data = _points(X_train, y_train, problem, n_classes, "train", "white", size, tag_points)
    if show_test or tag_points:
        test = _points(X_test, y_test, problem, n_classes, "test", "black", size, tag_points)
        data += test if show_test else [dict(t, visible=False) for t in test]
    return {"data": data, "layout": layout}
