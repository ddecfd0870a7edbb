"""Context stage: a checked `FactBase` → what templates see.

In: the validated, provenance-checked fact base. Out: a `BriefingContext`
mapping of plain values — the chronology sorted by date (and `sort_hint`)
with dates in the house style of the briefing's language, funding annex rows
with amounts worded as the source words them, the honest totals from
`funding.py` in numbers and in one sentence that every audience prints, key figures, people,
organisations, glossary, and numbered source notes — so templates only lay
things out and never compute. Everything here is formatting and ordering;
no template can reach the model objects themselves.

All prose passes through the house style (`housestyle.prose`) here, once, so
every audience and format prints the same words. Working notes — why a date
was worked out, why an amount is left out of a total — are not printed where
the value is: a row carries a `note_key`, a template calls `working_notes.ref`
to number it, and the notes are printed together in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, overload

from .funding import HonestTotals, honest_totals
from .housestyle import HouseStyle, person_with_office, prose
from .model import Event, FactBase, FactDate, Figure, Funding, Organisation, Person, Precision, SourceRef

# --------------------------------------------------------------------------- sources as numbered notes


@dataclass
class SourceNotes:
    """Numbers each cited seed once, in order of first citation: the briefing's endnotes."""

    base: FactBase
    style: HouseStyle
    numbers: dict[str, int] = field(default_factory=dict)

    def cite(self, refs: list[SourceRef]) -> list[dict[str, Any]]:
        cited: list[dict[str, Any]] = []
        for ref in refs:
            if ref.seed not in self.numbers:
                self.numbers[ref.seed] = len(self.numbers) + 1
            seed = self.base.seed(ref.seed)
            # The link's accessible name says which source it is; the visible text is only the number.
            label = f"Source {self.numbers[ref.seed]}: {seed.publisher}, {self.style.date(seed.published)}"
            cited.append({"number": self.numbers[ref.seed], "seed": ref.seed, "quote": ref.quote, "label": label})
        # One marker per seed even when a fact quotes it twice.
        unique = {c["number"]: c for c in cited}
        return [unique[n] for n in sorted(unique)]

    def notes(self) -> list[dict[str, Any]]:
        result = []
        for seed_id, number_ in sorted(self.numbers.items(), key=lambda item: item[1]):
            seed = self.base.seed(seed_id)
            published = self.style.date(seed.published)
            reasons = [text for text in (seed.publisher_inferred, seed.published_inferred) if text]
            result.append({
                "number": number_, "id": seed.id, "title": seed.title, "kind": seed.kind.value,
                "publisher": seed.publisher, "publisher_inferred": seed.publisher_inferred,
                "published": published, "published_inferred": seed.published_inferred, "url": seed.url,
                # As a reader cites a document: publisher, title, kind, date.
                "text": f"{seed.publisher}, \u2018{seed.title}\u2019, {seed.kind.value}, {published}.",
                "label": f"Source {number_}: {seed.publisher}, \u2018{seed.title}\u2019, {published}",
                "note_key": f"source-{seed.id}" if reasons else None,
                "note_text": " ".join(reasons) if reasons else None,
            })
        return result


class WorkingNotes:
    """The document's notes on how values were read — numbered in the order a template first refers to them.

    Context rows carry a ``note_key``; the text behind each key is registered here. A template calls
    ``working_notes.ref(key)`` where the value is printed (it returns the note's number) and lists
    ``working_notes.listed()`` once, at the end, so each note is printed once however often it is cited.
    """

    def __init__(self) -> None:
        self._texts: dict[str, dict[str, str]] = {}
        self._numbers: dict[str, int] = {}

    def add(self, key: str, about: str, text: str) -> str:
        about = about[:1].upper() + about[1:]  # a note's heading starts a sentence: "Almost €150m invested …"
        self._texts.setdefault(key, {"about": about, "text": text})
        return key

    def ref(self, key: str | None) -> int | None:
        if not key or key not in self._texts:
            return None
        if key not in self._numbers:
            self._numbers[key] = len(self._numbers) + 1
        return self._numbers[key]

    def listed(self) -> list[dict[str, Any]]:
        return [{"number": number_, "key": key, **self._texts[key]}
                for key, number_ in sorted(self._numbers.items(), key=lambda item: item[1])]


@dataclass(frozen=True)
class Say:
    """People's prose → house style (`housestyle.prose`), organisation names as the list spells them."""

    style: HouseStyle
    names: tuple[str, ...]

    @overload
    def __call__(self, text: str) -> str: ...
    @overload
    def __call__(self, text: str | None) -> str | None: ...
    def __call__(self, text: str | None) -> str | None:
        return prose(self.style, text, self.names) if text else text


# --------------------------------------------------------------------------- the context


def _event_row(event: Event, people: dict[str, Person], organisations: dict[str, Organisation], notes: SourceNotes,
               style: HouseStyle, working: WorkingNotes, say: Say) -> dict[str, Any]:
    actors: list[str] = []
    for actor in event.actors:
        if actor.person:
            actors.append(say(person_with_office(people[actor.person].name, actor.role)))
        elif actor.organisation:
            org = organisations[actor.organisation]
            actors.append(org.acronym or org.name)
    date = style.date(event.date)
    note_key = working.add(f"date-{event.id}", f"{date}: {say(event.title)}",
                           say(event.date_inferred)) if event.date_inferred else None
    return {
        "id": event.id, "date": date, "iso_date": event.date.iso(),
        "precision": event.date.precision.value, "year": event.date.year,
        "inferred": event.date_inferred, "note_key": note_key, "title": say(event.title),
        "summary": say(event.summary), "actors": actors, "places": event.places, "tags": event.tags,
        "sources": notes.cite(event.sources),
    }


def _funding_row(item: Funding, events: dict[str, Event], organisations: dict[str, Organisation],
                 notes: SourceNotes, style: HouseStyle, by_id: dict[str, Funding], working: WorkingNotes,
                 say: Say) -> dict[str, Any]:
    event = events[item.event]
    equivalents = [style.money(e.amount, e.currency, e.qualifier) for e in item.equivalents]
    rate = style.rate(item.rate.amount, item.currency, item.rate.per, item.rate.qualifier) if item.rate else ""
    amount_text = style.money(item.amount, item.currency, item.qualifier) if item.amount is not None else rate
    if equivalents:
        amount_text += f" ({', '.join(equivalents)})"

    def short(other_id: str) -> str:
        other = by_id[other_id]
        if other.amount is not None:
            return style.money(other.amount, other.currency, other.qualifier)
        assert other.rate is not None  # the model gives every commitment an amount, a rate or both
        return style.rate(other.rate.amount, other.currency, other.rate.per)

    relations: list[dict[str, Any]] = []
    if item.part_of is not None and item.part_of.id in by_id:
        relations.append({"kind": "part_of", "id": item.part_of.id, "amount": short(item.part_of.id),
                          "note": say(item.part_of.note), "sources": notes.cite(item.part_of.sources)})
    for relation in item.overlaps:
        if relation.id in by_id:
            relations.append({"kind": "overlaps", "id": relation.id, "amount": short(relation.id),
                              "note": say(relation.note), "sources": notes.cite(relation.sources)})

    def organisation_name(org_id: str | None) -> str | None:
        org = organisations.get(org_id) if org_id else None
        return org.name if org is not None else None

    # The table row already says "May overlap the £44.5m"; the note adds only the facts' explanation.
    overlap_text = say(_overlap_note(item))
    note_key = working.add(f"funding-{item.id}", say(item.title), overlap_text) \
        if overlap_text else None
    date_key = f"date-{event.id}" if event.date_inferred else None
    return {
        "id": item.id, "title": say(item.title), "date": style.date(event.date), "iso_date": event.date.iso(),
        "date_inferred": event.date_inferred, "date_note_key": date_key, "note_key": note_key,
        "event": say(event.title), "event_id": event.id,
        "purpose": say(item.purpose), "amount": item.amount, "currency": item.currency,
        "qualifier": item.qualifier.value, "amount_text": amount_text,
        "amount_full": style.money(item.amount, item.currency, item.qualifier, short=False)
        if item.amount is not None else rate,
        "rate": rate, "rate_amount": item.rate.amount if item.rate is not None else None,
        "period": style.period(item.period), "period_inferred": item.period.inferred if item.period else None,
        "period_start": item.period.start.iso() if item.period else None,
        "period_end": (item.period.end or item.period.start).iso() if item.period else None,
        "from": organisation_name(item.giver), "to": organisation_name(item.recipient),
        "overlaps": item.overlap_ids, "overlap_note": _overlap_note(item), "relations": relations,
        "sources": notes.cite(item.sources),
    }


def _overlap_note(item: Funding) -> str | None:
    notes = [r.note for r in item.overlaps if r.note] + ([item.overlap_note] if item.overlap_note else [])
    if item.part_of is not None and item.part_of.note:
        notes.insert(0, item.part_of.note)
    return " ".join(dict.fromkeys(notes)) or None


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def funding_summary(totals: HonestTotals, rows_by_id: dict[str, dict[str, Any]], style: HouseStyle,
                    giver_names: dict[str | None, str | None]) -> dict[str, Any]:
    """The honest totals as numbers and as the one sentence every audience prints."""
    several_givers = len({t.giver for t in totals.totals} | {e.commitment.giver for e in totals.left_out}) > 1
    lines: list[dict[str, Any]] = []
    for total in totals.totals:
        count = len(total.counted)
        text = style.money(total.amount, total.currency, total.qualifier)
        lines.append({
            "currency": total.currency, "giver": giver_names.get(total.giver), "amount": total.amount,
            "qualifier": total.qualifier.value, "count": count, "text": text,
            "approximate": total.qualifier.value not in ("exact",),
            "parts": [rows_by_id[c.id]["amount_text"] for c in total.counted],
        })
    left_out = []
    for entry in totals.left_out:
        row = rows_by_id[entry.commitment.id]
        when = f"over {row['period']}" if row["period"] else row["date"]
        related = _join([f"the {rows_by_id[r.id]['amount_text'].split(' (')[0]}" for r in entry.related])
        why = f"which is part of {related}" if entry.reason == "part_of" else f"which may overlap {related}"
        left_out.append({"id": entry.commitment.id, "text": f"{row['amount_text']}, {when}, {why}",
                         "amount_text": row["amount_text"], "reason": entry.reason})
    rates = [f"{rows_by_id[f.id]['rate']}" + (f" ({rows_by_id[f.id]['period']})" if rows_by_id[f.id]["period"] else "")
             for f in totals.rates_only]

    parts = []
    for line in lines:
        counted = f"{line['count']} commitment{'s' if line['count'] != 1 else ''}"
        giver = f" from {line['giver']}" if several_givers and line["giver"] else ""
        parts.append(f"{line['text']}{giver} ({counted})")
    sentences = []
    if parts:
        several_currencies = len({line["currency"] for line in lines}) > 1
        sentences.append(f"Separate commitments add up to {_join(parts)}"
                         + ("; amounts in different currencies are not added together." if several_currencies
                            else "."))
    if left_out:
        sentences.append("Left out, so that no money is counted twice: "
                         + "; ".join(item["text"] for item in left_out) + ".")
    if rates:
        sentences.append("Stated only as a rate, with no total to add: " + "; ".join(rates) + ".")
    # The front-sheet version: the totals only, and how many amounts stay out of them (the annex says which).
    headline = []
    if lines:
        headline.append(f"Separate commitments add up to {_join([line['text'] for line in lines])}"
                        + ("; different currencies are not added together." if len(lines) > 1 else "."))
    if left_out:
        n = len(left_out)
        headline.append(f"{'One further amount is' if n == 1 else f'{n} further amounts are'} left out because "
                        f"{'it' if n == 1 else 'they'} may overlap or form part of these.")
    if rates:
        n = len(rates)
        headline.append(f"{'One amount is' if n == 1 else f'{n} amounts are'} stated only as a rate.")
    return {"totals": lines, "left_out": left_out, "rates_only": rates, "text": " ".join(sentences),
            "headline": " ".join(headline), "has_total": bool(lines)}


def _figure_row(figure: Figure, notes: SourceNotes, style: HouseStyle, working: WorkingNotes,
                say: Say) -> dict[str, Any]:
    text = style.count(figure.value, figure.unit, figure.qualifier)
    note_key = working.add(f"period-{figure.id}", say(figure.label), say(figure.period.inferred)) \
        if figure.period.inferred else None
    return {
        "id": figure.id, "label": say(figure.label), "value": figure.value, "unit": figure.unit,
        "text": text, "period": style.period(figure.period),
        "period_inferred": figure.period.inferred, "note_key": note_key, "note": say(figure.note),
        "sources": notes.cite(figure.sources),
    }


def chronological(events: list[Event]) -> list[Event]:
    """Events in date order. Dates of mixed precision: a year-only date sorts after the months and days of
    that year, a month-only date after the days of that month — unless the event's ``sort_hint`` says
    "before ID" or "after ID", which moves it next to that event."""
    ordered = sorted(events, key=lambda e: (e.date.sort_key, e.id))
    hinted = [(e, e.sort_hint) for e in ordered if e.sort_hint]
    for event, hint in hinted:
        where, other_id = hint.split(" ", 1)
        others = [e for e in ordered if e.id == other_id and e is not event]
        if not others:
            continue  # reported by check
        ordered.remove(event)
        index = ordered.index(others[0])
        ordered.insert(index if where == "before" else index + 1, event)
    return ordered


def build_context(base: FactBase, audience: str, since: FactDate | None = None) -> dict[str, Any]:
    """Everything a template may use. Plain dicts, lists, strings and Decimals only.

    With `since`, events and commitments dated after it carry ``new: True`` so an
    update briefing can mark what is new since the last one. A date that only
    partly falls after `since` (a month that contains it) is not counted as new.
    """
    style = HouseStyle(base.briefing.language, frozenset(
        {f.currency for f in base.funding} | {e.currency for f in base.funding for e in f.equivalents}
        | {fig.unit for fig in base.figures}))
    notes = SourceNotes(base, style)
    working = WorkingNotes()
    names = tuple(sorted({o.name for o in base.organisations} | {o.acronym for o in base.organisations if o.acronym},
                         key=lambda name: (-len(name), name)))  # a fixed order, whatever the set's
    say = Say(style, names)

    people = {p.id: p for p in base.people}
    organisations = {o.id: o for o in base.organisations}
    events = {e.id: e for e in base.events}
    funding_by_id = {f.id: f for f in base.funding}

    def is_new(date: FactDate) -> bool:
        return since is not None and date.earliest > since.latest

    ordered_events = chronological(base.events)
    position = {e.id: i for i, e in enumerate(ordered_events)}
    chronology = [_event_row(e, people, organisations, notes, style, working, say) | {"new": is_new(e.date)}
                  for e in ordered_events]
    ordered_funding = sorted(base.funding, key=lambda f: (position[f.event], f.id))
    funding_rows = [_funding_row(f, events, organisations, notes, style, funding_by_id, working, say)
                    | {"new": is_new(events[f.event].date)} for f in ordered_funding]
    rows_by_id = {row["id"]: row for row in funding_rows}
    totals = honest_totals(ordered_funding)
    summary = funding_summary(totals, rows_by_id, style,
                              {f.giver: (organisations[f.giver].name if f.giver in organisations else None)
                               for f in base.funding})
    summary["title"] = base.briefing.funding_title
    figures = [_figure_row(f, notes, style, working, say)
               for f in sorted(base.figures, key=lambda f: (f.period.start.sort_key, f.id))]
    people_rows = [{"id": p.id, "name": p.name, "country": p.country, "roles": [say(r) for r in p.roles],
                    "sources": notes.cite(p.sources)} for p in sorted(base.people, key=lambda p: p.name)]
    organisation_rows = [{"id": o.id, "name": o.name, "acronym": o.acronym, "country": o.country,
                          "description": say(o.description), "sources": notes.cite(o.sources)}
                         for o in sorted(base.organisations, key=lambda o: (o.acronym or o.name).lower())]
    # The glossary explains terms; an organisation already listed with its description is not repeated there.
    listed = {n.lower() for o in base.organisations for n in (o.name, o.acronym) if n}
    glossary = [{"term": g.term, "definition": say(g.definition), "sources": notes.cite(g.sources)}
                for g in sorted(base.glossary, key=lambda g: g.term.lower()) if g.term.lower() not in listed]
    briefing = base.briefing
    years = [e.date.year for e in base.events]
    # The latest date any event gives (20 July 2021 is later than "July 2021", which may mean the 1st).
    latest = max(ordered_events, key=lambda e: (e.date.earliest, e.date.precision is Precision.DAY)) \
        if ordered_events else None
    sources = notes.notes()  # after every citation above, so each cited seed has its number
    for source in sources:
        if source["note_key"]:
            working.add(source["note_key"], f"Source {source['number']}", say(source["note_text"]))
    return {
        "audience": audience,
        "briefing": {
            "title": briefing.title, "subject": briefing.subject, "slug": base.slug,
            "marking": briefing.protective_marking, "owner": briefing.owner, "date": style.date(briefing.date),
            "iso_date": briefing.date.iso(), "language": briefing.language,
            "purpose": say(briefing.purpose), "summary": say(briefing.summary),
            "top_lines": [say(t) for t in briefing.top_lines],
            "lines_to_take": [say(t) for t in briefing.lines_to_take],
            "if_pressed": [say(t) for t in briefing.if_pressed],
            "questions": [{"question": say(q.question), "answer": say(q.answer)} for q in briefing.questions],
            "background_not_for_use": [say(t) for t in briefing.background_not_for_use],
            "do_not_say": [say(t) for t in briefing.do_not_say],
            # The latest dated event: what the briefing's picture is "as of".
            "as_of": style.date(latest.date) if latest else None,
            "as_of_iso": latest.date.iso() if latest else None,
            "first_year": min(years) if years else None, "last_year": max(years) if years else None,
            "funding_title": briefing.funding_title,
        },
        "since": style.date(since) if since else None,
        "chronology": chronology,
        "key_events": [row for row in chronology if "key" in row["tags"]] or chronology,
        "funding": funding_rows,
        "funding_summary": summary,
        "funding_totals": summary["totals"],
        "funding_currencies": sorted({row["currency"] for row in funding_rows}),
        "figures": figures,
        "people": people_rows,
        "organisations": organisation_rows,
        "glossary": glossary,
        "sources": sources,
        "working_notes": working,
    }
