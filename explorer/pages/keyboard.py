"""A teacher's keyboard shortcuts, and the size of the learner's screen.

``keyboard()`` draws an invisible component (``keyboard_static/index.html``, plain JS)
that installs one key handler in the page: Space Play/Pause, → step, R reset, P
presentation, ? the list (← back in the step-by-step view). It clicks the keyed Streamlit
widgets (``.st-key-play button`` …) as a mouse would, so every shortcut goes through the
same callbacks as the buttons, and it stays silent while focus is in a field, a select, a
slider or anything editable. The component's value is the page's viewport,
``{"width": px, "height": px}``: sent once and again when the window is resized, but only
while no script runs and once the size has held still for a poll (a rerun asked for
mid-run would carry the browser's widget values from before that run's changes and undo
them). The layout picks columns, fonts and a first estimate of the charts' height with it;
where the charts begin on the page the live views measure in the browser
(``explorer/live/static/live.js`` ``room``), so rows that come and go above them cost no
page run. None until the browser has answered (and always under AppTest).
"""
from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

STATIC = Path(__file__).resolve().parent / "keyboard_static"
KEY = "shortcuts"
# What the "?" list shows; the handler in index.html holds the same table.
SHORTCUTS = {"Space": "Play / Pause", "→": "Step one epoch (step view: next step)",
             "←": "Step view: previous step", "R": "Reset", "P": "Presentation mode on / off",
             "?": "Show / hide the list"}

_component = components.declare_component("keyboard_shortcuts", path=str(STATIC))


def keyboard() -> dict | None:
    """Install the shortcuts; the viewport ``{"width", "height"}`` in CSS px, or None before the first report."""
    value = _component(key=KEY, default=None, tab_index=-1)
    if isinstance(value, dict) and value.get("width") and value.get("height"):
        return {"width": int(value["width"]), "height": int(value["height"])}
    return None
