"""Chart stage: funding rows and honest totals → a chart of commitments over time (SVG, PNG, alt text).

In: the funding rows of the context (amount as Decimal, currency, date, period)
and its funding summary (which amounts are left out of the totals because they
may overlap). Out: a `Chart` with SVG text (for HTML and PDF), PNG bytes at
print resolution (for Word), alt text of at most `ALT_TEXT_LIMIT` characters
that states the overlap, and a caption stating the chart's rules.

The rules, so the picture cannot say more than the facts:

* one panel per currency, never converted; each panel's scale runs from zero to
  above its own largest amount, and the caption says heights compare only
  within a panel;
* a commitment made at one time is a bar centred in its year, labelled with its
  amount; two in the same year and currency stand side by side, never on top of
  each other;
* an amount spread over a period (a running total, or "£12m over three years")
  is a bracket spanning that period at the height of its total, not a bar at
  one date; an amount stated only as a rate is a dashed bracket;
* an amount that may count the same money as another (left out of the totals)
  is hatched;
* colours come from the Okabe–Ito palette, which readers with colour-blindness
  can tell apart, and every mark is labelled, so colour is never the only cue;
* no label overlaps another label or a mark, and none runs off the picture: a
  label is lifted until it is clear, and the panel's scale grows to hold it.

The chart is laid out once, in points (chart_layout.py), and that one drawing
is written as SVG and painted as PNG (chart_paint.py), so the two pictures
cannot disagree. A plotting library did this before: importing and drawing with
matplotlib cost 0.8 s at 10 events and 2.1 s at 1,000, more than any other
stage before the PDF's layout; this takes a tenth of that. Same rows, same
bytes: nothing in either picture depends on the time or the machine beyond the
font found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .chart_layout import currencies_in, lay_out, year_span
from .chart_paint import png_bytes, svg_text

ALT_TEXT_LIMIT = 250


@dataclass
class Chart:
    svg: str
    png: bytes
    alt: str
    caption: str


def alt_text(rows: list[dict[str, Any]], summary: dict[str, Any] | None = None, title: str = "Funding") -> str:
    """A description of at most ALT_TEXT_LIMIT characters that says what the chart shows and what overlaps."""
    if not rows:
        return "No funding commitments."
    first, last = year_span(rows)
    currencies = currencies_in(rows)
    head = (f"{title}: {len(rows)} amounts, {first}–{last}, one panel per currency "
            f"({', '.join(currencies)}), not converted.")
    largest = []
    for currency in currencies:
        mine = [r for r in rows if r["currency"] == currency and r["amount"] is not None]
        if mine:
            top = max(mine, key=lambda r: r["amount"])
            largest.append(top["amount_text"].split(" (")[0].replace("\u00a0", " "))
    overlap = " Some amounts may overlap, so they are not added up." if summary and summary.get("left_out") else ""
    parts = [head, f" Largest: {', '.join(largest)}." if largest else "", overlap]
    text = "".join(parts)
    while len(text) > ALT_TEXT_LIMIT and largest:
        largest.pop()
        parts[1] = f" Largest: {', '.join(largest)}." if largest else ""
        text = "".join(parts)
    if len(text) > ALT_TEXT_LIMIT:
        text = (head[: ALT_TEXT_LIMIT - len(overlap) - 1].rsplit(" ", 1)[0] + "…" + overlap)[:ALT_TEXT_LIMIT]
    return text


def caption(rows: list[dict[str, Any]], summary: dict[str, Any] | None = None, unlabelled: int = 0) -> str:
    if not rows:
        return ""
    words = ["One panel per currency; amounts are not converted, and each panel has its own scale, "
             "so compare heights only within a panel."]
    if any(r.get("period_start") for r in rows):
        words.append("A bracket spans the period of an amount given for a period, at the height of its total.")
    if summary and summary.get("left_out"):
        words.append("Hatched: part of, or may overlap, another amount, so not added in the totals.")
    if unlabelled:
        words.append(f"{unlabelled} of the {len(rows)} amounts are too close to others to be labelled here.")
    return " ".join(words)



def draw_chart(rows: list[dict[str, Any]], summary: dict[str, Any] | None = None, title: str = "Funding",
               png: bool = True) -> Chart | None:
    """Draw the chart once for a build: SVG for HTML/PDF, PNG for Word (when `png`)."""
    drawable = [r for r in rows if r["amount"] is not None or r.get("rate_amount")]
    if not drawable:
        return None
    left_out = {entry["id"] for entry in (summary or {}).get("left_out", [])}
    drawing = lay_out(drawable, left_out)
    return Chart(svg=svg_text(drawing), png=png_bytes(drawing) if png else b"",
                 alt=alt_text(drawable, summary, title), caption=caption(drawable, summary, drawing.unlabelled))

