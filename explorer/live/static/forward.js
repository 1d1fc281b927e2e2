// The network's forward pass over the input grid, in the browser: the same arithmetic as
// core.Network.forward (tests/test_js_forward.py proves it equal to 1e-12), so the server
// sends a few hundred weights per frame instead of images.
//
// Examples are rows, as in core: a^(l) over the grid is a Float64Array of G*G rows of S_l
// values (row-major (N, S_l)); the grid is flattened row by row, x2 outer, x1 inner
// (explorer/training/run.py). Weights arrive flat: each layer's Wb = [W | b], row-major
// (S_l, S_{l-1} + 1), W shaped (S_l, S_{l-1}) as the seeds write it, layers one after another.
//
//   var fwd = BPForward.create({sizes: [F, S_1, ..., S_L], activations: [name_1, ..., name_L],
//                               features: ["x1", "x2"], grid: {x: [min, max, G], y: [min, max, G]},
//                               mean: [...F] or null, scale: [...F] or null});
//   var acts = fwd.run(weights);   // [a^(0) = features, a^(1), ..., a^(L)], reused buffers
//
// Nothing is allocated per call: every buffer is made once in create().
(function (root) {
  "use strict";

  // Each activation turns z (in place) into a = σ(z); rows of width S. Keyed by the names in
  // core.ACTIVATIONS; the test iterates that registry, so a new activation without an entry
  // here fails it.
  // tanh as expm1(2z) / (expm1(2z) + 2): within 2 ulps of Math.tanh and about 3× faster in
  // Chromium (V8's Math.tanh took 70+ ns a call, most of a deep network's frame). Past |z| = 20
  // tanh is ±1 in double precision (1 − tanh(20) ≈ 8e-18 is below half an ulp of 1).
  function tanh(x) {
    if (x > 20) return 1.0;
    if (x < -20) return -1.0;
    var e = Math.expm1(2 * x);
    return e / (e + 2);
  }

  var ACTIVATIONS = {
    // core: 0.5·(1 + tanh(z/2)), in these steps (it never overflows).
    sigmoid: function (z, n) { for (var i = 0; i < n; i++) z[i] = (tanh(z[i] * 0.5) + 1.0) * 0.5; },
    tanh: function (z, n) { for (var i = 0; i < n; i++) z[i] = tanh(z[i]); },
    relu: function (z, n) { for (var i = 0; i < n; i++) { var v = z[i]; z[i] = v > 0 ? v : (v !== v ? v : 0.0); } },
    leaky_relu: function (z, n) { for (var i = 0; i < n; i++) { var v = z[i]; if (!(v > 0)) z[i] = 0.01 * v; } },
    linear: function () {},
    // Row-wise: shift by the row maximum, exponentiate, divide by the row sum.
    softmax: function (z, n, S) {
      for (var r = 0; r < n; r += S) {
        var m = z[r], k;
        for (k = 1; k < S; k++) if (z[r + k] > m) m = z[r + k];
        var s = 0.0;
        for (k = 0; k < S; k++) { var e = Math.exp(z[r + k] - m); z[r + k] = e; s += e; }
        for (k = 0; k < S; k++) z[r + k] /= s;
      }
    }
  };

  // Input features over raw points (x1, x2): core.features.FEATURES, same ids.
  var FEATURES = {
    x1: function (x1, x2) { return x1; },
    x2: function (x1, x2) { return x2; },
    x1sq: function (x1, x2) { return x1 * x1; },
    x2sq: function (x1, x2) { return x2 * x2; },
    x1x2: function (x1, x2) { return x1 * x2; },
    sinx1: function (x1, x2) { return Math.sin(x1); },
    sinx2: function (x1, x2) { return Math.sin(x2); }
  };

  function linspace(a, b, n) {
    // numpy.linspace: start + i·step, the last point exactly b.
    var out = new Float64Array(n), step = (b - a) / (n - 1);
    for (var i = 0; i < n; i++) out[i] = a + i * step;
    out[n - 1] = b;
    return out;
  }

  function fail(msg) { throw new Error("BPForward: " + msg); }

  function create(model) {
    var sizes = model.sizes, acts = model.activations, feats = model.features;
    var L = acts.length;
    if (!sizes || sizes.length !== L + 1) fail("sizes must be [S_0, ..., S_L], one more than activations");
    if (feats.length !== sizes[0]) fail("one feature per input: " + feats.length + " features, S_0 = " + sizes[0]);
    acts.forEach(function (a) {
      if (!ACTIVATIONS[a]) fail("unknown activation " + a + "; known: " + Object.keys(ACTIVATIONS).join(", "));
    });
    feats.forEach(function (f) {
      if (!FEATURES[f]) fail("unknown feature " + f + "; known: " + Object.keys(FEATURES).join(", "));
    });
    // The grid: explicit axes, or the wire's {"x": [min, max, G], "y": [min, max, G]} (numpy.linspace).
    // Or, instead of a grid, any points: model.points = {x1: [...N], x2: [...N]}.
    var g = model.grid, pts = model.points, xs, ys, Gx, Gy;
    if (pts) {
      Gx = pts.x1.length; Gy = 1;
    } else {
      xs = model.xs ? Float64Array.from(model.xs) : linspace(g.x[0], g.x[1], g.x[2]);
      ys = model.ys ? Float64Array.from(model.ys) : linspace(g.y[0], g.y[1], g.y[2]);
      Gx = xs.length; Gy = ys.length;
    }
    var N = Gx * Gy, F = sizes[0];

    // a^(0): the feature matrix (N, F), standardised as the server's Standardizer.
    var A0 = new Float64Array(N * F), mean = model.mean, scale = model.scale;
    for (var r = 0; r < Gy; r++) {
      for (var c = 0; c < Gx; c++) {
        var p = (r * Gx + c) * F;
        var x1 = pts ? pts.x1[c] : xs[c], x2 = pts ? pts.x2[c] : ys[r];
        for (var f = 0; f < F; f++) {
          var v = FEATURES[feats[f]](x1, x2);
          A0[p + f] = mean ? (v - mean[f]) / scale[f] : v;
        }
      }
    }
    var A = [A0], offsets = [], n = 0;
    for (var l = 1; l <= L; l++) {
      A.push(new Float64Array(N * sizes[l]));
      offsets.push(n);
      n += sizes[l] * (sizes[l - 1] + 1);
    }
    var fns = acts.map(function (a) { return ACTIVATIONS[a]; });
    var W64 = new Float64Array(n);     // the weights as doubles: one element type in the hot loop

    // z^(l) = a^(l−1) W^(l)ᵀ + b^(l), then a^(l) = σ_l(z^(l)) in place: one buffer per layer.
    function run(weights) {
      if (weights.length !== n) fail("expected " + n + " weights, got " + weights.length);
      W64.set(weights);
      weights = W64;
      for (var l = 1; l <= L; l++) {
        var S = sizes[l], P = sizes[l - 1], src = A[l - 1], dst = A[l], off = offsets[l - 1], row = P + 1;
        for (var i = 0, pi = 0, pz = 0; i < N; i++, pi += P, pz += S) {
          for (var j = 0, w = off; j < S; j++, w += row) {
            var s = 0.0;
            for (var k = 0; k < P; k++) s += src[pi + k] * weights[w + k];
            dst[pz + j] = s + weights[w + P];
          }
        }
        fns[l - 1](dst, N * S, S);
      }
      return A;
    }

    return { run: run, acts: A, sizes: sizes.slice(), activations: acts.slice(), n: N, gx: Gx, gy: Gy,
             xs: xs, ys: ys, nWeights: n, offsets: offsets };
  }

  root.BPForward = { create: create, ACTIVATIONS: ACTIVATIONS, FEATURES: FEATURES, linspace: linspace, tanh: tanh };
})(typeof window !== "undefined" ? window : this);
