"""core/stack_step.py: the batched step computes each network's own gradients.

Checked on tiny grids, padded on purpose (widths 1, 2 and 3 side by side, sigmoid hidden
units whose padded outputs are 0.5, not 0): for every cell, every real weight and bias,
the stacked backward pass against central differences of that cell's own cost (G1 of
docs/derivation.md) and against ``Network.gradients``; the padded entries never move.
"""
import numpy as np
import pytest

from core import datasets
from core.grid import Cell
from core.stack_step import backward, forward
from core.sweep import Sweep

X, Y = datasets.make("planar", n_samples=24)
XM, YM = datasets.make("multi_blobs", n_samples=30, n_classes=3, seed=3)

GRIDS = {
    # two hidden layers, one-unit layers, sigmoid hidden units padded, fused sigmoid + BCE, penalties
    "tanh-sigmoid-bce": (X, Y, [Cell(((a, "tanh"), (b, "sigmoid"), (1, "sigmoid")), "binary_cross_entropy", 0.5,
                                     seed=s, l1=l1, l2=l2)
                                for (a, b), s, l1, l2 in (((1, 3), 1, 0.0, 0.0), ((2, 1), 2, 0.01, 0.0),
                                                          ((3, 2), 3, 0.0, 0.1))]),
    # softmax output with MSE (not fused: the softmax Jacobian over a stack) and with cross-entropy
    "relu-softmax": (XM, YM, [Cell(((w, "relu"), (3, "softmax")), loss, 0.1, seed=w, init="he")
                              for w, loss in ((2, "mse"), (4, "mse"))]),
    "leaky-softmax-ce": (XM, YM, [Cell(((w, "leaky_relu"), (3, "softmax")), "cross_entropy", 0.1, seed=w)
                                  for w in (1, 3)]),
}


def stacked_gradients(name):
    """(sweep, its one stack, the stack's gradients [dJ/dWb^(l)] (C, S_l, S_{l−1} + 1) on all rows)."""
    X_, y_, cells = GRIDS[name]
    sweep = Sweep(cells, X_, y_, pad=True)
    sweep.step(3)                                   # away from the starting point
    stack, = sweep.stacks
    buf = stack._buffers(X_.shape[0])
    forward(stack.net, buf, stack._X_aug)
    grads = backward(stack.net, buf, stack._X_aug, stack._T, stack.l1, stack.l2)
    return sweep, stack, [g.copy() for g in grads]


def cell_part(stack, g, c, l):
    """Cell c's real (dJ/dW, dJ/db) of layer l from a stacked array shaped like Wb."""
    s = stack.cell_sizes[c]
    return g[c, :s[l + 1], :s[l]], g[c, :s[l + 1], -1]


@pytest.mark.parametrize("name", GRIDS)
def test_stacked_gradients_are_each_networks_own(name):
    sweep, stack, grads = stacked_gradients(name)
    X_, y_, _ = GRIDS[name]
    for c, cell in enumerate(stack.cells):
        ref = sweep.network(stack.members[c]).gradients(X_, y_, cell.l1, cell.l2)
        for l, (dW, db) in enumerate(ref):
            got_W, got_b = cell_part(stack, grads[l], c, l)
            scale = max(np.abs(dW).max(), np.abs(db).max(), 1e-300)
            np.testing.assert_allclose(got_W, dW, rtol=0, atol=1e-12 * scale)
            np.testing.assert_allclose(got_b, db, rtol=0, atol=1e-12 * scale)


@pytest.mark.parametrize("name", GRIDS)
def test_stacked_gradients_pass_central_differences(name):
    """(J(θ + ε) − J(θ − ε)) / 2ε of each cell's own cost, for every real entry (G1)."""
    sweep, stack, grads = stacked_gradients(name)
    X_, y_, _ = GRIDS[name]
    eps = 1e-6
    for c, cell in enumerate(stack.cells):
        net = sweep.network(stack.members[c])
        for l, layer in enumerate(net.layers):
            numeric = np.zeros_like(layer.Wb)
            for idx in np.ndindex(*layer.Wb.shape):
                keep = layer.Wb[idx]
                layer.Wb[idx] = keep + eps
                up = net.cost(X_, y_, cell.l1, cell.l2)
                layer.Wb[idx] = keep - eps
                down = net.cost(X_, y_, cell.l1, cell.l2)
                layer.Wb[idx] = keep
                numeric[idx] = (up - down) / (2 * eps)
            got_W, got_b = cell_part(stack, grads[l], c, l)
            got = np.column_stack([got_W, got_b])
            err = np.linalg.norm(got - numeric) / (np.linalg.norm(got) + np.linalg.norm(numeric))
            assert err < 1e-6, (name, c, l, err)


def test_padded_units_stay_zero_and_silent():
    """Sigmoid hidden units output σ(0) = ½ when padded; their weights still never move."""
    sweep, stack, grads = stacked_gradients("tanh-sigmoid-bce")
    real = [np.zeros(p.shape, bool) for p in stack._params]
    for c, s in enumerate(stack.cell_sizes):
        for l, r in enumerate(real):
            r[c, :s[l + 1], :s[l]] = True
            r[c, :s[l + 1], -1] = True
    assert any(np.any(g[~r] != 0) for g, r in zip(grads, real))   # unmasked, they would move
    sweep.step(50)
    for p, r in zip(stack._params, real):
        assert np.all(p[~r] == 0)
