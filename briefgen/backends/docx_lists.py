"""HTML lists and the contents list into Word: <ul>/<ol> and <nav class="toc"> in, numbered paragraphs out.

In: <ul> and <ol> elements (nested up to three deep, with start= and
note-sized classes), and the <nav class="toc"> whose links point at headings,
with the pages the PDF put those headings on. Out: paragraphs in Word's list
styles (bullets, numbers that restart for every <ol>, continuation paragraphs
for an item's later paragraphs), and a contents list that is a real TOC field
whose cached result already shows the page numbers. Part of the Word writer:
`ListWriter` is a mixin of docx_blocks.Writer.
"""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from docx.document import Document as DocumentObject
from docx.shared import Pt
from lxml.html import HtmlMixin

from . import docx_oxml as ox
from . import docx_oxml_styles as oxs
from .docx_measures import LIST_GAP
from .docx_walk import SMALL_LIST_CLASSES, WHITESPACE, Ctx, HtmlElement, ListItem
from .docx_writer import WriterBase, WriterInput

TOC_INSTRUCTION = r'TOC \o "1-2" \h \z \u'


class ListWriter(WriterBase):
    """Writes <ul>, <ol> and the contents list; owns the list numbering and the PDF's page numbers."""

    def __init__(self, document: DocumentObject, source: WriterInput) -> None:
        super().__init__(document, source)
        self.page_numbers = source.page_numbers
        self._numbering = oxs.ListNumbering(document)

    def _list(self, el: HtmlElement, ctx: Ctx) -> None:
        ordered = el.tag == "ol"
        depth = min(ctx.list_depth + 1, 3)
        suffix = "" if depth == 1 else f" {depth}"
        classes = (el.get("class") or "").split()
        small = depth == 1 and not SMALL_LIST_CLASSES.isdisjoint(classes)  # note-sized items, numbers and all
        name = ("List Number" if ordered else "List Bullet") + suffix
        style = self.paragraph_style(("Small " + name) if small else name)
        continue_style = self.paragraph_style(("Small List Continue" if small else "List Continue") + suffix)
        num_id = None
        if ordered and style is not None:
            base = oxs.style_num_id(style)
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
                item = ListItem(style, continue_style, num_id)
                self._blocks(child, replace(ctx, text_style=item, list_depth=depth, fmt=fmt))
                if item.count == 0:
                    self._new_paragraph(ctx, item)  # an empty <li> still shows its bullet
            self._no_stray_text(child.tail, el)
        if depth == 1 and not ctx.in_table and self._body_paragraphs:
            last = self._body_paragraphs[-1].paragraph_format
            if (last.space_after or 0) < LIST_GAP:
                last.space_after = LIST_GAP  # briefing.css: the list's bottom margin, after its last item

    def _toc(self, nav: HtmlElement, ctx: Ctx) -> None:
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
        heading_style = self.paragraph_style("TOC Heading")
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
            text = WHITESPACE.sub(" ", _text_content(a)).strip()
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
            r = ox.new_run()
            link.append(r)
            r.add_t(text)
            if page is not None:
                ox.add_tab(link)
                ox.add_page_ref(link, target, str(page))
            if index == len(entries) - 1:
                ox.end_field(para)
                # briefing.css: nav.toc { margin-bottom: 1em }, below the last entry
                para.paragraph_format.space_after = Pt(11)


def _text_content(el: HtmlElement) -> str:
    """All the text inside `el` (lxml.html's text_content(); its stubs type parsed elements as plain lxml's)."""
    return str(cast(HtmlMixin, el).text_content())
