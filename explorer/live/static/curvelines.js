// The live curves' lines on a canvas over plotly's axes, while training runs.
//
// A plotly redraw of the curves figure costs ~26 ms in a software-rendered browser even with
// nothing changed (axes, ticks, text), more than the rest of a frame together; stroking its
// few hundred points on a canvas costs well under 1 ms. So while training runs, plotly keeps
// the axes with ranges set here, its traces hold no points, and the lines are stroked onto a
// canvas over each subplot, every frame. Plotly redraws only when a line leaves its axis range
// (the epochs pass 2, 5, 10, 20, …; a loss or a gradient leaves its decades): a few times a
// run. Paused, plotly draws the lines again (hover shows the values) within the same ranges.
// A zoom by hand stops the ranging until a double click (autorange) gives it back.
(function (root) {
  "use strict";

  function axisKey(id, letter) {              // "x3" -> "xaxis3", undefined -> "xaxis"
    return letter + "axis" + (id ? id.slice(1) : "");
  }
  function finiteValues(a, positive) {
    var out = [];
    for (var i = 0; i < a.length; i++) {
      var v = a[i];
      if (v === v && v !== Infinity && v !== -Infinity && (!positive || v > 0)) out.push(v);
    }
    return out;
  }
  function nice125(v) {                       // the smallest 1, 2 or 5 × 10^k that is >= v
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= v * (1 - 1e-12)) return steps[i] * p;
    return 10 * p;
  }

  // The range each axis needs for these traces (plotly units: log10 on log axes), or none for
  // an axis the server fixed (accuracy: 0 to 1.02). Epoch axes end at the next 1-2-5 value,
  // log value axes at whole decades, a linear loss axis at 0 and 10 % above its largest value.
  function wanted(layout, traces, mine) {
    var vals = {};
    traces.forEach(function (t) {
      [["x", t.xaxis, t.x], ["y", t.yaxis, t.y]].forEach(function (a) {
        var key = axisKey(a[1], a[0]);
        (vals[key] = vals[key] || []).push(a[2]);
      });
    });
    var out = {};
    Object.keys(vals).forEach(function (key) {
      var ax = layout[key] || {};
      if (ax.autorange === false && !mine[key]) return;      // the server's own range
      var log = ax.type === "log", v = [];
      vals[key].forEach(function (a) { v = v.concat(finiteValues(a, log)); });
      if (!v.length) return;
      var lo = Math.min.apply(null, v), hi = Math.max.apply(null, v);
      if (key.charAt(0) === "x") {
        out[key] = log ? [Math.log10(lo), Math.log10(nice125(Math.max(hi, 2)))] : [lo, hi];
      } else if (log) {
        var a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
        out[key] = [a, b > a ? b : a + 1];
      } else {
        var top = hi > 0 ? 1.1 * hi : 1;
        out[key] = [Math.min(0, lo > 0 ? 0 : lo - 0.1 * (top - lo)), top];
      }
    });
    return out;
  }

  // Does the axis already show what is needed? (and is not far too wide: a linear loss axis
  // whose line fell below half of it, an epoch axis 2 steps ahead, is re-ranged.)
  function covers(range, need, key, log) {
    if (!range) return false;
    var eps = 1e-9;
    // A linear value axis from 0 holds its lines while their top (need[1] / 1.1) is on it: a loss
    // that keeps rising (a validation loss, once the network overfits) is re-ranged every 10 %,
    // not at each new maximum (a plotly redraw each frame).
    var top = !log && key.charAt(0) === "y" && range[0] === 0 && need[0] === 0 ? 1.1 * range[1] : range[1];
    if (need[0] < range[0] - eps || need[1] > top + eps) return false;
    if (key.charAt(0) === "x") return need[1] >= range[1] - (log ? 0.4 : 0) - eps && need[0] <= range[0] + eps;
    if (!log && range[0] === 0) return need[1] >= 0.5 * range[1];
    return true;
  }

  // Set the needed ranges in the figure's layout; true if any axis changed (plotly must redraw).
  // mine: the axes ranged here so far (key -> true), kept by the caller per figure.
  function range(layout, traces, mine) {
    var need = wanted(layout, traces, mine), changed = false;
    Object.keys(need).forEach(function (key) {
      var ax = layout[key] = layout[key] || {};
      if (mine[key] && covers(ax.range, need[key], key, ax.type === "log")) return;
      ax.range = need[key];
      ax.autorange = false;
      mine[key] = true;
      changed = true;
    });
    return changed;
  }

  // The same traces with no points: plotly keeps the subplots, the canvas draws the lines.
  function emptied(traces) {
    return traces.map(function (t) { return Object.assign({}, t, { x: [], y: [] }); });
  }

  // plotly's dash patterns, in units of max(width, 3) px
  var DASHES = { dot: [1, 1], dash: [3, 3] };

  // Stroke every trace onto ctx (CSS pixels), each clipped to its subplot of the drawn plot div:
  // plotly's line colour, width and "dot" or "dash" pattern; a marker trace (the current η, the
  // best epoch) as filled circles or diamonds of its size, with its text above.
  function stroke(ctx, div, traces) {
    traces.forEach(function (t) {
      var xa = root.BPPlotly.axis(div, axisKey(t.xaxis, "x")), ya = root.BPPlotly.axis(div, axisKey(t.yaxis, "y"));
      if (!xa || !ya) return;
      if (/markers/.test(t.mode || "")) { markers(ctx, xa, ya, t); return; }
      var xlog = xa.type === "log", ylog = ya.type === "log", line = t.line || {};
      var w = line.width || 2, n = Math.min(t.x.length, t.y.length), open = false;
      ctx.save();
      ctx.beginPath();
      ctx.rect(xa.offset, ya.offset, xa.length, ya.length);
      ctx.clip();
      ctx.beginPath();
      for (var i = 0; i < n; i++) {
        var x = t.x[i], y = t.y[i];
        if (xlog) x = x > 0 ? Math.log10(x) : NaN;
        if (ylog) y = y > 0 ? Math.log10(y) : NaN;
        if (x !== x || y !== y) { open = false; continue; }        // a gap, as plotly leaves one
        var px = xa.toPx(x), py = ya.toPx(y);
        if (open) ctx.lineTo(px, py); else { ctx.moveTo(px, py); open = true; }
      }
      ctx.strokeStyle = line.color;
      ctx.lineWidth = w;
      ctx.lineJoin = "round";
      var d = DASHES[line.dash], u = Math.max(w, 3);
      ctx.setLineDash(d ? [d[0] * u, d[1] * u] : []);
      ctx.stroke();
      ctx.restore();
    });
  }

  function markers(ctx, xa, ya, t) {
    var m = t.marker || {}, r = (m.size || 6) / 2, n = Math.min(t.x.length, t.y.length);
    ctx.save();
    ctx.beginPath();
    ctx.rect(xa.offset - r, ya.offset - r, xa.length + 2 * r, ya.length + 2 * r);
    ctx.clip();
    for (var i = 0; i < n; i++) {
      var x = t.x[i], y = t.y[i];
      if (xa.type === "log") x = x > 0 ? Math.log10(x) : NaN;
      if (ya.type === "log") y = y > 0 ? Math.log10(y) : NaN;
      if (x !== x || y !== y) continue;
      var px = xa.toPx(x), py = ya.toPx(y);
      ctx.beginPath();
      if (m.symbol === "diamond") {
        ctx.moveTo(px, py - r); ctx.lineTo(px + r, py); ctx.lineTo(px, py + r); ctx.lineTo(px - r, py); ctx.closePath();
      } else {
        ctx.arc(px, py, r, 0, 2 * Math.PI);
      }
      ctx.fillStyle = m.color;
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = "white";
      ctx.stroke();
      if (t.text && t.text[i]) {
        var font = t.textfont || {};
        ctx.font = (font.size || 12) + "px " + (font.family || "sans-serif");
        ctx.fillStyle = font.color || m.color;
        ctx.textAlign = "center";
        ctx.textBaseline = "bottom";
        ctx.fillText(t.text[i], px, py - r - 2);
      }
    }
    ctx.restore();
  }

  root.BPCurveLines = { wanted: wanted, covers: covers, range: range, emptied: emptied, stroke: stroke,
                        nice125: nice125 };
})(typeof window !== "undefined" ? window : this);
