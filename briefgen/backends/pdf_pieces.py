"""Join the per-page pieces of one HTML element back into one structure element.

In: a `Repair` whose tree is read. Out: the same tree in which neighbouring
elements that came from the same HTML element (a section, table, list or
paragraph that WeasyPrint split at a page or line break) are one element,
their kids joined piece by piece. A repeated table header or footer is not
joined but handed to `pdf_tables.drop_repeat`.

Which pieces belong together only the layout knew: `attach_sources` gives each
Node the `BoxSource` recorded during WeasyPrint's write (pdf_sources.py), and
gives none if the PDF's object numbers no longer match, so nothing is joined
on a guess.
"""

from __future__ import annotations

from .pdf_repair import Repair
from .pdf_tables import drop_repeat
from .pdf_tree import Kid, Node


def attach_sources(repair: Repair) -> None:
    """Give each node what the layout knew about it, if the PDF's object numbers are still WeasyPrint's."""
    sources = repair.sources
    if sources is None or not sources.available:
        return
    nodes = [node for root in repair.roots for node in root.walk()]
    found = [(node, sources.by_object.get(node.obj.objgen[0])) for node in nodes]
    if any(source is not None and source.tag != node.kind for node, source in found):
        return  # renumbered: trusting any of it could join elements that are not one
    for node, source in found:
        node.source = source


def merge_adjacent(repair: Repair, node: Node) -> None:
    """Join neighbours that are pieces of one HTML element (split by a page or line break)."""
    kids: list[Kid] = []
    for kid in node.kids:
        previous = kids[-1] if kids else None
        if isinstance(previous, Node) and isinstance(kid, Node) and _same(previous, kid):
            join(repair, previous, kid)
        else:
            kids.append(kid)
    node.kids = kids
    for kid in kids:
        if isinstance(kid, Node):
            merge_adjacent(repair, kid)


def join(repair: Repair, first: Node, rest: Node) -> None:
    """`rest` is a later piece of the element `first` is: a repeat of a table header or footer, or
    the continuation of anything else."""
    if rest.source is not None and rest.source.repeated:
        drop_repeat(repair, first, rest)
    else:
        absorb(repair, first, rest)


def absorb(repair: Repair, first: Node, rest: Node) -> None:
    """Move the continuation `rest` of an element into `first`, joining pieces of the same kids."""
    repair.report.merged_elements += 1
    # The first of `first`'s kids for each (type, HTML element): looked up, not searched, for each kid
    # of `rest` (a table split over pages has rows x rows pairs otherwise).
    pieces: dict[tuple[str, object], Node] = {}
    for kid in first.kids:
        if isinstance(kid, Node) and kid.source is not None:
            pieces.setdefault((kid.kind, kid.source.key), kid)
    for kid in rest.kids:
        match = pieces.get((kid.kind, kid.source.key)) if isinstance(kid, Node) and kid.source is not None \
            else None
        if match is not None and isinstance(kid, Node):
            join(repair, match, kid)
        else:
            first.kids.append(kid)
            if isinstance(kid, Node) and kid.source is not None:
                pieces.setdefault((kid.kind, kid.source.key), kid)


def _same(a: Node, b: Node) -> bool:
    """Two elements are pieces of one: same structure type, made for the same HTML element."""
    return a.source is not None and b.source is not None and a.kind == b.kind and a.source.key == b.source.key
