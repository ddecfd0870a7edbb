"""`briefgen check` on small fact sets under tests/cases/<name>/, good and deliberately broken.

Each case's expected output (exit status, stdout and stderr) is the golden file
tests/cases/<name>/expected.txt; an optional `args` file adds CLI arguments.
"""

from __future__ import annotations

import pytest

from conftest import CASES, check_golden, run_cli

CASE_NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir() and not p.name.startswith("_"))


@pytest.mark.parametrize("name", CASE_NAMES)
def test_case(name, update_goldens):
    case = CASES / name
    extra = (case / "args").read_text().split() if (case / "args").exists() else []
    result = run_cli("check", "--seeds", "../_seeds", *extra, cwd=case)
    assert "Traceback" not in result.stderr
    actual = f"exit {result.returncode}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
    check_golden(case / "expected.txt", actual, update_goldens)


def test_good_case_passes_and_broken_cases_fail():
    """Guards the goldens themselves: only cases named good/uncited-amount may succeed."""
    for name in CASE_NAMES:
        expected = (CASES / name / "expected.txt").read_text()
        should_pass = name in {"good", "uncited-amount"}
        assert expected.startswith("exit 0" if should_pass else "exit 1"), name
        if not should_pass and "strict" not in name:
            # every broken case names file:line:column
            assert "facts/" in expected.split("--- stderr\n", 1)[1].splitlines()[0], name
