"""Entry point: the command line → a quick answer for `check` and an unchanged `build`, or the full CLI.

In: the arguments of `briefgen` or `python -m briefgen`. Out: for `briefgen check`, and for a
`briefgen build` whose every output is up to date, exactly what the full CLI (cli/) prints —
standard output, standard error, exit status; for anything else, the full CLI runs, as if this
module did not exist.

Why: the command-line framework (Typer, which validates options through pydantic) costs about
0.2 s of CPU before a command starts — more than everything else an unchanged rebuild does, and a
third of checking a small briefing. So this reads those two commands' options itself, but only the
plain ones, written the plain way (`--format pdf`, `--format=pdf`, `-f pdf`): anything else —
another command, --help, --force, --since, --verbose, a repeated option, a value that starts with
"-", short options run together — and any usage error (an unknown format, a file given for a
folder) or unexpected failure hands over to the full CLI, which reports it in its usual words.
What is printed comes from the functions the full commands call (`build_cache.all_up_to_date`,
`check_report.check_lines` and `failure_lines`), and the tests hold the two to the same output.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from .build_cache import Output

# The options read here, per command: each long and short spelling → the option's own name.
_BUILD_VALUES = {"--format": "format", "-f": "format", "--audience": "audience", "-a": "audience",
                 "--project": "project", "-p": "project", "--facts": "facts", "--seeds": "seeds",
                 "--templates": "templates", "--out": "out", "-o": "out", "--jobs": "jobs", "-j": "jobs"}
_BUILD_FLAGS = {"--json": "json", "--quiet": "quiet", "-q": "quiet"}
_CHECK_VALUES = {"--project": "project", "-p": "project", "--facts": "facts", "--seeds": "seeds"}
_CHECK_FLAGS = {"--strict": "strict"}
_FOLDERS = ("facts", "seeds", "templates", "out")

# What a command prints: (standard output, standard error, exit status).
Answer = tuple[str, str, int]


def _read_options(args: list[str], takes_value: dict[str, str], flags: dict[str, str],
                  repeatable: frozenset[str] = frozenset()) -> dict[str, list[str]] | None:
    """A command's arguments → {option: [values]}; None for anything but the plain forms read here."""
    given: dict[str, list[str]] = {}
    rest = list(args)
    while rest:
        token = rest.pop(0)
        name, _, attached = token.partition("=") if token.startswith("--") else (token, "", "")
        if name in flags and "=" not in token:
            value = "yes"
            option = flags[name]
        elif name in takes_value:
            if "=" in token:
                value = attached
            elif rest:
                value = rest.pop(0)
            else:
                return None
            if not value or value.startswith("-"):
                return None
            option = takes_value[name]
        else:
            return None
        if option in given and option not in repeatable:
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
    given = _read_options(argv[1:], _BUILD_VALUES, _BUILD_FLAGS, frozenset({"project"}))
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


def _build_answer(argv: list[str]) -> Answer | None:
    """`briefgen build` with nothing to rebuild: "up to date: PATH" each, nothing (--quiet) or JSON."""
    found = up_to_date_outputs(argv)
    if found is None:
        return None
    outputs, as_json, quiet = found
    if as_json:
        from .build_cache import outputs_json

        return outputs_json(outputs) + "\n", "", 0
    return ("" if quiet else "".join(f"up to date: {output.path}\n" for output in outputs)), "", 0


def _check_answer(argv: list[str]) -> Answer | None:
    """`briefgen check`, answered in full: its summary, its warnings, or its problems (exit 1)."""
    given = _read_options(argv[1:], _CHECK_VALUES, _CHECK_FLAGS) if argv[:1] == ["check"] else None
    if given is None:
        return None
    from .check_report import check_lines, failure_lines
    from .errors import BriefgenError
    from .project import BadFolderOption, locate

    folders = {option: Path(given[option][0]) if option in given else None for option in ("facts", "seeds")}
    try:
        where = locate(Path(given["project"][0]) if "project" in given else None, **folders)
        warnings, lines = check_lines(where, strict="strict" in given)
    except BadFolderOption:
        return None  # a usage error: the full CLI words it
    except BriefgenError as exc:
        return "", "".join(line + "\n" for line in failure_lines(exc)), 1
    return "".join(line + "\n" for line in lines), "".join(line + "\n" for line in warnings), 0


def answer(argv: list[str]) -> Answer | None:
    """What `briefgen ARGV` prints, when this module can answer it; None when the full CLI must."""
    try:
        found = _build_answer(argv) if argv[:1] == ["build"] else _check_answer(argv)
    except Exception:  # anything unexpected is the full CLI's to report, in its own words
        return None
    if found is None or sys.stdout is None or sys.stderr is None:
        return None  # standard output or error closed at start: the full CLI deals with that
    for text, stream in ((found[0], sys.stdout), (found[1], sys.stderr)):
        # Plain text the terminal shows as it is: anything else, the full CLI prints with its own care.
        try:
            text.encode(stream.encoding or "utf-8")
        except (UnicodeEncodeError, LookupError):
            return None
        if not all(line.isprintable() for line in text.splitlines()):
            return None
    return found


def exit_now(status: int) -> NoReturn:
    """End the process with `status` once the output is flushed and the exit handlers have run, but
    without the interpreter's teardown of every module: with WeasyPrint and pydantic
    loaded that takes 0.3–0.4 s, a fifth of building a small briefing. Nothing is lost by it: every
    file briefgen writes is complete and closed before the command returns (atomic.py), and what
    must happen at exit (the worker processes ended, logging flushed) is registered with atexit."""
    import atexit

    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a reader that went away, a stream closed: nothing more to say
            pass
    atexit._run_exitfuncs()
    os._exit(status)


def main() -> None:
    """`briefgen` and `python -m briefgen`."""
    from .interrupts import Interrupted, handle_interrupts

    try:
        with handle_interrupts():  # Ctrl-C or SIGTERM: one line and exit 130, as in the full CLI
            found = answer(sys.argv[1:])
        if found is not None:
            out, err, status = found
            sys.stderr.write(err)  # a check's warnings come before its summary, as the full CLI has them
            sys.stderr.flush()
            sys.stdout.write(out)
            sys.stdout.flush()
            exit_now(status)
    except Interrupted as exc:  # nothing was written: nothing to undo
        sys.stderr.write(f"{exc}\n")
        sys.exit(130)
    except BrokenPipeError:  # the reader went away (`| head`): exit 1 without a word, as the full CLI does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        sys.exit(1)
    from .cli import main as run_cli

    run_cli()
