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


def ensure_outputs(base: FactBase, audience: str, formats: list[str], out_dir: Path, templates: Path | None,
                   on_written: Callable[[Output], None] | None = None,
                   on_reused: Callable[[Path], None] | None = None, jobs: int = 0) -> list[Path]:
    """The output path of each format, building only those that are not up to date.

    "Up to date" is the build's own rule (build_cache.py): the output was built from the facts,
    sources and templates as they are now, and the file is still the one written.
    """
    from .build import build as run_build
    from .build import output_name
    from .build_cache import inputs_key
    from .template_folders import template_dirs

    inputs = inputs_key(base.facts_dir, base.seeds_dir, template_dirs(templates), None)

    def announce(output: Output) -> None:
        if output.up_to_date:
            if on_reused:
                on_reused(out_dir / output_name(base, audience, output.format))
        elif on_written:
            on_written(output)

    run_build(base, [audience], formats, out_dir, templates, jobs=jobs, on_written=announce, cache_inputs=inputs)
    return [out_dir / output_name(base, audience, fmt) for fmt in formats]
