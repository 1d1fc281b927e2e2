// Pinned runs (args.pins): every pinned run side by side, drawn as the Compare grid's cells are.
// The message (explorer/live/pins_setup.py) brings each pin's final weights, history, data and
// badge; nothing trains, so there is no socket. gridcells.js paints each boundary from the
// weights (forward.js + paint.js) and writes the captions; gridcurves.js draws every pin's loss in
// one chart (hover a line: it names its pin; hover a pin: its line stands out). Here: the DOM,
// the layout, and each pin's Remove, which goes to the page as the component's value
// {remove: uid, n} (live.js sendValue: only while no script runs).
(function (root) {
  "use strict";

  var C = null, S = null, box = null, id = null, args = {}, removes = 0;
  var stats = window.__pins = { builds: 0, painted: [], errors: 0, names: [] };

  function el(tag, cls, parent, text) { return root.LiveCore.el(tag, cls, parent, text); }

  function render(a) {
    C = root.LiveCore;
    args = a;
    var m = a.message || {};
    if (m.id !== id) {
      id = m.id;
      try { build(m); } catch (err) { stats.errors++; stats.lastError = String(err); console.error(err); }
    }
    if (S) layout();
  }

  function build(m) {
    stats.builds++;
    if (S && S.tip) S.tip.remove();
    S = { metric: "accuracy", problem: "classification", shape: { rows: [""], cols: m.pins.map(function (p) { return p.name; }) },
          badges: m.badges, diverged: m.badges.indexOf("diverged"), rule: m.rule, badgeColors: m.badge_colors,
          styles: m.styles, figure: m.figure,
          view: m.view || {}, colors: m.colors, pal: root.BPPaint.palette(m.colors), paint: m.paint, fwd: {},
          hot: -1, labels: m.labels };
    S.data = m.data.map(function (d) {
      return Object.assign({}, d, { px: new Float32Array(C.b64bytes(d.points).buffer),
                                    labels: d.labels ? C.b64bytes(d.labels) : null });
    });
    S.nets = m.pins.map(function (p, i) {
      return { name: p.name, uid: p.uid, cell: i, sizes: p.sizes, activations: p.activations, data: p.data,
               problem: p.problem, metric: p.metric, weights: new Float64Array(C.b64bytes(p.weights).buffer),
               epoch: p.epoch, badge: p.badge, score: p.score === null ? NaN : p.score,
               cost: p.cost === null ? NaN : p.cost, xs: p.history.epoch.slice(),
               ys: p.history.cost.map(function (v) { return v === null ? NaN : v; }) };
    });
    S.cells = S.nets.map(function (n, i) { return { name: n.name, row: 0, col: i, nets: [i], shown: i }; });
    if (!box) {
      box = el("div", "pins", document.body);
      box.id = "cmp";                                  // grid.css styles the cells and the overlay
      document.getElementById("grid").style.display = "none";
    }
    box.innerHTML = "";
    box.classList.toggle("big", !!S.view.big);
    S.body = el("div", "gbody", box);
    S.cellsEl = el("div", "gcells", S.body);
    var wrap = el("div", "gcurves", S.body), div = el("div", "", wrap);
    div.setAttribute("role", "img");
    div.setAttribute("aria-label", "Training loss of every pinned run; its score under each pin");
    S.hooks = { open: remove, hover: hover };
    root.BPGridCells.build(S, S.cellsEl, S.hooks);
    S.cellEls.forEach(function (e, d) {              // the corner button removes the pin here
      var b = e.root.querySelector(".gopen");
      b.textContent = "Remove ✕";
      b.title = "Remove this pinned run";
      b.setAttribute("aria-label", "Remove " + S.cells[d].name);
      e.canvas.setAttribute("aria-label", "Decision boundary of pinned run " + S.cells[d].name);
    });
    root.BPGridCurves.setup(S, div);
    stats.names = S.cells.map(function (c) { return c.name; });
  }

  function remove(d) {
    removes++;
    C.sendValue({ remove: S.nets[S.cells[d].shown].uid, n: removes });
  }

  function hover(d) {
    if (!S || S.hot === d) return;
    S.hot = d;
    root.BPGridCells.highlight(S, d);
    root.BPGridCurves.stroke(S);
  }

  // Each pin's boundary and caption, with its own problem and metric (they may differ between pins).
  function paint(d) {
    var n = S.nets[S.cells[d].shown];
    S.problem = n.problem;
    S.metric = n.metric;
    root.BPGridCells.paint(S, d);
    root.BPGridCells.caption(S, d);
  }

  function layout() {
    var W = document.body.clientWidth || window.innerWidth, H = Math.max(240, (args.height | 0) || 420);
    var font = S.view.big ? 18 : 14, n = S.cells.length;
    var L = root.BPGridLayout.choose({ W: W, room: H, n: n, rows: 1, cols: n, capH: Math.ceil(2 * font * 1.3) + 10,
                                       gap: 10 });
    S.body.classList.toggle("stack", !L.side);
    S.cellsEl.style.gridTemplateColumns = "repeat(" + L.c + ", " + (L.s + 8) + "px)";
    S.cellsEl.classList.add("flow");
    S.flow = true;
    root.BPGridCells.size(S, L.s);
    S.cells.forEach(function (_, d) { if (S.cellEls[d].dirty) paint(d); });   // a new size or new pins
    S.curveDiv.style.width = L.ow + "px";
    S.curveDiv.style.height = L.oh + "px";
    S.curveSize = [L.ow, L.oh];
    root.BPGridCurves.draw(S).then(function () {
      var h = Math.ceil(box.getBoundingClientRect().height);
      if (h !== S.frameHeight) { S.frameHeight = h; C.send("streamlit:setFrameHeight", { height: h }); }
      stats.painted = S.nets.map(function (x) { return x.painted | 0; });
      stats.drawn = (stats.drawn | 0) + 1;
    }).catch(function (err) { stats.errors++; stats.lastError = String(err); });
  }

  window.addEventListener("resize", function () { if (S && args.pins) layout(); });
  root.BPPinsView = { render: render, state: function () { return S; } };
})(typeof window !== "undefined" ? window : this);
