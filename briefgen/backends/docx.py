"""DOCX backend: semantic HTML → an editable Word document, with python-docx.

In: the HTML from render.py (the small subset our templates produce), the
briefing's metadata (title, subject, author, keywords, language, marking,
date), PNG assets standing in for images the HTML carries as SVG, optionally a
reference .docx whose named styles the output uses (like pandoc's
--reference-doc), and optionally the PDF's layout of the same HTML (pages of
ids, table column widths; see briefgen/pdf_layout.py). Out: a .docx whose every
paragraph carries a real Word style (Title, Heading 1-3, List Bullet/Number,
Caption, ...), tables with repeating header rows, a contents list with its page
numbers already in place (no "update fields?" prompt), hyperlinks, pictures
with alt text (and their SVG for Word 2016+), the protective marking in header
and footer, "Page X of Y", and core properties. The same input gives the same
bytes.

Word output is meant to look like the PDF and to break pages where it does:
the reference document follows briefing.css's face, type scale and spacing;
the page's own CSS decides class-driven bold and italic, colours, rules
(borders) and page breaks (see _StyleSheet); tables take the PDF's column
widths. tests/test_parity.py compares the two as LibreOffice lays Word out.

Anything outside the subset stops the build with a `BriefgenError` naming the
template, the element and its line: Word output never drops content silently.

The walk is linear in the size of the HTML and quick (a 5,000-paragraph
briefing with a 1,000-row table takes about 1.5 s). python-docx's convenient
calls are neither: `add_paragraph` rescans the body for w:sectPr, assigning a
style object scans every style to compare it with the default, and each run
property searches its siblings' schema order. So paragraphs and tables are
inserted next to a held w:sectPr, style ids are resolved once, and each
distinct paragraph style and run format is built once through python-docx's
proxies and then copied. `make_reference_docx` writes the styles file shipped
as templates/reference.docx.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
import functools
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

import lxml.etree
import lxml.html
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.image.image import Image as DocxImage
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.shared import Cm, Emu, Mm, Pt, RGBColor
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from ..atomic import write_atomically
from ..errors import BriefgenError, display_path
from ..safe_files import REFERENCE_DOCX_MAX, read_inside
from . import docx_oxml as ox

# ---------------------------------------------------------------- the HTML subset

# Walked through: their children become paragraphs and tables; they add nothing themselves.
CONTAINERS = frozenset({"div", "section", "article", "header", "footer", "main", "aside", "nav"})
# Become runs inside the current paragraph.
INLINE = frozenset({"strong", "b", "em", "i", "sup", "sub", "a", "br", "code", "abbr", "small", "time", "mark",
                    "span", "img", "svg"})
HEADINGS = {"h1": "Heading 1", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3"}
BLOCKS = frozenset({"p", "ul", "ol", "table", "figure", "figcaption", *HEADINGS}) | CONTAINERS
TABLE_PARTS = frozenset({"caption", "thead", "tbody", "tr", "th", "td", "li"})
SUPPORTED = ", ".join(sorted(CONTAINERS | INLINE | BLOCKS | TABLE_PARTS))
# Classes that start a new page when the page has no stylesheet; with one, its break rules decide (see _StyleSheet).
PAGE_BREAK_CLASSES = frozenset({"page-break", "page-break-before", "annex"})
# <p class="..."> → paragraph style, as briefing.css styles those classes.
PARAGRAPH_CLASSES = {"marking": "Marking", "note": "Note", "lead": "Lead", "subtitle": "Subtitle", "meta": "Meta",
                     "as-of": "Callout", "annex-list": "Note"}
# Lists whose items are note-sized (briefing.css: ol.sources li, ol.notes li, ul.note).
SMALL_LIST_CLASSES = frozenset({"note", "sources", "notes"})
# Ignored wherever they appear: they carry no visible content.
SILENT = frozenset({"head", "title", "meta"})
# What <head> may hold; the page's CSS and metadata do not carry over to Word.
HEAD_TAGS = frozenset({"title", "meta", "style", "link"})
# Link schemes that would be dangerous or meaningless in a Word file.
BLOCKED_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")

_WS = re.compile(r"[ \t\n\r\f]+")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DATA_URI = re.compile(r"data:image/(png|jpeg|jpg|gif);base64,(.*)", re.S | re.I)
_SVG_DATA_URI = re.compile(r"data:image/svg\+xml;base64,(.*)", re.S | re.I)

PICTURE_DPI = 300  # a raster is never placed larger than this resolution allows (print quality)
TOC_INSTRUCTION = r'TOC \o "1-2" \h \z \u'
HEADER_FILL = "E6ECF5"   # th background in briefing.css, so Word and PDF tables match
ACCENT = RGBColor(0x1D, 0x4F, 0x91)
GREY = RGBColor(0x44, 0x44, 0x44)
TEXT = RGBColor(0x11, 0x11, 0x11)
# Vertical gaps CSS puts where Word has no property of its own (briefing.css's em at the element's size).
TABLE_GAP = Pt(9)         # table { margin-bottom: 0.9em } at 10pt: Word tables have no space after
LIST_GAP = Pt(6.6)        # ul, ol { margin-bottom: 0.6em }, after a list's last item
CELL_PARAGRAPH_GAP = Pt(3)  # td p { margin: 0 0 0.3em } and td p:last-child { margin-bottom: 0 }


# Styles this backend uses, each with the one to fall back to if a user's reference lacks it.
STYLE_FALLBACKS = {
    "Title": "Heading 1", "Subtitle": "Normal", "Heading 1": "Normal", "Heading 2": "Heading 1",
    "Heading 3": "Heading 2", "Note": "Normal", "Lead": "Normal", "Marking": "Normal", "Caption": "Normal",
    "Figure": "Normal", "Table Text": "Normal", "Table Heading": "Table Text",
    "List Bullet": "Normal", "List Bullet 2": "List Bullet", "List Bullet 3": "List Bullet 2",
    "List Number": "Normal", "List Number 2": "List Number", "List Number 3": "List Number 2",
    "List Continue": "Normal", "List Continue 2": "List Continue", "List Continue 3": "List Continue 2",
    "Small List Bullet": "List Bullet", "Small List Number": "List Number", "Small List Continue": "List Continue",
    "toc 1": "Normal", "toc 2": "toc 1", "TOC Heading": None, "Header": "Normal", "Footer": "Normal",
    "Meta": "Normal", "Callout": "Normal", "Table Note": "Note", "Table Caption": "Caption",
    "Briefing Table": "Table Grid", "Table Grid": None,
    "Hyperlink": None, "HTML Code": None, "Small Text": None, "Note Text": None, "Citation": "Hyperlink",
}


def write_docx(html: str, path: Path, meta: dict, assets: dict[str, bytes], **options: Any) -> dict:
    """Write the DOCX for `html` to `path`, atomically (options as `docx_bytes`). Returns {"pages": None}."""
    data, info = docx_bytes(html, meta, assets, **options)
    write_atomically(path, data)
    return info


def docx_bytes(html: str, meta: dict, assets: dict[str, bytes], reference: Path | None = None,
               template_name: str = "template", page_numbers: dict[str, int] | None = None,
               column_widths: list[list[float]] | None = None,
               template_dirs: list[Path] | None = None) -> tuple[bytes, dict]:
    """The DOCX for `html`, and {"pages": None} (Word lays out its own pages).

    From the PDF's layout of the same HTML (briefgen/pdf_layout.py), both optional:
    `page_numbers` maps element ids to their pages, and the contents list
    prints them (without it, the list has no page numbers until Word updates
    it); `column_widths` gives each <table>'s column widths in points, in
    document order (without it, a table's data-widths, else equal columns).
    With `template_dirs`, an error about an element names the template file and line that wrote it.
    """
    try:
        root = lxml.html.document_fromstring(html)
    except Exception as exc:  # lxml raises ParserError/ValueError for empty or unparsable input
        raise BriefgenError(f"{template_name}: the HTML could not be read for Word output ({exc})") from None
    if reference is None:
        document = Document(io.BytesIO(_reference_bytes()))
    else:
        data = read_inside(reference, reference.parent, "Word reference document", REFERENCE_DOCX_MAX)
        try:
            document = Document(io.BytesIO(reference_parts(data, display_path(reference))))
        except BriefgenError:
            raise
        except Exception as exc:  # a zip, package or XML error from python-docx: the file is not a .docx
            raise BriefgenError(f"{display_path(reference)}: not a usable Word reference document "
                                f"({type(exc).__name__}: {exc})") from None
    document.element.body.clear_content()  # a reference lends its styles and page set-up, never its text
    language = meta.get("language") or root.get("lang") or ""
    head = root.find("head")
    body = root.find("body")
    if column_widths and body is not None and len(column_widths) != sum(1 for _ in body.iter("table")):
        column_widths = None  # measured from different HTML: the tables would not line up
    writer = _Writer(document, assets, template_name, page_numbers,
                     _StyleSheet.from_head(head) if head is not None else None, column_widths)
    if template_dirs:
        from ..render import template_chain

        writer.chain = template_chain(list(template_dirs), template_name.removeprefix("templates/"))
    if head is not None:
        writer.check_head(head)
    if body is not None:
        writer.write_body(body)
    _finish_document(document, meta, language)
    buffer = io.BytesIO()
    document.save(buffer)
    return _normalise_zip(buffer.getvalue(), _zip_time(meta.get("date"))), {"pages": None}


# ---------------------------------------------------------------- the page's stylesheet

class _Selector(NamedTuple):
    tag: str | None
    classes: frozenset
    first_child: bool = False

    def matches(self, el) -> bool:
        if self.tag is not None and self.tag != el.tag:
            return False
        if not self.classes <= set((el.get("class") or "").split()):
            return False
        return not self.first_child or not any(isinstance(e.tag, str) for e in el.itersiblings(preceding=True))


class _Rule(NamedTuple):
    subject: _Selector
    ancestor: _Selector | None  # "A B": B inside an A
    properties: dict


class Look(NamedTuple):
    """What the CSS says about one element, as far as the Word backend uses it (None: nothing said)."""
    bold: bool | None = None
    italic: bool | None = None
    color: str | None = None          # "B5482A"
    break_before: bool = False
    break_after: bool = False
    borders: tuple = ()               # (side, width in eighths of a point, "RRGGBB", space in points)
    margin_top: float | None = None   # points
    margin_bottom: float | None = None


_NO_LOOK = Look()
_SIMPLE = re.compile(r"^([a-z][a-z0-9]*)?((?:\.[A-Za-z_][\w-]*)*)(:first-child)?$")
_BREAK_VALUES = frozenset({"page", "left", "right", "recto", "verso", "always"})
_USED = frozenset({"font-weight", "font-style", "color", "break-before", "break-after", "page-break-before",
                   "page-break-after", "border", "border-top", "border-bottom", "border-left", "padding",
                   "padding-top", "padding-bottom", "padding-left", "margin", "margin-top", "margin-bottom"})


class _StyleSheet:
    """What the page's own CSS says about emphasis, colour, rules and page breaks, so Word agrees with the PDF.

    Read: rules outside @media and @page whose selector is a simple selector
    with a class (`td.amount`, `.lead`), or a class-bearing simple selector, a
    space, and a simple selector (`.not-for-use h2`, `td .note`); a simple
    selector may end in :first-child. Used:
    font-weight and font-style (bold, italic), color, break-before/after (and
    the page-break- forms), solid top, bottom and left borders with their
    padding, and top and bottom margins of bordered or breaking blocks. Sizes,
    line heights and the spacing of ordinary elements are the reference
    document's styles' business (see make_reference_docx); a rule or value
    this reader cannot use is skipped, never an error. Lengths in em are taken
    at the body size, BODY_SIZE.
    """

    def __init__(self, rules: list[_Rule]) -> None:
        self.rules = rules
        self._by_subject: dict = {}

    @classmethod
    def from_head(cls, head) -> _StyleSheet | None:
        texts = [el.text or "" for el in head.iter("style")]
        return cls.parse("\n".join(texts)) if texts else None

    @classmethod
    def parse(cls, css: str) -> _StyleSheet:
        import tinycss2  # WeasyPrint's CSS parser, so always installed with it

        rules: list[_Rule] = []
        for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule":
                continue  # @media, @page and the like: not about the printed body's elements
            properties = {}
            for decl in tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True):
                if decl.type == "declaration" and decl.lower_name in _USED:
                    properties[decl.lower_name] = " ".join(tinycss2.serialize(decl.value).split()).lower()
            if not properties:
                continue
            for selector in tinycss2.serialize(rule.prelude).split(","):
                parts = [_simple(part) for part in selector.split()]
                if len(parts) == 1 and parts[0] is not None and parts[0].classes:
                    rules.append(_Rule(parts[0], None, properties))
                elif len(parts) == 2 and None not in parts and parts[0].classes:
                    rules.append(_Rule(parts[1], parts[0], properties))
        return cls(rules)

    def look(self, el) -> Look:
        """The element's Look: matching rules merged in source order (a later rule wins, as with equal specificity)."""
        key = (el.tag, el.get("class") or "")
        candidates = self._by_subject.get(key)
        if candidates is None:  # the rules whose subject could match, by tag and classes (first-child aside)
            candidates = self._by_subject[key] = [r for r in self.rules if r.subject._replace(first_child=False)
                                                  .matches(el)]
        if not candidates:
            return _NO_LOOK
        merged: dict = {}
        for rule in candidates:
            if not rule.subject.matches(el):
                continue
            if rule.ancestor is None or any(rule.ancestor.matches(a) for a in el.iterancestors()):
                merged.update(rule.properties)
        return _look(merged) if merged else _NO_LOOK


def _simple(text: str) -> _Selector | None:
    match = _SIMPLE.match(text)
    if not match or not text:
        return None
    return _Selector(match.group(1), frozenset(c for c in match.group(2).split(".") if c), bool(match.group(3)))


def _look(p: dict) -> Look:
    def breaks(*names):
        return any(p.get(n) in _BREAK_VALUES for n in names)

    boxes = {side: _box(p, "padding", side) for side in ("top", "bottom", "left")}
    margins = {side: _box(p, "margin", side) for side in ("top", "bottom")}
    borders = []
    for side in ("top", "bottom", "left"):
        border = _border(p.get(f"border-{side}") or p.get("border"))
        if border:
            borders.append((side, border[0], border[1], boxes[side] or 0.0))
    return Look(bold=_weight(p.get("font-weight")), italic=_italic(p.get("font-style")), color=_color(p.get("color")),
                break_before=breaks("break-before", "page-break-before"),
                break_after=breaks("break-after", "page-break-after"), borders=tuple(borders),
                margin_top=margins["top"], margin_bottom=margins["bottom"])


def _length(value: str) -> float | None:
    """A CSS length in points (px, pt, mm, cm, in, em at BODY_SIZE; a bare 0), or None."""
    match = re.fullmatch(r"(-?[\d.]+)(px|pt|mm|cm|in|em|rem)?", value)
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2)
    if unit is None:
        return 0.0 if number == 0 else None
    scale = {"px": 0.75, "pt": 1, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72, "em": BODY_SIZE, "rem": BODY_SIZE}
    return number * scale[unit]


def _box(p: dict, name: str, side: str) -> float | None:
    """One side of a margin or padding, from its own property or the shorthand (1 to 4 values)."""
    if f"{name}-{side}" in p:
        return _length(p[f"{name}-{side}"])
    if name not in p:
        return None
    values = p[name].split()
    index = {"top": 0, "right": 1, "bottom": 2, "left": 3}[side]
    pick = {1: (0, 0, 0, 0), 2: (0, 1, 0, 1), 3: (0, 1, 2, 1), 4: (0, 1, 2, 3)}.get(len(values))
    return _length(values[pick[index]]) if pick else None


def _border(value: str | None) -> tuple[int, str] | None:
    """A solid CSS border ("2px solid #1d4f91") as (width in eighths of a point, "RRGGBB"); None for none."""
    if not value or "solid" not in value.split():
        return None
    width = next((w for w in (_length(v) for v in value.split()) if w), None)
    color = next((c for c in (_color(v) for v in value.split()) if c), "000000")
    if not width:
        return None
    return max(2, min(96, round(width * 8))), color  # Word's range: 1/4 to 12 points


def _color(value: str | None) -> str | None:
    if not value:
        return None
    match = re.fullmatch(r"#([0-9a-f]{3}|[0-9a-f]{6})", value.strip())
    if not match:
        return None
    digits = match.group(1)
    return (digits if len(digits) == 6 else "".join(c * 2 for c in digits)).upper()


def _weight(value: str | None) -> bool | None:
    if value is None:
        return None
    if value in ("bold", "bolder"):
        return True
    if value in ("normal", "lighter"):
        return False
    return int(value) >= 600 if value.isdigit() else None


def _italic(value: str | None) -> bool | None:
    if value is None:
        return None
    if value.startswith(("italic", "oblique")):
        return True
    return False if value == "normal" else None


# ---------------------------------------------------------------- the walker

class _Fmt(NamedTuple):
    """Character formatting in force for a stretch of text."""
    bold: bool = False
    italic: bool = False
    vert: str = ""           # "sup" or "sub"
    char: str | None = None  # a character style name
    color: str | None = None  # "RRGGBB", from the page's CSS
    link: tuple | None = None  # (href, serial number of the <a>) so adjacent links stay apart


_PLAIN = _Fmt()


class _Inline:
    """Inline content gathered for one paragraph: text, line breaks and pictures, with formatting."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list = []  # ("t", text, fmt), ("br", None, fmt) or ("pic", (png, alt), fmt)

    def take(self) -> list:
        """The gathered items with whitespace collapsed as a browser does, then emptied.

        Runs of spaces, tabs and newlines become one space, also across element
        boundaries; none survives at the start or end of the paragraph or
        around a line break. Neighbouring text with equal formatting is merged
        so the paragraph gets as few runs as possible.
        """
        out: list = []
        space_before = True
        for kind, value, fmt in self.items:
            if kind == "t":
                text = _WS.sub(" ", value)
                if space_before and text.startswith(" "):
                    text = text[1:]
                if not text:
                    continue
                space_before = text.endswith(" ")
                if out and out[-1][0] == "t" and out[-1][2] == fmt:
                    out[-1][1] += text
                else:
                    out.append(["t", text, fmt])
            else:
                if kind == "br":
                    _strip_trailing(out)
                    space_before = True
                else:
                    space_before = False
                out.append([kind, value, fmt])
        _strip_trailing(out)
        self.items = []
        return out


def _strip_trailing(items: list) -> None:
    if items and items[-1][0] == "t" and items[-1][1].endswith(" "):
        items[-1][1] = items[-1][1][:-1]
        if not items[-1][1]:
            items.pop()


class _ListItem:
    """Paragraph styles for one <li>: the first paragraph carries the bullet or number, later ones continue it."""

    __slots__ = ("continue_style", "count", "num_id", "style")

    def __init__(self, style, continue_style, num_id: int | None) -> None:
        self.style = style
        self.continue_style = continue_style
        self.num_id = num_id
        self.count = 0


@dataclass(frozen=True)
class _Ctx:
    """Where paragraphs go and which style bare text and plain <p> get there."""
    sink: object
    text_style: object  # a style name, or a _ListItem inside a list item
    in_table: bool = False
    list_depth: int = 0
    fmt: _Fmt = _PLAIN  # character formatting for bare text (a <ul class="note"> makes it note-sized)


class _BodySink:
    """Adds block items to the document body, just before its final w:sectPr.

    python-docx's own add_paragraph/add_table look the w:sectPr up again on
    every call by scanning all body children, which makes a long document
    quadratic; holding the element once keeps each insertion constant-time.
    """

    def __init__(self, document) -> None:
        self.parent = document._body
        body = document.element.body
        self._body = body
        self._sect_pr = body.sectPr

    def _insert(self, element) -> None:
        if self._sect_pr is not None:
            self._sect_pr.addprevious(element)
        else:
            self._body.append(element)

    def paragraph(self, prototype=None) -> Paragraph:
        p = _clone(prototype) if prototype is not None else OxmlElement("w:p")
        self._insert(p)
        return Paragraph(p, self.parent)

    def table(self, tbl) -> Table:
        self._insert(tbl)
        return Table(tbl, self.parent)


class _CellSink:
    """Adds paragraphs to a table cell; the first reuses the empty paragraph every cell must have."""

    def __init__(self, cell: _Cell) -> None:
        self.parent = cell
        self.unused = cell._tc.p_lst[0] if cell._tc.p_lst else None

    def paragraph(self, prototype=None) -> Paragraph:
        p = _clone(prototype) if prototype is not None else OxmlElement("w:p")
        if self.unused is not None:
            self.unused.addnext(p)  # the cell's own empty paragraph gives way to the new one
            self.parent._tc.remove(self.unused)
            self.unused = None
        else:
            self.parent._tc.append(p)
        return Paragraph(p, self.parent)


class _Writer:
    """One document's walk: HTML elements in, paragraphs and tables appended to `document`'s body.

    Holds what must be decided once per document (style ids, run and
    paragraph prototypes, link relationships, bookmark names, list
    numbering) and the state carried from one element to the next (a
    pending page break, bookmarks waiting for their paragraph).
    """

    def __init__(self, document, assets: dict[str, bytes], template_name: str,
                 page_numbers: dict[str, int] | None = None, css: _StyleSheet | None = None,
                 column_widths: list[list[float]] | None = None) -> None:
        self.document = document
        self.measured_columns = column_widths or []
        self._table_index = -1
        self.assets = assets
        self.template_name = template_name
        self.page_numbers = page_numbers or {}
        self.css = css
        self._svg_rids: dict[str, str] = {}
        self._after_table = False  # the last body block was a table: the next paragraph keeps its distance
        self._body_paragraphs: list[Paragraph] = []  # in order, for CSS borders and margins of blocks
        self._after_table_paragraphs: set = set()  # w:p elements that carry a table's bottom margin
        self._styles: dict[tuple[str, WD_STYLE_TYPE], object] = {}
        self._style_ids: dict[tuple[str, WD_STYLE_TYPE], str | None] = {}
        self._run_prototypes: dict = {}
        self._paragraph_prototypes: dict = {}
        self._default_paragraph_style = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        self._link_rids: dict[str, str] = {}
        self._link_serial = 0
        self._bookmarks: dict[str, str] = {}  # HTML id → Word bookmark name, for ids that links point at
        self._pending_bookmarks: list[str] = []
        self._placed_bookmarks: set[str] = set()
        self._bookmark_id = 0
        self._page_break = False
        self._numbering = ox.ListNumbering(document)
        section = document.sections[-1]
        # A reference without page size or margins gets Word's own A4 defaults for the arithmetic.
        self.text_width = ((section.page_width or Cm(21)) - (section.left_margin or Cm(2.54))
                           - (section.right_margin or Cm(2.54)))

    # ------------------------------------------------------------ errors and styles

    chain: list[tuple[str, list[str]]] = []  # the templates that wrote the HTML, to point at their lines

    def error(self, message: str) -> BriefgenError:
        return BriefgenError(f"{self.template_name}: {message}")

    def where(self, el) -> str:
        """Where the element came from: its template file and line when a template writes that tag, else the
        line of the rendered HTML (which the audience template produced)."""
        from ..render import locate_markup

        found = locate_markup(self.chain, el.tag, el.get("class") or "") if self.chain else None
        if found is None:
            return f"line {el.sourceline}"
        file, line = found.rsplit(":", 1)
        return f"line {line}" if file == self.template_name else found  # "(line 3)" of the file named first

    def unsupported(self, el, where: str = "") -> BriefgenError:
        place = f" {where}" if where else ""
        return self.error(f"<{el.tag}>{place} is not supported in Word output ({self.where(el)}); "
                          f"supported: {SUPPORTED}")

    def style(self, name: str | None, kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH):
        """The style called `name` (or its fallback), resolved once per document and cached.

        Looking a style up by name scans every style in styles.xml; doing that
        per paragraph is what makes naive python-docx output slow.
        """
        if name is None:
            return None
        key = (name, kind)
        if key not in self._styles:
            found = None
            candidate: str | None = name
            while candidate is not None and found is None:
                try:
                    style = self.document.styles[candidate]
                    if style.type == kind:
                        found = style
                except KeyError:
                    pass
                if found is None:
                    candidate = STYLE_FALLBACKS.get(candidate)
            self._styles[key] = found
        return self._styles[key]

    def style_id(self, name: str | None, kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH) -> str | None:
        """The w:styleId to write for style `name`; None for the default style or a missing one.

        Assigning a style object through python-docx (`paragraph.style = s`)
        still compares it with the default style by scanning every style in
        the file, about 2 ms a paragraph with Word's 160 built-in styles; the
        id is all the XML needs, so it is worked out once per style here.
        """
        key = (name, kind)
        if key not in self._style_ids:
            style = self.style(name, kind)
            default = self.document.styles.default(kind)
            self._style_ids[key] = None if style is None or style == default else style.style_id
        return self._style_ids[key]

    # ------------------------------------------------------------ document

    def check_head(self, head) -> None:
        """<head> gives no content, but a script there is as unconvertible as one in the body."""
        for el in head:
            if isinstance(el.tag, str) and el.tag not in HEAD_TAGS:
                raise self.unsupported(el, "in <head>")

    def write_body(self, body) -> None:
        self._collect_link_targets(body)
        self._blocks(body, _Ctx(_BodySink(self.document), "Normal"))
        if self._pending_bookmarks:
            # An id on the very last, empty element: give its bookmark a paragraph to live in.
            self._new_paragraph(_Ctx(_BodySink(self.document), "Normal"), "Normal")

    def _collect_link_targets(self, body) -> None:
        """Word bookmark names for every id an internal link points at, decided before the walk.

        Links can point forward (citations to the source list), so names are
        fixed up front. Word wants letters, digits and underscores, at most 40
        characters, starting with a letter.
        """
        targets = sorted({a.get("href")[1:] for a in body.iter("a") if (a.get("href") or "").startswith("#")} - {""})
        used: set[str] = set()
        for target in targets:
            name = re.sub(r"[^A-Za-z0-9_]", "_", target)
            if not name[0].isalpha():
                name = "id_" + name
            if len(name) > 40 or name in used:
                name = name[:31] + "_" + hashlib.sha1(target.encode("utf-8")).hexdigest()[:8]
            used.add(name)
            self._bookmarks[target] = name

    def _note_element(self, el) -> None:
        """Remember an id that links point at; the next paragraph made gets its bookmark."""
        if self._bookmarks:
            ident = el.get("id")
            if ident and ident in self._bookmarks:
                self._pending_bookmarks.append(self._bookmarks[ident])

    # ------------------------------------------------------------ blocks

    def _blocks(self, el, ctx: _Ctx) -> None:
        """Walk `el`'s children as a flow: inline content gathers into paragraphs between block children."""
        buf = _Inline()
        fmt = ctx.fmt
        self._text(buf, el.text, fmt, el)
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):  # comment or processing instruction: only its tail is content
                pass
            elif tag in INLINE:
                self._inline(child, fmt, buf)
            elif tag in SILENT:
                pass
            else:
                self._flush(buf, ctx, ctx.text_style)
                self._block(child, ctx)
            self._text(buf, child.tail, fmt, el)
        self._flush(buf, ctx, ctx.text_style)

    def _look(self, el, fmt: _Fmt) -> tuple[Look, _Fmt]:
        """What the page's CSS says about `el`, and `fmt` with its bold, italic and colour applied."""
        if self.css is None:
            classes = (el.get("class") or "").split()
            breaks = bool(classes) and not PAGE_BREAK_CLASSES.isdisjoint(classes)
            return (Look(break_before=True) if breaks else _NO_LOOK), fmt
        look = self.css.look(el)
        if look.bold is not None:
            fmt = fmt._replace(bold=look.bold)
        if look.italic is not None:
            fmt = fmt._replace(italic=look.italic)
        if look.color is not None:
            fmt = fmt._replace(color=look.color)
        return look, fmt

    def _block(self, el, ctx: _Ctx) -> None:
        look, fmt = self._look(el, ctx.fmt)
        if look.break_before:
            self._page_break = True
        if fmt != ctx.fmt:
            ctx = replace(ctx, fmt=fmt)
        self._note_element(el)
        first = len(self._body_paragraphs)
        self._block_content(el, ctx, (el.get("class") or "").split())
        if (look.borders or look.margin_top is not None or look.margin_bottom is not None) and not ctx.in_table:
            self._frame(self._body_paragraphs[first:], look, own=el.tag == "p" or el.tag in HEADINGS)
        if look.break_after:
            self._page_break = True  # the next paragraph starts the next page

    def _frame(self, paragraphs: list[Paragraph], look: Look, own: bool = False) -> None:
        """A block's CSS borders and margins on the paragraphs made for it.

        A top border goes on the first paragraph and a bottom border on the
        last, each as far from the text as the block's padding plus that
        paragraph's own spacing (in CSS that spacing lies inside the border);
        the block's margins go outside them. Without a border, an element that
        is itself a paragraph (`own`) takes its margins as they are; a larger
        block's margins collapse with its first and last paragraphs' (the
        larger wins), as in CSS. A left border runs down every
        paragraph, whose text moves right by its width and the padding, so the
        rule stands where the block's edge is in the PDF.
        """
        if not paragraphs:
            return
        top, bottom = paragraphs[0], paragraphs[-1]
        for side, width, color, padding in look.borders:
            if side == "top":
                inside = _space(top.style, "space_before") if top.paragraph_format.space_before is None \
                    else top.paragraph_format.space_before
                ox.set_paragraph_border(top, "top", width, padding + Emu(inside).pt, color)
                top.paragraph_format.space_before = Pt(look.margin_top or 0)
            elif side == "bottom":
                inside = _space(bottom.style, "space_after") if bottom.paragraph_format.space_after is None \
                    else bottom.paragraph_format.space_after
                ox.set_paragraph_border(bottom, "bottom", width, padding + Emu(inside).pt, color)
                bottom.paragraph_format.space_after = Pt(look.margin_bottom or 0)
            else:
                for para in paragraphs:
                    ox.set_paragraph_border(para, "left", width, padding, color)
                    para.paragraph_format.left_indent = Pt(width / 8 + padding)
        sides = {side for side, *_ in look.borders}
        if look.margin_top is not None and "top" not in sides and (
                own or look.margin_top > Emu(_space(top.style, "space_before")).pt):
            before = Pt(look.margin_top)
            if top._p in self._after_table_paragraphs:
                before = max(before, TABLE_GAP)  # the table's margin above collapses with this one
            top.paragraph_format.space_before = before
        if look.margin_bottom is not None and "bottom" not in sides and (
                own or look.margin_bottom > Emu(_space(bottom.style, "space_after")).pt):
            bottom.paragraph_format.space_after = Pt(look.margin_bottom)

    def _block_content(self, el, ctx: _Ctx, classes: list[str]) -> None:
        tag = el.tag
        if tag == "p":
            style = ctx.text_style
            if not isinstance(style, _ListItem):
                for name in classes:
                    if name in PARAGRAPH_CLASSES:
                        style = PARAGRAPH_CLASSES[name]
                        if style == "Note" and ctx.in_table:
                            style = "Table Note"  # briefing.css: td .note is smaller still
                        break
            self._blocks(el, replace(ctx, text_style=style))
        elif tag in CONTAINERS:
            if tag == "nav" and "toc" in classes:
                self._toc(el, ctx)
            elif "marking" in classes:
                self._blocks(el, replace(ctx, text_style="Marking"))
            else:
                self._blocks(el, ctx)
        elif tag in HEADINGS:
            style = "Title" if tag == "h1" and "doc-title" in classes else HEADINGS[tag]
            self._blocks(el, replace(ctx, text_style=style))
        elif tag in ("ul", "ol"):
            self._list(el, ctx)
        elif tag == "table":
            if ctx.in_table:
                raise self.unsupported(el, "inside a table cell")
            self._table(el, ctx)
        elif tag == "figure":
            self._blocks(el, replace(ctx, text_style="Figure"))
        elif tag == "figcaption":
            self._blocks(el, replace(ctx, text_style="Caption"))
        elif tag in TABLE_PARTS:
            raise self.unsupported(el, "outside a table or list" if tag != "li" else "outside <ul> or <ol>")
        else:
            raise self.unsupported(el)

    def _new_paragraph(self, ctx: _Ctx, style_spec, keep_with_next: bool = False) -> Paragraph:
        """A paragraph in `ctx`'s sink with its style, page break, numbering and bookmarks.

        Paragraph properties are all set here, before any run: python-docx
        appends a late w:pPr after existing children, which Word rejects.
        """
        num_id = None
        if isinstance(style_spec, _KeepWithNext):
            keep_with_next = True
        elif isinstance(style_spec, _ListItem):
            item = style_spec
            if item.count == 0:
                style_spec, num_id = item.style, item.num_id
            else:
                style_spec = item.continue_style
            item.count += 1
        style_id = self.style_id(style_spec) if isinstance(style_spec, str) else self._id_of(style_spec)
        para = ctx.sink.paragraph(self._paragraph_prototype(style_id))
        if self._page_break:
            para.paragraph_format.page_break_before = True
            self._page_break = False
        if keep_with_next:
            para.paragraph_format.keep_with_next = True
        if num_id is not None:
            ox.set_num(para, num_id)
        if self._after_table and not ctx.in_table:
            self._after_table = False
            style = self.style(style_spec) if isinstance(style_spec, str) else style_spec
            para.paragraph_format.space_before = self._gap_after_table(style)
            self._after_table_paragraphs.add(para._p)
        if self._pending_bookmarks:
            para._p.get_or_add_pPr()  # pPr first, then the bookmarks, then runs
            self._add_pending_bookmarks(para)
        if not ctx.in_table:
            self._body_paragraphs.append(para)
        return para

    def _gap_after_table(self, style) -> int:
        """Space before a paragraph that follows a table, as CSS's collapsing margins would leave it.

        Word has no space after a table, so the next paragraph carries it: the
        larger of the table's bottom margin and the paragraph's own top margin.
        """
        return max(_space(style, "space_before"), TABLE_GAP)

    def _flush(self, buf: _Inline, ctx: _Ctx, style_spec) -> None:
        """Turn the gathered inline content into one paragraph (none if it is only whitespace)."""
        items = buf.take() if buf.items else []
        if items:
            para = self._new_paragraph(ctx, style_spec)
            self._emit(para, items)
            ox.close_bookmarks_at_end(para)  # a heading's bookmark spans its text, as Word's own do

    # ------------------------------------------------------------ inline

    def _text(self, buf: _Inline, text: str | None, fmt: _Fmt, el) -> None:
        if text:
            if _NOT_XML.search(text):
                bad = _NOT_XML.search(text).group(0)
                raise self.error(f"control character U+{ord(bad):04X} in the text near <{el.tag}> "
                                 f"({self.where(el)}) cannot be stored in Word output")
            buf.items.append(("t", text, fmt))

    def _inline(self, el, fmt: _Fmt, buf: _Inline) -> None:
        tag = el.tag
        if tag in ("strong", "b"):
            fmt = fmt._replace(bold=True)
        elif tag in ("em", "i"):
            fmt = fmt._replace(italic=True)
        elif tag == "sup":
            fmt = fmt._replace(vert="sup")
            if "cite" in (el.get("class") or "").split() and self._has_citation_style():
                # The Citation style raises and sizes the numbers itself, as briefing.css does (7.5pt):
                # Word and LibreOffice shrink superscript text each by their own ratio.
                fmt = fmt._replace(vert="", char="Citation")
        elif tag == "sub":
            fmt = fmt._replace(vert="sub")
        elif tag == "code":
            fmt = fmt._replace(char="HTML Code")
        elif tag == "small":
            fmt = fmt._replace(char="Small Text")
        elif tag == "span":
            if "note" in (el.get("class") or "").split():
                fmt = fmt._replace(char="Note Text")
        elif tag == "a":
            href = (el.get("href") or "").strip()
            if href:
                if href.lower().startswith(BLOCKED_SCHEMES):
                    raise self.error(f"<a href=\"{href[:40]}\"> ({self.where(el)}): links with this scheme "
                                     "are not allowed in Word output")
                self._link_serial += 1
                fmt = fmt._replace(link=(href, self._link_serial))
                if "note-ref" in (el.get("class") or "").split():
                    fmt = fmt._replace(char="Note Text")
        elif tag == "br":
            buf.items.append(("br", None, fmt))
            return
        elif tag == "img":
            buf.items.append(("pic", self._img(el), fmt))
            return
        elif tag == "svg":
            buf.items.append(("pic", self._svg(el), fmt))
            return
        elif tag in ("abbr", "time", "mark"):
            pass
        elif tag in BLOCKS or tag in TABLE_PARTS:
            raise self.unsupported(el, "inside inline text")
        else:
            raise self.unsupported(el)
        fmt = self._look(el, fmt)[1]
        self._note_element(el)
        self._text(buf, el.text, fmt, el)
        for child in el:
            if isinstance(child.tag, str):
                if child.tag in SILENT:
                    raise self.unsupported(child, "inside inline text")
                self._inline(child, fmt, buf)
            self._text(buf, child.tail, fmt, el)

    def _has_citation_style(self) -> bool:
        style = self.style("Citation", WD_STYLE_TYPE.CHARACTER)
        return style is not None and style.name == "Citation"

    def _svg(self, el) -> tuple[bytes, str, bytes | None]:
        name = el.get("data-asset") or ""
        alt = (el.get("aria-label") or "").strip()
        if el.get("role") != "img" or not alt or name not in self.assets:
            raise self.error(f"<svg> ({self.where(el)}) needs role=\"img\", an aria-label and a data-asset "
                             f"naming a PNG asset for Word output (asset {name!r}; have "
                             f"{', '.join(sorted(self.assets)) or 'none'})")
        return self.assets[name], alt, None

    def _img(self, el) -> tuple[bytes, str, bytes | None]:
        """(PNG or other raster, alt text, the SVG it stands in for if the source is an SVG data: URI)."""
        alt = (el.get("alt") or "").strip()
        name = el.get("data-asset")
        if name:
            if name not in self.assets:
                raise self.error(f"<img data-asset=\"{name}\"> ({self.where(el)}): no such PNG asset for Word "
                                 f"output (have {', '.join(sorted(self.assets)) or 'none'})")
            svg = _SVG_DATA_URI.match(el.get("src") or "")
            try:
                svg_bytes = base64.b64decode(svg.group(1), validate=False) if svg else None
            except (binascii.Error, ValueError):
                svg_bytes = None  # the PNG stands in for it anyway
            return self.assets[name], alt, svg_bytes
        match = _DATA_URI.match(el.get("src") or "")
        if not match:
            raise self.error(f"<img> ({self.where(el)}) needs a data:image/png;base64 source or a data-asset "
                             "naming a PNG asset for Word output")
        try:
            return base64.b64decode(match.group(2), validate=False), alt, None
        except (binascii.Error, ValueError):
            raise self.error(f"<img> ({self.where(el)}): its data: URI is not valid base64") from None

    def _emit(self, para: Paragraph, items: list) -> None:
        """Runs for the collapsed items; consecutive items of one <a> share one w:hyperlink."""
        container = para._p
        current_link = None
        for kind, value, fmt in items:
            if fmt.link != current_link:
                current_link = fmt.link
                container = self._hyperlink(para, current_link[0]) if current_link else para._p
            if kind == "t":
                padded = fmt.link is not None and fmt.char == "Citation" and len(value) > 0
                if padded and len(value) > 1:  # all but the last character as they are
                    r = _clone(self._text_run(fmt))
                    r[-1].text = value[:-1]
                    container.append(r)
                    value = value[-1]
                r = _clone(self._text_run(fmt))
                r[-1].text = value
                container.append(r)
                if padded:
                    # sup.cite a { padding: 0 0.1em }: as much space after the link's last character.
                    ox.set_letter_spacing(Run(r, para), CITATION_PADDING)
            else:
                r = _clone(self._run_prototype(fmt))
                container.append(r)
                run = Run(r, para)
                if kind == "br":
                    run.add_break(WD_BREAK.LINE)
                else:
                    self._picture(run, *value)

    def _run_prototype(self, fmt: _Fmt):
        """An empty w:r carrying `fmt`'s character formatting, made once per distinct format.

        The formatting is applied through python-docx's Run/Font proxies;
        each run in the document is then a copy of this element. Setting the
        same properties through the proxies for every run costs ~100 µs a run
        (each property insert searches its siblings' schema order), which was
        most of the time for a long briefing.
        """
        key = fmt[:5] + (fmt.link is not None,)  # which link does not matter, only whether there is one
        proto = self._run_prototypes.get(key)
        if proto is None:
            proto = OxmlElement("w:r")
            run = Run(proto, None)
            char = fmt.char or ("Hyperlink" if fmt.link else None)
            if char:
                style_id = self.style_id(char, WD_STYLE_TYPE.CHARACTER)
                if style_id is not None:
                    proto.style = style_id
            if fmt.bold:
                run.bold = True
            if fmt.italic:
                run.italic = True
            if fmt.vert == "sup":
                run.font.superscript = True
            elif fmt.vert == "sub":
                run.font.subscript = True
            if fmt.color:
                run.font.color.rgb = RGBColor.from_string(fmt.color)
            self._run_prototypes[key] = proto
        return proto

    def _text_run(self, fmt: _Fmt):
        """`fmt`'s prototype run with one w:t; space-preserving, as text may start or end with a space."""
        key = ("t",) + fmt[:5] + (fmt.link is not None,)
        proto = self._run_prototypes.get(key)
        if proto is None:
            proto = _clone(self._run_prototype(fmt))
            proto.add_t(" x ")  # python-docx sets xml:space="preserve" for text with edge spaces
            self._run_prototypes[key] = proto
        return proto

    def _hyperlink(self, para: Paragraph, href: str):
        if href.startswith("#"):
            name = self._bookmarks.get(href[1:])
            if name is None:
                return para._p  # "#" alone links nowhere; keep the text as plain text
            return ox.add_hyperlink(para, anchor=name)
        r_id = self._link_rids.get(href)
        if r_id is None:
            # python-docx scans every relationship per lookup; one per distinct URL keeps that linear.
            r_id = self.document.part.relate_to(href, RT.HYPERLINK, is_external=True)
            self._link_rids[href] = r_id
        return ox.add_hyperlink(para, r_id=r_id)

    def _picture(self, run: Run, data: bytes, alt: str, svg: bytes | None = None) -> None:
        try:
            shape = run.add_picture(io.BytesIO(data))
            pixels = DocxImage.from_blob(data).px_width
        except Exception as exc:  # python-docx raises its own UnrecognizedImageError and struct errors
            raise self.error(f"an image could not be read for Word output ({type(exc).__name__})") from None
        width = picture_width(pixels, self.text_width)
        if shape.width > width or shape.width < width // 2:
            # Charts are drawn for the text width; tiny or huge images are scaled to it too.
            shape.height = int(shape.height * width / shape.width)
            shape.width = width
        if svg:
            ox.add_svg_version(shape, self._svg_part(svg))
        ox.set_picture_alt(shape, alt, cut_at_word(alt, PICTURE_TITLE_LIMIT) if alt else None)

    def _svg_part(self, svg: bytes) -> str:
        """Relationship id of an image part holding `svg`, added once per distinct SVG."""
        key = hashlib.sha1(svg).hexdigest()
        r_id = self._svg_rids.get(key)
        if r_id is None:
            package = self.document.part.package
            part = Part(package.next_partname("/word/media/image%d.svg"), "image/svg+xml", svg, package)
            r_id = self._svg_rids[key] = self.document.part.relate_to(part, RT.IMAGE)
        return r_id

    # ------------------------------------------------------------ lists

    def _list(self, el, ctx: _Ctx) -> None:
        ordered = el.tag == "ol"
        depth = min(ctx.list_depth + 1, 3)
        suffix = "" if depth == 1 else f" {depth}"
        classes = (el.get("class") or "").split()
        small = depth == 1 and not SMALL_LIST_CLASSES.isdisjoint(classes)  # note-sized items, numbers and all
        name = ("List Number" if ordered else "List Bullet") + suffix
        style = self.style(("Small " + name) if small else name)
        continue_style = self.style(("Small List Continue" if small else "List Continue") + suffix)
        num_id = None
        if ordered and style is not None:
            base = ox.style_num_id(style)
            if base is not None:
                try:
                    start = int(el.get("start") or 1)
                except ValueError:
                    start = 1
                num_id = self._numbering.restart(base, start)
        if "note" in classes:
            ctx = replace(ctx, fmt=ctx.fmt._replace(char="Note Text"))
        self._no_stray_text(el.text, el)
        for child in el:
            if isinstance(child.tag, str):
                if child.tag != "li":
                    raise self.unsupported(child, f"directly inside <{el.tag}>")
                fmt = self._look(child, ctx.fmt)[1]
                self._note_element(child)
                item = _ListItem(style, continue_style, num_id)
                self._blocks(child, replace(ctx, text_style=item, list_depth=depth, fmt=fmt))
                if item.count == 0:
                    self._new_paragraph(ctx, item)  # an empty <li> still shows its bullet
            self._no_stray_text(child.tail, el)
        if depth == 1 and not ctx.in_table and self._body_paragraphs:
            last = self._body_paragraphs[-1].paragraph_format
            if (last.space_after or 0) < LIST_GAP:
                last.space_after = LIST_GAP  # briefing.css: the list's bottom margin, after its last item

    def _no_stray_text(self, text: str | None, el) -> None:
        if text and text.strip():
            raise self.error(f"text {text.strip()[:30]!r} directly inside <{el.tag}> ({self.where(el)}) "
                             "is not supported in Word output; put it in a cell or list item")

    # ------------------------------------------------------------ tables

    def _table(self, el, ctx: _Ctx) -> None:
        self._table_index += 1  # tables in document order, as the PDF layout lists them
        caption = None
        rows: list[tuple[object, bool]] = []  # (<tr>, in <thead>)
        self._no_stray_text(el.text, el)
        for child in el:
            tag = child.tag
            if isinstance(tag, str):
                if tag == "caption":
                    caption = child
                elif tag in ("thead", "tbody"):
                    self._no_stray_text(child.text, child)
                    for tr in child:
                        if isinstance(tr.tag, str):
                            if tr.tag != "tr":
                                raise self.unsupported(tr, f"directly inside <{tag}>")
                            rows.append((tr, tag == "thead"))
                        self._no_stray_text(tr.tail, child)
                elif tag == "tr":
                    rows.append((child, False))
                else:
                    raise self.unsupported(child, "directly inside <table>")
            self._no_stray_text(child.tail, el)

        grid: list[list[tuple[object, int]]] = []
        for tr, _ in rows:
            cells = []
            self._no_stray_text(tr.text, tr)
            for cell in tr:
                if isinstance(cell.tag, str):
                    if cell.tag not in ("td", "th"):
                        raise self.unsupported(cell, "directly inside <tr>")
                    if (cell.get("rowspan") or "1").strip() not in ("", "1"):
                        raise self.error(f"<{cell.tag} rowspan> ({self.where(cell)}) is not supported in Word "
                                         "output; repeat the cell or restructure the table")
                    cells.append((cell, self._colspan(cell)))
                self._no_stray_text(cell.tail, tr)
            grid.append(cells)
        ncols = max((sum(span for _, span in cells) for cells in grid), default=0)

        if caption is not None:
            self._note_element(caption)
            self._blocks(caption, replace(ctx, text_style=_KeepWithNext("Table Caption")))
        if not rows or ncols == 0:
            if self._table_has_content(el):
                raise self.error(f"<table> ({self.where(el)}) has content but no cells")
            return

        widths = self._measured_widths(ncols) or self._column_widths(el, ncols)
        if self._after_table and not ctx.in_table:
            # Two tables in a row would merge into one in Word; a paragraph as tall as the gap keeps them apart.
            spacer = self._new_paragraph(ctx, "Normal")
            spacer.paragraph_format.space_before = 0
            spacer.paragraph_format.space_after = 0
            spacer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            spacer.paragraph_format.line_spacing = TABLE_GAP
        tbl = CT_Tbl.new_tbl(len(rows), ncols, self.text_width)
        table = ctx.sink.table(tbl)
        style = self.style("Briefing Table", WD_STYLE_TYPE.TABLE)
        if style is not None:
            table.style = style
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        if widths is not None:
            table.autofit = False
            for column, width in zip(table.columns, widths):
                column.width = width
        else:
            ox.set_table_width_pct(table, 100)

        # Only leading header rows can repeat on each page in Word; a <th> row further down is just bold.
        header_rows = 0
        for (_, in_thead), cells in zip(rows, grid):
            if not (in_thead or (cells and all(c.tag == "th" for c, _ in cells))):
                break
            header_rows += 1
        ox.set_table_look(table, header_rows > 0)

        for index, ((tr_el, _), cells, tr) in enumerate(zip(rows, grid, tbl.tr_lst)):
            row_fmt = self._look(tr_el, _PLAIN)[1]
            self._note_element(tr_el)
            is_header = index < header_rows
            tcs = list(tr.tc_lst)
            col = 0
            for cell_el, span in cells:
                tc = tcs[col]
                cell = _Cell(tc, table)
                if span > 1:
                    for extra in tcs[col + 1:col + span]:
                        tr.remove(extra)
                    ox.span_columns(cell, span)
                if widths is not None:
                    cell.width = sum(widths[col:col + span])
                if is_header:
                    ox.shade_cell(cell, HEADER_FILL)
                style_name = "Table Heading" if cell_el.tag == "th" else "Table Text"
                self._note_element(cell_el)
                self._cell(cell, cell_el, ctx, style_name, self._look(cell_el, row_fmt)[1])
                col += span
            for grid_col in range(col, ncols):
                # Cells the HTML row left out: keep the grid rectangular, styled like the rest.
                cell = _Cell(tcs[grid_col], table)
                if widths is not None:
                    cell.width = widths[grid_col]
                if is_header:
                    ox.shade_cell(cell, HEADER_FILL)
                self._cell(cell, None, ctx, "Table Heading" if is_header else "Table Text")
            if is_header:
                ox.mark_header_row(_Row(tr, table))
            else:
                ox.keep_row_together(_Row(tr, table))  # as briefing.css's tr { break-inside: avoid }
        if not ctx.in_table:
            self._after_table = True

    def _cell(self, cell: _Cell, cell_el, ctx: _Ctx, style_name: str, fmt: _Fmt = _PLAIN) -> None:
        sink = _CellSink(cell)
        if cell_el is not None:
            self._blocks(cell_el, _Ctx(sink, style_name, in_table=True, list_depth=ctx.list_depth, fmt=fmt))
            paragraphs = cell._tc.p_lst
            for p in paragraphs[:-1]:
                # Table styles have no space after; paragraphs in one cell keep briefing.css's small gap.
                Paragraph(p, cell).paragraph_format.space_after = CELL_PARAGRAPH_GAP
        if sink.unused is not None:
            # An empty cell keeps its one paragraph; style it so the row is not taller than its neighbours.
            para = Paragraph(sink.unused, cell)
            style_id = self.style_id(style_name)
            if style_id is not None:
                para._p.style = style_id
            if self._pending_bookmarks or self._page_break:
                sink.unused = None
                self._adopt_pending(para)

    def _paragraph_prototype(self, style_id: str | None):
        """An empty w:p with style `style_id`, made once through python-docx and copied per paragraph."""
        proto = self._paragraph_prototypes.get(style_id)
        if proto is None:
            proto = OxmlElement("w:p")
            if style_id is not None:
                proto.style = style_id
            self._paragraph_prototypes[style_id] = proto
        return proto

    def _id_of(self, style) -> str | None:
        """Style id of a style object (list styles are resolved as objects to read their numbering)."""
        if style is None or style == self._default_paragraph_style:
            return None
        return style.style_id

    def _adopt_pending(self, para: Paragraph) -> None:
        if self._page_break:
            para.paragraph_format.page_break_before = True
            self._page_break = False
        if self._pending_bookmarks:
            para._p.get_or_add_pPr()
            self._add_pending_bookmarks(para)

    def _add_pending_bookmarks(self, para: Paragraph) -> None:
        for name in self._pending_bookmarks:
            if name not in self._placed_bookmarks:  # an id used twice in the HTML: the first one wins
                self._placed_bookmarks.add(name)
                self._bookmark_id += 1
                ox.add_bookmark(para, name, self._bookmark_id)
        self._pending_bookmarks = []

    def _colspan(self, cell) -> int:
        raw = (cell.get("colspan") or "1").strip()
        try:
            span = int(raw)
        except ValueError:
            raise self.error(f"<{cell.tag} colspan=\"{raw}\"> ({self.where(cell)}) is not a whole number") from None
        if not 1 <= span <= 63:  # Word's own limit is 63 columns
            raise self.error(f"<{cell.tag} colspan=\"{raw}\"> ({self.where(cell)}) must be between 1 and 63")
        return span

    def _measured_widths(self, ncols: int):
        """This table's column widths from the PDF's layout, scaled to the text width; None if not measured."""
        measured = self.measured_columns[self._table_index] if self._table_index < len(self.measured_columns) \
            else None
        if not measured or len(measured) != ncols or min(measured) <= 0:
            return None
        widths = [int(Pt(w)) for w in measured]
        total = sum(widths)
        if total > self.text_width:  # never wider than the text
            widths = [int(self.text_width * w / total) for w in widths]
        # A column the PDF shrank to its longest unbreakable value (a date, an amount) fits that value to
        # the point; Word and LibreOffice set the same text a hair wider, so give such columns a little
        # room, taken from the widest column, rather than let "(€7m)" lose its bracket to the next line.
        slack, widest = int(Pt(4)), widths.index(max(widths))
        for index, width in enumerate(widths):
            if index != widest and width < sum(widths) / 4 and widths[widest] - slack > width:
                widths[index] += slack
                widths[widest] -= slack
        return widths

    def _column_widths(self, el, ncols: int):
        raw = el.get("data-widths")
        if not raw:
            return None
        try:
            parts = [float(p) for p in raw.split(",")]
        except ValueError:
            parts = []
        if len(parts) != ncols or any(p <= 0 for p in parts):
            raise self.error(f"<table data-widths=\"{raw}\"> ({self.where(el)}) needs {ncols} positive "
                             "percentages, one per column")
        total = sum(parts)
        return [int(self.text_width * p / total) for p in parts]

    @staticmethod
    def _table_has_content(el) -> bool:
        return bool("".join(el.itertext()).strip()) or any(True for _ in el.iter("img", "svg"))

    # ------------------------------------------------------------ contents

    def _toc(self, nav, ctx: _Ctx) -> None:
        """The contents list as Word makes it: a TOC field whose cached result is already complete.

        One paragraph per entry (style "toc 1" or "toc 2"), each a link to the
        heading's bookmark holding the heading's text, a tab to a right-aligned
        dotted-leader stop and a PAGEREF field whose cached result is the page
        number from `page_numbers` (the PDF's layout). Word and LibreOffice show
        cached results as they are, so the file opens with page numbers and
        without "update fields?"; updating the field in Word (F9) rebuilds the
        same list from the headings. An entry whose page is not known has no
        number (and no leader to nothing).
        """
        label = (nav.get("aria-label") or "Contents").strip() or "Contents"
        heading_style = self.style("TOC Heading")
        heading = self._new_paragraph(ctx, heading_style or "Normal", keep_with_next=True)
        run = heading.add_run(label)
        if heading_style is None:
            run.bold = True

        entries = []
        for a in nav.iter("a"):
            href = a.get("href") or ""
            target = self._bookmarks.get(href[1:]) if href.startswith("#") else None
            if target is None:
                continue
            text = _WS.sub(" ", a.text_content()).strip()
            level = 1
            for ancestor in a.iterancestors():
                if ancestor is nav:
                    break
                classes = (ancestor.get("class") or "").split()
                if ancestor.tag == "li" and "level-2" in classes:
                    level = 2
            entries.append((level, target, text, self.page_numbers.get(href[1:])))

        if not entries:
            para = self._new_paragraph(ctx, "Normal")
            ox.begin_field(para, TOC_INSTRUCTION)
            para.add_run("Update this field (F9 in Word) to build the table of contents.")
            ox.end_field(para)
            return
        for index, (level, target, text, page) in enumerate(entries):
            para = self._new_paragraph(ctx, f"toc {level}")
            if index == 0:
                ox.begin_field(para, TOC_INSTRUCTION)
            link = ox.add_hyperlink(para, anchor=target)
            r = OxmlElement("w:r")
            link.append(r)
            r.add_t(text)
            if page is not None:
                ox.add_tab(link)
                ox.add_page_ref(link, target, str(page))
            if index == len(entries) - 1:
                ox.end_field(para)
                # briefing.css: nav.toc { margin-bottom: 1em }, below the last entry
                para.paragraph_format.space_after = Pt(11)


_clone = copy.deepcopy


class _KeepWithNext(str):
    """A style name whose paragraphs stay on the page of what follows (captions above tables)."""


# ---------------------------------------------------------------- document level

def _finish_document(document, meta: dict, language: str) -> None:
    """Header and footer with the marking and page numbers, no field-update prompt, language, core properties.

    As briefing.css's @page rules: the header has the marking in the centre
    (not on the first page, whose cover shows it); the footer is one line with
    the marking in the centre and "Page X of Y" at the right, on every page.
    """
    marking = (meta.get("marking") or "").strip()
    styles = document.styles
    for section in document.sections:
        width = ((section.page_width or Cm(21)) - (section.left_margin or Cm(2.54))
                 - (section.right_margin or Cm(2.54)))
        section.different_first_page_header_footer = True
        for header, with_marking in ((section.header, True), (section.first_page_header, False)):
            header.is_linked_to_previous = False
            _clear(header)
            para = header.add_paragraph(style=_maybe_style(styles, "Header"))
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if marking and with_marking:
                _marking_run(para, marking)
        for footer in (section.footer, section.first_page_footer):
            footer.is_linked_to_previous = False
            _clear(footer)
            para = footer.add_paragraph(style=_maybe_style(styles, "Footer"))
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT
            _set_tab_stops(para, [(width // 2, WD_TAB_ALIGNMENT.CENTER), (width, WD_TAB_ALIGNMENT.RIGHT)])
            para.add_run("\t")
            if marking:
                _marking_run(para, marking)
            para.add_run("\t")
            para.add_run("Page ")  # grey, as the Footer style: fields take their paragraph's formatting
            ox.add_field(para, "PAGE", "1")
            para.add_run(" of ")
            ox.add_field(para, "NUMPAGES", "1")
    ox.remove_update_fields(document)
    ox.set_default_language(document, language)

    when = _meta_datetime(meta.get("date"))
    props = document.core_properties
    props.title = word_property(meta.get("title"))
    props.subject = word_property(meta.get("subject"))
    props.author = word_property(meta.get("author"))
    props.last_modified_by = word_property(meta.get("author"))
    props.keywords = word_property(meta.get("keywords"))
    props.language = language
    props.comments = ""
    props.category = ""
    props.content_status = marking
    props.revision = 1
    props.created = when
    props.modified = when
    props.last_printed = when


def _space(style, attribute: str) -> int:
    """A paragraph style's space before or after in EMU, following its base styles (0 if none says)."""
    while style is not None:
        value = getattr(style.paragraph_format, attribute)
        if value is not None:
            return value
        style = style.base_style
    return 0


def _marking_run(para: Paragraph, marking: str) -> None:
    run = para.add_run(marking)
    run.bold = True
    run.font.color.rgb = TEXT  # the footer's page numbers are grey; the marking is not
    ox.set_letter_spacing(run, 14)  # briefing.css: letter-spacing 0.08em at 9pt, in twentieths of a point


def _set_tab_stops(para: Paragraph, stops: list) -> None:
    """Exactly these tab stops on `para`: its style's others are cleared (Word's Footer style has its own)."""
    wanted = {position for position, _ in stops}
    style = para.style
    while style is not None:
        for stop in style.paragraph_format.tab_stops:
            if stop.position not in wanted:
                para.paragraph_format.tab_stops.add_tab_stop(stop.position, WD_TAB_ALIGNMENT.CLEAR)
        style = style.base_style
    for position, alignment in stops:
        para.paragraph_format.tab_stops.add_tab_stop(position, alignment)


def _maybe_style(styles, name: str):
    try:
        return styles[name]
    except KeyError:
        return None


def _clear(header_or_footer) -> None:
    element = header_or_footer._element
    for child in list(element):
        element.remove(child)


WORD_PROPERTY_LIMIT = 255  # Word refuses longer core properties; `check` warns when the subject is cut
PICTURE_TITLE_LIMIT = 100  # a picture's short title (docPr title); its description carries the whole alt text


def word_property(text: str | None) -> str:
    """Text for a Word core property: whole when it fits, else cut at a word with an ellipsis."""
    return cut_at_word(text, WORD_PROPERTY_LIMIT)


def cut_at_word(text: str | None, limit: int) -> str:
    """`text` with white space collapsed: whole if it has at most `limit` characters, else cut after a
    whole word, with an ellipsis, within `limit` (a single word longer than that is cut, never dropped)."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    room = text[: limit - 1]  # one character for the ellipsis
    if text[limit - 1] != " " and " " in room:
        room = room.rsplit(" ", 1)[0]  # the cut fell inside a word: end at the one before
    return room.rstrip(" ,;:–—-") + "…"


def picture_width(pixels: int, text_width: int) -> int:
    """Width (EMU) to place a raster `pixels` wide: the text width, as briefing.css's figures, unless that
    would print it below PICTURE_DPI; then as wide as PICTURE_DPI allows, if that is at least half the text
    width (a smaller image cannot be sharp at any useful size and is placed full width)."""
    sharp = int(pixels * 914400 / PICTURE_DPI)  # 914,400 EMU to the inch
    return sharp if text_width // 2 <= sharp < text_width else text_width


def _meta_datetime(value) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        day = dt.date(1980, 1, 1)
    return dt.datetime(day.year, day.month, day.day)


def _zip_time(value) -> tuple[int, int, int, int, int, int]:
    when = _meta_datetime(value)
    if when.year < 1980:  # the zip format cannot store earlier dates
        return (1980, 1, 1, 0, 0, 0)
    return (when.year, when.month, when.day, 0, 0, 0)


def _normalise_zip(data: bytes, date_time: tuple[int, int, int, int, int, int]) -> bytes:
    """The same package with fixed timestamps, entry order and compression, so equal input gives equal bytes.

    python-docx stamps each entry with the current time; [Content_Types].xml
    goes first as Word writes it, the rest in name order.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        names = sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for name in names:
                info = zipfile.ZipInfo(name, date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 0
                info.external_attr = 0
                target.writestr(info, source.read(name), compresslevel=6)
    return out.getvalue()


# ---------------------------------------------------------------- a user's reference document, made safe

# A reference .docx lends styles and page set-up, so only these parts are taken from it; any other
# part (pictures, embedded files, macros, anything nothing here uses) never reaches python-docx or the
# output. A header or footer keeps the pictures its own relationships point at.
_REFERENCE_PARTS = re.compile(r"(\[Content_Types\]\.xml|_rels/\.rels|docProps/(core|app)\.xml"
                              r"|word/(document|styles|stylesWithEffects|numbering|settings|webSettings|fontTable)\.xml"
                              r"|word/theme/theme\d+\.xml|word/(header|footer)\d+\.xml"
                              r"|customXml/(item|itemProps)\d+\.xml"
                              r"|(word/|word/theme/|customXml/)?_rels/[^/]+\.xml\.rels)")
_HEADER_MEDIA = re.compile(r"word/media/[A-Za-z0-9_.-]+\.(png|jpe?g|gif|emf|wmf|svg)", re.IGNORECASE)
REFERENCE_MEMBER_MAX = 20 * 1024 * 1024  # one part, unpacked
REFERENCE_TOTAL_MAX = 50 * 1024 * 1024  # every part taken, unpacked
REFERENCE_RATIO_MAX = 200  # unpacked / packed, for parts over 1 MiB
REFERENCE_MEMBERS_MAX = 2000
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SAFE_XML = dict(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def reference_parts(data: bytes, name: str) -> bytes:
    """A user's reference .docx rebuilt with only the parts a reference needs; `BriefgenError` naming
    `name` for a zip bomb, a part too big, an XML part with a DOCTYPE (entities) or a broken zip.

    Sizes are checked as declared in the zip before anything is unpacked, then while unpacking
    (a lying header cannot make it unpack more): no part over `REFERENCE_MEMBER_MAX`, no more than
    `REFERENCE_TOTAL_MAX` in all, no part over 1 MiB packed more than `REFERENCE_RATIO_MAX` to one.
    Relationships to parts left out, and external ones other than hyperlinks, are dropped."""
    def refuse(why: str) -> BriefgenError:
        return BriefgenError(f"{name}: not a usable Word reference document ({why})")

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise refuse(f"not a zip file: {exc}") from None
    if len(members) > REFERENCE_MEMBERS_MAX:
        raise refuse(f"{len(members):,} parts; a reference may have at most {REFERENCE_MEMBERS_MAX:,}")
    total = 0
    for info in members:
        if info.file_size > REFERENCE_MEMBER_MAX:
            raise refuse(f"part '{info.filename}' unpacks to {info.file_size:,} bytes; "
                         f"the limit is {REFERENCE_MEMBER_MAX:,}")
        if info.file_size > 1024 * 1024 and info.file_size > REFERENCE_RATIO_MAX * max(info.compress_size, 1):
            raise refuse(f"part '{info.filename}' is packed {info.file_size // max(info.compress_size, 1):,} to one; "
                         "a zip bomb?")
        total += info.file_size
    if total > REFERENCE_TOTAL_MAX:
        raise refuse(f"its parts unpack to {total:,} bytes; the limit is {REFERENCE_TOTAL_MAX:,}")

    def unpack(info: zipfile.ZipInfo) -> bytes:
        chunks, size = [], 0
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(64 * 1024):
                    size += len(chunk)
                    if size > info.file_size or size > REFERENCE_MEMBER_MAX:
                        raise refuse(f"part '{info.filename}' unpacks to more than it declares")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError,
                OSError, ValueError) as exc:
            raise refuse(f"part '{info.filename}' cannot be unpacked: {exc}") from None
        return b"".join(chunks)

    by_name = {info.filename: info for info in members}
    kept = {n for n in by_name if _REFERENCE_PARTS.fullmatch(n)}
    parts: dict[str, bytes] = {}
    for part_name in sorted(kept):
        content = unpack(by_name[part_name])
        if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
            raise refuse(f"part '{part_name}' declares a DOCTYPE or entities, which Word never writes")
        parts[part_name] = content
    # pictures a header or footer shows come along; nothing else does
    for part_name in [n for n in parts if re.fullmatch(r"word/_rels/(header|footer)\d+\.xml\.rels", n)]:
        for rel in _relationships(parts[part_name], name, part_name):
            target = _rel_target(part_name, rel.get("Target", ""))
            if rel.get("TargetMode") != "External" and _HEADER_MEDIA.fullmatch(target) and target in by_name \
                    and target not in parts:
                parts[target] = unpack(by_name[target])
    for part_name in [n for n in parts if n.endswith(".rels")]:
        root = _relationships(parts[part_name], name, part_name)
        for rel in list(root):
            external = rel.get("TargetMode") == "External"
            if (external and not rel.get("Type", "").endswith("/hyperlink")) or \
                    (not external and _rel_target(part_name, rel.get("Target", "")) not in parts):
                root.remove(rel)
        parts[part_name] = lxml.etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if sum(len(c) for c in parts.values()) > REFERENCE_TOTAL_MAX:
        raise refuse(f"its parts unpack to more than {REFERENCE_TOTAL_MAX:,} bytes")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rebuilt:
        for part_name in sorted(parts, key=lambda n: (n != "[Content_Types].xml", n)):
            rebuilt.writestr(part_name, parts[part_name])
    return out.getvalue()


def _relationships(content: bytes, name: str, part_name: str):
    try:
        root = lxml.etree.fromstring(content, lxml.etree.XMLParser(**_SAFE_XML))
    except lxml.etree.XMLSyntaxError as exc:
        raise BriefgenError(f"{name}: not a usable Word reference document (part '{part_name}': {exc})") from None
    if root.tag != f"{{{_RELS_NS}}}Relationships":
        raise BriefgenError(f"{name}: not a usable Word reference document (part '{part_name}' is not relationships)")
    return root


def _rel_target(rels_name: str, target: str) -> str:
    """The part a relationship in `rels_name` points at, as a zip member name."""
    import posixpath

    if target.startswith("/"):
        return target.lstrip("/")
    source_dir = posixpath.dirname(posixpath.dirname(rels_name))  # word/_rels/x.rels → word
    return posixpath.normpath(posixpath.join(source_dir, target)).lstrip("/")


# ---------------------------------------------------------------- reference document

# The type scale of templates/briefing.css, which the reference document's styles follow so Word lays a
# briefing out as the PDF is laid out (same face, sizes, line heights and gaps; tests/test_parity.py checks
# the outcome in LibreOffice). Sizes in points; line heights as CSS's, in ems.
FONT = "Arial"      # Liberation Sans stands in for it, metric for metric, where Arial is absent
BODY_SIZE, BODY_LINE = 11, 1.35          # html { font-size: 11pt; line-height: 1.35 }
TABLE_SIZE, TABLE_LINE = 10, 1.3         # table { font-size: 10pt; line-height: 1.3 }
TABLE_BORDER = 0.6                       # th, td { border: 0.6pt solid }
NOTE_SIZE = 9.5                          # .note, figcaption, ol.sources li
TABLE_NOTE_SIZE = 9                      # td .note
TITLE_SIZE, TITLE_LINE = 22, 1.15        # .doc-title
SUBTITLE_SIZE = 13                       # .subtitle
H2_SIZE, H3_SIZE, HEADING_LINE = 15, 12.5, 1.2   # h2, h3 { line-height: 1.2 }
MARGIN_BOX_SIZE = 9                      # @page margin boxes: marking and page numbers
CITATION_SIZE, CITATION_RAISE = 7.5, 2   # sup.cite { font-size: 7.5pt }, raised 2pt (kept within a line)
CITATION_PADDING = round(CITATION_SIZE * 0.2 * 20)  # sup.cite a { padding: 0 0.1em }, in twentieths of a point
PAGE_MARGINS_MM = (22, 20, 22, 20)       # @page { margin: top right bottom left }
# One line of Arial (and Liberation Sans) at "single" spacing in Word and LibreOffice, in ems: ascent,
# descent and line gap from the font's hhea table, (1854 + 434 + 67) / 2048. A CSS line height of
# 1.35em is Word's "multiple" 1.35 / 1.1499.
ARIAL_SINGLE_LINE = 1.1499


def word_line_spacing(css_line_height: float) -> float:
    """Word's "multiple" line spacing that gives CSS's `line-height` (in ems) in Arial, to Word's 1/240 of a line."""
    return round(css_line_height / ARIAL_SINGLE_LINE * 240) / 240


def make_reference_docx(path: Path) -> None:
    """Write the reference document (styles, page set-up) that `write_docx` starts from.

    Generated from python-docx's default template so it can be rebuilt at any
    time: `python -c "from pathlib import Path; from briefgen.backends.docx import
    make_reference_docx; make_reference_docx(Path('templates/reference.docx'))"`.
    Edit it in Word to restyle every briefing; keep the style names.
    """
    write_atomically(Path(path), _reference_bytes())


@functools.lru_cache(maxsize=1)
def _reference_bytes() -> bytes:
    """The reference document: page set-up and every style the backend uses, after briefing.css.

    Word, like CSS, leaves the larger of one paragraph's space after and the
    next one's space before between them (LibreOffice does the same with
    .docx files), so spaces before and after here are CSS's margins as they are.
    """
    document = Document()
    package = document.part.package
    # The template's preview picture shows python-docx's blank page, and stylesWithEffects
    # duplicates styles.xml for Word 2010; neither belongs in our output.
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[r_id]
    for r_id, rel in list(document.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            del document.part.rels[r_id]
    document.element.body.clear_content()

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    top, right, bottom, left = (Mm(v) for v in PAGE_MARGINS_MM)
    section.top_margin, section.right_margin, section.bottom_margin, section.left_margin = top, right, bottom, left
    # WeasyPrint centres the marking and page numbers in the top and bottom margins; Word measures the
    # header from the page's top edge and the footer from its bottom edge.
    section.header_distance = section.footer_distance = Mm(9)
    text_width = section.page_width - section.left_margin - section.right_margin

    ox.set_document_defaults(document, FONT, Pt(BODY_SIZE), "en-GB")
    ox.set_theme_fonts(document, FONT)  # what Word offers as "+Body" and "+Headings", and new styles use
    styles = document.styles
    for style in styles:  # Word's other built-in styles (Heading 4, table looks, ...): Arial too
        fonts = style.element.find(".//" + qn("w:rFonts"))
        if fonts is not None and fonts.get(qn("w:asciiTheme")) is not None:
            ox.set_font(style, FONT)
    P, C, T = WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE
    body_after = BODY_SIZE * 0.5  # p { margin: 0 0 0.5em }

    def get(name, kind=P, base="Normal"):
        try:
            style = styles[name]
        except KeyError:
            style = styles.add_style(name, kind)
        if base and name != base:
            style.base_style = styles[base]
        style.hidden = False
        style.unhide_when_used = False
        style.quick_style = kind != T
        return style

    def para(name, size=BODY_SIZE, line=BODY_LINE, bold=False, italic=False, color=None, before=0.0,
             after=0.0, keep_next=False, align=None, base="Normal"):
        """A paragraph style set afresh: font, size, colour, CSS's line height and margins."""
        style = get(name, P, base)
        ox.clear_formatting(style, keep=("w:numPr",) if name.startswith(("List", "Small List")) else ())
        ox.set_font(style, FONT)
        f = style.font
        f.size = Pt(size)
        f.bold = bold
        f.italic = italic
        f.color.rgb = color or TEXT
        pf = style.paragraph_format
        pf.space_before = Pt(before)
        pf.space_after = Pt(after)
        pf.line_spacing = word_line_spacing(line) if line else 1.0
        pf.keep_with_next = keep_next
        pf.widow_control = True  # p { orphans: 2; widows: 2 }
        if align is not None:
            pf.alignment = align
        return style

    para("Normal", after=body_after, base=None)
    para("Title", size=TITLE_SIZE, line=TITLE_LINE, bold=True, color=ACCENT, after=TITLE_SIZE * 0.2)
    para("Subtitle", size=SUBTITLE_SIZE)
    para("Meta", color=GREY, before=BODY_SIZE * 0.3)
    marking = para("Marking", bold=True, after=BODY_SIZE * 0.8, align=WD_ALIGN_PARAGRAPH.CENTER)
    ox.set_letter_spacing(marking, round(BODY_SIZE * 0.08 * 20))  # letter-spacing: 0.08em
    for name, size, color, top, below, level in (("Heading 1", H2_SIZE, ACCENT, 1.1, 0.4, 0),
                                                  ("Heading 2", H3_SIZE, TEXT, 0.9, 0.3, 1),
                                                  ("Heading 3", BODY_SIZE, TEXT, 1.33, 1.33, 2)):
        heading = para(name, size=size, line=HEADING_LINE if level < 2 else BODY_LINE, bold=True, color=color,
                       before=size * top, after=size * below, keep_next=True)
        heading.paragraph_format.keep_together = True
        ox.set_outline_level(heading, level)
    # The contents title is <p class="toc-title"><strong>: bold body text, not a heading.
    para("TOC Heading", bold=True, after=body_after)
    for level, indent in ((1, 0.0), (2, BODY_SIZE * 1.2)):  # nav.toc li.level-2 { padding-left: 1.2em }
        toc = para(f"toc {level}", after=BODY_SIZE * 0.15)  # nav.toc li { margin: 0.15em 0 }
        toc.paragraph_format.left_indent = Pt(indent)
        toc.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    para("Note", size=NOTE_SIZE, color=GREY, after=NOTE_SIZE * 0.5)
    para("Table Note", size=TABLE_NOTE_SIZE, line=TABLE_LINE, color=GREY)
    para("Lead", bold=True, after=body_after)
    callout = para("Callout", after=body_after)  # .as-of { border-left: 3px solid; padding-left: 0.6em }
    ox.set_paragraph_border(callout, "left", 18, BODY_SIZE * 0.6, str(ACCENT))
    callout.paragraph_format.left_indent = Pt(2.25 + BODY_SIZE * 0.6)
    para("Caption", size=NOTE_SIZE, color=GREY, after=BODY_SIZE)  # figcaption, then figure's 1em below
    para("Table Caption", size=TABLE_SIZE, line=TABLE_LINE, bold=True, after=TABLE_SIZE * 0.3, keep_next=True,
         base="Caption")
    para("Figure", line=None, before=BODY_SIZE * 0.6, keep_next=True)  # figure.chart { margin-top: 0.6em }
    para("Table Text", size=TABLE_SIZE, line=TABLE_LINE)
    para("Table Heading", size=TABLE_SIZE, line=TABLE_LINE, bold=True, base="Table Text")
    indent = BODY_SIZE * 1.4  # ul, ol { padding-left: 1.4em }
    marker_gap = 3  # a list marker ends a space (about 3pt) before the item's text, as in the PDF
    for depth in (1, 2, 3):
        suffix = "" if depth == 1 else f" {depth}"
        for kind in ("List Bullet", "List Number"):
            style = para(kind + suffix, after=BODY_SIZE * 0.3)  # li { margin-bottom: 0.3em }
            ox.set_list_indent(document, ox.style_num_id(style), int(indent * depth * 20), marker_gap * 20,
                               align="right")
        para("List Continue" + suffix, after=BODY_SIZE * 0.3).paragraph_format.left_indent = Pt(indent * depth)
    # ol.sources li, ol.notes li { font-size: 9.5pt }: numbers and text both note-sized.
    para("Small List Bullet", size=NOTE_SIZE, after=NOTE_SIZE * 0.3, base="List Bullet")
    para("Small List Number", size=NOTE_SIZE, after=NOTE_SIZE * 0.3, base="List Number")
    para("Small List Continue", size=NOTE_SIZE, after=NOTE_SIZE * 0.3, base="List Continue"
         ).paragraph_format.left_indent = Pt(indent)
    para("Header", size=MARGIN_BOX_SIZE, line=None, align=WD_ALIGN_PARAGRAPH.CENTER)
    para("Footer", size=MARGIN_BOX_SIZE, line=None, color=GREY)  # @bottom-right { color: #444 }

    def char(name, size=None, color=None, underline=None, mono=False):
        style = get(name, C, None)
        ox.clear_formatting(style)
        if mono:
            ox.set_font(style, "Courier New")
        if size is not None:
            style.font.size = Pt(size)
        if color is not None:
            style.font.color.rgb = color
        if underline is not None:
            style.font.underline = underline
        return style

    char("Hyperlink", color=ACCENT, underline=True)
    # sup.cite { font-size: 7.5pt } and its links { text-decoration: none }: raised by hand, so the numbers
    # are 7.5pt in every reader (the writer adds the links' padding, see _emit).
    citation = char("Citation", size=CITATION_SIZE, color=ACCENT, underline=False)
    ox.set_raise(citation, CITATION_RAISE)
    char("HTML Code", size=10, mono=True)
    char("Small Text", size=NOTE_SIZE)
    char("Note Text", size=NOTE_SIZE, color=GREY)

    table = get("Briefing Table", T, "Table Grid")
    ox.clear_formatting(table)
    table.font.size = Pt(TABLE_SIZE)
    table.paragraph_format.space_after = Pt(0)
    # th, td { border: 0.6pt solid #9aa7b8; padding: 0.3em 0.45em } at the table's 10pt
    ox.set_table_borders(table, round(TABLE_BORDER * 8), "9AA7B8")
    # Across, the padding and half the collapsed 0.6pt border, as a cell's text in the PDF is inset by both;
    # down, the padding alone (Word and LibreOffice add the borders to a row's height, as the PDF does).
    side = round((TABLE_SIZE * 0.45 + TABLE_BORDER / 2) * 20)
    ox.set_cell_margins(table, top=int(TABLE_SIZE * 0.3 * 20), left=side, bottom=int(TABLE_SIZE * 0.3 * 20),
                        right=side)
    # Word 2013's layout (compatibility mode 15), as new Word documents have: among other things a table's
    # border, not its text, lines up with the margin, as in the PDF.
    ox.set_compatibility_mode(document, 15)

    buffer = io.BytesIO()
    document.save(buffer)
    return _normalise_zip(buffer.getvalue(), (1980, 1, 1, 0, 0, 0))
