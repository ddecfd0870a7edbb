"""`briefgen email` end to end: the .eml draft read back as a mail client would, and sent to a real SMTP server.

Drafts are parsed with the standard library's `email` package (policy.default,
as a modern client does), and with formail and mutt when they are installed.
Sending goes to an aiosmtpd server started on 127.0.0.1 in the test, which
records what it receives; nothing leaves the machine.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import CASES, ROOT

SLUG_DATE = "border-centre_minister_2020-03-10"
DRAFT = f"out/{SLUG_DATE}.eml"
PASSWORD = "s3cret-Pa55word-never-shown"
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The entry point as installed (`briefgen = "briefgen.cli:main"`), which registers every command.
EMAIL_APP = "from briefgen.cli import main\nmain()\n"


def run_email(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """`briefgen email ARGS` in a subprocess, with no SMTP settings or SOURCE_DATE_EPOCH from outside."""
    full_env = {k: v for k, v in os.environ.items()
                if not k.startswith("BRIEFGEN_") and k != "SOURCE_DATE_EPOCH"}
    full_env.update({"PYTHONPATH": str(ROOT), "COLUMNS": "200", "NO_COLOR": "1", **(env or {})})
    return subprocess.run([sys.executable, "-c", EMAIL_APP, "email", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=300)


def copy_case(tmp_path: Path, name: str = "good") -> Path:
    project = tmp_path / "project"
    shutil.copytree(CASES / name / "facts", project / "facts")
    shutil.copytree(CASES / "_seeds", project / "seeds")
    return project


def parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def attachments(message) -> dict[str, tuple[str, bytes]]:
    return {part.get_filename(): (part.get_content_type(), part.get_content())
            for part in message.iter_attachments()}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- the draft


@pytest.fixture(scope="module")
def drafted(tmp_path_factory) -> dict:
    """One draft with a PDF and an HTML attachment, two To and one Cc recipient."""
    project = copy_case(tmp_path_factory.mktemp("drafted"))
    result = run_email("--audience", "minister", "--to", "a@example.org", "--to", "Bee Jones <b@example.org>",
                       "--cc", "c@example.org", "--format", "pdf,html", cwd=project)
    assert result.returncode == 0, result.stderr
    data = (project / DRAFT).read_bytes()
    return {"project": project, "result": result, "data": data, "message": parse(data)}


def test_prints_what_it_wrote(drafted):
    size = len(drafted["data"])
    assert drafted["result"].stdout.splitlines() == [
        f"wrote out/{SLUG_DATE}.pdf ({(drafted['project'] / 'out' / (SLUG_DATE + '.pdf')).stat().st_size:,} "
        f"bytes, 2 pages)",
        f"wrote out/{SLUG_DATE}.html ({(drafted['project'] / 'out' / (SLUG_DATE + '.html')).stat().st_size:,} bytes)",
        f"wrote {DRAFT} (2 attachments, {size:,} bytes)",
    ]
    assert drafted["result"].stderr == ""


def test_headers(drafted):
    message = drafted["message"]
    assert message["Subject"] == "OFFICIAL: Border centre \u2014 minister briefing"
    assert [a.addr_spec for a in message["To"].addresses] == ["a@example.org", "b@example.org"]
    assert message["To"].addresses[1].display_name == "Bee Jones"
    assert [a.addr_spec for a in message["Cc"].addresses] == ["c@example.org"]
    assert message["From"] == "briefgen@localhost"
    assert message["Date"] == "Tue, 10 Mar 2020 12:00:00 +0000"  # noon UTC on the briefing date
    assert re.fullmatch(r"<[0-9a-f]{40}@briefgen\.invalid>", message["Message-ID"])
    assert message["X-Unsent"] == "1"
    assert message["MIME-Version"] == "1.0"
    assert message.get_content_type() == "multipart/mixed"


def test_text_body_and_html_alternative(drafted):
    message = drafted["message"]
    text = message.get_body(("plain",)).get_content()
    lines = text.splitlines()
    assert lines[0] == "OFFICIAL" and lines[-1] == "OFFICIAL"
    assert "Border centre" in lines
    assert "Minister briefing, 10 March 2020" in lines
    assert "Summary:" in lines and "- NO" in lines  # no top_lines in this fact set: the summary stands in
    pdf_size = (drafted["project"] / "out" / f"{SLUG_DATE}.pdf").stat().st_size
    assert f"- {SLUG_DATE}.pdf (PDF, {pdf_size / 1024:.1f} KB)" in lines
    assert any(line.startswith(f"- {SLUG_DATE}.html (HTML, ") for line in lines)
    page = message.get_body(("html",)).get_content()
    assert message.get_body(("html",)).get_content_type() == "text/html"
    assert "<h1>Border centre</h1>" in page and "<li>NO</li>" in page
    assert f"<li>{SLUG_DATE}.pdf (PDF, " in page
    alternative = next(p for p in message.walk() if p.get_content_type() == "multipart/alternative")
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]


def test_attachments_are_the_files_on_disk(drafted):
    out = drafted["project"] / "out"
    found = attachments(drafted["message"])
    assert list(found) == [f"{SLUG_DATE}.pdf", f"{SLUG_DATE}.html"]
    assert found[f"{SLUG_DATE}.pdf"] == (PDF_TYPE, (out / f"{SLUG_DATE}.pdf").read_bytes())
    content_type, content = found[f"{SLUG_DATE}.html"]
    assert content_type == "text/html"
    assert content == (out / f"{SLUG_DATE}.html").read_text(encoding="utf-8")
    html_part = next(p for p in drafted["message"].iter_attachments() if p.get_content_type() == "text/html")
    assert html_part.get_payload(decode=True) == (out / f"{SLUG_DATE}.html").read_bytes()  # byte for byte
    assert all(p.get_content_disposition() == "attachment" for p in drafted["message"].iter_attachments())


def test_eml_is_well_formed_rfc5322(drafted):
    data = drafted["data"]
    assert data.isascii()  # 7-bit clean: no relay needs 8BITMIME
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF line ends only
    assert max(len(line) for line in data.split(b"\r\n")) <= 78
    message = drafted["message"]
    for part in message.walk():
        assert not part.defects, (part.get_content_type(), part.defects)
        assert part is message or "MIME-Version" not in part
    # The same bytes as the stdlib's own parser-generator round trip would give.
    assert email.message_from_bytes(data, policy=email.policy.SMTP).as_bytes() == data
    assert not list((drafted["project"] / "out").glob(".briefgen-partial-*"))


def test_word_attachment(tmp_path):
    pytest.importorskip("briefgen.backends.docx", reason="the DOCX backend is not there yet")
    project = copy_case(tmp_path)
    result = run_email("--audience", "official", "--to", "a@example.org", "--format", "docx", cwd=project)
    assert result.returncode == 0, result.stderr
    name = "border-centre_official_2020-03-10"
    message = parse((project / "out" / f"{name}.eml").read_bytes())
    assert attachments(message) == {f"{name}.docx": (DOCX_TYPE, (project / "out" / f"{name}.docx").read_bytes())}
    assert f"- {name}.docx (Word, " in message.get_body(("plain",)).get_content()


@pytest.mark.skipif(not shutil.which("formail"), reason="formail (procmail) not installed")
def test_formail_reads_the_draft(drafted):
    path = drafted["project"] / DRAFT
    for header, wanted in (("Subject:", "OFFICIAL: Border centre =?utf-8?b?4oCU?= minister briefing"),
                           ("To:", "a@example.org, Bee Jones <b@example.org>"), ("Cc:", "c@example.org")):
        with path.open("rb") as stream:
            result = subprocess.run(["formail", "-c", "-x", header], stdin=stream, capture_output=True, timeout=30)
        assert result.returncode == 0 and result.stderr == b""
        assert result.stdout.decode().strip() == wanted


def test_mutt_reads_the_draft(drafted, tmp_path):
    # mutt -H resumes a draft file and "sends" it through $sendmail: here a script that keeps the message.
    captured = tmp_path / "captured.eml"
    script = tmp_path / "sendmail.sh"
    script.write_text(f"#!/bin/sh\ncat > '{captured}'\n")
    script.chmod(0o755)
    result = subprocess.run(["mutt", "-n", "-F", "/dev/null", "-e", f"set sendmail={script}", "-e", "set record=",
                             "-H", str(drafted["project"] / DRAFT)], stdin=subprocess.DEVNULL, capture_output=True,
                            timeout=60, env={**os.environ, "HOME": str(tmp_path)})
    assert result.returncode == 0 and result.stderr == b"", result.stderr
    again = parse(captured.read_bytes())
    assert again["Subject"] == drafted["message"]["Subject"]
    assert again["Message-ID"] == drafted["message"]["Message-ID"]
    found = attachments(again)
    assert found[f"{SLUG_DATE}.pdf"] == (PDF_TYPE, (drafted["project"] / "out" / f"{SLUG_DATE}.pdf").read_bytes())
    assert found[f"{SLUG_DATE}.html"][0] == "text/html"


# --------------------------------------------------------------------------- build_message and friends, in-process


@pytest.fixture
def checked(tmp_path, monkeypatch):
    """A project whose briefing has top lines (with markup-like text), loaded and checked."""
    from briefgen.cli import load_checked, locate

    project = copy_case(tmp_path)
    briefing = project / "facts" / "briefing.yaml"
    briefing.write_text(briefing.read_text(encoding="utf-8") + "  top_lines:\n"
                        "    - The centre is <b>open</b> & staffed by both countries, working together every day "
                        "on organised immigration crime at the shared border.\n"
                        "    - Ministers agree.\n", encoding="utf-8")
    monkeypatch.chdir(project)
    base, _ = load_checked(locate(project))
    files = []
    for name, data in (("b.pdf", b"%PDF-1.7 fake"), ("b.docx", b"PK\x03\x04 fake"), ("b.html", b"<p>caf\xc3\xa9</p>")):
        (project / name).write_bytes(data)
        files.append(project / name)
    return base, files


def test_top_lines_are_bullets_and_escaped_in_html(checked):
    from briefgen.mailer import build_message

    base, files = checked
    message = parse(build_message(base, "press", files, ["a@example.org"]).as_bytes())
    assert message["Subject"] == "OFFICIAL: Border centre \u2014 press briefing"
    assert "Cc" not in message
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Top lines:\n- The centre is <b>open</b> & staffed by both countries, working" in text
    assert "working\n  together every day on organised immigration crime at the shared\n  border.\n" \
           "- Ministers agree.\n" in text  # wrapped at 72 columns, continuation lines indented
    assert "Summary" not in text
    page = message.get_body(("html",)).get_content()
    assert "<li>The centre is &lt;b&gt;open&lt;/b&gt; &amp; staffed" in page and "<b>open</b>" not in page


def test_mime_types_for_every_format(checked):
    from briefgen.mailer import build_message

    base, files = checked
    message = parse(build_message(base, "minister", files, ["a@example.org"]).as_bytes())
    found = attachments(message)
    assert found["b.pdf"] == (PDF_TYPE, b"%PDF-1.7 fake")
    assert found["b.docx"] == (DOCX_TYPE, b"PK\x03\x04 fake")
    assert found["b.html"] == ("text/html", "<p>caf\u00e9</p>")
    assert "- b.docx (Word, 9 bytes)" in message.get_body(("plain",)).get_content()


def test_same_inputs_same_bytes_and_message_id_follows_content(checked):
    from briefgen.mailer import build_message

    base, files = checked
    first = build_message(base, "minister", files, ["a@example.org"]).as_bytes()
    assert build_message(base, "minister", files, ["a@example.org"]).as_bytes() == first
    other = build_message(base, "minister", files, ["z@example.org"])
    assert other["Message-ID"] != parse(first)["Message-ID"]
    files[0].write_bytes(b"%PDF-1.7 changed")
    assert build_message(base, "minister", files, ["a@example.org"])["Message-ID"] != parse(first)["Message-ID"]


def test_date_from_source_date_epoch(checked):
    from email.utils import format_datetime

    from briefgen.errors import BriefgenError
    from briefgen.mailer import message_date

    base, _ = checked
    assert format_datetime(message_date(base, {})) == "Tue, 10 Mar 2020 12:00:00 +0000"
    assert format_datetime(message_date(base, {"SOURCE_DATE_EPOCH": "1700000000"})) == \
        "Tue, 14 Nov 2023 22:13:20 +0000"
    with pytest.raises(BriefgenError, match="SOURCE_DATE_EPOCH: 'soon' is not a number"):
        message_date(base, {"SOURCE_DATE_EPOCH": "soon"})


def test_source_date_epoch_on_the_command_line(tmp_path):
    project = copy_case(tmp_path)
    result = run_email("--audience", "press", "--to", "a@example.org", "--format", "html", cwd=project,
                       env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.returncode == 0, result.stderr
    assert parse((project / "out" / "border-centre_press_2020-03-10.eml").read_bytes())["Date"] == \
        "Tue, 14 Nov 2023 22:13:20 +0000"


def test_write_eml_is_atomic_and_leaves_no_temp_file(checked, tmp_path):
    from briefgen.mailer import build_message, write_eml

    base, files = checked
    target = tmp_path / "drafts" / "x.eml"
    size = write_eml(build_message(base, "minister", files, ["a@example.org"]), target)
    assert target.stat().st_size == size and target.read_bytes().startswith(b"X-Unsent: 1\r\nFrom: ")
    assert [p.name for p in target.parent.iterdir()] == ["x.eml"]


def test_a_new_draft_replaces_the_old_one_in_one_step(checked, tmp_path):
    """The .eml is never rewritten in place: a new draft is a new file (a new inode) given the old name
    when complete, so a mail client holding the old draft open still reads all of it, never a mixture."""
    from briefgen.mailer import build_message, write_eml

    base, files = checked
    target = tmp_path / "drafts" / "x.eml"
    write_eml(build_message(base, "minister", files, ["a@example.org"]), target)
    old = target.read_bytes()
    with target.open("rb") as held:
        size = write_eml(build_message(base, "minister", files, ["b@example.org"]), target)
        assert held.read() == old  # written in place (truncated, then rewritten), this reads the new draft
        assert target.stat().st_ino != os.fstat(held.fileno()).st_ino
    new = target.read_bytes()
    assert len(new) == size and b"To: b@example.org" in new and b"a@example.org" not in new
    assert [p.name for p in target.parent.iterdir()] == ["x.eml"]


def test_redrafting_on_the_command_line_replaces_the_draft_in_one_step(tmp_path):
    project = copy_case(tmp_path)
    args = ("--audience", "press", "--format", "html")
    first = run_email(*args, "--to", "a@example.org", cwd=project)
    assert first.returncode == 0, first.stderr
    draft = project / "out" / "border-centre_press_2020-03-10.eml"
    old = draft.read_bytes()
    with draft.open("rb") as held:
        again = run_email(*args, "--to", "b@example.org", cwd=project)
        assert again.returncode == 0, again.stderr
        assert held.read() == old
        assert draft.stat().st_ino != os.fstat(held.fileno()).st_ino
    assert b"To: b@example.org" in draft.read_bytes()


@pytest.mark.parametrize("text, size", [("10MB", 10 * 1024 ** 2), ("500KB", 500 * 1024), ("2000000", 2_000_000),
                                        ("1.5 MiB", 1_572_864), ("64k", 65_536), ("100B", 100)])
def test_parse_size(text, size):
    from briefgen.mailer import parse_size

    assert parse_size(text) == size


# --------------------------------------------------------------------------- size limit, reuse, usage errors


def test_size_warning_still_writes_the_draft(tmp_path):
    project = copy_case(tmp_path)
    result = run_email("--audience", "minister", "--to", "a@example.org", "--format", "pdf", "--max-size", "1KB",
                       cwd=project)
    assert result.returncode == 0, result.stderr
    size = (project / "out" / f"{SLUG_DATE}.pdf").stat().st_size
    assert result.stderr == (f"warning: the attachments total {size / 1024:.1f} KB ({size:,} bytes), more than "
                             "--max-size 1KB; many mail gateways refuse messages that large, and encoding for email "
                             "adds about a third\n")
    assert (project / DRAFT).is_file()
    quiet = run_email("--audience", "minister", "--to", "a@example.org", "--format", "pdf", cwd=project)
    assert quiet.returncode == 0 and "warning" not in quiet.stderr


def test_reuses_up_to_date_outputs_and_rebuilds_after_a_change(tmp_path):
    project = copy_case(tmp_path)
    (project / "templates").mkdir()
    (project / "templates" / "notes.txt").write_text("not a template, but in the template folder\n")
    args = ("--audience", "minister", "--to", "a@example.org", "--format", "pdf,html", "--templates", "templates")
    first = run_email(*args, cwd=project)
    assert first.returncode == 0, first.stderr
    pdf, html = project / "out" / f"{SLUG_DATE}.pdf", project / "out" / f"{SLUG_DATE}.html"
    stamps = (pdf.stat().st_mtime_ns, html.stat().st_mtime_ns)
    draft = (project / DRAFT).read_bytes()

    second = run_email(*args, cwd=project)
    assert second.returncode == 0, second.stderr
    assert (pdf.stat().st_mtime_ns, html.stat().st_mtime_ns) == stamps
    assert f"reused out/{SLUG_DATE}.pdf (up to date)" in second.stdout
    assert (project / DRAFT).read_bytes() == draft

    # A file touched but not changed is no reason to rebuild: reuse goes by content (build_cache.py).
    os.utime(project / "facts" / "events.yaml")
    touched = run_email(*args, cwd=project)
    assert f"reused out/{SLUG_DATE}.pdf (up to date)" in touched.stdout
    # A change to a fact file, a source or a file in the template folder rebuilds; then it is reused again.
    for changed in (project / "facts" / "events.yaml", project / "seeds" / "centre-2020.txt",
                    project / "templates" / "notes.txt"):
        changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        again = run_email(*args, cwd=project)
        assert again.returncode == 0, again.stderr
        assert f"wrote out/{SLUG_DATE}.pdf" in again.stdout, changed
        assert pdf.stat().st_mtime_ns != stamps[0] and html.stat().st_mtime_ns != stamps[1], changed
        stamps = (pdf.stat().st_mtime_ns, html.stat().st_mtime_ns)
        unchanged = run_email(*args, cwd=project)
        assert f"reused out/{SLUG_DATE}.pdf (up to date)" in unchanged.stdout, changed


def test_a_change_to_the_shipped_templates_rebuilds(tmp_path, monkeypatch):
    import briefgen.shipped
    import briefgen.template_folders
    from briefgen.cli import load_checked, locate
    from briefgen.mailer import ensure_outputs

    project = copy_case(tmp_path)
    shipped = tmp_path / "shipped"
    shutil.copytree(briefgen.shipped.TEMPLATES, shipped)
    monkeypatch.setattr(briefgen.template_folders, "SHIPPED_TEMPLATES", shipped)  # what the build renders with
    monkeypatch.chdir(project)
    base, _ = load_checked(locate(project))
    built, reused = [], []
    [path] = ensure_outputs(base, "press", ["html"], Path("out"), None, on_written=built.append,
                            on_reused=reused.append, jobs=1)
    assert len(built) == 1 and not reused
    ensure_outputs(base, "press", ["html"], Path("out"), None, on_written=built.append, on_reused=reused.append)
    assert len(built) == 1 and reused == [path]
    css = shipped / "briefing.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nh1 { letter-spacing: 0.01em; }\n", encoding="utf-8")
    ensure_outputs(base, "press", ["html"], Path("out"), None, on_written=built.append, on_reused=reused.append)
    assert len(built) == 2


@pytest.mark.parametrize("args, message", [
    (("--audience", "cabinet", "--to", "a@example.org"), "unknown audience 'cabinet'; choose from: minister"),
    (("--audience", "press", "--to", "a@example.org", "--format", "odt"), "unknown format 'odt'"),
    (("--audience", "press", "--to", "not an address"), "'not an address' is not an email address"),
    (("--audience", "press", "--to", "a@example.org\r\nBcc: spy@example.org"), "contains a line break"),
    (("--audience", "press", "--to", "a@example.org", "--cc", "c@"), "'c@' is not an email address"),
    (("--audience", "press", "--to", "a@example.org", "--max-size", "ten"), "'ten' is not a size"),
    (("--audience", "press",), "Missing option '--to'"),
    (("--audience", "press", "--to", "a@example.org", "--config", "missing.toml"), "missing.toml"),
])
def test_usage_errors_exit_2_before_building(tmp_path, args, message):
    project = copy_case(tmp_path)
    result = run_email(*args, cwd=project)
    assert result.returncode == 2, result.stderr
    assert message in " ".join(result.stderr.replace("│", " ").split()), result.stderr
    assert not (project / "out").exists()


# --------------------------------------------------------------------------- sending


class Capture:
    """aiosmtpd handler: keeps every envelope; refuses recipients called nobody@…"""

    def __init__(self):
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 (no TLS); AUTH accepts user "briefer" with PASSWORD."""
    controller_module = pytest.importorskip("aiosmtpd.controller")
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"briefer" \
            and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)

    handler = Capture()
    controller = controller_module.Controller(handler, hostname="127.0.0.1", port=free_port(),
                                              authenticator=authenticator, auth_require_tls=False)
    controller.start()
    try:
        yield {"handler": handler, "port": controller.port,
               "env": {"BRIEFGEN_SMTP_HOST": "127.0.0.1", "BRIEFGEN_SMTP_PORT": str(controller.port),
                       "BRIEFGEN_SMTP_STARTTLS": "false"}}
    finally:
        controller.stop()


def test_send_delivers_the_draft(tmp_path, smtp_server):
    project = copy_case(tmp_path)
    result = run_email("--audience", "minister", "--to", "a@example.org", "--cc", "Cee <c@example.org>",
                       "--format", "pdf", "--send", cwd=project,
                       env={**smtp_server["env"], "BRIEFGEN_SMTP_FROM": "Briefing Unit <briefs@example.gov.uk>"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"sent to a@example.org, c@example.org via 127.0.0.1:{smtp_server['port']}"
    [envelope] = smtp_server["handler"].envelopes
    assert envelope.mail_from == "briefs@example.gov.uk"
    assert envelope.rcpt_tos == ["a@example.org", "c@example.org"]
    received = parse(envelope.original_content)
    assert received["Subject"] == "OFFICIAL: Border centre \u2014 minister briefing"
    assert received["From"].addresses[0].display_name == "Briefing Unit"
    assert "X-Unsent" not in received  # only in the file, for Outlook
    found = attachments(received)
    assert found == {f"{SLUG_DATE}.pdf": (PDF_TYPE, (project / "out" / f"{SLUG_DATE}.pdf").read_bytes())}
    # What was sent is the draft, byte for byte, less its X-Unsent line.
    draft = (project / DRAFT).read_bytes()
    assert draft == b"X-Unsent: 1\r\n" + envelope.original_content


def test_send_with_login_never_shows_the_password(tmp_path, smtp_server):
    project = copy_case(tmp_path)
    env = {**smtp_server["env"], "BRIEFGEN_SMTP_USER": "briefer", "BRIEFGEN_SMTP_PASSWORD": PASSWORD}
    args = ("--audience", "press", "--to", "a@example.org", "--format", "html", "--send")
    result = run_email(*args, cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert "sent to a@example.org via" in result.stdout
    assert "the password goes to 127.0.0.1" in result.stderr and "unencrypted" in result.stderr
    assert len(smtp_server["handler"].envelopes) == 1

    wrong = run_email(*args, cwd=project, env={**env, "BRIEFGEN_SMTP_PASSWORD": PASSWORD + "-wrong"})
    assert wrong.returncode == 1
    assert f"could not send: 127.0.0.1:{smtp_server['port']} refused the login (535 " in wrong.stderr
    assert "; the draft is kept at out/border-centre_press_2020-03-10.eml" in wrong.stderr
    for output in (result.stdout, result.stderr, wrong.stdout, wrong.stderr):
        assert PASSWORD not in output and "briefer" not in output  # nor the user name
    assert len(smtp_server["handler"].envelopes) == 1


def test_refused_connection_keeps_the_draft(tmp_path):
    project = copy_case(tmp_path)
    port = free_port()  # nothing listens here
    result = run_email("--audience", "minister", "--to", "a@example.org", "--format", "html", "--send", cwd=project,
                       env={"BRIEFGEN_SMTP_HOST": "127.0.0.1", "BRIEFGEN_SMTP_PORT": str(port),
                            "BRIEFGEN_SMTP_USER": "someone", "BRIEFGEN_SMTP_PASSWORD": PASSWORD})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"could not send: connection to 127.0.0.1:{port} refused; the draft is kept at {DRAFT}",
        "failed: 1 error"]
    assert f"wrote {DRAFT} (1 attachment, " in result.stdout
    assert parse((project / DRAFT).read_bytes())["To"] == "a@example.org"
    assert PASSWORD not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_refused_recipients(tmp_path, smtp_server):
    project = copy_case(tmp_path)
    every = run_email("--audience", "press", "--to", "nobody@example.org", "--format", "html", "--send",
                      cwd=project, env=smtp_server["env"])
    assert every.returncode == 1
    assert ("could not send: the server refused every recipient: nobody@example.org (550 5.1.1 no such mailbox); "
            "the draft is kept at out/border-centre_press_2020-03-10.eml") in every.stderr
    assert smtp_server["handler"].envelopes == []

    some = run_email("--audience", "press", "--to", "a@example.org", "--cc", "nobody@example.org", "--format",
                     "html", "--send", cwd=project, env=smtp_server["env"])
    assert some.returncode == 1
    assert f"sent to a@example.org via 127.0.0.1:{smtp_server['port']}" in some.stdout
    assert "could not send to nobody@example.org (550 5.1.1 no such mailbox); the others have it" in some.stderr
    assert [e.rcpt_tos for e in smtp_server["handler"].envelopes] == [["a@example.org"]]


def test_send_without_a_server_fails_before_building(tmp_path):
    project = copy_case(tmp_path)
    result = run_email("--audience", "press", "--to", "a@example.org", "--send", cwd=project)
    assert result.returncode == 1
    assert "--send needs an SMTP server: set BRIEFGEN_SMTP_HOST or host in the [smtp] table" in result.stderr
    assert not (project / "out").exists()


def test_silent_server_times_out(checked):
    from briefgen.errors import BriefgenError
    from briefgen.mailer import SmtpSettings, build_message, send_message

    base, files = checked
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held = []
    thread = threading.Thread(target=lambda: held.append(listener.accept()), daemon=True)
    thread.start()  # accepts, then never says a word
    try:
        settings = SmtpSettings(host="127.0.0.1", port=listener.getsockname()[1], starttls=False)
        with pytest.raises(BriefgenError, match=r"could not send: 127\.0\.0\.1:\d+ did not answer within 0\.5 s$"):
            send_message(build_message(base, "press", files, ["a@example.org"]), settings, timeout=0.5)
    finally:
        thread.join(5)
        for connection, _ in held:
            connection.close()
        listener.close()


def test_starttls_required_but_not_offered(checked, smtp_server):
    from briefgen.errors import BriefgenError
    from briefgen.mailer import SmtpSettings, build_message, send_message

    base, files = checked
    settings = SmtpSettings(host="127.0.0.1", port=smtp_server["port"])  # STARTTLS on by default
    with pytest.raises(BriefgenError, match=r"does not offer STARTTLS; .* set BRIEFGEN_SMTP_STARTTLS=false"):
        send_message(build_message(base, "press", files, ["a@example.org"]), settings)


# --------------------------------------------------------------------------- settings: environment and --config


def test_config_file_with_environment_overrides(tmp_path, smtp_server):
    project = copy_case(tmp_path)
    config = project / "mail.toml"
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {free_port()}\nstarttls = false\n'
                      f'from = "Desk <desk@example.gov.uk>"\nuser = "briefer"\npassword = "{PASSWORD}"\n')
    config.chmod(0o600)
    # The file's port has nothing behind it; the environment's port points at the test server.
    result = run_email("--audience", "press", "--to", "a@example.org", "--format", "html", "--send", "--config",
                       "mail.toml", cwd=project, env={"BRIEFGEN_SMTP_PORT": str(smtp_server["port"])})
    assert result.returncode == 0, result.stderr
    [envelope] = smtp_server["handler"].envelopes
    assert envelope.mail_from == "desk@example.gov.uk"
    assert parse((project / "out" / "border-centre_press_2020-03-10.eml").read_bytes())["From"] == \
        "Desk <desk@example.gov.uk>"
    assert PASSWORD not in result.stdout + result.stderr


@pytest.mark.parametrize("text, environ, message", [
    ('[smtp]\nhots = "x"\n', {}, "mail.toml: unknown key smtp.hots; allowed: host, port, starttls, user, password"),
    ('[smtp]\nport = "587"\n', {}, "mail.toml: smtp.port must be a whole number"),
    ('[smtp]\nstarttls = "no"\n', {}, "mail.toml: smtp.starttls must be true or false"),
    ('[mail]\nhost = "x"\n', {}, "mail.toml: no [smtp] table"),
    ('[smtp\n', {}, "mail.toml: not valid TOML: "),
    ('[smtp]\nuser = "u"\n', {}, "mail.toml: smtp.user is set but there is no password"),
    ("", {"BRIEFGEN_SMTP_PORT": "smtp"}, "BRIEFGEN_SMTP_PORT: 'smtp' is not a port number"),
    ("", {"BRIEFGEN_SMTP_STARTTLS": "perhaps"}, "BRIEFGEN_SMTP_STARTTLS: 'perhaps' is not yes or no"),
    ("", {"BRIEFGEN_SMTP_FROM": "nobody"}, "BRIEFGEN_SMTP_FROM: 'nobody' is not an email address"),
    ("", {"BRIEFGEN_SMTP_FROM": "a@example.org, b@example.org"}, "BRIEFGEN_SMTP_FROM: give one sender address, not 2"),
])
def test_bad_settings(tmp_path, monkeypatch, text, environ, message):
    from briefgen.errors import BriefgenError
    from briefgen.mailer import load_smtp_settings

    monkeypatch.chdir(tmp_path)
    config = None
    if text:
        config = Path("mail.toml")
        config.write_text(text)
    with pytest.raises(BriefgenError) as caught:
        load_smtp_settings(config, environ)
    assert message in str(caught.value)


def test_settings_defaults_precedence_and_password_hidden(tmp_path, monkeypatch):
    from briefgen.mailer import load_smtp_settings

    monkeypatch.chdir(tmp_path)
    defaults, warnings = load_smtp_settings(None, {})
    assert (defaults.host, defaults.port, defaults.starttls, defaults.user, defaults.sender) == \
        (None, 587, True, None, "briefgen@localhost")
    Path("mail.toml").write_text(f'[smtp]\nhost = "file.example"\nport = 2525\nuser = "u"\npassword = "{PASSWORD}"\n')
    Path("mail.toml").chmod(0o644)
    settings, warnings = load_smtp_settings(Path("mail.toml"), {"BRIEFGEN_SMTP_HOST": "env.example",
                                                                "BRIEFGEN_SMTP_STARTTLS": "no"})
    assert (settings.host, settings.port, settings.starttls, settings.user) == ("env.example", 2525, False, "u")
    assert warnings == ["warning: mail.toml holds a password and others can read it; chmod 600 mail.toml"]
    assert PASSWORD not in repr(settings)
