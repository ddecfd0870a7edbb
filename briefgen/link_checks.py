"""Links and resources in a rendered page: rendered HTML → nothing, or an error per link it may not carry.

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

import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import BriefgenError

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
    for element in root.iter("*"):  # elements only: comments and processing instructions have no tag
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        if tag == "meta" and (element.get("http-equiv") or "").strip().lower() == "refresh":
            problems.append(f"{template}: <meta http-equiv=\"refresh\"> is not allowed in a briefing (it sends "
                            "the reader to another page)")
        css = [element.text or ""] if tag == "style" else []
        css += [str(value) for attribute, value in element.attrib.items() if str(attribute).lower() == "style"]
        for text in css:
            for url in css_urls(text):
                if not _resource_allowed(url, _scheme(url), roots):
                    problems.append(f"{template}: blocked resource {url!r} in a stylesheet: a briefing may only "
                                    "use files from its template folders and data: URLs")
        for attribute_name, attribute_value in element.attrib.items():
            attribute, value = str(attribute_name), str(attribute_value)
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

    def walk(tokens: Iterable[Any]) -> None:
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
