"""The live panel under AppTest: the page hands its component this session's token (and
nothing else trains in the script), and the fallback path when no socket can be opened: the
same messages as component arguments, the client's controls back as its value."""
from __future__ import annotations

import base64
import json
import time

from streamlit.testing.v1 import AppTest

from explorer.live.channel import registry, wire
from explorer.pages.live_view import CHARTS, FALLBACK_NOTE
from tests.browser import ROOT

PAGE = str(ROOT / "explorer" / "pages" / "main.py")


def start(**state) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def component_args(at: AppTest) -> dict:
    (comp,) = [c for c in at.get("component_instance") if "live_charts" in c.proto.component_name]
    return json.loads(comp.proto.json_args)


def test_the_page_hands_the_component_its_own_token():
    a, b = start(), start()
    ta, tb = component_args(a)["token"], component_args(b)["token"]
    assert ta != tb and len(ta) >= 40                       # 32 random bytes, url-safe
    assert registry.lookup(ta) is a.session_state["live"] and registry.lookup(tb) is b.session_state["live"]
    assert a.session_state["live"].run is a.session_state["run"]
    args = component_args(a)
    assert args["ws_path"] == "/live/ws" and args["controls"] is True and not args["fallback"]
    assert not a.get("button") or all(btn.key != "play" for btn in a.button)   # Play lives in the component
    a.run()
    assert component_args(a)["token"] == ta                 # the same token for the whole session


def test_a_rebuilt_network_is_attached_and_announced():
    at = start()
    live = at.session_state["live"]
    live.setup_needed = False
    at.session_state["seed"] = 7 if at.session_state["seed"] != 7 else 8
    at.run()
    assert live.run is at.session_state["run"] and live.setup_needed


def press(at: AppTest, kind: str, **fields) -> None:
    """What the component's own button sends in the fallback (its value), then the rerun it causes."""
    at.session_state[CHARTS] = {"control": {"type": kind, **fields}, "id": "apptest", "n": time.monotonic_ns()}
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_when_no_socket_opens_the_page_falls_back_and_still_trains():
    at = start(live_fallback=True)
    assert any(FALLBACK_NOTE in c.value for c in at.caption)
    args = component_args(at)
    # The same client, the same messages: the channel's setup, a status and binary frames
    assert args["fallback"] is True and "token" not in args
    assert not {"play", "step_epoch", "step_batch", "reset"} & {b.key for b in at.button}   # no Streamlit buttons
    msgs = args["messages"]
    setup = json.loads(msgs["setup"])
    assert setup["type"] == "setup" and set(setup["figures"]) >= {"boundary", "network", "curves"}
    assert msgs["status"]["type"] == "status" and not msgs["status"]["running"]
    first = wire.decode_frame(base64.b64decode(msgs["frames"][-1]), len(setup["sizes"]))
    assert first["seq"] == setup["seq"] + 1 and first["epoch"] == 0
    press(at, "play")
    run, live = at.session_state["run"], at.session_state["live"]
    assert live.running and live.fallback
    assert component_args(at)["messages"]["status"]["reply_to"] == "play"
    deadline = time.monotonic() + 60            # the scheduler trains it, not the script
    while run.epoch < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run.epoch >= 3
    at.run()                                    # what a run_every tick hands over: the latest frame
    msgs = component_args(at)["messages"]
    assert msgs["setup"] is None                # (drawn already: only when it changes)
    last = wire.decode_frame(base64.b64decode(msgs["frames"][-1]), len(setup["sizes"]))
    assert last["epoch"] >= 3 and last["running"] and last["seq"] > first["seq"]
    assert msgs["status"]["epoch"] >= 3
    press(at, "pause")
    assert not live.running
    with run.lock:
        live.play()
    at.run()                                    # the same value (the Pause) again: applied once only
    assert live.running
    press(at, "pause")


def test_the_fallback_steps_resets_and_resends_a_setup_when_asked():
    at = start(live_fallback=True)
    run, live = at.session_state["run"], at.session_state["live"]
    press(at, "step", unit="epoch")
    assert run.epoch == 1 and not live.running
    press(at, "reset")
    assert at.session_state["run"].epoch == 0
    msgs = component_args(at)["messages"]
    assert msgs["setup"] is not None and json.loads(msgs["setup"])["epoch"] == 0   # Reset: a new setup
    setup_id = msgs["setup_id"]
    at.run()
    assert component_args(at)["messages"]["setup"] is None
    at.session_state[CHARTS] = {"resync": True, "id": "apptest", "n": time.monotonic_ns()}   # the browser missed one
    at.run()
    msgs = component_args(at)["messages"]
    assert msgs["setup"] is not None and msgs["setup_id"] == setup_id + 1
    press(at, "hello", token="x")               # not a control: refused, nothing happens
    press(at, "step", unit="sideways")          # refused by the socket's own parser
    assert run.epoch == 0 and not live.running
