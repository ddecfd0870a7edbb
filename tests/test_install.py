"""briefgen as a new user installs it: the README's Quick start on Debian's own python3, the wheel in a
fresh virtual environment, and a briefing project of the user's own outside this repository.

These tests install into fresh virtual environments, so they take a minute (pip's cache keeps it to
that). They use Debian's /usr/bin/python3 — the one PEP 668 protects — as the README promises; CI
installs python3-venv for it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

DEBIAN_PYTHON = Path("/usr/bin/python3")


def _copy_of_the_repository(target: Path) -> Path:
    """The working tree as a fresh clone would have it (tracked and new files, nothing ignored)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _env_without_this_venv() -> dict[str, str]:
    """A shell as a new user has it: no virtual environment active, Debian's python3 first on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _digests(folder: Path) -> dict[str, str]:
    """The outputs in `folder` by SHA-256 (the build cache's hidden record aside: it names local paths)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.startswith(".")}


@pytest.fixture(scope="module")
def quick_start(tmp_path_factory) -> dict:
    """Run the README's first command (its apt-get part is what .ci/run installs) in a fresh copy."""
    assert DEBIAN_PYTHON.exists(), "Debian's python3 is missing: apt-get install python3 python3-venv"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- quick-start -->\s*```\s*\n(.*?)\n```\s*<!-- /quick-start -->", readme, re.S)
    assert block, "README has no quick-start block"
    command = block.group(1).strip()
    steps = [step.strip() for step in command.split("&&")]
    assert steps[0].startswith("sudo apt-get update") and "python3-venv" in steps[1]
    clone = _copy_of_the_repository(tmp_path_factory.mktemp("clone"))
    env = _env_without_this_venv()
    assert subprocess.run(["python3", "-c", "import sys; print(sys.prefix)"], env=env, capture_output=True,
                          text=True).stdout.strip() == "/usr", "python3 on this PATH is not Debian's"
    # Debian's python3 refuses a plain pip install (PEP 668): the reason the Quick start makes a venv.
    refused = subprocess.run(["python3", "-m", "pip", "install", "--dry-run", "."], cwd=clone, env=env,
                             capture_output=True, text=True)
    assert refused.returncode != 0 and ("externally-managed-environment" in refused.stderr
                                        or "No module named pip" in refused.stderr), refused.stderr
    result = subprocess.run(" && ".join(steps[2:]), shell=True, cwd=clone, env=env, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {"clone": clone, "env": env, "stdout": result.stdout, "venv": clone / ".venv"}


def test_quick_start_builds_the_pdfs_with_debians_python(quick_start):
    pdfs = sorted(p.name for p in (quick_start["clone"] / "out").glob("*.pdf"))
    assert pdfs == ["uk-france-border-cooperation_minister_2026-11-22.pdf",
                    "uk-france-border-cooperation_official_2026-11-22.pdf",
                    "uk-france-border-cooperation_press_2026-11-22.pdf"], quick_start["stdout"]
    venv_python = quick_start["venv"] / "bin" / "python"
    prefix = subprocess.run([str(venv_python), "-c", "import sys; print(sys.base_prefix)"], capture_output=True,
                            text=True, check=True).stdout.strip()
    assert prefix == "/usr"  # the venv is built on Debian's python3


def test_the_wheel_in_a_fresh_venv_builds_a_users_project_byte_for_byte(quick_start, tmp_path):
    env = quick_start["env"]
    venv = quick_start["venv"]
    # The wheel, built and installed as a user would: it must carry the templates and the example.
    dist = tmp_path / "dist"
    subprocess.run([str(venv / "bin" / "pip"), "wheel", "--no-deps", "-q", "-w", str(dist), "."],
                   cwd=quick_start["clone"], env=env, check=True, capture_output=True)
    [wheel] = dist.glob("briefgen-*.whl")
    names = subprocess.run([str(venv / "bin" / "python"), "-m", "zipfile", "-l", str(wheel)], capture_output=True,
                           text=True, check=True).stdout
    for packaged in ("briefgen/shipped_templates/minister.html.j2", "briefgen/shipped_templates/reference.docx",
                     "briefgen/shipped_templates/briefing.css", "briefgen/example_facts/briefing.yaml",
                     "briefgen/example_seeds/index.yaml"):
        assert packaged in names, packaged
    fresh = tmp_path / "fresh-venv"
    subprocess.run(["python3", "-m", "venv", str(fresh)], env=env, check=True)
    # Dependencies come from pip's cache (the Quick start just fetched them); the wheel is installed as is.
    install = subprocess.run([str(fresh / "bin" / "pip"), "install", "-q", str(wheel)], env=env,
                             capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]
    briefgen = str(fresh / "bin" / "briefgen")
    empty = tmp_path / "somewhere-else"
    empty.mkdir()
    created = subprocess.run([briefgen, "init", "brief", "--example"], cwd=empty, env=env, capture_output=True,
                             text=True)
    assert created.returncode == 0, created.stderr
    assert "created brief/" in created.stdout
    listed = subprocess.run([briefgen, "list"], cwd=empty / "brief", env=env, capture_output=True, text=True)
    assert listed.stdout.startswith("audiences: minister, official, press"), listed.stdout + listed.stderr
    built = subprocess.run([briefgen, "build", "--format", "all", "--audience", "all"], cwd=empty / "brief",
                           env=env, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    ours = _digests(empty / "brief" / "out")
    assert len(ours) == 9
    reference = tmp_path / "from-the-repository"
    result = run_cli("build", "--format", "all", "--audience", "all", "--out", str(reference))
    assert result.returncode == 0, result.stderr
    assert ours == _digests(reference)
    version = subprocess.run([briefgen, "--version"], env=env, capture_output=True, text=True)
    assert re.fullmatch(r"briefgen \d+\.\d+\.\d+\n", version.stdout), version.stdout


def test_init_without_example_says_what_to_add_then_builds(tmp_path):
    created = run_cli("init", str(tmp_path / "brief"))
    assert created.returncode == 0, created.stderr
    project = tmp_path / "brief"
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()) == [
        ".gitignore", "briefgen.toml", "facts/briefing.yaml", "facts/events.yaml", "seeds/index.yaml",
        "templates/README.md"]
    checked = run_cli("check", cwd=project / "facts")  # from a folder inside the project
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines()[-1] == (  # paths as seen from facts/, where it ran
        "next: put a source document (a .txt file) in ../seeds/ and list it in ../seeds/index.yaml (the file has "
        "a commented example); then add an event that quotes it to ./events.yaml")
    nothing = run_cli("build", cwd=project)
    assert nothing.returncode == 1 and nothing.stderr.startswith("nothing to build yet: put a source document")
    assert not (project / "out").exists()
    (project / "seeds" / "2024-03-01_council_press-release_bridge.txt").write_text(
        "New footbridge opens\n\nThe new footbridge over the river opened on 1 March 2024.\n", encoding="utf-8")
    (project / "seeds" / "index.yaml").write_text(
        "seeds:\n  - id: bridge\n    file: 2024-03-01_council_press-release_bridge.txt\n"
        "    title: \"New footbridge opens\"\n    kind: press release\n    publisher: Town Council\n"
        "    published: \"2024-03-01\"\n", encoding="utf-8")
    second = run_cli("check", cwd=project)
    assert second.stdout.splitlines()[-1].startswith("next: add an event to facts/events.yaml")
    events = (project / "facts" / "events.yaml").read_text(encoding="utf-8").replace("events: []", (
        "events:\n  - id: bridge-opens\n    date: \"2024-03-01\"\n    title: \"New footbridge opens\"\n"
        "    summary: The new footbridge over the river opened.\n    sources:\n      - seed: bridge\n"
        "        quote: \"The new footbridge over the river opened on 1 March 2024.\"\n"))
    (project / "facts" / "events.yaml").write_text(events, encoding="utf-8")
    built = run_cli("build", "--format", "pdf,docx,html", "--audience", "all", cwd=project)
    assert built.returncode == 0, built.stderr
    assert len([p for p in (project / "out").iterdir() if not p.name.startswith(".")]) == 9


def test_init_never_overwrites(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    refused = run_cli("init", str(tmp_path / "taken"), "--example")
    assert refused.returncode == 1
    assert "already exists and is not empty; briefgen init never overwrites anything" in refused.stderr
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["notes.txt"]
    (tmp_path / "file").write_text("x")
    assert "is a file" in run_cli("init", str(tmp_path / "file")).stderr


def test_commands_outside_a_project_say_how_to_start_one(tmp_path):
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 1
    assert "no briefing project here: no briefgen.toml (or facts/ folder) in . or any folder above it. Start one " \
           "with `briefgen init DIR` (add --example for a worked example), or pass --project DIR." in result.stderr


def test_project_option_and_paths_relative_to_the_root(tmp_path):
    assert run_cli("init", str(tmp_path / "brief"), "--example").returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli("build", "--project", str(tmp_path / "brief"), "--format", "html", "--audience", "press",
                     "--out", "drafts", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (tmp_path / "brief" / "drafts").iterdir() if not p.name.startswith(".")] == [
        "uk-france-border-cooperation_press_2026-11-22.html"]
    assert not (elsewhere / "drafts").exists()
    bad = tmp_path / "brief" / "briefgen.toml"
    bad.write_text('[paths]\nfacst = "facts"\n', encoding="utf-8")
    result = run_cli("check", cwd=tmp_path / "brief" / "seeds")
    assert result.returncode == 1
    assert "../briefgen.toml: paths.facst: unknown setting; did you mean 'facts'?; expected one of facts, seeds, " \
           "templates, out" in result.stderr


def test_new_audience_edits_the_project_it_runs_in(tmp_path):
    assert run_cli("init", str(tmp_path / "brief"), "--example").returncode == 0
    before = (ROOT / "facts" / "briefing.yaml").read_bytes()
    result = run_cli("new-audience", "regional", "--from", "official", cwd=tmp_path / "brief" / "facts")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "brief" / "templates" / "regional.html.j2").is_file()
    assert "regional" in (tmp_path / "brief" / "facts" / "briefing.yaml").read_text(encoding="utf-8")
    assert (ROOT / "facts" / "briefing.yaml").read_bytes() == before
    assert run_cli("build", "--format", "html", cwd=tmp_path / "brief").returncode == 0
