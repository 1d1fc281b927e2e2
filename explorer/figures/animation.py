"""An animated GIF of a run for slides: the decision boundary at spaced epochs beside
the loss curve so far. Pillow only (it ships with Streamlit); no browser, no plotly.

Each frame puts a snapshot's weights (``core.snapshots.WeightSnapshots``: the layers'
Wb at spaced epochs) into a copy of the network, runs a coarse grid over the input
plane through it, and colours the output as the app's boundary does
(``boundary.surface_rgb``), with the points on top. The loss curve runs on a log
epoch axis, so early learning gets room. Points and grid are rows: (N, 2) raw (x1, x2).
"""
from __future__ import annotations

import copy
import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from explorer.figures.boundary import surface_rgb
from explorer.figures.theme import BLUE, CLASS_COLORS, ORANGE, ramp_rgb

WIDTH, HEIGHT = 640, 360            # 16:9, for a slide
PLOT = 340                          # the boundary's square, in pixels
MARGIN = 10
CURVE = (420, 110, 620, 310)         # the loss plot's box: left, top, right, bottom
INK, GREY, LINE = (51, 51, 51), (150, 150, 150), (214, 39, 40)
COLORS = 128                        # the GIF palette's colours; index 255 is "unchanged"
TRANSPARENT = 255


def boundary_gif(snapshots, net, pipeline, X, y, cost, *, epochs=None, X_test=None, y_test=None,
                 extent: float | None = None, grid: int = 68, max_frames: int = 120, frame_ms: int = 80,
                 hold_ms: int = 2000) -> bytes:
    """The run as GIF bytes: one frame per snapshot (at most ``max_frames``, evenly thinned).

    snapshots: (epoch, [Wb per layer]) pairs in epoch order, e.g. a ``WeightSnapshots``;
    net: a ``core.Network`` of the same shape (copied, never changed); pipeline: the
    ``InputPipeline`` from raw (x1, x2) to its inputs; X (N, 2), y (N,): the points
    drawn (X_test, y_test: drawn with a dark outline); cost: the history's J per
    recorded epoch and epochs: those epochs (default 1, 2, ...: ``History.cost[e − 1]``
    is J after epoch e; a bounded history passes its ``epochs``); a frame shows the J of
    the latest recorded epoch up to its own. extent: the plane shown is
    [−extent, extent]² (default: the app's rule on X). The last frame is held ``hold_ms``.
    """
    frames = list(snapshots)
    if not frames:
        raise ValueError("there are no weight snapshots yet; train for at least one epoch first")
    if len(frames) > max_frames:
        keep = np.unique(np.linspace(0, len(frames) - 1, max_frames).round().astype(int))
        frames = [frames[i] for i in keep]
    X = np.asarray(X, dtype=float)
    if extent is None:
        extent = float(np.ceil(np.abs(X).max() * 1.1 * 2) / 2) if len(X) else 1.0
    work = copy.deepcopy(net)
    shapes = [layer.Wb.shape for layer in work.layers]
    for epoch, params in frames:
        if [np.shape(p) for p in params] != shapes:
            raise ValueError(f"the snapshot of epoch {epoch} has weights of shapes {[np.shape(p) for p in params]}, "
                             f"but the network's are {shapes}; take the snapshots from this network")
    classify = work.is_classifier
    n_classes = max(work.layers[-1].size, 2) if classify else 0
    axis = np.linspace(-extent, extent, grid)
    gx, gy = np.meshgrid(axis, axis)
    F_grid = pipeline.transform(np.column_stack([gx.ravel(), gy.ravel()]))
    overlay = _points_layer(X, y, X_test, y_test, extent, classify, n_classes)
    cost = np.asarray(cost, dtype=float)
    epochs = np.arange(1, len(cost) + 1) if epochs is None else np.asarray(epochs, dtype=int)
    if epochs.shape != cost.shape:
        raise ValueError(f"epochs and cost need one entry each per recorded epoch, got {epochs.shape} and {cost.shape}")
    curve = _Curve(epochs, cost, frames[-1][0])
    base = Image.new("RGB", (WIDTH, HEIGHT), "white")
    curve.draw_axes(ImageDraw.Draw(base))
    big, small = ImageFont.load_default(size=22), ImageFont.load_default(size=15)
    acts = ", ".join(dict.fromkeys(layer.activation.name for layer in work.layers))
    ImageDraw.Draw(base).text((CURVE[0] - 50, 64), f"{'-'.join(map(str, work.sizes))} network: {acts}", fill=INK,
                              font=ImageFont.load_default(size=12))

    rgb_frames = []
    for epoch, params in frames:
        for layer, p in zip(work.layers, params):
            np.copyto(layer.Wb, p)
        a = work.predict_proba(F_grid)
        P = a.reshape(grid, grid, -1) if a.shape[1] > 1 else a[:, 0].reshape(grid, grid)
        surface = Image.fromarray(surface_rgb(P, "classification" if classify else "regression"))
        surface = surface.resize((PLOT, PLOT), Image.Resampling.BILINEAR).convert("RGBA")
        frame = base.copy()
        frame.paste(Image.alpha_composite(surface, overlay).convert("RGB"), (MARGIN, MARGIN))
        draw = ImageDraw.Draw(frame)
        draw.text((CURVE[0] - 50, 12), f"epoch {epoch:,}", fill=INK, font=big)
        J = curve.at(epoch) if epoch >= 1 else None
        draw.text((CURVE[0] - 50, 42), "starting weights" if J is None else f"loss {J:.4g}", fill=INK, font=small)
        curve.draw_until(draw, epoch)
        rgb_frames.append(frame)
    return _encode(rgb_frames, frame_ms, hold_ms)


def _points_layer(X, y, X_test, y_test, extent, classify, n_classes) -> Image.Image:
    """The points as an RGBA layer over the PLOT square (train: white outline, test: dark)."""
    layer = Image.new("RGBA", (PLOT, PLOT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    r = 3 if len(X) <= 1000 else 2
    for pts, labels, outline in ((X, y, (255, 255, 255, 255)), (X_test, y_test, (40, 40, 40, 255))):
        if pts is None or len(pts) == 0:
            continue
        pts, labels = np.asarray(pts, dtype=float), np.asarray(labels)
        if classify:
            palette = [ORANGE, BLUE] if n_classes <= 2 else CLASS_COLORS
            fills = [_hex(palette[int(k) % len(palette)]) for k in labels]
        else:
            lim = max(float(np.abs(labels).max()), 1e-9)
            fills = [tuple(int(c) for c in ramp_rgb((v / lim + 1) / 2)) for v in labels]
        px = (pts[:, 0] + extent) / (2 * extent) * (PLOT - 1)
        py = (extent - pts[:, 1]) / (2 * extent) * (PLOT - 1)
        for u, v, fill in zip(px, py, fills):
            draw.ellipse((u - r, v - r, u + r, v + r), fill=fill + (255,), outline=outline)
    return layer


class _Curve:
    """The loss so far on a log epoch axis (epochs 1..last), J from 0 to its maximum.

    ``epochs[i]`` is the epoch whose J is ``cost[i]`` (increasing); a bounded history
    keeps only some epochs, and the curve draws the ones it has.
    """

    def __init__(self, epochs: np.ndarray, cost: np.ndarray, last_epoch: int):
        keep = (epochs >= 1) & (epochs <= max(last_epoch, 1)) & np.isfinite(cost)
        epochs, cost = epochs[keep], cost[keep]
        if len(epochs) > 400:       # at most ~400 points: every epoch early, log-spaced later
            targets = np.geomspace(1, epochs[-1], 400)
            idx = np.unique(np.append(np.searchsorted(epochs, targets).clip(0, len(epochs) - 1), len(epochs) - 1))
            epochs, cost = epochs[idx], cost[idx]
        self.epochs, self.cost = epochs, cost
        self.top = float(cost.max()) * 1.05 if len(cost) else 1.0
        self.log_end = math.log10(max(last_epoch, 2))
        self.xy = [self._xy(int(k), float(J)) for k, J in zip(epochs, cost)]

    def at(self, epoch: int) -> float | None:
        """J at the latest recorded epoch ≤ ``epoch`` (None before the first)."""
        k = int(np.searchsorted(self.epochs, epoch, side="right"))
        return float(self.cost[k - 1]) if k else None

    def _xy(self, epoch: int, J: float):
        left, top, right, bottom = CURVE
        x = left + (right - left) * math.log10(epoch) / self.log_end
        y = bottom - (bottom - top) * min(max(J / self.top, 0.0), 1.0)
        return (x, y)

    def draw_axes(self, draw):
        left, top, right, bottom = CURVE
        font = ImageFont.load_default(size=12)
        draw.line([(left, top), (left, bottom), (right, bottom)], fill=GREY, width=1)
        draw.text((left - 6, top), f"{self.top / 1.05:.3g}", fill=INK, font=font, anchor="rm")
        draw.text((left - 6, bottom), "0", fill=INK, font=font, anchor="rm")
        for p in range(int(self.log_end) + 1):
            x = left + (right - left) * p / self.log_end
            draw.line([(x, bottom), (x, bottom + 4)], fill=GREY)
            draw.text((x, bottom + 6), f"{10 ** p:,}", fill=INK, font=font, anchor="mt")
        draw.text(((left + right) / 2, bottom + 24), "epoch (log scale)", fill=INK, font=font, anchor="mt")
        draw.text((left, top - 8), "training loss", fill=INK, font=font, anchor="ls")

    def draw_until(self, draw, epoch: int):
        if epoch < 1 or not len(self.xy):
            return
        k = int(np.searchsorted(self.epochs, epoch, side="right"))
        pts = self.xy[:k]
        if len(pts) > 1:
            draw.line(pts, fill=LINE, width=2)
        if pts:
            x, y = pts[-1]
            draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=LINE)


def _hex(color: str) -> tuple:
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


def _encode(frames, frame_ms: int, hold_ms: int) -> bytes:
    """GIF bytes: one adaptive palette for all frames, each frame stored as its change.

    The palette holds the first, middle and last frames' colours plus the exact text,
    axis, curve and class colours. After the first frame, every pixel equal to the one
    before it becomes the transparent index (the GIF shows the previous frame there),
    which compresses the unchanged parts to almost nothing: 0.8 MB instead of 2 MB for
    the default lesson, the same pixels decoded.
    """
    picks = [frames[0], frames[len(frames) // 2], frames[-1]]
    sample = Image.new("RGB", (WIDTH, HEIGHT * len(picks)))
    for i, f in enumerate(picks):
        sample.paste(f, (0, HEIGHT * i))
    fixed = [(255, 255, 255), INK, GREY, LINE, (40, 40, 40)] + [_hex(c) for c in CLASS_COLORS]
    n = COLORS - len(fixed)
    colours = sample.quantize(colors=n, method=Image.Quantize.MEDIANCUT).getpalette()[:3 * n]
    colours += [v for c in fixed for v in c]
    colours += colours[:3] * (256 - len(colours) // 3)          # pad with copies: nothing maps past COLORS
    palette = Image.new("P", (1, 1))
    palette.putpalette(colours)
    indexed = [np.asarray(f.quantize(palette=palette, dither=Image.Dither.NONE)) for f in frames]
    assert all(int(a.max()) < COLORS for a in indexed)         # the transparent index stays free
    images = [indexed[0]] + [np.where(cur == prev, TRANSPARENT, cur).astype(np.uint8)
                             for prev, cur in zip(indexed, indexed[1:])]
    images = [Image.fromarray(a, "P") for a in images]
    for im in images:
        im.putpalette(colours)
    out = io.BytesIO()
    images[0].save(out, format="GIF", save_all=True, append_images=images[1:], loop=0, optimize=False,
                   duration=[frame_ms] * (len(images) - 1) + [hold_ms], disposal=1, transparency=TRANSPARENT)
    return out.getvalue()
