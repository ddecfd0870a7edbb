"""The strict YAML loader and the model layer, including property tests on random input."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.errors import BriefgenError
from briefgen.facts import MAX_FILE_BYTES, load_yaml
from briefgen.loading import validate_file
from briefgen.model import FactFile, parse_fact_date
from briefgen.sources import find_numbers, find_quote, normalise


def write(tmp_path: Path, text: str, name: str = "f.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_scalars_stay_text(tmp_path):
    loaded = load_yaml(write(tmp_path, "a: NO\nb: 1.10\nc: 2018-01-01\nd:\ne: 'null'\nf: yes\n"))
    assert loaded.data == {"a": "NO", "b": "1.10", "c": "2018-01-01", "d": None, "e": "null", "f": "yes"}


def test_locations_point_at_keys(tmp_path):
    loaded = load_yaml(write(tmp_path, "events:\n  - id: x\n    date: 2018\n"))
    assert loaded.location(("events", 0, "date")) == (3, 5)
    assert loaded.location(("events", 0)) == (2, 5)
    # A field that is not there is placed at its nearest ancestor: the list item that would hold it.
    assert loaded.location(("events", 0, "missing")) == (2, 5)
    assert loaded.location(("nothing", 3)) == (1, 1)


def test_alias_bomb_is_refused_before_expansion(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))
    try:
        load_yaml(write(tmp_path, bomb))
    except BriefgenError as exc:
        assert "anchor '&a' is not allowed" in str(exc)
    else:
        raise AssertionError("alias bomb accepted")


def test_oversized_file(tmp_path):
    path = write(tmp_path, "glossary: []\n# " + "x" * MAX_FILE_BYTES + "\n")
    try:
        load_yaml(path)
    except BriefgenError as exc:
        assert "the limit is 2,097,152 bytes" in str(exc)
    else:
        raise AssertionError("oversized file accepted")


def test_amounts_are_decimal_not_float(tmp_path):
    path = write(tmp_path, """funding:
  - id: f
    event: e
    title: t
    amount: 0.1
    currency: GBP
    purpose: p
    sources: [{seed: s, quote: a quote of ten}]
""")
    model, problems = validate_file(load_yaml(path), FactFile)
    assert problems == []
    assert model.funding[0].amount == Decimal("0.1")
    assert isinstance(model.funding[0].amount, Decimal)


def test_fact_date_precision():
    assert parse_fact_date("2018").precision.value == "year"
    assert parse_fact_date("2018-01").precision.value == "month"
    assert parse_fact_date("2018-01-18").latest.isoformat() == "2018-01-18"
    assert parse_fact_date("2020-02").latest.isoformat() == "2020-02-29"


def test_normalisation_handles_pdf_hyphenation_and_quotes():
    seed = "the UK has in-vested almost €150M to pro-\ntect the ‘CCIC’ and  cross-border work"
    assert find_quote(seed, "has invested almost €150M to protect the 'CCIC'") is not None
    assert find_quote(seed, "cross-border work") is not None
    assert find_quote(seed, "has invested over €150M") is None
    start, end = find_quote(seed, "almost €150M")
    assert seed[start:end] == "almost €150M"
    assert normalise("a\u00a0 b").text == "a b"


def test_numbers_in_text():
    found = {(m.value, m.currency, m.qualifier.value) for m in find_numbers(
        "over £6 million (€7m), almost €150M, £44.5m, more than 1,000 people, nine gangs", words=True)}
    assert (Decimal("6000000"), "GBP", "over") in found
    assert (Decimal("7000000"), "EUR", "exact") in found
    assert (Decimal("150000000"), "EUR", "almost") in found
    assert (Decimal("44500000"), "GBP", "exact") in found
    assert (Decimal("1000"), None, "over") in found
    assert (Decimal("9"), None, "exact") in found


# --- property tests: whatever the YAML, a model or a clean error, never a traceback

_scalars = st.one_of(st.text(max_size=20), st.sampled_from(["NO", "yes", "~", "2018-01", "1e9", "!!", "&a", "*a",
                                                            "0.1", "-", "2019-02-30", "GBP"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(
        ["id", "date", "title", "summary", "amount", "currency", "sources", "seed", "quote", "events", "funding",
         "figures", "briefing", "ammount", "period", "start"]), inner, max_size=5)), max_leaves=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(["events", "funding", "figures", "people", "organisations", "glossary",
                                              "briefing", "coverage_exemptions", "other"]), _values, max_size=4))
def test_random_documents_give_model_or_clean_error(tmp_path, data):
    path = write(tmp_path, yaml.safe_dump(data, allow_unicode=True))
    try:
        loaded = load_yaml(path)
    except BriefgenError as exc:
        assert all(str(p).startswith(str(path)) or str(p).startswith("f.yaml") for p in exc.problems)
        return
    model, problems = validate_file(loaded, FactFile)
    assert (model is None) == bool(problems)
    for problem in problems:
        assert problem.line >= 1 and problem.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#%@`,?\n \t\u00e9\u2028")), max_size=60))
def test_random_text_never_crashes_loader(tmp_path, text):
    path = write(tmp_path, text)
    try:
        loaded = load_yaml(path)
    except BriefgenError:
        return
    validate_file(loaded, FactFile)
