"""Every sentence a room store refuses with: one text per refusal, whichever store refuses.

The in-process store (``memory_store``) and the shared one (``redis_store``) raise the same
``RoomError`` subclasses with these texts, so a page says the same thing on one process or on
many. Texts with ``{n}`` or ``{err}`` are formatted by the store.
"""
from __future__ import annotations

NO_CLASS = "No class has this code. Check it on the projector (letters and digits, no O, I, L or U)."
EXPIRED = "This class has ended: it expired after 3 hours without activity. Ask your teacher for a new code."
CLOSED = "This class has ended: the teacher closed it."
NO_TEACHER = ("This teacher link does not open a class: it may have expired after 3 hours without activity, "
              "or a recovery code replaced it.")
NO_PROJECTOR = ("This projector link does not show a class: it may have expired after "
                "3 hours without activity.")
NOT_A_CODE = "That is not a class code: {err}."
NOT_A_RECOVERY = "That is not a recovery code: {err}."
NO_RECOVERY = "No class has this recovery code (it may have expired after 3 hours without activity)."
SERVER_FULL = ("This server holds {n} classes already, its limit. "
               "Try again when one has ended (after 3 hours without activity).")
CLASS_FULL = "This class is full: it has {n} students, the limit."
TOO_FAST = "Many students are joining this class right now: try again in a few seconds."
NAME_TAKEN = "Someone in this class already has that nickname: choose another."
NAME_TAKEN_RENAME = "Another student in this class has that nickname."
NOT_IN_CLASS = "You are not in this class (any more): join it again with a nickname."
NO_STUDENT = "No student of this class has that id (removed already?)."
UNAVAILABLE = ("Classes cannot be reached right now: this server's class store (Redis) does not answer. "
               "Try again in a moment; if it lasts, tell whoever runs the server.")
MISCONFIGURED = ("Classes are off on this server: its class store is misconfigured (REDIS_URL). "
                 "Tell whoever runs the server.")


def bad_name(err: ValueError) -> str:
    """A nickname's refusal (``nicknames.read``'s reason) as a sentence."""
    return str(err).capitalize() + "."
