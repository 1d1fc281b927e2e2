// core/histograms.py in the browser: per layer, the histogram of W^(l) and, for each hidden
// layer, of a^(l) over the training points, with the saturated share of the values and the dead
// share of the units. The same edges and counts as core's weight_histograms and
// activation_histograms for one network (tests/test_js_instruments.py proves them equal): edges
// spanning the values (numpy.linspace), counts as numpy.histogram counts against those edges.
// The saturation ranges and the number of bins come in the setup (the activation registry's
// saturated_outside, core.histograms.DEFAULT_BINS): none is written here.
//
// weights: the frame's flat weights (each layer's Wb = [W | b], row-major (S_l, S_{l-1} + 1));
// acts: forward.js's [a^(0), ..., a^(L)] over the points, examples as rows; the first n rows
// are the training points.
(function (root) {
  "use strict";

  // Is σ'(z) = 0 at a = σ(z)? As core's df computes σ' (core/activations.py), keyed by the
  // names in core.ACTIVATIONS that a hidden layer may use: a unit is dead when this holds on
  // every training point. (The test iterates that registry: a new activation needs an entry.)
  var FLAT = {
    sigmoid: function (a) { return (1.0 - a) * a === 0; },     // σ' = (1 − a)·a
    tanh: function (a) { return 1.0 - a * a === 0; },           // 1 − a²
    relu: function (a) { return !(a > 0); },                    // 1 where z > 0, i.e. where a > 0
    leaky_relu: function () { return false; },                  // 1 or the leak, never 0
    linear: function () { return false; }                       // 1
  };

  // (bins + 1) equal-width edges spanning the finite values of a column-less view
  // (get(i) for i < count): core.histograms.shared_edges for one array.
  function edges(get, count, bins) {
    var lo = Infinity, hi = -Infinity;
    for (var i = 0; i < count; i++) {
      var v = get(i);
      if (v - v !== 0) continue;                       // NaN or ±inf
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo > hi) { lo = -0.5; hi = 0.5; }                // no finite value
    else if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }  // a constant set: a unit-wide range around it
    return root.BPForward.linspace(lo, hi, bins + 1);
  }

  // numpy.histogram's counts against edges e: bin i holds e[i] ≤ v < e[i + 1], the last one
  // e[bins - 1] ≤ v ≤ e[bins]; values outside (and NaN) are not counted.
  function counts(get, count, e) {
    var bins = e.length - 1, out = new Int32Array(bins), lo = e[0], hi = e[bins], scale = bins / (hi - lo);
    for (var i = 0; i < count; i++) {
      var v = get(i);
      if (!(v >= lo && v <= hi)) continue;
      var b = Math.floor((v - lo) * scale);          // a guess, then exact against the edges
      if (b > bins - 1) b = bins - 1;
      while (b > 0 && v < e[b]) b--;
      while (b < bins - 1 && v >= e[b + 1]) b++;
      out[b]++;
    }
    return out;
  }

  // Every layer's histograms. spec: {sizes: [S_0, ..., S_L], activations: [name_1, ...],
  // saturated: [[lo, hi] | null per layer], bins, n (training rows)}. Returns one entry per
  // layer l = 1..L: {W: {edges, counts, size}, a: null for the output layer, else {edges,
  // counts, size, saturated (share of the values, or null), dead (share of the units),
  // deadUnits}}.
  function compute(weights, acts, spec) {
    var sizes = spec.sizes, L = sizes.length - 1, n = spec.n, out = [], off = 0;
    for (var l = 1; l <= L; l++) {
      var S = sizes[l], P = sizes[l - 1], row = P + 1, base = off;
      var getW = function (i) { return weights[base + Math.floor(i / P) * row + (i % P)]; };
      var eW = edges(getW, S * P, spec.bins);
      var entry = { W: { edges: eW, counts: counts(getW, S * P, eW), size: S * P }, a: null };
      off += S * row;
      if (l < L) entry.a = activations(acts[l], S, n, spec.activations[l - 1], spec.saturated[l - 1], spec.bins);
      out.push(entry);
    }
    return out;
  }

  // a^(l) over the first n rows (n × S values): its histogram, the share of values outside
  // the saturation range [lo, hi] (null when it has none), the share of units whose σ' is 0 on
  // every row.
  function activations(A, S, n, name, range, bins) {
    var flat = FLAT[name];
    if (!flat) throw new Error("BPHistograms: no slope rule for activation " + name);
    var get = function (i) { return A[i]; }, size = n * S, e = edges(get, size, bins);
    var sat = 0, i;
    if (range) for (i = 0; i < size; i++) if (A[i] < range[0] || A[i] > range[1]) sat++;
    var dead = 0;
    for (var j = 0; j < S; j++) {
      var alive = false;
      for (i = j; i < size; i += S) if (!flat(A[i])) { alive = true; break; }
      if (!alive) dead++;
    }
    return { edges: e, counts: counts(get, size, e), size: size, saturated: range ? sat / size : null,
             dead: dead / S, deadUnits: dead };
  }

  root.BPHistograms = { FLAT: FLAT, edges: edges, counts: counts, compute: compute };
})(typeof window !== "undefined" ? window : this);
