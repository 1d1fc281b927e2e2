// Learning-rate schedules in the browser: core/schedules.py's factors, the same arithmetic
// (tests/test_js_schedules.py proves every entry of core.schedules.SCHEDULES equal to 1e-12),
// so the η curve under the loss is drawn from a few parameters the setup message carries once
// (explorer/live/setup_message.py: schedule_part), never from points sent per frame.
//
// η_u = η · f(t) for the update spanning epochs [t, t_end); a schedule s is
// {name, period, gamma, floor, restarts, warmup} (core.schedules.Schedule.to_dict). Warm-up comes
// first: for t < W, f = min(t_end / W, 1); then f = FACTORS[name](t − W, s).
//
// A plan is what the run trained with: [{t, eta, batch, n, schedule}, ...] by increasing t, one
// entry from the run's start and one from each moment the learner changed the learning rate,
// the batch size or the schedule (explorer/training/run.py: EtaPlan); a learning rate set mid-run is
// the new base from there on, and the factor still counts t from the run's start. batch: the
// mini-batch size (null: full batch); n: the training points.
(function (root) {
  "use strict";

  // The factor of each schedule at τ epochs after warm-up; keyed by the names in
  // core.schedules.SCHEDULES (the test iterates that registry: an entry missing here fails it).
  var FACTORS = {
    constant: function () { return 1.0; },
    step: function (tau, s) { return Math.pow(s.gamma, Math.floor(tau / s.period)); },
    exponential: function (tau, s) { return Math.pow(s.gamma, tau / s.period); },
    cosine: function (tau, s) {
      var c = s.restarts ? tau % s.period : Math.min(tau, s.period);     // (τ ≥ 0: % is Python's)
      return s.floor + (1.0 - s.floor) * 0.5 * (1.0 + Math.cos(Math.PI * c / s.period));
    },
    triangle: function (tau, s) {
      return s.floor + (1.0 - s.floor) * (1.0 - Math.abs(2.0 * (tau / s.period % 1.0) - 1.0));
    }
  };

  // f for the update spanning epochs [t, tEnd) (core: Schedule.factor).
  function factor(s, t, tEnd) {
    if (t < s.warmup) return Math.min(tEnd / s.warmup, 1.0);           // linear warm-up
    return FACTORS[s.name](t - s.warmup, s);
  }

  // The plan's entry in force at t (the last whose t ≤ t; the first before it).
  function entryAt(plan, t) {
    var i = plan.length - 1;
    while (i > 0 && plan[i].t > t) i--;
    return plan[i];
  }

  // Epochs the update of entry p that starts at t spans: min(b, N − pos) / N, pos = the examples
  // of the epoch already seen (1: full batch).
  function span(p, t) {
    if (!p.batch) return 1.0;
    var pos = Math.round((t - Math.floor(t)) * p.n);
    return Math.min(p.batch, p.n - pos) / p.n;
  }

  // η of the update that starts at t (an epoch's first update when t is whole).
  function eta(plan, t) {
    var p = entryAt(plan, t);
    return p.eta * factor(p.schedule, t, t + span(p, t));
  }

  // The updates' starts t = e + k·b/N (k = 0 … ⌈N/b⌉ − 1) from lo to hi epochs, with the η each
  // used: every update while there are at most `most` of them, else `most` of them spaced evenly
  // on a log scale of t (lo > 0), so a curve over a million epochs costs as much as one over a
  // hundred. Returns {x: [t...], y: [η...]}.
  function curve(plan, lo, hi, most) {
    var x = [], y = [];
    if (!plan || !plan.length || !(hi >= lo) || !(lo > 0)) return { x: x, y: y };
    var per = function (p) { return p.batch ? Math.ceil(p.n / p.batch) : 1; };
    var count = 0, i;
    plan.forEach(function (p, j) {                       // (the updates each entry covers in [lo, hi])
      var a = Math.max(lo, p.t), b = Math.min(hi, j + 1 < plan.length ? plan[j + 1].t : hi);
      if (b >= a) count += (b - a) * per(p);
    });
    var every = count <= most;
    var prev = -1;
    function add(t) {
      if (t <= prev || t < lo || t > hi) return;
      prev = t;
      x.push(t);
      y.push(eta(plan, t));
    }
    if (every) {
      for (var e = Math.floor(lo); e <= hi; e++) {
        var p = entryAt(plan, e), k = per(p), b = p.batch ? Math.min(p.batch, p.n) : p.n;
        for (i = 0; i < k; i++) add(e + i * b / p.n);
      }
    } else {
      var l0 = Math.log(lo), l1 = Math.log(hi);
      for (i = 0; i < most; i++) {
        var t = Math.exp(l0 + (l1 - l0) * i / (most - 1)), q = entryAt(plan, t), e0 = Math.floor(t);
        var bq = q.batch ? Math.min(q.batch, q.n) : q.n;
        add(e0 + Math.floor((t - e0) * q.n / bq) * bq / q.n);          // the update under way at t
      }
    }
    return { x: x, y: y };
  }

  root.BPSchedules = { FACTORS: FACTORS, factor: factor, entryAt: entryAt, eta: eta, curve: curve };
})(typeof window !== "undefined" ? window : this);
