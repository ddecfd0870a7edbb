"""The walk's vocabulary: which HTML the Word writer takes, and the small types it passes down the tree.

In: nothing at import; the types are filled by the writer as it walks the
page. Out: the supported HTML subset (which tags are containers, blocks,
inline content or table parts, and which classes pick which Word style), the
character formatting in force for a stretch of text (`Fmt`), the inline
content gathered for one paragraph with browser whitespace rules
(`InlineBuffer`), the context a block is written in (`Ctx`: where paragraphs
go and which style bare text gets), and the sinks that put paragraphs and
tables into the document body or a table cell.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import NamedTuple, TypeAlias

from docx.document import Document as DocumentObject
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree

HtmlElement: TypeAlias = etree._Element  # an element of the rendered page, as lxml.html parses it

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
# Classes that start a new page when the page has no stylesheet; with one, its break rules decide (see docx_css).
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

WHITESPACE = re.compile(r"[ \t\n\r\f]+")


# ---------------------------------------------------------------- formatting and inline content

class Fmt(NamedTuple):
    """Character formatting in force for a stretch of text."""
    bold: bool = False
    italic: bool = False
    vert: str = ""           # "sup" or "sub"
    char: str | None = None  # a character style name
    color: str | None = None  # "RRGGBB", from the page's CSS
    link: tuple[str, int] | None = None  # (href, serial number of the <a>) so adjacent links stay apart


PLAIN = Fmt()


@dataclass(slots=True)
class Text:
    """Text with one formatting; whitespace collapses once the paragraph is complete (InlineBuffer.take)."""
    text: str
    fmt: Fmt


@dataclass(frozen=True, slots=True)
class LineBreak:
    """A <br>."""
    fmt: Fmt


@dataclass(frozen=True, slots=True)
class Picture:
    """An image: its PNG (or other raster), alt text, and the SVG it stands in for, if any."""
    data: bytes
    alt: str
    svg: bytes | None
    fmt: Fmt


Piece: TypeAlias = Text | LineBreak | Picture


class InlineBuffer:
    """Inline content gathered for one paragraph: text, line breaks and pictures, with formatting."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[Piece] = []

    def take(self) -> list[Piece]:
        """The gathered items with whitespace collapsed as a browser does, then emptied.

        Runs of spaces, tabs and newlines become one space, also across element
        boundaries; none survives at the start or end of the paragraph or
        around a line break. Neighbouring text with equal formatting is merged
        so the paragraph gets as few runs as possible.
        """
        out: list[Piece] = []
        space_before = True
        for item in self.items:
            if isinstance(item, Text):
                text = WHITESPACE.sub(" ", item.text)
                if space_before and text.startswith(" "):
                    text = text[1:]
                if not text:
                    continue
                space_before = text.endswith(" ")
                last = out[-1] if out else None
                if isinstance(last, Text) and last.fmt == item.fmt:
                    last.text += text
                else:
                    out.append(Text(text, item.fmt))
            else:
                if isinstance(item, LineBreak):
                    _strip_trailing(out)
                    space_before = True
                else:
                    space_before = False
                out.append(item)
        _strip_trailing(out)
        self.items = []
        return out


def _strip_trailing(items: list[Piece]) -> None:
    last = items[-1] if items else None
    if isinstance(last, Text) and last.text.endswith(" "):
        last.text = last.text[:-1]
        if not last.text:
            items.pop()


# ---------------------------------------------------------------- where paragraphs go, in which style

class ListItem:
    """Paragraph styles for one <li>: the first paragraph carries the bullet or number, later ones continue it."""

    __slots__ = ("continue_style", "count", "num_id", "style")

    def __init__(self, style: ParagraphStyle | None, continue_style: ParagraphStyle | None,
                 num_id: int | None) -> None:
        self.style = style
        self.continue_style = continue_style
        self.num_id = num_id
        self.count = 0


class KeepWithNext(str):
    """A style name whose paragraphs stay on the page of what follows (captions above tables)."""


# What a new paragraph's style is given as: a style name, a list item's styles, or a resolved style (None: the
# reference lacks it, so the default).
StyleSpec: TypeAlias = str | ListItem | ParagraphStyle | None


class BodySink:
    """Adds block items to the document body, just before its final w:sectPr.

    python-docx's own add_paragraph/add_table look the w:sectPr up again on
    every call by scanning all body children, which makes a long document
    quadratic; holding the element once keeps each insertion constant-time.
    """

    def __init__(self, document: DocumentObject) -> None:
        self.parent = document._body
        body = document.element.body
        self._body = body
        self._sect_pr = body.sectPr

    def _insert(self, element: etree._Element) -> None:
        if self._sect_pr is not None:
            self._sect_pr.addprevious(element)
        else:
            self._body.append(element)

    def paragraph(self, prototype: CT_P) -> Paragraph:
        """A copy of the w:p `prototype`, added at the end of the body."""
        p = copy.deepcopy(prototype)
        self._insert(p)
        return Paragraph(p, self.parent)

    def table(self, tbl: CT_Tbl) -> Table:
        self._insert(tbl)
        return Table(tbl, self.parent)


class CellSink:
    """Adds paragraphs to a table cell; the first reuses the empty paragraph every cell must have."""

    def __init__(self, cell: _Cell) -> None:
        self.parent = cell
        self.unused: CT_P | None = cell._tc.p_lst[0] if cell._tc.p_lst else None

    def paragraph(self, prototype: CT_P) -> Paragraph:
        """A copy of the w:p `prototype`, added at the end of the cell."""
        p = copy.deepcopy(prototype)
        if self.unused is not None:
            self.unused.addnext(p)  # the cell's own empty paragraph gives way to the new one
            self.parent._tc.remove(self.unused)
            self.unused = None
        else:
            self.parent._tc.append(p)
        return Paragraph(p, self.parent)


@dataclass(frozen=True)
class Ctx:
    """Where paragraphs go and which style bare text and plain <p> get there."""
    sink: BodySink | CellSink
    text_style: str | ListItem  # a style name (perhaps KeepWithNext), or a ListItem inside a list item
    in_table: bool = False
    list_depth: int = 0
    fmt: Fmt = PLAIN  # character formatting for bare text (a <ul class="note"> makes it note-sized)
