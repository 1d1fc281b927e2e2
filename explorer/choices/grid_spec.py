"""A Compare grid's cells, as plain values: every combination of its axes, each over k seeds.

``grid_cells(cfg)`` reads the grid group of a ``Config`` (its axes, the chosen hidden layer,
the seeds, the shared setup) and returns one ``GridCell`` per network to train: its whole
``Config`` (the shared setup with the axes' values and its seed applied), where it sits
(row = axis 2's value, column = axis 1's, ``seed`` = which of the k starting seeds) and its
name. A cell's ``Config`` is exactly what its link opens in the Live view
(``cell_link``): the same data, network, starting weights and training, so the Live view
replays it. The k seeds of a cell are its weights seed, +1, ..., +k−1 (the Live view trains
with the weights seed as its shuffling seed too, and so does the grid).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from core.grid import check_grid
from explorer.choices.config import Config
from explorer.choices.grid_axes import AXES, SHARED, apply
from explorer.choices.instruments import without_instruments
from explorer.choices.link import to_query
from explorer.choices.settings_table import MAX_HIDDEN_LAYERS, SETTINGS


@dataclass(frozen=True)
class GridCell:
    """One network of the grid. ``row``, ``col``: its place (axis 2's value, axis 1's);
    ``seed``: which of the cell's k starting seeds (0 ..); ``cfg``: its whole setup; ``place``:
    the name of its place in the grid, ``name`` that and, with several seeds, its seed."""

    cfg: Config
    row: int
    col: int
    seed: int
    name: str
    place: str


@dataclass(frozen=True)
class GridShape:
    """What the page shows of a grid: its axes ((axis key, values) or None), the names of their
    values, and the seeds per cell."""

    axes: tuple
    col_names: tuple
    row_names: tuple
    seeds: int

    @property
    def n_cells(self) -> int:
        """Cells shown (each holds ``seeds`` networks)."""
        return len(self.col_names) * len(self.row_names)


def shared_setup(cfg: Config) -> Config:
    """What every cell shares: ``cfg`` with the grid's shared preset applied (``grid_axes.SHARED``),
    a constant learning rate and no stopping rule (``instruments.without_instruments``: the grid
    trains neither), and the Live view's page (a cell's link opens there)."""
    cfg = replace(cfg, train=without_instruments(cfg.train))
    for key, value in SHARED[cfg.grid.shared]:
        s = SETTINGS[key]
        cfg = replace(cfg, **{s.group: replace(getattr(cfg, s.group), **{s.field: value})})
    return replace(cfg, view=replace(cfg.view, page=SETTINGS["page"].default))


def grid_shape(cfg: Config) -> GridShape:
    g = cfg.grid
    axes = tuple(a for a in (g.axis1, g.axis2) if a is not None)
    names = [tuple(AXES[key].short(v) for v in values) for key, values in axes]
    check_grid([len(v) for _, v in axes], g.seeds)
    if len(axes) == 2 and axes[0][0] == axes[1][0]:
        raise ValueError(f"both axes vary {AXES[axes[0][0]].label.lower()}: one setting takes one axis")
    return GridShape(axes, names[0] if names else ("this setup",), names[1] if len(names) > 1 else ("",), g.seeds)


def grid_cells(cfg: Config) -> tuple[GridShape, list[GridCell]]:
    """The grid's shape and its networks, row by row, column by column, seed by seed. A
    ValueError says why a grid cannot be built on this setup (an axis needs a hidden layer)."""
    shape = grid_shape(cfg)
    base = shared_setup(cfg)
    layer = cfg.grid.layer - 1
    cols = shape.axes[0][1] if shape.axes else (None,)
    rows = shape.axes[1][1] if len(shape.axes) > 1 else (None,)
    cells = []
    for r, rv in enumerate(rows):
        for c, cv in enumerate(cols):
            setup = base
            for axis_value, spec in zip((cv, rv), shape.axes):
                setup = apply(AXES[spec[0]], setup, axis_value, layer, SETTINGS)
            _check_cell(setup, shape.seeds)
            name = " · ".join(n for n in (shape.col_names[c], shape.row_names[r]) if n)
            for k in range(shape.seeds):
                seeded = replace(setup, net=replace(setup.net, seed=setup.net.seed + k))
                cells.append(GridCell(seeded, r, c, k, name + (f" · seed {seeded.net.seed}" if shape.seeds > 1 else ""),
                                      name))
    return shape, cells


def _check_cell(setup: Config, seeds: int) -> None:
    """A cell is a setup the Live view can open exactly (its link): within the layers' and the
    weights seed's limits, or the grid is refused with a sentence (ValueError)."""
    depth = len(setup.net.hidden)
    if depth > MAX_HIDDEN_LAYERS:
        raise ValueError(f"a cell would have {depth} hidden layers; a network has at most {MAX_HIDDEN_LAYERS}: "
                         "use smaller depths or fewer hidden layers")
    top = SETTINGS["seed"].hi
    if setup.net.seed + seeds - 1 > top:
        raise ValueError(f"its {seeds} seeds from weights seed {setup.net.seed:,} would pass the largest seed, "
                         f"{top:,}: choose a smaller weights seed")


def cell_link(cell: GridCell) -> dict[str, str]:
    """The cell's setup as a link's query (the Live view, its grid settings left out)."""
    q = to_query(cell.cfg)
    return {k: v for k, v in q.items() if SETTINGS[k].group != "grid"}


__all__ = ["GridCell", "GridShape", "grid_cells", "grid_shape", "shared_setup", "cell_link"]
