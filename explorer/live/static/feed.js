// The fallback's way in (explorer/pages/live_view.py): the live channel's messages arrive as the
// component's arguments, {setup, setup_id, status, frames}, every tick of a timer fragment.
// Each holds the setup when it changed (else null), the status, and the latest binary frames
// since the setup (base64); a frame already drawn (by seq) is skipped. A setup or a frame
// missed in between (Streamlit may merge renders) is asked for again: a fresh setup carries
// it all. Controls and those requests go back as the component value {..., id, n}, a new
// (id, n) a new request (it reruns that fragment).
//
//   var feed = BPFeed.create({onSetup, onStatus, onFrame, onError, send[, decode]});   // send: LiveCore.send
//   feed.feed(args.messages); feed.value({control: {type: "play"}});
(function (root) {
  "use strict";

  function create(h) {
    var id = Math.random().toString(36).slice(2, 10), n = 0;     // this iframe's name, its requests
    var setupId = null, seq = 0, asked = null, status = null;

    function value(v) {
      h.send("streamlit:setComponentValue", { value: Object.assign({ id: id, n: ++n }, v), dataType: "json" });
    }
    function resync(sid) {
      if (asked === sid) return;                   // once per setup
      asked = sid;
      value({ resync: true });
    }
    function feed(m) {
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
