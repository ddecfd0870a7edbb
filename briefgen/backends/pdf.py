"""PDF backend: semantic HTML → a tagged, accessible PDF with WeasyPrint.

In: the HTML from render.py and the template folders it may load resources
from. Out: a PDF/UA-1 file (tagged structure, title, language, bookmarks from
headings, embedded font subsets) and its page count.

WeasyPrint is imported here only, so building Word or HTML never pays its
start-up cost. Its URL fetcher is replaced by `ProjectOnlyFetcher`: nothing
from the network, nothing from disk outside the template folders, and a
blocked resource stops the build instead of being dropped silently.

WeasyPrint's tagged structure has faults (tables, lists and sections split
per page, leader dots read aloud, figure boxes in CSS pixels, links described
by their anchor names); `pdf_structure.repair_structure` rewrites the file
WeasyPrint wrote to repair them, and `briefgen.pdf_checks` checks the result.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..errors import BriefgenError


def project_only_fetcher(template_dirs: list[Path], fatal: bool = True):
    """WeasyPrint's URL fetcher, limited to data: URLs and files inside the template folders.

    Anything else raises: with `fatal`, an error that stops the rendering (the PDF build reports it);
    without, one WeasyPrint logs and skips (a layout made only to measure). One definition, so the PDF
    and everything that lays the same HTML out fetch exactly the same things.
    """
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetchingError

    roots = [Path(d).resolve() for d in template_dirs]
    refusal = FatalURLFetchingError if fatal else URLFetchingError

    class ProjectOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                target = Path(unquote(urlsplit(url).path)).resolve()
                if any(target.is_relative_to(root) for root in roots):
                    return super().fetch(url, headers)
            raise refusal(f"blocked resource {url!r}: a briefing may only use files from its "
                          "template folders and data: URLs")

    return ProjectOnlyFetcher()


def write_pdf(html: str, path: Path, meta: dict, assets: dict[str, bytes], template_dirs: list[Path],
              template_name: str = "template", **_: object) -> dict:
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from .pdf_structure import record_structure_sources, repair_structure

    allowed_roots = [d.resolve() for d in template_dirs]

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
        document.metadata.title = meta["title"]
        document.metadata.authors = [meta["author"]]
        document.metadata.description = meta["subject"]
        document.metadata.keywords = [k.strip() for k in meta["keywords"].split(",") if k.strip()]
        document.metadata.lang = meta["language"]
        document.metadata.generator = "briefgen"
        document.metadata.created = document.metadata.modified = meta["date"] + "T00:00:00Z"
        with record_structure_sources() as sources:
            document.write_pdf(str(path), pdf_variant="pdf/ua-1", pdf_tags=True)
    except FatalURLFetchingError as exc:
        raise BriefgenError(f"{template_name}: {exc}")
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous_propagate
    if captured:
        raise BriefgenError([f"{template_name}: PDF rendering problem: {message}" for message in captured])
    try:
        repair_structure(path, html, sources)
    except Exception as exc:  # a structure the repair does not understand: say so rather than ship it
        raise BriefgenError(f"{template_name}: could not repair the PDF's tagged structure: "
                            f"{type(exc).__name__}: {exc}") from exc
    return {"pages": len(document.pages)}
