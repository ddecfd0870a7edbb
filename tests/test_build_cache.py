"""An unchanged rebuild is instant, and a change rebuilds exactly what it can affect (build_cache.py).

Each test builds a small project twice with `briefgen build` and reads what the second build says
("up to date: …" or "wrote …") and what is in out/ afterwards.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CASES, ROOT, run_cli

# HTML: what the cache does is the same for every format (the timing test below builds all nine of the
# shipped briefing), and PDF and Word are the slow ones to make.
BUILD = ("build", "--format", "html", "--audience", "all", "--json")
ALL_OUTPUTS = 4  # four audiences: the shipped three and regional


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(CASES / "good" / "facts", project / "facts")
    shutil.copytree(CASES / "_seeds", project / "seeds")
    (project / "templates").mkdir()
    (project / "templates" / "regional.html.j2").write_text(
        '{% extends "press.html.j2" %}{% block audience_label %}Regional lines{% endblock %}\n', encoding="utf-8")
    return project


def _build(project: Path, *extra: str) -> list[dict]:
    result = run_cli(*BUILD, "--templates", "templates", *extra, cwd=project)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _rebuilt(outputs: list[dict]) -> set[tuple[str, str]]:
    return {(o["audience"], o["format"]) for o in outputs if not o["up_to_date"]}


def _cpu_of(args: list[str], cwd: Path) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall time and CPU time (the command and every worker process it started) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd, capture_output=True, text=True,
                            env={**__import__("os").environ, "PYTHONPATH": str(ROOT)}, timeout=600)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result


def test_an_unchanged_rebuild_costs_under_5_percent_of_a_build(tmp_path):
    """The shipped briefing, all nine outputs: the second build only reads the inputs and the outputs."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "facts", project / "facts")
    shutil.copytree(ROOT / "seeds", project / "seeds")
    cold_wall, cold_cpu, first = _cpu_of(["build", "--format", "all", "--audience", "all"], project)
    assert first.returncode == 0, first.stderr
    warm_wall, warm_cpu, second = _cpu_of(["build", "--format", "all", "--audience", "all"], project)
    assert second.returncode == 0, second.stderr
    lines = second.stdout.splitlines()
    assert len(lines) == 9 and all(line.startswith("up to date: out/") for line in lines), second.stdout
    print(f"\nbuild: {cold_wall:.2f} s ({cold_cpu:.2f} s CPU); unchanged rebuild: {warm_wall:.2f} s "
          f"({warm_cpu:.2f} s CPU) = {warm_cpu / cold_cpu:.1%} of the CPU")
    # CPU time, not wall time: it is what the work costs, whatever else the machine is doing.
    assert warm_cpu <= 0.05 * cold_cpu


def test_changing_a_fact_rebuilds_everything_that_shows_it(tmp_path):
    project = _project(tmp_path)
    _build(project)
    events = project / "facts" / "events.yaml"
    text = events.read_text(encoding="utf-8")
    old_title = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.strip().startswith("title:"))
    new_title = old_title + " (revised)"
    events.write_text(text.replace(old_title, new_title, 1), encoding="utf-8")
    second = _build(project)
    assert len(_rebuilt(second)) == ALL_OUTPUTS
    for output in second:
        assert new_title in Path(output["path"]).read_text(encoding="utf-8")


def test_editing_one_audience_template_rebuilds_that_audience_only(tmp_path):
    project = _project(tmp_path)
    _build(project)
    template = project / "templates" / "regional.html.j2"
    template.write_text(template.read_text(encoding="utf-8").replace("Regional lines", "Regional press lines"),
                        encoding="utf-8")
    second = _build(project)
    assert _rebuilt(second) == {("regional", "html")}
    html = next(o for o in second if o["audience"] == "regional" and o["format"] == "html")
    assert "Regional press lines" in Path(html["path"]).read_text(encoding="utf-8")


def test_a_stylesheet_or_source_change_rebuilds_all(tmp_path):
    project = _project(tmp_path)
    _build(project)
    css = (ROOT / "templates" / "briefing.css").read_text(encoding="utf-8")
    (project / "templates" / "briefing.css").write_text(css + "\nh1 { letter-spacing: 0.01em; }\n", encoding="utf-8")
    assert len(_rebuilt(_build(project))) == ALL_OUTPUTS
    assert _rebuilt(_build(project)) == set()
    seed = next((project / "seeds").glob("*.txt"))
    seed.write_text(seed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert len(_rebuilt(_build(project))) == ALL_OUTPUTS


@pytest.mark.parametrize("change", ["edited", "deleted"])
def test_an_output_changed_in_out_is_rebuilt(tmp_path, change):
    project = _project(tmp_path)
    first = _build(project)
    target = Path(next(o["path"] for o in first if o["audience"] == "press" and o["format"] == "html"))
    original = target.read_bytes()
    if change == "edited":
        target.write_bytes(original.replace(b"<h1", b"<h1 data-edited", 1))
    else:
        target.unlink()
    assert _rebuilt(_build(project)) == {("press", "html")}
    assert target.read_bytes() == original


def test_force_rebuilds_everything(tmp_path):
    project = _project(tmp_path)
    _build(project)
    assert len(_rebuilt(_build(project, "--force"))) == ALL_OUTPUTS


def test_library_versions_are_read_as_importlib_metadata_reads_them(tmp_path, monkeypatch):
    """The versions keyed are the installed ones; a newer library earlier on sys.path changes every key."""
    from importlib import metadata

    from briefgen.build_cache import _LIBRARIES, _installed_versions, inputs_key

    expected = {}
    for name in _LIBRARIES:
        try:
            expected[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected[name] = "-"
    assert _installed_versions(_LIBRARIES) == expected
    project = _project(tmp_path)
    before = inputs_key(project / "facts", project / "seeds", [], None)
    assert inputs_key(project / "facts", project / "seeds", [], None) == before
    upgraded = tmp_path / "site"
    (upgraded / "weasyprint-999.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(upgraded))
    assert _installed_versions(["WeasyPrint"]) == {"WeasyPrint": "999.0"}
    assert inputs_key(project / "facts", project / "seeds", [], None) != before
