#!/usr/bin/env python3
"""Write a synthetic briefgen project of N events, for benchmarks.

    python benchmarks/generate.py N DIR [--force]

The project is complete and valid (`briefgen check -p DIR` passes, with no warnings): a
`briefgen.toml`, fact files under `facts/`, source texts and their manifest under `seeds/`,
an empty `templates/` folder (so the shipped audience templates are used) and a `.gitignore`.

What it holds, for N events:

- ceil(N / 10) sources (news stories, press releases, ...), each reporting ten events of one
  year; every sentence that states a date or an amount is quoted by a fact, so coverage is
  complete;
- dates at mixed precision: about half to the day ("On 14 March 2012"), a third to the month
  ("In March 2012") and the rest to the year ("During 2012");
- a funding commitment for about three events in ten, in GBP, EUR, USD, CHF and JPY, some with
  a qualifier ("over", "almost", "up to"), some with an equivalent in a second currency, some
  overlapping the commitment before them;
- one key figure and one named person per source; organisations drawn from a pool of
  about N / 20; a short glossary.

Output is deterministic: the same N gives the same bytes, and event i has the same content
whatever N is (so the N = 100 project is the first 100 events of the N = 1,000 one, apart from
the briefing's title and prose that count the events).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
from decimal import Decimal
from pathlib import Path

EVENTS_PER_SOURCE = 10
EVENTS_PER_FILE = 250  # fact files must stay under briefgen's 2 MiB limit per file
BRIEFING_DATE = "2026-11-22"
FIRST_YEAR = 1995
YEARS = 30  # events from 1995 to 2024; every source is published the year after its events

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

PLACES = ["Calder", "Ashby Bay", "Brennmoor", "Dunmere", "Eastholm", "Fennick", "Glaston", "Harwick",
          "Kestrel Sound", "Lowmoor", "Merrow", "Northgate", "Orrin", "Pellbridge", "Redhaven",
          "Saltmarsh", "Tarnwick", "Upton Vale", "Westerby", "Yarrowby", "Zennor Head", "Bramhope",
          "Colwick", "Elsworth", "Farrowdale", "Greyholt", "Hollinsby", "Inverlea", "Kirkmoor", "Lynport",
          "Morwen", "Netherby", "Oakhurst", "Penrock", "Ravensworth", "Stonehaven", "Thornwick",
          "Wickham Cross", "Ashcombe", "Brightwater"]
ORG_KINDS = ["Harbour Authority", "Border Agency", "Coastal Police", "Customs Service", "Port Trust",
             "Transport Ministry", "Maritime Office", "Rescue Service", "Water Board", "Development Bank",
             "Interior Ministry", "Trade Council", "Research Institute", "Coast Guard",
             "Freight Association"]
FIRST_NAMES = ["Ada", "Bram", "Clara", "Dmitri", "Elin", "Farid", "Greta", "Hugo", "Ines", "Jonas",
               "Kaya", "Lionel", "Marta", "Nils", "Olga", "Pavel", "Rosa", "Soren", "Tessa", "Viktor",
               "Wanda", "Yusuf", "Zora", "Anton", "Beatrix"]
LAST_NAMES = ["Brennan", "Castell", "Duarte", "Eklund", "Fairbairn", "Gallo", "Hartmann", "Iversen",
              "Janssen", "Kowalski", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Quinlan",
              "Rasmussen", "Sandoval", "Tamura", "Ulrich", "Varga", "Whitlock", "Yilmaz", "Zeller"]
TITLES = ["Director", "Commissioner", "Chief Inspector", "Minister", "Deputy Director"]
FACILITIES = ["joint control centre", "inspection hall", "vessel tracking room", "training academy",
              "cargo screening site", "coastal radar station", "liaison office", "patrol base"]
TOPICS = ["cargo screening", "coastal patrols", "information sharing", "search and rescue",
          "port infrastructure", "smuggling networks", "border inspections", "vessel tracking"]
ACTIVITIES = ["joint patrols", "night inspections", "aerial surveillance", "container checks",
              "harbour exercises", "data exchanges"]
PURPOSES = ["new screening equipment", "harbour fencing and lighting", "patrol vessels",
            "a coastal radar network", "training for border officers", "secure lorry parking",
            "shared intelligence systems", "rescue boats and crews"]
UNITS = ["vehicle inspections", "arrests", "vessels boarded", "containers searched", "people rescued",
         "seizures"]
KINDS = ["press release", "news story", "news article", "written parliamentary answer", "other"]

# Currency, how a source writes a number of millions in it, and the scale it is usually given in.
CURRENCIES = [
    ("GBP", 35, lambda x: f"£{x} million", lambda x: f"£{x}m"),
    ("EUR", 30, lambda x: f"€{x} million", lambda x: f"€{x}m"),
    # "US$ 8m" with a space and "8 million US dollars": briefgen reads "US$8m" (no space) as "$8m", any
    # dollar, and drops a qualifier written before it ("over US$8m" reads as exactly $8m).
    ("USD", 20, lambda x: f"{x} million US dollars", lambda x: f"US$ {x}m"),
    ("CHF", 8, lambda x: f"CHF {x} million", lambda x: f"CHF {x}m"),
    ("JPY", 7, lambda x: f"¥{x} billion", lambda x: f"¥{x}bn"),
]
QUALIFIERS = [("exact", ""), ("exact", ""), ("exact", ""), ("exact", ""), ("over", "over "),
              ("almost", "almost "), ("up to", "up to ")]


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def slug(text: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "-" for c in text)
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


def number_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def grouped(value: int) -> str:
    return f"{value:,}"


class Project:
    def __init__(self, n: int):
        self.n = n
        self.n_sources = max(1, math.ceil(n / EVENTS_PER_SOURCE))
        self.n_orgs = max(5, math.ceil(n / 20))
        self.orgs = self._organisations()
        self.sources: list[dict] = []
        self.events: list[dict] = []
        self.funding: list[dict] = []
        self.figures: list[dict] = []
        self.people: list[dict] = []
        self.org_first_seed: dict[str, tuple[str, str]] = {}
        self._written_figures: set[str] = set()
        self._written_people: set[str] = set()
        for s in range(self.n_sources):
            self._source(s)

    # ------------------------------------------------------------------ pools

    def _organisations(self) -> list[dict]:
        orgs = []
        for k in range(self.n_orgs):
            place = PLACES[k % len(PLACES)]
            kind = ORG_KINDS[(k // len(PLACES) + k) % len(ORG_KINDS)]
            name = f"{place} {kind}"
            orgs.append({"id": slug(name), "name": name, "place": place})
        assert len({o["id"] for o in orgs}) == len(orgs), "organisation names must be unique"
        return orgs

    # ------------------------------------------------------------------ one source and its events

    def _source(self, s: int) -> None:
        rng = random.Random(f"source-{s}")
        year = FIRST_YEAR + (s * 7) % YEARS
        pub_month = rng.randrange(1, 13)
        pub_day = rng.randrange(1, DAYS_IN_MONTH[pub_month - 1] + 1)
        published = f"{year + 1}-{pub_month:02d}-{pub_day:02d}"
        main_org = self.orgs[rng.randrange(self.n_orgs)]
        kind = KINDS[s % len(KINDS)]
        seed_id = f"src-{s + 1:04d}"
        file = f"{published}_{main_org['id']}_{slug(kind)}_{seed_id}.txt"
        title = f"{main_org['name']}: programme update {s + 1}"
        paragraphs = [title, ""]
        intro = f"This {kind} from the {main_org['name']} reports the work of its programme."
        paragraphs += [intro, ""]
        self._cite_org(main_org, seed_id, intro)

        # A person named in the source.
        first = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
        last = LAST_NAMES[(s * 5 + rng.randrange(3)) % len(LAST_NAMES)]
        honorific = TITLES[rng.randrange(len(TITLES))]
        person_id = f"person-{s + 1:04d}-{slug(first)}-{slug(last)}"
        person_quote = f"{honorific} {first} {last}"
        paragraphs += [f"The work was led by {person_quote} of the {main_org['name']}.", ""]
        self.people.append({"id": person_id, "name": f"{first} {last}", "role": f"{honorific}, {main_org['name']}",
                            "year": year, "seed": seed_id, "quote": person_quote})

        first_event = s * EVENTS_PER_SOURCE
        last_event = min(self.n, first_event + EVENTS_PER_SOURCE)
        paragraph: list[str] = []
        previous_funding: dict | None = None
        for i in range(first_event, last_event):
            sentence, extra = self._event(i, year, seed_id, main_org, person_id, previous_funding)
            if extra is not None:
                previous_funding = extra
            paragraph.append(sentence)
            if len(paragraph) == 3:
                paragraphs.append(" ".join(paragraph))
                paragraphs.append("")
                paragraph = []
        if paragraph:
            paragraphs.append(" ".join(paragraph))
            paragraphs.append("")

        # One key figure per source.
        frng = random.Random(f"figure-{s}")
        value = frng.randrange(21, 99) * 10 + frng.randrange(0, 10)
        if frng.random() < 0.5:
            value *= 10  # 210 .. 9,899: never a four-digit number that reads as a year (written with a comma)
        unit = UNITS[frng.randrange(len(UNITS))]
        place = PLACES[frng.randrange(len(PLACES))]
        qualifier, qword = ("over", "more than ") if frng.random() < 0.5 else ("exact", "")
        figure_quote = f"During {year}, officers at {place} recorded {qword}{grouped(value)} {unit}."
        paragraphs.append(figure_quote + " Officials described the results as encouraging.")
        paragraphs.append("")
        self.figures.append({"id": f"figure-{s + 1:04d}", "label": f"{unit.capitalize()} recorded at {place} in {year}",
                             "value": str(value), "qualifier": qualifier, "unit": unit, "year": year,
                             "event": self.events[-1]["id"] if self.events else None,
                             "seed": seed_id, "quote": figure_quote})
        paragraphs.append("The programme continues, and further reports are planned.")
        self.sources.append({"id": seed_id, "file": file, "title": title, "kind": kind,
                             "publisher": main_org["name"], "published": published,
                             "text": "\n".join(paragraphs).rstrip() + "\n"})

    def _cite_org(self, org: dict, seed_id: str, sentence: str) -> None:
        if org["id"] not in self.org_first_seed:
            self.org_first_seed[org["id"]] = (seed_id, org["name"])

    def _event(self, i: int, year: int, seed_id: str, main_org: dict, person_id: str,
               previous_funding: dict | None) -> tuple[str, dict | None]:
        rng = random.Random(f"event-{i}")
        org = self.orgs[rng.randrange(self.n_orgs)]
        self._cite_org(org, seed_id, "")
        place = PLACES[rng.randrange(len(PLACES))]
        month = rng.randrange(1, 13)
        day = rng.randrange(1, DAYS_IN_MONTH[month - 1] + 1)
        roll = rng.random()
        if roll < 0.5:
            date, when = f"{year}-{month:02d}-{day:02d}", f"On {day} {MONTHS[month - 1]} {year}"
        elif roll < 0.8:
            date, when = f"{year}-{month:02d}", f"In {MONTHS[month - 1]} {year}"
        else:
            date, when = f"{year}", f"During {year}"
        event_id = f"ev-{i + 1:05d}"
        funded = rng.random() < 0.3
        new_funding = None
        if funded:
            code, _, long_form, short_form = rng.choices(CURRENCIES, weights=[c[1] for c in CURRENCIES])[0]
            if code == "JPY":
                millions = Decimal(rng.randrange(1, 60)) / (Decimal(10) if rng.random() < 0.3 else 1)
                amount = millions * Decimal(10) ** 9
            else:
                millions = Decimal(rng.randrange(1, 400)) / (Decimal(2) if rng.random() < 0.3 else 1)
                amount = millions * Decimal(10) ** 6
            words = (long_form if rng.random() < 0.5 else short_form)(number_text(millions))
            qualifier, qword = QUALIFIERS[rng.randrange(len(QUALIFIERS))]
            equivalent = None
            if code == "GBP" and rng.random() < 0.25:
                eur = (millions * Decimal("1.15")).quantize(Decimal(1))
                if eur > 0:
                    equivalent = {"amount": str(int(eur * Decimal(10) ** 6)), "currency": "EUR"}
                    words += f" (€{eur}m)"
            purpose = PURPOSES[rng.randrange(len(PURPOSES))]
            verb = ["pledged", "committed", "announced"][rng.randrange(3)]
            sentence = f"{when}, the {org['name']} {verb} {qword}{words} for {purpose} at {place}."
            title = f"{org['name']} commits money for {purpose} at {place}"
            summary = f"The {org['name']} {verb} {qword}{words} for {purpose} at {place}."
            new_funding = {"id": f"{event_id}-funding", "event": event_id, "amount": str(int(amount)),
                           "currency": code, "qualifier": qualifier, "equivalent": equivalent,
                           "title": f"{qword.capitalize() if qword else ''}{words} for {purpose}".strip(),
                           "purpose": f"{purpose[0].upper()}{purpose[1:]} at {place}.", "from": org["id"],
                           "seed": seed_id, "quote": sentence, "overlaps": None}
            new_funding["title"] = new_funding["title"][0].upper() + new_funding["title"][1:]
            if previous_funding is not None and rng.random() < 0.1:
                new_funding["overlaps"] = previous_funding["id"]
            self.funding.append(new_funding)
            tags = ["funding", slug(purpose)]
        else:
            template = rng.randrange(4)
            if template == 0:
                thing = FACILITIES[rng.randrange(len(FACILITIES))]
                sentence = f"{when}, the {org['name']} opened a {thing} at {place}."
                title = f"{org['name']} opens a {thing} at {place}"
                summary = f"The {org['name']} opened a {thing} at {place}."
                tags = [slug(thing)]
            elif template == 1:
                topic = TOPICS[rng.randrange(len(TOPICS))]
                other = self.orgs[(self.orgs.index(org) + 1 + rng.randrange(self.n_orgs - 1)) % self.n_orgs]
                self._cite_org(other, seed_id, "")
                sentence = (f"{when}, the {org['name']} and the {other['name']} signed an agreement "
                            f"on {topic} at {place}.")
                title = f"{org['name']} and {other['name']} sign an agreement on {topic}"
                summary = f"The {org['name']} and the {other['name']} agreed to work together on {topic}."
                tags = ["agreement", slug(topic)]
            elif template == 2:
                activity = ACTIVITIES[rng.randrange(len(ACTIVITIES))]
                sentence = f"{when}, the {org['name']} began {activity} along the coast near {place}."
                title = f"{org['name']} begins {activity} near {place}"
                summary = f"The {org['name']} began {activity} along the coast near {place}."
                tags = [slug(activity)]
            else:
                topic = TOPICS[rng.randrange(len(TOPICS))]
                sentence = f"{when}, the {org['name']} published a review of {topic} at {place}."
                title = f"{org['name']} publishes a review of {topic}"
                summary = f"The {org['name']} published a review of {topic} at {place}."
                tags = ["review", slug(topic)]
        if rng.random() < 0.05:
            tags = ["key", *tags]
        actors = [{"organisation": org["id"]}]
        if rng.random() < 0.2:
            actors.append({"person": person_id})
        self.events.append({"id": event_id, "date": date, "title": title, "summary": summary,
                            "places": [place], "tags": tags, "actors": actors,
                            "seed": seed_id, "quote": sentence})
        return sentence, new_funding

    # ------------------------------------------------------------------ writing

    def write(self, root: Path) -> None:
        (root / "facts").mkdir(parents=True)
        (root / "seeds").mkdir()
        (root / "templates").mkdir()
        (root / "briefgen.toml").write_text(CONFIG_TEXT, encoding="utf-8")
        (root / ".gitignore").write_text("# Outputs are rebuilt from the facts.\nout/\n", encoding="utf-8")
        (root / "templates" / "README.md").write_text(
            "# Templates\n\nEmpty: the benchmark builds with the shipped audience templates.\n", encoding="utf-8")
        self._write_briefing(root / "facts" / "briefing.yaml")
        self._write_organisations(root / "facts" / "organisations.yaml")
        chunks = math.ceil(len(self.events) / EVENTS_PER_FILE)
        for c in range(chunks):
            self._write_chunk(root / "facts" / f"part-{c + 1:03d}.yaml", c)
        self._write_seeds(root / "seeds")

    def _write_briefing(self, path: Path) -> None:
        n, s = self.n, self.n_sources
        currencies = sorted({f["currency"] for f in self.funding})
        lines = [
            "# Synthetic briefing written by benchmarks/generate.py; every fact is invented.",
            "briefing:",
            f"  title: {q(f'Coastal cooperation programme: a record of {n:,} events')}",
            f"  slug: coastal-cooperation-{n}",
            f"  subject: {q(f'The events, funding and figures of a fictional coastal cooperation programme, as {s:,} sources report them.')}",
            "  protective_marking: OFFICIAL",
            "  owner: Programme Analysis Unit",
            f"  date: {q(BRIEFING_DATE)}",
            "  audiences: [minister, official, press]",
            "  language: en-GB",
            "  funding_title: Funding commitments to the programme",
            f"  purpose: {q('To give the reader the full record of the programme, for meetings and questions on it.')}",
            f"  summary: {q(f'The programme brings together {len(self.orgs):,} organisations along the coast. Its sources record {n:,} events and {len(self.funding):,} funding commitments in {len(currencies)} currencies.')}",
            "  top_lines:",
            f"    - {q('The programme has grown steadily, with new facilities, patrols and agreements along the coast.')}",
            f"    - {q('Funding has come from many organisations and in several currencies, so there is no single total.')}",
            f"    - {q('The sources report results such as arrests, inspections and people rescued.')}",
            "  lines_to_take:",
            f"    - {q('Partners along the coast work closely together on border security and rescue.')}",
            f"    - {q('The programme is funded by many partners, each in its own currency.')}",
            "  if_pressed:",
            f"    - {q('On a total: the commitments are in different currencies and some may overlap, so we do not give one figure.')}",
            "  questions:",
            f"    - question: {q('How much has been committed?')}",
            f"      answer: {q('Each commitment is listed in the funding annex in its own currency; amounts in different currencies are not added together.')}",
            f"    - question: {q('Who takes part?')}",
            f"      answer: {q('Harbour authorities, border agencies, police, customs and rescue services along the coast.')}",
            "  background_not_for_use:",
            f"    - {q('Some commitments may count the same money as the one announced before them; the sources do not say.')}",
            "  do_not_say:",
            f"    - {q('Do not give a combined figure for the funding: the amounts are in several currencies.')}",
            "",
            "glossary:",
        ]
        for term, definition in [
            ("Joint control centre", "A centre where officers of several organisations work side by side."),
            ("Cargo screening", "Checks of freight for people or goods that should not be there."),
            ("Patrol base", "A station from which coastal patrols set out."),
            ("Liaison office", "An office that links the partners' operations rooms."),
            ("Vessel tracking", "Following ships and boats by radar and transponder."),
        ]:
            lines += [f"  - term: {q(term)}", f"    definition: {q(definition)}"]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _write_organisations(self, path: Path) -> None:
        lines = ["organisations:"]
        for org in self.orgs:
            if org["id"] not in self.org_first_seed:
                continue  # never named in a source: left out
            seed_id, quote = self.org_first_seed[org["id"]]
            lines += [f"  - id: {org['id']}", f"    name: {q(org['name'])}",
                      f"    description: {q('An organisation of ' + org['place'] + ' taking part in the programme.')}",
                      "    sources:", f"      - seed: {seed_id}", f"        quote: {q(quote)}"]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _write_chunk(self, path: Path, c: int) -> None:
        lo, hi = c * EVENTS_PER_FILE, (c + 1) * EVENTS_PER_FILE
        events = self.events[lo:hi]
        event_ids = {e["id"] for e in events}
        funding = [f for f in self.funding if f["event"] in event_ids]
        seeds = {e["seed"] for e in events}
        figures = [f for f in self.figures if f["seed"] in seeds and f["id"] not in self._written_figures]
        people = [p for p in self.people if p["seed"] in seeds and p["id"] not in self._written_people]
        self._written_figures.update(f["id"] for f in figures)
        self._written_people.update(p["id"] for p in people)
        lines = [f"# Events {lo + 1} to {lo + len(events)}, with their funding, figures and people.", "events:"]
        for e in events:
            lines += [f"  - id: {e['id']}", f"    date: {q(e['date'])}", f"    title: {q(e['title'])}",
                      f"    summary: {q(e['summary'])}", "    actors:"]
            for actor in e["actors"]:
                key = "organisation" if "organisation" in actor else "person"
                lines.append(f"      - {key}: {actor[key]}")
            lines += [f"    places: [{', '.join(q(p) for p in e['places'])}]",
                      f"    tags: [{', '.join(e['tags'])}]",
                      "    sources:", f"      - seed: {e['seed']}", f"        quote: {q(e['quote'])}"]
        lines.append("")
        lines.append("funding:" if funding else "funding: []")
        for f in funding:
            lines += [f"  - id: {f['id']}", f"    event: {f['event']}", f"    title: {q(f['title'])}",
                      f"    amount: {q(f['amount'])}", f"    currency: {f['currency']}",
                      f"    qualifier: {f['qualifier']}", f"    from: {f['from']}"]
            if f["equivalent"]:
                lines += ["    equivalents:", f"      - amount: {q(f['equivalent']['amount'])}",
                          f"        currency: {f['equivalent']['currency']}"]
            if f["overlaps"]:
                lines += [f"    overlaps: [{f['overlaps']}]",
                          f"    overlap_note: {q('The source does not say whether this is new money or part of the commitment announced before it.')}"]
            lines += [f"    purpose: {q(f['purpose'])}", "    sources:", f"      - seed: {f['seed']}",
                      f"        quote: {q(f['quote'])}"]
        lines.append("")
        lines.append("figures:" if figures else "figures: []")
        for f in figures:
            lines += [f"  - id: {f['id']}", f"    label: {q(f['label'])}", f"    value: {q(f['value'])}",
                      f"    qualifier: {f['qualifier']}", f"    unit: {q(f['unit'])}", "    period:",
                      f"      start: {q(str(f['year']))}", f"      end: {q(str(f['year']))}"]
            if f["event"]:
                lines.append(f"    event: {f['event']}")
            lines += ["    sources:", f"      - seed: {f['seed']}", f"        quote: {q(f['quote'])}"]
        lines.append("")
        lines.append("people:" if people else "people: []")
        for p in people:
            lines += [f"  - id: {p['id']}", f"    name: {q(p['name'])}",
                      f"    roles: [{q(p['role'] + ' (' + str(p['year']) + ')')}]",
                      "    sources:", f"      - seed: {p['seed']}", f"        quote: {q(p['quote'])}"]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _write_seeds(self, folder: Path) -> None:
        lines = ["# Source documents of the synthetic briefing; one entry per file in this folder.", "seeds:"]
        for src in self.sources:
            lines += [f"  - id: {src['id']}", f"    file: {src['file']}", f"    title: {q(src['title'])}",
                      f"    kind: {src['kind']}", f"    publisher: {q(src['publisher'])}",
                      f"    published: {q(src['published'])}"]
            (folder / src["file"]).write_text(src["text"], encoding="utf-8")
        (folder / "index.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


CONFIG_TEXT = """\
# A briefing project: the folders this briefing's files are in, relative to this file.
[paths]
facts = "facts"
seeds = "seeds"
templates = "templates"  # empty: the shipped audience templates are used
out = "out"
"""


def generate(n: int, root: Path, force: bool = False) -> Project:
    if n < 1:
        raise SystemExit("N must be at least 1")
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        if not force:
            raise SystemExit(f"{root}: exists and is not empty (use --force to replace it)")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    project = Project(n)
    project.write(root)
    return project


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of events")
    parser.add_argument("dir", type=Path, help="folder for the project (new or empty)")
    parser.add_argument("--force", action="store_true", help="replace DIR if it exists")
    args = parser.parse_args(argv)
    project = generate(args.n, args.dir, args.force)
    print(f"wrote {args.dir}: {len(project.events):,} events, {len(project.funding):,} funding commitments, "
          f"{len(project.figures):,} figures, {len(project.people):,} people, "
          f"{len(project.org_first_seed):,} organisations, {len(project.sources):,} sources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
