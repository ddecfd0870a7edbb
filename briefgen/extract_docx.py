"""DOCX extraction for `add-source`: a Word document's bytes → its text in reading order and metadata.

In: the bytes of a .docx file. Out: every paragraph and table row of the body in
document order (a row's cells separated by tabs, content controls opened, nested
tables included), then the footnotes and endnotes numbered as Word shows them, and
the core properties (title, author, created) as metadata.

python-docx reads the package; the body is walked element by element because its
`paragraphs` and `tables` lists lose the order between them, and it has no API for
footnotes (their part is parsed here). Soft hyphens are dropped and non-breaking
hyphens become "-", so a quote copied from Word matches.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from .errors import BriefgenError


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))


def _para_text(paragraph: Any) -> str:
    """Text of a <w:p>: runs, tabs and breaks; footnote reference marks are left out (notes come at the end)."""
    text, tab, breaks, hyphen = _qn("w:t"), _qn("w:tab"), (_qn("w:br"), _qn("w:cr")), _qn("w:noBreakHyphen")
    out = []
    for element in paragraph.iter():
        if element.tag == text:
            out.append(element.text or "")
        elif element.tag == tab:
            out.append("\t")
        elif element.tag in breaks:
            out.append("\n")
        elif element.tag == hyphen:
            out.append("-")
    return "".join(out)


def _blocks(parent: Any) -> Iterator[str]:
    """Paragraphs and table rows under `parent` (the body, a cell or a content control), in order."""
    for child in parent.iterchildren():
        if child.tag == _qn("w:p"):
            yield _para_text(child)
        elif child.tag == _qn("w:tbl"):
            for row in child.iterchildren(_qn("w:tr")):
                cells: list[str] = []
                nested: list[str] = []
                for cell in row.iterchildren(_qn("w:tc")):
                    cells.append(" ".join(t for t in (_para_text(p) for p in cell.iterchildren(_qn("w:p"))) if t))
                    for inner in cell.iterchildren(_qn("w:tbl")):
                        nested += _blocks_of_table(inner)
                yield "\t".join(cells)
                yield from nested
        elif child.tag == _qn("w:sdt"):
            content = child.find(_qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content)


def _blocks_of_table(table: Any) -> list[str]:
    from lxml import etree

    wrapper = etree.Element("wrapper")
    wrapper.append(etree.fromstring(etree.tostring(table)))
    return list(_blocks(wrapper))


def _notes(document: Any, reltype: str, tag: str) -> dict[str, str]:
    """Note id → its text, for the footnotes or endnotes part (separators left out)."""
    from lxml import etree

    notes: dict[str, str] = {}
    for rel in document.part.rels.values():
        if rel.reltype != reltype or rel.is_external:
            continue
        root = etree.fromstring(rel.target_part.blob, etree.XMLParser(resolve_entities=False, no_network=True))
        for note in root.iterchildren(_qn(tag)):
            if note.get(_qn("w:type")) in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            text = " ".join(t for t in (_para_text(p) for p in note.iter(_qn("w:p"))) if t).strip()
            if text:
                notes[str(note.get(_qn("w:id")))] = text
    return notes


def _numbered(body: Any, notes: dict[str, str], reference: str) -> list[str]:
    """Notes numbered by their first reference in the body, as Word displays them (not by their ids)."""
    order = list(dict.fromkeys(r.get(_qn("w:id")) for r in body.iter(_qn(reference))))
    ids = [i for i in order if i in notes] + [i for i in notes if i not in order]
    return [f"{n}. {notes[i]}" for n, i in enumerate(ids, 1)]


def extract_docx(data: bytes, name: str) -> tuple[str, dict[str, str | None]]:
    """The document's text (body, then footnotes and endnotes) and its title, author and creation date."""
    from docx import Document
    from docx.opc.constants import RELATIONSHIP_TYPE

    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a damaged or foreign package
        raise BriefgenError(f"{name}: not a readable Word (.docx) document ({type(exc).__name__}: {exc})") from None
    body = document.element.body
    text = "\n".join(block for block in _blocks(body) if block.strip())
    for heading, reltype, tag, reference in (
            ("Footnotes", RELATIONSHIP_TYPE.FOOTNOTES, "w:footnote", "w:footnoteReference"),
            ("Endnotes", RELATIONSHIP_TYPE.ENDNOTES, "w:endnote", "w:endnoteReference")):
        notes = _notes(document, reltype, tag)
        if notes:
            text += f"\n\n{heading}:\n" + "\n".join(_numbered(body, notes, reference))
    properties = document.core_properties
    meta: dict[str, str | None] = {"title": properties.title or None, "publisher": properties.author or None,
                                   "date": properties.created.date().isoformat() if properties.created else None}
    return text, meta
