// The metrics of the live instruments, computed in the browser from the network's output over
// the points (forward.js pushes them through with the frame's weights): a confusion matrix with
// precision and recall per class, or R² and RMSE for regression. The definitions are core's
// (core/metrics.py: accuracy, r2; Network.predict); tests/test_js_instruments.py proves these
// equal to core's and to scikit-learn's confusion_matrix, precision and recall.
//
// out is a^(L) over the points: a Float64Array of N rows of K values (examples are rows, as in
// core); a split is the rows lo..hi-1 (the training points first, then the test points).
(function (root) {
  "use strict";

  // The class row n predicts (Network.predict): one output unit, class 1 when a > ½ (exactly ½
  // is class 0, as core.metrics.accuracy compares a > 0.5); K units, the first largest
  // (numpy's argmax).
  function predicted(out, K, n) {
    var p = n * K;
    if (K === 1) return out[p] > 0.5 ? 1 : 0;
    var best = 0;
    for (var k = 1; k < K; k++) if (out[p + k] > out[p + best]) best = k;
    return best;
  }

  // The confusion matrix of rows lo..hi-1 against their true classes labels[n] (0..classes-1):
  //   C[i * classes + j] = how many points of true class i the network puts in class j
  //   (rows true, columns predicted, as scikit-learn's confusion_matrix);
  //   precision[j] = C[j, j] / Σ_i C[i, j] and recall[i] = C[i, i] / Σ_j C[i, j] (NaN when that
  //   sum is 0); accuracy = Σ_i C[i, i] / n (NaN with no rows).
  // pred (Int32Array, one per row, optional) gets each row's predicted class: what a click on a
  // cell rings.
  function confusion(out, K, labels, lo, hi, classes, pred) {
    var C = new Float64Array(classes * classes), n = hi - lo, correct = 0, i, j;
    for (var r = lo; r < hi; r++) {
      var p = predicted(out, K, r), t = labels[r];
      if (pred) pred[r] = p;
      C[t * classes + p] += 1;
      if (p === t) correct++;
    }
    var precision = new Float64Array(classes), recall = new Float64Array(classes);
    for (i = 0; i < classes; i++) {
      var row = 0, col = 0;
      for (j = 0; j < classes; j++) { row += C[i * classes + j]; col += C[j * classes + i]; }
      recall[i] = row > 0 ? C[i * classes + i] / row : NaN;
      precision[i] = col > 0 ? C[i * classes + i] / col : NaN;
    }
    return { C: C, classes: classes, n: n, correct: correct, accuracy: n > 0 ? correct / n : NaN,
             precision: precision, recall: recall };
  }

  // Row-normalised: each row of C over its sum (a row with no points stays 0).
  function normalised(cm) {
    var k = cm.classes, out = new Float64Array(k * k);
    for (var i = 0; i < k; i++) {
      var s = 0, j;
      for (j = 0; j < k; j++) s += cm.C[i * k + j];
      for (j = 0; j < k; j++) out[i * k + j] = s > 0 ? cm.C[i * k + j] / s : 0;
    }
    return out;
  }

  // Regression (one output unit) over rows lo..hi-1 against targets[n]: core.metrics.r2,
  // 1 − SS_res / SS_tot (NaN with fewer than 2 rows or constant targets), and
  // RMSE = √(SS_res / n) (NaN with no rows).
  function regression(out, targets, lo, hi) {
    var n = hi - lo, mean = 0, r;
    for (r = lo; r < hi; r++) mean += targets[r];
    mean /= n;
    var res = 0, tot = 0;
    for (r = lo; r < hi; r++) {
      var e = targets[r] - out[r], d = targets[r] - mean;
      res += e * e;
      tot += d * d;
    }
    return { n: n, r2: n < 2 || !(tot > 0) ? NaN : 1 - res / tot, rmse: n > 0 ? Math.sqrt(res / n) : NaN };
  }

  root.BPMetrics = { predicted: predicted, confusion: confusion, normalised: normalised, regression: regression };
})(typeof window !== "undefined" ? window : this);
