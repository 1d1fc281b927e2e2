"""Colours a whole class can tell apart, checked under simulated colour-vision deficiency.

Simulation: Machado, Oliveira & Fernandes (2009), "A physiologically-based model for
simulation of color vision deficiency", severity 1.0 (dichromacy: protanopia,
deuteranopia, tritanopia), applied to linear RGB. Distance: CIEDE2000 in CIELAB (D65).

The bar, MIN_DELTA_E = 10: the recognised colour-blind-safe palettes pass it at full
strength (Okabe–Ito's 8 colours: 10.9; Paul Tol's 10 "muted": 11.5), while
matplotlib's tab10 (this app's class colours before) fails it by far (0.6: its blue and
purple under protanopia), and so does a red and a green of equal lightness (4.6).
"""
from __future__ import annotations

import numpy as np
import pytest

from explorer.figures import theme

MIN_DELTA_E = 10.0
VISIONS = ("normal", "protanopia", "deuteranopia", "tritanopia")

# Machado et al. 2009, Table (severity 1.0); rows give the simulated linear R, G, B.
MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
D65 = np.array([0.95047, 1.0, 1.08883])


def srgb(hexes: list[str]) -> np.ndarray:
    """'#rrggbb' strings -> (n, 3) sRGB in [0, 1]."""
    return np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for h in hexes]) / 255.0


def linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def gamma(c: np.ndarray) -> np.ndarray:
    c = np.clip(c, 0.0, 1.0)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def simulate(rgb: np.ndarray, vision: str) -> np.ndarray:
    """sRGB (n, 3) as seen with ``vision`` (sRGB again)."""
    if vision == "normal":
        return rgb
    return gamma(linear(rgb) @ MACHADO[vision].T)


def lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (..., 3) -> CIELAB (..., 3), D65 white."""
    xyz = linear(rgb) @ SRGB_TO_XYZ.T / D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def delta_e2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 (Sharma, Wu & Dalal 2005), broadcasting over leading axes."""
    L1, a1, b1 = np.moveaxis(lab1, -1, 0)
    L2, a2, b2 = np.moveaxis(lab2, -1, 0)
    C_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    G = 0.5 * (1 - np.sqrt(C_bar ** 7 / (C_bar ** 7 + 25.0 ** 7)))
    a1p, a2p = (1 + G) * a1, (1 + G) * a2
    C1, C2 = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1, h2 = np.degrees(np.arctan2(b1, a1p)) % 360, np.degrees(np.arctan2(b2, a2p)) % 360
    dh = h2 - h1
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(C1 * C2 == 0, 0.0, dh)
    dL, dC, dH = L2 - L1, C2 - C1, 2 * np.sqrt(C1 * C2) * np.sin(np.radians(dh / 2))
    L_bar, C_barp, hs = (L1 + L2) / 2, (C1 + C2) / 2, h1 + h2
    h_bar = np.where(C1 * C2 == 0, hs, np.where(np.abs(h1 - h2) <= 180, hs / 2,
                                                np.where(hs < 360, (hs + 360) / 2, (hs - 360) / 2)))
    T = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    d_theta = 30 * np.exp(-((h_bar - 275) / 25) ** 2)
    R_C = 2 * np.sqrt(C_barp ** 7 / (C_barp ** 7 + 25.0 ** 7))
    S_L = 1 + 0.015 * (L_bar - 50) ** 2 / np.sqrt(20 + (L_bar - 50) ** 2)
    S_C, S_H = 1 + 0.045 * C_barp, 1 + 0.015 * C_barp * T
    R_T = -np.sin(np.radians(2 * d_theta)) * R_C
    return np.sqrt((dL / S_L) ** 2 + (dC / S_C) ** 2 + (dH / S_H) ** 2 + R_T * (dC / S_C) * (dH / S_H))


def min_distance(rgb: np.ndarray) -> tuple[float, str, int, int]:
    """The smallest pairwise CIEDE2000 over every vision: (ΔE, vision, i, j)."""
    worst = (np.inf, "", -1, -1)
    for vision in VISIONS:
        L = lab(simulate(rgb, vision))
        D = delta_e2000(L[:, None], L[None, :])
        np.fill_diagonal(D, np.inf)
        i, j = np.unravel_index(np.argmin(D), D.shape)
        worst = min(worst, (float(D[i, j]), vision, int(i), int(j)))
    return worst


# ---- the measuring stick itself ----------------------------------------------------------
def test_ciede2000_matches_sharmas_reference_pairs():
    pairs = [((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
             ((50, -1.3802, -84.2814), (50, 0, -82.7485), 1.0000),
             ((50, 2.5, 0), (73, 25, -18), 27.1492),
             ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373)]
    for a, b, expected in pairs:
        assert delta_e2000(np.array(a, float), np.array(b, float)) == pytest.approx(expected, abs=1e-4)


def test_the_simulation_keeps_grey_grey_and_merges_red_and_green():
    grey = srgb(["#808080"])
    for vision in MACHADO:                        # each row of a Machado matrix sums to 1
        assert simulate(grey, vision) == pytest.approx(grey, abs=1e-3)
    red, green = srgb(["#d62728", "#2ca02c"])     # matplotlib's red and green, equal lightness
    normal = delta_e2000(lab(red), lab(green))
    deutan = delta_e2000(lab(simulate(red, "deuteranopia")), lab(simulate(green, "deuteranopia")))
    assert normal > 30 and deutan < 5


@pytest.mark.parametrize("palette", [["#d62728", "#2ca02c"],                       # red / green
                                     ["#ff0000", "#00ff00", "#ffff00", "#ff8000"],  # pure hues
                                     ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]])  # tab10
def test_a_palette_that_relies_on_red_green_hue_fails(palette):
    assert min_distance(srgb(palette))[0] < MIN_DELTA_E


# ---- the app's colours -----------------------------------------------------------------
def test_class_colours_stay_apart_for_every_kind_of_colour_vision():
    rgb = srgb(theme.CLASS_COLORS)
    assert len(theme.CLASS_COLORS) == 10
    for n in range(2, 11):                        # every class count uses the first n colours
        d, vision, i, j = min_distance(rgb[:n])
        assert d >= MIN_DELTA_E, (f"{n} classes: {theme.CLASS_COLORS[i]} and {theme.CLASS_COLORS[j]} "
                                  f"are {d:.1f} apart under {vision}")
    assert min_distance(rgb[:3])[0] >= 30          # the common cases are far apart


def test_two_class_colours_and_the_weight_ramp_stay_apart():
    """Orange (class 0, negative weights) and blue (class 1, positive) against each other and
    against the grey middle of the ramp; and a weight of one sign never looks like the other
    sign's at the same strength."""
    ends = srgb([theme.ORANGE, theme.BLUE, theme.WHITE])
    assert min_distance(ends)[0] >= 25
    t = np.array([0.0, 0.1, 0.2, 0.3])
    neg, pos = theme.ramp_rgb(t) / 255.0, theme.ramp_rgb(1 - t) / 255.0
    for vision in VISIONS:
        d = delta_e2000(lab(simulate(neg, vision)), lab(simulate(pos, vision)))
        assert np.all(d >= MIN_DELTA_E), (vision, d)


def test_diverging_scale_is_the_ramp():
    assert theme.DIVERGING[0][1] == theme.ORANGE and theme.DIVERGING[-1][1] == theme.BLUE
    assert [round(float(v)) for v in theme.ramp_rgb(np.array(0.0))] == [int(theme.ORANGE[i:i + 2], 16) for i in (1, 3, 5)]



def test_the_ramp_passes_through_the_middle_colour_the_browser_gets():
    """The setup message sends theme's colours to the browser (explorer.live.setup_message.colors), which
    paints the same ramp from the negative, "middle" and positive colours: ramp_rgb's middle
    is theme.WHITE."""
    from explorer.live.setup_message import colors
    middle = [int(theme.WHITE[i:i + 2], 16) for i in (1, 3, 5)]
    assert [float(v) for v in theme.ramp_rgb(np.array(0.5))] == middle
    sent = colors()
    assert (sent["negative"], sent["middle"], sent["positive"]) == (theme.ORANGE, theme.WHITE, theme.BLUE)
    assert sent["classes"] == theme.CLASS_COLORS and sent["layers"] == theme.LAYER_COLORS
