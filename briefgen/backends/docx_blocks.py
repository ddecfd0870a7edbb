"""The HTML walker for Word: the page's <head> and <body> in, the document body's paragraphs and tables out.

In: the parsed page (lxml.html) and a python-docx Document with its body
emptied. Out: the body filled in document order: each block element (p,
headings, containers, figures, lists, tables, the contents nav) becomes
paragraphs in Word styles, with the page's CSS deciding page breaks, borders
and margins; inline content between blocks is gathered into paragraphs.
Anything outside the supported subset is a `BriefgenError` naming the
template line. `Writer` is the whole writer: the block walk here, with
inline runs (docx_inline), tables (docx_tables) and lists (docx_lists) mixed
in over the shared core (docx_writer).
"""

from __future__ import annotations

from dataclasses import replace

from docx.shared import Emu, Pt
from docx.text.paragraph import Paragraph

from . import docx_oxml as ox
from .docx_css import Look
from .docx_inline import InlineWriter
from .docx_lists import ListWriter
from .docx_measures import TABLE_GAP
from .docx_tables import TableWriter
from .docx_walk import (
    CONTAINERS,
    HEAD_TAGS,
    HEADINGS,
    INLINE,
    PARAGRAPH_CLASSES,
    SILENT,
    TABLE_PARTS,
    BodySink,
    Ctx,
    HtmlElement,
    InlineBuffer,
    ListItem,
)
from .docx_writer import style_space


class Writer(TableWriter, ListWriter, InlineWriter):
    """One document's walk: HTML elements in, paragraphs and tables appended to `document`'s body.

    Construct with the document and a `WriterInput`; then `check_head` and
    `write_body`.
    """

    def check_head(self, head: HtmlElement) -> None:
        """<head> gives no content, but a script there is as unconvertible as one in the body."""
        for el in head:
            if isinstance(el.tag, str) and el.tag not in HEAD_TAGS:
                raise self.unsupported(el, "in <head>")

    def write_body(self, body: HtmlElement) -> None:
        self._collect_link_targets(body)
        self._blocks(body, Ctx(BodySink(self.document), "Normal"))
        if self._pending_bookmarks:
            # An id on the very last, empty element: give its bookmark a paragraph to live in.
            self._new_paragraph(Ctx(BodySink(self.document), "Normal"), "Normal")

    def _blocks(self, el: HtmlElement, ctx: Ctx) -> None:
        """Walk `el`'s children as a flow: inline content gathers into paragraphs between block children."""
        buf = InlineBuffer()
        fmt = ctx.fmt
        self._text(buf, el.text, fmt, el)
        for child in el:
            tag: object = child.tag  # a str, or for a comment or processing instruction a function
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

    def _flush(self, buf: InlineBuffer, ctx: Ctx, style_spec: str | ListItem) -> None:
        """Turn the gathered inline content into one paragraph (none if it is only whitespace)."""
        items = buf.take() if buf.items else []
        if items:
            para = self._new_paragraph(ctx, style_spec)
            self._emit(para, items)
            ox.close_bookmarks_at_end(para)  # a heading's bookmark spans its text, as Word's own do

    def _block(self, el: HtmlElement, ctx: Ctx) -> None:
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

    def _block_content(self, el: HtmlElement, ctx: Ctx, classes: list[str]) -> None:
        tag = el.tag
        if tag == "p":
            style = ctx.text_style
            if not isinstance(style, ListItem):
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
            if not isinstance(ctx.sink, BodySink):  # a cell's: Word output has no tables inside tables
                raise self.unsupported(el, "inside a table cell")
            self._table(el, ctx, ctx.sink)
        elif tag == "figure":
            self._blocks(el, replace(ctx, text_style="Figure"))
        elif tag == "figcaption":
            self._blocks(el, replace(ctx, text_style="Caption"))
        elif tag in TABLE_PARTS:
            raise self.unsupported(el, "outside a table or list" if tag != "li" else "outside <ul> or <ol>")
        else:
            raise self.unsupported(el)

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
                inside = style_space(top.style, "space_before") if top.paragraph_format.space_before is None \
                    else top.paragraph_format.space_before
                ox.set_paragraph_border(top, "top", width, padding + Emu(inside).pt, color)
                top.paragraph_format.space_before = Pt(look.margin_top or 0)
            elif side == "bottom":
                inside = style_space(bottom.style, "space_after") if bottom.paragraph_format.space_after is None \
                    else bottom.paragraph_format.space_after
                ox.set_paragraph_border(bottom, "bottom", width, padding + Emu(inside).pt, color)
                bottom.paragraph_format.space_after = Pt(look.margin_bottom or 0)
            else:
                for para in paragraphs:
                    ox.set_paragraph_border(para, "left", width, padding, color)
                    para.paragraph_format.left_indent = Pt(width / 8 + padding)
        sides = {side for side, *_ in look.borders}
        if look.margin_top is not None and "top" not in sides and (
                own or look.margin_top > Emu(style_space(top.style, "space_before")).pt):
            before = Pt(look.margin_top)
            if top._p in self._after_table_paragraphs:
                before = max(before, TABLE_GAP)  # the table's margin above collapses with this one
            top.paragraph_format.space_before = before
        if look.margin_bottom is not None and "bottom" not in sides and (
                own or look.margin_bottom > Emu(style_space(bottom.style, "space_after")).pt):
            bottom.paragraph_format.space_after = Pt(look.margin_bottom)
