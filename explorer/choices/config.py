"""The whole configuration of an exploration, as one value.

Five groups, because changing them does different things: ``DataConfig`` and
``NetConfig`` changes rebuild the network; ``TrainConfig`` changes apply live to the
running trainer; ``ViewConfig`` changes only redraw; ``GridConfig`` is what the Compare
view varies (its cells share the other four). Their fields and defaults come
from the settings table (``explorer.choices.settings_table``). Which output layer and loss fit the
data is the engine's rule (``core.outputs``); ``Config.resolve_output`` asks it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, make_dataclass, replace
from typing import Any

import numpy as np

from core import datasets
from core.outputs import AUTO, resolve_output
from explorer.choices.own_points import OwnPoints  # noqa: F401 - part of the configuration's vocabulary
from explorer.choices.settings_table import (OTHER_RECOMMENDED_INIT, OWN_DATA, RECOMMENDED_INIT, SETTINGS,
                                             rows)


def _config_class(group: str, name: str, extra=()):
    """A frozen dataclass with one field per row of ``group`` (its default the row's)."""
    fields = [(s.field, Any, field(default=s.default)) for s in rows(group)] + list(extra)
    cls = make_dataclass(name, fields, frozen=True)
    cls.__module__ = __name__
    return cls


DataConfig = _config_class("data", "DataConfig")
# Weights imported from a model file (``StartWeights``) replace the seeded draw.
NetConfig = _config_class("net", "NetConfig", [("start", Any, field(default=None))])
TrainConfig = _config_class("train", "TrainConfig")
ViewConfig = _config_class("view", "ViewConfig")
GridConfig = _config_class("grid", "GridConfig")      # the Compare view's grid (explorer.choices.grid_axes)


@dataclass(frozen=True, eq=False)
class StartWeights:
    """Starting weights from a model file: each layer's Wb = [W | b] (S_l, S_{l−1} + 1),
    compared by content. ``epoch`` is how far the file's run had trained."""

    Wb: tuple
    epoch: int = 0
    digest: str = field(default="", repr=False)

    @classmethod
    def of(cls, net, epoch: int = 0) -> "StartWeights":
        Wb = tuple(np.array(p, dtype=float) for p in net.parameters())
        h = hashlib.sha256()
        for p in Wb:
            h.update(str(p.shape).encode())
            h.update(p.tobytes())
        return cls(Wb, int(epoch), h.hexdigest())

    def copy_into(self, net) -> None:
        """Write these weights into ``net`` (same layer shapes, else ValueError)."""
        params = net.parameters()
        shapes = [p.shape for p in params]
        if shapes != [p.shape for p in self.Wb]:
            raise ValueError(f"the imported weights have layer shapes {[p.shape for p in self.Wb]}, "
                             f"the network {shapes}")
        for p, w in zip(params, self.Wb):
            np.copyto(p, w)

    def __eq__(self, other) -> bool:
        return isinstance(other, StartWeights) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)


@dataclass(frozen=True)
class Config:
    data: DataConfig = field(default_factory=DataConfig)
    net: NetConfig = field(default_factory=NetConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    view: ViewConfig = field(default_factory=ViewConfig)
    grid: GridConfig = field(default_factory=GridConfig)

    def resolve_output(self, problem: str, n_classes: int | None) -> tuple[int, str, str]:
        """(units, output activation, loss) for this problem, honouring valid overrides.

        Raises ValueError with a sentence when the override cannot work (``core.outputs``).
        """
        return resolve_output(problem, n_classes, self.net.output, self.net.loss)


def tidy_data(data: DataConfig) -> DataConfig:
    """``data`` with the fields that do not apply emptied: points only for own data, a
    class count only for sets whose class count may be chosen, within its range (the
    settings table's ``fit``; ``explorer.choices.link`` names a link's value this changes)."""
    if data.dataset == OWN_DATA:
        return replace(data, n_classes=None)
    k = SETTINGS["k"].fit(data.n_classes, data.dataset)
    if k is None and datasets.DATASETS[data.dataset].multiclass:
        k = datasets.DATASETS[data.dataset].n_classes
    return replace(data, points=SETTINGS["pts"].fit(data.points, data.dataset), n_classes=k)


def problem_of(data: DataConfig) -> tuple[str, int | None]:
    """(problem, number of classes) of the data ``data`` describes."""
    if data.dataset == OWN_DATA and data.points is not None:
        return data.points.problem, data.points.n_classes
    spec = datasets.DATASETS[data.dataset]
    return spec.problem, (data.n_classes or spec.n_classes) if spec.problem == "classification" else None


def preset_for_dataset(name: str, cfg: Config) -> Config:
    """``cfg`` with the data, network and training defaults the registry gives ``name``."""
    spec = datasets.DATASETS[name]
    data = replace(cfg.data, dataset=name, n_samples=spec.default_n_samples, noise=spec.default_noise,
                   n_classes=spec.n_classes if spec.multiclass else None, points=None)
    init = RECOMMENDED_INIT.get(name, OTHER_RECOMMENDED_INIT)
    net = replace(cfg.net, hidden=tuple(spec.default_layers), output=AUTO, loss=AUTO, init=init, start=None)
    train = replace(cfg.train, optimizer=spec.default_optimizer, learning_rate=spec.default_learning_rate,
                    batch_size=None)
    return replace(cfg, data=data, net=net, train=train)


__all__ = ["Config", "DataConfig", "NetConfig", "TrainConfig", "ViewConfig", "GridConfig", "OwnPoints", "StartWeights", "OWN_DATA",
           "preset_for_dataset"]
