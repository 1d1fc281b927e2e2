"""Pinned runs: a pin re-trained from its link equals the original (costs to 1e-12, weights); a run a
replay cannot give again travels as a file and shows the same numbers; links stay under 2,000
characters; malformed pins in a link or a file are named and ignored; a session keeps at most 8."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from explorer.choices.config import Config, OWN_DATA, StartWeights
from explorer.choices.link import from_query, to_query
from explorer.choices.own_points import start_from
from explorer.choices.pin_link import MAX_LINK_CHARS, MAX_PINS, ORIGIN_CHARS, query_chars
from explorer.choices.settings_table import PIN_TEXT, SETTINGS
from explorer.pages.pins_panel import link_pins
from explorer.training import pin_file
from explorer.training.pins import TOLERANCE, pin_from_link, pin_run, same_numbers
from explorer.training.run import Run, build_data

PIN = SETTINGS["pin"]
MAIN = str(Path(__file__).resolve().parents[1] / "explorer" / "pages" / "main.py")


def trained(cfg: Config, epochs: int) -> Run:
    """A Live run trained as the scheduler trains it (slices of updates)."""
    run = Run(cfg, build_data(cfg.data))
    for _ in range(epochs // 50):
        run.train_steps(50 * run.steps_per_epoch, float("inf"))
    return run


def through_the_address_bar(cfg: Config) -> Config:
    """``cfg`` written as a whole link, percent-encoded, and read back as a page opening it would."""
    cfg2, notices = from_query(dict(parse_qsl(urlencode(to_query(cfg)))))
    assert notices == []
    return cfg2


def assert_same(a, b):
    assert a.epoch == b.epoch and np.array_equal(a.history["epoch"], b.history["epoch"])
    for key in ("cost", "test_cost"):
        np.testing.assert_allclose(b.history[key], a.history[key], rtol=0, atol=TOLERANCE)
    for p, q in zip(a.net.parameters(), b.net.parameters()):
        np.testing.assert_allclose(q, p, rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("setup", [{}, {"ds": "xor", "layers": "8:relu,8:relu", "opt": "adam", "lr": "0.03",
                                        "bs": "16", "l2": "0.001", "test": "0.3"}], ids=["flower", "xor-adam-batches"])
def test_a_pin_retrained_from_its_link_equals_the_original(setup):
    cfg, _ = from_query(setup)
    run = trained(cfg, 400)
    pin = pin_run(run, build_data, PIN_TEXT.link_of)
    assert pin.link is not None and pin.why == "" and pin.epoch == 400, pin.why
    page = replace(cfg, grid=replace(cfg.grid, pins=(pin.link,)))
    opened = through_the_address_bar(page).grid.pins
    assert opened == (pin.link,)
    again = pin_from_link(opened[0], build_data)
    assert_same(pin, again)
    assert same_numbers(pin, again) and again.link == pin.link
    assert len(pin.history["epoch"]) > 100 and np.isfinite(again.history["cost"]).all()


def test_runs_a_replay_cannot_give_again_travel_as_a_file_with_the_same_numbers():
    cfg = Config()
    changed = trained(cfg, 200)                                   # the learning rate changed mid-run
    changed.apply_train(replace(cfg.train, learning_rate=0.3))
    changed.train_steps(100, float("inf"))
    imported = Run(replace(cfg, net=replace(cfg.net, start=StartWeights.of(changed.net, 300))), changed.data)
    imported.train_steps(50, float("inf"))                        # started from a model file's weights
    drawn = trained(cfg, 100)                                     # points drawn while it trained
    d = drawn.data
    pts = start_from(np.vstack([d.X_train, d.X_test])[:150], np.concatenate([d.y_train, d.y_test])[:150],
                     d.problem)
    own = replace(cfg, data=replace(cfg.data, dataset=OWN_DATA, points=pts))
    drawn.set_data(own, build_data(own.data))
    drawn.train_steps(100, float("inf"))
    whys = []
    for run in (changed, imported, drawn):
        pin = pin_run(run, build_data, PIN_TEXT.link_of)
        assert pin.link is None and pin.why
        whys.append(pin.why)
        text = pin_file.dumps([pin])
        ((back, link),) = pin_file.loads(text.encode("utf-8"))
        assert link is None
        assert_same(pin, back)
        for key in pin.history:                                   # the very numbers, NaN where none
            np.testing.assert_array_equal(back.history[key], pin.history[key])
        for p, q in zip(pin.net.parameters(), back.net.parameters()):
            np.testing.assert_array_equal(q, p)
        np.testing.assert_array_equal(back.X, pin.X)
        np.testing.assert_array_equal(back.y, pin.y)
        assert back.latest("score") == pin.latest("score") and back.plane == pin.plane
        assert back.net.cost(back.pipeline.transform(back.X), back.y) == pytest.approx(pin.latest("cost"), abs=1e-12)
    assert "other numbers" in whys[0] and "model file" in whys[1] and "other numbers" in whys[2]
    assert len(text) < pin_file.MAX_BYTES


def test_links_stay_under_2000_characters_and_say_what_did_not_fit():
    rng = np.random.default_rng(3)
    pins = []
    for k in range(3):                                            # 3 runs on 150 drawn points: ~1 kB each
        pts = start_from(rng.uniform(-3, 3, (150, 2)), rng.integers(0, 2, 150), "classification")
        cfg = Config()
        cfg = replace(cfg, data=replace(cfg.data, dataset=OWN_DATA, points=pts))
        run = trained(cfg, 50)
        pins.append(pin_run(run, build_data, PIN_TEXT.link_of))
    assert all(p.link is not None for p in pins)
    base = to_query(Config())
    links, left = link_pins(pins, base)
    assert len(links) == 1 and set(left) == {pins[1].uid, pins[2].uid}
    url = ORIGIN_CHARS + query_chars({**base, "pin": PIN.fmt(links)})
    assert url < MAX_LINK_CHARS < min(left.values()), (url, left)
    print(f"one pin of 150 drawn points: a {url:,}-character link; with a second: {min(left.values()):,}")
    small = [replace(pins[0], link=PIN_TEXT.link_of(from_query({"ds": "xor", "lr": "0.03"})[0], 100_000 + k),
                     uid=str(k)) for k in range(MAX_PINS)]
    links, left = link_pins(small, base)                          # 8 pins of a setup each fit with room
    q = {**base, "pin": PIN.fmt(links)}
    assert len(links) == MAX_PINS and not left and ORIGIN_CHARS + query_chars(q) < MAX_LINK_CHARS
    print(f"8 pins of `ds.xor~lr.0.03~e.1000xx`: {query_chars(q):,} characters of query")


@pytest.mark.parametrize("text,ignored", [
    ("zz", None), ("e.x", None), ("ds.nosuch~e.5", None), ("", ()),
    ("e.5!zz~e.3", "`zz`"), ("e.5!lr.99~e.3", "lr must be"), ("e.5!ds.xor", "no epoch count"),
    ("e.5!lr.1~lr.2~e.3", "twice"), ("e.5!e.9999999", "epochs must be")])
def test_malformed_pins_in_a_link_are_named_and_the_others_kept(text, ignored):
    cfg, notices = from_query({"pin": text})
    if ignored is None:                                           # nothing reads: the row's default, a notice
        assert cfg.grid.pins == () and len(notices) == 1 and "`pin=" in notices[0] and "Using the default" in notices[0]
        return
    assert notices == []
    if ignored == ():
        assert cfg.grid.pins == ()
        return
    bad = [p for p in cfg.grid.pins if p.error]
    assert len(bad) == 1 and ignored in bad[0].error and cfg.grid.pins[0].error is None
    assert PIN.fmt(cfg.grid.pins) == text                         # written back as it came, until the page drops it


def test_the_page_opens_a_links_pins_names_the_ignored_and_keeps_eight():
    at = AppTest.from_file(MAIN, default_timeout=120)
    at.query_params.update({"page": "compare", "pin": "e.30!ds.xor~lr.0.03~e.20!zz~e.3!" + "e.7!" * 7 + "e.8"})
    at.session_state["live_fallback"] = True
    at.run()
    assert not at.exception
    notes = [w.value for w in at.warning]
    assert any("Ignored pin 3 `zz~e.3`" in n for n in notes), notes
    assert any("Ignored pins 10–11 `e.7!e.8`" in n and f"at most {MAX_PINS}" in n for n in notes), notes
    pins = at.session_state["pinned"]
    assert len(pins) == MAX_PINS and [p.epoch for p in pins[:3]] == [30, 20, 7]
    assert at.query_params["pin"] == "!".join(["e.30", "ds.xor~lr.0.03~e.20"] + ["e.7"] * 6)   # the URL drops them
    assert any(f"Pinned runs · {MAX_PINS} of {MAX_PINS}" in m.value for m in at.markdown)
    at.query_params.clear()
    at.session_state["page"] = "live"                             # a 9th pin is refused with a message
    at.run()
    at.button(key="pin_run").click().run()
    assert len(at.session_state["pinned"]) == MAX_PINS
    assert any("the most a session keeps" in t.value for t in at.toast), [t.value for t in at.toast]


def test_pin_this_run_in_the_live_view():
    at = AppTest.from_file(MAIN, default_timeout=120)
    at.session_state["live_fallback"] = True
    at.run()
    at.session_state["run"].train_steps(120, float("inf"))
    at.button(key="pin_run").click().run()
    (pin,) = at.session_state["pinned"]
    assert pin.epoch == 120 and pin.link is not None
    assert at.query_params["pin"] == "e.120" and any("it is in the link" in t.value for t in at.toast)


def good_file() -> str:
    run = trained(Config(), 50)
    return pin_file.dumps([pin_run(run, build_data, PIN_TEXT.link_of)])


@pytest.mark.parametrize("edit,named", [
    (lambda d: d.update(format="x"), "format must be"),
    (lambda d: d.update(version=True), "version must be 1"),
    (lambda d: d.update(pins=[]), "pins must be a list of 1 to 8"),
    (lambda d: d["pins"][0].update(extra=1), "unexpected field 'extra'"),
    (lambda d: d["pins"][0].pop("model"), "pins[0].model is missing"),
    (lambda d: d["pins"][0].update(epoch=-1), "pins[0].epoch must be a whole number"),
    (lambda d: d["pins"][0]["history"]["cost"].__setitem__(2, "1"), "pins[0].history.cost[2]"),
    (lambda d: d["pins"][0]["history"]["epoch"].reverse(), "pins[0].history.epoch must increase"),
    (lambda d: d["pins"][0]["model"]["layers"][1].update(activation="nosuch"), "pins[0].model: layers[1].activation"),
    (lambda d: d["pins"][0]["setup"].update(lr="zz"), "pins[0].setup.lr"),
    (lambda d: d["pins"][0]["setup"].update(__class__="x"), "not a data, network or training setting"),
    (lambda d: d["pins"][0]["points"]["y"].__setitem__(0, 0.5), "pins[0].points.y must hold classes"),
    (lambda d: d["pins"][0].update(plane=[1, 0, 0, 1]), "pins[0].plane"),
    (lambda d: d["pins"][0].update(problem="regression"), "is a classifier's"),
])
def test_a_malformed_pins_file_is_refused_naming_the_field(edit, named):
    doc = json.loads(GOOD)
    edit(doc)
    with pytest.raises(ValueError, match=None) as err:
        pin_file.loads(json.dumps(doc))
    assert named in str(err.value), str(err.value)


def test_a_pins_file_is_json_only_and_bounded():
    for text, named in [("{\"format\": NaN}", "not a number"), ("\x80", "not UTF-8"), ("[1,", "not valid JSON"),
                        ("{\"a\": 1, \"a\": 2}", "appears twice"), (b"{" + b" " * pin_file.MAX_BYTES + b"}", "larger")]:
        with pytest.raises(ValueError) as err:
            pin_file.loads(text.encode("latin-1") if isinstance(text, str) else text)
        assert named in str(err.value), (text[:20], str(err.value))


GOOD = good_file()


def test_a_files_pin_rejoins_the_link_only_when_a_replay_gives_its_numbers():
    from explorer.training.pins import check_link
    doc = json.loads(GOOD)
    ((pin, text),) = pin_file.loads(json.dumps(doc))
    (link,) = PIN.parse(text)
    assert check_link(pin, link, build_data).link == link                 # its numbers: back in the link
    doc["pins"][0]["model"]["layers"][0]["b"][0] += 1e-9                   # a weight that is not the replay's
    ((tampered, text),) = pin_file.loads(json.dumps(doc))
    kept = check_link(tampered, link, build_data)
    assert kept.link is None and "other numbers" in kept.why
