"""Read the text a page shows inside marked content, and where its lines are.

In: a pikepdf page (or its instructions, already parsed) and MCIDs.
Out: `marked_content_text`: MCID → the text shown inside it, decoded through
each font's /ToUnicode CMap; `node_text`: a structure element's text, from
its marked content in order; `text_lines`: where each text-showing
instruction inside given marked content starts, with the line's rough bottom
and top. Used for link descriptions and link heights (pdf_links.py) and by
the tests that read a PDF back as a screen reader would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pikepdf
from pikepdf import Array, Dictionary

from .pdf_content import (
    IDENTITY,
    Instruction,
    Matrix,
    apply,
    follow_marked_content,
    instructions_of,
    matrix,
    mcid_of,
    multiply,
)
from .pdf_tree import MarkedContent, Node


def marked_content_text(page: pikepdf.Page, instructions: Sequence[Instruction] | None = None) -> dict[int, str]:
    """The text shown inside each MCID's marked content on a page (nested sequences count for the inner MCID)."""
    fonts: dict[str, _Font] = {}
    resources = page.obj.get("/Resources", Dictionary()).get("/Font", Dictionary())
    font = _Font(None)
    stack: list[int | None] = []
    texts: dict[int, list[str]] = {}
    for instruction in instructions_of(page, instructions):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            continue
        operands, op = instruction.operands, str(instruction.operator)
        if op == "BDC":
            stack.append(mcid_of(instruction))
        elif op == "BMC":
            stack.append(None)
        elif op == "EMC":
            if stack:
                stack.pop()
        elif op == "Tf":
            name = str(operands[0])
            if name not in fonts:
                fonts[name] = _Font(resources.get(name))
            font = fonts[name]
        elif op in ("Tj", "TJ", "'", '"'):
            current = next((m for m in reversed(stack) if m is not None), None)
            if current is None:
                continue
            shown = operands[-1]
            parts = shown if isinstance(shown, Array) else [shown]
            for part in parts:
                if isinstance(part, pikepdf.String):
                    texts.setdefault(current, []).append(font.decode(bytes(part)))
    return {mcid: "".join(parts) for mcid, parts in texts.items()}


def node_text(node: Node, texts: dict[int, dict[int, str]]) -> str:
    """A structure element's text, from its marked content in order (texts: page → MCID → text)."""
    parts = []
    for kid in node.kids:
        if isinstance(kid, MarkedContent):
            parts.append(texts.get(kid.page, {}).get(kid.mcid, ""))
        elif isinstance(kid, Node):
            parts.append(node_text(kid, texts))
    return "".join(parts)


def text_lines(page: pikepdf.Page, mcids: set[int], instructions: Sequence[Instruction] | None = None
               ) -> list[tuple[float, float, float]]:
    """Where text inside marked content with these MCIDs starts: (x, bottom, top) in default user space.

    Bottom and top are the descender and ascender lines of an ordinary font (0.25 em below the
    baseline, 0.95 em above it): enough to give a link annotation a height, not glyph metrics.
    """
    ctm = IDENTITY
    stack: list[Matrix] = []
    marked: list[bool] = []
    tm = tlm = IDENTITY
    size, rise, leading = 0.0, 0.0, 0.0
    found = []
    for instruction in instructions_of(page, instructions):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            continue
        operands, op = instruction.operands, str(instruction.operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            if stack:
                ctm = stack.pop()
        elif op == "cm":
            ctm = multiply(matrix(operands), ctm)
        elif follow_marked_content(op, instruction, marked, mcids):
            pass
        elif op == "BT":
            tm = tlm = IDENTITY
        elif op == "Tm":
            tm = tlm = matrix(operands)
        elif op in ("Td", "TD"):
            tx, ty = float(operands[0]), float(operands[1])
            if op == "TD":
                leading = -ty
            tm = tlm = multiply((1.0, 0.0, 0.0, 1.0, tx, ty), tlm)
        elif op == "TL":
            leading = float(operands[0])
        elif op == "Tf":
            size = float(operands[1])
        elif op == "Ts":
            rise = float(operands[0])
        elif op in ("T*", "'", '"'):
            tm = tlm = multiply((1.0, 0.0, 0.0, 1.0, 0.0, -leading), tlm)
        if op in ("Tj", "TJ", "'", '"') and marked and marked[-1] and size:
            full = multiply(multiply((size, 0.0, 0.0, size, 0.0, rise), tm), ctm)
            x, y0 = apply(full, 0.0, -0.25)
            _, y1 = apply(full, 0.0, 0.95)
            found.append((x, min(y0, y1), max(y0, y1)))
    return found


# --- fonts: character codes → text ---------------------------------------------------------------


class _Font:
    """Decodes the strings a font shows, through its /ToUnicode CMap (Latin-1 for a simple font without one)."""

    def __init__(self, font: pikepdf.Object | None) -> None:
        self.mapping: dict[bytes, str] = {}
        self.width = 1
        if font is None:
            return
        if font.get("/Subtype") == "/Type0":
            self.width = 2
        to_unicode = font.get("/ToUnicode")
        if to_unicode is not None:
            try:
                self.mapping, width = _parse_to_unicode(to_unicode.read_bytes())
                self.width = max(self.width, width)
            except (pikepdf.PdfError, ValueError):  # pragma: no cover - a damaged CMap: no text
                pass

    def decode(self, raw: bytes) -> str:
        if self.width == 1 and not self.mapping:
            return raw.decode("latin-1")
        out = []
        for i in range(0, len(raw) - self.width + 1, self.width):
            code = raw[i:i + self.width]
            out.append(self.mapping.get(code, "\ufffd"))
        return "".join(out)


def _parse_to_unicode(cmap: bytes) -> tuple[dict[bytes, str], int]:
    """A ToUnicode CMap's code → text map, and its code length in bytes."""
    text = cmap.decode("latin-1")
    mapping: dict[bytes, str] = {}
    width = 1

    def hex_text(value: str) -> str:
        return bytes.fromhex(value).decode("utf-16-be", errors="replace")

    for block in re.findall(r"begincodespacerange(.*?)endcodespacerange", text, re.DOTALL):
        for low in re.findall(r"<([0-9A-Fa-f]+)>\s*<[0-9A-Fa-f]+>", block):
            width = max(width, len(low) // 2)
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.DOTALL):
        for code, value in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            mapping[bytes.fromhex(code)] = hex_text(value)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.DOTALL):
        for low, high, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])",
                                            block):
            size = len(low) // 2
            start, end = int(low, 16), int(high, 16)
            if target.startswith("["):
                values = re.findall(r"<([0-9A-Fa-f]*)>", target)
                for offset, value in enumerate(values[: end - start + 1]):
                    mapping[(start + offset).to_bytes(size, "big")] = hex_text(value)
            else:
                raw = bytes.fromhex(target[1:-1])
                base = int.from_bytes(raw, "big") if raw else 0
                for offset in range(end - start + 1):
                    code_text = (base + offset).to_bytes(max(len(raw), 2), "big")
                    mapping[(start + offset).to_bytes(size, "big")] = code_text.decode("utf-16-be", errors="replace")
    return mapping, width
