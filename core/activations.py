"""Activation functions and their derivatives, keyed by the name the UI shows.

Examples are rows: ``z`` and ``a`` have shape (N, S_l). Every activation owns

* ``fn(z) -> a``,
* ``backward(z, a, dA) -> dZ``: the vector-Jacobian product that turns
  Delta = dL/da into delta = dL/dz (the seeds' H = Delta ⊙ σ'(Z)).

Element-wise activations also expose ``df(z, a)`` = σ'(z), so the backward step
is literally ``dA * df(z, a)``. Softmax couples the units of a row; its
``backward`` applies the full Jacobian  ∂a_j/∂z_k = a_j (δ_jk − a_k)  (seed 000 §II,
seed 002), and ``jacobian(a)`` returns that matrix for display and tests.

Each entry also owns how it is shown and written out: ``label`` for menus, ``symbol``,
``tex`` and ``dtex`` (σ(z) and σ'(z) in TeX) for the step-by-step view, and ``np_fn`` /
``np_df`` (numpy expressions of ``z`` and ``a``) for the exported script. Adding an
activation is one ``register`` call (or one entry below): menus, links, the gradient
tests and the step-by-step view read this registry.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Activation:
    """An element-wise activation σ with its derivative σ'(z) (given z and a = σ(z))."""

    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray, np.ndarray], np.ndarray]
    output_only: bool = False
    label: str = ""          # shown in menus
    symbol: str = ""         # TeX name, e.g. r"\tanh"
    tex: str = ""            # TeX of σ(z)
    dtex: str = ""           # TeX of σ'(z)
    np_fn: str = ""          # numpy expression of z: the exported script's σ(z)
    np_df: str = ""          # numpy expression of z and a = σ(z): the script's σ'(z)

    @property
    def formula(self) -> str:
        """σ(z) and σ'(z) in one line of TeX."""
        return rf"{self.symbol}(z) = {self.tex},\quad {self.symbol}'(z) = {self.dtex}"

    def backward(self, z: np.ndarray, a: np.ndarray, dA: np.ndarray) -> np.ndarray:
        """delta = Delta ⊙ σ'(z); all arrays (N, S)."""
        return dA * self.df(z, a)

    def fn_into(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        """a = σ(z) written into ``out`` (the training loop's preallocated buffer)."""
        out[...] = self.fn(z)
        return out

    def backward_into(self, z: np.ndarray, a: np.ndarray, dA: np.ndarray, tmp: np.ndarray) -> np.ndarray:
        """delta = Delta ⊙ σ'(z) written over ``dA`` (the training loop's buffer); ``tmp`` is
        scratch of the same shape. Returns the array holding delta."""
        dA *= self.df(z, a)
        return dA


class _Tanh(Activation):
    def fn_into(self, z, out):
        return np.tanh(z, out=out)

    def backward_into(self, z, a, dA, tmp):
        np.multiply(a, a, out=tmp)              # tanh'(z) = 1 − a²
        np.subtract(1.0, tmp, out=tmp)
        dA *= tmp
        return dA


class _Sigmoid(Activation):
    def fn_into(self, z, out):
        # σ(z) = ½(1 + tanh(z/2)), computed in place without overflow.
        np.multiply(z, 0.5, out=out)
        np.tanh(out, out=out)
        out += 1.0
        out *= 0.5
        return out

    def backward_into(self, z, a, dA, tmp):
        np.subtract(1.0, a, out=tmp)            # σ'(z) = a (1 − a)
        tmp *= a
        dA *= tmp
        return dA


class _Relu(Activation):
    def fn_into(self, z, out):
        return np.maximum(z, 0.0, out=out)

    def backward_into(self, z, a, dA, tmp):
        np.multiply(dA, z > 0, out=dA)          # relu'(z) = [z > 0]
        return dA


class _Linear(Activation):
    def fn_into(self, z, out):
        np.copyto(out, z)
        return out

    def backward_into(self, z, a, dA, tmp):
        return dA                               # linear'(z) = 1


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # 0.5·(1 + tanh(z/2)) equals 1/(1 + e^(−z)) and never overflows.
    a = np.multiply(z, 0.5)
    np.tanh(a, out=a)
    a += 1.0
    a *= 0.5
    return a


def _leaky(z: np.ndarray) -> np.ndarray:
    return np.where(z > 0, z, 0.01 * z)


class Softmax(Activation):
    """Row-wise softmax, an output activation: a_j = e^{z_j} / Σ_k e^{z_k}."""

    def fn_into(self, z, out):
        # The same steps as ``_softmax``, in the training loop's buffer.
        np.subtract(z, _row_max(z), out=out)
        np.exp(out, out=out)
        out /= _row_sum(out)
        return out

    def backward(self, z: np.ndarray, a: np.ndarray, dA: np.ndarray) -> np.ndarray:
        # delta_k = Σ_j dA_j · a_j (δ_jk − a_k) = a_k (dA_k − Σ_j dA_j a_j):
        # the full Jacobian applied without building it (see ``jacobian``).
        return a * (dA - np.sum(dA * a, axis=1, keepdims=True))

    def backward_into(self, z, a, dA, tmp):
        """The full Jacobian in place (not the diagonal-only default): δ = a ⊙ (Δ − Σ_j Δ_j a_j)."""
        np.multiply(dA, a, out=tmp)
        dA -= _row_sum(tmp)
        dA *= a
        return dA

    @property
    def formula(self) -> str:
        return rf"{self.symbol}(z)_j = {self.tex},\quad \frac{{\partial a_j}}{{\partial z_k}} = {self.dtex}"

    @staticmethod
    def jacobian(a: np.ndarray) -> np.ndarray:
        """Full softmax Jacobian J[n, j, k] = a_j (δ_jk − a_k); a (N, K) -> (N, K, K)."""
        return a[:, :, None] * (np.eye(a.shape[1])[None] - a[:, None, :])


def _softmax(z: np.ndarray) -> np.ndarray:
    # Shift by the row maximum so exp never overflows; the result is unchanged.
    e = np.exp(z - _row_max(z))
    e /= _row_sum(e)
    return e


def _row_max(z: np.ndarray) -> np.ndarray:
    """max_k z[n, k] as (N, 1). A reduction along a short axis is slow in numpy (42 µs for
    1000×3); K − 1 column maxima take 4 µs."""
    if z.shape[1] > 16:
        return z.max(axis=1, keepdims=True)
    m = z[:, :1].copy()
    for k in range(1, z.shape[1]):
        np.maximum(m, z[:, k:k + 1], out=m)
    return m


def _row_sum(e: np.ndarray) -> np.ndarray:
    """Σ_k e[n, k] as (N, 1), as a product with a column of ones (2 µs, not 18, for 1000×3)."""
    return e @ np.ones((e.shape[1], 1), dtype=e.dtype)


def _softmax_df(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    # Diagonal of the Jacobian only; ``Softmax.backward`` uses the full one.
    return a * (1.0 - a)


ACTIVATIONS: dict[str, Activation] = {}


def register(act: Activation) -> Activation:
    """Add ``act`` to the registry under its name (the one place an activation is added)."""
    if not act.name or not act.name.isidentifier():
        raise ValueError(f"an activation needs a name made of letters, digits and _, got {act.name!r}")
    ACTIVATIONS[act.name] = act
    return act


register(_Sigmoid("sigmoid", _sigmoid, lambda z, a: a * (1.0 - a), label="sigmoid σ", symbol=r"\sigma",
                  tex=r"\frac{1}{1+e^{-z}}", dtex=r"\sigma(z)\,(1-\sigma(z))",
                  np_fn="0.5 * (1 + np.tanh(0.5 * z))", np_df="a * (1 - a)"))
register(_Tanh("tanh", np.tanh, lambda z, a: 1.0 - a * a, label="tanh", symbol=r"\tanh",
               tex=r"\frac{e^{z}-e^{-z}}{e^{z}+e^{-z}}", dtex=r"1-\tanh^2(z)",
               np_fn="np.tanh(z)", np_df="1 - a * a"))
register(_Relu("relu", lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype), label="ReLU",
               symbol=r"\mathrm{relu}", tex=r"\max(0, z)", dtex=r"[z > 0]",
               np_fn="np.maximum(z, 0.0)", np_df="(z > 0).astype(z.dtype)"))
register(Activation("leaky_relu", _leaky, lambda z, a: np.where(z > 0, 1.0, 0.01).astype(z.dtype),
                    label="leaky ReLU", symbol=r"\mathrm{lrelu}", tex=r"\max(0.01z, z)",
                    dtex=r"1 \text{ if } z>0 \text{ else } 0.01",
                    np_fn="np.where(z > 0, z, 0.01 * z)", np_df="np.where(z > 0, 1.0, 0.01)"))
register(_Linear("linear", lambda z: z.copy(), lambda z, a: np.ones_like(z), label="linear (identity)",
                 symbol=r"\mathrm{id}", tex="z", dtex="1", np_fn="z", np_df="np.ones_like(z)"))
register(Softmax("softmax", _softmax, _softmax_df, output_only=True, label="softmax", symbol=r"\mathrm{softmax}",
                 tex=r"\frac{e^{z_j}}{\sum_k e^{z_k}}", dtex=r"a_j\,\big(\mathbb{1}_{j=k} - a_k\big)",
                 np_fn="np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)",
                 np_df=""))


def hidden_activations() -> tuple[str, ...]:
    """Names of the activations a hidden layer may use (all but output-only ones), in registry order."""
    return tuple(k for k, v in ACTIVATIONS.items() if not v.output_only)


def get_activation(name: str) -> Activation:
    """Look an activation up by name; unknown names list the valid ones."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}") from None
