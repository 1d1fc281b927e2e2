// The projector gallery's binary frames (explorer/live/channel/gallery_wire.py is the format),
// decoded for gallery.js; the channel (channel.js) hands them over raw (its "decode" option).
//
//   var f = BPGalleryWire.decode(arrayBuffer, nWeightsOfShape);
//   f.seq, f.closed, f.order (student indices, the leaderboard), f.records[j] {student, shape, epoch,
//   running, stopped, score, test, cost}, f.weights[j] (Float32Array from float16, per record)
(function (root) {
  "use strict";

  var HEADER = 14;            // gallery_wire.HEADER "<IBBHHI", packed
  var RECORD = 21;            // gallery_wire.RECORD "<HHIBfff", packed

  function decode(buf, nWeightsOf) {
    var v = new DataView(buf), n = buf.byteLength, half = root.BPGridWire.half;
    if (n < HEADER) throw new Error("gallery frame shorter than its header: " + n + " bytes");
    var N = v.getUint16(6, true), k = v.getUint16(8, true), nW = v.getUint32(10, true);
    if (HEADER + 2 * N + RECORD * k + 2 * nW !== n) throw new Error("gallery frame body does not match its header");
    var f = { seq: v.getUint32(0, true), closed: !!(v.getUint8(4) & 1), version: v.getUint8(5), n: N,
              order: [], records: [], weights: [] };
    var off = HEADER, i;
    for (i = 0; i < N; i++, off += 2) f.order.push(v.getUint16(off, true));
    for (i = 0; i < k; i++, off += RECORD) {
      var flags = v.getUint8(off + 8);
      f.records.push({ student: v.getUint16(off, true), shape: v.getUint16(off + 2, true), epoch: v.getUint32(off + 4, true),
                       running: !!(flags & 1), stopped: !!(flags & 2), score: v.getFloat32(off + 9, true),
                       test: v.getFloat32(off + 13, true), cost: v.getFloat32(off + 17, true) });
    }
    for (i = 0; i < k; i++) {
      var m = nWeightsOf ? nWeightsOf[f.records[i].shape] : nW, w = new Float32Array(m);
      for (var j = 0; j < m; j++, off += 2) w[j] = half(v.getUint16(off, true));
      f.weights.push(w);
    }
    return f;
  }

  root.BPGalleryWire = { decode: decode, HEADER: HEADER, RECORD: RECORD };
})(typeof window !== "undefined" ? window : this);
