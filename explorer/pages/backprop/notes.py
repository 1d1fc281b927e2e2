"""What each step of the walk-through does, in a sentence or three (the formulas are those
of docs/derivation.md). No Streamlit: the view passes the notation and the live optimizer.

Which sentence a step gets follows the registries: the output activation's ``elementwise``
and the pass's fused pairing choose the output-error story; ``keeps_state`` says whether
the live view's optimizer differs from the plain update this view applies.
"""
from __future__ import annotations

import numpy as np

from core.activations import ACTIVATIONS
from explorer.pages.backprop.one_pass import Pass, keeps_state
from explorer.pages.backprop.steps import Step


def note(step: Step, p: Pass, notation: str, optimizer: str) -> str:
    """The words beside ``step`` of pass ``p``, shown in ``notation``; ``optimizer`` is the live run's."""
    by = "row" if notation == "rows" else "column"
    if step.kind == "forward":
        act = p.activations[step.layer - 1]
        first = " The input layer's activations are the features themselves." if step.layer == 1 else ""
        return (f"Layer {step.layer} weighs the previous layer's activations with W, adds its bias and passes "
                f"the result through {act}. Each {by} of Z and A belongs to one example.{first}")
    if step.kind == "output":
        return _output_note(p)
    if step.kind == "backward":
        grad = ("The weight gradient averages, over the batch, each example's δ times the activations that fed "
                f"the layer (n = {p.n}); the bias gradient averages δ alone.")
        if step.layer == p.L:
            return grad
        return (f"The error of layer {step.layer + 1} travels back along the same weights that carried the signal "
                f"forward, transposed, and σ′(Z) of layer {step.layer} scales it unit by unit. " + grad)
    where = "" if not keeps_state(optimizer) else (
        f" This is plain gradient descent; the live view's {optimizer} optimizer keeps its own state and is not "
        "used here.")
    done = (" **Applied:** the network now holds the new weights and the live view continues from them."
            if p.applied else " Clicking Update applies it to the network.")
    sched = "" if p.schedule is None else (
        f" η is the learning-rate schedule's at this update: the learning rate {p.schedule[0]:g} times the "
        f"schedule's factor {p.schedule[1]:.4g} at epoch {p.schedule[2]:.4g}.")
    return f"Every weight and bias moves against its gradient, η = {p.eta:g} times as far.{sched}{where}{done}"


def _output_note(p: Pass) -> str:
    gap = float(np.max(np.abs(p.bwd.delta[-1] - p.generic.delta[-1])))
    out = ACTIVATIONS[p.activations[-1]]
    same = ("the two agree to the last bit" if gap == 0 else
            f"the largest difference between the two routes here is {gap:.1e}")
    if p.fused and out.elementwise:
        return ("A sigmoid output scored by binary cross-entropy needs no chain of factors: σ′ = a(1 − a) "
                "cancels the denominator of ∂L/∂a, leaving prediction minus target. The engine takes that "
                f"shortcut; the long route ∂L/∂A ⊙ σ′(Z) is computed beside it, and {same}.")
    if p.fused:
        return ("Each softmax output depends on every z, so its derivative is a K × K Jacobian per example. "
                "Multiplied by the cross-entropy gradient −y/ŷ, everything cancels except ŷ − y. The engine "
                f"takes that shortcut; the full Jacobian route is computed beside it, and {same}.")
    if not out.elementwise:
        return (f"With {p.loss} on a {out.name} there is no shortcut: each example's δ is its ∂L/∂a multiplied "
                f"by the {out.name} Jacobian a_j(𝟙[j = k] − a_k), shown here for example {p.example + 1}.")
    return ("∂L/∂A measures how the loss moves with each output; multiplied element by element with σ′(Z) "
            "it becomes δ, the error of each unit's weighted input z.")
