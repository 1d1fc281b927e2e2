"""Spike: live training view with the explorer.live component (self-contained).

    python -m streamlit run bench/live_spike_app.py

A stand-in numpy MLP (Ng's flower, 2-4-1 tanh, full-batch gradient descent)
trains inside an ``@st.fragment`` in time slices. The fragment is paced by the
browser: it sends frame k+1 only after the iframe acked frame k, then trains
the next slice while the browser draws. Query parameters: ``hidden=8,8``
(architecture), ``min=0.04`` / ``budget=0.15`` (training seconds per frame: at
least min, then until the browser's ack is pending, at most budget; min >= budget
means a fixed budget),
``ctl=inside`` (Play/Pause inside the fragment), ``cols=2``, ``h=300``.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import numpy as np
try:                      # faster when installed; not a project dependency
    import orjson

    def _dumps(obj) -> str:
        return orjson.dumps(obj).decode()
except ImportError:
    import json

    def _dumps(obj) -> str:
        return json.dumps(obj, separators=(",", ":"))

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GRID = 100        # boundary heatmap resolution
NODE_GRID = 25    # per-neuron heatmap resolution in the network figure
MAX_POINTS = 300  # loss/gradient history points sent per trace


def flower(m=400, seed=1):
    rng = np.random.default_rng(seed)
    n = m // 2
    X = np.zeros((m, 2))
    y = np.zeros(m)
    for j in range(2):
        ix = np.arange(n * j, n * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, n) + rng.normal(0, 0.2, n)
        r = 4 * np.sin(4 * t) + rng.normal(0, 0.2, n)
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return X, y


class Trainer:
    """Tiny MLP (tanh hidden, sigmoid out, BCE), full batch: one step = one epoch."""

    def __init__(self, hidden=(4,), lr=1.2, seed=2):
        X, y = flower()
        rng = np.random.default_rng(seed)
        idx = rng.permutation(len(X))
        cut = int(0.8 * len(X))
        self.X, self.y = X[idx[:cut]], y[idx[:cut]]
        self.Xt, self.yt = X[idx[cut:]], y[idx[cut:]]
        sizes = [2, *hidden, 1]
        self.W = [rng.normal(0, 1 / np.sqrt(a), (a, b)) for a, b in zip(sizes, sizes[1:])]
        self.b = [np.zeros(b) for b in sizes[1:]]
        self.lr = lr
        self.epoch = 0
        self.hist = np.zeros((0, 2 + len(self.W)), np.float32)  # loss, test loss, |g| per layer
        self._buf = []
        g = np.linspace(-5, 5, GRID)
        self.plane = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)

    def forward(self, X):
        acts = [X]
        for i, (W, b) in enumerate(zip(self.W, self.b)):
            z = acts[-1] @ W + b
            acts.append(np.tanh(z) if i < len(self.W) - 1 else 1 / (1 + np.exp(-z)))
        return acts

    @staticmethod
    def bce(p, y):
        p = np.clip(p.ravel(), 1e-7, 1 - 1e-7)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    def step(self):
        acts = self.forward(self.X)
        m = len(self.X)
        d = (acts[-1].ravel() - self.y)[:, None] / m
        norms = []
        for i in range(len(self.W) - 1, -1, -1):
            gW = acts[i].T @ d
            gb = d.sum(0)
            if i:
                d = (d @ self.W[i].T) * (1 - acts[i] ** 2)
            self.W[i] -= self.lr * gW
            self.b[i] -= self.lr * gb
            norms.append(float(np.sqrt((gW * gW).sum())))
        self.epoch += 1
        if self.epoch % 10 == 1:   # record the curves every 10 epochs
            test = self.bce(self.forward(self.Xt)[-1], self.yt)
            self._buf.append([self.bce(acts[-1], self.y), test, *norms[::-1]])

    def train_for(self, seconds):
        t_end = time.perf_counter() + seconds
        n = 0
        while True:
            self.step()
            n += 1
            if n % 8 == 0 and time.perf_counter() >= t_end:
                return n

    def curves(self):
        if self._buf:
            self.hist = np.vstack([self.hist, np.asarray(self._buf, np.float32)])
            self._buf = []
        h = self.hist
        idx = np.unique(np.linspace(0, len(h) - 1, min(len(h), MAX_POINTS)).astype(int))
        return (idx * 10 + 1).astype(np.int32), h[idx]


def figures(tr: Trainer, log_loss: bool = True, hover: bool = True) -> dict[str, str]:
    """Hand-built figure dicts + orjson. What changes every frame as a picture is a
    layout image (bench/spike_images.py); traces that do not change stay byte-identical,
    so the browser skips them."""
    from explorer.figures.encode import typed as ta
    from spike_images import heatmap_image

    acts = tr.forward(tr.plane)
    ax = dict(range=[-5, 5], showgrid=False, zeroline=False)
    m = dict(l=40, r=10, t=30, b=30)
    pts = tr.X.astype(np.float32)
    boundary = {"data": [
        {"type": "scatter", "mode": "markers", "x": ta(pts[:, 0]), "y": ta(pts[:, 1]),
         "marker": {"size": 5, "color": ta(tr.y.astype(np.uint8)), "cmin": 0, "cmax": 1,
                    "colorscale": [[0, "#b2182b"], [1, "#2166ac"]],
                    "line": {"width": 0.5, "color": "white"}}, "hoverinfo": "skip"}],
        "layout": {"title": {"text": f"Decision boundary, epoch {tr.epoch}"}, "margin": m,
                   "images": [heatmap_image(acts[-1].reshape(GRID, GRID), (-5, 5), (-5, 5))],
                   "xaxis": ax, "yaxis": {**ax, "scaleanchor": "x"}, "showlegend": False}}
    x, h = tr.curves()
    # Loss and gradients as two subplots of ONE figure: any trace change makes plotly
    # replot the whole figure, and one replot of two subplots costs ~13 ms of browser
    # CPU here against ~21 ms for two separate figures.
    lines = [{"type": "scatter", "mode": "lines", "name": n, "x": ta(x), "y": ta(h[:, i]),
              "legendgroup": "loss"} for i, n in enumerate(("train loss", "test loss"))]
    lines += [{"type": "scatter", "mode": "lines", "name": f"|grad| layer {i + 1}", "x": ta(x),
               "y": ta(np.maximum(h[:, 2 + i], 1e-12)), "xaxis": "x2", "yaxis": "y2"}
              for i in range(len(tr.W))]
    curves = {"data": lines, "layout": {
        "margin": m, "legend": {"x": 1, "xanchor": "right", "y": 1},
        "xaxis": {"domain": [0, 0.45], "title": {"text": "epoch"}},
        "xaxis2": {"domain": [0.55, 1], "title": {"text": "epoch"}},
        "yaxis": {"type": "log" if log_loss else "linear"},
        "yaxis2": {"type": "log", "anchor": "x2"},
        "annotations": [
            {"text": "Loss", "x": 0.225, "y": 1.0, "xref": "paper", "yref": "paper",
             "yanchor": "bottom", "showarrow": False, "font": {"size": 16}},
            {"text": "Gradient magnitude per layer", "x": 0.775, "y": 1.0, "xref": "paper",
             "yref": "paper", "yanchor": "bottom", "showarrow": False, "font": {"size": 16}}]}}
    return {"boundary": _dumps(boundary), "network": network(tr, acts, hover),
            "curves": _dumps(curves)}


def network(tr: Trainer, acts, hover: bool = True) -> str:
    """Neurons as small images of their output over the plane, edges as shapes
    (colour = sign, width = |w|), weights on hover at the edge midpoints. Hover text
    only when paused (hover=True): changing it makes plotly replot (+3 ms a frame)."""
    from spike_images import heatmap_image

    sizes = [2] + [W.shape[1] for W in tr.W]
    step = GRID // NODE_GRID
    pos = {(li, j): (li * 3.0, (j - (n - 1) / 2) * 1.6)
           for li, n in enumerate(sizes) for j in range(n)}
    shapes, images, mx, my, txt = [], [], [], [], []
    for li, W in enumerate(tr.W):
        scale = float(np.abs(W).max()) + 1e-9
        for a in range(W.shape[0]):
            for b in range(W.shape[1]):
                (x0, y0), (x1, y1) = pos[li, a], pos[li + 1, b]
                w = float(W[a, b])
                shapes.append({"type": "line", "x0": x0 + 0.5, "y0": y0, "x1": x1 - 0.5,
                               "y1": y1, "layer": "below",
                               "line": {"width": 0.5 + 4 * abs(w) / scale,
                                        "color": "#2166ac" if w > 0 else "#b2182b"}})
                mx.append((x0 + x1) / 2)
                my.append((y0 + y1) / 2)
                txt.append(f"w = {w:.3f}")
    for li, n in enumerate(sizes):
        out = acts[li].reshape(GRID, GRID, -1)[::step, ::step]
        lo, hi = (-5, 5) if li == 0 else (-1, 1) if li < len(sizes) - 1 else (0, 1)
        for j in range(n):
            x, y = pos[li, j]
            images.append(heatmap_image(out[:, :, j], (x - 0.5, x + 0.5), (y - 0.5, y + 0.5),
                                        zmin=lo, zmax=hi, layer="above"))
    ys = [p[1] for p in pos.values()]
    tips = {"type": "scatter", "mode": "markers", "x": mx, "y": my, "marker": {"size": 8, "opacity": 0},
            **({"text": txt, "hoverinfo": "text"} if hover else {"hoverinfo": "skip"})}
    frame = {"type": "scatter", "mode": "markers", "hoverinfo": "skip", "marker": {"opacity": 0},
             "x": [-0.6, 3.0 * (len(sizes) - 1) + 0.6], "y": [min(ys) - 0.6, max(ys) + 0.6]}
    hidden = dict(visible=False)
    fig = {"data": [frame, tips],
           "layout": {"title": {"text": "Network"}, "showlegend": False, "shapes": shapes,
                      "images": images, "margin": dict(l=10, r=10, t=30, b=10),
                      "xaxis": hidden, "yaxis": {**hidden, "scaleanchor": "x"}}}
    return _dumps(fig)


def main():
    import streamlit as st

    from explorer.live import acked, live_charts

    st.set_page_config(page_title="Live spike", layout="wide")
    qp = st.query_params
    hidden = tuple(int(v) for v in qp.get("hidden", "4").split(",") if v)
    max_budget = float(qp.get("budget", "0.15"))
    min_budget = float(qp.get("min", "0.04"))
    inside = qp.get("ctl", "outside") == "inside"
    ss = st.session_state
    if "trainer" not in ss:
        ss.trainer = Trainer(hidden)
        ss.lock = threading.Lock()
        ss.running, ss.rev, ss.idle_from, ss.train_s = False, 0, None, 0.0
        ss.next_figs = ss.figs = figures(ss.trainer, True)
        ss.frames, ss.wait_s = 0, 0.0

    def play():
        ss.running = True

    def pause():
        ss.running = False
        with ss.lock:                      # the paused frame gets hover values
            ss.next_figs = figures(ss.trainer, ss.get("log_loss", True))

    def rescale():
        with ss.lock:
            ss.next_figs = figures(ss.trainer, ss.log_loss, hover=not ss.running)

    def controls():
        c1, c2, c3, _ = st.columns([1, 1, 2, 4])
        c1.button("Play", key="play", on_click=play, type="primary")
        c2.button("Pause", key="pause", on_click=pause)
        c3.checkbox("Log-scale loss", value=True, key="log_loss", on_change=rescale)
        st.markdown(f"Status: **{'running' if ss.running else 'paused'}** · "
                    f"loss scale: **{'log' if ss.get('log_loss', True) else 'linear'}**")

    ss.script_runs = ss.get("script_runs", 0) + 1   # full runs (fragment reruns skip this)
    if not inside:
        controls()

    @st.fragment
    def live_view():
        if inside:
            controls()
        tr, t0 = ss.trainer, time.perf_counter()
        new = acked(ss.get("charts")) >= ss.rev and (ss.running or ss.next_figs is not ss.figs)
        if new:
            if ss.idle_from is not None:
                ss.wait_s += t0 - ss.idle_from   # server idle, waiting for the ack
                ss.idle_from = None
            ss.rev += 1
            ss.figs = ss.next_figs
        live_charts(ss.figs, ss.rev, height=int(qp.get("h", "300")),
                    columns=int(qp.get("cols", "2")), key="charts", spans={"curves": 2},
                    extra={"epoch": tr.epoch, "running": ss.running, "rev": ss.rev,
                           "frames": ss.frames, "wait_s": round(ss.wait_s, 3),
                           "script_runs": ss.script_runs, "train_s": round(ss.train_s, 3)})
        if new and ss.running:
            with ss.lock:   # fastReruns may start a new run while this one trains
                t1 = time.perf_counter()
                if min_budget >= max_budget:       # fixed budget (for comparison)
                    tr.train_for(max_budget)
                else:                              # train until the browser acks
                    train_slice(tr.step, min_budget, max_budget)
                ss.train_s += time.perf_counter() - t1
                ss.next_figs = figures(tr, ss.get("log_loss", True), hover=not ss.running)
                ss.frames += 1
            ss.idle_from = time.perf_counter()

    live_view()



def train_slice(step, min_s: float = 0.04, max_s: float = 0.15, check_every: int = 4) -> int:
    """Call ``step()`` for at least ``min_s``, then until a rerun is pending (the
    browser acked the frame just sent, or the user clicked), at most ``max_s``.

    Used inside the fragment after ``live_charts``: the server trains exactly as long
    as the browser needs to draw, so neither side idles, and a Pause click ends the
    slice early. Returns the number of ``step()`` calls. (The app's own loop is
    ``explorer.run.Run.train_for`` with ``stop=rerun_requested``.)
    """
    from explorer.live import rerun_requested

    t0 = time.perf_counter()
    t_min, t_max = t0 + min_s, t0 + max_s
    n = 0
    while True:
        step()
        n += 1
        if n % check_every == 0:
            now = time.perf_counter()
            if now >= t_max or (now >= t_min and rerun_requested()):
                return n


if __name__ == "__main__":
    main()
