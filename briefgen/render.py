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

Limits on one template's rendering (each failure is a BriefgenError naming the
template, so exit 1 and no output written):

* time: 20 s of wall clock (`RENDER_SECONDS`), checked at every loop
  iteration, call, attribute or item lookup, operator and output chunk, and
  enforced by a timer signal inside long library calls (`_alarm`);
* loop iterations: 10 million in all (`MAX_ITERATIONS`), nested loops count
  every inner iteration;
* sizes: a string or list made by ``*``, ``+``, ``~``, ``%``, a filter or a
  method may hold at most 10 million characters/items (`MAX_SIZE`); ``**`` on
  numbers may not make a result over 100,000 bits (`MAX_POWER_BITS`), nor
  ``*`` on numbers; width arguments (``center``, ``ljust``, ``indent``,
  format widths) over `MAX_SIZE` are refused before anything is allocated;
* output: 10 million characters of HTML (`MAX_OUTPUT`);
* recursion: a template that includes or calls itself without end stops at
  Python's recursion limit; running out of memory anyway is reported the same
  way.

The rendered HTML is then checked (`check_urls`): links (``href`` on ``a`` and
``area``) may only be ``http:``, ``https:``, ``mailto:`` or ``#anchor``;
resources (``src``, other ``href``) only ``data:`` URLs (never in a link) or
files inside the template folders; no attribute may hold a ``javascript:`` or
``vbscript:`` URL. The same resource rule holds for every ``url(…)`` and
``@import`` in a ``<style>`` element or ``style`` attribute (a web address
there would tell its server when and where the briefing is opened), and a
``<meta http-equiv="refresh">`` (which sends the reader elsewhere) is refused.
"""

from __future__ import annotations

import math
import os
import re
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .errors import BriefgenError, display_path
from .safe_files import safe_template_source  # the one rule for every file briefgen reads
from .shipped import TEMPLATES as SHIPPED_TEMPLATES

AUDIENCE_SUFFIX = ".html.j2"
AUDIENCE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
NOT_AUDIENCES = {"base"}

MAX_TEMPLATE_BYTES = 1024 * 1024   # one template, include or stylesheet file
RENDER_SECONDS = 20.0              # wall clock for rendering one audience template
MAX_ITERATIONS = 10_000_000        # loop iterations in one rendering, nested loops multiplied
MAX_SIZE = 10_000_000              # characters in a string / items in a list a template makes
MAX_POWER_BITS = 100_000           # bits in a number made by ** or *
MAX_OUTPUT = 10_000_000            # characters of rendered HTML


# ---------------------------------------------------------------------------------------------------------
# Reading template files


def _entry_is_safe(folder: Path, name: str) -> bool:
    path = folder / name
    try:
        real = path.resolve(strict=True)
        return real.is_relative_to(folder.resolve()) and stat.S_ISREG(os.stat(real).st_mode)
    except (OSError, RuntimeError):
        return False


class FolderLoader(jinja2.BaseLoader):
    """Jinja's FileSystemLoader for one folder, minus following links out of it or reading anything but a
    regular file of at most MAX_TEMPLATE_BYTES (safe_files.safe_template_source)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def get_source(self, environment, template):
        pieces = split_template_path(template)  # TemplateNotFound for "..", as FileSystemLoader does
        relative = "/".join(pieces)
        try:
            source = safe_template_source(self.folder, relative, MAX_TEMPLATE_BYTES)
        except FileNotFoundError:
            raise jinja2.TemplateNotFound(template) from None
        path = self.folder / relative
        mtime = os.stat(path).st_mtime

        def uptodate() -> bool:
            try:
                return os.stat(path).st_mtime == mtime
            except OSError:
                return False

        return source, str(path), uptodate

    def list_templates(self) -> list[str]:
        found = []
        for dirpath, dirnames, filenames in os.walk(self.folder):  # os.walk does not follow links to folders
            base = Path(dirpath).relative_to(self.folder)
            for name in filenames:
                relative = (base / name).as_posix()
                if _entry_is_safe(self.folder, relative):
                    found.append(relative.removeprefix("./"))
        return sorted(found)


def template_dirs(user_dir: Path | None) -> list[Path]:
    dirs = []
    if user_dir is not None:
        if not user_dir.is_dir():
            raise BriefgenError(f"{display_path(user_dir)}: templates folder not found")
        dirs.append(user_dir)
    dirs.append(SHIPPED_TEMPLATES)
    return dirs


def available_audiences(user_dir: Path | None = None) -> list[str]:
    """Every audience template (``NAME.html.j2``) in the user's folder or the shipped one; a link out of
    the folder, or anything but a regular file, is not an audience."""
    names = set()
    for folder in template_dirs(user_dir):
        for path in folder.glob(f"*{AUDIENCE_SUFFIX}"):
            if not _entry_is_safe(folder, path.name):
                continue
            name = path.name[: -len(AUDIENCE_SUFFIX)]
            # An audience name is lower-case letters, digits and hyphens, as in the facts' `audiences`: it
            # goes into output file names, so "a b", "a+b" and "a-b" can never map to the same file.
            if name not in NOT_AUDIENCES and AUDIENCE_NAME.fullmatch(name):
                names.add(name)
    return sorted(names)


def _inline_svg(svg: str) -> Markup:
    # The chart SVG is produced by our own chart module, never from fact text.
    return Markup(svg)


# ---------------------------------------------------------------------------------------------------------
# Limits on rendering


class TemplateLimitError(Exception):
    """A template went over one of the rendering limits; render_html turns it into a BriefgenError."""


_LOOP_FILTER = "_briefgen_loop"
_SIZE_FILTER = "_briefgen_size"
_FORMAT_WIDTH = re.compile(r"(?:%|\{[^{}]*:)[^%{}a-zA-Z]*?(\d{8,})")  # a width/precision of 10^7 or more
_NESTED_FORMAT = re.compile(r"\{[^{}]*:[^{}]*\{")  # a format spec with a replacement field inside
_WIDTH_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}
_WIDTH_FILTERS = {"center", "indent", "truncate", "wordwrap"}


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else 0


def render_seconds() -> float:
    """The time limit for one template: RENDER_SECONDS, or BRIEFGEN_RENDER_SECONDS from the environment
    (a person's own setting, for a very large briefing on a slow machine; templates cannot change it)."""
    value = os.environ.get("BRIEFGEN_RENDER_SECONDS", "").strip()
    if not value:
        return RENDER_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= 3600:
        raise BriefgenError(f"BRIEFGEN_RENDER_SECONDS: expected a number of seconds from 0 to 3600, got {value!r}")
    return seconds


class LimitedEnvironment(SandboxedEnvironment):
    """The sandbox plus the limits described in this module's docstring: a clock and an iteration count
    checked at every loop step, call and lookup; size checks on operators, filters and methods."""

    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.deadline = math.inf
        self.seconds = RENDER_SECONDS
        self.iterations = 0
        self.filters[_LOOP_FILTER] = self._loop
        self.filters[_SIZE_FILTER] = self._checked_size
        for name in _WIDTH_FILTERS:
            self.filters[name] = self._width_checked(self.filters[name])
        self.filters["join"] = self._join_checked(self.filters["join"])

    def start_clock(self) -> None:
        self.seconds = render_seconds()
        self.deadline = time.monotonic() + self.seconds
        self.iterations = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimitError(f"rendering stopped after {self.seconds:g} s (the limit for one template)")

    # Every for loop's iterable passes through _loop (see _parse), and each concatenation (~) through
    # _checked_size: Jinja has no per-iteration hook, so the template's syntax tree gets one.
    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, _LOOP_FILTER, [], [], None, None, lineno=loop.iter.lineno)
        for parent in list(tree.find_all(nodes.Node)):
            for field in parent.fields:
                value = getattr(parent, field, None)
                if isinstance(value, nodes.Concat):
                    setattr(parent, field, self._wrap_size(value))
                elif isinstance(value, list):
                    for i, item in enumerate(value):
                        if isinstance(item, nodes.Concat):
                            value[i] = self._wrap_size(item)
        return tree

    @staticmethod
    def _wrap_size(node: nodes.Expr) -> nodes.Expr:
        return nodes.Filter(node, _SIZE_FILTER, [], [], None, None, lineno=node.lineno)

    def _loop(self, iterable: Iterable) -> Iterable:
        if isinstance(iterable, jinja2.Undefined):  # keep StrictUndefined's own error
            return iterable
        return self._counted(iterable)

    def _counted(self, iterable: Iterable):
        for item in iterable:
            self.iterations += 1
            if self.iterations > MAX_ITERATIONS:
                raise TemplateLimitError(f"more than {MAX_ITERATIONS:,} loop iterations "
                                         "(the limit for one template)")
            if not self.iterations & 1023:
                self.tick()
            yield item

    def _checked_size(self, value: Any) -> Any:
        self.tick()
        if _size(value) > MAX_SIZE:
            raise TemplateLimitError(f"made a value of {_size(value):,} characters or items "
                                     f"(the limit is {MAX_SIZE:,})")
        return value

    def _refuse_size(self, size: int) -> None:
        if size > MAX_SIZE:
            raise TemplateLimitError(f"would make a value of {size:,} characters or items "
                                     f"(the limit is {MAX_SIZE:,})")

    def _refuse_format(self, text: Any) -> None:
        if isinstance(text, str):
            match = _FORMAT_WIDTH.search(text)
            if match:
                raise TemplateLimitError(f"format width {match.group(1)} is over the limit of {MAX_SIZE:,}")

    def _width_checked(self, func: Callable) -> Callable:
        def checked(*args: Any, **kwargs: Any) -> Any:
            self.tick()
            for arg in list(args[1:]) + list(kwargs.values()):
                if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_SIZE:
                    self._refuse_size(abs(arg))
            return self._checked_size(func(*args, **kwargs))
        for attribute in ("jinja_pass_arg",):
            if hasattr(func, attribute):
                setattr(checked, attribute, getattr(func, attribute))
        return checked

    def _join_checked(self, func: Callable) -> Callable:
        def checked(eval_ctx, value, d="", attribute=None):
            self.tick()
            items = list(value) if not isinstance(value, (str, jinja2.Undefined)) else value
            if isinstance(items, list) and isinstance(d, str):
                self._refuse_size(len(d) * max(len(items) - 1, 0) + sum(_size(item) for item in items))
            return self._checked_size(func(eval_ctx, items, d, attribute))
        checked.jinja_pass_arg = func.jinja_pass_arg
        return checked

    def call_binop(self, context, operator, left, right):
        self.tick()
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            bits = right * max(abs(left), 1).bit_length()
            if bits > MAX_POWER_BITS and abs(left) > 1:
                raise TemplateLimitError(f"{left} ** {right} would make a number of about {bits:,} bits "
                                         f"(the limit is {MAX_POWER_BITS:,})")
        elif operator == "*":
            if isinstance(left, int) and isinstance(right, int):
                bits = abs(left).bit_length() + abs(right).bit_length()
                if bits > MAX_POWER_BITS:
                    raise TemplateLimitError(f"a product of about {bits:,} bits (the limit is {MAX_POWER_BITS:,})")
            elif isinstance(right, int) and _size(left):
                self._refuse_size(_size(left) * right)
            elif isinstance(left, int) and _size(right):
                self._refuse_size(_size(right) * left)
        elif operator == "+":
            self._refuse_size(_size(left) + _size(right))
        elif operator == "%":
            self._refuse_format(left)
        return self._checked_size(super().call_binop(context, operator, left, right))

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        __self.tick()
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            if name in _WIDTH_METHODS:
                for arg in list(args) + list(kwargs.values()):
                    if isinstance(arg, int) and arg > MAX_SIZE:
                        __self._refuse_size(arg)
            elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
                count = owner.count(args[0]) if args[0] else len(owner) + 1
                __self._refuse_size(len(owner) + count * max(len(args[1]) - len(args[0]), 0))
            elif name == "join" and args and isinstance(args[0], (list, tuple)):
                __self._refuse_size(len(owner) * max(len(args[0]) - 1, 0) + sum(_size(a) for a in args[0]))
        return __self._checked_size(SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs))

    def getattr(self, obj, attribute):
        self.tick()
        if isinstance(obj, str) and attribute in ("format", "format_map"):
            # Jinja wraps str.format here, so call() no longer sees the string.
            self._refuse_format(obj)
            method = super().getattr(obj, attribute)
            if _NESTED_FORMAT.search(obj):  # a width taken from an argument: "{0:{1}}".format(x, 10**10)
                def checked(*args: Any, **kwargs: Any) -> Any:
                    values = list(args) + list(kwargs.values())
                    values += [v for a in args if isinstance(a, dict) for v in a.values()]
                    for value in values:
                        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SIZE:
                            raise TemplateLimitError(f"format width {value} is over the limit of {MAX_SIZE:,}")
                    return method(*args, **kwargs)
                return checked
            return method
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        self.tick()
        return super().getitem(obj, argument)


def make_environment(user_dir: Path | None) -> LimitedEnvironment:
    loader = jinja2.ChoiceLoader([FolderLoader(d) for d in template_dirs(user_dir)])
    env = LimitedEnvironment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["paragraphs"] = lambda text: Markup("\n".join(
        Markup("<p>{}</p>").format(part.strip()) for part in re.split(r"\n\s*\n", str(text)) if part.strip()))
    # A date or an amount never breaks across lines, in any format: its spaces become no-break spaces
    # (CSS nowrap alone would not reach the Word output).
    env.filters["nobreak"] = lambda text: str(text).replace(" ", "\u00a0")
    env.filters["format"] = env._width_checked(_format_filter(env, env.filters["format"]))
    return env


def _format_filter(env: LimitedEnvironment, func: Callable) -> Callable:
    def checked(value, *args, **kwargs):
        env._refuse_format(value)
        return func(value, *args, **kwargs)
    return checked


# ---------------------------------------------------------------------------------------------------------
# Rendering


def render_html(context: dict[str, Any], audience: str, user_dir: Path | None = None,
                extra: dict[str, Any] | None = None) -> str:
    """Render one audience. Raises BriefgenError naming the template file and line on any template error,
    on going over a limit (module docstring), and on a link or resource URL a briefing may not carry."""
    env = make_environment(user_dir)
    name = f"{audience}{AUDIENCE_SUFFIX}"
    shown = f"templates/{name}"
    try:
        template = env.get_template(name)
        if template.filename:
            shown = display_path(template.filename)
        env.start_clock()
        pieces, total = [], 0
        with _alarm(env):
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
                                f"(an audience is a file templates/NAME{AUDIENCE_SUFFIX})")
        raise BriefgenError(f"{_where(exc)}: template '{exc.name}' not found in "
                            f"{', '.join(display_path(d) for d in template_dirs(user_dir))}")
    except jinja2.TemplateSyntaxError as exc:
        raise BriefgenError(f"{_template_path(exc.filename, exc.name)}:{exc.lineno}: template syntax error: "
                            f"{exc.message}")
    except jinja2.exceptions.SecurityError as exc:
        raise BriefgenError(f"{_where(exc)}: template tried something the sandbox forbids: {exc}")
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
        raise BriefgenError(f"{_where(exc)}: template error: {exc}")
    check_urls(html, shown, template_dirs(user_dir))
    return html


@contextmanager
def _alarm(env: LimitedEnvironment) -> Iterator[None]:
    """The clock's second hand: a timer signal at the deadline raises the limit error wherever Python
    is, even inside one long library call written in Python (a `wordwrap` of ten million characters
    takes about 10 s); the checks between operations stay as the first line. Only in the main thread
    (signals go there); a call in C still finishes first, and the size limits keep any one short."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        if time.monotonic() >= env.deadline:
            env.tick()  # raises TemplateLimitError

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, max(env.deadline - time.monotonic(), 0.001) + 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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
# Links and resources in the rendered HTML

LINK_SCHEMES = {"http", "https", "mailto"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_URL_NOISE = re.compile(r"[\t\n\r]")
_LINK_TAGS = {"a", "area"}
_RESOURCE_ATTRIBUTES = {"src", "href", "srcset", "poster", "data", "action", "formaction", "background",
                        "{http://www.w3.org/1999/xlink}href", "xlink:href"}


def _scheme(url: str) -> str | None:
    """The scheme a browser would see: surrounding spaces and controls dropped, tabs and newlines removed."""
    cleaned = _URL_NOISE.sub("", url.strip("".join(map(chr, range(0x21))))).lower()
    match = _SCHEME.match(cleaned)
    return match.group(1) if match else None


def check_urls(html: str, template: str, template_dirs: list[Path]) -> None:
    """Refuse a rendered document whose links or resources a briefing may not carry (module docstring)."""
    if not any(marker in html.lower() for marker in ("href", "src", "script:", "data", "action", "background",
                                                      "poster", "url(", "@import", "refresh")):
        return
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # lxml raises ParserError/ValueError for empty or unparsable input
        return
    problems: list[str] = []
    roots = [Path(d).resolve() for d in template_dirs]
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag == "meta" and (element.get("http-equiv") or "").strip().lower() == "refresh":
            problems.append(f"{template}: <meta http-equiv=\"refresh\"> is not allowed in a briefing (it sends "
                            "the reader to another page)")
        css = [element.text or ""] if tag == "style" else []
        css += [value for attribute, value in element.attrib.items() if attribute.lower() == "style"]
        for text in css:
            for url in css_urls(text):
                if not _resource_allowed(url, _scheme(url), roots):
                    problems.append(f"{template}: blocked resource {url!r} in a stylesheet: a briefing may only "
                                    "use files from its template folders and data: URLs")
        for attribute, value in element.attrib.items():
            scheme = _scheme(value)
            if scheme in ("javascript", "vbscript"):
                problems.append(f"{template}: <{tag} {attribute}=\"{value}\">: {scheme}: URLs are not allowed "
                                "in a briefing")
                continue
            key = attribute.lower()
            if key in ("href", "{http://www.w3.org/1999/xlink}href", "xlink:href") and tag in _LINK_TAGS:
                if not (value.strip().startswith("#") or scheme in LINK_SCHEMES):
                    problems.append(f"{template}: link '{value}' not allowed: a briefing may link only to "
                                    "http:, https:, mailto: and #anchors in the document")
            elif key in _RESOURCE_ATTRIBUTES:
                urls = [part.strip().split()[0] for part in value.split(",") if part.strip()] \
                    if key == "srcset" else [value]
                for url in urls:
                    if not _resource_allowed(url, _scheme(url), roots):
                        problems.append(f"{template}: blocked resource {url!r}: a briefing may only use files "
                                        "from its template folders and data: URLs")
    if problems:
        raise BriefgenError(list(dict.fromkeys(problems)))


def css_urls(css: str) -> list[str]:
    """Every URL a piece of CSS (a stylesheet or a style attribute's declarations) would fetch:
    url(…) anywhere, including inside image-set() and @font-face src, and @import "…"."""
    if "url(" not in css.lower() and "@import" not in css.lower() and "\\" not in css:
        return []
    import tinycss2

    urls: list[str] = []

    def walk(tokens) -> None:
        importing = False  # after an @import keyword: its "…" string is a URL
        for token in tokens:
            if token.type in ("whitespace", "comment"):
                continue
            if token.type == "url" or (token.type == "string" and importing):
                urls.append(token.value)
            elif token.type == "function":
                if token.lower_name == "url":  # url("…") with a quoted string: a function to tinycss2
                    urls.extend(t.value for t in token.arguments if t.type == "string")
                walk(token.arguments)
            elif token.type in ("() block", "[] block", "{} block"):
                walk(token.content)
            importing = token.type == "at-keyword" and token.lower_value == "import"

    # Component values, not rules: the same walk reads a stylesheet and a style attribute's declarations.
    walk(tinycss2.parse_component_value_list(css, skip_comments=True))
    return urls


def _resource_allowed(url: str, scheme: str | None, roots: list[Path]) -> bool:
    from urllib.parse import unquote, urlsplit

    if scheme == "data":
        return True
    if scheme not in (None, "file"):
        return False
    if url.strip().startswith("#") and scheme is None:
        return True  # an in-document reference (SVG <use href="#id">)
    path = unquote(urlsplit(url.strip()).path)
    if not path:
        return False
    # Relative URLs resolve against the shipped templates folder, as in the PDF backend's base URL.
    target = (roots[-1] / path) if not path.startswith("/") else Path(path)
    try:
        real = target.resolve(strict=True)
        return any(real.is_relative_to(root) for root in roots) and stat.S_ISREG(os.stat(real).st_mode)
    except (OSError, RuntimeError):
        return False


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
