"""gate.uploads.json_string: text escaped as json.dumps would, chunk by chunk; a valid document's length counted."""

from __future__ import annotations

import json
import random

import pytest

from gate.uploads.json_string import Escaper, escaped_length

ALPHABET = 'ab"\\/\n\t\r\b\f\x00\x01\x1b\x1f\x7f\x80\xa0é✓🐍\u2028\u2029\u202e\ufeff\U0010ffff'


class TestEscaper:
    """Escaper"""

    def test_every_character_as_json_dumps_writes_it(self) -> None:
        text = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x110000, 7)))
        assert Escaper()(text.encode(), final=True) == json.dumps(text, ensure_ascii=False)[1:-1].encode()

    @pytest.mark.parametrize("seed", range(20))
    def test_matches_json_dumps_on_any_text(self, seed: int) -> None:
        rng = random.Random(seed)
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 300)))
        assert Escaper()(text.encode(), final=True) == json.dumps(text, ensure_ascii=False)[1:-1].encode()

    @pytest.mark.parametrize("size", [1, 2, 3, 5, 7])
    def test_chunks_cut_inside_characters_join_up(self, size: int) -> None:
        data = ('é✓🐍\n"\\' * 200).encode()
        escape = Escaper()
        joined = b"".join(escape(data[start : start + size]) for start in range(0, len(data), size))
        assert joined + escape(b"", final=True) == json.dumps(data.decode(), ensure_ascii=False)[1:-1].encode()

    def test_not_utf8(self) -> None:
        with pytest.raises(UnicodeDecodeError):
            Escaper()(b"a\xffb")


class TestEscapedLength:
    """escaped_length"""

    @pytest.mark.parametrize("seed", range(20))
    def test_counts_what_escaping_a_valid_document_writes(self, seed: int) -> None:
        rng = random.Random(seed)
        document = {
            "".join(rng.choice(ALPHABET) for _ in range(5)): ["".join(rng.choice(ALPHABET) for _ in range(40)), 1.5]
            for _ in range(20)
        }
        for text in (json.dumps(document, ensure_ascii=False), json.dumps(document, indent="\t"), json.dumps(document)):
            data = (text if seed % 2 else text.replace("\n", "\r\n")).encode()
            assert escaped_length(data) == len(json.dumps(data.decode(), ensure_ascii=False).encode()) - 2
            stop = data.index(b",")
            assert (
                escaped_length(data, 0, stop) == len(json.dumps(data[:stop].decode(), ensure_ascii=False).encode()) - 2
            )
            assert escaped_length(data, stop) == len(json.dumps(data[stop:].decode(), ensure_ascii=False).encode()) - 2
