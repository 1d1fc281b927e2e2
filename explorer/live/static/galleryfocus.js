// "Show this one": one student's network full screen on the projector. The gallery's frame
// covers the projector page's window (the join code and the task come back with the gallery), and
// shows the decision boundary over the live view's grid (100 × 100, the setup's paint.grid), the
// network as the live view draws it (paint.js: each unit's tile over the plane, edges by weight),
// the curves (loss; training and test score against epoch, from the line the projector keeps:
// galleryclass.js) and the setup as a link for discussion. Each frame repaints them from the
// student's latest weights; the forward pass runs once a frame for the boundary and the tiles.
(function (root) {
  "use strict";

  var FONT = 18, GAP = 16;
  var F = null, saved = null;
  var el = function (tag, cls, parent, text) { return root.LiveCore.el(tag, cls, parent, text); };

  // The gallery's frame over the projector page's whole window, or back in its place.
  function fullScreen(on) {
    var fe = null;
    try { fe = window.frameElement; } catch (err) { fe = null; }
    if (!fe) return;
    if (on && fe.style.position !== "fixed") {          // (again if the page drew the frame anew)
      if (saved === null) saved = fe.style.cssText;
      fe.style.cssText = saved + ";position:fixed;left:0;top:0;width:100vw;height:100vh;z-index:999990;" +
                         "background:white;border:0";
    } else if (!on && saved !== null) {
      fe.style.cssText = saved;
      saved = null;
    }
  }

  function canvasOf(parent, label) {
    var c = el("canvas", "", parent);
    c.setAttribute("role", "img");
    c.setAttribute("aria-label", label);
    return c;
  }

  function size(c, w, h) {
    var dpr = window.devicePixelRatio || 1;
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
    c.style.width = w + "px";
    c.style.height = h + "px";
  }

  // The setup's link, on the explorer's own page (never a class key: room_seats.setup_link).
  function setupHref(setup) {
    var base = "";
    try { base = window.parent.location.origin + window.parent.location.pathname; } catch (err) { base = "/"; }
    return base + "?" + setup;
  }

  function describe(n) {
    var parts = [n.sizes[0] + " inputs"];
    for (var l = 1; l < n.sizes.length; l++) parts.push(n.sizes[l] + " " + n.activations[l - 1]);
    return parts.join(" → ");
  }

  // Build the view of student S.focus into box, W × H px: a head (name, numbers, link), the boundary
  // on the left, the network and the curves on the right.
  function layout(S, box, W, H) {
    fullScreen(true);
    var d = S.focus, n = S.nets[d];
    box.innerHTML = "";
    var head = el("div", "gfhead", box);
    el("h2", "", head, n.name);
    var nums = el("span", "gnum", head);
    var link = null;
    if (S.focusSetup) {
      link = el("a", "gsetup", head, "Open this setup ↗");
      link.href = setupHref(S.focusSetup);
      link.target = "_blank";
      link.rel = "noopener";
      link.title = "?" + S.focusSetup;
    }
    var row = el("div", "gfrow", box);
    var headH = head.getBoundingClientRect().height + 10;
    var h = Math.max(200, H - headH), b = Math.max(200, Math.min(h, Math.round(W * 0.5)));
    var rw = Math.max(240, W - b - GAP), nh = Math.round((h - GAP) * 0.5), ch = h - GAP - nh;
    var boundary = canvasOf(row, "Decision boundary of " + n.name + "'s network");
    var right = el("div", "gfright", row);
    right.style.width = rw + "px";
    var network = canvasOf(right, n.name + "'s network: each unit's output over the plane, edges by weight");
    var curves = el("div", "gfcurves", right);
    var side = rw >= 2 * 260 + GAP;                       // the two curves side by side, or one above the other
    var cw = side ? Math.floor((rw - GAP) / 2) : rw, chh = side ? ch : Math.floor((ch - GAP) / 2);
    var loss = canvasOf(curves, n.name + "'s training loss by epoch");
    var score = canvasOf(curves, n.name + "'s training and test score by epoch");
    curves.style.flexDirection = side ? "row" : "column";
    size(boundary, b, b);
    size(network, rw, nh);
    F = { d: d, n: n, nums: nums, link: link, boundary: boundary, network: network, loss: loss, score: score,
          b: b, rw: rw, nh: nh, cw: cw, chh: chh, key: null, painted: { boundary: 0, network: 0, curves: 0 } };
    frame(S);
    return F;
  }

  // The student's forward pass over the focus grid, made again when their network's shape changes.
  function forward(S, n) {
    var g = S.data[n.data], G = S.paint.grid || 100;
    var key = n.data + "|" + n.sizes.join(",") + "|" + n.activations.join(",");
    if (F.key !== key) {
      F.key = key;
      F.fwd = root.BPForward.create({ sizes: n.sizes, activations: n.activations, features: g.features,
                                      grid: { x: [g.grid.x[0], g.grid.x[1], G], y: [g.grid.y[0], g.grid.y[1], G] },
                                      mean: g.mean, scale: g.scale });
      F.img = new ImageData(F.fwd.gx, F.fwd.gy);
      F.small = document.createElement("canvas");
      F.small.width = F.fwd.gx;
      F.small.height = F.fwd.gy;
      F.geo = root.BPPaint.diagram(n.sizes, Math.floor(F.fwd.gx / (S.paint.tile_stride || 5)));
      F.tiles = document.createElement("canvas");
      F.tiles.width = F.geo.W;
      F.tiles.height = F.geo.H;
      F.tileImg = F.tiles.getContext("2d").createImageData(F.geo.W, F.geo.H);
      F.points = null;
    }
    return F.fwd;
  }

  function paintBoundary(S, n, acts) {
    var f = F.fwd, K = n.sizes[n.sizes.length - 1], ctx = F.boundary.getContext("2d"), W = F.boundary.width;
    root.BPPaint.surface(acts[acts.length - 1], K, f.gx, f.gy, n.problem, false, S.paint.surface_strength, F.img.data,
                         S.pal);
    F.small.getContext("2d").putImageData(F.img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(F.small, 0, 0, W, W);
    if (!F.points) F.points = pointsLayer(S, n.data, W);
    ctx.drawImage(F.points, 0, 0, W, W);
    F.painted.boundary++;
  }

  // The data's training points over the boundary, drawn once a size (as the thumbnails' are).
  function pointsLayer(S, g, W) {
    var d = S.data[g], c = document.createElement("canvas"), x = d.grid.x, y = d.grid.y;
    c.width = c.height = W;
    var ctx = c.getContext("2d"), r = Math.max(3, W / 110);
    ctx.lineWidth = Math.max(1, 0.35 * r);
    ctx.strokeStyle = "white";
    for (var i = 0; i < d.px.length / 2; i++) {
      ctx.beginPath();
      var cx = (d.px[2 * i] - x[0]) / (x[1] - x[0]) * W, cy = (1 - (d.px[2 * i + 1] - y[0]) / (y[1] - y[0])) * W;
      ctx.arc(cx, cy, r, 0, 2 * Math.PI);
      ctx.fillStyle = d.labels ? S.colors.classes[d.labels[i] % S.colors.classes.length] : "#555";
      ctx.fill();
      ctx.stroke();
    }
    return c;
  }

  // The network: the tiles (each unit's output over the plane) and the edges, scaled into the
  // canvas, with each column's name below it.
  function paintNetwork(S, n, acts) {
    var geo = F.geo, shape = S.shapes[n.shape] || {}, dpr = window.devicePixelRatio || 1;
    root.BPPaint.mosaic(acts, n.sizes, shape.squash || [], F.fwd.gx, S.paint.tile_stride || 5, geo, F.tileImg.data,
                        S.pal);
    F.tiles.getContext("2d").putImageData(F.tileImg, 0, 0);
    var ctx = F.network.getContext("2d"), w = F.rw, h = F.nh, labelH = FONT * 1.6;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    var k = Math.min((w - 20) / geo.W, (h - labelH - 10) / geo.H), ox = (w - geo.W * k) / 2, oy = 6;
    root.BPPaint.drawDiagram(ctx, geo, n.sizes, n.weights, F.tiles, function (x) { return ox + x * k; },
                             function (y) { return oy - y * k; }, S.pal, S.paint.edges);
    ctx.font = FONT + "px " + root.BPPlot.FAMILY;
    ctx.fillStyle = root.BPPlot.ink();
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    var L = n.sizes.length - 1;
    for (var c = 0; c <= L; c++) {
      var name = c === 0 ? "input" : c === L ? "output" : "layer " + c;
      ctx.fillText(name, ox + (geo.pos[c][0][1] + geo.k / 2) * k, oy + geo.H * k + 6);
    }
    F.painted.network++;
  }

  // The curves: the training loss, and the training (solid) and test (dotted) score, by epoch.
  function paintCurves(S, n, sid) {
    var l = root.BPClassChart.line(sid), pts = l ? root.BPClassLines.points(l) : [];
    var col = function (i) {
      return pts.map(function (p) { return [Math.log10(Math.max(p[0], 1)), p[i] === null ? NaN : p[i]]; });
    };
    var xmin = pts.length ? pts[0][0] : 1, xmax = pts.length ? pts[pts.length - 1][0] : 1;
    var cls = n.problem === "classification";
    var top = 0;
    pts.forEach(function (p) { if (p[3] > top && p[3] !== Infinity) top = p[3]; });
    top = top > 0 ? root.BPCurveLines.nice125(1.1 * top) : 1;
    root.BPPlot.draw(F.loss, F.cw, F.chh, { title: "Training loss", font: FONT, xmin: xmin, xmax: xmax, y: [0, top],
      yticks: [0, top / 2, top], yfmt: function (v) { return +v.toPrecision(2) + ""; },
      series: [{ pts: col(3), color: S.colors.positive, width: 3 }] });
    var name = cls ? "accuracy" : "R²", y = cls ? [0, 1] : [-1, 1];
    root.BPPlot.draw(F.score, F.cw, F.chh, {
      title: name.charAt(0).toUpperCase() + name.slice(1) + ": training solid, test dotted", font: FONT,
      xmin: xmin, xmax: xmax, y: y, yticks: cls ? [0, 0.25, 0.5, 0.75, 1] : [-1, 0, 1],
      yfmt: cls ? function (v) { return Math.round(100 * v) + " %"; } : function (v) { return v.toFixed(1); },
      series: [{ pts: col(1), color: S.colors.positive, width: 3 },
               { pts: col(2), color: S.colors.negative, width: 3, dash: true }] });
    F.painted.curves++;
  }

  // Repaint the shown student's pictures and numbers from their latest state.
  function frame(S) {
    if (!F || S.focus !== F.d || !S.nets[F.d]) return;
    var n = S.nets[F.d], sid = (S.ids || [])[F.d], s = root.BPGalleryBoard.score(S, n);
    F.nums.textContent = s.text + " " + s.what + " · epoch " + n.epoch.toLocaleString("en-US") +
      (n.sizes ? " · " + describe(n) + " · " + n.nWeights + " weights" : "") + (n.stopped ? " · stopped" : "");
    if (n.weights && n.sizes && n.data >= 0) {
      var acts = forward(S, n).run(n.weights);
      paintBoundary(S, n, acts);
      paintNetwork(S, n, acts);
    }
    paintCurves(S, n, sid);
  }

  function leave() { F = null; fullScreen(false); }

  root.BPGalleryFocus = { layout: layout, frame: frame, leave: leave,
                          painted: function () { return F ? Object.assign({}, F.painted) : null; } };
})(typeof window !== "undefined" ? window : this);
