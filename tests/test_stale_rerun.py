"""A rerun carrying the browser's older widget values, run through the real page (AppTest).

The browser asks for a rerun (a component's report, a second click) before it has drawn the
run a callback started; that rerun brings back every widget's value as the browser held it
(streamlit/streamlit#218). ``settle_widgets`` writes the callback's values again, and no
on_change callback may act on such a stale value: Streamlit calls them all the same, before
the script. Each test replays that interleaving with Streamlit's own session state.
"""
from __future__ import annotations

from explorer.choices.config import preset_for_dataset
from explorer.pages.lessons import LESSONS
from explorer.choices.link import to_query
from tests.test_app import start

KINDS = ("selectbox", "number_input", "slider", "select_slider", "checkbox", "toggle", "radio", "text_input")


def widgets(at) -> dict:
    """Every keyed widget the page drew: key -> (kind, value)."""
    return {w.key: (kind, w.value) for kind in KINDS for w in at.get(kind) if w.key}


def stale_rerun(at, held: dict) -> None:
    """A rerun with the widget values ``held`` (what the browser showed before the last run)."""
    now = widgets(at)
    sent = 0
    for key, (kind, value) in held.items():
        if key in now and now[key][1] != value:
            getattr(at, kind)(key=key).set_value(value)
            sent += 1
    assert sent, "the replay must carry at least one older value"
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_a_lesson_survives_a_rerun_with_the_old_dataset():
    at = start()
    held = widgets(at)                               # Ng's flower, one hidden layer
    at.button(key="bp_lesson_sidebar_init_zero").click().run()
    stale_rerun(at, held)                            # the old dataset fires on_dataset_change
    at.run()
    want = to_query(LESSONS["init_zero"].config)
    got = dict(at.query_params)
    for key in ("ds", "n", "noise", "layers", "init", "lr"):
        assert got[key] == want[key], key
    assert got["layers"] == "8:tanh,8:tanh,8:tanh"


def test_new_weights_survive_two_reruns_with_the_old_seed():
    at = start()
    held = widgets(at)
    seed = at.number_input(key="seed").value
    at.button(key="new_weights").click().run()
    new = at.number_input(key="seed").value
    assert new != seed
    stale_rerun(at, held)
    stale_rerun(at, held)
    at.run()
    assert at.number_input(key="seed").value == new and at.query_params["seed"] == str(new)


def test_a_dataset_picked_after_the_lesson_arrived_still_loads_its_preset():
    at = start()
    at.button(key="bp_lesson_sidebar_init_zero").click().run()
    at.run()                                         # the browser has the lesson: nothing pending
    lesson = LESSONS["init_zero"].config
    at.selectbox(key="ds").set_value("moons").run()
    at.run()
    want = to_query(preset_for_dataset("moons", lesson))
    q = dict(at.query_params)
    assert (q["ds"], q["n"], q["noise"]) == ("moons", want["n"], want["noise"])
    assert (want["n"], want["noise"]) != ("500", "0")          # the preset is not the lesson's
