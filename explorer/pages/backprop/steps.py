"""The steps of the walk-through: Forward l, Output error, Backward l, Update, each with its
formulas and named matrices, from one pass's numbers (``one_pass``) in one notation
(``notation``). No Streamlit.

Which output-error route a step shows follows the output activation's registry entry: an
element-wise σ multiplies ∂L/∂A by σ'(Z) (B2), or cancels it when the loss is fused with it
(B1f); a σ that couples a row's units (softmax) applies its Jacobian (B1s).
"""
from __future__ import annotations

from dataclasses import dataclass

from core.activations import ACTIVATIONS
from core.losses import LOSSES
from explorer.pages.backprop.notation import (COST_CHANGE_TEX, FUSED_SOFTMAX, JACOBIAN_TEX, UPDATE_TEX, Shown, Tex,
                                              sup)
from explorer.pages.backprop.one_pass import Pass


@dataclass
class Step:
    """One click of the walk-through. ``column`` is the diagram column to highlight."""

    kind: str                   # "forward" | "output" | "backward" | "update"
    layer: int | None           # 1-based layer, None for the update
    title: str
    formulas: list[str]
    matrices: list[Shown]
    column: int | None = None


def steps(p: Pass, notation: str = "rows", symbols: str = "delta") -> list[Step]:
    """Forward 1..L, Output error, Backward L..1, Update: what each click of the view shows."""
    tex = Tex(notation, symbols, p.n)
    out = [_forward(p, tex, l) for l in range(1, p.L + 1)]
    out.append(_output(p, tex))
    out += [_backward(p, tex, l) for l in range(p.L, 0, -1)]
    out.append(_update(p, tex))
    return out


def _forward(p: Pass, tex: Tex, l: int) -> Step:
    o, fwd, S = tex.orient, p.fwd, p.sizes
    W, b = p.Wb_before[l - 1][:, :-1], p.Wb_before[l - 1][:, -1]
    act = p.activations[l - 1]
    mats = [Shown("A⁽⁰⁾ = X" if l == 1 else "A" + sup(l - 1), o(fwd.A[l - 1])), Shown("W" + sup(l), W),
            tex.vector("b" + sup(l), b), Shown("Z" + sup(l), o(fwd.Z[l - 1])), Shown("A" + sup(l), o(fwd.A[l]))]
    formulas = [tex.forward(l, S[l - 1], S[l]), tex.activation(l, act),
                ACTIVATIONS[act].formula]
    return Step("forward", l, f"Forward, layer {l}", formulas, mats, l)


def _output(p: Pass, tex: Tex) -> Step:
    o, L, fwd = tex.orient, p.L, p.fwd
    out_act, i = ACTIVATIONS[p.activations[-1]], p.example
    A, T, D, dl = fwd.A[-1], p.T, p.generic.Delta[-1], tex.sym_label(L)
    g, generic = tex.grad_label(L), p.generic.delta[-1]
    formulas = [tex.cost(p.cost_before), LOSSES[p.loss].formula]
    mats = [Shown("A" + sup(L), o(A)), Shown("T", o(T))]
    if p.fused and out_act.elementwise:             # σ' cancels ∂L/∂a's denominator (B1f)
        formulas.append(tex.fused_sigmoid(L))
        mats += [Shown(f"{dl} = A − T", o(p.bwd.delta[-1])), Shown(g, o(D)),
                 Shown(f"σ'(Z{sup(L)})", o(p.dsigma[-1])), Shown(f"{g} ⊙ σ'(Z)", o(generic))]
    elif not out_act.elementwise:                   # the Jacobian route (B1s), and its shortcut
        formulas += [JACOBIAN_TEX, tex.jacobian_product(L)] + ([tex.sym(L) + FUSED_SOFTMAX] if p.fused else [])
        mats += [Shown(g, o(D)), Shown(f"∂a/∂z of example {i + 1}", p.jacobian),
                 Shown(f"{dl} of example {i + 1} (Jacobian × {g})", tex.jacobian_times(p.jacobian, D[i]))]
        if p.fused:
            mats.append(Shown(f"{dl} = Ŷ − Y", o(p.bwd.delta[-1])))
        mats.append(Shown(f"{dl} (Jacobian, every example)", o(generic)))
    else:
        formulas.append(tex.hadamard(L, out_act.name))
        mats += [Shown(g, o(D)), Shown(f"σ'(Z{sup(L)})", o(p.dsigma[-1])), Shown(dl, o(p.bwd.delta[-1]))]
    return Step("output", L, "Output error", formulas, mats, L)


def _backward(p: Pass, tex: Tex, l: int) -> Step:
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


def _update(p: Pass, tex: Tex) -> Step:
    """One row per layer of W before, η ∂J/∂W, W after and the change; then the biases before and after."""
    mats, biases = [], []
    for l, (before, after, dW) in enumerate(zip(p.Wb_before, p.Wb_after, p.bwd.dW), start=1):
        mats += [Shown(f"W{sup(l)} before", before[:, :-1]), Shown(f"η ∂J/∂W{sup(l)}", p.eta * dW),
                 Shown(f"W{sup(l)} after", after[:, :-1]),
                 Shown(f"change of W{sup(l)}", after[:, :-1] - before[:, :-1])]
        biases += [tex.vector(f"b{sup(l)}", before[:, -1], " before"), tex.vector(f"b{sup(l)}", after[:, -1], " after")]
    eta = f"{p.eta:g}"
    if p.schedule is not None:          # the schedule's η at this update: the base rate times its factor
        base, f, t = p.schedule
        eta = rf"\eta_0\,f(t) = {base:g} \times {f:.4g} = {p.eta:.4g}\quad(t = {t:.4g})"
    formulas = [UPDATE_TEX + eta, COST_CHANGE_TEX % (f"{p.cost_before:.6g}", f"{p.cost_after:.6g}")]
    return Step("update", None, "Update", formulas, mats + biases, None)
