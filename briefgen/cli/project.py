"""CLI project command: `init` starts a briefing project in a new or empty folder.

In: the folder, and --example to copy the shipped worked example. Out: the
project's files (see project.init_project), a "created DIR/ (N files)" line and
the command to run next.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import display_path
from .app import app, plural, reports_problems


@app.command()
@reports_problems
def init(
    folder: Path = typer.Argument(..., metavar="DIR", help="Folder for the new briefing project (new, or empty)."),
    example: bool = typer.Option(False, "--example", help="Copy the shipped worked example (a complete briefing "
                                 "with its sources) instead of starting empty."),
) -> None:
    """Start a briefing project in DIR: briefgen.toml, facts/, seeds/, templates/ and a .gitignore for out/."""
    import datetime as dt

    from ..project import init_project

    written = init_project(folder, example, dt.date.today().isoformat())
    typer.echo(f"created {display_path(folder)}/ ({plural(len(written), 'file')})")
    where = display_path(folder)
    if example:
        typer.echo(f"next: cd {where} && briefgen build --format all   (the worked example, ready to build)")
    else:
        typer.echo(f"next: cd {where} && briefgen check   (it says what to add first)")
