"""Live charts: several plotly figures in one Streamlit component, updated in place.

Stock ``st.plotly_chart`` re-creates its chart on every data change (see
the README's "Why the live view is built this way"). This component (components v1, plain JS, plotly.js
copied from the installed plotly package: nothing from a CDN) keeps one plot div per
figure in one iframe and calls ``Plotly.react`` on it: charts never vanish, zoom/pan
survive (``layout.uirevision`` defaults to a constant), and only what changed is
redrawn (unchanged figure strings are skipped; unchanged traces / layout keys are
handed to plotly as the objects it already holds).

Two ways in:

* ``live_channel`` (the app's live view): the iframe opens its own WebSocket to
  ``explorer.channel`` (format: ``explorer/channel/wire.py``), authenticated with the
  session's token. Frames carry weights and new curve points; the browser computes the
  surface and the tiles. No Streamlit rerun per frame; Streamlit only learns of the
  channel's state (open / failed) through the component value.
* ``live_charts`` (the fallback when no socket can be opened): figures built on the
  server travel as component arguments, a timer-driven fragment re-sends the latest
  (``explorer.live_panel``).

Everything that changes every frame as a picture belongs in ``layout.images``
(see ``explorer.figures.encode.png_data_uri``): a changed *trace* makes plotly replot
the whole figure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import streamlit.components.v1 as components

STATIC_DIR = Path(__file__).resolve().parent / "static"
PLOTLY_JS = STATIC_DIR / "plotly.min.js"


def _plotly_source() -> Path:
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


def _copy_if_stale(src: Path, dst: Path) -> None:
    try:
        a, b = src.stat(), dst.stat()
        if a.st_size == b.st_size and int(a.st_mtime) == int(b.st_mtime):
            return
    except FileNotFoundError:
        pass
    # Copy to a temp file and rename: concurrent imports never see half a file.
    fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=".plotly-", suffix=".tmp")
    os.close(fd)
    try:
        shutil.copy2(src, tmp)
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def ensure_static_dir() -> Path:
    """The component's static dir with plotly.min.js copied in (if missing or stale).

    Normally ``static/`` in this package; if that is read-only, a copy of the whole
    dir under the system temp dir.
    """
    src = _plotly_source()
    try:
        _copy_if_stale(src, PLOTLY_JS)
        return STATIC_DIR
    except OSError:
        alt = Path(tempfile.gettempdir()) / "explorer-live-static"
        alt.mkdir(exist_ok=True)
        for path in STATIC_DIR.iterdir():
            if path.is_file() and path.name != PLOTLY_JS.name and not path.name.startswith("."):
                shutil.copy2(path, alt / path.name)
        _copy_if_stale(src, alt / "plotly.min.js")
        return alt


_component = components.declare_component("live_charts", path=str(ensure_static_dir()))


def live_channel(
    token: str,
    ws_path: str,
    height: int = 320,
    columns: int = 2,
    spans: dict[str, int] | None = None,
    speeds: list | tuple = (),
    controls: bool = True,
    key: str = "charts",
    draw: bool = False,
    on_change: Any = None,
) -> dict[str, Any] | None:
    """The live view fed by its own WebSocket (``explorer.channel``; ``wire`` is the format).

    The iframe opens ``ws_path`` on the page's host, says hello with ``token`` and draws
    what the server pushes; nothing goes through Streamlit reruns while it trains. With
    ``controls`` it draws Play/Pause, Step and Reset and a Speed choice (``speeds``)
    itself. With ``draw`` a click anywhere on the decision boundary's plane is reported
    (a crosshair shows it) and ``on_change`` runs before the next script run.
    Returns the state the browser last reported, ``{"channel": "open" | "failed" |
    "closed", "code": int}`` plus, after a click, ``"click": [x1, x2], "seq": n``; or
    None before that.
    """
    return _component(token=token, ws_path=ws_path, height=int(height), columns=int(columns),
                      spans=spans or {}, speeds=list(speeds), controls=bool(controls), fallback=False,
                      figures={}, revision=0, extra={}, draw=bool(draw), key=key, default=None, tab_index=-1,
                      on_change=on_change)


def live_charts(
    figures: dict[str, str] | list[dict[str, str]],
    revision: int,
    height: int = 320,
    columns: int = 2,
    key: str = "live_charts",
    extra: dict[str, Any] | None = None,
    spans: dict[str, int] | None = None,
) -> dict[str, Any] | None:
    """Draw (or update in place) several plotly figures in one grid, sent through Streamlit
    (no socket): the live view's fallback.

    figures:  name -> figure JSON string (``fig.to_json()`` or a ``json.dumps``
              of a figure dict). Order is the grid order. A figure whose string
              is identical to the previous one is not redrawn. Or a list of such
              dicts (same names): successive states, drawn in order one per
              animation frame; a state is skipped if a newer message is waiting.
    revision: frame number (``window.__live.frame`` once drawn). Use a new number
              for every new message.
    height:   height of one chart row in px (the iframe grows to fit the rows).
    columns:  charts per row (1 for a narrow / presentation layout).
    key:      widget key; keep it constant so the iframe is never re-created.
    extra:    small JSON-able dict exposed in the iframe as
              ``window.__live.extra`` (status for tests/benchmarks).
    spans:    name -> number of grid columns that chart spans (default 1).

    Returns None: the browser reports nothing back (a value would rerun the fragment
    that draws it once per frame).
    """
    return _component(figures=figures, revision=int(revision), height=int(height), columns=int(columns),
                      extra=extra or {}, spans=spans or {}, fallback=True, key=key, default=None, tab_index=-1)


__all__ = ["live_channel", "live_charts", "ensure_static_dir"]
