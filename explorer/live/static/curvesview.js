// The live curves figure, drawn: the setup's lines filled with the kept points (curves.js).
// While training runs, plotly keeps the axes (ranged here, redrawn only when a line leaves
// them) and the lines are stroked on a canvas over them every frame (curvelines.js); paused,
// plotly draws the lines, so hover shows the values. A zoom by hand keeps its ranges until a
// double click (autorange) gives the ranging back.
//
// env (view.js): {C: LiveCore, live: window.__live, react(name) -> promise, state() -> the
// current S (a new setup replaces it: work for an old one stops)}.
(function (root) {
  "use strict";

  async function draw(S, env) {
    var t = performance.now(), fig = S.figures.curves, div = env.C.cells.curves, lines = root.BPCurveLines;
    S.dirtyCurves = false;
    S.curvesAt = t;
    var traces = root.BPCurves.traces(S);
    S.curveTraces = traces;
    var onCanvas = S.running && root.BPPlotly.drawn(div);
    var ranged = !S.curvesZoom && lines.range(fig.layout, traces, S.curveAxes);
    if (onCanvas) {
      if (ranged || !S.curvesOnCanvas) {
        S.curvesOnCanvas = true;
        fig.layout.datarevision = (fig.layout.datarevision | 0) + 1;
        fig.data = lines.emptied(traces);
        await env.react("curves");
      }
      if (env.state() === S) stroke(S, env);
    } else {
      S.curvesOnCanvas = false;
      clear(S);
      fig.layout.datarevision = (fig.layout.datarevision | 0) + 1;
      fig.data = traces;
      await env.react("curves");
    }
    if (env.state() !== S) return;
    env.live.figMs.curves = S.curvesCost = performance.now() - t;
    env.live.curveRenders = (env.live.curveRenders | 0) + 1;
    // the hidden space (hidden.js) moves with the curves: at most as often while training runs
    var hiddenWait = S.hiddenAt + Math.max(root.BPView.curvesMs, 4 * (env.live.figMs.hidden || 0)) - performance.now();
    if (S.dirtyHidden && (!S.running || hiddenWait <= 0)) await root.BPPictures.drawHidden(S, env);
  }

  // A frame's curves. While training runs, plotly redraws them at most every BPView.curvesMs
  // (a line chart redraws whole: axes, ticks, text, ~20 ms here; or 4× its last cost). On the
  // canvas the lines take under a millisecond to stroke, but the browser composites the
  // row-wide canvas anew each time (at max speed that cost 14 of 60 frames a second here):
  // at most every BPView.canvasMs (every frame at 20 a second). A timer draws the last state
  // when no frame follows.
  function frame(S, env) {
    var V = root.BPView, every = S.curvesOnCanvas ? V.canvasMs : Math.max(V.curvesMs, 4 * (S.curvesCost || 0));
    var wait = S.curvesAt + every - performance.now();
    if (!S.running || wait <= 0) return draw(S, env);
    if (!S.curvesTimer) {
      S.curvesTimer = setTimeout(function () {
        S.curvesTimer = null;
        if (env.state() === S && S.dirtyCurves) draw(S, env);
      }, wait + 20);
    }
  }

  function stroke(S, env) {
    var div = env.C.cells.curves;
    if (!root.BPPlotly.drawn(div) || !S.curveTraces) return;
    if (!div._bpCurvesHooked) {                // plotly redrew (zoom, pan, resize): the lines again
      div._bpCurvesHooked = true;
      div.on("plotly_afterplot", function () {
        var now = env.state();
        if (now && now.curvesOnCanvas && div === env.C.cells.curves) stroke(now, env);
      });
      // A zoom by hand keeps its ranges; a double click (autorange) gives the ranging back.
      // (Nothing here relayouts the curves' ranges itself except restoreRanges.)
      div.on("plotly_relayout", function (ev) {
        var now = env.state();
        if (!now || !ev || now.restoringRanges || div !== env.C.cells.curves) return;
        var keys = Object.keys(ev);
        if (keys.some(function (k) { return /^[xy]axis\d*\.autorange$/.test(k); })) restoreRanges(now, div, env);
        else if (keys.some(function (k) { return /^[xy]axis\d*\.range/.test(k); })) now.curvesZoom = true;
      });
    }
    var o = root.BPPlotly.overlay(div, S.curveCanvas);
    if (!o) return;
    S.curveCanvas = o.canvas;
    root.BPCurveLines.stroke(o.ctx, div, S.curveTraces);
  }

  // After a double click, plotly autoranged over traces that may hold no points: put the
  // ranges the lines need back (through plotly, so its layout and this figure's agree).
  function restoreRanges(S, div, env) {
    S.curvesZoom = false;
    var fig = S.figures.curves, update = {};
    Object.keys(S.curveAxes).forEach(function (k) { if (fig.layout[k]) fig.layout[k].range = null; });
    root.BPCurveLines.range(fig.layout, S.curveTraces || [], S.curveAxes);
    Object.keys(S.curveAxes).forEach(function (k) {
      update[k + ".range"] = fig.layout[k].range;
      update[k + ".autorange"] = false;
    });
    S.restoringRanges = true;
    function done() { S.restoringRanges = false; }
    Promise.resolve(Plotly.relayout(div, update)).then(done, done);
  }

  function clear(S) {
    var cv = S.curveCanvas;
    if (cv) cv.getContext("2d").clearRect(0, 0, cv.width, cv.height);
  }

  // A setup replaced S: its canvas and timer go.
  function drop(S) {
    if (S.curveCanvas) S.curveCanvas.remove();
    if (S.curvesTimer) clearTimeout(S.curvesTimer);
  }

  root.BPCurvesView = { draw: draw, frame: frame, stroke: stroke, drop: drop };
})(typeof window !== "undefined" ? window : this);
