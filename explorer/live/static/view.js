// The live view: one setup message (explorer/live/channel/wire.py) brings the model, its weights,
// the history and every figure's static part; then each binary frame carries the weights and
// the new curve points only. The browser draws every picture from them: forward.js evaluates
// the network over the grid, pictures.js paints the surface, the tiles and edges and the hidden
// space, curvesview.js the curves, controls.js the buttons and the status line. Nothing here
// calls Plotly.newPlot after setup; zoom and pan survive (uirevision).
//
// The messages come one of two ways, drawn alike:
// - the live channel (args {token, ws_path, height, columns, spans, controls, speeds} or
//   {channel: {route, token}}): a WebSocket; controls and acks go back over it. The component
//   value: {channel: "failed", state: "unavailable"} when the socket cannot be opened (the page
//   then falls back); {channel: "closed", state: "expired", n} every 2 s while the server no
//   longer knows the token, until a page run gives a new one (channel.js); Draw's clicks
//   {click: [x1, x2], seq}.
// - the fallback (args {fallback: true, messages: {setup, setup_id, status, frames}, ...}): live_view.py's
//   timer fragment hands the same messages over as arguments; controls go back as the component value
//   {control: {...}, id, n} (which reruns that fragment), a missed message as {resync: true, id, n}. No acks.
(function (root) {
  "use strict";

  var C = null, live = null, env = null;   // live.js's LiveCore; the modules' view of this one
  var ch = null, token = null, args = {}, S = null, reported = null;
  var frame = null, drawing = false, channelLine = "", fallback = null, asked = false;   // asked: see ack

  function core() {
    if (!C) {
      C = root.LiveCore;
      live = C.live;
      Object.assign(live, { frames: 0, setups: 0, acks: 0, channel: "connecting", statuses: 0, notice: null,
                            frameMs: [], drawMs: 0 });
      env = { C: C, live: live, react: react, state: function () { return S; },
              drawing: function () { return drawing; } };
      C.watch(fit, function () { if (S) layout(); });
    }
    return C;
  }

  // ---- the component: Streamlit render messages ------------------------------------------
  function render(a) {
    core();
    args = a;
    if (a.fallback) {                             // the same messages as arguments: feed.js
      if (ch) { ch.close(); ch = null; token = null; }
      live.channel = "fallback";
      fallback = fallback || root.BPFeed.create({ onSetup: onSetup, onStatus: onStatus, onFrame: onFrame,
                                                  onError: onError, send: C.send });
      fallback.feed(a.messages || {});
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

  // ---- the channel's state ------------------------------------------------------------------
  // One line in the component when the channel is lost for good or retrying (a channel that
  // never opened is the page's to announce: it falls back and says so).
  var STATE_LINES = {
    reconnecting: "The live connection dropped; reconnecting…",
    // (the page's server went away: Streamlit's page runs again on a live one, which gives a new token)
    expired: "The server no longer knows this page (it restarted, or another took over): reconnecting… Reload the page if this stays.",
    in_use: "This live view is already open in another tab of this session; close that tab, or reload this one.",
    flooded: "The live connection was closed: this page sent too many messages at once. Reload the page to go on."
  };

  var value = {}, lastClick = null, clickSeq = 0;
  function onState(state, info) {
    live.channel = state;
    (live.states = live.states || []).push(state);
    channelLine = STATE_LINES[state] || "";
    if (S) drawStatus();
    if (state === "connecting" || state === "reconnecting" || state === reported) return;
    reported = state;
    // explorer.live.live_channel's value: "open", "failed" (no socket: the page falls back)
    // or "closed" (the server refused it: code says why); "state" is the finer reason.
    var channel = state === "open" ? "open" : state === "unavailable" ? "failed" : "closed";
    value = Object.assign({ channel: channel, state: state }, info.code ? { code: info.code } : {},
                          info.reason ? { reason: String(info.reason).slice(0, 200) } : {});
    if (lastClick) { value.click = lastClick.click; value.seq = lastClick.seq; }
    // Only "failed" is news to the page (it falls back); any other value would cost a page
    // run, which could undo a widget change made meanwhile (an upload right after load).
    if (channel === "failed") C.sendValue(value);
  }

  // Draw (args.draw): a click on the boundary's plane is the value's {click: [x1, x2], seq},
  // beside the channel state.
  function applyDraw() {
    root.BPPictures.clicks(C.cells.boundary, function () { return args.draw; }, function (xy) {
      lastClick = { click: xy, seq: ++clickSeq };
      live.clicks = (live.clicks | 0) + 1;
      live.lastClick = xy;
      C.sendValue(Object.assign({}, value, lastClick));
    });
  }

  function onError(text) {
    live.errors++;
    live.lastError = text;
    console.error("live view:", text);
  }

  // ---- controls (controls.js) and statuses --------------------------------------------------
  var hooks = { state: function () { return S; }, control: control };
  function buildTop() { root.BPControls.build(args, S, hooks); }
  function drawStatus() { root.BPControls.status(S, channelLine); }

  // A control goes to the socket, or in the fallback through the component value; its round
  // trip (click → the status that answers it) is kept for the benchmark: live.controls.
  var sentAt = {};
  function control(msg) {
    sentAt[msg.type] = performance.now();
    if (args.fallback) fallback.value({ control: msg });
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
    S.notice = live.notice = msg.notice || null;
    if (msg.stop !== undefined) { S.stop = msg.stop; S.dirtyCurves = true; }   // the best epoch's marker
    if (msg.epoch !== undefined) S.epoch = msg.epoch;
    root.BPControls.setSpeed(S.speed);
    drawStatus();
    root.BPPictures.syncHover(S, env);
  }

  // ---- setup: the model, its weights, the history, the figures' static parts ------------------
  function onSetup(msg) {
    live.setups++;
    var sizes = [msg.n_inputs].concat(msg.sizes);
    var fwd = root.BPForward.create({ sizes: sizes, activations: msg.activations, features: msg.features,
                                      grid: msg.grid, mean: msg.mean, scale: msg.scale });
    var old = S;
    S = {
      fwd: fwd, sizes: sizes, L: msg.sizes.length, K: msg.sizes[msg.sizes.length - 1], activations: msg.activations,
      features: msg.features, labels: msg.labels, formats: msg.formats, paint: msg.paint,
      pal: root.BPPaint.palette(msg.colors), problem: msg.problem, metric: msg.metric,
      view: msg.view || {}, stride: msg.tile_stride, running: !!msg.running, speed: msg.speed,
      epoch: msg.epoch | 0, message: msg.message || null, notice: msg.notice || null, hasTest: false,
      schedule: msg.schedule || null, stop: msg.stop || null,     // the η plan, the best epoch (curves.js)
      mean: msg.mean, scale: msg.scale, figures: msg.figures, names: Object.keys(msg.figures),
      weights: new Float32Array(C.b64bytes(msg.weights).buffer), dirtyWeights: true,
      surface: canvas(fwd.gx, fwd.gy), geo: root.BPPaint.diagram(sizes, Math.floor(fwd.gx / msg.tile_stride)),
      curvesAt: -1e9, curvesTimer: null, hiddenAt: -1e9,
      curveAxes: {}, curveTraces: null, curvesZoom: false, curvesOnCanvas: false, curveCanvas: null
    };
    S.tiles = canvas(S.geo.W, S.geo.H);
    S.hoverTemplates = S.figures.network.data;
    S.curveTemplates = S.figures.curves.data;
    root.BPCurves.history(S, msg.history, msg.per_octave);
    if (old) { if (old.overlay) old.overlay.remove(); root.BPCurvesView.drop(old); root.BPInstruments.drop(old); }
    // The first picture, from the setup's weights, in the figures before they are drawn.
    S.acts = fwd.run(S.weights);
    S.hidden = root.BPHidden.setup(S, C.decode);
    S.inst = root.BPInstruments.setup(S, msg, C.decode);       // metrics, histograms (chart options)
    root.BPPictures.firstPicture(S, env);
    buildTop();
    layout();
    S.ready = Promise.all(S.names.map(drawStatic));
    root.BPInstruments.draw(S, env);
    applyDraw();
    drawStatus();
    frame = { seq: msg.seq | 0, setup: true };              // the network's canvas once drawn
    if (!drawing) pump();
  }

  function canvas(w, h) {
    var c = document.createElement("canvas");
    c.width = w;
    c.height = h;
    var ctx = c.getContext("2d");
    return { canvas: c, ctx: ctx, image: ctx.createImageData(w, h) };
  }

  // Row height: wide, what the window leaves below the controls and status line (fit, measured as
  // they grow and rows above come and go); a phone's column or unmeasured, the page's args.height.
  function fit() {
    var r = (args.columns | 0) > 1 ? C.room(null) : null;
    return r === null ? null : r - Math.round(document.getElementById("grid").getBoundingClientRect().top);
  }
  function layout() {
    var columns = Math.max(1, args.columns | 0 || 1), measured = fit(), spans = args.spans;
    var height = measured !== null ? Math.max(280, measured) : Math.max(80, (args.height | 0) || (S.view && S.view.height) || 320);
    spans = spans && Object.keys(spans).length ? spans : { curves: columns };
    C.layoutGrid(S.names.concat(root.BPInstruments.names(S)), columns, height, spans);
  }

  // Redraw one figure through live.js's drawFigure: the cell's current size, and every layout
  // key unchanged since the last draw handed to plotly as the object it holds, so a zoom or
  // pan (by hand or by Plotly.relayout) survives, not only one plotly recorded as a GUI edit.
  function react(name) { return C.drawFigure(name, S.figures[name]); }

  function drawStatic(name) {
    var t = performance.now();
    var p = C.drawFigure(name, S.figures[name]);
    live.figMs[name] = performance.now() - t;
    return Promise.resolve(p).catch(function (err) { onError("setup " + name + ": " + err); });
  }

  // ---- frames -------------------------------------------------------------------------------
  function onFrame(f) {
    live.frames++;
    live.recv.push([f.seq, C.now()]);
    if (live.recv.length > 5000) live.recv.splice(0, 1000);
    if (f.asksAck) asked = true;
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

  // At most one frame per animation frame, drawn in its callback (so it is painted right after):
  // the latest received (each frame's curve points were kept as it arrived: none is lost when a
  // newer frame is drawn instead). Acked as its drawing starts (BPView.earlyAck), the next frame
  // is trained for and travels meanwhile and is drawn at the next animation frame: at max speed
  // the frames follow the browser's frame rate; still at most one waits.
  async function pump() {
    drawing = true;
    while (frame) {
      await C.nextFrame();
      var f = frame;
      frame = null;
      try { await drawFrame(f); } catch (err) { onError(String(err && err.stack || err)); }
    }
    drawing = false;
  }

  async function drawFrame(f) {
    var mine = S;
    if (!mine) return;
    await mine.ready;                              // the setup's figures are drawn
    if (S !== mine) return;
    var early = root.BPView.earlyAck;
    if (early && !f.setup) ack(f.seq);
    var t0 = performance.now(), t;
    if (S.dirtyWeights && S.weights) {
      S.dirtyWeights = false;
      t = performance.now();
      S.acts = S.fwd.run(S.weights);
      live.figMs.forward = performance.now() - t;
      var parts = root.BPView.parts;
      if (parts.surface) root.BPPictures.paintSurface(S, env);
      if (parts.network) root.BPPictures.paintNetwork(S, env);
      if (S.hover && !S.running && !f.setup) {     // paused (a step): hover shows the new weights
        S.figures.network.data = root.BPPictures.hoverTraces(S, true);
        react("network");
      }
      if (S.hidden) S.dirtyHidden = S.dirtyCurves = true;     // (redrawn with the curves)
      if (S.inst) root.BPInstruments.frame(S, env);          // (at most every BPInstruments.everyMs)
    }
    root.BPPictures.syncHover(S, env);
    drawStatus();
    live.drawMs = performance.now() - t0;
    live.extra = { epoch: S.epoch, running: S.running, seq: f.seq };
    if (S.dirtyCurves) await root.BPCurvesView.frame(S, env);      // (at most every curvesMs / canvasMs)
    if (S !== mine) return;                   // (a new setup meanwhile)
    live.renders++;                           // (painted with this animation frame)
    live.frame = f.seq;
    live.lastMs = performance.now() - t0;
    live.drawn.push(C.now());
    if (live.drawn.length > 5000) live.drawn.splice(0, 1000);
    if (!early && !f.setup) { await C.nextFrame(); ack(f.seq); }   // acked once painted: the next waits
  }
  // Acks the frame drawn (and all before it) once one since the last ack asked (wire.py, Pacing).
  function ack(seq) { if (asked && !args.fallback && ch && ch.ack(seq)) { asked = false; live.acked = seq; live.acks++; } }

  // curvesMs, canvasMs: the curves' shortest redraw interval while training runs, by plotly or on
  // the canvas (drawFrame). earlyAck: ack a frame as its drawing starts, not after its paint.
  // parts: which pictures a frame repaints (all; the benchmark switches some off to weigh them).
  root.BPView = { render: render, state: function () { return S; }, curvesMs: 100, canvasMs: 40, earlyAck: true,
                  control: control, parts: { surface: true, network: true } };
})(typeof window !== "undefined" ? window : this);
