// Each student's line for the projector's class chart and for "Show this one"'s curves, kept in
// the projector's browser from the gallery's own messages: every record of a frame (and every
// thumb of a setup) already carries the student's epoch, training score, test score and loss
// (explorer/live/channel/gallery_wire.py), so the chart costs no byte on the wire.
//
// A line is one run's points [epoch, score, test, cost]. A record whose epoch is below the line's
// latest starts the line again (the student reset, or changed their network). Bounded like the
// live curves' history: a point is kept only if it is the first in its bucket, a 1/per of an
// octave of epochs (floor(per · log2 epoch)); the latest point is always shown (provisional, until
// a later bucket begins); past MAX kept points the buckets double in width (per halves). So a
// line holds at most MAX + 1 points however long the class trains, and its early epochs, where
// most of the learning shows on the chart's log axis, keep their detail.
//
//   var line = BPClassLines.line(); BPClassLines.add(line, epoch, score, test, cost);
//   BPClassLines.points(line) -> [[epoch, score, test, cost], ...] (kept, then the latest)
//   BPClassLines.values(line) -> [[log10 epoch, value], ...]: test where the line has a test score,
//                                else training (the score the goal ranks)
//   BPClassLines.median(series, n) -> {x: [...], y: [...]}: the median of the lines at n epochs
//   BPClassLines.save(key, lines) / restore(key): the lines in this tab's sessionStorage, so a
//                                reload of the projector page keeps the chart
(function (root) {
  "use strict";

  var PER_OCTAVE = 16, MAX = 240, STORE_PREFIX = "bpx.classlines.";

  function finite(v) { return typeof v === "number" && v === v && v !== Infinity && v !== -Infinity; }
  function bucket(epoch, per) { return Math.floor(per * Math.log2(Math.max(epoch, 1))); }

  function line() { return { per: PER_OCTAVE, pts: [], last: null }; }

  function top(l) { return l.last || (l.pts.length ? l.pts[l.pts.length - 1] : null); }

  // One state of the student's network (a record): kept by the rule above.
  function add(l, epoch, score, test, cost) {
    var p = [epoch, score, test, cost], t = top(l);
    if (t && epoch < t[0]) { l.pts = []; l.last = null; l.per = PER_OCTAVE; t = null; }   // a new run
    if (t && epoch === t[0]) { for (var i = 0; i < 4; i++) t[i] = p[i]; return l; }      // the same epoch, newer
    var kept = l.pts.length ? l.pts[l.pts.length - 1] : null;
    if (!kept || bucket(epoch, l.per) > bucket(kept[0], l.per)) { l.pts.push(p); l.last = null; }
    else l.last = p;
    while (l.pts.length > MAX) coarsen(l);
    return l;
  }

  // Buckets twice as wide: keep the first point of each.
  function coarsen(l) {
    l.per = l.per / 2;
    var out = [];
    l.pts.forEach(function (p) {
      if (!out.length || bucket(p[0], l.per) > bucket(out[out.length - 1][0], l.per)) out.push(p);
    });
    l.pts = out;
  }

  function points(l) { return l.last ? l.pts.concat([l.last]) : l.pts.slice(); }

  // The line as the chart draws it: [log10(max(epoch, 1)), value], the test score where the line has
  // one (from its first test score on), else the training score.
  function values(l) {
    var pts = points(l), test = pts.some(function (p) { return finite(p[2]); }), out = [];
    pts.forEach(function (p) {
      var v = test ? p[2] : p[1];
      if (finite(v)) out.push([Math.log10(Math.max(p[0], 1)), v]);
    });
    return out;
  }

  // The value of a line (sorted by x) at x, linear between its points; NaN outside them.
  function at(s, x) {
    if (!s.length || x < s[0][0] || x > s[s.length - 1][0]) return NaN;
    var lo = 0, hi = s.length - 1;
    while (hi - lo > 1) { var mid = (lo + hi) >> 1; if (s[mid][0] <= x) lo = mid; else hi = mid; }
    var a = s[lo], b = s[hi];
    return b[0] === a[0] ? b[1] : a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]);
  }

  function med(v) {
    v.sort(function (p, q) { return p - q; });
    var m = v.length >> 1;
    return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
  }

  // The class's median line over ``series`` (each values()): at n epochs evenly spaced on the log
  // axis from the earliest point to the latest, the median of the lines that reach that epoch,
  // where at least half of the lines do (so a few students far ahead are not "the class").
  function median(series, n) {
    var lines = series.filter(function (s) { return s.length > 0; }), out = { x: [], y: [] };
    if (!lines.length) return out;
    var x0 = Math.min.apply(null, lines.map(function (s) { return s[0][0]; }));
    var x1 = Math.max.apply(null, lines.map(function (s) { return s[s.length - 1][0]; }));
    var need = Math.max(1, Math.ceil(lines.length / 2));
    n = x1 > x0 ? Math.max(2, n | 0) : 1;
    for (var i = 0; i < n; i++) {
      var x = n === 1 ? x0 : x0 + (x1 - x0) * i / (n - 1), v = [];
      lines.forEach(function (s) { var y = at(s, x); if (y === y) v.push(y); });
      out.x.push(x);
      out.y.push(v.length >= need ? med(v) : NaN);
    }
    return out;
  }

  // The lines ({student_id: line}) in this tab's sessionStorage under the class's code (one class
  // kept: another class's lines go); restore gives them back (or {} when none or unreadable).
  function save(code, lines) {
    try {
      var s = root.sessionStorage;
      for (var i = s.length - 1; i >= 0; i--) {
        var k = s.key(i);
        if (k && k.indexOf(STORE_PREFIX) === 0 && k !== STORE_PREFIX + code) s.removeItem(k);
      }
      s.setItem(STORE_PREFIX + code, JSON.stringify(lines));
    } catch (err) { /* not kept: the chart starts again after a reload */ }
  }
  function restore(code) {
    try {
      var got = JSON.parse(root.sessionStorage.getItem(STORE_PREFIX + code) || "{}"), out = {};
      var point = function (p) { return Array.isArray(p) && p.length === 4 && finite(p[0]); };
      Object.keys(got).forEach(function (sid) {          // (JSON wrote NaN as null: read as "none")
        var l = got[sid];
        if (l && Array.isArray(l.pts) && l.pts.every(point) && finite(l.per) && l.per > 0 && l.pts.length <= MAX) {
          out[sid] = { per: l.per, pts: l.pts, last: point(l.last) ? l.last : null };
        }
      });
      return out;
    } catch (err) { return {}; }
  }

  root.BPClassLines = { line: line, add: add, points: points, values: values, at: at, median: median,
                        save: save, restore: restore, MAX: MAX, PER_OCTAVE: PER_OCTAVE };
})(typeof window !== "undefined" ? window : this);
