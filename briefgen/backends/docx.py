"""DOCX backend: semantic HTML → an editable Word document, with python-docx.

In: the HTML from render.py (the small subset our templates produce), the
briefing's metadata (title, subject, author, keywords, language, marking,
date), PNG assets standing in for images the HTML carries as SVG, optionally a
reference .docx whose named styles the output uses (like pandoc's
--reference-doc), and optionally the PDF's layout of the same HTML (pages of
ids, table column widths; see briefgen/pdf_layout.py). Out: a .docx whose every
paragraph carries a real Word style (Title, Heading 1-3, List Bullet/Number,
Caption, ...), tables with repeating header rows, a contents list with its page
numbers already in place (no "update fields?" prompt), hyperlinks, pictures
with alt text (and their SVG for Word 2016+), the protective marking in header
and footer, "Page X of Y", and core properties. The same input gives the same
bytes.

Word output is meant to look like the PDF and to break pages where it does:
the reference document follows briefing.css's face, type scale and spacing;
the page's own CSS decides class-driven bold and italic, colours, rules
(borders) and page breaks; tables take the PDF's column widths.
tests/test_parity.py compares the two as LibreOffice lays Word out.

Anything outside the subset stops the build with a `BriefgenError` naming the
template, the element and its line: Word output never drops content silently.

The walk is linear in the size of the HTML and quick (a 5,000-paragraph
briefing with a 1,000-row table takes about 1.5 s). python-docx's convenient
calls are neither: `add_paragraph` rescans the body for w:sectPr, assigning a
style object scans every style to compare it with the default, and each run
property searches its siblings' schema order. So paragraphs and tables are
inserted next to a held w:sectPr, style ids are resolved once, and each
distinct paragraph style and run format is built once through python-docx's
proxies and then copied.

This module is the entry point; the work is done in:

    docx_blocks.py          the HTML walker: blocks, flow, CSS borders and margins (Writer)
    docx_inline.py          inline content: runs, links, pictures
    docx_tables.py          tables: rows, spans, widths, header rows
    docx_lists.py           lists and the contents list (TOC field)
    docx_writer.py          the writer's shared core: errors, styles, paragraphs, bookmarks
    docx_walk.py            the supported HTML subset and the small types passed down the walk
    docx_css.py             the page's stylesheet read for Word (emphasis, colour, rules, breaks)
    docx_measures.py        briefing.css's type scale, colours and gaps in Word's terms
    docx_reference.py       the reference document's styles (templates/reference.docx)
    docx_reference_parts.py a user's reference .docx made safe (zip bombs, entities, stray parts)
    docx_document.py        headers, footers, core properties, stable zip bytes
    docx_oxml.py            Word XML python-docx lacks: fields, tables, links, borders, pictures
    docx_oxml_styles.py     Word XML python-docx lacks: styles, numbering, document settings
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import lxml.html
from docx import Document

from ..atomic import write_atomically
from ..errors import BriefgenError, display_path
from ..safe_files import REFERENCE_DOCX_MAX, read_inside
from .docx_blocks import Writer
from .docx_css import StyleSheet
from .docx_document import WORD_PROPERTY_LIMIT, cut_at_word, finish_document, saved, word_property, zip_time
from .docx_inline import PICTURE_TITLE_LIMIT, picture_width
from .docx_measures import ARIAL_SINGLE_LINE, word_line_spacing
from .docx_reference import make_reference_docx, reference_bytes
from .docx_reference_parts import (
    REFERENCE_MEMBER_MAX,
    REFERENCE_MEMBERS_MAX,
    REFERENCE_RATIO_MAX,
    REFERENCE_TOTAL_MAX,
    reference_parts,
)
from .docx_writer import WriterInput

_reference_bytes = reference_bytes  # the name tests/test_parity.py reads the shipped styles by

__all__ = [
    "ARIAL_SINGLE_LINE",
    "PICTURE_TITLE_LIMIT",
    "REFERENCE_MEMBERS_MAX",
    "REFERENCE_MEMBER_MAX",
    "REFERENCE_RATIO_MAX",
    "REFERENCE_TOTAL_MAX",
    "WORD_PROPERTY_LIMIT",
    "_reference_bytes",
    "cut_at_word",
    "docx_bytes",
    "make_reference_docx",
    "picture_width",
    "reference_bytes",
    "reference_parts",
    "word_line_spacing",
    "word_property",
    "write_docx",
]


def write_docx(html: str, path: Path, meta: dict[str, Any], assets: dict[str, bytes],
               **options: Any) -> dict[str, Any]:
    """Write the DOCX for `html` to `path`, atomically (options as `docx_bytes`). Returns {"pages": None}."""
    data, info = docx_bytes(html, meta, assets, **options)
    write_atomically(path, data)
    return info


def docx_bytes(html: str, meta: dict[str, Any], assets: dict[str, bytes], reference: Path | None = None,
               template_name: str = "template", page_numbers: dict[str, int] | None = None,
               column_widths: list[list[float]] | None = None,
               template_dirs: list[Path] | None = None) -> tuple[bytes, dict[str, Any]]:
    """The DOCX for `html`, and {"pages": None} (Word lays out its own pages).

    From the PDF's layout of the same HTML (briefgen/pdf_layout.py), both optional:
    `page_numbers` maps element ids to their pages, and the contents list
    prints them (without it, the list has no page numbers until Word updates
    it); `column_widths` gives each <table>'s column widths in points, in
    document order (without it, a table's data-widths, else equal columns).
    With `template_dirs`, an error about an element names the template file and line that wrote it.
    """
    try:
        root = lxml.html.document_fromstring(html)
    except Exception as exc:  # lxml raises ParserError/ValueError for empty or unparsable input
        raise BriefgenError(f"{template_name}: the HTML could not be read for Word output ({exc})") from None
    if reference is None:
        document = Document(io.BytesIO(reference_bytes()))
    else:
        data = read_inside(reference, reference.parent, "Word reference document", REFERENCE_DOCX_MAX)
        try:
            document = Document(io.BytesIO(reference_parts(data, display_path(reference))))
        except BriefgenError:
            raise
        except Exception as exc:  # a zip, package or XML error from python-docx: the file is not a .docx
            raise BriefgenError(f"{display_path(reference)}: not a usable Word reference document "
                                f"({type(exc).__name__}: {exc})") from None
    document.element.body.clear_content()  # a reference lends its styles and page set-up, never its text
    language = meta.get("language") or root.get("lang") or ""
    head = root.find("head")
    body = root.find("body")
    if column_widths and body is not None and len(column_widths) != sum(1 for _ in body.iter("table")):
        column_widths = None  # measured from different HTML: the tables would not line up
    chain: list[tuple[str, list[str]]] = []  # the templates that wrote the HTML, to point at their lines
    if template_dirs:
        from ..render import template_chain

        chain = template_chain(list(template_dirs), template_name.removeprefix("templates/"))
    writer = Writer(document, WriterInput(
        template_name=template_name, assets=assets, page_numbers=page_numbers or {},
        column_widths=column_widths or [], css=StyleSheet.from_head(head) if head is not None else None,
        chain=chain))
    if head is not None:
        writer.check_head(head)
    if body is not None:
        writer.write_body(body)
    finish_document(document, meta, language)
    return saved(document, zip_time(meta.get("date"))), {"pages": None}
