"""Text hygiene: fact text → the first character that has no place in a briefing, or the text cleaned.

In: strings from fact files and the seed manifest (values and keys), as the
loader gives them. Out: an error message for the first disallowed character
(`text_problem`), the same text escaped for a terminal (`printable`, `shown`),
or a whole loaded document with U+2029 normalised and each bad string
reported at its field (`clean_data`); and the did-you-mean hint for a
mistyped name (`did_you_mean`).

Disallowed everywhere: C0 controls other than tab and line feed, DEL, C1
controls, the line separator U+2028, surrogates (from YAML escapes such as
"\\ud800"), noncharacters (U+FDD0 to U+FDEF and U+xFFFE/U+xFFFF),
bidirectional controls (U+202A to U+202E, U+2066 to U+2069) and zero-width
characters (U+200B, U+2060, U+FEFF). U+200C and U+200D too in titles,
subjects, the protective marking, identifiers and keys, but not in other
text, where Persian and Indic scripts and emoji need them. The paragraph
separator U+2029 becomes a blank line ("\\n\\n"), which is what its writer meant.
"""

from __future__ import annotations

from typing import Any

from .errors import Problem
from .facts import SUSPECT_CHARACTERS, FieldPath, LoadedFile

_BIDI_CONTROLS = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
_ZERO_WIDTH = {0x200B, 0x2060, 0xFEFF}
_JOINERS = {0x200C, 0x200D}  # ZWNJ and ZWJ: needed by Persian, Indic scripts and emoji in running text
_SUSPECT = SUSPECT_CHARACTERS
# Fields where no invisible or reordering character is acceptable, joiners included: names a reader
# or a program matches on (identifiers, keys) and the lines on every page and in the email subject.
STRICT_TEXT_FIELDS = {"title", "subject", "protective_marking", "id", "seed", "event", "person", "organisation",
                      "slug", "tags", "audiences", "from", "to", "part_of", "overlaps", "sort_hint", "currency",
                      "language", "file", "url", "unit", "qualifier", "per", "kind"}


def _is_noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def _character_problem(char: str, strict: bool) -> tuple[str, str] | None:
    """What is wrong with one character in fact text and what to do, or None if it is fine there."""
    code = ord(char)
    if char in "\t\n":
        return None
    if code < 0x20 or code == 0x7F or 0x80 <= code <= 0x9F:
        return "a control character", "remove it"
    if 0xD800 <= code <= 0xDFFF:  # from a YAML escape such as "\ud83d\ude00": half of a character
        return ("half of a character (a surrogate)", "write the character itself, or an escape of eight digits "
                "such as \\U0001F600")
    if code == 0x2028:
        return "a line separator", "write a line break (a new line) instead"
    if _is_noncharacter(code):
        return "a noncharacter", "remove it"
    if code in _BIDI_CONTROLS:
        return ("a bidirectional control", "remove it (it can make text display in a different order from how "
                "it is stored)")
    if code in _ZERO_WIDTH or (strict and code in _JOINERS):
        return "an invisible zero-width character", "remove it"
    return None


def text_problem(text: str, strict: bool = False) -> str | None:
    """The first disallowed character in `text` as a message (without the field), or None."""
    if not _SUSPECT.search(text):
        return None
    for index, char in enumerate(text):
        found = _character_problem(char, strict)
        if found:
            what, advice = found
            return f"contains {what} (U+{ord(char):04X}) at character {index + 1}; {advice}"
    return None


def printable(text: str) -> str:
    """`text` safe to print on a terminal: controls, bidi and zero-width characters as \\uXXXX escapes."""
    if not _SUSPECT.search(text):
        return text
    return "".join(f"\\u{ord(c):04x}" if c != "\n" and (_character_problem(c, True) or c == "\u2029") else c
                   for c in text)


def shown(value: Any, limit: int = 100) -> str:
    """A user's value echoed in a message: printable, and cut short when long."""
    text = printable(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean_data(value: Any, path: FieldPath, loaded: LoadedFile, problems: list[Problem], bad: set[FieldPath]) -> Any:
    """`value` with U+2029 normalised; every disallowed character reported at its field."""
    if path == () and loaded.plain_text:
        return value  # no such character anywhere in the file, nor an escape that could make one
    if isinstance(value, str):
        field = next((p for p in reversed(path) if isinstance(p, str)), "")
        message = text_problem(value, strict=field in STRICT_TEXT_FIELDS)
        if message:
            problems.append(loaded.problem(path, message))
            bad.add(path)
            return printable(value)
        return value.replace("\u2029", "\n\n") if "\u2029" in value else value
    if isinstance(value, list):
        return [clean_data(item, path + (index,), loaded, problems, bad) for index, item in enumerate(value)]
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            message = text_problem(key, strict=True) if isinstance(key, str) else None
            if message:
                safe = printable(key)
                problems.append(loaded.problem(path, f"the key '{safe}' {message}"))
                bad.add(path + (safe,))
                key = safe
            cleaned[key] = clean_data(item, path + (key,), loaded, problems, bad)
        return cleaned
    return value

