"""Messages never act on the terminal, and audience names cannot collide in file names."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from briefgen.build import FORMATS
from briefgen.errors import BriefgenError

from conftest import CASES, run_cli


def _project(tmp_path):
    project = tmp_path / "case"
    shutil.copytree(CASES / "good", project)
    shutil.copytree(CASES / "_seeds", tmp_path / "_seeds")
    return project


def test_escape_sequences_in_input_are_shown_not_obeyed(tmp_path):
    project = _project(tmp_path)
    events = project / "facts" / "events.yaml"
    # A YAML key holding ESC [2J (clear the screen) and a right-to-left override.
    events.write_text(events.read_text(encoding="utf-8") + '\n"ti\\e[2Jtle\\u202e": 1\n', encoding="utf-8")
    result = run_cli("check", "--seeds", "../_seeds", cwd=project)
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert "\\u001b" in result.stderr, result.stderr


def test_audience_templates_with_names_that_would_collide_are_not_audiences(tmp_path):
    project = _project(tmp_path)
    templates = project / "templates"
    templates.mkdir()
    for name in ("a b", "a+b", "A-B", "a-b"):
        (templates / f"{name}.html.j2").write_text('{% extends "press.html.j2" %}', encoding="utf-8")
    listed = run_cli("list", cwd=project)
    audiences = listed.stdout.splitlines()[0].removeprefix("audiences: ").split(", ")
    assert "a-b" in audiences and not {"a b", "a+b", "A-B"} & set(audiences)
    result = run_cli("build", "--seeds", "../_seeds", "--format", "html", "--audience", "a b", cwd=project)
    assert result.returncode == 2 and "unknown audience 'a b'" in result.stderr


def test_an_audience_asked_for_twice_is_built_once(tmp_path):
    project = _project(tmp_path)
    result = run_cli("build", "--seeds", "../_seeds", "--format", "html", "--audience", "press,press", "--json",
                     cwd=project)
    assert result.returncode == 0, result.stderr
    assert [o["audience"] for o in json.loads(result.stdout)] == ["press"]


def test_a_build_that_would_write_one_file_twice_is_an_error(tmp_path, monkeypatch):
    """Names cannot collide today (audience names are [a-z0-9-]); should a future naming let them, the
    build refuses rather than let one output silently replace another."""
    from briefgen import build as build_stage
    from briefgen import plan
    from briefgen.cli import load_checked, locate

    project = _project(tmp_path)
    monkeypatch.chdir(project)
    base, _ = load_checked(locate(seeds=Path("../_seeds")))
    monkeypatch.setattr(plan, "output_name", lambda base, audience, fmt: f"same{FORMATS[fmt]}")
    with pytest.raises(BriefgenError) as raised:
        build_stage.build(base, ["press", "minister"], ["html"], project / "out", None)
    assert str(raised.value) == ("out/same.html: both the press html and the minister html output would be "
                                 "written to this file")
    assert not (project / "out").exists()
