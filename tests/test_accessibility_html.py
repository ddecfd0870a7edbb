"""Accessibility of the HTML briefings: axe-core in Debian's headless Chromium finds no violations.

The test builds the shipped example's HTML for every audience (so it checks the current templates),
opens each file in /usr/bin/chromium at a desktop and at a 320 px wide viewport, injects the pinned
axe-core from tests/axe/node_modules and runs axe's default rule set (WCAG 2.0/2.1/2.2 A and AA plus
best-practice) with `target-size` (WCAG 2.2 AA, shipped disabled by axe) switched on.

Needs: `apt-get install chromium`, Node >= 20 and `npm ci --prefix tests/axe` (.ci/run does both).
Nothing here skips: a missing browser or harness is a failure that says what to install.

Driver: Node with playwright-core, see the header of tests/axe/run-axe.mjs for why.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

AXE_DIR = ROOT / "tests" / "axe"
RUNNER = AXE_DIR / "run-axe.mjs"
CHROMIUM = os.environ.get("BRIEFGEN_CHROMIUM", "/usr/bin/chromium")
AUDIENCES = ("minister", "official", "press")
# 320 CSS px is WCAG 1.4.10's reflow width; layout-dependent rules (target-size, color-contrast,
# scrollable-region-focusable) can give different answers there than on a desktop.
VIEWPORTS = {"desktop": (1280, 900), "narrow": (320, 568)}


def pinned_axe_version() -> str:
    lock = json.loads((AXE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/axe-core"]["version"]


def preflight() -> None:
    """Fail (never skip) with the install step that is missing."""
    problems = []
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        problems.append(f"no Chromium at {CHROMIUM}: apt-get install -y --no-install-recommends chromium")
    node = shutil.which("node")
    if node is None:
        problems.append("no `node` on PATH: install Node.js >= 20")
    else:
        version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
        match = re.match(r"v(\d+)\.", version)
        if not match or int(match.group(1)) < 20:
            problems.append(f"node {version or '?'} is too old for playwright-core: need >= 20")
    for package in ("axe-core", "playwright-core"):
        if not (AXE_DIR / "node_modules" / package / "package.json").is_file():
            problems.append(f"tests/axe/node_modules/{package} missing: npm ci --prefix tests/axe")
    if problems:
        pytest.fail("accessibility harness not installed:\n  " + "\n  ".join(problems), pytrace=False)


def run_axe(pages: list[dict]) -> dict:
    """Run tests/axe/run-axe.mjs on PAGES ({name, url, width, height}); return its JSON report."""
    preflight()
    env = {**os.environ, "BRIEFGEN_CHROMIUM": CHROMIUM}
    try:
        result = subprocess.run(["node", str(RUNNER)], input=json.dumps({"pages": pages}), cwd=AXE_DIR,
                                env=env, capture_output=True, text=True, timeout=240)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"axe runner timed out after {error.timeout}s (Chromium hung?)\n{error.stderr or ''}")
    assert result.returncode == 0, f"axe runner failed ({result.returncode}):\n{result.stderr[-4000:]}"
    report = json.loads(result.stdout)
    assert [p["name"] for p in report["pages"]] == [p["name"] for p in pages]
    return report


def describe(page: dict) -> str:
    """Every violation with its rule, impact, help text and the CSS selectors of the failing nodes."""
    lines = [f"{len(page['violations'])} axe violation(s) in {page['name']} ({page['url']}):"]
    for v in page["violations"]:
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']} — {v['helpUrl'].split('?')[0]}")
        for node in v["nodes"]:
            target = " >> ".join(" ".join(t) if isinstance(t, list) else t for t in node["target"])
            lines.append(f"    {target}    {node['html'][:140]}")
            summary = " ".join(node["failureSummary"].split())
            lines.append(f"        {summary[:400]}")
    return "\n".join(lines)


def page_spec(name: str, path: Path, viewport: str) -> dict:
    width, height = VIEWPORTS[viewport]
    return {"name": name, "url": path.resolve().as_uri(), "width": width, "height": height}


@pytest.fixture(scope="module")
def built_html(tmp_path_factory) -> dict[str, Path]:
    """The shipped example's HTML, built now for every audience from the current templates."""
    out = tmp_path_factory.mktemp("a11y-html")
    result = run_cli("build", "--format", "html", "--audience", "all", "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    outputs = json.loads(result.stdout)
    paths = {o["audience"]: Path(o["path"]) for o in outputs if o["format"] == "html"}
    assert sorted(paths) == sorted(AUDIENCES)
    return paths


@pytest.fixture(scope="module")
def axe_report(built_html) -> dict:
    """One browser session for all audiences and viewports; pages keyed 'AUDIENCE@VIEWPORT'."""
    pages = [page_spec(f"{a}@{vp}", built_html[a], vp) for a in AUDIENCES for vp in VIEWPORTS]
    report = run_axe(pages)
    return report | {"by_name": {p["name"]: p for p in report["pages"]}}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_axe_violations(axe_report, audience, viewport):
    page = axe_report["by_name"][f"{audience}@{viewport}"]
    assert page["blocked"] == [], f"the page asked for outside resources (refused): {page['blocked']}"
    if page["violations"]:
        pytest.fail(describe(page), pytrace=False)


def test_every_a_aa_and_best_practice_rule_ran_including_target_size(axe_report):
    assert axe_report["axeVersion"] == pinned_axe_version()
    assert "target-size" in axe_report["enabledExtra"], "target-size (WCAG 2.2 AA) was not switched on"
    for page in axe_report["pages"]:
        assert page["notRun"] == [], f"{page['name']}: rules that did not run: {page['notRun']}"
        assert "target-size" in page["ran"], page["name"]
        for rule in ("color-contrast", "image-alt", "landmark-one-main", "region", "heading-order"):
            assert rule in page["ran"], (page["name"], rule)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_narrow_viewport_needs_no_horizontal_scrolling(axe_report, audience):
    """WCAG 1.4.10 Reflow at 320 CSS px — not an axe rule, so measured directly (wide tables may scroll
    inside their own overflow-x container)."""
    page = axe_report["by_name"][f"{audience}@narrow"]
    overflow = page["overflow"]
    if overflow["scrollWidth"] > overflow["viewportWidth"] or overflow["wide"]:
        offenders = "\n".join(f"    {w['target']} reaches x={w['right']}px    {' '.join(w['html'].split())[:120]}"
                              for w in overflow["wide"])
        pytest.fail(f"{page['name']}: the page is {overflow['scrollWidth']}px wide in a {overflow['viewportWidth']}px"
                    f" viewport (horizontal scrolling); outermost elements past the edge:\n{offenders}", pytrace=False)


SEEDED = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Seeded faults</title></head>
<body>
<h1>Seeded faults</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="40" height="40">
<p><button style="width:12px;height:12px;padding:0;margin:0;font-size:8px">1</button><button
 style="width:12px;height:12px;padding:0;margin:0;font-size:8px">2</button></p>
<div style="width:600px">Too wide for 320 px.</div>
</body></html>
"""

CLEAN = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Clean page</title></head>
<body><main><h1>Clean page</h1><p>Nothing to find here, <a href="#x">one link</a>.</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="40" height="40" alt="A dot">
<p><button style="min-width:24px;min-height:24px">1</button>
<button style="min-width:24px;min-height:24px">2</button></p>
</main></body></html>
"""


def test_harness_catches_seeded_faults(tmp_path):
    """The harness is not vacuous: a page with known faults gives exactly those rule ids, a clean page none."""
    seeded, clean = tmp_path / "seeded.html", tmp_path / "clean.html"
    seeded.write_text(SEEDED, encoding="utf-8")
    clean.write_text(CLEAN, encoding="utf-8")
    report = run_axe([page_spec("seeded@desktop", seeded, "desktop"), page_spec("seeded@narrow", seeded, "narrow"),
                      page_spec("clean@narrow", clean, "narrow")])
    by_name = {p["name"]: p for p in report["pages"]}

    page = by_name["seeded@desktop"]
    found = {v["id"]: v for v in page["violations"]}
    # img without alt; no <main>; content outside landmarks; two adjacent 12x12 px buttons (WCAG 2.2 AA).
    assert sorted(found) == ["image-alt", "landmark-one-main", "region", "target-size"], describe(page)
    assert found["image-alt"]["impact"] == "critical"
    assert [n["target"] for n in found["image-alt"]["nodes"]] == [["img"]]
    assert "wcag22aa" in found["target-size"]["tags"]
    assert len(found["target-size"]["nodes"]) == 2
    assert found["landmark-one-main"]["nodes"][0]["target"] == ["html"]
    message = describe(page)
    for needle in ("image-alt [critical]", "Images must have alternative text", "target-size [serious]"):
        assert needle in message, message

    narrow = by_name["seeded@narrow"]["overflow"]
    assert narrow["scrollWidth"] > 320, narrow
    wide = [(w["target"], w["html"][:25]) for w in narrow["wide"]]
    assert wide == [("div:nth-child(4)", '<div style="width:600px">')]

    clean_page = by_name["clean@narrow"]
    assert clean_page["violations"] == [], describe(clean_page)
    assert clean_page["overflow"]["wide"] == [] and clean_page["overflow"]["scrollWidth"] <= 320
    assert "target-size" in clean_page["ran"] and clean_page["notRun"] == []
