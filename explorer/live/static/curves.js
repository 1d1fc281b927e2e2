// The live curves from the channel's history: the kept points (the server's LiveHistory rule,
// explorer/channel/history.py: epoch e is kept iff e % 2^floor(log2(e / per_octave)) == 0, all
// below 2·per_octave) plus the latest epoch, and the plotly traces of
// explorer/figures/curves.curves_figure built from them. S is view.js's state of one setup.
(function (root) {
  "use strict";

  function layerColor(l) { var c = root.BPPaint.LAYER_COLORS; return c[l % c.length]; }

  // ---- curves: kept points by the history's rule, plus the latest epoch ---------------------
  function keep(e, perOctave) {
    if (e < 2 * perOctave) return true;
    return e % Math.pow(2, Math.floor(Math.log2(e / perOctave))) === 0;
  }

  function history(S, h, perOctave) {
    var L = S.L, n = h.epoch.length;
    S.perOctave = perOctave;
    S.hasTest = h.test_cost && h.test_cost.length > 0;
    S.kept = { epoch: [], cost: [], score: [], test_cost: [], test_score: [], grad_norm: [], delta_mean: [] };
    for (var l = 0; l < L; l++) { S.kept.grad_norm.push([]); S.kept.delta_mean.push([]); }
    var last = null;
    for (var i = 0; i < n; i++) {
      var row = [h.epoch[i], h.cost[i], h.score[i], S.hasTest ? h.test_cost[i] : NaN, S.hasTest ? h.test_score[i] : NaN]
        .concat(h.grad_norm[i] || [], h.delta_mean[i] || []);
      if (i === n - 1 && !keep(h.epoch[i], perOctave)) last = row;   // the latest, provisional
      else push(S, row, 0);
    }
    S.latestRow = last;
    if (n) {
      var r = last || rowAt(S, n - 1, h);
      S.latest = [r[1], r[2], r[3], r[4]];
      S.grads = r.slice(5);
    } else {
      S.latest = [NaN, NaN, NaN, NaN];
      S.grads = null;
    }
  }
  function rowAt(S, i, h) {
    return [h.epoch[i], h.cost[i], h.score[i], S.hasTest ? h.test_cost[i] : NaN, S.hasTest ? h.test_score[i] : NaN]
      .concat(h.grad_norm[i] || [], h.delta_mean[i] || []);
  }
  // one point (epoch, cost, score, test_cost, test_score, grad_norm[L], delta_mean[L]) from row[off..]
  function push(S, row, off) {
    var k = S.kept, L = S.L;
    k.epoch.push(row[off]); k.cost.push(row[off + 1]); k.score.push(row[off + 2]);
    k.test_cost.push(row[off + 3]); k.test_score.push(row[off + 4]);
    for (var l = 0; l < L; l++) {
      k.grad_norm[l].push(row[off + 5 + l]);
      k.delta_mean[l].push(row[off + 5 + L + l]);
    }
  }
  function coarsen(S, perOctave) {
    var k = S.kept, idx = [];
    for (var i = 0; i < k.epoch.length; i++) if (keep(k.epoch[i], perOctave)) idx.push(i);
    function pick(a) { return idx.map(function (i) { return a[i]; }); }
    ["epoch", "cost", "score", "test_cost", "test_score"].forEach(function (f) { k[f] = pick(k[f]); });
    k.grad_norm = k.grad_norm.map(pick);
    k.delta_mean = k.delta_mean.map(pick);
    S.perOctave = perOctave;
  }

  // explorer/figures/curves.curves_figure's traces: loss, score[, test loss, test score], then
  // the gradient magnitude of each layer (x3/y3). The arrays are the kept points plus the
  // latest epoch.
  function traces(S) {
    var k = S.kept, big = !!S.view.big, w = big ? 4.0 : 2.5, metric = S.metric === "accuracy" ? "accuracy" : "R²";
    var latest = S.latestRow, x = with_(k.epoch, latest && latest[0]);
    var P = root.BPPaint, traces = [];
    function line(name, y, color, yaxis, dash, width, xaxis) {
      var t = { type: "scatter", mode: "lines", name: name, x: x, y: y,
                line: { color: color, width: width }, yaxis: yaxis,
                hovertemplate: name + "<br>epoch %{x}: %{y:.4g}<extra></extra>" };
      if (dash) t.line.dash = dash;
      if (xaxis) t.xaxis = xaxis;
      traces.push(t);
    }
    if (!x.length) return traces;
    line("train loss", with_(k.cost, latest && latest[1]), P.BLUE, "y", null, w);
    line("train " + metric, with_(k.score, latest && latest[2]), P.BLUE, "y2", null, w);
    if (S.hasTest) {
      line("test loss", with_(k.test_cost, latest && latest[3]), P.ORANGE, "y", "dot", w);
      line("test " + metric, with_(k.test_score, latest && latest[4]), P.ORANGE, "y2", "dot", w);
    }
    var key = S.view.grad_key === "delta_mean" ? "delta_mean" : "grad_norm", base = key === "delta_mean" ? 5 + S.L : 5;
    for (var l = 0; l < S.L; l++) {
      var y = with_(k[key][l], latest && latest[base + l]).map(function (v) { return Math.max(v, 1e-30); });
      line("layer " + (l + 1), y, layerColor(l), "y3", null, big ? 3.5 : 2, "x3");
    }
    return traces;
  }
  function with_(a, v) { return v === undefined || v === null ? a.slice() : a.concat([v]); }


  // A frame's new points (wire: n × (epoch, cost, score, test_cost, test_score, grad_norm[L],
  // delta_mean[L])), each once; coarsened first if the server's spacing grew.
  function append(S, f) {
    if (f.perOctave && f.perOctave < S.perOctave) coarsen(S, f.perOctave);
    var w = f.pointWidth, k = S.kept.epoch;
    for (var i = 0; i < f.nPoints; i++) {
      if (k.length && f.points[i * w] <= k[k.length - 1]) continue;     // (already held, e.g. from setup)
      push(S, f.points, i * w);
    }
  }

  root.BPCurves = { keep: keep, history: history, append: append, traces: traces, layerColor: layerColor };
})(typeof window !== "undefined" ? window : this);
