"""Validators for the live component's static files, so a second visit does not fetch them again.

Streamlit 1.67 serves a components-v1 component's files (``/component/<name>/<file>``)
with ``Cache-Control: public`` and no ``ETag`` or ``Last-Modified``: with nothing to
revalidate against, the browser downloads every file on every visit, 1.2 MB of
plotly.js's basic bundle included (0.4 MB gzipped, compressed anew for each request), and
V8 compiles it from scratch each time. This ASGI middleware (``st.App(middleware=...)``,
documented API) adds a content hash as a weak ``ETag`` with ``Cache-Control: no-cache`` to
the component's files, except its HTML (which Streamlit already marks ``no-cache``), and
answers a matching ``If-None-Match`` with ``304 Not Modified`` itself: a second visit costs
one small request per file, and the browser reuses the file and its compiled code. A
changed file gets a new tag: a new version is never served stale.

The one thing read from Streamlit's side is the URL scheme ``/component/<module>.<name>/``
under the server's base path (and ``declare_component``'s name for this component,
``component.COMPONENT``): ``tests/test_live_caching.py``
fails if an upgrade changes either. If it did, the files would simply be served as
before (the middleware lets every request it does not recognise through untouched).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from explorer.live.component_files import COMPONENT, STATIC_DIR

CACHE_CONTROL = b"no-cache"                                  # always revalidate: a new file is never stale


class ComponentFileCache:
    """ASGI middleware: ETag / 304 for ``COMPONENT``'s files in ``directory``, served under
    ``base`` (Streamlit's ``server.baseUrlPath``, "" at the root)."""

    def __init__(self, app, component: str = COMPONENT, directory: Path = STATIC_DIR, base: str = ""):
        self.app = app
        root = f"/{base.strip('/')}" if base.strip("/") else ""
        self.marker = f"{root}/component/{component}/"
        self.directory = Path(directory)
        self._tags: dict[str, tuple[tuple[int, int], bytes]] = {}

    def etag(self, name: str) -> bytes | None:
        """The weak ETag of file ``name`` in the directory (a content hash), or None if no such file."""
        if not name or "/" in name or "\\" in name or name.startswith(".") or name.endswith(".html"):
            return None
        path = self.directory / name
        try:
            st = os.stat(path)
        except OSError:
            return None
        key = (st.st_mtime_ns, st.st_size)
        known = self._tags.get(name)
        if known is None or known[0] != key:
            digest = hashlib.blake2b(path.read_bytes(), digest_size=12).hexdigest()
            known = self._tags[name] = (key, f'W/"{digest}"'.encode())
        return known[1]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        tag = self.etag(path[len(self.marker):]) if path.startswith(self.marker) else None
        if tag is None:
            return await self.app(scope, receive, send)
        asked = dict(scope.get("headers") or ()).get(b"if-none-match", b"")
        if tag in [t.strip() for t in asked.split(b",")] or asked.strip() == b"*":
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(b"etag", tag), (b"cache-control", CACHE_CONTROL)]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def tagged(message):
            if message["type"] == "http.response.start" and message.get("status") == 200:
                headers = [(k, v) for k, v in message.get("headers", ())
                           if k.lower() not in (b"cache-control", b"etag")]
                message = dict(message, headers=headers + [(b"etag", tag), (b"cache-control", CACHE_CONTROL)])
            await send(message)

        await self.app(scope, receive, tagged)
