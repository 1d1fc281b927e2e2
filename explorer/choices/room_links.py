"""A class's keys as they travel in a link: the settings table's ``class``, ``join`` and
``projector`` rows read them here (``explorer.rooms.keys`` makes them). The ``me`` row, a
student's own secret, has the form of a key but never travels in a link (``in_url`` False).

Only the form is checked here (a key of the right shape, or ``class=new``); whether a class
has the key is the room store's question. A value of another form is refused with a sentence,
as every setting's is, and the page opens without it.
"""
from __future__ import annotations

import re

from explorer.choices.parsers import BadValue

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"     # 30: no 0 O 1 I L U (U reads as V)
CODE_LENGTH = 8
NEW_CLASS = "new"                                # ?class=new starts a class
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")     # what secrets.token_urlsafe makes, 12 to 48 bytes
_SEPARATORS = re.compile(r"[\s\-_.]+")


def grouped(text: str) -> str:
    """``ABCDEFGH`` as people read it: ``ABCD-EFGH``."""
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def plain_code(text: str, length: int = CODE_LENGTH, what: str = "class code") -> str:
    """A code as typed (any case, spaces or dashes) in its plain form; ValueError if it cannot be one."""
    plain = _SEPARATORS.sub("", str(text)[:64]).upper()
    if len(plain) != length or any(c not in ALPHABET for c in plain):
        raise ValueError(f"a {what} is {length} letters and digits like {grouped(ALPHABET[:length])} "
                         f"(no 0, O, 1, I, L or U)")
    return plain


def plain_token(text: str) -> str:
    """A secret or key as a link carries it; ValueError otherwise."""
    text = str(text)
    if not _TOKEN.fullmatch(text):
        raise ValueError("is not a key this app made")
    return text


def join_code(text: str) -> str:
    """The ``join`` row: a class code."""
    try:
        return plain_code(text)
    except ValueError as err:
        raise BadValue(f"must be {str(err)[2:]}") from None


def key(text: str) -> str:
    """The ``projector`` and ``me`` rows: a key this app made."""
    try:
        return plain_token(text)
    except ValueError:
        raise BadValue("must be a key this app made (copy the whole link)") from None


def teacher_key(text: str) -> str:
    """The ``class`` row: ``new``, or a teacher's key."""
    return NEW_CLASS if text == NEW_CLASS else key(text)
