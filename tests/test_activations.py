"""Each activation computes its derivative in one place, its registry entry's ``df``.

The other media are proven equal to it here: the exported script's numpy text (``np_fn``,
``np_df``, ``np_backward``) computes what ``fn``, ``df`` and ``backward`` compute, bit
for bit wherever the engine and the text do the same arithmetic; ``df`` is the derivative
of ``fn`` (central differences); ``fn`` and ``df`` write into ``out=`` as the training
step needs. (The browser's forward pass is proven equal in tests/test_js_forward.py.)
Examples are rows: z and a are (N, S).
"""
import numpy as np
import pytest

from core.activations import ACTIVATIONS, Activation, register

# Every sign and scale, exact zeros of both signs, values that saturate every activation
# and infinities; 7 columns so that a softmax row has several units.
Z = np.concatenate([np.linspace(-40.0, 40.0, 161), [0.0, -0.0, 1e-300, -1e-300, 710.0, -710.0, np.inf],
                    np.random.default_rng(0).normal(scale=3.0, size=357)]).reshape(-1, 7)
FINITE = Z[np.isfinite(Z).all(axis=1)]


def _eval(text, **names):
    return eval(text, {"np": np}, names)      # the script's text, as the script runs it


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_the_scripts_sigma_is_fn(name):
    act = ACTIVATIONS[name]
    z = Z if act.elementwise else FINITE
    with np.errstate(over="ignore", invalid="ignore"):
        got, want = _eval(act.np_fn, z=z), act.fn(z)
    if act.elementwise:
        np.testing.assert_array_equal(got, want)
    else:   # softmax: the engine sums a row with a matrix product (faster), the text with np.sum
        np.testing.assert_allclose(got, want, rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("name", [n for n, a in ACTIVATIONS.items() if a.elementwise])
def test_the_scripts_sigma_prime_is_df_bit_for_bit(name):
    act = ACTIVATIONS[name]
    a = act.fn(Z)
    want = act.df(Z, a)
    np.testing.assert_array_equal(_eval(act.np_df, z=Z, a=a), want)
    out = np.full_like(Z, np.nan)
    assert act.df(Z, a, out=out) is out
    np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("name", [n for n, a in ACTIVATIONS.items() if not a.elementwise])
def test_the_scripts_backward_is_the_jacobian_product(name):
    act = ACTIVATIONS[name]
    a = act.fn(FINITE)
    Delta = np.random.default_rng(1).normal(size=FINITE.shape)
    want = np.einsum("nj,njk->nk", Delta, act.jacobian(a))          # Σ_j Δ_j ∂a_j/∂z_k (B1s)
    got = act.backward(FINITE, a, Delta)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(_eval(act.np_backward, z=FINITE, a=a, Delta=Delta), got, rtol=1e-12, atol=1e-15)
    out = np.empty_like(Delta)
    assert act.backward(FINITE, a, Delta, out=out) is out and np.array_equal(out, got)


@pytest.mark.parametrize("name", [n for n, a in ACTIVATIONS.items() if a.elementwise])
def test_df_is_the_derivative_of_fn(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-4.0, 4.0, 801)[None, :]
    z = z[:, np.abs(z[0]) > 1e-3] if act.kink_at_zero else z     # no derivative at 0 itself
    eps = 1e-6
    numeric = (act.fn(z + eps) - act.fn(z - eps)) / (2 * eps)
    np.testing.assert_allclose(act.df(z, act.fn(z)), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_fn_writes_into_out_even_over_z(name):
    """The training step writes a beside its ones (out=); predict_proba writes a over z."""
    act = ACTIVATIONS[name]
    want = act.fn(FINITE)
    out = np.empty_like(FINITE)
    assert act.fn(FINITE, out=out) is out and np.array_equal(out, want)
    z = FINITE.copy()
    assert act.fn(z, out=z) is z and np.array_equal(z, want)


def test_backward_is_delta_times_df():
    act = ACTIVATIONS["tanh"]
    rng = np.random.default_rng(2)
    z, Delta = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    a = act.fn(z)
    out = np.empty_like(z)
    assert act.backward(z, a, Delta, out=out) is out                 # (B2) δ = Δ ⊙ σ'(z), in place
    np.testing.assert_array_equal(out, Delta * (1 - a * a))


def test_properties_replace_name_tests():
    kinds = {n: a.classifier for n, a in ACTIVATIONS.items()}
    assert kinds == {"sigmoid": "binary", "tanh": "", "relu": "", "leaky_relu": "", "linear": "",
                     "softmax": "multiclass"}
    assert [n for n, a in ACTIVATIONS.items() if a.kink_at_zero] == ["relu", "leaky_relu"]
    assert [n for n, a in ACTIVATIONS.items() if not a.elementwise] == ["softmax"]
    assert [n for n, a in ACTIVATIONS.items() if a.output_only] == ["softmax"]


@pytest.mark.parametrize("fn, df, message", [
    (lambda z: np.tanh(z), lambda z, a, out=None: np.subtract(1, a * a, out=out), "fn.z, out=out. must accept out="),
    (lambda z, out=None: np.tanh(z), lambda z, a, out=None: np.subtract(1, a * a, out=out),
     "must write into out and return it"),
    (lambda z, out=None: np.tanh(z, out=out), lambda z, a: 1 - a * a, "df.z, a, out=out. must accept out="),
])
def test_register_refuses_functions_that_ignore_out(fn, df, message):
    with pytest.raises(ValueError, match=message):
        register(Activation("broken", fn, df))
    assert "broken" not in ACTIVATIONS
