// Everything this client reads of plotly.js that is not its public API, in one place: the
// drawn layout (gd._fullLayout: the plot's size, each axis's pixel offset and length and its
// data <-> pixel maps) and where an element can go under the plot or between the plot and
// the hover layer. Plotly has no public API for these. TESTED lists the plotly.js versions
// they were checked against: tests/test_browser_channel.py::test_the_plotly_seam fails when
// an upgrade moves them.
(function (root) {
  "use strict";

  var TESTED = ["4.1.1"];

  function version() { return root.Plotly ? root.Plotly.version : null; }
  var tested = TESTED.indexOf(version()) >= 0;
  if (!tested && root.Plotly) console.warn("plotlyseam.js: written for plotly.js " + TESTED.join(", ") + ", not " + version());

  // Has plotly drawn this div (its layout computed)?
  function drawn(div) { return !!(div && div._fullLayout); }

  // The drawn plot's size in CSS px, or null.
  function size(div) {
    var fl = div && div._fullLayout;
    return fl ? { width: fl.width, height: fl.height } : null;
  }

  // One axis of a drawn plot ("xaxis", "yaxis3", ...), or null: its plot area's offset and
  // length in px from the div's top left; toPx(v) and fromPx(px) map a value in the axis's
  // linear units (log10 of the value on a log axis) to px from the div's edge and back.
  function axis(div, key) {
    var ax = div && div._fullLayout && div._fullLayout[key];
    if (!ax || !ax._length) return null;
    var off = ax._offset;
    return { offset: off, length: ax._length, type: ax.type, range: ax.range,
             toPx: function (v) { return off + ax.l2p(v); }, fromPx: function (px) { return ax.p2l(px - off); } };
  }

  // An element under a drawn plot's SVG layers (first in its container; the plot's own
  // backgrounds must be transparent to show it). False while the plot is not drawn.
  function underlay(div, el) {
    var container = div && div.querySelector(".svg-container");
    if (!container) return false;
    if (container.firstChild !== el) container.insertBefore(el, container.firstChild);
    return true;
  }

  // A canvas over a drawn plot (above its plot, below its hover layer), sized to it and
  // cleared; its 2-D context draws in CSS px. cv: the plot's canvas so far, if any.
  function overlay(div, cv) {
    var box = size(div), container = div.querySelector(".svg-container");
    if (!box || !container) return null;
    if (!cv || cv.parentNode !== container) {
      if (cv) cv.remove();
      cv = document.createElement("canvas");
      cv.className = "overlay";
      var svgs = container.querySelectorAll("svg.main-svg");
      container.insertBefore(cv, svgs.length > 1 ? svgs[1] : null);
    }
    var dpr = window.devicePixelRatio || 1, w = box.width, h = box.height;
    if (cv.width !== Math.round(w * dpr) || cv.height !== Math.round(h * dpr)) {
      cv.width = Math.round(w * dpr);
      cv.height = Math.round(h * dpr);
      cv.style.width = w + "px";
      cv.style.height = h + "px";
    }
    var ctx = cv.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    return { canvas: cv, ctx: ctx };
  }

  root.BPPlotly = { TESTED: TESTED, tested: tested, version: version, drawn: drawn, size: size, axis: axis,
                    underlay: underlay, overlay: overlay };
})(typeof window !== "undefined" ? window : this);
