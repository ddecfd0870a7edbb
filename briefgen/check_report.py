"""Check report: a project's folders → the facts checked, and what `briefgen check` says of them.

In: the folders (project.Where) and whether warnings count as errors. Out: the checked `FactBase`
and `ProvenanceReport` (`load_checked`), the lines `briefgen check` prints (`check_lines`), and
for a `BriefgenError`, its problems and the "failed: …" summary (`failure_lines`), errors first.

No command-line framework here: the full CLI (cli/) and the quick entry point (launch.py) print
these same lines, so `briefgen check` says the same thing whichever of them answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import BriefgenError, Problem, display_path, terminal_safe

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .model import FactBase
    from .project import Where
    from .sources import ProvenanceReport


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """"1 event", "2 events", "3 people" (with `plural_form`)."""
    return f"{count} {noun if count == 1 else (plural_form or noun + 's')}"


def problem_lines(problems: Sequence[Problem | str]) -> list[str]:
    """Each problem as a line of its own (for standard error); a warning says so first."""
    return [f"{'warning: ' if isinstance(p, Problem) and p.warning else ''}{terminal_safe(str(p))}" for p in problems]


def failure_lines(exc: BriefgenError) -> list[str]:
    """A failed command's standard error: its errors, then its warnings, then "failed: N errors"."""
    warnings = [p for p in exc.problems if isinstance(p, Problem) and p.warning]
    errors = [p for p in exc.problems if p not in warnings]
    summary = f"failed: {plural(len(errors), 'error')}"
    if warnings:
        summary += f", {plural(len(warnings), 'warning')}"
        if not errors:
            summary += " (--strict treats warnings as errors)"
    return [*problem_lines([*errors, *warnings]), summary]


def load_checked(where: Where, strict: bool = False) -> tuple[FactBase, ProvenanceReport]:
    """Load, validate and provenance-check the facts. Raises BriefgenError listing every problem."""
    from .loading import load_fact_base
    from .sources import check_provenance

    base, problems = load_fact_base(where.facts, where.seeds)
    if base is None:
        raise BriefgenError(problems)
    report = check_provenance(base)
    failing = report.errors + (report.warnings if strict else [])
    if failing:
        raise BriefgenError(report.problems)
    return base, report


def next_step(base: FactBase, where: Where) -> str | None:
    """What a new project needs next, in the order a newcomer adds things; None once it can build."""
    seeds, facts = display_path(where.seeds), display_path(where.facts)
    if not base.seeds:
        return (f"put a source document (a .txt file) in {seeds}/ and list it in {seeds}/index.yaml (the file "
                f"has a commented example); then add an event that quotes it to {facts}/events.yaml")
    if not base.events:
        return (f"add an event to {facts}/events.yaml that quotes one of your sources word for word (the file "
                "has a commented example); then run: briefgen build")
    return None


def check_lines(where: Where, strict: bool = False) -> tuple[list[str], list[str]]:
    """`briefgen check` on these folders: (its standard error: the warnings; its standard output: the
    summary and, on a new project, the next thing to add). Raises BriefgenError when the check fails."""
    base, report = load_checked(where, strict)
    cited = report.mentions_cited + report.mentions_exempted
    coverage = "full coverage" if report.coverage_complete else f"{len(report.uncovered)} uncited"
    out = [f"ok: {plural(len(base.events), 'event')}, {plural(len(base.funding), 'funding commitment')}, "
           f"{plural(len(base.figures), 'key figure')}, {plural(len(base.people), 'person', 'people')}, "
           f"{plural(len(base.organisations), 'organisation')}; {plural(report.quotes_checked, 'quote')} verified "
           f"in {plural(len(base.seeds), 'source')}; coverage: {cited} of {report.mentions_total} amounts and dates "
           f"cited ({report.mentions_exempted} exempted) — {coverage}"]
    hint = next_step(base, where)
    if hint:
        out.append(f"next: {hint}")
    return problem_lines(report.warnings), out
