"""Date checks: each fact's date and the dates its quotes (and sentences around them) state → problems.

In: a validated `FactBase` and the seed texts. Out: located `Problem`s, for

* an event whose date agrees with none of the dates stated in its quotes (else their
  sentences, else the sentence before each)
  ("The JOCC was opened in March 2010" but ``date: 2009-03``), or is more precise
  than any of them; words such as "today", "last month" or "24 January" are read
  against the source's own date;
* an event whose date can only be worked out ("last month", or a source whose own
  date is inferred) but has no ``date_inferred`` reason;
* a funding commitment whose event's date is not the date the commitment's sources
  give it — the quote, else its sentence, else the sentence before it, else the date
  the source was published (a commitment reported as news);
* a key figure whose period agrees with none of the dates its quotes state.

Any of these may be deliberate: ``date_note`` on the fact says why, and silences it.
"""

from __future__ import annotations

import datetime as dt

from .errors import Problem
from .housestyle import HouseStyle
from .model import Event, FactBase, FactDate, Figure, Funding, Precision, Seed, SourceRef
from .read_dates import DateMention, find_dates, preceding_span, sentence_span

_PRECISION_RANK = {Precision.YEAR: 0, Precision.MONTH: 1, Precision.DAY: 2}
# A commitment reported with no date near it is taken as news: made at most this long before the report.
NEWS_WINDOW = dt.timedelta(days=31)


class _Evidence:
    """Date mentions around one fact's quotes, each with the source it came from."""

    def __init__(self) -> None:
        self.items: list[tuple[DateMention, Seed]] = []

    def add(self, mentions: list[DateMention], seed: Seed) -> None:
        self.items += [(m, seed) for m in mentions]

    def points(self) -> list[tuple[DateMention, Seed]]:
        return [(m, s) for m, s in self.items if m.kind == "point"]

    def describe(self, style: HouseStyle) -> str:
        seen: list[str] = []
        for mention, seed in self.items:
            label = f"'{' '.join(mention.text.split())}'"
            if mention.worked_out:
                label += f" (read against the source's date, {style.date(seed.published)})"
            if label not in seen:
                seen.append(label)
        return ", ".join(seen[:6]) + (" …" if len(seen) > 6 else "")


def _mentions_around(base: FactBase, refs: list[SourceRef], quote_spans: dict[int, tuple[int, int]],
                     scope: str, month_first: bool) -> _Evidence:
    """Dates stated in the quotes themselves ("quote"), their sentences ("sentence") or those and the sentence
    before each ("preceding")."""
    evidence = _Evidence()
    seeds = base.seeds_by_id
    for ref in refs:
        span = quote_spans.get(id(ref))
        seed = seeds.get(ref.seed)
        if span is None or seed is None:
            continue
        text = base.seed_texts[seed.id]
        left, right = {"quote": lambda t, a, b: (a, b), "sentence": sentence_span,
                       "preceding": preceding_span}[scope](text, *span)
        evidence.add(find_dates(text[left:right], seed.published, month_first), seed)
    return evidence


def _closest_evidence(base: FactBase, refs: list[SourceRef], quote_spans: dict[int, tuple[int, int]],
                      month_first: bool) -> _Evidence:
    """The narrowest scope that states a date: the quotes, else their sentences, else the sentences before."""
    evidence = _Evidence()
    for scope in ("quote", "sentence", "preceding"):
        evidence = _mentions_around(base, refs, quote_spans, scope, month_first)
        if evidence.points():
            return evidence
    return evidence


def _interval(date: FactDate) -> tuple[dt.date, dt.date]:
    return date.earliest, date.latest


def check_fact_dates(base: FactBase, quote_spans: dict[int, tuple[int, int]]) -> list[Problem]:
    """Every date problem in the fact base; `quote_spans` maps id(SourceRef) → where its quote is in its seed."""
    style = HouseStyle(base.briefing.language)
    month_first = base.briefing.language.endswith("-US")
    problems: list[Problem] = []
    events = {event.id: event for event in base.events}
    for event in base.events:
        problems += _check_event(base, event, quote_spans, style, month_first)
    for commitment in base.funding:
        made_at = events.get(commitment.event)
        if made_at is not None:
            problems += _check_commitment(base, commitment, made_at, quote_spans, style, month_first)
    for figure in base.figures:
        problems += _check_figure(base, figure, quote_spans, style, month_first)
    return problems


def _check_event(base: FactBase, event: Event, quote_spans: dict[int, tuple[int, int]], style: HouseStyle,
                 month_first: bool) -> list[Problem]:
    located = base.located
    evidence = _closest_evidence(base, event.sources, quote_spans, month_first)
    points = evidence.points() or evidence.items
    if not points:
        return []
    earliest, latest = _interval(event.date)
    agreeing = [(m, s) for m, s in points if m.agrees(earliest, latest)]
    shown = style.date(event.date)
    if not agreeing:
        if event.date_note:
            return []
        return [located.problem(event, ("date",), f"{event.date} ({shown}) agrees with none of the dates its quotes "
                                                  f"state: {evidence.describe(style)}; correct the date, or add "
                                                  "date_note saying why it differs")]
    # The date is the source's own (not inferred) publication date: the dateline states it.
    on_dateline = any(event.date == s.published and not s.published_inferred for _, s in agreeing)
    best = max(_PRECISION_RANK[m.precision] for m, _ in agreeing)
    if best < _PRECISION_RANK[event.date.precision] and not on_dateline and not event.date_note:
        return [located.problem(event, ("date",), f"{event.date} is more precise than its quotes, which give "
                                                  f"{evidence.describe(style)}; quote the passage that gives the "
                                                  f"{event.date.precision.value}, or add date_note saying where "
                                                  "it comes from")]
    stated = [m for m, s in agreeing
              if _PRECISION_RANK[m.precision] >= _PRECISION_RANK[event.date.precision]
              and (not m.worked_out or (m.dateline and not s.published_inferred))]
    if not stated and not on_dateline and not event.date_inferred:
        worked = next(((m, s) for m, s in agreeing if m.worked_out), agreeing[0])
        reason = (f"the source's own date ({style.date(worked[1].published)}) is inferred"
                  if worked[1].published_inferred else
                  f"it is worked out from '{' '.join(worked[0].text.split())}' and the source's date "
                  f"({style.date(worked[1].published)})")
        return [located.problem(event, ("date",), f"{event.date} is not stated outright in the quotes: {reason}; "
                                                  "add date_inferred giving the reasoning")]
    return []


def _check_commitment(base: FactBase, commitment: Funding, event: Event, quote_spans: dict[int, tuple[int, int]],
                      style: HouseStyle, month_first: bool) -> list[Problem]:
    if commitment.date_note:
        return []
    located = base.located
    evidence = _closest_evidence(base, commitment.sources, quote_spans, month_first)
    points = evidence.points()
    earliest, latest = _interval(event.date)
    shown = f"'{event.id}' ({style.date(event.date)})"
    if points:
        # The event is when the commitment was made: as precise as the sources and within what they say.
        if any(start <= earliest and latest <= end for m, _ in points for start, end in m.candidates):
            return []
        return [located.problem(commitment, ("event",),
                                f"linked to event {shown}, but the sources date this commitment "
                                f"{evidence.describe(style)}; link it to the event it was made at, or add "
                                "date_note saying why the dates differ")]
    seeds = {seed.id: seed for seed in base.seeds}
    cited = [seeds[ref.seed] for ref in commitment.sources if ref.seed in seeds and id(ref) in quote_spans]
    for seed in cited:
        if seed.published.precision is Precision.DAY:
            reported = seed.published.earliest
            if reported - NEWS_WINDOW <= earliest and latest <= reported:
                return []
    if not cited:
        return []
    dates = ", ".join(dict.fromkeys(f"'{s.id}' ({style.date(s.published)})" for s in cited))
    return [located.problem(commitment, ("event",),
                            f"linked to event {shown}, but its quotes state no date and its sources were published "
                            f"{dates}: a commitment reported with no date is taken to be made within "
                            f"{NEWS_WINDOW.days} days before its source; link it to the right event, quote the "
                            "passage that dates it, or add date_note saying why")]


def _check_figure(base: FactBase, figure: Figure, quote_spans: dict[int, tuple[int, int]], style: HouseStyle,
                  month_first: bool) -> list[Problem]:
    if figure.period.inferred or figure.date_note:
        return []
    evidence = _mentions_around(base, figure.sources, quote_spans, "sentence", month_first)
    if not evidence.items:
        return []
    period = figure.period
    earliest = period.start.earliest
    latest = (period.end or period.start).latest
    if any(m.agrees(earliest, latest) for m, _ in evidence.items):
        return []
    return [base.located.problem(figure, ("period",), f"{style.period(period)} agrees with none of the dates its "
                                                      f"quotes state: {evidence.describe(style)}; correct the "
                                                      "period, or add period.inferred or date_note saying why")]


def quote_states_period(base: FactBase, refs: list[SourceRef], quote_spans: dict[int, tuple[int, int]],
                        start: FactDate) -> bool:
    """True when a quote states a date or period that includes `start` (a forward-looking target, say)."""
    evidence = _mentions_around(base, refs, quote_spans, "sentence", base.briefing.language.endswith("-US"))
    return any(m.agrees(start.earliest, start.latest) for m, _ in evidence.items)
