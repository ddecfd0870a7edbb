"""Build stage: checked facts + audiences + formats → files in the out folder.

In: a provenance-checked `FactBase`, the audiences and formats asked for, the
template folders and the out folder. Out: one file per (audience, format),
and a list of `Output` records (audience, format, path, bytes, pages).

Each audience's HTML is rendered once in this process; the backends (the slow
part) run in worker processes, `jobs` at a time. Every file is written to a
temporary name in the out folder and renamed into place only when complete,
so a failed or killed build leaves earlier outputs intact and no partial file.
"""

from __future__ import annotations

import base64
import os
import re
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

from .errors import BriefgenError, display_path
from .model import FactBase

FORMATS = {"pdf": ".pdf", "docx": ".docx", "html": ".html"}
TEMP_PREFIX = ".briefgen-partial-"


@dataclass
class Output:
    audience: str
    format: str
    path: str
    bytes: int
    pages: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Job:
    audience: str
    format: str
    html: str
    meta: dict[str, str]
    assets: dict[str, bytes]
    template_dirs: list[Path]
    template_name: str
    target: Path


def _backend(fmt: str) -> Callable[..., dict]:
    # Imported lazily: WeasyPrint alone costs about a second to import.
    if fmt == "pdf":
        from .backends.pdf import write_pdf
        return write_pdf
    if fmt == "docx":
        from .backends.docx import write_docx
        return write_docx
    from .backends.html import write_html
    return write_html


def output_name(base: FactBase, audience: str, fmt: str) -> str:
    """Safe, descriptive file name: briefing slug, audience, briefing date."""
    name = f"{base.slug}_{audience}_{base.briefing.date.iso()}{FORMATS[fmt]}"
    return re.sub(r"[^A-Za-z0-9._-]", "-", name)


def run_job(job: Job) -> Output:
    """Write one output atomically. Runs in a worker process."""
    job.target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=job.target.suffix, dir=job.target.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        writer = _backend(job.format)
        kwargs: dict[str, Any] = {}
        if job.format == "docx":
            reference = next((d / "reference.docx" for d in job.template_dirs if (d / "reference.docx").is_file()),
                             None)
            kwargs["reference"] = reference
            # Word follows the PDF's layout of the same HTML: its contents list prints the PDF's page
            # numbers and its tables take the PDF's column widths (see pdf_layout.py; about 1 s of CPU).
            from .pdf_layout import pdf_layout
            layout = pdf_layout(job.html, job.template_dirs)
            kwargs["page_numbers"] = layout.pages
            kwargs["column_widths"] = layout.table_columns
        else:
            kwargs["template_dirs"] = job.template_dirs
        info = writer(job.html, temp, job.meta, job.assets, template_name=job.template_name, **kwargs)
        os.chmod(temp, 0o644)
        os.replace(temp, job.target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return Output(job.audience, job.format, display_path(job.target), job.target.stat().st_size, info.get("pages"))


def remove_stale_partials(out_dir: Path) -> None:
    """A build killed mid-write leaves a hidden temp file; clear those before writing anew."""
    if out_dir.is_dir():
        for stale in out_dir.glob(f"{TEMP_PREFIX}*"):
            stale.unlink(missing_ok=True)


def build(base: FactBase, audiences: list[str], formats: list[str], out_dir: Path, user_templates: Path | None,
          jobs: int = 0, on_written: Callable[[Output], None] | None = None, since=None) -> list[Output]:
    from .chart import draw_chart
    from .context import build_context
    from .render import AUDIENCE_SUFFIX, render_html, template_dirs

    dirs = template_dirs(user_templates)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(out_dir)

    from markupsafe import Markup

    work: list[Job] = []
    drawn = False
    funding_chart = None
    for audience in audiences:
        context = build_context(base, audience, since)
        if not drawn:  # the chart depends on the funding only: draw it once per build
            funding_chart = draw_chart(context["funding"], context["funding_summary"],
                                       base.briefing.funding_title, png="docx" in formats)
            drawn = True
        image = ""
        if funding_chart is not None:
            # An <img> with alt text (not inline SVG) so the tagged PDF carries the alt text too;
            # data-asset tells the Word backend which PNG stands in for the SVG.
            data = base64.b64encode(funding_chart.svg.encode("utf-8")).decode("ascii")
            image = (f'<img class="chart" src="data:image/svg+xml;base64,{data}" alt="{_attr(funding_chart.alt)}" '
                     f'data-asset="funding-chart">')
        chart = {"img": Markup(image), "alt": funding_chart.alt if funding_chart else "",
                 "caption": funding_chart.caption if funding_chart else "", "title": base.briefing.funding_title}
        html = render_html(context, audience, user_templates, extra={"chart": chart})
        html = add_table_of_contents(html)
        # The page's own <title> names the audience, so each file's title says whom it is for.
        meta = {"title": html_title(html) or base.briefing.title, "subject": base.briefing.subject,
                "author": base.briefing.owner,
                "keywords": f"{audience} briefing, {base.briefing.protective_marking}",
                "language": base.briefing.language, "marking": base.briefing.protective_marking,
                "date": base.briefing.date.iso()}
        assets: dict[str, bytes] = {}
        if "docx" in formats and funding_chart is not None:
            assets["funding-chart"] = funding_chart.png
        template_name = f"templates/{audience}{AUDIENCE_SUFFIX}"
        for fmt in formats:
            work.append(Job(audience, fmt, html, meta, assets, dirs, template_name,
                            out_dir / output_name(base, audience, fmt)))

    jobs = jobs or os.cpu_count() or 1
    outputs: list[Output] = []
    if jobs == 1 or len(work) == 1:
        for job in work:
            outputs.append(run_job(job))
            if on_written:
                on_written(outputs[-1])
        return outputs
    errors: list = []
    with ProcessPoolExecutor(max_workers=min(jobs, len(work))) as pool:
        futures = [pool.submit(run_job, job) for job in work]
        for future in futures:
            try:
                outputs.append(future.result())
                if on_written:
                    on_written(outputs[-1])
            except BriefgenError as exc:
                errors += exc.problems
    if errors:
        raise BriefgenError(list(dict.fromkeys(str(e) for e in errors)))
    return outputs


def html_title(html: str) -> str:
    """The text of the page's <title>, entities decoded and white space collapsed ("" if it has none)."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # lxml raises ParserError/ValueError for empty or unparsable input
        return ""
    title = root.find("head/title")
    if title is None:
        title = root.find(".//title")
    return " ".join((title.text_content() if title is not None else "").split())


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;"))


_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_TOC_PLACEHOLDER = '<nav class="toc" aria-label="Contents"></nav>'


def add_table_of_contents(html: str) -> str:
    """Fill the template's empty <nav class="toc"> with links to every h2/h3 that has an id."""
    if _TOC_PLACEHOLDER not in html:
        return html
    entries = []
    for level, anchor, text in _HEADING.findall(html):
        label = re.sub(r"<[^>]+>", "", text).strip()
        entries.append(f'<li class="level-{int(level) - 1}"><a href="#{anchor}">{label}</a></li>')
    toc = ('<nav class="toc" aria-label="Contents">\n<p class="toc-title"><strong>Contents</strong></p>\n<ol>\n'
           + "\n".join(entries) + "\n</ol>\n</nav>")
    return html.replace(_TOC_PLACEHOLDER, toc, 1)
