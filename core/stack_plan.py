"""Which cells of a sweep train together: one stack per group, padded only where that pays.

Cells share a stack only with cells of the same depth, activations, loss and batch size.
Among those, cells of the same widths always do (the numbers stay a single run's, bit for
bit). Cells of different widths can share a stack padded to the widest (core/cell_stack.py),
which costs arithmetic on the padded units and changes the order of some floating-point
sums; it pays when it replaces stacks of a few narrow cells, whose cost is mostly numpy's
fixed cost per call. The estimate of one epoch, in µs:

    STACK_US + cells × (CELL_US + UNIT_EXAMPLE_US × N × Σ_l S_l)

(a part per stack: its ~40 numpy calls; per cell: its BLAS calls; per unit and example:
the element-wise work, σ and σ' above all), fitted by ``python bench/bench_sweep.py --fit``
on the flower (N = 400, one hidden tanh layer, 2 cores). ``pad="auto"`` starts with one
stack per width profile and merges neighbours (by total width) while the estimate drops:
for Ng's widths 1, 2, 3, 4, 5, 20, 50 that is {1–5}, {20}, {50}, measured 2.4× faster than
seven stacks for one learning rate and 1.2× for three (padding everything to 50: 0.5×).
"""
from __future__ import annotations

import numpy as np

STACK_US, CELL_US, UNIT_EXAMPLE_US = 50.0, 6.0, 0.006
PAD_MODES = ("auto", True, False)


def epoch_cost(n_cells: int, sizes, n_examples: int) -> float:
    """Estimated µs of one full-batch epoch of a stack of ``n_cells`` cells of ``sizes`` [S_0, ..., S_L]."""
    return STACK_US + n_cells * (CELL_US + UNIT_EXAMPLE_US * n_examples * sum(sizes[1:]))


def plan(keys: list[tuple], sizes: list[list[int]], n_examples: int, pad="auto") -> list[list[int]]:
    """Cell indices per stack. ``keys[i]``: what cell i must share with its stack (depth,
    activations, loss, batch size); ``sizes[i]``: its [S_0, ..., S_L]. ``pad``: "auto" (where the
    estimate says it pays), True (one stack per key), False (never)."""
    if pad not in PAD_MODES:
        raise ValueError(f"pad must be one of {PAD_MODES}, got {pad!r}")
    groups: dict[tuple, dict[tuple, list[int]]] = {}
    for i, (key, s) in enumerate(zip(keys, sizes)):
        groups.setdefault(key, {}).setdefault(tuple(s), []).append(i)
    stacks = []
    for profiles in groups.values():
        clusters = [[p] for p in sorted(profiles, key=sum)]
        if pad is True:
            clusters = [sum(clusters, [])]
        elif pad == "auto":
            clusters = _merge(clusters, profiles, n_examples)
        stacks += [[i for p in cluster for i in profiles[p]] for cluster in clusters]
    return stacks


def _merge(clusters: list[list[tuple]], profiles: dict, n_examples: int) -> list[list[tuple]]:
    """Merge the neighbouring pair that saves the most, while one saves anything."""
    def cost(cluster):
        return epoch_cost(sum(len(profiles[p]) for p in cluster), np.max(cluster, axis=0), n_examples)

    while len(clusters) > 1:
        gains = [cost(a) + cost(b) - cost(a + b) for a, b in zip(clusters, clusters[1:])]
        k = int(np.argmax(gains))
        if gains[k] <= 0:
            break
        clusters[k:k + 2] = [clusters[k] + clusters[k + 1]]
    return clusters
