// A small line chart on a canvas against the epoch on a log axis, for the projector: the class
// chart (galleryclass.js) and "Show this one"'s curves (galleryfocus.js). Epochs run from the
// decade at or below the first one shown (``xmin``: a projector opened late starts its lines
// there) to the next 1-2-5 value past the largest (curvelines.js's rule, as the live curves'
// axes), with a tick at each decade; the value axis is the caller's. Text at ``font`` px.
//
//   BPPlot.draw(canvas, width, height, {title (a line, or lines), font, xmin, xmax, y: [lo, hi], yticks, yfmt,
//               series: [{pts: [[log10 epoch, value], ...], color, width, alpha, dash}]})
//   draws into canvas at width × height CSS px (device pixels underneath); NaN values leave gaps.
(function (root) {
  "use strict";

  var FAMILY = "'Source Sans Pro', Inter, 'Segoe UI', Helvetica, Arial, sans-serif";
  // The ink, grid and frame colours are gallery.css's (--plot-ink, --plot-grid, --plot-frame).
  function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }

  function epochText(e) {
    return e >= 1e6 ? e / 1e6 + "M" : e >= 1e3 ? e / 1e3 + "k" : String(e);
  }

  function sized(canvas, w, h) {
    var dpr = window.devicePixelRatio || 1, W = Math.round(w * dpr), H = Math.round(h * dpr);
    if (canvas.width !== W || canvas.height !== H) { canvas.width = W; canvas.height = H; }
    canvas.style.width = w + "px";
    canvas.style.height = h + "px";
    var ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    return ctx;
  }

  function draw(canvas, w, h, spec) {
    var ctx = sized(canvas, w, h), f = spec.font || 18, lo = spec.y[0], hi = spec.y[1];
    ctx.font = f + "px " + FAMILY;
    ctx.textBaseline = "middle";
    var labels = spec.yticks.map(spec.yfmt);
    var left = Math.ceil(Math.max.apply(null, labels.map(function (t) { return ctx.measureText(t).width; }))) + 10;
    var titles = spec.title ? [].concat(spec.title) : [];
    var top = titles.length ? Math.round(f * (0.5 + 1.25 * titles.length)) : Math.round(f * 0.6);
    var bottom = Math.round(f * 1.5), right = Math.round(f * 0.9);
    var pw = Math.max(10, w - left - right), ph = Math.max(10, h - top - bottom);
    var X1 = Math.max(1, Math.log10(root.BPCurveLines.nice125(Math.max(spec.xmax || 1, 10))));
    var X0 = Math.max(0, Math.min(X1 - 1, Math.floor(Math.log10(Math.max(spec.xmin || 1, 1)) + 1e-9)));
    var fx = function (x) { return left + pw * (x - X0) / (X1 - X0); };
    var fy = function (y) { return top + ph * (1 - (y - lo) / (hi - lo)); };
    ctx.lineWidth = 1;
    ctx.strokeStyle = css("--plot-grid");
    ctx.fillStyle = css("--plot-ink");
    ctx.textAlign = "right";
    spec.yticks.forEach(function (v, i) {
      var y = Math.round(fy(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + pw, y); ctx.stroke();
      ctx.fillText(labels[i], left - 6, y);
    });
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (var d = X0; d <= Math.floor(X1 + 1e-9); d++) {
      var x = Math.round(fx(d)) + 0.5;
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + ph); ctx.stroke();
      ctx.fillText(epochText(Math.pow(10, d)), Math.min(Math.max(x, left + f), left + pw - f), top + ph + 4);
    }
    ctx.textAlign = "left";
    titles.forEach(function (t, i) { ctx.fillText(t, 0, 2 + i * Math.round(f * 1.25)); });
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top - 2, pw, ph + 4);
    ctx.clip();
    ctx.lineJoin = "round";
    spec.series.forEach(function (s) {
      ctx.beginPath();
      var open = false;
      s.pts.forEach(function (p) {
        if (!(p[1] === p[1])) { open = false; return; }
        var px = fx(p[0]), py = fy(Math.min(hi, Math.max(lo, p[1])));
        if (open) ctx.lineTo(px, py); else { ctx.moveTo(px, py); open = true; }
      });
      ctx.globalAlpha = s.alpha === undefined ? 1 : s.alpha;
      ctx.strokeStyle = s.color;
      ctx.lineWidth = s.width || 2;
      ctx.setLineDash(s.dash ? [Math.max(s.width || 2, 3), Math.max(s.width || 2, 3)] : []);
      ctx.stroke();
    });
    ctx.restore();
    ctx.strokeStyle = css("--plot-frame");
    ctx.strokeRect(left + 0.5, top + 0.5, pw, ph);
    return { left: left, top: top, width: pw, height: ph, fx: fx, fy: fy };
  }

  root.BPPlot = { draw: draw, epochText: epochText, FAMILY: FAMILY, ink: function () { return css("--plot-ink"); } };
})(typeof window !== "undefined" ? window : this);
