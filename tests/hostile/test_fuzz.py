"""Fuzz the fact-file path in-process: random bytes and random YAML-ish text written as a fact file into
a copy of a small project (tests/cases/good with ../_seeds), then what `check` does (cli.locate and
cli.load_checked) and, when that passes, what `build --format html` does for one audience (plan.plan_jobs
renders the templates and the chart; build.run_job writes the HTML). Every outcome is success, a
BriefgenError or a usage error; any other exception is a bug (the CLI would exit 3).

BRIEFGEN_FUZZ_EXAMPLES sets the number of examples per test (default 2000; CI runs 10,000, about 65 s for
random bytes and 125 s for YAML-ish text). Each test runs in `SHARDS` parts with as many examples between
them, so that `pytest -n 2` shares them between its workers.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.errors import BriefgenError

from conftest import CASES

EXAMPLES = int(os.environ.get("BRIEFGEN_FUZZ_EXAMPLES", "2000"))
SHARDS = 4  # parts of each fuzz test, each a separate run of EXAMPLES / SHARDS random examples
FUZZ_SETTINGS = settings(max_examples=max(1, EXAMPLES // SHARDS), deadline=None, database=None,
                         derandomize=False, suppress_health_check=list(HealthCheck))

_PROJECT: dict[str, Path] = {}


def _project() -> Path:
    """One copy of the small project for the whole module (Hypothesis runs many examples per test)."""
    if "root" not in _PROJECT:
        root = Path(tempfile.mkdtemp(prefix="briefgen-fuzz-"))
        shutil.copytree(CASES / "good", root / "good")
        shutil.copytree(CASES / "_seeds", root / "_seeds")
        _PROJECT["root"] = root
        _PROJECT["events"] = (root / "good" / "facts" / "events.yaml")
        _PROJECT["briefing"] = (root / "good" / "facts" / "briefing.yaml")
        _PROJECT["events_text"] = _PROJECT["events"].read_text(encoding="utf-8")  # type: ignore[assignment]
        _PROJECT["briefing_text"] = _PROJECT["briefing"].read_text(encoding="utf-8")  # type: ignore[assignment]
    return _PROJECT["root"] / "good"


@pytest.fixture(scope="module", autouse=True)
def _cleanup():
    yield
    if "root" in _PROJECT:
        shutil.rmtree(_PROJECT["root"], ignore_errors=True)


def check_and_build(project: Path) -> str:
    """What `briefgen check` then `briefgen build --format html` do, in-process. Returns the outcome."""
    from briefgen.build import run_job
    from briefgen.cli import load_checked, locate
    from briefgen.plan import plan_jobs

    old = Path.cwd()
    os.chdir(project)
    try:
        where = locate(project, None, project.parent / "_seeds")
        base, _report = load_checked(where)
        audience = base.briefing.audiences[0]
        from briefgen.render import available_audiences

        if audience not in available_audiences(where.templates):
            return "unknown audience"
        where.out.mkdir(parents=True, exist_ok=True)
        for job in plan_jobs(base, [audience], ["html"], where.out, where.templates, None):
            run_job(job)
        return "built"
    except BriefgenError:
        return "error"
    except typer.BadParameter.__mro__[1]:  # the usage-error class (Typer's own copy of click's, or click's)
        return "usage"
    finally:
        os.chdir(old)


def run_with(fact_file: str, data: bytes) -> str:
    project = _project()
    for name in ("events", "briefing"):
        _PROJECT[name].write_text(_PROJECT[f"{name}_text"], encoding="utf-8")  # type: ignore[arg-type]
    _PROJECT[fact_file].write_bytes(data)
    return check_and_build(project)


# --------------------------------------------------------------------------- strategies

ANY_CHAR = st.characters(codec="utf-8")
NASTY_CHARS = st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b", "\u2028", "\u2029", "\u202e",
                               "\u2066", "\u200b", "\u200d", "\ufeff", "\ufffe", "\uffff", "\ufdd0", "\r", "\t",
                               "\n", "\\", "\"", "'", ":", "#", "&", "*", "!", "|", ">", "{", "}", "[", "]",
                               "%", "@", "`", "<", "{{", "{%", "</script>"])
TEXT = st.lists(st.one_of(ANY_CHAR, NASTY_CHARS), max_size=40).map("".join)
HUGE = st.sampled_from(["1e100000000", "1" + "0" * 10000, "9" * 5000, "1e-100000000", "-1e999999", "1e999999",
                        "10000000000000", "9999999999999.999999", "0.0000001", "-0", "0", "NaN", "Infinity",
                        "1_000_000", "1,000,000", "0x10", "1e308", "9" * 28 + ".5", "00000000000000000001"])


@st.composite
def scalars(draw) -> str:
    kind = draw(st.sampled_from(["json", "plain", "huge", "single", "nested", "block"]))
    if kind == "json":  # a double-quoted YAML scalar: \u escapes put any character in the value
        return json.dumps(draw(TEXT))
    if kind == "plain":
        return draw(TEXT).replace("\n", " ")
    if kind == "huge":
        value = draw(HUGE)
        return json.dumps(value) if draw(st.booleans()) else value
    if kind == "single":
        return "'" + draw(TEXT).replace("'", "''").replace("\n", " ") + "'"
    if kind == "nested":
        depth = draw(st.integers(1, 80))
        inner = json.dumps(draw(TEXT))
        return draw(st.sampled_from(["[" * depth + inner + "]" * depth,
                                     "{a: " * depth + inner + "}" * depth]))
    return "|\n      " + draw(TEXT).replace("\n", "\n      ")


@st.composite
def yamlish(draw) -> tuple[str, bytes]:
    """One of the project's fact files with lines changed: values replaced, keys added, lines dropped."""
    fact_file = draw(st.sampled_from(["events", "briefing"]))
    _project()
    lines = str(_PROJECT[f"{fact_file}_text"]).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        action = draw(st.sampled_from(["value", "value", "value", "number", "key", "drop", "raw", "indent"]))
        indent = line[: len(line) - len(line.lstrip())]
        numbers = [i for i, text in enumerate(lines) if text.strip().startswith(("amount:", "value:", "per_year:"))]
        if action == "number" and numbers:  # the fields where a number's size matters
            index = draw(st.sampled_from(numbers))
            key = lines[index].split(":", 1)[0]
            lines[index] = f"{key}: {draw(st.one_of(HUGE, HUGE.map(json.dumps), scalars()))}"
        elif action == "value" and ":" in line:
            key = line.split(":", 1)[0]
            lines[index] = f"{key}: {draw(scalars())}"
        elif action == "key":
            key = draw(st.one_of(st.sampled_from(["audiences", "title", "amount", "value", "date", "id", "quote",
                                                  "summary", "protective_marking", "currency", "per_year",
                                                  "qualifier", "language", "slug", "overlaps", "rate"]),
                                 TEXT.map(json.dumps)))
            lines.insert(index, f"{indent}{key}: {draw(scalars())}")
        elif action == "drop":
            del lines[index]
        elif action == "raw":
            lines[index] = draw(TEXT)
        else:
            lines[index] = " " * draw(st.integers(0, 12)) + line.lstrip()
    text = "\n".join(lines) + "\n"
    return fact_file, text.encode("utf-8", "surrogatepass")


# --------------------------------------------------------------------------- the properties


@pytest.mark.parametrize("shard", range(SHARDS))
@FUZZ_SETTINGS
@given(data=st.binary(max_size=3000), fact_file=st.sampled_from(["events", "briefing"]))
def test_random_bytes_never_crash(shard, data, fact_file):
    assert run_with(fact_file, data) in ("built", "error", "usage", "unknown audience")


@pytest.mark.parametrize("shard", range(SHARDS))
@FUZZ_SETTINGS
@given(case=yamlish())
def test_random_yamlish_text_never_crashes(shard, case):
    fact_file, data = case
    assert run_with(fact_file, data) in ("built", "error", "usage", "unknown audience")


def test_the_unchanged_project_builds():
    assert run_with("events", str(_PROJECT["events_text"]).encode("utf-8")) == "built"
