"""Hostile files in a project: every file briefgen reads must be a regular file inside its folder.

Each case runs the CLI on a copy of tests/cases/good and expects exit 1 (bad input, never 3) with
one exact message naming the file; see briefgen/safe_files.py.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from briefgen.errors import display_path

from conftest import CASES, ROOT, run_cli


def copy_case(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(CASES / "good" / "facts", project / "facts")
    shutil.copytree(CASES / "_seeds", project / "seeds")
    return project


def check(project: Path, *args: str, timeout: int = 60, limit_memory: bool = False):
    if not limit_memory:
        return run_cli("check", *args, cwd=project, timeout=timeout)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("BRIEFGEN_DEBUG", None)

    def one_gib():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run([sys.executable, "-m", "briefgen", "check", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=timeout, preexec_fn=one_gib)


def first_error(result) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, (result.returncode, result.stderr)
    return result.stderr.splitlines()[0]


def test_fact_file_symlink_to_etc_passwd(tmp_path):
    project = copy_case(tmp_path)
    (project / "facts" / "passwd.yaml").symlink_to("/etc/passwd")
    result = check(project)
    assert first_error(result) == "facts/passwd.yaml: not a regular file inside facts"
    assert "root:" not in result.stdout + result.stderr


def test_fact_file_symlink_to_a_secret_outside_the_project(tmp_path):
    project = copy_case(tmp_path)
    secret = tmp_path / "secret.yaml"
    secret.write_text("glossary:\n  - term: SECRET-123\n    definition: SECRET-123 SECRET-123\n: : :SECRET-123\n")
    (project / "facts" / "notes.yaml").symlink_to(secret)
    result = check(project)
    assert first_error(result) == "facts/notes.yaml: not a regular file inside facts"
    assert "SECRET-123" not in result.stdout + result.stderr


def test_fact_file_over_the_cap_is_refused_by_its_size(tmp_path):
    project = copy_case(tmp_path)
    (project / "facts" / "big.yaml").write_bytes(b"# " + b"x" * (3 * 1024 * 1024 - 3) + b"\n")
    result = check(project)
    assert first_error(result) == ("facts/big.yaml: file is 3,145,728 bytes; the limit is 2,097,152 bytes for a "
                                   "fact file (split it into several files)")


def test_directory_named_like_a_fact_file(tmp_path):
    project = copy_case(tmp_path)
    (project / "facts" / "x.yaml").mkdir()
    result = check(project)
    assert first_error(result) == "facts/x.yaml: not a regular file inside facts"


def test_seed_symlink_to_dev_zero(tmp_path):
    project = copy_case(tmp_path)
    seed = project / "seeds" / "centre-2020.txt"
    seed.unlink()
    seed.symlink_to("/dev/zero")
    started = time.monotonic()
    result = check(project, timeout=30, limit_memory=True)
    assert time.monotonic() - started < 20
    assert "seeds/centre-2020.txt: not a regular file inside seeds" in first_error(result)


def test_seed_fifo_does_not_hang(tmp_path):
    project = copy_case(tmp_path)
    seed = project / "seeds" / "centre-2020.txt"
    seed.unlink()
    os.mkfifo(seed)
    result = check(project, timeout=10)
    assert "seeds/centre-2020.txt: not a regular file inside seeds" in first_error(result)
    # build reads every file of the folders first, to see whether the outputs are up to date
    built = run_cli("build", "--format", "html", cwd=project, timeout=30)
    assert built.returncode == 1 and "seeds/centre-2020.txt: not a regular file inside seeds" in built.stderr
    (project / "seeds" / "stray-pipe").unlink(missing_ok=True)
    os.mkfifo(project / "seeds" / "stray-pipe")  # not a listed source: the build need not read it at all
    seed.unlink()
    shutil.copy(CASES / "_seeds" / "centre-2020.txt", seed)
    assert run_cli("build", "--format", "html", cwd=project, timeout=30).returncode == 0


def write_zip_bomb(path: Path, size: int = 1 << 30) -> None:
    """A reference.docx whose one picture is `size` bytes of zeros (about 1 MB packed)."""
    source = zipfile.ZipFile(ROOT / "templates" / "reference.docx")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            bomb.writestr(info.filename, source.read(info.filename))
        block = bytes(1 << 20)
        with bomb.open("word/media/image1.png", "w", force_zip64=True) as member:
            for _ in range(size // len(block)):
                member.write(block)


def test_reference_docx_zip_bomb(tmp_path):
    project = copy_case(tmp_path)
    (project / "templates").mkdir()
    write_zip_bomb(project / "templates" / "reference.docx")
    assert (project / "templates" / "reference.docx").stat().st_size < 3 * 1024 * 1024
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("BRIEFGEN_DEBUG", None)
    script = ("import resource, runpy, sys; sys.argv = ['briefgen', 'build', '--format', 'docx', '--audience', "
              "'press', '--out', 'out']; runpy.run_module('briefgen', run_name='__main__')")
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", script], cwd=project, env=env, capture_output=True, text=True,
                            timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert ("templates/reference.docx: not a usable Word reference document (part 'word/media/image1.png' "
            "unpacks to 1,073,741,824 bytes; the limit is 20,971,520)") in result.stderr
    assert time.monotonic() - started < 60
    assert not list((project / "out").glob("*.docx")) if (project / "out").exists() else True


def test_reference_docx_keeps_only_the_parts_a_reference_needs(tmp_path):
    """A picture nothing uses and a macro part in the reference never reach the output."""
    from briefgen.backends.docx import reference_parts

    source = zipfile.ZipFile(ROOT / "templates" / "reference.docx")
    path = tmp_path / "reference.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as ref:
        for info in source.infolist():
            ref.writestr(info.filename, source.read(info.filename))
        ref.writestr("word/media/secret.png", b"SECRET-123")
        ref.writestr("word/vbaProject.bin", b"SECRET-123")
    rebuilt = zipfile.ZipFile(__import__("io").BytesIO(reference_parts(path.read_bytes(), "reference.docx")))
    assert sorted(rebuilt.namelist()) == sorted(source.namelist())


def test_reference_docx_with_entities_is_refused(tmp_path):
    from briefgen.backends.docx import reference_parts
    from briefgen.errors import BriefgenError

    source = zipfile.ZipFile(ROOT / "templates" / "reference.docx")
    path = tmp_path / "reference.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as ref:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/settings.xml":
                content = content.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1)
            ref.writestr(info.filename, content)
    with pytest.raises(BriefgenError) as raised:
        reference_parts(path.read_bytes(), "templates/reference.docx")
    assert str(raised.value) == ("templates/reference.docx: not a usable Word reference document (part "
                                 "'word/settings.xml' declares a DOCTYPE or entities, which Word never writes)")


# --- the out folder ------------------------------------------------------------------------------------


def test_out_that_is_a_file_is_a_usage_error(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = run_cli("build", "--format", "html", "--audience", "press", "--out", str(tmp_path / "notes.txt"))
    assert result.returncode == 2
    assert "is a file; expected a folder for the outputs" in " ".join(result.stderr.split())
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_out_inside_a_file_is_a_named_error(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = run_cli("build", "--format", "html", "--audience", "press", "--out", str(tmp_path / "notes.txt" / "x"))
    assert result.returncode == 1, result.stderr
    assert "notes.txt/x: cannot create the out folder: Not a directory" in result.stderr


def test_a_write_that_fails_is_a_named_error_and_leaves_the_earlier_file(tmp_path, monkeypatch):
    """Disk full, a read-only folder or a size limit: the system refuses the write. Here the process may
    write no file over 20 kB (RLIMIT_FSIZE, which needs no special rights): the HTML (15 kB) is written,
    the PDF and DOCX (about 30 kB) are refused, each by name, and the earlier PDF is left as it was."""
    out = tmp_path / "out"
    out.mkdir()
    earlier = out / "uk-france-border-cooperation_press_2026-11-22.pdf"
    earlier.write_bytes(b"%PDF earlier")

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    env.pop("BRIEFGEN_DEBUG", None)
    result = subprocess.run([sys.executable, "-m", "briefgen", "build", "--format", "all", "--audience", "press",
                             "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                            preexec_fn=small_files)
    assert result.returncode == 1, result.stderr
    monkeypatch.chdir(ROOT)  # the path is shown as the user would type it from there: relative or absolute
    assert result.stderr.splitlines() == [
        f"{display_path(out)}/"
        f"uk-france-border-cooperation_press_2026-11-22.{fmt}: cannot write the output: File too large; "
        "the earlier file, if any, is unchanged" for fmt in ("pdf", "docx")] + ["failed: 2 errors"]
    assert earlier.read_bytes() == b"%PDF earlier"
    assert sorted(p.name for p in out.iterdir()) == ["uk-france-border-cooperation_press_2026-11-22.html",
                                                     "uk-france-border-cooperation_press_2026-11-22.pdf"]
