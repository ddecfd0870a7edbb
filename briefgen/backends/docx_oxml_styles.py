"""Raw WordprocessingML for styles, list numbering and document settings that python-docx has no proxy for.

In: a python-docx Document, or one of its styles or paragraphs. Out: the same
objects, changed in place: outline levels, raised text, cleared formatting,
table styles' borders and cell margins, theme-free fonts, the document's default font, size and language, the theme's
fonts, Word's compatibility mode, the field-update prompt removed, list
numbering restarted per <ol> and list indents. Content-level primitives
(fields, tables, links, borders) are in docx_oxml.py, which this shares its
schema-order helpers with.
"""

from __future__ import annotations

from typing import Any, cast

from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.numbering import CT_Num
from docx.oxml.text.font import CT_RPr
from docx.shared import Length
from docx.styles.style import BaseStyle, CharacterStyle, ParagraphStyle, _TableStyle
from docx.text.paragraph import Paragraph
from lxml import etree

from .docx_oxml import RPR_AFTER_SPACING, TBLPR_AFTER_BORDERS, TBLPR_AFTER_CELL_MAR, element, replace_child

# ---------------------------------------------------------------- styles and fonts


def set_outline_level(style: ParagraphStyle, level: int) -> None:
    """The outline level (0 = top) a heading style gives its paragraphs: Word's navigation pane and TOC use it."""
    p_pr: etree._Element = style.element.get_or_add_pPr()
    replace_child(p_pr, "w:outlineLvl", element("w:outlineLvl", **{"w:val": str(level)}),
                  ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"))


def set_raise(style: CharacterStyle, points: float) -> None:
    """Raise a character style's text above the baseline by `points` (w:position, in half-points)."""
    r_pr: etree._Element = style.element.get_or_add_rPr()
    replace_child(r_pr, "w:position", element("w:position", **{"w:val": str(round(points * 2))}),
                  RPR_AFTER_SPACING[2:])


def clear_formatting(style: BaseStyle, keep: tuple[str, ...] = ()) -> None:
    """Remove a style's paragraph and character formatting (except child tags in `keep`) to set it afresh.

    Word's and python-docx's built-in styles carry borders, theme colours,
    contextual spacing and letter spacing that would otherwise leak into ours.
    """
    style_element: etree._Element = style.element
    for tag in ("w:pPr", "w:rPr"):
        props = style_element.find(qn(tag))
        if props is None:
            continue
        for child in list(props):
            if child.tag not in {qn(k) for k in keep}:
                props.remove(child)


def set_font(style: BaseStyle, name: str) -> None:
    """Use font `name` for all scripts, dropping theme-font references that would override it.

    python-docx's `font.name` writes w:ascii/w:hAnsi but leaves w:asciiTheme, which Word prefers.
    """
    _set_fonts(style.element.get_or_add_rPr().get_or_add_rFonts(), name)


def _set_fonts(r_fonts: etree._Element, name: str) -> None:
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        r_fonts.attrib.pop(qn(attr), "")  # gone if present
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        r_fonts.set(qn(attr), name)


def set_document_defaults(document: DocumentObject, font: str, size: Length, language: str | None) -> None:
    """Font, size and proofing language every run inherits (w:docDefaults/w:rPrDefault)."""
    styles: etree._Element = document.styles.element
    doc_defaults = styles.find(qn("w:docDefaults"))
    if doc_defaults is None:
        doc_defaults = OxmlElement("w:docDefaults")
        styles.insert(0, doc_defaults)
    rpr_default = doc_defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        doc_defaults.insert(0, rpr_default)
    found = rpr_default.find(qn("w:rPr"))
    if found is None:
        found = OxmlElement("w:rPr")
        rpr_default.append(found)
    r_pr = cast(CT_RPr, found)  # python-docx parses every w:rPr as its CT_RPr
    _set_fonts(r_pr.get_or_add_rFonts(), font)
    r_pr.get_or_add_sz().val = size  # a python-docx Length, e.g. Pt(11)
    # Paragraph defaults: no spacing, single lines; every style the backend uses says its own.
    ppr_default = doc_defaults.find(qn("w:pPrDefault"))
    if ppr_default is None:
        ppr_default = OxmlElement("w:pPrDefault")
        rpr_default.addnext(ppr_default)
    for child in list(ppr_default):
        ppr_default.remove(child)
    p_pr = OxmlElement("w:pPr")
    p_pr.append(element("w:spacing", **{"w:after": "0", "w:line": "240", "w:lineRule": "auto"}))
    ppr_default.append(p_pr)
    set_default_language(document, language)


def set_default_language(document: DocumentObject, language: str | None) -> None:
    """Proofing language for the whole document, so Word spell-checks in the briefing's language."""
    if not language:
        return
    styles: etree._Element = document.styles.element
    rpr_default = styles.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault"))
    if rpr_default is None:
        return
    r_pr = rpr_default.find(qn("w:rPr"))
    if r_pr is None:
        return
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)  # w:lang is last but a few rarely used children of w:rPr
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)


def set_theme_fonts(document: DocumentObject, font: str) -> None:
    """Make the theme's heading and body fonts (Latin script) `font`, so nothing falls back to Calibri or Cambria."""
    for rel in document.part.rels.values():
        if not rel.reltype.endswith("/theme"):
            continue
        part = rel.target_part
        root = etree.fromstring(part.blob)
        a = "http://schemas.openxmlformats.org/drawingml/2006/main"
        for latin in root.iter(f"{{{a}}}latin"):
            parent = latin.getparent()
            if parent is not None and parent.tag in (f"{{{a}}}majorFont", f"{{{a}}}minorFont"):
                latin.set("typeface", font)
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---------------------------------------------------------------- table styles

def set_cell_margins(style: _TableStyle, top: int, left: int, bottom: int, right: int) -> None:
    """Padding inside every cell of tables in table style `style` (w:tblCellMar, in twentieths of a point)."""
    tbl_pr = _tbl_pr(style)
    mar = OxmlElement("w:tblCellMar")
    for side, value in (("top", top), ("left", left), ("bottom", bottom), ("right", right)):
        mar.append(element(f"w:{side}", **{"w:w": str(value), "w:type": "dxa"}))
    replace_child(tbl_pr, "w:tblCellMar", mar, TBLPR_AFTER_CELL_MAR)


def set_table_borders(style: _TableStyle, size_eighths: int, color: str) -> None:
    """Single-line borders round and between all cells (w:tblBorders) of tables in table style `style`,
    `size_eighths` eighths of a point wide."""
    tbl_pr = _tbl_pr(style)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(element(f"w:{side}", **{"w:val": "single", "w:sz": str(size_eighths), "w:space": "0",
                                               "w:color": color}))
    replace_child(tbl_pr, "w:tblBorders", borders, TBLPR_AFTER_BORDERS)


def _tbl_pr(table_style: _TableStyle) -> etree._Element:
    """The w:tblPr of a table style, made if missing."""
    style: etree._Element = table_style.element
    tbl_pr = style.find(qn("w:tblPr"))
    if tbl_pr is None:
        tbl_pr = OxmlElement("w:tblPr")
        # w:tblPr follows the style's name, links, w:pPr and w:rPr; it precedes w:trPr, w:tcPr, w:tblStylePr.
        found = [style.find(qn(t)) for t in ("w:trPr", "w:tcPr", "w:tblStylePr")]
        following = [f for f in found if f is not None]
        if following:
            following[0].addprevious(tbl_pr)
        else:
            style.append(tbl_pr)
    return tbl_pr


# ---------------------------------------------------------------- document settings

def set_compatibility_mode(document: DocumentObject, mode: int) -> None:
    """The Word version whose layout rules apply (w:compat/w:compatSetting compatibilityMode; 15 is Word 2013+)."""
    settings: etree._Element = document.settings.element
    compat = settings.find(qn("w:compat"))
    if compat is None:
        return
    for setting in compat.findall(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), str(mode))


def remove_update_fields(document: DocumentObject) -> None:
    """Drop w:updateFields from the settings, so Word opens the file without asking to update fields.

    The contents list carries its page numbers as the fields' cached results,
    so there is nothing for Word to refresh; a reference document that asks
    for it anyway would make Word prompt on every opening.
    """
    settings: etree._Element = document.settings.element
    for found in settings.findall(qn("w:updateFields")):
        settings.remove(found)


# ---------------------------------------------------------------- numbering

def style_num_id(style: ParagraphStyle | None) -> int | None:
    """The numbering instance a list paragraph style points at (w:pPr/w:numPr/w:numId), its own or inherited."""
    while style is not None:
        p_pr = style.element.pPr
        if p_pr is not None and p_pr.numPr is not None and p_pr.numPr.numId is not None:
            num_id: int = p_pr.numPr.numId.val
            return num_id
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

    def __init__(self, document: DocumentObject) -> None:
        self._document = document
        # python-docx's CT_Numbering; Any, as its generated num_lst and _insert_num carry no types.
        self._numbering: Any = None
        self._next_id = 0
        self._abstract_of: dict[int, int] = {}

    def _load(self) -> Any:
        numbering: Any = self._document.part.numbering_part.element
        ids = [0]
        for num in numbering.num_lst:
            ids.append(num.numId)
            self._abstract_of[num.numId] = num.abstractNumId.val
        self._next_id = max(ids) + 1
        self._numbering = numbering
        return numbering

    def restart(self, num_id: int, start: int = 1) -> int:
        """Id of a new instance of `num_id`'s list definition that starts at `start`."""
        numbering = self._numbering if self._numbering is not None else self._load()
        abstract_id = self._abstract_of.get(num_id)
        if abstract_id is None:
            return num_id
        new_id = self._next_id
        self._next_id += 1
        num: CT_Num = CT_Num.new(new_id, abstract_id)  # type: ignore[no-untyped-call]  # unannotated in python-docx
        override = element("w:lvlOverride", **{"w:ilvl": "0"})
        override.append(element("w:startOverride", **{"w:val": str(start)}))
        num.append(override)
        numbering._insert_num(num)
        self._abstract_of[new_id] = abstract_id
        return new_id


def set_list_indent(document: DocumentObject, num_id: int, left: int, hanging: int, align: str = "left") -> None:
    """Indent the first level of numbering instance `num_id`'s list definition (twentieths of a point).

    `left` is where the text starts; the bullet or number starts `hanging`
    to its left, or with `align` "right" ends there (as CSS list markers
    do); a tab stop at the text follows it.
    """
    numbering: Any = document.part.numbering_part.element  # python-docx's CT_Numbering, untyped there
    num = numbering.num_having_numId(num_id)
    abstract_id = num.abstractNumId.val
    for abstract in numbering.findall(qn("w:abstractNum")):
        if abstract.get(qn("w:abstractNumId")) != str(abstract_id):
            continue
        lvl = abstract.find(qn("w:lvl"))
        if lvl is None:
            continue  # a list definition without levels has nothing to indent
        jc = lvl.find(qn("w:lvlJc"))
        if jc is not None:
            jc.set(qn("w:val"), align)
        p_pr = lvl.find(qn("w:pPr"))
        if p_pr is None:
            p_pr = OxmlElement("w:pPr")
            lvl.append(p_pr)  # w:pPr comes after the level's number format, before its w:rPr
            rpr = lvl.find(qn("w:rPr"))
            if rpr is not None:
                rpr.addprevious(p_pr)
        for child in list(p_pr):
            if child.tag in (qn("w:tabs"), qn("w:ind")):
                p_pr.remove(child)
        tabs = OxmlElement("w:tabs")
        tabs.append(element("w:tab", **{"w:val": "num", "w:pos": str(left)}))
        p_pr.insert(0, tabs)
        p_pr.append(element("w:ind", **{"w:left": str(left), "w:hanging": str(hanging)}))


def set_num(paragraph: Paragraph, num_id: int, level: int = 0) -> None:
    """Point `paragraph` at numbering instance `num_id` (overriding its style's instance)."""
    p_pr: Any = paragraph._p.get_or_add_pPr()  # python-docx's CT_PPr, whose numPr accessors carry no types
    num_pr = p_pr.get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id
