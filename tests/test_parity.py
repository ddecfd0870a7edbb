"""Parity: each audience's Word file, as LibreOffice lays it out, against its PDF.

The shipped briefing is built once (every audience, PDF and Word); LibreOffice
converts all the .docx files to PDF in one call, with a private profile. Then,
for every audience: the page counts are equal or within one; the headings
(h2/h3) are the same, in the same order, in the PDF's outline, in the Word
file's heading paragraphs and in LibreOffice's outline; the page numbers the
Word contents list prints are the pages LibreOffice put those headings on
(found with `pdftotext -layout`, page by page); the Word file opens without an
"update fields?" prompt; its footer is one paragraph with the marking and a
PAGE field; amounts (td.amount) are bold; the chart's PNG has at least 300
pixels per inch of the width it is placed at; the file titles name the
audience. The reference document's type scale is checked against
templates/briefing.css, so the two cannot drift apart unnoticed.

Nothing here names the shipped briefing's headings or counts: the expected
values are read from the PDF, the HTML and the CSS of the same build.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import lxml.html
import pytest
from docx import Document
from docx.image.image import Image as DocxImage
from docx.oxml.ns import qn
from docx.shared import Emu, Pt
from pypdf import PdfReader

from briefgen.backends.docx import ARIAL_SINGLE_LINE, _reference_bytes
from briefgen.build import html_title
from briefgen.pdf_layout import pdf_layout

ROOT = Path(__file__).resolve().parent.parent
CSS = ROOT / "templates" / "briefing.css"
HEADING_STYLES = ("Heading 1", "Heading 2")  # h2, h3: the levels the contents and the PDF outline carry


# ---------------------------------------------------------------- the build and LibreOffice's layout of it

class Audience:
    def __init__(self, name: str, pdf: Path, docx: Path, html: Path, lo_pdf: Path) -> None:
        self.name, self.pdf, self.docx, self.html, self.lo_pdf = name, pdf, docx, html, lo_pdf
        self.document = Document(str(docx))

    def __repr__(self) -> str:
        return self.name


@pytest.fixture(scope="module")
def audiences(shipped_build, tmp_path_factory) -> list[Audience]:
    if not (shutil.which("soffice") and shutil.which("pdftotext")):
        pytest.skip("LibreOffice or poppler not installed")
    docx_files = sorted(shipped_build.glob("*.docx"))
    assert docx_files, "the build wrote no Word files"
    lo = tmp_path_factory.mktemp("libreoffice")
    profile = lo / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(lo), *map(str, docx_files)], capture_output=True, timeout=240, check=True,
                   env={**os.environ, "HOME": str(lo)})
    found = []
    for docx in docx_files:
        name = docx.stem.split("_")[-2]  # slug_audience_date
        found.append(Audience(name, docx.with_suffix(".pdf"), docx, docx.with_suffix(".html"),
                              lo / (docx.stem + ".pdf")))
    return found


def pages_text(pdf: Path) -> list[str]:
    """The text of each page, laid out (`pdftotext -layout`)."""
    count = len(PdfReader(str(pdf)).pages)
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout for n in range(1, count + 1)]


def words(text: str) -> str:
    return " ".join(text.split())


def outline_titles(pdf: Path) -> list[str]:
    def flat(items):
        for item in items:
            if isinstance(item, list):
                yield from flat(item)
            else:
                yield words(item.title)
    return list(flat(PdfReader(str(pdf)).outline))


def heading_paragraphs(document) -> list[str]:
    return [words(p.text) for p in document.paragraphs if p.style.name in HEADING_STYLES]


def page_of_heading(pages: list[str], heading: str, start: int) -> int | None:
    """The first page from `start` (1-based) with a line that is the heading (or begins it, if it wraps)."""
    wanted = words(heading)
    for number in range(start, len(pages) + 1):
        for line in pages[number - 1].splitlines():
            line = words(line)
            if line == wanted or (len(line) >= 30 and wanted.startswith(line) and "...." not in line):
                return number
    return None


def contents_entries(document) -> list[tuple[str, str, str]]:
    """(entry text, bookmark, page number printed) for each contents entry with a PAGEREF field."""
    entries = []
    for para in document.paragraphs:
        if not para.style.name.lower().startswith("toc "):
            continue
        for link in para._p.findall(qn("w:hyperlink")):
            instructions = " ".join(t.text for t in link.iter(qn("w:instrText")))
            match = re.search(r"PAGEREF (\S+)", instructions)
            if not match:
                continue
            texts = [t.text for t in link.iter(qn("w:t"))]
            entries.append((words("".join(texts[:-1])), match.group(1), texts[-1]))
    return entries


# ---------------------------------------------------------------- the checks

def test_page_counts_equal_or_within_one(audiences):
    report = []
    for a in audiences:
        pdf, word = len(PdfReader(str(a.pdf)).pages), len(PdfReader(str(a.lo_pdf)).pages)
        report.append((a.name, pdf, word))
    print("\npages (PDF, Word through LibreOffice): " + ", ".join(f"{n} {p}/{w}" for n, p, w in report))
    assert all(abs(p - w) <= 1 for _, p, w in report), report


def test_headings_are_the_same_and_in_the_same_order(audiences):
    for a in audiences:
        in_pdf = outline_titles(a.pdf)
        assert in_pdf, f"{a}: the PDF has no outline"
        assert heading_paragraphs(a.document) == in_pdf, a
        assert outline_titles(a.lo_pdf) == in_pdf, a
        # Each heading is on a page of its own line in LibreOffice's layout, in order.
        pages, start = pages_text(a.lo_pdf), 1
        for heading in in_pdf:
            found = page_of_heading(pages, heading, start)
            assert found is not None, f"{a}: heading {heading!r} not found from page {start} on"
            start = found


def test_contents_page_numbers_are_where_libreoffice_puts_the_headings(audiences):
    with_contents = [a for a in audiences if contents_entries(a.document)]
    assert with_contents, "no audience has a contents list with page numbers"
    for a in with_contents:
        entries = contents_entries(a.document)
        lo_pages, pdf_pages = pages_text(a.lo_pdf), pages_text(a.pdf)
        printed, placed, in_pdf = [], [], []
        lo_start = pdf_start = 1
        for text, _, page in entries:
            printed.append(int(page))
            lo_start = page_of_heading(lo_pages, text, lo_start) or 0
            pdf_start = page_of_heading(pdf_pages, text, pdf_start) or 0
            placed.append(lo_start)
            in_pdf.append(pdf_start)
            lo_start, pdf_start = max(lo_start, 1), max(pdf_start, 1)
        print(f"\n{a}: contents prints {printed}; LibreOffice puts the headings on {placed}; the PDF on {in_pdf}")
        assert printed == placed, [(e[0], p, q) for e, p, q in zip(entries, printed, placed, strict=False) if p != q]
        assert printed == in_pdf
        # LibreOffice shows the same numbers on the contents page itself.
        contents_page = next(t for t in lo_pages if entries[0][0] in t)
        for text, _, page in entries:
            assert re.search(re.escape(text) + r"\s*\.{3,}\s*" + page + r"\b", words(contents_page)), text


def test_word_opens_without_an_update_fields_prompt(audiences):
    for a in audiences:
        with zipfile.ZipFile(a.docx) as z:
            assert "updateFields" not in z.read("word/settings.xml").decode(), a


def test_footer_is_one_line_with_marking_and_page_number(audiences):
    for a in audiences:
        section = a.document.sections[0]
        marking = words(lxml.html.parse(str(a.html)).getroot().find_class("marking")[0].text_content())
        for footer in (section.footer, section.first_page_footer):
            assert len(footer.paragraphs) == 1, a
            para = footer.paragraphs[0]
            assert marking in para.text and "Page" in para.text, a
            instructions = [t.text.strip() for t in para._p.iter(qn("w:instrText"))]
            assert instructions == ["PAGE", "NUMPAGES"], a
        # As laid out: marking and "Page N of M" on one line at the foot of every page.
        pages = pages_text(a.lo_pdf)
        for number, text in enumerate(pages, 1):
            last = [line for line in text.splitlines() if line.strip()][-1]
            assert marking in last and f"Page {number} of {len(pages)}" in words(last), (a, number, last)


def test_amounts_are_bold_in_word_as_in_the_pdf(audiences):
    checked = 0
    for a in audiences:
        tables = lxml.html.parse(str(a.html)).getroot().findall(".//table")
        assert len(tables) == len(a.document.tables), a
        for html_table, word_table in zip(tables, a.document.tables, strict=True):
            for r, tr in enumerate(html_table.iter("tr")):
                column = 0
                for td in (c for c in tr if c.tag in ("td", "th")):
                    if td.tag == "td" and "amount" in (td.get("class") or "").split():
                        cell = word_table.rows[r].cells[column]
                        runs = [run for p in cell.paragraphs for run in p.runs if run.text.strip()]
                        assert runs and all(run.bold for run in runs), (a, cell.text)
                        assert words(cell.text) == words(td.text_content())
                        checked += 1
                    column += int(td.get("colspan") or 1)
    assert checked, "no td.amount in any briefing"


def test_chart_png_has_300_dpi_at_its_placed_width(audiences):
    checked = 0
    for a in audiences:
        for shape in a.document.inline_shapes:
            r_id = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
            image = DocxImage.from_blob(a.document.part.related_parts[r_id].blob)
            inches = Emu(shape.width).inches
            assert image.px_width / inches >= 300, (a, image.px_width, inches)
            checked += 1
    assert checked, "no picture in any briefing"


def test_titles_name_the_audience(audiences):
    titles = []
    for a in audiences:
        expected = html_title(a.html.read_text(encoding="utf-8"))
        assert expected
        assert a.document.core_properties.title == expected, a
        assert words(PdfReader(str(a.pdf)).metadata.title) == expected, a
        titles.append(expected)
    assert len(set(titles)) == len(titles), titles


def test_html_title_is_parsed_and_unescaped():
    assert html_title("<html><head><title>A &amp; B —\n briefing</title></head><body></body></html>") == \
        "A & B — briefing"
    assert html_title("<html><head></head><body><p>x</p></body></html>") == ""


def test_pdf_layout_gives_pages_of_ids_and_column_widths(tmp_path):
    html = ("<html><head><style>@page { size: A4; margin: 20mm } .next { break-before: page } "
            "body { margin: 0 } table { width: 100%; border-collapse: collapse } td { padding: 0 }</style>"
            "</head><body>"
            "<h2 id='one'>One</h2><table><tr><td style='width: 25%'>a</td><td>b</td></tr></table>"
            "<h2 id='two' class='next'>Two</h2><p id='three'>Three</p>"
            "<table><tr><td>x</td><td>y</td><td>z</td></tr></table></body></html>")
    layout = pdf_layout(html, [tmp_path])
    assert {k: layout.pages[k] for k in ("one", "two", "three")} == {"one": 1, "two": 2, "three": 2}
    first, second = layout.table_columns
    text_width = (210 - 40) * 72 / 25.4
    assert abs(sum(first) - text_width) < 1 and abs(first[0] / sum(first) - 0.25) < 0.01
    assert len(second) == 3


# ---------------------------------------------------------------- the reference document against the CSS

def css_rules(css: str) -> dict[str, dict[str, str]]:
    """Selector → declarations, for the top-level rules of a stylesheet (@media and @page blocks dropped)."""
    import tinycss2

    rules: dict[str, dict[str, str]] = {}
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        declarations = {d.lower_name: tinycss2.serialize(d.value).strip()
                        for d in tinycss2.parse_declaration_list(rule.content, skip_comments=True,
                                                                 skip_whitespace=True)
                        if d.type == "declaration"}
        for selector in tinycss2.serialize(rule.prelude).split(","):
            rules.setdefault(" ".join(selector.split()), {}).update(declarations)
    return rules


def points(value: str, em: float | None = None) -> float:
    match = re.match(r"([\d.]+)(pt|em|mm)?", value.strip())
    number, unit = float(match.group(1)), match.group(2)
    return number * em if unit == "em" else number * 72 / 25.4 if unit == "mm" else number


def test_reference_styles_follow_briefing_css():
    css = CSS.read_text(encoding="utf-8")
    rules = css_rules(css)
    document = Document(io.BytesIO(_reference_bytes()))
    styles = document.styles

    def size(selector, prop="font-size"):
        return points(rules[selector][prop])

    body = size("html")
    assert rules["html"]["font-family"].split(",")[0].strip().strip("\"'") == "Arial"
    expected = {"Normal": body, "Title": size(".doc-title"), "Subtitle": size(".subtitle"),
                "Heading 1": size("h2"), "Heading 2": size("h3"), "Note": size(".note"),
                "Table Text": size("table"), "Table Heading": size("table"), "Caption": size("figcaption"),
                "Small List Number": size("ol.sources li")}
    for name, pt in expected.items():
        assert styles[name].font.size == Pt(pt), name
    # Line heights: CSS's ems as Word's multiple of Arial's single line.
    for name, selector in (("Normal", "html"), ("Table Text", "table"), ("Heading 1", "h2")):
        line = float(rules[selector]["line-height"])
        assert abs(styles[name].paragraph_format.line_spacing - line / ARIAL_SINGLE_LINE) < 0.005, name
    assert styles["Normal"].paragraph_format.space_after == Pt(points(rules["p"]["margin"].split()[2], body))
    # Arial everywhere: every style the backend writes names it or inherits it from Normal / the defaults.
    defaults = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:rFonts"))
    assert defaults.get(qn("w:ascii")) == "Arial"
    for style in styles:
        fonts = style.element.find(".//" + qn("w:rFonts"))
        if fonts is not None:
            assert fonts.get(qn("w:asciiTheme")) is None, style.name
            assert fonts.get(qn("w:ascii")) in ("Arial", "Courier", "Courier New"), style.name  # code: monospace
    # The page: A4 and the @page margins.
    page = re.search(r"@page\s*\{[^{}]*?margin:\s*([^;]+);", css).group(1).split()
    section = document.sections[0]
    top, right, bottom, left = (points(v) for v in page)
    for got, want in ((section.top_margin, top), (section.right_margin, right), (section.bottom_margin, bottom),
                      (section.left_margin, left)):
        assert abs(got.pt - want) < 0.5
    assert styles["Footer"].font.size == styles["Header"].font.size == Pt(
        points(re.search(r"@bottom-right\s*\{[^}]*?font:\s*([\d.]+pt)", css).group(1)))
