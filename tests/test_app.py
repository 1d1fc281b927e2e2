"""The app under Streamlit's AppTest: controls, session state, URL and the live figures.

Over the live channel the charts, Play/Pause, Step and Reset live in the component and
travel over its WebSocket, which AppTest cannot open; most tests here therefore run the
page in its fallback (``live_fallback``: the same messages handed to the same component as
its arguments, its buttons' controls coming back as its value, the same scheduler training
the run), and one checks what the component is handed on the channel.
"""
from __future__ import annotations

import base64
import json
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core import Network

from explorer.live.channel import wire
from explorer.choices.config import Config
from explorer.pages.live_view import CHARTS
from explorer.choices.link import to_query
from tests.browser import ROOT


def start(query: dict | None = None, fallback: bool = True) -> AppTest:
    at = AppTest.from_file(str(ROOT / "explorer" / "pages" / "main.py"), default_timeout=60)   # the page script app.py serves
    for k, v in (query or {}).items():
        at.query_params[k] = v
    if fallback:
        at.session_state["live_fallback"] = True      # as when the socket cannot open
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def live_args(at: AppTest) -> dict:
    """The JSON arguments of the live charts' component (the page also holds the keyboard shortcuts')."""
    (comp,) = [c for c in at.get("component_instance") if "live" in c.proto.component_name]
    return json.loads(comp.proto.json_args)


def messages(at: AppTest) -> dict:
    """The live channel's messages the fallback handed the component in the last run."""
    return live_args(at)["messages"]


def setup(at: AppTest) -> dict:
    """The setup message the component holds: this run's, or the last one it was sent."""
    text = messages(at)["setup"] or at.session_state["fallback_wire"]["setup"]
    return json.loads(text)


def figures(at: AppTest) -> dict:
    """The setup's figures (their static parts), by name."""
    return {name: json.loads(fig) if isinstance(fig, str) else fig for name, fig in setup(at)["figures"].items()}


def last_frame(at: AppTest) -> dict:
    """The latest binary frame handed to the component, decoded."""
    return wire.decode_frame(base64.b64decode(messages(at)["frames"][-1]), len(setup(at)["sizes"]))


def press(at: AppTest, kind: str, **fields) -> None:
    """What the component's own button sends in the fallback (its value), and the rerun that
    applies it with the live session's verbs."""
    at.session_state[CHARTS] = {"control": {"type": kind, **fields}, "id": "apptest", "n": time.monotonic_ns()}
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_first_load_is_the_flower_lesson():
    at = start()
    run = at.session_state["run"]
    assert run.cfg.data.dataset == "planar" and run.net.sizes == [2, 4, 1]
    assert run.net.output == "sigmoid" and run.net.loss.name == "binary_cross_entropy"
    assert [layer.activation.name for layer in run.net.layers] == ["tanh", "sigmoid"]
    assert run.epoch == 0 and not at.session_state["live"].running
    assert set(figures(at)) == {"boundary", "network", "curves"}
    assert dict(at.query_params)["ds"] == ["planar"] or at.query_params["ds"] == "planar"


def _until(at: AppTest, done, timeout: float = 30.0) -> None:
    """Rerun the page until ``done()`` (the scheduler trains in its own thread meanwhile)."""
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        time.sleep(0.1)
    at.run()
    assert done()


def test_the_component_gets_the_sessions_token_and_no_figures():
    at = start(fallback=False)
    args = live_args(at)
    live = at.session_state["live"]
    assert args["token"] == live.token and len(live.token) >= 32 and args["ws_path"].startswith("/")
    assert "messages" not in args and "figures" not in args   # messages travel over the socket, not through reruns
    assert live.run is at.session_state["run"]


def test_play_trains_and_the_figures_follow():
    at = start()
    press(at, "play")
    run = at.session_state["run"]
    _until(at, lambda: run.epoch > 0)
    live = at.session_state["live"]
    assert live.running
    with run.lock:                                 # hold it still: the page is compared with the run below
        live.pause()                               # (the scheduler trains on while the test reads)
    at.run()
    h = run.trainer.history
    frame, status = last_frame(at), messages(at)["status"]
    assert frame["epoch"] == status["epoch"] == run.epoch and not frame["running"] and not status["running"]
    assert frame["latest"][0] == np.float32(h.cost[-1]) and frame["latest"][1] == np.float32(h.accuracy[-1])
    L = len(run.net.layers)                        # the status line's gradients, per layer
    np.testing.assert_array_equal(frame["grads"][:L], np.float32(h.grad_norm[-1]))
    weights = np.concatenate([layer.Wb.ravel() for layer in run.net.layers])
    np.testing.assert_array_equal(frame["weights"], weights.astype(np.float32))
    sent = [wire.decode_frame(base64.b64decode(f), L) for f in messages(at)["frames"]]
    points = np.concatenate([f["points"] for f in sent if f["points"].size])
    assert points[-1, 0] <= run.epoch and set(points[:, 0].astype(int)) <= set(h.epochs)   # kept epochs
    curves = figures(at)["curves"]                 # the lines the browser fills, per layer on a log axis
    assert [t["name"] for t in curves["data"] if t.get("xaxis") == "x3"] == ["layer 1", "layer 2"]
    assert curves["layout"]["yaxis3"]["type"] == "log" and setup(at)["labels"]["grad"] == "‖∂J/∂W‖"
    press(at, "play")                              # the button said Play: it goes on
    assert live.running
    press(at, "play")                              # sent twice (say, a click that arrived twice): still on
    assert live.running
    press(at, "pause")
    assert not live.running


def test_ngs_lesson_reaches_about_ninety_percent():
    at = start()
    run = at.session_state["run"]
    run.trainer.run_epochs(3000)
    assert run.trainer.history.accuracy[-1] >= 0.87


def test_learning_rate_changes_live_without_reset():
    at = start()
    press(at, "step", unit="epoch")
    run = at.session_state["run"]
    epoch = run.epoch
    at.select_slider(key="lr").set_value(0.3).run()
    assert at.session_state["run"] is run and run.epoch == epoch
    assert run.trainer.learning_rate == 0.3
    at.selectbox(key="opt").set_value("adam").run()
    assert at.session_state["run"] is run and run.trainer.optimizer == "adam"


def test_architecture_change_rebuilds_the_network():
    at = start()
    press(at, "step", unit="epoch")
    old = at.session_state["run"]
    at.number_input(key="layers_w0").set_value(6).run()
    new = at.session_state["run"]
    assert new is not old and new.epoch == 0 and new.net.sizes == [2, 6, 1]


def test_add_and_remove_hidden_layers():
    at = start()
    for _ in range(2):
        at.button[[b.label for b in at.button].index("Add hidden layer")].click().run()
    assert at.session_state["run"].net.sizes == [2, 4, 4, 4, 1]
    at.selectbox(key="layers_a1").set_value("relu").run()
    assert at.session_state["run"].net.layers[1].activation.name == "relu"
    at.button(key="rm0").click().run()
    run = at.session_state["run"]
    assert run.net.sizes == [2, 4, 4, 1]
    assert [layer.activation.name for layer in run.net.layers] == ["relu", "tanh", "sigmoid"]


def test_step_batch_and_reset():
    at = start({"bs": "10"})
    press(at, "step", unit="batch")
    run = at.session_state["run"]
    assert run.trainer.epoch == 0 and run.trainer._pos == 10
    trained = run.net.layers[0].W.copy()
    press(at, "reset")
    new = at.session_state["run"]
    assert new.epoch == 0 and new.trainer._pos == 0
    initial = Network(2, [(4, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=2, init="small_gaussian")
    np.testing.assert_array_equal(new.net.layers[0].W, initial.layers[0].W)   # the seed's initial weights
    assert not np.array_equal(trained, new.net.layers[0].W)


def test_shared_link_opens_that_setup():
    cfg_query = to_query(Config())
    cfg_query.update(ds="multi_blobs", k="4", layers="8:relu,6:leaky_relu", opt="adam", lr="0.03",
                     feat="x1,x2,x1x2", bs="16", l2="0.001")
    at = start(cfg_query)
    run = at.session_state["run"]
    assert run.cfg.data.dataset == "multi_blobs" and run.data.n_classes == 4
    assert run.net.sizes == [3, 8, 6, 4] and run.net.output == "softmax"
    assert [l.activation.name for l in run.net.layers[:2]] == ["relu", "leaky_relu"]
    assert run.trainer.optimizer == "adam" and run.trainer.batch_size == 16 and run.trainer.l2 == 0.001
    msg = setup(at)                                          # the browser draws K classes' surface from it
    assert (msg["problem"], msg["n_classes"], msg["sizes"], msg["features"]) == \
        ("classification", 4, [8, 6, 4], ["x1", "x2", "x1x2"])
    assert msg["activations"] == ["relu", "leaky_relu", "softmax"] and msg["paint"]["squash"] == [False, False, True]
    weights = np.frombuffer(base64.b64decode(msg["weights"]), "<f4")
    np.testing.assert_array_equal(weights, np.concatenate([l.Wb.ravel() for l in run.net.layers]).astype(np.float32))
    classes = [t["marker"]["color"] for t in figures(at)["boundary"]["data"] if t["name"].startswith("train class")]
    assert classes == msg["colors"]["classes"][:4]


def test_malformed_link_falls_back_with_a_notice():
    at = start({"lr": "banana", "layers": "4:tanh,999:relu", "ds": "nope", "out": "softmax"})
    run = at.session_state["run"]
    assert run.cfg.data.dataset == "planar" and run.trainer.learning_rate == 1.2
    texts = " ".join(w.value for w in at.warning)
    assert "lr=banana" in texts and "layers=" in texts and "ds=nope" in texts


def test_divergence_pauses_with_advice():
    at = start({"ds": "reg_plane", "lr": "10", "opt": "sgd", "layers": "8:relu,8:relu", "init": "he"})
    press(at, "play")
    run = at.session_state["run"]
    _until(at, lambda: run.message is not None)
    assert run.message and not at.session_state["live"].running
    status = messages(at)["status"]                # the client's status line says it, Play disabled
    assert not status["running"] and "smaller learning rate" in status["message"]
    assert not last_frame(at)["running"]
    assert all(np.isfinite(layer.Wb).all() for layer in run.net.layers)
    assert not at.exception


def test_regression_shows_the_predicted_surface():
    at = start({"ds": "reg_gauss", "layers": "8:tanh", "opt": "adam", "lr": "0.03"})
    press(at, "step", unit="epoch")
    figs = figures(at)
    assert setup(at)["problem"] == "regression" and last_frame(at)["epoch"] == 1   # the surface: the browser's
    assert figs["boundary"]["data"][0]["marker"]["colorscale"]          # points coloured by their target
    assert at.session_state["run"].trainer.history.metric == "r2"


def test_hidden_space_view_appears_for_a_two_unit_layer():
    at = start({"layers": "2:tanh"})
    assert "hidden" in figures(at)


@pytest.mark.parametrize("pres", ["0", "1"])
def test_presentation_mode_enlarges_the_charts(pres):
    at = start({"present": pres} if pres == "1" else None)
    args = live_args(at)
    assert args["height"] >= (420 if pres == "1" else 330)       # sized to the screen (a laptop's here)
    figs = figures(at)
    assert figs["curves"]["layout"]["font"]["size"] == (18 if pres == "1" else 12)
    assert figs["boundary"]["data"][0]["marker"]["size"] == (10 if pres == "1" else 6)


def test_an_invalid_output_override_is_refused_with_a_reason():
    at = start()
    at.selectbox(key="out").set_value("linear").run()
    assert not at.exception
    msg = " ".join(e.value for e in at.error)
    assert "cannot be built" in msg and "sigmoid" in msg
    at.selectbox(key="out").set_value("sigmoid")
    at.selectbox(key="loss").set_value("mse").run()
    run = at.session_state["run"]
    assert run.net.output == "sigmoid" and run.net.loss.name == "mse" and not at.error   # as in seed 004


def test_choosing_own_data_before_uploading_keeps_the_default_data():
    at = start()
    run = at.session_state["run"]
    at.selectbox(key="ds").set_value("own").run()
    assert not at.exception and not at.error
    assert at.session_state["run"] is run            # nothing uploaded: nothing rebuilt
    assert any("Upload a CSV" in i.value for i in at.info)


def test_settings_survive_while_their_widgets_are_hidden():
    at = start({"noise": "0.35", "dseed": "5"})
    at.selectbox(key="ds").set_value("own").run()
    at.slider(key="test").set_value(0.3).run()          # another run with the data sliders hidden
    assert not at.exception
    at.selectbox(key="ds").set_value("planar").run()
    assert not at.exception
    assert at.session_state["run"].cfg.data.seed == 5


def test_step_epoch_completes_one_epoch_of_mini_batches():
    at = start({"bs": "10"})
    press(at, "step", unit="epoch")
    run = at.session_state["run"]
    assert run.epoch == 1 and run.trainer._pos == 0 and len(run.trainer.history) == 1
    press(at, "step", unit="batch")
    press(at, "step", unit="epoch")          # finishes the epoch the batch began
    assert run.epoch == 2 and run.trainer._pos == 0


def test_live_chart_options_survive_a_visit_to_the_backprop_view():
    at = start()
    at.toggle(key="log_loss").set_value(True).run()
    at.session_state["page"] = "backprop"
    at.run()
    assert not at.exception and "log_loss" not in [t.key for t in at.toggle]
    at.session_state["page"] = "live"
    at.run()
    assert at.toggle(key="log_loss").value is True


def test_a_request_sent_again_is_applied_once_and_said_applied():
    """The fallback's browser sends a request again until the arguments say it was applied
    (``static/feed.js``): the same (id, n) a second time changes nothing."""
    at = start({"bs": "10"})
    value = {"control": {"type": "step", "unit": "batch"}, "id": "tab1", "n": 5}
    at.session_state[CHARTS] = value
    at.run()
    assert messages(at)["applied"] == ["tab1", 5]
    assert at.session_state["run"].trainer._pos == 10
    at.session_state[CHARTS] = {**value, "again": 1}                 # lost? sent again
    at.run()
    assert at.session_state["run"].trainer._pos == 10 and messages(at)["applied"] == ["tab1", 5]
    at.session_state[CHARTS] = {**value, "n": 6}                     # the next request is applied
    at.run()
    assert at.session_state["run"].trainer._pos == 20 and messages(at)["applied"] == ["tab1", 6]
