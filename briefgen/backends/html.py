"""HTML backend: semantic HTML → a standalone .html file.

In: the HTML from render.py (stylesheet and chart already inline). Out: the
same document as UTF-8 bytes, for a browser preview or an email body. It
needs no external resource, so it opens anywhere and attaches cleanly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..atomic import write_atomically


def write_html(html: str, path: Path, meta: dict[str, str], assets: dict[str, bytes], **_: object) -> dict[str, Any]:
    """Write the HTML to `path`, atomically. Returns {"pages": None}."""
    data, info = html_bytes(html, meta, assets)
    write_atomically(path, data)
    return info


def html_bytes(html: str, meta: dict[str, str], assets: dict[str, bytes],
               **_: object) -> tuple[bytes, dict[str, Any]]:
    """The page as UTF-8 bytes, and {"pages": None}."""
    return html.encode("utf-8"), {"pages": None}
