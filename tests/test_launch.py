"""`briefgen check`, and `briefgen build` with nothing to rebuild, are answered before the CLI framework
loads (launch.py).

Held to one rule: whatever the command line, `briefgen` prints exactly what the full CLI prints
(standard output, standard error, exit status). Each case runs both — `python -m briefgen` and the
full CLI called directly — on one project whose HTML outputs are built, and compares them. The
cases the fast path should answer are also checked to be answered by it, so a fast path that
quietly gave up on everything would fail here too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.launch import answer, up_to_date_outputs

from conftest import CASES, ROOT, run_cli

FULL_CLI = "from briefgen.cli import main; main()"


def _run(command: list[str], cwd: Path) -> tuple[int, str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("BRIEFGEN_DEBUG", None)
    result = subprocess.run([sys.executable, *command], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=300)
    return result.returncode, result.stdout, result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A project with a user template folder, its HTML built for every audience (and for the briefing's
    own audiences, so the cache knows them)."""
    project = tmp_path_factory.mktemp("launch") / "project"
    import shutil

    shutil.copytree(CASES / "good" / "facts", project / "facts")
    shutil.copytree(CASES / "_seeds", project / "seeds")
    (project / "templates").mkdir()
    (project / "templates" / "regional.html.j2").write_text(
        '{% extends "press.html.j2" %}{% block audience_label %}Regional lines{% endblock %}\n', encoding="utf-8")
    (project / "notes.txt").write_text("a file where a folder is expected\n", encoding="utf-8")
    for audience in ("all", None):
        args = ["build", "--format", "html"] + (["--audience", audience] if audience else [])
        result = run_cli(*args, cwd=project)
        assert result.returncode == 0, result.stderr
    return project


# (arguments, answered by the fast path?) — PROJECT stands for the project's absolute path.
CASES_ = [
    (["build", "--format", "html", "--audience", "all"], True),
    (["build", "-f", "html", "-a", "all"], True),
    (["build", "--format=html", "--audience=all"], True),
    (["build", "-f", "html", "-a", "press"], True),
    (["build", "-f", "html", "-a", "press,minister,press"], True),
    (["build", "-f", "html", "-a", " regional , press"], True),
    (["build", "-f", "html", "-a", "all", "--quiet"], True),
    (["build", "-f", "html", "-a", "all", "-q", "--json"], True),
    (["build", "--json", "-f", "html", "-a", "all"], True),
    (["build", "-f", "html"], True),  # the briefing's own audiences, as the last build recorded them
    (["build", "-f", "html", "-p", "."], True),
    (["build", "-f", "html", "-p", "PROJECT", "-p", "PROJECT"], True),
    (["build", "-f", "html", "--out", "out", "--facts", "facts", "--seeds", "seeds", "--templates", "templates"],
     True),
    (["build", "-f", "html", "-j", "3"], True),
    (["build", "-f", "html", "--jobs=0"], True),
    # Handed over to the full CLI: what it prints is the answer.
    (["build", "-f", "html", "--verbose"], False),
    (["build", "-f", "html", "--force", "-a", "press"], False),
    (["build", "-f", "nonsense"], False),
    (["build", "-f", "html", "-a", "nobody"], False),
    (["build", "-f", "html", "-a", ""], False),
    (["build", "-f", "html", "-x"], False),
    (["build", "-fhtml"], False),
    (["build", "-f", "html", "-a", "press", "-a", "minister"], False),
    (["build", "-f", "html", "--facts", "notes.txt"], False),
    (["build", "-f", "html", "-p", "no-such-folder"], False),
    (["build", "-f", "html", "-p", "PROJECT", "-p", ".", "--out", "elsewhere"], False),
    (["build", "-f", "html", "-j", "-1"], False),
    (["build", "-f", "html", "-j", "two"], False),
    (["build", "-f", "html", "--json=yes"], False),
    (["build", "-f", "html", "--", "extra"], False),
    (["build", "-f"], False),
    (["build", "--help"], False),
    (["Build", "-f", "html"], False),
    ([], False),
    # check: answered whether it passes or fails; a usage error is the full CLI's.
    (["check"], True),
    (["check", "--strict"], True),
    (["check", "-p", "."], True),
    (["check", "--project=PROJECT"], True),
    (["check", "--facts", "facts", "--seeds", "seeds"], True),
    (["check", "-p", "no-such-folder"], True),
    (["check", "--seeds=nowhere"], True),
    (["check", "--facts", "notes.txt"], False),
    (["check", "--strict", "--strict"], False),
    (["check", "--strict=yes"], False),
    (["check", "-x"], False),
    (["check", "--facts"], False),
    (["check", "--help"], False),
]


@pytest.mark.parametrize(("args", "answered"), CASES_, ids=[" ".join(a) or "(none)" for a, _ in CASES_])
def test_briefgen_prints_what_the_full_cli_prints(built, monkeypatch, args, answered):
    args = [str(built) if a == "PROJECT" else a for a in args]
    monkeypatch.chdir(built)
    assert (answer(args) is not None) == answered
    fast = _run(["-m", "briefgen", *args], built)
    full = _run(["-c", FULL_CLI, *args], built)
    assert fast == full
    if answered and args[0] == "build":
        assert fast[0] == 0 and fast[2] == ""


def test_from_a_folder_inside_the_project_paths_are_as_the_full_cli_shows_them(built, monkeypatch):
    inside = built / "facts"
    monkeypatch.chdir(inside)
    args = ["build", "-f", "html", "-a", "press"]
    assert up_to_date_outputs(args) is not None
    fast = _run(["-m", "briefgen", *args], inside)
    assert fast == _run(["-c", FULL_CLI, *args], inside)
    assert fast[1] == "up to date: ../out/" + next((built / "out").glob("*_press_*.html")).name + "\n"


def test_what_is_not_built_or_has_changed_is_not_answered_up_to_date(built, monkeypatch):
    """An output never built (the PDF), or any changed input: here a source's bytes, then put back."""
    monkeypatch.chdir(built)
    assert up_to_date_outputs(["build"]) is None
    assert up_to_date_outputs(["build", "-f", "html,pdf", "-a", "press"]) is None
    args = ["build", "-f", "html", "-a", "all"]
    assert up_to_date_outputs(args) is not None
    source = next((built / "seeds").glob("*.txt"))
    before = source.read_bytes()
    try:
        source.write_bytes(before + b"\n")
        assert up_to_date_outputs(args) is None
    finally:
        source.write_bytes(before)
    assert up_to_date_outputs(args) is not None


def test_outside_any_project_the_full_cli_reports_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert up_to_date_outputs(["build", "-f", "html"]) is None
    code, _, err = _run(["-m", "briefgen", "build", "-f", "html"], tmp_path)
    assert code == 1 and "no briefing project here" in err


def test_a_reader_that_went_away_ends_it_as_the_full_cli_does(built):
    """`briefgen build | head -0`: exit 1, nothing on standard error, in both."""
    results = []
    for command in (["-m", "briefgen"], ["-c", FULL_CLI]):
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            result = subprocess.run([sys.executable, *command, "build", "-f", "html", "-a", "all"], cwd=built,
                                    stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=300,
                                    env={**os.environ, "PYTHONPATH": str(ROOT)})
        finally:
            os.close(write_end)
        results.append((result.returncode, result.stderr))
    assert results[0] == results[1] == (1, "")
