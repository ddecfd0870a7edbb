"""The Word backend: handcrafted HTML in, a .docx reopened with python-docx and checked.

Each test writes a small document with `write_docx` and asserts on what Word
would see: paragraph style names, table header rows, list numbering, alt text,
fields, core properties, header and footer. Also: unsupported HTML stops the
build with a named error, equal input gives equal bytes, the time grows
linearly, the shipped reference.docx is what `make_reference_docx` makes, and
pandoc and LibreOffice (when installed) read the result back.
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
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from briefgen.backends.docx import make_reference_docx, write_docx
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


def page(body: str, lang: str = "en-GB") -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>T</title>'
            f"<style>p {{ color: red }}</style></head><body>\n{body}\n</body></html>")


def build(tmp_path: Path, body: str, assets: dict | None = None, meta: dict | None = None, name: str = "out.docx"):
    path = tmp_path / name
    result = write_docx(page(body), path, meta or META, assets or {}, template_name="templates/test.html.j2")
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
    document, path = build(tmp_path, """
<ul><li>One</li><li>Two <ul><li>Two a</li></ul></li><li><p>Three</p><p>More of three</p></li><li></li></ul>
<ol><li>First</li><li>Second<ol><li>Nested</li></ol></li></ol>
<ol start="4"><li>Fourth</li></ol>
<ul class="note"><li>Small <strong>print</strong></li></ul>""")
    assert styles_and_text(document) == [
        ("List Bullet", "One"), ("List Bullet", "Two"), ("List Bullet 2", "Two a"), ("List Bullet", "Three"),
        ("List Continue", "More of three"), ("List Bullet", ""), ("List Number", "First"),
        ("List Number", "Second"), ("List Number 2", "Nested"), ("List Number", "Fourth"),
        ("List Bullet", "Small print")]
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
    assert (caption.style.name, caption.text) == ("Caption", "Key dates")
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
    assert [p.style.name for p in table.cell(1, 1).paragraphs] == ["Table Text", "Note"]
    assert table.cell(1, 1).paragraphs[0].runs[0].bold
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
    assert abs(shapes[0].width - Cm(16)) < Cm(0.01)
    assert styles_and_text(document)[1] == ("Caption", "Figure 1. Funding.")
    assert document.paragraphs[0].style.name == "Figure"
    assert "label" not in body_xml(path)  # the SVG's own text is not content: the PNG stands in for it


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


def test_page_breaks(tmp_path):
    document, _ = build(tmp_path, '<p>One</p><div class="page-break"></div><p>Two</p>'
                                  '<section class="page-break-before"><h2>Three</h2></section>'
                                  '<section class="annex"><h2>Annex</h2></section><p>Four</p>')
    breaks = [p.paragraph_format.page_break_before for p in document.paragraphs]
    assert breaks == [None, True, True, True, None]


def test_contents_becomes_a_toc_field(tmp_path):
    document, path = build(tmp_path, """
<nav class="toc" aria-label="Contents"><p class="toc-title"><strong>Contents</strong></p>
<ol><li class="level-1"><a href="#background">Background</a></li>
<li class="level-2"><a href="#people">People</a></li></ol></nav>
<h2 id="background">Background</h2><h3 id="people">People</h3>""")
    assert styles_and_text(document)[:3] == [("TOC Heading", "Contents"), ("toc 1", "Background"),
                                             ("toc 2", "People")]
    xml = body_xml(path)
    assert 'TOC \\o "1-2" \\h \\z \\u' in xml
    assert xml.count('w:fldCharType="begin"') == xml.count('w:fldCharType="end"') == 1
    with zipfile.ZipFile(path) as z:
        assert '<w:updateFields w:val="true"/>' in z.read("word/settings.xml").decode()
    # The cached entries link to the headings' bookmarks.
    assert 'w:anchor="background"' in xml and 'w:name="background"' in xml


def test_document_level_properties_header_footer_and_page(tmp_path):
    document, path = build(tmp_path, "<p>Body</p>")
    props = document.core_properties
    when = dt.datetime(2026, 11, 22, tzinfo=dt.timezone.utc)
    assert (props.title, props.subject, props.author, props.keywords, props.language) == (
        "Border cooperation", "What the UK funded", "Policy Team", "official briefing, OFFICIAL", "en-GB")
    assert props.created == props.modified == props.last_printed == when
    assert (props.revision, props.last_modified_by, props.comments) == (1, "Policy Team", "")
    section = document.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.01) and abs(section.page_height - Cm(29.7)) < Cm(0.01)
    assert abs(section.left_margin - Cm(2)) < Cm(0.01)
    header = section.header.paragraphs[0]
    assert header.text == "OFFICIAL" and header.runs[0].bold and header.alignment == 1
    footer_text = [p.text for p in section.footer.paragraphs]
    assert footer_text[0] == "OFFICIAL" and footer_text[1].startswith("Page ")
    footer_xml = section.footer._element.xml
    assert " PAGE " in footer_xml and " NUMPAGES " in footer_xml
    # The cover shows the marking itself; its page's footer still has marking and page number.
    assert section.different_first_page_header_footer
    assert [p.text for p in section.first_page_footer.paragraphs][0] == "OFFICIAL"
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
    body = sample_body(60, 20) + f'<figure><svg role="img" aria-label="c" data-asset="c"></svg></figure>'
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

@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")
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
