"""Repair tables: header rows kept once, footers last, header cells with a /Scope and ids that resolve.

In: a `Repair` whose table pieces are being joined (pdf_pieces.py), then the
joined tree. Out:
* `drop_repeat`: a table header (or footer) row group that WeasyPrint repeats
  on every page becomes pagination artifacts, and the /ID of each of its cells
  is mapped to the kept cell's (`Repair.header_ids`);
* `tidy_tables`: a table's /TFoot after its /TBody;
* `remap_headers`: the data cells' /Headers name the kept header cells only;
* `add_scopes`: every /TH gets a /Scope (from the HTML's scope attribute, else
  from where the cell stands).
"""

from __future__ import annotations

from pikepdf import Array, Dictionary, Name

from .pdf_repair import Repair
from .pdf_tree import Kid, Node, ObjectRef, add_attributes, as_list, owned_attributes


def drop_repeat(repair: Repair, kept: Node, repeat: Node) -> None:
    """A table header (or footer) repeated on a later page: its content becomes a pagination artifact."""
    repair.report.repeated_rows_made_artifacts += sum(1 for n in repeat.walk() if n.kind == "/TR")
    for mark in repeat.marked_content():
        repair.artifacts[mark] = "/Pagination"
    kept_cells = {n.source.key: n for n in kept.walk() if n.kind in ("/TH", "/TD") and n.source is not None}
    for cell in repeat.walk():
        if cell.kind in ("/TH", "/TD") and "/ID" in cell.obj and cell.source is not None:
            original = kept_cells.get(cell.source.key)
            if original is not None and "/ID" in original.obj:
                repair.header_ids[bytes(cell.obj.ID)] = original.obj.ID
    # A link in a repeated header still needs an owner: the same link in the kept header.
    kept_links = {n.source.key: n for n in kept.walk() if n.kind == "/Link" and n.source is not None}
    for link in repeat.walk():
        refs = [kid for kid in link.kids if isinstance(kid, ObjectRef)]
        if refs:
            owner = kept_links.get(link.source.key) if link.source is not None else None
            (owner or kept).kids.extend(refs)


def tidy_tables(node: Node) -> None:
    """A table's footer group goes after its body (it came first when it was kept from page one)."""
    for table in node.walk():
        if table.kind != "/Table":
            continue
        feet: list[Kid] = [k for k in table.kids if isinstance(k, Node) and k.kind == "/TFoot"]
        if feet:
            table.kids = [k for k in table.kids if not (isinstance(k, Node) and k.kind == "/TFoot")] + feet


def remap_headers(repair: Repair) -> None:
    """A data cell's /Headers that name a repeated header cell name the kept one instead (once)."""
    if not repair.header_ids:
        return
    for root in repair.roots:
        for node in root.walk():
            if node.kind not in ("/TD", "/TH"):
                continue
            for attributes in as_list(node.obj.get("/A")):
                if isinstance(attributes, Dictionary) and "/Headers" in attributes:
                    ids = []
                    seen: set[bytes] = set()
                    for value in attributes.Headers:
                        value = repair.header_ids.get(bytes(value), value)
                        if bytes(value) not in seen:
                            seen.add(bytes(value))
                            ids.append(value)
                    attributes.Headers = Array(ids)


def add_scopes(repair: Repair) -> None:
    """Every /TH gets a /Scope: /Row, /Column or /Both."""
    for root in repair.roots:
        _add_scopes(repair, root, in_head=False)


def _add_scopes(repair: Repair, node: Node, in_head: bool) -> None:
    in_head = in_head or node.kind == "/THead"
    if node.kind == "/TR":
        cells = [k for k in node.kids if isinstance(k, Node) and k.kind in ("/TH", "/TD")]
        has_data = any(cell.kind == "/TD" for cell in cells)
        for position, cell in enumerate(cells):
            if cell.kind != "/TH":
                continue
            html_scope = cell.source.scope if cell.source is not None else None
            if html_scope in ("row", "rowgroup"):
                scope = "/Row"
            elif html_scope in ("col", "colgroup") or in_head or not has_data:
                scope = "/Column"
            elif position == 0:
                scope = "/Row"
            else:
                scope = "/Both"
            attributes = owned_attributes(cell, "/Table")
            if attributes is None:
                attributes = add_attributes(cell, "/Table")
            if "/Scope" not in attributes:
                attributes.Scope = Name(scope)
                repair.report.scopes_added += 1
    for kid in node.kids:
        if isinstance(kid, Node):
            _add_scopes(repair, kid, in_head)
