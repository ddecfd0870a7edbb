"""Render stage: context + audience template → one semantic HTML document.

In: the context from `context.py`, an audience name and the template folders
(the user's `--templates` folder first, then the shipped one). Out: HTML text
that every backend starts from.

Templates are colleagues' files, so they run in Jinja's `SandboxedEnvironment`
with autoescaping on (fact text such as ``<script>`` comes out as text) and
`StrictUndefined` (a misspelt variable fails the build instead of printing
nothing). Templates can include only other templates from those folders; the
stylesheet is read from the same folders and inlined.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .errors import BriefgenError, display_path
from .shipped import TEMPLATES as SHIPPED_TEMPLATES

AUDIENCE_SUFFIX = ".html.j2"
NOT_AUDIENCES = {"base"}


def template_dirs(user_dir: Path | None) -> list[Path]:
    dirs = []
    if user_dir is not None:
        if not user_dir.is_dir():
            raise BriefgenError(f"{display_path(user_dir)}: templates folder not found")
        dirs.append(user_dir)
    dirs.append(SHIPPED_TEMPLATES)
    return dirs


def available_audiences(user_dir: Path | None = None) -> list[str]:
    """Every audience template (``NAME.html.j2``) in the user's folder or the shipped one."""
    names = set()
    for folder in template_dirs(user_dir):
        for path in folder.glob(f"*{AUDIENCE_SUFFIX}"):
            name = path.name[: -len(AUDIENCE_SUFFIX)]
            if name not in NOT_AUDIENCES and not name.startswith("_"):
                names.add(name)
    return sorted(names)


def _inline_svg(svg: str) -> Markup:
    # The chart SVG is produced by our own chart module, never from fact text.
    return Markup(svg)


def make_environment(user_dir: Path | None) -> SandboxedEnvironment:
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in template_dirs(user_dir)])
    env = SandboxedEnvironment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["paragraphs"] = lambda text: Markup("\n".join(
        Markup("<p>{}</p>").format(part.strip()) for part in re.split(r"\n\s*\n", str(text)) if part.strip()))
    # A date or an amount never breaks across lines, in any format: its spaces become no-break spaces
    # (CSS nowrap alone would not reach the Word output).
    env.filters["nobreak"] = lambda text: str(text).replace(" ", "\u00a0")
    return env


def render_html(context: dict[str, Any], audience: str, user_dir: Path | None = None,
                extra: dict[str, Any] | None = None) -> str:
    """Render one audience. Raises BriefgenError naming the template file and line on any template error."""
    env = make_environment(user_dir)
    name = f"{audience}{AUDIENCE_SUFFIX}"
    try:
        template = env.get_template(name)
        return template.render(**context, **(extra or {}))
    except jinja2.TemplateNotFound as exc:
        if exc.name == name:
            known = ", ".join(available_audiences(user_dir))
            raise BriefgenError(f"unknown audience '{audience}'; available: {known} "
                                f"(an audience is a file templates/NAME{AUDIENCE_SUFFIX})")
        raise BriefgenError(f"{_where(exc)}: template '{exc.name}' not found in "
                            f"{', '.join(display_path(d) for d in template_dirs(user_dir))}")
    except jinja2.TemplateSyntaxError as exc:
        raise BriefgenError(f"{_template_path(exc.filename, exc.name)}:{exc.lineno}: template syntax error: "
                            f"{exc.message}")
    except jinja2.exceptions.SecurityError as exc:
        raise BriefgenError(f"{_where(exc)}: template tried something the sandbox forbids: {exc}")
    except (jinja2.UndefinedError, TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        raise BriefgenError(f"{_where(exc)}: template error: {exc}")


def _template_path(filename: str | None, name: str | None) -> str:
    return display_path(filename) if filename else (name or "template")


def _where(exc: BaseException) -> str:
    """Template file and line from the traceback of an error raised while rendering."""
    tb = exc.__traceback__
    where = "template"
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_filename.endswith(AUDIENCE_SUFFIX) or "templates" in frame.f_code.co_filename:
            where = f"{display_path(frame.f_code.co_filename)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


_TEMPLATE_REFERENCE = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+["']([^"']+)["']""")


def template_chain(template_dirs: list[Path], name: str) -> list[tuple[str, list[str]]]:
    """The template `name` and every template it extends, includes or imports, each as (name, lines):
    the audience's own file first, then what it uses — the order a person editing it would look in."""
    seen: dict[str, list[str]] = {}
    pending = [name]
    while pending:
        current = pending.pop(0)
        if current in seen:
            continue
        for folder in template_dirs:
            path = folder / current
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
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
