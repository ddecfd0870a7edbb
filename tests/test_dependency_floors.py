"""Dependency floors: pyproject.toml excludes every release with a known vulnerability, and this
environment is not running one below its floor.

KNOWN_FIXED is the table to extend when an advisory appears: the distribution, the first release
that fixes it, and the advisory. A floor lower than the fixed release fails here.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent

# distribution (lower case) -> (first fixed release, advisories)
KNOWN_FIXED = {
    "jinja2": ("3.1.6", "CVE-2024-56201 (sandbox breakout via template file names), "
                        "CVE-2025-27516 (sandbox breakout via |attr)"),
    "weasyprint": ("70.0", "CVE-2026-55073 / GHSA-jf6q-chmf-3h3v (SSRF: URL fetcher bypass)"),
    "pillow": ("12.3.0", "CVE-2024-28219 (_imagingcms strcpy overflow, 10.3.0); "
                         "PYSEC-2026-2253..2257 (12.3.0)"),
    "lxml": ("6.1.0", "CVE-2026-41066 / GHSA-vfmq-68hx-4jfw (XXE: iterparse/ETCompatXMLParser "
                      "resolve_entities default)"),
    "fonttools": ("4.43.0", "CVE-2023-45139 (XXE in the OpenType SVG table subsetter)"),
    "pyyaml": ("5.4", "CVE-2020-14343 (arbitrary code execution in full_load/FullLoader)"),
    "pydantic": ("2.4.0", "CVE-2024-3772 (ReDoS in email validation)"),
    "urllib3": ("2.7.0", "CVE-2025-66418, CVE-2025-66471 (decompression bombs, 2.6.0); CVE-2026-21441 "
                         "(decompression bomb in redirect responses, 2.6.3); CVE-2026-44431 (headers forwarded "
                         "across origins in proxied redirects) and CVE-2026-44432 (2.7.0)"),
    "pdfminer.six": ("20251230", "CVE-2025-64512 (code execution via a pickled CMap, 20251107) and "
                                 "CVE-2025-70559 (20251230)"),
    "lxml-html-clean": ("0.4.5", "CVE-2024-52595 (cleaner bypass, 0.4.0); GHSA-4jhm-jv67-739f (0.4.5)"),
    "pypdf": ("6.16.1", "CVE-2025-55197 (6.0.0), CVE-2025-62707/62708 (6.1.3), CVE-2025-66019 (6.4.0), "
                        "CVE-2026-22690 (6.6.0), CVE-2026-84309/84310/84311 (6.16.1): crafted PDFs that exhaust "
                        "memory or run long; the floor is 7.1.1"),
}
# Checked and no advisory against the releases the floor admits (say so rather than leave a gap).
NO_KNOWN_ADVISORY = {"python-docx", "pikepdf", "tinycss2", "typer", "watchfiles", "rich", "babel",
                     "trafilatura"}


def _floors() -> dict[str, Version]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    floors = {}
    for line in data["project"]["dependencies"]:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        lows = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "==", "~=")]
        floors[requirement.name.lower()] = max(lows) if lows else Version("0")
    return floors


def test_every_known_vulnerable_release_is_excluded_by_a_floor():
    floors = _floors()
    for name, (fixed, advisory) in KNOWN_FIXED.items():
        assert name in floors, f"{name} has a known advisory ({advisory}) but no floor in pyproject.toml"
        assert floors[name] >= Version(fixed), \
            f"{name}>={floors[name]} admits releases before {fixed}, which fixed {advisory}"


def test_every_dependency_is_reviewed():
    unreviewed = set(_floors()) - set(KNOWN_FIXED) - NO_KNOWN_ADVISORY
    assert not unreviewed, f"add these to KNOWN_FIXED or NO_KNOWN_ADVISORY: {sorted(unreviewed)}"


@pytest.mark.parametrize("name", sorted(_floors()))
def test_installed_version_meets_its_floor(name):
    floor = _floors()[name]
    try:
        installed = Version(version(name))
    except PackageNotFoundError:
        pytest.fail(f"{name} is a dependency but is not installed")
    assert installed >= floor, f"{name} {installed} is installed; pyproject.toml requires >={floor}"


def test_jinja2_floor_names_the_release_with_both_fixes():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'"Jinja2>=3\.1\.6"', text)
