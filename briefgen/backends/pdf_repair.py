"""The working state one structure repair shares between its steps, and its report.

In: an open pikepdf.Pdf as WeasyPrint wrote it, the HTML it was rendered
from, and the `StructureSources` noted during the write (or None). Out: a
`Repair` that each step (pdf_pieces, pdf_tables, pdf_links, pdf_figures,
pdf_artifacts, pdf_write) reads and changes: the structure tree as Nodes, the
marked content that is to become artifacts, the /ID map of repeated table
headers, the pages' parsed content; and a `RepairReport` counting what changed.
pdf_structure.repair_structure runs the steps in order.
"""

from __future__ import annotations

from dataclasses import dataclass

import pikepdf

from .pdf_content import Instruction, Opening, content_bytes, marked_openings
from .pdf_sources import StructureSources
from .pdf_tree import MarkedContent, Node


@dataclass
class RepairReport:
    """What the repair changed, for logging and tests."""

    merged_elements: int = 0
    repeated_rows_made_artifacts: int = 0
    leader_marks_made_artifacts: int = 0
    links_flattened: int = 0
    figures_placed: int = 0
    scopes_added: int = 0
    link_descriptions: int = 0
    unowned_marks_made_artifacts: int = 0
    links_given_height: int = 0


class Repair:
    """One PDF being repaired: the document, what is known about it, and what the steps decided so far."""

    def __init__(self, pdf: pikepdf.Pdf, html: str, sources: StructureSources | None) -> None:
        self.pdf = pdf
        self.html = html
        self.sources = sources
        self.report = RepairReport()
        self.roots: list[Node] = []  # the structure tree, read by pdf_structure.repair_structure
        self.artifacts: dict[MarkedContent, str] = {}  # marked content → artifact type ("/Layout", "/Pagination")
        self.header_ids: dict[bytes, pikepdf.Object] = {}  # a repeated header cell's /ID → the kept cell's /ID
        self.owned: dict[MarkedContent, Node] = {}  # marked content → its element, once the tree is written
        self._parsed: dict[int, list[Instruction]] = {}
        self._scanned: dict[int, tuple[bytes, list[Opening] | None]] = {}

    def instructions(self, page_index: int) -> list[Instruction]:
        """A page's content, parsed once (nothing changes it until `pdf_artifacts.write_artifacts`)."""
        if page_index not in self._parsed:
            self._parsed[page_index] = list(pikepdf.parse_content_stream(self.pdf.pages[page_index]))
        return self._parsed[page_index]

    def openings(self, page_index: int) -> tuple[bytes, list[Opening] | None]:
        """A page's content bytes and where each marked-content sequence with an MCID opens in them,
        found without parsing the page (None where the scanner cannot read it: parse it instead)."""
        if page_index not in self._scanned:
            data = content_bytes(self.pdf.pages[page_index])
            self._scanned[page_index] = data, marked_openings(data)
        return self._scanned[page_index]
