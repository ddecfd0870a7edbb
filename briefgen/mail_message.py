"""Mail message: a checked briefing + recipients + output files → the draft as an RFC 5322 message, and its .eml file.

In: the `FactBase`, the audience, the files to attach (PDF, Word, HTML), the To
and Cc addresses (as mail_settings.parse_addresses returns them) and the sender.
Out: an `EmailMessage` with a plain-text body, an HTML alternative and the files
attached; `write_eml` writes it as ``<slug>_<audience>_<date>.eml`` (CRLF line
ends, written atomically). The draft is the same bytes for the same inputs: its
Date comes from the briefing date (or SOURCE_DATE_EPOCH), its Message-ID and
MIME boundaries from a hash of its content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import re
import textwrap
from collections.abc import Mapping
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import write_atomically
from .errors import BriefgenError, display_path
from .mail_settings import DEFAULT_FROM, human_size, needs_smtputf8

if TYPE_CHECKING:
    from .model import FactBase

MIME_TYPES = {
    ".pdf": ("application", "pdf"),
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".html": ("text", "html"),
}
FORMAT_NAMES = {".pdf": "PDF", ".docx": "Word", ".html": "HTML"}
MESSAGE_ID_DOMAIN = "briefgen.invalid"  # RFC 6761: never a real domain, so no clash with real Message-IDs


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
             f"<p>{e(audience_label(audience).capitalize())}, "
             f"{e(HouseStyle(briefing.language).date(briefing.date))}</p>"]
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
    utf8 = any(needs_smtputf8(a) for a in recipients(message))  # only with --send to an SMTPUTF8 server
    data = b"X-Unsent: 1\r\n" + message.as_bytes(policy=SMTPUTF8 if utf8 else SMTP)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)  # the same permissions as the outputs it sits beside
    except OSError as exc:
        raise BriefgenError(f"{display_path(path)}: cannot write the draft: {exc.strerror or exc}") from None
    return len(data)


def recipients(message: EmailMessage) -> list[str]:
    """The To and Cc addresses, as SMTP's RCPT TO takes them."""
    return [address.addr_spec for name in ("To", "Cc") if message[name] for address in message[name].addresses]
