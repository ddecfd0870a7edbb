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
  can tell apart, and every mark is labelled, so colour is never the only cue.

Matplotlib is imported only when a chart is drawn; its output is made
reproducible (fixed SVG ids, no dates in metadata).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.text import Annotation

ALT_TEXT_LIMIT = 250
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000"]
# The figure is 6.3 in wide: 320 dpi keeps at least 300 dpi when Word stretches it to the 6.7 in text width.
PNG_DPI = 320


@dataclass
class Chart:
    svg: str
    png: bytes
    alt: str
    caption: str


def _fraction(iso: str, end: bool = False) -> float:
    """An ISO date of any precision → a position on the year axis (its start, or with `end`, its end)."""
    year = int(iso[:4])
    if len(iso) == 4:
        return year + (1.0 if end else 0.0)
    month = int(iso[5:7])
    if len(iso) == 7:
        return year + (month if end else month - 1) / 12
    day = int(iso[8:10])
    return year + (month - 1) / 12 + (day - (0 if end else 1)) / 365


def _years(rows: list[dict[str, Any]]) -> tuple[int, int]:
    years = [int(r["iso_date"][:4]) for r in rows]
    years += [int(r["period_start"][:4]) for r in rows if r.get("period_start")]
    years += [int(r["period_end"][:4]) for r in rows if r.get("period_end")]
    return min(years), max(years)


def _currencies(rows: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(r["currency"] for r in rows))


def alt_text(rows: list[dict[str, Any]], summary: dict[str, Any] | None = None, title: str = "Funding") -> str:
    """A description of at most ALT_TEXT_LIMIT characters that says what the chart shows and what overlaps."""
    if not rows:
        return "No funding commitments."
    first, last = _years(rows)
    currencies = _currencies(rows)
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


def caption(rows: list[dict[str, Any]], summary: dict[str, Any] | None = None) -> str:
    if not rows:
        return ""
    words = ["One panel per currency; amounts are not converted, and each panel has its own scale, "
             "so compare heights only within a panel."]
    if any(r.get("period_start") for r in rows):
        words.append("A bracket spans the period of an amount given for a period, at the height of its total.")
    if summary and summary.get("left_out"):
        words.append("Hatched: part of, or may overlap, another amount, so not added in the totals.")
    return " ".join(words)


def _figure(rows: list[dict[str, Any]], left_out: set[str]) -> tuple[Figure, ModuleType]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib import rcParams

    rcParams["svg.hashsalt"] = "briefgen"
    rcParams["svg.fonttype"] = "none"  # text stays text in the SVG: searchable and small
    # The document's face: Arial, or Liberation Sans (its metric twin) where Arial is not installed.
    # The SVG names the whole list, so Word draws it in Arial and WeasyPrint in whichever is present.
    rcParams["font.family"] = "sans-serif"
    rcParams["font.sans-serif"] = ["Arial", "Liberation Sans", "DejaVu Sans"]
    rcParams["font.size"] = 8
    rcParams["hatch.linewidth"] = 0.8
    currencies = _currencies(rows)
    first, last = _years(rows)
    panel_height = 1.55 if len(currencies) <= 2 else 1.15
    fig, axes = plt.subplots(len(currencies), 1, figsize=(6.3, 0.9 + panel_height * len(currencies)),
                             squeeze=False, sharex=True)
    labels: list[tuple[Axes, Annotation]] = []  # each label with the panel it is in
    for panel, (axis, currency) in enumerate(zip(axes[:, 0], currencies, strict=True)):
        colour = PALETTE[panel % len(PALETTE)]
        mine = [r for r in rows if r["currency"] == currency]
        points = [r for r in mine if not r.get("period_start") and r["amount"] is not None]
        spans = [r for r in mine if r.get("period_start") or r["amount"] is None]
        by_year: dict[int, list[dict[str, Any]]] = {}
        for row in points:
            by_year.setdefault(int(row["iso_date"][:4]), []).append(row)
        top = 0.0
        for year, same_year in by_year.items():
            width = 0.62 / len(same_year)
            for index, row in enumerate(same_year):
                x = year + 0.5 + (index - (len(same_year) - 1) / 2) * width
                height = float(row["amount"] / Decimal(1_000_000))  # drawing only; labels use the Decimal text
                hatched = row["id"] in left_out
                axis.bar([x], [height], width=width * 0.9, color="white" if hatched else colour,
                         edgecolor=colour, hatch="////" if hatched else None, linewidth=1.0)
                labels.append((axis, axis.annotate(row["amount_text"].split(" (")[0], (x, height),
                                                   textcoords="offset points", xytext=(0, 2), ha="center",
                                                   va="bottom", fontsize=7)))
                top = max(top, height)
        for row in spans:
            amount = row["amount"] if row["amount"] is not None else _rate_amount(row)
            height = float(amount / Decimal(1_000_000))
            # A rate with no period is drawn across the year it was announced in.
            start = _fraction(row["period_start"] or row["iso_date"][:4])
            end = _fraction(row["period_end"] or row["iso_date"][:4], end=True)
            dashed = row["amount"] is None
            axis.plot([start, end], [height, height], color=colour, linewidth=2.2,
                      linestyle=(0, (3, 2)) if dashed else "solid", solid_capstyle="butt")
            for edge in (start, end):
                axis.plot([edge, edge], [height * 0.9, height * 1.04], color=colour, linewidth=1.2)
            text = row["amount_text"].split(" (")[0] + (" in all" if not dashed else "")
            if row["id"] in left_out:
                text += " (may overlap)"
            labels.append((axis, axis.annotate(text, ((start + end) / 2, height), textcoords="offset points",
                                               xytext=(0, 3), ha="center", va="bottom", fontsize=7)))
            top = max(top, height)
        axis.set_ylim(0, (top or 1) * 1.45)
        axis.set_ylabel(f"{currency} (millions)")
        axis.spines[["top", "right"]].set_visible(False)
        axis.set_title(f"In {currency}", fontsize=8, loc="left", fontweight="bold")
        axis.grid(axis="y", color="#dddddd", linewidth=0.5)
        axis.set_axisbelow(True)
    last_axis = axes[-1, 0]
    last_axis.set_xlim(first, last + 1)
    # Year labels sit in the middle of each year, with ticks at the boundaries between years.
    last_axis.set_xticks(range(first, last + 2), minor=False, labels=[""] * (last - first + 2))
    last_axis.set_xticks([y + 0.5 for y in range(first, last + 1)], minor=True,
                         labels=[str(y) for y in range(first, last + 1)])
    last_axis.tick_params(axis="x", which="minor", length=0)
    last_axis.tick_params(axis="x", which="major", length=4)
    fig.tight_layout()
    _separate_labels(fig, labels)
    return fig, plt


def _rate_amount(row: dict[str, Any]) -> Decimal:
    return row.get("rate_amount") or Decimal(0)


def _extents(box: Any) -> tuple[float, float, float, float]:
    """A Bbox as (x0, y0, x1, y1) with x0 <= x1 and y0 <= y1, as Bbox.overlaps compares it."""
    x0, y0, x1, y1 = (float(v) for v in box.extents)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _separate_labels(fig: Figure, labels: list[tuple[Axes, Annotation]]) -> None:
    """Move labels up until none overlaps another label or a bar in the same panel, and make room for them."""
    # The canvas is Agg's (matplotlib.use("Agg") in _figure), whose get_renderer matplotlib leaves untyped.
    renderer = cast("FigureCanvasAgg", fig.canvas).get_renderer()  # type: ignore[no-untyped-call]
    # What each panel already holds: its bars once each (not once per label: that made this quadratic
    # in the number of bars), then its labels as they are placed. Boxes as plain (x0, y0, x1, y1) tuples:
    # comparing those is a tenth of the cost of Bbox.overlaps, and there are labels x bars comparisons.
    placed: dict[int, list[tuple[float, float, float, float]]] = {}
    for panel in {id(panel): panel for panel, _ in labels}.values():
        placed[id(panel)] = [_extents(patch.get_window_extent(renderer)) for patch in panel.patches]
    step = 9 * fig.dpi / 72  # a label moves up 9 points at a time: its box moves this many pixels
    highest: dict[int, float] = {}
    for panel, label in sorted(labels, key=lambda pair: (id(pair[0]), pair[1].xy[1])):
        taken = placed[id(panel)]
        # Measured once: moving a label by an offset in points moves its box by as much, so the box at
        # each try is this one shifted (text layout is most of the cost of measuring).
        box = label.get_window_extent(renderer)
        x0, y0, x1, y1 = _extents(box.expanded(1.04, 1.1))
        lift = 0.0
        for _ in range(12):
            # Bbox.overlaps, inlined: touching counts as overlapping.
            if not any(ox1 >= x0 and ox0 <= x1 and oy1 >= y0 + lift and oy0 <= y1 + lift
                       for ox0, oy0, ox1, oy1 in taken):
                break
            x, y = label.xyann
            label.xyann = (x, y + 9)
            lift += step
        bx0, by0, bx1, by1 = _extents(box)
        taken.append((bx0, by0 + lift, bx1, by1 + lift))
        highest[id(panel)] = max(highest.get(id(panel), by1 + lift), by1 + lift)
    for axis in {panel for panel, _ in labels}:
        inverse = axis.transData.inverted()
        needed = inverse.transform((0, highest[id(axis)] + 4))[1]
        bottom, top = axis.get_ylim()
        if needed > top:
            axis.set_ylim(bottom, needed)


def draw_chart(rows: list[dict[str, Any]], summary: dict[str, Any] | None = None, title: str = "Funding",
               png: bool = True) -> Chart | None:
    """Draw the chart once for a build: SVG for HTML/PDF, PNG for Word (when `png`)."""
    drawable = [r for r in rows if r["amount"] is not None or r.get("rate_amount")]
    if not drawable:
        return None
    left_out = {entry["id"] for entry in (summary or {}).get("left_out", [])}
    fig, plt = _figure(drawable, left_out)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    picture = b""
    if png:
        binary = io.BytesIO()
        fig.savefig(binary, format="png", dpi=PNG_DPI, metadata={"Software": None})
        picture = binary.getvalue()
    plt.close(fig)
    return Chart(svg=svg[svg.index("<svg"):], png=picture, alt=alt_text(drawable, summary, title),
                 caption=caption(drawable, summary))
