"""The Word backend: handcrafted HTML in, a .docx reopened with python-docx and checked.

Each test writes a small document with `write_docx` and asserts on what Word
would see: paragraph style names, table header rows, list numbering, alt text,
fields, core properties, header and footer, emphasis and page breaks taken from
the page's CSS, spacing after tables, contents page numbers. Also: unsupported
HTML stops the build with a named error, equal input gives equal bytes, the
time grows linearly, the shipped reference.docx is what `make_reference_docx`
makes and follows briefing.css's type scale, and pandoc and LibreOffice (when
installed) read the result back. tests/test_parity.py compares whole briefings
with their PDFs.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import shutil
import struct
import subprocess
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from briefgen.backends.docx import cut_at_word, make_reference_docx, write_docx
from briefgen.errors import BriefgenError

ROOT = Path(__file__).resolve().parent.parent
META = {"title": "Border cooperation", "subject": "What the UK funded", "author": "Policy Team",
        "keywords": "official briefing, OFFICIAL", "language": "en-GB", "marking": "OFFICIAL",
        "date": "2026-11-22"}


def tiny_png(width: int = 40, height: int = 20) -> bytes:
    """A valid grey PNG, made by hand so the tests need no imaging library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def page(body: str, lang: str = "en-GB", css: str = "p { color: red }") -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>T</title>'
            f"<style>{css}</style></head><body>\n{body}\n</body></html>")


def build(tmp_path: Path, body: str, assets: dict | None = None, meta: dict | None = None, name: str = "out.docx",
          css: str = "p { color: red }", page_numbers: dict | None = None):
    path = tmp_path / name
    result = write_docx(page(body, css=css), path, meta or META, assets or {}, template_name="templates/test.html.j2",
                        page_numbers=page_numbers)
    assert result == {"pages": None}
    return Document(str(path)), path


def styles_and_text(document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs]


def body_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml").decode("utf-8")


# ---------------------------------------------------------------- blocks and styles

def test_headings_and_paragraph_classes_get_word_styles(tmp_path):
    document, _ = build(tmp_path, """
<header class="cover"><p class="marking">OFFICIAL</p>
<h1 class="doc-title">Border cooperation</h1><p class="subtitle">Briefing for the Minister</p></header>
<section><h2 id="a">Background</h2><p class="lead">Lead text.</p><p>Body text.</p>
<h3>People</h3><h4>Detail</h4><p class="note">A note.</p></section>
<h1>Plain h1</h1>""")
    assert styles_and_text(document) == [
        ("Marking", "OFFICIAL"), ("Title", "Border cooperation"), ("Subtitle", "Briefing for the Minister"),
        ("Heading 1", "Background"), ("Lead", "Lead text."), ("Normal", "Body text."), ("Heading 2", "People"),
        ("Heading 3", "Detail"), ("Note", "A note."), ("Heading 1", "Plain h1")]
    marking = document.styles["Marking"]
    assert marking.font.bold and marking.paragraph_format.alignment == 1  # centred
    assert document.styles["Note"].font.size < document.styles["Normal"].font.size


def test_whitespace_collapses_like_a_browser(tmp_path):
    document, _ = build(tmp_path, "<p>\n   Hello \t\n <strong> big </strong>   world  <em>again</em>\n</p>"
                                  "<div>  bare   text  <span>in a  div</span> </div>")
    assert [p.text for p in document.paragraphs] == ["Hello big world again", "bare text in a div"]


def test_inline_formatting(tmp_path):
    document, path = build(tmp_path, "<p>a <strong>bold</strong> <b>b</b> <em>it</em> <i>i</i> x<sup>2</sup> "
                                     "H<sub>2</sub>O <code>code()</code> <small>small</small> "
                                     "<abbr>UK</abbr> <time>2020</time> <mark>m</mark><br>next line</p>")
    runs = {r.text: r for r in document.paragraphs[0].runs}
    assert runs["bold"].bold and runs["b"].bold and runs["it"].italic and runs["i"].italic
    assert [r.text for r in document.paragraphs[0].runs if r.font.superscript] == ["2"]
    assert [r.text for r in document.paragraphs[0].runs if r.font.subscript] == ["2"]
    assert runs["code()"].style.name == "HTML Code"
    assert runs["small"].style.name == "Small Text"
    assert document.paragraphs[0].text == "a bold b it i x2 H2O code() small UK 2020 m\nnext line"
    assert "<w:br/>" in body_xml(path)


def test_lists_styles_nesting_and_numbering_restarts(tmp_path):
    document, _ = build(tmp_path, """
<ul><li>One</li><li>Two <ul><li>Two a</li></ul></li><li><p>Three</p><p>More of three</p></li><li></li></ul>
<ol><li>First</li><li>Second<ol><li>Nested</li></ol></li></ol>
<ol start="4"><li>Fourth</li></ol>
<ul class="note"><li>Small <strong>print</strong></li></ul>""")
    assert styles_and_text(document) == [
        ("List Bullet", "One"), ("List Bullet", "Two"), ("List Bullet 2", "Two a"), ("List Bullet", "Three"),
        ("List Continue", "More of three"), ("List Bullet", ""), ("List Number", "First"),
        ("List Number", "Second"), ("List Number 2", "Nested"), ("List Number", "Fourth"),
        ("Small List Bullet", "Small print")]
    assert [(r.style.name, r.bold) for r in document.paragraphs[-1].runs] == [("Note Text", None),
                                                                               ("Note Text", True)]
    # Each <ol> counts on its own: its items name their own numbering instance.
    numbered = [p for p in document.paragraphs if p.style.name.startswith("List Number")]
    assert len(numbered) == 4
    num_ids = [p._p.pPr.numPr.numId.val for p in numbered]
    assert num_ids[0] == num_ids[1] and len({num_ids[0], num_ids[2], num_ids[3]}) == 3
    numbering = document.part.numbering_part.element
    fourth = numbering.num_having_numId(num_ids[3])
    assert fourth.find(qn("w:lvlOverride")).find(qn("w:startOverride")).get(qn("w:val")) == "4"


def test_tables_have_style_repeating_header_widths_spans_and_caption(tmp_path):
    document, _ = build(tmp_path, """
<table class="chronology" data-widths="25,75">
<caption>Key dates</caption>
<thead><tr><th scope="col">Date</th><th scope="col">Event</th></tr></thead>
<tbody>
<tr id="event-1"><td>July 2009</td><td><p><strong>Summit.</strong> Text.</p><p class="note">Who: A.</p></td></tr>
<tr><td colspan="2">Spanning <ul><li>item</li></ul>line<br>two</td></tr>
<tr><td>Short row</td></tr>
</tbody></table>
<table><tr><th>K</th><th>V</th></tr><tr><th>row head</th><td>v</td></tr></table>""")
    caption = document.paragraphs[0]
    assert (caption.style.name, caption.text) == ("Table Caption", "Key dates")
    assert caption.paragraph_format.keep_with_next
    table = document.tables[0]
    assert table.style.name == "Briefing Table"
    rows = table._tbl.tr_lst
    assert rows[0].trPr.find(qn("w:tblHeader")) is not None
    assert all(r.trPr is None or r.trPr.find(qn("w:tblHeader")) is None for r in rows[1:])
    header_cells = table.rows[0].cells
    assert [c.text for c in header_cells] == ["Date", "Event"]
    assert all(c.paragraphs[0].style.name == "Table Heading" and c.paragraphs[0].style.font.bold
               for c in header_cells)
    assert [p.style.name for p in table.cell(1, 1).paragraphs] == ["Table Text", "Table Note"]
    assert table.cell(1, 1).paragraphs[0].runs[0].bold
    # td p { margin-bottom: 0.3em } but none after the cell's last paragraph
    assert [p.paragraph_format.space_after for p in table.cell(1, 1).paragraphs] == [Pt(3), None]
    widths = [c.w for c in table._tbl.tblGrid.gridCol_lst]
    assert abs(widths[1] / widths[0] - 3) < 0.01 and abs(sum(widths) - Cm(17)) < Cm(0.01)
    span = rows[2].tc_lst[0]
    assert span.grid_span == 2 and len(rows[2].tc_lst) == 1
    assert [p.style.name for p in table.cell(2, 0).paragraphs] == ["Table Text", "List Bullet", "Table Text"]
    assert table.cell(2, 0).paragraphs[2].text == "line\ntwo"
    assert len(rows[3].tc_lst) == 2  # the short row is padded, so the grid stays rectangular
    # Without <thead>, a first row of <th> is the header; a later <th> is bold but does not repeat.
    second = document.tables[1]._tbl.tr_lst
    assert second[0].trPr.find(qn("w:tblHeader")) is not None
    assert second[1].trPr.find(qn("w:tblHeader")) is None
    assert document.tables[1].cell(1, 0).paragraphs[0].style.name == "Table Heading"


def test_figures_get_picture_with_alt_text_and_caption(tmp_path):
    png = tiny_png()
    data = base64.b64encode(png).decode("ascii")
    svg_data = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode("ascii")
    document, path = build(tmp_path, f"""
<figure class="chart"><svg role="img" aria-label="Bar chart of funding" data-asset="chart" viewBox="0 0 10 10">
<rect width="5" height="5"/><text>label</text></svg>
<figcaption>Figure 1. Funding.</figcaption></figure>
<figure><img class="chart" src="data:image/svg+xml;base64,{svg_data}" alt="Same chart as an img" data-asset="chart">
</figure>
<p><img src="data:image/png;base64,{data}" alt="Inline picture"> after</p>""", assets={"chart": png})
    shapes = document.inline_shapes
    assert len(shapes) == 3
    descriptions = [s._inline.docPr.get("descr") for s in shapes]
    assert descriptions == ["Bar chart of funding", "Same chart as an img", "Inline picture"]
    assert shapes[0]._inline.docPr.get("title") == "Bar chart of funding"
    # A picture too small to be sharp at any useful size fills the text width, as in the PDF.
    assert abs(shapes[0].width - Cm(17)) < Cm(0.01)
    assert styles_and_text(document)[1] == ("Caption", "Figure 1. Funding.")
    assert document.paragraphs[0].style.name == "Figure"
    assert "label" not in body_xml(path)  # the SVG's own text is not content: the PNG stands in for it


def test_a_chart_is_placed_no_larger_than_300_dpi_allows_with_its_svg_for_word_2016(tmp_path):
    png = tiny_png(1890, 12)  # the chart's PNG: 6.3 inches at 300 dpi
    svg = b"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'><rect width='5' height='5'/></svg>"
    data = base64.b64encode(svg).decode("ascii")
    alt = "Funding by year: " + "several commitments in pounds and euros, " * 4 + "none converted."
    document, path = build(tmp_path, f'<figure class="chart"><img class="chart" src="data:image/svg+xml;base64,'
                                     f'{data}" alt="{alt}" data-asset="chart"></figure>', assets={"chart": png})
    shape = document.inline_shapes[0]
    assert shape.width <= Cm(2.54) * 1890 / 300 and shape.width > Cm(15.9)
    assert 1890 / (shape.width / Cm(2.54)) >= 300
    # Word 2016 and later draw the SVG; older readers and LibreOffice 7 show the PNG.
    blip = shape._inline.graphic.graphicData.pic.blipFill.blip
    svg_blip = blip.find(".//{http://schemas.microsoft.com/office/drawing/2016/SVG/main}svgBlip")
    assert svg_blip is not None
    assert document.part.related_parts[svg_blip.get(qn("r:embed"))].blob == svg
    with zipfile.ZipFile(path) as z:
        assert 'ContentType="image/svg+xml"' in z.read("[Content_Types].xml").decode()
    # The description is the whole alt text; the short title is cut after a whole word.
    doc_pr = shape._inline.docPr
    assert doc_pr.get("descr") == alt
    title = doc_pr.get("title")
    assert len(title) <= 100 and title.endswith("…")
    assert alt.startswith(title[:-1]) and not alt[len(title) - 1].isalnum()  # ends at a word's end


@pytest.mark.parametrize("text, limit, expected", [
    ("short enough", 20, "short enough"),
    ("one two three four", 12, "one two…"),
    ("one two three four", 14, "one two three…"),   # the cut falls on a space: keep the whole word before it
    ("one two, three", 10, "one two…"),             # no comma before the ellipsis
    ("averyveryverylongword", 10, "averyvery…"),    # one word longer than the limit is cut, not dropped
    ("  spaced\n out  ", 20, "spaced out"),
])
def test_cut_at_word(text, limit, expected):
    cut = cut_at_word(text, limit)
    assert cut == expected and len(cut) <= limit


def test_class_driven_emphasis_follows_the_css(tmp_path):
    css = ("td.amount { font-weight: bold; white-space: nowrap } .lead { font-weight: bold } "
           ".quiet { font-weight: normal } .aside { font-style: italic } p.note.x { font-weight: 700 }")
    document, _ = build(tmp_path, """<p class="lead">Lead</p><p>Plain <em>it</em> <strong>b</strong>
<strong class="quiet">not bold</strong> <span class="aside">aside</span></p><p class="note x">Both</p>
<table><tr><th>Amount</th><th>Text</th></tr><tr><td class="amount">£15m</td><td>text</td></tr></table>""", css=css)
    lead, plain, both = document.paragraphs[:3]
    assert [r.bold for r in lead.runs] == [True]
    runs = {r.text.strip(): r for r in plain.runs if r.text.strip()}
    assert runs["it"].italic and runs["b"].bold and not runs["not bold"].bold and runs["aside"].italic
    assert not runs["Plain"].bold and both.runs[0].bold
    amount, text = document.tables[0].rows[1].cells
    assert [r.bold for r in amount.paragraphs[0].runs] == [True] and not text.paragraphs[0].runs[0].bold


def test_tables_take_the_pdfs_column_widths_when_given(tmp_path):
    body = ('<table data-widths="50,50"><tr><td>a</td><td>b</td></tr></table>'
            '<table><tr><td>c</td><td>d</td><td>e</td></tr></table>')
    path = tmp_path / "out.docx"
    write_docx(page(body), path, META, {}, column_widths=[[120.5, 361.0], [100.0, 200.0, 181.5]])
    document = Document(str(path))
    widths = [[round(c.w.pt, 1) for c in t._tbl.tblGrid.gridCol_lst] for t in document.tables]
    # Narrow columns (under a quarter of the table) get 4 pt more, from the widest column: Word sets a
    # value the PDF fitted to the point a hair wider.
    assert widths == [[120.5, 361.0], [104.0, 196.0, 181.5]]
    # Measured from other HTML (a table more or less): not used; data-widths and equal columns instead.
    write_docx(page(body), path, META, {}, column_widths=[[120.5, 361.0]])
    document = Document(str(path))
    assert [round(c.w / Cm(1), 1) for c in document.tables[0]._tbl.tblGrid.gridCol_lst] == [8.5, 8.5]


def test_a_paragraph_after_a_table_keeps_the_tables_bottom_margin(tmp_path):
    document, _ = build(tmp_path, """<table><tr><td>a</td></tr></table><p>After</p>
<table><tr><td>b</td></tr></table><h2>Heading after</h2>
<table><tr><td>c</td></tr></table><table><tr><td>d</td></tr></table><p>End</p>""")
    after, heading, spacer, end = document.paragraphs
    assert after.paragraph_format.space_before == Pt(9)  # table { margin-bottom: 0.9em } at 10pt
    assert heading.paragraph_format.space_before == Pt(16.5)  # the heading's own margin is larger
    # Two tables in a row are kept apart (Word would merge them) by a paragraph as tall as the gap.
    assert spacer.text == "" and spacer.paragraph_format.line_spacing == Pt(9)
    body = document.element.body
    kinds = [c.tag.split("}")[1] for c in body if c.tag != qn("w:sectPr")]
    assert kinds == ["tbl", "p", "tbl", "p", "tbl", "p", "tbl", "p"]
    assert end.paragraph_format.space_before == Pt(9)


def test_css_rules_colours_and_margins_of_blocks(tmp_path):
    css = (".cover { border-bottom: 2px solid #1d4f91; margin-bottom: 0.8em; padding-bottom: 0.5em; } "
           ".as-of { border-left: 3px solid #1d4f91; padding-left: 0.6em } "
           ".warning { border-top: 2px solid #b5482a; margin-top: 1.2em } .warning h2 { color: #b5482a } "
           "td .x { color: #444 } .totals { margin-top: 0.3em }")
    document, _ = build(tmp_path, """<header class="cover"><p class="marking">OFFICIAL</p>
<h1 class="doc-title">Title</h1><p class="meta">Team · date</p></header>
<p class="as-of">As of today</p><p class="totals">Totals</p>
<section class="warning"><h2>Not for use</h2><p>Text</p></section><h2>Other</h2>""", css=css)
    meta, as_of, totals, warning, text, other = document.paragraphs[2:8]

    def border(para, side):
        element = para._p.pPr.find(qn("w:pBdr")) if para._p.pPr is not None else None
        element = element.find(qn(f"w:{side}")) if element is not None else None
        return None if element is None else (element.get(qn("w:sz")), element.get(qn("w:color")),
                                             element.get(qn("w:space")))

    # The cover's rule under its last paragraph, 0.5em below the text, then the cover's 0.8em margin.
    assert meta.style.name == "Meta" and border(meta, "bottom") == ("12", "1D4F91", "6")
    assert meta.paragraph_format.space_after == Pt(8.8)
    # A left rule, the text moved right by the rule and the padding.
    assert border(as_of, "left") == ("18", "1D4F91", "7")  # 3px = 2.25pt, in eighths of a point
    assert as_of.paragraph_format.left_indent == Pt(2.25 + 6.6)
    assert totals.paragraph_format.space_before == Pt(3.3)
    # A top rule above the section's first paragraph, the heading's own margin inside it; colour from "A B".
    assert border(warning, "top") == ("12", "B5482A", "16") and warning.paragraph_format.space_before == Pt(13.2)
    assert [r.font.color.rgb for r in warning.runs] == [RGBColor(0xB5, 0x48, 0x2A)]
    assert border(text, "top") is None and other.runs[0].font.color.rgb is None


def test_note_sized_lists(tmp_path):
    document, _ = build(tmp_path, """<ol class="sources"><li id="source-1">One</li><li>Two</li></ol>
<ol class="notes"><li>Note one</li></ol>""")
    sources = document.paragraphs[0:3]
    assert [p.style.name for p in sources] == ["Small List Number"] * 3
    assert document.styles["Small List Number"].font.size == Pt(9.5)
    # Each list counts from 1 although the style inherits its numbering from List Number.
    assert sources[0]._p.pPr.numPr.numId.val != sources[2]._p.pPr.numPr.numId.val


def test_links_are_real_hyperlinks_and_anchors_have_bookmarks(tmp_path):
    document, path = build(tmp_path, """
<p>See <a href="https://www.gov.uk/x">GOV.UK</a> and source<sup class="cite"><a href="#source-1">1</a></sup>.</p>
<ol class="sources"><li id="source-1">Home Office, 2019.</li></ol>""")
    xml = body_xml(path)
    external = document.paragraphs[0]._p.findall(qn("w:hyperlink"))
    r_id = external[0].get(qn("r:id"))
    assert document.part.rels[r_id].target_ref == "https://www.gov.uk/x"
    assert external[1].get(qn("w:anchor")) == "source_1"
    assert '<w:bookmarkStart w:id="1" w:name="source_1"/>' in xml
    assert document.paragraphs[0].text == "See GOV.UK and source1."
    link_run = external[0].findall(qn("w:r"))[0]
    assert link_run.rPr.rStyle.val == "Hyperlink"


def test_page_breaks_follow_the_pages_css(tmp_path):
    css = (".page-break { break-before: page } .annex { page-break-before: always } "
           ".front-sheet { break-after: page } @media screen { .late { break-before: page } } "
           "section.pb > h2 { break-before: page } section.pb h2 { font-style: italic }")
    document, _ = build(tmp_path, '<section class="front-sheet"><p>One</p></section><p>Two</p>'
                                  '<div class="page-break"></div><p>Three</p>'
                                  '<section class="annex"><h2>Annex</h2></section><p class="late">Four</p>'
                                  '<section class="pb"><h2>Five</h2></section>', css=css)
    breaks = [(p.text, p.paragraph_format.page_break_before) for p in document.paragraphs]
    # @media rules and selectors with combinators are not read: the PDF's print layout is what counts.
    assert breaks == [("One", None), ("Two", True), ("Three", True), ("Annex", True), ("Four", None),
                      ("Five", None)]
    assert document.paragraphs[-1].runs[0].italic


def test_page_breaks_without_a_stylesheet_use_the_documented_classes(tmp_path):
    path = tmp_path / "out.docx"
    html = ('<html><head><title>T</title></head><body><p>One</p><div class="page-break"></div><p>Two</p>'
            '<section class="page-break-before"><h2>Three</h2></section>'
            '<section class="annex"><h2>Annex</h2></section><p>Four</p></body></html>')
    write_docx(html, path, META, {})
    breaks = [p.paragraph_format.page_break_before for p in Document(str(path)).paragraphs]
    assert breaks == [None, True, True, True, None]


CONTENTS = """
<nav class="toc" aria-label="Contents"><p class="toc-title"><strong>Contents</strong></p>
<ol><li class="level-1"><a href="#background">Background</a></li>
<li class="level-2"><a href="#people">People</a></li></ol></nav>
<h2 id="background">Background</h2><h3 id="people">People</h3>"""


def test_contents_is_a_toc_field_with_page_numbers_and_no_update_prompt(tmp_path):
    document, path = build(tmp_path, CONTENTS, page_numbers={"background": 1, "people": 3, "other": 9})
    assert styles_and_text(document)[:3] == [("TOC Heading", "Contents"), ("toc 1", "Background\t1"),
                                             ("toc 2", "People\t3")]
    xml = body_xml(path)
    assert 'TOC \\o "1-2" \\h \\z \\u' in xml
    # One TOC field holding one PAGEREF field per entry, each with its page number as the cached result.
    assert xml.count('w:fldCharType="begin"') == xml.count('w:fldCharType="end"') == 3
    entries = document.paragraphs[1:3]
    for para, (bookmark, number) in zip(entries, [("background", "1"), ("people", "3")], strict=True):
        link = para._p.find(qn("w:hyperlink"))
        assert link.get(qn("w:anchor")) == bookmark  # the whole entry links to the heading
        instructions = [t.text for t in link.iter(qn("w:instrText"))]
        assert instructions == [f" PAGEREF {bookmark} \\h "]
        texts = [t.text for t in link.iter(qn("w:t"))]
        assert texts[-1] == number and link.find(f".//{qn('w:tab')}") is not None
        # A right-aligned tab stop with dot leader at the text's right edge (the toc style's).
        stop = para.style.paragraph_format.tab_stops[0]
        assert (stop.alignment, stop.leader, abs(stop.position - Cm(17)) < Cm(0.01)) == (
            WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS, True)
    # The headings' bookmarks span their text, as the bookmarks of Word's own contents do.
    heading = document.paragraphs[3]._p
    assert [c.tag.split("}")[1] for c in heading if c.tag != qn("w:pPr")] == ["bookmarkStart", "r", "bookmarkEnd"]
    with zipfile.ZipFile(path) as z:
        assert "updateFields" not in z.read("word/settings.xml").decode()


def test_contents_without_page_numbers_has_entries_but_no_numbers(tmp_path):
    document, path = build(tmp_path, CONTENTS)
    assert styles_and_text(document)[:3] == [("TOC Heading", "Contents"), ("toc 1", "Background"),
                                             ("toc 2", "People")]
    xml = body_xml(path)
    assert "PAGEREF" not in xml and xml.count('w:fldCharType="begin"') == 1
    assert 'w:anchor="background"' in xml and 'w:name="background"' in xml


def test_document_level_properties_header_footer_and_page(tmp_path):
    document, path = build(tmp_path, "<p>Body</p>")
    props = document.core_properties
    when = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)
    assert (props.title, props.subject, props.author, props.keywords, props.language) == (
        "Border cooperation", "What the UK funded", "Policy Team", "official briefing, OFFICIAL", "en-GB")
    assert props.created == props.modified == props.last_printed == when
    assert (props.revision, props.last_modified_by, props.comments) == (1, "Policy Team", "")
    section = document.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.01) and abs(section.page_height - Cm(29.7)) < Cm(0.01)
    assert abs(section.left_margin - Cm(2)) < Cm(0.01)
    assert abs(section.top_margin - Mm(22)) < Mm(0.1) and abs(section.bottom_margin - Mm(22)) < Mm(0.1)
    header = section.header.paragraphs[0]
    assert header.text == "OFFICIAL" and header.runs[0].bold and header.alignment == 1
    # The footer is one line, as the PDF's: marking at a centre tab stop, "Page X of Y" at a right one.
    for footer in (section.footer, section.first_page_footer):
        assert [p.text for p in footer.paragraphs] == ["\tOFFICIAL\tPage 1 of 1"]
        para = footer.paragraphs[0]
        stops = [(t.alignment, round(t.position / Cm(0.1))) for t in para.paragraph_format.tab_stops
                 if t.alignment != WD_TAB_ALIGNMENT.CLEAR]
        assert stops == [(WD_TAB_ALIGNMENT.CENTER, 85), (WD_TAB_ALIGNMENT.RIGHT, 170)]  # in mm
        assert [r.text for r in para.runs if r.bold] == ["OFFICIAL"]
        assert " PAGE " in footer._element.xml and " NUMPAGES " in footer._element.xml
    # The cover shows the marking itself, so the first page's header has none (as in the PDF).
    assert section.different_first_page_header_footer
    assert [p.text for p in section.first_page_header.paragraphs] == [""]
    with zipfile.ZipFile(path) as z:
        styles = z.read("word/styles.xml").decode()
        assert 'w:lang w:val="en-GB"' in styles
        assert {i.date_time for i in z.infolist()} == {(2026, 11, 22, 0, 0, 0)}
        assert z.namelist()[0] == "[Content_Types].xml"


def test_language_falls_back_to_html_lang(tmp_path):
    meta = {**META, "language": ""}
    document, _ = build(tmp_path, "<p>Texte</p>", meta=meta)
    assert document.core_properties.language == "en-GB"


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("snippet, tag", [
    ("<p>a</p><script>alert(1)</script>", "script"),
    ('<iframe src="https://example.org"></iframe>', "iframe"),
    ("<form><input name=x></form>", "form"),
    ('<p>Text <input name="x"></p>', "input"),
    ("<video src=x></video>", "video"),
    ("<canvas></canvas>", "canvas"),
    ("<object data=x></object>", "object"),
    ("<embed src=x>", "embed"),
    ("<blockquote>q</blockquote>", "blockquote"),
    ("<p>a <blink>b</blink></p>", "blink"),
    ("<style>p{}</style>", "style"),
    ("<h5>deep</h5>", "h5"),
])
def test_unsupported_html_is_an_error_naming_template_element_and_line(tmp_path, snippet, tag):
    with pytest.raises(BriefgenError) as info:
        build(tmp_path, "<p>before</p>\n" + snippet)
    message = str(info.value)
    assert message.startswith(f"templates/test.html.j2: <{tag}>")
    assert "is not supported in Word output (line 3" in message
    assert "supported: a, abbr, article" in message
    assert not (tmp_path / "out.docx").exists()


@pytest.mark.parametrize("snippet, words", [
    ('<figure><svg viewBox="0 0 1 1"></svg></figure>', "<svg> (line 3) needs role"),
    ('<svg role="img" aria-label="x" data-asset="missing"></svg>', "asset 'missing'"),
    ('<img src="https://example.org/x.png" alt="x">', "<img> (line 3) needs a data:image/png"),
    ('<img src="x.png" alt="x" data-asset="nope">', "no such PNG asset"),
    ("<table>stray text<tr><td>x</td></tr></table>", "text 'stray text' directly inside <table>"),
    ('<table><tr><td rowspan="2">x</td></tr></table>', "rowspan"),
    ('<table data-widths="50,50"><tr><td>x</td><td>y</td><td>z</td></tr></table>', "needs 3 positive"),
    ("<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>", "inside a table cell"),
    ('<p><a href="javascript:alert(1)">x</a></p>', "links with this scheme"),
    ("<li>orphan</li>", "outside <ul> or <ol>"),
])
def test_other_unconvertible_input_is_an_error(tmp_path, snippet, words):
    with pytest.raises(BriefgenError) as info:
        build(tmp_path, "<p>before</p>\n" + snippet)
    assert str(info.value).startswith("templates/test.html.j2: ")
    assert words in str(info.value)


def test_script_in_head_is_an_error(tmp_path):
    path = tmp_path / "out.docx"
    with pytest.raises(BriefgenError, match=r"^t: <script> in <head> is not supported in Word output \(line 1\)"):
        write_docx("<html><head><title>x</title><script>x()</script></head><body><p>a</p></body></html>", path,
                   META, {}, template_name="t")


def test_a_broken_reference_document_is_an_error(tmp_path):
    reference = tmp_path / "reference.docx"
    reference.write_bytes(b"not a zip")
    with pytest.raises(BriefgenError, match="not a usable Word reference document"):
        write_docx(page("<p>a</p>"), tmp_path / "out.docx", META, {}, reference=reference)


def test_head_content_and_comments_are_ignored_not_errors(tmp_path):
    document, _ = build(tmp_path, "<!-- a comment --><p>Kept<!-- inner --> text</p>")
    assert [p.text for p in document.paragraphs] == ["Kept text"]


# ---------------------------------------------------------------- reproducibility, speed, reference

def sample_body(paragraphs: int, rows: int) -> str:
    parts = ['<header class="cover"><p class="marking">OFFICIAL</p><h1 class="doc-title">T</h1></header>',
             '<nav class="toc" aria-label="Contents"><ol><li class="level-1"><a href="#s0">S0</a></li></ol></nav>']
    for i in range(paragraphs):
        if i % 50 == 0:
            parts.append(f'<h2 id="s{i}">Section {i}</h2>')
        parts.append(f'<p>Paragraph {i} with <strong>bold</strong>, <em>italic</em> and a cite'
                     f'<sup class="cite"><a href="#source-{i % 20}">{i % 20}</a></sup>.</p>')
    parts.append('<table data-widths="22,78"><thead><tr><th>Date</th><th>Event</th></tr></thead><tbody>')
    for i in range(rows):
        parts.append(f'<tr id="event-{i}"><td>{i} May 2020</td><td><p><strong>Event {i}.</strong> Summary.'
                     f'<sup class="cite"><a href="#source-1">1</a></sup></p><p class="note">Who: A.</p></td></tr>')
    parts.append('</tbody></table><ol class="sources">')
    parts += [f'<li id="source-{i}">Source {i}</li>' for i in range(20)]
    parts.append("</ol>")
    return "\n".join(parts)


def test_same_input_gives_identical_bytes(tmp_path):
    body = sample_body(60, 20) + '<figure><svg role="img" aria-label="c" data-asset="c"></svg></figure>'
    _, first = build(tmp_path, body, assets={"c": tiny_png()}, name="a.docx")
    time.sleep(1.1)  # a timestamp taken from the clock would now differ
    _, second = build(tmp_path, body, assets={"c": tiny_png()}, name="b.docx")
    assert first.read_bytes() == second.read_bytes()


def test_time_grows_linearly(tmp_path):
    def best_of_three(paragraphs: int) -> float:
        html = page(sample_body(paragraphs, paragraphs // 4))
        times = []
        for _ in range(3):  # the fastest of three: a busy machine only ever adds time
            started = time.perf_counter()
            write_docx(html, tmp_path / "t.docx", META, {})
            times.append(time.perf_counter() - started)
        return min(times)

    best_of_three(200)  # warm caches (reference styles, imports)
    # Four times the content: linear code takes about 4x; the quadratic behaviour of naive
    # python-docx would take about 16x. The margin absorbs a busy shared machine.
    small, large = best_of_three(1000), best_of_three(4000)
    assert large / small < 6.5, f"1,000 paragraphs: {small:.2f} s, 4,000: {large:.2f} s"
    assert large < 20, f"4,000 paragraphs took {large:.1f} s"


def test_the_backend_module_still_offers_what_other_modules_import():
    """briefgen/backends/docx.py is the entry point over the docx_* modules: the names build.py, the tests and
    the documented make_reference_docx command import from it stay there."""
    import briefgen.backends.docx as backend

    for name in ("write_docx", "docx_bytes", "make_reference_docx", "reference_parts", "REFERENCE_MEMBERS_MAX",
                 "cut_at_word", "word_property", "picture_width", "ARIAL_SINGLE_LINE", "_reference_bytes"):
        assert hasattr(backend, name), name
    assert set(backend.__all__) <= set(dir(backend))


def test_shipped_reference_is_what_make_reference_docx_writes(tmp_path):
    made = tmp_path / "reference.docx"
    make_reference_docx(made)
    shipped = ROOT / "templates" / "reference.docx"
    assert shipped.read_bytes() == made.read_bytes(), \
        "templates/reference.docx is stale: regenerate it with make_reference_docx"
    document = Document(str(made))
    names = {s.name for s in document.styles}
    assert {"Title", "Heading 1", "Heading 2", "Heading 3", "Note", "Lead", "Marking", "Caption", "Figure",
            "Table Text", "Table Heading", "Briefing Table", "TOC Heading", "toc 1", "toc 2", "Hyperlink",
            "List Bullet", "List Bullet 2", "List Number", "List Number 2", "List Continue"} <= names
    assert document.styles["Normal"].font.name == "Arial"
    assert "docProps/thumbnail.jpeg" not in zipfile.ZipFile(made).namelist()


def test_a_user_reference_document_supplies_the_styles(tmp_path):
    reference = tmp_path / "mine.docx"
    make_reference_docx(reference)
    custom = Document(str(reference))
    custom.styles["Heading 1"].font.size = Pt(28)
    custom.add_paragraph("Sample text in the reference, not wanted in output")
    custom.save(str(reference))
    path = tmp_path / "out.docx"
    write_docx(page("<h2>Section</h2><p>Body</p>"), path, META, {}, reference=reference)
    document = Document(str(path))
    assert styles_and_text(document) == [("Heading 1", "Section"), ("Normal", "Body")]
    assert document.styles["Heading 1"].font.size == Pt(28)


# ---------------------------------------------------------------- other readers

def test_pandoc_recovers_headings_lists_and_tables(tmp_path):
    _, path = build(tmp_path, """<h1 class="doc-title">Title</h1><h2 id="bg">Background</h2><p>Text.</p>
<h3>People</h3><ul><li>One</li></ul>
<table><thead><tr><th>Date</th><th>Event</th></tr></thead>
<tbody><tr><td>2009</td><td>Summit</td></tr></tbody></table>""")
    markdown = subprocess.run(["pandoc", "-f", "docx", "-t", "markdown", str(path)], capture_output=True,
                              text=True, check=True, timeout=60).stdout
    assert "# Background" in markdown and "## People" in markdown
    assert "-   One" in markdown
    assert "Date" in markdown and "Summit" in markdown and "----" in markdown


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice or poppler not installed")
def test_libreoffice_renders_it(tmp_path):
    _, path = build(tmp_path, sample_body(30, 10))
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], capture_output=True, timeout=180, check=True,
                   env={**os.environ, "HOME": str(tmp_path)})
    text = subprocess.run(["pdftotext", str(tmp_path / "out.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Contents" in text and "Paragraph 29 with bold" in text and "Event 9." in text
    assert "OFFICIAL" in text and "Page 1 of" in text
