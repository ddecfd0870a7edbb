"""Chart layout: funding rows → a `Drawing` of the chart, every mark, label and scale placed in points.

In: the funding rows to draw (amount as Decimal, currency, date, period) and
the ids of those left out of the totals. Out: a `Drawing` (chart_paint.py),
with each panel's plot area and scale kept for checking.

One panel per currency, never converted, each scaled from zero to above its own
largest amount; bars centred in their year, side by side within a year;
brackets over periods (dashed for a rate); hatching for amounts left out of the
totals. Labels are placed lowest mark first and lifted until they cover no mark
and no other label; a lifted label gets a thin leader to its mark. The scale
grows to hold the labels, but bars keep at least 40% of the panel: where labels
still do not fit, the largest amounts keep theirs and the count of the others
is returned for the caption. Year labels thin out (every 2nd, 5th, 10th…) so
that they never touch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from .chart_paint import DROP, INK, RISE, WIDTH, Blank, Drawing, Label, Line, Rect, Text, text_width

PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000"]
TEXT_SIZE = 8  # points: axis titles, tick labels, panel titles
LABEL_SIZE = 7  # points: the amount on each mark
GRID_COLOUR = "#dddddd"
LIFT = 9.0  # points a label moves up at a time when it would cover something
MAX_LIFTS = 12


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


def year_span(rows: list[dict[str, Any]]) -> tuple[int, int]:
    years = [int(r["iso_date"][:4]) for r in rows]
    years += [int(r["period_start"][:4]) for r in rows if r.get("period_start")]
    years += [int(r["period_end"][:4]) for r in rows if r.get("period_end")]
    return min(years), max(years)


def currencies_in(rows: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(r["currency"] for r in rows))


def _rate_amount(row: dict[str, Any]) -> Decimal:
    return row.get("rate_amount") or Decimal(0)


# --------------------------------------------------------------------------- the marks of a panel

@dataclass(frozen=True)
class _Mark:
    row_id: str
    kind: Literal["bar", "span", "rate"]
    start: float  # years, on the shared axis
    end: float
    value: float  # millions of the panel's currency, for drawing only: labels use the Decimal text
    label: str
    hatched: bool


@dataclass
class _Panel:
    currency: str
    colour: str
    marks: list[_Mark]
    largest: float


# Heights are drawn from floats; an amount past a million billion millions (no budget, but a fact file
# can say anything) is drawn at that height rather than as an infinite or negative bar.
_TALLEST = 1e15


def _millions(amount: Decimal) -> float:
    """An amount in millions, for drawing only: labels are the amount's own text, never this number."""
    value = float(amount / Decimal(1_000_000))
    return min(max(value, 0.0), _TALLEST) if math.isfinite(value) else _TALLEST


def _panel(rows: list[dict[str, Any]], currency: str, colour: str, left_out: set[str]) -> _Panel:
    mine = [r for r in rows if r["currency"] == currency]
    points = [r for r in mine if not r.get("period_start") and r["amount"] is not None]
    spans = [r for r in mine if r.get("period_start") or r["amount"] is None]
    by_year: dict[int, list[dict[str, Any]]] = {}
    for row in points:
        by_year.setdefault(int(row["iso_date"][:4]), []).append(row)
    marks: list[_Mark] = []
    for year, same_year in by_year.items():
        # Commitments of one year stand side by side within its middle 62%, each 90% of its share.
        share = 0.62 / len(same_year)
        for index, row in enumerate(same_year):
            middle = year + 0.5 + (index - (len(same_year) - 1) / 2) * share
            marks.append(_Mark(row["id"], "bar", middle - share * 0.45, middle + share * 0.45,
                               _millions(row["amount"]), row["amount_text"].split(" (")[0],
                               row["id"] in left_out))
    for row in spans:
        rate = row["amount"] is None
        amount = _rate_amount(row) if rate else row["amount"]
        # A rate with no period is drawn across the year it was announced in.
        start = _fraction(row["period_start"] or row["iso_date"][:4])
        end = _fraction(row["period_end"] or row["iso_date"][:4], end=True)
        text = row["amount_text"].split(" (")[0] + ("" if rate else " in all")
        if row["id"] in left_out:
            text += " (may overlap)"
        marks.append(_Mark(row["id"], "rate" if rate else "span", start, end,
                           _millions(amount), text, row["id"] in left_out))
    return _Panel(currency, colour, marks, max((m.value for m in marks), default=0.0))


# --------------------------------------------------------------------------- the scale

def _ticks(top: float) -> list[Decimal]:
    """Round values from 0 up to `top`, three to six of them, steps of 1, 2, 2.5 or 5 times a power of ten."""
    if not top > 0 or not math.isfinite(top):
        return [Decimal(0)]
    raw = top / 5
    exponent = math.floor(math.log10(raw))
    step = Decimal(10) ** exponent
    for mantissa in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        if float(mantissa * Decimal(10) ** exponent) >= raw:
            step = mantissa * Decimal(10) ** exponent
            break
    count = int(Decimal(repr(top)) // step)
    return [step * i for i in range(count + 1)]


def _tick_text(value: Decimal) -> str:
    """A scale number without exponent or trailing zeros: 100, not 1E+2; 2.5, not 2.50."""
    return format(value.normalize(), "f")


# --------------------------------------------------------------------------- laying the chart out

TOP = 4.0  # points above the first panel's title
TITLE = 14.0  # a panel's title row
GAP = 10.0  # between one panel's axis and the next panel's title
X_AXIS = 20.0  # the year ticks and labels under the last panel
RIGHT = 8.0  # points right of the plots
TICK = 3.5


class _Obstacles:
    """Boxes (x0, y0, x1, y1: points, y upward from the panel's baseline) in columns 24 points wide, so
    a new label is compared with what is near it, not with every mark of a crowded panel."""

    COLUMN = 24.0

    def __init__(self) -> None:
        self.columns: dict[int, list[tuple[float, float, float, float]]] = {}

    def _span(self, x0: float, x1: float) -> range:
        return range(math.floor(x0 / self.COLUMN), math.floor(x1 / self.COLUMN) + 1)

    def add(self, box: tuple[float, float, float, float]) -> None:
        for column in self._span(box[0], box[2]):
            self.columns.setdefault(column, []).append(box)

    def hits(self, box: tuple[float, float, float, float]) -> bool:
        x0, y0, x1, y1 = box
        return any(ox1 >= x0 and ox0 <= x1 and oy1 >= y0 and oy0 <= y1
                   for column in self._span(x0, x1) for ox0, oy0, ox1, oy1 in self.columns.get(column, ()))


@dataclass(frozen=True)
class _Placed:
    mark: _Mark
    centre: float  # points from the picture's left
    baseline: float  # points above the panel's baseline
    width: float
    lifted: bool  # moved up to be clear: a thin leader joins it to its mark


def _label_box(centre: float, width: float, baseline: float) -> tuple[float, float, float, float]:
    """What a label covers, with a little room around it (points, y upward from the panel's baseline)."""
    return (centre - width / 2 - 0.5, baseline - DROP * LABEL_SIZE - 0.3,
            centre + width / 2 + 0.5, baseline + RISE * LABEL_SIZE + 0.3)


def _place_labels(panel: _Panel, labelled: list[_Mark], top: float, plot_height: float, x_of: Any,
                  left: float, ceiling: float | None) -> tuple[list[_Placed], float, int]:
    """The label of each mark of `labelled`, in that order, above its mark, lifted LIFT points at a
    time (at most MAX_LIFTS, and not past `ceiling`) until it covers no mark of the panel and no label
    placed before it; one that finds no clear place is left out. Returns the labels, the highest
    point any of them reaches, and how many were left out."""
    scale = plot_height / top
    obstacles = _Obstacles()
    for mark in panel.marks:
        x0, x1 = x_of(mark.start), x_of(mark.end)
        height = mark.value * scale
        if mark.kind == "bar":
            obstacles.add((x0 - 0.5, 0.0, x1 + 0.5, height + 0.5))
        else:
            obstacles.add((x0 - 0.6, height - 5.0, x1 + 0.6, height + 2.0))
    placed: list[_Placed] = []
    highest = 0.0
    left_unlabelled = 0
    for mark in labelled:
        width = text_width(mark.label, LABEL_SIZE)
        middle = (x_of(mark.start) + x_of(mark.end)) / 2
        # Inside the picture, and clear of the scale's numbers on the left.
        centre = max(min(middle, WIDTH - width / 2 - 1), left + width / 2 + 1)
        baseline = start = mark.value * scale + (2.5 if mark.kind == "bar" else 4.0)
        lifts = 0
        while obstacles.hits(_label_box(centre, width, baseline)) and lifts < MAX_LIFTS:
            baseline += LIFT
            lifts += 1
        box = _label_box(centre, width, baseline)
        if obstacles.hits(box) or (ceiling is not None and box[3] > ceiling):
            left_unlabelled += 1
            continue
        obstacles.add(box)
        highest = max(highest, box[3])
        placed.append(_Placed(mark, centre, baseline, width, baseline > start))
    return placed, highest, left_unlabelled


def _fit_labels(panel: _Panel, plot_height: float, x_of: Any, left: float) -> tuple[list[_Placed], float, int]:
    """A panel's labels and the value at its top: the scale starts at 1.45 times the largest amount
    and grows until every label that can be placed clear fits inside the panel, but at most to 2.5
    times it, so the bars keep at least 40% of the height. Where labels cannot all be placed clear
    inside the panel, the largest amounts keep theirs (the caption says how many are left out)."""
    largest = panel.largest or 1.0
    top = largest * 1.45
    # Lowest marks first, so that labels lifted clear of their neighbours stack upwards in order.
    rising = sorted(panel.marks, key=lambda m: (m.value, m.start))
    for _ in range(10):
        labels, highest, unplaced = _place_labels(panel, rising, top, plot_height, x_of, left, None)
        if highest <= plot_height or top >= largest * 2.5:
            break
        top = min(largest * 2.5, top * max(1.05, highest / plot_height))
    labels, _highest, unplaced = _place_labels(panel, rising, top, plot_height, x_of, left, plot_height)
    if unplaced:
        # Not every label fits: choose which by size, largest first, then lay those out rising.
        chosen, _highest, _ = _place_labels(panel, rising[::-1], top, plot_height, x_of, left, plot_height)
        kept = {id(placed.mark) for placed in chosen}
        labels, _highest, lost = _place_labels(panel, [m for m in rising if id(m) in kept], top, plot_height,
                                               x_of, left, plot_height)
        if lost:  # laid out rising, some no longer fit: keep the largest-first layout, which holds them all
            labels = chosen
        unplaced = len(panel.marks) - len(labels)
    return labels, top, unplaced


def _year_step(years: int, per_year: float) -> int:
    """Label every year, or every 2nd, 5th, 10th… so that the labels do not touch."""
    needed = text_width("0000", TEXT_SIZE) + 4
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if step * per_year >= needed:
            return step
    return max(1, years)


def lay_out(rows: list[dict[str, Any]], left_out: set[str]) -> Drawing:
    """Place every mark, label, scale and title of the chart, in points from the top left."""
    currencies = currencies_in(rows)
    first, last = year_span(rows)
    count = len(currencies)
    height = (0.9 + (1.55 if count <= 2 else 1.15) * count) * 72
    plot_height = (height - TOP - X_AXIS - count * TITLE - (count - 1) * GAP) / count
    panels = [_panel(rows, currency, PALETTE[i % len(PALETTE)], left_out) for i, currency in enumerate(currencies)]

    def left_for(tops: list[float]) -> float:
        # upright axis title (baseline at 10, descent 2), a gap, the widest number, the tick
        widest = max(text_width(_tick_text(t), TEXT_SIZE) for top in tops for t in _ticks(top))
        return 12.0 + 5.0 + widest + 2.0 + TICK

    tops = [(p.largest or 1.0) * 1.45 for p in panels]
    left = left_for(tops)
    for _ in range(3):  # the labels set the scales, whose numbers set the left margin, which moves labels
        per_year = (WIDTH - RIGHT - left) / (last + 1 - first)

        def x_of(year: float, left: float = left, per_year: float = per_year) -> float:
            return left + (year - first) * per_year

        placements = []
        unlabelled = 0
        for index, panel in enumerate(panels):
            labels, tops[index], left_out_here = _fit_labels(panel, plot_height, x_of, left)
            placements.append(labels)
            unlabelled += left_out_here
        needed = left_for(tops)
        if needed <= left:
            break
        left = needed

    drawing = Drawing(WIDTH, height, unlabelled=unlabelled)
    right = WIDTH - RIGHT
    step = _year_step(last + 1 - first, per_year)
    for index, (panel, top, labels) in enumerate(zip(panels, tops, placements, strict=True)):
        plot_top = TOP + index * (TITLE + plot_height + GAP) + TITLE
        base = plot_top + plot_height
        scale = plot_height / top
        drawing.plots.append((left, plot_top, right, base))
        drawing.tops.append(top)
        shapes = drawing.shapes
        ticks = _ticks(top)
        for tick in ticks[1:]:
            y = base - float(tick) * scale
            shapes.append(Line(((left, y), (right, y)), GRID_COLOUR, 0.5))
        # A lifted label's leader to its mark, drawn before the marks and the labels' blanks, so that
        # it passes behind any bar or label on its way (its own mark included: it ends at the top).
        for placed in labels:
            if placed.lifted:  # which mark a lifted label names must not be left to guesswork
                mark = placed.mark
                shapes.append(Line(((placed.centre, base - placed.baseline + DROP * LABEL_SIZE + 0.5),
                                    ((x_of(mark.start) + x_of(mark.end)) / 2, base - mark.value * scale - 0.5)),
                                   panel.colour, 0.5))
        for mark in panel.marks:
            x0, x1 = x_of(mark.start), x_of(mark.end)
            y = base - mark.value * scale
            if mark.kind == "bar":
                shapes.append(Rect(x0, y, x1, base, "#ffffff" if mark.hatched else panel.colour, panel.colour,
                                   1.0, mark.hatched))
            else:
                shapes.append(Line(((x0, y), (x1, y)), panel.colour, 2.2,
                                   (6.6, 4.4) if mark.kind == "rate" else None))
                for edge in (x0, x1):
                    shapes.append(Line(((edge, y - 2.0), (edge, y + 5.0)), panel.colour, 1.2))
        shapes.append(Line(((left, plot_top), (left, base)), INK, 0.8))
        shapes.append(Line(((left, base), (right, base)), INK, 0.8))
        for tick in ticks:
            y = base - float(tick) * scale
            shapes.append(Line(((left - TICK, y), (left, y)), INK, 0.8))
            shapes.append(Text(left - TICK - 2.0, y + 0.36 * TEXT_SIZE, _tick_text(tick), TEXT_SIZE, "end"))
        for year in range(first, last + 2):
            if per_year >= 3 or year % step == 0:
                x = x_of(year)
                shapes.append(Line(((x, base), (x, base + TICK)), INK, 0.8))
        shapes.append(Text(left, plot_top - 4.0, f"In {panel.currency}", TEXT_SIZE, "start", bold=True))
        shapes.append(Text(10.0, (plot_top + base) / 2, f"{panel.currency} (millions)", TEXT_SIZE, "middle",
                           upright=True))
        for placed in labels:
            y = base - placed.baseline
            box = (placed.centre - placed.width / 2, y - RISE * LABEL_SIZE,
                   placed.centre + placed.width / 2, y + DROP * LABEL_SIZE)
            # A white ground under the text: gridlines and other labels' leaders pass behind it.
            shapes.append(Blank(box[0] - 0.5, box[1] - 0.3, box[2] + 0.5, box[3] + 0.3))
            text = Text(placed.centre, y, placed.mark.label, LABEL_SIZE, "middle")
            shapes.append(text)
            drawing.labels.append(Label(index, placed.mark.row_id, text, box))
    base = drawing.plots[-1][3]
    for year in range(first, last + 1):
        if year % step == 0:
            label = Text(x_of(year + 0.5), base + TICK + 2.0 + RISE * TEXT_SIZE, str(year), TEXT_SIZE, "middle")
            drawing.shapes.append(label)
            drawing.year_labels.append(label)
    return drawing

