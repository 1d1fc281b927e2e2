// The live view's controls and status line, above the charts (#top): Play/Pause, Step epoch,
// Step mini-batch, Reset and a Speed choice, then the epoch with the latest loss and score and
// each layer's gradient magnitude in its line's colour, then one line of notice. A click hands
// its control message (explorer/live/channel/wire.py) to view.js, which sends it over the socket or,
// in the fallback, through the component value. Labels, number formats and colours are the
// setup's (explorer/live/setup_message.py setup_parts).
(function (root) {
  "use strict";

  var els = {};

  // (Re)build the bar when the mode changes; the Speed choices follow args.speeds.
  // hooks: {state: () => S or null, control: (msg) => void}
  function build(args, S, hooks) {
    var top = document.getElementById("top");
    var want = args.controls ? "controls" : "status";
    if (top.dataset.mode !== want) {
      top.dataset.mode = want;
      top.innerHTML = "";
      els = {};
      if (args.controls) buttons(el("div", "controls", top), hooks);
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

  function buttons(bar, hooks) {
    function send(msg, running) {
      if (running !== undefined) setRunning(hooks.state(), running);   // at once; the status confirms
      hooks.control(msg);
    }
    els.play = button(bar, "Play", "primary", "Play / Pause", "play", function () {
      var S = hooks.state(), running = !!(S && S.running);
      send({ type: running ? "pause" : "play" }, !running);
    });
    els.stepEpoch = button(bar, "Step epoch", "", "Train one full pass over the training data, then stop",
                           "step_epoch", function () { send({ type: "step", unit: "epoch" }, false); });
    els.stepBatch = button(bar, "Step mini-batch", "", "One gradient update on one mini-batch, then stop",
                           "step_batch", function () { send({ type: "step", unit: "batch" }, false); });
    els.reset = button(bar, "Reset", "", "Back to the starting weights: the run replays", "reset",
                       function () { send({ type: "reset" }); });
    els.speed = el("select", "speed", bar);
    els.speed.title = "Speed: training updates per frame, or as fast as the server allows";
    els.speed.onchange = function () {
      var v = els.speed.value;
      send({ type: "speed", value: v === "max" ? "max" : Number(v) });
    };
  }

  function el(tag, cls, parent) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    parent.appendChild(e);
    return e;
  }
  // shortcut: what the keyboard shortcuts click (explorer/pages/keyboard_static/index.html), in either mode
  function button(parent, text, cls, title, shortcut, fn) {
    var b = el("button", cls, parent);
    b.textContent = text;
    b.title = title;
    b.dataset.shortcut = shortcut;
    b.onclick = fn;
    return b;
  }

  function setRunning(S, running) {
    if (S) S.running = running;
    if (els.play) els.play.textContent = running ? "Pause" : "Play";
  }
  function setSpeed(value) { if (els.speed) els.speed.value = String(value); }

  // A number as the setup's formats say: ["fixed", n] (Python's .nf) or ["exp", n] (.ne: two
  // exponent digits, 1.23e-02); "–" for none.
  function fmt(v, spec) {
    if (!(v === v)) return "–";
    if (spec[0] === "exp") return v.toExponential(spec[1]).replace(/e([+-])(\d)$/, "e$10$2");
    return v.toFixed(spec[1]);
  }

  // The status line from S's latest values, and the notice: channelLine (the channel's state),
  // else the run's message (divergence advice, or the one line that says why the stopping rule
  // ended the run), else the server's notice.
  function status(S, channelLine) {
    if (!els.status || !S) return;
    var h = S.latest, F = S.formats, metric = S.labels.metric;
    var html = "<span class='epoch'>Epoch " + S.epoch.toLocaleString("en-US") + "</span>";
    if (S.epoch > 0 && h[0] === h[0]) {
      html += " &nbsp; loss " + fmt(h[0], F.cost) + " · " + metric + " " + fmt(h[1], F.score);
      if (S.hasTest && h[2] === h[2]) html += " · test " + fmt(h[2], F.cost) + " · " + fmt(h[3], F.score);
    }
    var g = S.grads, L = S.L, colors = S.pal.layers;
    if (g && g.length === 2 * L) {
      var base = S.view.grad_key === "delta_mean" ? L : 0, parts = [];
      for (var l = 0; l < L; l++) {
        parts.push("<span style='color:" + colors[l % colors.length] + "'>■</span>&thinsp;layer " + (l + 1) + " " +
                   fmt(g[base + l], F.grad));
      }
      html += "<br><span class='grads'>" + S.labels.grad + " now: " + parts.join(" ") + "</span>";
    }
    if (html !== S.statusHtml) { els.status.innerHTML = html; S.statusHtml = html; }
    var stopped = S.stop && S.stop.stopped;
    var notice = channelLine || (S.message ? (stopped ? "" : "Training paused. ") + S.message : (S.notice || ""));
    if (els.notice.textContent !== notice) els.notice.textContent = notice;
    if (els.play) {
      els.play.textContent = S.running ? "Pause" : "Play";
      els.play.disabled = !!S.message;
    }
  }

  root.BPControls = { build: build, status: status, setRunning: setRunning, setSpeed: setSpeed, fmt: fmt };
})(typeof window !== "undefined" ? window : this);
