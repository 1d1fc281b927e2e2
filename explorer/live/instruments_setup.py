"""The live instruments' part of the setup message: what the browser needs, beside the weights
every frame carries and the points the boundary figure carries, to compute and draw the metrics
and the weight and activation histograms itself (``static/instruments.js``).

Nothing of it travels in a frame: the browser pushes the setup's points through the network
with the frame's weights (``static/forward.js``) a few times a second and counts. The part is
in the setup only when the learner turned an instrument on (the chart options *Metrics* and
*Histograms*, rows of the settings table); then the boundary figure's point traces name their
split and class in ``meta`` and carry the test points even when they are not shown
(``boundary_figure(tag_points=True)``). With both off the setup message is as before, byte for
byte.

    instruments = {
      "panels":  ["metrics", "histograms"]      the cells to draw, in this order (those turned on)
      "classes": K                              classes of a classification (at least 2), or null
      "bins":    core.histograms.DEFAULT_BINS   bins per histogram
      "layers":  [{"name": "layer 1", "activation": "tanh", "label": "tanh",
                   "saturated_outside": [lo, hi] | null}, ...]   one per layer, the output last;
                 ``saturated_outside`` is the registry's (core.ACTIVATIONS): a outside [lo, hi]
                 is saturated; null: the activation never saturates
    }

What is counted is core/histograms.py's definition (W per layer; a over the training points per
hidden layer; the saturated share of the values; the dead share of the units, σ'(z) = 0 on every
training point): ``tests/test_js_instruments.py`` proves the browser's counts equal core's.
"""
from __future__ import annotations

from core.histograms import DEFAULT_BINS

# The instrument cells, by the View field that turns each on (the cells' names in the browser).
PANELS = {"metrics": "metrics", "histograms": "histograms"}


def panels(view) -> list[str]:
    """The instrument cells ``view`` turns on, in order."""
    return [name for field, name in PANELS.items() if getattr(view, field)]


def instruments_setup(run, view, names: list[str]) -> dict | None:
    """The setup's ``instruments`` part for ``run`` drawn with ``view``, or None when no instrument
    is on; ``names``: each layer's display name, the output last."""
    on = panels(view)
    if not on:
        return None
    d = run.data
    return {
        "panels": on,
        "classes": max(d.n_classes or 2, 2) if d.problem == "classification" else None,
        "bins": DEFAULT_BINS,
        "layers": [{"name": name, "activation": layer.activation.name, "label": layer.activation.label,
                    "saturated_outside": (None if layer.activation.saturated_outside is None
                                          else [float(v) for v in layer.activation.saturated_outside])}
                   for name, layer in zip(names, run.net.layers)],
    }
