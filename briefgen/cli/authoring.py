"""CLI authoring commands: `new-audience` (scaffold a template and build it once) and `watch` (rebuild, and serve).

In: an audience name, or the audiences and formats to rebuild, and the project's
folders. Out: the new template and a trial HTML build; or a loop that rebuilds on
every change, with --serve a preview on 127.0.0.1 (see authoring.py, which does the work).
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from ..errors import display_path
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
    reports_problems,
)


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
    from ..authoring import new_audience
    from ..build import build as run_build

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
    from ..authoring import PreviewServer
    from ..authoring import watch as watch_loop
    from ..build import FORMATS
    from ..build import build as run_build
    from ..shipped import TEMPLATES as SHIPPED_TEMPLATES
    from ..template_folders import available_audiences

    formats = choices(format, list(FORMATS), "format")
    where = locate(project, facts, seeds, templates, out)
    user_templates, out_dir = where.templates, where.out

    def rebuild() -> list[str]:
        base, report = load_checked(where)
        echo_problems(report.warnings)
        names = choices(audience, available_audiences(user_templates), "audience") if audience is not None \
            else base.briefing.audiences
        outputs = run_build(base, names, formats, out_dir, user_templates)
        return [Path(o.path).name for o in outputs]

    server = None
    if serve:
        out_dir.mkdir(parents=True, exist_ok=True)
        server = PreviewServer(out_dir, port)
        typer.echo(f"serving {display_path(out_dir)} at http://127.0.0.1:{server.port}/ "
                   "(pages reload after each build)")

    def built() -> None:
        if server:
            server.version += 1

    paths = [where.facts, where.seeds, SHIPPED_TEMPLATES] + ([user_templates] if user_templates else [])
    typer.echo("watching " + ", ".join(display_path(p) for p in paths) + " (Ctrl+C to stop)")
    stop_after = int(os.environ.get("BRIEFGEN_WATCH_STOP_AFTER", "0")) or None  # lets tests end the loop
    watch_loop(paths, rebuild, typer.echo, on_built=built, stop_after=stop_after)
