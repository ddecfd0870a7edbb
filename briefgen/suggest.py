"""Suggestions: a mistyped name → "; did you mean 'x'?" for the closest allowed name.

In: the word as written and the names allowed there. Out: the hint to append to
an "unknown …" message, or "" when no allowed name is close (difflib's ratio of
at least 0.6, the closest one only).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, allowed: Iterable[str]) -> str:
    """"; did you mean 'x'?" for the closest of `allowed`, or "" when nothing is close."""
    close = difflib.get_close_matches(word, list(allowed), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
