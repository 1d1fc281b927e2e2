// Where the Compare grid's cells and overlay go in the room the page leaves: the overlay right
// of the cells on a wide frame, below them otherwise, and the thumbnail size that fits best
// (every column count and overlay share tried); on a phone one column of cells at least
// MIN_PHONE px wide, the overlay below (the frame then grows and the page scrolls). A grid with
// two axes keeps its matrix: one column per value of axis 1.
//
//   BPGridLayout.choose({W, room, n, rows, cols, capH, gap[, labelW, headH: a matrix's row labels and headers]})
//     -> {side, c: columns, s: thumbnail px, ow, oh: overlay px}
(function (root) {
  "use strict";

  var PHONE = 600, MIN_PHONE = 150, MIN_THUMB = 90, PAD = 8;

  function choose(o) {
    var W = o.W, room = Math.max(200, o.room), n = o.n, gap = o.gap, best = null;
    var labelW = o.labelW || 0, headH = o.headH || 0;
    function fit(cw, ch, c) {
      var r = o.rows > 1 ? o.rows : Math.ceil(n / c);
      return Math.floor(Math.min((cw - labelW - (c - 1) * gap) / c - PAD, (ch - headH - r * (o.capH + gap)) / r));
    }
    if (W < PHONE) {                 // (a matrix flows too: its headers give way to each cell's name)
      var s = Math.max(MIN_PHONE, Math.min(W - 2 * PAD, 360));
      return { side: false, c: 1, s: s, ow: W, oh: 300 };
    }
    var cols = [];
    if (o.rows > 1) cols.push(o.cols);
    else for (var c = 1; c <= n; c++) cols.push(c);
    [0.28, 0.34, 0.4].forEach(function (share) {
      var ow = Math.max(340, Math.round(W * share));
      cols.forEach(function (c) {
        var s = fit(W - ow - 12, room, c);
        if (!best || s > best.s) best = { side: true, c: c, s: s };
      });
    });
    cols.forEach(function (c) {
      var oh = Math.max(240, Math.round(room * 0.36)), s = fit(W, room - oh - 12, c);
      if (s > best.s) best = { side: false, c: c, s: s, oh: oh };
    });
    best.s = Math.max(best.s, MIN_THUMB);
    var cw = labelW + best.c * (best.s + PAD) + (best.c - 1) * gap;
    best.ow = best.side ? Math.max(300, W - cw - 14) : W;
    best.oh = best.side ? Math.max(240, Math.min(room, 560)) : best.oh;
    return best;
  }

  root.BPGridLayout = { choose: choose, PHONE: PHONE, MIN_PHONE: MIN_PHONE };
})(typeof window !== "undefined" ? window : this);
