"""Pattern helper: a list of words → one regular expression that matches any of them, as a trie.

In: words (currency names and signs, month and weekday names, organisation names). Out: a pattern
string with one branch per next character — "Jan(?:uary)?", not "January|Jan" — in which, where
one word begins another, the longer is tried first, as a list sorted longest-first would have it.

Why: Python's `re` tries the branches of an alternation one by one at every position of the text;
with hundreds of currency names that was most of the time `check` spent reading sources. A trie
tries one branch per character instead, and matches exactly what the plain list matched.
"""

from __future__ import annotations

import re
from typing import Any


def alternation(words: list[str] | tuple[str, ...] | set[str]) -> str:
    """Any of `words` (an empty word allowed, no words matching nothing but the empty string)."""
    trie: dict[str, Any] = {}
    for word in set(words):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def branch(node: dict[str, Any]) -> str:
        children = [re.escape(char) + branch(child) for char, child in sorted(node.items()) if char]
        if not children:
            return ""
        body = children[0] if len(children) == 1 else "(?:" + "|".join(children) + ")"
        return f"(?:{body})?" if "" in node else body

    return branch(trie)
