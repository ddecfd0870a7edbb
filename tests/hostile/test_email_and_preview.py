"""Email and preview under hostile input: a total SMTP deadline, replies without credentials,
internationalised addresses, display names that try to add headers, and a preview server that answers
only to its own name and never hands out .eml drafts."""

from __future__ import annotations

import base64
import http.client
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from briefgen.errors import BriefgenError

from conftest import CASES, run_cli


@pytest.fixture
def project(tmp_path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(CASES / "good" / "facts", project / "facts")
    shutil.copytree(CASES / "_seeds", project / "seeds")
    return project


@pytest.fixture
def message(project, monkeypatch):
    from briefgen.cli import load_checked, locate
    from briefgen.mailer import build_message

    monkeypatch.chdir(project)
    base, _ = load_checked(locate(project))
    (project / "b.html").write_bytes(b"<p>x</p>")

    def make(to=("a@example.org",)):
        return build_message(base, "press", [project / "b.html"], list(to))
    return make


class FakeSmtp:
    """One scripted SMTP conversation on 127.0.0.1: `trickle` sends the greeting a byte at a time forever;
    `echo_auth` refuses AUTH quoting the line the client sent; `smtputf8` offers the extension."""

    def __init__(self, trickle: float = 0.0, echo_auth: bool = False, smtputf8: bool = False):
        self.trickle, self.echo_auth, self.smtputf8 = trickle, echo_auth, smtputf8
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.port = self.listener.getsockname()[1]
        self.mail_from: list[bytes] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            connection, _ = self.listener.accept()
        except OSError:
            return
        with connection:
            try:
                self._talk(connection)
            except OSError:
                pass

    def _talk(self, connection: socket.socket) -> None:
        if self.trickle:
            connection.sendall(b"220")
            while not self.stop.is_set():
                connection.sendall(b"-")  # never a line end: a client reading per line waits for ever
                time.sleep(self.trickle)
            return
        connection.sendall(b"220 fake ESMTP\r\n")
        stream = connection.makefile("rb")
        while True:
            line = stream.readline()
            if not line:
                return
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb == b"EHLO":
                connection.sendall(b"250-fake\r\n250-AUTH PLAIN LOGIN\r\n" + (b"250-SMTPUTF8\r\n" if self.smtputf8
                                                                           else b"") + b"250 8BITMIME\r\n")
            elif verb == b"AUTH":
                if self.echo_auth:
                    connection.sendall(b"535 5.7.8 bad credentials in " + line.strip() + b"\r\n")
                else:
                    connection.sendall(b"235 ok\r\n")
            elif verb == b"MAIL":
                self.mail_from.append(line.strip())
                connection.sendall(b"250 ok\r\n")
            elif verb == b"RCPT":
                connection.sendall(b"250 ok\r\n")
            elif verb == b"DATA":
                connection.sendall(b"354 go on\r\n")
                while stream.readline() not in (b".\r\n", b""):
                    pass
                connection.sendall(b"250 queued\r\n")
            elif verb == b"QUIT":
                connection.sendall(b"221 bye\r\n")
                return
            else:
                connection.sendall(b"502 no\r\n")

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        self.thread.join(5)


@pytest.fixture
def fake():
    servers = []

    def start(**kwargs) -> FakeSmtp:
        servers.append(FakeSmtp(**kwargs))
        return servers[-1]
    yield start
    for server in servers:
        server.close()


# --------------------------------------------------------------------------- the SMTP deadline


def test_a_trickling_server_is_cut_off_at_the_total_deadline(message, fake):
    from briefgen.mailer import SmtpSettings, send_message

    server = fake(trickle=0.1)  # a byte every 0.1 s: no single read ever waits the 0.5 s timeout
    settings = SmtpSettings(host="127.0.0.1", port=server.port, starttls=False)
    started = time.monotonic()
    with pytest.raises(BriefgenError) as caught:
        send_message(message(), settings, timeout=0.5, deadline=1.5)
    elapsed = time.monotonic() - started
    assert str(caught.value) == (f"could not send: 127.0.0.1:{server.port} did not finish within 1.5 s (the longest "
                                 "a send may take; BRIEFGEN_SMTP_DEADLINE changes it)")
    assert 1.4 < elapsed < 4


def test_the_deadline_comes_from_the_environment(monkeypatch):
    from briefgen import mailer

    assert mailer.SMTP_DEADLINE == 60.0
    assert mailer.smtp_deadline({}) == 60.0
    assert mailer.smtp_deadline({"BRIEFGEN_SMTP_DEADLINE": "2.5"}) == 2.5
    with pytest.raises(BriefgenError, match=r"^BRIEFGEN_SMTP_DEADLINE: 'soon' is not a number of seconds "
                                            r"\(more than 0\)$"):
        mailer.smtp_deadline({"BRIEFGEN_SMTP_DEADLINE": "soon"})


def test_deadline_on_the_command_line(project, fake):
    server = fake(trickle=0.1)
    started = time.monotonic()
    result = run_cli("email", "--audience", "press", "--to", "a@example.org", "--format", "html", "--send",
                     cwd=project, env={"BRIEFGEN_SMTP_HOST": "127.0.0.1", "BRIEFGEN_SMTP_PORT": str(server.port),
                                       "BRIEFGEN_SMTP_STARTTLS": "false", "BRIEFGEN_SMTP_DEADLINE": "2"})
    assert result.returncode == 1, result.stderr
    assert (f"could not send: 127.0.0.1:{server.port} did not finish within 2 s (the longest a send may take; "
            "BRIEFGEN_SMTP_DEADLINE changes it); the draft is kept at out/") in result.stderr
    assert time.monotonic() - started < 120


# --------------------------------------------------------------------------- credentials in replies


def test_an_echoed_auth_line_does_not_show_the_user_name_or_password(message, fake):
    from briefgen.mailer import SmtpSettings, send_message

    server = fake(echo_auth=True)
    settings = SmtpSettings(host="127.0.0.1", port=server.port, starttls=False, user="desk@example.gov.uk",
                            password="pa55-w0rd-secret")
    with pytest.raises(BriefgenError) as caught:
        send_message(message(), settings, timeout=5, deadline=10)
    text = str(caught.value)
    for secret in ("desk@example.gov.uk", "pa55-w0rd-secret", base64.b64encode(b"desk@example.gov.uk").decode(),
                   base64.b64encode(b"\0desk@example.gov.uk\0pa55-w0rd-secret").decode()):
        assert secret not in text
    assert text.startswith(f"could not send: 127.0.0.1:{server.port} refused the login (535 5.7.8 bad credentials "
                           "in AUTH LOGIN ***); check BRIEFGEN_SMTP_USER"), text  # LOGIN sends base64(user)


@pytest.mark.parametrize("user, password", [("briefer", "s3cret"), ("desk@example.gov.uk", "p\u00e4ss-word")])
def test_redact_finds_credentials_in_any_base64_token(user, password):
    from briefgen.mailer import SmtpSettings, redact

    settings = SmtpSettings(user=user, password=password)
    tokens = [base64.b64encode(raw.encode()).decode() for raw in
              (user, password, f"\0{user}\0{password}", f"{user} 0123456789abcdef0123456789abcdef")]
    text = redact("535 " + " ".join(tokens) + f" {user} {password}", settings)
    assert text == "535 " + " ".join(["***"] * 6)


# --------------------------------------------------------------------------- addresses


def test_non_ascii_domain_becomes_idna():
    from briefgen.mailer import parse_addresses

    assert parse_addresses(["J\u00f6rg <joerg@b\u00fccher.example>", "x@\u00fc.de"], "--to") == \
        ["J\u00f6rg <joerg@xn--bcher-kva.example>", "x@xn--tda.de"]


@pytest.mark.parametrize("value, message", [
    ("\"Evil <spy@example.org>\" <a@example.org>",
     "the display name 'Evil <spy@example.org>' contains '<' or '>'; give the name and one address"),
    ("Name\u2028Bcc: spy@example.org <a@example.org>", "contains a line break"),
    ("Name\u2029 <a@example.org>", "contains a line break"),
    ("Name\u0085 <a@example.org>", "contains a line break"),
    ("Name\rBcc: x <a@example.org>", "contains a line break"),
    ("Na\u202eme <a@example.org>", "contains a control or invisible character"),
    ("j\u00f6rg@example.org", "has non-ASCII characters before the @, which only a server offering SMTPUTF8 "
                              "accepts; send it with --send, or use an ASCII address"),
])
def test_address_usage_errors_exit_2(project, value, message):
    result = run_cli("email", "--audience", "press", "--to", value, cwd=project)
    assert result.returncode == 2, result.stderr
    assert message in " ".join(result.stderr.replace("\u2502", " ").split()), result.stderr
    assert not (project / "out").exists()


def test_non_ascii_local_part_without_smtputf8_is_a_usage_error(project, fake):
    server = fake(smtputf8=False)
    result = run_cli("email", "--audience", "press", "--to", "j\u00f6rg@example.org", "--format", "html", "--send",
                     cwd=project, env={"BRIEFGEN_SMTP_HOST": "127.0.0.1", "BRIEFGEN_SMTP_PORT": str(server.port),
                                       "BRIEFGEN_SMTP_STARTTLS": "false"})
    assert result.returncode == 2, result.stderr
    assert (f"127.0.0.1:{server.port} does not offer SMTPUTF8, which an address with non-ASCII characters before "
            "the @ needs; use an ASCII address") in " ".join(result.stderr.replace("\u2502", " ").split())
    assert server.mail_from == []


def test_non_ascii_local_part_with_smtputf8_is_sent(message, fake):
    from briefgen.mailer import SmtpSettings, send_message

    server = fake(smtputf8=True)
    settings = SmtpSettings(host="127.0.0.1", port=server.port, starttls=False)
    result = send_message(message(["j\u00f6rg@xn--bcher-kva.example"]), settings, timeout=5, deadline=10)
    assert result.accepted == ["j\u00f6rg@xn--bcher-kva.example"]
    assert server.mail_from and server.mail_from[0].endswith(b"SMTPUTF8")


# --------------------------------------------------------------------------- the preview server


@pytest.fixture
def preview(tmp_path):
    from briefgen.authoring import PreviewServer

    out = tmp_path / "out"
    out.mkdir()
    (out / "b.html").write_text("<body>briefing</body>", encoding="utf-8")
    (out / "b.eml").write_text("To: minister@example.org\r\n", encoding="utf-8")
    (out / "C.EML").write_text("To: minister@example.org\r\n", encoding="utf-8")
    server = PreviewServer(out, 0)
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def request(server, path: str, host: str | None, method: str = "GET") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    if host is not None:
        connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_preview_answers_to_its_own_name(preview, host):
    status, body = request(preview, "/b.html", host.format(port=preview.port))
    assert status == 200 and b"briefing" in body


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1", "localhost",
                                  "127.0.0.1:1", "192.168.1.5:{port}", "", None])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_preview_refuses_other_hosts(preview, host, method):
    status, body = request(preview, "/b.html", None if host is None else host.format(port=preview.port), method)
    assert status == 403
    assert b"briefing" not in body


@pytest.mark.parametrize("path", ["/b.eml", "/C.EML", "/b%2Eeml", "/./b.eml", "/b.eml?x=1"])
def test_preview_never_serves_eml(preview, path):
    status, body = request(preview, path, f"127.0.0.1:{preview.port}")
    assert status == 404
    assert b"minister@example.org" not in body


def test_preview_listing_leaves_out_eml(preview):
    status, body = request(preview, "/", f"127.0.0.1:{preview.port}")
    assert status == 200
    assert b"b.html" in body and b".eml" not in body.lower()
