"""A student's nickname: checked once when it is given, escaped wherever it is shown.

A nickname is 1–24 characters once spaces are trimmed and runs of them made one, in
Unicode NFC; control and format characters (newlines, zero-width joiners, bidi overrides)
are refused, so a name cannot hide or reorder the text around it. Two students of a class
cannot share a name (compared case-insensitively).
"""
from __future__ import annotations

import html
import re
import unicodedata

MAX_LENGTH = 24
_SPACES = re.compile(r"\s+")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def read(text) -> str:
    """The nickname ``text`` stands for; ValueError with a sentence if it cannot be one."""
    if not isinstance(text, str):
        raise ValueError("a nickname must be text")
    name = _SPACES.sub(" ", unicodedata.normalize("NFC", text[:200])).strip()
    if not name:
        raise ValueError("a nickname needs at least one character")
    if len(name) > MAX_LENGTH:
        raise ValueError(f"a nickname is at most {MAX_LENGTH} characters (this one has {len(name)})")
    bad = [c for c in name if unicodedata.category(c).startswith("C")]
    if bad:
        raise ValueError(f"a nickname cannot hold control characters such as U+{ord(bad[0]):04X}")
    return name


def same(a: str, b: str) -> bool:
    """Whether two nicknames would be taken for one another in a class list."""
    return a.casefold() == b.casefold()


def as_html(name: str) -> str:
    """The nickname escaped for HTML (``<b>`` shows as text)."""
    return html.escape(name, quote=True)


def as_markdown(name: str) -> str:
    """The nickname escaped for Streamlit's markdown (``**x**`` and ``<b>`` show as typed)."""
    return _MARKDOWN.sub(r"\\\1", as_html(name))
