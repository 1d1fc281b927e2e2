"""Which output layer and loss fit a problem: the pairing rule, in one place.

The engine (``Network``) and the explorer both ask this module. An output activation
and a loss pair when the loss accepts that output (``Loss.outputs``); a classifier needs
an output that gives class probabilities (an activation with a ``classifier`` kind: one
"binary" unit, sigmoid, for two classes, or a "multiclass" unit per class, softmax); a
regression output must not squash its values into (0, 1).
"""
from __future__ import annotations

from .activations import ACTIVATIONS, get_activation
from .losses import LOSSES, get_loss

AUTO = "auto"


def check_pairing(output: str, loss: str, width: int) -> None:
    """Raise ValueError (with the fix) unless an output layer of ``width`` units with
    activation ``output`` can be trained with ``loss``."""
    act = get_activation(output)
    spec = get_loss(loss)
    if spec.outputs is not None and output not in spec.outputs:
        raise ValueError(f"the {loss} loss needs a {' or '.join(spec.outputs)} output layer, not {output}; "
                         f"change the output activation or use mse")
    if act.classifier == "multiclass" and width < 2:
        raise ValueError(f"a {output} output needs at least 2 units (one per class); "
                         "one unit would always output 1")


def auto_output(problem: str, n_classes: int | None) -> tuple[int, str, str]:
    """The natural (units, output, loss): sigmoid + BCE, softmax + CE, or linear + MSE."""
    if problem == "regression":
        return 1, "linear", "mse"
    if (n_classes or 2) <= 2:
        return 1, "sigmoid", "binary_cross_entropy"
    return n_classes, "softmax", "cross_entropy"


def _natural_loss(output: str) -> str:
    """The loss whose output error simplifies with ``output`` (B1f), else mse."""
    return next((loss.name for loss in LOSSES.values() if loss.fused_with == output), "mse")


def resolve_output(problem: str, n_classes: int | None, output: str = AUTO, loss: str = AUTO) -> tuple[int, str, str]:
    """(units, output activation, loss) for this problem; ``"auto"`` follows the problem.

    Raises ValueError with a sentence a learner understands when a choice cannot work.
    """
    auto = auto_output(problem, n_classes)
    out = auto[1] if output == AUTO else get_activation(output).name
    kind = ACTIVATIONS[out].classifier
    if loss == AUTO:
        loss = auto[2] if out == auto[1] else _natural_loss(out)
    if problem == "classification":
        if not kind:
            names = [n for n, a in ACTIVATIONS.items() if a.classifier]
            raise ValueError(f"a {out} output does not give class probabilities; "
                             f"use {' (two classes) or '.join(names)}")
        if kind == "binary" and (n_classes or 2) > 2:
            raise ValueError(f"one {out} unit can only tell two classes apart, this data has {n_classes}; "
                             "use a softmax output")
        units = 1 if kind == "binary" else max(n_classes or 2, 2)
    else:
        if kind:
            raise ValueError(f"a {out} output only predicts values between 0 and 1; "
                             "regression targets need a linear (or tanh) output")
        units = 1
    allowed = LOSSES[get_loss(loss).name].outputs
    if allowed is not None and out not in allowed:
        raise ValueError(f"the {loss} loss needs a {' or '.join(allowed)} output; with a {out} output use mse")
    check_pairing(out, loss, units)
    return units, out, loss
