// The projector's gallery (args.gallery): every student's decision boundary, live, with their
// nickname, epoch and score; beside them the class chart (galleryclass.js: everyone's score
// against epoch, the median bold) above the leaderboard; or one student's network full screen
// ("Show this one": galleryfocus.js; these and their helpers load on the projector only: parts()).
// Fed by its own socket (channel.js: the live channel's route, hello and acks; the projector's
// session reads the class with the projector key and drives nothing). The setup
// (explorer/live/channel/gallery_session.py) brings the students, their networks' shapes, the
// data and every latest state; each binary frame (gallerywire.js) the states published since
// and the leaderboard. The boundaries are painted as the Compare grid's cells are
// (gridcells.js: forward.js runs each network over the plane, paint.js colours it); the words
// are galleryboard.js's. 30 students fit 1920×1080 (thumbnails of 120 px or more); more than
// fit at 120 px are shown a page at a time, turning every PAGE_S seconds.
(function (root) {
  "use strict";

  var PAGE_S = 10, MIN_THUMB = 120, FONT = 16;      // FONT: the captions' (gallery.css)
  var C = null, ch = null, token = null, args = {}, S = null, box = null, frame = null, drawing = false;
  var stats = window.__gallery = { setups: 0, frames: 0, renders: 0, bytes: 0, errors: 0, painted: [], epochs: [],
                                   names: [], chart: null, chartMs: [], focusParts: null, drawMs: [] };
  var B = function () { return root.BPGalleryBoard; };

  // The projector's own parts, loaded by the projector only (index.html, which every learner's page
  // loads, lists the gallery's entry points; these are not parsed on the students' pages).
  var PARTS = ["galleryhistory.js", "galleryplot.js", "galleryclass.js", "galleryfocus.js"], loaded = null;
  function parts() {
    if (!loaded) {
      loaded = Promise.all(PARTS.map(function (src) {
        return new Promise(function (ok, fail) {
          var s = document.createElement("script");
          s.src = src;
          s.async = false;                        // (run in this order)
          s.onload = ok;
          s.onerror = function () { fail(new Error(src + " did not load")); };
          document.head.appendChild(s);
        });
      }));
    }
    return loaded;
  }

  function render(a) {
    C = root.LiveCore;
    args = a;
    parts().then(function () { start(args); }, function (err) { onError(String(err)); });
  }

  function start(a) {
    if (a.token !== token) {
      if (ch) ch.close();
      token = a.token;
      ch = root.BPChannel.open({ route: a.ws_path || "/live/ws", token: token,
        decode: function (buf) { stats.bytes += buf.byteLength; return root.BPGalleryWire.decode(buf, S && S.counts); },
        onSetup: onSetup, onStatus: function () {}, onFrame: onFrame, onState: onState, onError: onError });
    }
    if (S) layout();
  }

  var state = "connecting";
  function onState(s) {
    state = s;
    stats.channel = s;
    if (S) drawTop();
  }
  function onError(text) { stats.errors++; stats.lastError = text; console.error("gallery:", text); }

  function onSetup(msg) {
    stats.setups++;
    var old = S;
    S = { problem: "classification", colors: msg.colors, pal: root.BPPaint.palette(msg.colors), paint: msg.paint,
          fwd: {}, goal: msg.goal, goalText: msg.goal_text, qualify: msg.qualify, code: msg.code, closed: msg.closed,
          message: msg.message, focus: msg.focus, focusSetup: msg.focus_setup, order: msg.order, page: 0,
          pageT: C.now(), shapes: msg.shapes, ids: msg.ids || [] };
    root.BPClassChart.setup(msg.code, S.ids);
    S.data = msg.data.map(function (d) {
      return Object.assign({}, d, { px: new Float32Array(C.b64bytes(d.points).buffer),
                                    labels: d.labels ? C.b64bytes(d.labels) : null });
    });
    if (S.data.length) S.problem = S.data[0].problem;
    S.counts = msg.shapes.map(function (s) { return s.n_weights; });
    S.nets = msg.students.map(function (name, d) {
      return { name: name, weights: null, epoch: 0, score: NaN, test: NaN, cost: NaN, sizes: null, data: 0, d: d };
    });
    S.cells = S.nets.map(function (n, d) { return { shown: d, nets: [d] }; });
    msg.thumbs.forEach(function (t) {
      var w = C.b64bytes(t.weights), f16 = new Uint16Array(w.buffer, w.byteOffset, w.byteLength >> 1);
      var weights = new Float32Array(f16.length);
      for (var i = 0; i < f16.length; i++) weights[i] = root.BPGridWire.half(f16[i]);
      apply(t, weights);
    });
    build();
    layout();
    report();
  }

  // A student's new state (a setup's thumb or a frame's record) on their network.
  function apply(r, weights) {
    var n = S.nets[r.student], shape = S.shapes[r.shape];
    if (!n || !shape) return;
    n.sizes = shape.sizes;
    n.activations = shape.activations;
    n.shape = r.shape;
    n.nWeights = r.n_weights !== undefined ? r.n_weights : shape.n_weights;
    n.data = shape.data;
    n.problem = shape.data >= 0 ? S.data[shape.data].problem : S.problem;
    n.weights = shape.data >= 0 ? weights : null;
    n.epoch = r.epoch;
    n.running = r.running;
    n.stopped = r.stopped;
    n.score = r.score === null ? NaN : r.score;
    n.test = r.test === null ? NaN : r.test;
    n.cost = r.cost === null ? NaN : r.cost;
    n.dirty = true;
    root.BPClassChart.note(S.ids[r.student], r);       // the student's line (the class chart, the curves)
  }

  function build() {
    if (!box) {
      box = B().el("div", "", document.body);
      box.id = "gal";
      document.getElementById("grid").style.display = "none";
    }
    box.innerHTML = "";
    S.topEl = B().el("div", "gtop", box);
    S.body = B().el("div", "gbody", box);
    S.cellsEl = B().el("div", "gcells", S.body);
    S.focusEl = B().el("div", "gfocus", S.body);
    S.sideEl = B().el("div", "gside", S.body);
    S.chartEl = B().el("canvas", "gchart", S.sideEl);
    S.chartEl.setAttribute("role", "img");
    S.boardEl = B().el("div", "gboard", S.sideEl);
    S.cellEls = S.nets.map(function (n, d) {
      var r = B().el("div", "gcell", null), canvas = B().el("canvas", "thumb", r);
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", "Decision boundary of " + n.name + "'s network");
      return { root: r, canvas: canvas, ctx: canvas.getContext("2d"), name: B().el("div", "gname", r),
               nums: B().el("div", "gnums", r), px: 0 };
    });
  }

  function drawTop() {
    if (!S.topEl) return;
    var n = S.nets.length;
    var line = state === "reconnecting" ? "The live connection dropped; reconnecting…" :
      state === "expired" ? "The live connection ended: reload the page." : S.message || (S.closed ? "This class is closed." : "");
    S.topEl.textContent = "";
    B().el("b", "", S.topEl, n + " student" + (n === 1 ? "" : "s"));
    B().el("span", "", S.topEl, "Goal: " + (S.goalText || "–"));
    if (S.pages > 1) B().el("span", "gpage", S.topEl, "page " + (S.page + 1) + " of " + S.pages);
    B().el("span", "gnotice", S.topEl, line);
  }

  // The room the page leaves this frame: the projector's window below the frame's top.
  function room() { return Math.max(320, C.room((args.height | 0) || 700)); }

  // The thumbnails' size and columns that fill the room best, the leaderboard beside them (below on
  // a narrow frame); more students than fit at MIN_THUMB go a page at a time.
  function fit(W, H, n, capH) {
    var side = W >= 900, bw = side ? Math.round(Math.max(320, Math.min(540, W * 0.3))) : W;
    var cw = side ? W - bw - 16 : W, ch = side ? H : H - 300, best = { c: 1, s: 0, per: n };
    for (var c = 1; c <= Math.max(1, n); c++) {
      var r = Math.ceil(n / c), s = Math.floor(Math.min((cw - (c - 1) * 10) / c - 8, (ch - r * (capH + 10)) / r));
      if (s > best.s) best = { c: c, s: s, per: n };
    }
    if (best.s < MIN_THUMB && n > 1) {            // a page at a time, each thumbnail MIN_THUMB px or more
      var cols = Math.max(1, Math.floor((cw + 10) / (MIN_THUMB + 18))), rows = Math.max(1, Math.floor(ch / (MIN_THUMB + capH + 10)));
      best = { c: cols, s: MIN_THUMB, per: cols * rows };
    }
    best.side = side;
    best.bw = bw;
    return best;
  }

  function layout() {
    if (!S || !S.body) return;
    var focused = S.focus >= 0 && !!S.nets[S.focus];
    S.cellsEl.style.display = S.sideEl.style.display = S.topEl.style.display = focused ? "none" : "";
    S.focusEl.style.display = focused ? "" : "none";
    if (focused) {                                  // one student's network, over the whole window
      root.BPGalleryFocus.layout(S, S.focusEl, (document.body.clientWidth || window.innerWidth) - 48, room() - 24);
      frameHeight();
      return;
    }
    root.BPGalleryFocus.leave();
    var W = document.body.clientWidth || window.innerWidth, H = room() - S.body.offsetTop;
    var capH = Math.ceil(2 * FONT * 1.3) + 8, n = S.nets.length;
    var L = S.layout = fit(W, H, n, capH);
    S.pages = Math.max(1, Math.ceil(n / Math.max(1, L.per)));
    S.page = Math.min(S.page, S.pages - 1);
    S.body.classList.toggle("stack", !L.side);
    S.sideEl.style.width = L.bw + "px";
    S.chartH = L.side ? Math.round(Math.max(180, Math.min(380, H * 0.45))) : 300;
    S.cellsEl.style.gridTemplateColumns = "repeat(" + L.c + ", " + (L.s + 8) + "px)";
    S.cellsEl.innerHTML = "";
    S.cellEls.slice(S.page * L.per, S.page * L.per + L.per).forEach(function (e) { S.cellsEl.appendChild(e.root); });
    root.BPGridCells.size(S, L.s);
    S.nets.forEach(function (_, d) {
      if (S.cellEls[d].dirty && S.cellEls[d].root.isConnected) root.BPGridCells.paint(S, d);
    });
    S.nets.forEach(function (_, d) { B().caption(S, d); });
    drawChart();
    B().board(S, S.boardEl, boardRoom());
    drawTop();
    frameHeight();
  }

  // What the leaderboard has below the chart (beside the thumbnails), or on its own (below them).
  function boardRoom() {
    return S.body.classList.contains("stack") ? 300 : room() - S.body.offsetTop - S.chartH - 12;
  }

  function drawChart() {
    if (!S.layout) return;
    stats.chart = root.BPClassChart.draw(S.chartEl, S.layout.bw, S.chartH, S);
    stats.chartMs.push(stats.chart.ms);
    if (stats.chartMs.length > 500) stats.chartMs.splice(0, 100);
  }

  function frameHeight() {
    var height = Math.ceil(box.getBoundingClientRect().height);
    if (height !== S.frameHeight) { S.frameHeight = height; C.send("streamlit:setFrameHeight", { height: height }); }
  }

  function onFrame(f) {
    stats.frames++;
    if (!S) { if (ch) ch.ack(f.seq); return; }
    f.records.forEach(function (r, j) { apply(r, f.weights[j]); });     // (each its student's line too)
    S.order = f.order;
    S.closed = f.closed;
    frame = f;
    if (!drawing) pump();
  }

  async function pump() {
    drawing = true;
    while (frame) {
      var f = frame;
      frame = null;
      try { await draw(f); } catch (err) { onError(String(err && err.stack || err)); }
    }
    drawing = false;
  }

  async function draw(f) {
    var t0 = performance.now(), focused = S.focus >= 0 && !!S.nets[S.focus];
    if (!focused && S.pages > 1 && C.now() - S.pageT > PAGE_S * 1000) {      // the next page of students
      S.page = (S.page + 1) % S.pages;
      S.pageT = C.now();
      layout();
    }
    S.nets.forEach(function (n, d) {
      if (!n.dirty) return;
      n.dirty = false;
      if (!focused && S.cellEls[d].root.isConnected) root.BPGridCells.paint(S, d);
      else S.cellEls[d].dirty = true;
      B().caption(S, d);
    });
    if (focused) root.BPGalleryFocus.frame(S);
    else {
      drawChart();
      B().board(S, S.boardEl, boardRoom());
    }
    root.BPClassChart.save(C.now());
    drawTop();
    stats.drawMs.push(performance.now() - t0);
    if (stats.drawMs.length > 500) stats.drawMs.splice(0, 100);
    if (ch) ch.ack(f.seq);
    await C.nextFrame();
    stats.renders++;
    report();
  }

  function report() {
    stats.epochs = S.nets.map(function (n) { return n.epoch; });
    stats.painted = S.nets.map(function (n) { return n.painted | 0; });
    stats.names = S.nets.map(function (n) { return n.name; });
    stats.focus = S.focus;
    stats.focusParts = root.BPGalleryFocus.painted();
    stats.order = S.order.slice();
    stats.t = C.now();
  }

  window.addEventListener("resize", function () { if (S) layout(); });
  root.BPGallery = { render: render, state: function () { return S; } };
})(typeof window !== "undefined" ? window : this);
