"""One backpropagation pass as the view shows it: the engine's own numbers for one batch.

No Streamlit. ``compute_pass`` runs the engine's forward and backward (examples as rows:
X (n, S_0), Z and A (n, S_l), W (S_l, S_{l-1})) and the plain gradient-descent update
θ ← θ − η ∂J/∂θ (U1) on a copy; ``apply_update`` applies that update to the network.
δ and ∂L/∂A are per example: the batch mean's 1/n enters only in ∂J/∂W and ∂J/∂b,
exactly as in the engine.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from core.optimizers import OPTIMIZERS, make_optimizer


def keeps_state(optimizer: str) -> bool:
    """Does ``optimizer`` carry state from one update to the next (a velocity, moments)?
    Read from a fresh instance's attributes: the registry has no such flag."""
    return bool(vars(make_optimizer(optimizer, [np.zeros(1)])))


# The update this view applies: the registry's optimizer without state, θ ← θ − η ∂J/∂θ (U1).
PLAIN = next(name for name in OPTIMIZERS if not keeps_state(name))


@dataclass
class Pass:
    """The engine's numbers for one batch X (n, S_0), T (n, S_L) and one plain gradient-descent update."""

    X: np.ndarray
    T: np.ndarray
    eta: float
    l1: float
    l2: float
    example: int                 # the example whose output Jacobian (softmax) is shown
    activations: list[str]
    loss: str
    fwd: object                  # core.network.Forward
    bwd: object                  # core.network.Backward (fused output δ when the pairing allows)
    generic: object              # Backward with δ^(L) = ∂L/∂A ⊙ σ'(Z) (or the Jacobian) always
    dsigma: list                 # σ'(Z^(l)) (n, S_l) per layer; None where σ is not element-wise
    jacobian: np.ndarray | None  # (K, K) output Jacobian of ``example``, when σ is not element-wise
    Wb_before: list              # [W | b] per layer, (S_l, S_{l-1} + 1)
    Wb_after: list
    cost_before: float
    cost_after: float
    applied: bool = False
    schedule: tuple | None = None  # (base η, factor f, t epochs) when a schedule made η = base·f (``eta_used``)

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
    """Forward, backward (both output paths) and the update W − η ∂J/∂W for X, T; ``net`` unchanged."""
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
    dsigma = [layer.activation.df(z, a) if layer.activation.elementwise else None
              for layer, z, a in zip(net.layers, fwd.Z, fwd.A[1:])]
    out = net.layers[-1].activation
    jac = None if out.elementwise else out.jacobian(fwd.A[-1][example:example + 1])[0]     # (S1)
    before = [p.copy() for p in net.parameters()]
    after = [p.copy() for p in before]
    make_optimizer(PLAIN, after).step(after, _grads(bwd), eta)     # the engine's own θ ← θ − η ∂J/∂θ
    trial = copy.deepcopy(net)
    for layer, Wb in zip(trial.layers, after):
        layer.Wb[...] = Wb
    return Pass(X, T, float(eta), l1, l2, example, [layer.activation.name for layer in net.layers],
                net.loss.name, fwd, bwd, generic, dsigma, jac, before, after,
                net.loss.fn(fwd.A[-1], T) + net.penalty(l1, l2), trial.cost(X, T, l1, l2))


def eta_used(trainer) -> tuple[float, tuple | None]:
    """The η the trainer's next update uses (its schedule's, ``Trainer.eta_now``) and, when the
    schedule makes it differ from the base rate, (base η, factor f = η / base, t in epochs)."""
    eta = trainer.eta_now
    if trainer.schedule.is_constant:
        return eta, None
    return eta, (trainer.learning_rate, eta / trainer.learning_rate, trainer.t_now)


def _grads(bwd) -> list[np.ndarray]:
    """[∂J/∂W | ∂J/∂b] per layer, fresh arrays (the optimizer may overwrite them)."""
    return [np.concatenate([dW, db[:, None]], axis=1) for dW, db in zip(bwd.dW, bwd.db)]


def apply_update(net, p: Pass) -> None:
    """Apply the pass's update to ``net`` in place (its parameters must be those of the pass)."""
    params = net.parameters()
    if len(params) != len(p.Wb_before) or not all(np.array_equal(a, b) for a, b in zip(params, p.Wb_before)):
        raise ValueError("the network changed since these numbers were computed; recompute the pass first")
    make_optimizer(PLAIN, params).step(params, _grads(p.bwd), p.eta)
    p.applied = True
