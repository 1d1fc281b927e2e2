"""The live view over its own WebSocket (explorer/live/channel), in headless Chromium.

The page trains over the socket: frames arrive, the page acks those that ask (one in four at a
paced speed: wire.py, Pacing) as it draws them, the browser
computes the surface and the tiles from the weights (view.js), zoom survives the
updates, no sampled animation frame shows a chart missing, Pause brings a last frame
that says paused, Step trains exactly one epoch. And when no socket can be opened, the
page says so in one line and falls back to Streamlit updates.
"""
from __future__ import annotations

import re
import time

import pytest

from explorer.live.channel import wire
from tests.browser import browser_page, live_frame, wait_live
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

STATE = """() => ({channel: __live.channel, setups: __live.setups, frames: __live.frames,
  renders: __live.renders, acks: __live.acks, acked: __live.acked, errors: __live.errors,
  lastError: __live.lastError || null, extra: __live.extra, statuses: __live.statuses,
  curves: __live.curveRenders || 0})"""

# Every animation frame for a while: is each chart whole? (boundary: its surface canvas, under the plot;
# network: the tiles-and-edges canvas; curves: its lines, on plotly's SVG or on the canvas.)
SAMPLE = """async (ms) => {
  const cells = LiveCore.cells, out = {frames: 0, bad: 0, surfaces: new Set(), why: []};
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    await new Promise(r => requestAnimationFrame(r));
    out.frames++;
    const cv = cells.boundary && cells.boundary.querySelector('.svg-container > div.underlay > canvas');
    const shown = cv && cv.width > 0 && cv.getBoundingClientRect().width > 0;
    const ov = cells.network && cells.network.querySelector('canvas.overlay');
    // (while training runs the lines are on a canvas over plotly's axes: curvelines.js)
    const onCanvas = BPView.state() && BPView.state().curvesOnCanvas;
    const lines = cells.curves && (onCanvas ? !!cells.curves.querySelector('canvas.overlay')
                                            : cells.curves.querySelectorAll('.scatterlayer .trace path.js-line').length);
    const bad = !shown ? 'no surface' : !ov ? 'no network canvas' : !lines ? 'no curves' : null;
    if (bad) { out.bad++; if (out.why.length < 5) out.why.push(bad); }
    if (shown) { const d = cv.toDataURL(); out.surfaces.add(d.length + ':' + d.slice(-40)); }
  }
  out.surfaces = out.surfaces.size;
  return out;
}"""


def wait_channel(page, timeout_s: float = 120):
    """The live iframe once the channel's setup and first frame are drawn."""
    return wait_live(page, timeout_s, "window.__live && __live.setups > 0 && __live.renders > 0")


def epoch(frame) -> int:
    return int(re.sub(r"\D", "", frame.locator(".epoch-counter .epoch").inner_text()))


RANGES = "[BPPlotly.axis(LiveCore.cells.boundary, 'xaxis').range, BPPlotly.axis(LiveCore.cells.boundary, 'yaxis').range]"

# Where the surface canvas is, against where plotly would draw the figure's (hidden) layout image
# on the axes as they are: its clip box on the plot area, the canvas on the image's rectangle (px).
PLACED = """() => { const div = LiveCore.cells.boundary, img = BPView.state().figures.boundary.layout.images[0];
  const xa = BPPlotly.axis(div, 'xaxis'), ya = BPPlotly.axis(div, 'yaxis');
  const box = div.querySelector('.svg-container > div.underlay'), cv = box.querySelector('canvas');
  const d = div.getBoundingClientRect(), b = box.getBoundingClientRect(), c = cv.getBoundingClientRect();
  return [b.left - d.left - xa.offset, b.top - d.top - ya.offset, b.width - xa.length, b.height - ya.length,
          c.left - d.left - xa.toPx(img.x), c.top - d.top - ya.toPx(img.y),
          c.right - d.left - xa.toPx(img.x + img.sizex), c.bottom - d.top - ya.toPx(img.y - img.sizey),
          img.visible === false ? 0 : 1]; }"""


def assert_zoomed(frame, zoomed):
    """The boundary still shows the zoomed ranges (y as plotly fitted it to x: scaleanchor)."""
    rng = frame.evaluate(RANGES)
    assert abs(rng[0][0] + 1) < 1e-6 and abs(rng[0][1] - 1) < 1e-6, rng
    assert all(abs(a - b) < 1e-6 for a, b in zip(rng[1], zoomed[1])), (rng, zoomed)


def test_trains_over_the_socket(server):
    with browser_page() as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server)
        frame = wait_channel(page)
        s = frame.evaluate(STATE)
        assert s["channel"] == "open" and s["errors"] == 0, s
        assert epoch(frame) == 0
        # Zoom into the boundary before Play (by script, which plotly does not record as a
        # GUI edit): the range must survive Play, the updates and Pause.
        frame.evaluate("Plotly.relayout(LiveCore.cells.boundary, {'xaxis.range': [-1, 1], 'yaxis.range': [-1, 1]})")
        zoomed = frame.evaluate(RANGES)

        frame.locator("#top button.primary").click()            # Play (in the component)
        frame.wait_for_function("__live.extra.running && __live.extra.epoch > 0", timeout=30_000)
        a = frame.evaluate(STATE)
        # frames arrive (how fast is bench_live_app's to say: here only that 20 more do come)...
        frame.wait_for_function(f"__live.frames >= {a['frames'] + 20}", timeout=60_000)
        b = frame.evaluate(STATE)
        # ...and the page acks one in wire.ACK_EVERY at this paced speed (the frames that ask)
        frames, acks = b["frames"] - a["frames"], b["acks"] - a["acks"]
        assert frames // wire.ACK_EVERY - 2 <= acks <= frames // wire.ACK_EVERY + 2, (frames, acks)
        assert b["extra"].get("epoch", -1) > a["extra"].get("epoch", -1)   # (no status yet: -1)
        assert b["curves"] > a["curves"]                          # the curves follow

        # The zoom survived, and the surface still changes under it.
        sample = frame.evaluate(SAMPLE, 2500)
        assert_zoomed(frame, zoomed)
        assert sample["bad"] == 0, sample
        assert sample["surfaces"] >= 5, sample                    # the surface is repainted
        placed = frame.evaluate(PLACED)                           # ...where the zoomed axes put it
        assert all(abs(v) <= 1 for v in placed), placed
        page.screenshot(path=str(ARTIFACTS / "channel_running.png"), full_page=True)

        # Pause: a last frame that says paused arrives, then nothing more.
        t0 = time.time()
        frame.locator("#top button.primary").click()
        frame.wait_for_function("__live.extra.running === false", timeout=5_000)
        pause_s = time.time() - t0
        page.wait_for_timeout(800)
        c = frame.evaluate(STATE)
        page.wait_for_timeout(1000)
        d = frame.evaluate(STATE)
        assert d["extra"]["epoch"] == c["extra"]["epoch"] and d["frames"] == c["frames"], (c, d)
        assert epoch(frame) == d["extra"]["epoch"]
        assert frame.locator("#top button.primary").inner_text() == "Play"
        assert_zoomed(frame, zoomed)
        assert frame.evaluate("LiveCore.cells.network.data.length") == 2     # hover markers back
        print(f"Pause → last frame: {pause_s * 1000:.0f} ms (includes Playwright's round trips)")

        # Step epoch: exactly one more.
        before = epoch(frame)
        frame.get_by_role("button", name="Step epoch").click()
        frame.wait_for_function(f"__live.extra.epoch === {before + 1}", timeout=10_000)
        page.wait_for_timeout(500)
        assert epoch(frame) == before + 1
        final = frame.evaluate(STATE)
        assert final["errors"] == 0 and final["channel"] == "open", final
        assert not errors, errors


# As a proxy that blocks WebSockets: the component's scripts see a WebSocket that cannot open.
BLOCK_SOCKETS = "window.WebSocket = function () { throw new Error('blocked by the test, as a proxy would'); };\n"


def block_sockets(route):
    response = route.fetch()
    route.fulfill(response=response, body=BLOCK_SOCKETS + response.text())


def test_falls_back_when_no_socket_opens(server):
    with browser_page() as page:
        page.route("**/component/**/channel.js", block_sockets)
        page.goto(server)
        page.get_by_text("could not be opened").wait_for(timeout=60_000)
        assert page.get_by_text("could not be opened").count() == 1      # said once, in one line
        deadline = time.time() + 60
        frame = None
        while time.time() < deadline:             # the same client draws the fallback's messages
            frame = live_frame(page)
            try:
                if frame is not None and frame.evaluate("__live.renders > 0 && !!LiveCore.cells.boundary"):
                    break
            except Exception:
                pass
            page.wait_for_timeout(300)
        else:
            raise AssertionError("the fallback never drew the charts")
        page.screenshot(path=str(ARTIFACTS / "channel_fallback.png"), full_page=True)


def test_hidden_space_follows_the_weights(server):
    """A 2-unit hidden layer: the hidden-space view is computed in the browser and moves."""
    with browser_page() as page:
        page.goto(server + "/?layers=2:tanh")
        frame = wait_channel(page)
        mesh = "LiveCore.cells.hidden.data[0].x.slice(0, 50).join(',')"
        before = frame.evaluate(mesh)
        frame.locator("#top button.primary").click()
        frame.wait_for_function("__live.figMs.hidden !== undefined && __live.extra.epoch > 20", timeout=30_000)
        frame.locator("#top button.primary").click()
        frame.wait_for_function("__live.extra.running === false", timeout=10_000)
        page.wait_for_timeout(500)
        assert frame.evaluate(mesh) != before
        assert frame.evaluate("LiveCore.cells.hidden.data.length") >= 3       # lines + both classes
        # every training point drawn where the layer sees it (320 of the flower's 400: 20 % test)
        assert frame.evaluate("LiveCore.cells.hidden.querySelectorAll('.point').length") == 320
        assert frame.evaluate("__live.errors") == 0


def test_draw_reports_clicks_in_data_coordinates(server):
    """With Draw on, a click in the boundary's empty space is reported in the plot's data
    coordinates (the page adds a point there: the data changes and a new setup arrives)."""
    with browser_page() as page:
        page.goto(server)
        frame = wait_channel(page)
        page.get_by_text("Draw", exact=True).first.click()
        frame.wait_for_function("LiveCore.cells.boundary.classList.contains('drawing')", timeout=20_000)
        # The page may still be settling its layout (a new chart height, a new setup): click once
        # the boundary is drawn at its cell's size and that held for half a second.
        settled = ("(() => { const d = LiveCore.cells.boundary, s = BPPlotly.size(d);"
                   " return s && s.width === d.clientWidth && s.height === d.clientHeight; })()")
        for _ in range(2):
            frame.wait_for_function(settled, timeout=20_000)
            page.wait_for_timeout(500)
        setups = frame.evaluate("__live.setups")
        xa = frame.evaluate("(() => { const d = LiveCore.cells.boundary, a = BPPlotly.axis(d, 'xaxis'),"
                            " b = BPPlotly.axis(d, 'yaxis'); return [a.offset, a.length, b.offset, b.length, a.range, b.range]; })()")
        box = frame.locator("#chart-boundary").bounding_box()
        # the plane's point (1.0, -1.0), through the axes' own ranges
        (x0, x1), (y0, y1) = xa[4], xa[5]
        px = box["x"] + xa[0] + (1.0 - x0) / (x1 - x0) * xa[1]
        py = box["y"] + xa[2] + (y1 - (-1.0)) / (y1 - y0) * xa[3]
        page.mouse.click(px, py)
        frame.wait_for_function("__live.clicks >= 1", timeout=10_000)
        x, y = frame.evaluate("__live.lastClick")
        assert abs(x - 1.0) < 0.1 and abs(y + 1.0) < 0.1, (x, y)
        frame.wait_for_function(f"__live.setups > {setups}", timeout=20_000)    # the page took the point


def test_a_refused_token_stops_the_retries(server):
    """A token the server does not know (a restarted server, an old page) is closed with 4403:
    channel.js reports "expired" once and does not retry; a good token reports "open" only
    after the server's setup (not when the socket merely opens)."""
    with browser_page() as page:
        page.goto(server)
        frame = wait_channel(page)
        assert frame.evaluate("__live.states") == ["open"]
        frame.evaluate("""window.__states = [];
          BPChannel.open({route: '/live/ws', token: 'not-a-token', onState: s => __states.push(s)})""")
        frame.wait_for_function("__states.includes('expired')", timeout=15_000)
        page.wait_for_timeout(2000)
        assert frame.evaluate("__states") == ["expired"]


def test_frame_decoding_matches_the_wire_format():
    """channel.js reads explorer.live.channel.wire.encode_frame's bytes field for field (the
    38-byte packed header, float32 weights, points and the latest gradients)."""
    import base64
    from pathlib import Path

    import numpy as np

    from explorer.live.channel import wire

    rng = np.random.default_rng(0)
    L = 3
    weights = rng.normal(size=41).astype(np.float32)
    points = rng.normal(size=(4, 5 + 2 * L)).astype(np.float32)
    grads = rng.random(2 * L).astype(np.float32)
    data = wire.encode_frame(17, 12345, wire.FLAG_RUNNING | wire.FLAG_WEIGHTS | wire.FLAG_ACK, 32,
                             (0.5, 0.75, float("nan"), float("nan")), weights, points, grads)
    empty = wire.encode_frame(1, 0, 0, 64, (float("nan"),) * 4, weights[:3], np.zeros((0, 0)), np.zeros(0))
    old = bytearray(empty)
    old[9] = 1                      # a frame of a version 1 server (a rolling update): it wants each acked
    js = (Path(__file__).resolve().parents[1] / "explorer" / "live" / "static" / "channel.js").read_text()
    with browser_page(400, 300) as page:
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(content=js)
        got = page.evaluate("""(bufs) => bufs.map(b => {
          const f = BPChannel.decodeFrame(Uint8Array.from(atob(b), c => c.charCodeAt(0)).buffer);
          return {seq: f.seq, epoch: f.epoch, running: f.running, hasTest: f.hasTest, weightsChanged: f.weightsChanged,
                  asksAck: f.asksAck, version: f.version, perOctave: f.perOctave, latest: f.latest.map(v => v === v ? v : null),
                  weights: Array.from(f.weights), points: Array.from(f.points), nPoints: f.nPoints,
                  width: f.pointWidth, grads: Array.from(f.grads)};
        })""", [base64.b64encode(d).decode() for d in (data, empty, bytes(old))])
    f, e, o = got
    assert (f["seq"], f["epoch"], f["running"], f["hasTest"], f["weightsChanged"], f["asksAck"], f["version"],
            f["perOctave"]) == (17, 12345, True, False, True, True, wire.WIRE_VERSION, 32)
    assert not e["asksAck"] and o["asksAck"] and o["version"] == 1
    assert f["latest"] == [0.5, 0.75, None, None]
    assert np.array_equal(np.float32(f["weights"]), weights)
    assert (f["nPoints"], f["width"]) == (4, 5 + 2 * L)
    assert np.array_equal(np.float32(f["points"]).reshape(4, -1), points)
    assert np.array_equal(np.float32(f["grads"]), grads)
    assert (e["nPoints"], e["points"], e["grads"], len(e["weights"])) == (0, [], [], 3)


def _line_pixels(png: bytes):
    """Where a curve is drawn in a screenshot of the curves chart: the strongly coloured
    pixels (the grid, the axes and the text are grey)."""
    import io

    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return (rgb.max(axis=2) - rgb.min(axis=2)) > 60


def test_the_curves_canvas_draws_plotlys_lines(server):
    """While training runs, curvelines.js strokes the curves on a canvas over plotly's axes;
    paused, plotly draws them. Both are drawn here from the same points and axes: the canvas's
    line pixels lie on plotly's (within 2 px), and cover them."""
    import numpy as np
    from scipy.ndimage import binary_dilation

    with browser_page() as page:
        page.goto(server)
        frame = wait_channel(page)
        frame.locator("#top button.primary").click()                       # Play
        frame.wait_for_function("__live.extra.epoch > 150 && BPView.state().curvesOnCanvas", timeout=60_000)
        frame.locator("#top button.primary").click()                       # Pause: plotly's lines
        frame.wait_for_function("__live.extra.running === false && !BPView.state().curvesOnCanvas", timeout=10_000)
        page.wait_for_timeout(800)
        cell = frame.locator("#chart-curves")
        plotly_png = cell.screenshot()
        # The same traces on the canvas, plotly's hidden (what a running frame shows).
        frame.evaluate("""() => { const S = BPView.state(), div = LiveCore.cells.curves;
            div.querySelectorAll('.scatterlayer').forEach(e => e.style.visibility = 'hidden');
            const o = BPPlotly.overlay(div, div.querySelector('canvas.overlay'));
            BPCurveLines.stroke(o.ctx, div, S.curveTraces); }""")
        page.wait_for_timeout(300)
        canvas_png = cell.screenshot()
        (ARTIFACTS / "curves_plotly.png").write_bytes(plotly_png)
        (ARTIFACTS / "curves_canvas.png").write_bytes(canvas_png)
    a, b = _line_pixels(plotly_png), _line_pixels(canvas_png)
    assert a.sum() > 2000 and b.sum() > 2000, (a.sum(), b.sum())           # both drew lines
    near = np.ones((5, 5), bool)
    on_plotly = (b & binary_dilation(a, near)).sum() / b.sum()            # canvas pixels on plotly's lines
    covered = (a & binary_dilation(b, near)).sum() / a.sum()              # plotly's pixels the canvas drew
    assert on_plotly > 0.97 and covered > 0.97, (on_plotly, covered)


SEAM = """async () => {
  const div = document.getElementById('p');
  await Plotly.newPlot(div, [{x: [1, 10, 100], y: [0, 1, 2], type: 'scatter'}],
    {width: 500, height: 400, margin: {l: 50, r: 10, t: 20, b: 30}, xaxis: {type: 'log', range: [0, 2]},
     yaxis: {range: [0, 2]}});
  const xa = BPPlotly.axis(div, 'xaxis'), ya = BPPlotly.axis(div, 'yaxis');
  const out = {version: BPPlotly.version(), tested: BPPlotly.tested, drawn: BPPlotly.drawn(div),
               size: BPPlotly.size(div), none: BPPlotly.axis(div, 'xaxis3'),
               x: [xa.offset, xa.length, xa.type, xa.toPx(0), xa.toPx(2), xa.fromPx(xa.toPx(1.5))],
               y: [ya.offset, ya.length, ya.toPx(0), ya.toPx(2), ya.fromPx(195)]};
  const under = document.createElement('div');
  under.className = 'underlay';
  out.under = BPPlotly.underlay(div, under) && !BPPlotly.underlay(document.createElement('div'), under);
  const o = BPPlotly.overlay(div, null);
  await Plotly.relayout(div, {'xaxis.range': [0.5, 1.5]});     // a redraw keeps both in their places
  out.layers = [...div.querySelector('.svg-container').children].map(e => e.tagName.toLowerCase() + '.' + e.getAttribute('class'));
  out.canvas = [o.canvas.style.width, o.canvas.style.height];
  return out;
}"""


def test_the_plotly_seam():
    """plotlyseam.js is the one reader of plotly's private fields (a drawn plot's size, each
    axis's pixel offset, length and data <-> pixel maps, the plot's SVG layers). On the vendored plotly.js they mean what the client takes them to mean, and its
    version is one plotlyseam.TESTED names: an upgrade that moves them fails here (add its
    version to TESTED only once this passes with it)."""
    from tests.browser import ROOT

    static = ROOT / "explorer" / "live" / "static"
    with browser_page(600, 500) as page:
        page.set_content("<!doctype html><html><body style='margin:0'><div id='p'></div></body></html>")
        page.add_script_tag(path=str(static / "plotly-basic.min.js"))
        page.add_script_tag(path=str(static / "plotlyseam.js"))
        r = page.evaluate(SEAM)
    assert r["tested"], f"plotly.js {r['version']} is not one plotlyseam.js was checked against"
    assert r["drawn"] and r["size"] == {"width": 500, "height": 400} and r["none"] is None
    x_off, x_len, x_type, x0, x2, x15 = r["x"]
    assert (x_off, x_len, x_type) == (50, 440, "log") and abs(x0 - 50) < 1e-9 and abs(x2 - 490) < 1e-9
    assert abs(x15 - 1.5) < 1e-9                                  # (log axes: the value's log10)
    y_off, y_len, y0, y2, y_mid = r["y"]
    assert (y_off, y_len) == (20, 350) and abs(y0 - 370) < 1e-9 and abs(y2 - 20) < 1e-9 and abs(y_mid - 1) < 1e-9
    svgs = [i for i, name in enumerate(r["layers"]) if name == "svg.main-svg"]
    assert r["under"] and r["layers"][0] == "div.underlay" and svgs[0] == 1, r["layers"]   # under the plot
    assert r["layers"].index("canvas.overlay") == svgs[1] - 1 > svgs[0], r["layers"]   # over the plot, under hover
    assert r["canvas"] == ["500px", "400px"]
