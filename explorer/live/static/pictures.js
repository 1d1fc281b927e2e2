// The live pictures painted from the weights: the decision surface (a canvas under the boundary
// figure's plot), the network's tiles and edges (a canvas over the network figure's plot area), the
// hidden space, and hover: off while training runs, on when paused (the network's invisible
// markers then carry each weight and bias, from the setup's hover templates). Also Draw's
// clicks on the boundary's plane. S is view.js's state; env is view.js's
// {C: LiveCore, live, react(name), state(), drawing()}.
(function (root) {
  "use strict";

  var P = function () { return root.BPPlotly; };

  // A setup's figures, before their first draw, with the picture of its weights (S.acts): the
  // surface, hover as the run is (off while running), the curves' and hidden space's lines.
  function firstPicture(S, env) {
    surfaceLayout(S);
    paintSurface(S, env, true);
    S.hover = !S.running;
    S.names.forEach(function (name) { hoverMode(S, name, S.running); });
    S.figures.curves.data = root.BPCurves.traces(S);       // plotly's lines (on a canvas once it runs)
    if (S.hidden) S.figures.hidden.data = root.BPHidden.traces(S);
  }

  // The surface painted into a G×G canvas that lies under the boundary plot's SVG, stretched
  // by CSS over the rectangle of the figure's layout image and clipped to the plot area
  // (placeSurface): a frame repaints 100×100 pixels, and the browser scales them while it
  // composites. (As the layout image's source, a PNG a frame was encoded and decoded and the
  // plot's SVG repainted with all its points: a learner alone at max got ~37 frames a second
  // here, 55 with the surface not painted at all.) figureOnly: the canvas only (before the
  // first draw).
  function paintSurface(S, env, figureOnly) {
    var t = performance.now(), s = S.surface;
    root.BPPaint.surface(S.acts[S.L], S.K, S.fwd.gx, S.fwd.gy, S.problem, !!S.view.discretize, S.paint.surface_strength,
                         s.image.data, S.pal);
    s.ctx.putImageData(s.image, 0, 0);
    if (!figureOnly) placeSurface(S, env);
    env.live.figMs.boundary = performance.now() - t;
  }

  // The figure's own image stays in its layout (its place on the axes), hidden; its paper and
  // plot background colours go to the cell and to the clip box, the plot's own become
  // transparent, so the canvas shows through. Called per frame and after every plotly redraw
  // (zoom, pan, resize); the box and the canvas move only when the axes did.
  function surfaceLayout(S) {
    var lay = S.figures.boundary.layout;
    if (lay.images && lay.images[0]) lay.images[0].visible = false;
    S.surfaceBg = [lay.paper_bgcolor || "", lay.plot_bgcolor || ""];
    lay.paper_bgcolor = lay.plot_bgcolor = "rgba(0,0,0,0)";
  }
  function placeSurface(S, env) {
    var div = env.C.cells.boundary, img = S.figures.boundary.layout.images[0];
    var xa = P().axis(div, "xaxis"), ya = P().axis(div, "yaxis");
    if (!xa || !ya || !img) return;
    var box = div._bpSurface, cv = S.surface.canvas;
    if (!box) {                                  // one per cell; each setup puts its canvas in it
      box = div._bpSurface = document.createElement("div");
      box.className = "underlay";
      box.style.cssText = "position: absolute; overflow: hidden; pointer-events: none";
      div.on("plotly_afterplot", function () {
        var now = env.state();
        if (now && div === env.C.cells.boundary) placeSurface(now, env);
      });
    }
    if (box.firstChild !== cv) {
      cv.style.cssText = "position: absolute; will-change: transform";      // (its own compositing layer)
      box.replaceChildren(cv);
      S.surfaceAt = null;
    }
    if (!P().underlay(div, box)) return;
    var x0 = xa.toPx(img.x), x1 = xa.toPx(img.x + img.sizex), y0 = ya.toPx(img.y), y1 = ya.toPx(img.y - img.sizey);
    var at = [xa.offset, ya.offset, xa.length, ya.length, x0, y0, x1 - x0, y1 - y0].map(Math.round).join();
    if (at === S.surfaceAt) return;
    S.surfaceAt = at;
    div.style.background = S.surfaceBg[0];
    box.style.background = S.surfaceBg[1];
    px(box.style, xa.offset, ya.offset, xa.length, ya.length);
    px(cv.style, x0 - xa.offset, y0 - ya.offset, x1 - x0, y1 - y0);
  }
  function px(style, left, top, width, height) {
    style.left = left + "px"; style.top = top + "px"; style.width = width + "px"; style.height = height + "px";
  }

  // The network figure keeps its labels; the tiles and edges are a canvas over its plot area,
  // redrawn per frame and after every plotly redraw (zoom, pan, resize).
  function paintNetwork(S, env) {
    var t = performance.now(), m = S.tiles, div = env.C.cells.network;
    root.BPPaint.mosaic(S.acts, S.sizes, S.paint.squash, S.fwd.gx, S.stride, S.geo, m.image.data, S.pal);
    m.ctx.putImageData(m.image, 0, 0);
    if (div && !div._bpOverlayHooked && P().drawn(div)) {
      div._bpOverlayHooked = true;
      div.on("plotly_afterplot", function () {
        var now = env.state();
        if (now && div === env.C.cells.network) drawOverlay(now, env);
      });
    }
    drawOverlay(S, env);
    env.live.figMs.network = performance.now() - t;
  }

  function drawOverlay(S, env) {
    var div = env.C.cells.network, xa = P().axis(div, "xaxis"), ya = P().axis(div, "yaxis");
    if (!xa || !ya || !S.weights) return;
    var o = P().overlay(div, S.overlay);
    if (!o) return;
    S.overlay = o.canvas;
    var ctx = o.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(xa.offset, ya.offset, xa.length, ya.length);
    ctx.clip();
    root.BPPaint.drawDiagram(ctx, S.geo, S.sizes, S.weights, S.tiles.canvas, xa.toPx, ya.toPx, S.pal, S.paint.edges);
    ctx.restore();
  }

  // The network's hover markers for the current weights (the setup's templates, meta.hover
  // "weights" then "units"), or none: on = paused.
  function hoverTraces(S, on) {
    if (!on || !S.weights) return [];
    var geo = S.geo, sizes = S.sizes, half = geo.k / 2, F = S.formats.weight, labels = S.labels;
    var w = { x: [], y: [], text: [] }, u = { x: [], y: [], text: [] }, off = 0;
    for (var c = 0; c < sizes.length; c++) {
      var Pc = c ? sizes[c - 1] : 0;
      for (var n = 0; n < sizes[c]; n++) {
        var cen = geo.centers[c][n];
        u.x.push(cen[0]); u.y.push(cen[1]);
        u.text.push(labels.units[c][n] + (c ? "<br>" + labels.bias + " = " + root.BPControls.fmt(
          S.weights[off + n * (Pc + 1) + Pc], F) : ""));
      }
      if (c === 0) continue;
      for (var j = 0; j < sizes[c]; j++) for (var i = 0; i < Pc && w.text.length < S.paint.hover_weights; i++) {
        var s = geo.centers[c - 1][i], d = geo.centers[c][j];
        w.x.push((s[0] + half + d[0] - half) / 2); w.y.push((s[1] + d[1]) / 2);
        w.text.push(labels.weight.replace("{l}", c).replace("{j}", j + 1).replace("{i}", i + 1) + " = " +
                    root.BPControls.fmt(S.weights[off + j * (Pc + 1) + i], F));
      }
      off += sizes[c] * (Pc + 1);
    }
    return S.hoverTemplates.map(function (t) { return Object.assign({}, t, t.meta.hover === "units" ? u : w); });
  }

  // The figures' hover follows the run: off while it trains, on when paused (S.hover: as drawn).
  function syncHover(S, env) {
    if (S && S.hover === S.running) hoverFor(S, env, S.running);
  }

  function hoverFor(S, env, running) {
    S.hover = !running;
    S.names.forEach(function (name) {
      var div = env.C.cells[name], fig = S.figures[name];
      if (!P().drawn(div)) return;
      hoverMode(S, name, running);
      if (name !== "curves") return env.react(name);
      S.dirtyCurves = true;                           // curvesview.js: canvas or plotly's lines
      if (!running && !env.drawing()) root.BPCurvesView.draw(S, env);
    });
  }
  // One figure's hover, in its figure (drawn with the next react).
  function hoverMode(S, name, running) {
    var fig = S.figures[name];
    if (running) fig.layout.hovermode = false;
    else delete fig.layout.hovermode;
    if (name === "network") fig.data = hoverTraces(S, !running);
  }

  // The hidden-space view (a hidden layer of exactly 2 units): hidden.js.
  async function drawHidden(S, env) {
    var t = performance.now();
    S.dirtyHidden = false;
    S.hiddenAt = t;
    if (!S.hidden || !S.acts) return;
    S.figures.hidden.data = root.BPHidden.traces(S);
    await env.react("hidden");
    env.live.figMs.hidden = performance.now() - t;
  }

  // Draw: with draw() true a click anywhere on the boundary's plane (empty space included, which
  // plotly's own click events miss) is reported as report([x1, x2]); the plane shows a crosshair.
  function clicks(div, draw, report) {
    if (!div) return;
    div.classList.toggle("drawing", !!draw());
    if (div._bpClick) return;
    div._bpClick = true;
    div.addEventListener("click", function (ev) {
      var xa = P().axis(div, "xaxis"), ya = P().axis(div, "yaxis");
      if (!draw() || !xa || !ya) return;
      var box = div.getBoundingClientRect(), px = ev.clientX - box.left, py = ev.clientY - box.top;
      if (px < xa.offset || py < ya.offset || px > xa.offset + xa.length || py > ya.offset + ya.length) return;
      report([xa.fromPx(px), ya.fromPx(py)]);
    });
  }

  root.BPPictures = { firstPicture: firstPicture, paintSurface: paintSurface, paintNetwork: paintNetwork, hoverTraces: hoverTraces,
                      syncHover: syncHover, hoverMode: hoverMode, drawHidden: drawHidden, clicks: clicks };
})(typeof window !== "undefined" ? window : this);
