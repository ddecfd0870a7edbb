"""`briefgen add-source`, `sources` and `quote`: from a web page, PDF or Word file to a checked fact.

Every document is made by tests/fixtures/sources.py; web pages are served on 127.0.0.1, never the
internet. Each error case checks the exit status, the exact message and that nothing was added.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from fixtures import sources as docs

from conftest import run_cli

EVENTS = """\
events:
  - id: wetlands-fund-announced
    date: "2024-03-14"
    title: "£40 million coastal wetlands fund announced"
    summary: >-
      The Environment Secretary announced a fund to restore 5,000 hectares of coastal wetlands.
    sources:
      - seed: wetlands-fund
        quote: "{quote}"
"""


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, str, bytes]]] = {}

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        status, content_type, body = self.routes.get(self.path, (404, "text/html", b"<h1>Not Found</h1>"))
        self.send_response(status)
        if status in (301, 302):
            self.send_header("Location", content_type)
        else:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    _Handler.routes = {
        "/news/wetlands": (200, "text/html; charset=utf-8", docs.govuk_page()),
        "/moved": (301, "/news/wetlands", b""),
        "/to-file": (302, "file:///etc/passwd", b""),
        "/logo.png": (200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100),
        "/big": (200, "text/html", b"<p>" + b"x" * 300_000 + b"</p>"),
    }
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return docs.two_column_pdf()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    assert run_cli("init", str(tmp_path / "brief")).returncode == 0
    return tmp_path / "brief"


def _snapshot(seeds: Path) -> dict[str, bytes]:
    return {str(p.relative_to(seeds)): p.read_bytes() for p in sorted(seeds.rglob("*")) if p.is_file()}


def _seed_text(project: Path, stem_part: str) -> tuple[Path, str]:
    [path] = [p for p in (project / "seeds").glob("*.txt") if stem_part in p.name]
    return path, path.read_text(encoding="utf-8")


def test_web_page_to_checked_fact_and_html_briefing(project: Path, server: str) -> None:
    """The README's path: add-source, quote, one event, check, build --format html; then an edit is caught."""
    added = run_cli("add-source", f"{server}/news/wetlands", "--id", "wetlands-fund", "--kind", "press release",
                    cwd=project)
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("added 'wetlands-fund': Government announces £40 million fund to restore coastal "
                                   "wetlands (GOV.UK, 2024-03-14)\n")
    text_path, text = _seed_text(project, "gov-uk_press-release")
    assert text_path.name == "2024-03-14_gov-uk_press-release_government-announces-40-million-fund-to-restore.txt"
    for paragraph in docs.HTML_BODY:
        assert paragraph in text
    assert [noise for noise in docs.HTML_NOISE if noise in text] == []
    assert (project / "seeds/originals" / (text_path.stem + ".html")).read_bytes() == docs.govuk_page()
    manifest = (project / "seeds/index.yaml").read_text(encoding="utf-8")
    for field in ("retrieved_from: " + server, "retrieved_on: '", "sha256_original: ", "sha256_text: ",
                  "original: originals/"):
        assert field in manifest

    quote = run_cli("quote", "wetlands-fund", "40 milion fund to restore 5000 hectares of coastal wetland", cwd=project)
    assert quote.returncode == 0, quote.stderr
    assert quote.stdout == (f"seeds/{text_path.name}:2: closest passage, 97% alike: check it says what you mean\n"
                            'quote: "£40 million fund to restore 5,000 hectares of coastal wetlands"\n')
    exact = run_cli("quote", "wetlands-fund", "announced a £40 million fund", cwd=project)
    assert exact.stdout == f'seeds/{text_path.name}:2: the words as given\nquote: "announced a £40 million fund"\n'

    (project / "facts/events.yaml").write_text(EVENTS.format(quote=docs.HTML_BODY[0]), encoding="utf-8")
    check = run_cli("check", cwd=project)
    assert check.returncode == 0, check.stderr
    assert "1 event" in check.stdout and "1 quote verified in 1 source" in check.stdout
    build = run_cli("build", "--format", "html", "--audience", "official", cwd=project)
    assert build.returncode == 0, build.stderr
    [page] = (project / "out").glob("*.html")
    assert "coastal wetlands fund announced" in page.read_text(encoding="utf-8")

    text_path.write_text(text.replace("5,000 hectares", "50,000 hectares"), encoding="utf-8")
    check = run_cli("check", cwd=project)
    assert check.returncode == 1
    assert (f"seeds/{text_path.name}: changed since it was added; re-run add-source or accept with: "
            "briefgen sources --accept wetlands-fund") in check.stderr
    listed = run_cli("sources", cwd=project)
    assert listed.returncode == 1
    assert f"wetlands-fund  2024-03-14  seeds/{text_path.name}  text changed since it was added" in listed.stdout
    accepted = run_cli("sources", "--accept", "wetlands-fund", cwd=project)
    assert accepted.returncode == 0, accepted.stderr
    assert run_cli("check", cwd=project).returncode == 1  # the quote no longer matches the edited text
    text_path.write_text(text, encoding="utf-8")
    assert run_cli("sources", "--accept", "wetlands-fund", cwd=project).returncode == 0
    assert run_cli("check", cwd=project).returncode == 0


def _add_and_quote(project: Path, source: Path, seed_id: str, quote: str, date: str) -> str:
    added = run_cli("add-source", str(source), "--id", seed_id, cwd=project)
    assert added.returncode == 0, added.stderr
    events = EVENTS.replace("wetlands-fund", seed_id).format(quote=quote).replace("2024-03-14", date)
    (project / "facts/events.yaml").write_text(events, encoding="utf-8")
    check = run_cli("check", cwd=project)
    assert check.returncode == 0, check.stderr
    return added.stdout


def test_two_column_pdf_is_read_in_order_without_its_furniture(project: Path, tmp_path: Path,
                                                               pdf_bytes: bytes) -> None:
    source = tmp_path / "governance.pdf"
    source.write_bytes(pdf_bytes)
    out = _add_and_quote(project, source, "governance-paper", docs.PDF_BODY[2], "2024")
    assert "Transboundary Environmental Governance (Coastal Policy Institute, 2024-05-01)" in out
    path, text = _seed_text(project, "coastal-policy-institute")
    flat = " ".join(text.split())
    for paragraph in docs.PDF_BODY:  # every paragraph whole: columns in order, hyphenated words joined
        assert paragraph in flat
    assert docs.PDF_HEADER not in text
    assert not any(line.strip().isdigit() for line in text.splitlines())  # no page numbers
    path.write_text(text + "An added line.\n", encoding="utf-8")
    check = run_cli("check", cwd=project)
    assert check.returncode == 1 and f"seeds/{path.name}: changed since it was added" in check.stderr


def test_word_document_keeps_its_table_and_footnote(project: Path, tmp_path: Path) -> None:
    source = tmp_path / "statement.docx"
    source.write_bytes(docs.statement_docx())
    out = _add_and_quote(project, source, "broadband-review", docs.DOCX_PARAS[1], "2024-02-20")
    assert "Broadband Delivery Review: Written Statement (Department for Science, 2024-02-20)" in out
    path, text = _seed_text(project, "department-for-science")
    assert text.index(docs.DOCX_PARAS[1]) < text.index("Scotland\t71%\t+6") < text.index(docs.DOCX_PARAS[2])
    assert text.endswith(f"Footnotes:\n1. {docs.DOCX_FOOTNOTE}\n")
    path.write_text(text.replace("78%", "87%"), encoding="utf-8")
    check = run_cli("check", cwd=project)
    assert check.returncode == 1 and f"seeds/{path.name}: changed since it was added" in check.stderr


# --------------------------------------------------------------------------- bad input: exit 1, nothing added


def _refused(project: Path, *args: str) -> str:
    before = _snapshot(project / "seeds")
    result = run_cli("add-source", *args, cwd=project)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert _snapshot(project / "seeds") == before
    lines = result.stderr.splitlines()
    assert lines[-1] == "failed: 1 error"
    return lines[0]


def test_encrypted_pdf(project: Path, tmp_path: Path, pdf_bytes: bytes) -> None:
    (tmp_path / "locked.pdf").write_bytes(docs.encrypted_pdf(pdf_bytes))
    assert _refused(project, "../locked.pdf") == (
        "../locked.pdf: the PDF is encrypted (password-protected); save an unprotected copy (or its "
        "text) and add that instead")


def test_scanned_pdf(project: Path, tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(docs.scanned_pdf())
    assert _refused(project, "../scan.pdf") == (
        "../scan.pdf: the PDF has no text layer (a scanned image?); briefgen does not read images "
        "(OCR): run it through OCR first, or add the text as a .txt file")


def test_not_found_url(project: Path, server: str) -> None:
    assert _refused(project, f"{server}/gone") == \
        f"{server}/gone: the server answered 404 Not Found; nothing was added"


def test_url_that_is_not_a_document(project: Path, server: str) -> None:
    assert _refused(project, f"{server}/logo.png") == \
        f"{server}/logo.png: the server sent image/png, not a web page, PDF or Word document; nothing was added"


def test_redirects_are_followed_but_only_to_http(project: Path, server: str) -> None:
    assert _refused(project, f"{server}/to-file") == \
        f"{server}/to-file: only http and https URLs can be fetched (redirected to file:///etc/passwd)"
    assert _refused(project, "ftp://127.0.0.1/x") == "ftp://127.0.0.1/x: only http and https URLs can be fetched"
    added = run_cli("add-source", f"{server}/moved", cwd=project)
    assert added.returncode == 0, added.stderr
    assert f"retrieved_from: {server}/moved\n" in (project / "seeds/index.yaml").read_text(encoding="utf-8")


def test_oversized_file_and_download(project: Path, tmp_path: Path, server: str) -> None:
    (tmp_path / "big.docx").write_bytes(b"PK\x03\x04" + b"\0" * 300_000)
    assert _refused(project, "../big.docx", "--max-size", "200KB") == (
        "../big.docx: larger than 200 KB, the most add-source reads (--max-size to change); "
        "nothing was added")
    assert _refused(project, f"{server}/big", "--max-size", "200KB") == (
        f"{server}/big: larger than 200 KB, the most add-source reads (--max-size to change); nothing was added")


def test_duplicate_id_and_same_source_twice(project: Path, tmp_path: Path) -> None:
    (tmp_path / "statement.docx").write_bytes(docs.statement_docx())
    assert run_cli("add-source", "../statement.docx", "--id", "review", cwd=project).returncode == 0
    text_name = next((project / "seeds").glob("*.txt")).name
    assert _refused(project, "../statement.docx") == (
        f"../statement.docx: already added as 'review' (seeds/{text_name}: the same SHA-256); "
        "nothing was added")
    (tmp_path / "other.txt").write_text("Another statement, published on its own.\n", encoding="utf-8")
    assert _refused(project, "../other.txt", "--id", "review", "--title", "Other",
                    "--publisher", "Someone", "--date", "2024-01-01") == (
        "../other.txt: the id 'review' is already used in seeds/index.yaml; choose another with --id; "
        "nothing was added")


def test_missing_date_asks_for_it(project: Path, tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text("A note with no metadata at all.\n", encoding="utf-8")
    assert _refused(project, "../note.txt", "--title", "A note", "--publisher", "Someone") == (
        "../note.txt: the document's metadata gives no publication date; give --date YYYY-MM-DD; "
        "nothing was added")
