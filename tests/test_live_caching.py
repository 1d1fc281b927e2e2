"""The live component's files carry validators (explorer/live/caching.py): the first visit gets
each with an ETag and ``no-cache``, a later one gets ``304 Not Modified`` for the same file, and a
changed file a new tag. Against the real server: if a Streamlit upgrade moves the component's
URLs or renames the component, the middleware silently stops matching, and this fails."""
from __future__ import annotations

import asyncio
import urllib.error
import urllib.request

import pytest

from explorer.live import caching, component
from tests.browser import app_server, browser_page, wait_live


def test_the_middleware_knows_the_components_name_and_files():
    assert component._component.name == component.COMPONENT       # Streamlit's naming rule (private: fails on a change)
    assert component.STATIC_DIR == caching.STATIC_DIR


def test_only_the_components_own_paths_match():
    mw = caching.ComponentFileCache(None, base="/course/")
    assert mw.marker == f"/course/component/{component.COMPONENT}/"
    assert caching.ComponentFileCache(None).marker == f"/component/{component.COMPONENT}/"


def _get(url: str, etag: str | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers={"If-None-Match": etag} if etag else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


@pytest.mark.browser
def test_a_second_visit_revalidates_instead_of_downloading():
    with app_server() as url, browser_page() as page:
        page.goto(url)
        frame = wait_live(page, 120)                 # the page has declared its component
        base = frame.url.split("index.html")[0]
        assert base.startswith(url) and f"/{caching.COMPONENT}/" in base, base
        for name in ("plotly-basic.min.js", "view.js"):
            status, headers, body = _get(base + name)
            assert status == 200 and body == (caching.STATIC_DIR / name).read_bytes()
            tag = headers.get("etag")
            assert tag and tag.startswith('W/"') and headers.get("cache-control") == "no-cache", headers
            status, headers, body = _get(base + name, tag)
            assert (status, body, headers.get("etag")) == (304, b"", tag), (status, headers)
            assert _get(base + name, 'W/"another"')[0] == 200
        status, headers, _ = _get(base + "index.html")          # the page itself: as Streamlit serves it
        assert status == 200 and "etag" not in headers and headers.get("cache-control") == "no-cache"
        assert _get(base + "no-such-file.js")[0] == 404


def test_a_changed_file_gets_a_new_tag(tmp_path):
    f = tmp_path / "a.js"
    f.write_text("one")
    mw = caching.ComponentFileCache(None, "x.y", tmp_path)
    first = mw.etag("a.js")
    f.write_text("two, longer")
    assert mw.etag("a.js") not in (None, first)
    assert mw.etag("index.html") is None and mw.etag("../a.js") is None and mw.etag("nothing.js") is None


def test_other_requests_pass_through_untouched(tmp_path):
    (tmp_path / "a.js").write_text("one")
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": [(b"cache-control", b"public")]})
        await send({"type": "http.response.body", "body": b"x"})

    mw = caching.ComponentFileCache(app, "x.y", tmp_path)
    sent = []

    async def send(message):
        sent.append(message)

    async def call(path, headers=()):
        sent.clear()
        await mw({"type": "http", "method": "GET", "path": path, "headers": list(headers)}, None, send)
        return sent[0]["status"], dict(sent[0]["headers"])

    assert asyncio.run(call("/elsewhere/a.js")) == (200, {b"cache-control": b"public"})
    status, headers = asyncio.run(call("/component/x.y/a.js"))
    assert status == 200 and headers[b"cache-control"] == b"no-cache" and headers[b"etag"] == mw.etag("a.js")
    assert asyncio.run(call("/component/x.y/a.js", [(b"if-none-match", mw.etag("a.js"))]))[0] == 304
    assert seen == ["/elsewhere/a.js", "/component/x.y/a.js"]        # the 304 never reached the app
