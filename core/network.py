"""A feed-forward network and its backpropagation, as the seeds derive it.

Examples are rows: X is (N, S_0); z and a of layer l are (N, S_l); W of layer l is
(S_l, S_{l-1}) and b is (S_l,), as every seed writes them. In this orientation the
seeds' column formulas read transposed:  z = a_prev Wᵀ + b,  dJ/dW = δᵀ a_prev / N.

Forward:   z^(l) = W^(l) a^(l−1) + b^(l),   a^(l) = σ_l(z^(l)),   a^(0) = x.
Backward:  Delta^(L) = ∂L/∂a^(L);  δ^(l) = Delta^(l) ⊙ σ_l'(z^(l))  (seed 003's H);
           Delta^(l−1) = (W^(l))ᵀ δ^(l);  dJ/dW^(l) = mean_n δ^(l) a^(l−1)ᵀ;  dJ/db^(l) = mean_n δ^(l).
δ and Delta are kept per example (∂L_n/∂z_n, ∂L_n/∂a_n): the 1/N of the mean cost
enters only when they are summed into dJ/dW and dJ/db.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .activations import Activation, get_activation, hidden_activations
from .initializers import INITIALIZERS
from .losses import Loss, get_loss
from .outputs import check_pairing
from .targets import CLASSIFIERS, as_targets


class Layer:
    """One layer: W (S_l, S_{l-1}), b (S_l,) and its activation σ_l.

    W and b are views into one array ``Wb = [W | b]`` of shape (S_l, S_{l-1} + 1), so
    the training loop can update both with one operation; writing to ``layer.W`` or
    ``layer.b`` (in place or by assignment) writes into ``Wb``.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, activation: Activation):
        self.Wb = np.concatenate([W, b[:, None]], axis=1)
        self.activation = activation

    @property
    def W(self) -> np.ndarray:
        return self.Wb[:, :-1]

    @W.setter
    def W(self, value):
        self.Wb[:, :-1] = value

    @property
    def b(self) -> np.ndarray:
        return self.Wb[:, -1]

    @b.setter
    def b(self, value):
        self.Wb[:, -1] = value

    @property
    def size(self) -> int:
        return self.Wb.shape[0]


@dataclass
class Forward:
    """What a forward pass keeps: Z[l], A[l] for layers 1..L (index 0 of A is X)."""

    Z: list = field(default_factory=list)   # Z[l-1] is z^(l), (N, S_l)
    A: list = field(default_factory=list)   # A[0] = X (N, S_0); A[l] = a^(l), (N, S_l)


@dataclass
class Backward:
    """What a backward pass keeps, per layer l = 1..L (list index l − 1)."""

    dW: list   # dJ/dW^(l), (S_l, S_{l-1})
    db: list   # dJ/db^(l), (S_l,)
    delta: list   # δ^(l) = ∂L_n/∂z^(l), (N, S_l)  (seed 003's H)
    Delta: list   # Delta^(l) = ∂L_n/∂a^(l), (N, S_l)
    fused: bool   # True when the output δ came from the simplification a − t


class Network:
    """A feed-forward network built layer by layer.

    ``layers`` is a list of (width, activation name); the last entry is the output
    layer. ``loss`` is a name from ``core.losses.LOSSES``. Every random draw comes
    from ``seed``. Invalid combinations raise ``ValueError`` with the fix.
    """

    def __init__(self, n_inputs: int, layers, loss: str = "mse", *, seed: int = 0,
                 init: str = "xavier", dtype=np.float64):
        if not isinstance(n_inputs, (int, np.integer)) or n_inputs < 1:
            raise ValueError(f"the network needs at least one input, got n_inputs={n_inputs!r}")
        if not layers:
            raise ValueError("the network needs at least an output layer, e.g. layers=[(1, 'sigmoid')]")
        if init not in INITIALIZERS:
            raise ValueError(f"unknown initialiser {init!r}; choose one of {', '.join(INITIALIZERS)}")
        self.loss: Loss = get_loss(loss)
        self.dtype = np.dtype(dtype)
        self.init, self.seed = init, seed
        spec = [_check_layer(i, len(layers), l) for i, l in enumerate(layers)]
        self._check_output(spec[-1])
        rng = np.random.default_rng(seed)
        self.layers: list[Layer] = []
        fan_in = int(n_inputs)
        for width, act in spec:
            W = INITIALIZERS[init](width, fan_in, rng).astype(self.dtype)
            self.layers.append(Layer(W, np.zeros(width, dtype=self.dtype), act))
            fan_in = width
        self.n_inputs = int(n_inputs)

    def _check_output(self, out):
        width, act = out
        check_pairing(act.name, self.loss.name, width)      # the rule lives in core.outputs

    # ---- shapes and names ------------------------------------------------
    @property
    def sizes(self) -> list[int]:
        """[S_0, S_1, ..., S_L]."""
        return [self.n_inputs] + [layer.size for layer in self.layers]

    @property
    def output(self) -> str:
        return self.layers[-1].activation.name

    @property
    def is_classifier(self) -> bool:
        return self.output in CLASSIFIERS

    @property
    def fused(self) -> bool:
        """True when the output δ simplifies to a − t (sigmoid+BCE, softmax+CE)."""
        return self.loss.fused_with == self.output

    def parameters(self) -> list[np.ndarray]:
        """[Wb1, Wb2, ...]: each layer's [W | b] (S_l, S_{l-1} + 1), updated in place."""
        return [layer.Wb for layer in self.layers]

    # ---- forward -----------------------------------------------------------
    def check_X(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(f"X must have shape (N, {self.n_inputs}), one column per input; got {X.shape}")
        return X

    def targets(self, y) -> np.ndarray:
        """y as the target matrix T (N, S_L), validated against the output layer."""
        return as_targets(y, self.layers[-1].size, self.output, self.dtype)

    def forward(self, X) -> Forward:
        """Run X (N, S_0) through every layer, keeping z and a of each."""
        A = self.check_X(X)
        fwd = Forward(A=[A])
        for layer in self.layers:
            # A contiguous Wᵀ lets BLAS do the product (the strided view into Wb is ~3× slower
            # on a 200×200 grid), and adding b in place spares a temporary the size of z.
            z = A @ np.ascontiguousarray(layer.W.T)
            z += layer.b                            # z^(l) = W^(l) a^(l-1) + b^(l)
            A = layer.activation.fn(z)              # a^(l) = σ_l(z^(l))
            fwd.Z.append(z)
            fwd.A.append(A)
        return fwd

    def predict_proba(self, X) -> np.ndarray:
        """The output a^(L): (N, 1) for a sigmoid, (N, K) for a softmax.

        The same arithmetic as ``forward`` (bit for bit), but each a^(l) overwrites its
        z^(l) and nothing is kept: one array per layer instead of two, which halves the
        time of a 200×200 decision-surface pass.
        """
        A = self.check_X(X)
        for layer in self.layers:
            z = A @ np.ascontiguousarray(layer.W.T)
            z += layer.b
            A = layer.activation.fn_into(z, z)
        return A

    def predict(self, X) -> np.ndarray:
        """Class labels (N,) for a classifier, real predictions (N,) for one-unit regression."""
        a = self.predict_proba(X)
        if self.output == "softmax":
            return a.argmax(axis=1)
        if self.output == "sigmoid" and a.shape[1] == 1:
            return (a[:, 0] > 0.5).astype(int)
        return a[:, 0] if a.shape[1] == 1 else a

    # ---- cost and gradients ------------------------------------------------
    def penalty(self, l1: float = 0.0, l2: float = 0.0) -> float:
        """l1·Σ|W| + (l2/2)·Σ W² over the weights (biases are not penalised)."""
        p = 0.0
        for layer in self.layers:
            if l1:
                p += l1 * float(np.abs(layer.W).sum())
            if l2:
                p += 0.5 * l2 * float(np.vdot(layer.W, layer.W))
        return p

    def cost(self, X, y, l1: float = 0.0, l2: float = 0.0) -> float:
        """Mean cost J over the examples (plus the penalties, when given)."""
        X, T = self._check_pair(X, y)
        return self.loss.fn(self.predict_proba(X), T) + self.penalty(l1, l2)

    def _check_pair(self, X, y):
        X, T = self.check_X(X), self.targets(y)
        if X.shape[0] != T.shape[0]:      # a single target row would broadcast silently
            raise ValueError(f"X has {X.shape[0]} rows but y has {T.shape[0]}; give one target per example")
        return X, T

    def backward(self, fwd: Forward, T: np.ndarray, l1: float = 0.0, l2: float = 0.0,
                 fused: bool | None = None) -> Backward:
        """Backpropagate from a forward pass and targets T (N, S_L).

        ``fused`` (default: when the pairing allows) starts from δ^(L) = a − t
        instead of Delta^(L) ⊙ σ'(z); tests show both give the same gradients.
        """
        use_fused = self.fused if fused is None else (fused and self.fused)
        L, N = len(self.layers), T.shape[0]
        a_L = fwd.A[-1]
        dW, db, deltas, Deltas = [None] * L, [None] * L, [None] * L, [None] * L
        Delta = self.loss.grad(a_L, T)                   # Delta^(L) = ∂L/∂a^(L)
        for l in range(L - 1, -1, -1):
            layer = self.layers[l]
            if l == L - 1 and use_fused:
                delta = a_L - T                          # δ^(L) = a − t (fused pairing)
            else:
                delta = layer.activation.backward(fwd.Z[l], fwd.A[l + 1], Delta)  # δ = Delta ⊙ σ'(z)
            deltas[l], Deltas[l] = delta, Delta
            dW[l] = delta.T @ fwd.A[l] / N               # dJ/dW = mean δ a_prevᵀ
            db[l] = delta.sum(axis=0) / N                # dJ/db = mean δ
            if l1:
                dW[l] += l1 * np.sign(layer.W)
            if l2:
                dW[l] += l2 * layer.W
            if l:
                Delta = delta @ layer.W                  # Delta^(l-1) = (W^(l))ᵀ δ^(l)
        return Backward(dW, db, deltas, Deltas, use_fused)

    def gradients(self, X, y, l1: float = 0.0, l2: float = 0.0) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(dJ/dW, dJ/db) for each layer], shapes of W and b."""
        X, T = self._check_pair(X, y)
        bwd = self.backward(self.forward(X), T, l1, l2)
        return list(zip(bwd.dW, bwd.db))


def _check_layer(i: int, n: int, layer):
    try:
        width, name = layer
    except (TypeError, ValueError):
        raise ValueError(f"layer {i + 1} must be a pair (width, activation), got {layer!r}") from None
    if not isinstance(width, (int, np.integer)) or isinstance(width, bool) or width < 1:
        raise ValueError(f"layer {i + 1} must have at least one unit, got width {width!r}")
    act = get_activation(name)
    if act.output_only and i < n - 1:
        raise ValueError(f"{name} can only be the output layer's activation (layer {i + 1} is hidden); "
                         f"use one of {', '.join(hidden_activations())}")
    return int(width), act
