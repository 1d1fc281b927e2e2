"""Pinned runs in a link: each one's setup and its epoch count, and the link's length.

A run whose replay from its setup gives the same numbers (``explorer.training.pins`` checks it)
travels in the link as that setup and an epoch count; the ``pin`` row of the settings table
holds them, one ``PinLink`` each. Link text: the pins separated by ``!``, each a list of
``key.value`` fields separated by ``~``: the data, network and training settings that differ
from their defaults (read by their own rows' parsers) and ``e.<epochs>``::

    pin=e.1200!ds.xor~layers.8:relu~lr.0.03~e.400

A pin that does not read (an unknown key, a value its row refuses or moves to a limit, no
epoch count) is kept as a ``PinLink`` with ``error`` set, so the page can
name it in a notice and open the others; a value with no well-formed pin at all is refused
as a whole (``BadValue``), as any row's malformed value is. The page opens at most ``MAX_PINS``
and names the rest. Nothing is evaluated.

Links stay under ``MAX_LINK_CHARS``: ``query_chars`` measures a query as the address bar
writes it (percent-encoded), with ``ORIGIN_CHARS`` kept for the server's address.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlencode

from explorer.choices.parsers import BadValue, OutOfRange

MAX_PINS = 8                    # pinned runs a session keeps
MAX_LINK_CHARS = 2000           # a whole link (origin and query) stays under this
ORIGIN_CHARS = 100              # kept for "https://<the app's host>/": the query gets the rest
MAX_PIN_EPOCHS = 1_000_000
EPOCHS = "e"                    # the epoch count's field (no settings row has this key)
PIN_SEP, FIELD_SEP, KEY_SEP = "!", "~", "."
SETUP_GROUPS = ("data", "net", "train")
NOT_SETUP = ("speed",)          # a setting of these groups that does not change the numbers


@dataclass(frozen=True)
class PinLink:
    """One pinned run's link form: ``fields`` ((key, text), ...) of its setup, ``epochs`` to
    train, ``text`` as written; ``error`` (completing "it ...") when it does not read."""

    text: str
    fields: tuple = ()
    epochs: int = 0
    error: str | None = None

    @property
    def query(self) -> dict[str, str]:
        """The setup as a link's query (the other settings: their defaults)."""
        return dict(self.fields)


def query_chars(query: dict[str, str]) -> int:
    """Characters of ``?<query>`` as the address bar holds it (percent-encoded)."""
    return 1 + len(urlencode(query))


def fits(query: dict[str, str]) -> bool:
    """True when a link of this query stays under MAX_LINK_CHARS (with ORIGIN_CHARS for the host)."""
    return ORIGIN_CHARS + query_chars(query) < MAX_LINK_CHARS


class PinText:
    """The ``pin`` row's parser and formatter; ``settings()`` gives the settings table (read
    when called: the table holds this row)."""

    def __init__(self, settings: Callable[[], dict]):
        self.settings = settings

    def setup_rows(self) -> dict:
        return {k: s for k, s in self.settings().items()
                if s.group in SETUP_GROUPS and s.in_url and k not in NOT_SETUP}

    def fmt(self, pins: tuple) -> str | None:
        return PIN_SEP.join(p.text for p in pins) if pins else None

    def parse(self, text: str) -> tuple:
        if text == "":
            return ()
        pins = tuple(self._one(part, i + 1) for i, part in enumerate(text.split(PIN_SEP)))
        if all(p.error for p in pins):
            raise BadValue(f"must be pinned runs as `key.value` fields joined by `{FIELD_SEP}`, each with its "
                           f"epochs (`{EPOCHS}.1200`), the runs joined by `{PIN_SEP}` ({pins[0].error})")
        return pins

    def _one(self, text: str, number: int) -> PinLink:
        rows, fields, epochs = self.setup_rows(), {}, None
        for part in text.split(FIELD_SEP):
            key, sep, value = part.partition(KEY_SEP)
            if not sep or (key != EPOCHS and key not in rows):
                return PinLink(text, error=f"has `{part[:30]}`, which is not `key.value` with a data, network or "
                                           "training setting's key")
            if key in fields or (key == EPOCHS and epochs is not None):
                return PinLink(text, error=f"names `{key}` twice")
            if key == EPOCHS:
                if not value.isdigit() or not value.isascii() or int(value) > MAX_PIN_EPOCHS:
                    return PinLink(text, error=f"has `{part[:30]}`: epochs must be a whole number from 0 to "
                                               f"{MAX_PIN_EPOCHS:,}")
                epochs = int(value)
                continue
            try:
                rows[key].parse(value)
            except OutOfRange as err:       # a replay must use exactly its setup: no moving to a limit
                return PinLink(text, error=f"has `{part[:30]}`: {key} {err}")
            except BadValue as err:
                return PinLink(text, error=f"has `{part[:30]}`: {key} {err}")
            fields[key] = value
        if epochs is None:
            return PinLink(text, error=f"has no epoch count (`{EPOCHS}.<epochs>`)")
        return PinLink(text, tuple(fields.items()), epochs)

    def link_of(self, cfg, epochs: int) -> PinLink | None:
        """``cfg``'s setup (data, network, training: what differs from the defaults) and ``epochs``
        as a pin's link form; None when a setting has no link form (more points than a link holds)."""
        fields = []
        for key, s in self.setup_rows().items():
            value = getattr(getattr(cfg, s.group), s.field)
            if value != s.default:
                text = s.fmt(value)
                if text is None:
                    return None
                fields.append((key, text))
        fields.append((EPOCHS, str(int(epochs))))
        return PinLink(FIELD_SEP.join(f"{k}{KEY_SEP}{v}" for k, v in fields), tuple(fields[:-1]), int(epochs))


__all__ = ["PinLink", "PinText", "MAX_PINS", "MAX_LINK_CHARS", "query_chars", "fits"]
