"""CLI build commands: `check` (validate and verify the facts), `build` (write the briefings) and `list`.

In: the project's folders (or the ones given) and the audiences and formats asked for.
Out: a one-line summary of the check, one "wrote …" line per output (or a JSON list
with --json), and with `check` on a new project the next thing to add.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ..check_report import check_lines, next_step
from ..errors import BriefgenError, Problem
from .app import (
    FactsOption,
    OutOption,
    ProjectOption,
    SeedsOption,
    TemplatesOption,
    app,
    choices,
    echo_problems,
    load_checked,
    locate,
    plural,
    reports_problems,
)

if TYPE_CHECKING:
    from ..build import Output, Pool, Request
    from ..model import FactDate
    from ..project import Where


@app.command()
@reports_problems
def check(
    project: Path | None = ProjectOption,
    facts: Path | None = FactsOption,
    seeds: Path | None = SeedsOption,
    strict: bool = typer.Option(False, "--strict", help="Treat warnings (such as uncited amounts) as errors."),
) -> None:
    """Validate the fact files and check every quote, amount and date against its source."""
    warnings, lines = check_lines(locate(project, facts, seeds), strict)
    for line in warnings:
        typer.echo(line, err=True)
    for line in lines:
        typer.echo(line)


def parse_since(value: str | None) -> FactDate | None:
    """--since DATE → a date, or a usage error naming the option."""
    if value is None:
        return None
    from ..model import parse_fact_date

    try:
        return parse_fact_date(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--since") from None


@app.command()
@reports_problems
def build(
    format: str = typer.Option("pdf", "--format", "-f", metavar="FORMATS",
                               help="pdf, docx, html, a comma-separated list, or all."),
    audience: str | None = typer.Option(None, "--audience", "-a", metavar="NAMES", show_default=False,
                                        help="An audience name, a comma-separated list, or all "
                                             "(default: the briefing's audiences)."),
    projects: list[Path] | None = typer.Option(
        None, "--project", "-p", metavar="DIR", show_default=False,
        help="The briefing project folder (default: the one containing the current folder). Give it "
             "more than once to build several projects together, each into its own out folder."),
    facts: Path | None = FactsOption,
    seeds: Path | None = SeedsOption,
    templates: Path | None = TemplatesOption,
    out: Path | None = OutOption,
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, metavar="N", help="Worker processes (0: one per core)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of the files written."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print errors only."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also print the check summary and timings."),
    since: str | None = typer.Option(None, "--since", metavar="DATE", show_default=False,
                                     help="Mark events and commitments dated after DATE (YYYY-MM-DD) as new "
                                          "since the last briefing."),
    force: bool = typer.Option(False, "--force", help="Rebuild every output, even those that are up to date."),
) -> None:
    """Check the facts, then write each audience's briefing in each format.

    An output whose facts, sources, templates and options have not changed since it was built (and whose
    file is still the one written) is not rebuilt: it is reported as up to date. With several --project
    folders, every project is checked first and nothing is built unless all pass; the projects then
    share one set of worker processes.
    """
    from ..build import FORMATS, build_all, start_pool
    from ..build_cache import outputs_json

    formats = choices(format, list(FORMATS), "format")
    if projects and len(projects) > 1:
        given = [name for name, value in (("--facts", facts), ("--seeds", seeds), ("--templates", templates),
                                          ("--out", out)) if value is not None]
        if given:
            raise typer.BadParameter(f"{' and '.join(given)} cannot be given with several projects: each "
                                     "project uses the folders its briefgen.toml sets", param_hint="--project")
        projects = list(dict.fromkeys(project.resolve() for project in projects))  # each project once
    since_date = parse_since(since)
    started = time.perf_counter()
    progress: Any = None  # a rich Progress bar, on a terminal, once the facts are checked
    task: Any = None

    def announce(output: Output) -> None:
        if progress is not None:
            progress.advance(task)
        if quiet or as_json:
            return
        pages = f", {plural(output.pages, 'page')}" if output.pages else ""
        if output.up_to_date:
            line = f"up to date: {output.path}"
        else:
            line = f"wrote {output.path} ({output.bytes:,} bytes{pages})"
        if verbose:
            line += f" at {time.perf_counter() - started:.1f} s"
        if progress is not None:
            progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            typer.echo(line)

    requests: list[Request] = []
    up_to_date: list[Output] = []
    problems: list[Problem | str] = []
    pending: list[_Pending] = []
    for project in list(projects) if projects else [None]:
        try:
            found, fresh = _look(project, facts, seeds, templates, out, audience, formats, since, force)
        except BriefgenError as exc:  # every project's problems, then stop
            problems += exc.problems
            continue
        if found is None:
            up_to_date += fresh
        else:
            pending.append(found)
    pool: Pool | None = None
    try:
        if pending and not problems:
            # Something to build: start the workers now, so that they load the PDF and Word libraries
            # (about 0.7 s) while this process checks the facts and renders the HTML.
            audiences = sum(len(p.names if p.names is not None else p.known) for p in pending)
            pool = start_pool(min(jobs or os.cpu_count() or 1, audiences * len(formats)), formats,
                              audiences if {"pdf", "docx"} <= set(formats) else 0)
        for found in pending:
            try:
                requests.append(_check(found, formats, since_date, quiet, verbose, started))
            except BriefgenError as exc:
                problems += exc.problems
        if problems:
            raise BriefgenError(problems)
        for output in up_to_date:  # nothing changed since the last build: not checked or rendered again
            announce(output)

        total = sum(len(r.audiences) * len(r.formats) for r in requests)
        if not (quiet or as_json) and total > 1 and sys.stderr.isatty() and sys.stdout.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            progress = Progress(TextColumn("rendering"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                                TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            task = progress.add_task("render", total=total)
            progress.start()
        built = build_all(requests, jobs=jobs, on_written=announce, force=force, pool=pool) if requests else []
    finally:
        if pool is not None:
            pool.stop()  # nothing if build_all used it; else (a failed check, an interrupt) its workers end
        if progress is not None:
            progress.stop()
    if as_json:  # for programs: absolute paths, whatever folder the command ran in
        typer.echo(outputs_json(up_to_date + [output for outputs in built for output in outputs]))


@dataclass
class _Pending:
    """A project with something to build: its folders, its audiences, and its inputs' cache key."""

    where: Where
    known: list[str]  # every audience it has a template for
    names: list[str] | None  # the audiences asked for; None: the briefing's own
    inputs: str


def _look(project: Path | None, facts: Path | None, seeds: Path | None, templates: Path | None,
          out: Path | None, audience: str | None, formats: list[str], since_text: str | None,
          force: bool) -> tuple[_Pending | None, list[Output]]:
    """One project's first look, before any check: (None, its outputs) when every output asked for is up
    to date (said without checking or rendering again), else (what the check needs, [])."""
    from ..build_cache import all_up_to_date
    from ..template_folders import available_audiences

    where = locate(project, facts, seeds, templates, out)
    known = available_audiences(where.templates)
    names = choices(audience, known, "audience") if audience is not None else None
    inputs, fresh = all_up_to_date(where.facts, where.seeds, where.templates, where.out, names, formats, since_text)
    if fresh is not None and not force:
        return None, fresh
    return _Pending(where, known, names, inputs), []


def _check(found: _Pending, formats: list[str], since: FactDate | None, quiet: bool, verbose: bool,
           started: float) -> Request:
    """What to build of one project, once its facts pass the check."""
    from ..build import Request

    where, known = found.where, found.known
    base, report = load_checked(where)
    hint = next_step(base, where)
    if hint:
        raise BriefgenError(f"nothing to build yet: {hint}")
    if verbose:
        typer.echo(f"facts checked: {plural(len(base.events), 'event')}, {plural(report.quotes_checked, 'quote')} "
                   f"verified ({time.perf_counter() - started:.1f} s)", err=True)
    names = found.names
    if names is None:
        names = base.briefing.audiences
        missing = [n for n in names if n not in known]
        if missing:
            raise BriefgenError(base.located.problem(base.briefing, ("audiences",),
                                f"no template for audience {', '.join(map(repr, missing))}; available: "
                                f"{', '.join(known)} (an audience is a file templates/NAME.html.j2)"))
    if not quiet:
        echo_problems(report.warnings)
    return Request(base, names, formats, where.out, where.templates, since, found.inputs)


@app.command("list")
@reports_problems
def list_command(
    project: Path | None = ProjectOption,
    templates: Path | None = TemplatesOption,
) -> None:
    """List the audiences and formats available."""
    from ..build import FORMATS
    from ..template_folders import available_audiences

    where = locate(project, templates=templates)
    typer.echo("audiences: " + ", ".join(available_audiences(where.templates)))
    typer.echo("formats: " + ", ".join(FORMATS))
