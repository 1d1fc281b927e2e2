// The hidden-space view (frames.hidden_space, ConvNetJS's): when a hidden layer has exactly 2
// units, the input plane's grid lines and the training points as that layer sees them, from
// the weights in the browser. The points are the boundary figure's own training points (the
// setup carries them), pushed through the layers by forward.js. S is view.js's state.
(function (root) {
  "use strict";

  function setup(S, decode) {
    var fig = S.figures.hidden, b = S.figures.boundary;
    if (!fig || !b) return null;
    var layer = -1;
    for (var l = 1; l < S.L; l++) if (S.sizes[l] === 2) { layer = l; break; }
    if (layer < 0) return null;
    var groups = [], dec = decode;
    b.data.forEach(function (t) {
      if (!/^train( class \d+)?$/.test(t.name || "")) return;
      var x = dec(t.x), y = dec(t.y);
      if (S.problem === "classification") { groups.push({ x: x, y: y }); return; }
      // regression: hidden_space splits the points at the median target (the marker colours)
      var c = Array.from(dec(t.marker.color)), med = median(c), lo = { x: [], y: [] }, hi = { x: [], y: [] };
      for (var i = 0; i < c.length; i++) { var g = c[i] > med ? hi : lo; g.x.push(x[i]); g.y.push(y[i]); }
      [lo, hi].forEach(function (g) { if (g.x.length) groups.push(g); });
    });
    if (groups.length !== fig.data.length - 1) return null;    // (not the figure we know: left as sent)
    var x1 = [], x2 = [], offsets = [0];
    groups.forEach(function (g) {
      for (var i = 0; i < g.x.length; i++) { x1.push(g.x[i]); x2.push(g.y[i]); }
      offsets.push(x1.length);
    });
    var fwd = root.BPForward.create({ sizes: S.sizes.slice(0, layer + 1), activations: S.activations.slice(0, layer),
      features: S.features, points: { x1: x1, x2: x2 }, mean: S.mean, scale: S.scale });
    return { layer: layer, fwd: fwd, offsets: offsets };
  }
  function median(a) {
    var s = a.slice().sort(function (p, q) { return p - q; }), n = s.length;
    return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  // The figure's traces for the current weights: the grid's lines (every 5th row and column of
  // a^(layer) over the grid, NaN-separated) and each group of points, in the figure's order.
  function traces(S) {
    var h = S.hidden, fig = S.figures.hidden;
    var H = S.acts[h.layer], G = S.fwd.gx, step = 5, mx = [], my = [], i, j;
    for (i = 0; i < S.fwd.gy; i += step) {             // rows: H[i, :, :]
      for (j = 0; j < G; j++) { mx.push(H[(i * G + j) * 2]); my.push(H[(i * G + j) * 2 + 1]); }
      mx.push(NaN); my.push(NaN);
    }
    for (j = 0; j < G; j += step) {                    // columns: H[:, j, :]
      for (i = 0; i < S.fwd.gy; i++) { mx.push(H[(i * G + j) * 2]); my.push(H[(i * G + j) * 2 + 1]); }
      mx.push(NaN); my.push(NaN);
    }
    var P = h.fwd.run(S.weights.subarray(0, h.fwd.nWeights))[h.layer];
    var data = fig.data.map(function (tr, k) {
      var out = Object.assign({}, tr);
      if (k === 0) { out.x = mx; out.y = my; return out; }
      var a = h.offsets[k - 1], b = h.offsets[k], px = new Float64Array(b - a), py = new Float64Array(b - a);
      for (var n = a; n < b; n++) { px[n - a] = P[n * 2]; py[n - a] = P[n * 2 + 1]; }
      out.x = px; out.y = py;
      return out;
    });
    return data;
  }

  root.BPHidden = { setup: setup, traces: traces };
})(typeof window !== "undefined" ? window : this);
