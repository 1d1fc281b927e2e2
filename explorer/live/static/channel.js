// The live channel's browser end: one WebSocket to the app's own host (explorer/live/channel/wire.py
// is the format). It says hello with the page's token, hands setup/status JSON and decoded
// binary frames to its owner, acks frames once the owner has drawn them, sends controls and
// tab visibility, and reconnects with backoff. When it cannot open (a proxy that blocks
// WebSockets) or the server refuses the token, it tells the owner (onState), which tells
// the Python side so the page falls back to plain Streamlit updates.
//
//   var ch = BPChannel.open({route: "/live/ws", token: "...", onSetup, onStatus, onFrame,
//                            onState, onError[, decode: (ArrayBuffer) => frame]});
//   ch.ack(seq); ch.control({type: "play"}); ch.close();
//
// BPKeeper: what this browser keeps in localStorage (explorer/live/channel/run_keeper.py). Its
// browser secret: the live view's page offers one (args.secret: secrets.token_urlsafe(32)), kept
// if the browser holds none; the live socket's hello carries it, and the server keeps the run
// under it, so a reload finds the run again. It is never in a link. And a class seat's secret
// per class code (args.seat: the live view's and the student page's keeper hand it over; never in
// a link), which the join page's keeper (args.keeper) reports so a reload of the student's page, or
// of the join link, recognises the student. live.js hands every render's args to BPKeeper.note.
//
// After a failover: what this page last drew from the live view's socket (its epoch, playing or
// not) is kept in memory (never stored: a reload starts without it). When the page's server went
// away (a replica died, or it restarted), Streamlit's page reconnects to a live server and runs
// again, the view gets a new token, and the hello on it says "seen": the run resumes as it was,
// playing or not, and its notice says how many epochs were lost (run_keeper.py).
(function (root) {
  "use strict";

  var SECRET_KEY = "bpx.secret", SEAT_KEY = "bpx.seat.";
  var SECRET_FORM = /^[A-Za-z0-9_-]{43}$/, SEAT_FORM = /^[A-Za-z0-9_-]{16,64}$/, CODE_FORM = /^[2-9A-Z]{8}$/;
  var offer = null, reported = false;
  var seen = null;          // {token, epoch, running}: the live view's last setup, status or frame
  function stored(key) { try { return root.localStorage.getItem(key); } catch (err) { return null; } }
  function store(key, value) { try { root.localStorage.setItem(key, value); } catch (err) { /* not kept */ } }
  var Keeper = {
    note: function (a) {
      if (typeof a.secret === "string" && SECRET_FORM.test(a.secret)) offer = a.secret;
      var seat = a.seat;
      if (seat && CODE_FORM.test(seat.code) && SEAT_FORM.test(seat.secret)) store(SEAT_KEY + seat.code, seat.secret);
    },
    // The browser's secret (kept, else the page's offer, kept from now on); null when no page offered
    // one (a grid's or a projector's socket keeps no run).
    secret: function () {
      if (!offer) return null;
      var kept = stored(SECRET_KEY);
      if (kept && SECRET_FORM.test(kept)) return kept;
      store(SECRET_KEY, offer);
      return offer;
    },
    seat: function (code) {
      var s = CODE_FORM.test(code) ? stored(SEAT_KEY + code) : null;
      return s && SEAT_FORM.test(s) ? s : null;
    },
    // The keeper draws nothing. On the join page: the seat kept for args.code goes to the page once,
    // as the component value {code, seat}; with none it says nothing (no page run). On a student's
    // page (args.seat, kept by note above) it says nothing either.
    render: function (a) {
      root.LiveCore.send("streamlit:setFrameHeight", { height: 0 });
      var seat = a.seat ? null : Keeper.seat(a.code);
      if (seat && !reported) { reported = true; root.LiveCore.sendValue({ code: a.code, seat: seat }); }
    }
  };
  root.BPKeeper = Keeper;

  var HEADER_BYTES = 38;      // wire.HEADER "<IIBBHffffIIH", packed
  var FLAG_RUNNING = 1, FLAG_TEST = 2, FLAG_WEIGHTS = 4, FLAG_ACK = 8;
  var CLOSE = { 4400: "bad_origin", 4401: "no_hello", 4403: "expired", 4409: "in_use",
                4429: "flooded", 1001: "server_shutdown" };
  var BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];
  var UNAVAILABLE_AFTER = 3;   // failed opens in a row (none ever open) before the fallback

  // One binary frame (wire.encode_frame) → plain object with typed arrays.
  function decodeFrame(buf) {
    var v = new DataView(buf), n = buf.byteLength;
    if (n < HEADER_BYTES) throw new Error("frame shorter than its header: " + n + " bytes");
    var f = {
      seq: v.getUint32(0, true), epoch: v.getUint32(4, true), flags: v.getUint8(8), version: v.getUint8(9),
      perOctave: v.getUint16(10, true),
      latest: [v.getFloat32(12, true), v.getFloat32(16, true), v.getFloat32(20, true), v.getFloat32(24, true)]
    };
    var nW = v.getUint32(28, true), nP = v.getUint32(32, true), width = v.getUint16(36, true);
    f.running = !!(f.flags & FLAG_RUNNING);
    f.hasTest = !!(f.flags & FLAG_TEST);
    f.weightsChanged = !!(f.flags & FLAG_WEIGHTS);
    f.asksAck = !!(f.flags & FLAG_ACK) || f.version < 2;   // (a version 1 server wants every frame acked)
    var off = HEADER_BYTES;
    if (off + 4 * (nW + nP * width) > n) throw new Error("frame body shorter than its header says");
    f.weights = floats(v, off, nW);
    off += 4 * nW;
    f.points = floats(v, off, nP * width);
    f.nPoints = nP;
    f.pointWidth = width;
    off += 4 * nP * width;
    f.grads = floats(v, off, (n - off) >> 2);   // grad_norm[L], delta_mean[L] of the latest epoch
    return f;
  }

  // The body is not 4-byte aligned (38-byte header): read through the DataView.
  function floats(v, off, count) {
    var out = new Float32Array(count);
    for (var i = 0; i < count; i++) out[i] = v.getFloat32(off + 4 * i, true);
    return out;
  }

  function open(opts) {
    var ws = null, attempts = 0, everOpen = false, closed = false, timer = null, state = "connecting";
    var keeps = !opts.decode;       // the live view's run (other views decode their own frames)
    function note(epoch, running) {
      if (keeps && typeof epoch === "number") seen = { token: opts.token, epoch: epoch, running: !!running };
    }
    var url = opts.url || ((location.protocol === "https:" ? "wss://" : "ws://") + location.host + opts.route);

    function setState(s, info) {
      if (s === state && !info) return;
      state = s;
      if (opts.onState) opts.onState(s, info || {});
    }

    function sendJSON(msg) {
      if (ws && ws.readyState === 1) { ws.send(JSON.stringify(msg)); return true; }
      return false;
    }

    function connect() {
      timer = null;
      if (closed) return;
      try {
        ws = new WebSocket(url);
      } catch (err) {             // a malformed URL or a blocked scheme
        return retry({ reason: String(err) });
      }
      ws.binaryType = "arraybuffer";
      var opened = false;
      ws.onopen = function () {
        opened = true;
        var secret = Keeper.secret(), hello = { type: "hello", token: opts.token };
        if (secret) hello.secret = secret;
        if (secret && keeps && seen && seen.token !== opts.token) {    // its server went away: as it was
          hello.seen = { epoch: seen.epoch, running: seen.running };
        }
        ws.send(JSON.stringify(hello));
        sendVisibility();
      };
      ws.onmessage = function (ev) {
        try {
          if (typeof ev.data === "string") {
            var msg = JSON.parse(ev.data);
            // "open" once the server accepted the token and sent its setup (a socket that
            // closes before that counts as a failed attempt)
            if (msg.type === "setup") { everOpen = true; attempts = 0; setState("open"); }
            if (msg.type === "setup" || msg.type === "status") note(msg.epoch, msg.running);
            if (msg.type === "setup" && opts.onSetup) opts.onSetup(msg);
            else if (msg.type === "status" && opts.onStatus) opts.onStatus(msg);
            else if (msg.type === "error" && opts.onError) opts.onError(msg.text);
          } else if (opts.onFrame) {
            var f = (opts.decode || decodeFrame)(ev.data);     // decode: another view's frames (gridwire.js)
            note(f.epoch, f.running);
            opts.onFrame(f);
          }
        } catch (err) {
          if (opts.onError) opts.onError(String(err && err.stack || err));
        }
      };
      ws.onclose = function (ev) {
        ws = null;
        if (closed) return;
        var why = CLOSE[ev.code];
        // The server refused this token for good: reconnecting cannot help.
        if (why === "expired" || why === "in_use") {
          setState(why, { code: ev.code, reason: ev.reason });
          if (why === "expired" && keeps) askForPage();
          return;
        }
        // This page's origin is not the server's (a proxy that rewrites Host, say): the
        // socket will never open, so the page falls back to Streamlit at once.
        if (why === "bad_origin") return setState("unavailable", { code: ev.code, reason: why });
        // Too many messages, or malformed ones (wire.py's limits): the server sent a status whose
        // notice says why (the status line shows it) and the same sentence as the close reason.
        // Reconnecting would only feed the same loop again: report it and stop.
        if (why === "flooded") {
          var text = ev.reason || "The server closed the live connection: too many messages from this page.";
          if (opts.onError) opts.onError(text);
          return setState(why, { code: ev.code, reason: text });
        }
        retry({ code: ev.code, reason: ev.reason || why || "", opened: opened });
      };
      ws.onerror = function () { /* onclose follows with the code */ };
    }

    // The token's server went away (a replica died, a restart): a page run on a live one gives the
    // view a new token, and a new channel (this one is closed). Streamlit's page asks for a run by
    // itself on reconnecting only if one was under way when its socket dropped, so ask, every 2 s
    // until then: a value sent while Streamlit's own socket is still down is lost. The new server
    // holds no session of the page, so no callback's change can be undone (streamlit#218).
    var asks = 0;
    function askForPage() {
      timer = null;
      if (closed || state !== "expired") return;
      root.LiveCore.sendValue({ channel: "closed", state: "expired", n: ++asks });
      timer = setTimeout(askForPage, 2000);
    }

    function retry(info) {
      attempts++;
      if (!everOpen && attempts >= UNAVAILABLE_AFTER) setState("unavailable", info);
      else if (state !== "unavailable") setState(everOpen ? "reconnecting" : "connecting", info);
      var wait = BACKOFF_MS[Math.min(attempts - 1, BACKOFF_MS.length - 1)];
      timer = setTimeout(connect, wait * (0.75 + 0.5 * Math.random()));   // jitter: 30 pages never retry in step
    }

    function sendVisibility() { sendJSON({ type: "visible", hidden: !!document.hidden }); }
    document.addEventListener("visibilitychange", sendVisibility);

    connect();
    return {
      ack: function (seq) { return sendJSON({ type: "ack", seq: seq }); },
      control: function (msg) { return sendJSON(msg); },
      state: function () { return state; },
      close: function () {
        closed = true;
        document.removeEventListener("visibilitychange", sendVisibility);
        if (timer) clearTimeout(timer);
        if (ws) ws.close(1000);
        ws = null;
      }
    };
  }

  root.BPChannel = { open: open, decodeFrame: decodeFrame, HEADER_BYTES: HEADER_BYTES };
})(typeof window !== "undefined" ? window : this);
