"""The pieces every reader of PDF page content here shares: instructions, matrices, MCIDs.

In: a pikepdf page, or instructions already parsed from it, and the operands
of single instructions. Out: the page's instructions; transformation matrices
as 6-tuples, multiplied and applied to points; the MCID a BDC instruction opens.
Used by the figure boxes (pdf_figures.py), the text readers (pdf_text.py) and
the writing back of the structure (pdf_write.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeAlias

import pikepdf
from pikepdf import Dictionary

# One instruction of a parsed content stream (pikepdf.parse_content_stream).
Instruction: TypeAlias = pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage
# A PDF transformation matrix [a b c d e f].
Matrix: TypeAlias = tuple[float, float, float, float, float, float]

IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def instructions_of(page: pikepdf.Page, instructions: Sequence[Instruction] | None) -> Sequence[Instruction]:
    """`instructions` if the caller has the page parsed already, else the page's content, parsed."""
    return pikepdf.parse_content_stream(page) if instructions is None else instructions


def matrix(values: Iterable[pikepdf.Object | float]) -> Matrix:
    """Six numbers (the operands of cm or Tm, a form's /Matrix) as a Matrix."""
    a, b, c, d, e, f = (float(v) for v in values)
    return a, b, c, d, e, f


def multiply(m1: Matrix, m2: Matrix) -> Matrix:
    """m1 then m2, as PDF matrices [a b c d e f]."""
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    """The point (x, y) transformed by m."""
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def mcid_of(instruction: pikepdf.ContentStreamInstruction) -> int | None:
    """The MCID a BDC instruction's property list gives, if any."""
    operands = instruction.operands
    if len(operands) >= 2 and isinstance(operands[1], Dictionary) and "/MCID" in operands[1]:
        return int(operands[1].MCID)
    return None


def follow_marked_content(op: str, instruction: pikepdf.ContentStreamInstruction, marked: list[bool],
                          mcids: set[int]) -> bool:
    """Keep `marked` in step with the content stream: one entry per open BDC/BMC, true inside marked
    content whose MCID is one of `mcids` (or nested in such). True if `op` was one of those operators."""
    if op in ("BDC", "BMC"):
        mcid = mcid_of(instruction) if op == "BDC" else None
        marked.append((marked[-1] if marked else False) or (mcid is not None and mcid in mcids))
        return True
    if op == "EMC":
        if marked:
            marked.pop()
        return True
    return False
