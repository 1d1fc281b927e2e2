// The Compare view (args.grid): a grid of networks training live on the server's one
// scheduler, fed by its own socket (channel.js: the live channel's route, hello, acks and
// controls). The setup (explorer/live/grid_setup.py) brings every network's shape, starting
// weights and history, the data and the styles; each binary frame (gridwire.js) every
// network's latest numbers and the float16 weights of the thumbnails that changed.
// gridcells.js draws the cells, gridcurves.js the overlay; here: the controls, the layout
// and the pump (at most one frame drawn per animation frame, acked once in the DOM).
//
// The component's value (live.js sendValue, only while no script runs): {channel, running,
// epoch, ended} when the grid stops or starts (the page then shows or hides its table), plus
// {open: shown cell, n} when a cell's Open is clicked.
(function (root) {
  "use strict";

  var C = null, ch = null, token = null, args = {}, S = null, frame = null, drawing = false, opens = 0, feed = null;
  var stats = window.__grid = { setups: 0, frames: 0, renders: 0, errors: 0, bytes: 0, epochs: [], painted: [] };
  function el(tag, cls, parent, text) { return root.LiveCore.el(tag, cls, parent, text); }

  function decode(buf) { stats.bytes += buf.byteLength; return root.BPGridWire.decode(buf, S && S.counts); }
  function render(a) {
    if (!C) {
      C = root.LiveCore;
      C.watch(function () { return C.room(null); }, function () { if (S) { layout(); root.BPGridCurves.draw(S); } });
    }
    args = a;
    if (a.fallback) {                            // no socket: the same messages as arguments (feed.js)
      if (ch) { ch.close(); ch = null; token = null; }
      stats.channel = state = "fallback";
      feed = feed || root.BPFeed.create({ onSetup: onSetup, onStatus: onStatus, onFrame: onFrame, onError: onError,
                                          send: C.send, decode: decode });
      feed.feed(a.messages || {});
    } else if (a.token !== token) {
      if (ch) ch.close();
      token = a.token;
      ch = root.BPChannel.open({ route: a.ws_path || "/live/ws", token: token, decode: decode,
        onSetup: onSetup, onStatus: onStatus, onFrame: onFrame, onState: onState, onError: onError });
    }
    if (S) layout();
  }

  var state = "connecting", value = {};
  function onState(s, info) {
    state = s;
    stats.channel = s;
    if (S) drawStatus();
    report({});
  }
  var leaving = false;        // a cell was opened: the page goes to the Live view; nothing more to say
  function report(extra) {
    // In the fallback the value carries the buttons' requests (feed.js): a report after one would
    // replace it before the fragment reads it (a Pause lost for good), so only an Open is reported.
    if (leaving || (args.fallback && extra.open === undefined)) return;
    var v = Object.assign({ channel: state === "open" ? "open" : state === "unavailable" ? "failed" : state,
                            running: !!(S && S.running), epoch: S ? S.epoch : 0, ended: !!(S && S.ended) }, extra);
    if (extra.open === undefined && value.open !== undefined) { v.open = value.open; v.n = value.n; }
    if (JSON.stringify(v) === JSON.stringify(value)) return;
    value = v;
    // (the fallback's fragment reruns every few tenths of a second: a value waiting for no script
    // to run could wait for ever on a busy server; it goes at once, as the fallback's controls do)
    if (args.fallback) C.send("streamlit:setComponentValue", { value: v, dataType: "json" });
    else C.sendValue(v);
  }
  function onError(text) { stats.errors++; stats.lastError = text; console.error("grid view:", text); }

  // ---- setup --------------------------------------------------------------------------------
  function onSetup(msg) {
    stats.setups++;
    leaving = false;
    var old = S;
    S = { problem: msg.problem, metric: msg.metric, running: !!msg.running, speed: msg.speed, epoch: msg.epoch | 0,
          ended: !!msg.ended, message: msg.message, notice: msg.notice, end: msg.end_epoch, shape: msg.shape,
          badges: msg.badges, diverged: msg.diverged, rule: msg.rule, badgeColors: msg.badge_colors, styles: msg.styles, figure: msg.figure, view: msg.view || {},
          colors: msg.colors, pal: root.BPPaint.palette(msg.colors), paint: msg.paint, fwd: {}, hot: -1,
          labels: msg.labels };
    S.data = msg.data.map(function (d) {
      return Object.assign({}, d, { px: new Float32Array(C.b64bytes(d.points).buffer),
                                    labels: d.labels ? C.b64bytes(d.labels) : null });
    });
    S.cells = [];
    var byPlace = {};
    S.nets = msg.cells.map(function (c, i) {
      var key = c.row + "," + c.col;
      if (byPlace[key] === undefined) {
        byPlace[key] = S.cells.length;
        S.cells.push({ name: c.place, row: c.row, col: c.col, nets: [], shown: i, link: c.link });
      }
      var d = byPlace[key];
      S.cells[d].nets.push(i);
      var h = c.history;
      return { name: c.name, cell: d, sizes: c.sizes, activations: c.activations, data: c.data, link: c.link,
               weights: new Float32Array(C.b64bytes(c.weights).buffer), epoch: S.epoch, badge: 0,
               cost: NaN, score: NaN, xs: h.epoch.slice(), ys: h.cost.map(function (v) { return v === null ? NaN : v; }),
               scoreHist: h.score };
    });
    S.nets.forEach(function (n) {
      var k = n.scoreHist.length;
      n.score = k ? (n.scoreHist[k - 1] === null ? NaN : n.scoreHist[k - 1]) : NaN;
    });
    S.counts = S.nets.map(function (n) {
      var t = 0;
      for (var l = 1; l < n.sizes.length; l++) t += n.sizes[l] * (n.sizes[l - 1] + 1);
      return t;
    });
    if (old && old.tip) old.tip.remove();
    build();
    layout();
    S.cells.forEach(function (_, d) { root.BPGridCells.paint(S, d); root.BPGridCells.caption(S, d); });
    S.ready = root.BPGridCurves.draw(S).catch(function (err) { onError("overlay: " + err); });
    drawStatus();
    report({});
    frame = null;
  }

  // ---- the DOM: controls, status line, cells, overlay -----------------------------------------
  var box = null;
  function build() {
    if (!box) {
      box = el("div", "", document.body);
      box.id = "cmp";
      document.getElementById("grid").style.display = "none";
    }
    box.innerHTML = "";
    box.classList.toggle("big", !!S.view.big);
    var bar = el("div", "controls", box);
    S.play = button(bar, "Play", "primary", "play", "Play / Pause the whole grid", function () {
      control({ type: S.running ? "pause" : "play" });
    });
    button(bar, "Step epoch", "", "step_epoch", "One more epoch of every cell, then stop",
           function () { control({ type: "step", unit: "epoch" }); });
    button(bar, "Reset", "", "reset", "Every cell back to its starting weights: the grid replays",
           function () { control({ type: "reset" }); });
    var speed = S.speedEl = el("select", "speed", bar);
    speed.title = "Speed: epochs of every cell per frame, or as fast as the server allows";
    (args.speeds || []).forEach(function (v) {          // the speed setting's choices (compare.py)
      var o = el("option", "", speed, v === "max" ? "max speed" : "speed " + v + "×");
      o.value = String(v);
    });
    speed.onchange = function () { control({ type: "speed", value: speed.value === "max" ? "max" : Number(speed.value) }); };
    S.statusEl = el("div", "gstatus", box);
    S.noticeEl = el("div", "gnotice", box);
    S.body = el("div", "gbody", box);
    S.cellsEl = el("div", "gcells", S.body);
    var wrap = el("div", "gcurves", S.body);
    var div = el("div", "", wrap);
    div.setAttribute("role", "img");
    div.setAttribute("aria-label", S.figure.layout.meta.label);
    S.hooks = { open: openCell, hover: hover };
    root.BPGridCells.build(S, S.cellsEl, S.hooks);
    root.BPGridCurves.setup(S, div);
  }

  function button(parent, text, cls, shortcut, title, fn) {
    var b = el("button", cls, parent, text);
    b.title = title;
    b.dataset.shortcut = shortcut;             // the keyboard shortcuts click it (keyboard_static)
    b.onclick = fn;
    return b;
  }

  function control(msg) { if (args.fallback && feed) feed.value({ control: msg }); else if (ch) ch.control(msg); }

  function openCell(d) {
    opens++;
    report({ open: d, n: opens });
    // Any later value (the pause that follows) would ask for a rerun carrying the page's widget
    // values from before the switch, and switch the page back (streamlit/streamlit#218).
    leaving = true;
  }

  function hover(d, fromCurve) {
    if (!S || S.hot === d) return;
    S.hot = d;
    root.BPGridCells.highlight(S, d);
    root.BPGridCurves.stroke(S);
  }

  function drawStatus() {
    if (!S.statusEl) return;
    var running = S.running && !S.ended;
    S.play.textContent = running ? "Pause" : "Play";
    S.play.disabled = !!S.ended;
    if (S.speedEl && document.activeElement !== S.speedEl) S.speedEl.value = String(S.speed);
    var n = S.nets.length, shown = S.cells.length;
    S.statusEl.innerHTML = "<b>Epoch " + S.epoch.toLocaleString("en-US") + "</b> of " + S.end.toLocaleString("en-US") +
      " · " + shown + " cell" + (shown === 1 ? "" : "s") + (n > shown ? " × " + S.shape.seeds + " seeds" : "") +
      " · under each: " + (n > shown ? "the median (range) of its seeds' " : "") + S.labels.score + ", epoch";
    var line = state === "reconnecting" ? "The live connection dropped; reconnecting…" :
      state === "expired" ? "The live connection ended: reload the page." : (S.message || S.notice || "");
    if (S.noticeEl.textContent !== line) S.noticeEl.textContent = line;
  }

  // Size the cells and the overlay to the room the page leaves (gridlayout.js chooses).
  function layout() {
    if (!S || !S.cellsEl) return;
    var W = document.body.clientWidth || window.innerWidth, H = Math.max(240, C.room((args.height | 0) || 600));
    var font = S.view.big ? 18 : 14, rowW = 0;
    if (S.matrix) {                               // the row labels' column: as wide as the longest
      S.cellsEl.querySelectorAll(".grow").forEach(function (e) { rowW = Math.max(rowW, e.scrollWidth); });
    }
    var L = root.BPGridLayout.choose({ W: W, room: H - S.body.offsetTop, n: S.cells.length, rows: S.shape.rows.length,
                                       cols: S.shape.cols.length, capH: Math.ceil(2 * font * 1.3) + 10, gap: 10,
                                       labelW: S.matrix ? rowW + 10 : 0, headH: S.matrix ? Math.ceil(font * 1.4) + 8 : 0 });
    S.body.classList.toggle("stack", !L.side);
    S.cellsEl.style.gridTemplateColumns = (S.matrix && L.c > 1 ? "auto " : "") + "repeat(" + L.c + ", " + (L.s + 8) + "px)";
    S.cellsEl.classList.toggle("flow", !(S.matrix && L.c > 1));
    if (S.flow !== !(S.matrix && L.c > 1)) {         // a matrix flowing (a phone): names back in the captions
      S.flow = !(S.matrix && L.c > 1);
      S.cellEls.forEach(function (e, d) {
        e.numsText = e.epochText = null;
        if (S.matrix) e.name.textContent = S.flow ? S.cells[d].name : "";
        root.BPGridCells.caption(S, d);
      });
    }
    root.BPGridCells.size(S, L.s);
    S.cells.forEach(function (_, d) { if (S.cellEls[d].dirty) root.BPGridCells.paint(S, d); });
    S.curveDiv.style.width = L.ow + "px";
    S.curveDiv.style.height = L.oh + "px";
    S.curveSize = [L.ow, L.oh];
    S.layout = L;
    var height = Math.ceil(box.getBoundingClientRect().height);
    if (height !== S.frameHeight) { S.frameHeight = height; C.send("streamlit:setFrameHeight", { height: height }); }
  }

  // ---- statuses and frames ---------------------------------------------------------------------
  function onStatus(msg) {
    if (!S) return;
    S.running = !!msg.running;
    S.speed = msg.speed;
    S.message = msg.message || null;
    S.notice = msg.notice || null;
    if (msg.ended !== undefined) S.ended = !!msg.ended;
    if (msg.epoch !== undefined) S.epoch = msg.epoch;
    drawStatus();
    report({});
  }

  function onFrame(f) {
    stats.frames++;
    if (!S) { ack(f.seq); return; }
    S.epoch = f.epoch;
    S.running = f.running;
    S.ended = f.ended;
    for (var i = 0; i < f.n; i++) {
      var n = S.nets[i];
      n.epoch = f.epoch + f.ahead[i];
      n.badge = f.badge[i];
      n.cost = f.cost[i];
      n.score = f.hasTest ? f.testScore[i] : f.score[i];
      root.BPGridCurves.add(n, n.epoch, n.cost);
    }
    for (i = 0; i < f.sent.length; i++) {
      S.nets[f.sent[i]].weights = f.weights[i];
      S.nets[f.sent[i]].dirty = true;
    }
    frame = f;
    if (!drawing) pump();
  }

  async function pump() {
    drawing = true;
    while (frame) {
      var f = frame;
      frame = null;
      try { await drawFrame(f); } catch (err) { onError(String(err && err.stack || err)); }
    }
    drawing = false;
  }

  async function drawFrame(f) {
    var mine = S, t0 = performance.now();
    await mine.ready;
    if (S !== mine) return;
    S.cells.forEach(function (cell, d) {
      var n = S.nets[cell.shown];
      if (n.dirty) { n.dirty = false; root.BPGridCells.paint(S, d); }
      root.BPGridCells.caption(S, d);
    });
    drawStatus();
    ack(f.seq);                                   // in the DOM: the next frame may travel meanwhile
    var t1 = performance.now();
    await root.BPGridCurves.draw(S);
    stats.cellsMs = t1 - t0;
    stats.curvesMs = performance.now() - t1;
    await C.nextFrame();
    if (S !== mine) return;
    stats.renders++;
    stats.epochs = S.cells.map(function (c) { return S.nets[c.shown].epoch; });
    stats.painted = S.cells.map(function (c) { return S.nets[c.shown].painted | 0; });
    stats.t = C.now();
    if (!f.running) report({});
  }
  function ack(seq) { if (ch) ch.ack(seq); }

  window.addEventListener("resize", function () { if (S) { layout(); root.BPGridCurves.draw(S); } });
  root.BPGridView = { render: render, state: function () { return S; } };
})(typeof window !== "undefined" ? window : this);
