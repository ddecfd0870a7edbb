"""Write the repaired structure tree back into the PDF: /K and /P, the parent tree, the /IDTree.

In: a `Repair` whose Nodes have been repaired. Out: every structure element's
/K (its kids: elements, MCIDs or /MCR for content on another page, /OBJR
for annotations) and /P rewritten from the Nodes; the /StructTreeRoot's /K,
a /ParentTree rebuilt from the tree (page → MCID → owner, annotation →
owner) with its /ParentTreeNextKey, and an /IDTree for the elements with an
/ID. Marked content set aside as an artifact is left out, and what is owned
is noted in `Repair.owned` for `pdf_artifacts.write_artifacts`.
"""

from __future__ import annotations

from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

from .pdf_content import mcid_of
from .pdf_repair import Repair
from .pdf_tree import MarkedContent, Node, ObjectRef


def write_tree(repair: Repair) -> None:
    """The Nodes back into the PDF's structure tree, with a parent tree and /IDTree to match."""
    pdf = repair.pdf
    root_dict = pdf.Root.StructTreeRoot
    pages = list(pdf.pages)
    owners: dict[MarkedContent, Node] = {}
    annotation_owners: dict[tuple[int, int], Node] = {}
    ids: dict[bytes, pikepdf.Object] = {}

    def write(node: Node, parent_obj: pikepdf.Object) -> None:
        kids = Array()
        for kid in node.kids:
            if isinstance(kid, Node):
                write(kid, node.obj)
                kids.append(kid.obj)
            elif isinstance(kid, MarkedContent):
                if kid in repair.artifacts:
                    continue
                owners[kid] = node
                if kid.page == node.page:
                    kids.append(kid.mcid)
                else:
                    kids.append(Dictionary(Type=Name.MCR, Pg=pages[kid.page].obj, MCID=kid.mcid))
            elif isinstance(kid, ObjectRef):
                objr = Dictionary(Type=Name.OBJR, Obj=kid.annotation)
                if kid.page is not None:
                    objr.Pg = pages[kid.page].obj
                kids.append(pdf.make_indirect(objr))
                if kid.annotation.is_indirect:
                    annotation_owners[kid.annotation.objgen] = node
        node.obj.K = kids
        node.obj.P = parent_obj
        if "/ID" in node.obj:
            ids.setdefault(bytes(node.obj.ID), node.obj)

    for root in repair.roots:
        write(root, root_dict)
    root_dict.K = Array([root.obj for root in repair.roots])

    # The parent tree, rebuilt from the tree: page → MCID → owner, annotation → owner.
    repair.owned = owners
    nums: dict[int, pikepdf.Object] = {}
    marks_by_page: dict[int | None, list[Any]] = {}  # grouped once: a scan per page was pages x marks
    for mark in owners:
        marks_by_page.setdefault(mark.page, []).append(mark)
    for page_index, page in enumerate(pages):
        if "/StructParents" not in page.obj:
            continue
        page_marks = marks_by_page.get(page_index, [])
        highest = max((m.mcid for m in page_marks), default=-1)
        highest = max(highest, max(_page_mcids(repair, page_index), default=-1))
        entries: list[pikepdf.Object | None] = [None] * (highest + 1)
        for mark in page_marks:
            entries[mark.mcid] = owners[mark].obj
        nums[int(page.obj.StructParents)] = Array(entries)
    for page in pages:
        for annotation in page.obj.get("/Annots", Array()):
            if isinstance(annotation, Dictionary) and "/StructParent" in annotation and annotation.is_indirect:
                owner = annotation_owners.get(annotation.objgen)
                if owner is not None:
                    nums[int(annotation.StructParent)] = owner.obj
    flat = Array()
    for number in sorted(nums):
        flat.append(number)
        flat.append(nums[number])
    root_dict.ParentTree = pdf.make_indirect(Dictionary(Nums=flat))
    root_dict.ParentTreeNextKey = (max(nums) + 1) if nums else 0
    if ids:
        names = Array()
        for key in sorted(ids):
            names.append(pikepdf.String(key))
            names.append(ids[key])
        root_dict.IDTree = pdf.make_indirect(Dictionary(Names=names))


def _page_mcids(repair: Repair, page_index: int) -> list[int]:
    """The MCIDs a page's content opens, in order."""
    _, openings = repair.openings(page_index)
    if openings is not None:
        return [opening.mcid for opening in openings]
    found = []
    for instruction in repair.instructions(page_index):
        if isinstance(instruction, pikepdf.ContentStreamInstruction) and str(instruction.operator) == "BDC":
            mcid = mcid_of(instruction)
            if mcid is not None:
                found.append(mcid)
    return found
