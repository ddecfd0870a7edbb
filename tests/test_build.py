"""`briefgen build` end to end: the shipped briefing in every format, read back as a user would.

PDF text comes back through pdftotext (poppler), Word text through python-docx,
and LibreOffice and pandoc open the DOCX as real clients would.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import lxml.html
import pytest
from docx import Document

from conftest import CASES, ROOT, docx_text, run_cli

SLUG = "uk-france-border-cooperation"
LABELS = {"minister": "Briefing for the Minister", "official": "Full briefing for officials", "press": "Press lines"}
DATE = "2026-11-22"


def pdftotext(path: Path, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return subprocess.run(args + [str(path), "-"], capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> dict:
    """Build all nine outputs of the shipped briefing once for this module."""
    out = tmp_path_factory.mktemp("out")
    result = run_cli("build", "--format", "all", "--audience", "all", "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    outputs = json.loads(result.stdout)
    return {(o["audience"], o["format"]): o for o in outputs} | {"out": out, "list": outputs}


def path_of(shipped, audience, fmt) -> Path:
    return Path(shipped[(audience, fmt)]["path"])


def test_nine_outputs_with_descriptive_names(shipped):
    names = sorted(Path(o["path"]).name for o in shipped["list"])
    assert names == sorted(f"{SLUG}_{a}_{DATE}.{f}" for a in ("minister", "official", "press")
                           for f in ("pdf", "docx", "html"))
    for output in shipped["list"]:
        path = Path(output["path"])
        assert path.stat().st_size == output["bytes"] > 1000
        assert (output["pages"] or 0) > 0 if output["format"] == "pdf" else output["pages"] is None
    assert not list(shipped["out"].glob(".briefgen-partial-*"))


def test_a_rebuild_replaces_each_output_with_a_new_file(tmp_path):
    """Never rewritten in place: whoever has an output open (a mail client attaching it, a viewer)
    keeps reading the whole earlier file, and the new one is a different file."""
    first = run_cli("build", "--format", "html", "--audience", "press", "--out", str(tmp_path), "--json")
    assert first.returncode == 0, first.stderr
    path = Path(json.loads(first.stdout)[0]["path"])
    before = path.read_bytes()
    with path.open("rb") as reader:
        path.write_bytes(before.replace(b"Press lines", b"Earlier lines"))  # so the rebuild changes it
        inode = path.stat().st_ino
        again = run_cli("build", "--format", "html", "--audience", "press", "--out", str(tmp_path))
        assert again.returncode == 0, again.stderr
        assert b"Earlier lines" in reader.read()
    assert path.stat().st_ino != inode and path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".briefgen-cache.json", path.name]


def test_pdf_metadata_tags_and_fonts(shipped):
    for audience in ("minister", "official", "press"):
        pdf = path_of(shipped, audience, "pdf")
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert re.search(rf"^Title:\s+UK–France cooperation on the shared border, 2009–2021 — {LABELS[audience]}$",
                         info, re.M)
        assert re.search(r"^Tagged:\s+yes$", info, re.M)
        assert re.search(r"^Page size:\s+595.* x 841.* \(A4\)$", info, re.M)
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = fonts.splitlines()[2:]
        assert rows and all(row.split()[-5] == "yes" for row in rows), fonts  # the "emb" column


def test_chronology_in_date_order_with_inferred_dates_flagged(shipped):
    text = flat(pdftotext(path_of(shipped, "official", "pdf")))
    chronology = text[text.index("Chronology Date Event"):text.index("Key figures Measure")]
    # A worked-out date links to its note, numbered in order of first mention; the reasoning is in the notes.
    expected = ["July 2009", "March 2010", "6 June 2011", "August 2014 (note 1)", "20 September 2014",
                "January 2018", "26 October 2018", "November 2018 (note 2)", "24 January 2019 (note 3)",
                "25 January 2019 (note 4)", "2020 (note 5)", "20 July 2021 (note 6)", "July 2021 (note 7)"]
    # The PDF gives the order (a note link that wraps is extracted after its row's text, so only the
    # dates are located there); the Word table's date cells give the note numbers.
    positions = [chronology.index(date.split(" (")[0] + " ") for date in expected]
    assert positions == sorted(positions), list(zip(expected, positions, strict=True))
    document = Document(str(path_of(shipped, "official", "docx")))
    chronology_table = next(t for t in document.tables if t.rows[0].cells[1].text == "Event")
    assert [" ".join(row.cells[0].text.split()) for row in chronology_table.rows[1:]] == expected
    assert "inferred" not in chronology and "Tuesday" not in chronology
    notes = text[text.rindex("Notes on dates and amounts"):]
    assert "6. 20 July 2021: UK–France agreement signed by the Home Secretary and Gérald Darmanin. The release" \
        in notes
    # Each piece of reasoning is printed once: the event's note refers to the source's note for the year.
    assert notes.count("20 July fell on a Tuesday in 2021") == 1
    assert "the year is worked out in the note on the release itself" in notes


def test_funding_annex_amounts_qualifiers_and_totals(shipped):
    for fmt, reader in (("pdf", lambda p: flat(pdftotext(p))), ("docx", lambda p: flat(docx_text(p)))):
        text = reader(path_of(shipped, "official", fmt))
        annex = text[text.index("Annex A: Funding commitments", text.index("Sources") if fmt == "pdf" else 0):]
        for amount in ("£15m", "£12m", "almost €150m", "£44.5m", "over £6m (€7m)", "€62.7m", "£4m a year"):
            assert amount in annex, (fmt, amount)
        assert "May overlap the £12m, the £44.5m" in annex


# The honest totals for the shipped facts, worked out by hand from facts/funding.yaml:
#   GBP: £15m (Evian), £12m (Calais deal), £44.5m (Sandhurst), over £6m (action plan, may overlap the £44.5m).
#   EUR: almost €150M (running total, may overlap the £12m and the £44.5m), €62.7m (2021).
#   The overlap group {€150M, £12m, £44.5m, £6m}: in GBP the £44.5m/£6m pair counts once, as the £44.5m;
#   that leaves two GBP members (£12m, £44.5m) against one EUR member (€150M), so GBP is counted and the
#   €150M is left out. GBP: 15 + 12 + 44.5 = £71.5m, "at least" because money was left out; EUR: €62.7m,
#   also "at least" because the €150M was left out.
HONEST_TOTALS = ("Separate commitments add up to at least £71.5m (3 commitments) and at least €62.7m "
                 "(1 commitment); amounts in different currencies are not added together.")
LEFT_OUT = ("Left out, so that no money is counted twice: almost €150m, over October 2014 to October 2018, "
            "which may overlap the £12m and the £44.5m; over £6m (€7m), 24 January 2019, which may overlap "
            "the £44.5m.")


@pytest.mark.parametrize("audience", ["minister", "official", "press"])
@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_every_audience_prints_the_same_honest_totals(shipped, audience, fmt):
    path = path_of(shipped, audience, fmt)
    if fmt == "pdf":
        text = flat(pdftotext(path))
    elif fmt == "docx":
        text = flat(docx_text(path))
    else:
        text = flat(re.sub(r"<[^>]+>", "", path.read_text()).replace("&nbsp;", " "))
    assert HONEST_TOTALS in text
    assert LEFT_OUT in text
    # The old misleading sums of overlapping money never appear.
    for wrong in ("77.5", "212.7", "£77", "€212"):
        assert wrong not in text, wrong


def test_sources_listed_and_cited(shipped):
    text = flat(pdftotext(path_of(shipped, "official", "pdf")))
    sources = text[text.rindex("Sources 1. "):text.rindex("Notes on dates and amounts")]
    for title in ("1. UK Border Agency, ‘Fighting illegal immigration at the frontline’, press release, 6 June 2011.",
                  "Channel 4 News, ‘UK and France team up to tackle Calais illegal immigration’, news article",
                  "Home Office, ‘Borders: France’, written parliamentary answer, 26 October 2018.",
                  "news story, 25 January 2019. (note", "press release, 20 July 2021. (note"):
        assert title in sources, title
    docx = flat(docx_text(path_of(shipped, "official", "docx")))
    assert "Home Office, ‘Borders: France’, written parliamentary answer, 26 October 2018." in docx


def test_minister_front_sheet_is_one_page_read_in_two_minutes(shipped):
    """One page, at most 400 words (two minutes at a reading pace of 200 words a minute), with an
    "as of" line, key points, the money and lines to take — and no working note."""
    pdf = path_of(shipped, "minister", "pdf")
    first_page = flat(pdftotext(pdf, 1, 1))
    assert "Annex A: Key dates" in flat(pdftotext(pdf, 2, 2)) and "Annex A: Key dates" not in first_page
    words = len(first_page.split())
    assert words <= 400, words
    for heading in ("Purpose", "Key points", "Money", "Lines to take"):
        assert f" {heading} " in first_page, heading
    assert "Position as of 20 July 2021, the latest event this briefing covers." in first_page
    assert ("Separate commitments add up to at least £71.5m and at least €62.7m; different currencies are not "
            "added together. 2 further amounts are left out because they may overlap or form part of these.") \
        in first_page
    for working_note in ("inferred", "note ", "Tuesday", "overlap note", "worked out"):
        assert working_note not in first_page, working_note


def test_press_has_nothing_internal(shipped):
    text = flat(pdftotext(path_of(shipped, "press", "pdf")))
    assert "Lines to take" in text and "Likely questions" in text
    assert "May overlap" not in text and "Notes on dates and amounts" not in text
    assert "Annex A" not in text
    for section in ("If pressed", "Background: not for use", "Do not say"):
        assert section in text
    # Worked-out dates are marked, without the reasoning.
    assert "25 January 2019†" in text and "† Date worked out from the source, which does not give it in full." in text
    assert "Tuesday" not in text
    assert "These lines reflect the position as of 20 July 2021" in text


def test_docx_structure(shipped):
    path = path_of(shipped, "official", "docx")
    document = Document(str(path))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "Chronology") in headings
    assert ("Heading 1", "Annex A: Funding commitments") in headings
    assert ("Heading 2", "People") in headings
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert xml.count("<w:tblHeader") >= len(document.tables) > 3
    assert 'TOC \\o "1-2"' in xml or "TOC \\o" in xml
    assert 'descr="Funding commitments: 6 amounts, 2009–2021, one panel per currency (GBP, EUR), not converted.' in xml
    footer = zipfile.ZipFile(path).read("word/footer1.xml").decode() if "word/footer1.xml" in \
        zipfile.ZipFile(path).namelist() else ""
    assert "OFFICIAL" in footer and "NUMPAGES" in footer
    assert document.core_properties.title == \
        "UK–France cooperation on the shared border, 2009–2021 — Full briefing for officials"


def test_pandoc_recovers_headings_and_tables(shipped):
    markdown = subprocess.run(["pandoc", "-f", "docx", "-t", "markdown", str(path_of(shipped, "official", "docx"))],
                              capture_output=True, text=True, check=True).stdout
    assert re.search(r"^# Chronology", markdown, re.M)
    assert re.search(r"^## Organisations", markdown, re.M)
    assert "almost €150m" in markdown
    # Every Word table survives as a table, with its header row.
    html = subprocess.run(["pandoc", "-f", "docx", "-t", "html", str(path_of(shipped, "official", "docx"))],
                          capture_output=True, text=True, check=True).stdout
    tables = lxml.html.fromstring(html).findall(".//table")
    headers = [[" ".join(cell.text_content().split()) for cell in table.find(".//tr")] for table in tables]
    assert headers == [["Date", "Event"], ["Measure", "Figure", "Period"], ["Name", "Offices and roles in the sources"],
                       ["Organisation", "Description"], ["Term", "Meaning"],
                       ["Date", "Amount", "Commitment and purpose", "Period"]]


def test_libreoffice_opens_every_docx(shipped, tmp_path):
    paths = [str(path_of(shipped, a, "docx")) for a in ("minister", "official", "press")]
    result = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), *paths],
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    for path in paths:
        converted = tmp_path / (Path(path).stem + ".pdf")
        assert converted.stat().st_size > 5000
        assert "Lines to take" in pdftotext(converted) or "Chronology" in pdftotext(converted)


def test_same_input_same_bytes(shipped, tmp_path):
    result = run_cli("build", "--format", "all", "--audience", "minister", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for fmt in ("pdf", "docx", "html"):
        again = tmp_path / f"{SLUG}_minister_{DATE}.{fmt}"
        assert again.read_bytes() == path_of(shipped, "minister", fmt).read_bytes(), fmt


def test_html_is_standalone(shipped):
    html = path_of(shipped, "official", "html").read_text()
    assert '<html lang="en-GB">' in html
    assert '<img class="chart" src="data:image/svg+xml;base64,' in html
    alt = re.search(r'<img class="chart"[^>]* alt="([^"]*)"', html)[1]
    assert alt.startswith("Funding commitments: 6 amounts, 2009–2021, one panel per currency (GBP, EUR), "
                          "not converted.")
    assert "may overlap" in alt and len(alt) <= 250
    assert not re.search(r'(src|href)="(https?:|file:|/)', html)


def test_list_command():
    result = run_cli("list")
    assert result.returncode == 0
    assert result.stdout == "audiences: minister, official, press\nformats: pdf, docx, html\n"


# --- small fact sets: new audiences, hostile input, failures


def copy_case(tmp_path: Path, name: str = "good") -> Path:
    project = tmp_path / "project"
    shutil.copytree(CASES / name / "facts", project / "facts")
    shutil.copytree(CASES / "_seeds", project / "seeds")
    return project


def test_new_audience_is_one_small_file(tmp_path):
    project = copy_case(tmp_path)
    (project / "templates").mkdir()
    (project / "templates" / "regional.html.j2").write_text(
        '{% extends "base.html.j2" %}\n'
        '{% from "_macros.html.j2" import chronology_table %}\n'
        '{% block audience_label %}Regional briefing{% endblock %}\n'
        '{% block body %}<section><h2 id="dates">Dates</h2>{{ chronology_table(chronology) }}</section>'
        '{% endblock %}\n')
    listed = run_cli("list", "--templates", "templates", cwd=project)
    assert "regional" in listed.stdout
    result = run_cli("build", "--format", "all", "--audience", "regional", "--templates", "templates", cwd=project)
    assert result.returncode == 0, result.stderr
    for fmt in ("pdf", "docx", "html"):
        assert (project / "out" / f"border-centre_regional_2020-03-10.{fmt}").is_file()
    assert "Regional briefing" in pdftotext(project / "out" / "border-centre_regional_2020-03-10.pdf")
    assert "Regional briefing" in docx_text(project / "out" / "border-centre_regional_2020-03-10.docx")


def test_hostile_fact_text_comes_out_as_text(tmp_path):
    project = copy_case(tmp_path)
    events = project / "facts" / "events.yaml"
    hostile = "<script>alert(1)</script> <img src=file:///etc/passwd> & co"
    events.write_text(events.read_text().replace(
        "summary: The new joint centre became operational.", f"summary: '{hostile}'"))
    result = run_cli("build", "--format", "all", "--audience", "official", cwd=project)
    assert result.returncode == 0, result.stderr
    out = project / "out"
    html = (out / "border-centre_official_2020-03-10.html").read_text()
    assert "<script>" not in html and "<img src=file" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=file:///etc/passwd&gt; &amp; co" in html
    squash = lambda text: "".join(text.split())  # noqa: E731 - the PDF may wrap the long text anywhere
    assert squash(hostile) in squash(pdftotext(out / "border-centre_official_2020-03-10.pdf"))
    assert hostile in docx_text(out / "border-centre_official_2020-03-10.docx")


@pytest.mark.parametrize("template_text, message", [
    ('{% extends "base.html.j2" %}{% block body %}<img src="file:///etc/passwd" alt="x">{% endblock %}',
     "templates/leak.html.j2: blocked resource 'file:///etc/passwd'"),
    ('{% extends "base.html.j2" %}{% block body %}<img src="https://example.org/x.png" alt="x">{% endblock %}',
     "templates/leak.html.j2: blocked resource 'https://example.org/x.png'"),
    ('{% extends "base.html.j2" %}{% block body %}{% include "../../../../etc/passwd" %}{% endblock %}',
     "template '../../../../etc/passwd' not found"),
    ('{% extends "base.html.j2" %}{% block body %}{{ briefing.__class__.__mro__ }}{% endblock %}',
     "templates/leak.html.j2:1: template tried something the sandbox forbids: access to attribute '__class__'"),
    ('{% extends "base.html.j2" %}{% block body %}\n\n{{ briefing.titel }}{% endblock %}',
     "templates/leak.html.j2:3: template error: 'dict object' has no attribute 'titel'"),
])
def test_unsafe_or_broken_template_fails_and_keeps_earlier_outputs(tmp_path, template_text, message):
    project = copy_case(tmp_path)
    (project / "templates").mkdir()
    good = run_cli("build", "--format", "pdf", "--audience", "press", cwd=project)
    assert good.returncode == 0, good.stderr
    earlier = (project / "out" / "border-centre_press_2020-03-10.pdf").read_bytes()
    (project / "templates" / "leak.html.j2").write_text(template_text)
    result = run_cli("build", "--format", "pdf", "--audience", "leak,press", "--templates", "templates", cwd=project)
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (project / "out").iterdir()) == [".briefgen-cache.json",
                                                                   "border-centre_press_2020-03-10.pdf"]
    assert (project / "out" / "border-centre_press_2020-03-10.pdf").read_bytes() == earlier


def test_invalid_facts_stop_the_build(tmp_path):
    project = copy_case(tmp_path, "currency-contradicts-quote")
    result = run_cli("build", "--format", "pdf", cwd=project)
    assert result.returncode == 1
    assert "facts/events.yaml:23:5: funding[0].currency: currency EUR contradicts the quote" in result.stderr
    assert not (project / "out").exists()


def test_unknown_audience_and_format_are_usage_errors():
    result = run_cli("build", "--audience", "cabinet")
    assert result.returncode == 2 and "unknown audience 'cabinet'" in result.stderr
    result = run_cli("build", "--format", "odt")
    assert result.returncode == 2 and "unknown format 'odt'" in result.stderr


def test_pdf_bookmarks_follow_headings(shipped):
    from pypdf import PdfReader

    outline = PdfReader(str(path_of(shipped, "official", "pdf"))).outline
    top = [item.title for item in outline if not isinstance(item, list)]
    assert top == ["Background", "Chronology", "Key figures", "People and organisations", "Glossary",
                   "Annex A: Funding commitments", "Sources", "Notes on dates and amounts"]
    nested = [item.title for group in outline if isinstance(group, list) for item in group]
    assert nested == ["People", "Organisations"]


def test_word_alone_is_word_beside_the_pdf(shipped, tmp_path):
    """Beside a PDF, the Word job takes the PDF job's layout instead of laying the HTML out again: the
    Word file must be the one it is when built alone, byte for byte (contents page numbers, table widths)."""
    result = run_cli("build", "--format", "docx", "--audience", "official", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / f"{SLUG}_official_{DATE}.docx").read_bytes() == \
        path_of(shipped, "official", "docx").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".briefgen-cache.json", f"{SLUG}_official_{DATE}.docx"]


def test_the_word_job_uses_the_layout_handed_to_it(tmp_path, monkeypatch):
    """What the PDF job hands over is what the Word file prints; with nothing to hand over (the PDF
    failed), the Word job lays the HTML out itself."""
    from briefgen.build import run_job
    from briefgen.loading import load_fact_base
    from briefgen.pdf_layout import PdfLayout, pdf_layout, publish_layout

    monkeypatch.chdir(ROOT)
    base, _ = load_fact_base(ROOT / "facts", ROOT / "seeds")
    from briefgen.plan import plan_jobs

    [job] = plan_jobs(base, ["official"], ["docx"], tmp_path, None, None)
    real = pdf_layout(job.html, job.template_dirs)
    assert real.pages and real.table_columns
    toc = re.compile(r'PAGEREF (\S+) \\h.*?<w:t[^>]*>(\d+)</w:t>', re.S)

    def printed_pages() -> dict[str, str]:
        xml = zipfile.ZipFile(job.target).read("word/document.xml").decode()
        return dict(toc.findall(xml))

    run_job(job)
    own = printed_pages()
    assert own and set(own.values()) != {"77"}
    with tempfile.TemporaryFile() as handover:
        job.layout_fd = handover.fileno()
        publish_layout(PdfLayout(dict.fromkeys(real.pages, 77), real.table_columns), job.layout_fd)
        run_job(job)
    assert printed_pages().keys() == own.keys() and set(printed_pages().values()) == {"77"}
    with tempfile.TemporaryFile() as handover:
        job.layout_fd = handover.fileno()
        publish_layout(None, job.layout_fd)
        run_job(job)
    assert printed_pages() == own
