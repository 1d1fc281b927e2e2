// The fallback's way in (explorer/pages/live_view.py): the live channel's messages arrive as the
// component's arguments, {setup, setup_id, status, frames}, every tick of a timer fragment.
// Each holds the setup when it changed (else null), the status, and the latest binary frames
// since the setup (base64); a frame already drawn (by seq) is skipped. A setup or a frame
// missed in between (Streamlit may merge renders) is asked for again: a fresh setup carries
// it all. Controls and those requests go back as the component value {..., id, n}, a new
// (id, n) a new request (it reruns that fragment). The arguments say which request the server
// applied last (applied: [id, n]); until it is this iframe's latest, that request goes again
// each second with the same (id, n), which the server applies once: a value sent while a run
// is drawn can be lost, or undone by a rerun carrying the page's older value (streamlit#218).
//
//   var feed = BPFeed.create({onSetup, onStatus, onFrame, onError, send[, decode]});   // send: LiveCore.send
//   feed.feed(args.messages); feed.value({control: {type: "play"}});
(function (root) {
  "use strict";
  var RESEND_MS = 1000;

  function create(h) {
    var id = Math.random().toString(36).slice(2, 10), n = 0;     // this iframe's name, its requests
    var setupId = null, seq = 0, asked = null, status = null;
    var last = null, sentAt = 0, again = 0;                       // the latest request, until applied

    function send(v) {
      sentAt = Date.now();
      h.send("streamlit:setComponentValue", { value: v, dataType: "json" });
    }
    function value(v) {
      last = Object.assign({ id: id, n: ++n }, v);
      send(last);
    }
    function confirm(applied) {
      if (!last || !applied) return;
      if (applied[0] === id && applied[1] >= last.n) { last = null; return; }
      if (Date.now() - sentAt > RESEND_MS) send(Object.assign({ again: ++again }, last));   // same (id, n)
    }
    function resync(sid) {
      if (asked === sid) return;                   // once per setup
      asked = sid;
      value({ resync: true });
    }
    function feed(m) {
      confirm(m.applied);
      if (m.setup_id !== setupId) {
        if (!m.setup) return resync(m.setup_id);
        var setup = JSON.parse(m.setup);
        setupId = m.setup_id;
        seq = setup.seq | 0;
        status = null;
        h.onSetup(setup);
      }
      if (m.status) {
        var key = JSON.stringify(m.status);
        if (key !== status) { status = key; h.onStatus(m.status); }
      }
      var frames = m.frames || [];
      for (var i = 0; i < frames.length; i++) {
        var buf = root.LiveCore.b64bytes(frames[i]).buffer, s = new DataView(buf).getUint32(0, true);
        if (s <= seq) continue;                    // drawn already
        if (s > seq + 1) return resync(m.setup_id);
        seq = s;
        try { h.onFrame((h.decode || root.BPChannel.decodeFrame)(buf)); } catch (err) { h.onError(String(err && err.stack || err)); }
      }
    }
    return { feed: feed, value: value };
  }

  root.BPFeed = { create: create };
})(typeof window !== "undefined" ? window : this);
