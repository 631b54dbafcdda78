"""The one function every text passes before any sink: no secret in any form, no control text.

Text from Aikido's answers, the event payload (PR titles, branch names) and exceptions is
hostile. Before anything escapes it for its sink (a workflow command, `GITHUB_OUTPUT`,
Markdown, a PR comment, a SARIF file), `clean` removes every registered secret (as given,
in any letter case, with any of its characters percent-encoded, with invisible characters
between its letters or in compatibility forms such as fullwidth letters), terminal escape
sequences (ANSI colours, cursor moves, OSC hyperlinks), C0/C1 control characters and Unicode bidi controls, and replaces
lone surrogates, so the sinks can neither leak a key nor be tricked into showing text other
than what it is (https://trojansource.codes).

The secrets are held by a `Secrets` object the wiring (gate.boot.wiring) makes and puts in force for the whole
run (`using`, a context variable, so a test makes its own): every sink of the run hides them,
whoever built the text, as the runner's `::add-mask::` does for its log.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REDACTED = "***"
# ESC-introduced sequences: CSI (colours, cursor moves), OSC (titles, hyperlinks), and two-byte escapes.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]")
# C0 (but tab and newline), DEL, C1, bidi embeddings/overrides/isolates and marks, BOM, lone surrogates.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")

# Characters that render as nothing (Unicode's Default_Ignorable_Code_Point): a key with them
# between its letters still reads as the key, so they are skipped when looking for one.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


def _any_form(secret: str) -> str:
    """A pattern for `secret` with each character as itself or percent-encoded (%XX, any mix, any case)."""
    parts = []
    for char in secret:
        encoded = "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
        spellings = [re.escape(char), re.escape(encoded)] + (["\\+"] if char == " " else [])
        parts.append(f"(?:{'|'.join(spellings)})")
    return "".join(parts)


class Secrets:
    """The secrets of one run, in every spelling; the wiring makes it and `using` makes it the one in force."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        self.pattern: re.Pattern[str] | None = None
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Register secrets to remove from every text from now on (empty strings are ignored)."""
        for secret in secrets:
            if secret and secret not in self._secrets:
                self._secrets.append(secret)
        # Longest first, so a secret inside another is not cut out of it first.
        alternatives = [_any_form(secret) for secret in sorted(self._secrets, key=len, reverse=True)]
        self.pattern = re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None


# The run's secrets, in force for everything that runs in its context (the signal handler too).
# A context variable rather than a module global: a test makes its own with `using`.
_in_force: ContextVar[Secrets | None] = ContextVar("aikido_gate_secrets", default=None)


@contextmanager
def using(secrets: Secrets) -> Iterator[Secrets]:
    """Make `secrets` the ones every sink removes, for the code inside the block."""
    token = _in_force.set(secrets)
    try:
        yield secrets
    finally:
        _in_force.reset(token)


def add_secrets(secrets: Iterable[str]) -> None:
    """Register secrets with the registry in force (`using`); without one, that is a bug: it raises."""
    registry = _in_force.get()
    if registry is None:
        raise RuntimeError("no secret registry in force: wrap the run in gate.core.sanitize.using(Secrets())")
    registry.add(secrets)


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if "\ud800" <= char <= "\udfff":
        return "\ufffd"
    return f"<U+{ord(char):04X}>"


def valid_unicode(text: str) -> str:
    """`text` with lone surrogates (from JSON escapes such as "\\ud83d") as U+FFFD, so it can be encoded."""
    return _SURROGATES.sub("\ufffd", text)


def redact(text: str) -> str:
    """`text` with every registered secret, in every form, replaced by ***."""
    registry = _in_force.get()
    pattern = registry.pattern if registry is not None else None
    if pattern is None:
        return text
    text = pattern.sub(REDACTED, text)
    if text.isascii() or (unicodedata.is_normalized("NFKC", text) and not _INVISIBLE.search(text)):
        return text
    return _redact_disguised(text, pattern)


def _redact_disguised(text: str, pattern: re.Pattern[str]) -> str:
    """Redact secrets written with invisible characters between their letters or in compatibility forms.

    The search runs on the text as it reads (NFKC, invisible characters dropped); each match
    is mapped back to the characters of `text` it came from, and those are replaced.
    """
    readable: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if _INVISIBLE.match(char):
            continue
        for part in unicodedata.normalize("NFKC", char):
            readable.append(part)
            origin.append(index)
    spans = [(origin[m.start()], origin[m.end() - 1] + 1) for m in pattern.finditer("".join(readable)) if m.end()]
    for start, end in reversed(spans):
        text = text[:start] + REDACTED + text[end:]
    return text


def clean(text: str, *, multiline: bool = False) -> str:
    """Hostile text made safe for any sink: secrets out, escapes removed, controls shown as <U+XXXX>.

    One line unless `multiline` (then newlines stay, CR and CRLF become newlines). Tabs
    become spaces. Lone surrogates (a PR title cut mid-emoji) become U+FFFD.
    """
    text = redact(_ESCAPES.sub("", valid_unicode(text)))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if not multiline:
        text = text.replace("\n", " ")
    # Redact again: removing an escape sequence may have joined a secret split by it.
    return redact(_CONTROLS.sub(_visible, text))
