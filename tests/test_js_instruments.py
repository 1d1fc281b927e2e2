"""The browser's instruments (explorer/live/static/histograms.js, metrics.js) equal core's.

The live view computes its metrics and its weight and activation histograms in the browser,
from the weights each frame carries and the points of the setup message, with the network's
forward pass in JS (forward.js, proven equal to core by tests/test_js_forward.py). Here they run
in headless Chromium, as tests/test_js_forward.py runs forward.js, on random float64 networks
over every hidden activation and random raw points (features, with and without standardisation):

* histograms.js's edges and counts per layer equal ``core.histograms.weight_histograms`` and
  ``activation_histograms`` (edges of W bit for bit, of a to 1e-12 of their largest magnitude:
  forward.js's a may differ from numpy's in the last bits; every count exactly), and
  its saturated and dead shares equal core's exactly, with the saturation ranges taken from the
  activation registry and the bins from ``core.histograms.DEFAULT_BINS`` (what the setup sends);
* metrics.js's confusion matrix, precision and recall equal scikit-learn's on core's predictions
  (``Network.predict``), its accuracy ``core.metrics.accuracy``, its R² ``core.metrics.r2`` and its
  RMSE √mean((a − t)²), on a split of the rows as the live view uses them (training, then test).
"""
from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, precision_score, recall_score

from core import ACTIVATIONS, Network, hidden_activations
from core.features import Standardizer, feature_matrix
from core.histograms import DEFAULT_BINS, activation_histograms, weight_histograms
from core.metrics import accuracy, r2
from tests.browser import browser_page

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[1] / "explorer" / "live" / "static"
SCRIPTS = ("forward.js", "metrics.js", "histograms.js")
RTOL = 1e-12

# In the page: each case's points through forward.js, then histograms.js or metrics.js.
RUN = """(cases) => {
  const b64 = a => { const u = new Uint8Array(Float64Array.from(a).buffer); let s = "";
                     for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000));
                     return btoa(s); };
  return cases.map(c => {
    const fwd = BPForward.create(c.model), w = Float64Array.from(c.weights), A = fwd.run(w);
    if (c.kind === "hist") {
      return BPHistograms.compute(w, A, c.spec).map(h => ({
        W: {edges: b64(h.W.edges), counts: Array.from(h.W.counts), size: h.W.size},
        a: h.a && {edges: b64(h.a.edges), counts: Array.from(h.a.counts), saturated: h.a.saturated, dead: h.a.dead}}));
    }
    const out = A[A.length - 1], K = c.model.sizes[c.model.sizes.length - 1];
    return c.splits.map(([lo, hi]) => {
      if (c.kind === "regression") return BPMetrics.regression(out, Float64Array.from(c.truth), lo, hi);
      const pred = new Int32Array(c.truth.length).fill(-1);
      const m = BPMetrics.confusion(out, K, Int32Array.from(c.truth), lo, hi, c.classes, pred);
      return {C: Array.from(m.C), accuracy: m.accuracy, n: m.n, precision: Array.from(m.precision, v => v === v ? v : null),
              recall: Array.from(m.recall, v => v === v ? v : null), pred: Array.from(pred)};
    });
  });
}"""


def f64(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.float64)


@pytest.fixture(scope="module")
def page():
    with browser_page(400, 300) as p:
        p.set_content("<!doctype html><html><body></body></html>")
        for name in SCRIPTS:
            p.add_script_tag(content=(STATIC / name).read_text())
        yield p


def points(rng, n: int, feats, standardize: bool):
    """Raw points X (n, 2), what the first layer sees F (n, S_0), and the standardiser's mean and
    scale (None without), as explorer.training.run builds them."""
    X = rng.normal(scale=2.0, size=(n, 2))
    F = feature_matrix(X, feats)
    if not standardize:
        return X, F, None, None
    sc = Standardizer().fit(F)
    return X, sc.transform(F), sc.mean.tolist(), sc.std.tolist()


def model(net, feats, X, mean, scale) -> dict:
    return {"sizes": net.sizes, "activations": [layer.activation.name for layer in net.layers], "features": list(feats),
            "points": {"x1": X[:, 0].tolist(), "x2": X[:, 1].tolist()}, "mean": mean, "scale": scale}


def weights(net) -> list:
    return np.concatenate([layer.Wb.ravel() for layer in net.layers]).tolist()


def hist_cases(rng):
    """(name, net, feats, X, F, mean, scale): every hidden activation, saturating weights, a
    unit made dead (a very negative bias, tiny weights: never positive, or saturated at its
    floor), and a network of zeros (constant values: unit-wide edges)."""
    feature_sets = [("x1", "x2"), ("x1", "x2", "x1sq", "x2sq", "x1x2"), ("sinx1", "sinx2", "x1")]
    hidden = hidden_activations()
    out = []
    for i, h in enumerate(hidden):
        for scale in (0.3, 4.0):
            feats = feature_sets[(i + int(scale)) % len(feature_sets)]
            layers = [(6, h), (5, hidden[(i + 1) % len(hidden)]), (3 if i % 2 else 1, "softmax" if i % 2 else "sigmoid")]
            net = Network(len(feats), layers, "mse", seed=int(rng.integers(1 << 30)))
            for layer in net.layers:
                layer.Wb[...] = rng.normal(scale=scale, size=layer.Wb.shape)
            net.layers[0].W[1] *= 1e-3                 # unit 2 of layer 1: tiny weights, a bias far below 0
            net.layers[0].b[1] = -60.0
            X, F, mean, sc = points(rng, 150, feats, bool(i % 2))
            out.append((f"{h} ×{scale}", net, feats, X, F, mean, sc))
    net = Network(2, [(4, "tanh"), (3, "relu"), (1, "sigmoid")], "mse", seed=0)
    for layer in net.layers:
        layer.Wb[...] = 0.0
    X, F, mean, sc = points(rng, 80, ("x1", "x2"), False)
    out.append(("zeros", net, ("x1", "x2"), X, F, mean, sc))
    return out


def test_every_hidden_activation_has_a_slope_rule(page):
    assert page.evaluate("Object.keys(BPHistograms.FLAT).sort()") == sorted(hidden_activations()), \
        "histograms.js must say where σ' is 0 for every activation a hidden layer may use"


def test_js_histograms_equal_core(page):
    rng = np.random.default_rng(20)
    cases = hist_cases(rng)
    specs = [{"kind": "hist", "model": model(net, feats, X, mean, sc), "weights": weights(net),
              "spec": {"sizes": net.sizes, "activations": [layer.activation.name for layer in net.layers],
                       "saturated": [None if layer.activation.saturated_outside is None
                                     else list(layer.activation.saturated_outside) for layer in net.layers],
                       "bins": DEFAULT_BINS, "n": len(X)}}
             for _, net, feats, X, F, mean, sc in cases]
    got = page.evaluate(RUN, specs)
    seen_saturated = seen_dead = 0
    for (name, net, feats, X, F, *_), js in zip(cases, got):
        Wh, Ah = weight_histograms([net]), activation_histograms([net], F)
        assert len(js) == len(net.layers), name
        for l, (w, entry) in enumerate(zip(Wh, js)):
            assert np.array_equal(f64(entry["W"]["edges"]), w.edges), (name, l)
            assert entry["W"]["counts"] == w.counts[0].tolist(), (name, l)
            assert entry["W"]["size"] == net.layers[l].W.size
        assert js[-1]["a"] is None, name                       # the output layer: W only, as core
        for l, a in enumerate(Ah):
            ja = js[l]["a"]
            np.testing.assert_allclose(f64(ja["edges"]), a.edges, rtol=0, atol=RTOL * np.abs(a.edges).max(),
                                       err_msg=f"{name} layer {l + 1}")      # (relative to the range: an edge may be ≈ 0)
            assert ja["counts"] == a.counts[0].tolist(), (name, l)
            if a.saturated is None:
                assert ja["saturated"] is None, (name, l)
            else:
                assert ja["saturated"] == a.saturated[0], (name, l)
                seen_saturated += a.saturated[0] > 0
            assert ja["dead"] == a.dead[0], (name, l)
            seen_dead += a.dead[0] > 0
    assert seen_saturated >= 3 and seen_dead >= 5          # the cases exercise both shares


def metric_cases(rng):
    """(name, net, feats, X, F, mean, scale, truth, classes, splits): a sigmoid unit, softmax over 3
    and 4 classes (one class never predicted: its precision is undefined), a one-unit tanh output
    read as a sigmoid's (a > ½), a network of zeros (a = ½ exactly: class 0) and regression; splits
    as the live view's (training, test)."""
    out = []
    for name, layers, classes in (("sigmoid", [(5, "tanh"), (1, "sigmoid")], 2),
                                  ("softmax 3", [(6, "relu"), (3, "softmax")], 3),
                                  ("softmax 4, class 2 never", [(4, "leaky_relu"), (4, "softmax")], 4),
                                  ("tanh unit", [(3, "sigmoid"), (1, "tanh")], 2),
                                  ("zeros: a = ½ everywhere, class 0", [(3, "tanh"), (1, "sigmoid")], 2),
                                  ("regression", [(6, "tanh"), (1, "linear")], None)):
        feats = ("x1", "x2", "x1x2")
        net = Network(len(feats), layers, "mse", seed=int(rng.integers(1 << 30)))
        for layer in net.layers:
            layer.Wb[...] = rng.normal(scale=1.5, size=layer.Wb.shape)
        if "never" in name:
            net.layers[-1].b[2] = -100.0
        if "zeros" in name:
            for layer in net.layers:
                layer.Wb[...] = 0.0
        X, F, mean, sc = points(rng, 200, feats, True)
        truth = rng.integers(0, classes, size=len(X)) if classes else rng.normal(size=len(X))
        out.append((name, net, feats, X, F, mean, sc, truth, classes, [(0, 160), (160, 200), (0, 200)]))
    return out


def test_js_metrics_equal_core_and_scikit_learn(page):
    rng = np.random.default_rng(7)
    cases = metric_cases(rng)
    specs = [{"kind": "classification" if classes else "regression", "model": model(net, feats, X, mean, sc),
              "weights": weights(net), "truth": truth.tolist(), "classes": classes, "splits": splits}
             for _, net, feats, X, F, mean, sc, truth, classes, splits in cases]
    got = page.evaluate(RUN, specs)
    undefined = 0
    for (name, net, feats, X, F, mean, sc, truth, classes, splits), js in zip(cases, got):
        a = net.predict_proba(F)
        for (lo, hi), m in zip(splits, js):
            t, a_s = truth[lo:hi], a[lo:hi]
            if classes is None:
                T = t[:, None]
                np.testing.assert_allclose(m["r2"], r2(a_s, T), rtol=RTOL, err_msg=name)
                np.testing.assert_allclose(m["rmse"], np.sqrt(np.mean((a_s - T) ** 2)), rtol=RTOL, err_msg=name)
                continue
            pred = (a_s[:, 0] > 0.5).astype(int) if a.shape[1] == 1 else a_s.argmax(axis=1)
            if net.layers[-1].activation.classifier:
                assert np.array_equal(pred, net.predict(F)[lo:hi]), name
            labels = list(range(classes))
            assert m["pred"][lo:hi] == pred.tolist(), name
            C = confusion_matrix(t, pred, labels=labels)
            assert np.array_equal(np.array(m["C"]).reshape(classes, classes), C), (name, lo, hi)
            T = np.eye(classes)[t] if a.shape[1] > 1 else t[:, None].astype(float)
            assert m["accuracy"] == pytest.approx(accuracy(a_s, T), abs=1e-15) and m["n"] == hi - lo
            for mine, theirs in ((m["precision"], precision_score(t, pred, labels=labels, average=None, zero_division=np.nan)),
                                 (m["recall"], recall_score(t, pred, labels=labels, average=None, zero_division=np.nan))):
                mine = np.array([np.nan if v is None else v for v in mine])
                undefined += int(np.isnan(theirs).sum())
                np.testing.assert_allclose(mine, theirs, rtol=RTOL, equal_nan=True, err_msg=name)
    assert undefined >= 3                                  # a never-predicted class: precision NaN, as scikit-learn's
