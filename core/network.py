"""A feed-forward network and its backpropagation: the equations of docs/derivation.md.

Examples are rows: X is (N, S_0); z and a of layer l are (N, S_l); W of layer l is
(S_l, S_{l-1}) and b is (S_l,). In this orientation the column formulas of the
derivation read transposed, (R1)–(R3) of docs/derivation.md:
z = a_prev Wᵀ + b,  Δ_prev = δ W,  ∂J/∂W = δᵀ a_prev / N.

Forward:   (F1) z^(l) = W^(l) a^(l−1) + b^(l),   (F2) a^(l) = σ_l(z^(l)),   a^(0) = x.
Backward:  (B1) δ^(L) = Δ^(L) ⊙ σ_L'(z^(L)) with Δ^(L) = ∂L/∂a^(L), or (B1f) δ^(L) = a^(L) − t;
           (B2) Δ^(l−1) = W^(l)ᵀ δ^(l),  δ^(l−1) = Δ^(l−1) ⊙ σ'(z^(l−1));
           (B3) ∂J/∂W^(l) = (1/N) Σ_n δ_n^(l) a_n^(l−1)ᵀ;   (B4) ∂J/∂b^(l) = (1/N) Σ_n δ_n^(l).
δ and Δ are kept per example (∂L_n/∂z_n, ∂L_n/∂a_n): the 1/N of the mean cost (C1)
enters only when they are summed into ∂J/∂W and ∂J/∂b.

``Network.backward`` is the one backward pass: the step-by-step view shows it and the
trainer runs it, in reused buffers (core/fast_step.py keeps them). (A sweep trains stacks
of networks with the same equations over stacked arrays: core/stack_step.py.)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .activations import Activation, get_activation, hidden_activations
from .initializers import INITIALIZERS
from .losses import Loss, get_loss
from .outputs import check_pairing
from .targets import as_targets


class Layer:
    """One layer: W (S_l, S_{l-1}), b (S_l,) and its activation σ_l.

    W and b are views into one array ``Wb = [W | b]`` of shape (S_l, S_{l-1} + 1), so
    the training loop can update both with one operation; writing to ``layer.W`` or
    ``layer.b`` (in place or by assignment) writes into ``Wb``. A stack of C layers
    (core/sweep.py) has W (C, S_l, S_{l-1}), b (C, S_l) and Wb (C, S_l, S_{l-1} + 1).
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, activation: Activation):
        self.Wb = np.concatenate([W, b[..., None]], axis=-1)
        self.activation = activation

    @property
    def W(self) -> np.ndarray:
        return self.Wb[..., :-1]

    @W.setter
    def W(self, value):
        self.Wb[..., :-1] = value

    @property
    def b(self) -> np.ndarray:
        return self.Wb[..., -1]

    @b.setter
    def b(self, value):
        self.Wb[..., -1] = value

    @property
    def size(self) -> int:
        return self.Wb.shape[-2]


def augment(A: np.ndarray) -> np.ndarray:
    """[A | 1]: each row beside a 1, the input the biases multiply; (N, S) -> (N, S + 1)."""
    return np.concatenate([A, np.ones((A.shape[0], 1), dtype=A.dtype)], axis=1)


@dataclass
class Forward:
    """What a forward pass keeps, for layers l = 1..L.

    ``Z[l-1]`` is z^(l) (N, S_l); ``A[l]`` is a^(l) (N, S_l), with ``A[0]`` = X.
    ``inputs[l-1]`` is [a^(l−1) | 1] (N, S_{l−1} + 1) when the pass kept it (the training
    step does, in its buffers); otherwise ``Network.backward`` builds it from A.
    """

    Z: list = field(default_factory=list)
    A: list = field(default_factory=list)
    inputs: list | None = None


@dataclass
class Backward:
    """What a backward pass keeps, per layer l = 1..L (list index l − 1); see docs/derivation.md.

    ``dWb[l-1]`` is [∂J/∂W^(l) | ∂J/∂b^(l)], shaped like the layer's Wb (S_l, S_{l−1} + 1);
    ``dW`` and ``db`` are views of its two parts. ``delta[l-1]`` is δ^(l) = ∂L_n/∂z^(l) and
    ``Delta[l-1]`` is Δ^(l) = ∂L_n/∂a^(l), both (N, S_l) and per example (the 1/N of the mean
    cost enters only in ∂J/∂W and ∂J/∂b). With the fused output error (B1f) Δ^(L) is not
    needed and stays NaN. ``fused`` says which output error was used.
    """

    dWb: list
    delta: list
    Delta: list
    fused: bool = False

    @classmethod
    def empty(cls, net, n: int) -> "Backward":
        """Arrays for a batch of ``n`` examples (Δ filled with NaN until computed)."""
        dt = net.dtype
        return cls(dWb=[np.empty_like(layer.Wb) for layer in net.layers],
                   delta=[np.empty((n, layer.size), dtype=dt) for layer in net.layers],
                   Delta=[np.full((n, layer.size), np.nan, dtype=dt) for layer in net.layers])

    @property
    def dW(self) -> list:
        """∂J/∂W^(l) of every layer, (S_l, S_{l−1}) (views into dWb)."""
        return [g[:, :-1] for g in self.dWb]

    @property
    def db(self) -> list:
        """∂J/∂b^(l) of every layer, (S_l,) (views into dWb)."""
        return [g[:, -1] for g in self.dWb]


class Network:
    """A feed-forward network built layer by layer.

    ``layers`` is a list of (width, activation name); the last entry is the output
    layer. ``loss`` is a name from ``core.losses.LOSSES``. Every random draw comes
    from ``seed``, through the initialiser's own generator (``Initializer.stream``), layer
    after layer. Invalid combinations raise ``ValueError`` with the fix.
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
        rng = INITIALIZERS[init].stream(seed)
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
        """True when the output gives class probabilities (sigmoid, softmax)."""
        return bool(self.layers[-1].activation.classifier)

    @property
    def fused(self) -> bool:
        """True when the output δ simplifies to a − t (B1f: sigmoid+BCE, softmax+CE)."""
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
        return as_targets(y, self.layers[-1].size, self.layers[-1].activation, self.dtype)

    def forward(self, X) -> Forward:
        """Run X (N, S_0) through every layer, keeping z and a of each."""
        A = self.check_X(X)
        fwd = Forward(A=[A])
        for layer in self.layers:
            # A contiguous Wᵀ lets BLAS do the product (the strided view into Wb is ~3× slower
            # on a 200×200 grid), and adding b in place spares a temporary the size of z.
            z = A @ np.ascontiguousarray(layer.W.T)
            z += layer.b                            # (F1) z^(l) = W^(l) a^(l-1) + b^(l)
            A = layer.activation.fn(z)              # (F2) a^(l) = σ_l(z^(l))
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
            A = layer.activation.fn(z, out=z)
        return A

    def predict(self, X) -> np.ndarray:
        """Class labels (N,) for a classifier, real predictions (N,) for one-unit regression."""
        a, kind = self.predict_proba(X), self.layers[-1].activation.classifier
        if kind == "multiclass":
            return a.argmax(axis=1)
        if kind == "binary" and a.shape[1] == 1:
            return (a[:, 0] > 0.5).astype(int)
        return a[:, 0] if a.shape[1] == 1 else a

    # ---- cost and gradients ------------------------------------------------
    def penalty(self, l1: float = 0.0, l2: float = 0.0) -> float:
        """l1·Σ|W| + (l2/2)·Σ W² over the weights (biases are not penalised)."""
        return penalty([layer.W for layer in self.layers], l1, l2)

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
                 fused: bool | None = None, out: Backward | None = None) -> Backward:
        """Backpropagate from a forward pass and targets T (N, S_L): (B1)–(B4).

        This is the backward pass training runs: the trainer passes ``out``, a Backward whose
        arrays it reuses every step (nothing is allocated then); without it, fresh arrays.
        ``fused`` (default: when the pairing allows) starts from δ^(L) = a − t (B1f) instead
        of Δ^(L) ⊙ σ'(z^(L)) (B1); tests show both give the same gradients.
        """
        use_fused = self.fused if fused is None else (fused and self.fused)
        bwd = Backward.empty(self, T.shape[0]) if out is None else out
        bwd.fused = use_fused
        L, N, Z, A = len(self.layers), T.shape[0], fwd.Z, fwd.A
        inputs = fwd.inputs or [augment(a) for a in A[:-1]]            # [a^(l−1) | 1] of each layer
        # Lists hold layer l at index l − 1 (Z, inputs, delta, Delta, dWb), A at index l.
        if use_fused:
            # (B1f) δ^(L) = a^(L) − t
            delta = np.subtract(A[L], T, out=bwd.delta[L - 1])
        else:
            # (B1) Δ^(L) = ∂L/∂a^(L), then δ^(L) = Δ^(L) ⊙ σ_L'(z^(L)) (softmax: its Jacobian, B1s)
            Delta = bwd.Delta[L - 1]
            Delta[...] = self.loss.grad(A[L], T)
            delta = self.layers[L - 1].activation.backward(Z[L - 1], A[L], Delta, out=bwd.delta[L - 1])
        for l in range(L, 0, -1):
            W = self.layers[l - 1].W
            # (B3, B4) as one product (A1): [∂J/∂W^(l) | ∂J/∂b^(l)] = (1/N) δ^(l)ᵀ [A^(l−1) | 1]
            dWb = np.matmul(delta.T, inputs[l - 1], out=bwd.dWb[l - 1])
            dWb /= N
            # (P) the penalties' gradients l1 sign(W) + l2 W (the biases are not penalised)
            if l1:
                dWb[:, :-1] += l1 * np.sign(W)
            if l2:
                dWb[:, :-1] += l2 * W
            if l > 1:
                # (B2) Δ^(l−1) = W^(l)ᵀ δ^(l): with a row per example, δ W
                Delta = np.matmul(delta, W, out=bwd.Delta[l - 2])
                # (B2) δ^(l−1) = Δ^(l−1) ⊙ σ'(z^(l−1)): σ' computed into δ's array, multiplied there
                delta = self.layers[l - 2].activation.df(Z[l - 2], A[l - 1], out=bwd.delta[l - 2])
                delta *= Delta
        return bwd

    def gradients(self, X, y, l1: float = 0.0, l2: float = 0.0) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(dJ/dW, dJ/db) for each layer], shapes of W and b."""
        X, T = self._check_pair(X, y)
        bwd = self.backward(self.forward(X), T, l1, l2)
        return list(zip(bwd.dW, bwd.db))


def penalty(Ws, l1: float = 0.0, l2: float = 0.0) -> float:
    """l1·Σ|W| + (l2/2)·Σ W² over the weight matrices ``Ws`` (one per layer, (S_l, S_{l−1}))."""
    p = 0.0
    for W in Ws:
        if l1:
            p += l1 * float(np.abs(W).sum())
        if l2:
            p += 0.5 * l2 * float(np.vdot(W, W))
    return p


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
