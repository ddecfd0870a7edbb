"""The PDF's tagged structure, read back with pikepdf: what a screen reader gets.

One build of the shipped example (PDF and HTML, every audience) serves the
module: the session's, where conftest has one. Each PDF is compared with the
HTML it was made from: one /Table per <table> with its header row once, one /L
per list, the figure's /BBox where the layout put the image, no leader dots
read aloud, citation links that name their source. The Matterhorn subset checker (briefgen.pdf_checks) must find
nothing, and must find exactly the fault planted in a damaged copy.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import lxml.html
import pikepdf
import pytest

from briefgen.backends.pdf_structure import Node, link_descriptions, marked_content_text, node_text, read_tree
from briefgen.pdf_checks import check_pdf

from conftest import ROOT, run_cli

AUDIENCES = ("minister", "official", "press")


@pytest.fixture(scope="module")
def built(request, tmp_path_factory) -> dict[str, dict]:
    """audience → {"pdf": Path, "html": str}: the session's shipped build if conftest offers one and it
    built, else our own of just PDF and HTML (so a broken Word backend does not hide these results)."""
    try:
        out = request.getfixturevalue("shipped_build")
    except Exception:  # no such fixture (FixtureLookupError), or its build of every format failed
        out = None
    if out is None:
        out = tmp_path_factory.mktemp("pdf-structure")
        result = run_cli("build", "--format", "pdf,html", "--audience", ",".join(AUDIENCES), "--out", str(out))
        assert result.returncode == 0, result.stderr
    found: dict[str, dict] = {}
    for audience in AUDIENCES:
        (pdf,) = Path(out).glob(f"*_{audience}_*.pdf")
        (html,) = Path(out).glob(f"*_{audience}_*.html")
        found[audience] = {"pdf": pdf, "html": html.read_text(encoding="utf-8")}
    return found


@pytest.fixture(scope="module")
def structures(built) -> dict[str, dict]:
    """audience → the PDF's structure tree, page texts by MCID, and the parsed HTML."""
    read = {}
    for audience, entry in built.items():
        pdf = pikepdf.open(entry["pdf"])
        nodes = [node for root in read_tree(pdf) for node in root.walk()]
        texts = {index: marked_content_text(page) for index, page in enumerate(pdf.pages)}
        read[audience] = {"pdf": pdf, "nodes": nodes, "texts": texts,
                          "html": lxml.html.document_fromstring(entry["html"]), "html_text": entry["html"]}
    yield read
    for entry in read.values():
        entry["pdf"].close()


def rendered(element) -> bool:
    """False for elements a browser or WeasyPrint would not show (hidden attribute, inline display:none)."""
    for node in [element, *element.iterancestors()]:
        if node.get("hidden") is not None or re.search(r"display\s*:\s*none", node.get("style") or ""):
            return False
    return True


def kids_of(node: Node, *kinds: str) -> list[Node]:
    return [kid for kid in node.kids if isinstance(kid, Node) and kid.kind in kinds]


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("audience", AUDIENCES)
def test_matterhorn_subset_passes(built, audience):
    assert check_pdf(built[audience]["pdf"]) == []


@pytest.mark.parametrize("audience", AUDIENCES)
def test_one_table_per_html_table_with_its_header_once(structures, audience):
    entry = structures[audience]
    html_tables = [t for t in entry["html"].iter("table") if rendered(t)]
    pdf_tables = [n for n in entry["nodes"] if n.kind == "/Table"]
    assert len(pdf_tables) == len(html_tables)
    for html_table, pdf_table in zip(html_tables, pdf_tables, strict=True):
        head_rows = html_table.xpath("./thead/tr")
        body_rows = html_table.xpath("./tbody/tr | ./tr | ./tfoot/tr")
        assert len(kids_of(pdf_table, "/THead")) == (1 if head_rows else 0)
        assert len(kids_of(pdf_table, "/TBody")) <= 1
        pdf_head_rows = [r for head in kids_of(pdf_table, "/THead") for r in kids_of(head, "/TR")]
        pdf_body_rows = [r for group in kids_of(pdf_table, "/TBody", "/TFoot") for r in kids_of(group, "/TR")]
        assert len(pdf_head_rows) == len(head_rows), "the header row is tagged once, not once a page"
        assert len(pdf_body_rows) == len(body_rows)
        header_texts = [squash(node_text(th, entry["texts"])) for row in pdf_head_rows for th in kids_of(row, "/TH")]
        assert header_texts == [squash(th.text_content()) for row in head_rows for th in row.xpath("./th")]
        for th in (n for n in pdf_table.walk() if n.kind == "/TH"):
            attributes = th.obj.A if isinstance(th.obj.A, pikepdf.Array) else [th.obj.A]
            assert any(a.get("/Scope") in ("/Column", "/Row", "/Both") for a in attributes)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_one_list_per_html_list(structures, audience):
    entry = structures[audience]
    html_lists = [e for e in entry["html"].iter("ul", "ol") if rendered(e)]
    assert len([n for n in entry["nodes"] if n.kind == "/L"]) == len(html_lists)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_element_reads_leader_dots_and_links_are_not_nested(structures, audience):
    entry = structures[audience]
    for node in entry["nodes"]:
        assert "...." not in node_text(node, entry["texts"]), node.kind
        if node.kind == "/Link":
            assert not [d for d in node.walk() if d is not node and d.kind == "/Link"]


def image_boxes(html: str) -> list[tuple[int, tuple[float, float, float, float]]]:
    """Where WeasyPrint's layout puts each <img>: (page index, (x0, y0, x1, y1) in PDF points)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(ROOT / "templates") + "/").render()
    found = []

    def walk(box, page_index, page_height):
        if getattr(box, "element_tag", None) == "img":
            x, y = box.content_box_x(), box.content_box_y()
            # CSS px (1/96 in) from the top left → PDF points (1/72 in) from the bottom left
            found.append((page_index, (x * 0.75, page_height - (y + box.height) * 0.75,
                                       (x + box.width) * 0.75, page_height - y * 0.75)))
        for child in getattr(box, "children", ()):
            walk(child, page_index, page_height)

    for index, page in enumerate(document.pages):
        walk(page._page_box, index, page.height * 0.75)
    return found


@pytest.mark.parametrize("audience", AUDIENCES)
def test_figures_have_alt_and_a_bbox_where_the_image_is(structures, audience):
    entry = structures[audience]
    figures = [n for n in entry["nodes"] if n.kind == "/Figure"]
    images = [img for img in entry["html"].iter("img") if rendered(img)]
    assert len(figures) == len(images)
    if not images:
        return
    placed = image_boxes(entry["html_text"])
    assert len(placed) == len(figures)
    for figure, image, (page_index, expected) in zip(figures, images, placed, strict=True):
        assert str(figure.obj.Alt) == image.get("alt")
        bbox = [float(v) for v in figure.obj.A.BBox]
        assert figure.page == page_index
        media = [float(v) for v in entry["pdf"].pages[page_index].MediaBox]
        assert media[0] <= bbox[0] < bbox[2] <= media[2] and media[1] <= bbox[1] < bbox[3] <= media[3], bbox
        assert all(abs(a - b) <= 1 for a, b in zip(bbox, expected, strict=True)), (bbox, expected)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_links_name_their_destination(structures, audience):
    entry = structures[audience]
    html = entry["html"]
    sources = {li.get("id"): li for ol in html.xpath("//ol[contains(concat(' ', @class, ' '), ' sources ')]")
               for li in ol.xpath("./li[@id]")}
    headings = {h.get("id"): squash(h.text_content()) for h in html.iter("h1", "h2", "h3", "h4", "h5", "h6")
                if h.get("id")}
    cited = set()
    for page in entry["pdf"].pages:
        for annotation in page.get("/Annots", []):
            if annotation.get("/Subtype") != "/Link":
                continue
            dest = str(annotation.get("/Dest", ""))
            contents = str(annotation.Contents)
            x0, y0, x1, y1 = (float(v) for v in annotation.Rect)
            assert abs(x1 - x0) >= 1 and abs(y1 - y0) >= 1, f"{dest}: a link with no area cannot be clicked"
            number = re.fullmatch(r"source-(\d+)", dest)
            if number:
                cited.add(dest)
                assert contents.startswith(f"Source {number[1]}: "), contents
                named = contents.split(": ", 1)[1].rstrip("…")
                assert squash(sources[dest].text_content()).startswith(named), (named, dest)
            elif dest in headings:
                assert contents == headings[dest]
            assert contents != dest, "the bare anchor name is no description"
    in_html = {a.get("href")[1:] for a in html.xpath("//a[starts-with(@href, '#source-')]")}
    assert cited == in_html


def test_link_descriptions_from_html():
    html = """<html><body>
      <nav><a href="#intro">Intro</a></nav>
      <section id="intro"><h2>Introduction to <em>it</em></h2></section>
      <ol class="sources" start="3">
        <li id="source-3">Home Office, ‘Borders’, answer, 2018. <a class="note-ref" href="#note-1">(note 1)</a></li>
        <li id="source-4">BBC, news story, 25 January 2019 (date inferred). <span class="note">A long aside.</span></li>
      </ol>
      <ol class="notes"><li id="note-1">The year is inferred.</li></ol>
    </body></html>"""
    assert link_descriptions(html) == {
        "source-3": "Source 3: Home Office, ‘Borders’, answer, 2018",
        "source-4": "Source 4: BBC, news story, 25 January 2019 (date inferred)",
        "note-1": "Note 1: The year is inferred",
        "intro": "Introduction to it",
    }


def test_long_table_and_list_across_pages_are_one_each_and_bytes_repeat(tmp_path):
    """A table and a list that each run over several pages, whatever the shipped templates do."""
    import base64
    import io

    from PIL import Image

    from briefgen.backends.pdf import write_pdf

    png = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(png, "PNG")
    image = f"data:image/png;base64,{base64.b64encode(png.getvalue()).decode()}"
    rows = "".join(f"<tr><td>Row {i}</td><td>{'words ' * 12}</td></tr>" for i in range(60))
    items = "".join(f"<li>Item {i}: {'words ' * 10}</li>" for i in range(60))
    html = f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Long</title><style>
      @page {{ size: A6; margin: 10mm; @bottom-center {{ content: "Page " counter(page); }} }}
      nav a::after {{ content: leader(".") target-counter(attr(href), page); }}
      nav ol {{ list-style: none; }}
      </style></head><body>
      <h1>Long things</h1>
      <nav><ol><li><a href="#t">The table</a></li><li><a href="#l">The list</a></li></ol></nav>
      <h2 id="t">The table</h2>
      <table><thead><tr><th>Row</th><th>Words</th></tr></thead><tbody>{rows}</tbody></table>
      <h2 id="l">The list</h2><ul>{items}</ul>
      <p>A red box: <img src="{image}" alt="A red box" style="width: 30mm; margin-left: 5mm"></p>
      </body></html>"""
    meta = {"title": "Long", "author": "Tests", "subject": "A long table and list", "keywords": "test",
            "language": "en-GB", "date": "2026-01-01"}
    first, again = tmp_path / "first.pdf", tmp_path / "again.pdf"
    for path in (first, again):
        write_pdf(html, path, meta, {}, [ROOT / "templates"], template_name="long")
    assert first.read_bytes() == again.read_bytes()
    assert check_pdf(first) == []
    with pikepdf.open(first) as pdf:
        nodes = [node for root in read_tree(pdf) for node in root.walk()]
        texts = {index: marked_content_text(page) for index, page in enumerate(pdf.pages)}
        (table,) = [n for n in nodes if n.kind == "/Table"]
        assert len({mark.page for mark in table.marked_content()}) >= 3
        (head,) = kids_of(table, "/THead")
        (body,) = kids_of(table, "/TBody")
        assert len(kids_of(head, "/TR")) == 1 and len(kids_of(body, "/TR")) == 60
        lists = [n for n in nodes if n.kind == "/L"]
        assert len(lists) == 2
        assert len({mark.page for mark in lists[1].marked_content()}) >= 3
        assert len(kids_of(lists[1], "/LI")) == 60
        contents = [n for n in nodes if n.kind == "/Link"]
        assert len(contents) == 2
        for link in contents:
            assert "." not in node_text(link, texts).replace("The table", "").replace("The list", "")
        assert {str(a.Contents) for page in pdf.pages for a in page.get("/Annots", [])} == {"The table", "The list"}
        (figure,) = [n for n in nodes if n.kind == "/Figure"]
        ((page_index, expected),) = image_boxes(html)
        assert figure.page == page_index and str(figure.obj.Alt) == "A red box"
        assert all(abs(float(a) - b) <= 1 for a, b in zip(figure.obj.A.BBox, expected, strict=True)), \
            (figure.obj.A.BBox, expected)


# --- the checker finds exactly the fault planted in a damaged copy


def first(nodes, kind):
    return next(n for n in nodes if n.kind == kind)


def first_link(pdf):
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.get("/Annots", []):
            if annotation.get("/Subtype") == "/Link":
                return number, annotation
    raise AssertionError("no link annotation")


def remove_alt(pdf, nodes):
    figure = first(nodes, "/Figure")
    del figure.obj["/Alt"]
    return f"13-004 /Figure on page {figure.page + 1} has no /Alt or /ActualText"


def remove_lang(pdf, nodes):
    del pdf.Root["/Lang"]
    return "11-001 catalog has no /Lang"


def display_doc_title_false(pdf, nodes):
    pdf.Root.ViewerPreferences.DisplayDocTitle = False
    return "07-002 /ViewerPreferences /DisplayDocTitle is not true"


def remove_mark_info(pdf, nodes):
    del pdf.Root["/MarkInfo"]
    return "01-005 catalog has no /MarkInfo with /Marked true"


def remove_tabs(pdf, nodes):
    del pdf.pages[0].obj["/Tabs"]
    return "28-008 page 1 has no /Tabs"


def remove_link_contents(pdf, nodes):
    number, annotation = first_link(pdf)
    del annotation["/Contents"]
    return f"28-012 /Link annotation on page {number} has no /Contents"


def remove_struct_parent(pdf, nodes):
    number, annotation = first_link(pdf)
    del annotation["/StructParent"]
    return f"28-011 /Link annotation on page {number} has no /StructParent"


def remove_scope(pdf, nodes):
    th = first(nodes, "/TH")
    del th.obj.A["/Scope"]
    del th.obj["/ID"]
    return f"15-003 /TH on page {th.page + 1} has neither /Scope nor an /ID used by /Headers"


def skip_a_heading_level(pdf, nodes):
    headings = [n for n in nodes if re.fullmatch(r"/H\d", n.kind)]
    after = next(b for a, b in pairwise(headings) if (a.kind, b.kind) == ("/H1", "/H2"))
    after.obj.S = pikepdf.Name("/H3")
    return f"14-003 H3 on page {after.page + 1} follows H1: a heading level is skipped"


def remove_pdfua_identifier(pdf, nodes):
    xmp = pdf.Root.Metadata.read_bytes()
    changed = re.sub(rb'\s*pdfuaid:part="1"', b"", xmp)
    assert changed != xmp
    pdf.Root.Metadata.write(changed)
    return "06-002 XMP metadata has no PDF/UA identifier (pdfuaid:part)"


def remove_dc_title(pdf, nodes):
    xmp = pdf.Root.Metadata.read_bytes()
    changed = re.sub(rb"<dc:title>.*?</dc:title>", b"", xmp, flags=re.DOTALL)
    assert changed != xmp
    pdf.Root.Metadata.write(changed)
    return "06-003 XMP metadata has no dc:title"


def paint_outside_marked_content(pdf, nodes):
    pdf.pages[0].contents_add(pdf.make_stream(b"0 0 1 1 re f"), prepend=False)
    return "01-005 page 1 paints outside marked content (f ×1)"


def unembed_a_font(pdf, nodes):
    for _name, font in pdf.pages[0].Resources.Font.items():
        descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
        descriptor = descendant.FontDescriptor
        key = next(k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor)
        del descriptor[key]
        return f"31-009 font {str(descendant.BaseFont)[1:]} is not embedded"


def add_empty_table(pdf, nodes):
    document = nodes[0]
    table = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Table,
                                                 P=document.obj, Pg=pdf.pages[0].obj, K=pikepdf.Array()))
    document.obj.K.append(table)
    return "09-004 /Table on page 1 has no rows"


@pytest.mark.parametrize("damage", [remove_alt, remove_lang, display_doc_title_false, remove_mark_info, remove_tabs,
                                    remove_link_contents, remove_struct_parent, remove_scope, skip_a_heading_level,
                                    remove_pdfua_identifier, remove_dc_title, paint_outside_marked_content,
                                    unembed_a_font, add_empty_table], ids=lambda f: f.__name__)
def test_checker_names_the_planted_fault(built, tmp_path, damage):
    with pikepdf.open(built["official"]["pdf"]) as pdf:
        nodes = [node for root in read_tree(pdf) for node in root.walk()]
        expected = damage(pdf, nodes)
        damaged = tmp_path / "damaged.pdf"
        pdf.save(damaged)
    assert check_pdf(damaged) == [expected]


# --- marked content found without parsing the page (pdf_content.marked_openings)

def parsed_mcids(page) -> list[int]:
    from briefgen.backends.pdf_content import mcid_of

    return [mcid for instruction in pikepdf.parse_content_stream(page) if str(instruction.operator) == "BDC"
            and (mcid := mcid_of(instruction)) is not None]


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_scanner_finds_every_mcid_the_parser_finds(built, audience):
    from briefgen.backends.pdf_content import content_bytes, marked_openings

    with pikepdf.open(built[audience]["pdf"]) as pdf:
        for page in pdf.pages:
            data = content_bytes(page)
            openings = marked_openings(data)
            assert openings is not None  # WeasyPrint's content: read, not handed to the parser
            assert [opening.mcid for opening in openings] == parsed_mcids(page)
            for opening in openings:
                assert data[opening.start:opening.end].endswith(b"BDC")
                assert f"/MCID {opening.mcid}".encode() in data[opening.start:opening.end]


@pytest.mark.parametrize(("content", "expected"), [
    (b"/P <</MCID 0>> BDC BT [<0041> -20 () 10 <0042>] TJ ET EMC", [0]),
    (b"/Span << /MCID 7 >>BDC EMC\n/P<</MCID 12>>\nBDC EMC", [7, 12]),
    (b"BT (/P <</MCID 1>> BDC) Tj ET /P <</MCID 2>> BDC EMC", [2]),  # the first is text in a string
    (b"BT (a \\) /P <</MCID 1>> BDC) Tj ET", []),  # an escaped parenthesis does not end the string
    (b"/Span <</Lang (en-GB)>> BDC EMC /P <</MCID 3>> BDC EMC", [3]),  # a BDC with no MCID
    (b"/Artifact BMC EMC", []),
    (b"BT ((nested)) Tj ET /P <</MCID 1>> BDC EMC", None),  # nested parentheses: parse it
    (b"% a comment /P <</MCID 1>> BDC\n/P <</MCID 2>> BDC EMC", None),
    (b"BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI /P <</MCID 1>> BDC EMC", None),  # an inline image
    (b"BT < 42 44 43 > Tj ET /P <</MCID 1>> BDC EMC", None),  # a hex string with spaces
    (b"/Span <</ActualText <FEFF0041> /MCID 3>> BDC EMC", None),  # a property list it cannot read whole
    (b"/OC /oc1 BDC EMC", None),  # a named property list
    (b"/P <</MCID 1 /Sub <</X 1>> >> BDC EMC", None),
])
def test_the_scanner_reads_what_it_can_and_hands_over_the_rest(content, expected):
    from briefgen.backends.pdf_content import marked_openings

    openings = marked_openings(content)
    assert (None if openings is None else [opening.mcid for opening in openings]) == expected


def test_artifacts_written_through_the_scanner_match_those_written_through_the_parser(built, monkeypatch):
    """The official brief's PDF repaired twice, once with every page handed to pikepdf's parser: the same
    tree, and page content that parses to the same instructions."""
    import io

    from briefgen.backends import pdf_repair
    from briefgen.backends.pdf import pdf_bytes

    html = built["official"]["html"]
    meta = {"title": "T", "author": "A", "subject": "S", "keywords": "k", "language": "en-GB", "date": "2026-01-01"}
    scanned, _ = pdf_bytes(html, meta, {}, [ROOT / "templates"])
    monkeypatch.setattr(pdf_repair, "marked_openings", lambda data: None)
    parsed, _ = pdf_bytes(html, meta, {}, [ROOT / "templates"])
    assert scanned != parsed  # the parser's path writes each changed page out in its own form
    with pikepdf.open(io.BytesIO(scanned)) as first, pikepdf.open(io.BytesIO(parsed)) as second:
        assert len(first.pages) == len(second.pages) > 5
        for one, other in zip(first.pages, second.pages, strict=True):
            assert pikepdf.unparse_content_stream(pikepdf.parse_content_stream(one)) == \
                pikepdf.unparse_content_stream(pikepdf.parse_content_stream(other))
            # Running headers and footers became artifacts on every page, in the scanner's own bytes.
            assert b"/Artifact <</Type /Pagination>> BDC" in one.obj.Contents.read_bytes()
        assert [(n.kind, n.page, list(n.marked_content())) for root in read_tree(first) for n in root.walk()] == \
            [(n.kind, n.page, list(n.marked_content())) for root in read_tree(second) for n in root.walk()]


# --- the page list WeasyPrint's writer reads, built once per page count (pdf_page_list.py)

def test_the_cached_page_list_gives_the_same_bytes_and_is_built_once_per_page(monkeypatch):
    import pydyf
    from weasyprint import HTML

    from briefgen.backends.pdf_page_list import cached_page_references

    rows = "".join(f'<tr><td id="r{i}">Row {i}</td><td><a href="#r{(i * 7) % 120}">to {(i * 7) % 120}</a></td></tr>'
                   for i in range(120))
    document = HTML(string=f"""<html lang="en"><head><title>Pages</title><style>@page {{ size: A7 }}</style></head>
        <body><h1>Many pages</h1><table><tbody>{rows}</tbody></table></body></html>""").render()
    assert len(document.pages) > 10
    stock_property = pydyf.PDF.__dict__["page_references"]
    builds: list[int] = []

    def counting(pdf):
        builds.append(1)
        return stock_property.fget(pdf)

    monkeypatch.setattr(pydyf.PDF, "page_references", property(counting))
    counted = pydyf.PDF.__dict__["page_references"]
    stock = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    uncached_builds, builds[:] = len(builds), []
    with cached_page_references():
        assert pydyf.PDF.__dict__["page_references"] is not counted
        fast = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    assert fast == stock
    assert uncached_builds > 5 * len(document.pages)  # one per tagged element and link, without the cache
    assert 0 < len(builds) <= len(document.pages) + 1
    assert pydyf.PDF.__dict__["page_references"] is counted  # put back

    with pytest.raises(RuntimeError), cached_page_references():
        raise RuntimeError("the write failed")
    assert pydyf.PDF.__dict__["page_references"] is counted  # put back after an error too


def test_the_cached_page_list_follows_pages_added_after_a_read():
    import pydyf

    from briefgen.backends.pdf_page_list import cached_page_references

    with cached_page_references():
        pdf = pydyf.PDF()
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        first = pdf.page_references
        assert len(first) == 1 and pdf.page_references is first  # built once, then reused
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        assert pdf.page_references == (*first, f"{pdf.objects[-1].number} 0 R".encode())


def test_recording_lets_go_of_the_html_elements_when_it_ends():
    """The sources keep what the repair needs (object number → where it came from), not the parsed page."""
    from weasyprint import HTML

    from briefgen.backends.pdf_sources import record_structure_sources

    document = HTML(string='<html lang="en"><head><title>T</title></head><body><h1>A</h1>'
                           '<table><tr><th scope="col">B</th></tr></table></body></html>').render()
    with record_structure_sources() as sources:
        document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
        assert sources._elements  # held while WeasyPrint writes, so their id()s stay unique
    assert sources.available and any(source.scope == "col" for source in sources.by_object.values())
    assert sources._elements == [] and sources._element_numbers == {}
