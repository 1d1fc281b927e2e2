// The Compare grid's cells: a small decision boundary each, its epoch, its accuracy and its
// badge. Each thumbnail is drawn from the weights with the live view's own functions:
// forward.js evaluates the network over a coarse grid of the plane (the setup's, 48 × 48) and
// paint.js colours it (the same surface as the live boundary); the training points are drawn
// once per size and laid over it. Networks of one shape and data share one forward instance.
//
// S (gridview.js): nets[i] {sizes, activations, data, weights, epoch, cost, score, badge, cell},
// cells[d] {name, nets: [i, ...], shown: the network whose boundary shows (its first seed)}.
(function (root) {
  "use strict";

  function el(tag, cls, parent, text) { return root.LiveCore.el(tag, cls, parent, text); }

  // The cells' DOM, one per shown cell, in reading order; hooks.open(d), hooks.hover(d or -1). A grid
  // of two axes is a matrix: axis 1's values head the columns, axis 2's the rows, and a cell's
  // caption leaves its name out (it stays in its tooltip and the overlay's).
  function build(S, box, hooks) {
    box.innerHTML = "";
    var matrix = S.shape.rows.length > 1, cols = S.shape.cols.length;
    S.matrix = matrix;
    if (matrix) {
      el("div", "ghead", box);
      S.shape.cols.forEach(function (name) { el("div", "ghead", box, name); });
    }
    S.cellEls = S.cells.map(function (cell, d) {
      if (matrix && d % cols === 0) el("div", "grow", box, S.shape.rows[cell.row]);
      var root_ = el("div", "gcell", box);
      root_.dataset.cell = String(d);
      var canvas = el("canvas", "thumb", root_);
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", "Decision boundary of " + cell.name);
      var open = el("button", "gopen", root_, "Open ↗");          // over the thumbnail's top right corner
      open.title = "Open this cell in the Live view, with its exact setup (the grid pauses)";
      open.setAttribute("aria-label", "Open " + cell.name + " in the Live view");
      open.onclick = function () { hooks.open(d); };
      // line 1: its name (in a matrix: its score, the headers name it) and its badge; line 2: the rest
      var head = el("div", "gline", root_);
      var name = el("span", "gname", head, matrix ? "" : cell.name);
      name.title = root_.title = cell.name;
      var badge = el("b", "gbadge", head);
      var nums = el("div", "gnums", root_);
      root_.onmouseenter = function () { hooks.hover(d); };
      root_.onmouseleave = function () { hooks.hover(-1); };
      return { root: root_, canvas: canvas, ctx: canvas.getContext("2d"), badge: badge, nums: nums, name: name, px: 0,
               numsText: "", badgeCode: -1 };
    });
  }

  function forwardFor(S, n) {
    var key = n.data + "|" + n.sizes.join(",") + "|" + n.activations.join(",");
    var f = S.fwd[key];
    if (!f) {
      var d = S.data[n.data];
      f = S.fwd[key] = root.BPForward.create({ sizes: n.sizes, activations: n.activations, features: d.features,
                                               grid: d.grid, mean: d.mean, scale: d.scale });
    }
    return f;
  }

  // The data's training points at ``px`` CSS px (device pixels: ``dpr``), drawn once.
  function pointsLayer(S, g, px, dpr) {
    var d = S.data[g], key = px + "@" + dpr;
    d.layers = d.layers || {};
    if (d.layers[key]) return d.layers[key];
    var c = document.createElement("canvas");
    c.width = c.height = Math.round(px * dpr);
    var ctx = c.getContext("2d"), x = d.grid.x, y = d.grid.y, W = c.width, r = Math.max(1.3, px / 110) * dpr;
    ctx.lineWidth = Math.max(0.6, 0.35 * r);
    ctx.strokeStyle = "white";
    for (var i = 0; i < d.px.length / 2; i++) {
      var cx = (d.px[2 * i] - x[0]) / (x[1] - x[0]) * W, cy = (1 - (d.px[2 * i + 1] - y[0]) / (y[1] - y[0])) * W;
      ctx.beginPath();
      ctx.arc(cx, cy, r, 0, 2 * Math.PI);
      ctx.fillStyle = d.labels ? S.colors.classes[d.labels[i] % S.colors.classes.length] : "#555";
      ctx.fill();
      ctx.stroke();
    }
    d.layers[key] = c;
    return c;
  }

  // Size every thumbnail to ``px`` CSS px (square).
  function size(S, px) {
    var dpr = window.devicePixelRatio || 1;
    S.cellEls.forEach(function (e) {
      e.root.style.width = px + "px";
      if (e.px === px) return;
      e.px = px;
      e.canvas.style.width = e.canvas.style.height = px + "px";
      e.canvas.width = e.canvas.height = Math.round(px * dpr);
      e.dirty = true;
    });
  }

  // Paint shown cell d's boundary from its network's current weights.
  function paint(S, d) {
    var e = S.cellEls[d], n = S.nets[S.cells[d].shown];
    if (!e || !e.px || !n.weights) return;
    var f = forwardFor(S, n), acts = f.run(n.weights), K = n.sizes[n.sizes.length - 1];
    var img = S.img || (S.img = new ImageData(f.gx, f.gy));
    if (img.width !== f.gx || img.height !== f.gy) img = S.img = new ImageData(f.gx, f.gy);
    root.BPPaint.surface(acts[acts.length - 1], K, f.gx, f.gy, S.problem, false, S.paint.surface_strength,
                         img.data, S.pal);
    var small = S.small || (S.small = document.createElement("canvas"));
    small.width = f.gx;
    small.height = f.gy;
    small.getContext("2d").putImageData(img, 0, 0);
    var dpr = window.devicePixelRatio || 1, W = e.canvas.width;
    e.ctx.imageSmoothingEnabled = true;
    e.ctx.drawImage(small, 0, 0, W, W);
    e.ctx.drawImage(pointsLayer(S, n.data, e.px, dpr), 0, 0, W, W);
    e.dirty = false;
    n.painted = (n.painted | 0) + 1;
  }

  function pct(v, metric) {
    if (!(v === v)) return "–";
    return metric === "accuracy" ? (100 * v).toFixed(2) + " %" : v.toFixed(3);
  }

  function median(a) {
    var s = a.slice().sort(function (x, y) { return x - y; }), m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  // Shown cell d's caption: epoch, score (median and range over its seeds), badge.
  function caption(S, d) {
    var e = S.cellEls[d], cell = S.cells[d], first = S.nets[cell.shown];
    var scores = cell.nets.map(function (i) { return S.nets[i].score; }).filter(function (v) { return v === v; });
    // the score first (the status line says which: training or test), then the epoch
    var text;
    if (!scores.length) text = "–";
    else if (cell.nets.length === 1) text = pct(scores[0], S.metric);
    else {
      text = pct(median(scores), S.metric) + " (" + pct(Math.min.apply(null, scores), S.metric).replace(" %", "") +
             "–" + pct(Math.max.apply(null, scores), S.metric) + ")";
    }
    var epoch = "epoch " + first.epoch.toLocaleString("en-US");
    e.nums.title = (cell.nets.length > 1 ? "median (range) of " + cell.nets.length + " seeds' " : "") + S.labels.score;
    if (S.matrix && !S.flow) {                                 // the score beside the badge, the epoch below
      if (text !== e.numsText) { e.name.textContent = text; e.numsText = text; }
      if (epoch !== e.epochText) { e.nums.textContent = epoch; e.epochText = epoch; }
    } else {
      text += " · " + epoch;
      if (text !== e.numsText) { e.nums.textContent = text; e.numsText = text; }
    }
    var code = first.badge;                                     // the first seed's; any diverged seed says so
    cell.nets.forEach(function (i) { if (S.nets[i].badge === S.diverged) code = S.diverged; });
    if (code !== e.badgeCode) {
      e.badgeCode = code;
      e.badge.textContent = S.badges[code];
      e.badge.style.background = S.badgeColors[code];
      e.badge.title = S.badges[code] + ": " + S.rule[S.badges[code]];
    }
  }

  function highlight(S, d) {
    S.cellEls.forEach(function (e, k) { e.root.classList.toggle("hot", k === d); });
  }

  root.BPGridCells = { build: build, size: size, paint: paint, caption: caption, highlight: highlight,
                       median: median, pct: pct };
})(typeof window !== "undefined" ? window : this);
