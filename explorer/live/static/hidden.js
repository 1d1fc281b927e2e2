// The hidden-space view (ConvNetJS's): when a hidden layer has exactly 2 units, the input
// plane's grid lines and the training points as that layer sees them, from the weights in the
// browser. The setup's figure (explorer/figures/hidden_space.py) holds the line's style and
// each group's training points in the input plane (x1, x2); forward.js pushes them through
// the layers. S is view.js's state.
(function (root) {
  "use strict";

  function setup(S, decode) {
    var fig = S.figures.hidden;
    if (!fig) return null;
    var layer = -1;
    for (var l = 1; l < S.L; l++) if (S.sizes[l] === 2) { layer = l; break; }
    if (layer < 0) return null;
    var x1 = [], x2 = [], offsets = [0];
    fig.data.slice(1).forEach(function (t) {            // each group's points, in the input plane
      var x = decode(t.x), y = decode(t.y);
      for (var i = 0; i < x.length; i++) { x1.push(x[i]); x2.push(y[i]); }
      offsets.push(x1.length);
    });
    var fwd = root.BPForward.create({ sizes: S.sizes.slice(0, layer + 1), activations: S.activations.slice(0, layer),
      features: S.features, points: { x1: x1, x2: x2 }, mean: S.mean, scale: S.scale });
    return { layer: layer, fwd: fwd, offsets: offsets, step: (fig.data[0].meta || {}).grid_step || 5,
             templates: fig.data };
  }

  // The figure's traces for the current weights: the grid's lines (every step-th row and column
  // of a^(layer) over the grid, NaN-separated) and each group of points, in the figure's order.
  function traces(S) {
    var h = S.hidden, H = S.acts[h.layer], G = S.fwd.gx, step = h.step, mx = [], my = [], i, j;
    for (i = 0; i < S.fwd.gy; i += step) {             // rows: H[i, :, :]
      for (j = 0; j < G; j++) { mx.push(H[(i * G + j) * 2]); my.push(H[(i * G + j) * 2 + 1]); }
      mx.push(NaN); my.push(NaN);
    }
    for (j = 0; j < G; j += step) {                    // columns: H[:, j, :]
      for (i = 0; i < S.fwd.gy; i++) { mx.push(H[(i * G + j) * 2]); my.push(H[(i * G + j) * 2 + 1]); }
      mx.push(NaN); my.push(NaN);
    }
    var P = h.fwd.run(S.weights.subarray(0, h.fwd.nWeights))[h.layer];
    return h.templates.map(function (tr, k) {
      var out = Object.assign({}, tr);
      if (k === 0) { out.x = mx; out.y = my; return out; }
      var a = h.offsets[k - 1], b = h.offsets[k], px = new Float64Array(b - a), py = new Float64Array(b - a);
      for (var n = a; n < b; n++) { px[n - a] = P[n * 2]; py[n - a] = P[n * 2 + 1]; }
      out.x = px; out.y = py;
      return out;
    });
  }

  root.BPHidden = { setup: setup, traces: traces };
})(typeof window !== "undefined" ? window : this);
