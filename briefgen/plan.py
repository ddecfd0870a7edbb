"""Plan stage: checked facts + audiences + formats → one job per output, each audience's HTML rendered.

In: a provenance-checked `FactBase`, the audiences and formats to make, the out
folder and the user's template folder. Out: a `Job` per (audience, format):
the audience's HTML (rendered once here, with the funding chart drawn once for
all audiences), the document's metadata, the chart's PNG for Word, and the file
the job writes. Nothing is written here; build.py runs the jobs.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .page_parts import add_table_of_contents, attribute_text, html_title

if TYPE_CHECKING:
    from .model import FactBase, FactDate

FORMATS = {"pdf": ".pdf", "docx": ".docx", "html": ".html"}


def pick(value: str, allowed: list[str], what: str) -> list[str]:
    """"all", one name, or a comma-separated list → names, each once, in the order given; ValueError
    naming the unknown ones (or an empty list) and the choices."""
    names = allowed if value.strip() == "all" else [v.strip() for v in value.split(",") if v.strip()]
    names = list(dict.fromkeys(names))  # "press,press" asks for press once
    unknown = [n for n in names if n not in allowed]
    if unknown or not names:
        raise ValueError(f"unknown {what} {', '.join(repr(u) for u in unknown) or repr(value)}; "
                         f"choose from: {', '.join(allowed)} or all")
    return names


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
    temp: Path | None = None  # the hidden name on the way into place, chosen by the main process (see atomic.py)
    before: tuple[int, int] | None = None  # the target's (st_dev, st_ino) before this build, if it existed
    templates_read: list[str] = field(default_factory=list)  # what the rendering read (build_cache.py)
    # The nameless file through which the PDF job of the same HTML hands its layout to the Word job
    # (pdf_layout.py), when both run: a descriptor every worker inherits (build.py).
    layout_fd: int | None = None


def output_name(base: FactBase, audience: str, fmt: str) -> str:
    """Safe, descriptive file name: briefing slug, audience, briefing date."""
    name = f"{base.slug}_{audience}_{base.briefing.date.iso()}{FORMATS[fmt]}"
    return re.sub(r"[^A-Za-z0-9._-]", "-", name)


def plan_jobs(base: FactBase, audiences: list[str], formats: list[str], out_dir: Path,
              user_templates: Path | None, since: FactDate | None,
              skip: set[tuple[str, str]] | None = None) -> list[Job]:
    """Render each audience's HTML here (templates, chart) and list the jobs for the backends, leaving
    out the (audience, format) pairs in `skip`. The out folder is not created here (build.py does)."""
    from .chart import draw_chart
    from .context import build_context
    from .render import render_html
    from .template_folders import AUDIENCE_SUFFIX, template_dirs

    dirs = template_dirs(user_templates)

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
            alt = attribute_text(funding_chart.alt)
            image = f'<img class="chart" src="data:image/svg+xml;base64,{data}" alt="{alt}" data-asset="funding-chart">'
        chart = {"img": Markup(image), "alt": funding_chart.alt if funding_chart else "",
                 "caption": funding_chart.caption if funding_chart else "", "title": base.briefing.funding_title}
        read: list[Path] = []
        html = render_html(context, audience, user_templates, extra={"chart": chart}, used_files=read)
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
            if (audience, fmt) not in (skip or set()):
                work.append(Job(audience, fmt, html, meta, assets, dirs, template_name,
                                out_dir / output_name(base, audience, fmt),
                                templates_read=sorted({str(p.resolve()) for p in read})))

    return work
