"""Money and dates a reader can repeat: reading them in any form, checking them against quotes, honest totals.

Most checks run `check_provenance` in-process on a copy of a fact set with one
deliberate change, so that each mutation a reviewer might make (a date moved by
a year, a commitment linked to another event, a currency relabelled) is shown
to fail with its file and line.
"""

from __future__ import annotations

import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from briefgen.chart import ALT_TEXT_LIMIT, alt_text
from briefgen.context import build_context, chronological
from briefgen.funding import honest_totals
from briefgen.housestyle import HouseStyle
from briefgen.loading import load_fact_base
from briefgen.model import FactDate, Precision, Qualifier
from briefgen.read_dates import find_dates
from briefgen.read_money import find_numbers
from briefgen.sources import check_provenance

from conftest import ROOT

ARVELO = ROOT / "tests" / "examples" / "arvelo"


def check(project: Path) -> list[str]:
    """The errors `briefgen check` would print, run in the project folder so paths read facts/…"""
    here = os.getcwd()
    os.chdir(project)
    try:
        base, problems = load_fact_base(Path("facts"), Path("seeds"))
        if base is None:
            return [str(p) for p in problems]
        return [str(p) for p in check_provenance(base).errors]
    finally:
        os.chdir(here)


def copy_of(tmp_path: Path, source: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(source / "facts", target / "facts")
    shutil.copytree(source / "seeds", target / "seeds")
    return target


def replace_in(path: Path, old: str, new: str, after: str = "") -> None:
    text = path.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")


# --------------------------------------------------------------------------- reading money


@pytest.mark.parametrize("text, value, currencies, qualifier", [
    ("£44.5m", "44500000", {"GBP"}, "exact"),
    ("over £6 million", "6000000", {"GBP"}, "over"),
    ("almost €150M", "150000000", {"EUR"}, "almost"),
    ("€ 150 million", "150000000", {"EUR"}, "exact"),
    ("US$ 8.8 billion", "8800000000", {"USD"}, "exact"),
    ("over US$101 million", "101000000", {"USD"}, "over"),  # a sign ending in a symbol runs into its number
    ("A$5m", "5000000", {"AUD"}, "exact"),
    ("about R$3 billion", "3000000000", {"BRL"}, "about"),
    ("8.8 billion U.S. dollars", "8800000000", {"USD"}, "exact"),
    ("76 million US dollars", "76000000", {"USD"}, "exact"),
    ("CHF 30 million", "30000000", {"CHF"}, "exact"),
    ("30 million Swiss francs", "30000000", {"CHF"}, "exact"),
    ("NOK 6.25 billion", "6250000000", {"NOK"}, "exact"),
    ("6.25 billion Norwegian kroner", "6250000000", {"NOK"}, "exact"),
    ("¥10 billion", "10000000000", {"JPY", "CNY"}, "exact"),
    ("10 billion yen", "10000000000", {"JPY"}, "exact"),
    ("JPY 5bn", "5000000000", {"JPY"}, "exact"),
    ("roughly seven million Swiss francs", "7000000", {"CHF"}, "about"),
    ("at least $100 million", "100000000", None, "at least"),
    ("in excess of £2,500", "2500", {"GBP"}, "over"),
    ("just under €1.2bn", "1200000000", {"EUR"}, "almost"),
    ("some twenty-five million euros", "25000000", {"EUR"}, "about"),
    ("£4m a year", "4000000", {"GBP"}, "exact"),
])
def test_money_read_in_any_usual_form(text, value, currencies, qualifier):
    mentions = find_numbers(text)
    assert len(mentions) == 1, mentions
    mention = mentions[0]
    assert mention.value == Decimal(value)
    if currencies is None:
        assert "USD" in mention.currencies and "AUD" in mention.currencies  # "$" may be any dollar
    else:
        assert set(mention.currencies) == currencies
    assert mention.qualifier.value == qualifier


def test_number_words_scale_and_plain_numbers():
    found = {(m.value, m.qualifier.value) for m in find_numbers("seven million, nine gangs, more than 1,000 people",
                                                                words=True)}
    assert found == {(Decimal(7000000), "exact"), (Decimal(9), "exact"), (Decimal(1000), "over")}
    # Without words=True a bare number word is not a mention; with a scale it is.
    assert [m.value for m in find_numbers("nine gangs and seven million")] == [Decimal(7000000)]


DOLLARS = "any dollar"  # "$" may mean any of the dollars (and pesos) written with it


@pytest.mark.parametrize("text, words, expected", [
    # text, words=, [(value, currencies, qualifier, text as found, start, end, from words)]
    ("one hundred and twenty-five thousand", True,
     [("125000", set(), "exact", "one hundred and twenty-five thousand", 0, 36, True)]),
    ("a million euros", False, [("1000000", {"EUR"}, "exact", "a million euros", 0, 15, True)]),
    ("twenty-five hundred", True, [("2500", set(), "exact", "twenty-five hundred", 0, 19, True)]),
    ("a hundred", True, [("100", set(), "exact", "a hundred", 0, 9, True)]),
    ("ninety nine", True, [("99", set(), "exact", "ninety nine", 0, 11, True)]),
    ("Seventy-Two", True, [("72", set(), "exact", "Seventy-Two", 0, 11, True)]),
    ("twenty-five", False, []),  # a bare number word is not an amount unless asked for
    ("one", True, []), ("an hour", True, []), ("a team", True, []),  # articles and "one" alone are not numbers
    ("nine gangs", True, [("9", set(), "exact", "nine", 0, 4, True)]),
    ("3B apples", False, [("3", set(), "exact", "3", 0, 1, False)]),  # a label, not three billion
    ("$3B", False, [("3000000000", DOLLARS, "exact", "$3B", 0, 3, False)]),  # with money it is billions
    ("1,234,567", False, [("1234567", set(), "exact", "1,234,567", 0, 9, False)]),
    ("1'000 people", False, [("1000", set(), "exact", "1'000", 0, 5, False)]),
    ("12.5bn", False, [("12500000000", set(), "exact", "12.5bn", 0, 6, False)]),
    ("50k", False, [("50000", set(), "exact", "50k", 0, 3, False)]),
    ("2 tn", False, [("2000000000000", set(), "exact", "2 tn", 0, 4, False)]),
    ("5 mln", False, [("5000000", set(), "exact", "5 mln", 0, 5, False)]),
    ("over US$101 million", False, [("101000000", {"USD"}, "over", "over US$101 million", 0, 19, False)]),
    ("€ 150 million", False, [("150000000", {"EUR"}, "exact", "€ 150 million", 0, 13, False)]),
    ("10 USD", False, [("10", {"USD"}, "exact", "10 USD", 0, 6, False)]),
    ("$5 USD", False, [("5", {"USD"}, "exact", "$5 USD", 0, 6, False)]),  # the code narrows the sign
    ("5 Swiss francs", False, [("5", {"CHF"}, "exact", "5 Swiss francs", 0, 14, False)]),
    ("A$5", False, [("5", {"AUD"}, "exact", "A$5", 0, 3, False)]),
    ("kr 10", False, [("10", {"NOK", "SEK", "DKK", "ISK"}, "exact", "kr 10", 0, 5, False)]),
    ("EUR5m and USD5", False, [("5000000", {"EUR"}, "exact", "EUR5m", 0, 5, False),
                               ("5", {"USD"}, "exact", "USD5", 10, 14, False)]),  # a code may run into digits
    ("CHF1.5bn", False, [("1500000000", {"CHF"}, "exact", "CHF1.5bn", 0, 8, False)]),
    ("ISO9001 and abc5", False, []),  # letters that are not a currency code do not start a number
    ("plus 5", False, [("5", set(), "exact", "5", 5, 6, False)]),  # "plus" does not end in the sign "US"
    ("just under £5m", False, [("5000000", {"GBP"}, "almost", "just under £5m", 0, 14, False)]),  # longest first
    ("under £5m", False, [("5000000", {"GBP"}, "under", "under £5m", 0, 9, False)]),
    ("approx. 7", False, [("7", set(), "about", "approx. 7", 0, 9, False)]),
    ("well over twenty million dollars", False,
     [("20000000", DOLLARS, "over", "well over twenty million dollars", 0, 32, True)]),
])
def test_every_part_of_a_number_is_read(text, words, expected):
    found = [(m.value, m.currencies, m.qualifier.value, m.text, m.start, m.end, m.from_words)
             for m in find_numbers(text, words=words)]
    assert len(found) == len(expected), found
    for got, (value, currencies, *rest) in zip(found, expected, strict=True):
        assert got[0] == Decimal(value), got
        if currencies == DOLLARS:
            assert {"USD", "AUD", "CAD", "NZD"} <= got[1] and "GBP" not in got[1], got
        else:
            assert got[1] == currencies, got
        assert list(got[2:]) == rest, got


# --------------------------------------------------------------------------- reading dates


REFERENCE = FactDate(year=2019, month=1, day=25)


@pytest.mark.parametrize("text, expected", [
    ("20 July 2021", ["2021-07-20"]),
    ("20th July 2021", ["2021-07-20"]),
    ("20 Sep 2014", ["2014-09-20"]),
    ("July 20, 2021", ["2021-07-20"]),
    ("04.06.2020", ["2020-06-04"]),
    ("2020-06-04T10:00:00Z", ["2020-06-04"]),
    ("March 2010", ["2010-03-01..2010-03-31"]),
    ("November last year", ["2018-11-01..2018-11-30"]),
    ("on 24 January", ["2019-01-24", "2020-01-24"]),
    ("May 20,", ["2018-05-20", "2019-05-20"]),
    ("today", ["2019-01-25"]),
    ("last month", ["2018-12-01..2018-12-31"]),
    ("over the last 4 years", ["2015-01-25..2019-01-25"]),
    ("a 2016–2020 target", ["2016-01-01..2020-12-31"]),
    ("the 2019/20 year", ["2019-01-01..2020-12-31"]),
])
def test_dates_read_in_any_usual_form(text, expected):
    mentions = find_dates(text, REFERENCE)
    assert len(mentions) == 1, mentions
    shown = [a.isoformat() if a == b else f"{a.isoformat()}..{b.isoformat()}" for a, b in mentions[0].candidates]
    assert shown == expected


def test_weekday_rules_out_a_wrong_year():
    # 20 July was a Tuesday in 2021 but not in 2020.
    assert find_dates("Tuesday 20 July", FactDate(year=2021, month=7, day=20))[0].candidates[0][0].year == 2021
    # Read against a source of 21 July 2020, the day before (a Monday in 2020) is ruled out: only 2021 is left.
    mention = find_dates("Tuesday 20 July", FactDate(year=2020, month=7, day=21))[0]
    assert [a.isoformat() for a, _ in mention.candidates] == ["2021-07-20"]


def test_a_weekday_is_a_word_of_its_own():
    """"mon" ending "Salmon" is no Monday: the day is read, not lost to a weekday it does not fall on."""
    mention = find_dates("Salmon 20 July 2021")[0]
    assert (mention.text, mention.precision) == ("20 July 2021", Precision.DAY)
    assert find_dates("Mon 19 July 2021")[0].text == "Mon 19 July 2021"  # 19 July 2021 was a Monday


def test_reading_the_same_text_again_gives_the_same_dates_as_a_fresh_list():
    first = find_dates("20 July 2021", REFERENCE)
    first.clear()  # a caller's list is its own: the remembered reading is not changed through it
    assert [m.text for m in find_dates("20 July 2021", REFERENCE)] == ["20 July 2021"]


def test_us_order_for_slashed_dates_follows_the_language():
    assert find_dates("04/06/2020")[0].candidates[0][0].isoformat() == "2020-06-04"
    assert find_dates("04/06/2020", month_first=True)[0].candidates[0][0].isoformat() == "2020-04-06"


# --------------------------------------------------------------------------- shipped facts: mutations fail


SHIPPED_EVENTS = yaml.safe_load((ROOT / "facts" / "events.yaml").read_text())["events"]
SHIPPED_FUNDING = yaml.safe_load((ROOT / "facts" / "funding.yaml").read_text())["funding"]


def test_shipped_facts_pass(tmp_path):
    assert check(copy_of(tmp_path, ROOT)) == []


@pytest.mark.parametrize("event", SHIPPED_EVENTS, ids=lambda e: e["id"])
@pytest.mark.parametrize("years", [-1, 1])
def test_moving_an_event_by_a_year_fails(tmp_path, event, years):
    project = copy_of(tmp_path, ROOT)
    moved = f'{int(event["date"][:4]) + years}{event["date"][4:]}'
    replace_in(project / "facts" / "events.yaml", f'date: "{event["date"]}"', f'date: "{moved}"',
               after=f"id: {event['id']}\n")
    errors = check(project)
    index = SHIPPED_EVENTS.index(event)
    assert any(re.match(rf"facts/events\.yaml:\d+:\d+: events\[{index}\]\.date: ", e) for e in errors), errors


@pytest.mark.parametrize("commitment", SHIPPED_FUNDING, ids=lambda f: f["id"])
def test_linking_a_commitment_to_another_event_fails(tmp_path, commitment):
    index = SHIPPED_FUNDING.index(commitment)
    for event in SHIPPED_EVENTS:
        if event["id"] == commitment["event"]:
            continue
        project = copy_of(tmp_path / event["id"], ROOT)
        replace_in(project / "facts" / "funding.yaml", f"event: {commitment['event']}\n", f"event: {event['id']}\n",
                   after=f"id: {commitment['id']}\n")
        errors = check(project)
        assert any(re.match(rf"facts/funding\.yaml:\d+:\d+: funding\[{index}\]\.event: linked to event", e)
                   for e in errors), (event["id"], errors)


@pytest.mark.parametrize("event", [e for e in SHIPPED_EVENTS if e.get("date_inferred")], ids=lambda e: e["id"])
def test_deleting_a_date_inferred_reason_fails(tmp_path, event):
    project = copy_of(tmp_path, ROOT)
    path = project / "facts" / "events.yaml"
    text = path.read_text()
    start = text.index(f"id: {event['id']}\n")
    at = text.index("    date_inferred: >-\n", start)
    end = text.index("    title:", at)
    path.write_text(text[:at] + text[end:])
    errors = check(project)
    assert any("is not stated outright in the quotes" in e and "add date_inferred" in e for e in errors), errors


def test_quote_matching_is_exact_about_case_and_length(tmp_path):
    project = copy_of(tmp_path, ROOT)
    replace_in(project / "facts" / "events.yaml", '"The JOCC was opened in March 2010"',
               '"The JOCC was Opened in March 2010"')
    assert any("events[1].sources[0].quote: quote not found" in e for e in check(project))
    project = copy_of(tmp_path / "b", ROOT)
    long_quote = "following a commitment at the evian summit in July 2009, where £15 million investment was pledged"
    replace_in(project / "facts" / "events.yaml", long_quote, long_quote + " to boost border walls")
    assert any("events[0].sources[0].quote: quote not found" in e for e in check(project))


# --------------------------------------------------------------------------- another topic, other currencies


def test_another_topic_passes_check(tmp_path):
    assert check(copy_of(tmp_path, ARVELO)) == []


@pytest.mark.parametrize("old, new, after, expected", [
    ('amount: "30000000"\n    currency: CHF', 'amount: "30000000"\n    currency: JPY', "id: swiss-2021-2024",
     "funding[6].currency: currency JPY contradicts the quote, which gives 'CHF 30 million' (CHF)"),
    ('amount: "6250000000"', 'amount: "6200000000"', "id: norway-basin-fund",
     "funding[0].amount: NOK 6,200,000,000 does not appear in the quoted source text"),
    ('qualifier: at least', 'qualifier: over', "id: us-arvelo-share",
     "funding[8].qualifier: qualifier 'over' but the source says 'at least $100 million' (qualifier 'at least')"),
    ('qualifier: about', 'qualifier: exact', "id: swiss-training-rate",
     "funding[5].rate.qualifier: qualifier 'exact' but the source says 'roughly seven million Swiss francs'"),
    ('date: "2016-05-20"', 'date: "2015-05-20"', "id: geneva-donor-meeting-2016",
     "events[2].date: 2015-05-20 (May 20, 2015) agrees with none of the dates its quotes state: 'May 20, 2016'"),
    ('date: "2020-06-04"', 'date: "2020-04-06"', "id: swiss-decision-2020",
     "events[3].date: 2020-04-06 (April 6, 2020) agrees with none of the dates its quotes state: '04.06.2020'"),
    ('amount: "1500000000"', 'amount: "7500000000"', "id: norway-monitoring",
     "funding[1].amount: NOK 7,500,000,000 is more than the NOK 6,250,000,000 of 'norway-basin-fund' it is part of"),
    ("part_of: us-global-2020", "part_of: us-arvelo-share", "id: us-arvelo-share",
     "funding[8].part_of.id: a commitment cannot be related to itself"),
    ("currency: EUR", "currency: XYZ", "id: ec-2016",
     "funding[4].currency: 'XYZ' is not an ISO 4217 currency code; expected a code such as EUR, USD, JPY or CHF"),
    ("from: japan", "from: japn", "id: japan-loans-2016",
     "funding[3].from: unknown organisation id 'japn'; did you mean 'japan'?"),
    ("sort_hint: before geneva-donor-meeting-2016", "sort_hint: before swiss-decision-2020", "",
     "events[1].sort_hint: sort_hint is not needed: 2016 and 2020-06-04 ('swiss-decision-2020') do not overlap"),
])
def test_another_topic_fails_when_a_value_is_changed(tmp_path, old, new, after, expected):
    project = copy_of(tmp_path, ARVELO)
    replace_in(project / "facts" / "facts.yaml", old, new, after=after)
    errors = check(project)
    assert any(re.match(r"facts/facts\.yaml:\d+:\d+: ", e) and expected in e for e in errors), errors


def test_part_of_cycle_is_an_error(tmp_path):
    project = copy_of(tmp_path, ARVELO)
    replace_in(project / "facts" / "facts.yaml", "    amount: \"8800000000\"\n", "    amount: \"8800000000\"\n"
               "    part_of: us-arvelo-share\n", after="id: us-global-2020")
    errors = check(project)
    assert any("'part_of' goes round in a circle: us-arvelo-share → us-global-2020 → us-arvelo-share" in e
               for e in errors), errors


def test_a_forward_looking_period_stated_in_the_quote_is_allowed(tmp_path):
    # The 2016-2020 target figure comes from a 2015 release: allowed because the quote states 2016-2020.
    project = copy_of(tmp_path, ARVELO)
    assert check(project) == []
    replace_in(project / "facts" / "facts.yaml", 'start: "2016"\n      end: "2020"\n    sources:',
               'start: "2017"\n      end: "2020"\n    sources:', after="id: households-target")
    replace_in(project / "facts" / "facts.yaml", "over 2016-2020", "over 2016-2020", after="id: households-target")
    assert check(project) == []  # 2017–2020 still agrees with the stated 2016-2020
    replace_in(project / "facts" / "facts.yaml", 'start: "2017"\n      end: "2020"', 'start: "2021"\n      end: "2022"',
               after="id: households-target")
    errors = check(project)
    assert any("figures[0].period.start: its period starts 2021, after its source" in e for e in errors), errors


def test_title_longer_than_word_allows_is_refused(tmp_path):
    project = copy_of(tmp_path, ARVELO)
    replace_in(project / "facts" / "briefing.yaml", 'title: "Lake Arvelo basin: donor funding, 2015–2020"',
               f'title: "{"x" * 256}"')
    errors = check(project)
    assert any("briefing.title: is 256 characters long; expected at most 255 (the most a Word document property "
               "can hold)" in e for e in errors), errors


# --------------------------------------------------------------------------- honest totals and house style


def test_another_topic_totals_by_giver_and_currency():
    base, _ = load_fact_base(ARVELO / "facts", ARVELO / "seeds")
    totals = honest_totals(base.funding)
    got = {(t.giver, t.currency, t.amount, t.qualifier) for t in totals.totals}
    # By hand: NOK 6.25bn (the 1.5bn is part of it); USD 8.8bn from the US, "at least" because the $76m may
    # overlap its $100m part; JPY 10bn; EUR 150m; CHF 30m (the CHF 7m a year has no total).
    assert got == {("norway", "NOK", Decimal("6250000000"), Qualifier.EXACT),
                   ("united-states", "USD", Decimal("8800000000"), Qualifier.AT_LEAST),
                   ("japan", "JPY", Decimal("10000000000"), Qualifier.EXACT),
                   ("european-commission", "EUR", Decimal("150000000"), Qualifier.EXACT),
                   ("switzerland", "CHF", Decimal("30000000"), Qualifier.EXACT)}
    assert {(e.commitment.id, e.reason) for e in totals.left_out} == {
        ("norway-monitoring", "part_of"), ("geneva-donors-2016", "overlaps"), ("us-arvelo-share", "part_of")}
    assert [f.id for f in totals.rates_only] == ["swiss-training-rate"]
    summary = build_context(base, "official")["funding_summary"]["text"].replace("\u00a0", " ")
    assert summary.startswith("Separate commitments add up to NOK 6.25bn from Government of Norway "
                              "(1 commitment), €150m from European Commission (1 commitment), ¥10bn from Japan")
    assert "Stated only as a rate, with no total to add: about CHF 7m a year." in summary


def test_nothing_in_another_topic_says_uk_or_gbp():
    base, _ = load_fact_base(ARVELO / "facts", ARVELO / "seeds")
    context = build_context(base, "official")
    text = repr(context)
    for word in ("UK", "GBP", "£", "Calais", "sterling"):
        assert word not in text, word


def test_sort_hint_puts_a_year_only_event_first():
    base, _ = load_fact_base(ARVELO / "facts", ARVELO / "seeds")
    order = [e.id for e in chronological(base.events)]
    assert order.index("first-basin-survey-2016") == order.index("geneva-donor-meeting-2016") - 1


@pytest.mark.parametrize("language, amount, currency, in_play, expected", [
    ("en-GB", "44500000", "GBP", {"GBP"}, "£44.5m"),
    ("en-GB", "1200000000", "EUR", {"EUR"}, "€1.2bn"),
    ("en-GB", "1000000000", "USD", {"USD"}, "$1bn"),
    ("en-GB", "1000000000", "USD", {"USD", "AUD"}, "US$1bn"),
    ("en-GB", "30000000", "CHF", {"CHF"}, "CHF\u00a030m"),
    ("en-GB", "1650000000", "GBP", {"GBP"}, "£1.65bn"),
    ("en-GB", "1234567000", "GBP", {"GBP"}, "£1,234,567,000"),
    ("en-GB", "750000", "GBP", {"GBP"}, "£750,000"),
    ("en-GB", "44512345", "GBP", {"GBP"}, "£44,512,345"),
    ("en-US", "10000000000", "JPY", {"JPY"}, "¥10bn"),
])
def test_house_style_amounts(language, amount, currency, in_play, expected):
    assert HouseStyle(language, frozenset(in_play)).money(Decimal(amount), currency) == expected


def test_house_style_dates_follow_the_language():
    day = FactDate(year=2021, month=7, day=20)
    assert HouseStyle("en-GB").date(day) == "20 July 2021"
    assert HouseStyle("en-US").date(day) == "July 20, 2021"
    assert HouseStyle("en-GB").date(FactDate(year=2009, month=7)) == "July 2009"
    assert HouseStyle("fr-FR").date(day) == "20 juillet 2021"


def test_alt_text_is_short_and_states_the_overlap():
    base, _ = load_fact_base(ARVELO / "facts", ARVELO / "seeds")
    context = build_context(base, "official")
    text = alt_text(context["funding"], context["funding_summary"], "Donor funding commitments")
    assert len(text) <= ALT_TEXT_LIMIT
    assert "not added up" in text and "(NOK, EUR, USD, JPY, CHF)" in text


def test_long_subject_is_a_warning_and_word_cuts_it_at_a_word(tmp_path):
    from briefgen.backends.docx import word_property

    project = copy_of(tmp_path, ARVELO)
    replace_in(project / "facts" / "briefing.yaml", "The topic is fictional.",
               "The topic is fictional. " + "More words here. " * 20)
    os.chdir(project)
    try:
        base, _ = load_fact_base(Path("facts"), Path("seeds"))
        warnings = [str(p) for p in check_provenance(base).warnings]
    finally:
        os.chdir(ROOT)
    assert any(re.match(r"facts/briefing\.yaml:\d+:\d+: briefing\.subject: is \d+ characters long; Word keeps at "
                        r"most 255", w) for w in warnings), warnings
    cut = word_property("word " * 100)
    assert len(cut) <= 255 and cut.endswith("word…")


def test_prose_spells_organisations_as_the_list_does():
    from briefgen.housestyle import prose

    style = HouseStyle("en-GB", frozenset({"GBP"}))
    names = ("Home Office", "Border Force", "Office", "UKBF", "UK")
    assert prose(style, "the home office and border force, uk-wide, ukbf, office; UKs and non-uk",
                 names) == "the Home Office and Border Force, uk-wide, UKBF, Office; UKs and non-uk"
    # A name inside a quotation is the source's spelling and is left alone.
    assert prose(style, 'the home office said "the home office agrees"', names) == \
        "the Home Office said \u201cthe home office agrees\u201d"
    # Names with characters a pattern would read: each is matched as written.
    assert prose(style, "the g+ unit and g. co.", ("G+ Unit", "G. Co.")) == "the G+ Unit and G. Co."
