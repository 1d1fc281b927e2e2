// The Compare grid's overlay: every cell's training loss in one chart. Plotly draws the axes
// (the setup's static figure, ranged by curvelines.js's rules and redrawn only when a line
// leaves them); the lines are stroked on a canvas over the plot (plotlyseam.js), every frame,
// as the live curves are while training runs. A cell over k seeds is its median line in a
// min-max band. Hovering a line names its cell (the nearest line within a few px under the
// pointer) and lights the cell up; hovering a cell thickens its line (hooks.hover).
//
// Curves live here, per network: points from the setup's history, then one per frame (the
// frame's latest cost at the network's epoch), thinned by half when MAX_POINTS is reached.
(function (root) {
  "use strict";

  var MAX_POINTS = 600, NEAR_PX = 10;

  function add(n, epoch, cost) {
    var xs = n.xs, last = xs.length ? xs[xs.length - 1] : -1;
    if (!(epoch > last) || epoch < 1) return;
    xs.push(epoch);
    n.ys.push(cost === cost ? cost : NaN);
    if (xs.length > MAX_POINTS) {                  // every other point, the first and the last kept
      n.xs = xs.filter(function (_, i) { return i % 2 === 0 || i === xs.length - 1; });
      n.ys = n.ys.filter(function (_, i) { return i % 2 === 0 || i === xs.length - 1; });
    }
  }

  // A shown cell's line: the median of its networks' curves (point by point), and min and max.
  function line(S, cell) {
    var nets = cell.nets.map(function (i) { return S.nets[i]; });
    var len = Math.min.apply(null, nets.map(function (n) { return n.xs.length; }));
    var x = nets[0].xs.slice(nets[0].xs.length - len), y = [], lo = [], hi = [];
    for (var k = 0; k < len; k++) {
      var vals = nets.map(function (n) { return n.ys[n.ys.length - len + k]; });
      y.push(nets.length === 1 ? vals[0] : root.BPGridCells.median(vals));
      lo.push(Math.min.apply(null, vals));
      hi.push(Math.max.apply(null, vals));
    }
    return { x: x, y: y, lo: lo, hi: hi };
  }

  function setup(S, div) {
    S.curveDiv = div;
    S.curveAxes = {};
    S.overlayCanvas = null;
    var fig = S.figure;
    fig.layout.uirevision = "grid";
    div.onmousemove = function (ev) { hoverAt(S, ev); };
    div.onmouseleave = function () { S.hooks.hover(-1, true); tip(S, null); };
  }

  // Draw the overlay: ranges first (a plotly redraw only when a line left them), then the lines.
  async function draw(S) {
    var div = S.curveDiv, fig = S.figure, lines = S.cells.map(function (c) { return line(S, c); });
    S.lines = lines;
    // The loss axis stops at 1.5 × the highest first-epoch loss: a cell that oscillates or blows up
    // leaves the chart at the top instead of squashing every other line to the bottom.
    var cap = 0, traces = [];
    lines.forEach(function (l) { if (l.y.length && l.hi[0] === l.hi[0]) cap = Math.max(cap, 1.5 * l.hi[0]); });
    lines.forEach(function (l) {
      function clip(a) { return cap > 0 ? a.map(function (v) { return v > cap ? cap : v; }) : a; }
      if (l.x.length) traces.push({ x: l.x, y: clip(l.hi) }, { x: l.x, y: clip(l.lo) });
    });
    var w = S.curveSize || [div.clientWidth, div.clientHeight];
    var sized = fig.layout.width !== w[0] || fig.layout.height !== w[1];
    var ranged = root.BPCurveLines.range(fig.layout, traces, S.curveAxes);
    if (ranged || sized || !root.BPPlotly.drawn(div)) {
      fig.layout.width = w[0];
      fig.layout.height = w[1];
      fig.layout.autosize = false;
      await Plotly.react(div, fig.data, fig.layout, { displaylogo: false, responsive: false, staticPlot: false,
                                                      modeBarButtonsToRemove: ["select2d", "lasso2d"] });
    }
    stroke(S);
  }

  function stroke(S) {
    var div = S.curveDiv, ov = root.BPPlotly.overlay(div, S.overlayCanvas);
    if (!ov) return;
    S.overlayCanvas = ov.canvas;
    var xa = root.BPPlotly.axis(div, "xaxis"), ya = root.BPPlotly.axis(div, "yaxis"), ctx = ov.ctx;
    if (!xa || !ya || !S.lines) return;
    var ylog = ya.type === "log", big = S.view && S.view.big;
    function px(x) { return xa.toPx(Math.log10(x)); }
    function py(y) { return ya.toPx(ylog ? (y > 0 ? Math.log10(y) : NaN) : y); }
    ctx.save();
    ctx.beginPath();
    ctx.rect(xa.offset, ya.offset, xa.length, ya.length);
    ctx.clip();
    S.lines.forEach(function (l, d) {
      var st = S.styles[d], hot = S.hot === d, dim = S.hot >= 0 && !hot;
      if (!l.x.length) return;
      if (S.cells[d].nets.length > 1) {                       // the band: min to max of its seeds
        ctx.beginPath();
        for (var k = 0; k < l.x.length; k++) ctx.lineTo(px(l.x[k]), py(l.hi[k]));
        for (k = l.x.length - 1; k >= 0; k--) ctx.lineTo(px(l.x[k]), py(l.lo[k]));
        ctx.closePath();
        ctx.globalAlpha = dim ? 0.06 : 0.18;
        ctx.fillStyle = st.color;
        ctx.fill();
      }
      ctx.beginPath();
      var open = false;
      for (k = 0; k < l.x.length; k++) {
        var X = px(l.x[k]), Y = py(l.y[k]);
        if (Y !== Y || X !== X) { open = false; continue; }
        if (open) ctx.lineTo(X, Y); else { ctx.moveTo(X, Y); open = true; }
      }
      ctx.globalAlpha = dim ? 0.3 : 1;
      ctx.strokeStyle = st.color;
      ctx.lineWidth = (big ? 3 : 2) * (hot ? 2 : 1);
      ctx.setLineDash(st.dash);
      ctx.stroke();
    });
    ctx.restore();
  }

  // The line nearest the pointer (within NEAR_PX), named in a tip; its cell lights up.
  function hoverAt(S, ev) {
    var div = S.curveDiv, xa = root.BPPlotly.axis(div, "xaxis"), ya = root.BPPlotly.axis(div, "yaxis");
    if (!xa || !ya || !S.lines) return;
    var r = div.getBoundingClientRect(), mx = ev.clientX - r.left, my = ev.clientY - r.top;
    var epoch = Math.pow(10, xa.fromPx(mx)), best = -1, bestD = NEAR_PX, ylog = ya.type === "log";
    S.lines.forEach(function (l, d) {
      var k = 0;
      while (k < l.x.length && l.x[k] < epoch) k++;
      if (k === 0 || k >= l.x.length) return;
      var t = (epoch - l.x[k - 1]) / (l.x[k] - l.x[k - 1]), y = l.y[k - 1] + t * (l.y[k] - l.y[k - 1]);
      var Y = ya.toPx(ylog ? Math.log10(y) : y), dist = Math.abs(Y - my);
      if (dist < bestD) { bestD = dist; best = d; }
    });
    S.hooks.hover(best, true);
    tip(S, best < 0 ? null : { text: S.cells[best].name + " · epoch " + Math.round(epoch).toLocaleString("en-US"),
                                x: mx, y: my });
  }

  function tip(S, t) {
    var box = S.tip;
    if (!box) {
      box = S.tip = document.createElement("div");
      box.className = "gtip";
      S.curveDiv.parentNode.appendChild(box);
    }
    box.style.display = t ? "" : "none";
    if (!t) return;
    box.textContent = t.text;
    box.style.left = (S.curveDiv.offsetLeft + t.x + 12) + "px";
    box.style.top = (S.curveDiv.offsetTop + t.y - 28) + "px";
  }

  root.BPGridCurves = { add: add, line: line, setup: setup, draw: draw, stroke: stroke, MAX_POINTS: MAX_POINTS };
})(typeof window !== "undefined" ? window : this);
