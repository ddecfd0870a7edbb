"""Mail settings: SMTP settings from a config file and the environment, and recipients' addresses checked.

In: a ``--config`` TOML file's ``[smtp]`` table and the ``BRIEFGEN_SMTP_*``
variables (the environment wins, so one run can override a shared file, as git
and most mail tools do); the --to/--cc values; a --max-size value. Out:
`SmtpSettings`, addresses as SMTP sends them, a size in bytes.

Credentials never come from the command line and are never printed, not even in
errors: `SmtpSettings` leaves the password out of its repr, and no message here
quotes it.

Addresses: a non-ASCII domain is sent as IDNA (xn--…); a non-ASCII local part
("jörg@…") is kept, and needs a server that offers SMTPUTF8 (`needs_smtputf8`).
A display name holding "<…>", a line break or a line separator is refused
(header injection). A value that cannot be used raises `BadOption`, which the
command line reports as a usage error of that option.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BriefgenError, display_path

DEFAULT_FROM = "briefgen@localhost"
DEFAULT_PORT = 587
DEFAULT_MAX_SIZE = "10MB"

ENV_VARS = {"host": "BRIEFGEN_SMTP_HOST", "port": "BRIEFGEN_SMTP_PORT", "starttls": "BRIEFGEN_SMTP_STARTTLS",
            "user": "BRIEFGEN_SMTP_USER", "password": "BRIEFGEN_SMTP_PASSWORD", "from": "BRIEFGEN_SMTP_FROM"}
CONFIG_TYPES: dict[str, type] = {"host": str, "port": int, "starttls": bool, "user": str, "password": str,
                                 "from": str}
_UNITS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


class BadOption(ValueError):
    """A value given on the command line that cannot be used: the CLI reports it as a usage error (exit 2).

    `param_hint` names the option as the usage error shows it, quotes included: "'--to'".
    """

    def __init__(self, message: str, param_hint: str):
        super().__init__(message)
        self.param_hint = param_hint


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


# --------------------------------------------------------------------------- sizes


def parse_size(text: str) -> int:
    """"10MB", "500KB", "1.5M", "2000000" → bytes. K, M and G are powers of 1024, as mail servers count them."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:([kmg])i?b?|b)?\s*", text, re.I)
    if not match:
        raise BadOption(f"{text!r} is not a size; write it like 10MB, 500KB or 2000000 (bytes)", "'--max-size'")
    size = int(float(match.group(1)) * _UNITS[(match.group(2) or "").lower()])
    if size <= 0:
        raise BadOption("must be more than 0 bytes", "'--max-size'")
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


# --------------------------------------------------------------------------- addresses


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
        raise BadOption(f"{value!r}: the domain {domain!r} is not a valid internationalised domain name",
                        f"'{option}'") from None


def needs_smtputf8(address: str) -> bool:
    """True when an address (as parse_addresses returns it) has a non-ASCII local part."""
    return not address.isascii()


def parse_addresses(values: list[str], option: str) -> list[str]:
    """Each --to/--cc value (one address, or several separated by commas) → checked addresses.

    Domains come back in IDNA; a non-ASCII local part is kept (see `needs_smtputf8`).
    """
    from email.headerregistry import Address  # here: the CLI imports this module for every command
    from email.utils import getaddresses

    addresses = []
    for value in values:
        # A CR, LF or Unicode line separator would let a value add header lines of its own (header injection).
        if _LINE_BREAKS.search(value):
            raise BadOption(f"{value!r} contains a line break", f"'{option}'")
        if _UNPRINTABLE.search(value):
            raise BadOption(f"{value!r} contains a control or invisible character", f"'{option}'")
        parsed = [(name, addr) for name, addr in getaddresses([value]) if name or addr]
        bad = not parsed or any(not re.fullmatch(r"[^@\s<>,;]+@[^@\s<>,;]+", addr) for _, addr in parsed)
        if bad:
            raise BadOption(f"{value!r} is not an email address", f"'{option}'")
        for name, addr in parsed:
            if "<" in name or ">" in name:
                raise BadOption(f"{value!r}: the display name {name!r} contains '<' or '>'; give the name and one "
                                "address, as Name <user@example.org>", f"'{option}'")
            local, _, domain = addr.rpartition("@")
            addr = f"{local}@{_ascii_domain(domain, value, option)}"
            addresses.append(str(Address(display_name=name, addr_spec=addr)) if local.isascii()
                             else (f"{name} <{addr}>" if name else addr))
    return addresses


# --------------------------------------------------------------------------- settings


def _parse_bool(value: str, source: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise BriefgenError(f"{source}: {value!r} is not yes or no (use true/false, yes/no, on/off or 1/0)")


def _type_word(kind: type) -> str:
    return {str: "a string", int: "a whole number", bool: "true or false"}[kind]


def _read_config(config: Path) -> tuple[dict[str, object], dict[str, str], list[str]]:
    """The --config file's [smtp] values, where each came from, and warnings. Raises BriefgenError."""
    where = display_path(config)
    import tomllib

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
    raw: dict[str, object] = {}
    source: dict[str, str] = {}
    for key, value in table.items():
        wanted = CONFIG_TYPES[key]
        # bool is an int in Python; a port of `true` is still a mistake.
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            raise BriefgenError(f"{where}: smtp.{key} must be {_type_word(wanted)}")
        raw[key] = value
        source[key] = f"{where}: smtp.{key}"
    warnings = []
    if "password" in table and os.name == "posix" and config.stat().st_mode & 0o077:
        warnings.append(f"warning: {where} holds a password and others can read it; chmod 600 {where}")
    return raw, source, warnings


def load_smtp_settings(config: Path | None, environ: Mapping[str, str]) -> tuple[SmtpSettings, list[str]]:
    """Settings from the --config file's [smtp] table, overridden by BRIEFGEN_SMTP_* variables.

    Returns the settings and warnings. Raises BriefgenError for a bad file or value; no message ever
    contains the password.
    """
    raw: dict[str, object] = {}
    source: dict[str, str] = {}
    warnings: list[str] = []
    if config is not None:
        raw, source, warnings = _read_config(config)
    for key, var in ENV_VARS.items():
        if environ.get(var):
            raw[key] = environ[var]
            source[key] = var

    settings = SmtpSettings()
    if raw.get("host"):
        settings.host = str(raw["host"]).strip()
    if "port" in raw:
        try:
            settings.port = int(str(raw["port"]))
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
        sender = str(raw["from"])
        try:
            senders = parse_addresses([sender], "from")
        except BadOption:
            raise BriefgenError(f"{source['from']}: {sender!r} is not an email address") from None
        if len(senders) != 1:
            raise BriefgenError(f"{source['from']}: give one sender address, not {len(senders)}")
        settings.sender = senders[0]
    if settings.user and not settings.password:
        raise BriefgenError(f"{source['user']} is set but there is no password "
                            f"({ENV_VARS['password']} or password in the [smtp] table of --config)")
    return settings, warnings
