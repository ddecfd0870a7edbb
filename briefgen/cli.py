"""CLI stage: command line → the other stages → files and messages.

In: arguments. Out: exit status 0 (success), 1 (invalid input or a failed
build: every problem printed, one per line, as ``file:line:column: field: what``)
or 2 (usage error, from Typer). `BriefgenError` is the one error class caught
here; anything else is reported as an internal error without a traceback
(set BRIEFGEN_DEBUG=1 to see it).
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Callable, Optional

import typer

from .errors import BriefgenError, Problem

PROJECT_ROOT = Path(__file__).resolve().parent.parent

app = typer.Typer(add_completion=True, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Turn source-cited YAML facts into briefing documents (PDF, Word, HTML).")


@app.callback()
def _root() -> None:
    """Turn source-cited YAML facts into briefing documents (PDF, Word, HTML)."""


def reports_problems(command: Callable) -> Callable:
    """Print a BriefgenError's problems, one per line, and exit 1 instead of raising."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except BriefgenError as exc:
            warnings = [p for p in exc.problems if isinstance(p, Problem) and p.warning]
            errors = [p for p in exc.problems if p not in warnings]
            _echo_problems(errors + warnings)
            summary = f"failed: {plural(len(errors), 'error')}"
            if warnings:
                summary += f", {plural(len(warnings), 'warning')}"
                if not errors:
                    summary += " (--strict treats warnings as errors)"
            typer.echo(summary, err=True)
            raise typer.Exit(1)

    return wrapper


def _default(folder: str) -> Path:
    """The shipped folder: ./<folder> when run from a project, else the one beside the package."""
    local = Path.cwd() / folder
    return local if local.exists() else PROJECT_ROOT / folder


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    return f"{count} {noun if count == 1 else (plural_form or noun + 's')}"


def _echo_problems(problems: list[Problem | str]) -> None:
    for problem in problems:
        prefix = "warning: " if isinstance(problem, Problem) and problem.warning else ""
        typer.echo(f"{prefix}{problem}", err=True)


FactsOption = typer.Option(None, "--facts", help="Folder of fact files (default: ./facts).", show_default=False)
SeedsOption = typer.Option(None, "--seeds", help="Folder of source documents with index.yaml (default: ./seeds).",
                           show_default=False)


def load_checked(facts: Optional[Path], seeds: Optional[Path], strict: bool = False):
    """Load, validate and provenance-check the facts. Raises BriefgenError listing every problem."""
    from .model import load_fact_base
    from .sources import check_provenance

    facts = facts or _default("facts")
    seeds = seeds or _default("seeds")
    base, problems = load_fact_base(facts, seeds)
    if base is None:
        raise BriefgenError(problems)
    report = check_provenance(base)
    failing = report.errors + (report.warnings if strict else [])
    if failing:
        raise BriefgenError(report.problems)
    return base, report


@app.command()
@reports_problems
def check(
    facts: Optional[Path] = FactsOption,
    seeds: Optional[Path] = SeedsOption,
    strict: bool = typer.Option(False, "--strict", help="Treat warnings (such as uncited amounts) as errors."),
) -> None:
    """Validate the fact files and check every quote, amount and date against its source."""
    base, report = load_checked(facts, seeds, strict)
    _echo_problems(report.warnings)
    cited = report.mentions_cited + report.mentions_exempted
    coverage = "full coverage" if report.coverage_complete else f"{len(report.uncovered)} uncited"
    typer.echo(
        f"ok: {plural(len(base.events), 'event')}, {plural(len(base.funding), 'funding commitment')}, "
        f"{plural(len(base.figures), 'key figure')}, {plural(len(base.people), 'person', 'people')}, "
        f"{plural(len(base.organisations), 'organisation')}; {plural(report.quotes_checked, 'quote')} verified in "
        f"{plural(len(base.seeds), 'source')}; coverage: {cited} of {report.mentions_total} amounts and dates "
        f"cited ({report.mentions_exempted} exempted) — {coverage}"
    )


def _choices(value: str, allowed: list[str], what: str) -> list[str]:
    """"all", one name, or a comma-separated list → names, refusing unknown ones with the choices."""
    names = allowed if value == "all" else [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in allowed]
    if unknown or not names:
        raise typer.BadParameter(f"unknown {what} {', '.join(repr(u) for u in unknown) or repr(value)}; "
                                 f"choose from: {', '.join(allowed)} or all")
    return names


@app.command()
@reports_problems
def build(
    format: str = typer.Option("pdf", "--format", "-f", help="pdf, docx, html, a comma-separated list, or all."),
    audience: Optional[str] = typer.Option(None, "--audience", "-a", show_default=False,
                                           help="An audience name, a comma-separated list, or all "
                                                "(default: the briefing's audiences)."),
    facts: Optional[Path] = FactsOption,
    seeds: Optional[Path] = SeedsOption,
    templates: Optional[Path] = typer.Option(None, "--templates", help="Your template folder, searched before the "
                                             "shipped one.", show_default=False),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Folder for the outputs."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Worker processes (0: one per core)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of the files written."),
) -> None:
    """Check the facts, then write each audience's briefing in each format."""
    import json

    from .build import FORMATS, build as run_build
    from .render import available_audiences

    formats = _choices(format, list(FORMATS), "format")
    known = available_audiences(templates)
    names = _choices(audience, known, "audience") if audience else None
    base, report = load_checked(facts, seeds)
    if names is None:
        names = base.briefing.audiences
        missing = [n for n in names if n not in known]
        if missing:
            raise BriefgenError(base.located.problem(base.briefing, ("audiences",),
                                f"no template for audience {', '.join(map(repr, missing))}; available: "
                                f"{', '.join(known)} (an audience is a file templates/NAME.html.j2)"))
    _echo_problems(report.warnings)

    def announce(output) -> None:
        if not as_json:
            pages = f", {plural(output.pages, 'page')}" if output.pages else ""
            typer.echo(f"wrote {output.path} ({output.bytes:,} bytes{pages})")

    outputs = run_build(base, names, formats, out, templates, jobs=jobs, on_written=announce)
    if as_json:
        typer.echo(json.dumps([o.as_dict() for o in outputs], indent=2))


@app.command("list")
@reports_problems
def list_command(
    templates: Optional[Path] = typer.Option(None, "--templates", help="Your template folder.", show_default=False),
) -> None:
    """List the audiences and formats available."""
    from .build import FORMATS
    from .render import available_audiences

    typer.echo("audiences: " + ", ".join(available_audiences(templates)))
    typer.echo("formats: " + ", ".join(FORMATS))


def main() -> None:
    try:
        app()
    except Exception as exc:  # anything unexpected: a short message, never a traceback
        if os.environ.get("BRIEFGEN_DEBUG"):
            raise
        typer.echo(f"internal error: {type(exc).__name__}: {exc} (set BRIEFGEN_DEBUG=1 for details; "
                   "please report this)", err=True)
        sys.exit(3)
