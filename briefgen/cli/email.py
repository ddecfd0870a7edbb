"""CLI email command: `email` writes one audience's briefing as an .eml draft, and with --send delivers it.

In: the audience, --to/--cc, the formats to attach, --max-size, --send and
--config, and the project's folders. Out: "reused …" or "wrote …" per output
(see mailer.ensure_outputs), "wrote DRAFT (N attachments, B bytes)", and with
--send "sent to … via HOST:PORT". The work is the email stage's (mailer.py); this
module checks the command line, says what happened, and turns a value the stage
cannot use (`BadOption`) into a usage error, exit status 2.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..errors import BriefgenError, display_path
from ..mail_settings import DEFAULT_MAX_SIZE, ENV_VARS, BadOption  # light: the rest is imported when used
from .app import (
    FactsOption,
    ProjectOption,
    SeedsOption,
    TemplatesOption,
    app,
    choices,
    echo_problems,
    load_checked,
    locate,
    plural,
    reports_problems,
)

if TYPE_CHECKING:
    from ..build import Output


@contextmanager
def usage_errors() -> Iterator[None]:
    """A `BadOption` from the email stage becomes Typer's usage error for that option (exit status 2)."""
    try:
        yield
    except BadOption as exc:
        raise typer.BadParameter(str(exc), param_hint=exc.param_hint) from None


@app.command("email")
@reports_problems
def email_command(
    audience: str = typer.Option(..., "--audience", "-a", metavar="NAME", show_default=False,
                                 help="The audience whose briefing to send."),
    to: list[str] = typer.Option(..., "--to", metavar="ADDR", show_default=False,
                                 help="Recipient address; repeat for more."),
    cc: list[str] | None = typer.Option(None, "--cc", metavar="ADDR", show_default=False,
                                        help="Copy recipient; repeat for more."),
    format: str = typer.Option("pdf", "--format", "-f", metavar="FORMATS",
                               help="Formats to attach: pdf, docx, html, a comma-separated list, or all."),
    project: Path | None = ProjectOption,
    facts: Path | None = FactsOption,
    seeds: Path | None = SeedsOption,
    templates: Path | None = TemplatesOption,
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
    from ..build import FORMATS
    from ..mailer import (
        build_message,
        eml_name,
        ensure_outputs,
        human_size,
        load_smtp_settings,
        message_date,
        needs_smtputf8,
        parse_addresses,
        parse_size,
        redact,
        reply_line,
        send_message,
        write_eml,
    )
    from ..template_folders import available_audiences

    # Everything that can be wrong with the command itself is found before the (slow) build.
    formats = choices(format, list(FORMATS), "format")
    where = locate(project, facts, seeds, templates, out)  # as `briefgen build` does, so both reuse the outputs
    known = available_audiences(where.templates)
    if audience not in known:
        raise typer.BadParameter(f"unknown audience {audience!r}; choose from: {', '.join(known)}",
                                 param_hint="'--audience'")
    with usage_errors():
        to_addresses = parse_addresses(to, "--to")
        cc_addresses = parse_addresses(cc or [], "--cc")
    for option, addresses in (("--to", to_addresses), ("--cc", cc_addresses)):
        wide = [a for a in addresses if needs_smtputf8(a)]
        if wide and not send:
            raise typer.BadParameter(f"{wide[0]!r} has non-ASCII characters before the @, which only a server "
                                     "offering SMTPUTF8 accepts; send it with --send, or use an ASCII address",
                                     param_hint=f"'{option}'")
    with usage_errors():
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
    echo_problems(report.warnings)

    def announce(output: Output) -> None:
        pages = f", {plural(output.pages, 'page')}" if output.pages else ""
        typer.echo(f"wrote {output.path} ({output.bytes:,} bytes{pages})")

    paths = ensure_outputs(base, audience, formats, where.out, where.templates, on_written=announce,
                           on_reused=lambda p: typer.echo(f"reused {display_path(p)} (up to date)"))
    total = sum(path.stat().st_size for path in paths)
    if total > limit:
        typer.echo(f"warning: the attachments total {human_size(total)} ({total:,} bytes), more than --max-size "
                   f"{max_size.strip()}; many mail gateways refuse messages that large, and encoding for email "
                   "adds about a third", err=True)
    message = build_message(base, audience, paths, to_addresses, cc_addresses, settings.sender, message_date(base))
    draft = where.out / eml_name(base, audience)
    size = write_eml(message, draft)
    typer.echo(f"wrote {display_path(draft)} ({plural(len(paths), 'attachment')}, {size:,} bytes)")
    if send:
        try:
            with usage_errors():
                result = send_message(message, settings)
        except BriefgenError as exc:
            raise BriefgenError(f"{exc}; the draft is kept at {display_path(draft)}") from None
        if result.accepted:
            typer.echo(f"sent to {', '.join(result.accepted)} via {settings.where}")
        if result.refused:
            refused = "; ".join(f"{addr} ({redact(reply_line(*reply), settings)})"
                                for addr, reply in result.refused.items())
            raise BriefgenError(f"could not send to {refused}; the others have it; the draft is kept at "
                                f"{display_path(draft)}")
