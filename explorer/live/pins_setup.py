"""The pinned runs' message: what the browser draws them with (``static/pinsview.js``), once.

Pins do not train, so there is no socket: the message goes to the component as its argument and
the browser draws every pin as a Compare grid cell is drawn (``gridcells.js``: its boundary from its
final weights with ``forward.js`` and ``paint.js``; ``gridcurves.js``: every pin's loss in one
chart). Fields:

    id        changes whenever the pins do (the browser rebuilds then)
    pins      one per pin: {"uid", "name", "epoch", "problem", "metric", "sizes": [S_0, ..., S_L],
              "activations", "weights" (base64 f8: each layer's Wb = [W | b], row-major, layer 1 first),
              "badge", "score", "cost", "history": {"epoch": [...], "cost": [...]}, "data": its index}
    data      per pin: {"features", "mean", "scale", "grid": {"x": [lo, hi, G], "y": [...]},
              "points": base64 f4 (x1, x2) pairs, "labels": base64 u8 or null}
    colors, paint, styles, figure, badges, badge_colors, rule, labels, view: as the grid's setup
"""
from __future__ import annotations

import numpy as np

from explorer.figures.boundary import SURFACE_STRENGTH
from explorer.figures.grid_overlay import BADGE_COLORS, line_styles, overlay_figure
from explorer.live.grid_setup import THUMB_GRID, _b64
from explorer.live.setup_message import colors
from explorer.training.grid_badges import BADGES, RULE, badges
from explorer.training.pins import Pin


def _finite(a) -> list:
    return [None if not np.isfinite(v) else float(v) for v in a]


def pin_score(pin: Pin) -> float:
    """What a pin's caption shows: its test score, or its training score without a test set."""
    return pin.latest("test_score" if pin.has_test else "score")


def pins_message(pins: list[Pin], big: bool = False) -> dict:
    """The component's argument for ``pins`` (in order; each named with its number)."""
    out, datas = [], []
    for i, p in enumerate(pins):
        pipe, (x0, x1, y0, y1) = p.pipeline, p.plane
        datas.append({"features": list(pipe.features),
                      "mean": None if pipe.mean is None else [float(v) for v in pipe.mean],
                      "scale": None if pipe.scale is None else [float(v) for v in pipe.scale],
                      "grid": {"x": [x0, x1, THUMB_GRID], "y": [y0, y1, THUMB_GRID]},
                      "points": _b64(p.X, "<f4"),
                      "labels": _b64(np.clip(p.y, 0, 255), np.uint8) if p.problem == "classification" else None})
        h = p.history
        code = badges(h["epoch"], h["cost"][:, None], np.array([False]))[0] if len(h["cost"]) else 0
        weights = np.concatenate([w.ravel() for w in p.net.parameters()])
        out.append({"uid": p.uid, "name": f"{i + 1}. {p.name}", "epoch": p.epoch, "problem": p.problem,
                    "metric": p.metric, "sizes": p.net.sizes, "activations": [l.activation.name for l in p.net.layers],
                    "weights": _b64(weights, "<f8"), "badge": int(code), "score": _finite([pin_score(p)])[0],
                    "cost": _finite([p.latest("cost")])[0],
                    "history": {"epoch": [int(e) for e in h["epoch"]], "cost": _finite(h["cost"])}, "data": i})
    return {"id": "|".join(p.uid for p in pins) + ("|big" if big else ""), "pins": out, "data": datas,
            "colors": colors(), "paint": {"surface_strength": SURFACE_STRENGTH[big]},
            "styles": line_styles(len(pins), 1), "figure": overlay_figure("the score", big),
            "badges": list(BADGES), "badge_colors": BADGE_COLORS, "rule": RULE,
            "labels": {"score": "test score where the run had a test set, else training score"},
            "view": {"big": big}}
