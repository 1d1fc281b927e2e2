// The live instruments (chart options Metrics and Histograms; explorer/live/instruments_setup.py):
// computed here from the frame's weights and the setup's points, never asked of the server. The
// points are the boundary figure's (each point trace names its split and class in meta: the
// training points first, then the test points); forward.js pushes them through the network,
// metrics.js and histograms.js count, metricsview.js and histview.js draw. A click on a
// confusion cell rings that cell's points on the boundary (a canvas over its plot, redrawn with
// every update: the ringed points follow the predictions).
//
// Updates follow the weights, at most every BPInstruments.everyMs while training runs (or 4×
// their own last cost, if more), and at once when paused (a step). S is view.js's state; env is
// view.js's {C: LiveCore, live, react(name), state(), drawing()}. The cost of each update is
// kept in live.instruments (updates, ms: their total, last) and live.figMs.instruments.
(function (root) {
  "use strict";

  var P = function () { return root.BPPlotly; };
  var VIEWS = { metrics: function () { return root.BPMetricsView; }, histograms: function () { return root.BPHistView; } };

  // The instruments' state for a setup message, or null when none is on.
  function setup(S, msg, decode) {
    var part = msg.instruments;
    if (!part) return null;
    var groups = { train: [], test: [] };
    S.figures.boundary.data.forEach(function (t) {
      var m = t.meta;
      if (!m || !groups[m.split]) return;
      groups[m.split].push({ x: decode(t.x), y: decode(t.y), label: m.label,
                             target: m.label === undefined ? decode(t.marker.color) : null });
    });
    var x1 = [], x2 = [], truth = [], splits = [];
    ["train", "test"].forEach(function (name) {
      var lo = x1.length;
      groups[name].forEach(function (g) {
        for (var i = 0; i < g.x.length; i++) {
          x1.push(g.x[i]); x2.push(g.y[i]); truth.push(g.target ? g.target[i] : g.label);
        }
      });
      splits.push({ name: name, lo: lo, hi: x1.length });
    });
    var N = x1.length, classify = part.classes !== null;
    return {
      panels: part.panels.slice(), classes: part.classes, bins: part.bins, layers: part.layers, classify: classify,
      fwd: root.BPForward.create({ sizes: S.sizes, activations: S.activations, features: S.features,
                                   points: { x1: x1, x2: x2 }, mean: S.mean, scale: S.scale }),
      N: N, x1: Float64Array.from(x1), x2: Float64Array.from(x2),
      truth: classify ? Int32Array.from(truth) : Float64Array.from(truth), pred: new Int32Array(N),
      splits: splits, ntrain: splits[0].hi, mode: "counts", selected: null, ringed: 0,
      dirty: true, at: -1e9, timer: null, cost: 0, metrics: null, hist: null, views: {}, ringCanvas: null, sizes: null
    };
  }

  // The cells the instruments draw in (after the figures' cells).
  function names(S) { return S && S.inst ? S.inst.panels : []; }

  // Build each instrument's cell for this setup (the cells exist: view.js laid them out), then
  // the first update.
  function draw(S, env) {
    var I = S.inst;
    if (!I) return;
    // The canvases' sizes, as the browser laid them out: kept on each canvas (_bpSize), so an
    // update never reads a size after it wrote text (a forced layout); a new size redraws.
    I.sizes = new ResizeObserver(function (entries) {
      entries.forEach(function (e) { e.target._bpSize = [e.contentRect.width, e.contentRect.height]; });
      if (env.state() === S) redraw(S);
    });
    I.panels.forEach(function (name) {
      var cell = env.C.cells[name];
      if (cell) I.views[name] = VIEWS[name]().build(cell, S, I, hooks(S, env));
    });
    update(S, env);
  }

  function hooks(S, env) {
    return {
      select: function (split, i, j) { select(S, env, split, i, j); },
      mode: function (mode) { S.inst.mode = mode; root.BPMetricsView.update(S, S.inst); },
      observe: function (canvas) { S.inst.sizes.observe(canvas); }
    };
  }

  // Draw what was last computed again (a canvas changed size).
  function redraw(S) {
    var I = S.inst;
    if (I.views.metrics) root.BPMetricsView.update(S, I);
    if (I.views.histograms) root.BPHistView.update(S, I);
  }

  // The weights changed (view.js's drawFrame): update now, or when the interval has passed.
  function frame(S, env) {
    var I = S.inst;
    if (!I) return;
    I.dirty = true;
    var wait = I.at + Math.max(root.BPInstruments.everyMs, 4 * I.cost) - performance.now();
    if (!S.running || wait <= 0) return update(S, env);
    if (!I.timer) {
      I.timer = setTimeout(function () {
        I.timer = null;
        if (env.state() === S && I.dirty) update(S, env);
      }, wait + 10);
    }
  }

  function update(S, env) {
    var I = S.inst, t = performance.now();
    I.dirty = false;
    I.at = t;
    if (!S.weights) return;
    var A = I.fwd.run(S.weights), out = A[S.L];
    if (I.views.metrics) {
      I.metrics = I.splits.map(function (s) {
        return I.classify ? root.BPMetrics.confusion(out, S.K, I.truth, s.lo, s.hi, I.classes, I.pred)
                          : root.BPMetrics.regression(out, I.truth, s.lo, s.hi);
      });
      I.out = out;
      root.BPMetricsView.update(S, I);
    }
    if (I.views.histograms) {
      I.hist = root.BPHistograms.compute(S.weights, A, {
        sizes: S.sizes, activations: S.activations, bins: I.bins, n: I.ntrain,
        saturated: I.layers.map(function (l) { return l.saturated_outside; }) });
      root.BPHistView.update(S, I);
    }
    rings(S, env);
    var ms = performance.now() - t, rec = env.live.instruments = env.live.instruments || { updates: 0, ms: 0 };
    I.cost = env.live.figMs.instruments = rec.last = ms;
    rec.updates++;
    rec.ms += ms;
  }

  // A click on a confusion cell (split "train" | "test", true class i, predicted j): ring its
  // points; the same cell again clears.
  function select(S, env, split, i, j) {
    var I = S.inst, s = I.selected;
    I.selected = s && s.split === split && s.i === i && s.j === j ? null : { split: split, i: i, j: j };
    rings(S, env);
    root.BPMetricsView.update(S, I);
  }

  // The selected cell's points as rings on the boundary's plot (cleared when none).
  function rings(S, env) {
    var I = S.inst, div = env.C.cells.boundary, sel = I.selected;
    I.ringed = 0;
    env.live.ringed = 0;
    if (!sel && !I.ringCanvas) return;
    var xa = P().axis(div, "xaxis"), ya = P().axis(div, "yaxis");
    if (!xa || !ya) return;
    var o = P().overlay(div, I.ringCanvas);
    if (!o) return;
    I.ringCanvas = o.canvas;
    if (!div._bpRingsHooked) {                 // plotly redrew (zoom, pan, resize): the rings again
      div._bpRingsHooked = true;
      div.on("plotly_afterplot", function () {
        var now = env.state();
        if (now && now.inst && div === env.C.cells.boundary) rings(now, env);
      });
    }
    if (!sel) return;
    var split = I.splits[sel.split === "train" ? 0 : 1], ctx = o.ctx, big = !!S.view.big, r = big ? 9 : 6, n = 0;
    ctx.save();
    ctx.beginPath();
    ctx.rect(xa.offset, ya.offset, xa.length, ya.length);
    ctx.clip();
    ctx.beginPath();
    for (var k = split.lo; k < split.hi; k++) {
      if (I.truth[k] !== sel.i || I.pred[k] !== sel.j) continue;
      var x = xa.toPx(I.x1[k]), y = ya.toPx(I.x2[k]);
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      n++;
    }
    ctx.lineWidth = big ? 6 : 4.5;             // a white halo, then black: seen on either colour
    ctx.strokeStyle = "rgba(255,255,255,0.95)";
    ctx.stroke();
    ctx.lineWidth = big ? 3 : 2;
    ctx.strokeStyle = getComputedStyle(document.documentElement).getPropertyValue("--ring-ink").trim();
    ctx.stroke();
    ctx.restore();
    I.ringed = env.live.ringed = n;
  }

  // A setup replaced S: its timer and rings go (the cells are rebuilt by the next draw).
  function drop(S) {
    var I = S && S.inst;
    if (!I) return;
    if (I.timer) clearTimeout(I.timer);
    if (I.ringCanvas) I.ringCanvas.remove();
    if (I.sizes) I.sizes.disconnect();
  }

  // everyMs: the shortest interval between updates while training runs (4 a second).
  root.BPInstruments = { setup: setup, names: names, draw: draw, frame: frame, update: update, select: select,
                         drop: drop, everyMs: 250 };
})(typeof window !== "undefined" ? window : this);
