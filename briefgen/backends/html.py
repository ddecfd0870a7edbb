"""HTML backend: semantic HTML → a standalone .html file.

In: the HTML from render.py (stylesheet and chart already inline). Out: the
same document as UTF-8 bytes, for a browser preview or an email body. It
needs no external resource, so it opens anywhere and attaches cleanly.
"""

from __future__ import annotations

from pathlib import Path


def write_html(html: str, path: Path, meta: dict, assets: dict[str, bytes], **_: object) -> dict:
    path.write_bytes(html.encode("utf-8"))
    return {"pages": None}
