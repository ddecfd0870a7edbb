"""The Word writer's shared core: one document's state and the services every part of the walk uses.

In: a python-docx Document (its body emptied, its styles from the reference)
and `WriterInput` (the template name, PNG assets, the PDF's page numbers and
column widths, the page's stylesheet, the template chain). Out: `WriterBase`,
which the walk's mixins extend and docx_blocks.Writer completes: errors that
name the template line an element came from, styles resolved once by name
(with fallbacks), paragraph prototypes, bookmarks for link targets, pending
page breaks, and `_new_paragraph`, through which every body and cell
paragraph is made.

The mixins, each owning its part of the HTML: docx_inline.InlineWriter (runs,
links, pictures), docx_tables.TableWriter (tables), docx_lists.ListWriter
(lists and the contents list); docx_blocks.Writer walks the blocks and
dispatches to them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import cast

from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.text.paragraph import CT_P
from docx.shared import Length
from docx.styles.style import BaseStyle, ParagraphStyle
from docx.text.paragraph import Paragraph

from ..errors import BriefgenError
from . import docx_oxml as ox
from . import docx_oxml_styles as oxs
from .docx_css import NO_LOOK, Look, StyleSheet
from .docx_measures import TABLE_GAP, section_text_width
from .docx_walk import PAGE_BREAK_CLASSES, SUPPORTED, Ctx, Fmt, HtmlElement, KeepWithNext, ListItem, StyleSpec

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


@dataclass(frozen=True)
class WriterInput:
    """What one document's walk works from besides the document itself (see docx.docx_bytes)."""
    template_name: str
    assets: dict[str, bytes]                  # PNGs standing in for SVG images, by data-asset name
    page_numbers: dict[str, int]              # element id → its page in the PDF, for the contents list
    column_widths: list[list[float]]          # each <table>'s column widths in the PDF, in points
    css: StyleSheet | None                    # the page's own stylesheet, if it has one
    chain: list[tuple[str, list[str]]]        # the templates that wrote the HTML, to point at their lines


class WriterBase:
    """The walk's shared core: what every part of it (blocks, inline, tables, lists) reads and updates.

    Holds what must be decided once per document (style ids, paragraph
    prototypes, bookmark names) and the state carried from one element to the
    next (a pending page break, bookmarks waiting for their paragraph, whether
    a table came last). The mixins add their own state in their __init__.
    """

    def __init__(self, document: DocumentObject, source: WriterInput) -> None:
        self.document = document
        self.template_name = source.template_name
        self.css = source.css
        self.chain = source.chain
        self.text_width: Length = section_text_width(document.sections[-1])
        self._styles: dict[tuple[str, WD_STYLE_TYPE], BaseStyle | None] = {}
        self._style_ids: dict[tuple[str, WD_STYLE_TYPE], str | None] = {}
        self._default_paragraph_style = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        self._paragraph_prototypes: dict[str | None, CT_P] = {}
        self._page_break = False
        self._after_table = False  # the last body block was a table: the next paragraph keeps its distance
        self._body_paragraphs: list[Paragraph] = []  # in order, for CSS borders and margins of blocks
        self._after_table_paragraphs: set[CT_P] = set()  # w:p elements that carry a table's bottom margin
        self._bookmarks: dict[str, str] = {}  # HTML id → Word bookmark name, for ids that links point at
        self._pending_bookmarks: list[str] = []
        self._placed_bookmarks: set[str] = set()
        self._bookmark_id = 0

    def _blocks(self, el: HtmlElement, ctx: Ctx) -> None:
        """Walk `el`'s children as a flow; docx_blocks.Writer's, which table cells and list items use too."""
        raise NotImplementedError

    # ------------------------------------------------------------ errors

    def error(self, message: str) -> BriefgenError:
        return BriefgenError(f"{self.template_name}: {message}")

    def where(self, el: HtmlElement) -> str:
        """Where the element came from: its template file and line when a template writes that tag, else the
        line of the rendered HTML (which the audience template produced)."""
        from ..render import locate_markup

        found = locate_markup(self.chain, el.tag, el.get("class") or "") if self.chain else None
        if found is None:
            return f"line {el.sourceline}"
        file, line = found.rsplit(":", 1)
        return f"line {line}" if file == self.template_name else found  # "(line 3)" of the file named first

    def unsupported(self, el: HtmlElement, where: str = "") -> BriefgenError:
        place = f" {where}" if where else ""
        return self.error(f"<{el.tag}>{place} is not supported in Word output ({self.where(el)}); "
                          f"supported: {SUPPORTED}")

    def _no_stray_text(self, text: str | None, el: HtmlElement) -> None:
        if text and text.strip():
            raise self.error(f"text {text.strip()[:30]!r} directly inside <{el.tag}> ({self.where(el)}) "
                             "is not supported in Word output; put it in a cell or list item")

    # ------------------------------------------------------------ styles

    def style(self, name: str, kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH) -> BaseStyle | None:
        """The style called `name` (or its fallback), resolved once per document and cached.

        Looking a style up by name scans every style in styles.xml; doing that
        per paragraph is what makes naive python-docx output slow.
        """
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

    def paragraph_style(self, name: str) -> ParagraphStyle | None:
        """The paragraph style called `name` (or its fallback), as `style`."""
        return cast(ParagraphStyle | None, self.style(name))  # a style of paragraph type is a ParagraphStyle

    def style_id(self, name: str, kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH) -> str | None:
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

    def _id_of(self, style: ParagraphStyle | None) -> str | None:
        """Style id of a style object (list styles are resolved as objects to read their numbering)."""
        if style is None or style == self._default_paragraph_style:
            return None
        return style.style_id

    def _look(self, el: HtmlElement, fmt: Fmt) -> tuple[Look, Fmt]:
        """What the page's CSS says about `el`, and `fmt` with its bold, italic and colour applied."""
        if self.css is None:
            classes = (el.get("class") or "").split()
            breaks = bool(classes) and not PAGE_BREAK_CLASSES.isdisjoint(classes)
            return (Look(break_before=True) if breaks else NO_LOOK), fmt
        look = self.css.look(el)
        if look.bold is not None:
            fmt = fmt._replace(bold=look.bold)
        if look.italic is not None:
            fmt = fmt._replace(italic=look.italic)
        if look.color is not None:
            fmt = fmt._replace(color=look.color)
        return look, fmt

    # ------------------------------------------------------------ paragraphs

    def _new_paragraph(self, ctx: Ctx, style_spec: StyleSpec, keep_with_next: bool = False) -> Paragraph:
        """A paragraph in `ctx`'s sink with its style, page break, numbering and bookmarks.

        Paragraph properties are all set here, before any run: python-docx
        appends a late w:pPr after existing children, which Word rejects.
        """
        num_id = None
        spec: str | ParagraphStyle | None
        if isinstance(style_spec, ListItem):
            item = style_spec
            if item.count == 0:
                spec, num_id = item.style, item.num_id
            else:
                spec = item.continue_style
            item.count += 1
        else:
            spec = style_spec
            if isinstance(spec, KeepWithNext):
                keep_with_next = True
        style_id = self.style_id(spec) if isinstance(spec, str) else self._id_of(spec)
        para = ctx.sink.paragraph(self._paragraph_prototype(style_id))
        if self._page_break:
            para.paragraph_format.page_break_before = True
            self._page_break = False
        if keep_with_next:
            para.paragraph_format.keep_with_next = True
        if num_id is not None:
            oxs.set_num(para, num_id)
        if self._after_table and not ctx.in_table:
            self._after_table = False
            style = self.paragraph_style(spec) if isinstance(spec, str) else spec
            para.paragraph_format.space_before = self._gap_after_table(style)
            self._after_table_paragraphs.add(para._p)
        if self._pending_bookmarks:
            para._p.get_or_add_pPr()  # pPr first, then the bookmarks, then runs
            self._add_pending_bookmarks(para)
        if not ctx.in_table:
            self._body_paragraphs.append(para)
        return para

    @staticmethod
    def _gap_after_table(style: ParagraphStyle | None) -> int:
        """Space before a paragraph that follows a table, as CSS's collapsing margins would leave it.

        Word has no space after a table, so the next paragraph carries it: the
        larger of the table's bottom margin and the paragraph's own top margin.
        """
        return max(style_space(style, "space_before"), TABLE_GAP)

    def _paragraph_prototype(self, style_id: str | None) -> CT_P:
        """An empty w:p with style `style_id`, made once through python-docx and copied per paragraph."""
        proto = self._paragraph_prototypes.get(style_id)
        if proto is None:
            proto = cast(CT_P, OxmlElement("w:p"))
            if style_id is not None:
                proto.style = style_id
            self._paragraph_prototypes[style_id] = proto
        return proto

    def _adopt_pending(self, para: Paragraph) -> None:
        """Give an existing paragraph (an empty cell's) the pending page break and bookmarks."""
        if self._page_break:
            para.paragraph_format.page_break_before = True
            self._page_break = False
        if self._pending_bookmarks:
            para._p.get_or_add_pPr()
            self._add_pending_bookmarks(para)

    # ------------------------------------------------------------ bookmarks

    def _collect_link_targets(self, body: HtmlElement) -> None:
        """Word bookmark names for every id an internal link points at, decided before the walk.

        Links can point forward (citations to the source list), so names are
        fixed up front. Word wants letters, digits and underscores, at most 40
        characters, starting with a letter.
        """
        hrefs = (a.get("href") or "" for a in body.iter("a"))
        targets = sorted({href[1:] for href in hrefs if href.startswith("#")} - {""})
        used: set[str] = set()
        for target in targets:
            name = re.sub(r"[^A-Za-z0-9_]", "_", target)
            if not name[0].isalpha():
                name = "id_" + name
            if len(name) > 40 or name in used:
                name = name[:31] + "_" + hashlib.sha1(target.encode("utf-8")).hexdigest()[:8]
            used.add(name)
            self._bookmarks[target] = name

    def _note_element(self, el: HtmlElement) -> None:
        """Remember an id that links point at; the next paragraph made gets its bookmark."""
        if self._bookmarks:
            ident = el.get("id")
            if ident and ident in self._bookmarks:
                self._pending_bookmarks.append(self._bookmarks[ident])

    def _add_pending_bookmarks(self, para: Paragraph) -> None:
        for name in self._pending_bookmarks:
            if name not in self._placed_bookmarks:  # an id used twice in the HTML: the first one wins
                self._placed_bookmarks.add(name)
                self._bookmark_id += 1
                ox.add_bookmark(para, name, self._bookmark_id)
        self._pending_bookmarks = []


def style_space(style: ParagraphStyle | None, attribute: str) -> int:
    """A paragraph style's space before or after in EMU, following its base styles (0 if none says)."""
    while style is not None:
        value: int | None = getattr(style.paragraph_format, attribute)
        if value is not None:
            return value
        style = style.base_style
    return 0
