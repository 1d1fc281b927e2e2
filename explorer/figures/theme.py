"""Colours and sizes shared by every figure.

Two-class colours follow TensorFlow Playground: orange for class 0 (negative),
blue for class 1 (positive), white at the decision boundary.
"""
from __future__ import annotations

import numpy as np

ORANGE, BLUE, WHITE = "#f59322", "#0877bd", "#e8eaeb"
# Up to 10 classes, told apart by everyone: under simulated protanopia, deuteranopia and
# tritanopia (Machado et al. 2009) every pair stays at least 14.9 CIEDE2000 units apart,
# and the first three at least 42 (tests/test_colours.py). Chosen by a max-min search
# over sRGB with orange and blue fixed; varying in lightness as well as hue, because
# hue alone is what a dichromat loses. (matplotlib's tab10, used before, put its blue and
# purple 0.6 units apart under protanopia, and its green and red 4.6 under deuteranopia.)
CLASS_COLORS = ["#f59322", "#0877bd", "#6d0c00", "#0c3d3d", "#867961",
                "#490c92", "#db310c", "#9e5579", "#aaceb6", "#dbb6ff"]
# One colour per layer (up to 8 hidden + output) in the gradient panel, none of them the
# blue or orange of the classes and of train/test, so a layer is never mistaken for them.
LAYER_COLORS = ["#2ca02c", "#9467bd", "#d62728", "#8c564b", "#e377c2",
                "#17becf", "#bcbd22", "#7f7f7f", "#222222"]

# P(class 1) from 0 to 1: orange → white → blue.
DIVERGING = [[0.0, ORANGE], [0.5, WHITE], [1.0, BLUE]]


def class_rgb() -> np.ndarray:
    """(10, 3) float RGB of CLASS_COLORS, 0..255."""
    return np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in CLASS_COLORS], float)


def base_layout(title: str = "", big: bool = False, height: int | None = None) -> dict:
    """Layout shared by every chart; ``big`` is presentation mode (larger type)."""
    font = 18 if big else 12
    ink = "#111111" if big else "#333333"            # presentation mode: darker text
    layout = {
        "title": {"text": title, "font": {"size": font + 2}, "x": 0.02, "xanchor": "left"},
        "font": {"size": font, "color": ink, "family": "Inter, Segoe UI, Helvetica, Arial, sans-serif"},
        "margin": {"l": 50, "r": 12, "t": 40 if title else 10, "b": 40},
        "paper_bgcolor": "white", "plot_bgcolor": "white",
        "uirevision": "keep",          # zoom and pan survive updates
        "showlegend": False,
    }
    if height:
        layout["height"] = height
    return layout


def ramp_rgb(t: np.ndarray) -> np.ndarray:
    """t in [0, 1] (any shape) → RGB floats (..., 3): orange at 0, light grey at ½, blue at 1."""
    t = np.clip(t, 0.0, 1.0)[..., None]
    c = class_rgb()
    mid = np.array([232.0, 234.0, 235.0])
    return np.where(t < 0.5, c[0] + (mid - c[0]) * (2 * t), mid + (c[1] - mid) * (2 * t - 1))
