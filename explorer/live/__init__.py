"""Live charts: several plotly figures in one Streamlit component, updated in place.

Stock ``st.plotly_chart`` re-creates its chart on every data change (see
``shared/STREAMLIT-FACTS.md``). This component (components v1, plain JS, plotly.js
copied from the installed plotly package: nothing from a CDN) keeps one plot div per
figure in one iframe and calls ``Plotly.react`` on it: charts never vanish, zoom/pan
survive (``layout.uirevision`` defaults to a constant), and only what changed is
redrawn (unchanged figure strings are skipped; unchanged traces / layout keys are
handed to plotly as the objects it already holds).

Pacing: once the iframe has drawn frame ``revision`` it sets the component value to
``{"ack": revision, "ms": <draw ms>, "renders": <count>}``. That change reruns only
the enclosing ``@st.fragment``: the signal to send the next frame. The loop
(``bench/live_spike_app.py`` is a complete app)::

    @st.fragment
    def live_view():
        ss = st.session_state
        new = acked(ss.get("charts")) >= ss.rev and (ss.running or ss.next is not ss.figs)
        if new:                        # the browser drew all we sent: next frame
            ss.rev += 1
            ss.figs = ss.next          # built while the browser drew the last one
        live_charts(ss.figs, ss.rev, height=300, columns=2, key="charts")
        if new and ss.running:         # train while the browser draws this frame,
            with ss.lock:              # until rerun_requested() (its ack), 40..150 ms
                train_until_ack(model)
                ss.next = {name: fig_json(model) for name in ...}

Play/Pause may live inside or outside the fragment (both measured < 100 ms).
Everything that changes every frame as a picture belongs in ``layout.images``
(see ``explorer.figures.encode.png_data_uri``): a changed *trace* makes plotly replot
the whole figure. The app's own loop is ``explorer.live_panel``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import streamlit.components.v1 as components

try:  # private Streamlit API (1.67), used only for pacing hints; optional
    from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
except ImportError:  # pragma: no cover - other Streamlit versions
    ScriptRequestType = get_script_run_ctx = None

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
        for name in ("index.html", "live.js"):
            shutil.copy2(STATIC_DIR / name, alt / name)
        _copy_if_stale(src, alt / "plotly.min.js")
        return alt


_component = components.declare_component("live_charts", path=str(ensure_static_dir()))


def live_charts(
    figures: dict[str, str] | list[dict[str, str]],
    revision: int,
    height: int = 320,
    columns: int = 2,
    key: str = "live_charts",
    extra: dict[str, Any] | None = None,
    spans: dict[str, int] | None = None,
) -> dict[str, Any] | None:
    """Draw (or update in place) several plotly figures in one grid.

    figures:  name -> figure JSON string (``fig.to_json()`` or a ``json.dumps``
              of a figure dict). Order is the grid order. A figure whose string
              is identical to the previous one is not redrawn. Or a list of such
              dicts (same names): successive states, drawn in order one per
              animation frame; a state is skipped if a newer message is waiting.
    revision: frame number; the browser acks it once the (first) set of figures
              is on screen. Use a new number for every new message.
    height:   height of one chart row in px (the iframe grows to fit the rows).
    columns:  charts per row (1 for a narrow / presentation layout).
    key:      widget key; keep it constant so the iframe is never re-created.
    extra:    small JSON-able dict exposed in the iframe as
              ``window.__live.extra`` (status for tests/benchmarks).
    spans:    name -> number of grid columns that chart spans (default 1).

    Returns the last ack ``{"ack": int, "ms": float, "renders": int}`` the
    browser sent, or None before the first frame is drawn.
    """
    value = _component(
        figures=figures,
        revision=int(revision),
        height=int(height),
        columns=int(columns),
        extra=extra or {},
        spans=spans or {},
        key=key,
        default=None,
        tab_index=-1,
    )
    if _in_full_run():
        # Streamlit 1.67 race: when a fragment rerun (our ack) starts right after a
        # full run, AppSession drops the full run's not-yet-flushed fragment deltas but
        # still sends its FINISHED_SUCCESSFULLY, so the browser deletes the component
        # and re-creates the iframe (blank charts, plotly.js reloaded). Giving the event
        # loop a moment to flush (every 5 ms) closes the window. Full runs only.
        time.sleep(FLUSH_GRACE_S)
    return value


FLUSH_GRACE_S = 0.03


def _in_full_run() -> bool:
    try:
        ctx = get_script_run_ctx(suppress_warning=True)
        return ctx is not None and not ctx.fragment_ids_this_run
    except Exception:  # noqa: BLE001 - private API moved: assume the safe answer
        return True


def acked(value: dict[str, Any] | None) -> int:
    """Frame number the browser has drawn (-1 if none yet)."""
    if isinstance(value, dict):
        try:
            return int(value.get("ack", -1))
        except (TypeError, ValueError):
            return -1
    return -1


def rerun_requested() -> bool:
    """True once something will rerun this script/fragment: the browser's ack of the
    frame just sent, a click, a widget change (or a stop for a fastReruns rerun).

    Reads Streamlit's private ScriptRequests state (1.67); returns False when that is
    unavailable (bare mode, AppTest, other versions), so callers fall back to a budget.
    """
    try:
        ctx = get_script_run_ctx(suppress_warning=True)
        return ctx.script_requests._state is not ScriptRequestType.CONTINUE
    except Exception:  # noqa: BLE001 - private API moved: behave as "nothing pending"
        return False


__all__ = ["live_charts", "acked", "ensure_static_dir", "rerun_requested"]
