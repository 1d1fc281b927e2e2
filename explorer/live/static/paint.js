// Pictures from grid activations, in the browser: the decision surface and the network
// diagram's neuron tiles and edges, as the Python figures would draw them
// (explorer/figures/boundary.py surface_rgb, network_diagram.py), pixel for pixel up to
// rounding: tests/test_js_forward.py compares them. The colours, the edge styles and which
// layers' tiles are squashed come in the setup message (explorer/live/setup_message.py setup_parts):
// nothing of theme.py is copied here.
//
// Activations are forward.js's: per layer a Float64Array of G*G rows (x2 outer, x1 inner).
(function (root) {
  "use strict";

  function rgb(hex) { return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)]; }

  // The setup's colours ({classes, layers, negative, positive, middle}: "#rrggbb") as used here.
  function palette(colors) {
    return { classes: colors.classes.map(rgb), layers: colors.layers.slice(), neg: rgb(colors.negative),
             pos: rgb(colors.positive), mid: rgb(colors.middle), negHex: colors.negative, posHex: colors.positive };
  }

  // theme.ramp_rgb: t in [0, 1] → the negative colour at 0, the middle at ½, the positive at 1
  // (floats), into out[o..o+2].
  function ramp(t, out, o, pal) {
    var A = pal.neg, M = pal.mid, B = pal.pos;
    t = t < 0 ? 0 : (t > 1 ? 1 : t);      // (NaN stays NaN, as np.clip leaves it)
    if (t < 0.5) {
      var u = 2 * t;
      out[o] = A[0] + (M[0] - A[0]) * u;
      out[o + 1] = A[1] + (M[1] - A[1]) * u;
      out[o + 2] = A[2] + (M[2] - A[2]) * u;
    } else {
      var v = 2 * t - 1;
      out[o] = M[0] + (B[0] - M[0]) * v;
      out[o + 1] = M[1] + (B[1] - M[1]) * v;
      out[o + 2] = M[2] + (B[2] - M[2]) * v;
    }
  }

  // float 0..255 → byte as numpy's clip(...).astype(uint8): truncated, not rounded
  // (a Uint8ClampedArray would round).
  function byte(v) { return v <= 0 ? 0 : (v >= 255 ? 255 : Math.floor(v)); }

  var tmp = new Float64Array(3);

  // boundary.surface_rgb into an RGBA buffer (G*G*4, top row first): out is a^(L) over the
  // grid (N rows of K). problem "classification" | "regression".
  function surface(out, K, gx, gy, problem, discretize, strength, rgba, pal) {
    var N = gx * gy, lim = 1e-9, i, k, o, CLASS_RGB = pal.classes;
    if (K === 1 && problem !== "classification") {
      for (i = 0; i < N; i++) { var m = Math.abs(out[i]); if (m > lim) lim = m; }
    }
    for (var r = 0; r < gy; r++) {
      var dst = (gy - 1 - r) * gx * 4;       // image row 0 is the grid's last row (top)
      for (var c = 0; c < gx; c++, dst += 4) {
        var p = r * gx + c;
        if (K > 1) {
          tmp[0] = tmp[1] = tmp[2] = 0;
          if (discretize) {
            var best = 0;
            for (k = 1; k < K; k++) if (out[p * K + k] > out[p * K + best]) best = k;
            o = CLASS_RGB[best % CLASS_RGB.length];
            tmp[0] = o[0]; tmp[1] = o[1]; tmp[2] = o[2];
          } else {
            for (k = 0; k < K; k++) {
              var w = out[p * K + k], col = CLASS_RGB[k % CLASS_RGB.length];
              tmp[0] += w * col[0]; tmp[1] += w * col[1]; tmp[2] += w * col[2];
            }
          }
        } else {
          var P = out[p], t;
          if (problem === "classification") t = discretize ? (P > 0.5 ? 1 : 0) : P;
          else t = discretize ? (Math.sign(P) + 1) / 2 : (P / lim + 1) / 2;
          ramp(t, tmp, 0, pal);
        }
        rgba[dst] = byte(255 - strength * (255 - tmp[0]));
        rgba[dst + 1] = byte(255 - strength * (255 - tmp[1]));
        rgba[dst + 2] = byte(255 - strength * (255 - tmp[2]));
        rgba[dst + 3] = 255;
      }
    }
    return rgba;
  }

  // network_diagram geometry (column_step, layout_positions): sizes = [S_0, ..., S_L].
  function diagram(sizes, k) {
    var gap = Math.max(2, Math.floor(k / 2)), tallest = Math.max.apply(null, sizes);
    var height = tallest * (k + gap);
    var step = Math.max(k + 3 * gap, Math.trunc((1.6 * height - k) / Math.max(sizes.length - 1, 1)));
    var pos = sizes.map(function (n, c) {
      var top = Math.floor((tallest - n) * (k + gap) / 2), rows = [];
      for (var u = 0; u < n; u++) rows.push([top + u * (k + gap), c * step]);
      return rows;
    });
    // centres (x, y) in the figure's axes, y up
    var centers = pos.map(function (col) {
      return col.map(function (p) { return [p[1] + k / 2, -(p[0] + k / 2)]; });
    });
    return { k: k, gap: gap, H: height, W: (sizes.length - 1) * step + k, step: step, pos: pos, centers: centers };
  }

  // setup_message.neuron_tiles + network_figure's mosaic into an RGBA buffer (H*W*4):
  // acts[l] (G*G rows of sizes[l]); squash[l - 1]: layer l's outputs are in (0, 1), drawn as
  // 2a − 1 (setup_message.squashed), else each tile is scaled by its largest |a| above 1.
  function mosaic(acts, sizes, squashed, gx, stride, geo, rgba, pal) {
    var k = geo.k, W = geo.W, H = geo.H, i;
    for (i = 0; i < rgba.length; i++) rgba[i] = 255;
    var vals = new Float64Array(k * k);   // one tile (small; per call)
    for (var l = 0; l < sizes.length; l++) {
      var S = sizes[l], a = acts[l];
      var squash = l > 0 && !!squashed[l - 1];
      for (var u = 0; u < S; u++) {
        var mx = 0;
        for (var r = 0; r < k; r++) {
          for (var c = 0; c < k; c++) {
            var v = a[((r * stride) * gx + c * stride) * S + u];
            vals[r * k + c] = v;
            var m = Math.abs(v);
            if (m > mx) mx = m;
          }
        }
        var scale = mx > 1 ? mx : 1;
        var top = geo.pos[l][u][0], left = geo.pos[l][u][1];
        for (r = 0; r < k; r++) {
          var row = (top + (k - 1 - r)) * W + left;     // tile rows go up, image rows down
          for (c = 0; c < k; c++) {
            var t = squash ? 2 * vals[r * k + c] - 1 : vals[r * k + c] / scale;
            ramp((t + 1) / 2, tmp, 0, pal);
            var o = (row + c) * 4;
            rgba[o] = byte(tmp[0]); rgba[o + 1] = byte(tmp[1]); rgba[o + 2] = byte(tmp[2]); rgba[o + 3] = 255;
          }
        }
      }
    }
    return rgba;
  }

  // Draws edges and the tile mosaic onto ctx, with x(px) = fx(x), y(px) = fy(y) in the
  // diagram's axes. weights: flat [W | b] per layer (forward.js's layout). edges:
  // network_diagram.EDGE_STYLE ({bins, width: [a, b], opacity: [a, b]}: a + b·bin of |w| / max|w|).
  function drawDiagram(ctx, geo, sizes, weights, tileCanvas, fx, fy, pal, edges) {
    var x0 = fx(0), y0 = fy(0), x1 = fx(geo.W), y1 = fy(-geo.H);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tileCanvas, x0, y0, x1 - x0, y1 - y0);
    var L = sizes.length - 1, off = 0, wmax = 0, l, j, i;
    for (l = 1; l <= L; l++) {
      var P = sizes[l - 1];
      for (j = 0; j < sizes[l]; j++) for (i = 0; i < P; i++) {
        var m = Math.abs(weights[off + j * (P + 1) + i]);
        if (m > wmax) wmax = m;
      }
      off += sizes[l] * (P + 1);
    }
    if (!(wmax > 0)) wmax = 1;
    var half = geo.k / 2;
    ctx.lineCap = "butt";
    // one path per (sign, bin), drawn thin to thick as the Python figure's sorted traces
    var BINS = edges.bins;
    for (var sign = 0; sign < 2; sign++) {
      for (var b = 0; b < BINS; b++) {
        var any = false;
        ctx.beginPath();
        off = 0;
        for (l = 1; l <= L; l++) {
          P = sizes[l - 1];
          var src = geo.centers[l - 1], dst = geo.centers[l];
          for (j = 0; j < sizes[l]; j++) for (i = 0; i < P; i++) {
            var w = weights[off + j * (P + 1) + i];
            if ((w >= 0 ? 1 : 0) !== sign) continue;
            var bin = Math.min(Math.floor(Math.abs(w) / wmax * BINS), BINS - 1);
            if (bin !== b) continue;
            ctx.moveTo(fx(src[i][0] + half), fy(src[i][1]));
            ctx.lineTo(fx(dst[j][0] - half), fy(dst[j][1]));
            any = true;
          }
          off += sizes[l] * (P + 1);
        }
        if (!any) continue;
        ctx.globalAlpha = edges.opacity[0] + edges.opacity[1] * b;
        ctx.lineWidth = edges.width[0] + edges.width[1] * b;
        ctx.strokeStyle = sign ? pal.posHex : pal.negHex;
        ctx.stroke();
      }
    }
    ctx.globalAlpha = 1;
  }

  root.BPPaint = { palette: palette, surface: surface, mosaic: mosaic, diagram: diagram, drawDiagram: drawDiagram,
                   ramp: ramp };
})(typeof window !== "undefined" ? window : this);
