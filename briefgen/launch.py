"""Entry point: the command line → an unchanged rebuild answered at once, or the full CLI (cli/).

In: the arguments of `briefgen` or `python -m briefgen`. Out: when they ask for `briefgen build`
and every output asked for is up to date, the lines the full command prints for that case
("up to date: PATH" each, nothing with --quiet, the JSON list with --json) and exit status 0;
otherwise the full CLI runs, as if this module did not exist.

Why: the command-line framework (Typer, which validates options through pydantic) costs about
0.2 s of CPU before a command starts — more than everything else an unchanged rebuild does — and
an unchanged rebuild should cost next to nothing. So this reads the `build` options itself, but
only the plain ones, written the plain way (`--format pdf`, `--format=pdf`, `-f pdf`): anything
else — another command, --help, --force, --since, --verbose, a repeated option, a value that
starts with "-", short options run together — and any error at all (no project, an unknown
format, an unreadable cache) hands over to the full CLI, which reports it in its usual words.
What is up to date is decided by the same function the full command calls
(`build_cache.all_up_to_date`), and the tests hold the two to the same output.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .build_cache import Output

# `briefgen build` options this reads: each long and short spelling → the option's own name.
_TAKES_VALUE = {"--format": "format", "-f": "format", "--audience": "audience", "-a": "audience",
                "--project": "project", "-p": "project", "--facts": "facts", "--seeds": "seeds",
                "--templates": "templates", "--out": "out", "-o": "out", "--jobs": "jobs", "-j": "jobs"}
_FLAGS = {"--json": "json", "--quiet": "quiet", "-q": "quiet"}
_REPEATABLE = {"project"}
_FOLDERS = ("facts", "seeds", "templates", "out")


def _read_build_options(args: list[str]) -> dict[str, list[str]] | None:
    """`build`'s arguments → {option: [values]}; None for anything but the plain forms read here."""
    given: dict[str, list[str]] = {}
    rest = list(args)
    while rest:
        token = rest.pop(0)
        name, _, attached = token.partition("=") if token.startswith("--") else (token, "", "")
        if name in _FLAGS and not attached and "=" not in token:
            value = "yes"
            option = _FLAGS[name]
        elif name in _TAKES_VALUE:
            if "=" in token:
                value = attached
            elif rest:
                value = rest.pop(0)
            else:
                return None
            if not value or value.startswith("-"):
                return None
            option = _TAKES_VALUE[name]
        else:
            return None
        if option in given and option not in _REPEATABLE:
            return None
        given.setdefault(option, []).append(value)
    if "jobs" in given and not (given["jobs"][0].isascii() and given["jobs"][0].isdigit()):
        return None
    return given


def up_to_date_outputs(argv: list[str]) -> tuple[list[Output], bool, bool] | None:
    """(the outputs, --json, --quiet) when `argv` is a `briefgen build` whose every output is up to
    date; None when the full CLI must run (see the module's docstring)."""
    if not argv or argv[0] != "build":
        return None
    given = _read_build_options(argv[1:])
    if given is None:
        return None
    try:
        from .build_cache import all_up_to_date
        from .plan import FORMATS, pick
        from .project import locate
        from .template_folders import available_audiences

        formats = pick(given.get("format", ["pdf"])[0], list(FORMATS), "format")
        projects: list[Path | None] = [Path(p) for p in given.get("project", [])] or [None]
        if len(projects) > 1:
            if any(option in given for option in _FOLDERS):
                return None  # a usage error: the full CLI says so
            projects = list(dict.fromkeys(Path(p).resolve() for p in given["project"]))
        folders = {option: Path(given[option][0]) if option in given else None for option in _FOLDERS}
        outputs: list[Output] = []
        for project in projects:
            where = locate(project, **folders)
            audience = given.get("audience", [None])[0]
            names = pick(audience, available_audiences(where.templates), "audience") if audience else None
            _, fresh = all_up_to_date(where.facts, where.seeds, where.templates, where.out, names, formats, None)
            if fresh is None:
                return None
            outputs += fresh
    except Exception:  # any problem at all is the full CLI's to report, in its own words
        return None
    return outputs, "json" in given, "quiet" in given


def _report(outputs: list[Output], as_json: bool, quiet: bool) -> str | None:
    """What `briefgen build` prints for these up-to-date outputs; None if it is not plain text the
    terminal can show as it is (the full CLI then prints it, with its own care)."""
    if sys.stdout is None:  # started with standard output closed: the full CLI deals with that
        return None
    if as_json:
        from .build_cache import outputs_json

        text = outputs_json(outputs) + "\n"
    elif quiet:
        text = ""
    else:
        text = "".join(f"up to date: {output.path}\n" for output in outputs)
    encoding = sys.stdout.encoding or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return None
    if not all(line.isprintable() for line in text.splitlines()):
        return None
    return text


def main() -> None:
    """`briefgen` and `python -m briefgen`."""
    try:
        found = up_to_date_outputs(sys.argv[1:])
        text = _report(*found) if found is not None else None
        if text is not None:
            sys.stdout.write(text)
            sys.stdout.flush()
            return
    except KeyboardInterrupt:  # Ctrl-C before anything was written: nothing to undo
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except BrokenPipeError:  # the reader went away (`| head`): exit 1 without a word, as the full CLI does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        sys.exit(1)
    from .cli import main as run_cli

    run_cli()
