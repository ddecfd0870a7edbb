"""Repair each /Figure's /BBox: where the figure is painted on its page, in PDF user space.

In: the repair's structure tree and parsed page content (a `Repair`). Out: each
/Figure element's /Layout attributes get a /BBox computed from what its marked
content paints (WeasyPrint writes one in CSS pixels from the top left of the
page), and its /Pg is the page that box is on; a figure that paints nothing
loses its /BBox, since a wrong box is worse than none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import pikepdf
from pikepdf import Array, Dictionary

from .pdf_content import IDENTITY, Instruction, Matrix, apply, follow_marked_content, instructions_of, matrix, multiply
from .pdf_repair import Repair
from .pdf_tree import add_attributes, owned_attributes

# A box (x0, y0, x1, y1), in default user space.
Rect: TypeAlias = tuple[float, float, float, float]

_PAINT = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*"}


def place_figures(repair: Repair) -> None:
    """A figure's /BBox: what it paints on its page, in PDF user space."""
    for root in repair.roots:
        for node in root.walk():
            if node.kind != "/Figure":
                continue
            marks = list(node.marked_content())
            if not marks:
                continue
            page_index = marks[0].page
            mcids = {m.mcid for m in marks if m.page == page_index}
            extent = painted_extent(repair.pdf.pages[page_index], mcids, repair.instructions(page_index))
            attributes = owned_attributes(node, "/Layout")
            if extent is None:
                if attributes is not None and "/BBox" in attributes:
                    del attributes["/BBox"]  # a wrong box is worse than none
                continue
            if attributes is None:
                attributes = add_attributes(node, "/Layout")
            attributes.BBox = Array([round(v, 3) for v in extent])
            if node.page != page_index:
                node.page = page_index
                node.obj.Pg = repair.pdf.pages[page_index].obj
            repair.report.figures_placed += 1


def painted_extent(page: pikepdf.Page, mcids: set[int], instructions: Sequence[Instruction] | None = None
                   ) -> Rect | None:
    """The box, in default user space, of what the page paints inside marked content with these MCIDs.

    Paths, images and form XObjects count (forms by their /BBox), each clipped to the clipping path
    in force (taken as its bounding box); text does not. None if nothing is painted there.
    """
    ctm = IDENTITY
    clip: Rect | None = None
    stack: list[tuple[Matrix, Rect | None]] = []
    marked: list[bool] = []  # for each open marked-content sequence: is it (inside) one of ours?
    path_points: list[tuple[float, float]] = []
    pending_clip = False
    extent: Rect | None = None
    xobjects = page.obj.get("/Resources", Dictionary()).get("/XObject", Dictionary())

    def add(box: Rect | None) -> None:
        nonlocal extent
        if box is not None and marked and marked[-1]:
            extent = _union(extent, _intersect(box, clip))

    def unit_square() -> Rect | None:
        return _box_of([apply(ctm, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))])

    for instruction in instructions_of(page, instructions):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            add(unit_square())
            continue
        operands, op = instruction.operands, str(instruction.operator)
        if op == "q":
            stack.append((ctm, clip))
        elif op == "Q":
            if stack:
                ctm, clip = stack.pop()
        elif op == "cm":
            ctm = multiply(matrix(operands), ctm)
        elif follow_marked_content(op, instruction, marked, mcids):
            pass
        elif op == "m" or op == "l":
            path_points.append(apply(ctm, float(operands[0]), float(operands[1])))
        elif op in ("c", "v", "y"):
            values = [float(v) for v in operands]
            path_points.extend(apply(ctm, values[i], values[i + 1]) for i in range(0, len(values), 2))
        elif op == "re":
            x, y, w, h = (float(v) for v in operands)
            path_points.extend(apply(ctm, px, py) for px, py in ((x, y), (x + w, y), (x, y + h), (x + w, y + h)))
        elif op in ("W", "W*"):
            pending_clip = True
        elif op in _PAINT or op == "n":
            box = _box_of(path_points)
            if op != "n":
                add(box)
            if pending_clip:
                clip = _intersect(clip, box)
                pending_clip = False
            path_points = []
        elif op == "Do":
            xobject = xobjects.get(str(operands[0])) if operands else None
            if xobject is None:
                continue
            if xobject.get("/Subtype") == "/Image":
                add(unit_square())
            elif xobject.get("/Subtype") == "/Form" and "/BBox" in xobject:
                full = multiply(matrix(xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])), ctm)
                x0, y0, x1, y1 = (float(v) for v in xobject.BBox)
                add(_box_of([apply(full, x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]))
        elif op == "sh":
            add(clip)
    return extent


def _box_of(points: list[tuple[float, float]]) -> Rect | None:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys)) if points else None


def _intersect(r1: Rect | None, r2: Rect | None) -> Rect | None:
    if r1 is None:
        return r2
    if r2 is None:
        return r1
    box = (max(r1[0], r2[0]), max(r1[1], r2[1]), min(r1[2], r2[2]), min(r1[3], r2[3]))
    return box if box[0] <= box[2] and box[1] <= box[3] else (box[0], box[1], box[0], box[1])


def _union(r1: Rect | None, r2: Rect | None) -> Rect | None:
    if r1 is None:
        return r2
    if r2 is None:
        return r1
    return (min(r1[0], r2[0]), min(r1[1], r2[1]), max(r1[2], r2[2]), max(r1[3], r2[3]))
