"""Raw WordprocessingML that python-docx has no proxy for.

In: python-docx proxy objects (Document, Paragraph, Run, _Row, _Cell, Table,
InlineShape) from the DOCX backend. Out: the same objects, changed in place:
fields (TOC, PAGE, NUMPAGES), the settings flag that makes Word refresh them,
repeating table header rows, rows kept whole, cell shading, column spans,
table width and look flags, hyperlinks, bookmarks, picture alt text, list
restarts, theme-free fonts and the document's default font and language.
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

# Children of w:settings that must follow w:updateFields (ECMA-376 part 1, CT_Settings).
_SETTINGS_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr",
    "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:readModeInkLockDown", "w:smartTagType",
    "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
)
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


def set_update_fields(document) -> None:
    """Ask Word to refresh fields (the TOC's page numbers) when the file is opened."""
    settings = document.settings.element
    _replace_child(settings, "w:updateFields", _element("w:updateFields", **{"w:val": "true"}),
                   _SETTINGS_AFTER_UPDATE_FIELDS)


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


# ---------------------------------------------------------------- pictures

def set_picture_alt(inline_shape, description: str, title: str | None = None) -> None:
    """Alt text that screen readers and Word's accessibility checker read (wp:docPr descr/title)."""
    doc_pr = inline_shape._inline.docPr
    doc_pr.set("descr", description)
    if title:
        doc_pr.set("title", title)


# ---------------------------------------------------------------- numbering

def style_num_id(style) -> int | None:
    """The numbering instance a list paragraph style points at (w:pPr/w:numPr/w:numId), if any."""
    pPr = style.element.pPr
    if pPr is None or pPr.numPr is None or pPr.numPr.numId is None:
        return None
    return pPr.numPr.numId.val


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
    set_default_language(document, language)


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
