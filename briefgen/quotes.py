"""Quotes in seeds: a quote and a seed's text → where the quote occurs, or the passage closest to it.

In: the text of a seed document (read by `read_seed`, inside the seeds folder
and within its size limit) and a quote a fact cites from it. Out: the span of
the original seed text where the quote occurs (`find_quote`, `find_all`), or,
for a quote that is not there, the most similar passage and how alike the two
are (`closest_passage_within`), to help its author.

Both texts are compared in a normal form (`normalise`): runs of white space
and line breaks are one space, typographic quotes, apostrophes and dashes are
plain ones, and hyphenation left by PDF extraction is joined ("in-vested",
"com-\\nbination"). Nothing else is forgiven: letter case and every word must
match. The closest-passage search is bounded in time (`PASSAGE_BUDGET`).
"""

from __future__ import annotations

import difflib
import heapq
import re
import time
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .safe_files import SEED_MAX, read_text_inside

# --------------------------------------------------------------------------- normalisation

_CHAR_MAP = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2026": "...", "\u00ad": "", "\u200b": "", "\ufeff": "",
}


@dataclass
class NormalisedText:
    """Text reduced to a canonical form, with the original offset of every character kept."""

    text: str
    origin: Sequence[int]  # origin[i] = index in the original text of normalised character i


# Printable ASCII other than space and "`": NFKC leaves it alone and _CHAR_MAP has none of it,
# so a run of it is copied whole — single spaces between such characters too, as nothing collapses
# them. Most of a source is such runs: per-character work only for the rest.
_PLAIN_RUN = re.compile(r"[!-_a-~]+(?: [!-_a-~]+)*")
_HYPHEN = re.compile(r"- ?")


def normalise(raw: str) -> NormalisedText:
    pieces: list[str] = []
    origin = array("I")  # 4 bytes a character: seeds stay cached without a Python int per character
    last = ""  # the last character written, for collapsing white space
    at = 0
    for run in _PLAIN_RUN.finditer(raw):
        last = _normalise_chars(raw, at, run.start(), pieces, origin, last)
        pieces.append(run.group())
        origin.extend(range(run.start(), run.end()))
        last = raw[run.end() - 1]
        at = run.end()
    _normalise_chars(raw, at, len(raw), pieces, origin, last)
    text = "".join(pieces)
    # Join words split by hyphenation ("in-vested", "com-\nbination"): drop a hyphen (and the
    # space a line break became) between two letters. Applied to quotes and seeds alike,
    # so "cross-border" still matches "cross-border".
    drops = [(m.start(), m.end()) for m in _HYPHEN.finditer(text)
             if m.start() > 0 and text[m.start() - 1].isalpha() and m.end() < len(text) and text[m.end()].isalpha()]
    if drops:
        kept_text: list[str] = []
        kept_origin = array("I")
        at = 0
        for drop_start, drop_end in drops:
            kept_text.append(text[at:drop_start])
            kept_origin.extend(origin[at:drop_start])
            at = drop_end
        kept_text.append(text[at:])
        kept_origin.extend(origin[at:])
        text, origin = "".join(kept_text), kept_origin
    stripped = text.rstrip(" ")
    return NormalisedText(stripped, origin[:len(stripped)])


def _normalise_chars(raw: str, start: int, end: int, pieces: list[str], origin: array[int], last: str) -> str:
    """Normalise raw[start:end] character by character into `pieces` and `origin`; the last character out."""
    for index in range(start, end):
        char = raw[index]
        mapped = _CHAR_MAP.get(char)
        if mapped is None:
            mapped = " " if char.isspace() else unicodedata.normalize("NFKC", char)
        for out in mapped:
            if out == " " and last in ("", " "):
                continue  # collapse runs of white space, drop leading space
            pieces.append(out)
            origin.append(index)
            last = out
    return last


@lru_cache(maxsize=1024)  # a check reads each seed once, in whatever order the quotes cite them
def _normalised_seed(text: str) -> NormalisedText:
    return normalise(text)


def find_quote(seed_text: str, quote: str) -> tuple[int, int] | None:
    """The (start, end) span in the original seed text where `quote` occurs, or None."""
    seed = _normalised_seed(seed_text)
    needle = normalise(quote).text
    if not needle:
        return None
    at = seed.text.find(needle)
    if at < 0:
        return None
    return seed.origin[at], seed.origin[at + len(needle) - 1] + 1


def find_all(seed_text: str, text: str) -> list[tuple[int, int]]:
    """Every (start, end) span in the original seed text where `text` occurs, overlapping ones included."""
    seed = _normalised_seed(seed_text)
    needle = normalise(text).text
    if not needle:
        return []
    spans = []
    at = seed.text.find(needle)
    while at >= 0:
        spans.append((seed.origin[at], seed.origin[at + len(needle) - 1] + 1))
        at = seed.text.find(needle, at + 1)
    return spans


# The closest-passage search runs only for a quote that is not in its seed, to help its author; it
# must never cost more than the check itself. Each search gets PASSAGE_BUDGET seconds, and all of
# one process's searches together PASSAGE_TOTAL_BUDGET; past either it reports no close passage.
PASSAGE_BUDGET = 0.05
PASSAGE_TOTAL_BUDGET = 5.0
_FULL_SCAN_WORK = 200_000  # seed words x quote characters up to which every start is scored
_LONG_QUOTE = 400  # characters: longer quotes are compared word by word, not character by character
_CANDIDATES = 24  # windows scored when the seed is not scanned in full
_budget_spent = [0.0]


@lru_cache(maxsize=64)
def _seed_words(text: str) -> tuple[str, ...]:
    return tuple(_normalised_seed(text).text.split(" "))


def _candidate_starts(words: tuple[str, ...], needle_words: list[str], deadline: float) -> list[int] | None:
    """The window starts sharing the most words with the quote, best first (linear in the seed).

    None when the deadline passes first."""
    width = len(needle_words)
    wanted: dict[str, int] = {}
    for word in needle_words:
        wanted[word] = wanted.get(word, 0) + 1
    have: dict[str, int] = {}
    overlap = 0
    scores: list[tuple[int, int]] = []
    for word in words[:width]:
        count = have.get(word, 0)
        if count < wanted.get(word, 0):
            overlap += 1
        have[word] = count + 1
    for start in range(len(words)):
        if start % 4096 == 0 and time.perf_counter() > deadline:
            return None
        scores.append((-overlap, start))
        # slide: drop words[start], add words[start + width]
        gone = words[start]
        have[gone] -= 1
        if have[gone] < wanted.get(gone, 0):
            overlap -= 1
        if start + width < len(words):
            come = words[start + width]
            count = have.get(come, 0)
            if count < wanted.get(come, 0):
                overlap += 1
            have[come] = count + 1
    return [start for _, start in heapq.nsmallest(_CANDIDATES, scores)]


def closest_passage_within(seed_text: str, quote: str) -> tuple[str, float, bool]:
    """The passage of the seed most like `quote`, how alike they are (0..1), and whether the search
    ran out of time (then the passage is "" and the ratio 0).

    A short quote against a short seed is compared with every window of as many words, character
    by character (difflib, with its quick ratios as cut-offs). Otherwise the windows sharing the
    most words with the quote are found in one pass over the seed, and only those are compared —
    a quote over `_LONG_QUOTE` characters word by word, so no comparison is quadratic in characters."""
    begun = time.perf_counter()
    left = PASSAGE_TOTAL_BUDGET - _budget_spent[0]
    if left <= 0:
        return "", 0.0, True
    deadline = begun + min(PASSAGE_BUDGET, left)
    try:
        return _closest(seed_text, quote, deadline)
    finally:
        _budget_spent[0] += time.perf_counter() - begun


def _closest(seed_text: str, quote: str, deadline: float) -> tuple[str, float, bool]:
    needle = normalise(quote).text
    needle_words = needle.split(" ")
    width = len(needle_words)  # compare whole words, not a cut-off character window
    words = _seed_words(seed_text)
    long_quote = len(needle) > _LONG_QUOTE
    starts: list[int] | range
    if not long_quote and min(len(words), 20_000) * len(needle) <= _FULL_SCAN_WORK:
        starts = range(min(len(words), 20_000))
    else:
        candidates = _candidate_starts(words, needle_words, deadline)
        if candidates is None:
            return "", 0.0, True
        starts = candidates
    best, best_ratio, best_start = "", 0.0, -1
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(needle_words if long_quote else needle)
    for start in starts:
        if time.perf_counter() > deadline:
            return "", 0.0, True
        window_words = words[start:start + width]
        window = " ".join(window_words)
        matcher.set_seq1(list(window_words) if long_quote else window)
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio or (ratio == best_ratio and ratio > 0 and start < best_start):
            best, best_ratio, best_start = window, ratio, start
    return best, best_ratio, False


def read_seed(seeds_dir: Path, file: str) -> str:
    """The text of seed `file`: a regular UTF-8 file inside `seeds_dir` of at most `SEED_MAX` bytes
    (briefgen/safe_files.py). Raises `BriefgenError` naming the file otherwise."""
    return read_text_inside(Path(seeds_dir) / file, seeds_dir, "seed", SEED_MAX)
