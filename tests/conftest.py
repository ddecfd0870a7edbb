"""Shared test helpers: run the CLI as a user would, and golden files with an update switch.

Regenerate every golden file after an intended change with:
    pytest --update-goldens
then review the diff with `git diff tests/`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", help="rewrite golden files from the current output")


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 300):
    """Run `python -m briefgen ARGS` in a subprocess; return the CompletedProcess (text mode)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
    full_env.pop("BRIEFGEN_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd or ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def run_full_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 300):
    """`run_cli` through the full CLI (cli/), never launch.py's quick answers: the two must agree."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
    full_env.pop("BRIEFGEN_DEBUG", None)
    return subprocess.run([sys.executable, "-c", "from briefgen.cli import main; main()", *args], cwd=cwd or ROOT,
                          env=full_env, capture_output=True, text=True, timeout=timeout)


def check_golden(path: Path, actual: str, update: bool) -> None:
    if update or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not update:
            pytest.fail(f"golden file {path} did not exist; written now — review it and run again")
        return
    assert actual == path.read_text(encoding="utf-8"), f"output differs from {path} (pytest --update-goldens)"


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory) -> Path:
    """The shipped briefing built once per test session: every audience, every format, in one folder."""
    out = tmp_path_factory.mktemp("shipped-build")
    result = run_cli("build", "--format", "all", "--audience", "all", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def docx_text(path: Path) -> str:
    """All the text a Word reader sees: body, tables, headers, footers and document properties."""
    from docx import Document

    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            parts.extend(p.text for p in part.paragraphs)
    props = document.core_properties
    parts += [props.title or "", props.subject or "", props.keywords or "", props.comments or ""]
    return "\n".join(parts)
