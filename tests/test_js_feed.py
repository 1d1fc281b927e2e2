"""The fallback's requests (explorer/live/static/feed.js) reach the server at least once.

Without a socket the live view and the Compare grid send their controls as the component value
``{..., id, n}``, which a run being drawn can lose or a racing rerun can undo. The server says in
every tick's arguments which request it applied last (``fallback_feed.messages``: ``applied``);
until that is the iframe's latest request, the browser sends it again each second with the same
``(id, n)``, which ``fallback_feed.apply_value`` applies once. Here feed.js runs in Chromium with
a recording ``send``; the server side is tested with the page under AppTest (tests/test_app.py).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import browser_page

pytestmark = pytest.mark.browser

FEED_JS = Path(__file__).resolve().parents[1] / "explorer" / "live" / "static" / "feed.js"

SETUP = """() => {
  window.LiveCore = {b64bytes: () => new Uint8Array(0)};
  window.sent = [];
  window.f = BPFeed.create({send: (type, d) => sent.push(d.value), onSetup() {}, onStatus() {},
                            onFrame() {}, onError(e) { throw new Error(e); }});
  window.tick = (applied) => f.feed({setup_id: null, setup: null, status: null, frames: [], applied: applied});
}"""


def test_a_request_goes_again_until_the_server_applied_it():
    with browser_page(300, 200) as page:
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(content=FEED_JS.read_text())
        page.evaluate(SETUP)
        page.evaluate("f.value({control: {type: 'play'}})")
        first = page.evaluate("sent[0]")
        assert first["control"] == {"type": "play"} and first["n"] == 1
        page.evaluate("tick([])")                                    # at once: not again yet
        assert page.evaluate("sent.length") == 1
        page.wait_for_timeout(1100)
        page.evaluate("tick(['another iframe', 7])")                 # not ours: again, same (id, n)
        again = page.evaluate("sent[1]")
        assert (again["id"], again["n"], again["control"]) == (first["id"], 1, {"type": "play"})
        page.wait_for_timeout(1100)
        page.evaluate(f"tick([{first['id']!r}, 1])")                   # applied: done
        page.wait_for_timeout(1100)
        page.evaluate(f"tick([{first['id']!r}, 1])")
        assert page.evaluate("sent.length") == 2
        page.evaluate("f.value({control: {type: 'pause'}})")         # the next request is n = 2
        page.wait_for_timeout(1100)
        page.evaluate(f"tick([{first['id']!r}, 1])")
        assert page.evaluate("sent.map(v => [v.n, v.control.type])") == [[1, "play"], [1, "play"], [2, "pause"],
                                                                          [2, "pause"]]
