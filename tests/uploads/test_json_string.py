"""gate.uploads.json_string: UTF-8 bytes escaped as json.dumps would, and their length counted, chunk by chunk."""

from __future__ import annotations

import json
import random

import pytest

from gate.uploads.json_string import escape, escaped_length

ALPHABET = 'ab"\\/\n\t\r\b\f\x00\x01\x1b\x1f\x7fé✓🐍\u2028\u202e'


@pytest.mark.parametrize("seed", range(20))
def test_matches_json_dumps_on_any_text(seed: int) -> None:
    rng = random.Random(seed)
    text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 300)))
    want = json.dumps(text, ensure_ascii=False)[1:-1].encode()
    assert escape(text.encode()) == want
    assert escaped_length(text.encode()) == len(want)


def test_chunks_cut_inside_characters_join_up() -> None:
    data = ('é✓🐍\n"' * 1000).encode()
    chunks = [data[start : start + 7] for start in range(0, len(data), 7)]  # cuts through multi-byte characters
    joined = b"".join(escape(chunk) for chunk in chunks)
    assert json.loads(b'"' + joined + b'"') == data.decode()
    assert sum(escaped_length(chunk) for chunk in chunks) == len(joined)
