"""The whole configuration of an exploration, as one value.

Three groups, because changing them does different things: ``DataConfig`` and
``NetConfig`` changes rebuild the network; ``TrainConfig`` changes apply live to
the running trainer. ``Config.resolve_output`` decides the output layer and loss
("auto" follows the problem; an override is checked against the engine's rules).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from core import ACTIVATIONS, HIDDEN_ACTIVATIONS, INITIALIZERS, LOSSES, OPTIMIZERS, datasets
from core.features import DEFAULT_FEATURES, FEATURES

MAX_HIDDEN_LAYERS = 8
MAX_WIDTH = 32
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 1.2, 3.0, 10.0)
OUTPUTS = ("auto", "sigmoid", "softmax", "linear", "tanh")
LOSS_CHOICES = ("auto",) + tuple(LOSSES)
OWN_DATA = "own_csv"


@dataclass(frozen=True)
class DataConfig:
    dataset: str = "planar"
    n_samples: int = 400
    noise: float = 0.2
    n_classes: int | None = None
    test_ratio: float = 0.2
    seed: int = 1
    features: tuple = DEFAULT_FEATURES
    standardize: bool = False


@dataclass(frozen=True)
class NetConfig:
    hidden: tuple = ((4, "tanh"),)
    output: str = "auto"
    loss: str = "auto"
    init: str = "small_gaussian"
    seed: int = 2


@dataclass(frozen=True)
class TrainConfig:
    optimizer: str = "sgd"
    learning_rate: float = 1.2
    batch_size: int | None = None        # None: the full batch
    l1: float = 0.0
    l2: float = 0.0


@dataclass(frozen=True)
class Config:
    data: DataConfig = field(default_factory=DataConfig)
    net: NetConfig = field(default_factory=NetConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def resolve_output(self, problem: str, n_classes: int | None) -> tuple[int, str, str]:
        """(units, output activation, loss) for this problem, honouring valid overrides.

        Raises ValueError with a sentence when the override cannot work.
        """
        auto = auto_output(problem, n_classes)
        out = auto[1] if self.net.output == "auto" else self.net.output
        loss = self.net.loss
        if loss == "auto":
            loss = auto[2] if out == auto[1] else ("cross_entropy" if out == "softmax" else "mse")
        if problem == "classification":
            if out not in ("sigmoid", "softmax"):
                raise ValueError(f"a {out} output does not give class probabilities; "
                                 "use sigmoid (two classes) or softmax")
            if out == "sigmoid" and (n_classes or 2) > 2:
                raise ValueError(f"one sigmoid unit can only tell two classes apart, this data has {n_classes}; "
                                 "use a softmax output")
            units = 1 if out == "sigmoid" else max(n_classes or 2, 2)
        else:
            if out in ("sigmoid", "softmax"):
                raise ValueError(f"a {out} output only predicts values between 0 and 1; "
                                 "regression targets need a linear (or tanh) output")
            units = 1
        allowed = LOSSES[loss].outputs
        if allowed is not None and out not in allowed:
            raise ValueError(f"the {loss} loss needs a {' or '.join(allowed)} output; "
                             f"with a {out} output use mse")
        return units, out, loss


def auto_output(problem: str, n_classes: int | None) -> tuple[int, str, str]:
    """The natural output for a problem: sigmoid + BCE, softmax + CE, or linear + MSE."""
    if problem == "regression":
        return 1, "linear", "mse"
    if (n_classes or 2) <= 2:
        return 1, "sigmoid", "binary_cross_entropy"
    return n_classes, "softmax", "cross_entropy"


def preset_for_dataset(name: str, cfg: Config) -> Config:
    """``cfg`` with the data, network and training defaults the registry gives ``name``."""
    spec = datasets.DATASETS[name]
    data = replace(cfg.data, dataset=name, n_samples=spec.default_n_samples, noise=spec.default_noise,
                   n_classes=spec.n_classes if spec.multiclass else None)
    init = "small_gaussian" if name == "planar" else "xavier"
    net = replace(cfg.net, hidden=tuple(spec.default_layers), output="auto", loss="auto", init=init)
    train = replace(cfg.train, optimizer=spec.default_optimizer, learning_rate=spec.default_learning_rate,
                    batch_size=None)
    return Config(data, net, train)


VALID = {
    "datasets": tuple(datasets.DATASETS) + (OWN_DATA,),
    "features": tuple(FEATURES),
    "hidden_activations": HIDDEN_ACTIVATIONS,
    "activations": tuple(ACTIVATIONS),
    "initializers": tuple(INITIALIZERS),
    "optimizers": tuple(OPTIMIZERS),
}
