"""Email stage: a checked briefing + recipients → up-to-date outputs, an .eml draft, and the draft sent by SMTP.

In: one audience, its recipients (To, Cc), the formats to attach, the usual
facts/seeds/templates/out folders, and SMTP settings from the environment
(``BRIEFGEN_SMTP_*``) or a ``--config`` TOML file's ``[smtp]`` table. Out:
the outputs in the out folder (built only when missing or older than a fact,
seed or template file: `ensure_outputs`, here), ``<slug>_<audience>_<date>.eml``
beside them, and with ``--send`` the same message delivered over SMTP.

The work is split by job, and this module re-exports each one's public names, so
``from briefgen.mailer import …`` is the stage's one door:

- mail_settings.py: SMTP settings (file and environment), addresses, sizes;
- mail_message.py: the message (text and HTML bodies, attachments) and the .eml file;
- mail_smtp.py: delivery, its deadline, and failures in words without credentials.

None of them imports the command line: `briefgen email` (cli/email.py) drives them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .mail_message import (
    FORMAT_NAMES,
    MESSAGE_ID_DOMAIN,
    MIME_TYPES,
    audience_label,
    build_message,
    eml_name,
    message_date,
    recipients,
    write_eml,
)
from .mail_settings import (
    CONFIG_TYPES,
    DEFAULT_FROM,
    DEFAULT_MAX_SIZE,
    DEFAULT_PORT,
    ENV_VARS,
    BadOption,
    SmtpSettings,
    human_size,
    load_smtp_settings,
    needs_smtputf8,
    parse_addresses,
    parse_size,
)
from .mail_smtp import SMTP_DEADLINE, SMTP_TIMEOUT, SendResult, redact, reply_line, send_message, smtp_deadline

if TYPE_CHECKING:
    from .build import Output
    from .model import FactBase

__all__ = [
    "CONFIG_TYPES", "DEFAULT_FROM", "DEFAULT_MAX_SIZE", "DEFAULT_PORT", "ENV_VARS", "FORMAT_NAMES",
    "MESSAGE_ID_DOMAIN", "MIME_TYPES", "SMTP_DEADLINE", "SMTP_TIMEOUT", "BadOption", "SendResult", "SmtpSettings",
    "audience_label", "build_message", "eml_name", "ensure_outputs", "human_size", "load_smtp_settings",
    "message_date", "needs_smtputf8", "parse_addresses", "parse_size", "recipients", "redact", "reply_line",
    "send_message", "smtp_deadline", "write_eml",
]


def _newest_mtime(folders: list[Path]) -> int:
    newest = 0
    for folder in folders:
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file():
                    newest = max(newest, path.stat().st_mtime_ns)
    return newest


def ensure_outputs(base: FactBase, audience: str, formats: list[str], out_dir: Path, templates: Path | None,
                   on_written: Callable[[Output], None] | None = None,
                   on_reused: Callable[[Path], None] | None = None, jobs: int = 0) -> list[Path]:
    """The output path of each format, building only those missing or older than any input.

    Inputs are every file under the facts, seeds and template folders (the user's and the shipped
    one): the same make-style rule a reader would apply by looking at the dates.
    """
    from . import shipped  # looked up at each call, so a test can point it at a copy
    from .build import build as run_build
    from .build import output_name

    folders = [base.facts_dir, base.seeds_dir, shipped.TEMPLATES] + ([templates] if templates else [])
    newest = _newest_mtime(folders)
    paths = [out_dir / output_name(base, audience, fmt) for fmt in formats]
    stale = [fmt for fmt, path in zip(formats, paths, strict=True)
             if not path.is_file() or path.stat().st_mtime_ns <= newest]
    for fmt, path in zip(formats, paths, strict=True):
        if fmt not in stale and on_reused:
            on_reused(path)
    if stale:
        run_build(base, [audience], stale, out_dir, templates, jobs=jobs, on_written=on_written)
    return paths
