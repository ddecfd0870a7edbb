"""CLI app: the Typer app, the options and helpers every command shares, error reporting and exit codes.

In: arguments. Out: exit status 0 (success), 1 (invalid input or a failed
build: every problem printed, one per line, as ``file:line:column: field: what``),
2 (usage error, from Typer) or 130 (interrupted by Ctrl-C or SIGTERM: one line,
``interrupted: N of M outputs written``). `BriefgenError` is the one error class caught
here (`reports_problems`); anything else is reported as an internal error without a
traceback (set BRIEFGEN_DEBUG=1 to see it), exit status 3.

The commands live beside this module, one module per group (build.py, project.py,
authoring.py, email.py); each registers its commands on `app` when imported, and the
package's ``__init__`` imports them all, in the order the help lists them.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer

from ..check_report import failure_lines, problem_lines
from ..check_report import load_checked as load_checked  # the commands take it from here
from ..check_report import plural as plural
from ..errors import BriefgenError, Problem, terminal_safe
from ..plan import pick
from ..project import BadFolderOption
from ..project import Where as Where  # the commands take it from here
from ..project import locate as locate_folders

P = ParamSpec("P")
R = TypeVar("R")


def _plain_help_types() -> None:
    """Help that reads like a man page: "--json  Print …", not "--json <bool>", and "DIR  Folder …", not
    "DIR <path>". Typer (0.16 and later) prints a type placeholder for every parameter, flags included;
    a flag takes no value and an argument's name already says what it is, so they print none."""
    from typer import core

    def flag(param: Any) -> bool:
        return not param.is_flag

    def never(param: Any) -> bool:
        return False

    patches: list[tuple[Any, Callable[[Any], bool]]] = [(getattr(core, "TyperOption", None), flag),
                                                         (getattr(core, "TyperArgument", None), never)]
    for cls, keep in patches:
        original = getattr(cls, "display_type_rich", None)
        if original is None or getattr(original, "_briefgen_plain", False):
            continue  # an older Typer without the placeholders, or already done

        def display_type_rich(self: Any, ctx: Any, _original: Any = original,
                              _keep: Callable[[Any], bool] = keep) -> Any:
            return _original(self, ctx) if _keep(self) else None

        display_type_rich._briefgen_plain = True  # type: ignore[attr-defined]
        cls.display_type_rich = display_type_rich

    argument: Any = getattr(core, "TyperArgument", None)
    usage = getattr(argument, "_usage_display_name", None)
    if usage is not None and not getattr(usage, "_briefgen_plain", False):
        def plain_usage(self: Any, _original: Any = usage) -> str:  # "init [OPTIONS] DIR", as man pages write it
            return str(_original(self)).replace("{", "").replace("}", "")

        plain_usage._briefgen_plain = True  # type: ignore[attr-defined]
        argument._usage_display_name = plain_usage


_plain_help_types()

app = typer.Typer(add_completion=True, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Turn source-cited YAML facts into briefing documents (PDF, Word, HTML).",
                  context_settings={"help_option_names": ["-h", "--help"]})


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"briefgen {version('briefgen')}")
        except PackageNotFoundError:  # run from a checkout that was never installed
            typer.echo("briefgen (not installed: run from a source checkout)")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Print the version and exit."),
) -> None:
    """Turn source-cited YAML facts into briefing documents (PDF, Word, HTML).

    Commands work on the briefing project that contains the current folder (the nearest folder above
    with a briefgen.toml, or with a facts/ folder), or the one given with --project. Start one with
    `briefgen init DIR` (add --example for a worked example).
    """


# --------------------------------------------------------------------------- reporting problems


def reports_problems(command: Callable[P, R]) -> Callable[P, R]:
    """Print a BriefgenError's problems, one per line, and exit 1 instead of raising."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except BriefgenError as exc:
            for line in failure_lines(exc):
                typer.echo(line, err=True)
            raise typer.Exit(1) from None

    return wrapper


def echo_problems(problems: Sequence[Problem | str]) -> None:
    """Each problem on a line of its own on stderr; a warning says so first."""
    for line in problem_lines(problems):
        typer.echo(line, err=True)


def choices(value: str, allowed: list[str], what: str) -> list[str]:
    """"all", one name, or a comma-separated list → names; unknown ones (or none) are a usage error."""
    try:
        return pick(value, allowed, what)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


# --------------------------------------------------------------------------- the project's folders


ProjectOption = typer.Option(None, "--project", "-p", metavar="DIR", show_default=False,
                             help="The briefing project folder (default: the one containing the current folder).")
FactsOption = typer.Option(None, "--facts", metavar="DIR", show_default=False,
                           help="Folder of fact files (default: the project's, facts/).")
SeedsOption = typer.Option(None, "--seeds", metavar="DIR", show_default=False,
                           help="Folder of source documents with index.yaml (default: the project's, seeds/).")
TemplatesOption = typer.Option(None, "--templates", metavar="DIR", show_default=False,
                               help="Your template folder, searched before the shipped one (default: the "
                                    "project's, templates/, if it exists).")
OutOption = typer.Option(None, "--out", "-o", metavar="DIR", show_default=False,
                         help="Folder for the outputs (default: the project's, out/).")


def locate(project: Path | None = None, facts: Path | None = None, seeds: Path | None = None,
           templates: Path | None = None, out: Path | None = None) -> Where:
    """Find the project and resolve every folder against its root (see project.py); a file given
    where a folder was expected is a usage error naming the option."""
    try:
        return locate_folders(project, facts, seeds, templates, out)
    except BadFolderOption as exc:
        raise typer.BadParameter(exc.message, param_hint=f"'{exc.option}'") from None


# --------------------------------------------------------------------------- the entry point


def main() -> None:
    """`briefgen` and `python -m briefgen`: run the app, turning interrupts and surprises into exit codes."""
    import signal

    from ..interrupts import Interrupted, handle_interrupts
    from ..launch import exit_now

    with handle_interrupts():  # Ctrl-C or SIGTERM raises Interrupted (Typer exits silently on KeyboardInterrupt)
        try:
            app(prog_name="briefgen")  # the same name in help whether run as `briefgen` or `python -m briefgen`
        except SystemExit as exc:  # how Typer ends every command, however it went
            code = exc.code
        except Interrupted as exc:  # one line, exit 130, never a traceback
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, signal.SIG_IGN)  # exiting now: a second Ctrl-C changes nothing
            # A build says how far it got ("interrupted: 2 of 9 outputs written"); anything else, "interrupted".
            # The workers have ended and the temporary files are gone: exit at once (exit_now says why).
            typer.echo(str(exc), err=True)
            exit_now(130)
        except Exception as exc:  # anything unexpected: a short message, never a traceback
            if os.environ.get("BRIEFGEN_DEBUG"):
                raise
            typer.echo(terminal_safe(f"internal error: {type(exc).__name__}: {exc} (set BRIEFGEN_DEBUG=1 for "
                                     "details; please report this)"), err=True)
            sys.exit(3)
        else:
            code = 0
    if code is not None and not isinstance(code, int):  # sys.exit("message"): printed, status 1
        typer.echo(str(code), err=True)
        code = 1
    exit_now(code or 0)
