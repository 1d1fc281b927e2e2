"""The two notations of docs/derivation.md, section 8 ("Two notations for a batch"): how the
view orients a matrix, and the LaTeX of each formula in either.

No Streamlit. Examples are rows in the engine: X (n, S_0), Z and A (n, S_l), W (S_l, S_{l-1}).

* ``"rows"``    examples as rows, n × S, (R1)–(R3):     Z = A Wᵀ + 1 bᵀ,  ∂J/∂W = δᵀ A / n
* ``"columns"`` examples as columns, S × n, (K1)–(K3):  Z = W A + b 1ᵀ,   ∂J/∂W = δ Aᵀ / n

Per-example matrices are the engine's arrays, transposed for "columns"; W and ∂J/∂W are
(S_l, S_{l-1}) in both. The symbols are δ and ∂L/∂A, or the column form's H and Δ (K2).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from core.activations import ACTIVATIONS

NOTATIONS = {"rows": "examples as rows (n × S), as the engine stores them",
             "columns": "examples as columns (S × n), as in Andrew Ng's course"}
SYMBOLS = {"delta": "δ and ∂L/∂A", "H": "H and Δ, the column form's names"}

JACOBIAN_TEX = r"\frac{\partial a_j}{\partial z_k} = a_j\,\big(\mathbb{1}_{j=k} - a_k\big)"
FUSED_SOFTMAX = (r"_k = \sum_j \frac{\partial L}{\partial a_j}\,a_j(\mathbb{1}_{j=k} - a_k)"        # (B1s) -> (B1f)
                 r" = \sum_j -\frac{y_j}{\hat y_j}\,\hat y_j(\mathbb{1}_{j=k} - \hat y_k) = \hat y_k \sum_j y_j - y_k"
                 r" = \hat y_k - y_k")
UPDATE_TEX = (r"W^{(l)} \leftarrow W^{(l)} - \eta\,\frac{\partial J}{\partial W^{(l)}},\qquad b^{(l)} \leftarrow"
              r" b^{(l)} - \eta\,\frac{\partial J}{\partial b^{(l)}},\qquad \eta = ")
COST_CHANGE_TEX = r"J_{\text{before}} = %s\;\longrightarrow\;J_{\text{after}} = %s\quad\text{(this batch)}"
TOP, ONES = r"{}^\top", r"\mathbf{1}_n"


class Shown(NamedTuple):
    """A named matrix as the view shows it: ``values`` is 2-D, already oriented."""

    label: str
    values: np.ndarray


def sup(l) -> str:
    """'⁽²⁾' for layer 2: a superscript layer index for plain-text labels."""
    return "⁽" + str(l).translate(str.maketrans("0123456789L", "⁰¹²³⁴⁵⁶⁷⁸⁹ᴸ")) + "⁾"


def _m(name: str, l, t: bool = False) -> str:
    """'W^{(2)}' (or 'W^{(2)}{}^⊤' with ``t``)."""
    return name + "^{(" + str(l) + ")}" + (TOP if t else "")


def _prod(*factors) -> str:
    """Factors (expr, rows, cols) side by side, each with its shape written under it."""
    return r"\,".join(r"\underbrace{" + e + r"}_{" + f"{r}" + r"\times " + f"{c}" + "}" for e, r, c in factors)


def _mean(n: int) -> str:
    """The batch mean's factor 1/n (nothing for a single example)."""
    return "" if n == 1 else r"\frac{1}{" + str(n) + r"}\,"


class Tex:
    """Orientation and LaTeX for one notation ("rows"/"columns") and one set of symbols ("delta"/"H")."""

    def __init__(self, notation: str, symbols: str, n: int):
        if notation not in NOTATIONS:
            raise ValueError(f"unknown notation {notation!r}; choose one of {', '.join(NOTATIONS)}")
        if symbols not in SYMBOLS:
            raise ValueError(f"unknown symbols {symbols!r}; choose one of {', '.join(SYMBOLS)}")
        self.rows, self.H, self.n = notation == "rows", symbols == "H", n

    def orient(self, M: np.ndarray) -> np.ndarray:
        """An engine array (n, S) as shown: (n, S) for rows, (S, n) for columns."""
        return M if self.rows else M.T

    def vector(self, label: str, v: np.ndarray, suffix: str = "") -> Shown:
        """A per-unit vector (S,): a row bᵀ (1, S) for rows, a column b (S, 1) for columns."""
        return Shown(label + "ᵀ" + suffix, v[None, :]) if self.rows else Shown(label + suffix, v[:, None])

    def jacobian_times(self, J: np.ndarray, d: np.ndarray) -> np.ndarray:
        """One example's δ from its Jacobian J (K, K) and ∂L/∂a (K,): a row dᵀJ, or a column Jᵀd."""
        return (d @ J)[None, :] if self.rows else (J.T @ d)[:, None]

    # ---- symbols: δ and ∂L/∂A, or the column form's H and Δ (docs/derivation.md, (K2)) ------
    def sym(self, l, t: bool = False) -> str:
        return _m("H" if self.H else r"\delta", l, t)

    def grad(self, l) -> str:
        return _m(r"\Delta", l) if self.H else r"\frac{\partial L}{\partial " + _m("A", l) + "}"

    def sym_label(self, l) -> str:
        return ("H" if self.H else "δ") + sup(l)

    def grad_label(self, l) -> str:
        return ("Δ" if self.H else "∂L/∂A") + sup(l)

    # ---- formulas --------------------------------------------------------------------------
    def forward(self, l: int, s_prev: int, s: int) -> str:
        n = self.n
        if self.rows:       # Z = A Wᵀ + 1 bᵀ
            return (_prod((_m("Z", l), n, s)) + " = "
                    + _prod((_m("A", l - 1), n, s_prev), (_m("W", l, True), s_prev, s))
                    + " + " + _prod((ONES, n, 1), (_m("b", l, True), 1, s)))
        return (_prod((_m("Z", l), s, n)) + " = " + _prod((_m("W", l), s, s_prev), (_m("A", l - 1), s_prev, n))
                + " + " + _prod((_m("b", l), s, 1), (ONES + TOP, 1, n)))      # Z = W A + b 1ᵀ

    def activation(self, l: int, act: str) -> str:
        """A = σ(Z); an activation that couples a row's units (softmax) is applied per example."""
        each = r"\text{ (each row)}" if self.rows else r"\text{ (each column)}"
        where = "" if ACTIVATIONS[act].elementwise else each
        first = r",\qquad A^{(0)} = X" if l == 1 else ""
        return _m("A", l) + " = " + ACTIVATIONS[act].symbol + r"\big(" + _m("Z", l) + r"\big)" + where + first

    def cost(self, J: float) -> str:
        if self.n == 1:
            return rf"J = L\big(a_1, t_1\big) = {J:.6g}"
        return rf"J = \frac{{1}}{{{self.n}}}\sum_{{i=1}}^{{{self.n}}} L\big(a_i, t_i\big) = {J:.6g}"

    def fused_sigmoid(self, L: int) -> str:       # (B1) -> (B1f), docs/derivation.md §4
        return (self.sym(L) + " = " + self.grad(L) + r" \odot \sigma'(" + _m("Z", L) + r") = \frac{A - T}{A(1-A)}"
                + r" \odot A(1-A) = " + _m("A", L) + " - T")

    def jacobian_product(self, L: int) -> str:    # (B1s), docs/derivation.md §4
        d, J = self.sym(L), r"\frac{\partial a_i}{\partial z_i}"
        g = self.grad(L) if self.H else r"\Big(" + self.grad(L) + r"\Big)"
        if self.rows:
            return d + "_{i,:} = " + g + r"_{i,:}\;" + J
        return d + r"_{:,i} = \Big(" + J + r"\Big)^{\top}" + g + "_{:,i}"

    def hadamard(self, l: int, act: str) -> str:
        return self.sym(l) + " = " + self.grad(l) + r" \odot " + ACTIVATIONS[act].symbol + r"'\big(" + _m("Z", l) + r"\big)"

    def backprop(self, l: int, s: int, s_next: int) -> str:
        n = self.n
        if self.rows:       # ∂L/∂A^(l) = δ^(l+1) W^(l+1)
            return (_prod((self.grad(l), n, s)) + " = "
                    + _prod((self.sym(l + 1), n, s_next), (_m("W", l + 1), s_next, s)))
        return (_prod((self.grad(l), s, n)) + " = "                                 # Δ^(l) = W^(l+1)ᵀ H^(l+1)
                + _prod((_m("W", l + 1, True), s, s_next), (self.sym(l + 1), s_next, n)))

    def weight_grad(self, l: int, s_prev: int, s: int, l1: float = 0.0, l2: float = 0.0) -> str:
        n = self.n
        prod = (_prod((self.sym(l, True), s, n), (_m("A", l - 1), n, s_prev)) if self.rows      # δᵀ A / n
                else _prod((self.sym(l), s, n), (_m("A", l - 1, True), n, s_prev)))         # H Aᵀ / n
        pen = (f" + {l1:g}" + r"\,\mathrm{sign}(" + _m("W", l) + ")" if l1 else "") + (
            f" + {l2:g}" + r"\," + _m("W", l) if l2 else "")
        return _prod((r"\frac{\partial J}{\partial " + _m("W", l) + "}", s, s_prev)) + " = " + _mean(n) + prod + pen

    def bias_grad(self, l: int) -> str:
        ones = "" if self.n == 1 else r"\,\mathbf{1}_{" + str(self.n) + "}"
        return r"\frac{\partial J}{\partial " + _m("b", l) + "} = " + _mean(self.n) + self.sym(l, self.rows) + ones
