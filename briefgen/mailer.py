"""Email stage: a checked briefing + recipients → an .eml draft, optionally sent by SMTP.

In: one audience, its recipients (To, Cc), the formats to attach, the usual
facts/seeds/templates/out folders, and SMTP settings from the environment
(``BRIEFGEN_SMTP_*``) or a ``--config`` TOML file's ``[smtp]`` table. Out:
the outputs in the out folder (built only when missing or older than a fact,
seed or template file), ``<slug>_<audience>_<date>.eml`` beside them (an
RFC 5322 message with CRLF line ends, a plain-text body with an HTML
alternative, the outputs attached), and with ``--send`` the same message
delivered over SMTP. The draft is the same bytes for the same inputs: its
Date comes from the briefing date (or SOURCE_DATE_EPOCH), its Message-ID
and MIME boundaries from a hash of its content.

Credentials never come from the command line and are never printed, not even
in errors: a failed send is a `BriefgenError` that names the server and keeps
the draft on disk; a server reply quoted in an error has the user name and
password removed, in clear or base64 (a server may echo the AUTH line).

A send has a total deadline, `SMTP_DEADLINE` seconds (60; BRIEFGEN_SMTP_DEADLINE
overrides it), besides the per-reply `SMTP_TIMEOUT`: a server that trickles one
byte every few seconds cannot hold the command longer than that.

Addresses: a non-ASCII domain is sent as IDNA (xn--…); a non-ASCII local part
("jörg@…") needs a server that offers SMTPUTF8, so it is a usage error without
--send and when the server does not offer it. A display name holding "<…>",
a line break or a line separator is a usage error (header injection).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import os
import re
import smtplib
import socket
import ssl
import textwrap
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime, getaddresses
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .errors import BriefgenError, display_path

if TYPE_CHECKING:
    from .model import FactBase

MIME_TYPES = {
    ".pdf": ("application", "pdf"),
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".html": ("text", "html"),
}
FORMAT_NAMES = {".pdf": "PDF", ".docx": "Word", ".html": "HTML"}
DEFAULT_FROM = "briefgen@localhost"
DEFAULT_PORT = 587
DEFAULT_MAX_SIZE = "10MB"
SMTP_TIMEOUT = 30.0
SMTP_DEADLINE = 60.0  # the whole exchange, from connecting to QUIT; BRIEFGEN_SMTP_DEADLINE overrides it
MESSAGE_ID_DOMAIN = "briefgen.invalid"  # RFC 6761: never a real domain, so no clash with real Message-IDs

ENV_VARS = {"host": "BRIEFGEN_SMTP_HOST", "port": "BRIEFGEN_SMTP_PORT", "starttls": "BRIEFGEN_SMTP_STARTTLS",
            "user": "BRIEFGEN_SMTP_USER", "password": "BRIEFGEN_SMTP_PASSWORD", "from": "BRIEFGEN_SMTP_FROM"}
CONFIG_TYPES = {"host": str, "port": int, "starttls": bool, "user": str, "password": str, "from": str}
_UNITS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


# --------------------------------------------------------------------------- settings


@dataclass
class SmtpSettings:
    host: str | None = None
    port: int = DEFAULT_PORT
    starttls: bool = True
    user: str | None = None
    password: str | None = field(default=None, repr=False)  # repr=False: a stray print never shows it
    sender: str = DEFAULT_FROM

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def parse_size(text: str) -> int:
    """"10MB", "500KB", "1.5M", "2000000" → bytes. K, M and G are powers of 1024, as mail servers count them."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:([kmg])i?b?|b)?\s*", text, re.I)
    if not match:
        raise typer.BadParameter(f"{text!r} is not a size; write it like 10MB, 500KB or 2000000 (bytes)",
                                 param_hint="'--max-size'")
    size = int(float(match.group(1)) * _UNITS[(match.group(2) or "").lower()])
    if size <= 0:
        raise typer.BadParameter("must be more than 0 bytes", param_hint="'--max-size'")
    return size


def human_size(size: int) -> str:
    """Bytes → "512 bytes", "48.2 KB", "12.0 MB" (powers of 1024, like parse_size)."""
    if size < 1024:
        return f"{size} bytes"
    value, unit = size / 1024, "KB"
    for bigger in ("MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.1f} {unit}"


# Line breaks and separators of every kind: any of them could start a header line of its own somewhere.
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def _ascii_domain(domain: str, value: str, option: str) -> str:
    """A domain as SMTP sends it: non-ASCII labels in IDNA ("bücher.example" → "xn--bcher-kva.example")."""
    if domain.isascii():
        return domain
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise typer.BadParameter(f"{value!r}: the domain {domain!r} is not a valid internationalised domain name",
                                 param_hint=f"'{option}'") from None


def needs_smtputf8(address: str) -> bool:
    """True when an address (as parse_addresses returns it) has a non-ASCII local part."""
    return not address.isascii()


def parse_addresses(values: list[str], option: str) -> list[str]:
    """Each --to/--cc value (one address, or several separated by commas) → checked addresses.

    Domains come back in IDNA; a non-ASCII local part is kept (see `needs_smtputf8`).
    """
    addresses = []
    for value in values:
        # A CR, LF or Unicode line separator would let a value add header lines of its own (header injection).
        if _LINE_BREAKS.search(value):
            raise typer.BadParameter(f"{value!r} contains a line break", param_hint=f"'{option}'")
        if _UNPRINTABLE.search(value):
            raise typer.BadParameter(f"{value!r} contains a control or invisible character",
                                     param_hint=f"'{option}'")
        parsed = [(name, addr) for name, addr in getaddresses([value]) if name or addr]
        bad = not parsed or any(not re.fullmatch(r"[^@\s<>,;]+@[^@\s<>,;]+", addr) for _, addr in parsed)
        if bad:
            raise typer.BadParameter(f"{value!r} is not an email address", param_hint=f"'{option}'")
        for name, addr in parsed:
            if "<" in name or ">" in name:
                raise typer.BadParameter(f"{value!r}: the display name {name!r} contains '<' or '>'; give the "
                                         "name and one address, as Name <user@example.org>",
                                         param_hint=f"'{option}'")
            local, _, domain = addr.rpartition("@")
            addr = f"{local}@{_ascii_domain(domain, value, option)}"
            addresses.append(str(Address(display_name=name, addr_spec=addr)) if local.isascii()
                             else (f"{name} <{addr}>" if name else addr))
    return addresses


def _parse_bool(value: str, source: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise BriefgenError(f"{source}: {value!r} is not yes or no (use true/false, yes/no, on/off or 1/0)")


def load_smtp_settings(config: Path | None, environ: Mapping[str, str]) -> tuple[SmtpSettings, list[str]]:
    """Settings from the --config file's [smtp] table, overridden by BRIEFGEN_SMTP_* variables.

    Returns the settings and warnings. The environment wins so one run can override a shared file,
    as git and most mail tools do. Raises BriefgenError for a bad file or value; no message ever
    contains the password.
    """
    raw: dict[str, object] = {}
    source: dict[str, str] = {}
    warnings: list[str] = []
    if config is not None:
        where = display_path(config)
        try:
            import tomllib
        except ImportError:  # Python 3.10
            try:
                import tomli as tomllib  # type: ignore[no-redef]
            except ImportError:
                raise BriefgenError(f"{where}: reading a config file needs Python 3.11 or the tomli package") \
                    from None
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8"))
        except OSError as exc:
            raise BriefgenError(f"{where}: cannot read: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise BriefgenError(f"{where}: not UTF-8 text") from None
        except tomllib.TOMLDecodeError as exc:
            # tomllib's messages give a line and column, never the text there, so no secret leaks.
            raise BriefgenError(f"{where}: not valid TOML: {exc}") from None
        table = data.get("smtp")
        if not isinstance(table, dict):
            raise BriefgenError(f"{where}: no [smtp] table (keys: {', '.join(CONFIG_TYPES)})")
        unknown = sorted(set(table) - set(CONFIG_TYPES))
        if unknown:
            raise BriefgenError(f"{where}: unknown key{'s' if len(unknown) > 1 else ''} "
                                f"{', '.join(f'smtp.{k}' for k in unknown)}; allowed: {', '.join(CONFIG_TYPES)}")
        for key, value in table.items():
            wanted = CONFIG_TYPES[key]
            # bool is an int in Python; a port of `true` is still a mistake.
            if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
                raise BriefgenError(f"{where}: smtp.{key} must be {_type_word(wanted)}")
            raw[key] = value
            source[key] = f"{where}: smtp.{key}"
        if "password" in table and os.name == "posix" and config.stat().st_mode & 0o077:
            warnings.append(f"warning: {where} holds a password and others can read it; chmod 600 {where}")
    for key, var in ENV_VARS.items():
        if environ.get(var):
            raw[key] = environ[var]
            source[key] = var

    settings = SmtpSettings()
    if raw.get("host"):
        settings.host = str(raw["host"]).strip()
    if "port" in raw:
        try:
            settings.port = int(raw["port"])  # type: ignore[call-overload]
        except ValueError:
            settings.port = 0
        if not 0 < settings.port < 65536:
            raise BriefgenError(f"{source['port']}: {raw['port']!r} is not a port number (1–65535)")
    if "starttls" in raw:
        value = raw["starttls"]
        settings.starttls = value if isinstance(value, bool) else _parse_bool(str(value), source["starttls"])
    settings.user = str(raw["user"]) if raw.get("user") else None
    settings.password = str(raw["password"]) if raw.get("password") else None
    if raw.get("from"):
        value = str(raw["from"])
        try:
            senders = parse_addresses([value], "from")
        except typer.BadParameter:
            raise BriefgenError(f"{source['from']}: {value!r} is not an email address") from None
        if len(senders) != 1:
            raise BriefgenError(f"{source['from']}: give one sender address, not {len(senders)}")
        settings.sender = senders[0]
    if settings.user and not settings.password:
        raise BriefgenError(f"{source['user']} is set but there is no password "
                            f"({ENV_VARS['password']} or password in the [smtp] table of --config)")
    return settings, warnings


def _type_word(kind: type) -> str:
    return {str: "a string", int: "a whole number", bool: "true or false"}[kind]


# --------------------------------------------------------------------------- up-to-date outputs


def _newest_mtime(folders: list[Path]) -> int:
    newest = 0
    for folder in folders:
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file():
                    newest = max(newest, path.stat().st_mtime_ns)
    return newest


def ensure_outputs(base: FactBase, audience: str, formats: list[str], out_dir: Path, templates: Path | None,
                   on_written: Callable | None = None, on_reused: Callable[[Path], None] | None = None,
                   jobs: int = 0) -> list[Path]:
    """The output path of each format, building only those missing or older than any input.

    Inputs are every file under the facts, seeds and template folders (the user's and the shipped
    one): the same make-style rule a reader would apply by looking at the dates.
    """
    from .build import build as run_build
    from .build import output_name
    from .render import SHIPPED_TEMPLATES

    folders = [base.facts_dir, base.seeds_dir, SHIPPED_TEMPLATES] + ([templates] if templates else [])
    newest = _newest_mtime(folders)
    paths = [out_dir / output_name(base, audience, fmt) for fmt in formats]
    stale = [fmt for fmt, path in zip(formats, paths) if not path.is_file() or path.stat().st_mtime_ns <= newest]
    for fmt, path in zip(formats, paths):
        if fmt not in stale and on_reused:
            on_reused(path)
    if stale:
        run_build(base, [audience], stale, out_dir, templates, jobs=jobs, on_written=on_written)
    return paths


# --------------------------------------------------------------------------- the message


def eml_name(base: FactBase, audience: str) -> str:
    """Named like the outputs it carries (see build.output_name)."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", f"{base.slug}_{audience}_{base.briefing.date.iso()}.eml")


def message_date(base: FactBase, environ: Mapping[str, str] | None = None) -> dt.datetime:
    """SOURCE_DATE_EPOCH if set (reproducible-builds.org), else noon UTC on the briefing date.

    Noon, not midnight: every time zone from UTC-11 to UTC+11 then shows the briefing's own date.
    """
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise BriefgenError(f"SOURCE_DATE_EPOCH: {epoch!r} is not a number of seconds since 1970")
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    day = base.briefing.date.earliest
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)


def audience_label(audience: str) -> str:
    return f"{audience} briefing"


def _key_lines(base: FactBase) -> tuple[str, list[str]]:
    briefing = base.briefing
    if briefing.top_lines:
        return "Top lines", list(briefing.top_lines)
    if briefing.summary:
        return "Summary", [briefing.summary]
    return "", []


def _plain_body(base: FactBase, audience: str, attachments: list[tuple[str, str, bytes]]) -> str:
    from .housestyle import HouseStyle

    briefing = base.briefing
    heading, lines = _key_lines(base)
    wrap = textwrap.TextWrapper(width=72, break_long_words=False, break_on_hyphens=False)
    parts = [briefing.protective_marking, "", briefing.title, f"{audience_label(audience).capitalize()}, "
             f"{HouseStyle(briefing.language).date(briefing.date)}", ""]
    if lines:
        parts.append(f"{heading}:")
        for line in lines:
            wrap.initial_indent, wrap.subsequent_indent = "- ", "  "
            parts.append(wrap.fill(" ".join(line.split())))
        parts.append("")
    parts.append("Attached:")
    for name, fmt, data in attachments:
        parts.append(f"- {name} ({fmt}, {human_size(len(data))})")
    parts += ["", briefing.protective_marking]
    return "\n".join(parts) + "\n"


def _html_body(base: FactBase, audience: str, attachments: list[tuple[str, str, bytes]]) -> str:
    from .housestyle import HouseStyle

    e = html.escape  # every fact string is escaped: fact text is data, never markup
    briefing = base.briefing
    heading, lines = _key_lines(base)
    marking = f'<p style="font-weight:bold;letter-spacing:0.05em">{e(briefing.protective_marking)}</p>'
    parts = [f'<!DOCTYPE html>\n<html lang="{e(briefing.language)}">\n<head><meta charset="utf-8">'
             f'<title>{e(briefing.title)}</title></head>\n<body>', marking, f"<h1>{e(briefing.title)}</h1>",
             f"<p>{e(audience_label(audience).capitalize())}, {e(HouseStyle(briefing.language).date(briefing.date))}</p>"]
    if lines:
        parts.append(f"<h2>{e(heading)}</h2>\n<ul>")
        parts += [f"<li>{e(line)}</li>" for line in lines]
        parts.append("</ul>")
    parts.append("<h2>Attached</h2>\n<ul>")
    parts += [f"<li>{e(name)} ({e(fmt)}, {e(human_size(len(data)))})</li>" for name, fmt, data in attachments]
    parts += ["</ul>", marking, "</body>\n</html>"]
    return "\n".join(parts) + "\n"


def build_message(base: FactBase, audience: str, attachments: list[Path], to: list[str], cc: list[str] | None = None,
                  sender: str = DEFAULT_FROM, date: dt.datetime | None = None) -> EmailMessage:
    """The draft: headers, text body + HTML alternative, the files attached. Same inputs → same bytes."""
    files = []
    for path in attachments:
        if path.suffix not in MIME_TYPES:
            raise BriefgenError(f"{display_path(path)}: cannot attach a {path.suffix or 'suffixless'} file")
        files.append((path.name, FORMAT_NAMES[path.suffix], path.read_bytes()))
    date = date or message_date(base)
    briefing = base.briefing
    headers = {"From": sender, "To": ", ".join(to), "Cc": ", ".join(cc or []),
               "Subject": f"{briefing.protective_marking}: {briefing.title} \u2014 {audience_label(audience)}",
               "Date": format_datetime(date)}
    text = _plain_body(base, audience, files)
    page = _html_body(base, audience, files)
    digest = hashlib.sha256(json.dumps(
        {"headers": headers, "text": text, "html": page,
         "files": [(name, hashlib.sha256(data).hexdigest()) for name, _, data in files]},
        sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()

    message = EmailMessage(policy=SMTP)
    for name, value in headers.items():
        if value:
            message[name] = value
    message["Message-ID"] = f"<{digest[:40]}@{MESSAGE_ID_DOMAIN}>"
    # Quoted-printable keeps the message 7-bit clean, so no relay has to convert it
    # (an 8bit body needs the 8BITMIME extension at every hop).
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(page, subtype="html", cte="quoted-printable")
    for name, _, data in files:
        maintype, subtype = MIME_TYPES[Path(name).suffix]
        params = {"charset": "utf-8"} if maintype == "text" else None
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name, params=params)
    # The email package draws boundaries at random; fixed ones make the draft reproducible. They cannot
    # clash with a part: base64 lines never hold "-", and the text would have to quote its own hash.
    for index, part in enumerate(p for p in message.walk() if p.is_multipart()):
        part.set_boundary(f"briefgen-{index}-{digest[:32]}")
    for part in message.walk():
        if part is not message:
            del part["MIME-Version"]  # add_alternative repeats it in the part; it belongs in the top headers only
    return message


def write_eml(message: EmailMessage, path: Path) -> int:
    """Write the draft atomically (temp file + rename); return its size in bytes.

    X-Unsent: 1 makes Outlook open the file as a draft to edit and send; it is only in the file,
    never in what send_message transmits.
    """
    from .atomic import write_atomically

    utf8 = any(needs_smtputf8(a) for a in recipients(message))  # only with --send to an SMTPUTF8 server
    data = b"X-Unsent: 1\r\n" + message.as_bytes(policy=SMTPUTF8 if utf8 else SMTP)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)  # the same permissions as the outputs it sits beside
    except OSError as exc:
        raise BriefgenError(f"{display_path(path)}: cannot write the draft: {exc.strerror or exc}") from None
    return len(data)


# --------------------------------------------------------------------------- sending


@dataclass
class SendResult:
    accepted: list[str]
    refused: dict[str, tuple[int, bytes]]


def recipients(message: EmailMessage) -> list[str]:
    return [address.addr_spec for name in ("To", "Cc") if message[name] for address in message[name].addresses]


def _secret_forms(settings: SmtpSettings) -> list[str]:
    """The credentials as they could appear in a server's reply: plain, or base64 as AUTH LOGIN/PLAIN send them."""
    secrets = [s for s in (settings.password, settings.user) if s]
    if not secrets:
        return []
    forms = list(secrets)
    for raw in secrets + [f"\0{settings.user or ''}\0{settings.password or ''}",
                          f"{settings.user or ''}\0{settings.user or ''}\0{settings.password or ''}"]:
        try:
            forms.append(base64.b64encode(raw.encode("utf-8")).decode("ascii"))
        except UnicodeError:
            pass
    return sorted(set(forms), key=len, reverse=True)


_BASE64_TOKEN = re.compile(r"[A-Za-z0-9+/]{8,}={0,2}")


def redact(text: str, settings: SmtpSettings) -> str:
    """`text` without the user name or password: plain, base64, or inside any base64 token (CRAM-MD5 sends
    base64 of "user digest")."""
    for secret in _secret_forms(settings):
        text = text.replace(secret, "***")
    secrets = [s.encode("utf-8", "replace") for s in (settings.password, settings.user) if s]
    if not secrets:
        return text

    def hide(match: re.Match) -> str:
        token = match.group(0)
        try:
            decoded = base64.b64decode(token + "=" * (-len(token) % 4), validate=False)
        except (ValueError, TypeError):
            return token
        return "***" if any(secret in decoded for secret in secrets) else token

    return _BASE64_TOKEN.sub(hide, text)


def _reply(code: int, text: bytes | str) -> str:
    """A server reply as one line: "550 5.1.1 no such mailbox"."""
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(text.split())}".strip()


def _said(exc: smtplib.SMTPResponseException) -> str:
    return _reply(exc.smtp_code, exc.smtp_error)


def smtp_deadline(environ: Mapping[str, str] | None = None) -> float:
    """SMTP_DEADLINE, or BRIEFGEN_SMTP_DEADLINE (seconds) when set."""
    environ = os.environ if environ is None else environ
    text = environ.get("BRIEFGEN_SMTP_DEADLINE", "").strip()
    if not text:
        return SMTP_DEADLINE
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < 86400:
        raise BriefgenError(f"BRIEFGEN_SMTP_DEADLINE: {text!r} is not a number of seconds (more than 0)")
    return value


def _addr_spec(address) -> str:
    return address.addr_spec if hasattr(address, "addr_spec") else str(address)


def send_message(message: EmailMessage, settings: SmtpSettings, timeout: float = SMTP_TIMEOUT,
                 deadline: float | None = None) -> SendResult:
    """Deliver the message to its To and Cc recipients. Raises BriefgenError("could not send: …") on failure.

    Returns the recipients accepted and any the server refused (when it accepted at least one).
    `timeout` bounds each wait for the server; `deadline` (default `smtp_deadline()`) the whole exchange.
    """
    if not settings.host:
        raise BriefgenError(f"could not send: no SMTP server; set {ENV_VARS['host']} or host in the [smtp] "
                            "table of a --config file")
    deadline = smtp_deadline() if deadline is None else deadline
    where = settings.where
    to = recipients(message)
    sender = _addr_spec(message["From"].addresses[0]) if message["From"] else DEFAULT_FROM
    utf8 = any(needs_smtputf8(a) for a in to + [sender])
    data = message.as_bytes(policy=SMTPUTF8 if utf8 else SMTP)
    stage = "connect"
    expired = threading.Event()
    smtp = smtplib.SMTP(timeout=min(timeout, deadline))

    def cut_off() -> None:  # the deadline passed: close the socket under whatever read or write is waiting
        expired.set()
        sock = smtp.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(deadline, cut_off)
    watchdog.daemon = True
    watchdog.start()
    try:
        with smtp:
            smtp.connect(settings.host, settings.port)
            if settings.starttls:
                stage = "starttls"
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                stage = "login"
                smtp.login(settings.user, settings.password or "")
            stage = "send"
            options: list[str] = []
            if utf8:
                smtp.ehlo_or_helo_if_needed()
                if not smtp.has_extn("smtputf8"):
                    raise _NoSmtpUtf8()
                options = ["SMTPUTF8"]
            refused = smtp.sendmail(sender, to, data, mail_options=options)
    except _NoSmtpUtf8:
        watchdog.cancel()
        raise typer.BadParameter(f"{where} does not offer SMTPUTF8, which an address with non-ASCII characters "
                                 "before the @ needs; use an ASCII address", param_hint="'--to'/'--cc'")
    except Exception as exc:
        watchdog.cancel()
        if not expired.is_set():
            reason = _why(exc, settings, stage, timeout)
        else:
            reason = (f"{where} did not finish within {deadline:g} s (the longest a send may take; "
                      "BRIEFGEN_SMTP_DEADLINE changes it)")
    else:
        watchdog.cancel()
        accepted = [addr for addr in to if addr not in refused]
        return SendResult(accepted, refused)
    raise BriefgenError(f"could not send: {redact(reason, settings)}")


class _NoSmtpUtf8(Exception):
    pass


def _why(error: Exception, settings: SmtpSettings, stage: str, timeout: float) -> str:
    """The reason a send failed, in words, from the exception smtplib, ssl or the socket raised."""
    where = settings.where
    try:
        raise error
    except smtplib.SMTPRecipientsRefused as exc:
        reason = "the server refused every recipient: " + "; ".join(
            f"{addr} ({_reply(*reply)})" for addr, reply in exc.recipients.items())
    except smtplib.SMTPAuthenticationError as exc:
        reason = (f"{where} refused the login ({_said(exc)}); check {ENV_VARS['user']} and "
                  f"{ENV_VARS['password']} (or user and password in --config)")
    except smtplib.SMTPSenderRefused as exc:
        reason = f"{where} refused the sender {exc.sender!r} ({_said(exc)}); set {ENV_VARS['from']}"
    except smtplib.SMTPDataError as exc:
        reason = f"{where} refused the message ({_said(exc)})"
    except smtplib.SMTPNotSupportedError:
        if stage == "starttls":
            reason = (f"{where} does not offer STARTTLS; if the server is meant to be used without encryption, "
                      f"set {ENV_VARS['starttls']}=false")
        else:
            reason = (f"{where} does not offer login (AUTH)"
                      + ("" if settings.starttls else f"; many servers offer it only after STARTTLS "
                         f"({ENV_VARS['starttls']}=true)"))
    except smtplib.SMTPServerDisconnected as exc:
        if isinstance(exc.__context__, (TimeoutError, socket.timeout)):
            reason = f"{where} did not answer within {timeout:g} s" + _implicit_tls_hint(settings)
        else:
            reason = f"{where} closed the connection" + _implicit_tls_hint(settings)
    except smtplib.SMTPResponseException as exc:
        reason = f"{where} answered {_said(exc)} during {stage}"
    except smtplib.SMTPException as exc:
        reason = f"{where}: {exc}"
    except ssl.SSLCertVerificationError as exc:
        reason = f"the certificate of {where} could not be verified ({exc.verify_message})"
    except ssl.SSLError as exc:
        reason = f"TLS with {where} failed ({exc.reason or exc})"
    except ConnectionRefusedError:
        reason = f"connection to {where} refused"
    except TimeoutError:
        reason = f"connection to {where} timed out after {timeout:g} s" + _implicit_tls_hint(settings)
    except socket.gaierror:
        reason = f"cannot find the SMTP server {settings.host!r} (check {ENV_VARS['host']})"
    except UnicodeError:
        # str() of this error quotes the offending character, which would be part of the password.
        reason = "the user name or password has characters that SMTP login cannot send (ASCII only)"
    except OSError as exc:
        reason = f"connection to {where} failed ({exc.strerror or type(exc).__name__})"
    return reason


def _implicit_tls_hint(settings: SmtpSettings) -> str:
    if settings.port == 465:
        return "; port 465 expects TLS from the first byte, which briefgen does not speak: use port 587 with STARTTLS"
    return ""


# --------------------------------------------------------------------------- the command


def email_command(
    audience: str = typer.Option(..., "--audience", "-a", metavar="NAME", show_default=False,
                                 help="The audience whose briefing to send."),
    to: list[str] = typer.Option(..., "--to", metavar="ADDR", show_default=False,
                                 help="Recipient address; repeat for more."),
    cc: list[str] | None = typer.Option(None, "--cc", metavar="ADDR", show_default=False,
                                           help="Copy recipient; repeat for more."),
    format: str = typer.Option("pdf", "--format", "-f", metavar="FORMATS",
                               help="Formats to attach: pdf, docx, html, a comma-separated list, or all."),
    project: Path | None = typer.Option(None, "--project", "-p", metavar="DIR", show_default=False,
                                           help="The briefing project folder (default: the one containing the "
                                                "current folder)."),
    facts: Path | None = typer.Option(None, "--facts", metavar="DIR", show_default=False,
                                         help="Folder of fact files (default: the project's, facts/)."),
    seeds: Path | None = typer.Option(None, "--seeds", metavar="DIR", show_default=False,
                                         help="Folder of source documents with index.yaml (default: the "
                                              "project's, seeds/)."),
    templates: Path | None = typer.Option(None, "--templates", metavar="DIR", show_default=False,
                                             help="Your template folder, searched before the shipped one "
                                                  "(default: the project's, templates/, if it exists)."),
    out: Path | None = typer.Option(None, "--out", "-o", metavar="DIR", show_default=False,
                                       help="Folder for the outputs and the .eml draft (default: the project's, "
                                            "out/)."),
    max_size: str = typer.Option(DEFAULT_MAX_SIZE, "--max-size", metavar="SIZE", help="Warn when the attachments "
                                 "total more than this (10MB, 500KB or bytes; K and M are 1024s)."),
    send: bool = typer.Option(False, "--send", help="Also deliver the message by SMTP (settings from "
                              "BRIEFGEN_SMTP_* or --config)."),
    config: Path | None = typer.Option(None, "--config", metavar="FILE", show_default=False, exists=True,
                                          dir_okay=False, help="TOML file whose smtp table sets host, port, "
                                          "starttls, user, password and from."),
) -> None:
    """Write one audience's briefing as an email draft (.eml) with the outputs attached; --send delivers it."""
    from .build import FORMATS
    from .cli import _choices, _echo_problems, load_checked, locate, plural
    from .render import available_audiences

    # Everything that can be wrong with the command itself is found before the (slow) build.
    formats = list(dict.fromkeys(_choices(format, list(FORMATS), "format")))
    where = locate(project, facts, seeds, templates, out)  # as `briefgen build` does, so both reuse the outputs
    templates, out = where.templates, where.out
    known = available_audiences(templates)
    if audience not in known:
        raise typer.BadParameter(f"unknown audience {audience!r}; choose from: {', '.join(known)}",
                                 param_hint="'--audience'")
    to_addresses = parse_addresses(to, "--to")
    cc_addresses = parse_addresses(cc or [], "--cc")
    for option, addresses in (("--to", to_addresses), ("--cc", cc_addresses)):
        wide = [a for a in addresses if needs_smtputf8(a)]
        if wide and not send:
            raise typer.BadParameter(f"{wide[0]!r} has non-ASCII characters before the @, which only a server "
                                     "offering SMTPUTF8 accepts; send it with --send, or use an ASCII address",
                                     param_hint=f"'{option}'")
    limit = parse_size(max_size)
    settings, warnings = load_smtp_settings(config, os.environ)
    for warning in warnings:
        typer.echo(warning, err=True)
    if send and not settings.host:
        raise BriefgenError(f"--send needs an SMTP server: set {ENV_VARS['host']} or host in the [smtp] table "
                            "of a --config file")
    if send and settings.user and not settings.starttls:
        typer.echo(f"warning: {ENV_VARS['starttls']} is off, so the password goes to {settings.where} "
                   "unencrypted", err=True)

    base, report = load_checked(where)
    _echo_problems(report.warnings)

    def announce(output) -> None:
        pages = f", {plural(output.pages, 'page')}" if output.pages else ""
        typer.echo(f"wrote {output.path} ({output.bytes:,} bytes{pages})")

    paths = ensure_outputs(base, audience, formats, out, templates, on_written=announce,
                           on_reused=lambda p: typer.echo(f"reused {display_path(p)} (up to date)"))
    total = sum(path.stat().st_size for path in paths)
    if total > limit:
        typer.echo(f"warning: the attachments total {human_size(total)} ({total:,} bytes), more than --max-size "
                   f"{max_size.strip()}; many mail gateways refuse messages that large, and encoding for email "
                   "adds about a third", err=True)
    message = build_message(base, audience, paths, to_addresses, cc_addresses, settings.sender, message_date(base))
    draft = out / eml_name(base, audience)
    size = write_eml(message, draft)
    typer.echo(f"wrote {display_path(draft)} ({plural(len(paths), 'attachment')}, {size:,} bytes)")
    if send:
        try:
            result = send_message(message, settings)
        except BriefgenError as exc:
            raise BriefgenError(f"{exc}; the draft is kept at {display_path(draft)}") from None
        if result.accepted:
            typer.echo(f"sent to {', '.join(result.accepted)} via {settings.where}")
        if result.refused:
            refused = "; ".join(f"{addr} ({redact(_reply(*reply), settings)})"
                                for addr, reply in result.refused.items())
            raise BriefgenError(f"could not send to {refused}; the others have it; the draft is kept at "
                                f"{display_path(draft)}")
