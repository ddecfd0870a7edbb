"""Raw WordprocessingML that python-docx has no proxy for.

In: python-docx proxy objects (Document, Paragraph, Run, _Row, _Cell, Table,
InlineShape) from the DOCX backend. Out: the same objects, changed in place:
fields (TOC, PAGEREF, PAGE, NUMPAGES) with their cached results, repeating
table header rows, rows kept whole, cell shading, column spans, table width,
cell margins, borders and look flags, hyperlinks, bookmarks, paragraph
borders, letter spacing, picture alt text and SVG versions of pictures, list
restarts and indents, theme-free fonts and the document's default font and
language.
The backend does everything else through python-docx's proxies; its only
element-level work is creating bare w:p/w:r elements and copying per-style
prototypes for speed (see docx.py), so schema knowledge lives here.

Element order matters: Word refuses a file whose children are out of schema
order, so every insertion here names the siblings that must come after it.
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

# Children of w:pPr that must follow w:pBdr (ECMA-376 part 1, CT_PPrBase).
_PPR_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                   "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
                   "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                   "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                   "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
# Children of w:rPr that must follow w:spacing (CT_RPr).
_RPR_AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
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
_TBLPR_AFTER_BORDERS = _TBLPR_AFTER_TBLW[4:]
_TBLPR_AFTER_CELL_MAR = _TBLPR_AFTER_TBLW[7:]


def _element(tag: str, **attrs: str):
    return OxmlElement(tag, attrs={qn(k): v for k, v in attrs.items()})


def _replace_child(parent, tag: str, new, successors: tuple[str, ...]) -> None:
    old = parent.find(qn(tag))
    if old is not None:
        parent.remove(old)
    parent.insert_element_before(new, *successors)


# ---------------------------------------------------------------- fields

def _field_char(kind: str):
    r = OxmlElement("w:r")
    r.append(_element("w:fldChar", **{"w:fldCharType": kind}))
    return r


def _container(target):
    """The element runs are appended to: a paragraph's w:p, or a w:hyperlink as is."""
    return target._p if isinstance(target, Paragraph) else target


def begin_field(target, instruction: str) -> None:
    """Open a complex field in `target` (a Paragraph or w:hyperlink); what is added next is its cached result.

    A field may end in a later paragraph (a TOC's cached result is one
    paragraph per entry), so opening and closing are separate calls.
    """
    p = _container(target)
    p.append(_field_char("begin"))
    r = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    r.append(instr)
    p.append(r)
    p.append(_field_char("separate"))


def end_field(target) -> None:
    _container(target).append(_field_char("end"))


def add_field(paragraph: Paragraph, instruction: str, cached: str):
    """A whole field (e.g. PAGE) with `cached` as the text shown until Word recalculates it.

    Returns the run holding the cached text so the caller can format it.
    """
    from docx.text.run import Run

    begin_field(paragraph, instruction)
    run = Run(OxmlElement("w:r"), paragraph)
    paragraph._p.append(run._r)
    run._r.add_t(cached)
    end_field(paragraph)
    return run


def remove_update_fields(document) -> None:
    """Drop w:updateFields from the settings, so Word opens the file without asking to update fields.

    The contents list carries its page numbers as the fields' cached results,
    so there is nothing for Word to refresh; a reference document that asks
    for it anyway would make Word prompt on every opening.
    """
    settings = document.settings.element
    for element in settings.findall(qn("w:updateFields")):
        settings.remove(element)


def add_page_ref(container, bookmark: str, page: str) -> None:
    """A PAGEREF field to `bookmark` (a hyperlink, as Word's own contents entries have) showing `page`.

    `container` is a w:hyperlink or a paragraph. The cached result is what
    Word and LibreOffice show until the field is updated, so it must already
    be the right page number.
    """
    begin_field(container, f"PAGEREF {bookmark} \\h")
    r = OxmlElement("w:r")
    r.add_t(page)
    _container(container).append(r)
    end_field(container)


def add_tab(container) -> None:
    """A tab character (moves to the paragraph's next tab stop) in a paragraph or w:hyperlink."""
    r = OxmlElement("w:r")
    r.append(OxmlElement("w:tab"))
    _container(container).append(r)


# ---------------------------------------------------------------- tables

def mark_header_row(row) -> None:
    """Repeat `row` at the top of every page the table runs onto, and never split it."""
    trPr = row._tr.get_or_add_trPr()
    if trPr.find(qn("w:cantSplit")) is None:
        trPr.insert_element_before(OxmlElement("w:cantSplit"), *_TRPR_AFTER_CANT_SPLIT)
    if trPr.find(qn("w:tblHeader")) is None:
        trPr.insert_element_before(OxmlElement("w:tblHeader"), *_TRPR_AFTER_TBL_HEADER)


def keep_row_together(row) -> None:
    """Move `row` to the next page whole rather than splitting it (Word still splits a row taller than a page)."""
    trPr = row._tr.get_or_add_trPr()
    if trPr.find(qn("w:cantSplit")) is None:
        trPr.insert_element_before(OxmlElement("w:cantSplit"), *_TRPR_AFTER_CANT_SPLIT)


def shade_cell(cell, fill: str) -> None:
    """Solid background `fill` (hex RGB, e.g. "E7E6E6") for one cell."""
    tcPr = cell._tc.get_or_add_tcPr()
    _replace_child(tcPr, "w:shd", _element("w:shd", **{"w:val": "clear", "w:color": "auto", "w:fill": fill}),
                   _TCPR_AFTER_SHD)


def span_columns(cell, span: int) -> None:
    """Make `cell` cover `span` grid columns (HTML colspan)."""
    cell._tc.grid_span = span


def set_table_look(table, header_row: bool) -> None:
    """Say whether the first row is a header, so Word's and pandoc's readers agree with the HTML."""
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        table._tbl.tblPr.insert_element_before(look, *_TBLPR_AFTER_TBL_LOOK)
    look.set(qn("w:firstRow"), "1" if header_row else "0")
    look.set(qn("w:firstColumn"), "0")
    look.set(qn("w:noVBand"), "1")
    look.set(qn("w:val"), "0420" if header_row else "0400")


def set_table_width_pct(table, percent: int = 100) -> None:
    """Table as wide as `percent` of the text column (w:tblW in fiftieths of a percent)."""
    tblPr = table._tbl.tblPr
    _replace_child(tblPr, "w:tblW", _element("w:tblW", **{"w:w": str(percent * 50), "w:type": "pct"}),
                   _TBLPR_AFTER_TBLW)


def set_cell_margins(table_or_style, top: int, left: int, bottom: int, right: int) -> None:
    """Padding inside every cell (w:tblCellMar, in twentieths of a point), on a table or a table style."""
    tblPr = _tbl_pr(table_or_style)
    mar = OxmlElement("w:tblCellMar")
    for side, value in (("top", top), ("left", left), ("bottom", bottom), ("right", right)):
        mar.append(_element(f"w:{side}", **{"w:w": str(value), "w:type": "dxa"}))
    _replace_child(tblPr, "w:tblCellMar", mar, _TBLPR_AFTER_CELL_MAR)


def set_table_borders(table_or_style, size_eighths: int, color: str) -> None:
    """Single-line borders round and between all cells (w:tblBorders), `size_eighths` eighths of a point wide."""
    tblPr = _tbl_pr(table_or_style)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_element(f"w:{side}", **{"w:val": "single", "w:sz": str(size_eighths), "w:space": "0",
                                                "w:color": color}))
    _replace_child(tblPr, "w:tblBorders", borders, _TBLPR_AFTER_BORDERS)


def _tbl_pr(table_or_style):
    """The w:tblPr of a python-docx Table or table style, made if missing."""
    element = getattr(table_or_style, "_tbl", None)
    if element is not None:
        return element.tblPr
    style = table_or_style.element
    tblPr = style.find(qn("w:tblPr"))
    if tblPr is None:
        tblPr = OxmlElement("w:tblPr")
        # w:tblPr follows the style's name, links, w:pPr and w:rPr; it precedes w:trPr, w:tcPr, w:tblStylePr.
        following = [style.find(qn(t)) for t in ("w:trPr", "w:tcPr", "w:tblStylePr")]
        following = [f for f in following if f is not None]
        if following:
            following[0].addprevious(tblPr)
        else:
            style.append(tblPr)
    return tblPr


# ---------------------------------------------------------------- paragraphs and runs

def set_paragraph_border(paragraph_or_style, side: str, size_eighths: int, space_pt: int, color: str) -> None:
    """A single-line border on one side ("top", "left", "bottom", "right") of a paragraph or paragraph style.

    `space_pt` is the gap between border and text in whole points (Word allows 0-31).
    """
    pPr = _p_pr(paragraph_or_style)
    pBdr = pPr.find(qn("w:pBdr"))
    if pBdr is None:
        pBdr = OxmlElement("w:pBdr")
        pPr.insert_element_before(pBdr, *_PPR_AFTER_PBDR)
    order = ("top", "left", "bottom", "right", "between", "bar")
    old = pBdr.find(qn(f"w:{side}"))
    if old is not None:
        pBdr.remove(old)
    border = _element(f"w:{side}", **{"w:val": "single", "w:sz": str(size_eighths),
                                      "w:space": str(max(0, min(31, round(space_pt)))), "w:color": color})
    later = [pBdr.find(qn(f"w:{s}")) for s in order[order.index(side) + 1:]]
    later = [e for e in later if e is not None]
    if later:
        later[0].addprevious(border)
    else:
        pBdr.append(border)


def _p_pr(paragraph_or_style):
    element = getattr(paragraph_or_style, "_p", None)
    if element is None:
        element = paragraph_or_style.element
    return element.get_or_add_pPr()


def set_letter_spacing(run_or_style, twentieths: int) -> None:
    """Extra space between letters (w:spacing in a run's or style's w:rPr), as CSS letter-spacing."""
    element = getattr(run_or_style, "_r", None)
    if element is None:
        element = run_or_style.element
    rPr = element.get_or_add_rPr()
    _replace_child(rPr, "w:spacing", _element("w:spacing", **{"w:val": str(twentieths)}), _RPR_AFTER_SPACING)


def set_outline_level(style, level: int) -> None:
    """The outline level (0 = top) a heading style gives its paragraphs: Word's navigation pane and TOC use it."""
    pPr = style.element.get_or_add_pPr()
    _replace_child(pPr, "w:outlineLvl", _element("w:outlineLvl", **{"w:val": str(level)}),
                   ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"))


def set_raise(style, points: float) -> None:
    """Raise a character style's text above the baseline by `points` (w:position, in half-points)."""
    rPr = style.element.get_or_add_rPr()
    _replace_child(rPr, "w:position", _element("w:position", **{"w:val": str(round(points * 2))}),
                   _RPR_AFTER_SPACING[2:])


def clear_formatting(style, keep: tuple[str, ...] = ()) -> None:
    """Remove a style's paragraph and character formatting (except child tags in `keep`) to set it afresh.

    Word's and python-docx's built-in styles carry borders, theme colours,
    contextual spacing and letter spacing that would otherwise leak into ours.
    """
    element = style.element
    for tag in ("w:pPr", "w:rPr"):
        props = element.find(qn(tag))
        if props is None:
            continue
        for child in list(props):
            if child.tag not in {qn(k) for k in keep}:
                props.remove(child)


# ---------------------------------------------------------------- links and bookmarks

def add_hyperlink(paragraph: Paragraph, *, r_id: str | None = None, anchor: str | None = None):
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
    start = _element("w:bookmarkStart", **{"w:id": str(bookmark_id), "w:name": name})
    end = _element("w:bookmarkEnd", **{"w:id": str(bookmark_id)})
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

def set_picture_alt(inline_shape, description: str, title: str | None = None) -> None:
    """Alt text that screen readers and Word's accessibility checker read (wp:docPr descr/title)."""
    doc_pr = inline_shape._inline.docPr
    doc_pr.set("descr", description)
    if title:
        doc_pr.set("title", title)


SVG_EXTENSION_URI = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"  # Office 2016's SVG picture extension
SVG_NAMESPACE = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"


def add_svg_version(inline_shape, r_id: str) -> None:
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


# ---------------------------------------------------------------- numbering

def style_num_id(style) -> int | None:
    """The numbering instance a list paragraph style points at (w:pPr/w:numPr/w:numId), its own or inherited."""
    while style is not None:
        pPr = style.element.pPr
        if pPr is not None and pPr.numPr is not None and pPr.numPr.numId is not None:
            return pPr.numPr.numId.val
        style = style.base_style
    return None


class ListNumbering:
    """Fresh numbering instances for ordered lists, so every <ol> counts from its own start.

    Word's "List Number" style points every numbered paragraph in the file at
    one counter, so a second <ol> would carry on from the first. Each <ol>
    gets its own w:num instead, sharing the style's list definition (indents,
    number format) but with a w:startOverride; its items name it in numPr.
    Ids are handed out from a running maximum because python-docx's own
    allocator rescans every instance per call (quadratic in the list count).
    """

    def __init__(self, document):
        self._document = document
        self._numbering = None
        self._next_id = 0
        self._abstract_of: dict[int, int] = {}

    def _load(self) -> None:
        self._numbering = self._document.part.numbering_part.element
        ids = [0]
        for num in self._numbering.num_lst:
            ids.append(num.numId)
            self._abstract_of[num.numId] = num.abstractNumId.val
        self._next_id = max(ids) + 1

    def restart(self, num_id: int, start: int = 1) -> int:
        """Id of a new instance of `num_id`'s list definition that starts at `start`."""
        from docx.oxml.numbering import CT_Num

        if self._numbering is None:
            self._load()
        abstract_id = self._abstract_of.get(num_id)
        if abstract_id is None:
            return num_id
        new_id = self._next_id
        self._next_id += 1
        num = CT_Num.new(new_id, abstract_id)
        override = _element("w:lvlOverride", **{"w:ilvl": "0"})
        override.append(_element("w:startOverride", **{"w:val": str(start)}))
        num.append(override)
        self._numbering._insert_num(num)
        self._abstract_of[new_id] = abstract_id
        return new_id


def set_list_indent(document, num_id: int, left: int, hanging: int, align: str = "left") -> None:
    """Indent the first level of numbering instance `num_id`'s list definition (twentieths of a point).

    `left` is where the text starts; the bullet or number starts `hanging`
    to its left, or with `align` "right" ends there (as CSS list markers
    do); a tab stop at the text follows it.
    """
    numbering = document.part.numbering_part.element
    num = numbering.num_having_numId(num_id)
    abstract_id = num.abstractNumId.val
    for abstract in numbering.findall(qn("w:abstractNum")):
        if abstract.get(qn("w:abstractNumId")) != str(abstract_id):
            continue
        lvl = abstract.find(qn("w:lvl"))
        jc = lvl.find(qn("w:lvlJc"))
        if jc is not None:
            jc.set(qn("w:val"), align)
        pPr = lvl.find(qn("w:pPr"))
        if pPr is None:
            pPr = OxmlElement("w:pPr")
            lvl.append(pPr)  # w:pPr comes after the level's number format, before its w:rPr
            rpr = lvl.find(qn("w:rPr"))
            if rpr is not None:
                rpr.addprevious(pPr)
        for child in list(pPr):
            if child.tag in (qn("w:tabs"), qn("w:ind")):
                pPr.remove(child)
        tabs = OxmlElement("w:tabs")
        tabs.append(_element("w:tab", **{"w:val": "num", "w:pos": str(left)}))
        pPr.insert(0, tabs)
        pPr.append(_element("w:ind", **{"w:left": str(left), "w:hanging": str(hanging)}))


def set_num(paragraph: Paragraph, num_id: int, level: int = 0) -> None:
    """Point `paragraph` at numbering instance `num_id` (overriding its style's instance)."""
    numPr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numPr.get_or_add_ilvl().val = level
    numPr.get_or_add_numId().val = num_id


# ---------------------------------------------------------------- styles and fonts

def set_font(style_or_rpr_owner, name: str) -> None:
    """Use font `name` for all scripts, dropping theme-font references that would override it.

    python-docx's `font.name` writes w:ascii/w:hAnsi but leaves w:asciiTheme, which Word prefers.
    """
    rPr = style_or_rpr_owner.element.get_or_add_rPr()
    rFonts = rPr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rFonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rFonts.set(qn(attr), name)


def set_document_defaults(document, font: str, size, language: str | None) -> None:
    """Font, size and proofing language every run inherits (w:docDefaults/w:rPrDefault)."""
    styles = document.styles.element
    doc_defaults = styles.find(qn("w:docDefaults"))
    if doc_defaults is None:
        doc_defaults = OxmlElement("w:docDefaults")
        styles.insert(0, doc_defaults)
    rpr_default = doc_defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        doc_defaults.insert(0, rpr_default)
    rPr = rpr_default.find(qn("w:rPr"))
    if rPr is None:
        rPr = OxmlElement("w:rPr")
        rpr_default.append(rPr)
    rFonts = rPr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rFonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rFonts.set(qn(attr), font)
    rPr.get_or_add_sz().val = size  # a python-docx Length, e.g. Pt(11)
    # Paragraph defaults: no spacing, single lines; every style the backend uses says its own.
    ppr_default = doc_defaults.find(qn("w:pPrDefault"))
    if ppr_default is None:
        ppr_default = OxmlElement("w:pPrDefault")
        rpr_default.addnext(ppr_default)
    for child in list(ppr_default):
        ppr_default.remove(child)
    pPr = OxmlElement("w:pPr")
    pPr.append(_element("w:spacing", **{"w:after": "0", "w:line": "240", "w:lineRule": "auto"}))
    ppr_default.append(pPr)
    set_default_language(document, language)


def set_compatibility_mode(document, mode: int) -> None:
    """The Word version whose layout rules apply (w:compat/w:compatSetting compatibilityMode; 15 is Word 2013+)."""
    settings = document.settings.element
    compat = settings.find(qn("w:compat"))
    if compat is None:
        return
    for setting in compat.findall(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), str(mode))


def set_theme_fonts(document, font: str) -> None:
    """Make the theme's heading and body fonts (Latin script) `font`, so nothing falls back to Calibri or Cambria."""
    for rel in document.part.rels.values():
        if not rel.reltype.endswith("/theme"):
            continue
        part = rel.target_part
        root = etree.fromstring(part.blob)
        a = "http://schemas.openxmlformats.org/drawingml/2006/main"
        for latin in root.iter(f"{{{a}}}latin"):
            if latin.getparent().tag in (f"{{{a}}}majorFont", f"{{{a}}}minorFont"):
                latin.set("typeface", font)
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def set_default_language(document, language: str | None) -> None:
    """Proofing language for the whole document, so Word spell-checks in the briefing's language."""
    if not language:
        return
    rpr_default = document.styles.element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault"))
    if rpr_default is None:
        return
    rPr = rpr_default.find(qn("w:rPr"))
    if rPr is None:
        return
    lang = rPr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rPr.append(lang)  # w:lang is last but a few rarely used children of w:rPr
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)
