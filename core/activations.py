"""Activation functions and their derivatives, keyed by the name the UI shows.

Examples are rows: ``z`` and ``a`` have shape (N, S_l). Equation names (F2), (B1), (B2),
(S1) are those of docs/derivation.md.

Each entry owns two numpy functions, in numpy's own ``out=`` convention (the result is
written into ``out`` and returned when ``out`` is given, as ``np.tanh(z, out=out)`` does):

* ``fn(z, out=None)``: a = σ(z)  (F2);
* ``df(z, a, out=None)``: σ'(z), given z and a = σ(z), for an element-wise σ. This is the
  one place the derivative is computed: the backward pass multiplies it in place,
  δ = Δ ⊙ σ'(z) (B2), and the step-by-step view shows it.

Softmax couples the units of a row, so it has no element-wise σ' (``df`` is None): its
``backward`` applies the full Jacobian ∂a_j/∂z_k = a_j (𝟙[j=k] − a_k) (S1), and
``jacobian(a)`` returns that matrix for display and tests.

Each entry also owns how it is shown and written out: ``label`` for menus, ``symbol``,
``tex`` and ``dtex`` (σ(z) and σ'(z) in TeX) for the step-by-step view, and ``np_fn`` /
``np_df`` (numpy expressions of ``z`` and ``a``; ``np_backward`` of ``z``, ``a`` and
``Delta`` for softmax) for the exported script. ``tests/test_activations.py`` proves each
text computes what ``fn``, ``df`` and ``backward`` compute: bit for bit, but for softmax's
row sums (a matrix product here, ``np.sum`` in the script's text).

Properties the rest of the code asks instead of testing names: ``output_only`` (softmax),
``classifier`` ("binary": each unit is the probability of a yes, one unit tells two
classes apart; "multiclass": the units are a distribution over classes; "" otherwise),
``kink_at_zero`` (no derivative at z = 0: a gradient check straddling it disagrees) and
``elementwise``. Adding an activation is one ``register`` call: menus, links, the
gradient tests and the step-by-step view read this registry.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

LEAK = 0.01   # leaky ReLU's slope for z < 0


@dataclass(frozen=True)
class Activation:
    """An activation σ: ``fn(z, out=None)`` = σ(z) and ``df(z, a, out=None)`` = σ'(z)."""

    name: str
    fn: Callable[..., np.ndarray]
    df: Callable[..., np.ndarray] | None
    output_only: bool = False
    classifier: str = ""          # "binary", "multiclass" or "" (see the module docstring)
    kink_at_zero: bool = False    # σ is not differentiable at z = 0
    label: str = ""          # shown in menus
    symbol: str = ""         # TeX name, e.g. r"\tanh"
    tex: str = ""            # TeX of σ(z)
    dtex: str = ""           # TeX of σ'(z)
    np_fn: str = ""          # numpy expression of z: the exported script's σ(z)
    np_df: str = ""          # numpy expression of z and a = σ(z): the script's σ'(z)
    np_backward: str = ""    # numpy expression of z, a and Delta: δ, when σ is not element-wise
    saturated_outside: tuple | None = None   # (lo, hi): a outside it is saturated (σ' ≈ 0); None: never

    @property
    def elementwise(self) -> bool:
        """True when a_j depends on z_j alone, so that δ = Δ ⊙ σ'(z)."""
        return self.df is not None

    @property
    def formula(self) -> str:
        """σ(z) and σ'(z) in one line of TeX."""
        return rf"{self.symbol}(z) = {self.tex},\quad {self.symbol}'(z) = {self.dtex}"

    def backward(self, z: np.ndarray, a: np.ndarray, Delta: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """δ = Δ ⊙ σ'(z)  (B2); all arrays (N, S). σ'(z) is computed into ``out`` (when
        given) and multiplied there, so the training step allocates nothing."""
        delta = self.df(z, a, out=out)
        delta *= Delta
        return delta


# ---- the element-wise activations: σ and σ' -------------------------------------------
def _sigmoid(z, out=None):
    # 0.5·(1 + tanh(z/2)) equals 1/(1 + e^(−z)) and never overflows.
    a = np.multiply(z, 0.5, out=out)
    np.tanh(a, out=a)
    a += 1.0
    a *= 0.5
    return a


def _sigmoid_prime(z, a, out=None):
    """σ'(z) = a (1 − a)."""
    d = np.subtract(1.0, a, out=out)
    d *= a
    return d


def _tanh_prime(z, a, out=None):
    """tanh'(z) = 1 − a²."""
    d = np.multiply(a, a, out=out)
    return np.subtract(1.0, d, out=d)


def _relu(z, out=None):
    return np.maximum(z, 0.0, out=out)


def _relu_prime(z, a, out=None):
    """relu'(z) = 1 where z > 0, else 0 (0 at z = 0 itself)."""
    return np.greater(z, 0.0, out=np.empty_like(z) if out is None else out)


def _leaky_relu(z, out=None):
    # max(z, 0.01 z) is z for z > 0 and 0.01 z otherwise, bit for bit as where(z > 0, z, 0.01 z).
    return np.maximum(z, LEAK * z, out=out)


def _leaky_relu_prime(z, a, out=None):
    """1 where z > 0, else 0.01."""
    d = np.empty_like(z) if out is None else out
    d.fill(LEAK)
    np.copyto(d, 1.0, where=z > 0)
    return d


def _identity(z, out=None):
    return np.positive(z, out=out)           # a copy of z (into out)


def _identity_prime(z, a, out=None):
    d = np.empty_like(z) if out is None else out
    d.fill(1.0)
    return d


# ---- softmax: a row-wise activation -----------------------------------------------------
class Softmax(Activation):
    """Row-wise softmax, an output activation: a_j = e^{z_j} / Σ_k e^{z_k}."""

    def backward(self, z, a, Delta, out=None):
        """δ_k = Σ_j Δ_j ∂a_j/∂z_k = a_k (Δ_k − Σ_j Δ_j a_j)  (B1s): the Jacobian (S1) applied
        without building it (see ``jacobian``); into ``out`` when given."""
        delta = np.multiply(Delta, a, out=out)
        np.subtract(Delta, _row_sum(delta), out=delta)
        delta *= a
        return delta

    @property
    def formula(self) -> str:
        return rf"{self.symbol}(z)_j = {self.tex},\quad \frac{{\partial a_j}}{{\partial z_k}} = {self.dtex}"

    @staticmethod
    def jacobian(a: np.ndarray) -> np.ndarray:
        """Full softmax Jacobian J[n, j, k] = a_j (δ_jk − a_k)  (S1); a (N, K) -> (N, K, K)."""
        return a[:, :, None] * (np.eye(a.shape[1])[None] - a[:, None, :])


def _softmax(z, out=None):
    # Shift by the row maximum so exp never overflows; the result is unchanged.
    e = np.subtract(z, _row_max(z), out=out)
    np.exp(e, out=e)
    e /= _row_sum(e)
    return e


def _row_max(z: np.ndarray) -> np.ndarray:
    """max_k z[n, k] as (N, 1) (over the last axis: (C, N, 1) for a stack of networks). A
    reduction along a short axis is slow in numpy (42 µs for 1000×3); K − 1 column maxima take 4 µs."""
    if z.shape[-1] > 16:
        return z.max(axis=-1, keepdims=True)
    m = z[..., :1].copy()
    for k in range(1, z.shape[-1]):
        np.maximum(m, z[..., k:k + 1], out=m)
    return m


def _row_sum(e: np.ndarray) -> np.ndarray:
    """Σ_k e[n, k] as (N, 1) (over the last axis), as a product with a column of ones (2 µs,
    not 18, for 1000×3)."""
    return e @ np.ones((e.shape[-1], 1), dtype=e.dtype)


# ---- the registry ---------------------------------------------------------------------------
ACTIVATIONS: dict[str, Activation] = {}


def register(act: Activation) -> Activation:
    """Add ``act`` to the registry under its name (the one place an activation is added).

    ``fn`` and ``df`` are tried once on a few numbers: each must accept ``out=`` and return
    the array it wrote into (the training step keeps a and σ'(z) in reused buffers)."""
    if not act.name or not act.name.isidentifier():
        raise ValueError(f"an activation needs a name made of letters, digits and _, got {act.name!r}")
    if act.df is None and not act.output_only:
        raise ValueError(f"activation {act.name!r} has no element-wise df, so it can only be an output "
                         "activation (output_only=True) with its own backward")
    z = np.array([[-2.0, -0.5, 0.0, 0.5, 2.0]])
    for what, f, args in [("fn(z, out=out)", act.fn, (z,)), ("df(z, a, out=out)", act.df, (z, act.fn(z)))]:
        if f is None:
            continue
        out = np.empty_like(z)
        try:
            got = f(*args, out=out)
        except TypeError as e:
            raise ValueError(f"activation {act.name!r}: {what} must accept out= ({e})") from None
        if got is not out:
            raise ValueError(f"activation {act.name!r}: {what} must write into out and return it, "
                             f"as numpy's functions do (e.g. np.tanh(z, out=out))")
    ACTIVATIONS[act.name] = act
    return act


register(Activation("sigmoid", _sigmoid, _sigmoid_prime, classifier="binary", label="sigmoid σ",
                    saturated_outside=(0.01, 0.99),
                    symbol=r"\sigma", tex=r"\frac{1}{1+e^{-z}}", dtex=r"\sigma(z)\,(1-\sigma(z))",
                    np_fn="0.5 * (1 + np.tanh(0.5 * z))", np_df="a * (1 - a)"))
register(Activation("tanh", np.tanh, _tanh_prime, label="tanh", symbol=r"\tanh", saturated_outside=(-0.99, 0.99),
                    tex=r"\frac{e^{z}-e^{-z}}{e^{z}+e^{-z}}", dtex=r"1-\tanh^2(z)",
                    np_fn="np.tanh(z)", np_df="1 - a * a"))
register(Activation("relu", _relu, _relu_prime, kink_at_zero=True, label="ReLU", symbol=r"\mathrm{relu}",
                    tex=r"\max(0, z)", dtex=r"[z > 0]",
                    np_fn="np.maximum(z, 0.0)", np_df="(z > 0).astype(z.dtype)"))
register(Activation("leaky_relu", _leaky_relu, _leaky_relu_prime, kink_at_zero=True, label="leaky ReLU",
                    symbol=r"\mathrm{lrelu}", tex=rf"\max({LEAK:g}z, z)",
                    dtex=rf"1 \text{{ if }} z>0 \text{{ else }} {LEAK:g}",
                    np_fn=f"np.maximum(z, {LEAK!r} * z)", np_df=f"np.where(z > 0, 1.0, {LEAK!r})"))
register(Activation("linear", _identity, _identity_prime, label="linear (identity)", symbol=r"\mathrm{id}",
                    tex="z", dtex="1", np_fn="z", np_df="np.ones_like(z)"))
register(Softmax("softmax", _softmax, None, output_only=True, classifier="multiclass", label="softmax",
                 symbol=r"\mathrm{softmax}", tex=r"\frac{e^{z_j}}{\sum_k e^{z_k}}",
                 dtex=r"a_j\,\big(\mathbb{1}_{j=k} - a_k\big)",
                 np_fn="np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)",
                 np_backward="a * (Delta - np.sum(Delta * a, axis=1, keepdims=True))"))


def hidden_activations() -> tuple[str, ...]:
    """Names of the activations a hidden layer may use (all but output-only ones), in registry order."""
    return tuple(k for k, v in ACTIVATIONS.items() if not v.output_only)


def get_activation(name: str) -> Activation:
    """Look an activation up by name; unknown names list the valid ones."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}") from None
