"""PDF backend: semantic HTML → a tagged, accessible PDF with WeasyPrint.

In: the HTML from render.py and the template folders it may load resources
from. Out: a PDF/UA-1 file (tagged structure, title, language, bookmarks from
headings, embedded font subsets) and its page count.

WeasyPrint is imported here only, so building Word or HTML never pays its
start-up cost. Its URL fetcher is replaced by `ProjectOnlyFetcher`: nothing
from the network, nothing from disk outside the template folders, and a
blocked resource stops the build instead of being dropped silently.

Fonts: with no font installed at all WeasyPrint (Pango) crashes the worker,
so `check_fonts_installed` stops the build first with "no usable font: install
fonts-liberation"; and a document whose stylesheet asks for Arial or Liberation
Sans but whose PDF embeds neither (fonts-liberation missing, another face
substituted) is an error too (`check_embedded_fonts`), so the layout never
changes silently. Metadata (title, author, subject, keywords) is normalised:
control characters, line and paragraph separators (U+2028, U+2029) become
spaces and unpaired surrogates U+FFFD, so nothing invalid reaches the XMP XML.

WeasyPrint's tagged structure has faults (tables, lists and sections split
per page, leader dots read aloud, figure boxes in CSS pixels, links described
by their anchor names); `pdf_structure.repair_structure` rewrites the PDF
WeasyPrint makes to repair them, and `briefgen.pdf_checks` checks the result.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import write_atomically
from ..errors import BriefgenError

if TYPE_CHECKING:
    import pikepdf


def project_only_fetcher(template_dirs: list[Path], fatal: bool = True) -> Any:
    """WeasyPrint's URL fetcher, limited to data: URLs and files inside the template folders.

    Anything else raises: with `fatal`, an error that stops the rendering (the PDF build reports it);
    without, one WeasyPrint logs and skips (a layout made only to measure). One definition, so the PDF
    and everything that lays the same HTML out fetch exactly the same things. Returns a WeasyPrint
    URLFetcher (untyped, hence Any).
    """
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetchingError

    roots = [Path(d).resolve() for d in template_dirs]
    refusal = FatalURLFetchingError if fatal else URLFetchingError

    class ProjectOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped: URLFetcher is Any
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                target = Path(unquote(urlsplit(url).path)).resolve()
                if any(target.is_relative_to(root) for root in roots) and _small_regular_file(target):
                    return super().fetch(url, headers)
            raise refusal(f"blocked resource {url!r}: a briefing may only use files from its "
                          "template folders and data: URLs")

    return ProjectOnlyFetcher()


MAX_RESOURCE_BYTES = 20 * 1024 * 1024  # one image or stylesheet file a template uses
STYLESHEET_FAMILIES = ("Arial", "Liberation Sans")
FONT_PACKAGE = "fonts-liberation"


def _small_regular_file(path: Path) -> bool:
    """A regular file (not a FIFO, device or folder, which could hang or never end) of sane size."""
    try:
        info = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size <= MAX_RESOURCE_BYTES


def clean_meta(text: str) -> str:
    """Metadata text safe for the PDF's Info dictionary and XMP (XML 1.0): controls and line/paragraph
    separators become spaces (runs collapsed), lone surrogates and non-characters U+FFFD."""
    out = []
    for char in str(text):
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp"):
            out.append(" ")
        elif category == "Cs" or char in "\ufffe\uffff":
            out.append("\ufffd")
        else:
            out.append(char)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def check_fonts_installed() -> None:
    """Stop before WeasyPrint when fontconfig knows no font at all (Pango would crash the process)."""
    try:
        from weasyprint.text.ffi import ffi, fontconfig
    except Exception:  # a WeasyPrint without these bindings: let it warn as it does
        return
    config = ffi.gc(fontconfig.FcInitLoadConfigAndFonts(), fontconfig.FcConfigDestroy)
    fonts = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetSystem)
    if fonts == ffi.NULL or fonts.nfont == 0:
        raise BriefgenError(f"no usable font: install {FONT_PACKAGE} (fontconfig finds no fonts at all, "
                            "so the PDF cannot be laid out)")


def embedded_font_names(pdf: pikepdf.Pdf) -> set[str]:
    """The base names of the fonts a PDF's pages use (an open pikepdf.Pdf), subset prefixes removed
    ("LiberationSans-Bold")."""
    from .pdf_content import fonts_used

    return {re.sub(r"^[A-Z]{6}\+", "", str(font.BaseFont)[1:]) for font in fonts_used(pdf) if "/BaseFont" in font}


def check_embedded_fonts(pdf: pikepdf.Pdf, html: str, template_name: str) -> None:
    """An error when the stylesheet asks for Arial / Liberation Sans and the PDF embeds neither."""
    if not any(family.lower() in html.lower() for family in STYLESHEET_FAMILIES):
        return
    names = embedded_font_names(pdf)
    if not names:  # no text at all
        return
    squashed = {name.replace(" ", "").replace("-", "").lower() for name in names}
    if not any(name.startswith(("arial", "liberationsans")) for name in squashed):
        raise BriefgenError(f"{template_name}: no usable font: install {FONT_PACKAGE} (the stylesheet asks for "
                            f"Arial or Liberation Sans; the PDF would have used {', '.join(sorted(names))})")


def write_pdf(html: str, path: Path, meta: dict[str, str], assets: dict[str, bytes], template_dirs: list[Path],
              template_name: str = "template") -> dict[str, int]:
    """Write the PDF for `html` to `path`, atomically. Returns {"pages": N}."""
    data, info = pdf_bytes(html, meta, assets, template_dirs, template_name)
    write_atomically(path, data)
    return info


def pdf_bytes(html: str, meta: dict[str, str], assets: dict[str, bytes], template_dirs: list[Path],
              template_name: str = "template", on_layout: Callable[[Any], None] | None = None,
              **_: object) -> tuple[bytes, dict[str, int]]:
    """The tagged PDF for `html` (PDF/UA-1, structure repaired), and {"pages": N}. `on_layout` is given
    the laid-out WeasyPrint document as soon as there is one (build.py hands it to the Word job)."""
    import warnings

    with warnings.catch_warnings():  # "No fonts configured": check_fonts_installed says it as an error
        warnings.filterwarnings("ignore", message=".*FontConfig.*")
        from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from .pdf_page_list import cached_page_references
    from .pdf_structure import record_structure_sources, repair_structure

    allowed_roots = [d.resolve() for d in template_dirs]
    check_fonts_installed()

    # WeasyPrint reports problems through logging; keep them out of the user's terminal,
    # except the ones that mean the document is wrong (turned into errors below).
    logger = logging.getLogger("weasyprint")
    captured: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.ERROR:
                captured.append(record.getMessage())

    handler = Capture()
    logger.addHandler(handler)
    previous_propagate = logger.propagate
    logger.propagate = False
    try:
        document = HTML(string=html, base_url=str(allowed_roots[-1]) + "/",
                        url_fetcher=project_only_fetcher(template_dirs)).render()
        if on_layout is not None and not captured:
            on_layout(document)
        document.metadata.title = clean_meta(meta["title"])
        document.metadata.authors = [clean_meta(meta["author"])]
        document.metadata.description = clean_meta(meta["subject"])
        document.metadata.keywords = [clean_meta(k) for k in meta["keywords"].split(",") if clean_meta(k)]
        document.metadata.lang = meta["language"]
        document.metadata.generator = "briefgen"
        document.metadata.created = document.metadata.modified = meta["date"] + "T00:00:00Z"
        with record_structure_sources() as sources, cached_page_references():
            data = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
        pages = len(document.pages)
        del document  # the laid-out boxes are most of the memory: let them go before the repair
    except FatalURLFetchingError as exc:
        raise BriefgenError(f"{template_name}: {exc}") from exc
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous_propagate
    if captured:
        raise BriefgenError([f"{template_name}: PDF rendering problem: {message}" for message in captured])
    try:
        data = repair_structure(data, html, sources,
                                inspect=lambda pdf: check_embedded_fonts(pdf, html, template_name))[0]
    except BriefgenError:
        raise
    except Exception as exc:  # a structure the repair does not understand: say so rather than ship it
        raise BriefgenError(f"{template_name}: could not repair the PDF's tagged structure: "
                            f"{type(exc).__name__}: {exc}") from exc
    return data, {"pages": pages}
