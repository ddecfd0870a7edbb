"""The machine-checkable part of the Matterhorn Protocol (PDF/UA-1), for our own PDFs.

In: a path to a PDF. Out: a list of failure strings, each starting with the
Matterhorn failure condition it breaks, e.g. "13-004 /Figure on page 9 has no
/Alt or /ActualText"; an empty list when every check here passes.

This is a subset, not a validator: it checks what our PDFs could get wrong and
a program can decide. Checked:

  01-003 / 01-004 / 01-005  artifacts and tagged content are not nested in each
                            other; nothing is painted outside marked content;
                            every MCID belongs to a structure element in the
                            tree; the catalog has /MarkInfo /Marked true and a
                            /StructTreeRoot (without them no content is tagged)
  06-001 / 06-002 / 06-003  XMP metadata with pdfuaid:part and a dc:title
  07-001 / 07-002           /ViewerPreferences /DisplayDocTitle true
  09-004                    a /Table has rows
  11-001                    the catalog has a /Lang
  13-004                    every /Figure has /Alt (or /ActualText)
  14-002 / 14-003           headings start at H1 and skip no level going down
  15-003                    every /TH has a /Scope (or an /ID the data cells use)
  28-002 / 28-010 / 28-011  every annotation (but /Popup) is in the structure
                            tree, a link under a /Link element
  28-008 / 28-009           every page has /Tabs /S (Matterhorn asks it of pages
                            with annotations; we ask it of every page)
  28-012                    every link annotation has /Contents
  31-009                    every font used is embedded

Not checked: everything that needs a person (is the alt text right, is the
reading order right), and what needs a look inside font programs (31-011 and
most of 31).
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary

from .backends.pdf_content import fonts_used, mcid_of
from .backends.pdf_tree import MarkedContent, Node, Value, annotation_owners, attribute_dicts, read_tree

# Operators that paint: paths, text, XObjects, shadings and inline images ("BI").
_PAINT = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "Tj", "TJ", "'", '"', "Do", "sh", "BI"}
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DC = "http://purl.org/dc/elements/1.1/"
_PDFUAID = "http://www.aiim.org/pdfua/ns/id/"


def check_pdf(path: Path | str) -> list[str]:
    """Every failure found in the PDF at `path`, as "NN-NNN what is wrong" strings, in a stable order."""
    with pikepdf.open(path) as pdf:
        failures: list[str] = []
        failures += _catalog(pdf)
        failures += _metadata(pdf)
        roots = read_tree(pdf)
        failures += _structure(pdf, roots)
        failures += _annotations(pdf, roots)
        failures += _content(pdf, roots)
        failures += _fonts(pdf)
        return failures


# --- catalog and metadata --------------------------------------------------------------------------


def _catalog(pdf: pikepdf.Pdf) -> list[str]:
    failures = []
    root = pdf.Root
    mark_info = root.get("/MarkInfo")
    marked: Value | None = mark_info.get("/Marked") if isinstance(mark_info, Dictionary) else None
    if marked is not True:
        failures.append("01-005 catalog has no /MarkInfo with /Marked true")
    if "/StructTreeRoot" not in root:
        failures.append("01-005 catalog has no /StructTreeRoot")
    lang = root.get("/Lang")
    if lang is None or not str(lang).strip():
        failures.append("11-001 catalog has no /Lang")
    preferences = root.get("/ViewerPreferences")
    display: Value | None = preferences.get("/DisplayDocTitle") if isinstance(preferences, Dictionary) else None
    if display is None:
        failures.append("07-001 /ViewerPreferences has no /DisplayDocTitle")
    elif display is not True:
        failures.append("07-002 /ViewerPreferences /DisplayDocTitle is not true")
    for number, page in enumerate(pdf.pages, start=1):
        tabs = page.obj.get("/Tabs")
        if tabs is None:
            failures.append(f"28-008 page {number} has no /Tabs")
        elif tabs != "/S":
            failures.append(f"28-009 page {number} has /Tabs {tabs}, not /S")
    return failures


def _metadata(pdf: pikepdf.Pdf) -> list[str]:
    from lxml import etree

    stream = pdf.Root.get("/Metadata")
    if stream is None:
        return ["06-001 catalog has no XMP metadata stream"]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        tree = etree.fromstring(stream.read_bytes(), parser)
    except etree.XMLSyntaxError as exc:
        return [f"06-001 XMP metadata is not well-formed XML: {exc}"]
    failures = []
    parts = [d.get(f"{{{_PDFUAID}}}part") for d in tree.iter(f"{{{_RDF}}}Description")]
    parts += [e.text for e in tree.iter(f"{{{_PDFUAID}}}part")]
    if not any(p and p.strip() for p in parts):
        failures.append("06-002 XMP metadata has no PDF/UA identifier (pdfuaid:part)")
    titles = ["".join(text for text in t.itertext() if isinstance(text, str)).strip()
              for t in tree.iter(f"{{{_DC}}}title")]
    if not any(titles):
        failures.append("06-003 XMP metadata has no dc:title")
    return failures


# --- structure tree ----------------------------------------------------------------------------------


def _page_label(node: Node) -> str:
    return f" on page {node.page + 1}" if node.page is not None else ""


def _structure(pdf: pikepdf.Pdf, roots: list[Node]) -> list[str]:
    failures = []
    nodes = [node for root in roots for node in root.walk()]
    header_ids_used = set()
    for node in nodes:
        if node.kind == "/TD":
            for attributes in attribute_dicts(node):
                for value in attributes.get("/Headers", Array()):
                    header_ids_used.add(bytes(value))
    headings = []
    for node in nodes:
        if node.kind == "/Figure":
            alt = node.obj.get("/Alt")
            actual = node.obj.get("/ActualText")
            if not (alt is not None and str(alt).strip()) and not (actual is not None and str(actual).strip()):
                failures.append(f"13-004 /Figure{_page_label(node)} has no /Alt or /ActualText")
        elif node.kind == "/Table":
            if not any(n.kind == "/TR" for n in node.walk()):
                failures.append(f"09-004 /Table{_page_label(node)} has no rows")
        elif node.kind == "/TH":
            has_scope = any("/Scope" in a for a in attribute_dicts(node))
            used_id = "/ID" in node.obj and bytes(node.obj.ID) in header_ids_used
            if not has_scope and not used_id:
                failures.append(f"15-003 /TH{_page_label(node)} has neither /Scope nor an /ID used by /Headers")
        if len(node.kind) == 3 and node.kind.startswith("/H") and node.kind[2].isdigit():
            headings.append(node)
    if headings and headings[0].kind != "/H1":
        failures.append(f"14-002 the first heading is {headings[0].kind[1:]}, not H1")
    for before, after in pairwise(headings):
        if int(after.kind[2]) > int(before.kind[2]) + 1:
            failures.append(f"14-003 {after.kind[1:]}{_page_label(after)} follows {before.kind[1:]}: "
                            f"a heading level is skipped")
    return failures


# --- annotations -----------------------------------------------------------------------------------


def _annotations(pdf: pikepdf.Pdf, roots: list[Node]) -> list[str]:
    owner_kind = {objgen: node.kind for objgen, node in annotation_owners(roots).items()}
    failures = []
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.obj.get("/Annots", Array()):
            if not isinstance(annotation, Dictionary):
                continue
            subtype = str(annotation.get("/Subtype", "/Unknown"))
            if subtype == "/Popup":
                continue
            owner = owner_kind.get(annotation.objgen) if annotation.is_indirect else None
            checkpoint = {"/Link": "28-011", "/Widget": "28-010"}.get(subtype, "28-002")
            if "/StructParent" not in annotation:
                failures.append(f"{checkpoint} {subtype} annotation on page {number} has no /StructParent")
            elif owner is None:
                failures.append(f"{checkpoint} {subtype} annotation on page {number} is in no structure element")
            elif subtype == "/Link" and owner != "/Link":
                failures.append(f"28-011 /Link annotation on page {number} is in a {owner} element, not /Link")
            if subtype == "/Link":
                contents = annotation.get("/Contents")
                if contents is None or not str(contents).strip():
                    failures.append(f"28-012 /Link annotation on page {number} has no /Contents")
    return failures


# --- page content ----------------------------------------------------------------------------------


def _content(pdf: pikepdf.Pdf, roots: list[Node]) -> list[str]:
    owned: set[MarkedContent] = {mark for root in roots for mark in root.marked_content()}
    failures = []
    for number, page in enumerate(pdf.pages, start=1):
        stack: list[str] = []  # for each open sequence: "artifact", "tagged" or "other"
        unmarked: dict[str, int] = {}
        artifact_in_tagged = tagged_in_artifact = 0
        unowned: list[int] = []
        for instruction in pikepdf.parse_content_stream(page):
            op = "BI" if isinstance(instruction, pikepdf.ContentStreamInlineImage) else str(instruction.operator)
            if isinstance(instruction, pikepdf.ContentStreamInstruction) and op in ("BDC", "BMC"):
                operands = instruction.operands
                tag = str(operands[0]) if operands else ""
                mcid = mcid_of(instruction) if op == "BDC" else None
                if tag == "/Artifact":
                    if "tagged" in stack:
                        artifact_in_tagged += 1
                    stack.append("artifact")
                elif mcid is not None:
                    if "artifact" in stack:
                        tagged_in_artifact += 1
                    if MarkedContent(number - 1, mcid) not in owned:
                        unowned.append(mcid)
                    stack.append("tagged")
                else:
                    stack.append("other")
            elif op == "EMC":
                if stack:
                    stack.pop()
            elif op in _PAINT and "artifact" not in stack and "tagged" not in stack:
                unmarked[op] = unmarked.get(op, 0) + 1
        if unmarked:
            ops = ", ".join(f"{op} ×{count}" for op, count in sorted(unmarked.items()))
            failures.append(f"01-005 page {number} paints outside marked content ({ops})")
        if unowned:
            shown = ", ".join(str(m) for m in unowned[:5]) + (", …" if len(unowned) > 5 else "")
            failures.append(f"01-005 page {number} has marked content that no structure element owns "
                            f"(MCID {shown})")
        if artifact_in_tagged:
            failures.append(f"01-003 page {number} has an artifact inside tagged content ({artifact_in_tagged}×)")
        if tagged_in_artifact:
            failures.append(f"01-004 page {number} has tagged content inside an artifact ({tagged_in_artifact}×)")
    return failures


# --- fonts ---------------------------------------------------------------------------------------------


def _fonts(pdf: pikepdf.Pdf) -> list[str]:
    failures: list[str] = []
    for font in fonts_used(pdf):
        if font.get("/Subtype") in ("/Type3", "/Type0"):
            continue  # drawn by their own content (Type 3) or by their descendants, which come too (Type 0)
        descriptor = font.get("/FontDescriptor")
        embedded = isinstance(descriptor, Dictionary) and any(
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        if not embedded:
            failures.append(f"31-009 font {str(font.get('/BaseFont', '(unnamed)'))[1:]} is not embedded")
    return failures
