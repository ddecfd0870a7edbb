"""The README's authoring path, step by step: scaffold an audience, edit one block, watch it
rebuild (and serve it), mark what is new with --since, and email the PDF to a local SMTP server."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from test_build import copy_case, pdftotext
from test_email import Capture, free_port, parse

from conftest import ROOT, run_cli


def start_watch(project: Path, *args: str, stop_after: int = 2) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BRIEFGEN_WATCH_STOP_AFTER": str(stop_after), "COLUMNS": "200",
           "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "briefgen", "watch", *args], cwd=project, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Lines arrive through a thread so that a silent watcher fails the test instead of hanging it.
    process.lines = queue.Queue()
    process.seen = []
    threading.Thread(target=lambda: [process.lines.put(line) for line in process.stdout], daemon=True).start()
    return process


def wait_for_line(process: subprocess.Popen, pattern: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = process.lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        process.seen.append(line)
        if re.search(pattern, line):
            return line
    raise AssertionError(f"watch never printed {pattern!r}; it printed: {''.join(process.seen)}")


def test_scaffold_registers_builds_and_refuses_to_overwrite(tmp_path):
    project = copy_case(tmp_path)
    briefing_file = project / "facts" / "briefing.yaml"
    briefing_file.chmod(0o640)
    with briefing_file.open("rb") as reader:  # an editor holding the file open
        result = run_cli("new-audience", "regional", cwd=project)
        # Rewritten as a new file renamed into place, never in place: the open file is the whole old one.
        assert b"regional" not in reader.read()
    assert result.returncode == 0, result.stderr
    assert oct(briefing_file.stat().st_mode & 0o777) == "0o640"  # the rewrite keeps its permissions
    assert sorted(p.name for p in (project / "facts").iterdir() if p.name.startswith(".")) == []
    assert result.stdout.splitlines() == [
        "created templates/regional.html.j2; added to the briefing's audiences in facts/briefing.yaml",
        "built out/border-centre_regional_2020-03-10.html: open it in a browser, then edit "
        "templates/regional.html.j2 and run: briefgen build --audience regional"]
    template = (project / "templates" / "regional.html.j2").read_text()
    assert '{% extends "base.html.j2" %}' in template and "Blocks worth overriding" in template
    assert "  audiences: [minister, official, press, regional]\n" in (project / "facts" / "briefing.yaml").read_text()
    # The briefing's audiences now include it, so a plain build makes it.
    build = run_cli("build", "--format", "html", cwd=project)
    assert "border-centre_regional_2020-03-10.html" in build.stdout
    again = run_cli("new-audience", "regional", cwd=project)
    assert again.returncode == 1
    assert "audience 'regional' already exists (templates/regional.html.j2)" in again.stderr
    shipped = run_cli("new-audience", "official", cwd=project)
    assert shipped.returncode == 1 and "audience 'official' already exists" in shipped.stderr
    bad = run_cli("new-audience", "Bad Name", cwd=project)
    assert bad.returncode == 1 and "'Bad Name' is not a usable audience name" in bad.stderr


def test_scaffold_from_an_existing_audience(tmp_path):
    project = copy_case(tmp_path)
    result = run_cli("new-audience", "regional", "--from", "official", cwd=project)
    assert result.returncode == 0, result.stderr
    assert '{% extends "official.html.j2" %}' in (project / "templates" / "regional.html.j2").read_text()
    html = (project / "out" / "border-centre_regional_2020-03-10.html").read_text()
    assert "Chronology" in html and "Briefing: regional" in html


def test_readme_path_scaffold_edit_watch_email(tmp_path):
    import aiosmtpd.controller as controller_module
    project = copy_case(tmp_path)

    # 1. scaffold
    assert run_cli("new-audience", "regional", cwd=project).returncode == 0
    template = project / "templates" / "regional.html.j2"

    # 2-3. watch (and serve), then edit one block and see it rebuilt and served
    # stop_after=3: the loop (and its server) would end after the second build, before we query it.
    watcher = start_watch(project, "--audience", "regional", "--format", "html,pdf", "--serve", "--port", "0",
                          stop_after=3)
    try:
        port = int(re.search(r"127\.0\.0\.1:(\d+)", wait_for_line(watcher, "serving")).group(1))
        wait_for_line(watcher, r"^initial build: rebuilt border-centre_regional_2020-03-10.html, "
                               r"border-centre_regional_2020-03-10.pdf in \d+\.\d s")
        served = urllib.request.urlopen(f"http://127.0.0.1:{port}/border-centre_regional_2020-03-10.html").read()
        assert b"/__briefgen_version" in served  # the page reloads itself after each build
        version = urllib.request.urlopen(f"http://127.0.0.1:{port}/__briefgen_version").read()
        time.sleep(1.5)  # the file watcher starts just after the initial build
        template.write_text(template.read_text().replace(
            "{% block audience_label %}Briefing: regional{% endblock %}",
            "{% block audience_label %}Briefing for the regional office{% endblock %}"))
        wait_for_line(watcher, r"^changed templates/regional.html.j2: rebuilt .* in \d+\.\d s")
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/__briefgen_version").read() != version
    finally:
        watcher.kill()
    assert "Briefing for the regional office" in pdftotext(project / "out" / "border-centre_regional_2020-03-10.pdf")

    # 4. email the PDF to a real SMTP server on 127.0.0.1
    handler = Capture()
    controller = controller_module.Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        result = run_cli("email", "--audience", "regional", "--to", "office@example.org", "--format", "pdf",
                         "--send", cwd=project,
                         env={"BRIEFGEN_SMTP_HOST": "127.0.0.1", "BRIEFGEN_SMTP_PORT": str(controller.port),
                              "BRIEFGEN_SMTP_STARTTLS": "false"})
    finally:
        controller.stop()
    assert result.returncode == 0, result.stderr
    [envelope] = handler.envelopes
    message = parse(envelope.original_content)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "border-centre_regional_2020-03-10.pdf"
    assert attachment.get_content() == (project / "out" / "border-centre_regional_2020-03-10.pdf").read_bytes()


def test_watch_reports_errors_and_keeps_watching(tmp_path):
    project = copy_case(tmp_path)
    watcher = start_watch(project, "--audience", "press", stop_after=3)
    events = project / "facts" / "events.yaml"
    try:
        wait_for_line(watcher, "^initial build: rebuilt")
        time.sleep(1.5)  # the file watcher starts just after the initial build
        original = events.read_text()
        events.write_text(original.replace("currency: GBP", "currency: EUR"))
        wait_for_line(watcher, r"funding\[0\]\.currency: currency EUR contradicts the quote")
        wait_for_line(watcher, r"^changed facts/events.yaml: build failed .*; fix it and save again")
        events.write_text(original)
        wait_for_line(watcher, r"^changed facts/events.yaml: rebuilt border-centre_press_2020-03-10.html")
        watcher.wait(timeout=30)
    finally:
        watcher.kill()
    assert watcher.returncode == 0


def test_since_marks_new_items(tmp_path):
    project = copy_case(tmp_path)
    result = run_cli("build", "--format", "pdf,docx", "--audience", "official", "--since", "2020-02-01", cwd=project)
    assert result.returncode == 0, result.stderr
    text = " ".join(pdftotext(project / "out" / "border-centre_official_2020-03-10.pdf").split())
    assert "Items marked New since last briefing are dated after 1 February 2020." in text
    # The March event and its funding are new; the January event is not.
    assert text.count("New since last briefing") == 2 * 1 + 2 * 1  # a note and one mark per table
    from docx import Document

    docx_text = "\n".join(c.text for t in Document(str(project / "out" / "border-centre_official_2020-03-10.docx"))
                          .tables for r in t.rows for c in r.cells)
    docx_text = docx_text.replace("\u00a0", " ")  # dates are held together by no-break spaces
    assert "3 March 2020\nNew since last briefing" in docx_text
    assert "January 2020\nNew since" not in docx_text
    bad = run_cli("build", "--since", "2020-13-01", cwd=project)
    assert bad.returncode == 2 and "'2020-13-01' has month 13" in bad.stderr


def test_quiet_and_verbose(tmp_path):
    project = copy_case(tmp_path)
    quiet = run_cli("build", "--format", "html", "--quiet", cwd=project)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    again = run_cli("build", "--format", "html", "--audience", "press", cwd=project)
    assert again.stdout == "up to date: out/border-centre_press_2020-03-10.html\n" and again.stderr == ""
    verbose = run_cli("build", "--format", "html", "--audience", "press", "--verbose", "--force", cwd=project)
    assert re.fullmatch(r"wrote out/border-centre_press_2020-03-10.html \([\d,]+ bytes\) at \d+\.\d s\n",
                        verbose.stdout)
    assert verbose.stderr.startswith("facts checked: 2 events, 5 quotes verified (")
