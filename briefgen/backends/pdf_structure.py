"""Repair the tagged structure of a PDF that WeasyPrint wrote, with pikepdf.

In: the bytes of the PDF WeasyPrint just wrote, the HTML it was rendered from,
and what `record_structure_sources` learnt about the layout while WeasyPrint
tagged it. Out: the bytes of the same PDF, with these faults of WeasyPrint 70's
tagging repaired, and a `RepairReport` of what changed:

* WeasyPrint builds the structure tree one page at a time, so every element
  that crosses a page break (a section, a table, a list, a paragraph) becomes
  one structure element per page. Those pieces are merged back into one
  element. A table's header row, which WeasyPrint repeats on every page, is
  kept once: the repeated copies become pagination artifacts in the page
  content, and the data cells that pointed at them point at the first one.
* The dots of a CSS ``leader()`` (the contents list) are marked as text, one
  structure element per dot, inside a link inside a link inside a link. The
  dots become layout artifacts and each contents entry is one /Link.
* A /Figure's /BBox is in CSS pixels from the top left of the page. It is
  recomputed in PDF user space from what the figure paints on its page.
* Link annotations carry the bare destination name ("source-3") as /Contents.
  They get a description from the HTML instead: "Source 3: <the source>" for a
  citation, the heading text for a contents entry.
* /TH cells get a /Scope, and the structure tree gets the /IDTree that the
  header ids of the data cells need.
* Running headers and footers (page margin boxes) are marked content that no
  structure element owns; they become pagination artifacts.
* A link in text with `line-height: 0` (the citation superscripts) gets an
  annotation with no height, which cannot be clicked; it is stretched over its
  text's line.

WeasyPrint's own tagging is not changed. `record_structure_sources` wraps its
tree builder only to note, for each structure element it makes, which HTML
element (or pseudo-element) it came from: that is the one thing the PDF cannot
tell afterwards, and without it the pieces of one table cannot be told from two
tables that happen to meet at a page break. If a WeasyPrint release renames
that builder, nothing is recorded and only the repairs that do not need it run.

The PDF is saved with an /ID computed from its content, so the same input
gives the same bytes.

Where each part lives (all in briefgen/backends/):

  pdf_sources.py    recording, during WeasyPrint's write, which HTML element
                    each structure element came from
  pdf_tree.py       reading the structure tree into Nodes
  pdf_content.py    what every reader of page content shares (matrices, MCIDs)
  pdf_text.py       the text inside marked content, and where its lines are
  pdf_repair.py     the state the steps share, and the report
  pdf_pieces.py     joining the per-page pieces of one element
  pdf_tables.py     repeated header rows, footers, /Scope, /Headers
  pdf_links.py      nested links, link descriptions, links with no height
  pdf_figures.py    figure boxes
  pdf_artifacts.py  leader dots and unowned marked content made artifacts
  pdf_write.py      the tree, parent tree and /IDTree written back

The names other modules use are importable from here.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pikepdf

from .pdf_artifacts import remove_leaders, write_artifacts
from .pdf_figures import painted_extent, place_figures
from .pdf_links import NUMBERED_LISTS, describe_links, flatten_links, give_links_height, link_descriptions
from .pdf_pieces import attach_sources, merge_adjacent
from .pdf_repair import Repair, RepairReport
from .pdf_sources import BoxSource, StructureSources, record_structure_sources
from .pdf_tables import add_scopes, remap_headers, tidy_tables
from .pdf_text import marked_content_text, node_text, text_lines
from .pdf_tree import MarkedContent, Node, ObjectRef, page_numbers, read_tree
from .pdf_write import write_tree

__all__ = [
    "NUMBERED_LISTS",
    "BoxSource",
    "MarkedContent",
    "Node",
    "ObjectRef",
    "RepairReport",
    "StructureSources",
    "link_descriptions",
    "marked_content_text",
    "node_text",
    "page_numbers",
    "painted_extent",
    "read_tree",
    "record_structure_sources",
    "repair_structure",
    "text_lines",
]


def repair_structure(data: bytes, html: str, sources: StructureSources | None = None,
                     inspect: Callable[[pikepdf.Pdf], None] | None = None) -> tuple[bytes, RepairReport]:
    """The PDF `data` with its tagged structure repaired, and what was repaired; deterministic for the
    same input. `inspect` is given the PDF as WeasyPrint wrote it first (opening it once is a fifth of
    the repair's time on a long document, so a check on the same PDF shares the opening)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if inspect is not None:
            inspect(pdf)
        report = _repair(Repair(pdf, html, sources))
        buffer = io.BytesIO()
        # fix_metadata_version would rewrite WeasyPrint's XMP packet (same facts, other bytes): leave it be.
        pdf.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                 fix_metadata_version=False)
    return buffer.getvalue(), report


def _repair(repair: Repair) -> RepairReport:
    """The steps, in order: each may rely on what the ones before it did."""
    repair.roots = read_tree(repair.pdf)
    if not repair.roots:
        return repair.report
    attach_sources(repair)
    for root in repair.roots:
        remove_leaders(repair, root)
        merge_adjacent(repair, root)
        flatten_links(repair, root, inside_link=False)
        tidy_tables(root)
    remap_headers(repair)
    add_scopes(repair)
    place_figures(repair)
    describe_links(repair)
    give_links_height(repair)
    write_tree(repair)
    write_artifacts(repair)
    return repair.report
