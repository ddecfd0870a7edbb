"""The pieces every reader of PDF page content here shares: instructions, matrices, MCIDs.

In: a pikepdf page, or instructions already parsed from it, and the operands
of single instructions. Out: the page's instructions; transformation matrices
as 6-tuples, multiplied and applied to points; the MCID a BDC instruction opens;
and, without parsing the page, where in its content bytes each marked-content
sequence with an MCID opens (`marked_openings`). Used by the figure boxes
(pdf_figures.py), the text readers (pdf_text.py), the writing back of the
structure (pdf_write.py) and the artifacts (pdf_artifacts.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import pikepdf
from pikepdf import Array, Dictionary

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



def fonts_used(pdf: pikepdf.Pdf) -> Iterator[Dictionary]:
    """Every font dictionary the pages draw with, once each: from the pages' resources, the forms they
    draw (an SVG image is one), their annotations' appearances, a Type 3 font's own resources and a
    Type 0 font's descendants. Read through the pages, not every object in the file (far quicker)."""
    seen: set[tuple[int, int]] = set()

    def first_time(obj: pikepdf.Object) -> bool:
        if not obj.is_indirect:
            return True
        if obj.objgen in seen:
            return False
        seen.add(obj.objgen)
        return True

    def fonts_of(font: object) -> Iterator[Dictionary]:
        if not isinstance(font, Dictionary) or not first_time(font):
            return
        yield font
        if font.get("/Subtype") == "/Type3":
            yield from resources_of(font.get("/Resources"))
        elif font.get("/Subtype") == "/Type0":
            for descendant in font.get("/DescendantFonts", Array()):
                yield from fonts_of(descendant)

    def resources_of(resources: object) -> Iterator[Dictionary]:
        if not isinstance(resources, Dictionary) or not first_time(resources):
            return
        fonts = resources.get("/Font")
        if isinstance(fonts, Dictionary):
            for font in fonts.values():
                yield from fonts_of(font)
        forms = resources.get("/XObject")
        if isinstance(forms, Dictionary):
            for form in forms.values():
                if isinstance(form, pikepdf.Stream) and form.get("/Subtype") == "/Form":
                    yield from resources_of(form.get("/Resources"))

    for page in pdf.pages:
        yield from resources_of(page.obj.get("/Resources"))
        for annotation in page.obj.get("/Annots", Array()):
            appearance = annotation.get("/AP") if isinstance(annotation, Dictionary) else None
            normal = appearance.get("/N") if isinstance(appearance, Dictionary) else None
            if isinstance(normal, pikepdf.Stream):
                yield from resources_of(normal.get("/Resources"))

# --- marked content found in the content bytes, without parsing them -----------------------------------
#
# Parsing a page with pikepdf makes a Python object of every operand: 21 ms a page, 1.3 s of a
# 139-page PDF, when the parent tree and the artifacts need only where each "<< /MCID n >> BDC" is.
# The scanner below finds those in the bytes. It reads only the forms WeasyPrint writes, and says so
# (None) for anything else, so the caller parses that page as before: a literal string with nested or
# unbalanced parentheses, a comment, an inline image, or a BDC it could not read whole (a property
# list holding a string or another dictionary, or a named one).

# PDF's white space and delimiters, once: as bytes for a look at one byte, and escaped for a regex class.
_DELIMITER_BYTES = b"\x00\t\n\f\r /<>[]()%{}"
_DELIMITER = re.escape(_DELIMITER_BYTES)
_LITERAL = re.compile(rb"\((?:\\.|[^\\()])*\)", re.DOTALL)  # a literal string with no parentheses inside
_SPACED_HEX = re.compile(rb"<[0-9A-Fa-f]*\s[0-9A-Fa-f\s]*>")  # a hex string with white space inside
_UNREAD = re.compile(rb"[()%]")  # outside strings: a parenthesis the strings did not take, or a comment
_BDC = re.compile(rb"/[^" + _DELIMITER + rb"]+\s*<<(?P<body>[^<>()]*)>>\s*BDC(?![^" + _DELIMITER + rb"])")
# Operators found by their letters, then checked to stand alone (a look-behind on every byte is slow).
_BDC_WORD = re.compile(rb"BDC(?![^" + _DELIMITER + rb"])")
_BI_WORD = re.compile(rb"BI(?![^" + _DELIMITER + rb"])")


def _standing_alone(pattern: re.Pattern[bytes], data: bytes) -> int:
    """How many times `pattern` occurs in `data` as a whole token (a delimiter or the start before it)."""
    return sum(1 for match in pattern.finditer(data)
               if match.start() == 0 or data[match.start() - 1] in _DELIMITER_BYTES)
_MCID = re.compile(rb"/MCID\s+(\d+)(?![^" + _DELIMITER + rb"])")


@dataclass(frozen=True)
class Opening:
    """A marked-content sequence's BDC in the content bytes: its span (start, end) and its MCID."""

    start: int
    end: int
    mcid: int


def content_bytes(page: pikepdf.Page) -> bytes:
    """A page's content, its streams joined as a PDF reader joins them (with white space between)."""
    contents = page.obj.get("/Contents")
    if contents is None:
        return b""
    streams = contents if isinstance(contents, pikepdf.Array) else [contents]
    return b"\n".join(stream.read_bytes() for stream in streams if isinstance(stream, pikepdf.Stream))


def marked_openings(data: bytes) -> list[Opening] | None:
    """Each BDC with an MCID in `data`, in order, or None when the content has anything the scanner does
    not read (see above): then parse the page instead."""
    # Strings blanked out with as many spaces, so what is left is operators and operands at the same
    # offsets. Empty strings first: WeasyPrint writes thousands ("()" in every TJ), and replace is quick.
    # A hex string's digits cannot form an operator unless white space splits them: that is left to a parse.
    blanked = data.replace(b"()", b"  ")
    if _SPACED_HEX.search(blanked):
        return None
    blanked = _LITERAL.sub(lambda string: b" " * len(string[0]), blanked)
    if _UNREAD.search(blanked) or _standing_alone(_BI_WORD, blanked):  # BI: an inline image's raw bytes
        return None
    openings = list(_BDC.finditer(blanked))
    if len(openings) != _standing_alone(_BDC_WORD, blanked):
        return None  # a BDC this scanner did not read whole
    found = []
    for match in openings:
        mcid = _MCID.search(match["body"])
        if mcid is not None:
            found.append(Opening(match.start(), match.end(), int(mcid[1])))
    return found
