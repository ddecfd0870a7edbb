"""Raw WordprocessingML for a document's content that python-docx has no proxy for.

In: python-docx proxy objects (Paragraph, Run, _Row, _Cell, Table,
InlineShape, and a paragraph or character style for borders and letter
spacing) from the Word writer, or a w:hyperlink element. Out: the
same objects, changed in place: fields (TOC, PAGEREF, PAGE, NUMPAGES) with
their cached results, repeating table header rows, rows kept whole, cell
shading, column spans, table width and look flags, hyperlinks, bookmarks,
paragraph borders, letter spacing, picture alt text and SVG versions of
pictures. Styles (table borders and cell margins among them), numbering and
document settings are in docx_oxml_styles.py.
The writer does everything else through python-docx's proxies; its only
element-level work is creating bare w:p/w:r elements and copying per-style
prototypes for speed (see docx_writer.py and docx_inline.py), so schema knowledge lives here.

Element order matters: Word refuses a file whose children are out of schema
order, so every insertion here names the siblings that must come after it.
"""

from __future__ import annotations

from typing import cast

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.parfmt import CT_PPr
from docx.oxml.text.run import CT_R
from docx.shape import InlineShape
from docx.styles.style import CharacterStyle, ParagraphStyle
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

# Children of w:pPr that must follow w:pBdr (ECMA-376 part 1, CT_PPrBase).
PPR_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                  "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
                  "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                  "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                  "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
# Children of w:rPr that must follow w:spacing (CT_RPr).
RPR_AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
                     "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
                     "w:eastAsianLayout", "w:specVanish", "w:oMath")
# Children of w:trPr that must follow w:cantSplit and w:tblHeader (CT_TrPr).
_TRPR_AFTER_CANT_SPLIT = ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del",
                          "w:trPrChange")
_TRPR_AFTER_TBL_HEADER = _TRPR_AFTER_CANT_SPLIT[2:]
# Children of w:tcPr that must follow w:shd (CT_TcPr).
_TCPR_AFTER_SHD = ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark", "w:headers",
                   "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange")
# Children of w:tblPr that must follow w:tblW and w:tblLook (CT_TblPr).
_TBLPR_AFTER_TBLW = ("w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar",
                     "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
_TBLPR_AFTER_TBL_LOOK = _TBLPR_AFTER_TBLW[8:]
TBLPR_AFTER_BORDERS = _TBLPR_AFTER_TBLW[4:]
TBLPR_AFTER_CELL_MAR = _TBLPR_AFTER_TBLW[7:]


def element(tag: str, **attrs: str) -> etree._Element:
    """A new element `tag` ("w:tab") with attributes named by prefix ("w:val")."""
    return OxmlElement(tag, attrs={qn(k): v for k, v in attrs.items()})


def insert_before(parent: etree._Element, new: etree._Element, successors: tuple[str, ...]) -> None:
    """Put `new` before the first of `parent`'s children tagged as the first tag in `successors` that has one;
    at the end if none does (python-docx's insert_element_before, for any element)."""
    for tag in successors:
        successor = parent.find(qn(tag))
        if successor is not None:
            successor.addprevious(new)
            return
    parent.append(new)


def replace_child(parent: etree._Element, tag: str, new: etree._Element, successors: tuple[str, ...]) -> None:
    """`new` in place of `parent`'s child `tag` (if any), in schema order."""
    old = parent.find(qn(tag))
    if old is not None:
        parent.remove(old)
    insert_before(parent, new, successors)


def new_run() -> CT_R:
    """An empty w:r."""
    return cast(CT_R, OxmlElement("w:r"))


# ---------------------------------------------------------------- fields

def _field_char(kind: str) -> CT_R:
    r = new_run()
    r.append(element("w:fldChar", **{"w:fldCharType": kind}))
    return r


def _container(target: Paragraph | etree._Element) -> etree._Element:
    """The element runs are appended to: a paragraph's w:p, or a w:hyperlink as is."""
    return target._p if isinstance(target, Paragraph) else target


def begin_field(target: Paragraph | etree._Element, instruction: str) -> None:
    """Open a complex field in `target` (a Paragraph or w:hyperlink); what is added next is its cached result.

    A field may end in a later paragraph (a TOC's cached result is one
    paragraph per entry), so opening and closing are separate calls.
    """
    p = _container(target)
    p.append(_field_char("begin"))
    r = new_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    r.append(instr)
    p.append(r)
    p.append(_field_char("separate"))


def end_field(target: Paragraph | etree._Element) -> None:
    _container(target).append(_field_char("end"))


def add_field(paragraph: Paragraph, instruction: str, cached: str) -> None:
    """A whole field (e.g. PAGE) with `cached` as the text shown until Word recalculates it."""
    begin_field(paragraph, instruction)
    r = new_run()
    paragraph._p.append(r)
    r.add_t(cached)
    end_field(paragraph)


def add_page_ref(container: Paragraph | etree._Element, bookmark: str, page: str) -> None:
    """A PAGEREF field to `bookmark` (a hyperlink, as Word's own contents entries have) showing `page`.

    `container` is a w:hyperlink or a paragraph. The cached result is what
    Word and LibreOffice show until the field is updated, so it must already
    be the right page number.
    """
    begin_field(container, f"PAGEREF {bookmark} \\h")
    r = new_run()
    r.add_t(page)
    _container(container).append(r)
    end_field(container)


def add_tab(container: Paragraph | etree._Element) -> None:
    """A tab character (moves to the paragraph's next tab stop) in a paragraph or w:hyperlink."""
    r = new_run()
    r.append(OxmlElement("w:tab"))
    _container(container).append(r)


# ---------------------------------------------------------------- tables

def mark_header_row(row: _Row) -> None:
    """Repeat `row` at the top of every page the table runs onto, and never split it."""
    tr_pr = row._tr.get_or_add_trPr()
    if tr_pr.find(qn("w:cantSplit")) is None:
        insert_before(tr_pr, OxmlElement("w:cantSplit"), _TRPR_AFTER_CANT_SPLIT)
    if tr_pr.find(qn("w:tblHeader")) is None:
        insert_before(tr_pr, OxmlElement("w:tblHeader"), _TRPR_AFTER_TBL_HEADER)


def keep_row_together(row: _Row) -> None:
    """Move `row` to the next page whole rather than splitting it (Word still splits a row taller than a page)."""
    tr_pr = row._tr.get_or_add_trPr()
    if tr_pr.find(qn("w:cantSplit")) is None:
        insert_before(tr_pr, OxmlElement("w:cantSplit"), _TRPR_AFTER_CANT_SPLIT)


def shade_cell(cell: _Cell, fill: str) -> None:
    """Solid background `fill` (hex RGB, e.g. "E7E6E6") for one cell."""
    tc_pr = cell._tc.get_or_add_tcPr()
    replace_child(tc_pr, "w:shd", element("w:shd", **{"w:val": "clear", "w:color": "auto", "w:fill": fill}),
                  _TCPR_AFTER_SHD)


def span_columns(cell: _Cell, span: int) -> None:
    """Make `cell` cover `span` grid columns (HTML colspan)."""
    cell._tc.grid_span = span


def set_table_look(table: Table, header_row: bool) -> None:
    """Say whether the first row is a header, so Word's and pandoc's readers agree with the HTML."""
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        insert_before(table._tbl.tblPr, look, _TBLPR_AFTER_TBL_LOOK)
    look.set(qn("w:firstRow"), "1" if header_row else "0")
    look.set(qn("w:firstColumn"), "0")
    look.set(qn("w:noVBand"), "1")
    look.set(qn("w:val"), "0420" if header_row else "0400")


def set_table_width_pct(table: Table, percent: int = 100) -> None:
    """Table as wide as `percent` of the text column (w:tblW in fiftieths of a percent)."""
    replace_child(table._tbl.tblPr, "w:tblW", element("w:tblW", **{"w:w": str(percent * 50), "w:type": "pct"}),
                  _TBLPR_AFTER_TBLW)


# ---------------------------------------------------------------- paragraphs and runs

def set_paragraph_border(paragraph_or_style: Paragraph | ParagraphStyle, side: str, size_eighths: int,
                         space_pt: float, color: str) -> None:
    """A single-line border on one side ("top", "left", "bottom", "right") of a paragraph or paragraph style.

    `space_pt` is the gap between border and text in points, rounded to whole points (Word allows 0-31).
    """
    p_pr = _p_pr(paragraph_or_style)
    p_bdr = p_pr.find(qn("w:pBdr"))
    if p_bdr is None:
        p_bdr = OxmlElement("w:pBdr")
        insert_before(p_pr, p_bdr, PPR_AFTER_PBDR)
    order = ("top", "left", "bottom", "right", "between", "bar")
    old = p_bdr.find(qn(f"w:{side}"))
    if old is not None:
        p_bdr.remove(old)
    border = element(f"w:{side}", **{"w:val": "single", "w:sz": str(size_eighths),
                                     "w:space": str(max(0, min(31, round(space_pt)))), "w:color": color})
    found = [p_bdr.find(qn(f"w:{s}")) for s in order[order.index(side) + 1:]]
    later = [e for e in found if e is not None]
    if later:
        later[0].addprevious(border)
    else:
        p_bdr.append(border)


def _p_pr(paragraph_or_style: Paragraph | ParagraphStyle) -> CT_PPr:
    if isinstance(paragraph_or_style, Paragraph):
        return paragraph_or_style._p.get_or_add_pPr()
    p_pr: CT_PPr = paragraph_or_style.element.get_or_add_pPr()
    return p_pr


def set_letter_spacing(run_or_style: Run | CharacterStyle, twentieths: int) -> None:
    """Extra space between letters (w:spacing in a run's or style's w:rPr), as CSS letter-spacing."""
    r_pr: etree._Element = (run_or_style._r if isinstance(run_or_style, Run) else run_or_style.element
                            ).get_or_add_rPr()
    replace_child(r_pr, "w:spacing", element("w:spacing", **{"w:val": str(twentieths)}), RPR_AFTER_SPACING)


# ---------------------------------------------------------------- links and bookmarks

def add_hyperlink(paragraph: Paragraph, *, r_id: str | None = None, anchor: str | None = None) -> etree._Element:
    """Append an empty w:hyperlink to `paragraph`; the caller appends runs to the returned element.

    `r_id` is a relationship to an external URL; `anchor` a bookmark name in this document.
    """
    link = OxmlElement("w:hyperlink")
    if r_id is not None:
        link.set(qn("r:id"), r_id)
    if anchor is not None:
        link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    return link


def add_bookmark(paragraph: Paragraph, name: str, bookmark_id: int) -> None:
    """A point bookmark at the start of `paragraph`, the target of internal links.

    Call it after the paragraph's properties are set: w:pPr must stay the first child.
    """
    p = paragraph._p
    start = element("w:bookmarkStart", **{"w:id": str(bookmark_id), "w:name": name})
    end = element("w:bookmarkEnd", **{"w:id": str(bookmark_id)})
    index = 1 if p.pPr is not None else 0
    p.insert(index, start)
    p.insert(index + 1, end)


def close_bookmarks_at_end(paragraph: Paragraph) -> None:
    """Move the ends of the bookmarks that start `paragraph` to its end, so each spans the paragraph's text."""
    p = paragraph._p
    ends = [child for child in p if child.tag == qn("w:bookmarkEnd")]
    for end in ends:
        p.append(end)


# ---------------------------------------------------------------- pictures

def set_picture_alt(inline_shape: InlineShape, description: str, title: str | None = None) -> None:
    """Alt text that screen readers and Word's accessibility checker read (wp:docPr descr/title)."""
    doc_pr = inline_shape._inline.docPr
    doc_pr.set("descr", description)
    if title:
        doc_pr.set("title", title)


SVG_EXTENSION_URI = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"  # Office 2016's SVG picture extension
SVG_NAMESPACE = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"


def add_svg_version(inline_shape: InlineShape, r_id: str) -> None:
    """Let Word 2016 and later draw the picture from an SVG part (`r_id`); older readers keep the raster.

    The raster stays the picture's a:blip r:embed; the SVG goes in the
    blip's extension list as asvg:svgBlip, which is how Word itself saves an
    SVG picture.
    """
    blip = inline_shape._inline.graphic.graphicData.pic.blipFill.blip
    ext_lst = blip.find(qn("a:extLst"))
    if ext_lst is None:
        ext_lst = OxmlElement("a:extLst")
        blip.append(ext_lst)
    ext = OxmlElement("a:ext")
    ext.set("uri", SVG_EXTENSION_URI)
    svg_blip = etree.SubElement(ext, f"{{{SVG_NAMESPACE}}}svgBlip", nsmap={"asvg": SVG_NAMESPACE})
    svg_blip.set(qn("r:embed"), r_id)
    ext_lst.append(ext)
