"""The uploads' own exceptions: what stays inside gate.uploads, which turns them into a ConfigError naming the input."""

from __future__ import annotations


class PatternTooWide(Exception):
    """The walk met more entries, or took longer, than a pattern in an input may."""
