"""The command line as a newcomer meets it: help, version, and usage errors that say what is wrong."""

from __future__ import annotations

import re

import pytest

from conftest import run_cli

COMMANDS = ["check", "build", "list", "init", "new-audience", "watch", "add-source", "sources", "quote", "email"]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_reads_like_a_man_page(command):
    result = run_cli(*([command] if command else []), "--help", env={"COLUMNS": "160"})
    assert result.returncode == 0, result.stderr
    # No type placeholders: a flag takes no value and an argument is shown by its name.
    for placeholder in ("<bool>", "<str>", "<path>", "<int", "{"):
        assert placeholder not in result.stdout, (command, placeholder)
    assert run_cli(*([command] if command else []), "-h", env={"COLUMNS": "160"}).stdout == result.stdout


def test_init_usage_names_its_argument():
    usage = run_cli("init", "--help", env={"COLUMNS": "160"}).stdout
    assert re.search(r"Usage: briefgen init \[OPTIONS\] DIR\b", usage)
    assert re.search(r"\bDIR\s+Folder for the new briefing project", usage)


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and re.fullmatch(r"briefgen (\d+\.\d+\.\d+|\(not installed.*\))\n", result.stdout)


def test_empty_audience_is_a_usage_error():
    result = run_cli("build", "--audience", "")
    assert result.returncode == 2
    assert "unknown audience ''; choose from: minister, official, press or all" in result.stderr


def test_facts_pointing_at_a_file_says_so():
    result = run_cli("check", "--facts", "facts/events.yaml")
    assert result.returncode == 2
    assert "facts/events.yaml is a file; expected the folder of fact files" in result.stderr


def test_a_build_that_fails_before_writing_leaves_no_out_folder(tmp_path):
    assert run_cli("init", str(tmp_path / "brief"), "--example").returncode == 0
    project = tmp_path / "brief"
    (project / "templates" / "broken.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block body %}{{ briefing.titel }}{% endblock %}', encoding="utf-8")
    result = run_cli("build", "--format", "html", "--audience", "broken", cwd=project)
    assert result.returncode == 1
    assert "templates/broken.html.j2:1: template error: 'dict object' has no attribute 'titel'" in result.stderr
    assert not (project / "out").exists()


def test_word_errors_name_the_template_line(tmp_path):
    assert run_cli("init", str(tmp_path / "brief"), "--example").returncode == 0
    project = tmp_path / "brief"
    (project / "templates" / "framed.html.j2").write_text(
        '{% extends "base.html.j2" %}\n{% block body %}\n<section>\n<h2 id="x">X</h2>\n<iframe title="x"></iframe>\n'
        '</section>\n{% endblock %}\n', encoding="utf-8")
    result = run_cli("build", "--format", "docx", "--audience", "framed", cwd=project)
    assert result.returncode == 1
    assert result.stderr.startswith("templates/framed.html.j2: <iframe> is not supported in Word output (line 5);")
