"""Take it with you, in a real browser (headless Chromium): train the default lesson a
little, pause, download each export from the sidebar and check what came down for real
(the CSV reads back with its split, the model loads and predicts, the Python script runs
beside the CSV and prints the run's costs, the GIF opens), then open model files through
the uploader: the downloaded one, one with other settings, ones the page cannot show, and
malformed ones. Also: Clear and Undo of the drawing toolbar (clicks on the chart itself are
are drawn in their own test), and New weights / Reset.

Downloads and screenshots are kept in tests/artifacts/ (downloads in tests/artifacts/export/).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from PIL import Image

from core import Network, train
from core.model_file import dumps, load_model
from core.pipeline import InputPipeline
from core.user_data import read_points
from explorer.choices.own_points import decode
from tests.browser import app_server, browser_page, rerun_of, wait_idle, wait_live
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

EXPORTS = ARTIFACTS / "export"
N_TRAIN, N_TEST = 320, 80                 # the default lesson: Ng's flower, 400 points, 20 % held out
PROBE = np.array([[0.0, 0.0], [1.5, -2.0], [-3.0, 3.5], [4.0, 0.5], [-0.5, -4.0]])   # raw (x1, x2)
COST_LINE = re.compile(r"epoch\s+(\d+)\s+cost\s+([0-9.eE+-]+)")


@pytest.fixture(scope="module")
def server():
    EXPORTS.mkdir(parents=True, exist_ok=True)
    with app_server() as url:
        yield url


# ---- the page ------------------------------------------------------------------------
def wait_channel(page, timeout_s: float = 180):
    """The live iframe once its channel has drawn a frame (the first start of a module is slow)."""
    return wait_live(page, timeout_s, "!!(window.__live && __live.renders > 0 && __live.extra)", poll_ms=250)


def shown_epoch(frame) -> int:
    return int(re.sub(r"\D", "", frame.locator(".epoch-counter .epoch").inner_text()))


def wait_epoch(frame, predicate: str, timeout_ms: int = 60_000):
    """Wait until ``predicate`` (JS, of the epoch ``e`` the status line shows) holds."""
    frame.wait_for_function(
        "() => { const s = document.querySelector('.epoch-counter .epoch'); const m = s && s.textContent.match(/([0-9,]+)/);"
        f" const e = m ? Number(m[1].replace(/,/g, '')) : -1; return {predicate}; }}", timeout=timeout_ms)


def no_error_boxes(page):
    assert page.locator('[data-testid="stException"]').count() == 0, \
        page.locator('[data-testid="stException"]').all_inner_texts()
    assert page.get_by_text("Something went wrong").count() == 0
    assert page.get_by_text("This network cannot be built").count() == 0


def shot(page, name: str, locator=None):
    """Screenshot into tests/artifacts/, with ``locator`` (if given) scrolled into view."""
    if locator is not None:
        locator.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / name))


def open_export_section(page):
    """Open the sidebar's "Take it with you" expander (if closed); wait for its buttons."""
    first = page.locator(".st-key-new_weights button:visible")
    if not first.is_visible():
        page.locator("[data-testid='stSidebar'] summary", has_text="Take it with you").click()
    first.wait_for(state="visible", timeout=20_000)
    for key in ("dl_csv", "dl_model", "dl_script", "dl_gif"):
        page.locator(f".st-key-{key} button:visible").wait_for(state="visible", timeout=20_000)


def download(page, key: str, name: str, expect_name: str):
    """Click download button ``key``; save what comes down as EXPORTS/name; return its path."""
    wait_idle(page)                 # the button's file is the one the last finished run made
    button = page.locator(f".st-key-{key} button:visible")
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=120_000) as info:
        button.click()
    d = info.value
    assert d.failure() is None, d.failure()
    assert d.suggested_filename == expect_name
    path = EXPORTS / name
    d.save_as(path)
    assert path.stat().st_size > 0
    return path


def upload_model(page, path):
    page.locator(".st-key-model_upload input[type='file']").set_input_files(str(path))


def query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def wait_query(page, want: dict, timeout_s: float = 60):
    """Wait until the address bar holds every key=value of ``want``."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        q = query(page)
        if all(q.get(k) == v for k, v in want.items()):
            return q
        page.wait_for_timeout(250)
    raise AssertionError(f"the link never showed {want}; it is {query(page)}")


def layer_widgets(page) -> list[tuple[int, str]]:
    """(units, activation) as the sidebar's hidden-layer rows show them."""
    out = []
    i = 0
    while page.locator(f".st-key-layers_w{i} input").count():
        units = int(page.locator(f".st-key-layers_w{i} input").input_value())
        act = page.locator(f".st-key-layers_a{i} input").input_value()
        out.append((units, act))
        i += 1
    return out


def network_labels(frame) -> list[str]:
    return frame.evaluate("Array.from(document.querySelectorAll('#chart-network .annotation-text'))"
                          ".map(e => e.textContent)")


def same_weights(a: Network, b: Network) -> bool:
    return len(a.layers) == len(b.layers) and all(
        np.array_equal(x.W, y.W) and np.array_equal(x.b, y.b) for x, y in zip(a.layers, b.layers))


def play_then_pause(page, frame, min_epoch: int = 40) -> int:
    """Press the component's Play, let it learn to ``min_epoch``, Pause; the epoch it stopped at."""
    frame.locator("#top button.primary").click()                 # Play (inside the live component)
    frame.wait_for_function(f"__live.extra.running && __live.extra.epoch >= {min_epoch}", timeout=120_000)
    frame.locator("#top button.primary").click()                 # Pause
    frame.wait_for_function("__live.extra.running === false", timeout=20_000)
    page.wait_for_timeout(1500)                                  # the last paused frame, then nothing
    stopped = shown_epoch(frame)
    page.wait_for_timeout(1000)
    assert shown_epoch(frame) == stopped
    assert frame.locator("#top button.primary").inner_text() == "Play"
    return stopped


# ---- the tests -----------------------------------------------------------------------
def test_train_pause_and_take_each_export(server):
    with browser_page() as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server)
        frame = wait_channel(page)
        assert shown_epoch(frame) == 0
        epoch = play_then_pause(page, frame)
        shot(page, "export_0_trained_paused.png")
        open_export_section(page)
        shot(page, "export_1_section_open.png", page.locator(".st-key-dl_gif"))

        # Data (CSV): every point of the run, its split marked.
        csv = download(page, "dl_csv", "backprop_data.csv", "backprop_data.csv")
        pts = read_points(csv)
        assert pts.problem == "classification"
        assert pts.is_test is not None, "the CSV has no split column"
        assert pts.X.shape == (N_TRAIN + N_TEST, 2)
        assert int((~pts.is_test).sum()) == N_TRAIN and int(pts.is_test.sum()) == N_TEST
        assert not pts.is_test[:N_TRAIN].any()                   # train rows first, then test rows
        assert set(np.unique(pts.y[~pts.is_test])) == {0, 1} and set(np.unique(pts.y[pts.is_test])) == {0, 1}
        X_train, y_train = pts.X[~pts.is_test], pts.y[~pts.is_test]

        # Model (JSON): loads, has the default lesson's network, predicts finite numbers.
        model_path = download(page, "dl_model", "backprop_model.json", "backprop_model.json")
        model = load_model(model_path)
        net = model.net
        assert [(layer.size, layer.activation.name) for layer in net.layers] == [(4, "tanh"), (1, "sigmoid")]
        assert net.loss.name == "binary_cross_entropy"
        assert model.epoch == epoch, (model.epoch, epoch)            # the paused run, as shown
        P = model.predict_proba_raw(PROBE)
        assert P.shape == (len(PROBE), 1) and np.all(np.isfinite(P)) and np.all((P > 0) & (P < 1)), P
        assert model.predict_raw(PROBE).shape == (len(PROBE),)
        # Its input pipeline is the one fitted on the CSV's training rows.
        again = InputPipeline.fit(X_train, model.pipeline.features, model.pipeline.standardized)
        np.testing.assert_array_equal(again.transform(PROBE), model.pipeline.transform(PROBE))
        # Its last recorded cost is the model's own cost on the CSV's training rows.
        h = model.history
        assert h is not None and h["epochs"][-1] == epoch and h["epochs"][0] == 1, h and h["epochs"][:3]
        J_model = float(net.cost(model.pipeline.transform(X_train), y_train))
        assert J_model == pytest.approx(h["cost"][-1], abs=1e-12)
        assert h["cost"][-1] < h["cost"][0]                          # it learnt something

        # Python script: runs beside the CSV and prints the same costs as the run.
        script = download(page, "dl_script", "backprop_train.py", "backprop_train.py")
        shot(page, "export_2_after_three_downloads.png", page.locator(".st-key-dl_gif"))
        out = subprocess.run([sys.executable, script.name], cwd=EXPORTS, capture_output=True, text=True,
                             timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        (EXPORTS / "backprop_train.out.txt").write_text(out.stdout)
        printed = [(int(e), float(c)) for e, c in COST_LINE.findall(out.stdout)]
        assert len(printed) >= 2, out.stdout[-1000:]
        assert printed[0][0] == 1 and printed[-1][0] == epoch, (printed[:2], printed[-1])
        assert printed[0][1] == pytest.approx(h["cost"][0], abs=1e-9)       # epoch 1, as the app recorded it
        assert printed[-1][1] == pytest.approx(J_model, abs=1e-9)           # the last epoch: the model's cost
        recorded = dict(zip(h["epochs"], h["cost"]))
        common = [(e, c) for e, c in printed if e in recorded]
        assert len(common) >= 2
        for e, c in common:
            assert c == pytest.approx(recorded[e], abs=1e-9), (e, c, recorded[e])

        # Jupyter notebook (where offered): nbformat 4, its code cells run in order beside the
        # CSV and print exactly what the script printed.
        if page.locator(".st-key-dl_notebook button:visible").count():
            nb = json.loads(download(page, "dl_notebook", "backprop_train.ipynb", "backprop_train.ipynb").read_text())
            assert nb["nbformat"] == 4
            code = "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
            ran = subprocess.run([sys.executable, "-c", code], cwd=EXPORTS, capture_output=True, text=True,
                                 timeout=300)
            assert ran.returncode == 0, ran.stderr[-2000:]
            assert COST_LINE.findall(ran.stdout) == COST_LINE.findall(out.stdout)

        # Animation (GIF): opens, animated, 2..120 frames, not huge.
        gif = download(page, "dl_gif", "backprop_run.gif", "backprop_run.gif")
        with Image.open(gif) as im:
            assert im.format == "GIF"
            assert 2 <= im.n_frames <= 120, im.n_frames
            print(f"GIF: {im.n_frames} frames, {im.size[0]}x{im.size[1]}, {gif.stat().st_size:,} bytes; "
                  f"run paused at epoch {epoch}")
            assert im.size[0] >= 200 and im.size[1] >= 150, im.size
            im.seek(im.n_frames - 1)
            im.convert("RGB").save(ARTIFACTS / "export_gif_last_frame.png")
            im.seek(0)
            im.convert("RGB").save(ARTIFACTS / "export_gif_first_frame.png")
        assert gif.stat().st_size < 5_000_000

        # The downloads did not disturb the run: still paused at the same epoch.
        assert shown_epoch(frame) == epoch
        assert frame.evaluate("__live.errors") == 0
        no_error_boxes(page)
        assert not errors, errors

        # The model goes back in: same settings, and the network starts from the file's weights.
        upload_model(page, model_path)
        page.locator(".st-key-model_upload").get_by_text("backprop_model.json").wait_for(timeout=30_000)
        frame = wait_channel(page)
        wait_epoch(frame, "e === 0")                                # a new run, from the file
        assert page.get_by_text("That model file cannot be used").count() == 0
        assert layer_widgets(page) == [(4, "tanh")]
        q = wait_query(page, {"layers": "4:tanh", "lr": "1.2", "opt": "sgd", "seed": str(model.training["seed"])})
        assert q.get("bs", "full") == "full"
        assert network_labels(frame) == ["input", "layer 1", "output"]
        no_error_boxes(page)
        shot(page, "export_3_model_uploaded.png", page.locator(".st-key-model_upload"))
        back = load_model(download(page, "dl_model", "backprop_model_reloaded.json", "backprop_model.json"))
        assert back.epoch == 0
        assert same_weights(back.net, net), "the page did not start from the uploaded weights"
        # ...and trains on from there: Step epoch is one more full-batch SGD step from the file's
        # weights, as core makes it (SGD keeps no state, so this is the paused run's next epoch).
        frame.get_by_role("button", name="Step epoch").click()
        wait_epoch(frame, "e === 1")
        page.wait_for_timeout(800)
        stepped = load_model(download(page, "dl_model", "backprop_model_stepped.json", "backprop_model.json"))
        assert stepped.epoch == 1
        on = load_model(model_path)
        h_on = train(on.net, on.pipeline.transform(X_train), y_train, optimizer="sgd", learning_rate=1.2, epochs=1)
        assert stepped.history["cost"][0] == pytest.approx(h_on.cost[0], abs=1e-12)
        assert stepped.history["cost"][0] < h["cost"][-1]
        for a, b in zip(stepped.net.layers, on.net.layers):
            np.testing.assert_allclose(a.W, b.W, rtol=0, atol=1e-12)
            np.testing.assert_allclose(a.b, b.b, rtol=0, atol=1e-12)
        no_error_boxes(page)
        assert not errors, errors


def other_model(tmp_path):
    """A model file made with core, with settings unlike the default lesson's."""
    rng = np.random.default_rng(3)
    X = rng.uniform(-4, 4, size=(200, 2))
    features = ("x1", "x2", "x1x2")
    pipe = InputPipeline.fit(X, features, True)
    net = Network(3, [(6, "relu"), (3, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=11, init="xavier")
    training = {"optimizer": "adam", "learning_rate": 0.03, "batch_size": 32, "l1": 0.0, "l2": 0.001,
                "seed": 11, "init": "xavier"}
    path = tmp_path / "other_model.json"
    path.write_text(dumps(net, pipe, training, 0))
    return path, net


def test_a_model_with_other_settings_rebuilds_the_network(server, tmp_path):
    path, net = other_model(tmp_path)
    with browser_page() as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server)
        wait_channel(page)
        open_export_section(page)
        upload_model(page, path)
        q = wait_query(page, {"layers": "6:relu,3:tanh", "opt": "adam", "lr": "0.03", "bs": "32", "l2": "0.001",
                              "init": "xavier", "seed": "11", "feat": "x1,x2,x1x2", "std": "1"})
        assert q["ds"] == "planar"                                  # the data stay
        frame = wait_channel(page)
        frame.wait_for_function("Array.from(document.querySelectorAll('#chart-network .annotation-text'))"
                                ".map(e => e.textContent).join('|') === 'input|layer 1|layer 2|output'",
                                timeout=60_000)
        assert layer_widgets(page) == [(6, "relu"), (3, "tanh")]
        assert page.get_by_text("That model file cannot be used").count() == 0
        no_error_boxes(page)
        shot(page, "export_4_other_model_uploaded.png", page.locator(".st-key-layers_w1"))
        back = load_model(download(page, "dl_model", "backprop_model_other.json", "backprop_model.json"))
        assert [(layer.size, layer.activation.name) for layer in back.net.layers] == \
            [(6, "relu"), (3, "tanh"), (1, "sigmoid")]
        assert tuple(back.pipeline.features) == ("x1", "x2", "x1x2") and back.pipeline.standardized
        assert back.training["optimizer"] == "adam" and back.training["batch_size"] == 32
        assert same_weights(back.net, net), "the page did not start from the uploaded weights"
        # It trains on.
        frame.locator("#top button.primary").click()
        frame.wait_for_function("__live.extra.running && __live.extra.epoch >= 5", timeout=120_000)
        frame.locator("#top button.primary").click()
        frame.wait_for_function("__live.extra.running === false", timeout=20_000)
        assert frame.evaluate("__live.errors") == 0
        no_error_boxes(page)
        shot(page, "export_5_other_model_trained.png")
        assert not errors, errors


def test_malformed_model_files_are_refused_with_a_message(server, tmp_path):
    truncated = tmp_path / "truncated.json"
    truncated.write_text('{"format": "backprop-explorer-model", "version": 1, "layers": [')
    doc = json.loads(dumps(Network(2, [(4, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=1),
                           InputPipeline.fit(np.zeros((4, 2)) + np.arange(4)[:, None], ("x1", "x2"), False),
                           {"optimizer": "sgd", "learning_rate": 1.2, "batch_size": None, "l1": 0.0, "l2": 0.0}, 0))
    doc["layers"][1]["W"] = [[0.1, 0.2, 0.3]]                     # 3 columns, but layer 1 has 4 units
    bad_shape = tmp_path / "bad_shape.json"
    bad_shape.write_text(json.dumps(doc))
    with browser_page() as page:
        page.goto(server)
        frame = wait_channel(page)
        open_export_section(page)
        seen = ""
        for path, names in ((truncated, None), (bad_shape, "layers")):
            upload_model(page, path)
            page.wait_for_function(
                "seen => { const t = document.body.innerText; const i = t.indexOf('That model file cannot be used:');"
                " return i >= 0 && t.slice(i).split('\\n')[0] !== seen; }", arg=seen, timeout=60_000)
            message = page.locator('[data-testid="stAlert"]', has_text="That model file cannot be used:")
            assert message.count() == 1                            # said once
            text = message.inner_text().strip()
            seen = text.splitlines()[0]
            assert re.match(r"That model file cannot be used: \S", text), text
            if names:
                assert names in text, text
            print(f"{path.name}: {text}")
            shot(page, f"export_6_refused_{path.stem}.png", message)
        # The page goes on as it was: the default network, still live.
        assert layer_widgets(page) == [(4, "tanh")]
        assert query(page).get("layers", "4:tanh") == "4:tanh"
        no_error_boxes(page)
        frame = wait_channel(page)
        assert frame.evaluate("__live.errors") == 0


def misfit_model(tmp_path, name: str):
    """Model files core writes and loads, that the default lesson's page cannot show as they are."""
    pipe = InputPipeline.fit(np.random.default_rng(0).normal(size=(50, 2)), ("x1", "x2"), False)
    training = {"optimizer": "sgd", "learning_rate": 0.3, "batch_size": None, "l1": 0.0, "l2": 0.0}
    layers = {"wide": [(80, "tanh"), (1, "sigmoid")],              # wider than a sidebar layer (50)
              "three_classes": [(4, "tanh"), (3, "softmax")]}[name]  # the flower has two classes
    net = Network(2, layers, "cross_entropy" if name == "three_classes" else "binary_cross_entropy", seed=3)
    path = tmp_path / f"{name}.json"
    path.write_text(dumps(net, pipe, training, 0))
    return path, net


@pytest.mark.parametrize("name", ["wide", "three_classes"])
def test_a_model_the_page_cannot_show_is_refused_not_changed(server, tmp_path, name):
    path, net = misfit_model(tmp_path, name)
    with browser_page() as page:
        page.goto(server)
        wait_channel(page)
        open_export_section(page)
        upload_model(page, path)
        page.locator(".st-key-model_upload").get_by_text(path.name).wait_for(timeout=30_000)
        page.wait_for_function(
            "() => document.body.innerText.includes('That model file cannot be used')"
            " || document.body.innerText.includes('This network cannot be built')"
            " || !new URLSearchParams(location.search).get('layers').startsWith('4:tanh')"
            " || new URLSearchParams(location.search).get('seed') === '3'", timeout=60_000)
        page.wait_for_timeout(3000)                                  # let the rerun settle
        refused = page.locator('[data-testid="stAlert"]', has_text="That model file cannot be used:")
        shot(page, f"export_7_misfit_{name}.png", refused if refused.count() else None)
        if refused.count():                                         # refused, saying why: fine
            print(f"{name}: {refused.inner_text().strip()}")
            assert query(page).get("layers") == "4:tanh"           # and nothing changed
            assert layer_widgets(page) == [(4, "tanh")]
            no_error_boxes(page)
            return
        # Or imported as it is: the very network of the file, not another one.
        no_error_boxes(page)
        assert query(page).get("layers") == ",".join(f"{l.size}:{l.activation.name}" for l in net.layers[:-1])
        back = load_model(download(page, "dl_model", f"backprop_model_{name}.json", "backprop_model.json"))
        assert same_weights(back.net, net)


def sorted_rows(X, y) -> np.ndarray:
    rows = np.column_stack([X, y])
    return rows[np.lexsort(rows.T[::-1])]


def test_cleared_then_undone_points_train_and_export(server):
    """The drawing toolbar's Clear and Undo: Clear empties the plane (your own data, no
    point), Undo goes back to the flower itself, split and all; it trains and exports."""
    with browser_page() as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server)
        frame = wait_channel(page)
        open_export_section(page)
        flower = read_points(download(page, "dl_csv", "flower_before_clear.csv", "backprop_data.csv"))

        with rerun_of(page):
            page.locator(".st-key-draw_clear_btn button:visible").click()
        wait_query(page, {"ds": "own"})
        page.locator(".st-key-draw_undo_btn button:visible:enabled").wait_for(timeout=30_000)
        no_error_boxes(page)
        shot(page, "export_8_cleared.png")
        with pytest.raises(ValueError):                             # no point left: the CSV is a bare header
            read_points(download(page, "dl_csv", "cleared.csv", "backprop_data.csv"))

        with rerun_of(page):
            page.locator(".st-key-draw_undo_btn button:visible").click()
        page.locator(".st-key-draw_undo_btn button:visible:disabled").wait_for(timeout=30_000)
        wait_query(page, {"ds": "planar"})                          # back to the dataset itself
        frame = wait_channel(page)
        no_error_boxes(page)
        mine = read_points(download(page, "dl_csv", "after_undo.csv", "backprop_data.csv"))
        for a, b in [(mine.X, flower.X), (mine.y, flower.y), (mine.is_test, flower.is_test)]:
            np.testing.assert_array_equal(a, b)                     # the very same points and split

        epoch = play_then_pause(page, frame, min_epoch=20)
        shot(page, "export_9_undone_points_trained.png")
        model = load_model(download(page, "dl_model", "own_model.json", "backprop_model.json"))
        assert model.epoch == epoch and model.history["cost"][-1] < model.history["cost"][0]
        X_train, y_train = mine.X[~mine.is_test], mine.y[~mine.is_test]
        assert float(model.net.cost(model.pipeline.transform(X_train), y_train)) == \
            pytest.approx(model.history["cost"][-1], abs=1e-12)
        assert frame.evaluate("__live.errors") == 0
        no_error_boxes(page)
        assert not errors, errors


def test_new_weights_draws_a_seed_and_reset_replays_it(server):
    with browser_page() as page:
        page.goto(server)
        frame = wait_channel(page)
        open_export_section(page)
        seed = int(query(page)["seed"])
        with rerun_of(page):
            page.locator(".st-key-new_weights button:visible").click()
        q = page.wait_for_function(f"() => {{ const s = new URLSearchParams(location.search).get('seed');"
                                   f" return s && s !== '{seed}' && s; }}", timeout=60_000).json_value()
        new_seed = int(q)
        frame = wait_channel(page)
        wait_epoch(frame, "e === 0")
        fresh = Network(2, [(4, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=new_seed, init="small_gaussian")
        start = load_model(download(page, "dl_model", "new_weights_start.json", "backprop_model.json"))
        assert start.training["seed"] == new_seed
        assert same_weights(start.net, fresh), "the new seed's weights are not the ones core makes"

        play_then_pause(page, frame, min_epoch=10)
        frame.locator("#top .controls button:text-is('Reset')").click()
        wait_epoch(frame, "e === 0")
        page.wait_for_timeout(800)
        assert query(page)["seed"] == str(new_seed)                  # Reset keeps the seed...
        again = load_model(download(page, "dl_model", "new_weights_reset.json", "backprop_model.json"))
        assert again.epoch == 0 and same_weights(again.net, fresh)   # ...and replays its weights
        no_error_boxes(page)
        shot(page, "export_10_new_weights_reset.png", page.locator(".st-key-new_weights"))


# Plot coordinates (x1, x2) -> a position inside the boundary chart's div, from Plotly's axes.
TO_PIXELS = """([x, y]) => { const d = LiveCore.cells.boundary;
  return {x: BPPlotly.axis(d, 'xaxis').toPx(x), y: BPPlotly.axis(d, 'yaxis').toPx(y)}; }"""


def click_plane(frame, x1: float, x2: float):
    """Click the boundary chart at (x1, x2) once the plot has held still for 0.5 s (a rerun
    after the last click may still resize the charts)."""
    wait_idle(frame.page)                 # a run still being drawn may resize the charts under the pointer
    pos, deadline = None, time.time() + 30
    while time.time() < deadline:
        now = frame.evaluate(TO_PIXELS, [x1, x2])
        if now == pos:
            break
        pos = now
        frame.page.wait_for_timeout(500)
    frame.locator("#chart-boundary").click(position=pos)


def test_drawn_points_by_clicking_the_chart_train_and_export(server):
    clicks = [((-2.0, -2.5), 0), ((-2.5, 2.0), 0), ((2.0, 2.5), 1), ((2.5, -2.0), 1), ((0.5, 0.25), 1)]
    with browser_page() as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server)
        frame = wait_channel(page)
        open_export_section(page)
        with rerun_of(page):
            page.locator(".st-key-draw_clear_btn button:visible").click()    # start from an empty plane
        wait_query(page, {"ds": "own"})
        with rerun_of(page):
            page.get_by_text("Draw", exact=True).first.click()               # Draw on
        page.locator(".st-key-draw_mode button:visible:enabled").first.wait_for(timeout=30_000)
        frame = wait_channel(page)
        frame.wait_for_function("LiveCore.cells.boundary.classList.contains('drawing')", timeout=30_000)
        n, mode = 0, 0                                                   # class 0 is chosen at first
        for (x1, x2), label in clicks:
            if label != mode:                  # (a click on the chosen segment would unselect it)
                with rerun_of(page):
                    page.locator(".st-key-draw_mode button:visible", has_text=f"class {label}").click()
                mode = label
            frame = wait_channel(page)
            click_plane(frame, x1, x2)
            n += 1
            deadline = time.time() + 60
            while time.time() < deadline:
                pts = query(page).get("pts")
                if pts is not None and len(decode(pts).y) == n:
                    break
                page.wait_for_timeout(250)
            else:
                raise AssertionError(f"the link never held {n} drawn points: {query(page).get('pts')!r}")
        shot(page, "export_11_drawn_points.png")
        assert query(page)["ds"] == "own"
        drawn = decode(query(page)["pts"])
        # where they were clicked, to about a pixel (the ±6 plane stays put: ~0.06 a pixel here)
        np.testing.assert_allclose(drawn.X, [xy for xy, _ in clicks], atol=0.1)
        assert drawn.y.tolist() == [label for _, label in clicks]
        no_error_boxes(page)
        # They train, and go out as CSV.
        frame = wait_channel(page)
        epoch = play_then_pause(page, frame, min_epoch=5)
        shot(page, "export_12_drawn_points_trained.png")
        pts = read_points(download(page, "dl_csv", "drawn.csv", "backprop_data.csv"))
        assert len(pts.y) == len(clicks) and pts.is_test is not None and 1 <= int(pts.is_test.sum()) < len(clicks)
        np.testing.assert_allclose(sorted_rows(pts.X, pts.y), sorted_rows(drawn.X, drawn.y), atol=1e-12)
        model = load_model(download(page, "dl_model", "drawn_model.json", "backprop_model.json"))
        X_train, y_train = pts.X[~pts.is_test], pts.y[~pts.is_test]
        assert model.epoch == epoch
        assert float(model.net.cost(model.pipeline.transform(X_train), y_train)) == \
            pytest.approx(model.history["cost"][-1], abs=1e-12)               # trained on the drawn points
        assert frame.evaluate("__live.errors") == 0
        assert not errors, errors
