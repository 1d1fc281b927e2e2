"""The live panel under AppTest: the page hands its component this session's token (and
nothing else trains in the script), and the fallback path when no socket can be opened."""
from __future__ import annotations

import json
import time

from streamlit.testing.v1 import AppTest

from explorer.channel import registry
from explorer.live_panel import FALLBACK_NOTE
from tests.browser import ROOT

PAGE = str(ROOT / "explorer" / "app_page.py")


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


def test_when_no_socket_opens_the_page_falls_back_and_still_trains():
    at = start(live_fallback=True)
    assert any(FALLBACK_NOTE in c.value for c in at.caption)
    args = component_args(at)
    assert args["fallback"] is True and set(args["figures"]) >= {"boundary", "network", "curves"}
    at.button(key="play").click().run()
    run = at.session_state["run"]
    assert at.session_state["live"].running and at.session_state["live"].fallback
    deadline = time.monotonic() + 60            # the scheduler trains it, not the script
    while run.epoch < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run.epoch >= 3
    at.run()                                    # what a run_every tick shows: the latest state
    status = [m.value for m in at.markdown if "epoch-counter" in m.value]
    assert status and "Epoch 0" not in status[0]
    at.button(key="play").click().run()
    assert not at.session_state["live"].running
