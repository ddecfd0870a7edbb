#!/usr/bin/env python3
"""Baselines for the benchmark: the same events, rendered by plain tools.

Each subcommand is what one timed run executes, in a fresh process:

    python benchmarks/baselines.py weasyprint IN.html OUT.pdf   # WeasyPrint alone, briefgen's PDF options
    python benchmarks/baselines.py docxtpl TEMPLATE.docx CONTEXT.json OUT.docx
    python benchmarks/baselines.py yaml PROJECT                 # PyYAML's C loader on every fact file

and the inputs they need, prepared once per project (not timed):

    python benchmarks/baselines.py prepare PROJECT DIR          # DIR/events.md, DIR/context.json, DIR/template.docx

The Markdown and the docxtpl context hold what the official briefing's chronology and funding
annex hold: per event its date, title, summary and the source quoted; per commitment its date,
amount and purpose.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

# The options briefgen's PDF backend passes to WeasyPrint (briefgen/backends/pdf.py, write_pdf).
WEASYPRINT_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}
SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "US$ ", "CHF": "CHF ", "JPY": "¥"}


def fact_files(project: Path) -> list[Path]:
    files = sorted(p for p in (project / "facts").rglob("*") if p.suffix in (".yaml", ".yml"))
    return [*files, project / "seeds" / "index.yaml"]


def load_facts(project: Path) -> dict:
    import yaml

    merged: dict = {}
    for path in fact_files(project):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
        for key, value in data.items():
            if isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            elif value is not None:
                merged[key] = value
    return merged


def money(amount: str, currency: str, qualifier: str) -> str:
    value = int(amount)
    sign = SYMBOLS.get(currency, currency + " ")
    if value >= 10**9 and value % 10**7 == 0:
        text = f"{sign}{value / 10**9:g}bn"
    elif value % 10**4 == 0:
        text = f"{sign}{value / 10**6:g}m"
    else:
        text = f"{sign}{value:,}"
    return text if qualifier in ("exact", None) else f"{qualifier} {text}"


def context(project: Path) -> dict:
    facts = load_facts(project)
    seeds = {s["id"]: s for s in facts.get("seeds", [])}
    events = {e["id"]: e for e in facts.get("events", [])}

    def cite(refs: list[dict]) -> str:
        ref = refs[0]
        seed = seeds[ref["seed"]]
        return f"{seed['publisher']}, ‘{seed['title']}’, {seed['kind']}, {seed['published']}: “{ref['quote']}”"

    def when(date: str) -> tuple:
        # As briefgen sorts: a year-only date after that year's months and days, a month after its days.
        parts = [int(p) for p in date.split("-")] + [99, 99]
        return tuple(parts[:3])

    rows = sorted(facts.get("events", []), key=lambda e: (when(e["date"]), e["id"]))
    return {
        "title": facts["briefing"]["title"],
        "subject": facts["briefing"]["subject"],
        "marking": facts["briefing"].get("protective_marking", "OFFICIAL"),
        "events": [{"date": e["date"], "title": e["title"], "summary": e["summary"], "source": cite(e["sources"])}
                   for e in rows],
        "funding": [{"date": events[f["event"]]["date"], "title": f["title"],
                     "amount": money(f["amount"], f["currency"], f.get("qualifier", "exact")),
                     "purpose": f["purpose"]}
                    for f in sorted(facts.get("funding", []),
                                    key=lambda f: (when(events[f["event"]]["date"]), f["id"]))],
    }


def markdown(ctx: dict) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    out = ["---", f"title: {json.dumps(ctx['title'], ensure_ascii=False)}", "lang: en-GB", "---", "",
           f"**{ctx['marking']}**", "", ctx["subject"], "", "# Chronology", ""]
    for e in ctx["events"]:
        out += [f"## {e['date']}: {e['title']}", "", e["summary"], "", f"Source: {e['source']}", ""]
    out += ["# Funding commitments", "", "| Date | Commitment | Amount | Purpose |", "|---|---|---|---|"]
    for f in ctx["funding"]:
        out.append(f"| {f['date']} | {cell(f['title'])} | {cell(f['amount'])} | {cell(f['purpose'])} |")
    return "\n".join(out) + "\n"


def docx_template(path: Path) -> None:
    """A Word template for docxtpl: a heading, then one table row per event and per commitment."""
    from docx import Document

    doc = Document()
    doc.add_paragraph("{{ marking }}")
    doc.add_heading("{{ title }}", level=0)
    doc.add_paragraph("{{ subject }}")
    doc.add_heading("Chronology", level=1)
    _loop_table(doc, ["Date", "Event", "Summary", "Source"], "e", "events", ["date", "title", "summary", "source"])
    doc.add_heading("Funding commitments", level=1)
    _loop_table(doc, ["Date", "Commitment", "Amount", "Purpose"], "f", "funding",
                ["date", "title", "amount", "purpose"])
    doc.save(str(path))


def prepare(project: Path, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    ctx = context(project)
    paths = {"markdown": folder / "events.md", "context": folder / "context.json",
             "template": folder / "template.docx"}
    paths["markdown"].write_text(markdown(ctx), encoding="utf-8")
    paths["context"].write_text(json.dumps(ctx, ensure_ascii=False, indent=1), encoding="utf-8")
    docx_template(paths["template"])
    return paths


# ---------------------------------------------------------------------- the timed baselines


def run_weasyprint(html: Path, out: Path) -> None:
    from weasyprint import HTML

    HTML(filename=str(html), base_url=str(html.parent) + "/").write_pdf(str(out), **WEASYPRINT_OPTIONS)


def run_docxtpl(template: Path, ctx: Path, out: Path) -> None:
    from docxtpl import DocxTemplate

    doc = DocxTemplate(str(template))
    doc.render(json.loads(ctx.read_text(encoding="utf-8")))
    doc.save(str(out))


def run_yaml(project: Path) -> None:
    import yaml

    count = 0
    for path in fact_files(project):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
        count += sum(len(v) for v in data.values() if isinstance(v, list))
    print(f"loaded {count} entries from {len(fact_files(project))} files")


def main(argv: list[str]) -> int:
    usage = __doc__.split("\n\n")[1]
    if not argv:
        print(usage, file=sys.stderr)
        return 2
    command, args = argv[0], [Path(a) for a in argv[1:]]
    if command == "weasyprint" and len(args) == 2:
        run_weasyprint(*args)
    elif command == "docxtpl" and len(args) == 3:
        run_docxtpl(*args)
    elif command == "yaml" and len(args) == 1:
        run_yaml(*args)
    elif command == "prepare" and len(args) == 2:
        for name, path in prepare(*args).items():
            print(f"{name}: {path}")
    else:
        print(usage, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def _loop_table(doc: Any, headings: list[str], item: str, items: str, fields: list[str]) -> None:
    """A docxtpl table: a heading row, then one row per entry of `items` ({%tr for %} … {%tr endfor %})."""
    table = doc.add_table(rows=4, cols=len(headings))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        cell.text = text
    table.rows[1].cells[0].text = f"{{%tr for {item} in {items} %}}"
    for cell, field in zip(table.rows[2].cells, fields, strict=True):
        cell.text = f"{{{{ {item}.{field} }}}}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
