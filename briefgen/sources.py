"""Provenance stage: fact base + seed texts → problems and a coverage report.

In: a validated `FactBase` (model.py) with the text of every seed. Out: a
`ProvenanceReport` — errors and warnings as located `Problem`s, and coverage
figures — produced by four checks:

1. every quote occurs in its seed (after normalising whitespace, line breaks,
   typographic quotes and dashes, and hyphenation left by PDF extraction), and
   when it does not, the closest passage is shown;
2. every amount, equivalent and key figure appears in one of its quotes, with
   the same currency and qualifier ("almost €150M" is not "€150m");
3. ids are unique and every reference resolves; no fact is dated after the
   source that reports it was published;
4. coverage: every money amount and dated statement found in a seed is cited
   by some fact's quote or has a coverage exemption with a reason.
"""

from __future__ import annotations

import difflib
import heapq
import time
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from .date_checks import check_fact_dates, quote_states_period
from .errors import Problem, display_path
from .funding import check_relations
from .housestyle import HouseStyle
from .model import FactBase, FactDate, Qualifier, SourceRef, did_you_mean
from .read_dates import find_dates
from .read_money import NumberMention, find_numbers, is_currency_code, money_mentions
from .safe_files import SEED_MAX, read_text_inside

# --------------------------------------------------------------------------- normalisation

_CHAR_MAP = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2026": "...", "\u00ad": "", "\u200b": "", "\ufeff": "",
}


@dataclass
class NormalisedText:
    """Text reduced to a canonical form, with the original offset of every character kept."""

    text: str
    origin: list[int]  # origin[i] = index in the original text of normalised character i


def normalise(raw: str) -> NormalisedText:
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(raw):
        mapped = _CHAR_MAP.get(char)
        if mapped is None:
            mapped = " " if char.isspace() else unicodedata.normalize("NFKC", char)
        for out in mapped:
            if out == " " and (not chars or chars[-1] == " "):
                continue  # collapse runs of white space, drop leading space
            chars.append(out)
            origin.append(index)
    # Join words split by hyphenation ("in-vested", "com-\nbination"): drop a hyphen (and the
    # space a line break became) between two letters. Applied to quotes and seeds alike,
    # so "cross-border" still matches "cross-border".
    joined_chars: list[str] = []
    joined_origin: list[int] = []
    i = 0
    while i < len(chars):
        char = chars[i]
        if char == "-" and joined_chars and joined_chars[-1].isalpha():
            j = i + 1
            if j < len(chars) and chars[j] == " ":
                j += 1
            if j < len(chars) and chars[j].isalpha():
                i = j
                continue
        joined_chars.append(char)
        joined_origin.append(origin[i])
        i += 1
    while joined_chars and joined_chars[-1] == " ":
        joined_chars.pop()
        joined_origin.pop()
    return NormalisedText("".join(joined_chars), joined_origin)


@lru_cache(maxsize=64)
def _normalised_seed(text: str) -> NormalisedText:
    return normalise(text)


def find_quote(seed_text: str, quote: str) -> tuple[int, int] | None:
    """The (start, end) span in the original seed text where `quote` occurs, or None."""
    seed = _normalised_seed(seed_text)
    needle = normalise(quote).text
    if not needle:
        return None
    at = seed.text.find(needle)
    if at < 0:
        return None
    return seed.origin[at], seed.origin[at + len(needle) - 1] + 1


# The closest-passage search runs only for a quote that is not in its seed, to help its author; it
# must never cost more than the check itself. Each search gets PASSAGE_BUDGET seconds, and all of
# one process's searches together PASSAGE_TOTAL_BUDGET; past either it reports no close passage.
PASSAGE_BUDGET = 0.05
PASSAGE_TOTAL_BUDGET = 5.0
_FULL_SCAN_WORK = 200_000  # seed words x quote characters up to which every start is scored
_LONG_QUOTE = 400  # characters: longer quotes are compared word by word, not character by character
_CANDIDATES = 24  # windows scored when the seed is not scanned in full
_budget_spent = [0.0]


@lru_cache(maxsize=64)
def _seed_words(text: str) -> tuple[str, ...]:
    return tuple(_normalised_seed(text).text.split(" "))


def _candidate_starts(words: tuple[str, ...], needle_words: list[str], deadline: float) -> list[int] | None:
    """The window starts sharing the most words with the quote, best first (linear in the seed).

    None when the deadline passes first."""
    width = len(needle_words)
    wanted: dict[str, int] = {}
    for word in needle_words:
        wanted[word] = wanted.get(word, 0) + 1
    have: dict[str, int] = {}
    overlap = 0
    scores: list[tuple[int, int]] = []
    for word in words[:width]:
        count = have.get(word, 0)
        if count < wanted.get(word, 0):
            overlap += 1
        have[word] = count + 1
    for start in range(len(words)):
        if start % 4096 == 0 and time.perf_counter() > deadline:
            return None
        scores.append((-overlap, start))
        # slide: drop words[start], add words[start + width]
        gone = words[start]
        have[gone] -= 1
        if have[gone] < wanted.get(gone, 0):
            overlap -= 1
        if start + width < len(words):
            come = words[start + width]
            count = have.get(come, 0)
            if count < wanted.get(come, 0):
                overlap += 1
            have[come] = count + 1
    return [start for _, start in heapq.nsmallest(_CANDIDATES, scores)]


def closest_passage_within(seed_text: str, quote: str) -> tuple[str, float, bool]:
    """The passage of the seed most like `quote`, how alike they are (0..1), and whether the search
    ran out of time (then the passage is "" and the ratio 0).

    A short quote against a short seed is compared with every window of as many words, character
    by character (difflib, with its quick ratios as cut-offs). Otherwise the windows sharing the
    most words with the quote are found in one pass over the seed, and only those are compared —
    a quote over `_LONG_QUOTE` characters word by word, so no comparison is quadratic in characters."""
    begun = time.perf_counter()
    left = PASSAGE_TOTAL_BUDGET - _budget_spent[0]
    if left <= 0:
        return "", 0.0, True
    deadline = begun + min(PASSAGE_BUDGET, left)
    try:
        return _closest(seed_text, quote, deadline)
    finally:
        _budget_spent[0] += time.perf_counter() - begun


def _closest(seed_text: str, quote: str, deadline: float) -> tuple[str, float, bool]:
    needle = normalise(quote).text
    needle_words = needle.split(" ")
    width = len(needle_words)  # compare whole words, not a cut-off character window
    words = _seed_words(seed_text)
    long_quote = len(needle) > _LONG_QUOTE
    if not long_quote and min(len(words), 20_000) * len(needle) <= _FULL_SCAN_WORK:
        starts: list[int] | range | None = range(min(len(words), 20_000))
    else:
        starts = _candidate_starts(words, needle_words, deadline)
        if starts is None:
            return "", 0.0, True
    best, best_ratio, best_start = "", 0.0, -1
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(needle_words if long_quote else needle)
    for start in starts:
        if time.perf_counter() > deadline:
            return "", 0.0, True
        window_words = words[start:start + width]
        window = " ".join(window_words)
        matcher.set_seq1(list(window_words) if long_quote else window)
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio or (ratio == best_ratio and ratio > 0 and start < best_start):
            best, best_ratio, best_start = window, ratio, start
    return best, best_ratio, False


def closest_passage(seed_text: str, quote: str) -> tuple[str, float]:
    """The passage of the seed most like `quote`, and how alike they are (0..1); ("", 0.0) when the
    search ran out of its time budget (see `closest_passage_within`)."""
    passage, ratio, _ = closest_passage_within(seed_text, quote)
    return passage, ratio


def read_seed(seeds_dir: Path, file: str) -> str:
    """The text of seed `file`: a regular UTF-8 file inside `seeds_dir` of at most `SEED_MAX` bytes
    (briefgen/safe_files.py). Raises `BriefgenError` naming the file otherwise."""
    return read_text_inside(Path(seeds_dir) / file, seeds_dir, "seed", SEED_MAX)


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
    kinds = [("events", base.events), ("funding", base.funding), ("figures", base.figures),
             ("people", base.people), ("organisations", base.organisations)]
    first_by_id: dict[str, object] = {}
    for _, items in kinds:
        for item in items:
            if item.id in first_by_id:
                first = located.problem(first_by_id[item.id], ("id",), "")
                problems.append(located.problem(item, ("id",), f"duplicate id '{item.id}' "
                                                               f"(first used at {first.file}:{first.line})"))
            else:
                first_by_id[item.id] = item
    ids_of = {name: {item.id for item in items} for name, items in kinds}

    def check_ref(owner: object, path: tuple, value: str, kind: str) -> None:
        if value not in ids_of[kind]:
            problems.append(located.problem(owner, path, f"unknown {kind.rstrip('s')} id '{value}'"
                                                         f"{_hint(value, ids_of[kind])}"))

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

    # -- quotes: each occurs in its seed; remember where, for coverage and for the dates around it
    cited_spans: dict[str, list[tuple[int, int]]] = {seed.id: [] for seed in base.seeds}
    quote_spans: dict[int, tuple[int, int]] = {}
    sourced = [*base.events, *base.funding, *base.figures, *base.people, *base.organisations, *base.glossary]
    for item in sourced:
        for index, ref in enumerate(item.sources):
            span = _check_quote(base, item, ("sources", index), ref, seeds_by_id, cited_spans, report)
            if span is not None:
                quote_spans[id(ref)] = span
    for commitment in base.funding:
        relations = [(("part_of",), commitment.part_of)] if commitment.part_of else []
        relations += [(("overlaps", i), r) for i, r in enumerate(commitment.overlaps)]
        for path, relation in relations:
            for index, ref in enumerate(relation.sources):
                _check_quote(base, commitment, path + ("sources", index), ref, seeds_by_id, cited_spans, report)

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
            path = ("rate", "amount") if commitment.per_year is None and "rate" in commitment.model_fields_set \
                else ("per_year",)
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
    problems = []
    events = {event.id: event for event in base.events}
    for event in base.events:
        if event.sort_hint is None:
            continue
        _, other_id = event.sort_hint.split(" ", 1)
        other = events.get(other_id)
        if other is None or other is event:
            what = "itself" if other is event else f"unknown event id '{other_id}'{_hint(other_id, events)}"
            problems.append(base.located.problem(event, ("sort_hint",), f"sort_hint names {what}"))
        elif not (event.date.earliest <= other.date.latest and other.date.earliest <= event.date.latest):
            problems.append(base.located.problem(
                event, ("sort_hint",), f"sort_hint is not needed: {event.date} and {other.date} ('{other.id}') "
                                       "do not overlap, so their dates already order them"))
    return problems


_hint = did_you_mean


def _check_quote(base, item, path: tuple, ref: SourceRef, seeds_by_id, cited_spans,
                 report) -> tuple[int, int] | None:
    located = base.located
    seed = seeds_by_id.get(ref.seed)
    if seed is None:
        report.problems.append(located.problem(item, path + ("seed",),
                                               f"unknown seed '{ref.seed}' (seeds are listed in "
                                               f"{display_path(base.seeds_dir / 'index.yaml')})"
                                               f"{_hint(ref.seed, seeds_by_id)}"))
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


def _check_not_after_sources(base, item, earliest, what, path, seeds_by_id, problems) -> None:
    for ref in item.sources:
        seed = seeds_by_id.get(ref.seed)
        if seed is not None and earliest > seed.published.latest:
            problems.append(base.located.problem(
                item, path, f"{what}, after its source '{seed.id}' was published ({seed.published}); "
                            "a source cannot report what had not happened yet"))


def _describe(mention: NumberMention) -> str:
    return f"'{' '.join(mention.text.split())}'"


def _check_amount_in_quotes(located, owner, path, value: Decimal, currency: str | None,
                            qualifier: Qualifier | None, quotes: list[str], problems: list[Problem],
                            style: HouseStyle, words: bool = False) -> None:
    """The value must be stated in a quote, in the same currency (any currency) and with the same qualifier."""
    mentions = [m for quote in quotes for m in find_numbers(quote, words=words)]
    same_value = [m for m in mentions if m.value == value.normalize()]
    shown = style.money(value, currency, short=False).replace("\u00a0", " ") if currency else f"{value:,f}"
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
    exempt_spans: dict[str, list[tuple[int, int, object]]] = {seed.id: [] for seed in base.seeds}
    used_exemptions: set[int] = set()
    seed_ids = {seed.id for seed in base.seeds}
    for exemption in base.coverage_exemptions:
        if exemption.seed not in seed_ids:
            report.problems.append(located.problem(exemption, ("seed",), f"unknown seed '{exemption.seed}'"
                                                                         f"{_hint(exemption.seed, seed_ids)}"))
            continue
        text = base.seed_texts[exemption.seed]
        span = find_quote(text, exemption.text)
        if span is None:
            report.problems.append(located.problem(exemption, ("text",),
                                                   f"'{exemption.text}' does not occur in seed '{exemption.seed}'"))
            continue
        # Every occurrence of the exempted text is exempt: the same furniture may repeat.
        normalised = _normalised_seed(text)
        needle = normalise(exemption.text).text
        at = normalised.text.find(needle)
        while at >= 0:
            exempt_spans[exemption.seed].append(
                (normalised.origin[at], normalised.origin[at + len(needle) - 1] + 1, exemption))
            at = normalised.text.find(needle, at + 1)

    month_first = base.briefing.language.endswith("-US")
    for seed in base.seeds:
        text = base.seed_texts[seed.id]
        for mention in seed_mentions(text, seed.published, month_first):
            report.mentions_total += 1
            if any(start <= mention.start and mention.end <= end for start, end in cited_spans[seed.id]):
                report.mentions_cited += 1
                continue
            exemption = next((e for start, end, e in exempt_spans[seed.id]
                              if start <= mention.start and mention.end <= end), None)
            if exemption is not None:
                report.mentions_exempted += 1
                used_exemptions.add(id(exemption))
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
