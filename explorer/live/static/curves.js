// The live curves from the channel's history: the kept points (the server's LiveHistory rule,
// explorer/training/history.py, with the setup's and the frames' per_octave: epoch e is kept iff
// e % max(1, 2^floor(log2(e / per_octave))) == 0) plus the latest epoch, filled into the lines
// of the setup's curves figure (explorer/figures/curves.curves_figure: each line's meta names
// its series and layer). S is view.js's state of one setup. Beside the history's lines: the
// learning rate η, computed here from the setup's η plan (schedules.js) over the epoch axis, with
// a marker at the current epoch's η; the validation loss (a column the points carry when the run
// has validation rows); the best epoch's marker (the setup's and the statuses' ``stop`` part).
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
    S.kept = { epoch: [], cost: [], score: [], test_cost: [], test_score: [], grad_norm: [], delta_mean: [],
               val_cost: [] };
    for (var l = 0; l < L; l++) { S.kept.grad_norm.push([]); S.kept.delta_mean.push([]); }
    var last = null, val = h.val_cost && h.val_cost.length === n ? h.val_cost : null;
    for (var i = 0; i < n; i++) {
      var row = [h.epoch[i], h.cost[i], h.score[i], S.hasTest ? h.test_cost[i] : NaN, S.hasTest ? h.test_score[i] : NaN]
        .concat(h.grad_norm[i] || [], h.delta_mean[i] || [], val ? [val[i] === null ? NaN : val[i]] : []);
      if (i === n - 1 && !keep(h.epoch[i], perOctave)) last = row;   // the latest, provisional
      else push(S, row, 0, row.length);
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
  // one point (epoch, cost, score, test_cost, test_score, grad_norm[L], delta_mean[L][, val_cost])
  // from row[off..off + width - 1]
  function push(S, row, off, width) {
    var k = S.kept, L = S.L;
    k.epoch.push(row[off]); k.cost.push(row[off + 1]); k.score.push(row[off + 2]);
    k.test_cost.push(row[off + 3]); k.test_score.push(row[off + 4]);
    for (var l = 0; l < L; l++) {
      k.grad_norm[l].push(row[off + 5 + l]);
      k.delta_mean[l].push(row[off + 5 + L + l]);
    }
    k.val_cost.push(width > 5 + 2 * L ? row[off + 5 + 2 * L] : NaN);
  }
  function coarsen(S, perOctave) {
    var k = S.kept, idx = [];
    for (var i = 0; i < k.epoch.length; i++) if (keep(k.epoch[i], perOctave)) idx.push(i);
    function pick(a) { return idx.map(function (i) { return a[i]; }); }
    ["epoch", "cost", "score", "test_cost", "test_score", "val_cost"].forEach(function (f) { k[f] = pick(k[f]); });
    k.grad_norm = k.grad_norm.map(pick);
    k.delta_mean = k.delta_mean.map(pick);
    S.perOctave = perOctave;
  }

  // A point's place in a row (the wire's: epoch, cost, score, test_cost, test_score,
  // grad_norm[L], delta_mean[L][, val_cost]); per-layer series start at their base.
  var COLUMN = { cost: 1, score: 2, test_cost: 3, test_score: 4, grad_norm: 5 };

  // Series drawn from something else than the history's columns: (S, template) -> {x, y[, text]}.
  var DRAWN = {
    eta: function (S) {                 // η over the epoch axis: from its first epoch to its 1-2-5 end
      if (!S.schedule) return { x: [], y: [] };
      var kk = S.kept.epoch, hi = root.BPCurveLines.nice125(Math.max(S.epoch, kk.length ? kk[kk.length - 1] : 0, 2));
      var lo = Math.min(1, kk.length ? kk[0] : 1), c = S.etaCurve;
      if (!c || c.lo !== lo || c.hi !== hi) {        // (a few hundred factors; again only when the axis grows)
        c = S.etaCurve = root.BPSchedules.curve(S.schedule.plan, lo, hi, ETA_POINTS);
        c.lo = lo;
        c.hi = hi;
      }
      return { x: c.x, y: c.y };
    },
    eta_now: function (S) {             // the η of the next update: the frame's epoch is where it starts
      if (!S.schedule || !(S.epoch > 0)) return { x: [], y: [] };
      return { x: [S.epoch], y: [root.BPSchedules.eta(S.schedule.plan, S.epoch)] };
    },
    best: function (S) {                // the lowest validation loss so far (drawn once training pauses)
      var b = S.stop;
      if (!b || b.best_epoch === null || b.best_epoch === undefined || S.running) return { x: [], y: [] };
      // its label leans away from the nearer end of the (log) epoch axis, so it is never cut off
      var end = root.BPCurveLines.nice125(Math.max(S.epoch, 2)), right = Math.log(b.best_epoch) > Math.log(end) / 2;
      return { x: [b.best_epoch], y: [b.best_cost], text: ["best: epoch " + b.best_epoch],
               textposition: right ? "top left" : "top right" };
    }
  };
  var ETA_POINTS = 600;                 // at most, over the whole epoch axis (a point every pixel or two)

  // The lines of the setup's curves figure (templates: style, name, axes, meta) with their
  // points: the kept ones plus the latest epoch. Test lines only once there is test data.
  function traces(S) {
    var k = S.kept, latest = S.latestRow, x = with_(k.epoch, latest && latest[0]), out = [];
    S.curveTemplates.forEach(function (t) {        // (no point yet: empty lines, so the panels show)
      var m = t.meta || {}, series = m.series, y;
      if (/^test_/.test(series) && !S.hasTest) return;
      if (DRAWN[series]) {
        out.push(Object.assign({}, t, DRAWN[series](S, t)));
        return;
      }
      if (series === "val_cost") {
        y = with_(k.val_cost, latest && latest.length > 5 + 2 * S.L ? latest[5 + 2 * S.L] : undefined);
        out.push(Object.assign({}, t, { x: y.length === x.length ? x : k.epoch, y: y }));
        return;
      }
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
      push(S, f.points, i * w, w);
    }
  }

  root.BPCurves = { keep: keep, history: history, append: append, traces: traces };
})(typeof window !== "undefined" ? window : this);
