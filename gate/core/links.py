"""Which links from an answer may become links: unambiguous https URLs to a trusted host.

Python's `urlsplit` and the WHATWG URL parser every browser follows disagree on some
strings: `https://evil.example\\@app.aikido.dev/` is app.aikido.dev to Python and evil.example
to a browser (a backslash ends the authority there, and the "userinfo" is gone). So a link is
kept only when nothing is left to interpretation: no backslash, userinfo, control or white-space
character, percent-escape in the host, or non-ASCII host, and both readings give the same host.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# A host name as both parsers leave it: ASCII letters, digits, hyphens and dots (IDNA's
# xn-- labels included), optionally with a port.
_PLAIN_AUTHORITY = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?")
# ASCII only, spelt out: under IGNORECASE a class also takes what case-folds into it (the Kelvin
# sign into k), and compiling the folding costs more than the rest of the module.
_UNAMBIGUOUS = re.compile(r"(?i:https)://[\x21-\x7e]+")
# Bare URLs and www. names in free text, as GitHub's autolinker finds them.
_IN_TEXT = re.compile(r"(?:\b[A-Za-z][A-Za-z0-9+.-]*://|(?<![A-Za-z0-9])(?i:www)\.)([^\s/?#\\<>\"'`]*)")


def whatwg_host(url: str) -> str:
    """The host a browser opens for an http(s) URL: slashes and backslashes skipped, userinfo dropped."""
    rest = url.split(":", 1)[1].lstrip("/\\")
    authority = re.split(r"[/\\?#]", rest, maxsplit=1)[0]
    host = authority.rpartition("@")[2]
    return host.rsplit(":", 1)[0].lower() if not host.startswith("[") else host.lower()


def trusted_link(url: str, hosts: frozenset[str]) -> bool:
    """`url` is an https link to one of `hosts` that every parser reads the same way."""
    if not _UNAMBIGUOUS.fullmatch(url) or "\\" in url:
        return False
    authority = url[len("https://") :].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].lower()
    if not _PLAIN_AUTHORITY.fullmatch(authority):
        return False  # userinfo, a percent-escape, brackets or anything else a parser might read otherwise
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    return host in hosts and whatwg_host(url) == host


def link_host(url: str) -> str:
    """The host a browser would open for `url`, to name it as text; "no host" when there is none."""
    if "://" not in url and not url.lower().startswith("www."):
        return "no host"
    if url.lower().startswith("www."):
        url = "https://" + url
    host = whatwg_host(url)
    return host if host else "no host"


def hosts_in_text(text: str) -> list[str]:
    """The hosts of the bare URLs and www. names in free text, in order, each once."""
    found: dict[str, None] = {}
    for match in _IN_TEXT.finditer(text):
        url = match.group(0) if "://" in match.group(0) else "https://" + match.group(0)
        found[whatwg_host(url) or "no host"] = None
    return list(found)
