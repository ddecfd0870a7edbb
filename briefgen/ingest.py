"""Adding a source: a file or URL → the original kept, its text extracted and its manifest entry written.

In: what `briefgen add-source` was given (a path to an HTML, PDF, Word or text
file, or an http(s) URL) and the options that name what the document does not say
(--id, --title, --publisher, --date, --kind). Out: three files in the seeds folder
— the original, byte for byte, under ``originals/``; the extracted text that quotes
are checked against (``DATE_publisher_kind_title.txt``); and the new entry at the end
of ``index.yaml`` with where the source came from, when, and the SHA-256 of both
files (source_integrity.py checks them later).

Nothing is written until everything has been checked: bad input (an unreadable,
encrypted or scanned PDF, a 404 or a URL that is not a document, a file over the
size cap, an id already in use, a document already added) raises `BriefgenError`
and leaves the folder as it was. Each file is written in one step (atomic.py), the
manifest last, so an interrupted add leaves at most an unlisted file.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .atomic import write_atomically
from .errors import BriefgenError, display_path
from .fetch import fetch, is_url, too_big
from .model import Seed, SeedKind
from .safe_files import SEED_MAX
from .source_integrity import load_manifest, sha256

MAX_BYTES = 50 * 1024 * 1024  # the default cap on a file or download (--max-size)
HTML_TYPES = {"text/html", "application/xhtml+xml"}
DOCUMENT_TYPES = {**dict.fromkeys(HTML_TYPES, "html"), "application/pdf": "pdf", "text/plain": "txt",
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx"}
SUFFIX = {"html": ".html", "pdf": ".pdf", "docx": ".docx", "txt": ".txt"}


@dataclass(frozen=True)
class Details:
    """What the person adding a source said about it; None where the document's own metadata should tell."""

    seed_id: str | None = None
    title: str | None = None
    publisher: str | None = None
    date: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Added:
    seed: Seed
    text_path: Path
    original_path: Path
    text: str


def add_source(target: str, seeds_dir: Path, details: Details, max_bytes: int = MAX_BYTES,
               today: dt.date | None = None) -> Added:
    """Add `target` (a path or URL) to the seeds in `seeds_dir`; see the module docstring."""
    seeds = load_manifest(seeds_dir)
    url: str | None = None
    if is_url(target):
        fetched = fetch(target, max_bytes)
        url, data, name = target, fetched.body, _name_from_url(fetched.url)
        doc_type = DOCUMENT_TYPES.get(fetched.content_type)
        if doc_type is None:
            raise BriefgenError(f"{target}: the server sent {fetched.content_type or 'no content type'}, not a web "
                                "page, PDF or Word document; nothing was added")
    else:
        data, name = _read_file(Path(target), max_bytes)
        doc_type = _type_of_file(data, name, target)
    shown = target if url else display_path(target)
    digest = sha256(data)
    for seed in seeds:
        if digest in (seed.sha256_original, seed.sha256_text):
            raise BriefgenError(f"{shown}: already added as '{seed.id}' ({display_path(seeds_dir / seed.file)}: "
                                "the same SHA-256); nothing was added")
    text, meta = _extract(doc_type, data, url, shown)
    text_digest = sha256(text.encode("utf-8"))
    for seed in seeds:
        if text_digest == seed.sha256_text:
            raise BriefgenError(f"{shown}: its text is already a source, '{seed.id}' "
                                f"({display_path(seeds_dir / seed.file)}); nothing was added")
    if len(text.encode("utf-8")) > SEED_MAX:
        raise BriefgenError(f"{shown}: its text is over {SEED_MAX // (1024 * 1024)} MB, the most a source may "
                            "hold; split it and add the parts")
    entry = _entry(details, meta, shown, url, name, doc_type, today or dt.date.today())
    if any(seed.id == entry["id"] for seed in seeds):
        raise BriefgenError(f"{shown}: the id '{entry['id']}' is already used in "
                            f"{display_path(seeds_dir / 'index.yaml')}; choose another with --id; nothing was added")
    entry["sha256_original"], entry["sha256_text"] = digest, text_digest
    seed = _validated(entry, shown)
    text_path, original_path = seeds_dir / seed.file, seeds_dir / str(seed.original)
    for path in (text_path, original_path):
        if path.exists() or path.is_symlink():
            raise BriefgenError(f"{display_path(path)} already exists; choose another --id or --title, or remove "
                                "the file; nothing was added")
    manifest = _manifest_with(seeds_dir / "index.yaml", entry)
    original_path.parent.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for path, content in ((original_path, data), (text_path, text.encode("utf-8"))):
            write_atomically(path, content)
            written.append(path)
        write_atomically(seeds_dir / "index.yaml", manifest)  # last: the source exists once it is listed
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return Added(seed, text_path, original_path, text)


def _read_file(path: Path, max_bytes: int) -> tuple[bytes, str]:
    try:
        if not path.is_file():
            raise BriefgenError(f"{display_path(path)}: no such file" if not path.exists()
                                else f"{display_path(path)}: not a regular file")
        if path.stat().st_size > max_bytes:
            raise BriefgenError(too_big(display_path(path), max_bytes))
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise BriefgenError(f"{display_path(path)}: cannot read it ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise BriefgenError(too_big(display_path(path), max_bytes))
    return data, path.name


def _type_of_file(data: bytes, name: str, shown: str) -> str:
    """"html", "pdf", "docx" or "txt", from the file's first bytes (its name only to tell text from HTML)."""
    head = data[:2048].lstrip().lower()
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if name.lower().endswith(".docx") or b"word/" in data[:65536]:
            return "docx"
    elif head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in data[:65536].lower():
        return "html"
    elif name.lower().endswith(".txt"):
        return "txt"
    raise BriefgenError(f"{display_path(shown)}: not an HTML page, PDF, Word (.docx) or text file; "
                        "nothing was added")


def _extract(doc_type: str, data: bytes, url: str | None, shown: str) -> tuple[str, dict[str, str | None]]:
    if doc_type == "html":
        from .extract_html import extract_html

        text, meta = extract_html(data, url, shown)
    elif doc_type == "pdf":
        from .extract_pdf import extract_pdf

        text, meta = extract_pdf(data, shown)
    elif doc_type == "docx":
        from .extract_docx import extract_docx

        text, meta = extract_docx(data, shown)
    else:
        try:
            text, meta = data.decode("utf-8-sig"), {}
        except UnicodeDecodeError:
            raise BriefgenError(f"{shown}: a text file must be UTF-8") from None
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "").replace("\r\n", "\n")
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text)
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    if not text:
        raise BriefgenError(f"{shown}: no text found in it; nothing was added")
    return text + "\n", meta


def _entry(details: Details, meta: dict[str, str | None], shown: str, url: str | None, name: str, doc_type: str,
           today: dt.date) -> dict[str, Any]:
    """The manifest entry (without hashes): the options first, then the document's metadata."""
    title = details.title or meta.get("title")
    publisher = details.publisher or meta.get("publisher")
    date = details.date or meta.get("date")
    missing = [(what, option) for what, option, value in (("title", "--title", title),
                                                           ("publisher", "--publisher", publisher),
                                                           ("publication date", "--date YYYY-MM-DD", date))
               if not value]
    if missing:
        said = " or ".join(what for what, _ in missing)
        raise BriefgenError(f"{shown}: the document's metadata gives no {said}; give "
                            f"{' and '.join(option for _, option in missing)}; nothing was added")
    assert title and publisher and date
    title, publisher = " ".join(title.split()), " ".join(publisher.split())
    kind = details.kind or SeedKind.OTHER.value
    stem = "_".join(part for part in (date, _slug(publisher, 30), _slug(kind, 30), _slug(title, 50)) if part)
    entry: dict[str, Any] = {
        "id": details.seed_id or f"{_slug(publisher, 24)}-{date[:4]}-{_slug(title, 40)}".strip("-"),
        "file": f"{stem}.txt", "title": title, "kind": kind, "publisher": publisher, "published": date}
    if url:
        entry["url"] = url
    entry.update(original_name=name[:400], original=f"originals/{stem}{SUFFIX[doc_type]}")
    if url:
        entry["retrieved_from"] = url
    entry["retrieved_on"] = today.isoformat()
    return entry


def _slug(text: str, length: int) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > length:  # cut at a word: "restore-co" reads as a typo
        slug = slug[:length + 1].rsplit("-", 1)[0] if "-" in slug[:length + 1] else slug[:length]
    return slug.rstrip("-")


def _name_from_url(url: str) -> str:
    path = unquote(urlsplit(url).path).rstrip("/")
    return path.rsplit("/", 1)[-1] or urlsplit(url).hostname or "index"


def _validated(entry: dict[str, Any], shown: str) -> Seed:
    from pydantic import ValidationError

    try:
        return Seed.model_validate(entry)
    except ValidationError as exc:
        said = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise BriefgenError(f"{shown}: cannot add it: {said}; nothing was added") from None


def _manifest_with(path: Path, entry: dict[str, Any]) -> bytes:
    """The manifest's text with `entry` appended to its `seeds:` list, comments and layout kept."""
    import yaml

    text = path.read_text(encoding="utf-8") if path.exists() else "seeds:\n"
    block = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False)
    block = "".join("  " + line if line.strip() else line for line in block.splitlines(keepends=True))
    if re.search(r"(?m)^seeds:\s*\[\]\s*(#.*)?$", text):
        text = re.sub(r"(?m)^seeds:\s*\[\]", "seeds:", text, count=1)
    elif not re.search(r"(?m)^seeds:\s*(#.*)?$", text):
        raise BriefgenError(f"{display_path(path)}: has no 'seeds:' list to add to; nothing was added")
    if not text.endswith("\n"):
        text += "\n"
    return (text + "\n" + block).encode("utf-8")
