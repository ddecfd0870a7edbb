"""Chart stage: funding annex rows → a chart of commitments over time (SVG and PNG).

In: the funding rows of the context (amount as Decimal, currency, date). Out:
SVG text (for HTML and PDF) and PNG bytes (for Word), plus alt text describing
every bar. One panel per currency, because amounts in different currencies
are never put on one scale. Matplotlib is imported only when a chart is drawn,
and its output is made reproducible (fixed SVG ids, no dates in metadata).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any


def alt_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "No funding commitments."
    parts = [f"{row['date']}: {row['amount_text']} ({row['title']})" for row in rows]
    return "Bar chart of funding commitments by date, one panel per currency. " + "; ".join(parts) + "."


def _figure(rows: list[dict[str, Any]]):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib import rcParams

    rcParams["svg.hashsalt"] = "briefgen"
    rcParams["svg.fonttype"] = "none"  # text stays text in the SVG: searchable and small
    rcParams["font.family"] = "DejaVu Sans"
    rcParams["font.size"] = 8
    currencies = sorted({row["currency"] for row in rows})
    fig, axes = plt.subplots(len(currencies), 1, figsize=(6.3, 1.0 + 1.35 * len(currencies)), squeeze=False,
                             sharex=True)
    years = [int(row["iso_date"][:4]) for row in rows]
    colours = {"GBP": "#1d4f91", "EUR": "#b5482a"}
    for axis, currency in zip(axes[:, 0], currencies):
        mine = [row for row in rows if row["currency"] == currency]
        xs = [_year_fraction(row["iso_date"]) for row in mine]
        heights = [float(row["amount"] / Decimal(1_000_000)) for row in mine]  # drawing only; labels use Decimal
        axis.bar(xs, heights, width=0.45, color=colours.get(currency, "#4a4a4a"))
        for x, h, row in zip(xs, heights, mine):
            axis.annotate(row["amount_text"].split(" (")[0], (x, h), textcoords="offset points", xytext=(0, 2),
                          ha="center", va="bottom", fontsize=7)
        axis.set_ylabel(f"{currency} million")
        axis.set_ylim(0, max(heights) * 1.35)
        axis.spines[["top", "right"]].set_visible(False)
        axis.set_title(f"Commitments in {currency} (not converted)", fontsize=8, loc="left")
    last = axes[-1, 0]
    last.set_xlim(min(years) - 0.7, max(years) + 1.2)
    last.set_xticks(range(min(years), max(years) + 2))
    last.tick_params(axis="x", labelrotation=0)
    fig.tight_layout()
    return fig, plt


def _year_fraction(iso: str) -> float:
    year = int(iso[:4])
    month = int(iso[5:7]) if len(iso) >= 7 else 7
    return year + (month - 0.5) / 12


def funding_chart_svg(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    fig, plt = _figure(rows)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]  # drop the XML prolog and DOCTYPE so it can sit inside HTML


def funding_chart_png(rows: list[dict[str, Any]], dpi: int = 150) -> bytes:
    if not rows:
        return b""
    fig, plt = _figure(rows)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()
