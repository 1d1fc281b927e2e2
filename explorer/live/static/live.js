// Live charts: Streamlit components-v1 protocol in plain JS, one Plotly div per figure,
// updated in place with Plotly.react. What the figures show comes from the live channel's
// messages, over its socket or as the fallback's arguments: view.js draws both.
(function () {
  "use strict";
  var GAP = 8;
  var grid = document.getElementById("grid");
  var cells = {};      // name -> div
  var memo = {};       // name -> JSON of each trace / layout key last drawn
  var frameHeight = -1;
  // Sizes come from a ResizeObserver: plotly's own autosize/responsive reads
  // getComputedStyle on every react (a forced layout, ~12 ms a frame here).
  var config = { responsive: false, displaylogo: false, scrollZoom: false };
  var sizes = {};      // name -> [width, height] of the cell
  var observer = new ResizeObserver(function (entries) {
    entries.forEach(function (e) {
      var name = e.target.dataset.name, r = e.contentRect;
      var w = Math.round(r.width), h = Math.round(r.height);
      var old = sizes[name];
      sizes[name] = [w, h];
      if (old && (old[0] !== w || old[1] !== h) && window.BPPlotly.drawn(e.target)) {
        Plotly.relayout(e.target, { width: w, height: h });
      }
    });
  });
  // Inspected by tests and the benchmark (same-origin iframe).
  var live = window.__live = {
    renders: 0, messages: 0, frame: -1, acked: -1, lastMs: 0,
    recv: [], drawn: [], extra: {}, errors: 0, figMs: {}
  };

  function send(type, data) {
    var msg = Object.assign({ isStreamlitMessage: true, type: type }, data || {});
    window.parent.postMessage(msg, "*");
  }
  // The component's value goes to Streamlit only while no script runs. Streamlit sends every
  // widget's value with the rerun a value asks for; asked for while a run is still being drawn,
  // it carries the values the page held before that run and undoes the run's changes
  // (streamlit/streamlit#218; the keyboard component waits the same way). The page's script
  // state is its data-test-script-state attribute (tests/test_browser_reruns.py fails if a
  // Streamlit upgrade removes it); without it a value goes at once. Only the latest waits.
  var pendingValue = null, idleTimer = null;
  function scriptRunning() {
    try {
      var app = window.parent.document.querySelector("[data-test-script-state]");
      return !!app && app.getAttribute("data-test-script-state") === "running";
    } catch (err) { return false; }
  }
  function flushValue() {
    idleTimer = null;
    if (pendingValue === null) return;
    if (scriptRunning()) { idleTimer = setTimeout(flushValue, 100); return; }
    var value = pendingValue;
    pendingValue = null;
    send("streamlit:setComponentValue", { value: value, dataType: "json" });
  }
  function sendValue(value) {
    pendingValue = value;
    if (idleTimer === null) flushValue();
  }
  function now() { return performance.timeOrigin + performance.now(); }
  // A new element of ``tag`` (with class ``cls`` and text ``text``, in ``parent``): the views' DOM.
  function el(tag, cls, parent, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function nextFrame() {
    return new Promise(function (resolve) { requestAnimationFrame(function () { resolve(); }); });
  }

  function layoutGrid(names, columns, height, spans) {
    grid.style.setProperty("--cols", String(columns));
    var wanted = {}, slot = 0, used = 0;
    names.forEach(function (name) {
      wanted[name] = true;
      var div = cells[name];
      if (!div) {
        div = document.createElement("div");
        div.className = "cell";
        div.id = "chart-" + name;
        div.dataset.name = name;
        cells[name] = div;
        observer.observe(div);
      }
      var span = Math.min(columns, Math.max(1, (spans && spans[name]) | 0 || 1));
      var col = span > 1 ? "span " + span : "";
      if (div.style.gridColumn !== col) div.style.gridColumn = col;
      if (grid.children[slot] !== div) grid.insertBefore(div, grid.children[slot] || null);
      slot++;
      used += span;
      if (div.style.height !== height + "px") div.style.height = height + "px";
    });
    Object.keys(cells).forEach(function (name) {
      if (!wanted[name]) {
        observer.unobserve(cells[name]);
        Plotly.purge(cells[name]);
        cells[name].remove();
        delete cells[name];
        delete memo[name];
      }
    });
    gridRows = Math.ceil(used / columns);   // approximate when spans leave gaps
    gridHeight = height;
    sendHeight();
  }

  // The frame is as tall as the controls and status line (#top) plus the chart rows; #top
  // grows when training starts (the per-layer gradient line), so its size is watched.
  var gridRows = 0, gridHeight = 0;
  function sendHeight() {
    var top = document.getElementById("top");
    var h = gridRows * gridHeight + Math.max(0, gridRows - 1) * GAP + (top && top.offsetHeight ? top.offsetHeight + GAP : 0);
    if (h !== frameHeight) {
      frameHeight = h;
      send("streamlit:setFrameHeight", { height: h });
    }
  }
  // The room the page leaves this frame: the window's height below the frame's top on the page
  // (as if scrolled to the top), less a 12 px margin; ``fallback`` (the page's estimate) where
  // the parent cannot be read. Rows above the frame come and go with page runs (notices,
  // tools) without the frame being drawn again, so a view watches what it lays out by
  // (watch: ``measure()`` every ROOM_POLL_MS) and lays out anew on a change of ROOM_SLACK px
  // or more: no page run for that.
  var ROOM_POLL_MS = 500, ROOM_SLACK = 8;
  function room(fallback) {
    try {
      var doc = window.parent.document, frameBox = window.frameElement.getBoundingClientRect();
      var scroller = doc.querySelector("[data-testid='stMain']") || doc.scrollingElement;
      var H = window.parent.innerHeight - (frameBox.top + (scroller ? scroller.scrollTop : 0)) - 12;
      return isFinite(H) ? Math.round(H) : fallback;
    } catch (err) { return fallback; }
  }
  var watched = null;
  function watch(measure, onChange) {
    if (watched) clearInterval(watched.timer);
    watched = { seen: measure() };
    watched.timer = setInterval(function () {
      var v = measure();
      if (v !== null && (watched.seen === null || Math.abs(v - watched.seen) >= ROOM_SLACK)) { watched.seen = v; onChange(); }
    }, ROOM_POLL_MS);
  }

  var topBox = document.getElementById("top");
  if (topBox) new ResizeObserver(function () { if (gridRows) sendHeight(); }).observe(topBox);

  // base64 typed-array specs -> typed arrays. plotly.js decodes specs itself, but
  // anew on every react, which makes every trace look changed.
  var TYPES = { i1: Int8Array, u1: Uint8Array, u1c: Uint8ClampedArray, i2: Int16Array,
    u2: Uint16Array, i4: Int32Array, u4: Uint32Array, f4: Float32Array, f8: Float64Array };
  function b64bytes(s) {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(s);
    var bin = atob(s), n = bin.length, u = new Uint8Array(n);
    for (var i = 0; i < n; i++) u[i] = bin.charCodeAt(i);
    return u;
  }
  function decode(o) {
    if (Array.isArray(o)) return o.map(decode);
    if (!o || typeof o !== "object" || ArrayBuffer.isView(o)) return o;     // (a typed array: as it is)
    if (typeof o.bdata === "string" && TYPES[o.dtype]) {
      var shape = String(o.shape || "").split(",").map(Number).filter(function (v) { return v > 0; });
      if (shape.length > 2) return o;                     // leave 3-D to plotly.js
      var a = new TYPES[o.dtype](b64bytes(o.bdata).buffer);
      if (shape.length < 2) return a;
      var rows = [], w = shape[1];
      for (var r = 0; r < shape[0]; r++) rows.push(a.subarray(r * w, (r + 1) * w));
      return rows;
    }
    var out = {};
    for (var k in o) out[k] = decode(o[k]);
    return out;
  }

  var traceTypes = null;
  function hasTrace(type) {
    if (!type) return true;
    if (!traceTypes) traceTypes = Plotly.PlotSchema.get().traces;
    return !!traceTypes[type];
  }

  // Structural sharing: a trace or top-level layout key whose JSON is unchanged is
  // passed as the very object plotly already holds, so Plotly.react skips it (and
  // keeps ranges it computed, e.g. under scaleanchor). Only real changes redraw.
  function drawFigure(name, fig) {
    var div = cells[name];
    var prev = memo[name] || { traces: [], layout: {} };
    var next = { traces: [], layout: {} };
    var data = (fig.data || []).map(function (t, i) {
      if (!hasTrace(t.type)) t.type = "scatter";       // the basic bundle has no scattergl
      var s = JSON.stringify(t);
      next.traces.push(s);
      var old = div.data && div.data[i];
      return old && prev.traces[i] === s ? old : decode(t);
    });
    var inLayout = fig.layout || {};
    if (inLayout.uirevision === undefined) inLayout.uirevision = "live";
    // plotly's default ticklabeloverflow ("hide past div") measures every tick label
    // once per label (quadratic getBoundingClientRect): ~15 ms per line chart here.
    var axes = { xaxis: 1, yaxis: 1 };
    (fig.data || []).forEach(function (t) {
      if (t.xaxis) axes[t.xaxis.replace("x", "xaxis")] = 1;
      if (t.yaxis) axes[t.yaxis.replace("y", "yaxis")] = 1;
    });
    Object.keys(inLayout).forEach(function (k) { if (/^[xy]axis\d*$/.test(k)) axes[k] = 1; });
    Object.keys(axes).forEach(function (k) {
      var ax = inLayout[k] = inLayout[k] || {};
      if (ax.ticklabeloverflow === undefined) ax.ticklabeloverflow = "allow";
    });
    var size = sizes[name] || [div.clientWidth, div.clientHeight];
    inLayout.width = size[0];
    inLayout.height = size[1];
    inLayout.autosize = false;
    var layout = {};
    Object.keys(inLayout).forEach(function (k) {
      var s = JSON.stringify(inLayout[k]);
      next.layout[k] = s;
      var cur = div.layout && div.layout[k];
      layout[k] = cur !== undefined && prev.layout[k] === s ? cur : decode(inLayout[k]);
    });
    memo[name] = next;
    describe(div, name, inLayout);
    var old = div.querySelector(".err");
    if (old) old.remove();
    if (!window.BPPlotly.drawn(div)) {      // first draw: config once (react re-merges it)
      return Plotly.react(div, data, layout, Object.assign({}, config, fig.config || {}));
    }
    return Plotly.react(div, data, layout);
  }

  // Text alternative: each chart is an image named by its title (or the label its figure's
  // meta gives), described by the status line above the charts (epoch, loss, accuracy, each
  // layer's gradient now).
  function describe(div, name, layout) {
    var t = layout.title && (typeof layout.title === "string" ? layout.title : layout.title.text);
    var label = t ? String(t).replace(/<[^>]+>/g, " ") : ((layout.meta && layout.meta.label) || name);
    if (div.getAttribute("aria-label") !== label) {
      div.setAttribute("role", "img");
      div.setAttribute("aria-label", label);
    }
    var status = document.querySelector("#top .epoch-counter");
    if (status) {                        // (view.js may re-create the status line)
      if (!status.id) status.id = "live-status";
      if (div.getAttribute("aria-describedby") !== status.id) div.setAttribute("aria-describedby", status.id);
    }
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "streamlit:render") return;
    live.messages++;
    // explorer.live.live_channel's args (token, ws_path) or live_fallback's (messages)
    // (args.grid: the Compare view's grid, gridview.js; args.pins: pinned runs, pinsview.js; args.gallery:
    // a class's projector gallery, gallery.js; args.keeper: the join page's seat keeper, channel.js;
    // else the live view)
    var a = data.args || {};
    try {
      window.BPKeeper.note(a);                 // the browser's secret and a class seat, kept (channel.js)
      (a.grid ? window.BPGridView : a.pins ? window.BPPinsView : a.gallery ? window.BPGallery
        : a.keeper ? window.BPKeeper : window.BPView).render(a);
    } catch (err) { live.errors++; live.lastError = String(err); console.error(err); }
  });

  // For view.js, which draws the grid of plots.
  window.LiveCore = { el: el, layoutGrid: layoutGrid, drawFigure: drawFigure, decode: decode, b64bytes: b64bytes, send: send, sendValue: sendValue,
                      nextFrame: nextFrame, now: now, cells: cells, sizes: sizes, live: live, room: room,
                      watch: watch };

  send("streamlit:componentReady", { apiVersion: 1 });
})();
