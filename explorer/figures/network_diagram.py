"""The network as TF Playground draws it: every neuron a small heatmap of its own
output over the input plane, edges coloured by the weight's sign, wider when |w| is larger.

Inputs: ``tiles`` is a list over columns (features, then each layer) of arrays
(n_units, k, k) with values in [−1, 1] (rows follow x2 upwards); ``weights`` is the
list of W (S_l, S_{l−1}); ``biases`` the list of b (S_l,).
"""
from __future__ import annotations

import numpy as np

from explorer.figures.encode import png_data_uri, typed
from explorer.figures.theme import BLUE, ORANGE, base_layout, ramp_rgb

# Edges in |w| / max|w| bins, each a little wider and more opaque: width = a + b·bin,
# opacity = a + b·bin (the browser draws the live diagram's edges by the same table).
EDGE_STYLE = {"bins": 4, "width": [0.6, 1.6], "opacity": [0.35, 0.15]}
# Hover texts: a weight W^(l)[j, i] and a bias, with this many decimals; at most this many
# weights carry a hover marker (a large network's diagram stays light).
HOVER = {"weight": "W{l}[{j},{i}]", "bias": "b", "digits": 4, "max_weights": 1500}


def column_step(sizes: list[int], k: int, gap: int) -> int:
    """Horizontal distance between layer columns: wide enough that the diagram is
    about 1.6 times as wide as it is tall, and never narrower than a tile plus edges."""
    height = max(sizes) * (k + gap)
    return max(k + 3 * gap, int((1.6 * height - k) / max(len(sizes) - 1, 1)))


def layout_positions(sizes: list[int], k: int, gap: int):
    """Top-left pixel of each neuron's tile: list over columns of (n_units, 2) (row, col)."""
    tallest, step = max(sizes), column_step(sizes, k, gap)
    pos = []
    for c, n in enumerate(sizes):
        top = (tallest - n) * (k + gap) // 2
        rows = top + np.arange(n) * (k + gap)
        pos.append(np.column_stack([rows, np.full(n, c * step)]))
    return pos


def network_layout(sizes: list[int], k: int, column_labels, big: bool = False, height: int | None = None,
                   highlight: int | None = None) -> dict:
    """The diagram's static part: axes fitted to the mosaic of k×k tiles for ``sizes``
    (units per column), the column labels, no picture (the live view paints the tiles and
    the edges in the browser, ``paint.js``, from the same geometry: ``layout_positions``).
    ``highlight`` (a column index) outlines one layer, for the step-through view."""
    gap = max(2, k // 2)
    pos = layout_positions(sizes, k, gap)
    H = max(sizes) * (k + gap)
    W = (len(sizes) - 1) * column_step(sizes, k, gap) + k
    layout = base_layout("", big, height)
    layout["margin"] = {"l": 6, "r": 6, "t": 34 if big else 28, "b": 6}
    layout.update(xaxis={"visible": False, "range": [-gap, W + gap], "fixedrange": False},
                  yaxis={"visible": False, "range": [-H - gap, gap * 3], "scaleanchor": "x"},
                  annotations=[{"text": column_labels[c], "x": float(pos[c][0, 1] + k / 2), "y": gap * 1.5, "xref": "x",
                                "yref": "y", "showarrow": False, "font": {"size": 18 if big else 11}}
                               for c in range(len(sizes))],
                  meta={"label": "Network diagram: each neuron's output over the input plane, "
                                 "edges coloured by the sign of their weight"})
    if highlight is not None and 0 <= highlight < len(sizes):
        x0 = float(pos[highlight][0, 1]) - gap / 2
        layout["shapes"] = [{"type": "rect", "x0": x0, "x1": x0 + k + gap, "y0": -H, "y1": 0,
                             "line": {"color": "#d62728", "width": 3}, "fillcolor": "rgba(0,0,0,0)"}]
    return {"data": [], "layout": layout}


def hover_markers(big: bool = False) -> list[dict]:
    """The invisible markers hover reads, without points: the weights' (at each edge's
    middle), then the units' (at each tile's centre); ``meta.hover`` names which."""
    return [{"type": "scatter", "mode": "markers", "x": [], "y": [], "text": [], "marker": {"size": 8, "opacity": 0},
             "hovertemplate": "%{text}<extra></extra>", "meta": {"hover": "weights"}},
            {"type": "scatter", "mode": "markers", "x": [], "y": [], "text": [],
             "marker": {"size": 18 if big else 12, "opacity": 0}, "hovertemplate": "%{text}<extra></extra>",
             "meta": {"hover": "units"}}]


def network_figure(tiles, weights, biases, column_labels, unit_labels=None, big: bool = False,
                   height: int | None = None, highlight: int | None = None, hover: bool = True) -> dict:
    """``network_layout`` with its picture: one PNG mosaic of all neuron tiles (a layout
    image) plus binned edge traces and hover markers (the step-through view).

    ``hover=False`` leaves out the invisible markers that carry every weight and bias for hover.
    """
    sizes = [t.shape[0] for t in tiles]
    k = tiles[0].shape[1]
    gap = max(2, k // 2)
    pos = layout_positions(sizes, k, gap)
    H = max(sizes) * (k + gap)
    W = (len(sizes) - 1) * column_step(sizes, k, gap) + k
    mosaic = np.full((H, W, 3), 255, np.uint8)                              # white background
    for c, t in enumerate(tiles):
        rgb = ramp_rgb((t + 1) / 2).astype(np.uint8)                          # (n, k, k, 3)
        for u in range(t.shape[0]):
            r, col = pos[c][u]
            mosaic[r:r + k, col:col + k] = rgb[u][::-1]                      # image rows go down
    centers = [np.column_stack([p[:, 1] + k / 2, -(p[:, 0] + k / 2)]) for p in pos]   # (x, y) with y up
    data = _edges(centers, weights, k, big, hover)
    if hover:
        hx, hy, htext = [], [], []
        for c, cen in enumerate(centers):
            for u in range(sizes[c]):
                hx.append(cen[u, 0])
                hy.append(cen[u, 1])
                name = unit_labels[c][u] if unit_labels else f"{column_labels[c]} unit {u + 1}"
                extra = f"<br>{HOVER['bias']} = {biases[c - 1][u]:.{HOVER['digits']}f}" if c > 0 else ""
                htext.append(name + extra)
        data.append(dict(hover_markers(big)[1], x=hx, y=hy, text=htext))
    fig = network_layout(sizes, k, column_labels, big, height, highlight)
    fig["layout"]["images"] = [{"source": png_data_uri(mosaic), "xref": "x", "yref": "y", "x": 0, "y": 0, "sizex": W,
                                "sizey": H, "sizing": "stretch", "layer": "below"}]
    fig["data"] = data
    return fig


def _edges(centers, weights, k, big: bool = False, hover: bool = True):
    """Edges grouped into sign × width bins (one line trace each, NaN-separated),
    plus invisible midpoint markers carrying each weight's value for hover."""
    wmax = max((float(np.abs(W).max()) for W in weights if W.size), default=1.0) or 1.0
    groups: dict[tuple[int, int], list] = {}
    mx, my, mt = [], [], []
    for l, W in enumerate(weights):
        src, dst = centers[l], centers[l + 1]
        for j in range(W.shape[0]):
            for i in range(W.shape[1]):
                w = float(W[j, i])
                b = min(int(abs(w) / wmax * EDGE_STYLE["bins"]), EDGE_STYLE["bins"] - 1)
                x0, y0 = src[i, 0] + k / 2, src[i, 1]
                x1, y1 = dst[j, 0] - k / 2, dst[j, 1]
                groups.setdefault((w >= 0, b), []).extend([(x0, y0), (x1, y1), (np.nan, np.nan)])
                if hover and len(mt) < HOVER["max_weights"]:
                    mx.append((x0 + x1) / 2)
                    my.append((y0 + y1) / 2)
                    mt.append(f"{HOVER['weight'].format(l=l + 1, j=j + 1, i=i + 1)} = {w:.{HOVER['digits']}f}")
    traces = []
    width, opacity = EDGE_STYLE["width"], EDGE_STYLE["opacity"]
    for (pos_sign, b), pts in sorted(groups.items()):
        pts = np.array(pts, dtype=np.float32)
        traces.append({"type": "scatter", "mode": "lines", "x": typed(pts[:, 0]), "y": typed(pts[:, 1]),
                       "line": {"color": BLUE if pos_sign else ORANGE, "width": width[0] + width[1] * b},
                       "opacity": opacity[0] + opacity[1] * b, "hoverinfo": "skip", "connectgaps": False})
    if hover:
        traces.append(dict(hover_markers(big)[0], x=mx, y=my, text=mt))
    return traces
