// The class chart beside the projector's gallery: everyone's test accuracy (training accuracy for
// a student without a test set; R² for regression) against epoch on a log axis, each student's
// line faint and the class's median bold (galleryhistory.js keeps the lines and takes the median;
// galleryplot.js draws). The lines are kept per student_id (the setup's ids), so a new setup (a
// student joins, a network changes shape) keeps them, and in this tab's sessionStorage, so a
// reload of the projector page keeps them too. A projector opened later starts from what it sees.
(function (root) {
  "use strict";

  var SAVE_MS = 3000, MEDIAN_POINTS = 120, FONT = 18;
  var lines = {}, code = null, savedAt = 0;
  var CL = function () { return root.BPClassLines; };

  function finite(v) { return typeof v === "number" && v === v && v !== Infinity && v !== -Infinity; }

  // A setup: the class's (shown) code and its students' ids, in the setup's order.
  function setup(classCode, ids) {
    if (classCode !== code) { code = classCode || null; lines = code ? CL().restore(code) : {}; }
    var kept = {};
    (ids || []).forEach(function (id) { if (lines[id]) kept[id] = lines[id]; });   // removed students go
    lines = kept;
  }

  // A student's state (a setup's thumb or a frame's record: epoch, score, test, cost).
  function note(sid, r) {
    if (!sid || !finite(r.epoch)) return;
    CL().add(lines[sid] || (lines[sid] = CL().line()), r.epoch, r.score === null ? NaN : r.score,
             r.test === null ? NaN : r.test, r.cost === null ? NaN : r.cost);
  }

  function line(sid) { return lines[sid] || null; }

  function save(now) {
    if (code && now - savedAt >= SAVE_MS) { savedAt = now; CL().save(code, lines); }
  }

  // Draw the chart into ``canvas`` at w × h CSS px for state S (its ids, problem, colours); returns
  // what it drew ({students, median: points drawn, ms}).
  function draw(canvas, w, h, S) {
    var t0 = performance.now(), series = [], test = false, xmin = Infinity, xmax = 1, lo = 0;
    (S.ids || []).forEach(function (id) {
      var l = lines[id];
      if (!l) return;
      var v = CL().values(l), pts = CL().points(l);
      if (!v.length) return;
      series.push(v);
      test = test || pts.some(function (p) { return finite(p[2]); });
      xmin = Math.min(xmin, pts[0][0]);
      xmax = Math.max(xmax, pts[pts.length - 1][0]);
      v.forEach(function (p) { lo = Math.min(lo, p[1]); });
    });
    var med = CL().median(series, MEDIAN_POINTS), cls = S.problem === "classification";
    var mline = med.x.map(function (x, i) { return [x, med.y[i]]; });
    var faint = series.map(function (s) { return { pts: s, color: S.colors.positive, width: 1.5, alpha: 0.35 }; });
    var what = (test ? "test " : "training ") + (cls ? "accuracy" : "R²");
    var y = cls ? [0, 1] : [Math.max(-1, Math.floor(lo * 4) / 4), 1];
    var ticks = [];
    for (var t = y[0]; t <= y[1] + 1e-9; t += (y[1] - y[0]) / 4) ticks.push(t);
    var box = root.BPPlot.draw(canvas, w, h, {
      title: ["Class · " + what + " by epoch (log)", "each student faint, the median bold"], font: FONT,
      xmin: isFinite(xmin) ? xmin : 1, xmax: xmax, y: y, yticks: ticks,
      yfmt: cls ? function (v) { return Math.round(100 * v) + " %"; } : function (v) { return v.toFixed(2); },
      series: faint.concat([{ pts: mline, color: root.BPPlot.ink(), width: 4.5 }])
    });
    canvas.setAttribute("aria-label", "Class chart: each student's " + what + " against epoch as a faint line, " +
                        "the class's median in bold (" + series.length + " students)");
    return { students: series.length, median: mline.filter(function (p) { return p[1] === p[1]; }).length,
             ms: performance.now() - t0, plot: [box.left, box.top, box.width, box.height] };
  }

  root.BPClassChart = { setup: setup, note: note, line: line, save: save, draw: draw,
                        lines: function () { return lines; } };
})(typeof window !== "undefined" ? window : this);
