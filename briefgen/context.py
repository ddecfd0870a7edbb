"""Context stage: a checked `FactBase` → what templates see.

In: the validated, provenance-checked fact base. Out: a `BriefingContext`
mapping of plain values — the chronology sorted by date with UK-style date
text, funding annex rows with amounts worded as the source words them,
totals per currency (never across currencies), key figures, people,
organisations, glossary, and numbered source notes — so templates only lay
things out and never compute. Everything here is formatting and ordering;
no template can reach the model objects themselves.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .model import Event, FactBase, FactDate, Figure, Funding, Period, Precision, Qualifier, SourceRef

CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
QUALIFIER_WORDS = {Qualifier.EXACT: "", Qualifier.OVER: "over", Qualifier.ALMOST: "almost",
                   Qualifier.UP_TO: "up to", Qualifier.ABOUT: "about"}


# --------------------------------------------------------------------------- formatting


def uk_date(date: FactDate | None) -> str:
    """2014-09-20 → "20 September 2014"; 2010-03 → "March 2010"; 2018 → "2018"."""
    if date is None:
        return ""
    if date.precision is Precision.YEAR:
        return str(date.year)
    month = calendar.month_name[date.month]
    if date.precision is Precision.MONTH:
        return f"{month} {date.year}"
    return f"{date.day} {month} {date.year}"


def money(amount: Decimal, currency: str, qualifier: Qualifier = Qualifier.EXACT, short: bool = False) -> str:
    """Decimal → "£44.5m" (short) or "£44,500,000", with the source's qualifier: "almost €150m"."""
    symbol = CURRENCY_SYMBOLS.get(currency)
    if short and amount >= 1_000_000:
        millions = (amount / Decimal(1_000_000)).normalize()
        number = f"{millions:f}m"
    else:
        number = f"{amount.normalize():,f}"
    text = f"{symbol}{number}" if symbol else f"{number} {currency}"
    word = QUALIFIER_WORDS[qualifier]
    return f"{word} {text}" if word else text


def number(value: Decimal, unit: str, qualifier: Qualifier = Qualifier.EXACT) -> str:
    """A key figure: "more than 9,700 attempts", "£4.25m"; money units are ISO codes."""
    if unit in CURRENCY_SYMBOLS or (len(unit) == 3 and unit.isupper()):
        text = money(value, unit, Qualifier.EXACT, short=True)
    else:
        if value >= 1_000_000 and value % 1_000_000 == 0 or value >= 10_000_000:
            digits = f"{(value / Decimal(1_000_000)).normalize():f} million"
        else:
            digits = f"{value.normalize():,f}"
        if value == 1 and unit.endswith("s") and " " not in unit:
            unit = unit[:-1]  # "1 tonne", not "1 tonnes"
        text = f"{digits} {unit}"
    word = {Qualifier.OVER: "more than"}.get(qualifier, QUALIFIER_WORDS[qualifier])
    return f"{word} {text}" if word else text


def period_text(period: Period | None) -> str:
    if period is None:
        return ""
    start, end = uk_date(period.start), uk_date(period.end)
    if not end or end == start:
        return start
    return f"{start} to {end}"


# --------------------------------------------------------------------------- sources as numbered notes


@dataclass
class SourceNotes:
    """Numbers each cited seed once, in order of first citation: the briefing's endnotes."""

    base: FactBase
    numbers: dict[str, int] = field(default_factory=dict)

    def cite(self, refs: list[SourceRef]) -> list[dict[str, Any]]:
        cited = []
        for ref in refs:
            if ref.seed not in self.numbers:
                self.numbers[ref.seed] = len(self.numbers) + 1
            cited.append({"number": self.numbers[ref.seed], "seed": ref.seed, "quote": ref.quote})
        # One marker per seed even when a fact quotes it twice.
        unique = {c["number"]: c for c in cited}
        return [unique[n] for n in sorted(unique)]

    def notes(self) -> list[dict[str, Any]]:
        result = []
        for seed_id, number_ in sorted(self.numbers.items(), key=lambda item: item[1]):
            seed = self.base.seed(seed_id)
            published = uk_date(seed.published)
            result.append({
                "number": number_, "id": seed.id, "title": seed.title, "kind": seed.kind.value,
                "publisher": seed.publisher, "publisher_inferred": seed.publisher_inferred,
                "published": published, "published_inferred": seed.published_inferred, "file": seed.file,
                "text": f"{seed.publisher}, {seed.kind.value}, \u2018{seed.title}\u2019, {published}"
                        + (" (date inferred)" if seed.published_inferred else "") + ".",
            })
        return result


# --------------------------------------------------------------------------- the context


def _event_row(event: Event, people: dict, organisations: dict, notes: SourceNotes) -> dict[str, Any]:
    actors = []
    for actor in event.actors:
        if actor.person:
            name = people[actor.person].name
            actors.append(f"{name} ({actor.role})" if actor.role else name)
        else:
            org = organisations[actor.organisation]
            actors.append(org.acronym or org.name)
    return {
        "id": event.id, "date": uk_date(event.date), "iso_date": event.date.iso(),
        "precision": event.date.precision.value, "year": event.date.year,
        "inferred": event.date_inferred, "title": event.title, "summary": event.summary,
        "actors": actors, "places": event.places, "tags": event.tags, "sources": notes.cite(event.sources),
    }


def _funding_row(item: Funding, events: dict[str, Event], notes: SourceNotes) -> dict[str, Any]:
    event = events[item.event]
    equivalents = [money(e.amount, e.currency, e.qualifier, short=True) for e in item.equivalents]
    amount_text = money(item.amount, item.currency, item.qualifier, short=True)
    if equivalents:
        amount_text += f" ({', '.join(equivalents)})"
    return {
        "id": item.id, "title": item.title, "date": uk_date(event.date), "iso_date": event.date.iso(),
        "date_inferred": event.date_inferred, "event": event.title, "event_id": event.id,
        "purpose": item.purpose, "amount": item.amount, "currency": item.currency,
        "qualifier": item.qualifier.value, "amount_text": amount_text,
        "amount_full": money(item.amount, item.currency, item.qualifier),
        "period": period_text(item.period), "period_inferred": item.period.inferred if item.period else None,
        "per_year": money(item.per_year, item.currency, short=True) + " a year" if item.per_year else "",
        "overlaps": item.overlaps, "overlap_note": item.overlap_note, "sources": notes.cite(item.sources),
    }


def _totals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sum per currency. Never across currencies; a total of qualified amounts is marked approximate."""
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        total = totals.setdefault(row["currency"], {"currency": row["currency"], "amount": Decimal(0), "count": 0,
                                                     "approximate": False})
        total["amount"] += row["amount"]
        total["count"] += 1
        total["approximate"] |= row["qualifier"] != Qualifier.EXACT.value
    result = []
    for currency in sorted(totals):
        total = totals[currency]
        total["text"] = ("about " if total["approximate"] else "") + money(total["amount"], currency, short=True)
        result.append(total)
    return result


def _figure_row(figure: Figure, notes: SourceNotes) -> dict[str, Any]:
    return {
        "id": figure.id, "label": figure.label, "value": figure.value, "unit": figure.unit,
        "text": number(figure.value, figure.unit, figure.qualifier), "period": period_text(figure.period),
        "period_inferred": figure.period.inferred, "note": figure.note, "sources": notes.cite(figure.sources),
    }


def build_context(base: FactBase, audience: str, since: FactDate | None = None) -> dict[str, Any]:
    """Everything a template may use. Plain dicts, lists, strings and Decimals only.

    With `since`, events and commitments dated after it carry ``new: True`` so an
    update briefing can mark what is new since the last one. A date that only
    partly falls after `since` (a month that contains it) is not counted as new.
    """
    notes = SourceNotes(base)
    people = {p.id: p for p in base.people}
    organisations = {o.id: o for o in base.organisations}
    events = {e.id: e for e in base.events}

    def is_new(date: FactDate) -> bool:
        return since is not None and date.earliest > since.latest

    chronology = [_event_row(e, people, organisations, notes) | {"new": is_new(e.date)}
                  for e in sorted(base.events, key=lambda e: (e.date.sort_key, e.id))]
    funding_rows = [_funding_row(f, events, notes) | {"new": is_new(events[f.event].date)}
                    for f in sorted(base.funding, key=lambda f: (events[f.event].date.sort_key, f.id))]
    figures = [_figure_row(f, notes) for f in sorted(base.figures, key=lambda f: (f.period.start.sort_key, f.id))]
    people_rows = [{"id": p.id, "name": p.name, "country": p.country, "roles": p.roles,
                    "sources": notes.cite(p.sources)} for p in sorted(base.people, key=lambda p: p.name)]
    organisation_rows = [{"id": o.id, "name": o.name, "acronym": o.acronym, "country": o.country,
                          "description": o.description, "sources": notes.cite(o.sources)}
                         for o in sorted(base.organisations, key=lambda o: (o.acronym or o.name).lower())]
    glossary = [{"term": g.term, "definition": g.definition, "sources": notes.cite(g.sources)}
                for g in sorted(base.glossary, key=lambda g: g.term.lower())]
    briefing = base.briefing
    years = [e.date.year for e in base.events]
    return {
        "audience": audience,
        "briefing": {
            "title": briefing.title, "subject": briefing.subject, "slug": base.slug,
            "marking": briefing.protective_marking, "owner": briefing.owner, "date": uk_date(briefing.date),
            "iso_date": briefing.date.iso(), "language": briefing.language, "summary": briefing.summary,
            "top_lines": briefing.top_lines, "lines_to_take": briefing.lines_to_take,
            "questions": [{"question": q.question, "answer": q.answer} for q in briefing.questions],
            "first_year": min(years) if years else None, "last_year": max(years) if years else None,
        },
        "since": uk_date(since) if since else None,
        "chronology": chronology,
        "key_events": [row for row in chronology if "key" in row["tags"]] or chronology,
        "funding": funding_rows,
        "funding_totals": _totals(funding_rows),
        "funding_currencies": sorted({row["currency"] for row in funding_rows}),
        "figures": figures,
        "people": people_rows,
        "organisations": organisation_rows,
        "glossary": glossary,
        "sources": notes.notes(),  # after every citation above, so each cited seed has its number
    }
