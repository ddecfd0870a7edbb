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
import time
import sys
from pathlib import Path
from typing import Callable, Optional

import typer

from .errors import BriefgenError, Problem, display_path

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


def _parse_since(value: Optional[str]):
    from .model import parse_fact_date

    if value is None:
        return None
    try:
        return parse_fact_date(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--since")


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
                                             "shipped one (default: ./templates if it exists).", show_default=False),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Folder for the outputs."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Worker processes (0: one per core)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of the files written."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print errors only."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also print the check summary and timings."),
    since: Optional[str] = typer.Option(None, "--since", metavar="DATE", show_default=False,
                                        help="Mark events and commitments dated after DATE (YYYY-MM-DD) as new "
                                             "since the last briefing."),
) -> None:
    """Check the facts, then write each audience's briefing in each format."""
    import json

    from .build import FORMATS, build as run_build
    from .render import available_audiences

    formats = _choices(format, list(FORMATS), "format")
    templates = _templates_or_local(templates)
    since_date = _parse_since(since)
    known = available_audiences(templates)
    names = _choices(audience, known, "audience") if audience else None
    started = time.perf_counter()
    base, report = load_checked(facts, seeds)
    if verbose:
        typer.echo(f"facts checked: {plural(len(base.events), 'event')}, {plural(report.quotes_checked, 'quote')} "
                   f"verified ({time.perf_counter() - started:.1f} s)", err=True)
    if names is None:
        names = base.briefing.audiences
        missing = [n for n in names if n not in known]
        if missing:
            raise BriefgenError(base.located.problem(base.briefing, ("audiences",),
                                f"no template for audience {', '.join(map(repr, missing))}; available: "
                                f"{', '.join(known)} (an audience is a file templates/NAME.html.j2)"))
    if not quiet:
        _echo_problems(report.warnings)

    total = len(names) * len(formats)
    show_progress = not (quiet or as_json) and total > 1 and sys.stderr.isatty() and sys.stdout.isatty()
    progress = None
    if show_progress:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(TextColumn("rendering"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                            TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        task = progress.add_task("render", total=total)
        progress.start()

    def announce(output) -> None:
        if progress is not None:
            progress.advance(task)
        if quiet or as_json:
            return
        pages = f", {plural(output.pages, 'page')}" if output.pages else ""
        line = f"wrote {output.path} ({output.bytes:,} bytes{pages})"
        if verbose:
            line += f" at {time.perf_counter() - started:.1f} s"
        if progress is not None:
            progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            typer.echo(line)

    try:
        outputs = run_build(base, names, formats, out, templates, jobs=jobs, on_written=announce,
                            since=since_date)
    finally:
        if progress is not None:
            progress.stop()
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

    typer.echo("audiences: " + ", ".join(available_audiences(_templates_or_local(templates))))
    typer.echo("formats: " + ", ".join(FORMATS))


def _templates_or_local(templates: Optional[Path]) -> Optional[Path]:
    """The --templates folder, or ./templates when it exists and is not the shipped folder."""
    if templates is not None:
        return templates
    local = Path("templates")
    return _user_templates(local) if local.is_dir() else None


def _user_templates(folder: Path) -> Optional[Path]:
    """None when `folder` is the shipped template folder (it is searched anyway), else the folder."""
    from .render import SHIPPED_TEMPLATES

    return None if folder.resolve() == SHIPPED_TEMPLATES.resolve() else folder


@app.command("new-audience")
@reports_problems
def new_audience_command(
    name: str = typer.Argument(..., help="Name of the new audience, e.g. regional-office."),
    start_from: Optional[str] = typer.Option(None, "--from", help="Start from an existing audience (e.g. official) "
                                             "instead of the bare base.", show_default=False),
    templates: Path = typer.Option(Path("templates"), "--templates", help="Folder to write the template into."),
    facts: Optional[Path] = FactsOption,
    seeds: Optional[Path] = SeedsOption,
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Folder for the trial build."),
) -> None:
    """Scaffold a template for a new audience, register it, and build it once."""
    from .authoring import new_audience
    from .build import build as run_build

    facts_dir = facts or _default("facts")
    path, registered = new_audience(name, templates, facts_dir, start_from)
    typer.echo(f"created {display_path(path)}; {registered}")
    base, _ = load_checked(facts, seeds)
    for output in run_build(base, [name], ["html"], out, _user_templates(templates), jobs=1):
        typer.echo(f"built {output.path}: open it in a browser, then edit {display_path(path)} "
                   f"and run: briefgen build --audience {name}")


@app.command()
@reports_problems
def watch(
    audience: Optional[str] = typer.Option(None, "--audience", "-a", show_default=False,
                                           help="Audience(s) to rebuild (default: the briefing's audiences)."),
    format: str = typer.Option("html", "--format", "-f", help="html, pdf, docx or a comma-separated list."),
    facts: Optional[Path] = FactsOption,
    seeds: Optional[Path] = SeedsOption,
    templates: Optional[Path] = typer.Option(None, "--templates", help="Your template folder.", show_default=False),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Folder for the outputs."),
    serve: bool = typer.Option(False, "--serve", help="Also serve the HTML preview on 127.0.0.1, reloading on "
                                                     "every rebuild."),
    port: int = typer.Option(8000, "--port", help="Port for --serve (0 picks a free one)."),
) -> None:
    """Rebuild whenever a fact file, seed, template or stylesheet changes (Ctrl+C to stop)."""
    from .authoring import PreviewServer, watch as watch_loop
    from .build import FORMATS, build as run_build
    from .render import SHIPPED_TEMPLATES, available_audiences

    formats = _choices(format, list(FORMATS), "format")
    templates = _templates_or_local(templates)
    facts_dir, seeds_dir = facts or _default("facts"), seeds or _default("seeds")

    def rebuild() -> list[str]:
        base, report = load_checked(facts_dir, seeds_dir)
        _echo_problems(report.warnings)
        names = _choices(audience, available_audiences(templates), "audience") if audience \
            else base.briefing.audiences
        outputs = run_build(base, names, formats, out, templates)
        return [Path(o.path).name for o in outputs]

    server = None
    if serve:
        out.mkdir(parents=True, exist_ok=True)
        server = PreviewServer(out, port)
        typer.echo(f"serving {display_path(out)} at http://127.0.0.1:{server.port}/ (pages reload after each build)")

    def built() -> None:
        if server:
            server.version += 1

    paths = [facts_dir, seeds_dir, SHIPPED_TEMPLATES] + ([templates] if templates else [])
    typer.echo("watching " + ", ".join(display_path(p) for p in paths) + " (Ctrl+C to stop)")
    stop_after = int(os.environ.get("BRIEFGEN_WATCH_STOP_AFTER", "0")) or None  # lets tests end the loop
    watch_loop(paths, rebuild, typer.echo, on_built=built, stop_after=stop_after)


from .mailer import email_command  # noqa: E402 - registered here; mailer imports cli lazily

app.command("email")(reports_problems(email_command))


def main() -> None:
    try:
        app()
    except Exception as exc:  # anything unexpected: a short message, never a traceback
        if os.environ.get("BRIEFGEN_DEBUG"):
            raise
        typer.echo(f"internal error: {type(exc).__name__}: {exc} (set BRIEFGEN_DEBUG=1 for details; "
                   "please report this)", err=True)
        sys.exit(3)
