// The histograms cell (instruments.js computes with histograms.js, this draws): one row per
// layer, the histogram of its weights W and, for a hidden layer, of its activations a over the
// training points, each a small bar chart on a canvas with its range under it; beside the
// layer's name, the share of saturated values (outside the registry's range, shaded on the
// chart) and of dead units. Built once per setup (build), drawn by update.
(function (root) {
  "use strict";

  function el(tag, cls, parent, text) { return root.LiveCore.el(tag, cls, parent, text); }
  var SAT_SHADE = "rgba(214,39,40,0.12)";

  function build(cell, S, I, hooks) {
    cell.replaceChildren();
    cell.setAttribute("role", "region");
    cell.setAttribute("aria-label", "Histograms of the weights and activations per layer");
    var box = el("div", "inst hist" + (S.view.big ? " big" : ""), cell), head = el("div", "inst-head", box);
    el("span", "inst-title", head, "Histograms");
    el("span", "inst-sub", head, "W per layer · a over the " + I.ntrain.toLocaleString("en-US") + " training points");
    var body = el("div", "hist-body", box), v = { box: box, rows: [] };
    I.layers.forEach(function (layer, l) {
      var row = el("div", "hist-row", body), name = el("div", "hist-name", row), title = el("span", "hist-title", name);
      el("span", "sw", title).style.background = S.pal.layers[l % S.pal.layers.length];
      title.appendChild(document.createTextNode(layer.name + " · " + layer.label));
      var shares = el("span", "hist-info", name), panels = el("div", "hist-panels", row);
      var hidden = l < I.layers.length - 1, W = panel(panels, "W", l + 1, hooks);
      v.rows.push({ W: W, a: hidden ? panel(panels, "a", l + 1, hooks) : null, shares: shares });
      if (!hidden) el("div", "hist-panel", panels);       // (the output's a is the boundary itself)
    });
    return v;
  }

  function panel(parent, sym, l, hooks) {
    var p = el("figure", "hist-panel", parent), cap = el("figcaption", "", p);
    el("span", "sym", cap, sym + sup(l));
    var info = el("span", "hist-info", cap), cv = el("canvas", "", p), range = el("div", "hist-range", p);
    cv.setAttribute("role", "img");
    hooks.observe(cv);
    return { cv: cv, info: info, lo: el("span", "", range), hi: el("span", "", range), sym: sym, l: l };
  }

  // "(l)" in superscript characters (full-size text: every label stays as large as the cell's).
  var SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹";
  function sup(l) { return "⁽" + String(l).replace(/\d/g, function (d) { return SUP[+d]; }) + "⁾"; }

  function update(S, I) {
    var v = I.views.histograms;
    if (!v || !I.hist) return;
    I.hist.forEach(function (h, k) {
      var row = v.rows[k], color = S.pal.layers[k % S.pal.layers.length];
      draw(row.W, h.W, color, null);
      text(row.W.info, h.W.size.toLocaleString("en-US") + " weights");
      if (!row.a) return;
      var range = I.layers[k].saturated_outside, a = h.a, parts = [];
      if (a.saturated !== null) parts.push("saturated " + pct(a.saturated));
      parts.push("dead " + a.deadUnits + " of " + S.sizes[k + 1] + (S.sizes[k + 1] === 1 ? " unit" : " units"));
      if (!I.ntrain) parts = ["no training points yet"];
      text(row.shares, parts.join(" · "));
      row.shares.classList.toggle("warn", a.saturated > 0.5 || a.deadUnits > 0);
      text(row.a.info, a.size.toLocaleString("en-US") + " values");
      draw(row.a, a, color, range);
    });
  }

  function pct(x) { return x === x ? (100 * x).toFixed(x > 0 && x < 0.1 ? 1 : 0) + " %" : "–"; }
  function text(e, s) { if (e.textContent !== s) e.textContent = s; }
  // An edge as text, with enough digits to tell lo from hi (span: hi − lo).
  function num(x, span) {
    var digits = Math.min(6, Math.max(2, Math.ceil(-Math.log10(span)) + 2));
    return Math.abs(x) >= 1000 ? x.toExponential(2) : x.toFixed(digits);
  }

  // One histogram {edges, counts} as bars filling the canvas (heights relative to the largest
  // count); range: a saturation range [lo, hi] whose outside is shaded, or null.
  function draw(p, h, color, range) {
    var cv = p.cv, dpr = window.devicePixelRatio || 1, size = cv._bpSize || [0, 0], w = size[0], hh = size[1];
    var e = h.edges, c = h.counts, bins = c.length, lo = e[0], hi = e[bins];
    text(p.lo, num(lo, hi - lo));
    text(p.hi, num(hi, hi - lo));
    var desc = p.sym + "(" + p.l + "): " + h.size + " values from " + p.lo.textContent + " to " + p.hi.textContent;
    if (cv.getAttribute("aria-label") !== desc) cv.setAttribute("aria-label", desc);
    if (w < 4 || hh < 4) return;
    if (cv.width !== Math.round(w * dpr) || cv.height !== Math.round(hh * dpr)) {
      cv.width = Math.round(w * dpr);
      cv.height = Math.round(hh * dpr);
    }
    var ctx = cv.getContext("2d"), X = function (x) { return (x - lo) / (hi - lo) * w; }, top = 0, i;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, hh);
    if (range) {
      ctx.fillStyle = SAT_SHADE;
      if (range[0] > lo) ctx.fillRect(0, 0, Math.min(w, X(range[0])), hh);
      if (range[1] < hi) { var x1 = Math.max(0, X(range[1])); ctx.fillRect(x1, 0, w - x1, hh); }
    }
    for (i = 0; i < bins; i++) if (c[i] > top) top = c[i];
    ctx.fillStyle = color;
    var bw = w / bins;
    for (i = 0; i < bins; i++) {
      if (!c[i]) continue;
      var bh = Math.max(1, c[i] / top * (hh - 2));
      ctx.fillRect(i * bw + 0.5, hh - bh, Math.max(1, bw - 1), bh);
    }
    if (lo < 0 && hi > 0) {                 // zero
      ctx.fillStyle = "rgba(0,0,0,0.45)";
      ctx.fillRect(Math.round(X(0)) - 0.5, 0, 1, hh);
    }
  }

  root.BPHistView = { build: build, update: update };
})(typeof window !== "undefined" ? window : this);
