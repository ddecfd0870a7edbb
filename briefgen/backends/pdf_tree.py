"""Read a PDF's structure tree into Python objects: Nodes, their marked content and annotations.

In: an open pikepdf.Pdf. Out: the top-level structure elements under
/StructTreeRoot as `Node`s, each with its kids in order: child `Node`s,
`MarkedContent` (page index and MCID) and `ObjectRef`s (annotations). No page
content is read. The repair (pdf_structure.py) and the Matterhorn checks
(briefgen/pdf_checks.py) both work on this form; the helpers at the end find
the attribute dictionaries of an element and the owner of each annotation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeAlias

import pikepdf
from pikepdf import Array, Dictionary, Name

from .pdf_sources import BoxSource


@dataclass(frozen=True)
class MarkedContent:
    """One marked-content sequence: the page it is on (0-based) and its MCID there."""

    page: int
    mcid: int


@dataclass(eq=False)
class ObjectRef:
    """An /OBJR kid: an annotation that belongs to a structure element."""

    annotation: pikepdf.Object
    page: int | None


@dataclass(eq=False)
class Node:
    """One structure element."""

    obj: pikepdf.Object = field(repr=False)
    kind: str  # the structure type, e.g. "/P"
    page: int | None  # index of its /Pg
    kids: list[Kid] = field(default_factory=list, repr=False)
    source: BoxSource | None = field(default=None, repr=False)

    def walk(self) -> Iterator[Node]:
        yield self
        for kid in self.kids:
            if isinstance(kid, Node):
                yield from kid.walk()

    def marked_content(self) -> Iterator[MarkedContent]:
        for kid in self.kids:
            if isinstance(kid, MarkedContent):
                yield kid
            elif isinstance(kid, Node):
                yield from kid.marked_content()

    def object_refs(self) -> Iterator[ObjectRef]:
        for kid in self.kids:
            if isinstance(kid, ObjectRef):
                yield kid
            elif isinstance(kid, Node):
                yield from kid.object_refs()


Kid: TypeAlias = Node | MarkedContent | ObjectRef

# A value read from a PDF object: pikepdf gives integers (and booleans) as Python int and reals as Decimal,
# anything else as a pikepdf.Object (its type stubs say Object for all of them).
Value: TypeAlias = pikepdf.Object | int | Decimal


def as_list(value: Value | None) -> list[Value]:
    """A PDF value that may be one object or an array of them, as a list (None: empty)."""
    if value is None:
        return []
    if isinstance(value, Array):
        items: list[Value] = list(value)
        return items
    return [value]


def page_numbers(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    """Page object (number, generation) → page index."""
    return {page.obj.objgen: index for index, page in enumerate(pdf.pages)}


def read_tree(pdf: pikepdf.Pdf) -> list[Node]:
    """The top-level structure elements under /StructTreeRoot, read into Nodes (no page content is read)."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return []
    pages = page_numbers(pdf)
    seen: set[tuple[int, int]] = set()

    def page_of(obj: pikepdf.Object) -> int | None:
        pg = obj.get("/Pg") if isinstance(obj, Dictionary) else None
        return pages.get(pg.objgen) if pg is not None else None

    def read(obj: pikepdf.Object, inherited_page: int | None) -> Node | None:
        if obj.is_indirect:
            if obj.objgen in seen:  # a cycle or a shared kid: read it once
                return None
            seen.add(obj.objgen)
        page = page_of(obj)
        node = Node(obj=obj, kind=str(obj.get("/S", "")), page=page if page is not None else inherited_page)
        for kid in as_list(obj.get("/K")):
            if isinstance(kid, int) or (not isinstance(kid, Dictionary) and _is_integer(kid)):
                if node.page is not None:
                    node.kids.append(MarkedContent(node.page, int(kid)))
            elif isinstance(kid, Dictionary):
                kid_type = kid.get("/Type")
                if kid_type == "/MCR":
                    kid_page = page_of(kid)
                    kid_page = kid_page if kid_page is not None else node.page
                    if kid_page is not None and "/MCID" in kid:
                        node.kids.append(MarkedContent(kid_page, int(kid.MCID)))
                elif kid_type == "/OBJR":
                    if "/Obj" in kid:
                        node.kids.append(ObjectRef(kid.Obj, page_of(kid)))
                elif "/S" in kid:
                    child = read(kid, node.page)
                    if child is not None:
                        node.kids.append(child)
        return node

    nodes = []
    for obj in as_list(root.get("/K")):
        if isinstance(obj, Dictionary):
            node = read(obj, None)
            if node is not None:
                nodes.append(node)
    return nodes


def _is_integer(value: pikepdf.Object | Decimal) -> bool:
    try:
        return int(value) == value
    except (TypeError, ValueError):
        return False


def attribute_dicts(node: Node) -> list[Dictionary]:
    """The attribute dictionaries in a structure element's /A (one, or an array of them)."""
    return [a for a in as_list(node.obj.get("/A")) if isinstance(a, Dictionary)]


def owned_attributes(node: Node, owner: str) -> Dictionary | None:
    """The structure element's attribute dictionary with this /O (e.g. "/Table"), if it has one."""
    return next((a for a in attribute_dicts(node) if a.get("/O") == owner), None)


def add_attributes(node: Node, owner: str) -> Dictionary:
    """A new, empty attribute dictionary with this /O, added after any the element has."""
    attributes = Dictionary(O=Name(owner))
    existing = as_list(node.obj.get("/A"))
    node.obj.A = attributes if not existing else Array(existing + [attributes])
    return attributes


def annotation_owners(roots: list[Node]) -> dict[tuple[int, int], Node]:
    """Annotation object (number, generation) → the structure element whose /OBJR kid it is."""
    owners: dict[tuple[int, int], Node] = {}
    for root in roots:
        for node in root.walk():
            for kid in node.kids:
                if isinstance(kid, ObjectRef) and kid.annotation.is_indirect:
                    owners[kid.annotation.objgen] = node
    return owners
