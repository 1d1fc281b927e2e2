"""The pure figure builders: valid plotly figures, right colours, small payloads; the live
figures' static parts (the setup message's: no picture, no line's points)."""
from __future__ import annotations

import base64
import json
import zlib

import numpy as np
import plotly.graph_objects as go
import pytest

from explorer.choices.config import Config
from explorer.figures.boundary import surface_rgb
from explorer.figures.curves import curves_figure
from explorer.figures.encode import png_data_uri, typed
from explorer.figures.network_diagram import network_figure
from explorer.figures.theme import class_rgb
from explorer.live.setup_message import View, setup_figures
from explorer.training.run import Run, build_data


def decode_png(uri: str) -> np.ndarray:
    """Inverse of png_data_uri for its own output (8-bit RGB, filter 0)."""
    raw = base64.b64decode(uri.split(",", 1)[1])
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")
    idat = raw.index(b"IDAT")
    n = int.from_bytes(raw[idat - 4:idat], "big")
    rows = np.frombuffer(zlib.decompress(raw[idat + 4:idat + 4 + n]), np.uint8).reshape(h, 1 + 3 * w)
    assert np.all(rows[:, 0] == 0)
    return rows[:, 1:].reshape(h, w, 3)


def test_typed_arrays_round_trip():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    spec = typed(a)
    assert spec["dtype"] == "f4" and spec["shape"] == "3,4"
    np.testing.assert_array_equal(np.frombuffer(base64.b64decode(spec["bdata"]), np.float32).reshape(3, 4), a)


def test_png_round_trip():
    img = np.random.default_rng(0).integers(0, 256, (7, 5, 3)).astype(np.uint8)
    np.testing.assert_array_equal(decode_png(png_data_uri(img)), img)


def test_surface_colours_follow_the_probability():
    orange, blue = class_rgb()[0], class_rgb()[1]
    P = np.array([[0.0, 1.0]])
    rgb = surface_rgb(P, "classification").astype(float)
    # lightened towards white by the same factor: orange-ish left, blue-ish right
    assert rgb[0, 0, 0] > rgb[0, 0, 2] and rgb[0, 1, 2] > rgb[0, 1, 0]
    np.testing.assert_allclose(rgb[0, 0], np.floor(255 - 0.6 * (255 - orange)), atol=1)
    np.testing.assert_allclose(rgb[0, 1], np.floor(255 - 0.6 * (255 - blue)), atol=1)
    # row 0 of the image is the top of the plane (largest x2)
    P2 = np.array([[0.0], [1.0]])                       # grid row 0 is the bottom
    img = surface_rgb(P2, "classification")
    assert img[0, 0, 2] > img[1, 0, 2]


def test_multiclass_surface_blends_and_discretises():
    P = np.zeros((1, 2, 3))
    P[0, 0] = [0.5, 0.5, 0.0]
    P[0, 1] = [0.2, 0.3, 0.5]
    soft = surface_rgb(P, "classification").astype(float)
    hard = surface_rgb(P, "classification", discretize=True).astype(float)
    c = class_rgb()[:3]
    np.testing.assert_allclose(soft[0, 0], np.floor(255 - 0.6 * (255 - (c[0] + c[1]) / 2)), atol=1)
    np.testing.assert_allclose(hard[0, 1], np.floor(255 - 0.6 * (255 - c[2])), atol=1)


@pytest.mark.parametrize("dataset,k,layers", [("planar", None, None), ("multi_spiral", 4, None),
                                              ("reg_gauss", None, None), ("planar", None, ((2, "tanh"),))])
def test_the_live_figures_are_valid_plotly_and_static(dataset, k, layers):
    from dataclasses import replace
    from explorer.choices.config import preset_for_dataset
    cfg = preset_for_dataset(dataset, Config())
    cfg = replace(cfg, data=replace(cfg.data, n_classes=k or cfg.data.n_classes, test_ratio=0.3))
    if layers:
        cfg = replace(cfg, net=replace(cfg.net, hidden=layers))
    run = Run(cfg, build_data(cfg.data))
    run.train_for(0.05)
    figs = setup_figures(run, View())
    assert set(figs) >= {"boundary", "network", "curves"} and ("hidden" in figs) == bool(layers)
    for name, fig in figs.items():
        go.Figure(fig)                                 # raises on anything plotly would reject
    # The pictures are the browser's: a surface image with no source yet, no tiles, no edges,
    # lines without points (hover markers and curves are templates)
    assert figs["boundary"]["layout"]["images"][0]["source"] == ""
    assert not figs["network"]["layout"].get("images")
    assert [t["meta"]["hover"] for t in figs["network"]["data"]] == ["weights", "units"]
    assert all(len(t["x"]) == 0 for t in figs["network"]["data"] + figs["curves"]["data"])
    if layers:       # the grid line's points are the browser's; the training points are in the input plane
        assert len(figs["hidden"]["data"][0]["x"]) == 0 and figs["hidden"]["data"][1]["x"]["dtype"] == "f4"
    assert len(json.dumps(figs)) < 30_000                 # small: points and layout only


def test_curves_figure_has_a_line_per_series_without_points():
    fig = curves_figure("accuracy", 3, has_test=True, log_y=True)
    names = [t["name"] for t in fig["data"]]
    assert names == ["train loss", "train accuracy", "test loss", "test accuracy", "layer 1", "layer 2", "layer 3"]
    assert [t["meta"]["series"] for t in fig["data"]] == ["cost", "score", "test_cost", "test_score"] + ["grad_norm"] * 3
    assert [t["meta"].get("layer") for t in fig["data"][4:]] == [0, 1, 2]
    assert {t["type"] for t in fig["data"]} == {"scatter"}          # no bar subplot
    assert [t["line"].get("dash") for t in fig["data"][:4]] == [None, None, "dot", "dot"]   # test dotted
    lay = fig["layout"]
    assert lay["yaxis"]["type"] == "log" and lay["yaxis3"]["type"] == "log" and not lay["showlegend"]
    assert lay["xaxis"]["type"] == lay["xaxis3"]["type"] == "log"    # epochs on a log axis
    assert "Loss (top), accuracy (bottom) by epoch" in lay["title"]["text"] and "train solid, test dotted" in lay["title"]["text"]
    plain = curves_figure("r2", 1, has_test=False, key="delta_mean")
    assert [t["name"] for t in plain["data"]] == ["train loss", "train R²", "layer 1"]
    assert plain["data"][-1]["meta"]["series"] == "delta_mean" and "mean |δ|" in plain["layout"]["title"]["text"]
    assert plain["layout"]["yaxis"]["rangemode"] == "tozero"         # a linear loss axis starts at 0


def test_network_diagram_draws_every_edge_with_its_sign():
    W1 = np.array([[1.0, -2.0], [0.5, 0.0], [-0.1, 3.0]])
    W2 = np.array([[2.0, -1.0, 0.25]])
    tiles = [np.zeros((2, 4, 4)), np.ones((3, 4, 4)), -np.ones((1, 4, 4))]
    fig = network_figure(tiles, [W1, W2], [np.zeros(3), np.zeros(1)], ["in", "h", "out"])
    lines = [t for t in fig["data"] if t["mode"] == "lines"]
    n_segments = sum(np.isnan(np.frombuffer(base64.b64decode(t["x"]["bdata"]), np.float32)).sum() for t in lines)
    assert n_segments == W1.size + W2.size
    colours = {t["line"]["color"] for t in lines}
    assert len(colours) == 2                          # both signs present
    hover = [t for t in fig["data"] if t["mode"] == "markers"][0]["text"]
    assert "W1[1,2] = -2.0000" in hover
    img = decode_png(fig["layout"]["images"][0]["source"])
    assert img.shape[2] == 3 and (img != 255).any()
    bare = network_figure(tiles, [W1, W2], [np.zeros(3), np.zeros(1)], ["in", "h", "out"], hover=False)
    assert [t for t in bare["data"] if t["mode"] == "markers"] == []
    assert [t["line"] for t in bare["data"]] == [t["line"] for t in lines]    # same edges


def test_every_layer_has_its_own_colour_apart_from_the_class_colours():
    from explorer.choices.settings_table import MAX_HIDDEN_LAYERS
    from explorer.figures.theme import BLUE, CLASS_COLORS, LAYER_COLORS, ORANGE
    assert len(set(LAYER_COLORS)) == len(LAYER_COLORS) >= MAX_HIDDEN_LAYERS + 1
    assert not {BLUE, ORANGE, *CLASS_COLORS[:2], "#1f77b4", "#ff7f0e"} & set(LAYER_COLORS)
