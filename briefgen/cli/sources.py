"""CLI source commands: `add-source` (a file or URL → a checked source), `sources` (list, accept) and `quote`.

In: the project's seeds folder (or --seeds) and what each command is given. Out:
`add-source` prints the files it wrote and the new source's id; `sources` one
line per source with its status (and `--accept ID` records a source's current
text as its own); `quote SOURCE WORDS` the passage of the source that best
matches the words, with its file and line, ready to paste into a fact.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import BriefgenError, display_path, terminal_safe
from .app import ProjectOption, SeedsOption, app, locate, plural, reports_problems

_KINDS = "press release, written parliamentary answer, news story, news article or other"


def _size(value: str) -> int:
    """--max-size: "50MB", "200KB" or bytes → bytes."""
    text = value.strip().upper().removesuffix("B")
    scale = {"K": 1024, "M": 1024 * 1024, "G": 1024 ** 3}.get(text[-1:], 1)
    number = text[:-1] if scale > 1 else text
    if not number.isdigit() or int(number) == 0:
        raise typer.BadParameter(f"expected a size such as 50MB or 200KB, not {value!r}")
    return int(number) * scale


@app.command("add-source")
@reports_problems
def add_source_command(
    source: str = typer.Argument(..., metavar="PATH|URL", help="An HTML page, PDF, Word (.docx) or text file, or "
                                 "an http(s) URL of one."),
    seed_id: str | None = typer.Option(None, "--id", metavar="ID",
                                       help="The id facts cite it by (default: from its publisher, year and title)."),
    title: str | None = typer.Option(None, "--title", metavar="TEXT", help="Its title (default: from its metadata)."),
    publisher: str | None = typer.Option(None, "--publisher", metavar="NAME",
                                         help="Who published it (default: from its metadata)."),
    date: str | None = typer.Option(None, "--date", metavar="YYYY-MM-DD",
                                    help="When it was published (default: from its metadata)."),
    kind: str | None = typer.Option(None, "--kind", metavar="KIND", help=f"What it is: {_KINDS} (default: other)."),
    max_size: str = typer.Option("50MB", "--max-size", metavar="SIZE", help="The largest file or download accepted."),
    project: Path | None = ProjectOption,
    seeds: Path | None = SeedsOption,
) -> None:
    """Add a source document: keep the original, extract its text and list it in seeds/index.yaml."""
    from ..ingest import Details, add_source
    from ..model import SeedKind

    if kind is not None and kind not in {k.value for k in SeedKind}:
        raise typer.BadParameter(f"unknown kind {kind!r}; choose from: {_KINDS}", param_hint="'--kind'")
    where = locate(project, seeds=seeds)
    where.seeds.mkdir(parents=True, exist_ok=True)
    added = add_source(source, where.seeds, Details(seed_id, title, publisher, date, kind), _size(max_size))
    seed = added.seed
    typer.echo(terminal_safe(f"added '{seed.id}': {seed.title} ({seed.publisher}, {seed.published})"))
    typer.echo(f"wrote {display_path(added.text_path)} ({plural(added.text.count(chr(10)), 'line')}), "
               f"{display_path(added.original_path)} and its entry in {display_path(where.seeds / 'index.yaml')}")
    typer.echo(f"next: briefgen quote {seed.id} \"words from it\"   (the exact passage to quote in a fact)")


@app.command("sources")
@reports_problems
def sources_command(
    accept: str | None = typer.Option(None, "--accept", metavar="ID", help="Record source ID's current text "
                                      "(and original) as its own, after checking an edit."),
    project: Path | None = ProjectOption,
    seeds: Path | None = SeedsOption,
) -> None:
    """List the sources with their status: ok, changed since added, or listed by hand (not checked)."""
    from ..atomic import write_atomically
    from ..source_integrity import OK, accepted_manifest, load_manifest, seed_status

    where = locate(project, seeds=seeds)
    if accept is not None:
        manifest, accepted = accepted_manifest(where.seeds, accept)
        if not accepted:
            typer.echo(f"'{accept}' is unchanged: nothing to accept")
            return
        write_atomically(where.seeds / "index.yaml", manifest)
        typer.echo(f"accepted {', '.join(accepted)} as the text of '{accept}'")
        return
    listed = load_manifest(where.seeds)
    changed = 0
    for seed in listed:
        status = seed_status(seed, where.seeds)
        changed += status not in (OK,) and not status.startswith("no hash")
        typer.echo(terminal_safe(f"{seed.id}  {seed.published}  {display_path(where.seeds / seed.file)}  {status}"))
    typer.echo(f"{plural(len(listed), 'source')}, {changed} changed")
    if changed:
        raise typer.Exit(1)


@app.command("quote")
@reports_problems
def quote_command(
    source: str = typer.Argument(..., metavar="SOURCE", help="The source's id (see `briefgen sources`)."),
    words: str = typer.Argument(..., metavar="WORDS", help="The words you remember, roughly."),
    project: Path | None = ProjectOption,
    seeds: Path | None = SeedsOption,
) -> None:
    """Print the passage of SOURCE that best matches WORDS, with its line: exact text to paste as a quote."""
    from .. import quotes
    from ..source_integrity import load_manifest
    from ..suggest import did_you_mean

    where = locate(project, seeds=seeds)
    listed = {seed.id: seed for seed in load_manifest(where.seeds)}
    seed = listed.get(source)
    if seed is None:
        raise BriefgenError(f"unknown source '{source}'{did_you_mean(source, listed)} (see: briefgen sources)")
    text = quotes.read_seed(where.seeds, seed.file)
    span = quotes.find_quote(text, words)
    alike = 1.0
    if span is None:
        # one search with an author waiting: a longer budget than check's many searches get
        saved, quotes.PASSAGE_BUDGET = quotes.PASSAGE_BUDGET, 2.0
        try:
            passage, alike, _ = quotes.closest_passage_within(text, words)
        finally:
            quotes.PASSAGE_BUDGET = saved
        span = quotes.find_quote(text, passage) if passage and alike >= 0.4 else None
        if span is None:
            raise BriefgenError(f"{display_path(where.seeds / seed.file)}: nothing like those words found")
    start, end = span
    line = text.count("\n", 0, start) + 1
    exact = " ".join(text[start:end].split())
    found = "the words as given" if alike == 1.0 else f"closest passage, {alike:.0%} alike: check it says what you mean"
    typer.echo(terminal_safe(f"{display_path(where.seeds / seed.file)}:{line}: {found}"))
    typer.echo(terminal_safe(f"quote: \"{exact}\""))
