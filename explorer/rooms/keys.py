"""The room's codes and secrets: how they are made, read back and stored.

- **Join code:** 8 characters from 30 that cannot be confused when read off a projector or
  typed on a phone (no 0 O 1 I L U: ``explorer.choices.room_links.ALPHABET``),
  shown as ``ABCD-EFGH``: 30⁸ ≈ 6.6·10¹¹ codes, 39.3 bits. It only joins a class.
- **Teacher token** (drives the class): ``secrets.token_urlsafe(32)``, 256 bits.
- **Recovery code** (gets a new teacher token): 16 characters of ``ALPHABET``, 78.5 bits,
  shown in groups of four to be written down.
- **Projector key** (shows, drives nothing): ``secrets.token_urlsafe(16)``, 128 bits.
- **Student secret** (a reload recognises the student): ``secrets.token_urlsafe(24)``, 192 bits.

A store keeps only ``digest(secret)`` (SHA-256) of the secrets, never the secrets themselves,
so a copy of its memory (or, later, of a shared backend) drives nothing.
"""
from __future__ import annotations

import hashlib
import math
import secrets

from explorer.choices import room_links
from explorer.choices.room_links import ALPHABET

CODE_LENGTH, RECOVERY_LENGTH = room_links.CODE_LENGTH, 16
TEACHER_BYTES, STUDENT_BYTES, PROJECTOR_BYTES = 32, 24, 16
CODE_BITS = CODE_LENGTH * math.log2(len(ALPHABET))
RECOVERY_BITS = RECOVERY_LENGTH * math.log2(len(ALPHABET))


def _draw(n: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


def new_code() -> str:
    """A join code in its plain form (``ABCDEFGH``); ``show_code`` groups it for people."""
    return _draw(CODE_LENGTH)


def new_recovery() -> str:
    return _draw(RECOVERY_LENGTH)


def new_teacher_token() -> str:
    return secrets.token_urlsafe(TEACHER_BYTES)


def new_student_secret() -> str:
    return secrets.token_urlsafe(STUDENT_BYTES)


def new_projector_key() -> str:
    return secrets.token_urlsafe(PROJECTOR_BYTES)


def show_code(code: str) -> str:
    """``ABCDEFGH`` as people read it: ``ABCD-EFGH``."""
    return room_links.grouped(code)


def show_recovery(code: str) -> str:
    return room_links.grouped(code)


def read_code(text: str) -> str:
    """A join code as typed (any case, spaces or dashes) in its plain form; ValueError if it cannot be one."""
    return room_links.plain_code(text)


def read_recovery(text: str) -> str:
    return room_links.plain_code(text, RECOVERY_LENGTH, "recovery code")


def read_token(text: str) -> str:
    """A teacher token, student secret or projector key as it travels in a link; ValueError otherwise."""
    return room_links.plain_token(text)


def digest(secret: str) -> str:
    """What a store keeps of a secret: its SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()
