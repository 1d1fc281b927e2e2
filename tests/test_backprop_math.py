"""The backprop view's numbers are the engine's own, in both notations, with the transposes right.

Examples are rows in the engine; "columns" shows every per-example matrix transposed.
Each test recomputes the engine's forward/backward independently and compares with
what ``explorer.pages.backprop`` (one_pass, steps) hands the view, and checks that the shown matrices
satisfy the shown formula (Z = A Wᵀ + 1bᵀ for rows, Z = W A + b1ᵀ for columns, ...).
"""
from __future__ import annotations

import base64
import copy

import numpy as np
import pytest

from core import Network
from core.activations import Softmax
from explorer.pages.backprop.notation import sup
from explorer.pages.backprop.one_pass import apply_update, batch_indices, compute_pass
from explorer.pages.backprop.steps import steps
from explorer.figures.matrix import matrix_figure

NETS = {   # name: (layers, loss, targets maker)
    "binary": ([(4, "tanh"), (3, "relu"), (1, "sigmoid")], "binary_cross_entropy", lambda r, n: r.integers(0, 2, n)),
    "multiclass": ([(5, "relu"), (3, "softmax")], "cross_entropy", lambda r, n: r.integers(0, 3, n)),
    "softmax_mse": ([(4, "tanh"), (3, "softmax")], "mse", lambda r, n: r.integers(0, 3, n)),
    "regression": ([(4, "tanh"), (2, "sigmoid"), (1, "linear")], "mse", lambda r, n: r.normal(size=n)),
}
ETA = 0.7


def make(name, n=5, seed=0):
    layers, loss, targets = NETS[name]
    rng = np.random.default_rng(seed)
    net = Network(2, layers, loss, seed=seed, init="xavier")
    for layer in net.layers:                                 # non-zero biases, so b shows up in the numbers
        layer.b = rng.normal(scale=0.3, size=layer.size)
    X = rng.normal(size=(n, 2))
    return net, X, net.targets(targets(rng, n))


def shown(step, label):
    matches = [m.values for m in step.matrices if m.label == label]
    assert len(matches) == 1, f"{label!r} not (uniquely) in {[m.label for m in step.matrices]}"
    return matches[0]


def by_title(all_steps, title):
    return next(s for s in all_steps if s.title == title)


@pytest.mark.parametrize("name", list(NETS))
@pytest.mark.parametrize("notation", ["rows", "columns"])
def test_forward_and_backward_numbers_are_the_engines(name, notation):
    net, X, T = make(name)
    p = compute_pass(net, X, T, ETA)
    fwd = net.forward(X)
    bwd = net.backward(fwd, T)
    o = (lambda M: M) if notation == "rows" else (lambda M: M.T)
    all_steps = steps(p, notation)
    L, n = len(net.layers), X.shape[0]
    assert [s.kind for s in all_steps] == ["forward"] * L + ["output"] + ["backward"] * L + ["update"]
    for l, layer in enumerate(net.layers, start=1):
        s = by_title(all_steps, f"Forward, layer {l}")
        A_prev = shown(s, "A⁽⁰⁾ = X" if l == 1 else "A" + sup(l - 1))
        W, Z, A = shown(s, "W" + sup(l)), shown(s, "Z" + sup(l)), shown(s, "A" + sup(l))
        np.testing.assert_array_equal(W, layer.W)
        np.testing.assert_array_equal(Z, o(fwd.Z[l - 1]))
        np.testing.assert_array_equal(A, o(fwd.A[l]))
        if notation == "rows":                             # Z = A_prev Wᵀ + 1 bᵀ, b shown as a row
            b = shown(s, f"b{sup(l)}ᵀ")
            assert Z.shape == (n, layer.size) and b.shape == (1, layer.size)
            np.testing.assert_allclose(Z, A_prev @ W.T + np.ones((n, 1)) @ b, rtol=1e-12, atol=1e-14)
            assert r"W^{(%d)}{}^\top" % l in s.formulas[0]
        else:                                              # Z = W A_prev + b 1ᵀ, b shown as a column
            b = shown(s, f"b{sup(l)}")
            assert Z.shape == (layer.size, n) and b.shape == (layer.size, 1)
            np.testing.assert_allclose(Z, W @ A_prev + b @ np.ones((1, n)), rtol=1e-12, atol=1e-14)
            assert r"\mathbf{1}_n{}^\top" in s.formulas[0] and r"W^{(%d)}{}^\top" % l not in s.formulas[0]
    for l, layer in enumerate(net.layers, start=1):
        s = by_title(all_steps, f"Backward, layer {l}")
        delta, A_prev = shown(s, "δ" + sup(l)), shown(s, "A" + sup(l - 1))
        dW, db = shown(s, f"∂J/∂W{sup(l)}"), shown(s, f"∂J/∂b{sup(l)}" + ("ᵀ" if notation == "rows" else ""))
        np.testing.assert_array_equal(delta, o(bwd.delta[l - 1]))
        np.testing.assert_array_equal(dW, bwd.dW[l - 1])          # (S_l, S_{l-1}) in both notations
        np.testing.assert_array_equal(db.ravel(), bwd.db[l - 1])
        if notation == "rows":                                    # ∂J/∂W = δᵀ A_prev / n
            np.testing.assert_allclose(dW, delta.T @ A_prev / n, rtol=1e-12, atol=1e-15)
        else:                                                     # ∂J/∂W = δ A_prevᵀ / n
            np.testing.assert_allclose(dW, delta @ A_prev.T / n, rtol=1e-12, atol=1e-15)
        if l < L:
            Delta, W_next = shown(s, "∂L/∂A" + sup(l)), shown(s, "W" + sup(l + 1))
            delta_next = shown(s, "δ" + sup(l + 1))
            np.testing.assert_array_equal(Delta, o(bwd.Delta[l - 1]))
            back = delta_next @ W_next if notation == "rows" else W_next.T @ delta_next
            np.testing.assert_allclose(Delta, back, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(delta, Delta * shown(s, f"σ'(Z{sup(l)})"), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("notation", ["rows", "columns"])
def test_sigmoid_bce_output_is_a_minus_t_and_agrees_with_the_chain(notation):
    net, X, T = make("binary")
    p = compute_pass(net, X, T, ETA)
    o = (lambda M: M) if notation == "rows" else (lambda M: M.T)
    s = by_title(steps(p, notation), "Output error")
    L = len(net.layers)
    A = net.forward(X).A[-1]
    np.testing.assert_array_equal(shown(s, f"δ{sup(L)} = A − T"), o(A - T))
    generic = shown(s, f"∂L/∂A{sup(L)} ⊙ σ'(Z)")
    np.testing.assert_allclose(generic, o(A - T), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(shown(s, f"∂L/∂A{sup(L)}") * shown(s, f"σ'(Z{sup(L)})"), generic, rtol=1e-12)
    assert any("A^{(3)} - T" in f for f in s.formulas)


@pytest.mark.parametrize("name", ["multiclass", "softmax_mse"])
@pytest.mark.parametrize("notation", ["rows", "columns"])
def test_softmax_output_shows_the_jacobian_and_its_product(name, notation):
    net, X, T = make(name)
    example = 2
    p = compute_pass(net, X, T, ETA, example=example)
    o = (lambda M: M) if notation == "rows" else (lambda M: M.T)
    s = by_title(steps(p, notation), "Output error")
    a = net.forward(X).A[-1]
    J = shown(s, f"∂a/∂z of example {example + 1}")
    np.testing.assert_array_equal(J, Softmax.jacobian(a)[example])
    np.testing.assert_allclose(J, np.diag(a[example]) - np.outer(a[example], a[example]), rtol=1e-12)
    bwd = net.backward(net.forward(X), T)
    one = shown(s, f"δ⁽²⁾ of example {example + 1} (Jacobian × ∂L/∂A⁽²⁾)")
    assert one.shape == ((1, 3) if notation == "rows" else (3, 1))
    np.testing.assert_allclose(one.ravel(), bwd.delta[-1][example], rtol=1e-9, atol=1e-12)
    every = shown(s, "δ⁽²⁾ (Jacobian, every example)")
    np.testing.assert_allclose(every, o(bwd.delta[-1]), rtol=1e-9, atol=1e-12)
    if name == "multiclass":                      # the fused shortcut ŷ − y, as seed 002 derives
        np.testing.assert_array_equal(shown(s, "δ⁽²⁾ = Ŷ − Y"), o(a - T))
        assert p.fused and any(r"\hat y_k - y_k" in f for f in s.formulas)
    else:
        assert not p.fused and not any(m.label.endswith("Ŷ − Y") for m in s.matrices)


@pytest.mark.parametrize("notation", ["rows", "columns"])
def test_regression_output_delta_is_a_minus_t(notation):
    net, X, T = make("regression")
    p = compute_pass(net, X, T, ETA)
    o = (lambda M: M) if notation == "rows" else (lambda M: M.T)
    s = by_title(steps(p, notation), "Output error")
    a = net.forward(X).A[-1]
    np.testing.assert_array_equal(shown(s, "δ⁽³⁾"), o(a - T))           # linear: σ' = 1
    np.testing.assert_array_equal(shown(s, "σ'(Z⁽³⁾)"), np.ones_like(o(a)))


@pytest.mark.parametrize("name", list(NETS))
def test_update_shows_and_applies_plain_sgd(name):
    net, X, T = make(name)
    before = [layer.Wb.copy() for layer in net.layers]
    p = compute_pass(net, X, T, ETA)
    for layer, Wb in zip(net.layers, before):                 # computing the pass changes nothing
        np.testing.assert_array_equal(layer.Wb, Wb)
    bwd = net.backward(net.forward(X), T)
    s = steps(p, "columns")[-1]
    for l, (layer, dW) in enumerate(zip(net.layers, bwd.dW), start=1):
        W0, step, W1 = shown(s, f"W{sup(l)} before"), shown(s, f"η ∂J/∂W{sup(l)}"), shown(s, f"W{sup(l)} after")
        np.testing.assert_array_equal(W0, layer.W)
        np.testing.assert_array_equal(step, ETA * dW)
        np.testing.assert_array_equal(W1, layer.W - ETA * dW)
        np.testing.assert_array_equal(shown(s, f"change of W{sup(l)}"), W1 - W0)
        np.testing.assert_array_equal(shown(s, f"b{sup(l)} after").ravel(), layer.b - ETA * bwd.db[l - 1])
    apply_update(net, p)
    assert p.applied
    for l, layer in enumerate(net.layers, start=1):
        np.testing.assert_array_equal(layer.W, shown(s, f"W{sup(l)} after"))
        np.testing.assert_array_equal(layer.b, shown(s, f"b{sup(l)} after").ravel())
    assert p.cost_after == pytest.approx(net.cost(X, T), rel=1e-12)
    with pytest.raises(ValueError, match="changed"):
        apply_update(net, p)                                  # the weights are no longer the pass's


def test_penalty_enters_the_gradient_and_the_formula():
    net, X, T = make("binary")
    p = compute_pass(net, X, T, ETA, l2=0.01)
    np.testing.assert_array_equal(p.bwd.dW[0], net.backward(net.forward(X), T, l2=0.01).dW[0])
    s = by_title(steps(p), "Backward, layer 1")
    assert r"+ 0.01\,W^{(1)}" in s.formulas[-2]


def test_seed_003_symbols_rename_delta_and_the_output_gradient():
    net, X, T = make("regression")
    all_steps = steps(compute_pass(net, X, T, ETA), "columns", "H")
    s = by_title(all_steps, "Backward, layer 1")
    labels = [m.label for m in s.matrices]
    assert "H⁽¹⁾" in labels and "Δ⁽¹⁾" in labels and not any(lbl.startswith("δ") for lbl in labels)
    assert r"H^{(2)}" in s.formulas[0] and r"\Delta^{(1)}" in s.formulas[0]


def test_bad_arguments_are_refused_with_the_choices():
    net, X, T = make("binary")
    with pytest.raises(ValueError, match="rows, columns"):
        steps(compute_pass(net, X, T, ETA), "diagonal")
    with pytest.raises(ValueError, match="learning rate"):
        compute_pass(net, X, T, 0.0)
    with pytest.raises(ValueError, match="T must have shape"):
        compute_pass(net, X, T[:2], ETA)


def test_batch_indices_spread_over_the_training_rows():
    np.testing.assert_array_equal(batch_indices(10, 3, 1), [3])
    np.testing.assert_array_equal(batch_indices(10, 8, 4), [8, 0, 2, 4])
    with pytest.raises(ValueError):
        batch_indices(3, 0, 4)


def test_matrix_figure_carries_the_exact_values():
    M = np.random.default_rng(1).normal(size=(3, 4))
    fig = matrix_figure(M, "W⁽¹⁾")
    z = fig["data"][0]["z"]
    back = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(3, 4)
    np.testing.assert_array_equal(back, M)
    assert "3 × 4" in fig["layout"]["title"]["text"] and fig["data"][0]["text"][0][0] == f"{M[0, 0]:.3g}"
    assert "text" not in matrix_figure(np.zeros((16, 9)), "big")["data"][0]     # too many cells to print
    import plotly.graph_objects as go
    go.Figure(copy.deepcopy(fig))                                               # valid for plotly
