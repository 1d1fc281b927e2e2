"""Optimizers, keyed by the name the UI shows. Each updates parameters in place.

``step(params, grads, eta)`` takes the lists of parameter arrays (the layers'
[W | b]) and their gradients (same shapes) and applies one update with learning rate eta. The
gradient arrays may be overwritten (they are the backward pass's own).
"""
from __future__ import annotations

import numpy as np


class SGD:
    """Plain gradient descent: θ ← θ − η ∂J/∂θ  (U1 of docs/derivation.md)."""

    label = "SGD"
    tex = r"\theta \leftarrow \theta - \eta\,\frac{\partial J}{\partial \theta}"

    def __init__(self, params):
        pass

    def step(self, params, grads, eta):
        for p, g in zip(params, grads):
            g *= eta
            p -= g


class Momentum:
    """Gradient descent with momentum: v ← β v − η ∂J/∂θ;  θ ← θ + v  (β = 0.9)."""

    beta = 0.9
    label = f"Momentum (β = {beta})"
    tex = (r"v \leftarrow \beta v - \eta\,\frac{\partial J}{\partial \theta},\quad \theta \leftarrow \theta + v,"
           rf"\quad \beta = {beta}")

    def __init__(self, params):
        self.v = [np.zeros_like(p) for p in params]

    def step(self, params, grads, eta):
        for p, g, v in zip(params, grads, self.v):
            v *= self.beta
            g *= eta
            v -= g
            p += v


class Adam:
    """Adam (Kingma & Ba): bias-corrected running means of g and g².

    In the paper's own efficient form (end of its §2, and scikit-learn's): the two bias
    corrections fold into the step size, η_t = η √(1 − β2^t) / (1 − β1^t), and ε is added
    to √s: Algorithm 1 with ε replaced by ε/√(1 − β2^t), which matters only where √ŝ is tiny.
    """

    label = "Adam"
    tex = (r"m \leftarrow \beta_1 m + (1-\beta_1) g,\quad s \leftarrow \beta_2 s + (1-\beta_2) g^2,\quad "
           r"\theta \leftarrow \theta - \eta\,\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\,\frac{m}{\sqrt{s}+\epsilon}")

    beta1, beta2, eps = 0.9, 0.999, 1e-8

    def __init__(self, params):
        self.m = [np.zeros_like(p) for p in params]
        self.s = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, params, grads, eta):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        # Fold both bias corrections into one step size.
        lr = eta * np.sqrt(1.0 - b2 ** self.t) / (1.0 - b1 ** self.t)
        for p, g, m, s in zip(params, grads, self.m, self.s):
            m *= b1
            m += (1.0 - b1) * g
            s *= b2
            s += (1.0 - b2) * (g * g)
            p -= lr * m / (np.sqrt(s) + self.eps)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make_optimizer(name: str, params):
    """Build a fresh optimizer state for ``params``; unknown names list the valid ones."""
    try:
        cls = OPTIMIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}") from None
    return cls(params)           # an error inside a constructor is a bug: it propagates as itself
