"""Backpropagation worked out by hand, every number written down, compared to the engine.

The network is 2-2-1, sigmoid everywhere, with Nielsen's cost C = ½‖a − t‖² (L1 of
docs/derivation.md) on one example, so J = C. Column formulas, as docs/derivation.md
writes them for one example:

    z1 = W1 x + b1,  a1 = σ(z1),  z2 = W2 a1 + b2,  a2 = σ(z2)
    Delta2 = a2 − t,            δ2 = Delta2 ⊙ σ'(z2),  σ'(z) = a (1 − a)
    Delta1 = W2ᵀ δ2,            δ1 = Delta1 ⊙ σ'(z1)
    dJ/dW2 = δ2 a1ᵀ,  dJ/db2 = δ2,  dJ/dW1 = δ1 xᵀ,  dJ/db1 = δ1
    W ← W − η dJ/dW,  b ← b − η dJ/db

The numbers are chosen so that every intermediate is an exact binary fraction
(z1 = 0 so σ(z1) = ½; b2 = ln 3 − 2 so σ(z2) = ¾), and W2 is not symmetric so that
a transposed W2 or a swapped outer product would change the answer.

A second test replays Matt Mazur's published "step by step backpropagation example"
(2-2-2 sigmoid, E = Σ ½(target − out)², η = ½), whose figures were computed
independently of this project.
"""
import math

import numpy as np
import pytest

from core import Network, Trainer
from core.fast_step import StepBuffers, augment, forward_into, magnitudes

x = np.array([[1.0, 2.0]])          # one example, as a row
t = np.array([[1.0]])
W1 = np.array([[0.5, -0.25],
               [0.1, 0.2]])
b1 = np.array([0.0, -0.5])
W2 = np.array([[1.0, 3.0]])
b2 = np.array([math.log(3.0) - 2.0])
ETA = 2.0

# ---- by hand --------------------------------------------------------------------------
# z1 = W1 x + b1 = [0.5·1 − 0.25·2 + 0,  0.1·1 + 0.2·2 − 0.5] = [0, 0]
Z1 = [[0.0, 0.0]]
# a1 = σ(0) = ½
A1 = [[0.5, 0.5]]
# z2 = W2 a1 + b2 = 1·½ + 3·½ + ln 3 − 2 = ln 3
Z2 = [[math.log(3.0)]]
# a2 = σ(ln 3) = 1 / (1 + ⅓) = ¾
A2 = [[0.75]]
# J = ½ (¾ − 1)² = ½ · 1/16 = 1/32
J = 0.03125
# Delta2 = a2 − t = −¼;  σ'(z2) = ¾ · ¼ = 3/16;  δ2 = −¼ · 3/16 = −3/64
DELTA2 = [[-0.25]]
delta2 = [[-0.046875]]
# dJ/dW2 = δ2 a1ᵀ = −3/64 · [½, ½] = [−3/128, −3/128];  dJ/db2 = δ2
dW2 = [[-0.0234375, -0.0234375]]
db2 = [-0.046875]
# Delta1 = W2ᵀ δ2 = [1, 3] · (−3/64) = [−3/64, −9/64]
DELTA1 = [[-0.046875, -0.140625]]
# σ'(z1) = ½ · ½ = ¼;  δ1 = Delta1 · ¼ = [−3/256, −9/256]
delta1 = [[-0.01171875, -0.03515625]]
# dJ/dW1 = δ1 xᵀ: row i is δ1_i · [1, 2]
dW1 = [[-0.01171875, -0.0234375],
       [-0.03515625, -0.0703125]]
db1 = [-0.01171875, -0.03515625]
# One step with η = 2:  W ← W − 2 dJ/dW,  b ← b − 2 dJ/db
W1_new = [[0.5234375, -0.203125],          # 0.5 + 3/128,  −0.25 + 3/64
          [0.1703125, 0.340625]]           # 0.1 + 9/128,   0.2 + 9/64
b1_new = [0.0234375, -0.4296875]           # 0 + 3/128,    −0.5 + 9/128
W2_new = [[1.046875, 3.046875]]            # 1 + 3/64,      3 + 3/64
b2_new = [math.log(3.0) - 2.0 + 0.09375]   # + 3/32


def hand_network():
    net = Network(2, [(2, "sigmoid"), (1, "sigmoid")], "mse")
    net.layers[0].W, net.layers[0].b = W1, b1
    net.layers[1].W, net.layers[1].b = W2, b2
    return net


def test_forward_by_hand():
    fwd = hand_network().forward(x)
    np.testing.assert_allclose(fwd.Z[0], Z1, atol=1e-15)
    np.testing.assert_allclose(fwd.A[1], A1, rtol=1e-15)
    np.testing.assert_allclose(fwd.Z[1], Z2, rtol=1e-15)
    np.testing.assert_allclose(fwd.A[2], A2, rtol=1e-15)
    assert hand_network().cost(x, t) == pytest.approx(J, rel=1e-14)


def test_backward_by_hand():
    net = hand_network()
    bwd = net.backward(net.forward(x), t)
    np.testing.assert_allclose(bwd.Delta[1], DELTA2, rtol=1e-14)
    np.testing.assert_allclose(bwd.delta[1], delta2, rtol=1e-14)
    np.testing.assert_allclose(bwd.Delta[0], DELTA1, rtol=1e-14)
    np.testing.assert_allclose(bwd.delta[0], delta1, rtol=1e-14)
    np.testing.assert_allclose(bwd.dW[1], dW2, rtol=1e-14)
    np.testing.assert_allclose(bwd.db[1], db2, rtol=1e-14)
    np.testing.assert_allclose(bwd.dW[0], dW1, rtol=1e-14)
    np.testing.assert_allclose(bwd.db[0], db1, rtol=1e-14)
    assert [g[0].shape for g in net.gradients(x, t)] == [(2, 2), (1, 2)]


def test_fast_step_by_hand():
    net = hand_network()
    buf = StepBuffers(net, 1)
    Xa = augment(x)
    forward_into(net, buf, Xa)
    net.backward(buf.fwd, t, out=buf.bwd)
    norms, means = magnitudes(buf)
    np.testing.assert_allclose(buf.bwd.dWb[1], np.column_stack([dW2, db2]), rtol=1e-14)
    np.testing.assert_allclose(buf.bwd.dWb[0], np.column_stack([dW1, db1]), rtol=1e-14)
    assert norms == pytest.approx([np.linalg.norm(dW1), np.linalg.norm(dW2)], rel=1e-12)
    assert means == pytest.approx([np.mean(np.abs(delta1)), 0.046875], rel=1e-14)


def test_one_update_by_hand():
    net = hand_network()
    trainer = Trainer(net, x, t, optimizer="sgd", learning_rate=ETA)
    trainer.run_epochs(1)
    np.testing.assert_allclose(net.layers[0].W, W1_new, rtol=1e-14)
    np.testing.assert_allclose(net.layers[0].b, b1_new, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(net.layers[1].W, W2_new, rtol=1e-14)
    np.testing.assert_allclose(net.layers[1].b, b2_new, rtol=1e-14)
    h = trainer.history
    assert h.cost == [pytest.approx(hand_network_after_step_cost(), rel=1e-13)]
    assert h.grad_norm == [pytest.approx([np.linalg.norm(dW1), np.linalg.norm(dW2)], rel=1e-12)]


def hand_network_after_step_cost():
    """J after the step, from the updated numbers above (the history records the end of the epoch)."""
    def sig(v):
        return 1.0 / (1.0 + np.exp(-v))
    a1 = sig(np.array(W1_new) @ x[0] + b1_new)
    a2 = sig(np.array(W2_new) @ a1 + b2_new)
    return 0.5 * float((a2[0] - 1.0) ** 2)


def test_batch_mean_divides_by_n():
    """Two copies of the example: the same mean gradient; the per-example δ is unchanged."""
    net = hand_network()
    X2, T2 = np.vstack([x, x]), np.vstack([t, t])
    bwd = net.backward(net.forward(X2), T2)
    np.testing.assert_allclose(bwd.dW[0], dW1, rtol=1e-14)
    np.testing.assert_allclose(bwd.delta[0], np.vstack([delta1, delta1]), rtol=1e-14)
    assert net.cost(X2, T2) == pytest.approx(J, rel=1e-14)


def test_mazur_published_example():
    """mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example: E_total and the
    weights after one step (η = ½; his post updates the weights, we also update the biases)."""
    net = Network(2, [(2, "sigmoid"), (2, "sigmoid")], "mse")
    net.layers[0].W, net.layers[0].b = [[0.15, 0.20], [0.25, 0.30]], [0.35, 0.35]
    net.layers[1].W, net.layers[1].b = [[0.40, 0.45], [0.50, 0.55]], [0.60, 0.60]
    X, T = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
    fwd = net.forward(X)
    np.testing.assert_allclose(fwd.Z[0], [[0.3775, 0.3925]], rtol=1e-12)
    np.testing.assert_allclose(fwd.A[1], [[0.593269992, 0.596884378]], atol=1e-9)
    np.testing.assert_allclose(fwd.A[2], [[0.75136507, 0.772928465]], atol=1e-8)
    assert net.cost(X, T) == pytest.approx(0.298371109, abs=1e-9)
    assert net.gradients(X, T)[1][0][0, 0] == pytest.approx(0.082167041, abs=1e-9)   # ∂E/∂w5
    Trainer(net, X, T, learning_rate=0.5).run_epochs(1)
    np.testing.assert_allclose(net.layers[1].W, [[0.35891648, 0.408666186],
                                                 [0.511301270, 0.561370121]], atol=1e-8)
    np.testing.assert_allclose(net.layers[0].W, [[0.149780716, 0.19956143],
                                                 [0.24975114, 0.29950229]], atol=1e-8)
