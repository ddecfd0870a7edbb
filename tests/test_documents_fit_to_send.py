"""The documents as their readers see them: no tool vocabulary, one house style, pages without waste.

Every check reads the outputs back as a reader gets them: PDF text through pdftotext (poppler), word
boxes through `pdftotext -bbox`, Word text through python-docx (body, tables, headers and footers),
HTML as the text a browser shows.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document

from briefgen.housestyle import HouseStyle, curly_quotes, person_with_office, prose

from conftest import docx_text, run_cli

AUDIENCES = ("minister", "official", "press")
FORMATS = ("pdf", "docx", "html")


@pytest.fixture(scope="module")
def outputs(shipped_build) -> dict:
    """The session's build of the shipped briefing, by (audience, format)."""
    found = {}
    for path in shipped_build.iterdir():
        match = re.fullmatch(r".+_([a-z0-9-]+)_\d{4}-\d{2}-\d{2}\.(pdf|docx|html)", path.name)
        if match:
            found[(match.group(1), match.group(2))] = {"path": str(path)}
    return found


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext"] + (["-f", str(first), "-l", str(last)] if first else [])
    return subprocess.run(args + [str(path), "-"], capture_output=True, text=True, check=True).stdout


class _VisibleText(HTMLParser):
    """The text a browser shows (and the title, which it shows in the tab); not style or script."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        for name, value in attrs:
            if name in ("alt", "aria-label", "title") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(path: Path) -> str:
    parser = _VisibleText()
    parser.feed(path.read_text(encoding="utf-8"))
    return html.unescape(" ".join(parser.parts))


def text_of(outputs, audience: str, fmt: str) -> str:
    path = Path(outputs[(audience, fmt)]["path"])
    return {"pdf": pdf_text, "docx": docx_text, "html": html_text}[fmt](path)


# --------------------------------------------------------------------------- the reader's language

# The tool's own words: a reader of a briefing never needs them.
FORBIDDEN = re.compile(r"\b(seeds?|briefgen|facts?|fact base|fact file)\b", re.I)


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_tool_vocabulary_reaches_a_reader(outputs, audience, fmt):
    text = text_of(outputs, audience, fmt)
    found = sorted({m.group(0) for m in FORBIDDEN.finditer(text)})
    assert not found, f"{audience} {fmt} shows the tool's words {found}"


def test_forbidden_word_check_can_fail():
    assert FORBIDDEN.search("The seeds do not say")
    assert FORBIDDEN.search("Each fact in this briefing is checked by briefgen")
    assert not FORBIDDEN.search("Factory output; seedlings")


@pytest.mark.parametrize("audience", AUDIENCES)
def test_each_audience_has_its_own_title(outputs, audience):
    expected = {"minister": "Briefing for the Minister", "official": "Full briefing for officials",
                "press": "Press lines"}[audience]
    page = Path(outputs[(audience, "html")]["path"]).read_text(encoding="utf-8")
    assert f"<title>UK–France cooperation on the shared border, 2009–2021 — {expected}</title>" in page


# --------------------------------------------------------------------------- one house style

GB = HouseStyle("en-GB", frozenset({"GBP", "EUR"}))


@pytest.mark.parametrize("written, printed", [
    ("£15 million was pledged", "£15m was pledged"),
    ("£15m was pledged", "£15m was pledged"),
    ("almost €150M over four years", "almost €150m over four years"),
    ("over £6 million (€7m)", "over £6m (€7m)"),
    ("EUR 62.7 million", "€62.7m"),
    ("GBP 44,500,000", "£44.5m"),
    ("on 20 Sep 2014", "on 20 September 2014"),
    ("on Sept. 20, 2014", "on 20 September 2014"),
    ("in Mar 2010", "in March 2010"),
    ("24 January (no year)", "24 January (no year)"),
    ("cross border crime", "cross-border crime"),
    ("Cross border crime", "Cross-border crime"),
    ("small boat related prosecutions", "small-boat-related prosecutions"),
    ("a long term plan", "a long-term plan"),
    ("France's 'smart border'", "France’s ‘smart border’"),
    ('the "almost €150M" quoted', "the “almost €150M” quoted"),
    ("the police aux frontieres", "the Police Aux Frontieres"),
    ("two  spaces", "two spaces"),
])
def test_prose_is_put_in_house_style(written, printed):
    # A qualifier or a code is joined to its number by a no-break space, so an amount never wraps.
    assert prose(GB, written, ("Police Aux Frontieres",)).replace("\u00a0", " ") == printed


def test_quoted_source_words_keep_their_spelling():
    text = 'The answer said "almost €150M over the last 4 years" and \u201ccross border\u201d.'
    assert prose(GB, text) == "The answer said “almost €150M over the last 4 years” and “cross border”."


def test_house_style_follows_the_briefing_language():
    us = HouseStyle("en-US", frozenset({"USD"}))
    assert prose(us, "on 20 Sep 2014 about US$ 8.8 billion") == "on September 20, 2014 about\u00a0$8.8bn"


@pytest.mark.parametrize("name, office, printed", [
    ("Macron", "President", "President Macron"),
    ("Theresa May", "Home Secretary", "Home Secretary Theresa May"),
    ("Bernard Cazeneuve", "French Interior Minister", "French Interior Minister Bernard Cazeneuve"),
    ("Claude Gueant", "French minister, the Home Secretary's counterpart",
     "Claude Gueant (French minister, the Home Secretary's counterpart)"),
    ("Caroline Nokes", "Answered the written question for the Home Office",
     "Caroline Nokes (Answered the written question for the Home Office)"),
    ("Ana Lund", None, "Ana Lund"),
])
def test_people_are_named_with_their_office(name, office, printed):
    assert person_with_office(name, office) == printed


def test_curly_quotes():
    assert curly_quotes("it's 'one' and \"two\"") == "it’s ‘one’ and “two”"


# Forms that would show two styles side by side in one document.
MIXED_STYLE = [
    (re.compile(r"[£€$]\s?\d[\d.,]*\s?(million|billion)\b"), "amount in words beside the short form"),
    (re.compile(r"[£€$]\d[\d.,]*M\b"), "capital M for million"),
    (re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b\.? \d{4}"), "short month name"),
    (re.compile(r"\bcross border\b", re.I), "open compound"),
    (re.compile(r"\bsmall boat related\b", re.I), "open compound"),
    (re.compile(r"(?<=\w)'(?=\w)"), "straight apostrophe"),
    (re.compile(r"\bWho: "), "bare name list"),
]


def _outside_quotations(text: str) -> str:
    return re.sub(r"“[^”]*”|‘[^’]*’(?!\w)", "", text)


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_one_house_style_in_every_output(outputs, audience, fmt):
    text = _outside_quotations(" ".join(text_of(outputs, audience, fmt).split()))
    problems = [f"{why}: {m.group(0)!r}" for pattern, why in MIXED_STYLE for m in pattern.finditer(text)]
    assert not problems, problems


# --------------------------------------------------------------------------- pages without waste

def page_fill(pdf: Path) -> list[float]:
    """How far down its text area each page's content reaches, from 0 to 1 (running header and footer
    excluded), read from the word boxes poppler reports."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    fills = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", xhtml, re.S):
        height = float(re.search(r'height="([\d.]+)"', xhtml[xhtml.index("<page"):]).group(1))
        top, bottom = height * 0.083, height * 0.917  # the 22 mm margins of an A4 page, as fractions
        lows = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page) if top < float(y) < bottom]
        fills.append((max(lows) - top) / (bottom - top) if lows else 0.0)
    return fills


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_half_empty_pages_except_the_last(outputs, audience):
    fills = page_fill(Path(outputs[(audience, "pdf")]["path"]))
    thin = [(number, round(fill, 2)) for number, fill in enumerate(fills[:-1], start=1) if fill < 0.4]
    assert not thin, f"{audience}: pages under 40% full: {thin} (all: {[round(f, 2) for f in fills]})"


def test_page_fill_measure_sees_a_thin_page(tmp_path):
    from weasyprint import HTML

    pdf = tmp_path / "thin.pdf"
    HTML(string="<style>@page{size:A4;margin:22mm 20mm}</style><p>One line.</p>"
                "<p style='break-before:page'>" + "Words " * 1500 + "</p>").write_pdf(pdf)
    fills = page_fill(pdf)
    assert fills[0] < 0.1 and fills[1] > 0.9


@pytest.mark.parametrize("audience", AUDIENCES)
def test_type_is_readable(outputs, audience):
    """Body text at least 11 pt: the size of the most common line height on the page."""
    xhtml = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", outputs[(audience, "pdf")]["path"], "-"],
                           capture_output=True, text=True, check=True).stdout
    heights = [round(float(b) - float(a), 1) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"',
                                                                    xhtml)]
    most_common = max(set(heights), key=heights.count)
    assert most_common >= 11 * 1.1, most_common  # a word box is about 1.15 em tall


def test_dates_and_amounts_never_wrap(outputs):
    """Every date and amount is on one line of its cell: in the PDF (read back line by line) and in Word,
    whose cells carry no-break spaces (Word has no nowrap)."""
    official = pdf_text(Path(outputs[("official", "pdf")]["path"]))
    lines = [line.strip().replace("\u00a0", " ") for line in official.splitlines()]
    for value in ("20 September 2014", "over £6m (€7m)", "almost €150m", "24 January 2019"):
        assert any(value in line for line in lines), value
    document = Document(outputs[("official", "docx")]["path"])
    funding = next(t for t in document.tables if [c.text for c in t.rows[0].cells][:2] == ["Date", "Amount"])
    for row in funding.rows[1:]:
        date, amount = row.cells[0].text.split(" (note")[0], row.cells[1].text
        assert " " not in date and " " not in amount, (date, amount)


# --------------------------------------------------------------------------- another topic, another locale

def test_another_topic_builds_documents_fit_to_send(tmp_path):
    """The fictional second topic (five currencies, en-US, a source with a web address) builds for every
    audience with the same guarantees: no tool words, the "as of" line in its locale, the link."""
    import shutil

    from conftest import ROOT

    project = tmp_path / "arvelo"
    shutil.copytree(ROOT / "tests" / "examples" / "arvelo", project)
    result = run_cli("build", "--format", "pdf,html", "--audience", "all", "--out", str(tmp_path / "out"), "--json",
                     cwd=project)
    assert result.returncode == 0, result.stderr
    built = {(o["audience"], o["format"]): Path(o["path"]) for o in json.loads(result.stdout)}
    for (audience, fmt), path in built.items():
        text = pdf_text(path) if fmt == "pdf" else html_text(path)
        assert not FORBIDDEN.search(text), (audience, fmt, FORBIDDEN.search(text))
        for foreign in ("UK", "£", "GBP", "Calais"):
            assert foreign not in text, (audience, fmt, foreign)
    minister_page_1 = " ".join(pdf_text(built[("minister", "pdf")], 1, 1).split())
    assert "Position as of June 5, 2020, the latest event this briefing covers." in minister_page_1
    assert len(minister_page_1.split()) <= 400
    page = built[("official", "html")].read_text(encoding="utf-8")
    assert ('Swiss Federal Council, ‘Switzerland contributes to the Lake Arvelo Basin Fund’, press release, '
            'June 4, 2020. <a href="https://www.example.org/arvelo/contribution-2020">') in page


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_table_caption_is_stranded_at_a_page_foot(outputs, audience):
    """A table's caption is kept with the table: no page's text ends with a caption."""
    page_html = Path(outputs[(audience, "html")]["path"]).read_text(encoding="utf-8")
    captions = [" ".join(html.unescape(re.sub(r"<[^>]+>", "", c)).split())
                for c in re.findall(r"<caption>(.*?)</caption>", page_html, re.S)]
    pdf = Path(outputs[(audience, "pdf")]["path"])
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                            check=True).stdout).group(1))
    for number in range(1, pages + 1):
        lines = [" ".join(line.split()) for line in pdf_text(pdf, number, number).splitlines() if line.strip()]
        body = [line for line in lines if line != "OFFICIAL" and not re.fullmatch(r"Page \d+ of \d+", line)]
        for caption in captions:
            assert not (body and caption.startswith(body[-1])), f"{audience} page {number} ends with a caption"
