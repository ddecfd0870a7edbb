"""Turn content no one should read aloud into artifacts: leader dots, repeated headers, margin boxes.

In: a `Repair`. Out:
* `remove_leaders` (on the tree, before the pieces are joined): the marked
  content of a CSS ``leader()`` box (the contents list's dots, which
  WeasyPrint tags as text, one element per dot) is marked to become a /Layout
  artifact, and the leader's element is dropped from the tree, its link
  annotation moving up to the enclosing element;
* `write_artifacts` (on the page content, after the tree is written): each
  marked-content sequence that no structure element owns any more becomes an
  /Artifact of the type decided for it (`Repair.artifacts`), or a /Pagination
  artifact: running headers and footers (page margin boxes), which WeasyPrint
  leaves unowned.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Dictionary, Name

from .pdf_content import Instruction, mcid_of
from .pdf_repair import Repair
from .pdf_tree import Kid, MarkedContent, Node


def remove_leaders(repair: Repair, node: Node) -> None:
    """Leader dots become layout artifacts; anything else in a leader (its link annotation) moves up."""
    kids: list[Kid] = []
    for kid in node.kids:
        if isinstance(kid, Node) and kid.source is not None and kid.source.leader:
            for mark in kid.marked_content():
                repair.artifacts[mark] = "/Layout"
                repair.report.leader_marks_made_artifacts += 1
            kids.extend(kid.object_refs())
        else:
            if isinstance(kid, Node):
                remove_leaders(repair, kid)
            kids.append(kid)
    node.kids = kids


def write_artifacts(repair: Repair) -> None:
    """Marked content that no structure element owns any more becomes an artifact in the page content."""
    for page_index, page in enumerate(repair.pdf.pages):
        data, openings = repair.openings(page_index)
        if openings is None:
            _write_artifacts_parsed(repair, page_index, page)
            continue
        # Only the BDCs that change are rewritten; every other byte of the page stays as WeasyPrint wrote it.
        pieces: list[bytes] = []
        done = 0
        for opening in openings:
            kind = _artifact_kind(repair, MarkedContent(page_index, opening.mcid))
            if kind is not None:
                pieces += [data[done:opening.start], b"/Artifact <</Type " + kind.encode("ascii") + b">> BDC"]
                done = opening.end
        if pieces:
            page.obj.Contents = repair.pdf.make_stream(b"".join(pieces) + data[done:])


def _artifact_kind(repair: Repair, mark: MarkedContent) -> str | None:
    """The artifact type unowned marked content becomes ("/Layout", "/Pagination"); None if owned."""
    if mark in repair.owned:
        return None
    kind = repair.artifacts.get(mark)
    if kind is None:
        kind = "/Pagination"  # running headers and footers: margin boxes
        repair.report.unowned_marks_made_artifacts += 1
    return kind


def _write_artifacts_parsed(repair: Repair, page_index: int, page: pikepdf.Page) -> None:
    """`write_artifacts` for a page the scanner could not read: through pikepdf's parser."""
    instructions = repair.instructions(page_index)
    changed = False
    out: list[Instruction] = []
    for instruction in instructions:
        if isinstance(instruction, pikepdf.ContentStreamInstruction) and str(instruction.operator) == "BDC":
            mcid = mcid_of(instruction)
            if mcid is not None:
                kind = _artifact_kind(repair, MarkedContent(page_index, mcid))
                if kind is not None:
                    instruction = pikepdf.ContentStreamInstruction(
                        [Name.Artifact, Dictionary(Type=Name(kind))], pikepdf.Operator("BDC"))
                    changed = True
        out.append(instruction)
    if changed:
        page.obj.Contents = repair.pdf.make_stream(pikepdf.unparse_content_stream(out))
