// The live curves from the channel's history: the kept points (the server's LiveHistory rule,
// explorer/training/history.py, with the setup's and the frames' per_octave: epoch e is kept iff
// e % max(1, 2^floor(log2(e / per_octave))) == 0) plus the latest epoch, filled into the lines
// of the setup's curves figure (explorer/figures/curves.curves_figure: each line's meta names
// its series and layer). S is view.js's state of one setup.
(function (root) {
  "use strict";

  // ---- curves: kept points by the history's rule, plus the latest epoch ---------------------
  function keep(e, perOctave) {
    return e % Math.max(1, Math.pow(2, Math.floor(Math.log2(e / perOctave)))) === 0;
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

  // A point's place in a row (the wire's: epoch, cost, score, test_cost, test_score,
  // grad_norm[L], delta_mean[L]); per-layer series start at their base.
  var COLUMN = { cost: 1, score: 2, test_cost: 3, test_score: 4, grad_norm: 5 };

  // The lines of the setup's curves figure (templates: style, name, axes, meta) with their
  // points: the kept ones plus the latest epoch. Test lines only once there is test data.
  function traces(S) {
    var k = S.kept, latest = S.latestRow, x = with_(k.epoch, latest && latest[0]), out = [];
    S.curveTemplates.forEach(function (t) {        // (no point yet: empty lines, so the panels show)
      var m = t.meta || {}, series = m.series, y;
      if (/^test_/.test(series) && !S.hasTest) return;
      if (m.layer !== undefined) {
        var col = (series === "delta_mean" ? 5 + S.L : COLUMN.grad_norm) + m.layer;
        y = with_(k[series][m.layer], latest && latest[col]);
      } else {
        y = with_(k[series], latest && latest[COLUMN[series]]);
      }
      if (m.floor) y = y.map(function (v) { return Math.max(v, m.floor); });   // log axis: 0 drawn at the floor
      out.push(Object.assign({}, t, { x: x, y: y }));
    });
    return out;
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

  root.BPCurves = { keep: keep, history: history, append: append, traces: traces };
})(typeof window !== "undefined" ? window : this);
