// The live view: figures arrive once (setup), then each binary frame carries the weights and
// the new curve points only. The browser computes the rest: forward.js evaluates the network
// over the grid, paint.js turns that into the decision surface (the boundary figure's layout
// image) and the neuron tiles and edges (a canvas over the network figure's plot area), and
// the curves grow from the appended points. Nothing here calls Plotly.newPlot after setup;
// zoom and pan survive (uirevision).
//
// The messages (explorer/channel/wire.py) come one of two ways, drawn alike:
// - the live channel (args {token, ws_path, height, columns, spans, controls, speeds} or
//   {channel: {route, token}}): a WebSocket; controls and acks go back over it. The component
//   value it sets, once per change: {channel: "open"} when the socket opens, {channel:
//   "failed", state: "unavailable"} when it cannot be opened (the page then falls back),
//   {channel: "closed", code, state: "expired" | "in_use" | "flooded"} when the server
//   refused it.
// - the fallback (args {fallback: true, messages: {setup, setup_id, status, frames}, ...}):
//   explorer/live_panel.py's timer fragment hands the same messages over as arguments;
//   controls go back as the component value {control: {...}, id, n} (which reruns that
//   fragment), and a missed message as {resync: true, id, n}. No acks.
(function (root) {
  "use strict";

  var C = null, live = null;       // live.js's LiveCore, once loaded
  var ch = null, token = null, args = {}, S = null, reported = null;
  var frame = null, drawing = false, channelLine = "";
  // This iframe's name in the values it sends (the fallback tells its requests apart by it).
  var clientId = Math.random().toString(36).slice(2, 10), valueN = 0;

  function core() {
    if (!C) {
      C = root.LiveCore;
      live = C.live;
      Object.assign(live, { frames: 0, setups: 0, acks: 0, channel: "connecting", statuses: 0, notice: null,
                            frameMs: [], drawMs: 0 });
    }
    return C;
  }

  // ---- the component: Streamlit render messages ------------------------------------------
  function render(a) {
    core();
    args = a;
    if (a.fallback) {
      if (ch) { ch.close(); ch = null; token = null; }
      live.channel = "fallback";
      feed(a.messages || {});
    } else {
      var c = a.channel || { token: a.token, route: a.ws_path };
      if (c.token !== token) {
        if (ch) ch.close();
        token = c.token;
        ch = root.BPChannel.open({ route: c.route || "/live/ws", url: c.url, token: token,
          onSetup: onSetup, onStatus: onStatus, onFrame: onFrame, onState: onState, onError: onError });
        live.channel = "connecting";
      }
    }
    buildTop();
    if (S) { layout(); applyDraw(); }
  }

  // ---- the fallback: the same messages as component arguments -----------------------------
  // Each render holds the setup when it changed (else null), the status, and the latest frames
  // since the setup; a frame already drawn (by seq) is skipped. A setup or a frame missed in
  // between (Streamlit may merge renders) is asked for again: a fresh setup carries it all.
  var fb = { setupId: null, seq: 0, asked: null, status: null };
  function feed(m) {
    if (m.setup_id !== fb.setupId) {
      if (!m.setup) return resync(m.setup_id);
      var setup = JSON.parse(m.setup);
      fb.setupId = m.setup_id;
      fb.seq = setup.seq | 0;
      fb.status = null;
      onSetup(setup);
    }
    if (m.status) {
      var key = JSON.stringify(m.status);
      if (key !== fb.status) { fb.status = key; onStatus(m.status); }
    }
    var frames = m.frames || [];
    for (var i = 0; i < frames.length; i++) {
      var buf = C.b64bytes(frames[i]).buffer, seq = new DataView(buf).getUint32(0, true);
      if (seq <= fb.seq) continue;                 // drawn already
      if (seq > fb.seq + 1) return resync(m.setup_id);
      fb.seq = seq;
      try { onFrame(root.BPChannel.decodeFrame(buf)); } catch (err) { onError(String(err && err.stack || err)); }
    }
  }
  function resync(id) {
    if (fb.asked === id) return;                   // once per setup
    fb.asked = id;
    sendValue({ resync: true });
  }
  // A value for the fallback's fragment (a new (id, n) is a new request).
  function sendValue(v) {
    C.send("streamlit:setComponentValue", { value: Object.assign({ id: clientId, n: ++valueN }, v), dataType: "json" });
  }

  // One line in the component when the channel is lost for good or retrying (a channel that
  // never opened is the page's to announce: it falls back and says so).
  var STATE_LINES = {
    reconnecting: "The live connection dropped; reconnecting…",
    expired: "The live connection ended: the server no longer knows this page (it may have restarted). Reload the page to go on.",
    in_use: "This live view is already open in another tab of this session; close that tab, or reload this one.",
    flooded: "The live connection was closed: this page sent too many messages at once. Reload the page to go on."
  };

  function onState(state, info) {
    live.channel = state;
    (live.states = live.states || []).push(state);
    channelLine = STATE_LINES[state] || "";
    if (S) drawStatus();
    if (state === "connecting" || state === "reconnecting") return;
    if (state === reported) return;
    reported = state;
    // explorer.live.live_channel's value: "open", "failed" (no socket: the page falls back
    // to Streamlit updates) or "closed" (the server refused it: code says why); "state" is
    // the finer reason (unavailable, expired, in_use, flooded).
    var channel = state === "open" ? "open" : state === "unavailable" ? "failed" : "closed";
    value = Object.assign({ channel: channel, state: state }, info.code ? { code: info.code } : {},
                          info.reason ? { reason: String(info.reason).slice(0, 200) } : {});
    if (lastClick) { value.click = lastClick.click; value.seq = lastClick.seq; }
    C.send("streamlit:setComponentValue", { value: value, dataType: "json" });
  }

  // ---- Draw: with args.draw a click anywhere on the boundary's plane (empty space included,
  // which plotly's own click events miss) is reported as the value's {click: [x1, x2], seq}
  // beside the channel state; the plane shows a crosshair meanwhile.
  var value = {}, lastClick = null, clickSeq = 0;
  function applyDraw() {
    var div = C.cells.boundary;
    if (!div) return;
    div.classList.toggle("drawing", !!args.draw);
    if (div._bpClick) return;
    div._bpClick = true;
    div.addEventListener("click", function (ev) {
      if (!args.draw || !div._fullLayout) return;
      var xa = div._fullLayout.xaxis, ya = div._fullLayout.yaxis, box = div.getBoundingClientRect();
      var px = ev.clientX - box.left - xa._offset, py = ev.clientY - box.top - ya._offset;
      if (px < 0 || py < 0 || px > xa._length || py > ya._length) return;      // outside the plane
      lastClick = { click: [xa.p2l(px), ya.p2l(py)], seq: ++clickSeq };
      live.clicks = (live.clicks | 0) + 1;
      live.lastClick = lastClick.click;
      C.send("streamlit:setComponentValue", {
        value: Object.assign({}, value, { click: lastClick.click, seq: lastClick.seq }), dataType: "json"
      });
    });
  }

  function onError(text) {
    live.errors++;
    live.lastError = text;
    console.error("live channel:", text);
  }

  // ---- controls and status line (inside the component: a click goes straight to the socket)
  var els = {};
  function buildTop() {
    var top = document.getElementById("top");
    var want = args.controls ? "controls" : "status";
    if (top.dataset.mode !== want) {
      top.dataset.mode = want;
      top.innerHTML = "";
      els = {};
      if (args.controls) {
        var bar = el("div", "controls", top);
        els.play = button(bar, "Play", "primary", function () {
          var running = S && S.running;
          setRunning(!running);          // at once; the server's status confirms
          control({ type: running ? "pause" : "play" });
        });
        els.stepEpoch = button(bar, "Step epoch", "", function () { setRunning(false); control({ type: "step", unit: "epoch" }); });
        els.stepBatch = button(bar, "Step mini-batch", "", function () { setRunning(false); control({ type: "step", unit: "batch" }); });
        els.reset = button(bar, "Reset", "", function () { control({ type: "reset" }); });
        els.play.title = "Play / Pause";
        // what the keyboard shortcuts click (explorer/shortcuts_static/index.html), in either mode
        els.play.dataset.shortcut = "play";
        els.stepEpoch.dataset.shortcut = "step_epoch";
        els.reset.dataset.shortcut = "reset";
        els.stepEpoch.title = "Train one full pass over the training data, then stop";
        els.stepBatch.title = "One gradient update on one mini-batch, then stop";
        els.reset.title = "Back to the starting weights: the run replays";
        els.speed = el("select", "speed", bar);
        els.speed.title = "Speed: training updates per frame, or as fast as the server allows";
        els.speed.onchange = function () {
          var v = els.speed.value;
          control({ type: "speed", value: v === "max" ? "max" : Number(v) });
        };
      }
      els.status = el("div", "epoch-counter", top);
      els.notice = el("div", "notice", top);
    }
    if (els.speed) {
      var speeds = args.speeds || [];
      var key = JSON.stringify(speeds);
      if (els.speed.dataset.key !== key) {
        els.speed.dataset.key = key;
        els.speed.innerHTML = "";
        speeds.forEach(function (v) {          // a value, or [value, label]
          var o = el("option", "", els.speed), label = Array.isArray(v) ? v[1] : null;
          v = Array.isArray(v) ? v[0] : v;
          o.value = String(v);
          o.textContent = label || (v === "max" ? "max speed" : "speed " + v + "×");
        });
        els.speed.style.display = speeds.length ? "" : "none";
      }
      if (S) els.speed.value = String(S.speed);
    }
    top.classList.toggle("big", !!(S && S.view && S.view.big));
  }
  function el(tag, cls, parent) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    parent.appendChild(e);
    return e;
  }
  function button(parent, text, cls, fn) {
    var b = el("button", cls, parent);
    b.textContent = text;
    b.onclick = fn;
    return b;
  }
  function setRunning(running) {
    if (S) S.running = running;
    if (els.play) els.play.textContent = running ? "Pause" : "Play";
  }

  function exp2(v) {   // Python's "{:.2e}": 1.23e-02, not 1.23e-2
    return v.toExponential(2).replace(/e([+-])(\d)$/, "e$10$2");
  }
  function fixed(v, n) { return v === v ? v.toFixed(n) : "–"; }

  // explorer/live_panel._status, from the latest values.
  function drawStatus() {
    if (!els.status || !S) return;
    var h = S.latest, metric = S.metric === "accuracy" ? "accuracy" : "R²";
    var html = "<span class='epoch'>Epoch " + S.epoch.toLocaleString("en-US") + "</span>";
    if (S.epoch > 0 && h[0] === h[0]) {
      html += " &nbsp; loss " + fixed(h[0], 4) + " · " + metric + " " + fixed(h[1], 3);
      if (S.hasTest && h[2] === h[2]) html += " · test " + fixed(h[2], 4) + " · " + fixed(h[3], 3);
    }
    var g = S.grads, L = S.L;
    if (g && g.length === 2 * L) {
      var base = S.view.grad_key === "delta_mean" ? L : 0, parts = [];
      for (var l = 0; l < L; l++) {
        parts.push("<span style='color:" + layerColor(l) + "'>■</span>&thinsp;layer " + (l + 1) + " " + exp2(g[base + l]));
      }
      html += "<br><span class='grads'>" + S.labels.grad + " now: " + parts.join(" ") + "</span>";
    }
    if (html !== S.statusHtml) { els.status.innerHTML = html; S.statusHtml = html; }
    var notice = channelLine || (S.message ? "Training paused. " + S.message : (S.notice || ""));
    if (els.notice.textContent !== notice) els.notice.textContent = notice;
    if (els.play) {
      els.play.textContent = S.running ? "Pause" : "Play";
      els.play.disabled = !!S.message;
    }
  }
  function layerColor(l) { return root.BPCurves.layerColor(l); }

  // A control goes straight to the socket; its round trip (click → the server's status that
  // answers it) is kept for the benchmark: live.controls = [[type, ms], ...].
  var sentAt = {};
  function control(msg) {
    sentAt[msg.type] = performance.now();
    if (args.fallback) sendValue({ control: msg });
    else if (ch) ch.control(msg);
  }

  function onStatus(msg) {
    live.statuses++;
    if (msg.reply_to && sentAt[msg.reply_to] !== undefined) {
      live.controls = live.controls || [];
      live.controls.push([msg.reply_to, performance.now() - sentAt[msg.reply_to]]);
      if (live.controls.length > 500) live.controls.splice(0, 100);
      delete sentAt[msg.reply_to];
    }
    if (!S) return;
    S.running = !!msg.running;
    S.speed = msg.speed;
    S.message = msg.message || null;
    S.notice = msg.notice || null;
    live.notice = S.notice;
    if (msg.epoch !== undefined) S.epoch = msg.epoch;
    if (els.speed) els.speed.value = String(S.speed);
    drawStatus();
    syncHover();
  }

  // ---- setup: the static figures, the model, the history --------------------------------------
  function onSetup(msg) {
    live.setups++;
    var sizes = [msg.n_inputs].concat(msg.sizes);
    var fwd = root.BPForward.create({ sizes: sizes, activations: msg.activations, features: msg.features,
                                      grid: msg.grid, mean: msg.mean, scale: msg.scale });
    var k = Math.floor(fwd.gx / msg.tile_stride);
    var old = S;
    S = {
      fwd: fwd, sizes: sizes, L: msg.sizes.length, K: msg.sizes[msg.sizes.length - 1], activations: msg.activations,
      features: msg.features, labels: msg.labels || { features: msg.features, grad: "" }, problem: msg.problem, nClasses: msg.n_classes, metric: msg.metric,
      view: msg.view || {}, stride: msg.tile_stride, running: !!msg.running, speed: msg.speed,
      epoch: msg.epoch | 0, message: msg.message || null, notice: null, hasTest: false,
      mean: msg.mean, scale: msg.scale, figures: {}, names: Object.keys(msg.figures), weights: null, acts: null, hover: !msg.running,
      surface: canvas(fwd.gx, fwd.gy), geo: root.BPPaint.diagram(sizes, k), seq: msg.seq | 0,
      curvesAt: -1e9, curvesTimer: null, hiddenAt: -1e9,
      curveAxes: {}, curveTraces: null, curvesZoom: false, curvesOnCanvas: false, curveCanvas: null
    };
    S.tiles = canvas(S.geo.W, S.geo.H);
    S.names.forEach(function (name) { S.figures[name] = JSON.parse(msg.figures[name]); });
    root.BPCurves.history(S, msg.history, msg.per_octave);
    hiddenSetup();
    if (old && old.overlay) old.overlay.remove();
    if (old && old.curveCanvas) old.curveCanvas.remove();
    if (old && old.curvesTimer) clearTimeout(old.curvesTimer);
    buildTop();
    layout();
    // Drawn as the server built them (their pictures are the current state); the first frame
    // replaces the pictures with the browser's own.
    S.names.forEach(function (name) {
      if (name === "curves") S.figures.curves.data = root.BPCurves.traces(S);
      drawStatic(name);
    });
    applyDraw();
    drawStatus();
  }

  function canvas(w, h) {
    var c = document.createElement("canvas");
    c.width = w;
    c.height = h;
    var ctx = c.getContext("2d");
    return { canvas: c, ctx: ctx, image: ctx.createImageData(w, h) };
  }

  function layout() {
    var columns = Math.max(1, args.columns | 0 || 1);
    var height = Math.max(80, (args.height | 0) || (S.view && S.view.height) || 320);
    S.columns = columns;
    var spans = args.spans && Object.keys(args.spans).length ? args.spans : { curves: columns };
    C.layoutGrid(S.names, columns, height, spans);
  }

  // Redraw one figure through live.js's drawFigure: the cell's current size, and every layout
  // key unchanged since the last draw handed to plotly as the object it holds, so a zoom or
  // pan (by hand or by Plotly.relayout) survives, not only one plotly recorded as a GUI edit.
  function react(name) {
    return C.drawFigure(name, S.figures[name]);
  }

  function drawStatic(name) {
    var t = performance.now();
    var p = C.drawFigure(name, S.figures[name]);
    live.figMs[name] = performance.now() - t;
    return Promise.resolve(p).catch(function (err) { onError("setup " + name + ": " + err); });
  }

  // ---- frames ---------------------------------------------------------------------------------
  function onFrame(f) {
    live.frames++;
    live.recv.push([f.seq, C.now()]);
    if (live.recv.length > 5000) live.recv.splice(0, 1000);
    if (!S) { ack(f.seq); return; }
    // New points now (a later frame may be drawn instead of this one: none may be lost).
    root.BPCurves.append(S, f);
    if (f.hasTest) S.hasTest = true;
    S.epoch = f.epoch;
    S.latest = f.latest;
    if (f.grads.length) S.grads = f.grads;
    var kk = S.kept.epoch;
    S.latestRow = f.epoch > 0 && (!kk.length || f.epoch > kk[kk.length - 1])
      ? [f.epoch, f.latest[0], f.latest[1], f.latest[2], f.latest[3]].concat(Array.from(f.grads)) : null;
    if (S.latestRow && S.latestRow.length !== 5 + 2 * S.L) S.latestRow = null;
    if (f.weights.length && (f.weightsChanged || !S.weights)) { S.weights = f.weights; S.dirtyWeights = true; }
    S.running = f.running;
    S.dirtyCurves = true;
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
    if (!S) return;
    var t0 = performance.now(), t;
    if (S.dirtyWeights && S.weights) {
      S.dirtyWeights = false;
      t = performance.now();
      S.acts = S.fwd.run(S.weights);
      live.figMs.forward = performance.now() - t;
      var parts = root.BPView.parts;
      if (S.figures.boundary && parts.surface) paintSurface();
      if (S.figures.network && parts.network) paintNetwork();
      if (S.hover && !S.running && S.stripped) {     // paused (a step): hover shows the new weights
        S.figures.network.data = hoverTraces(true);
        react("network");
      }
      if (S.hidden) S.dirtyHidden = S.dirtyCurves = true;     // (redrawn with the curves)
    }
    syncHover();
    drawStatus();
    live.drawMs = performance.now() - t0;
    live.extra = { epoch: S.epoch, running: S.running, seq: f.seq };
    // The frame is in the DOM and its canvases: the browser paints it at the next vsync. Acked
    // now, the next frame is trained for and travels while this one is painted (acked after
    // the paint, the server's time and the wait for the vsync added up). Still at most one
    // frame waits, and at most one is drawn per animation frame (the loop awaits the paint).
    var early = root.BPView.earlyAck;
    if (early) ack(f.seq);
    // The curves after the ack: the server prepares the next frame meanwhile.
    if (S.dirtyCurves && S.figures.curves) {
      // A plotly line chart redraws whole (axes, ticks, text: ~20 ms here, more than the rest
      // of a frame together), so while training runs the curves follow at most every
      // BPView.curvesMs; the surface and the network every frame. Paused: at once.
      // (a slow machine spends at most about a fifth of its time on them: the interval grows
      // to 4× their last cost)
      // On the canvas (curvelines.js) the lines cost well under a millisecond: every frame.
      var wait = S.curvesAt + Math.max(root.BPView.curvesMs, 4 * (S.curvesCost || 0)) - performance.now();
      if (!S.running || wait <= 0 || S.curvesOnCanvas) await drawCurves();
      else if (!S.curvesTimer) S.curvesTimer = setTimeout(function () { S.curvesTimer = null; if (S.dirtyCurves) drawCurves(); }, wait + 20);
    }
    await C.nextFrame();                      // on screen in this animation frame
    if (!S) return;                           // (stopped meanwhile: the page fell back)
    live.renders++;
    live.frame = f.seq;
    live.lastMs = performance.now() - t0;
    live.drawn.push(C.now());
    if (live.drawn.length > 5000) live.drawn.splice(0, 1000);
    if (!early) ack(f.seq);
  }
  function ack(seq) { if (!args.fallback && ch && ch.ack(seq)) { live.acked = seq; live.acks++; } }

  // Running: plotly keeps the axes (re-ranged only when a line leaves them), the lines go on
  // a canvas (curvelines.js). Paused: plotly draws the lines, so hover shows the values.
  async function drawCurves() {
    var t = performance.now(), fig = S.figures.curves, div = C.cells.curves, lines = root.BPCurveLines;
    S.dirtyCurves = false;
    S.curvesAt = t;
    var traces = root.BPCurves.traces(S);
    S.curveTraces = traces;
    var onCanvas = S.running && !!(div && div._fullLayout);
    var ranged = !S.curvesZoom && lines.range(fig.layout, traces, S.curveAxes);
    if (onCanvas) {
      if (ranged || !S.curvesOnCanvas) {
        S.curvesOnCanvas = true;
        fig.layout.datarevision = (fig.layout.datarevision | 0) + 1;
        fig.data = lines.emptied(traces);
        await react("curves");
      }
      if (S) strokeCurves();
    } else {
      S.curvesOnCanvas = false;
      clearCurves();
      fig.layout.datarevision = (fig.layout.datarevision | 0) + 1;
      fig.data = traces;
      await react("curves");
    }
    if (!S) return;
    live.figMs.curves = S.curvesCost = performance.now() - t;
    live.curveRenders = (live.curveRenders | 0) + 1;
    var hiddenWait = S.hiddenAt + Math.max(root.BPView.curvesMs, 4 * (live.figMs.hidden || 0)) - performance.now();
    if (S.dirtyHidden && (!S.running || hiddenWait <= 0)) await drawHidden();
  }

  function strokeCurves() {
    var div = C.cells.curves;
    if (!div || !div._fullLayout || !S.curveTraces) return;
    if (!div._bpCurvesHooked) {                // plotly redrew (zoom, pan, resize): the lines again
      div._bpCurvesHooked = true;
      div.on("plotly_afterplot", function () { if (S && S.curvesOnCanvas && div === C.cells.curves) strokeCurves(); });
      // A zoom by hand keeps its ranges; a double click (autorange) gives the ranging back.
      // (This file never relayouts the curves' ranges itself except in restoreRanges.)
      div.on("plotly_relayout", function (ev) {
        if (!S || !ev || S.restoringRanges || div !== C.cells.curves) return;
        var keys = Object.keys(ev);
        if (keys.some(function (k) { return /^[xy]axis\d*\.autorange$/.test(k); })) restoreRanges(div);
        else if (keys.some(function (k) { return /^[xy]axis\d*\.range/.test(k); })) S.curvesZoom = true;
      });
    }
    var o = overlay(div, S.curveCanvas);
    if (!o) return;
    S.curveCanvas = o.canvas;
    root.BPCurveLines.stroke(o.ctx, div._fullLayout, S.curveTraces);
  }

  // After a double click, plotly autoranged over traces that may hold no points: put the
  // ranges the lines need back (through plotly, so its layout and this figure's agree).
  function restoreRanges(div) {
    S.curvesZoom = false;
    var fig = S.figures.curves, update = {};
    Object.keys(S.curveAxes).forEach(function (k) { if (fig.layout[k]) fig.layout[k].range = null; });
    root.BPCurveLines.range(fig.layout, S.curveTraces || [], S.curveAxes);
    Object.keys(S.curveAxes).forEach(function (k) {
      update[k + ".range"] = fig.layout[k].range;
      update[k + ".autorange"] = false;
    });
    S.restoringRanges = true;
    Promise.resolve(Plotly.relayout(div, update)).then(function () { if (S) S.restoringRanges = false; },
                                                       function () { if (S) S.restoringRanges = false; });
  }

  function clearCurves() {
    var cv = S.curveCanvas;
    if (cv) cv.getContext("2d").clearRect(0, 0, cv.width, cv.height);
  }

  // ---- the hidden-space view (a hidden layer of exactly 2 units): hidden.js -----------------
  function hiddenSetup() { S.hidden = root.BPHidden.setup(S, C.decode); }

  async function drawHidden() {
    var t = performance.now();
    S.dirtyHidden = false;
    S.hiddenAt = t;
    if (!S.hidden || !S.acts) return;
    S.figures.hidden.data = root.BPHidden.traces(S);
    await react("hidden");
    live.figMs.hidden = performance.now() - t;
  }

  // The boundary figure's layout image: the surface painted into a G×G canvas, as a PNG.
  function paintSurface() {
    var t = performance.now(), s = S.surface, big = !!S.view.big;
    root.BPPaint.surface(S.acts[S.L], S.K, S.fwd.gx, S.fwd.gy, S.problem, !!S.view.discretize, big ? 0.8 : 0.6, s.image.data);
    s.ctx.putImageData(s.image, 0, 0);
    var url = s.canvas.toDataURL("image/png");
    var div = C.cells.boundary;
    // Swap the picture without a plotly redraw: the figure's own image element gets the new
    // source, and the layout holds it too, so a zoom's redraw draws the current one.
    var img = div && div.querySelector("g.imagelayer image, g.layer-below image");
    if (div && div.layout && div.layout.images && div.layout.images[0]) {
      div.layout.images[0].source = url;
      if (div._fullLayout && div._fullLayout.images && div._fullLayout.images[0]) div._fullLayout.images[0].source = url;
      S.figures.boundary.layout.images[0].source = url;
    }
    if (img) {                                 // the attribute and memo plotly's images/draw.js uses
      img.setAttributeNS("http://www.w3.org/1999/xlink", "xlink:href", url);
      img._imgSrc = url;
    } else if (div && div._fullLayout) Plotly.relayout(div, { "images[0].source": url });
    live.figMs.boundary = performance.now() - t;
  }

  // The network figure keeps its labels; the tiles and edges are a canvas over its plot area,
  // redrawn per frame and after every plotly redraw (zoom, pan, resize).
  function paintNetwork() {
    var t = performance.now(), m = S.tiles;
    root.BPPaint.mosaic(S.acts, S.sizes, S.activations, S.fwd.gx, S.stride, S.geo, m.image.data);
    m.ctx.putImageData(m.image, 0, 0);
    var div = C.cells.network;
    if (!S.stripped && div && div._fullLayout) {
      // The server's picture (image, edge traces) gives way to the canvas.
      S.stripped = true;
      var fig = S.figures.network;
      fig.layout.images = [];
      fig.data = hoverTraces(!S.running);
      react("network");
      div.on("plotly_afterplot", function () { if (S && div === C.cells.network) drawOverlay(); });
    }
    drawOverlay();
    live.figMs.network = performance.now() - t;
  }

  function drawOverlay() {
    var div = C.cells.network;
    if (!div || !div._fullLayout || !S.weights) return;
    var fl = div._fullLayout, xa = fl.xaxis, ya = fl.yaxis;
    var o = overlay(div, S.overlay);
    if (!o) return;
    S.overlay = o.canvas;
    var ctx = o.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(xa._offset, ya._offset, xa._length, ya._length);
    ctx.clip();
    root.BPPaint.drawDiagram(ctx, S.geo, S.sizes, S.weights, S.tiles.canvas,
      function (x) { return xa._offset + xa.l2p(x); }, function (y) { return ya._offset + ya.l2p(y); });
    ctx.restore();
  }

  // A canvas over a plotly chart (above its plot, below its hover layer), sized to it and
  // cleared; its 2-D context draws in CSS pixels. cv: the chart's canvas so far, if any.
  function overlay(div, cv) {
    var fl = div._fullLayout, container = div.querySelector(".svg-container");
    if (!fl || !container) return null;
    if (!cv || cv.parentNode !== container) {
      if (cv) cv.remove();
      cv = document.createElement("canvas");
      cv.className = "overlay";
      var svgs = container.querySelectorAll("svg.main-svg");
      container.insertBefore(cv, svgs.length > 1 ? svgs[1] : null);
    }
    var dpr = window.devicePixelRatio || 1, w = fl.width, h = fl.height;
    if (cv.width !== Math.round(w * dpr) || cv.height !== Math.round(h * dpr)) {
      cv.width = Math.round(w * dpr);
      cv.height = Math.round(h * dpr);
      cv.style.width = w + "px";
      cv.style.height = h + "px";
    }
    var ctx = cv.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    return { canvas: cv, ctx: ctx };
  }

  // Paused: hover shows each weight and bias (network_figure's invisible markers); running:
  // no hover anywhere (nobody hovers over a moving chart, and it costs every redraw).
  function hoverTraces(on) {
    if (!on || !S.weights) return [];
    var geo = S.geo, sizes = S.sizes, k = geo.k / 2, big = !!S.view.big;
    var mx = [], my = [], mt = [], nx = [], ny = [], nt = [], off = 0;
    for (var c = 0; c < sizes.length; c++) {
      for (var u = 0; u < sizes[c]; u++) {
        var cen = geo.centers[c][u];
        nx.push(cen[0]); ny.push(cen[1]);
        if (c === 0) nt.push(S.labels.features[u]);
        else {
          var P = sizes[c - 1];
          nt.push("layer " + c + " (" + S.activations[c - 1] + ") unit " + (u + 1) +
                  "<br>b = " + S.weights[off + u * (P + 1) + P].toFixed(4));
        }
      }
      if (c === 0) continue;
      P = sizes[c - 1];
      for (var j = 0; j < sizes[c]; j++) for (var i = 0; i < P; i++) {
        if (mt.length >= 1500) break;
        var s = geo.centers[c - 1][i], d = geo.centers[c][j];
        mx.push((s[0] + k + d[0] - k) / 2); my.push((s[1] + d[1]) / 2);
        mt.push("W" + c + "[" + (j + 1) + "," + (i + 1) + "] = " + S.weights[off + j * (P + 1) + i].toFixed(4));
      }
      off += sizes[c] * (P + 1);
    }
    return [
      { type: "scatter", mode: "markers", x: mx, y: my, text: mt, marker: { size: 8, opacity: 0 },
        hovertemplate: "%{text}<extra></extra>" },
      { type: "scatter", mode: "markers", x: nx, y: ny, text: nt, marker: { size: big ? 18 : 12, opacity: 0 },
        hovertemplate: "%{text}<extra></extra>" }
    ];
  }

  // The figures' hover follows the run: off while it trains, on when paused (S.hover: as drawn).
  function syncHover() {
    if (S && S.hover === S.running) hoverFor(S.running);
  }

  function hoverFor(running) {
    if (!S) return;
    S.hover = !running;
    S.names.forEach(function (name) {
      var div = C.cells[name], fig = S.figures[name];
      if (!div || !div._fullLayout) return;
      if (running) fig.layout.hovermode = false;
      else delete fig.layout.hovermode;
      if (name === "network" && S.stripped) fig.data = hoverTraces(!running);
      if (name !== "curves") return react(name);
      S.dirtyCurves = true;                           // drawCurves: canvas or plotly's lines
      if (!running && !drawing) drawCurves();
    });
  }

  // curvesMs: the curves' shortest plotly redraw interval while training runs (drawFrame).
  // earlyAck: ack once a frame is drawn into the DOM rather than after its paint.
  // parts: which pictures a frame repaints (all; the benchmark switches some off to weigh them).
  root.BPView = { render: render, state: function () { return S; }, curvesMs: 100, earlyAck: true,
                  control: control, parts: { surface: true, network: true } };
})(typeof window !== "undefined" ? window : this);
