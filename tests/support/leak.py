"""How a leak check reads a text: as a person sees it, so a disguised key is still the key."""

from __future__ import annotations

import re
import unicodedata

# Unicode's Default_Ignorable_Code_Point ranges: characters that render as nothing.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


def as_read(text: str) -> str:
    """`text` as it reads: compatibility forms folded (NFKC), invisible characters dropped, lower case."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).lower()


def disguises(secret: str) -> dict[str, str]:
    """The secret written so that it renders as itself while no plain search finds it."""
    fullwidth = "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in secret)
    return {
        "zero-width spaces": "\u200b".join(secret),
        "soft hyphens": "\u00ad".join(secret),
        "word joiners": "\u2060".join(secret),
        "grapheme joiners": "\u034f".join(secret),
        "fullwidth": fullwidth,
        "fullwidth with zero-width spaces": "\u200b".join(fullwidth),
    }
