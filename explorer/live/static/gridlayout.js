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
  // The grid's look (gridview.js puts it in the page once): presentation mode (#cmp.big) keeps
  // every text at 18 px or more; on a narrow frame the buttons are at least 44 px high.
  var CSS = "#cmp{font:14px 'Source Sans Pro',Inter,'Segoe UI',Helvetica,Arial,sans-serif;color:#31333f}" +
    "#cmp.big{font-size:18px}#cmp.big .gbadge,#cmp.big .gopen{font-size:1em}#cmp .controls{margin-bottom:6px}#cmp .gstatus{margin:2px 0 6px}" +
    "#cmp .gnotice{color:#8a5300}#cmp .gnotice:empty{display:none}" +
    "#cmp .gbody{display:flex;gap:12px;align-items:flex-start}#cmp .gbody.stack{flex-direction:column}" +
    "#cmp .gcells{display:grid;gap:8px 10px;align-content:start;align-items:center}" +
    "#cmp .ghead{font-weight:600;text-align:center;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}" +
    "#cmp .grow{font-weight:600;white-space:nowrap;text-align:right}" +
    "#cmp .gcells.flow .ghead,#cmp .gcells.flow .grow{display:none}" +
    "#cmp .gcell{border:2px solid transparent;border-radius:6px;padding:2px}#cmp .gcell.hot{border-color:#ff4b4b}" +
    "#cmp .thumb{display:block;border-radius:3px}#cmp .gline{display:flex;gap:6px;align-items:center;margin-top:3px}" +
    "#cmp .gname{font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;flex:1 1 auto}" +
    "#cmp .gbadge{color:white;border-radius:9px;padding:0 7px;font-size:.85em;white-space:nowrap}" +
    "#cmp .gopen{font:inherit;font-size:.85em;border:1px solid #d0d3da;border-radius:6px;background:white;cursor:pointer;padding:0 6px}" +
    "#cmp .gnums{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}" +
    "#cmp .gcell{position:relative}#cmp .gopen{position:absolute;top:6px;right:6px;opacity:.85}" +
    "#cmp .gcell:hover .gopen,#cmp .gopen:focus{opacity:1}" +
    "#cmp .gcurves{position:relative}#cmp canvas.overlay{position:absolute;left:0;top:0;pointer-events:none}#cmp .gtip{position:absolute;pointer-events:none;background:#222;color:white;" +
    "padding:2px 8px;border-radius:4px;white-space:nowrap;z-index:5}" +
    "@media (max-width:760px){#cmp .controls button,#cmp .controls select,#cmp .gopen{min-height:44px}}";


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

  root.BPGridLayout = { choose: choose, CSS: CSS, PHONE: PHONE, MIN_PHONE: MIN_PHONE };
})(typeof window !== "undefined" ? window : this);
