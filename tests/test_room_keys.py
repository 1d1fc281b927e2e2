"""The room's codes and secrets, and nicknames shown escaped."""
from __future__ import annotations

import pytest

from explorer.rooms import keys, nicknames


def test_join_codes_use_unambiguous_characters_and_carry_39_bits():
    assert not set("0O1ILU") & set(keys.ALPHABET) and len(set(keys.ALPHABET)) == len(keys.ALPHABET) == 30
    assert round(keys.CODE_BITS, 1) == 39.3 and round(keys.RECOVERY_BITS, 1) == 78.5
    codes = {keys.new_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(len(c) == 8 and set(c) <= set(keys.ALPHABET) for c in codes)


def test_a_code_reads_back_as_typed_and_a_bad_one_says_what_a_code_is():
    code = keys.new_code()
    for typed in (code, code.lower(), keys.show_code(code), " " + keys.show_code(code).lower().replace("-", " ")):
        assert keys.read_code(typed) == code
    for bad in ("", "ABCD-EFG", "ABCD-EFGO", "ABCD-EFGHJ", "ABCD/EFGH"):
        with pytest.raises(ValueError, match="no 0, O, 1, I, L or U"):
            keys.read_code(bad)


def test_secrets_are_long_distinct_and_stored_as_digests():
    tokens = [keys.new_teacher_token(), keys.new_student_secret(), keys.new_projector_key()]
    assert [len(t) for t in tokens] == [43, 32, 22] and all(keys.read_token(t) == t for t in tokens)
    assert keys.digest(tokens[0]) != tokens[0] and len(keys.digest(tokens[0])) == 64
    for bad in ("", "short", "a b" * 10, "x" * 65, "ünïcode" * 4):
        with pytest.raises(ValueError):
            keys.read_token(bad)


@pytest.mark.parametrize("name", ["<b>Ada</b>", "<script>alert(1)</script", "**bold** _x_", "[link](http://x)",
                                  "a & b", "`code`", ":red[x]", "$x$"])
def test_nicknames_are_shown_escaped(name):
    assert nicknames.read(name) == name
    assert "<" not in nicknames.as_html(name) and '"' not in nicknames.as_html(name)
    md = nicknames.as_markdown(name)
    assert "<" not in md and all(f"\\{c}" in md for c in "*_[]`:$" if c in name)
