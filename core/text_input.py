"""Reading a user's file as text: a path, bytes, a str or a file-like object (an upload),
refused past a size limit before anything is parsed, and decoded as UTF-8 (a BOM is
dropped). Nothing is evaluated; the caller parses the text with its own strict reader.
"""
from __future__ import annotations

import os


def read_text(source, max_bytes: int, what: str, too_large: str, not_text: str) -> str:
    """The decoded text of ``source``, at most ``max_bytes`` long.

    ``what`` names the kind of file in the error for an unreadable source ("a CSV");
    ``too_large`` and ``not_text`` finish the sentences for a file over the limit and for
    bytes that are not UTF-8. Raises ValueError with those sentences.
    """
    if isinstance(source, os.PathLike):
        with open(source, "rb") as f:
            data = f.read(max_bytes + 1)
    elif isinstance(source, (bytes, bytearray, memoryview, str)):
        data = source
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
    else:
        raise ValueError(f"cannot read {what} from a {type(source).__name__}; give a path, bytes, text or a file")
    data = bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if len(data) > max_bytes:
        raise ValueError(f"the file is larger than {max_bytes:,} bytes{too_large}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"the file is not {not_text[0]} (bad byte at position {e.start}); {not_text[1]}") from None
