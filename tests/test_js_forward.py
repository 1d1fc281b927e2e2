"""The browser's forward pass (explorer/live/static/forward.js) equals core's.

forward.js computes the decision surface and the neuron tiles from the weights the live
channel sends. Here it runs in headless Chromium on random float64 networks over every
activation in ``core.ACTIVATIONS`` (hidden and output), every input feature, with and
without standardisation, and each layer's a^(l) over the same 100×100 grid as
``explorer.run`` must match ``core.Network.forward`` (and the output ``predict_proba``) to
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
    """F_grid as explorer.run.build_data builds it; the standardiser fitted on random points."""
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
                                "features": list(feats), "xs": xs.tolist(), "ys": xs.tolist(),
                                "mean": None if mean is None else mean.tolist(),
                                "scale": None if scale is None else scale.tolist()},
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
