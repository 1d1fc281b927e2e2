// The metrics cell (instruments.js computes, this draws): for a classification, a confusion
// matrix per split (training, test), as counts or row-normalised (a toggle), with each split's
// accuracy and each class's precision and recall; every cell is a button that rings its points
// on the boundary. For a regression, R² and RMSE per split and a predicted-against-true scatter
// on a canvas. Built once per setup (build), its numbers and colours set by update.
(function (root) {
  "use strict";

  function el(tag, cls, parent, text) { return root.LiveCore.el(tag, cls, parent, text); }
  var SPLITS = { train: "Training", test: "Test" };
  var MODES = [["counts", "Counts"], ["rows", "Row-normalised"]];

  // The cell's content; hooks: {select(split, i, j), mode(name)}. Returns the view's elements.
  function build(cell, S, I, hooks) {
    cell.replaceChildren();
    var box = el("div", "inst metrics" + (S.view.big ? " big" : ""), cell);
    cell.setAttribute("role", "region");
    cell.setAttribute("aria-label", "Metrics");
    var head = el("div", "inst-head", box);
    el("span", "inst-title", head, "Metrics");
    var v = { box: box, blocks: [] };
    if (!I.classify) return buildRegression(box, S, I, v, hooks);
    var seg = el("span", "seg", head);
    v.modes = MODES.map(function (m) {
      var b = el("button", "", seg, m[1]);
      b.type = "button";
      b.onclick = function () { hooks.mode(m[0]); };
      b.dataset.mode = m[0];
      return b;
    });
    var body = el("div", "inst-body", box), k = I.classes, colors = S.pal.classes;
    I.splits.forEach(function (s) {
      if (s.hi <= s.lo) return;
      var blk = { split: s, cells: [], prec: [], rec: [] }, sec = el("section", "cm-block", body);
      blk.title = el("div", "cm-title", sec);
      var t = el("table", "cm", sec);
      el("caption", "sr-only", t, SPLITS[s.name] + " points: rows are the true class, columns the predicted class");
      var hr = el("tr", "", el("thead", "", t));
      var corner = el("th", "corner", hr);
      el("div", "", corner, "predicted →");
      el("div", "", corner, "true ↓");
      for (var j = 0; j < k; j++) swatch(el("th", "", hr), j, colors);
      var tb = el("tbody", "", t);
      for (var i = 0; i < k; i++) {
        var tr = el("tr", "", tb);
        swatch(el("th", "", tr), i, colors);
        for (j = 0; j < k; j++) {
          var b = el("button", "cm-cell" + (i === j ? " diag" : ""), el("td", "", tr));
          b.type = "button";
          b.onclick = (function (i, j) { return function () { hooks.select(s.name, i, j); }; })(i, j);
          blk.cells.push(b);
        }
      }
      var pr = el("table", "pr", sec), rp = el("tr", "", pr), rr = el("tr", "", pr);
      el("th", "", rp, "precision");
      el("th", "", rr, "recall");
      for (j = 0; j < k; j++) { blk.prec.push(el("td", "", rp)); blk.rec.push(el("td", "", rr)); }
      v.blocks.push(blk);
    });
    v.note = el("div", "inst-note", box);
    return v;
  }

  function swatch(th, k, colors) {
    var c = colors[k % colors.length];
    el("span", "sw", th).style.background = "rgb(" + c.join(",") + ")";
    th.appendChild(document.createTextNode(String(k)));
  }

  function buildRegression(box, S, I, v, hooks) {
    var lines = el("div", "inst-body reg", box);
    I.splits.forEach(function (s) { if (s.hi > s.lo) v.blocks.push({ split: s, line: el("div", "reg-line", lines) }); });
    v.canvas = el("canvas", "scatter", box);
    v.canvas.setAttribute("role", "img");
    v.canvas.setAttribute("aria-label", "Predicted against true value of each point; the line is predicted = true");
    v.font = parseFloat(getComputedStyle(box).fontSize) || 14;
    hooks.observe(v.canvas);
    el("div", "inst-note", box, "Training points filled, test points as rings; on the line the prediction is right.");
    return v;
  }

  function fmt(x, spec) { return root.BPControls.fmt(x, spec); }

  // Numbers and colours from I.metrics (one result per split, as I.splits).
  function update(S, I) {
    var v = I.views.metrics;
    if (!v || !I.metrics) return;
    if (!I.classify) return updateRegression(S, I, v);
    var k = I.classes, rows = I.mode === "rows", F = S.formats, pos = S.pal.pos, neg = S.pal.neg, sel = I.selected;
    v.modes.forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.mode === I.mode)); });
    v.blocks.forEach(function (blk) {
      var m = I.metrics[I.splits.indexOf(blk.split)], share = root.BPMetrics.normalised(m), name = blk.split.name;
      text(blk.title, SPLITS[name] + " · " + m.n.toLocaleString("en-US") + " points · " + S.labels.metric + " " +
           fmt(m.accuracy, F.score));
      for (var c = 0; c < k * k; c++) {
        var b = blk.cells[c], i = Math.floor(c / k), j = c % k, a = share[c], rgb = i === j ? pos : neg;
        text(b, rows ? share[c].toFixed(2) : String(m.C[c]));
        var bg = "rgba(" + rgb.join(",") + "," + (0.08 + 0.8 * a).toFixed(3) + ")";
        if (b.style.background !== bg) { b.style.background = bg; b.style.color = a > 0.55 ? "white" : ""; }
        var on = !!sel && sel.split === name && sel.i === i && sel.j === j;
        b.classList.toggle("selected", on);
        b.setAttribute("aria-pressed", String(on));
        b.setAttribute("aria-label", m.C[c] + " points of class " + i + " predicted " + j);
      }
      for (var j2 = 0; j2 < k; j2++) { text(blk.prec[j2], fmt(m.precision[j2], F.score)); text(blk.rec[j2], fmt(m.recall[j2], F.score)); }
    });
    text(v.note, sel ? "Ringed on the boundary: " + I.ringed + " " + SPLITS[sel.split].toLowerCase() + " points of class " +
         sel.i + " predicted " + sel.j + ", as training goes on. Click the cell again to clear."
         : "Click a cell to ring its points on the boundary.");
  }

  function text(e, s) { if (e.textContent !== s) e.textContent = s; }

  function updateRegression(S, I, v) {
    var F = S.formats;
    v.blocks.forEach(function (blk) {
      var m = I.metrics[I.splits.indexOf(blk.split)];
      text(blk.line, SPLITS[blk.split.name] + " (" + m.n.toLocaleString("en-US") + " points): " + S.labels.metric + " " +
           fmt(m.r2, F.score) + " · RMSE " + fmt(m.rmse, F.cost));
    });
    scatter(S, I, v.canvas, v.font);
  }

  // Predicted (y) against true (x) on the targets' range, the line y = x; predictions outside
  // the range sit on its edge.
  function scatter(S, I, cv, font) {
    var dpr = window.devicePixelRatio || 1, size = cv._bpSize || [0, 0], w = size[0], h = size[1];
    if (w < 20 || h < 20) return;
    if (cv.width !== Math.round(w * dpr) || cv.height !== Math.round(h * dpr)) {
      cv.width = Math.round(w * dpr);
      cv.height = Math.round(h * dpr);
    }
    var ctx = cv.getContext("2d"), t = I.truth, lo = Infinity, hi = -Infinity, n;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    for (n = 0; n < I.N; n++) { if (t[n] < lo) lo = t[n]; if (t[n] > hi) hi = t[n]; }
    if (!(hi > lo)) { lo -= 1; hi += 1; }
    var pad = 0.05 * (hi - lo);
    lo -= pad; hi += pad;
    var left = 2.6 * font, bottom = h - 1.6 * font;
    var side = Math.min(w - left - 8, bottom - 6), right = left + side, top = bottom - side;
    var X = function (x) { return left + (x - lo) / (hi - lo) * side; };
    var Y = function (y) { return bottom - (Math.min(hi, Math.max(lo, y)) - lo) / (hi - lo) * side; };
    ctx.strokeStyle = "#888";
    ctx.lineWidth = 1;
    ctx.strokeRect(left, top, side, side);
    ctx.beginPath();
    ctx.moveTo(left, bottom);
    ctx.lineTo(right, top);
    ctx.stroke();
    ctx.fillStyle = "#333";
    ctx.font = font + "px sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    [lo + pad, hi - pad].forEach(function (v) { ctx.fillText(v.toFixed(2), X(v), bottom + 2); });
    ctx.fillText("true", left + side / 2, bottom + 2);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    [lo + pad, hi - pad].forEach(function (v) { ctx.fillText(v.toFixed(2), left - 3, Y(v)); });
    ctx.save();
    ctx.translate(left - 3, top + side / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText("predicted", 0, 0);
    ctx.restore();
    var r = S.view.big ? 4 : 2.5, out = I.out;
    I.splits.forEach(function (s, k) {
      ctx.beginPath();
      for (n = s.lo; n < s.hi; n++) {
        var x = X(t[n]), y = Y(out[n]);
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, 2 * Math.PI);
      }
      if (k === 0) { ctx.fillStyle = S.pal.posHex; ctx.fill(); }
      else { ctx.strokeStyle = S.pal.negHex; ctx.lineWidth = 1.5; ctx.stroke(); }
    });
  }

  root.BPMetricsView = { build: build, update: update };
})(typeof window !== "undefined" ? window : this);
