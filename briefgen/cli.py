"""CLI stage: command line → the other stages → files and messages.

In: arguments. Out: exit status 0 (success), 1 (invalid input or a failed
build: every problem printed, one per line, as ``file:line:column: field: what``),
2 (usage error, from Typer) or 130 (interrupted by Ctrl-C or SIGTERM: one line,
``interrupted: N of M outputs written``). `BriefgenError` is the one error class caught
here; anything else is reported as an internal error without a traceback
(set BRIEFGEN_DEBUG=1 to see it).
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import typer

from .errors import BriefgenError, Problem, display_path, terminal_safe
from .project import Project, find_project


def _plain_help_types() -> None:
    """Help that reads like a man page: "--json  Print …", not "--json <bool>", and "DIR  Folder …", not
    "DIR <path>". Typer (0.16 and later) prints a type placeholder for every parameter, flags included;
    a flag takes no value and an argument's name already says what it is, so they print none."""
    from typer import core

    for cls, keep in ((getattr(core, "TyperOption", None), lambda p: not p.is_flag),
                      (getattr(core, "TyperArgument", None), lambda p: False)):
        original = getattr(cls, "display_type_rich", None)
        if original is None or getattr(original, "_briefgen_plain", False):
            continue  # an older Typer without the placeholders, or already done

        def display_type_rich(self, ctx, _original=original, _keep=keep):
            return _original(self, ctx) if _keep(self) else None

        display_type_rich._briefgen_plain = True  # type: ignore[attr-defined]
        cls.display_type_rich = display_type_rich

    usage = getattr(getattr(core, "TyperArgument", None), "_usage_display_name", None)
    if usage is not None and not getattr(usage, "_briefgen_plain", False):
        def plain_usage(self, _original=usage):  # "init [OPTIONS] DIR", as click and man pages write it
            return _original(self).replace("{", "").replace("}", "")

        plain_usage._briefgen_plain = True  # type: ignore[attr-defined]
        core.TyperArgument._usage_display_name = plain_usage


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


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    return f"{count} {noun if count == 1 else (plural_form or noun + 's')}"


def _echo_problems(problems: list[Problem | str]) -> None:
    for problem in problems:
        prefix = "warning: " if isinstance(problem, Problem) and problem.warning else ""
        typer.echo(f"{prefix}{terminal_safe(str(problem))}", err=True)


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


@dataclass(frozen=True)
class Where:
    """The folders a command works with: the project's, or the ones given, relative to the project root."""

    project: Project
    facts: Path
    seeds: Path
    templates: Path | None  # the user's template folder; None when only the shipped templates are used
    out: Path


def _folder_option(path: Path, option: str, what: str) -> Path:
    if path.exists() and not path.is_dir():
        raise typer.BadParameter(f"{display_path(path)} is a file; expected {what}", param_hint=f"'{option}'")
    return path


def locate(project: Path | None = None, facts: Path | None = None, seeds: Path | None = None,
           templates: Path | None = None, out: Path | None = None) -> Where:
    """Find the project and resolve every folder against its root (see project.py)."""
    found = find_project(explicit=project)
    facts_dir = _folder_option(found.resolve(facts, found.facts), "--facts", "the folder of fact files")
    seeds_dir = _folder_option(found.resolve(seeds, found.seeds), "--seeds",
                               "the folder of source documents and index.yaml")
    if templates is not None:
        user = _folder_option(found.resolve(templates, found.templates), "--templates", "a template folder")
        from .shipped import TEMPLATES

        user_templates = None if user.is_dir() and user.resolve() == TEMPLATES.resolve() else user
    else:
        user_templates = found.user_templates
    out_dir = _folder_option(found.resolve(out, found.out), "--out", "a folder for the outputs")
    return Where(found, facts_dir, seeds_dir, user_templates, out_dir)


def load_checked(where: Where, strict: bool = False):
    """Load, validate and provenance-check the facts. Raises BriefgenError listing every problem."""
    from .model import load_fact_base
    from .sources import check_provenance

    base, problems = load_fact_base(where.facts, where.seeds)
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
    project: Path | None = ProjectOption,
    facts: Path | None = FactsOption,
    seeds: Path | None = SeedsOption,
    strict: bool = typer.Option(False, "--strict", help="Treat warnings (such as uncited amounts) as errors."),
) -> None:
    """Validate the fact files and check every quote, amount and date against its source."""
    where = locate(project, facts, seeds)
    base, report = load_checked(where, strict)
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
    hint = next_step(base, where)
    if hint:
        typer.echo(f"next: {hint}")


def next_step(base, where: Where) -> str | None:
    """What a new project needs next, in the order a newcomer adds things; None once it can build."""
    seeds, facts = display_path(where.seeds), display_path(where.facts)
    if not base.seeds:
        return (f"put a source document (a .txt file) in {seeds}/ and list it in {seeds}/index.yaml (the file "
                f"has a commented example); then add an event that quotes it to {facts}/events.yaml")
    if not base.events:
        return (f"add an event to {facts}/events.yaml that quotes one of your sources word for word (the file "
                "has a commented example); then run: briefgen build")
    return None


def _choices(value: str, allowed: list[str], what: str) -> list[str]:
    """"all", one name, or a comma-separated list → names, refusing unknown ones (or none) with the choices."""
    names = allowed if value.strip() == "all" else [v.strip() for v in value.split(",") if v.strip()]
    names = list(dict.fromkeys(names))  # "press,press" asks for press once
    unknown = [n for n in names if n not in allowed]
    if unknown or not names:
        raise typer.BadParameter(f"unknown {what} {', '.join(repr(u) for u in unknown) or repr(value)}; "
                                 f"choose from: {', '.join(allowed)} or all")
    return names


def _parse_since(value: str | None):
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
    format: str = typer.Option("pdf", "--format", "-f", metavar="FORMATS",
                               help="pdf, docx, html, a comma-separated list, or all."),
    audience: str | None = typer.Option(None, "--audience", "-a", metavar="NAMES", show_default=False,
                                           help="An audience name, a comma-separated list, or all "
                                                "(default: the briefing's audiences)."),
    project: Path | None = ProjectOption,
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
) -> None:
    """Check the facts, then write each audience's briefing in each format."""
    import json

    from .build import FORMATS
    from .build import build as run_build
    from .render import available_audiences

    formats = _choices(format, list(FORMATS), "format")
    where = locate(project, facts, seeds, templates, out)
    templates, out = where.templates, where.out
    since_date = _parse_since(since)
    known = available_audiences(templates)
    names = _choices(audience, known, "audience") if audience is not None else None
    started = time.perf_counter()
    base, report = load_checked(where)
    hint = next_step(base, where)
    if hint:
        raise BriefgenError(f"nothing to build yet: {hint}")
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
        # For programs: absolute paths, whatever folder the command ran in.
        typer.echo(json.dumps([o.as_dict() | {"path": str(Path(o.path).resolve())} for o in outputs], indent=2))


@app.command("list")
@reports_problems
def list_command(
    project: Path | None = ProjectOption,
    templates: Path | None = TemplatesOption,
) -> None:
    """List the audiences and formats available."""
    from .build import FORMATS
    from .render import available_audiences

    where = locate(project, templates=templates)
    typer.echo("audiences: " + ", ".join(available_audiences(where.templates)))
    typer.echo("formats: " + ", ".join(FORMATS))


@app.command()
@reports_problems
def init(
    folder: Path = typer.Argument(..., metavar="DIR", help="Folder for the new briefing project (new, or empty)."),
    example: bool = typer.Option(False, "--example", help="Copy the shipped worked example (a complete briefing "
                                 "with its sources) instead of starting empty."),
) -> None:
    """Start a briefing project in DIR: briefgen.toml, facts/, seeds/, templates/ and a .gitignore for out/."""
    import datetime as dt

    from .project import init_project

    written = init_project(folder, example, dt.date.today().isoformat())
    typer.echo(f"created {display_path(folder)}/ ({plural(len(written), 'file')})")
    where = display_path(folder)
    if example:
        typer.echo(f"next: cd {where} && briefgen build --format all   (the worked example, ready to build)")
    else:
        typer.echo(f"next: cd {where} && briefgen check   (it says what to add first)")


@app.command("new-audience")
@reports_problems
def new_audience_command(
    name: str = typer.Argument(..., metavar="NAME", help="Name of the new audience, e.g. regional-office."),
    start_from: str | None = typer.Option(None, "--from", metavar="AUDIENCE", show_default=False,
                                             help="Start from an existing audience (e.g. official) instead of "
                                                  "the bare base."),
    project: Path | None = ProjectOption,
    templates: Path | None = typer.Option(None, "--templates", metavar="DIR", show_default=False,
                                             help="Folder to write the template into (default: the project's, "
                                                  "templates/)."),
    facts: Path | None = FactsOption,
    seeds: Path | None = SeedsOption,
    out: Path | None = OutOption,
) -> None:
    """Scaffold a template for a new audience, register it, and build it once."""
    from .authoring import new_audience
    from .build import build as run_build

    where = locate(project, facts, seeds, templates, out)
    folder = where.project.resolve(templates, where.project.templates)  # written here even if it is new
    path, registered = new_audience(name, folder, where.facts, start_from)
    typer.echo(f"created {display_path(path)}; {registered}")
    where = locate(project, facts, seeds, templates, out)  # the folder exists now: use it for the trial build
    base, _ = load_checked(where)
    for output in run_build(base, [name], ["html"], where.out, where.templates, jobs=1):
        typer.echo(f"built {output.path}: open it in a browser, then edit {display_path(path)} "
                   f"and run: briefgen build --audience {name}")


@app.command()
@reports_problems
def watch(
    audience: str | None = typer.Option(None, "--audience", "-a", metavar="NAMES", show_default=False,
                                           help="Audience(s) to rebuild (default: the briefing's audiences)."),
    format: str = typer.Option("html", "--format", "-f", metavar="FORMATS",
                               help="html, pdf, docx or a comma-separated list."),
    project: Path | None = ProjectOption,
    facts: Path | None = FactsOption,
    seeds: Path | None = SeedsOption,
    templates: Path | None = TemplatesOption,
    out: Path | None = OutOption,
    serve: bool = typer.Option(False, "--serve", help="Also serve the HTML preview on 127.0.0.1, reloading on "
                                                     "every rebuild."),
    port: int = typer.Option(8000, "--port", metavar="PORT", help="Port for --serve (0 picks a free one)."),
) -> None:
    """Rebuild whenever a fact file, seed, template or stylesheet changes (Ctrl+C to stop)."""
    from .authoring import PreviewServer
    from .authoring import watch as watch_loop
    from .build import FORMATS
    from .build import build as run_build
    from .render import SHIPPED_TEMPLATES, available_audiences

    formats = _choices(format, list(FORMATS), "format")
    where = locate(project, facts, seeds, templates, out)
    templates, out, facts_dir, seeds_dir = where.templates, where.out, where.facts, where.seeds

    def rebuild() -> list[str]:
        base, report = load_checked(where)
        _echo_problems(report.warnings)
        names = _choices(audience, available_audiences(templates), "audience") if audience is not None \
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
    import atexit
    import signal

    from .build import Interrupted, handle_interrupts

    with handle_interrupts():  # Ctrl-C or SIGTERM raises Interrupted (Typer exits silently on KeyboardInterrupt)
        try:
            app(prog_name="briefgen")  # the same name in help whether run as `briefgen` or `python -m briefgen`
        except Interrupted as exc:  # one line, exit 130, never a traceback
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, signal.SIG_IGN)  # exiting now: a second Ctrl-C changes nothing
            # A build says how far it got ("interrupted: 2 of 9 outputs written"); anything else, "interrupted".
            typer.echo(str(exc), err=True)
            # Exit now: the interpreter's own teardown (WeasyPrint, matplotlib, pydantic loaded) takes 0.3 s,
            # more on a busy machine, of the second an interrupted build has to end in. The workers have
            # ended and the temporary files are gone; the exit handlers still run, the output is flushed.
            sys.stdout.flush()
            sys.stderr.flush()
            atexit._run_exitfuncs()
            os._exit(130)
        except Exception as exc:  # anything unexpected: a short message, never a traceback
            if os.environ.get("BRIEFGEN_DEBUG"):
                raise
            typer.echo(terminal_safe(f"internal error: {type(exc).__name__}: {exc} (set BRIEFGEN_DEBUG=1 for "
                                     "details; please report this)"), err=True)
            sys.exit(3)
