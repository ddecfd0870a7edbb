"""Hostile templates: links out of the templates folder, FIFOs, runaway rendering, unsafe URLs, bad fonts.

Each case runs the CLI on a copy of tests/cases/good with a user templates folder and expects exit 1
(bad input, never 3), one exact message naming the template, a bounded run time, nothing written to
out/ for the failing audience, and no secret from outside the project in any output or message.
See briefgen/render.py (loader, limits, URL check) and briefgen/backends/pdf.py (fonts, metadata).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import CASES, run_cli

SECRET = "SECRET-123"
PAGE = '{% extends "base.html.j2" %}{% block body %}BODY{% endblock %}'


def page(body: str) -> str:
    return PAGE.replace("BODY", body)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(CASES / "good" / "facts", project / "facts")
    shutil.copytree(CASES / "_seeds", project / "seeds")
    (project / "templates").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"{SECRET}\n")
    (outside / "evil.html.j2").write_text(f"{SECRET}")
    return project


def build(project: Path, audience: str, fmt: str = "html", env: dict | None = None, limit: float = 60):
    started = time.monotonic()
    result = run_cli("build", "--format", fmt, "--audience", audience, "--templates", "templates",
                     cwd=project, env=env, timeout=int(limit) + 60)
    elapsed = time.monotonic() - started
    assert elapsed < limit, f"took {elapsed:.1f} s"
    return result


def assert_refused(project: Path, result, message: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert SECRET not in result.stdout + result.stderr
    out = project / "out"
    assert not out.exists() or not any(out.iterdir()), sorted(p.name for p in out.iterdir())


def assert_no_secret_anywhere(project: Path) -> None:
    for path in (project / "out").rglob("*") if (project / "out").exists() else []:
        assert SECRET.encode() not in path.read_bytes(), path


# --- 1. reading templates -------------------------------------------------------------------------------


@pytest.mark.parametrize("setup, body, message", [
    (lambda t, o: (t / "notes.txt").symlink_to(o / "secret.txt"), '{% include "notes.txt" %}',
     "templates/notes.txt: not a regular file inside templates"),
    (lambda t, o: (t / "environ.txt").symlink_to("/proc/self/environ"), '{% include "environ.txt" %}',
     "templates/environ.txt: not a regular file inside templates"),
    (lambda t, o: (t / "root").symlink_to("/"), '{% include "root/etc/passwd" %}',
     "templates/root/etc/passwd: not a regular file inside templates"),
    (lambda t, o: (t / "up").symlink_to(o), '{% include "up/secret.txt" %}',
     "templates/up/secret.txt: not a regular file inside templates"),
    (lambda t, o: os.mkfifo(t / "pipe.txt"), '{% include "pipe.txt" %}',
     "templates/pipe.txt: not a regular file inside templates"),
    (lambda t, o: (t / "folder.txt").mkdir(), '{% include "folder.txt" %}',
     "templates/folder.txt: not a regular file inside templates"),
    (lambda t, o: (t / "zero.txt").symlink_to("/dev/zero"), '{% include "zero.txt" %}',
     "templates/zero.txt: not a regular file inside templates"),
    (lambda t, o: (t / "big.txt").write_text("a" * (1024 * 1024 + 1)), '{% include "big.txt" %}',
     "templates/big.txt: file is 1,048,577 bytes; the limit is 1,048,576 bytes for a template"),
    # The stylesheet base.html.j2 inlines goes through the same loader: the user's folder comes first.
    (lambda t, o: (t / "briefing.css").symlink_to(o / "secret.txt"), "x",
     "templates/briefing.css: not a regular file inside templates"),
], ids=["symlink-to-secret", "proc-environ", "link-to-root", "link-to-folder-outside", "fifo", "directory",
        "dev-zero", "too-big", "stylesheet"])
def test_template_files_must_be_regular_files_inside_the_folder(project, setup, body, message):
    templates = project / "templates"
    setup(templates, project.parent / "outside")
    (templates / "leak.html.j2").write_text(page(body))
    result = build(project, "leak", limit=30)
    assert_refused(project, result, message)


def test_audience_linked_from_outside_is_not_listed_nor_built(project):
    templates = project / "templates"
    (templates / "evil.html.j2").symlink_to(project.parent / "outside" / "evil.html.j2")
    os.mkfifo(templates / "pipe.html.j2")
    listed = run_cli("list", "--templates", "templates", cwd=project, timeout=30)
    assert listed.returncode == 0, listed.stderr
    assert "evil" not in listed.stdout and "pipe" not in listed.stdout and "official" in listed.stdout
    result = run_cli("build", "--format", "html", "--audience", "evil", "--templates", "templates",
                     cwd=project, timeout=30)
    assert result.returncode in (1, 2) and "unknown audience 'evil'" in result.stderr, result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert_no_secret_anywhere(project)


# --- 2. rendering limits --------------------------------------------------------------------------------


@pytest.mark.parametrize("body, message", [
    ('{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}',
     "templates/leak.html.j2:1: more than 10,000,000 loop iterations (the limit for one template)"),
    ('{{ 9**(9**10) }}',
     "templates/leak.html.j2:1: 9 ** 3486784401 would make a number of about 13,947,137,604 bits "
     "(the limit is 100,000)"),
    ('{{ "x"*10**10 }}',
     "templates/leak.html.j2:1: would make a value of 10,000,000,000 characters or items "
     "(the limit is 10,000,000)"),
    ('{{ "x"*10**8 }}{{ "x"*10**8 }}',
     "templates/leak.html.j2:1: would make a value of 100,000,000 characters or items (the limit is 10,000,000)"),
    ('{{ [0]*10**9 }}',
     "templates/leak.html.j2:1: would make a value of 1,000,000,000 characters or items"),
    ('{% for i in range(20) %}{{ "x"*10**6 }}{% endfor %}',
     "templates/leak.html.j2: rendering stopped at 10,000,000 characters of output (the limit for one template)"),
    ('{% set ns = namespace(s="x") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}',
     "templates/leak.html.j2:1: made a value of 16,777,216 characters or items (the limit is 10,000,000)"),
    ('{{ "x"|center(10**10) }}',
     "templates/leak.html.j2:1: would make a value of 10,000,000,000 characters or items"),
    ('{{ "x".ljust(10**10) }}',
     "templates/leak.html.j2:1: would make a value of 10,000,000,000 characters or items"),
    ('{{ "%9999999999d" % 1 }}', "templates/leak.html.j2:1: format width 9999999999 is over the limit"),
    ('{{ "{:>9999999999}".format(1) }}', "templates/leak.html.j2:1: format width 9999999999 is over the limit"),
    ('{{ "{0:{1}}".format(1, 10**10) }}', "templates/leak.html.j2:1: format width 10000000000 is over the limit"),
    ('{{ range(100000)|join("y"*10**6) }}',
     "templates/leak.html.j2:1: would make a value of 99,999,000,000 characters or items"),
    ('{{ ("y"*10**6).replace("", "z"*12) }}',
     "templates/leak.html.j2:1: would make a value of 13,000,012 characters or items"),
    ('{% include "leak.html.j2" %}',
     "templates/leak.html.j2: rendering stopped: templates include, extend or call each other without end "
     "(recursion too deep)"),
    ('{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}',
     "templates/leak.html.j2: rendering stopped: templates include, extend or call each other without end"),
], ids=["nested-range", "power", "string-times-huge", "string-times-1e8-twice", "list-times", "output-cap",
        "doubling-concat", "center-filter", "ljust-method", "percent-width", "format-width",
        "format-nested-width", "join-filter", "replace-empty", "includes-itself", "macro-recursion"])
def test_runaway_templates_stop_with_a_clear_error(project, body, message):
    (project / "templates" / "leak.html.j2").write_text(page(body))
    result = build(project, "leak", limit=30)
    assert_refused(project, result, message)


def test_slow_template_stops_at_the_time_limit(project):
    # Few enough iterations and small enough values to pass every other limit; 500+ s unchecked.
    body = ('{% for i in range(100000) %}{% for j in range(90) %}'
            '{% set y = ("y"*10**5)|replace("y", "zz") %}{% endfor %}{% endfor %}')
    (project / "templates" / "leak.html.j2").write_text(page(body))
    # The limit is 20 s (the README); a person may set another, here 3 s to keep the suite quick.
    started = time.monotonic()
    result = build(project, "leak", limit=45, env={"BRIEFGEN_RENDER_SECONDS": "3"})
    assert_refused(project, result, "templates/leak.html.j2:1: rendering stopped after 3 s "
                                    "(the limit for one template)")
    assert time.monotonic() - started < 15


def test_the_time_limit_stops_one_long_library_call(project):
    """One filter call that runs for about 10 s in Python code is stopped at the limit, not after it."""
    (project / "templates" / "leak.html.j2").write_text(page('{{ ("x " * 4999999)|wordwrap(3)|length }}'))
    started = time.monotonic()
    result = build(project, "leak", limit=45, env={"BRIEFGEN_RENDER_SECONDS": "1"})
    took = time.monotonic() - started
    assert_refused(project, result, "rendering stopped after 1 s (the limit for one template)")
    assert took < 7, f"stopped only after {took:.1f} s"


def test_the_time_limit_setting_is_checked(project):
    result = build(project, "press", limit=30, env={"BRIEFGEN_RENDER_SECONDS": "soon"})
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["BRIEFGEN_RENDER_SECONDS: expected a number of seconds from 0 to 3600, "
                                          "got 'soon'", "failed: 1 error"]


def test_ordinary_loops_and_arithmetic_still_render(project):
    body = ('{% for i in range(1000) %}{% for j in range(100) %}{% endfor %}{% endfor %}'
            '{{ 2**64 }} {{ "ab"*3 }} {{ "{:,}".format(50000000) }} {{ "%05d" % 42 }} '
            '{{ ("x"|center(9))|length }} {{ [1,2]|join(", ") }}')
    (project / "templates" / "fine.html.j2").write_text(page(body))
    result = build(project, "fine", limit=30)
    assert result.returncode == 0, result.stderr
    html = (project / "out" / "border-centre_fine_2020-03-10.html").read_text()
    assert "18446744073709551616 ababab 50,000,000 00042 9 1, 2" in html


# --- 3. links and resources -----------------------------------------------------------------------------


@pytest.mark.parametrize("body, message", [
    ('<a href="javascript:alert(1)">x</a>',
     'templates/leak.html.j2: <a href="javascript:alert(1)">: javascript: URLs are not allowed in a briefing'),
    ('<a href=" JaVa&#9;script:alert(1)">x</a>', "javascript: URLs are not allowed in a briefing"),
    ('<p onclick="x" data-x="vbscript:msgbox">x</p>', "vbscript: URLs are not allowed in a briefing"),
    ('<a href="file:///etc/passwd">x</a>',
     "templates/leak.html.j2: link 'file:///etc/passwd' not allowed: a briefing may link only to http:, "
     "https:, mailto: and #anchors in the document"),
    ('<a href="data:text/html,hi">x</a>', "templates/leak.html.j2: link 'data:text/html,hi' not allowed"),
    ('<area href="file:///etc/passwd" alt="x">', "templates/leak.html.j2: link 'file:///etc/passwd' not allowed"),
    ('<img src="file:///etc/passwd" alt="x">',
     "templates/leak.html.j2: blocked resource 'file:///etc/passwd': a briefing may only use files from its "
     "template folders and data: URLs"),
    ('<img src="https://example.org/x.png" alt="x">',
     "templates/leak.html.j2: blocked resource 'https://example.org/x.png'"),
    ('<img src="../../../../etc/passwd" alt="x">', "templates/leak.html.j2: blocked resource '../../../../etc/passwd'"),
    ('<style>p { background: url("https://tracker.example/open.gif") }</style>',
     "templates/leak.html.j2: blocked resource 'https://tracker.example/open.gif' in a stylesheet: a briefing may "
     "only use files from its template folders and data: URLs"),
    ('<p style="background-image: image-set(u\\72l(https://tracker.example/b) 1x)">x</p>',
     "templates/leak.html.j2: blocked resource 'https://tracker.example/b' in a stylesheet"),
    ('<style>@import "file:///etc/passwd";</style>',
     "templates/leak.html.j2: blocked resource 'file:///etc/passwd' in a stylesheet"),
    ('<meta http-equiv="Refresh" content="0; url=https://example.org/">',
     'templates/leak.html.j2: <meta http-equiv="refresh"> is not allowed in a briefing (it sends the reader to '
     'another page)'),
], ids=["javascript", "javascript-obfuscated", "vbscript-any-attribute", "file-link", "data-link", "area",
        "img-file", "img-remote", "img-relative-outside", "css-url-beacon", "css-escaped-url-in-style-attribute",
        "css-import", "meta-refresh"])
def test_links_a_briefing_may_not_carry(project, body, message):
    (project / "templates" / "leak.html.j2").write_text(page(body))
    result = build(project, "leak", limit=30)
    assert_refused(project, result, message)


def test_allowed_links_and_images(project):
    body = ('<a href="https://example.org/">w</a> <a href="mailto:a@example.org">m</a> <a href="#dates">d</a> '
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="dot">'
            '<p style="background: url(data:image/gif;base64,R0lGODlhAQABAAAAACw=)">styled</p>')
    (project / "templates" / "fine.html.j2").write_text(page(body))
    result = build(project, "fine", limit=30)
    assert result.returncode == 0, result.stderr


def test_control_characters_in_pdf_title_are_normalised(project):
    from pypdf import PdfReader

    (project / "templates" / "odd.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block audience_label %}A\u2029B\x01C\x1bD\u2028E{% endblock %}'
        '{% block body %}<p>x</p>{% endblock %}')
    result = build(project, "odd", fmt="pdf", limit=60)
    assert result.returncode == 0, result.stderr
    title = PdfReader(str(project / "out" / "border-centre_odd_2020-03-10.pdf")).metadata["/Title"]
    assert title.endswith("A B C D E"), repr(title)


# --- 4. fonts -------------------------------------------------------------------------------------------


def _fontconfig(tmp_path: Path, font_dir: str) -> dict:
    conf = tmp_path / "fonts.conf"
    (tmp_path / "fc-cache").mkdir(exist_ok=True)
    conf.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                    f'<fontconfig><dir>{font_dir}</dir><cachedir>{tmp_path / "fc-cache"}</cachedir></fontconfig>\n')
    return {"FONTCONFIG_FILE": str(conf)}


def test_no_fonts_at_all_is_a_clear_error(project, tmp_path):
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    result = run_cli("build", "--format", "pdf", "--audience", "press", cwd=project,
                     env=_fontconfig(tmp_path, str(empty)), timeout=120)
    assert result.returncode == 1, result.stderr
    assert "no usable font: install fonts-liberation" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert not (project / "out").exists() or not any((project / "out").iterdir())


@pytest.mark.skipif(not Path("/usr/share/fonts/truetype/dejavu").is_dir(), reason="needs fonts-dejavu-core")
def test_missing_liberation_is_a_clear_error(project, tmp_path):
    result = run_cli("build", "--format", "pdf", "--audience", "press", cwd=project,
                     env=_fontconfig(tmp_path, "/usr/share/fonts/truetype/dejavu"), timeout=120)
    assert result.returncode == 1, result.stderr
    assert ("templates/press.html.j2: no usable font: install fonts-liberation (the stylesheet asks for Arial "
            "or Liberation Sans; the PDF would have used DejaVu") in result.stderr
    assert not (project / "out").exists() or not any((project / "out").iterdir())
