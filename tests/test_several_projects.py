"""`briefgen build --project A --project B`: several briefing projects in one build, one set of workers.

Every project is checked before anything is built; each writes into its own out folder and keeps its own
record of what is up to date; options that name one project's folder are refused with several.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

ARVELO = ROOT / "tests" / "examples" / "arvelo"


@pytest.fixture
def two_projects(tmp_path) -> tuple[Path, Path]:
    first = tmp_path / "border"
    result = run_cli("init", "--example", str(first))
    assert result.returncode == 0, result.stderr
    second = tmp_path / "arvelo"
    shutil.copytree(ARVELO, second)
    return first, second


def _built(result) -> list[tuple[str, bool]]:
    return sorted((Path(entry["path"]).relative_to(Path(entry["path"]).parents[2]).as_posix(), entry["up_to_date"])
                  for entry in json.loads(result.stdout))


def test_two_projects_build_each_into_its_own_out_folder(two_projects, tmp_path):
    first, second = two_projects
    args = ("build", "--format", "html", "--audience", "press", "-p", str(first), "-p", str(second), "--json")
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    built = _built(result)
    assert [name for name, _ in built] == [
        f"arvelo/out/{next((second / 'out').iterdir()).name}",
        "border/out/uk-france-border-cooperation_press_2026-11-22.html"]
    assert not any(up_to_date for _, up_to_date in built)
    # Each project's own record: nothing is rebuilt, and one changed project rebuilds alone.
    again = run_cli(*args, cwd=tmp_path)
    assert all(up_to_date for _, up_to_date in _built(again)), again.stdout
    (second / "templates").mkdir(exist_ok=True)
    (second / "templates" / "briefing.css").write_text("h1 { letter-spacing: 0.01em }\n", encoding="utf-8")
    third = run_cli(*args, cwd=tmp_path)
    assert [(name.split("/")[0], up_to_date) for name, up_to_date in _built(third)] == [
        ("arvelo", False), ("border", True)]
    # The same project twice is built once.
    twice = run_cli("build", "--format", "html", "--audience", "press", "-p", str(first), "-p", str(first),
                    "--force", cwd=tmp_path)
    assert twice.returncode == 0, twice.stderr
    assert twice.stdout.count("wrote ") == 1


def test_a_project_that_fails_its_check_stops_every_project(two_projects, tmp_path):
    first, second = two_projects
    events = first / "facts" / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8").replace('date: "2011-06-06"', 'date: "2011-13-06"', 1),
                      encoding="utf-8")
    result = run_cli("build", "--format", "html", "-p", str(first), "-p", str(second), cwd=tmp_path)
    assert result.returncode == 1
    assert "border/facts/events.yaml:" in result.stderr and "2011-13-06" in result.stderr, result.stderr
    assert not (first / "out").exists() and not (second / "out").exists()


def test_one_projects_folders_cannot_be_given_with_several(two_projects, tmp_path):
    first, second = two_projects
    result = run_cli("build", "-p", str(first), "-p", str(second), "--out", str(tmp_path / "x"), cwd=tmp_path)
    assert result.returncode == 2
    assert "--out cannot be given with several projects: each project uses the folders its briefgen.toml sets" \
        in " ".join(result.stderr.replace("│", " ").split())
