"""The browser's forward pass (explorer/live/static/forward.js) equals core's.

forward.js computes the decision surface and the neuron tiles from the weights the live
channel sends. Here it runs in headless Chromium on random float64 networks over every
activation in ``core.ACTIVATIONS`` (hidden and output), every input feature, with and
without standardisation, and each layer's a^(l) over the same 100×100 grid as
``explorer.training.run`` must match ``core.Network.forward`` (and the output ``predict_proba``) to
1e-12, relative to the largest |a| of that layer (an elementwise relative bound would
demand more than double precision where z cancels to nearly 0; numpy's matrix product may
sum in another order or with FMA).
"""
from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pytest

from core import ACTIVATIONS, Network
from core.features import FEATURES, Standardizer, feature_matrix
from tests.browser import browser_page

pytestmark = pytest.mark.browser

FORWARD_JS = Path(__file__).resolve().parents[1] / "explorer" / "live" / "static" / "forward.js"
G = 100
RTOL = 1e-12

RUN = """(cases) => {
  function b64(a) {           // Float64Array -> base64 of its bytes (exact, unlike JSON)
    const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    let s = "";
    for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000));
    return btoa(s);
  }
  return cases.map(c => {
    const fwd = BPForward.create(c.model);
    const acts = fwd.run(Float64Array.from(c.weights));
    return acts.map(b64);
  });
}"""


def grid_xs(extent: float) -> np.ndarray:
    return np.linspace(-extent, extent, G)


def grid_features(xs: np.ndarray, feature_ids, standardize: bool, rng: np.random.Generator):
    """F_grid as explorer.training.run.build_data builds it; the standardiser fitted on random points."""
    gx, gy = np.meshgrid(xs, xs)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    F = feature_matrix(grid, feature_ids)
    if not standardize:
        return F, None, None
    sc = Standardizer().fit(feature_matrix(rng.normal(size=(200, 2)) * 2.0, feature_ids))
    return sc.transform(F), sc.mean, sc.std


def random_net(n_inputs: int, layers, rng: np.random.Generator) -> Network:
    net = Network(n_inputs, layers, "mse", seed=int(rng.integers(1 << 30)))
    for layer in net.layers:   # weights and biases large enough to saturate and to cross 0
        layer.Wb[...] = rng.normal(scale=1.5, size=layer.Wb.shape)
    return net


def cases():
    """(name, feature ids, standardize, layers): every activation hidden and as the output,
    every feature, with and without standardisation."""
    hidden = [k for k, v in ACTIVATIONS.items() if not v.output_only]
    feature_sets = [("x1", "x2"), tuple(FEATURES), ("x1sq", "x2sq", "x1x2"), ("sinx1", "sinx2", "x1"), ("x2",)]
    out = []
    i = 0
    for act in ACTIVATIONS:
        for units in ((1, 3) if act != "softmax" else (2, 4)):
            h = hidden[i % len(hidden)]
            feats = feature_sets[i % len(feature_sets)]
            out.append((f"{h}->{act}x{units}", feats, i % 2 == 0, [(5, h), (3, hidden[(i + 1) % len(hidden)]), (units, act)]))
            i += 1
    for h in hidden:                  # each hidden activation alone before each common output
        for o, units in (("sigmoid", 1), ("softmax", 3), ("linear", 1)):
            out.append((f"{h}-{h}->{o}", feature_sets[i % len(feature_sets)], i % 2 == 1, [(4, h), (4, h), (units, o)]))
            i += 1
    out.append(("6x8 tanh", ("x1", "x2"), True, [(8, "tanh")] * 6 + [(1, "sigmoid")]))
    out.append(("no hidden layer", ("x1", "x2"), False, [(1, "sigmoid")]))
    return out


def test_every_activation_has_cases():
    used = {act for *_, layers in cases() for _, act in layers}
    assert used == set(ACTIVATIONS), set(ACTIVATIONS) - used


def test_js_forward_equals_core():
    rng = np.random.default_rng(7)
    specs, expected = [], []
    for name, feats, std, layers in cases():
        xs = grid_xs(float(rng.choice([1.5, 3.0, 6.0])))
        F, mean, scale = grid_features(xs, feats, std, rng)
        net = random_net(len(feats), layers, rng)
        fwd = net.forward(F)
        expected.append((name, fwd.A, net.predict_proba(F)))
        specs.append({"model": {"sizes": net.sizes, "activations": [layer.activation.name for layer in net.layers],
                                "features": list(feats), "mean": None if mean is None else mean.tolist(),
                                "scale": None if scale is None else scale.tolist(),
                                # the wire's form (numpy.linspace in JS), or the axes themselves
                                **({"grid": {"x": [xs[0], xs[-1], G], "y": [xs[0], xs[-1], G]}} if len(specs) % 2
                                   else {"xs": xs.tolist(), "ys": xs.tolist()})},
                      "weights": np.concatenate([layer.Wb.ravel() for layer in net.layers]).tolist()})
    with browser_page(400, 300) as page:
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(content=FORWARD_JS.read_text())
        assert page.evaluate("Object.keys(BPForward.ACTIVATIONS).sort()") == sorted(ACTIVATIONS), \
            "forward.js must implement every activation in core.ACTIVATIONS"
        assert page.evaluate("Object.keys(BPForward.FEATURES).sort()") == sorted(FEATURES)
        got = page.evaluate(RUN, specs)
    for (name, A, P), js in zip(expected, got):
        assert len(js) == len(A), name
        for l, (ref, enc) in enumerate(zip(A, js)):
            a = np.frombuffer(base64.b64decode(enc), dtype=np.float64).reshape(ref.shape)
            scale = max(float(np.abs(ref).max()), 1e-300)
            err = float(np.abs(a - ref).max()) / scale
            assert err <= RTOL, f"{name}: a^({l}) differs from core by {err:.2e} of its scale"
        err = float(np.abs(a - P).max()) / max(float(np.abs(P).max()), 1e-300)
        assert err <= RTOL, f"{name}: output differs from predict_proba by {err:.2e}"


PAINT_JS = FORWARD_JS.parent / "paint.js"

PAINT = """(cases) => {
  function b64(u) {
    let s = "";
    for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000));
    return btoa(s);
  }
  return cases.map(c => {
    const fwd = BPForward.create(c.model);
    const acts = fwd.run(Float64Array.from(c.weights));
    const L = c.model.activations.length, K = c.model.sizes[L];
    const pal = BPPaint.palette(c.colors);
    const surf = BPPaint.surface(acts[L], K, fwd.gx, fwd.gy, c.problem, c.discretize, c.strength,
                                 new Uint8Array(fwd.n * 4), pal);
    const geo = BPPaint.diagram(c.model.sizes, 20);
    const mos = BPPaint.mosaic(acts, c.model.sizes, c.squash, fwd.gx, 5, geo,
                               new Uint8Array(geo.H * geo.W * 4), pal);
    return [b64(surf), b64(mos), geo.H, geo.W];
  });
}"""


def png_pixels(uri: str) -> np.ndarray:
    """Our own PNG data URIs (explorer.figures.encode: RGB, filter 0) back to (H, W, 3)."""
    import struct
    import zlib
    png = base64.b64decode(uri.split(",", 1)[1])
    w, h = struct.unpack(">II", png[16:24])
    pos, idat = 8, b""
    while pos < len(png):
        n = struct.unpack(">I", png[pos:pos + 4])[0]
        if png[pos + 4:pos + 8] == b"IDAT":
            idat += png[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + 3 * w)
    return raw[:, 1:].reshape(h, w, 3)


def test_js_pictures_equal_python():
    """The surface (every output kind, discretised or not, normal and presentation strength)
    and the neuron-tile mosaic painted in JS, with the colours and the squash rule the setup
    message carries, equal the Python figures' PNGs (±1 level where a float rounding lands on
    the other side of an integer)."""
    from types import SimpleNamespace

    from explorer.figures.boundary import surface_rgb
    from explorer.figures.network_diagram import network_figure
    from explorer.live.setup_message import colors, neuron_tiles, squashed

    rng = np.random.default_rng(11)
    kinds = [("classification", [(4, "tanh"), (1, "sigmoid")]), ("classification", [(5, "relu"), (3, "softmax")]),
             ("regression", [(4, "tanh"), (1, "linear")]), ("classification", [(3, "sigmoid"), (2, "leaky_relu"), (4, "softmax")])]
    specs, expected = [], []
    for n, (problem, layers) in enumerate(kinds):
        for discretize in (False, True):
            feats = ("x1", "x2") if n % 2 else ("x1", "x2", "x1x2")
            xs = grid_xs(3.0)
            F, mean, scale = grid_features(xs, feats, bool(n % 2), rng)
            net = random_net(len(feats), layers, rng)
            acts = net.forward(F).A
            out = acts[-1]
            P = out.reshape(G, G, -1) if out.shape[1] > 1 else out[:, 0].reshape(G, G)
            strength = 0.8 if discretize else 0.6
            tiles = neuron_tiles(SimpleNamespace(net=net), acts)
            fig = network_figure(tiles, [layer.W for layer in net.layers], [layer.b for layer in net.layers],
                                 ["c"] * len(net.sizes), hover=False)
            expected.append((surface_rgb(P, problem, discretize, strength), png_pixels(fig["layout"]["images"][0]["source"])))
            specs.append({"model": {"sizes": net.sizes, "activations": [layer.activation.name for layer in net.layers],
                                    "features": list(feats), "xs": xs.tolist(), "ys": xs.tolist(),
                                    "mean": None if mean is None else mean.tolist(),
                                    "scale": None if scale is None else scale.tolist()},
                          "weights": np.concatenate([layer.Wb.ravel() for layer in net.layers]).tolist(),
                          "problem": problem, "discretize": discretize, "strength": strength, "colors": colors(),
                          "squash": squashed(SimpleNamespace(net=net))})
    with browser_page(400, 300) as page:
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(content=FORWARD_JS.read_text())
        page.add_script_tag(content=PAINT_JS.read_text())
        got = page.evaluate(PAINT, specs)
    for spec, (surf, mos), (s64, m64, H, W) in zip(specs, expected, got):
        js = np.frombuffer(base64.b64decode(s64), np.uint8).reshape(G, G, 4)
        assert (js[..., 3] == 255).all()
        diff = np.abs(js[..., :3].astype(int) - surf)
        assert diff.max() <= 1 and (diff > 0).mean() < 0.01, (spec["problem"], spec["discretize"], diff.max())
        js = np.frombuffer(base64.b64decode(m64), np.uint8).reshape(H, W, 4)
        assert js.shape[:2] == mos.shape[:2]
        diff = np.abs(js[..., :3].astype(int) - mos)
        assert diff.max() <= 1 and (diff > 0).mean() < 0.01, ("mosaic", spec["model"]["sizes"], diff.max())


def test_js_forward_on_points_equals_core():
    """The same pass over arbitrary points (the hidden-space view's data points)."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 2)) * 2.0
    feats = ("x1", "x2", "x1x2", "sinx1")
    sc = Standardizer().fit(feature_matrix(X, feats))
    net = random_net(len(feats), [(2, "tanh"), (3, "relu"), (3, "softmax")], rng)
    A = net.forward(sc.transform(feature_matrix(X, feats))).A
    spec = {"model": {"sizes": net.sizes, "activations": [layer.activation.name for layer in net.layers],
                      "features": list(feats), "mean": sc.mean.tolist(), "scale": sc.std.tolist(),
                      "points": {"x1": X[:, 0].tolist(), "x2": X[:, 1].tolist()}},
            "weights": np.concatenate([layer.Wb.ravel() for layer in net.layers]).tolist()}
    with browser_page(400, 300) as page:
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(content=FORWARD_JS.read_text())
        got = page.evaluate(RUN, [spec])[0]
    for l, (ref, enc) in enumerate(zip(A, got)):
        a = np.frombuffer(base64.b64decode(enc), dtype=np.float64).reshape(ref.shape)
        assert float(np.abs(a - ref).max()) <= RTOL * float(np.abs(ref).max()), l


def test_the_live_client_holds_no_copy_of_the_python_colours():
    """The colours come in the setup message (explorer.live.setup_message.colors): no hand-written JS of
    the live component spells one of theme's (nor any "#rrggbb": a colour is Python's)."""
    import re

    from explorer.figures import theme
    theirs = {c.lower() for c in theme.CLASS_COLORS + theme.LAYER_COLORS + [theme.ORANGE, theme.BLUE, theme.WHITE]}
    for js in FORWARD_JS.parent.glob("*.js"):
        if js.name.endswith(".min.js"):            # vendored bundles
            continue
        found = {m.lower() for m in re.findall(r"#[0-9a-fA-F]{6}\b", js.read_text())}
        assert not found, f"{js.name} spells colours {sorted(found)} (shared ones: {sorted(found & theirs)})"
