"""PDF extraction for `add-source`: a PDF's bytes → its text in reading order, cleaned, and metadata.

In: the bytes of a PDF. Out: the text of every page in reading order (columns one
after the other), with running headers, footers and page numbers removed, words
hyphenated across line ends joined again, and white space tidied; and the title,
author and creation date from the document information or XMP metadata. A
password-protected PDF, one that cannot be parsed, and one with no text layer (a
scan: OCR is out of scope) are refused with a message saying so.

pdfminer.six lays out the text (LAParams(char_margin=3.0) joins widely justified
words and still splits columns 24 pt apart); pypdf reads the metadata and finds
encryption. A text box is a running head when it lies in the top or bottom 12% of
the page and is a page number or recurs (digits aside) on half the pages or more.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from typing import Any

from .errors import BriefgenError

Box = tuple[float, float, float, float, str]  # x0, y0, x1, y1, text

PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.IGNORECASE)
_HYPHENS = "\u00ad\u2010\ufffe\u0002-"
# a hyphen at a line end, optionally followed by one blank line (a word broken across a column or page)
_BROKEN_WORD = re.compile(r"([^\W\d_])(?:[" + re.escape(_HYPHENS) + r"][ \t]*\r?\n(?:[ \t]*\r?\n)?[ \t]*"
                          r"|[\ufffe\u0002])([^\W\d_])")


def _pages(data: bytes) -> tuple[list[list[Box]], list[float]]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer

    pages: list[list[Box]] = []
    heights: list[float] = []
    for page in extract_pages(io.BytesIO(data), laparams=LAParams(char_margin=3.0)):
        pages.append([(e.x0, e.y0, e.x1, e.y1, e.get_text()) for e in page if isinstance(e, LTTextContainer)])
        heights.append(page.height)
    return pages, heights


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()).lower())


def drop_running_heads(pages: list[list[Box]], heights: list[float], margin: float = 0.12,
                       min_share: float = 0.5) -> list[list[Box]]:
    """The pages without the boxes in the top or bottom `margin` that are page numbers or that recur
    (digits aside) on at least `min_share` of the pages (at least two)."""
    def in_margin(box: Box, height: float) -> bool:
        return box[1] > height * (1 - margin) or box[3] < height * margin

    counts: Counter[str] = Counter()
    for boxes, height in zip(pages, heights, strict=True):
        counts.update({_key(b[4]) for b in boxes if in_margin(b, height)})
    n = len(pages)
    return [[b for b in boxes if not (in_margin(b, height) and (
        PAGE_NUMBER.match(b[4]) or (n >= 2 and counts[_key(b[4])] >= max(2, min_share * n))))]
            for boxes, height in zip(pages, heights, strict=True)]


def dehyphenate(text: str) -> str:
    """Join words broken at a line end. The hyphen stays when the continuation starts with a capital
    or the hyphenated form occurs unbroken elsewhere in the text ("well-\\nknown" beside "well-known")."""
    def join(match: re.Match[str]) -> str:
        start = text.rfind(" ", 0, match.start(1)) + 1
        left = text[start:match.end(1)].strip()
        right_match = re.match(r"[^\W_]+", text[match.start(2):])
        right = right_match.group(0) if right_match else match.group(2)
        if match.group(0)[len(match.group(1))] == "-" and (right[0].isupper() or f"{left}-{right}" in text):
            return f"{match.group(1)}-{match.group(2)}"
        return match.group(1) + match.group(2)

    return _BROKEN_WORD.sub(join, text)


def tidy(text: str) -> str:
    """Line ends as "\\n", runs of spaces as one, lines trimmed, at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n\n")
    text = "\n".join(re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _metadata(data: bytes, name: str) -> tuple[dict[str, str | None], int]:
    """Title, author (as publisher) and creation date; and the number of pages. Refuses encrypted PDFs."""
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):  # owner-password-only PDFs open with ""
            raise BriefgenError(_encrypted(name))
        info: Any = reader.metadata or {}
        pages = len(reader.pages)
    except BriefgenError:
        raise
    except Exception as exc:  # pypdf's many parse errors, and a missing crypto backend
        if "password" in str(exc).lower() or "decrypt" in str(exc).lower():
            raise BriefgenError(_encrypted(name)) from None
        raise BriefgenError(f"{name}: not a readable PDF ({type(exc).__name__}: {exc})") from None
    created = getattr(info, "creation_date", None)
    meta: dict[str, str | None] = {"title": getattr(info, "title", None) or None,
                                   "publisher": getattr(info, "author", None) or None,
                                   "date": created.date().isoformat() if created else None}
    try:
        xmp = reader.xmp_metadata
        if xmp is not None:
            meta["title"] = meta["title"] or (xmp.dc_title or {}).get("x-default") or None
            if not meta["date"] and xmp.xmp_create_date:
                meta["date"] = xmp.xmp_create_date.date().isoformat()
    except Exception:  # a damaged XMP packet is no reason to refuse the text
        pass
    return meta, pages


def _encrypted(name: str) -> str:
    return (f"{name}: the PDF is encrypted (password-protected); save an unprotected copy "
            "(or its text) and add that instead")


def extract_pdf(data: bytes, name: str) -> tuple[str, dict[str, str | None]]:
    """The PDF's cleaned text and its metadata; `name` is for messages."""
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    meta, page_count = _metadata(data, name)
    try:
        pages, heights = _pages(data)
    except PDFPasswordIncorrect:
        raise BriefgenError(_encrypted(name)) from None
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise BriefgenError(f"{name}: not a readable PDF ({type(exc).__name__}: {exc})") from None
    pages = drop_running_heads(pages, heights)
    text = dehyphenate(tidy("\n\n".join("".join(box[4] + "\n" for box in boxes) for boxes in pages)))
    if len(re.sub(r"\s", "", text)) < 5 * max(1, page_count):
        raise BriefgenError(f"{name}: the PDF has no text layer (a scanned image?); briefgen does not read "
                            "images (OCR): run it through OCR first, or add the text as a .txt file")
    return text, meta
