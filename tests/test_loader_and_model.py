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

from conftest import ROOT


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


# --------------------------------------------------------------------------- the fast reading and the composer


TRICKY_YAML = [
    "", "# only a comment\n", "---\n", "a: 1\n", "a:\n", "a: ~\nb: null\nc: 'null'\nd: \"\"\ne: NULL\n",
    "- 1\n- [2, 3]\n- {x: y}\n-\n", "a:\n  b:\n    - c\n    - d: e\n      f: g\n", "? a\n: b\n",
    "a: &x 1\nb: *x\n", "a: &x 1\n", "- &y [1]\n", "a: !!str 1\n", "a: !custom x\n", "a: ! x\n",
    "a: 1\na: 2\n", "<<: {a: 1}\n",
    "? [a]\n: b\n", "? {a: b}\n: c\n", "a: 1\n---\nb: 2\n", "a: [1, 2\n", "a: 'x\n", "\t- x\n",
    "a: \"tab\\there\"\nb: |\n  two\n  lines\n", "a: >-\n  folded\n  text\n", "\"~\": 1\n~: 2\n",
    "[" * 31 + "]" * 31 + "\n", "[" * 32 + "]" * 32 + "\n", "[" * 33 + "]" * 33 + "\n",
    "a: " + "{b: " * 31 + "c" + "}" * 31 + "\n", "a: x\u0085y\n", "a: \x07\n", "...\n", "--- a\n...\n",
    "a: 1 # c\n# end\n", "- - - x\n", "{a: 1, b: [x, {c: d}]}\n", "'a': 1\n\"b\": 2\n",
]


def _both_readings(tmp_path: Path, text: str):
    from briefgen.facts import _NotPlain, _parse, _read_events, _StrictLoader

    path = tmp_path / "x.yaml"
    try:
        composer = _parse(path, "x.yaml", text, _StrictLoader)
        composed = (composer.data, composer.locations)
    except (BriefgenError, yaml.reader.ReaderError) as exc:  # load_fact_base words the reader's errors
        composed = BriefgenError(str(exc))
    try:
        fast = _read_events(path, text)
        read = (fast.data, fast.locations)
    except (_NotPlain, yaml.YAMLError):
        read = None
    return composed, read


def test_the_fast_reading_is_the_composers_or_leaves_the_file_to_it(tmp_path):
    """Every file the fast reading accepts, the composer accepts with the same values and positions;
    every file the composer refuses, the fast reading leaves to it."""
    files = sorted(ROOT.glob("facts/*.yaml")) + sorted((ROOT / "tests").glob("**/facts/*.yaml"))
    texts = TRICKY_YAML + [p.read_bytes().decode("utf-8", "replace") for p in files]
    accepted = 0
    for text in texts:
        composed, read = _both_readings(tmp_path, text)
        if isinstance(composed, BriefgenError):
            assert read is None, (text, composed)
        elif read is not None:
            accepted += 1
            assert read == composed, text
    assert accepted > 40  # the usual files take the fast path


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.recursive(st.one_of(st.none(), st.text(max_size=8), st.integers().map(str)),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                                max_size=4), max_leaves=20),
       st.sampled_from([{}, {"default_flow_style": True}, {"default_style": '"'}]))
def test_the_fast_reading_matches_the_composer_on_random_documents(tmp_path_factory, value, style):
    text = yaml.safe_dump(value, allow_unicode=True, **style)
    composed, read = _both_readings(tmp_path_factory.mktemp("y"), text)
    if isinstance(composed, BriefgenError):
        assert read is None
    else:
        assert read is not None and read == composed, text
