"""One backpropagation pass as the view shows it: the engine's numbers, step by step.

No Streamlit. ``compute_pass`` runs the engine's own forward and backward (examples as rows:
X (n, S_0), Z and A (n, S_l), W (S_l, S_{l-1})); ``steps`` turns the numbers into the steps
Forward l, Output error, Backward l, Update, with LaTeX formulas and named matrices in one of
the two notations of docs/derivation.md, section 8 ("Two notations for a batch"):

* ``"rows"``    examples as rows, n × S, (R1)–(R3):     Z = A Wᵀ + 1 bᵀ,  ∂J/∂W = δᵀ A / n
* ``"columns"`` examples as columns, S × n, (K1)–(K3):  Z = W A + b 1ᵀ,   ∂J/∂W = δ Aᵀ / n

Per-example matrices are the engine's arrays, transposed for "columns"; W and ∂J/∂W
are (S_l, S_{l-1}) in both. δ (H in the column form) and ∂L/∂A (its Δ) are per example:
the batch mean's 1/n enters only in ∂J/∂W and ∂J/∂b, exactly as in the engine.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from core.activations import ACTIVATIONS, Softmax
from core.losses import LOSSES
from core.optimizers import make_optimizer

# The view's choices; both forms are derived in docs/derivation.md, section 8.
NOTATIONS = {"rows": "examples as rows (n × S), as the engine stores them",
             "columns": "examples as columns (S × n), as in Andrew Ng's course"}
SYMBOLS = {"delta": "δ and ∂L/∂A", "H": "H and Δ, the column form's names"}


class Shown(NamedTuple):
    """A named matrix as the view shows it: ``values`` is 2-D, already oriented."""

    label: str
    values: np.ndarray


@dataclass
class Step:
    """One click of the walk-through. ``column`` is the diagram column to highlight."""

    kind: str                   # "forward" | "output" | "backward" | "update"
    layer: int | None           # 1-based layer, None for the update
    title: str
    formulas: list[str]
    matrices: list[Shown]
    column: int | None = None


@dataclass
class Pass:
    """The engine's numbers for one batch X (n, S_0), T (n, S_L) and one SGD update."""

    X: np.ndarray
    T: np.ndarray
    eta: float
    l1: float
    l2: float
    example: int                 # the example whose softmax Jacobian is shown
    activations: list[str]
    loss: str
    fwd: object                  # core.network.Forward
    bwd: object                  # core.network.Backward (fused output δ when the pairing allows)
    generic: object              # Backward with δ^(L) = ∂L/∂A ⊙ σ'(Z) (or the Jacobian) always
    dsigma: list                 # σ'(Z^(l)) (n, S_l) per layer; None for softmax
    jacobian: np.ndarray | None  # (K, K) softmax Jacobian of ``example``
    Wb_before: list              # [W | b] per layer, (S_l, S_{l-1} + 1)
    Wb_after: list
    cost_before: float
    cost_after: float
    applied: bool = False

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def L(self) -> int:
        return len(self.activations)

    @property
    def fused(self) -> bool:
        return self.bwd.fused

    @property
    def sizes(self) -> list[int]:
        return [self.X.shape[1]] + [z.shape[1] for z in self.fwd.Z]     # [S_0, ..., S_L]


def batch_indices(n_total: int, start: int, size: int) -> np.ndarray:
    """``size`` training rows spread evenly over 0..n_total−1, the first one at ``start``."""
    if not 1 <= size <= n_total:
        raise ValueError(f"batch size must be between 1 and {n_total}, got {size}")
    return (start + np.arange(size) * (n_total // size)) % n_total


def compute_pass(net, X, T, eta: float, l1: float = 0.0, l2: float = 0.0, example: int = 0) -> Pass:
    """Forward, backward (both output paths) and the SGD update W − η ∂J/∂W for X, T; ``net`` unchanged."""
    X = net.check_X(X)
    T = np.asarray(T, dtype=net.dtype)
    if T.shape != (X.shape[0], net.sizes[-1]):
        raise ValueError(f"T must have shape ({X.shape[0]}, {net.sizes[-1]}), got {T.shape}")
    if not (np.isfinite(eta) and eta > 0):
        raise ValueError(f"learning rate must be > 0, got {eta}")
    if not 0 <= example < X.shape[0]:
        raise ValueError(f"example must be between 0 and {X.shape[0] - 1}, got {example}")
    fwd = net.forward(X)
    bwd = net.backward(fwd, T, l1, l2)
    generic = net.backward(fwd, T, l1, l2, fused=False)
    dsigma = [None if layer.activation.name == "softmax" else layer.activation.df(z, a)
              for layer, z, a in zip(net.layers, fwd.Z, fwd.A[1:])]
    jac = Softmax.jacobian(fwd.A[-1][example:example + 1])[0] if net.output == "softmax" else None
    before = [p.copy() for p in net.parameters()]
    after = [p.copy() for p in before]
    make_optimizer("sgd", after).step(after, _grads(bwd), eta)     # the engine's own θ ← θ − η ∂J/∂θ
    trial = copy.deepcopy(net)
    for layer, Wb in zip(trial.layers, after):
        layer.Wb[...] = Wb
    return Pass(X, T, float(eta), l1, l2, example, [layer.activation.name for layer in net.layers],
                net.loss.name, fwd, bwd, generic, dsigma, jac, before, after,
                net.loss.fn(fwd.A[-1], T) + net.penalty(l1, l2), trial.cost(X, T, l1, l2))


def _grads(bwd) -> list[np.ndarray]:
    """[∂J/∂W | ∂J/∂b] per layer, fresh arrays (the optimizer may overwrite them)."""
    return [np.concatenate([dW, db[:, None]], axis=1) for dW, db in zip(bwd.dW, bwd.db)]


def apply_update(net, p: Pass) -> None:
    """Apply the pass's SGD update to ``net`` in place (its parameters must be those of the pass)."""
    params = net.parameters()
    if len(params) != len(p.Wb_before) or not all(np.array_equal(a, b) for a, b in zip(params, p.Wb_before)):
        raise ValueError("the network changed since these numbers were computed; recompute the pass first")
    make_optimizer("sgd", params).step(params, _grads(p.bwd), p.eta)
    p.applied = True


def sup(l) -> str:
    """'⁽²⁾' for layer 2: a superscript layer index for plain-text labels."""
    return "⁽" + str(l).translate(str.maketrans("0123456789L", "⁰¹²³⁴⁵⁶⁷⁸⁹ᴸ")) + "⁾"


def steps(p: Pass, notation: str = "rows", symbols: str = "delta") -> list[Step]:
    """Forward 1..L, Output error, Backward L..1, Update: what each click of the view shows."""
    if notation not in NOTATIONS:
        raise ValueError(f"unknown notation {notation!r}; choose one of {', '.join(NOTATIONS)}")
    if symbols not in SYMBOLS:
        raise ValueError(f"unknown symbols {symbols!r}; choose one of {', '.join(SYMBOLS)}")
    tex = Tex(notation, symbols, p.n)
    out = [_forward(p, tex, l) for l in range(1, p.L + 1)]
    out.append(_output(p, tex))
    out += [_backward(p, tex, l) for l in range(p.L, 0, -1)]
    out.append(_update(p, tex))
    return out


def _forward(p: Pass, tex, l: int) -> Step:
    o, fwd, S = tex.orient, p.fwd, p.sizes
    W, b = p.Wb_before[l - 1][:, :-1], p.Wb_before[l - 1][:, -1]
    act = p.activations[l - 1]
    mats = [Shown("A⁽⁰⁾ = X" if l == 1 else "A" + sup(l - 1), o(fwd.A[l - 1])), Shown("W" + sup(l), W),
            tex.vector("b" + sup(l), b), Shown("Z" + sup(l), o(fwd.Z[l - 1])), Shown("A" + sup(l), o(fwd.A[l]))]
    formulas = [tex.forward(l, S[l - 1], S[l]), tex.activation(l, act),
                ACTIVATIONS[act].formula]
    return Step("forward", l, f"Forward, layer {l}", formulas, mats, l)


def _output(p: Pass, tex) -> Step:
    o, L, fwd = tex.orient, p.L, p.fwd
    out_act, i = p.activations[-1], p.example
    A, T, D, dl = fwd.A[-1], p.T, p.generic.Delta[-1], tex.sym_label(L)
    g, generic = tex.grad_label(L), p.generic.delta[-1]
    formulas = [tex.cost(p.cost_before), LOSSES[p.loss].formula]
    mats = [Shown("A" + sup(L), o(A)), Shown("T", o(T))]
    if p.fused and out_act == "sigmoid":
        formulas.append(tex.fused_sigmoid(L))
        mats += [Shown(f"{dl} = A − T", o(p.bwd.delta[-1])), Shown(g, o(D)),
                 Shown(f"σ'(Z{sup(L)})", o(p.dsigma[-1])), Shown(f"{g} ⊙ σ'(Z)", o(generic))]
    elif out_act == "softmax":
        formulas += [JACOBIAN_TEX, tex.jacobian_product(L)] + ([tex.sym(L) + FUSED_SOFTMAX] if p.fused else [])
        mats += [Shown(g, o(D)), Shown(f"∂a/∂z of example {i + 1}", p.jacobian),
                 Shown(f"{dl} of example {i + 1} (Jacobian × {g})", tex.jacobian_times(p.jacobian, D[i]))]
        if p.fused:
            mats.append(Shown(f"{dl} = Ŷ − Y", o(p.bwd.delta[-1])))
        mats.append(Shown(f"{dl} (Jacobian, every example)", o(generic)))
    else:
        formulas.append(tex.hadamard(L, out_act))
        mats += [Shown(g, o(D)), Shown(f"σ'(Z{sup(L)})", o(p.dsigma[-1])), Shown(dl, o(p.bwd.delta[-1]))]
    return Step("output", L, "Output error", formulas, mats, L)


def _backward(p: Pass, tex, l: int) -> Step:
    o, bwd, fwd, S = tex.orient, p.bwd, p.fwd, p.sizes
    formulas, mats = [], []
    if l < p.L:
        formulas += [tex.backprop(l, S[l], S[l + 1]), tex.hadamard(l, p.activations[l - 1])]
        mats += [Shown(tex.sym_label(l + 1), o(bwd.delta[l])), Shown("W" + sup(l + 1), p.Wb_before[l][:, :-1]),
                 Shown(tex.grad_label(l), o(bwd.Delta[l - 1])), Shown(f"σ'(Z{sup(l)})", o(p.dsigma[l - 1]))]
    mats += [Shown(tex.sym_label(l), o(bwd.delta[l - 1])), Shown("A" + sup(l - 1), o(fwd.A[l - 1])),
             Shown(f"∂J/∂W{sup(l)}", bwd.dW[l - 1]), tex.vector(f"∂J/∂b{sup(l)}", bwd.db[l - 1])]
    formulas += [tex.weight_grad(l, S[l - 1], S[l], p.l1, p.l2), tex.bias_grad(l)]
    return Step("backward", l, f"Backward, layer {l}", formulas, mats, l)


def _update(p: Pass, tex) -> Step:
    """One row per layer of W before, η ∂J/∂W, W after and the change; then the biases before and after."""
    mats, biases = [], []
    for l, (before, after, dW) in enumerate(zip(p.Wb_before, p.Wb_after, p.bwd.dW), start=1):
        mats += [Shown(f"W{sup(l)} before", before[:, :-1]), Shown(f"η ∂J/∂W{sup(l)}", p.eta * dW),
                 Shown(f"W{sup(l)} after", after[:, :-1]),
                 Shown(f"change of W{sup(l)}", after[:, :-1] - before[:, :-1])]
        biases += [tex.vector(f"b{sup(l)}", before[:, -1], " before"), tex.vector(f"b{sup(l)}", after[:, -1], " after")]
    formulas = [UPDATE_TEX + f"{p.eta:g}", COST_CHANGE_TEX % (f"{p.cost_before:.6g}", f"{p.cost_after:.6g}")]
    return Step("update", None, "Update", formulas, mats + biases, None)



JACOBIAN_TEX = r"\frac{\partial a_j}{\partial z_k} = a_j\,\big(\mathbb{1}_{j=k} - a_k\big)"
FUSED_SOFTMAX = (r"_k = \sum_j \frac{\partial L}{\partial a_j}\,a_j(\mathbb{1}_{j=k} - a_k)"        # (B1s) -> (B1f)
                 r" = \sum_j -\frac{y_j}{\hat y_j}\,\hat y_j(\mathbb{1}_{j=k} - \hat y_k) = \hat y_k \sum_j y_j - y_k"
                 r" = \hat y_k - y_k")
UPDATE_TEX = (r"W^{(l)} \leftarrow W^{(l)} - \eta\,\frac{\partial J}{\partial W^{(l)}},\qquad b^{(l)} \leftarrow"
              r" b^{(l)} - \eta\,\frac{\partial J}{\partial b^{(l)}},\qquad \eta = ")
COST_CHANGE_TEX = r"J_{\text{before}} = %s\;\longrightarrow\;J_{\text{after}} = %s\quad\text{(this batch)}"
TOP, ONES = r"{}^\top", r"\mathbf{1}_n"


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
        where = (r"\text{ (each row)}" if self.rows else r"\text{ (each column)}") if act == "softmax" else ""
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
