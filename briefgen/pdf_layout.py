"""PDF layout stage: semantic HTML → where things fall in the PDF's layout, for the Word backend.

In: the HTML from render.py and the template folders it may load files from.
Out: a `PdfLayout` from WeasyPrint's layout of the same HTML and print CSS the
PDF backend uses: the page each element id falls on (the first page is 1) and
the width of each table's columns, in points, tables in document order.

The Word backend uses both so Word lays a briefing out as the PDF is laid out:
the contents list prints the page numbers as the cached results of PAGEREF
fields (Word opens the file with page numbers and without asking to update
fields), and each table gets the PDF's column widths (briefing.css sizes some
columns to their longest value, which Word's and LibreOffice's own table
layouts would not reproduce), so rows wrap, and pages break, alike. The
numbers are right for the Word file as long as Word paginates as the PDF
does: the reference document follows briefing.css's type scale and spacing
for that reason, and tests/test_parity.py checks the outcome in LibreOffice.

Cost: the layout alone takes about 0.3-1 s for a two- to ten-page briefing
(WeasyPrint's import, about 0.4 s, comes on top). It runs in the Word job's
worker process, beside the PDF job, so a build that makes both pays in CPU
time rather than wall time. Nothing is fetched from the network or from
outside the template folders; a resource that would be is left out of this
layout (the PDF backend reports it).

When a build makes the PDF too, the Word job does not lay the HTML out again:
the PDF job, which lays out the very same HTML, hands its layout over in a
nameless file (`publish_layout`, `await_layout`); build.py starts every
PDF job before any Word job, so the Word job only ever waits for one running.
For a long briefing this halves the CPU a PDF-and-Word build costs.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CSS_PX = 0.75  # points in a CSS pixel, WeasyPrint's unit
_HEADER = 8  # bytes: the length of a handed-over layout, plus one (0: not there yet)


@dataclass
class PdfLayout:
    pages: dict[str, int] = field(default_factory=dict)        # element id → page number
    table_columns: list[list[float]] = field(default_factory=list)  # per <table>, column widths in points


def pdf_layout(html: str, template_dirs: list[Path]) -> PdfLayout:
    """Lay `html` out with WeasyPrint as the PDF backend does and report pages of ids and table column widths."""
    from weasyprint import HTML

    from .backends.pdf import project_only_fetcher

    roots = [Path(d).resolve() for d in template_dirs]

    logger = logging.getLogger("weasyprint")
    previous = logger.disabled
    logger.disabled = True  # the PDF job reports rendering problems; this layout only measures
    try:
        base_url = (str(roots[-1]) + "/") if roots else None
        fetcher = project_only_fetcher(template_dirs, fatal=False)
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
    finally:
        logger.disabled = previous
    return layout_of(document)


def layout_of(document: Any) -> PdfLayout:
    """The pages of ids and the tables' column widths in a WeasyPrint document already laid out."""
    from weasyprint.formatting_structure.boxes import TableBox

    layout = PdfLayout()
    seen_tables: set[int] = set()
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            layout.pages.setdefault(anchor, number)
        stack = [page._page_box]  # WeasyPrint's box tree: the one place the column widths are
        while stack:
            box = stack.pop()
            if isinstance(box, TableBox):
                if id(box.element) not in seen_tables:  # a table split over pages appears on each of them
                    seen_tables.add(id(box.element))
                    layout.table_columns.append([width * CSS_PX for width in box.column_widths])
                continue  # nested tables are not supported in Word output
            stack.extend(reversed(getattr(box, "children", None) or []))
    return layout


def publish_layout(layout: PdfLayout | None, fd: int) -> None:
    """Hand `layout` (None: there is none, the PDF failed) to the Word job waiting for it on `fd`, a
    nameless file both worker processes inherited (build.py): the layout first, then its length in
    the first 8 bytes, which the reader waits for. Nameless, so a killed build leaves no file."""
    data = None if layout is None else {"pages": layout.pages, "table_columns": layout.table_columns}
    payload = json.dumps(data).encode("utf-8")
    os.pwrite(fd, payload, _HEADER)
    os.pwrite(fd, struct.pack("<Q", len(payload) + 1), 0)


def is_published(fd: int) -> bool:
    header = os.pread(fd, _HEADER, 0)
    return len(header) == _HEADER and struct.unpack("<Q", header)[0] > 0


def await_layout(fd: int, poll: float = 0.02) -> PdfLayout | None:
    """The layout the PDF job publishes on `fd`, once it is there; None if the PDF job had none.
    The PDF job is already running (build.py starts it first) and always publishes, even on failure;
    should its worker die instead, the build stops every worker, this one included."""
    while not is_published(fd):
        time.sleep(poll)
    size = struct.unpack("<Q", os.pread(fd, _HEADER, 0))[0] - 1
    data = json.loads(os.pread(fd, size, _HEADER))
    if data is None:
        return None
    return PdfLayout({str(k): int(v) for k, v in data["pages"].items()},
                     [[float(w) for w in row] for row in data["table_columns"]])
