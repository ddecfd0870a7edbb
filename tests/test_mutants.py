"""Slips that once passed the whole suite, and the tests that now catch each.

Every test below names the slip it catches. Each was checked by making the slip by hand in the code and
seeing the test fail:

* (a) quote matching made case-insensitive;
* (b) only the first 40 characters of a quote compared;
* (c) the quotes on people and organisations (and glossary terms, and funding relations) not checked;
* (d) the inferred-date flag dropped from a funding row of the context;
* (e) the sentence saying which amounts are left out of the totals, because they may overlap, dropped;
* (f) the chart's alt text inserted into the HTML unescaped, so a '"' in the chart's title ends the attribute.

Most run `load_fact_base` and `check_provenance` in-process on a copy of tests/cases/good with one change.
"""

from __future__ import annotations

import html.parser
import json
import os
import random
import re
import shutil
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from briefgen import quotes
from briefgen.chart import ALT_TEXT_LIMIT, alt_text, caption
from briefgen.context import WorkingNotes, build_context, chronological
from briefgen.housestyle import HouseStyle, curly_quotes, person_with_office, prose
from briefgen.loading import load_fact_base
from briefgen.model import FactBase, Qualifier
from briefgen.quotes import closest_passage_within, find_all
from briefgen.read_dates import find_dates, preceding_span, sentence_span
from briefgen.sources import check_provenance, find_quote, normalise
from briefgen.values import FactDate, parse_fact_date

from conftest import CASES, ROOT, check_golden, run_cli

ARVELO = ROOT / "tests" / "examples" / "arvelo"
SEED = (CASES / "_seeds" / "centre-2020.txt").read_text(encoding="utf-8")
NBSP = "\u00a0"


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    """A copy of tests/cases/good (with ../_seeds beside it), as the working folder."""
    shutil.copytree(CASES / "good", tmp_path / "good")
    shutil.copytree(CASES / "_seeds", tmp_path / "_seeds")
    here = os.getcwd()
    os.chdir(tmp_path / "good")
    try:
        yield tmp_path / "good"
    finally:
        os.chdir(here)


def load(project: Path) -> FactBase:
    base, problems = load_fact_base(project / "facts", project.parent / "_seeds")
    assert base is not None, [str(p) for p in problems]
    return base


def errors(project: Path) -> list[str]:
    base, problems = load_fact_base(Path("facts"), Path("../_seeds"))
    if base is None:
        return [str(p) for p in problems]
    return [str(p) for p in check_provenance(base).errors]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def not_found(field: str) -> re.Pattern[str]:
    return re.compile(rf"facts/[a-z]+\.yaml:\d+:\d+: {re.escape(field)}: quote not found in seed 'centre-2020' ")


def test_the_good_case_has_no_errors(project):
    assert errors(project) == []


# --------------------------------------------------------------------------- (a) letter case


@pytest.mark.parametrize("quote", ["Which became operational in January 2020",
                                   "which became operational in january 2020",
                                   "WHICH BECAME OPERATIONAL IN JANUARY 2020"])
def test_a_quote_differing_only_in_case_is_not_found(quote):
    assert find_quote(SEED, "which became operational in January 2020") is not None
    assert find_quote(SEED, quote) is None
    assert normalise("The JOCC").text == "The JOCC"  # normalising keeps letter case


def test_a_quote_in_the_wrong_case_fails_check(project):
    edit(project / "facts" / "events.yaml", "quote: which became operational in January 2020",
         "quote: which became Operational in January 2020")
    found = errors(project)
    assert len(found) == 1 and not_found("events[0].sources[0].quote").match(found[0]), found


# --------------------------------------------------------------------------- (b) the whole quote


def test_a_quote_is_compared_to_its_last_character():
    whole = "The Minister today (3 March) announced £10 million (€12m) for the new\njoint centre"
    start, end = find_quote(SEED, "The Minister today (3 March) announced £10 million (€12m) for the new joint centre")
    assert SEED[start:end] == whole
    # The same first 40 characters and more, then one character different: at 41, in the middle, at the end.
    assert find_quote(SEED, "The Minister today (3 March) announced £20 million (€12m)") is None
    assert find_quote(SEED, "The Minister today (3 March) announced £10 million (€13m) for the new joint centre") \
        is None
    assert find_quote(SEED, "The Minister today (3 March) announced £10 million (€12m) for the new joint centres") \
        is None
    assert find_quote(SEED, "x The Minister today (3 March) announced £10 million (€12m)") is None


def test_a_quote_longer_than_its_passage_fails_check(project):
    edit(project / "facts" / "events.yaml", "quote: The Minister today (3 March) announced £10 million (€12m) for "
         "the new joint centre\n", "quote: The Minister today (3 March) announced £10 million (€12m) for the new "
         "joint centre and its staff\n")
    found = errors(project)
    assert any(not_found("events[1].sources[0].quote").match(e) for e in found), found


# --------------------------------------------------------------------------- (c) every quote


PERSON = """people:
  - id: the-minister
    name: The Minister
    sources:
      - seed: centre-2020
        quote: {quote}
"""


def test_a_persons_quote_is_checked(project):
    (project / "facts" / "people.yaml").write_text(PERSON.format(quote="The Minister today (3 March) announced"),
                                                   encoding="utf-8")
    assert errors(project) == []
    (project / "facts" / "people.yaml").write_text(PERSON.format(quote="The Minister yesterday (2 March) announced"),
                                                   encoding="utf-8")
    found = errors(project)
    assert len(found) == 1 and not_found("people[0].sources[0].quote").match(found[0]), found


def test_an_organisations_quote_is_checked(project):
    edit(project / "facts" / "events.yaml", "quote: The Minister today (3 March) announced\n",
         "quote: The Home Office today announced\n")
    found = errors(project)
    assert len(found) == 1 and not_found("organisations[0].sources[0].quote").match(found[0]), found


def test_a_glossary_terms_quote_is_checked(project):
    (project / "facts" / "glossary.yaml").write_text(
        "glossary:\n  - term: Joint centre\n    definition: The centre.\n    sources:\n"
        "      - seed: centre-2020\n        quote: the new joint headquarters\n", encoding="utf-8")
    found = errors(project)
    assert len(found) == 1 and not_found("glossary[0].sources[0].quote").match(found[0]), found


def test_a_relations_quote_is_checked(project):
    edit(project / "facts" / "events.yaml", "    equivalents:\n",
         "    overlaps:\n      - id: centre-funding-again\n        note: The same money.\n        sources:\n"
         "          - seed: centre-2020\n            quote: the same ten million pounds\n    equivalents:\n")
    edit(project / "facts" / "events.yaml", "figures:\n", """  - id: centre-funding-again
    event: funding-announced
    title: Funding again
    amount: "10000000"
    currency: GBP
    purpose: The new joint centre.
    sources:
      - seed: centre-2020
        quote: announced £10 million (€12m)
figures:
""")
    found = errors(project)
    assert len(found) == 1 and not_found("funding[0].overlaps[0].sources[0].quote").match(found[0]), found


def test_each_quote_counts_once_as_checked(project):
    report = check_provenance(load(project))
    assert report.quotes_checked == 5  # two events, the funding, the figure, the organisation


# --------------------------------------------------------------------------- (d) inferred dates in funding rows


def test_a_funding_row_carries_its_events_inferred_date(project):
    row = build_context(load(project), "official")["funding"][0]
    assert (row["date_inferred"], row["date_note_key"]) == (None, None)
    reason = "The release is dated 3 March and says today."
    edit(project / "facts" / "events.yaml", "    title: Minister announces funding\n",
         f"    date_inferred: {reason}\n    title: Minister announces funding\n")
    context = build_context(load(project), "official")
    row = context["funding"][0]
    assert (row["date_inferred"], row["date_note_key"]) == (reason, "date-funding-announced")
    notes = context["working_notes"]
    assert notes.ref(row["date_note_key"]) == 1
    assert notes.listed() == [{"number": 1, "key": "date-funding-announced",
                               "about": "3 March 2020: Minister announces funding", "text": reason}]


def test_shipped_funding_rows_mark_exactly_the_inferred_dates():
    base, _ = load_fact_base(ROOT / "facts", ROOT / "seeds")
    assert base is not None
    inferred = {e.id for e in base.events if e.date_inferred}
    rows = build_context(base, "official")["funding"]
    marked = [(row["event_id"], row["date_note_key"]) for row in rows if row["date_note_key"]]
    assert marked == [(row["event_id"], f"date-{row['event_id']}") for row in rows if row["event_id"] in inferred]
    assert len(marked) == 2
    assert all(row["date_inferred"] == next(e.date_inferred for e in base.events if e.id == row["event_id"])
               for row in rows if row["date_note_key"])


# --------------------------------------------------------------------------- (e) what the totals leave out


def arvelo_summary() -> dict:
    base, _ = load_fact_base(ARVELO / "facts", ARVELO / "seeds")
    assert base is not None
    return build_context(base, "official")["funding_summary"]


def test_the_funding_summary_says_what_is_left_out_and_why():
    summary = arvelo_summary()
    assert summary["text"].replace(NBSP, " ") == (
        "Separate commitments add up to NOK 6.25bn from Government of Norway (1 commitment), €150m from European "
        "Commission (1 commitment), ¥10bn from Japan (1 commitment), CHF 30m from Switzerland (1 commitment) and "
        "at least $8.8bn from United States (1 commitment); amounts in different currencies are not added "
        "together. Left out, so that no money is counted twice: NOK 1.5bn, November 12, 2015, which is part of the "
        "NOK 6.25bn; $76m, May 20, 2016, which may overlap the $8.8bn; at least $100m, June 5, 2020, which is part "
        "of the $8.8bn. Stated only as a rate, with no total to add: about CHF 7m a year.")
    assert summary["headline"].replace(NBSP, " ") == (
        "Separate commitments add up to NOK 6.25bn, €150m, ¥10bn, CHF 30m and at least $8.8bn; different "
        "currencies are not added together. 3 further amounts are left out because they may overlap or form part "
        "of these. One amount is stated only as a rate.")
    assert [(e["id"], e["reason"]) for e in summary["left_out"]] == [
        ("norway-monitoring", "part_of"), ("geneva-donors-2016", "overlaps"), ("us-arvelo-share", "part_of")]
    assert summary["has_total"] is True


def test_the_shipped_headline_says_amounts_are_left_out():
    base, _ = load_fact_base(ROOT / "facts", ROOT / "seeds")
    assert base is not None
    headline = build_context(base, "minister")["funding_summary"]["headline"].replace(NBSP, " ")
    assert headline == ("Separate commitments add up to at least £71.5m and at least €62.7m; different currencies "
                        "are not added together. 2 further amounts are left out because they may overlap or form "
                        "part of these.")


def test_the_chart_says_amounts_may_overlap_however_long_its_title():
    summary = arvelo_summary()
    base, _ = load_fact_base(ARVELO / "facts", ARVELO / "seeds")
    assert base is not None
    rows = build_context(base, "official")["funding"]
    for title in ("Funding", "Donor funding commitments " * 12):
        text = alt_text(rows, summary, title)
        assert len(text) <= ALT_TEXT_LIMIT
        assert text.endswith(" Some amounts may overlap, so they are not added up."), text
    assert "Hatched: part of, or may overlap, another amount, so not added in the totals." in caption(rows, summary)
    assert "overlap" not in alt_text(rows, {"left_out": []}) + caption(rows, {"left_out": []})


# --------------------------------------------------------------------------- (f) the chart's alt text in HTML


class _Images(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[list[tuple[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(attrs)


HOSTILE_TITLE = 'Funding "commitments" onerror="alert(1)" <b>&amp; more</b>'


def test_the_chart_alt_text_keeps_the_title_as_plain_text(project):
    base = load(project)
    context = build_context(base, "official")
    assert alt_text(context["funding"], context["funding_summary"], HOSTILE_TITLE).startswith(
        f"{HOSTILE_TITLE}: 1 amounts, 2020–2020, one panel per currency (GBP), not converted.")


def test_a_quote_mark_in_the_chart_title_cannot_add_an_attribute(project, tmp_path):
    edit(project / "facts" / "briefing.yaml", "  owner: Test Team\n",
         "  owner: Test Team\n  funding_title: '" + HOSTILE_TITLE.replace("'", "''") + "'\n")
    result = run_cli("build", "--format", "html", "--audience", "official", "--seeds", "../_seeds",
                     "--out", str(tmp_path / "out"), cwd=project)
    assert result.returncode == 0, result.stderr
    (page,) = (tmp_path / "out").glob("*.html")
    parser = _Images()
    parser.feed(page.read_text(encoding="utf-8"))
    charts = [dict(attrs) for attrs in parser.images if ("class", "chart") in attrs]
    assert len(charts) == 1
    assert sorted(charts[0]) == ["alt", "class", "data-asset", "src"]
    assert charts[0]["alt"].startswith(f"{HOSTILE_TITLE}: 1 amounts,")


# --------------------------------------------------------------------------- the whole context, as a golden file

CONTEXT_GOLDENS = CASES / "_context"
SNAPSHOTS = [("shipped", ROOT, "minister", None), ("arvelo", ARVELO, "official", "2016-01-01"),
             ("good", CASES / "good", "press", None)]


def _plain(value: object) -> object:
    """The context as JSON can hold it: Decimals as text; the working notes are listed separately."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if not isinstance(item, WorkingNotes)}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _note_keys(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("note_key") and isinstance(item, str):
                yield item
            yield from _note_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _note_keys(item)


@pytest.mark.parametrize("name, folder, audience, since", SNAPSHOTS, ids=[s[0] for s in SNAPSHOTS])
def test_context_matches_its_golden_file(name, folder, audience, since, update_goldens):
    """Every value a template can see, for three fact sets: any change to wording, order or numbering shows."""
    seeds = folder.parent / "_seeds" if folder.parent == CASES else folder / "seeds"
    base, problems = load_fact_base(folder / "facts", seeds)
    assert base is not None, problems
    context = build_context(base, audience, parse_fact_date(since) if since else None)
    notes = context["working_notes"]
    assert notes.ref(None) is None and notes.ref("no-such-note") is None
    for key in _note_keys(context):  # numbered in the order a template would first refer to them
        notes.ref(key)
    actual = json.dumps({"context": _plain(context), "working_notes": notes.listed()}, ensure_ascii=False, indent=1)
    check_golden(CONTEXT_GOLDENS / f"{name}.json", actual + "\n", update_goldens)


# --------------------------------------------------------------------------- the closest passage, in-process


@pytest.fixture
def search_time(monkeypatch):
    """Time enough for every search, however busy the machine: the budget itself is tested by name."""
    monkeypatch.setattr(quotes, "PASSAGE_BUDGET", 30.0)
    monkeypatch.setattr(quotes, "PASSAGE_TOTAL_BUDGET", 60.0)
    monkeypatch.setattr(quotes, "_budget_spent", [0.0])


def _random_seed(count: int) -> str:
    rng = random.Random(7)
    words = ["border", "agency", "officers", "centre", "cooperation", "funding", "police"]
    return " ".join(rng.choice(words) for _ in range(count))


def test_closest_passage_of_a_short_quote(search_time):
    assert closest_passage_within(SEED, "which became operationel in January 2020") == (
        "which became operational in January 2020.", pytest.approx(0.96296, abs=1e-5), False)
    assert closest_passage_within("a b c a b c", "a b x") == ("a b c", 0.8, False)  # the first of equals
    assert closest_passage_within("one two three four", "zzzz") == ("", 0.0, False)


@pytest.mark.parametrize("changed", [0, 10, 29])
def test_closest_passage_among_the_candidates(search_time, changed):
    seed = _random_seed(1000)
    words = seed.split()[100:130]
    words[changed] = "zebra"
    quote = " ".join(words)
    assert len(seed.split()) * len(quote) > quotes._FULL_SCAN_WORK  # too much to score every start
    passage, ratio, timed_out = closest_passage_within(seed, quote)
    assert (passage, timed_out) == (" ".join(seed.split()[100:130]), False)
    assert 0.9 < ratio < 1


def test_closest_passage_of_a_long_quote_word_by_word(search_time):
    seed = _random_seed(700)
    words = seed.split()[300:500]
    words[50] = "elephant"
    quote = " ".join(words)
    assert len(quote) > quotes._LONG_QUOTE
    assert closest_passage_within(seed, quote) == (" ".join(seed.split()[300:500]), 0.995, False)


def test_closest_passage_stops_at_its_budgets(monkeypatch):
    monkeypatch.setattr(quotes, "_budget_spent", [quotes.PASSAGE_TOTAL_BUDGET])
    assert closest_passage_within(SEED, "which became operationel") == ("", 0.0, True)
    monkeypatch.setattr(quotes, "_budget_spent", [0.0])
    monkeypatch.setattr(quotes, "PASSAGE_BUDGET", -1.0)  # the deadline has passed before the first window
    assert closest_passage_within(SEED, "which became operationel") == ("", 0.0, True)
    assert closest_passage_within(_random_seed(700), " ".join(_random_seed(700).split()[1:40])) == ("", 0.0, True)
    assert quotes._budget_spent[0] > 0


def test_every_occurrence_and_the_normal_form():
    assert find_all("a-b a-b ab", "a-b") == [(0, 3), (4, 7), (8, 10)]  # hyphenation joined, as in "in-vested"
    assert find_all("aaa", "aa") == [(0, 2), (1, 3)]
    assert find_all("x", "") == [] and find_all("x", " \n ") == []
    assert normalise("in-\nvested  \u2018x\u2019 \u2014 y\u2026\u00ad").text == "invested 'x' - y..."
    assert normalise("  a \u2014 b  ").text == "a - b"
    assert list(normalise("a\u200bb").origin) == [0, 2]
    assert normalise("cross-border 2014-2018").text == "crossborder 2014-2018"  # quotes and seeds alike


# --------------------------------------------------------------------------- house style, in-process


STYLE = HouseStyle("en-GB", frozenset({"GBP", "EUR", "USD"}))


@pytest.mark.parametrize("value, unit, qualifier, expected", [
    ("9700", "attempts", "over", "more than 9,700 attempts"),
    ("1", "tonnes", "exact", "1 tonne"),
    ("1", "attempts", "under", "fewer than 1 attempt"),
    ("1", "people smuggled", "exact", "1 people smuggled"),
    ("2", "tonnes", "exact", "2 tonnes"),
    ("4250000", "GBP", "exact", "£4.25m"),
    ("2500000", "arrests", "under", "fewer than 2.5 million arrests"),
    ("1234567", "items", "about", "about 1,234,567 items"),
    ("12.5", "tonnes", "at least", "at least 12.5 tonnes"),
    ("3000000", "GBX", "exact", "3 million GBX"),
])
def test_house_style_counts(value, unit, qualifier, expected):
    assert STYLE.count(Decimal(value), unit, Qualifier(qualifier)).replace(NBSP, " ") == expected


@pytest.mark.parametrize("text, expected", [
    ("On 2020-03-03 the UK gave £10 million and 10 million euros (about $5m).",
     "On 3 March 2020 the UK gave £10m and €10m (about $5m)."),
    ("On March 3, 2020 and in march 2019, 'March 3, 2020' stays.",
     "On 3 March 2020 and in March 2019, \u2018March 3, 2020\u2019 stays."),
    ("The home office and HOME OFFICE-led work, homeoffice and the Home Office's plan.",
     "The Home Office and HOME OFFICE-led work, homeoffice and the Home Office\u2019s plan."),
    ("Cross border and cross channel work, short term, on-line; Crossborder.",
     "Cross-border and cross-Channel work, short-term, online; Cross-border."),
    ("It cost ¥10bn last month, today, and 20 July.", "It cost ¥10bn last month, today, and 20 July."),
    ("Say \"cross border\" and 'cross border' but cross border.",
     "Say \u201ccross border\u201d and \u2018cross border\u2019 but cross-border."),
    ("In March 2019  the  team met  ", "In March 2019 the team met  "),
])
def test_prose_in_house_style(text, expected):
    assert prose(STYLE, text, ("Home Office", "Border Force")).replace(NBSP, " ") == expected


def test_prose_of_nothing_and_in_another_language():
    assert prose(STYLE, None) == "" and prose(STYLE, "") == ""
    assert prose(HouseStyle("en-GB", frozenset({"USD", "AUD"})), "about $5m") == "about $5m"  # which dollar?
    assert prose(HouseStyle("fr-FR", frozenset({"EUR"})), "10 million euros le 2020-03-03") == \
        "10\u00a0M\u00a0€ le 3 mars 2020"


@pytest.mark.parametrize("name, office, expected", [
    ("Macron", "President", "President Macron"),
    ("Theresa May", "Home Secretary", "Home Secretary Theresa May"),
    ("Z", "  Minister for Immigration ", "Minister for Immigration Z"),
    ("Claude Gueant", "French minister, the Home Secretary's counterpart",
     "Claude Gueant (French minister, the Home Secretary's counterpart)"),
    ("Y", "Head of the Border Force and the Coast", "Y (Head of the Border Force and the Coast)"),
    ("W", "Director of the Agency", "Director of the Agency W"),
    ("V", "director", "V (director)"),
    ("X", None, "X"),
    ("X", "", "X"),
])
def test_a_person_with_their_office(name, office, expected):
    assert person_with_office(name, office) == expected


def test_curly_quotes():
    assert curly_quotes("He said \"yes\" and 'no' at France's office; the bosses' car") == \
        "He said \u201cyes\u201d and \u2018no\u2019 at France\u2019s office; the bosses\u2019 car"


# --------------------------------------------------------------------------- date messages, in-process


def test_a_date_read_against_the_source_is_named_so(project):
    edit(project / "facts" / "events.yaml", "    date: 2020-03-03\n", "    date: 2020-03-02\n")
    found = errors(project)
    assert "facts/events.yaml:10:5: events[1].date: 2020-03-02 (2 March 2020) agrees with none of the dates its " \
           "quotes state: 'today' (read against the source's date, 3 March 2020), '3 March' (read against the " \
           "source's date, 3 March 2020); correct the date, or add date_note saying why it differs" in found, found


def test_a_long_list_of_stated_dates_is_cut_after_six(project):
    seeds = project.parent / "_seeds"
    (seeds / "many.txt").write_text("The team met on 1 May 2019, 2 May 2019, 2 May 2019, 3 May 2019, 4 May 2019, "
                                    "5 May 2019, 6 May 2019 and 7 May 2019.\n", encoding="utf-8")
    with (seeds / "index.yaml").open("a", encoding="utf-8") as index:
        index.write("  - id: many\n    file: many.txt\n    title: Many\n    kind: other\n    publisher: Home Office\n"
                    "    published: 2019-06-01\n")
    (project / "facts" / "many.yaml").write_text(
        "events:\n  - id: many-meetings\n    date: 2018-05\n    title: Meetings\n    summary: The team met.\n"
        "    sources:\n      - seed: many\n        quote: The team met on 1 May 2019, 2 May 2019, 2 May 2019, 3 May "
        "2019, 4 May 2019, 5 May 2019, 6 May 2019 and 7 May 2019.\n"
        "coverage_exemptions:\n  - seed: many\n    text: 7 May 2019\n    reason: listed\n", encoding="utf-8")
    assert errors(project) == [
        "facts/many.yaml:3:5: events[0].date: 2018-05 (May 2018) agrees with none of the dates its quotes state: "
        "'1 May 2019', '2 May 2019', '3 May 2019', '4 May 2019', '5 May 2019', '6 May 2019' …; correct the date, or "
        "add date_note saying why it differs"]


# --------------------------------------------------------------------------- each date check's own message


def test_a_date_more_precise_than_its_quotes(project):
    edit(project / "facts" / "events.yaml", "    date: 2020-01\n", "    date: 2020-01-15\n")
    assert errors(project) == [
        "facts/events.yaml:3:5: events[0].date: 2020-01-15 is more precise than its quotes, which give 'January "
        "2020'; quote the passage that gives the day, or add date_note saying where it comes from"]
    edit(project / "facts" / "events.yaml", "    date: 2020-01-15\n", "    date: 2020-01-15\n    date_note: From "
         "the centre's log.\n    date_inferred: The log gives the day.\n")
    assert errors(project) == []


def test_a_date_from_a_source_whose_own_date_is_inferred(project):
    edit(project.parent / "_seeds" / "index.yaml", "    published: 2020-03-03\n",
         "    published: 2020-03-03\n    published_inferred: The release gives no date of its own.\n")
    assert errors(project) == [
        "facts/events.yaml:10:5: events[1].date: 2020-03-03 is not stated outright in the quotes: the source's own "
        "date (3 March 2020) is inferred; add date_inferred giving the reasoning"]
    edit(project / "facts" / "events.yaml", "    title: Minister announces funding\n",
         "    date_inferred: The release says today.\n    title: Minister announces funding\n")
    assert errors(project) == []


BOARD = """events:
  - id: board
    date: {date}
    title: Board
    summary: The board met.
    sources:
      - seed: centre-2020
        quote: The board met on 02/01/2020.
"""


@pytest.mark.parametrize("language, date, agrees", [("en-GB", "2020-01-02", True), ("en-GB", "2020-02-01", False),
                                                    ("en-US", "2020-02-01", True), ("en-US", "2020-01-02", False)])
def test_a_slashed_date_is_read_in_the_briefings_order(project, language, date, agrees):
    seed = project.parent / "_seeds" / "centre-2020.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + "\nThe board met on 02/01/2020.\n", encoding="utf-8")
    edit(project / "facts" / "briefing.yaml", "  owner: Test Team\n", f"  owner: Test Team\n  language: {language}\n")
    (project / "facts" / "board.yaml").write_text(BOARD.format(date=date), encoding="utf-8")
    found = [e for e in errors(project) if "board.yaml" in e]
    shown = {"en-GB": "1 February 2020", "en-US": "January 2, 2020"}[language]
    assert found == ([] if agrees else [f"facts/board.yaml:3:5: events[0].date: {date} ({shown}) agrees with none of "
                                        "the dates its quotes state: '02/01/2020'; correct the date, or add date_note "
                                        "saying why it differs"]), found


TRAINING = """funding:
  - id: training
    event: {event}
    title: Training
    amount: "2000000"
    currency: GBP
    purpose: Training.
    sources:
      - seed: centre-2020
        quote: The centre will also get £2 million for training.
"""


@pytest.mark.parametrize("event", ["funding-announced", "centre-operational"])
def test_a_commitment_reported_with_no_date_is_news(project, event):
    seed = project.parent / "_seeds" / "centre-2020.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + "\nThe centre will also get £2 million for training.\n",
                    encoding="utf-8")
    (project / "facts" / "training.yaml").write_text(TRAINING.format(event=event), encoding="utf-8")
    assert errors(project) == ([] if event == "funding-announced" else [
        "facts/training.yaml:3:5: funding[0].event: linked to event 'centre-operational' (January 2020), but its "
        "quotes state no date and its sources were published 'centre-2020' (3 March 2020): a commitment reported "
        "with no date is taken to be made within 31 days before its source; link it to the right event, quote the "
        "passage that dates it, or add date_note saying why"])


def test_a_figures_period_against_its_quotes(project):
    edit(project / "facts" / "events.yaml", "      inferred: The source says \"its first month\"; the centre opened "
         "in January 2020.\n", "")
    edit(project / "facts" / "events.yaml", "        quote: made more than 40 arrests in its first month\n",
         "        quote: made more than 40 arrests in its first month\n    date_note: The log dates it.\n")
    assert errors(project) == []
    edit(project / "facts" / "events.yaml", "    date_note: The log dates it.\n", "")
    seed = project.parent / "_seeds" / "centre-2020.txt"
    seed.write_text(seed.read_text(encoding="utf-8").replace("in its first month.", "in its first month, to "
                                                             "May 2019."), encoding="utf-8")
    assert errors(project) == [
        "facts/events.yaml:37:5: figures[0].period: January 2020 to February 2020 agrees with none of the dates its "
        "quotes state: 'May 2019'; correct the period, or add period.inferred or date_note saying why"]


# --------------------------------------------------------------------------- the funding summary's other sentences

MORE_FUNDING = """funding:
  - id: centre-again
    event: funding-announced
    title: The same money again
    amount: "5000000"
    currency: GBP
    qualifier: up to
    purpose: The centre.
    from: home-office
    overlaps: [centre-funding]
    overlap_note: Both may be the same money.
    sources:
      - seed: centre-2020
        quote: a quote of ten characters
  - id: running-costs
    event: funding-announced
    title: Running costs
    currency: GBP
    per_year: "1000000"
    period: {start: "2020", end: "2021"}
    purpose: Running the centre.
    sources:
      - seed: centre-2020
        quote: a quote of ten characters
"""

OTHER_GIVER = """organisations:
  - id: region
    name: The Region
    sources:
      - seed: centre-2020
        quote: a quote of ten characters
funding:
  - id: region-grant
    event: funding-announced
    title: Regional grant
    amount: "3000000"
    currency: EUR
    purpose: The centre.
    from: region
    sources:
      - seed: centre-2020
        quote: a quote of ten characters
"""


def summary_of(project: Path) -> dict:
    context = build_context(load(project), "official")
    return {key: value.replace(NBSP, " ") if isinstance(value, str) else value
            for key, value in context["funding_summary"].items()}


def test_one_amount_left_out_and_one_rate(project):
    (project / "facts" / "more.yaml").write_text(MORE_FUNDING, encoding="utf-8")
    summary = summary_of(project)
    assert summary["text"] == (
        "Separate commitments add up to at least £10m (1 commitment). Left out, so that no money is counted twice: "
        "up to £5m, 3 March 2020, which may overlap the £10m. Stated only as a rate, with no total to add: £1m a "
        "year (2020 to 2021).")
    assert summary["headline"] == ("Separate commitments add up to at least £10m. One further amount is left out "
                                   "because it may overlap or form part of these. One amount is stated only as a rate.")
    assert summary["rates_only"] == ["£1m a year (2020 to 2021)"]


@pytest.mark.parametrize("other_giver", [False, True])
def test_givers_are_named_only_when_there_are_several(project, other_giver):
    edit(project / "facts" / "events.yaml", "    currency: GBP\n", "    currency: GBP\n    from: home-office\n")
    if other_giver:
        (project / "facts" / "region.yaml").write_text(OTHER_GIVER, encoding="utf-8")
    summary = summary_of(project)
    assert summary["text"] == (
        "Separate commitments add up to £10m from Home Office (1 commitment) and €3m from The Region (1 commitment); "
        "amounts in different currencies are not added together." if other_giver else
        "Separate commitments add up to £10m (1 commitment).")
    assert [line["giver"] for line in summary["totals"]] == (["Home Office", "The Region"] if other_giver
                                                              else ["Home Office"])


# --------------------------------------------------------------------------- order with sort hints


HINTED = """events:
  - id: year-only
    date: "2020"
    sort_hint: {hint}
    title: Sometime in 2020
    summary: Something happened.
    sources:
      - seed: centre-2020
        quote: a quote of ten characters
"""


@pytest.mark.parametrize("hint, order", [
    ("before centre-operational", ["year-only", "centre-operational", "funding-announced"]),
    ("after centre-operational", ["centre-operational", "year-only", "funding-announced"]),
    ("before funding-announced", ["centre-operational", "year-only", "funding-announced"]),
    ("after funding-announced", ["centre-operational", "funding-announced", "year-only"]),
    ("after no-such-event", ["centre-operational", "funding-announced", "year-only"]),
])
def test_a_sort_hint_places_an_event(project, hint, order):
    (project / "facts" / "hinted.yaml").write_text(HINTED.format(hint=hint), encoding="utf-8")
    assert [event.id for event in chronological(load(project).events)] == order


# --------------------------------------------------------------------------- house-style amounts at the edges


@pytest.mark.parametrize("amount, short, full", [
    ("1000000", "£1m", "£1,000,000"),
    ("999999", "£999,999", "£999,999"),
    ("999500000", "£999.5m", "£999,500,000"),
    ("1000000000", "£1bn", "£1,000,000,000"),
    ("12000000000", "£12bn", "£12,000,000,000"),
    ("1234500000", "£1,234,500,000", "£1,234,500,000"),  # not "£1,234.5m": never "m" above 999m
    ("1000000000000", "£1,000,000,000,000", "£1,000,000,000,000"),  # not "£1,000bn"
    ("44125000", "£44.125m", "£44,125,000"),
    ("44123400", "£44,123,400", "£44,123,400"),  # not rounded to "£44.123m"
    ("2500000.5", "£2,500,000.5", "£2,500,000.5"),
])
def test_house_style_amounts_at_the_edges(amount, short, full):
    style = HouseStyle("en-GB", frozenset({"GBP"}))
    assert (style.money(Decimal(amount), "GBP"), style.money(Decimal(amount), "GBP", short=False)) == (short, full)
    assert style.amount_in_message(Decimal(amount), "GBP") == full


@pytest.mark.parametrize("amount, expected", [("1000000", "1\u00a0M\u00a0€"), ("1500000000", "1,5\u00a0Md\u00a0€"),
                                              ("999999", "€999\u202f999"), ("1000500", "€1\u202f000\u202f500")])
def test_compact_amounts_in_another_language(amount, expected):
    assert HouseStyle("fr-FR", frozenset({"EUR"})).money(Decimal(amount), "EUR") == expected


def test_an_amount_in_a_message_without_a_currency():
    assert HouseStyle("en-GB").amount_in_message(Decimal("4.50")) == "4.5"
    assert HouseStyle("en-GB").amount_in_message(Decimal("9999999999999.999999")) == "9,999,999,999,999.999999"


# --------------------------------------------------------------------------- an uncited amount at the seed's edges


def test_an_uncited_amount_is_located_in_its_seed(project):
    seed = project.parent / "_seeds" / "centre-2020.txt"
    seed.write_text("£3m came first.\n" + seed.read_text(encoding="utf-8") + "It ended with £4m", encoding="utf-8")
    report = check_provenance(load(project))
    assert [str(p) for p in report.uncovered] == [
        "../_seeds/centre-2020.txt:1:1: money amount '£3m' is cited by no fact: \"£3m came first. Press release New "
        "border c…\"; add a fact quoting it or a coverage exemption with a reason",
        "../_seeds/centre-2020.txt:12:15: money amount '£4m' is cited by no fact: \"…. Published 3 March 2020 It "
        "ended with £4m\"; add a fact quoting it or a coverage exemption with a reason"]
    assert not report.coverage_complete and report.mentions_total == 8


# --------------------------------------------------------------------------- ids, references and paths in messages


def test_unknown_references_are_named_at_their_field(project):
    edit(project / "facts" / "events.yaml", "      - organisation: home-office\n",
         "      - organisation: home-ofice\n      - person: the-ministr\n")
    edit(project / "facts" / "events.yaml", "    qualifier: over\n", "    qualifier: over\n    event: centre-opened\n")
    (project / "facts" / "people.yaml").write_text(PERSON.format(quote="The Minister today (3 March) announced"),
                                                   encoding="utf-8")
    assert errors(project) == [
        "facts/events.yaml:14:9: events[1].actors[0].organisation: unknown organisation id 'home-ofice'; did you "
        "mean 'home-office'?",
        "facts/events.yaml:15:9: events[1].actors[1].person: unknown people id 'the-ministr'; did you mean "
        "'the-minister'?",
        "facts/events.yaml:37:5: figures[0].event: unknown event id 'centre-opened'; did you mean "
        "'centre-operational'?"]


def test_a_duplicate_id_names_where_it_was_first_used(project):
    (project / "facts" / "people.yaml").write_text(
        PERSON.format(quote="The Minister today (3 March) announced").replace("the-minister", "centre-funding"),
        encoding="utf-8")
    assert errors(project) == ["facts/people.yaml:2:5: people[0].id: duplicate id 'centre-funding' (first used at "
                               "facts/events.yaml:19)"]


@pytest.mark.parametrize("length, warned", [(255, False), (256, True)])
def test_a_subject_longer_than_word_keeps_is_a_warning(project, length, warned):
    edit(project / "facts" / "briefing.yaml", "  subject: The new joint border centre.\n",
         f"  subject: {'x' * length}\n")
    warnings = [str(p) for p in check_provenance(load(project)).warnings if "subject" in str(p)]
    assert warnings == ([f"facts/briefing.yaml:3:3: briefing.subject: is {length} characters long; Word keeps at most "
                         "255 in a document property, so the Word file's Subject property is cut at a word with an "
                         "ellipsis (the text of every output is whole)"] if warned else [])


@pytest.mark.parametrize("written, where", [('per_year: "3000000"', "23:5: funding[0].per_year"),
                                            ('rate: {amount: "3000000", per: year}', "23:12: funding[0].rate.amount")])
def test_a_rate_not_in_its_quote_is_named_as_written(project, written, where):
    edit(project / "facts" / "events.yaml", '    amount: "10000000"\n', f'    amount: "10000000"\n    {written}\n')
    assert errors(project) == [
        f"facts/events.yaml:{where}: £3,000,000 does not appear in the quoted source text, which "
        "gives '£10 million', '€12m'; quote the passage that states it"]


def test_a_part_of_relations_quote_is_checked(project):
    (project / "facts" / "part.yaml").write_text("""funding:
  - id: centre-part
    event: funding-announced
    title: Part of the funding
    amount: "10000000"
    currency: GBP
    purpose: The new joint centre.
    part_of:
      id: centre-funding
      note: The same money.
      sources:
        - seed: centre-2020
          quote: the same ten million pounds
    sources:
      - seed: centre-2020
        quote: announced £10 million (€12m)
""", encoding="utf-8")
    found = errors(project)
    assert len(found) == 1 and not_found("funding[0].part_of.sources[0].quote").match(found[0]), found


# --------------------------------------------------------------------------- where a quote sits, and periods read


SENTENCES = "First one. Second one here. Third one.\n\nNew paragraph. Last one"


@pytest.mark.parametrize("word, sentence, with_the_one_before", [
    ("First", "First one.", "First one."),
    ("hird ", "Third one.", "Second one here. Third one."),
    ("Second", "Second one here.", "First one. Second one here."),  # a quote that starts its sentence
    ("New", "New paragraph.", "New paragraph."),  # the sentence before is in another paragraph
    ("Last", "Last one", "New paragraph. Last one"),
])
def test_the_sentence_around_a_quote(word, sentence, with_the_one_before):
    start = SENTENCES.index(word)
    end = start + len(word)
    assert SENTENCES[slice(*sentence_span(SENTENCES, start, end))] == sentence
    assert SENTENCES[slice(*preceding_span(SENTENCES, start, end))] == with_the_one_before


def test_a_list_item_is_a_paragraph_of_its_own():
    text = "Intro.\n\u2022 First item.\n\u2022 Second item."
    start = text.index("Second")
    assert text[slice(*preceding_span(text, start, start + 6))] == "\u2022 Second item."


@pytest.mark.parametrize("text, expected", [
    ("over the past three years", ("2016-01-25", "2019-01-25")),
    ("in the last year", ("2018-01-25", "2019-01-25")),
    ("in the past 2 weeks", ("2019-01-11", "2019-01-25")),
    ("over the next 10 days", ("2019-01-25", "2019-02-04")),
    ("the coming months", ("2019-01-25", "2019-02-25")),
    ("the past twelve months", ("2018-01-25", "2019-01-25")),
    ("in 2019", ("2019-01-01", "2019-12-31")),
])
def test_periods_read_against_the_source(text, expected):
    (mention,) = find_dates(text, FactDate(year=2019, month=1, day=25))
    assert [(a.isoformat(), b.isoformat()) for a, b in mention.candidates] == [expected]



# --------------------------------------------------------------------------- every form of date, every field


DATE_FORMS = [
    ('2020-06-04', [('2020-06-04', 'point', 'day', [('2020-06-04', '2020-06-04')], False, False)]),
    ('04.06.2020', [('04.06.2020', 'point', 'day', [('2020-06-04', '2020-06-04')], False, False)]),
    ('13/01/2019', [('13/01/2019', 'point', 'day', [('2019-01-13', '2019-01-13')], False, False)]),
    ('Jan. 5', [('Jan. 5', 'point', 'day', [('2019-01-05', '2019-01-05'), ('2020-01-05', '2020-01-05')], True, True)]),
    ('5 Sept. 2018', [('5 Sept. 2018', 'point', 'day', [('2018-09-05', '2018-09-05')], False, False)]),
    ('Monday 21 January', [('Monday 21 January', 'point', 'day', [('2019-01-21', '2019-01-21')], True, True)]),
    ('Tuesday 21 January', [('Tuesday 21 January', 'point', 'day', [('2020-01-21', '2020-01-21')], True, True)]),
    ('March this year', [('March this year', 'point', 'month', [('2019-03-01', '2019-03-31')], True, False)]),
    ('March next year', [('March next year', 'point', 'month', [('2020-03-01', '2020-03-31')], True, False)]),
    ('March last year', [('March last year', 'point', 'month', [('2018-03-01', '2018-03-31')], True, False)]),
    ('this March', [('this March', 'point', 'month', [('2019-03-01', '2019-03-31')], True, False)]),
    ('next March', [('next March', 'point', 'month', [('2019-03-01', '2019-03-31')], True, False)]),
    ('last March', [('last March', 'point', 'month', [('2018-03-01', '2018-03-31')], True, False)]),
    ('last January', [('last January', 'point', 'month', [('2018-01-01', '2018-01-31')], True, False)]),
    ('July 2009', [('July 2009', 'point', 'month', [('2009-07-01', '2009-07-31')], False, False)]),
    ('2016-2020', [('2016-2020', 'period', 'year', [('2016-01-01', '2020-12-31')], False, False)]),
    ('between 2016 and 2020',
     [('between 2016 and 2020', 'period', 'year', [('2016-01-01', '2020-12-31')], False, False)]),
    ('2020-2015', [('2020', 'point', 'year', [('2020-01-01', '2020-12-31')], False, False)]),
    ('1990-2050', [('1990', 'point', 'year', [('1990-01-01', '1990-12-31')], False, False)]),
    ('2019/20', [('2019/20', 'period', 'year', [('2019-01-01', '2020-12-31')], False, False)]),
    ('2009', [('2009', 'point', 'year', [('2009-01-01', '2009-12-31')], False, False)]),
    ('the last 4 years', [('the last 4 years', 'period', 'day', [('2015-01-25', '2019-01-25')], True, False)]),
    ('today', [('today', 'point', 'day', [('2019-01-25', '2019-01-25')], True, True)]),
    ('yesterday', [('yesterday', 'point', 'day', [('2019-01-24', '2019-01-24')], True, True)]),
    ('tomorrow', [('tomorrow', 'point', 'day', [('2019-01-26', '2019-01-26')], True, True)]),
    ('this week', [('this week', 'point', 'day', [('2019-01-21', '2019-01-27')], True, False)]),
    ('next week', [('next week', 'point', 'day', [('2019-01-28', '2019-02-03')], True, False)]),
    ('last month', [('last month', 'point', 'month', [('2018-12-01', '2018-12-31')], True, False)]),
    ('next year', [('next year', 'point', 'year', [('2020-01-01', '2020-12-31')], True, False)]),
    ('this year', [('this year', 'point', 'year', [('2019-01-01', '2019-12-31')], True, False)]),
    ('March', [('March', 'point', 'month', [('2018-03-01', '2018-03-31'), ('2019-03-01', '2019-03-31')], True, False)]),
    ('December',
     [('December', 'point', 'month', [('2018-12-01', '2018-12-31'), ('2019-12-01', '2019-12-31')], True, False)]),
    ('on 24 January',
     [('24 January', 'point', 'day', [('2019-01-24', '2019-01-24'), ('2020-01-24', '2020-01-24')], True, True)]),
    ('on 26 January',
     [('26 January', 'point', 'day', [('2018-01-26', '2018-01-26'), ('2019-01-26', '2019-01-26')], True, True)]),
]


@pytest.mark.parametrize("text, expected", DATE_FORMS, ids=[form[0] for form in DATE_FORMS])
def test_every_form_of_date_with_every_field(text, expected):
    """(text, kind, precision, candidates, worked out, dateline) read against a source of 25 January 2019."""
    found = [(m.text, m.kind, m.precision.value, [(a.isoformat(), b.isoformat()) for a, b in m.candidates],
              m.worked_out, m.dateline) for m in find_dates(text, FactDate(year=2019, month=1, day=25))]
    assert found == expected


def test_slashed_dates_month_first():
    found = find_dates("04/06/2020 and 13/01/2019", FactDate(year=2019, month=1, day=25), month_first=True)
    assert [(m.text, m.candidates[0][0].isoformat()) for m in found] == [("04/06/2020", "2020-04-06"),
                                                                         ("13/01/2019", "2019-01-13")]


# --------------------------------------------------------------------------- sort hints and coverage exemptions


@pytest.mark.parametrize("hint, message", [
    ("before year-only", "sort_hint names itself"),
    ("before centre-operationl", "sort_hint names unknown event id 'centre-operationl'; did you mean "
                                 "'centre-operational'?"),
    ("after funding-announced", None),
    ("before the-2019-review", "sort_hint is not needed: 2020 and 2019 ('the-2019-review') do not overlap, so "
                               "their dates already order them"),
])
def test_sort_hint_problems(project, hint, message):
    (project / "facts" / "hinted.yaml").write_text(
        HINTED.format(hint=hint) + HINTED.format(hint="after centre-operational").split("events:\n", 1)[1]
        .replace("year-only", "the-2019-review").replace('"2020"', '"2019"'), encoding="utf-8")
    found = [e for e in errors(project) if "events[0].sort_hint" in e]
    assert found == ([f"facts/hinted.yaml:4:5: events[0].sort_hint: {message}"] if message else [])


@pytest.mark.parametrize("exemption, problem", [
    ("  - seed: centre-2021\n    text: Published 3 March 2020\n    reason: r\n",
     "coverage_exemptions[1].seed: unknown seed 'centre-2021'; did you mean 'centre-2020'?"),
    ("  - seed: centre-2020\n    text: Published 4 March 2020\n    reason: r\n",
     "coverage_exemptions[1].text: 'Published 4 March 2020' does not occur in seed 'centre-2020'"),
    ("  - seed: centre-2020\n    text: New border centre opens\n    reason: r\n",
     "warning: coverage_exemptions[1].text: exemption not needed: every amount and date in it is cited by a fact "
     "(or it holds none); remove it"),
])
def test_coverage_exemption_problems(project, exemption, problem):
    with (project / "facts" / "events.yaml").open("a", encoding="utf-8") as facts:
        facts.write(exemption)
    report = check_provenance(load(project))
    found = [("warning: " if p.warning else "") + f"{p.field_path}: {p.message}" for p in report.problems]
    assert found == [problem]
    assert (report.mentions_total, report.mentions_cited, report.mentions_exempted) == (6, 5, 1)


# --------------------------------------------------------------------------- the normal form, against the plain reading


def _normalise_char_by_char(raw: str) -> tuple[str, list[int]]:
    """The normal form as `quotes.normalise` documents it, one character at a time (slow, plain)."""
    from briefgen.quotes import _CHAR_MAP

    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(raw):
        mapped = _CHAR_MAP.get(char)
        if mapped is None:
            mapped = " " if char.isspace() else unicodedata.normalize("NFKC", char)
        for out in mapped:
            if out == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(out)
            origin.append(index)
    joined: list[str] = []
    joined_origin: list[int] = []
    i = 0
    while i < len(chars):
        if chars[i] == "-" and joined and joined[-1].isalpha():
            j = i + 1 + (i + 1 < len(chars) and chars[i + 1] == " ")
            if j < len(chars) and chars[j].isalpha():
                i = j
                continue
        joined.append(chars[i])
        joined_origin.append(origin[i])
        i += 1
    while joined and joined[-1] == " ":
        joined.pop()
        joined_origin.pop()
    return "".join(joined), joined_origin


def test_the_normal_form_matches_the_plain_reading_on_random_text():
    import random

    from briefgen.quotes import normalise

    alphabet = ["a", "b", "Z", "é", "e\u0301", "1", "½", "-", "--", " ", "  ", "\n", "\t", "\u00a0", "\u2013",
                "\u2019", "\u201c", "`", "\u2026", "\u00ad", "\u200b", "\ufb01", "\u00a8", "'", ".", ",", "_",
                "com-\nbination", "in- vested", "x - y", "\u2028", "\ufeff", "Ⅻ", "²"]
    rng = random.Random(20261202)
    for _ in range(3000):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30)))
        got = normalise(raw)
        assert (got.text, list(got.origin)) == _normalise_char_by_char(raw), repr(raw)
