"""Toy 2-D datasets, generated exactly as the course or tool they come from.

One entry point, ``make(name, ...) -> (X, y)``, and one registry, ``DATASETS``.
Examples are rows: ``X`` has shape ``(N, 2)`` (float64); ``y`` has shape ``(N,)`` and
holds integer labels ``0..K-1`` (int64) for classification, float targets for
regression. Where TensorFlow Playground labels a class +1/-1, ours is 1/0.

Randomness: each call builds its own ``np.random.default_rng(seed)`` (scikit-learn sets
get an integer ``random_state`` drawn from it). The one exception is ``planar``, which
uses ``np.random.RandomState(seed)`` so that it reproduces Ng's course data point for
point. No global generator is touched.

Odd ``n_samples`` in a two-class set: the first class generated gets the extra point
(``ceil(N/2)`` and ``floor(N/2)``); K-class sets give the first ``N mod K`` classes one
extra point each. Points are not shuffled unless the original tool shuffles them
(the scikit-learn sets do).
"""
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
from sklearn import datasets as skd

MAX_SAMPLES = 10_000
DEFAULT_SEED = 1
PROBLEMS = ("classification", "regression")


@dataclass(frozen=True)
class DatasetSpec:
    """How to generate one set, and a network that learns it.

    ``default_layers`` lists the hidden layers only, as ``(width, activation)``; the
    output layer follows from ``problem`` and the number of classes.
    ``class_range`` is ``(lo, hi)`` for sets whose ``n_classes`` may be chosen, else None.
    ``max_n_samples`` and ``max_noise`` are the most the explorer offers for this set (its
    sliders and links stop there; ``make`` itself takes up to ``MAX_SAMPLES`` points and any
    noise >= 0); the defaults lie within them.
    ``generate(n_samples, noise, seed, n_classes) -> (X (N, 2), y (N,))``.
    """

    name: str
    label: str
    description: str
    problem: str
    n_classes: Optional[int]
    default_n_samples: int
    default_noise: float
    default_layers: tuple
    default_learning_rate: float
    default_optimizer: str
    class_range: Optional[tuple]
    generate: Callable
    max_n_samples: int = 2_000
    max_noise: float = 1.0

    @property
    def multiclass(self) -> bool:
        """True when the user may choose ``n_classes``."""
        return self.class_range is not None


def _split(n, k):
    """Sizes of k groups summing to n; the first ``n mod k`` groups get one more."""
    return [n // k + (1 if j < n % k else 0) for j in range(k)]


def _labels(sizes):
    """(N,) int64 labels: ``sizes[j]`` copies of j, in order."""
    return np.repeat(np.arange(len(sizes)), sizes).astype(np.int64)


def _sk_seed(rng):
    """An integer ``random_state`` for scikit-learn, drawn from our Generator."""
    return int(rng.integers(2**31 - 1))


# --- Ng's course (deeplearning.ai course 1, week 3) ---------------------------------

def _planar(n, noise, seed, k):
    """The flower: class j's angles span [3.12 j, 3.12 (j+1)], r = 4 sin 4t (+ noise).

    Same draws in the same order as the course's ``np.random.seed(seed)`` code:
    per class, ``randn(n_j)`` for t, then ``randn(n_j)`` for r. Classes not shuffled.
    """
    rs = np.random.RandomState(seed)
    sizes = _split(n, 2)
    parts = []
    for j, m in enumerate(sizes):
        t = np.linspace(j * 3.12, (j + 1) * 3.12, m) + rs.randn(m) * noise
        r = 4 * np.sin(4 * t) + rs.randn(m) * noise
        parts.append(np.c_[r * np.sin(t), r * np.cos(t)])
    return np.concatenate(parts).reshape(n, 2), _labels(sizes)


def _noisy_circles(n, noise, seed, k):
    """``make_circles(factor=0.5)``; noise = std of the Gaussian added to each point."""
    rng = np.random.default_rng(seed)
    X, y = skd.make_circles(n, factor=0.5, noise=noise, random_state=_sk_seed(rng))
    return X, y.astype(np.int64)


def _moons(n, noise, seed, k):
    """``make_moons``; noise = std of the Gaussian added to each point."""
    rng = np.random.default_rng(seed)
    X, y = skd.make_moons(n, noise=noise, random_state=_sk_seed(rng))
    return X, y.astype(np.int64)


def _blobs(n, noise, seed, k):
    """``make_blobs`` with 6 centres, labels taken mod 2; noise = cluster std."""
    rng = np.random.default_rng(seed)
    X, y = skd.make_blobs(n, n_features=2, centers=6, cluster_std=noise,
                          random_state=_sk_seed(rng))
    return X, (y % 2).astype(np.int64)


def _gaussian_quantiles(n, noise, seed, k):
    """``make_gaussian_quantiles(cov=0.5, n_classes=2)``: inner vs outer half of a Gaussian.

    noise = std of a Gaussian jitter added to the points after labelling (as
    ``make_circles`` does). scikit-learn needs 2 points, so for N = 1 we keep the first.
    """
    rng = np.random.default_rng(seed)
    X, y = skd.make_gaussian_quantiles(cov=0.5, n_samples=max(n, 2), n_features=2,
                                       n_classes=2, random_state=_sk_seed(rng))
    X = X[:n] + noise * rng.standard_normal((n, 2))
    return X, y[:n].astype(np.int64)


# --- TensorFlow Playground (src/dataset.ts); its noise slider 0..50 is 0..0.5 here ---

def _circle(n, noise, seed, k):
    """Inner half r ~ U(0, 2.5), outer half r ~ U(3.5, 5); label 1 inside radius 2.5.

    The label is taken at the point plus U(-5, 5)*noise per axis: label noise only,
    the points themselves never move with noise.
    """
    rng = np.random.default_rng(seed)
    n_in, n_out = _split(n, 2)
    r = np.concatenate([rng.uniform(0, 2.5, n_in), rng.uniform(3.5, 5, n_out)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.c_[r * np.sin(angle), r * np.cos(angle)]
    eps = rng.uniform(-5, 5, (n, 2)) * noise
    return X, (np.hypot(*(X + eps).T) < 2.5).astype(np.int64)


def _xor(n, noise, seed, k):
    """x, y ~ U(-5, 5) pushed 0.3 away from 0; label 1 where (x+ex)(y+ey) >= 0."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-5, 5, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)
    eps = rng.uniform(-5, 5, (n, 2)) * noise
    return X, ((X[:, 0] + eps[:, 0]) * (X[:, 1] + eps[:, 1]) >= 0).astype(np.int64)


def _gauss(n, noise, seed, k):
    """Label 1 around (2, 2), label 0 around (-2, -2); variance 0.5 + 7*noise."""
    rng = np.random.default_rng(seed)
    sizes = _split(n, 2)
    centres = np.repeat([[2.0, 2.0], [-2.0, -2.0]], sizes, axis=0)
    X = centres + np.sqrt(0.5 + 7 * noise) * rng.standard_normal((n, 2))
    return X, 1 - _labels(sizes)


def _arms(sizes, half, turns, noise, rng):
    """Spiral arms: arm j, point i: r = 5i/half, t = turns*2pi*i/half + 2pi*j/K."""
    parts = []
    for j, m in enumerate(sizes):
        i = np.arange(m)
        r = 5 * i / half
        t = turns * 2 * np.pi * i / half + 2 * np.pi * j / len(sizes)
        parts.append(np.c_[r * np.sin(t), r * np.cos(t)])
    X = np.concatenate(parts).reshape(-1, 2)
    return X + rng.uniform(-1, 1, X.shape) * noise


def _spiral(n, noise, seed, k):
    """Two arms of n/2 points, 1.75 turns, the second turned by pi; label 1 = first arm.

    Noise moves the points by U(-1, 1)*noise per axis; with noise 0 nothing is random
    and every seed gives the same spiral (likewise multi_spiral). For odd N the radius step stays
    5/(N/2), so the first arm's extra point ends just short of radius 5.
    """
    rng = np.random.default_rng(seed)
    sizes = _split(n, 2)
    return _arms(sizes, n / 2, 1.75, noise, rng), 1 - _labels(sizes)


def _reg_plane(n, noise, seed, k):
    """x, y ~ U(-6, 6); target (x + ex + y + ey)/10 with e ~ U(-6, 6)*noise."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-6, 6, (n, 2))
    eps = rng.uniform(-6, 6, (n, 2)) * noise
    return X, (X + eps).sum(axis=1) / 10


_REG_GAUSS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                       [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]])


def _reg_gauss(n, noise, seed, k):
    """Six signed bumps v = sign*clamp(1 - d/2, 0, 1); the target is the v of largest |v|.

    d is the distance from the point plus U(-6, 6)*noise per axis; ties go to the first
    centre in TF Playground's order, as its strict ``>`` loop does.
    """
    rng = np.random.default_rng(seed)
    X = rng.uniform(-6, 6, (n, 2))
    eps = rng.uniform(-6, 6, (n, 2)) * noise
    d = np.linalg.norm((X + eps)[:, None, :] - _REG_GAUSS[None, :, :2], axis=2)  # (N, 6)
    v = _REG_GAUSS[:, 2] * np.clip(1 - d / 2, 0, 1)
    return X, v[np.arange(n), np.argmax(np.abs(v), axis=1)] + 0.0


# --- Multi-class ----------------------------------------------------------------------

def _multi_blobs(n, noise, seed, k):
    """K Gaussian blobs, centres evenly on a circle of radius 4; noise = blob std."""
    rng = np.random.default_rng(seed)
    sizes = _split(n, k)
    angle = np.pi / 2 + 2 * np.pi * np.arange(k) / k
    centres = np.repeat(4 * np.c_[np.cos(angle), np.sin(angle)], sizes, axis=0)
    return centres + noise * rng.standard_normal((n, 2)), _labels(sizes)


def _multi_spiral(n, noise, seed, k):
    """K arms of n/K points, one turn each, arm j turned by 2pi*j/K; U(-1, 1)*noise."""
    rng = np.random.default_rng(seed)
    sizes = _split(n, k)
    return _arms(sizes, n / k, 1.0, noise, rng), _labels(sizes)


def _spec(name, label, description, problem, n_classes, n_samples, noise, layers, lr,
          generate, optimizer="adam", class_range=None, **offered):
    """One registry entry; ``offered`` may set ``max_n_samples`` / ``max_noise``."""
    return DatasetSpec(name, label, description, problem, n_classes, n_samples, noise,
                       tuple(layers), lr, optimizer, class_range, generate, **offered)


C, R = PROBLEMS
DATASETS = {s.name: s for s in [
    _spec("planar", "Flower (Ng)", "Ng's planar 'flower': two classes in petals, "
          "the course's own data", C, 2, 400, 0.2, [(4, "tanh")], 1.2, _planar, "sgd"),
    _spec("noisy_circles", "Noisy circles", "scikit-learn circles, inner radius half "
          "the outer, heavy Gaussian noise", C, 2, 400, 0.3, [(8, "tanh")], 0.03,
          _noisy_circles),
    _spec("noisy_moons", "Noisy moons", "scikit-learn two interleaved half-moons with "
          "Gaussian noise", C, 2, 400, 0.2, [(8, "tanh")], 0.03, _moons),
    _spec("blobs", "Blobs (mod 2)", "six Gaussian blobs, labels alternating between "
          "the two classes", C, 2, 400, 1.0, [(8, "tanh")], 0.03, _blobs),
    _spec("gaussian_quantiles", "Gaussian quantiles", "one Gaussian cut into an inner "
          "and an outer class", C, 2, 400, 0.0, [(8, "tanh")], 0.03, _gaussian_quantiles),
    _spec("moons", "Moons", "two interleaved half-moons, clean", C, 2, 400, 0.0,
          [(8, "tanh")], 0.03, _moons),
    _spec("circle", "Circle", "TF Playground: a disc inside a ring; noise flips labels "
          "near the edge", C, 2, 500, 0.0, [(8, "tanh")], 0.03, _circle),
    _spec("xor", "Exclusive or", "TF Playground: the four quadrants, opposite ones "
          "alike", C, 2, 500, 0.0, [(8, "tanh")], 0.03, _xor),
    _spec("gauss", "Gaussian", "TF Playground: two Gaussian clouds, linearly "
          "separable", C, 2, 500, 0.0, [(2, "tanh")], 0.03, _gauss),
    _spec("spiral", "Spiral", "TF Playground: two interleaved spiral arms", C, 2, 500,
          0.1, [(16, "tanh"), (16, "tanh")], 0.03, _spiral),
    _spec("reg_plane", "Plane (regression)", "TF Playground: the target rises "
          "linearly with x1 + x2", R, None, 1200, 0.0, [(2, "tanh")], 0.03, _reg_plane),
    _spec("reg_gauss", "Multi-Gaussian (regression)", "TF Playground: six bumps, "
          "three up and three down", R, None, 1200, 0.0, [(16, "tanh"), (16, "tanh")],
          0.03, _reg_gauss),
    _spec("multi_blobs", "Blobs (K classes)", "K Gaussian blobs around a circle, one "
          "class each", C, 3, 500, 0.8, [(8, "tanh")], 0.03, _multi_blobs,
          class_range=(3, 10)),
    _spec("multi_spiral", "Spiral (K arms)", "K interleaved spiral arms, one class "
          "each", C, 3, 600, 0.1, [(16, "tanh"), (16, "tanh")], 0.03, _multi_spiral,
          class_range=(3, 10)),
]}


def _check_int(value, what):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{what} must be a whole number, got {value!r}")
    return int(value)


def make(name, n_samples=None, noise=None, seed=DEFAULT_SEED, n_classes=None):
    """Generate dataset ``name``; None means the registry's default for that set.

    Returns ``X`` (N, 2) float64 and ``y`` (N,): int64 labels 0..K-1 for
    classification, float64 targets for regression. Same arguments, same data.
    Raises ValueError naming the bad argument and what would be accepted.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    spec = DATASETS[name]
    n = spec.default_n_samples if n_samples is None else _check_int(n_samples, "n_samples")
    if not 1 <= n <= MAX_SAMPLES:
        raise ValueError(f"n_samples must be between 1 and {MAX_SAMPLES}, got {n}")
    noise = spec.default_noise if noise is None else noise
    if isinstance(noise, (bool, np.bool_)) or not isinstance(noise, (int, float, np.number)) \
            or not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    seed = _check_int(seed, "seed")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be between 0 and {2**32 - 1}, got {seed}")
    k = _check_classes(spec, n_classes)
    return spec.generate(n, float(noise), seed, k)


def _check_classes(spec, n_classes):
    """The class count to generate, or a ValueError saying which sets take n_classes."""
    if n_classes is None:
        return spec.n_classes
    multi = ", ".join(s.name for s in DATASETS.values() if s.multiclass)
    if spec.problem == "regression":
        raise ValueError(f"{spec.name!r} is a regression set and takes no n_classes "
                         f"(got {n_classes!r}); leave it as None")
    k = _check_int(n_classes, "n_classes")
    if spec.class_range is None:
        if k != spec.n_classes:
            raise ValueError(f"{spec.name!r} always has {spec.n_classes} classes, got "
                             f"n_classes={k}; for more classes use one of: {multi}")
        return k
    lo, hi = spec.class_range
    if not lo <= k <= hi:
        raise ValueError(f"{spec.name!r} supports n_classes from {lo} to {hi}, got {k}")
    return k
