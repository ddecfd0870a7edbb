"""The reference document's styles: briefing.css's type scale in, templates/reference.docx (its bytes) out.

In: python-docx's default template and the numbers in docx_measures.py. Out:
a .docx with A4 page set-up and every style the Word writer uses (Title,
Heading 1-3, Note, Caption, the list, table and contents styles, Hyperlink,
Citation, ...) set afresh so Word lays a briefing out as WeasyPrint lays out
the PDF: same face, sizes, line heights and gaps (tests/test_parity.py checks
the outcome in LibreOffice). `make_reference_docx` writes it as the shipped
templates/reference.docx; `reference_bytes` is what a build starts from when
the project has no reference of its own.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import cast

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Mm, Pt, RGBColor
from docx.styles.style import BaseStyle, CharacterStyle, ParagraphStyle, _TableStyle

from ..atomic import write_atomically
from . import docx_oxml as ox
from . import docx_oxml_styles as oxs
from .docx_document import saved
from .docx_measures import (
    ACCENT,
    BODY_LINE,
    BODY_SIZE,
    CITATION_RAISE,
    CITATION_SIZE,
    FONT,
    GREY,
    H2_SIZE,
    H3_SIZE,
    HEADING_LINE,
    MARGIN_BOX_SIZE,
    NOTE_SIZE,
    PAGE_MARGINS_MM,
    SUBTITLE_SIZE,
    TABLE_BORDER,
    TABLE_LINE,
    TABLE_NOTE_SIZE,
    TABLE_SIZE,
    TEXT,
    TITLE_LINE,
    TITLE_SIZE,
    section_text_width,
    word_line_spacing,
)

_BODY_AFTER = BODY_SIZE * 0.5  # p { margin: 0 0 0.5em }


def make_reference_docx(path: Path) -> None:
    """Write the reference document (styles, page set-up) that `write_docx` starts from.

    Generated from python-docx's default template so it can be rebuilt at any
    time: `python -c "from pathlib import Path; from briefgen.backends.docx import
    make_reference_docx; make_reference_docx(Path('templates/reference.docx'))"`.
    Edit it in Word to restyle every briefing; keep the style names.
    """
    write_atomically(Path(path), reference_bytes())


@functools.lru_cache(maxsize=1)
def reference_bytes() -> bytes:
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
    text_width = section_text_width(section)  # as Word stores it (in twentieths of a point), read back

    oxs.set_document_defaults(document, FONT, Pt(BODY_SIZE), "en-GB")
    oxs.set_theme_fonts(document, FONT)  # what Word offers as "+Body" and "+Headings", and new styles use
    for style in document.styles:  # Word's other built-in styles (Heading 4, table looks, ...): Arial too
        fonts = style.element.find(".//" + qn("w:rFonts"))
        if fonts is not None and fonts.get(qn("w:asciiTheme")) is not None:
            oxs.set_font(style, FONT)
    make = _StyleMaker(document)
    _paragraph_styles(make, document, text_width)
    _character_styles(make)
    _table_style(make)
    # Word 2013's layout (compatibility mode 15), as new Word documents have: among other things a table's
    # border, not its text, lines up with the margin, as in the PDF.
    oxs.set_compatibility_mode(document, 15)
    return saved(document, (1980, 1, 1, 0, 0, 0))


class _StyleMaker:
    """Sets the reference document's styles afresh, each from briefing.css's numbers."""

    def __init__(self, document: DocumentObject) -> None:
        self.styles = document.styles

    def get(self, name: str, kind: WD_STYLE_TYPE, base: str | None) -> BaseStyle:
        """The style `name` of `kind`, added if missing, based on `base`, shown in Word's style lists."""
        try:
            style: BaseStyle = self.styles[name]
        except KeyError:
            style = self.styles.add_style(name, kind)
        if base and name != base:
            cast(CharacterStyle, style).base_style = self.styles[base]
        style.hidden = False
        style.unhide_when_used = False
        style.quick_style = kind != WD_STYLE_TYPE.TABLE
        return style

    def para(self, name: str, size: float = BODY_SIZE, line: float | None = BODY_LINE, bold: bool = False,
             italic: bool = False, color: RGBColor | None = None, before: float = 0.0, after: float = 0.0,
             keep_next: bool = False, align: WD_ALIGN_PARAGRAPH | None = None,
             base: str | None = "Normal") -> ParagraphStyle:
        """A paragraph style set afresh: font, size, colour, CSS's line height and margins."""
        style = cast(ParagraphStyle, self.get(name, WD_STYLE_TYPE.PARAGRAPH, base))
        oxs.clear_formatting(style, keep=("w:numPr",) if name.startswith(("List", "Small List")) else ())
        oxs.set_font(style, FONT)
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

    def char(self, name: str, size: float | None = None, color: RGBColor | None = None,
             underline: bool | None = None, mono: bool = False) -> CharacterStyle:
        """A character style set afresh: only what is given."""
        style = cast(CharacterStyle, self.get(name, WD_STYLE_TYPE.CHARACTER, None))
        oxs.clear_formatting(style)
        if mono:
            oxs.set_font(style, "Courier New")
        if size is not None:
            style.font.size = Pt(size)
        if color is not None:
            style.font.color.rgb = color
        if underline is not None:
            style.font.underline = underline
        return style


def _paragraph_styles(make: _StyleMaker, document: DocumentObject, text_width: Length) -> None:
    para = make.para
    para("Normal", after=_BODY_AFTER, base=None)
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
        oxs.set_outline_level(heading, level)
    # The contents title is <p class="toc-title"><strong>: bold body text, not a heading.
    para("TOC Heading", bold=True, after=_BODY_AFTER)
    for level, indent in ((1, 0.0), (2, BODY_SIZE * 1.2)):  # nav.toc li.level-2 { padding-left: 1.2em }
        toc = para(f"toc {level}", after=BODY_SIZE * 0.15)  # nav.toc li { margin: 0.15em 0 }
        toc.paragraph_format.left_indent = Pt(indent)
        toc.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    para("Note", size=NOTE_SIZE, color=GREY, after=NOTE_SIZE * 0.5)
    para("Table Note", size=TABLE_NOTE_SIZE, line=TABLE_LINE, color=GREY)
    para("Lead", bold=True, after=_BODY_AFTER)
    callout = para("Callout", after=_BODY_AFTER)  # .as-of { border-left: 3px solid; padding-left: 0.6em }
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
            num_id = oxs.style_num_id(style)
            assert num_id is not None, f"python-docx's template numbers its {kind + suffix} style"
            oxs.set_list_indent(document, num_id, int(indent * depth * 20), marker_gap * 20, align="right")
        para("List Continue" + suffix, after=BODY_SIZE * 0.3).paragraph_format.left_indent = Pt(indent * depth)
    # ol.sources li, ol.notes li { font-size: 9.5pt }: numbers and text both note-sized.
    para("Small List Bullet", size=NOTE_SIZE, after=NOTE_SIZE * 0.3, base="List Bullet")
    para("Small List Number", size=NOTE_SIZE, after=NOTE_SIZE * 0.3, base="List Number")
    para("Small List Continue", size=NOTE_SIZE, after=NOTE_SIZE * 0.3, base="List Continue"
         ).paragraph_format.left_indent = Pt(indent)
    para("Header", size=MARGIN_BOX_SIZE, line=None, align=WD_ALIGN_PARAGRAPH.CENTER)
    para("Footer", size=MARGIN_BOX_SIZE, line=None, color=GREY)  # @bottom-right { color: #444 }


def _character_styles(make: _StyleMaker) -> None:
    make.char("Hyperlink", color=ACCENT, underline=True)
    # sup.cite { font-size: 7.5pt } and its links { text-decoration: none }: raised by hand, so the numbers
    # are 7.5pt in every reader (the writer adds the links' padding, see docx_inline's _emit).
    citation = make.char("Citation", size=CITATION_SIZE, color=ACCENT, underline=False)
    oxs.set_raise(citation, CITATION_RAISE)
    make.char("HTML Code", size=10, mono=True)
    make.char("Small Text", size=NOTE_SIZE)
    make.char("Note Text", size=NOTE_SIZE, color=GREY)


def _table_style(make: _StyleMaker) -> None:
    table = cast(_TableStyle, make.get("Briefing Table", WD_STYLE_TYPE.TABLE, "Table Grid"))
    oxs.clear_formatting(table)
    table.font.size = Pt(TABLE_SIZE)
    table.paragraph_format.space_after = Pt(0)
    # th, td { border: 0.6pt solid #9aa7b8; padding: 0.3em 0.45em } at the table's 10pt
    oxs.set_table_borders(table, round(TABLE_BORDER * 8), "9AA7B8")
    # Across, the padding and half the collapsed 0.6pt border, as a cell's text in the PDF is inset by both;
    # down, the padding alone (Word and LibreOffice add the borders to a row's height, as the PDF does).
    side = round((TABLE_SIZE * 0.45 + TABLE_BORDER / 2) * 20)
    oxs.set_cell_margins(table, top=int(TABLE_SIZE * 0.3 * 20), left=side, bottom=int(TABLE_SIZE * 0.3 * 20),
                        right=side)
