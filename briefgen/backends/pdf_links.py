"""Repair links: one /Link per link, annotations that say where they go, and a height to click.

In: a `Repair` (its tree, pages and the HTML the PDF came from). Out:
* `flatten_links`: a link inside a link (WeasyPrint tags a::after inside a,
  and the contents list's leader inside both) is joined into the outer one;
* `describe_links`: each link annotation's /Contents is a description from
  the HTML (`link_descriptions`: "Source 3: <the source>" for a citation, the
  heading's text for a contents entry) instead of the bare destination name,
  else the link's own text and its URI;
* `give_links_height`: an annotation with no height (a citation superscript
  in `line-height: 0`), which cannot be clicked, is stretched over its line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pikepdf
from pikepdf import Array, Dictionary, Name

from .pdf_repair import Repair
from .pdf_text import marked_content_text, node_text, text_lines
from .pdf_tree import Kid, Node, annotation_owners

if TYPE_CHECKING:
    from lxml.etree import _Element


def flatten_links(repair: Repair, node: Node, inside_link: bool) -> None:
    """A link inside a link (a::after inside a) is the same link: its kids join the outer one."""
    kids: list[Kid] = []
    for kid in node.kids:
        if isinstance(kid, Node):
            flatten_links(repair, kid, inside_link or node.kind == "/Link")
            if kid.kind == "/Link" and (inside_link or node.kind == "/Link"):
                repair.report.links_flattened += 1
                kids.extend(kid.kids)
                continue
        kids.append(kid)
    node.kids = kids


def describe_links(repair: Repair) -> None:
    """Each link annotation's /Contents says where it goes, in words."""
    described = link_descriptions(repair.html)
    owners = annotation_owners(repair.roots)
    texts: dict[int, dict[int, str]] = {}
    for page in repair.pdf.pages:
        for annotation in page.obj.get("/Annots", Array()):
            if not isinstance(annotation, Dictionary) or annotation.get("/Subtype") != "/Link":
                continue
            name = _destination_name(annotation)
            description = described.get(name) if name else None
            if description is None:
                owner = owners.get(annotation.objgen) if annotation.is_indirect else None
                if owner is not None:
                    for mark in owner.marked_content():
                        if mark.page not in texts:
                            texts[mark.page] = marked_content_text(repair.pdf.pages[mark.page],
                                                                   repair.instructions(mark.page))
                    description = _squash(node_text(owner, texts))
                action = annotation.get("/A")
                uri = str(action.get("/URI")) if isinstance(action, Dictionary) and "/URI" in action else None
                if uri and description:
                    description = f"{description} ({uri})"
                description = description or uri or name
            if description:
                annotation.Contents = pikepdf.String(description)
                repair.report.link_descriptions += 1


def give_links_height(repair: Repair) -> None:
    """A link annotation WeasyPrint made with no height (a citation in `line-height: 0` superscript)
    cannot be clicked: stretch it over its text's line."""
    owners = annotation_owners(repair.roots)
    for page_index, page in enumerate(repair.pdf.pages):
        for annotation in page.obj.get("/Annots", Array()):
            if not isinstance(annotation, Dictionary) or annotation.get("/Subtype") != "/Link":
                continue
            x0, y0, x1, y1 = (float(v) for v in annotation.Rect)
            owner = owners.get(annotation.objgen) if annotation.is_indirect else None
            if abs(y1 - y0) >= 1 or owner is None:
                continue
            mcids = {m.mcid for m in owner.marked_content() if m.page == page_index}
            lines = [line for line in text_lines(page, mcids, repair.instructions(page_index))
                     if min(x0, x1) - 1 <= line[0] <= max(x0, x1) + 1]
            if lines:
                bottom, top = min(line[1] for line in lines), max(line[2] for line in lines)
                annotation.Rect = Array([round(v, 3) for v in (min(x0, x1), bottom, max(x0, x1), top)])
                repair.report.links_given_height += 1


def _destination_name(annotation: pikepdf.Object) -> str | None:
    """The named destination a link goes to (its /Dest or a /GoTo action's /D), without a Name's slash."""
    dest = annotation.get("/Dest")
    if dest is None:
        action = annotation.get("/A")
        if isinstance(action, Dictionary) and action.get("/S") == "/GoTo":
            dest = action.get("/D")
    if isinstance(dest, (pikepdf.String, Name)):
        name = str(dest)
        return name[1:] if isinstance(dest, Name) else name
    return None


# --- what a link to an HTML id should say -------------------------------------------------------------

# Numbered lists whose items links point at, and what one item is called: <ol class="sources"> → "Source 3: …".
NUMBERED_LISTS = {"sources": "Source", "notes": "Note"}


def link_descriptions(html: str) -> dict[str, str]:
    """HTML id → what a link to it should say.

    An item of <ol class="sources"> is "Source N: <its text>" (N as the list numbers it; links and
    class "note" asides inside it left out), likewise "Note N: …" for <ol class="notes">; a heading,
    or an element with a heading in it, is the heading's text; anything else is its own text.
    """
    import lxml.html

    if not html.strip():
        return {}
    tree = lxml.html.document_fromstring(html)
    described: dict[str, str] = {}
    for ol in tree.iter("ol"):
        label = next((NUMBERED_LISTS[c] for c in (ol.get("class") or "").split() if c in NUMBERED_LISTS), None)
        if label is None:
            continue
        try:
            number = int(ol.get("start", "1"))
        except ValueError:
            number = 1
        for li in ol:
            if not isinstance(li.tag, str) or li.tag != "li":
                continue
            item_id = li.get("id")
            if item_id and item_id not in described:
                text = _squash(_item_text(li)).rstrip(".").strip()
                described[item_id] = f"{label} {number}: {_shorten(text)}"
            number += 1
    for element in tree.iter():
        tag: object = element.tag  # a function, not a str, for comments and processing instructions
        if not isinstance(tag, str):
            continue
        target = element.get("id")
        if not target or target in described:
            continue
        heading: _Element | None = element
        if tag not in ("h1", "h2", "h3", "h4", "h5", "h6"):
            heading = next((h for h in element.iter("h1", "h2", "h3", "h4", "h5", "h6")), None)
        text = _squash(_text_content(heading if heading is not None else element))
        if text:
            described[target] = _shorten(text)
    return described


def _text_content(element: _Element) -> str:
    """All the text inside an element, as lxml.html's text_content() gives it (XPath string())."""
    return str(element.xpath("string()"))


def _item_text(element: _Element) -> str:
    """A list item's own words: without its links ("(note 19)") and without class "note" asides."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag != "a" and not _has_class(child, "note"):
            parts.append(_item_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _has_class(element: _Element, name: str) -> bool:
    return name in (element.get("class") or "").split()


def _squash(text: str) -> str:
    return " ".join(text.split())


def _shorten(text: str, limit: int = 160) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"
