"""Errors: bad input found by any stage → `Problem`s carried to the CLI by the one root error class.

In: nothing. Out: `Problem`, one located message about bad input, and
`BriefgenError`, which carries one or more problems up to the CLI, where they
are printed one per line and the process exits 1. Every stage reports bad input
through these, never through a bare exception, so no traceback reaches a user.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can.

    Printed as ``file:line:column: field.path: message``; parts that are not
    known (a whole-file problem has no field) are left out.
    """

    file: str
    line: int = 0
    column: int = 0
    field_path: str = ""
    message: str = ""
    warning: bool = field(default=False, compare=False)

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        parts = [where]
        if self.field_path:
            parts.append(self.field_path)
        parts.append(self.message)
        return terminal_safe(": ".join(parts))


# Characters that would act on a terminal (clear it, retitle it, reorder text) rather than show: C0 and C1
# controls, line and paragraph separators, bidi and zero-width characters, lone surrogates.
_UNSAFE_FOR_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e"
                                  "\u2060\u2066-\u2069\ufeff\ud800-\udfff]")


def terminal_safe(text: str) -> str:
    """A message with anything a terminal would act on shown as \\uXXXX: one problem, one plain line."""
    return _UNSAFE_FOR_TERMINAL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def display_path(path: Path | str) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    path = Path(path)
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        pass
    # Just outside the working folder (a project's ../_seeds): "../_seeds/x.txt" reads better than a long path.
    try:
        relative = os.path.relpath(os.path.normpath(path), Path.cwd())
    except ValueError:  # another drive on Windows
        return str(path)
    return relative if Path(relative).parts[:3].count("..") <= 2 and not relative.startswith("../../..") \
        else str(os.path.normpath(path))


class BriefgenError(Exception):
    """Bad input or a failed build. Carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem | str] | Problem | str):
        if isinstance(problems, (Problem, str)):
            problems = [problems]
        self.problems: list[Problem | str] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
