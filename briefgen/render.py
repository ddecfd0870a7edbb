"""Render stage: context + audience template → one semantic HTML document.

In: the context from `context.py`, an audience name and the template folders
(the user's `--templates` folder first, then the shipped one). Out: HTML text
that every backend starts from.

Templates are colleagues' files, so they run in Jinja's `SandboxedEnvironment`
with autoescaping on (fact text such as ``<script>`` comes out as text) and
`StrictUndefined` (a misspelt variable fails the build instead of printing
nothing). Templates can include only other templates from those folders; the
stylesheet is read from the same folders and inlined.

Reading templates (`FolderLoader`): a template, an included file and the
inlined stylesheet must each be a regular file of at most 1 MiB whose real path
(symbolic links followed) is inside its templates folder. A link out of the
folder (to ``/proc/self/environ``, to ``/``), a FIFO, a device or a folder is
refused with ``templates/NAME: not a regular file inside templates``; a FIFO
cannot hang the build (opened non-blocking, its type checked before reading).
Listing audiences skips such files too.

Limits on rendering (time, loop iterations, sizes, output, recursion) are
in `template_limits.py`; the links and resources a rendered page may carry are
checked by `link_checks.py`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path

from .errors import BriefgenError, display_path
from .link_checks import check_urls
from .safe_files import safe_template_source  # the one rule for every file briefgen reads
from .template_folders import (
    AUDIENCE_SUFFIX,
    available_audiences,
    entry_is_safe,
    template_dirs,
)
from .template_limits import MAX_OUTPUT, LimitedEnvironment, TemplateLimitError, alarm

MAX_TEMPLATE_BYTES = 1024 * 1024   # one template, include or stylesheet file


# ---------------------------------------------------------------------------------------------------------
# Reading template files


class FolderLoader(jinja2.BaseLoader):
    """Jinja's FileSystemLoader for one folder, minus following links out of it or reading anything but a
    regular file of at most MAX_TEMPLATE_BYTES (safe_files.safe_template_source)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.loaded: list[Path] = []  # every file read, in order: what a rendering depended on (build_cache.py)

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # TemplateNotFound for "..", as FileSystemLoader does
        relative = "/".join(pieces)
        try:
            source = safe_template_source(self.folder, relative, MAX_TEMPLATE_BYTES)
        except FileNotFoundError:
            raise jinja2.TemplateNotFound(template) from None
        path = self.folder / relative
        self.loaded.append(path)
        mtime = os.stat(path).st_mtime

        def uptodate() -> bool:
            try:
                return os.stat(path).st_mtime == mtime
            except OSError:
                return False

        return source, str(path), uptodate

    def list_templates(self) -> list[str]:
        found = []
        for dirpath, _, filenames in os.walk(self.folder):  # os.walk does not follow links to folders
            base = Path(dirpath).relative_to(self.folder)
            for name in filenames:
                relative = (base / name).as_posix()
                if entry_is_safe(self.folder, relative):
                    found.append(relative.removeprefix("./"))
        return sorted(found)


# ---------------------------------------------------------------------------------------------------------
# The environment and rendering


def make_environment(user_dir: Path | None) -> LimitedEnvironment:
    loader = jinja2.ChoiceLoader([FolderLoader(d) for d in template_dirs(user_dir)])
    env = LimitedEnvironment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    # A date or an amount never breaks across lines, in any format: its spaces become no-break spaces
    # (CSS nowrap alone would not reach the Word output).
    env.filters["nobreak"] = lambda text: str(text).replace(" ", "\u00a0")
    env.filters["format"] = env.checked_format_filter(env.filters["format"])
    return env

def render_html(context: dict[str, Any], audience: str, user_dir: Path | None = None,
                extra: dict[str, Any] | None = None, used_files: list[Path] | None = None) -> str:
    """Render one audience. Raises BriefgenError naming the template file and line on any template error,
    on going over a limit (module docstring), and on a link or resource URL a briefing may not carry.
    `used_files`, if given, receives every template file the rendering read."""
    env = make_environment(user_dir)
    name = f"{audience}{AUDIENCE_SUFFIX}"
    shown = f"templates/{name}"
    try:
        template = env.get_template(name)
        if template.filename:
            shown = display_path(template.filename)
        env.start_clock()
        pieces, total = [], 0
        with alarm(env):
            for piece in template.generate(**context, **(extra or {})):
                total += len(piece)
                if total > MAX_OUTPUT:
                    raise TemplateLimitError(f"rendering stopped at {MAX_OUTPUT:,} characters of output "
                                             "(the limit for one template)")
                env.tick()
                pieces.append(piece)
        html = "".join(pieces)
    except jinja2.TemplateNotFound as exc:
        if exc.name == name:
            known = ", ".join(available_audiences(user_dir))
            raise BriefgenError(f"unknown audience '{audience}'; available: {known} "
                                f"(an audience is a file templates/NAME{AUDIENCE_SUFFIX})") from None
        raise BriefgenError(f"{_where(exc)}: template '{exc.name}' not found in "
                            f"{', '.join(display_path(d) for d in template_dirs(user_dir))}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise BriefgenError(f"{_template_path(exc.filename, exc.name)}:{exc.lineno}: template syntax error: "
                            f"{exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise BriefgenError(f"{_where(exc)}: template tried something the sandbox forbids: {exc}") from None
    except TemplateLimitError as exc:
        raise BriefgenError(f"{_where(exc, shown)}: {exc}") from None
    except RecursionError:
        raise BriefgenError(f"{shown}: rendering stopped: templates include, extend or call each other "
                            "without end (recursion too deep)") from None
    except MemoryError:
        raise BriefgenError(f"{shown}: rendering stopped: the template needed more memory than there is") from None
    except OverflowError as exc:
        raise BriefgenError(f"{_where(exc, shown)}: template error: number too large: {exc}") from None
    except (jinja2.UndefinedError, TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        raise BriefgenError(f"{_where(exc)}: template error: {exc}") from None
    check_urls(html, shown, template_dirs(user_dir))
    if used_files is not None and isinstance(env.loader, jinja2.ChoiceLoader):
        used_files.extend(path for loader in env.loader.loaders if isinstance(loader, FolderLoader)
                          for path in loader.loaded)
    return html


def _template_path(filename: str | None, name: str | None) -> str:
    return display_path(filename) if filename else (name or "template")


def _where(exc: BaseException, default: str = "template") -> str:
    """Template file and line from the traceback of an error raised while rendering."""
    tb = exc.__traceback__
    where = default
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_filename.endswith(AUDIENCE_SUFFIX) or "templates" in frame.f_code.co_filename:
            where = f"{display_path(frame.f_code.co_filename)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


# ---------------------------------------------------------------------------------------------------------
# Pointing at the template line that wrote some markup (for backend errors)

_TEMPLATE_REFERENCE = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+["']([^"']+)["']""")


def template_chain(template_dirs: list[Path], name: str) -> list[tuple[str, list[str]]]:
    """The template `name` and every template it extends, includes or imports, each as (name, lines):
    the audience's own file first, then what it uses — the order a person editing it would look in.
    Read as the loader reads: a link out of its folder, a FIFO or an oversized file is skipped."""
    seen: dict[str, list[str]] = {}
    pending = [name]
    while pending:
        current = pending.pop(0)
        if current in seen:
            continue
        for folder in template_dirs:
            try:
                text = safe_template_source(Path(folder), current, MAX_TEMPLATE_BYTES)
            except FileNotFoundError:
                continue
            except (BriefgenError, ValueError):
                break
            seen[current] = text.splitlines()
            pending.extend(_TEMPLATE_REFERENCE.findall(text))
            break
    return list(seen.items())


def locate_markup(chain: list[tuple[str, list[str]]], tag: str, classes: str = "") -> str | None:
    """Where in the templates an element of the rendered HTML was written: "templates/x.html.j2:12".

    Jinja keeps no map from output lines to template lines, so this looks for the tag itself, preferring
    a line that also has the element's first class; None when no template writes that tag literally."""
    opening = re.compile(rf"<{re.escape(tag)}\b", re.I)
    first_class = classes.split()[0] if classes.split() else ""
    fallback = None
    for name, lines in chain:
        for number, line in enumerate(lines, start=1):
            if opening.search(line):
                if not first_class or first_class in line:
                    return f"templates/{name}:{number}"
                fallback = fallback or f"templates/{name}:{number}"
    return fallback
