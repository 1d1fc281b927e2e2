// The Compare grid's binary frames (explorer/live/channel/grid_wire.py is the format), decoded
// for gridview.js; the channel (channel.js) hands them over raw (its "decode" option).
//
//   var f = BPGridWire.decode(arrayBuffer);
//   f.seq, f.epoch, f.running, f.hasTest, f.ended, f.badge[i], f.ahead[i], f.cost[i], f.score[i],
//   f.testScore[i], f.sent (network indices), f.weights[j] (one Float32Array per sent network,
//   from float16: the thumbnails' weights; their lengths come from the setup's sizes)
(function (root) {
  "use strict";

  var HEADER = 18;            // grid_wire.GRID_HEADER "<IIBBHHI", packed
  var AHEAD = 0x80;

  // IEEE 754 half precision (binary16) → a JS number.
  function half(h) {
    var s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e === 0) return s * m * 5.960464477539063e-8;          // subnormal: m · 2^-24
    if (e === 31) return m ? NaN : s * Infinity;
    return s * (1 + m / 1024) * Math.pow(2, e - 15);
  }

  // sizes: per network the number of weights (the setup's), to cut the float16 run into networks.
  function decode(buf, counts) {
    var v = new DataView(buf), n = buf.byteLength;
    if (n < HEADER) throw new Error("grid frame shorter than its header: " + n + " bytes");
    var flags = v.getUint8(8), C = v.getUint16(10, true), nSent = v.getUint16(12, true), nW = v.getUint32(14, true);
    var f = { seq: v.getUint32(0, true), epoch: v.getUint32(4, true), running: !!(flags & 1), hasTest: !!(flags & 2),
              ended: !!(flags & 4), version: v.getUint8(9), n: C };
    if (HEADER + 13 * C + 2 * nSent + 2 * nW !== n) throw new Error("grid frame body does not match its header");
    var off = HEADER, i;
    f.badge = new Uint8Array(C);
    f.ahead = new Uint8Array(C);
    for (i = 0; i < C; i++) {
      var b = v.getUint8(off + i);
      f.badge[i] = b & 3;
      f.ahead[i] = b & AHEAD ? 1 : 0;
    }
    off += C;
    f.cost = new Float32Array(C);
    f.score = new Float32Array(C);
    f.testScore = new Float32Array(C);
    for (i = 0; i < C; i++, off += 12) {
      f.cost[i] = v.getFloat32(off, true);
      f.score[i] = v.getFloat32(off + 4, true);
      f.testScore[i] = v.getFloat32(off + 8, true);
    }
    f.sent = new Uint16Array(nSent);
    for (i = 0; i < nSent; i++, off += 2) f.sent[i] = v.getUint16(off, true);
    f.weights = [];
    for (i = 0; i < nSent; i++) {
      var k = counts ? counts[f.sent[i]] : nW, w = new Float32Array(k);
      for (var j = 0; j < k; j++, off += 2) w[j] = half(v.getUint16(off, true));
      f.weights.push(w);
    }
    return f;
  }

  root.BPGridWire = { decode: decode, half: half, HEADER: HEADER };
})(typeof window !== "undefined" ? window : this);
