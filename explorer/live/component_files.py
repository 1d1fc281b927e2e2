"""Where the live component's files are and the name Streamlit serves them under.

Read by ``component.py`` (which declares the component) and ``caching.py`` (which
``app.py`` loads before Streamlit's runtime starts, so it must not import ``component.py``:
a component declared before the runtime exists is never served).
"""
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
NAME = "live_charts"
COMPONENT = f"explorer.live.component.{NAME}"   # declare_component's module.name (tests/test_live_caching.py)
