"""Backpropagation proven against finite differences, and every fast path against the reference.

Everything here runs in float64. Examples are rows: X (N, S_0), T (N, S_L).

* ``Network.backward`` against central differences of ``Network.cost`` (our own loop over
  every entry of every [W | b], independent of ``core.gradient_check``) and against
  ``core.gradient_check`` itself, for every hidden activation × every valid
  (output activation, loss) pair × 1–3 hidden layers, with and without L1/L2;
* the fused output error a − t against the generic Delta ⊙ σ'(z) / softmax Jacobian path;
* ``Softmax.backward`` against its Jacobian applied explicitly;
* the training loop's step (core/fast_step.py's buffers and forward pass, then
  ``Network.backward`` into those buffers) against ``Network.backward`` on fresh arrays;
* the Trainer's parameter updates against hand-written sgd / momentum / adam updates.
"""
import itertools

import numpy as np
import pytest

from core import Network, hidden_activations, Trainer, gradient_check
from core.activations import ACTIVATIONS, Softmax
from core.fast_step import StepBuffers, augment, forward_into, magnitudes
from core.gradcheck import relative_error

# (output activation, loss, output width): every pairing the network accepts.
PAIRS = [
    ("sigmoid", "binary_cross_entropy", 1),
    ("sigmoid", "mse", 1),
    ("softmax", "cross_entropy", 3),
    ("softmax", "mse", 3),
    ("linear", "mse", 2),
    ("tanh", "mse", 1),
]
HIDDEN_WIDTHS = [4, 3, 5]
PENALTIES = [(0.0, 0.0), (0.03, 0.0), (0.0, 0.05), (0.02, 0.04)]
N = 7
TOL = 1e-6


def test_every_hidden_activation_is_covered():
    assert set(hidden_activations()) == {"sigmoid", "tanh", "relu", "leaky_relu", "linear"}


def make_case(hidden, out, loss, width, depth, seed=0):
    """A small network and data (X, y) that fit its output layer."""
    rng = np.random.default_rng(seed)
    layers = [(w, hidden) for w in HIDDEN_WIDTHS[:depth]] + [(width, out)]
    net = Network(3, layers, loss, seed=seed + 1)
    # Weights in (−1, 1) keep even a 3-deep sigmoid stack's first-layer gradient (~1e-4) far
    # above finite-difference noise, without saturating a softmax past the losses' log clip.
    for layer in net.layers:
        layer.W = rng.uniform(-1.0, 1.0, size=layer.W.shape)
        layer.b = rng.uniform(-0.5, 0.5, size=layer.b.shape)   # non-zero: db matters too
    X = rng.normal(size=(N, 3))
    if out == "softmax":
        y = np.arange(N) % width                 # labels 0..K−1, every class present
    elif out == "sigmoid" and loss == "binary_cross_entropy":
        y = np.arange(N) % 2
    elif out == "sigmoid":
        y = rng.uniform(0, 1, size=N)            # soft targets in [0, 1] for mse
    elif out == "tanh":
        y = rng.uniform(-0.9, 0.9, size=N)
    else:
        y = rng.normal(size=(N, width))
    return net, X, y


def numeric_gradients(net, X, y, l1, l2, eps=1e-6):
    """[(dJ/dW, dJ/db)] by central differences of ``net.cost``, every entry of every layer."""
    grads = []
    for layer in net.layers:
        g = np.zeros_like(layer.Wb)
        for idx in np.ndindex(*layer.Wb.shape):
            old = layer.Wb[idx]
            layer.Wb[idx] = old + eps
            j_plus = net.cost(X, y, l1, l2)
            layer.Wb[idx] = old - eps
            j_minus = net.cost(X, y, l1, l2)
            layer.Wb[idx] = old
            g[idx] = (j_plus - j_minus) / (2 * eps)
        grads.append((g[:, :-1], g[:, -1]))
    return grads


CASES = list(itertools.product(hidden_activations(), PAIRS, [1, 2, 3]))
CASE_IDS = [f"{h}-{o}+{loss}-depth{d}" for h, (o, loss, _), d in CASES]


@pytest.mark.parametrize("hidden, pair, depth", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("l1, l2", PENALTIES, ids=["plain", "l1", "l2", "l1+l2"])
def test_backward_matches_central_differences(hidden, pair, depth, l1, l2):
    out, loss, width = pair
    net, X, y = make_case(hidden, out, loss, width, depth)
    before = [p.copy() for p in net.parameters()]
    analytic = net.gradients(X, y, l1, l2)
    numeric = numeric_gradients(net, X, y, l1, l2)
    for l, ((dW, db), (nW, nb)) in enumerate(zip(analytic, numeric), start=1):
        assert dW.shape == net.layers[l - 1].W.shape and db.shape == net.layers[l - 1].b.shape
        assert np.linalg.norm(nW) > 1e-5, "the check would be meaningless on a vanishing gradient"
        assert relative_error(dW, nW) < TOL, f"layer {l} dW"
        assert relative_error(db, nb) < TOL, f"layer {l} db"
    for p, q in zip(net.parameters(), before):
        assert np.array_equal(p, q)


@pytest.mark.parametrize("hidden, pair, depth", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.02, 0.04)], ids=["plain", "l1+l2"])
def test_core_gradient_check_passes(hidden, pair, depth, l1, l2):
    out, loss, width = pair
    net, X, y = make_case(hidden, out, loss, width, depth, seed=3)
    before = [p.copy() for p in net.parameters()]
    checks = gradient_check(net, X, y, l1=l1, l2=l2, max_entries=None)
    assert [c.layer for c in checks] == list(range(1, depth + 2))
    for c, layer in zip(checks, net.layers):
        assert c.n_checked == layer.W.size + layer.b.size
        assert c.rel_error_W < TOL and c.rel_error_b < TOL, c
    for p, q in zip(net.parameters(), before):   # the network is left exactly as it was
        assert np.array_equal(p, q)


def test_gradient_check_samples_entries_of_large_layers():
    net = Network(20, [(10, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=0)
    X = np.random.default_rng(0).normal(size=(5, 20))
    checks = gradient_check(net, X, np.arange(5) % 2, max_entries=16)
    assert checks[0].n_checked == 16 + 10 and checks[0].rel_error_W < TOL
    assert checks[1].n_checked == 10 + 1 and checks[1].rel_error_W < TOL


def test_gradient_check_catches_a_wrong_derivative(monkeypatch):
    """The check can fail: a tanh whose derivative forgot the square is caught."""
    net, X, y = make_case("tanh", "sigmoid", "binary_cross_entropy", 1, 2)
    wrong = ACTIVATIONS["tanh"].__class__("tanh", np.tanh, lambda z, a, out=None: np.subtract(1.0, a, out=out))
    monkeypatch.setattr(net.layers[0], "activation", wrong)
    checks = gradient_check(net, X, y, max_entries=None)
    assert checks[0].rel_error_W > 1e-3
    assert checks[-1].rel_error_W < TOL                 # the output layer is still right


# --- fused output error == generic path ------------------------------------------------------

@pytest.mark.parametrize("out, loss, width", [("sigmoid", "binary_cross_entropy", 1),
                                              ("sigmoid", "binary_cross_entropy", 2),
                                              ("softmax", "cross_entropy", 3),
                                              ("softmax", "cross_entropy", 5)])
@pytest.mark.parametrize("hidden", hidden_activations())
@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.01, 0.02)])
def test_fused_path_equals_generic_path(out, loss, width, hidden, l1, l2):
    rng = np.random.default_rng(5)
    net = Network(3, [(6, hidden), (4, hidden), (width, out)], loss, seed=5)
    X = rng.normal(size=(11, 3))
    if out == "softmax":
        y = rng.integers(0, width, size=11)
    else:
        y = rng.integers(0, 2, size=(11, width)) if width > 1 else rng.integers(0, 2, size=11)
    fwd, T = net.forward(X), net.targets(y)
    fused = net.backward(fwd, T, l1, l2, fused=True)
    generic = net.backward(fwd, T, l1, l2, fused=False)
    assert fused.fused and not generic.fused
    np.testing.assert_allclose(fused.delta[-1], fwd.A[-1] - T, rtol=0, atol=1e-15)
    for a, b in zip(fused.delta, generic.delta):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    for a, b in zip(fused.dW + fused.db, generic.dW + generic.db):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    default = net.backward(fwd, T, l1, l2)
    assert default.fused                            # the pairing is fused by default


def test_fused_flag_is_ignored_for_unfused_pairings():
    net, X, y = make_case("tanh", "softmax", "mse", 3, 1)
    bwd = net.backward(net.forward(X), net.targets(y), fused=True)
    assert not bwd.fused                            # a − t would be wrong for softmax + mse


# --- softmax Jacobian --------------------------------------------------------------------

def test_softmax_backward_is_the_jacobian_applied():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(6, 4)) * 3
    sm = ACTIVATIONS["softmax"]
    assert isinstance(sm, Softmax)
    a = sm.fn(z)
    dA = rng.normal(size=(6, 4))
    J = Softmax.jacobian(a)                          # J[n, j, k] = ∂a_j / ∂z_k
    explicit = np.einsum("nj,njk->nk", dA, J)        # δ_k = Σ_j Delta_j ∂a_j/∂z_k
    np.testing.assert_allclose(sm.backward(z, a, dA), explicit, rtol=1e-12, atol=1e-15)
    # The Jacobian itself, against central differences of softmax in each z_k.
    eps = 1e-6
    for k in range(4):
        dz = np.zeros_like(z)
        dz[:, k] = eps
        column = (sm.fn(z + dz) - sm.fn(z - dz)) / (2 * eps)     # ∂a_j/∂z_k for every j
        np.testing.assert_allclose(J[:, :, k], column, rtol=1e-7, atol=1e-9)
    # Not diagonal: the diagonal a (1 − a) alone would be a different, wrong backward.
    assert sm.df is None and not sm.elementwise
    assert not np.allclose(sm.backward(z, a, dA), dA * a * (1 - a))


def test_softmax_is_shifted_and_safe():
    sm = ACTIVATIONS["softmax"]
    z = np.array([[1000.0, 1000.0, -1000.0], [-800.0, 0.0, 800.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):   # underflow to 0 is fine
        a = sm.fn(z)
    np.testing.assert_allclose(a, [[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    assert np.allclose(a.sum(axis=1), 1.0)


def test_sigmoid_never_overflows():
    sig = ACTIVATIONS["sigmoid"]
    z = np.array([[-1000.0, -30.0, 0.0, 30.0, 1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = sig.fn(z)
        out = np.empty_like(z)
        sig.fn(z, out=out)
    np.testing.assert_allclose(a, 1 / (1 + np.exp(-np.clip(z, -500, 500))), rtol=1e-12, atol=1e-16)
    np.testing.assert_array_equal(out, a)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_losses_never_take_log_zero(dtype):
    """Saturated outputs (a exactly 0 or 1, which float32 reaches at |z| ≈ 17) give finite
    costs and gradients, right or wrong, and a saturated right answer costs ~nothing."""
    from core.losses import LOSSES
    bce, ce = LOSSES["binary_cross_entropy"], LOSSES["cross_entropy"]
    a = np.array([[1.0], [0.0], [1.0], [0.0]], dtype=dtype)
    t = np.array([[1.0], [0.0], [0.0], [1.0]], dtype=dtype)
    with np.errstate(all="raise"):
        right, wrong = bce.fn(a[:2], t[:2]), bce.fn(a[2:], t[2:])
        assert np.all(np.isfinite(bce.grad(a, t)))
        A = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=dtype)
        assert ce.fn(A, np.eye(2, dtype=dtype)) == 0.0
        assert np.isfinite(ce.fn(A, np.eye(2, dtype=dtype)[::-1]))
        assert np.all(np.isfinite(ce.grad(A, np.eye(2, dtype=dtype)[::-1])))
    assert right == pytest.approx(0.0, abs=1e-11)
    assert wrong == pytest.approx(-np.log(1e-12), rel=1e-6)          # the clip: 27.6 per example
    net = Network(2, [(3, "tanh"), (1, "sigmoid")], "binary_cross_entropy", dtype=dtype)
    net.layers[1].W, net.layers[1].b = 100.0, 100.0                  # a = 1 to the last bit
    assert np.all(net.predict_proba(np.ones((2, 2))) == 1.0)
    assert np.isfinite(net.cost(np.ones((2, 2)), [0, 1]))


# --- the training loop's fast step == the reference backward pass ----------------------------

def fast_gradients(net, X, T, l1, l2):
    """The Trainer's step: forward into its buffers, Network.backward into them, magnitudes."""
    buf = StepBuffers(net, X.shape[0])
    Xa = augment(X)
    a = forward_into(net, buf, Xa).copy()
    net.backward(buf.fwd, T, l1, l2, out=buf.bwd)
    norms, means = magnitudes(buf)
    return buf, a, norms, means


@pytest.mark.parametrize("hidden, pair, depth", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("l1, l2", PENALTIES, ids=["plain", "l1", "l2", "l1+l2"])
def test_fast_step_equals_network_backward(hidden, pair, depth, l1, l2):
    out, loss, width = pair
    net, X, y = make_case(hidden, out, loss, width, depth, seed=7)
    T = net.targets(y)
    fwd = net.forward(X)
    ref = net.backward(fwd, T, l1, l2)
    buf, a, norms, means = fast_gradients(net, X, T, l1, l2)
    np.testing.assert_allclose(a, fwd.A[-1], rtol=1e-13, atol=1e-15)
    for l in range(depth + 1):
        np.testing.assert_allclose(buf.fwd.Z[l], fwd.Z[l], rtol=1e-13, atol=1e-14)
        dW, db = buf.bwd.dW[l], buf.bwd.db[l]
        scale = max(np.abs(ref.dW[l]).max(), np.abs(ref.db[l]).max())
        np.testing.assert_allclose(dW, ref.dW[l], rtol=0, atol=1e-12 * scale)
        np.testing.assert_allclose(db, ref.db[l], rtol=0, atol=1e-12 * scale)
        # The per-layer magnitudes the history records: ‖dJ/dW‖ and mean |δ| (per example).
        assert norms[l] == pytest.approx(np.linalg.norm(ref.dW[l]), rel=1e-9)
        assert means[l] == pytest.approx(np.abs(ref.delta[l]).mean(), rel=1e-12)


@pytest.mark.parametrize("hidden, pair, depth", CASES, ids=CASE_IDS)
def test_predict_proba_is_the_forward_output_bit_for_bit(hidden, pair, depth):
    out, loss, width = pair
    net, X, _ = make_case(hidden, out, loss, width, depth, seed=4)
    assert np.array_equal(net.predict_proba(X), net.forward(X).A[-1])
    net32 = Network(3, [(l.size, l.activation.name) for l in net.layers], loss, dtype=np.float32)
    for layer, ref in zip(net32.layers, net.layers):
        layer.Wb[...] = ref.Wb
    p32 = net32.predict_proba(X)
    assert p32.dtype == np.float32 and np.array_equal(p32, net32.forward(X).A[-1])


def test_fast_step_on_a_minibatch_view():
    """The Trainer passes fancy-indexed batches; a batch of 1 and a batch of 3 both match."""
    net, X, y = make_case("relu", "softmax", "cross_entropy", 3, 2)
    T = net.targets(y)
    for rows in ([4], [0, 5, 2]):
        ref = net.backward(net.forward(X[rows]), T[rows], 0.01, 0.0)
        buf, _, _, _ = fast_gradients(net, X[rows], T[rows], 0.01, 0.0)
        for l in range(3):
            np.testing.assert_allclose(buf.bwd.dWb[l], np.column_stack([ref.dW[l], ref.db[l]]),
                                       rtol=1e-12, atol=1e-15)


# --- Trainer updates == manual reference updates --------------------------------------------

ETA = 0.1


def ref_sgd():
    def step(params, grads, t):
        return [p - ETA * g for p, g in zip(params, grads)]
    return step


def ref_momentum(beta=0.9):
    v = {}

    def step(params, grads, t):
        out = []
        for i, (p, g) in enumerate(zip(params, grads)):
            v[i] = beta * v.get(i, 0.0) - ETA * g           # v ← β v − η g
            out.append(p + v[i])                            # θ ← θ + v
        return out
    return step


def ref_adam(b1=0.9, b2=0.999, eps=1e-8):
    """Kingma & Ba, Algorithm 1 in the paper's own efficient form (§2, last paragraph; the
    form scikit-learn uses): α_t = α √(1−β2^t)/(1−β1^t);  θ ← θ − α_t m / (√v + ε)."""
    m, s = {}, {}

    def step(params, grads, t):
        out = []
        a_t = ETA * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        for i, (p, g) in enumerate(zip(params, grads)):
            m[i] = b1 * m.get(i, 0.0) + (1 - b1) * g
            s[i] = b2 * s.get(i, 0.0) + (1 - b2) * g * g
            out.append(p - a_t * m[i] / (np.sqrt(s[i]) + eps))
        return out
    return step


REFERENCES = {"sgd": ref_sgd, "momentum": ref_momentum, "adam": ref_adam}


def set_params(net, params):
    for layer, p in zip(net.layers, params):
        layer.Wb[...] = p


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.01, 0.03)])
def test_trainer_full_batch_updates_equal_reference(optimizer, l1, l2):
    net, X, y = make_case("tanh", "softmax", "cross_entropy", 3, 2, seed=11)
    ref = net_copy(net)
    trainer = Trainer(net, X, y, optimizer=optimizer, learning_rate=ETA, l1=l1, l2=l2)
    update = REFERENCES[optimizer]()
    params = [p.copy() for p in ref.parameters()]
    for t in range(1, 6):
        trainer.run_epochs(1)
        set_params(ref, params)
        grads = [np.column_stack([dW, db]) for dW, db in ref.gradients(X, y, l1, l2)]
        params = update(params, grads, t)
        for p, q in zip(net.parameters(), params):
            np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)
    assert len(trainer.history.cost) == 5


def test_trainer_minibatches_follow_the_seeded_permutation():
    """Each epoch draws one permutation from default_rng(seed); batches are its consecutive slices."""
    net, X, y = make_case("relu", "sigmoid", "binary_cross_entropy", 1, 1, seed=2)
    ref = net_copy(net)
    trainer = Trainer(net, X, y, optimizer="momentum", learning_rate=ETA, batch_size=3, seed=42)
    update, rng, t = ref_momentum(), np.random.default_rng(42), 0
    params = [p.copy() for p in ref.parameters()]
    for epoch in range(3):
        order = rng.permutation(N)
        for start in range(0, N, 3):
            rows = order[start:start + 3]
            t += 1
            set_params(ref, params)
            grads = [np.column_stack([dW, db]) for dW, db in ref.gradients(X[rows], y[rows])]
            params = update(params, grads, t)
        trainer.run_epochs(1)
        for p, q in zip(net.parameters(), params):
            np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)
    assert len(trainer.history.cost) == 3


def net_copy(net):
    """A second network with the same layers, loss and parameters."""
    layers = [(layer.size, layer.activation.name) for layer in net.layers]
    twin = Network(net.n_inputs, layers, net.loss.name, seed=0)
    set_params(twin, net.parameters())
    return twin
