"""Provenance stage: fact base + seed texts → problems and a coverage report.

In: a validated `FactBase` (model.py) with the text of every seed. Out: a
`ProvenanceReport` — errors and warnings as located `Problem`s, and coverage
figures — produced by four checks:

1. every quote — of events, funding, figures, people, organisations, glossary
   terms and funding relations — occurs in its seed, exactly, in letter case
   and in full (after normalising whitespace, line breaks, typographic quotes
   and dashes, and hyphenation left by PDF extraction: quotes.py), and when it
   does not, the closest passage is shown;
2. every amount, equivalent and key figure appears in one of its quotes, with
   the same currency and qualifier ("almost €150M" is not "€150m");
3. ids are unique and every reference resolves; no fact is dated after the
   source that reports it was published;
4. coverage: every money amount and dated statement found in a seed is cited
   by some fact's quote or has a coverage exemption with a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .date_checks import check_fact_dates, quote_states_period
from .errors import Problem, display_path
from .facts import FieldPath, Located
from .funding import check_relations
from .housestyle import HouseStyle
from .model import (
    CoverageExemption,
    Event,
    FactBase,
    FactDate,
    Figure,
    Funding,
    GlossaryTerm,
    Organisation,
    Person,
    Qualifier,
    Relation,
    Seed,
    SourceRef,
)
from .quotes import (
    closest_passage_within,
    find_all,
    find_quote,
    normalise,
    read_seed,
)
from .read_dates import find_dates
from .read_money import NumberMention, find_numbers, money_mentions
from .source_integrity import integrity_problems
from .suggest import did_you_mean
from .values import is_currency_code

# What other modules and tests import from here: the checks, and the quote search they rely on.
__all__ = [
    "Mention", "ProvenanceReport", "check_provenance", "closest_passage_within", "find_numbers", "find_quote",
    "normalise", "read_seed", "seed_mentions",
]

Identified = Event | Funding | Figure | Person | Organisation
Sourced = Identified | GlossaryTerm

# --------------------------------------------------------------------------- mentions in a seed


@dataclass(frozen=True)
class Mention:
    kind: str  # "amount" or "date"
    text: str
    start: int
    end: int


def seed_mentions(seed_text: str, published: FactDate | None = None, month_first: bool = False) -> list[Mention]:
    """Money amounts (in any currency) and date expressions in a seed, each with its span in the original text."""
    mentions = [Mention("amount", m.text.strip(), m.start, m.end) for m in money_mentions(seed_text)]
    mentions += [Mention("date", m.text, m.start, m.end) for m in find_dates(seed_text, published, month_first)]
    return sorted(mentions, key=lambda m: (m.start, m.end))


# --------------------------------------------------------------------------- the report


@dataclass
class ProvenanceReport:
    problems: list[Problem] = field(default_factory=list)
    mentions_total: int = 0
    mentions_cited: int = 0
    mentions_exempted: int = 0
    quotes_checked: int = 0
    uncovered: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]

    @property
    def coverage_complete(self) -> bool:
        return not self.uncovered


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _snippet(text: str, start: int, end: int, width: int = 40) -> str:
    left = max(0, start - width)
    right = min(len(text), end + width)
    snippet = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + snippet + ("…" if right < len(text) else "")


def check_provenance(base: FactBase) -> ProvenanceReport:
    report = ProvenanceReport()
    located = base.located
    seeds_by_id = {seed.id: seed for seed in base.seeds}
    problems = report.problems

    # -- ids: unique across every kind of fact, and every reference resolves
    kinds: list[tuple[str, Sequence[Identified]]] = [
        ("events", base.events), ("funding", base.funding), ("figures", base.figures), ("people", base.people),
        ("organisations", base.organisations)]
    first_by_id: dict[str, object] = {}
    for _, items in kinds:
        for item in items:
            if item.id in first_by_id:
                first = located.problem(first_by_id[item.id], ("id",), "")
                problems.append(located.problem(item, ("id",), f"duplicate id '{item.id}' "
                                                               f"(first used at {first.file}:{first.line})"))
            else:
                first_by_id[item.id] = item
    # Only these kinds are referred to by id from elsewhere (an event's actors, a row's event).
    ids_of = {name: {item.id for item in items} for name, items in kinds
              if name in ("events", "people", "organisations")}

    def check_ref(owner: object, path: FieldPath, value: str, kind: str) -> None:
        if value not in ids_of[kind]:
            problems.append(located.problem(owner, path, f"unknown {kind.rstrip('s')} id '{value}'"
                                                         f"{did_you_mean(value, ids_of[kind])}"))

    for event in base.events:
        for index, actor in enumerate(event.actors):
            if actor.person:
                check_ref(event, ("actors", index, "person"), actor.person, "people")
            if actor.organisation:
                check_ref(event, ("actors", index, "organisation"), actor.organisation, "organisations")
    for commitment in base.funding:
        check_ref(commitment, ("event",), commitment.event, "events")
    for figure in base.figures:
        if figure.event:
            check_ref(figure, ("event",), figure.event, "events")
    problems += _check_sort_hints(base)
    subject_length = len(" ".join(base.briefing.subject.split()))
    if subject_length > 255:
        problems.append(located.problem(base.briefing, ("subject",), f"is {subject_length} characters long; Word "
                                        "keeps at most 255 in a document property, so the Word file's Subject "
                                        "property is cut at a word with an ellipsis (the text of every output "
                                        "is whole)", warning=True))
    problems += check_relations(base)
    problems += integrity_problems(base.seeds, base.seeds_dir)  # texts edited since add-source recorded them

    # -- quotes: each occurs in its seed; remember where, for coverage and for the dates around it
    cited_spans: dict[str, list[tuple[int, int]]] = {seed.id: [] for seed in base.seeds}
    quote_spans: dict[int, tuple[int, int]] = {}
    sourced: list[Sourced] = [*base.events, *base.funding, *base.figures, *base.people, *base.organisations,
                              *base.glossary]
    for fact in sourced:
        for index, ref in enumerate(fact.sources):
            span = _check_quote(base, fact, ("sources", index), ref, seeds_by_id, cited_spans, report)
            if span is not None:
                quote_spans[id(ref)] = span
    for commitment in base.funding:
        relations: list[tuple[FieldPath, Relation]] = [(("part_of",), commitment.part_of)] \
            if commitment.part_of else []
        relations += [(("overlaps", i), r) for i, r in enumerate(commitment.overlaps)]
        for relation_path, relation in relations:
            for index, ref in enumerate(relation.sources):
                _check_quote(base, commitment, relation_path + ("sources", index), ref, seeds_by_id, cited_spans,
                             report)

    # -- dates: nothing dated after the source that reports it, unless the quote states it as a target;
    #    every date agrees with the dates stated around its quotes
    for event in base.events:
        _check_not_after_sources(base, event, event.date.earliest, f"dated {event.date}", ("date",), seeds_by_id,
                                 problems)
    for figure in base.figures:
        if not quote_states_period(base, figure.sources, quote_spans, figure.period.start):
            _check_not_after_sources(base, figure, figure.period.start.earliest,
                                     f"its period starts {figure.period.start}", ("period", "start"), seeds_by_id,
                                     problems)
    problems += check_fact_dates(base, quote_spans)

    # -- amounts and figures appear in their quotes, with currency and qualifier
    style = HouseStyle(base.briefing.language)
    for commitment in base.funding:
        quotes = [r.quote for r in commitment.sources if id(r) in quote_spans]
        if not quotes:
            continue
        if commitment.amount is not None:
            _check_amount_in_quotes(located, commitment, ("amount",), commitment.amount, commitment.currency,
                                    commitment.qualifier, quotes, problems, style)
        if commitment.rate is not None:
            # The model turns `per_year` into `rate`; a problem is reported at the field the author wrote.
            path: FieldPath = ("per_year",) if "per_year" in commitment.model_fields_set else ("rate", "amount")
            _check_amount_in_quotes(located, commitment, path, commitment.rate.amount, commitment.currency,
                                    commitment.rate.qualifier, quotes, problems, style)
        for index, equivalent in enumerate(commitment.equivalents):
            _check_amount_in_quotes(located, commitment, ("equivalents", index, "amount"), equivalent.amount,
                                    equivalent.currency, equivalent.qualifier, quotes, problems, style)
    for figure in base.figures:
        quotes = [r.quote for r in figure.sources if id(r) in quote_spans]
        if quotes:
            currency = figure.unit if is_currency_code(figure.unit) else None
            _check_amount_in_quotes(located, figure, ("value",), figure.value, currency, figure.qualifier, quotes,
                                    problems, style, words=True)

    _check_coverage(base, cited_spans, report)
    problems.sort()
    return report


def _check_sort_hints(base: FactBase) -> list[Problem]:
    """``sort_hint: before|after ID`` names another event whose date could come either side of this one."""
    problems: list[Problem] = []
    events = {event.id: event for event in base.events}
    for event in base.events:
        if event.sort_hint is None:
            continue
        _, other_id = event.sort_hint.split(" ", 1)
        other = events.get(other_id)
        if other is None or other is event:
            what = "itself" if other is event else f"unknown event id '{other_id}'{did_you_mean(other_id, events)}"
            problems.append(base.located.problem(event, ("sort_hint",), f"sort_hint names {what}"))
        elif not (event.date.earliest <= other.date.latest and other.date.earliest <= event.date.latest):
            problems.append(base.located.problem(
                event, ("sort_hint",), f"sort_hint is not needed: {event.date} and {other.date} ('{other.id}') "
                                       "do not overlap, so their dates already order them"))
    return problems


def _check_quote(base: FactBase, item: Sourced, path: FieldPath, ref: SourceRef, seeds_by_id: dict[str, Seed],
                 cited_spans: dict[str, list[tuple[int, int]]], report: ProvenanceReport) -> tuple[int, int] | None:
    """Where `ref`'s quote is in its seed; a located problem (with the closest passage) when it is not there."""
    located = base.located
    seed = seeds_by_id.get(ref.seed)
    if seed is None:
        report.problems.append(located.problem(item, path + ("seed",),
                                               f"unknown seed '{ref.seed}' (seeds are listed in "
                                               f"{display_path(base.seeds_dir / 'index.yaml')})"
                                               f"{did_you_mean(ref.seed, seeds_by_id)}"))
        return None
    report.quotes_checked += 1
    text = base.seed_texts[seed.id]
    span = find_quote(text, ref.quote)
    if span is None:
        passage, ratio, timed_out = closest_passage_within(text, ref.quote)
        closest = f'; closest passage ({ratio:.0%} alike): "{passage}"' if ratio >= 0.4 else \
            "; no close passage found in the time allowed" if timed_out else ""
        report.problems.append(located.problem(
            item, path + ("quote",),
            f"quote not found in seed '{seed.id}' ({display_path(base.seeds_dir / seed.file)}){closest}"))
        return None
    cited_spans[seed.id].append(span)
    return span


def _check_not_after_sources(base: FactBase, item: Event | Figure, earliest: dt.date, what: str, path: FieldPath,
                             seeds_by_id: dict[str, Seed], problems: list[Problem]) -> None:
    for ref in item.sources:
        seed = seeds_by_id.get(ref.seed)
        if seed is not None and earliest > seed.published.latest:
            problems.append(base.located.problem(
                item, path, f"{what}, after its source '{seed.id}' was published ({seed.published}); "
                            "a source cannot report what had not happened yet"))


def _describe(mention: NumberMention) -> str:
    return f"'{' '.join(mention.text.split())}'"


def _check_amount_in_quotes(located: Located, owner: Funding | Figure, path: FieldPath, value: Decimal,
                            currency: str | None, qualifier: Qualifier | None, quotes: list[str],
                            problems: list[Problem], style: HouseStyle, words: bool = False) -> None:
    """The value must be stated in a quote, in the same currency (any currency) and with the same qualifier."""
    mentions = [m for quote in quotes for m in find_numbers(quote, words=words)]
    same_value = [m for m in mentions if m.value == value.normalize()]
    shown = style.amount_in_message(value, currency)
    if not same_value:
        given = ", ".join(_describe(m) for m in mentions) or "no numbers"
        problems.append(located.problem(owner, path, f"{shown} does not appear in the quoted source text, "
                                                     f"which gives {given}; quote the passage that states it"))
        return
    if currency is not None:
        with_currency = [m for m in same_value if currency in m.currencies]
        if not with_currency:
            other = next((m for m in same_value if m.currencies), None)
            field_path = path[:-1] + ("currency",) if path[-1] == "amount" and len(path) == 1 else path
            if other is not None:
                meant = " or ".join(sorted(other.currencies)) if len(other.currencies) <= 4 else \
                    f"one of {len(other.currencies)} currencies written that way"
                problems.append(located.problem(owner, field_path,
                                                f"currency {currency} contradicts the quote, which gives "
                                                f"{_describe(other)} ({meant})"))
            else:
                problems.append(located.problem(owner, path, f"the quote gives {_describe(same_value[0])} with no "
                                                             f"currency; quote the words that show it is {currency}"))
            return
        same_value = with_currency
    if qualifier is not None and all(m.qualifier != qualifier for m in same_value):
        said = same_value[0].qualifier.value
        problems.append(located.problem(owner, path[:-1] + ("qualifier",),
                                        f"qualifier '{qualifier.value}' but the source says {_describe(same_value[0])}"
                                        f" (qualifier '{said}')"))


def _check_coverage(base: FactBase, cited_spans: dict[str, list[tuple[int, int]]], report: ProvenanceReport) -> None:
    located = base.located
    exempt_spans: dict[str, list[tuple[int, int, CoverageExemption]]] = {seed.id: [] for seed in base.seeds}
    used_exemptions: set[int] = set()
    seed_ids = {seed.id for seed in base.seeds}
    for exemption in base.coverage_exemptions:
        if exemption.seed not in seed_ids:
            report.problems.append(located.problem(exemption, ("seed",), f"unknown seed '{exemption.seed}'"
                                                                         f"{did_you_mean(exemption.seed, seed_ids)}"))
            continue
        # Every occurrence of the exempted text is exempt: the same furniture may repeat.
        spans = find_all(base.seed_texts[exemption.seed], exemption.text)
        if not spans:
            report.problems.append(located.problem(exemption, ("text",),
                                                   f"'{exemption.text}' does not occur in seed '{exemption.seed}'"))
            continue
        exempt_spans[exemption.seed] += [(start, end, exemption) for start, end in spans]

    month_first = base.briefing.language.endswith("-US")
    for seed in base.seeds:
        text = base.seed_texts[seed.id]
        for mention in seed_mentions(text, seed.published, month_first):
            report.mentions_total += 1
            if any(start <= mention.start and mention.end <= end for start, end in cited_spans[seed.id]):
                report.mentions_cited += 1
                continue
            covering = next((e for start, end, e in exempt_spans[seed.id]
                             if start <= mention.start and mention.end <= end), None)
            if covering is not None:
                report.mentions_exempted += 1
                used_exemptions.add(id(covering))
                continue
            line, column = _line_col(text, mention.start)
            what = "money amount" if mention.kind == "amount" else "dated statement"
            report.uncovered.append(Problem(
                display_path(base.seeds_dir / seed.file), line, column, "",
                f"{what} '{mention.text}' is cited by no fact: \"{_snippet(text, mention.start, mention.end)}\"; "
                "add a fact quoting it or a coverage exemption with a reason", warning=True))
    for exemption in base.coverage_exemptions:
        if exemption.seed in seed_ids and id(exemption) not in used_exemptions and \
                find_quote(base.seed_texts[exemption.seed], exemption.text) is not None:
            report.problems.append(located.problem(exemption, ("text",),
                                                   "exemption not needed: every amount and date in it is cited "
                                                   "by a fact (or it holds none); remove it", warning=True))
    report.problems.extend(report.uncovered)
