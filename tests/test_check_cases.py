"""`briefgen check` on small fact sets under tests/cases/<name>/, good and deliberately broken.

Each case's expected output (exit status, stdout and stderr) is the golden file
tests/cases/<name>/expected.txt; an optional `args` file adds CLI arguments. The
same goldens are checked in-process too (`load_fact_base` and `check_provenance`
called directly), so a change to a check shows up where a mutation-testing tool
can see it, not only through a subprocess.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefgen.launch import answer
from briefgen.loading import load_fact_base
from briefgen.sources import check_provenance

from conftest import CASES, check_golden, run_cli, run_full_cli

CASE_NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir() and not p.name.startswith("_"))


@pytest.mark.parametrize("name", CASE_NAMES)
def test_case(name, update_goldens):
    case = CASES / name
    extra = (case / "args").read_text().split() if (case / "args").exists() else []
    result = run_cli("check", "--seeds", "../_seeds", *extra, cwd=case)
    assert "Traceback" not in result.stderr
    actual = f"exit {result.returncode}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
    check_golden(case / "expected.txt", actual, update_goldens)
    # `briefgen check` is answered before the CLI framework loads (launch.py); the full CLI says the same.
    full = run_full_cli("check", "--seeds", "../_seeds", *extra, cwd=case)
    assert (full.returncode, full.stdout, full.stderr) == (result.returncode, result.stdout, result.stderr)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_case_is_answered_without_the_cli_framework(name, monkeypatch):
    case = CASES / name
    extra = (case / "args").read_text().split() if (case / "args").exists() else []
    monkeypatch.chdir(case)
    assert answer(["check", "--seeds", "../_seeds", *extra]) is not None


def test_good_case_passes_and_broken_cases_fail():
    """Guards the goldens themselves: only cases named good/uncited-amount may succeed."""
    for name in CASE_NAMES:
        expected = (CASES / name / "expected.txt").read_text()
        should_pass = name in {"good", "uncited-amount"}
        assert expected.startswith("exit 0" if should_pass else "exit 1"), name
        if not should_pass and "strict" not in name:
            # every broken case names file:line:column
            assert "facts/" in expected.split("--- stderr\n", 1)[1].splitlines()[0], name


def _golden(name: str) -> tuple[str, list[str]]:
    """The golden stdout, and the golden stderr's problem lines (without the closing "failed: …" line)."""
    expected = (CASES / name / "expected.txt").read_text(encoding="utf-8")
    stdout, stderr = expected.split("--- stdout\n", 1)[1].split("--- stderr\n", 1)
    return stdout, [line for line in stderr.splitlines() if not line.startswith("failed: ")]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_case_in_process(name, monkeypatch):
    monkeypatch.chdir(CASES / name)
    stdout, lines = _golden(name)
    base, problems = load_fact_base(Path("facts"), Path("../_seeds"))
    if base is None:
        assert sorted(str(p) for p in problems) == sorted(lines)
        return
    assert problems == []
    report = check_provenance(base)
    assert sorted(("warning: " if p.warning else "") + str(p) for p in report.problems) == sorted(lines)
    assert report.errors == [p for p in report.problems if not p.warning]
    assert report.warnings == [p for p in report.problems if p.warning]
    assert report.uncovered == [p for p in report.problems if "is cited by no fact" in p.message]
    assert report.coverage_complete == (not report.uncovered)
    summary = re.search(r"(\d+) quotes verified .*coverage: (\d+) of (\d+) amounts and dates cited \((\d+) exempted\)",
                        stdout)
    if summary:
        quotes, covered, total, exempted = (int(n) for n in summary.groups())
        assert (report.quotes_checked, report.mentions_cited + report.mentions_exempted, report.mentions_total,
                report.mentions_exempted) == (quotes, covered, total, exempted)
