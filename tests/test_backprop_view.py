"""The backpropagation view in the real app (Streamlit AppTest): the numbers it shows are the engine's.

Each test opens app.py, switches to the backprop page, clicks through Forward → Backward →
Update with the view's own buttons, reads the matrices back from the plotly chart specs
(their float64 ``z``) and the formulas from ``st.latex``, and compares them with the
engine's forward/backward on the same training rows.
"""
from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.activations import Softmax
from explorer.pages.backprop.notation import sup
from explorer.pages.backprop.one_pass import batch_indices
from explorer.pages.lessons import LESSONS

APP = str(Path(__file__).resolve().parents[1] / "explorer" / "pages" / "main.py")   # the page script app.py serves
PAGE = "backprop"
ERRS = ["relative error ∂J/∂W", "relative error ∂J/∂b"]


def open_view(**widgets) -> AppTest:
    """The app on the backprop page; ``widgets`` (key=value) are then set through the widgets themselves."""
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.segmented_control(key="page").set_value(PAGE).run()
    for key, value in widgets.items():
        _widget(at, key).set_value(value).run()
    assert not at.exception
    return at


def _widget(at, key):
    for kind in ("selectbox", "radio", "slider", "toggle", "segmented_control", "select_slider"):
        found = [w for w in getattr(at, kind) if w.key == key]
        if found:
            return found[0]
    raise KeyError(key)


def matrices(at) -> dict[str, np.ndarray]:
    """label → values of every matrix heatmap on the page, decoded from the chart specs."""
    out = {}
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        trace = spec["data"][0]
        if trace.get("type") == "heatmap" and "name" in trace:
            z = trace["z"]
            shape = tuple(int(s) for s in z.get("shape", str(len(trace["y"]))).split(","))
            out[trace["name"]] = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)
    return out


def engine(at):
    """The run, and the engine's forward/backward on the rows the view shows."""
    ss = at.session_state
    run = ss["run"]
    N = len(run.data.F_train)
    n = ss["bp_batch"] if ss["bp_source"] == "a mini-batch" else 1
    idx = batch_indices(N, ss["bp_example"] - 1, n)
    X, T = run.data.F_train[idx], run.net.targets(run.data.y_train[idx])
    fwd = run.net.forward(X)
    return run, X, T, fwd, run.net.backward(fwd, T, run.trainer.l1, run.trainer.l2)


def click_next(at) -> None:
    at.button(key="bp_next").click().run()
    assert not at.exception


def walk_and_check(at, notation: str):
    """Click through every step, checking each one's matrices against the engine; returns the run."""
    o = (lambda M: M) if notation == "rows" else (lambda M: M.T)
    run, X, T, fwd, bwd = engine(at)
    L, eta = len(run.net.layers), run.trainer.learning_rate
    W0 = [layer.W.copy() for layer in run.net.layers]
    b0 = [layer.b.copy() for layer in run.net.layers]
    version = run.version
    for l in range(1, L + 1):                                          # Forward, layer l
        m = matrices(at)
        np.testing.assert_array_equal(m["Z" + sup(l)], o(fwd.Z[l - 1]))
        np.testing.assert_array_equal(m["A" + sup(l)], o(fwd.A[l]))
        np.testing.assert_array_equal(m["W" + sup(l)], W0[l - 1])
        top = r"W^{(%d)}{}^\top" % l
        assert any(top in el.value for el in at.latex) == (notation == "rows")
        click_next(at)
    m = matrices(at)                                                   # Output error
    assert m["A" + sup(L)].shape == o(fwd.A[-1]).shape
    np.testing.assert_array_equal(m["T"], o(T))
    np.testing.assert_array_equal(m["∂L/∂A" + sup(L)], o(run.net.loss.grad(fwd.A[-1], T)))
    output = m
    click_next(at)
    for l in range(L, 0, -1):                                          # Backward, layer l
        m = matrices(at)
        np.testing.assert_array_equal(m["δ" + sup(l)], o(bwd.delta[l - 1]))
        np.testing.assert_array_equal(m[f"∂J/∂W{sup(l)}"], bwd.dW[l - 1])
        if l < L:
            np.testing.assert_array_equal(m["∂L/∂A" + sup(l)], o(bwd.Delta[l - 1]))
        click_next(at)
    m = matrices(at)                                                   # Update, applied by that click
    assert run.version == version + 1
    for l, layer in enumerate(run.net.layers, start=1):
        np.testing.assert_array_equal(m[f"W{sup(l)} before"], W0[l - 1])
        np.testing.assert_array_equal(m[f"η ∂J/∂W{sup(l)}"], eta * bwd.dW[l - 1])
        np.testing.assert_array_equal(m[f"W{sup(l)} after"], W0[l - 1] - eta * bwd.dW[l - 1])
        np.testing.assert_array_equal(layer.W, W0[l - 1] - eta * bwd.dW[l - 1])
        np.testing.assert_array_equal(layer.b, b0[l - 1] - eta * bwd.db[l - 1])
    assert any(f"\\eta = {eta:g}" in el.value for el in at.latex)
    assert at.button(key="bp_next").disabled
    return run, X, T, fwd, bwd, output


@pytest.mark.parametrize("notation", ["rows", "columns"])
def test_binary_sigmoid_bce_walkthrough_shows_the_engines_numbers(notation):
    at = open_view(bp_notation=notation)
    run, X, T, fwd, bwd, out = walk_and_check(at, notation)
    assert run.net.output == "sigmoid" and run.net.loss.name == "binary_cross_entropy"
    o = (lambda M: M) if notation == "rows" else (lambda M: M.T)
    np.testing.assert_array_equal(out["δ⁽²⁾ = A − T"], o(fwd.A[-1] - T))
    np.testing.assert_allclose(out["∂L/∂A⁽²⁾ ⊙ σ'(Z)"], o(fwd.A[-1] - T), rtol=1e-9, atol=1e-12)
    W_new = [layer.W.copy() for layer in run.net.layers]
    at.segmented_control(key="page").set_value("live").run()     # the live view continues from here
    assert not at.exception and at.session_state["run"] is run
    for layer, W in zip(run.net.layers, W_new):
        np.testing.assert_array_equal(layer.W, W)


@pytest.mark.parametrize("notation", ["rows", "columns"])
def test_multiclass_softmax_ce_minibatch_walkthrough(notation):
    at = open_view(ds="multi_blobs", bp_source="a mini-batch", bp_batch=5, bp_notation=notation)
    run, X, T, fwd, bwd, out = walk_and_check(at, notation)
    assert run.net.output == "softmax" and run.net.loss.name == "cross_entropy" and X.shape[0] == 5
    o = (lambda M: M) if notation == "rows" else (lambda M: M.T)
    np.testing.assert_array_equal(out["δ⁽²⁾ = Ŷ − Y"], o(fwd.A[-1] - T))
    np.testing.assert_array_equal(out["∂a/∂z of example 1"], Softmax.jacobian(fwd.A[-1])[0])
    np.testing.assert_allclose(out["δ⁽²⁾ (Jacobian, every example)"], o(fwd.A[-1] - T), rtol=1e-9, atol=1e-12)


def test_softmax_with_mse_takes_the_full_jacobian_path():
    at = open_view(ds="multi_blobs", loss="mse", bp_source="a mini-batch", bp_batch=4, bp_jac=3)
    run, X, T, fwd, bwd, out = walk_and_check(at, "rows")
    assert run.net.output == "softmax" and run.net.loss.name == "mse"
    J = Softmax.jacobian(fwd.A[-1])[2]
    np.testing.assert_array_equal(out["∂a/∂z of example 3"], J)
    one = out["δ⁽²⁾ of example 3 (Jacobian × ∂L/∂A⁽²⁾)"]
    np.testing.assert_allclose(one.ravel(), (fwd.A[-1] - T)[2] @ J, rtol=1e-12)
    np.testing.assert_array_equal(out["δ⁽²⁾ (Jacobian, every example)"], bwd.delta[-1])
    assert "δ⁽²⁾ = Ŷ − Y" not in out


@pytest.mark.parametrize("notation", ["rows", "columns"])
def test_regression_walkthrough(notation):
    at = open_view(ds="reg_plane", bp_notation=notation, bp_example=7)
    run, X, T, fwd, bwd, out = walk_and_check(at, notation)
    assert run.net.output == "linear" and run.net.loss.name == "mse"
    o = (lambda M: M) if notation == "rows" else (lambda M: M.T)
    np.testing.assert_array_equal(out["δ⁽²⁾"], o(fwd.A[-1] - T))


def test_h_and_delta_names_and_show_all_steps_with_apply():
    at = open_view(bp_H=True, bp_mode="Show all steps", bp_notation="columns")
    m = matrices(at)
    assert "H⁽¹⁾" in m and "Δ⁽¹⁾" in m and "δ⁽¹⁾" not in m
    assert any(r"\Delta^{(1)}" in el.value for el in at.latex)
    titles = [el.value for el in at.markdown]
    for title in ("Forward, layer 1", "Output error", "Backward, layer 1", "Update"):
        assert any(title in t for t in titles)
    run = at.session_state["run"]
    version, after = run.version, m["W⁽¹⁾ after"]
    at.button(key="bp_apply").click().run()
    assert not at.exception and run.version == version + 1
    np.testing.assert_array_equal(run.net.layers[0].W, after)


@pytest.mark.parametrize("lesson", list(LESSONS))
def test_every_preset_builds_and_its_gradient_check_passes(lesson):
    at = open_view()
    at.button(key=f"bp_lesson_view_{lesson}").click().run()
    assert not at.exception
    run = at.session_state["run"]
    cfg = LESSONS[lesson].config
    assert (run.cfg.data, run.cfg.net, run.cfg.train) == (cfg.data, cfg.net, cfg.train)
    assert any(LESSONS[lesson].look_for in el.value for el in at.info)
    for source, n in (("one example", 1), ("a mini-batch", 16)):
        _widget(at, "bp_source").set_value(source).run()
        if n > 1:
            _widget(at, "bp_batch").set_value(n).run()
        assert not at.exception
        df = at.dataframe[0].value
        assert list(df["layer"]) == list(range(1, len(run.net.layers) + 1))
        assert (df[ERRS] < 1e-6).all().all(), f"{lesson}, {source}:\n{df}"
