"""Mail SMTP: deliver a drafted message over SMTP (STARTTLS, login), and say in words why a send failed.

In: the `EmailMessage` (mail_message.build_message) and `SmtpSettings`
(mail_settings). Out: a `SendResult` — the recipients the server accepted and
any it refused — or `BriefgenError("could not send: …")` naming the server.

A send has a total deadline, `SMTP_DEADLINE` seconds (60; BRIEFGEN_SMTP_DEADLINE
overrides it), besides the per-reply `SMTP_TIMEOUT`: a server that trickles one
byte every few seconds cannot hold the command longer than that.

Credentials are never printed: a server reply quoted in an error has the user
name and password removed, in clear or base64 (a server may echo the AUTH line).
A recipient with a non-ASCII local part needs a server offering SMTPUTF8; one
that does not is `BadOption` (a usage error of --to/--cc), not a failed send.
"""

from __future__ import annotations

import base64
import os
import re
import smtplib
import socket
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8

from .errors import BriefgenError
from .mail_message import recipients
from .mail_settings import DEFAULT_FROM, ENV_VARS, BadOption, SmtpSettings, needs_smtputf8

SMTP_TIMEOUT = 30.0
SMTP_DEADLINE = 60.0  # the whole exchange, from connecting to QUIT; BRIEFGEN_SMTP_DEADLINE overrides it


@dataclass
class SendResult:
    accepted: list[str]
    refused: dict[str, tuple[int, bytes]]


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

    def hide(match: re.Match[str]) -> str:
        token = match.group(0)
        try:
            decoded = base64.b64decode(token + "=" * (-len(token) % 4), validate=False)
        except (ValueError, TypeError):
            return token
        return "***" if any(secret in decoded for secret in secrets) else token

    return _BASE64_TOKEN.sub(hide, text)


def reply_line(code: int, text: bytes | str) -> str:
    """A server reply as one line: "550 5.1.1 no such mailbox"."""
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(text.split())}".strip()


def _said(exc: smtplib.SMTPResponseException) -> str:
    return reply_line(exc.smtp_code, exc.smtp_error)


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


def _addr_spec(address: Address | str) -> str:
    return address.addr_spec if isinstance(address, Address) else str(address)


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
        raise BadOption(f"{where} does not offer SMTPUTF8, which an address with non-ASCII characters before the "
                        "@ needs; use an ASCII address", "'--to'/'--cc'") from None
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
            f"{addr} ({reply_line(*reply)})" for addr, reply in exc.recipients.items())
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
