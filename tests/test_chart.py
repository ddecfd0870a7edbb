"""The funding chart (briefgen/chart.py, chart_layout.py, chart_paint.py): it must match the amounts, and read.

Each test reads the laid-out `Drawing` (marks, labels, scales in points) and the SVG and PNG made
from it: bar heights in proportion to the amounts within a panel and consistent with the scale's
numbers, one panel per currency, no label covering another label or a mark, labels inside the
picture, a crowded chart that labels its largest amounts and says how many it could not label,
year labels that never touch, well-formed SVG whatever the text, a PNG that is the same drawing,
and the same bytes from the same rows.
"""

from __future__ import annotations

import io
import itertools
import subprocess
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from briefgen.chart import caption, draw_chart
from briefgen.chart_layout import GRID_COLOUR, PALETTE, lay_out
from briefgen.chart_paint import PNG_DPI, WIDTH, Blank, Line, Rect, Text, png_bytes, svg_text, text_width

ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"


def row(ident: str, amount: str | None, text: str, date: str, currency: str = "GBP", start: str | None = None,
        end: str | None = None, rate: str | None = None) -> dict:
    return {"id": ident, "currency": currency, "amount": Decimal(amount) if amount is not None else None,
            "amount_text": text, "iso_date": date, "period_start": start, "period_end": end,
            "rate_amount": Decimal(rate) if rate is not None else None}


def shipped_rows() -> tuple[list[dict], dict]:
    from briefgen.context import build_context
    from briefgen.loading import load_fact_base

    base = load_fact_base(ROOT / "facts", ROOT / "seeds")[0]
    context = build_context(base, "official", None)
    return context["funding"], context["funding_summary"]


def overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def bars(drawing) -> list[Rect]:
    return [shape for shape in drawing.shapes if isinstance(shape, Rect)]


def panel_of(drawing, y: float) -> int:
    return next(i for i, (_x0, y0, _x1, y1) in enumerate(drawing.plots) if y0 - 1 <= y <= y1 + 1)


def assert_readable(drawing) -> None:
    """No label covers another or a bar; every label is inside the picture and inside its own panel."""
    for i, first in enumerate(drawing.labels):
        x0, y0, x1, y1 = first.box
        assert x0 >= 0 and x1 <= WIDTH, first
        plot = drawing.plots[first.panel]
        assert plot[1] - 0.5 <= y0 and y1 <= plot[3], first
        for second in drawing.labels[i + 1:]:
            assert not overlaps(first.box, second.box), (first.text.text, second.text.text)
        for bar in bars(drawing):
            assert not overlaps(first.box, (bar.x0, bar.y0, bar.x1, bar.y1)), (first.text.text, bar)


def test_the_shipped_chart_labels_every_amount_once_and_clear():
    rows, summary = shipped_rows()
    chart = draw_chart(rows, summary)
    drawing = lay_out([r for r in rows if r["amount"] is not None or r.get("rate_amount")],
                      {entry["id"] for entry in summary["left_out"]})
    assert drawing.unlabelled == 0
    assert sorted(label.row_id for label in drawing.labels) == sorted(r["id"] for r in rows)
    assert_readable(drawing)
    texts = [t.text or "" for t in ET.fromstring(chart.svg).iter(f"{SVG}text")]
    for r in rows:
        amount = r["amount_text"].split(" (")[0]
        assert sum(amount in t for t in texts) == 1, (amount, texts)
    assert "In GBP" in texts and "In EUR" in texts
    assert "too close" not in chart.caption


def test_bar_heights_follow_the_amounts_and_the_scale_numbers():
    rows = [row("a", "10000000", "£10m", "2010-03-01"), row("b", "20000000", "£20m", "2012"),
            row("c", "40000000", "£40m", "2014-06")]
    drawing = lay_out(rows, set())
    heights = [bar.y1 - bar.y0 for bar in sorted(bars(drawing), key=lambda b: b.x0)]
    assert heights[1] / heights[0] == pytest.approx(2, rel=1e-6)
    assert heights[2] / heights[0] == pytest.approx(4, rel=1e-6)
    # The scale's "20" sits level with the top of the £20m bar.
    base = drawing.plots[0][3]
    twenty = next(s for s in drawing.shapes if isinstance(s, Text) and s.text == "20" and s.anchor == "end")
    tick_y = twenty.y - 0.36 * twenty.size
    assert tick_y == pytest.approx(base - heights[1], abs=0.01)
    # Bars stand in their years, in order, on the baseline.
    years = [2010, 2012, 2014]
    for bar, year in zip(sorted(bars(drawing), key=lambda b: b.x0), years, strict=True):
        label = next(t for t in drawing.year_labels if t.text == str(year))
        assert bar.x0 < label.x < bar.x1
        assert bar.y1 == pytest.approx(base)


def test_each_currency_has_its_own_panel_and_scale():
    rows = [row("a", "10000000", "£10m", "2010"), row("b", "900000000", "€900m", "2011", currency="EUR"),
            row("c", "5000000", "£5m", "2012")]
    drawing = lay_out(rows, set())
    assert len(drawing.plots) == 2
    assert drawing.tops[0] >= 1.45 * 10 and drawing.tops[0] < 900
    assert drawing.tops[1] >= 1.45 * 900
    by_panel = {}
    for bar in bars(drawing):
        by_panel.setdefault(panel_of(drawing, bar.y1), []).append(bar)
    assert [len(by_panel[0]), len(by_panel[1])] == [2, 1]
    assert {bar.fill for bar in by_panel[0]} == {PALETTE[0]} and {bar.fill for bar in by_panel[1]} == {PALETTE[1]}
    assert [label.panel for label in drawing.labels if label.row_id == "b"] == [1]


def test_two_amounts_of_one_year_stand_side_by_side():
    rows = [row("a", "10000000", "£10m", "2010-01"), row("b", "30000000", "£30m", "2010-11")]
    drawing = lay_out(rows, set())
    first, second = sorted(bars(drawing), key=lambda b: b.x0)
    assert first.x1 < second.x0  # beside, not on top of each other
    assert first.y1 == second.y1
    assert_readable(drawing)


def test_a_period_is_a_bracket_over_its_years_and_a_rate_is_dashed():
    rows = [row("s", "12000000", "£12m", "2014", start="2014", end="2017"),
            row("r", None, "£2m a year", "2019", rate="2000000"), row("b", "44500000", "£44.5m", "2018")]
    drawing = lay_out(rows, set())
    lines = [s for s in drawing.shapes if isinstance(s, Line) and s.width == 2.2]
    assert len(lines) == 2
    solid, dashed = sorted(lines, key=lambda line: line.dash is not None)
    assert solid.dash is None and dashed.dash is not None
    start = next(t for t in drawing.year_labels if t.text == "2014")
    end = next(t for t in drawing.year_labels if t.text == "2017")
    per_year = (end.x - start.x) / 3
    (x0, _), (x1, _) = solid.points
    assert x0 == pytest.approx(start.x - per_year / 2) and x1 == pytest.approx(end.x + per_year / 2)
    texts = {label.row_id: label.text.text for label in drawing.labels}
    assert texts == {"s": "£12m in all", "r": "£2m a year", "b": "£44.5m"}
    assert_readable(drawing)


def test_amounts_left_out_of_the_totals_are_hatched_and_say_so():
    rows = [row("a", "10000000", "£10m", "2010"), row("b", "6000000", "over £6m", "2011"),
            row("s", "150000000", "almost €150m", "2014", currency="EUR", start="2014", end="2018")]
    drawing = lay_out(rows, {"b", "s"})
    hatched = {bar.hatched: bar for bar in bars(drawing)}
    assert hatched[True].fill == "#ffffff" and hatched[True].stroke == PALETTE[0]
    assert hatched[False].fill == PALETTE[0]
    assert {label.row_id: label.text.text for label in drawing.labels}["s"] == "almost €150m in all (may overlap)"
    svg = svg_text(drawing)
    assert svg.count("<path ") == 1  # the hatching of the one hatched bar


def crowded_rows(count: int) -> list[dict]:
    # Amounts 1m … count m over five years: far more labels than room.
    return [row(f"r{i}", str((i + 1) * 1_000_000), f"£{i + 1}m", f"{2010 + i % 5}-0{1 + i % 9}-01")
            for i in range(count)]


def test_a_crowded_chart_labels_its_largest_amounts_clear_and_says_how_many_it_could_not():
    rows = crowded_rows(120)
    drawing = lay_out(rows, set())
    assert 0 < drawing.unlabelled < 120
    assert len(drawing.labels) + drawing.unlabelled == 120
    assert_readable(drawing)
    labelled = {label.row_id for label in drawing.labels}
    assert "r119" in labelled and "r118" in labelled  # the two largest
    # Bars keep at least 40% of the panel: the scale grows for labels only so far.
    assert drawing.tops[0] <= 120 * 2.5 + 1e-9
    chart = draw_chart(rows, None)
    assert chart.caption.endswith(f"{drawing.unlabelled} of the 120 amounts are too close to others to be "
                                  "labelled here.")
    assert caption(rows, None).count("too close") == 0


@pytest.mark.parametrize(("first", "last"), [(2009, 2021), (1995, 2023), (1900, 2099), (1, 9999)])
def test_year_labels_never_touch(first, last):
    rows = [row("a", "10000000", "£10m", f"{first:04d}"), row("b", "20000000", "£20m", f"{last:04d}")]
    drawing = lay_out(rows, set())
    labels = sorted(drawing.year_labels, key=lambda t: t.x)
    assert labels
    for left, right in itertools.pairwise(labels):
        gap = (right.x - text_width(right.text, right.size) / 2) - (left.x + text_width(left.text, left.size) / 2)
        assert gap >= 2, (left.text, right.text)
    assert all(t.x - text_width(t.text, t.size) / 2 >= 0 and t.x + text_width(t.text, t.size) / 2 <= WIDTH
               for t in labels)
    if last - first <= 13:
        assert len(labels) == last - first + 1  # room for every year: every year is named


def test_the_svg_is_well_formed_whatever_the_text_says():
    rows = [row("a", "10000000", "<b>£10m</b> & \x01\ufffe\ud800more", "2010"),
            row("b", "5000000", "£5m", "2011", currency="X<&>\"'")]
    svg = draw_chart(rows, None, png=False).svg
    tree = ET.fromstring(svg)  # raises on anything malformed
    texts = [t.text for t in tree.iter(f"{SVG}text")]
    assert "<b>£10m</b> & more" in texts
    assert "In X<&>\"'" in texts
    assert "<b>" not in svg


@pytest.mark.parametrize("amount", ["1e400", "0.01", "1e-30", "123456789012345678901234567890"])
def test_absurd_amounts_still_draw_finite_pictures(amount):
    rows = [row("a", amount, "huge", "2010"), row("b", "10000000", "£10m", "2011")]
    chart = draw_chart(rows, None)
    assert "nan" not in chart.svg.lower() and "inf" not in chart.svg.lower()
    ET.fromstring(chart.svg)
    assert Image.open(io.BytesIO(chart.png)).size[0] == round(WIDTH * PNG_DPI / 72)


def test_the_png_is_the_same_drawing_at_print_resolution():
    rows = [row("a", "10000000", "£10m", "2010"), row("b", "6000000", "over £6m", "2012"),
            row("c", "90000000", "€90m", "2011", currency="EUR")]
    drawing = lay_out(rows, {"b"})
    picture = Image.open(io.BytesIO(png_bytes(drawing)))
    scale = PNG_DPI / 72
    assert picture.size == (round(drawing.width * scale), round(drawing.height * scale))
    assert picture.info["dpi"] == pytest.approx((PNG_DPI, PNG_DPI), abs=0.05)  # stored per metre
    assert picture.getpixel((2, 2)) == (255, 255, 255)

    def colour(hex_colour: str) -> tuple[int, int, int]:
        return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))

    for bar in bars(drawing):
        inside = [picture.getpixel((round((bar.x0 + (bar.x1 - bar.x0) * fx) * scale),
                                    round((bar.y0 + (bar.y1 - bar.y0) * fy) * scale)))
                  for fx in (0.3, 0.5, 0.7) for fy in (0.3, 0.5, 0.7)]
        if bar.hatched:
            assert (255, 255, 255) in inside and colour(bar.stroke) in inside, inside
        else:
            assert set(inside) == {colour(bar.fill)}, inside
    # Every label is painted where the drawing put it: its ink, looked for in a margin around its box,
    # lies inside the box (a point's leeway for anti-aliasing).
    for label in drawing.labels:
        x0, y0, x1, y1 = label.box
        margin = 12
        region = picture.crop((round((x0 - margin) * scale), round((y0 - margin) * scale),
                               round((x1 + margin) * scale), round((y1 + margin) * scale)))
        ink = Image.eval(region.convert("L"), lambda v: 255 if v < 80 else 0).getbbox()
        assert ink is not None, label.text.text
        left, top, right, bottom = (v / scale - margin for v in ink)
        assert left >= -1 and top >= -1, label.text.text
        assert right <= (x1 - x0) + 1 and bottom <= (y1 - y0) + 1, label.text.text
        assert (left + right) / 2 == pytest.approx((x1 - x0) / 2, abs=1), label.text.text


def test_same_rows_same_bytes():
    rows, summary = shipped_rows()
    first, second = draw_chart(rows, summary), draw_chart(rows, summary)
    assert first.svg == second.svg and first.png == second.png


def test_drawing_the_chart_loads_no_plotting_library():
    code = ("import sys; from tests.test_chart import shipped_rows; from briefgen.chart import draw_chart; "
            "draw_chart(*shipped_rows()); print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('matplotlib', 'numpy')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_label_that_would_cover_its_neighbour_is_lifted_clear_with_a_leader_to_its_mark():
    # Thirty years on the axis: a year is narrower than a label, so the two labels of 2010 collide.
    rows = [row("a", "100000000", "almost €100m", "2010-02", currency="EUR"),
            row("b", "90000000", "up to €90m", "2010-09", currency="EUR"),
            row("c", "5000000", "€5m", "1995", currency="EUR"), row("d", "5000000", "€5m", "2024", currency="EUR")]
    drawing = lay_out(rows, set())
    assert drawing.unlabelled == 0
    assert_readable(drawing)
    box = {label.row_id: label.box for label in drawing.labels}
    lower, upper = sorted((box["a"], box["b"]), key=lambda b: -b[3])
    assert upper[3] <= lower[1]  # one above the other, clear
    leaders = [s for s in drawing.shapes if isinstance(s, Line) and s.width == 0.5 and s.colour != GRID_COLOUR]
    assert len(leaders) == 1
    (_, label_y), (mark_x, mark_y) = leaders[0].points
    assert label_y == pytest.approx(upper[3] + 0.5)  # from the lifted label's foot
    # … to the top of its own bar: "a" is the left one of 2010's two bars, "b" the right one.
    of_2010 = sorted((b for b in bars(drawing) if (b.y1 - b.y0) > 10), key=lambda b: b.x0)
    bar = of_2010[0 if box["a"] is upper else 1]
    assert mark_x == pytest.approx((bar.x0 + bar.x1) / 2) and mark_y == pytest.approx(bar.y0 - 0.5)
    # The leader passes behind bars and labels: drawn before the bars, and each label's text has a
    # white ground under it, drawn after every leader and bar.
    shapes = drawing.shapes
    assert shapes.index(leaders[0]) < min(i for i, shape in enumerate(shapes) if isinstance(shape, Rect))
    for label in drawing.labels:
        ground = shapes[shapes.index(label.text) - 1]
        assert isinstance(ground, Blank) and shapes.index(ground) > shapes.index(leaders[0])
        assert ground.x0 < label.box[0] and ground.y0 < label.box[1]
        assert ground.x1 > label.box[2] and ground.y1 > label.box[3]
    picture = Image.open(io.BytesIO(png_bytes(drawing)))
    scale = PNG_DPI / 72
    crossed = picture.crop(tuple(round(v * scale) for v in lower)).getcolors(maxcolors=1 << 16)
    leader_colour = tuple(int(PALETTE[0][i:i + 2], 16) for i in (1, 3, 5))
    assert leader_colour not in {colour for _, colour in crossed}  # not drawn across the label below


def test_labels_at_the_edges_stay_inside_the_picture_and_off_the_scale():
    rows = [row("a", "50000000", "almost £50m in all from the start", "2000"),
            row("b", "40000000", "up to £40m in all at the very end", "2030"),
            row("c", "10000000", "£10m", "2015")]
    drawing = lay_out(rows, set())
    assert_readable(drawing)
    plot_left = drawing.plots[0][0]
    assert all(label.box[0] > plot_left for label in drawing.labels)
    first = next(label for label in drawing.labels if label.row_id == "a")
    assert first.box[0] == pytest.approx(plot_left + 1)


def test_a_crowded_chart_gives_its_labels_to_the_largest_amounts():
    rows = crowded_rows(120)
    drawing = lay_out(rows, set())
    labelled = {label.row_id for label in drawing.labels}
    value = {r["id"]: r["amount"] for r in rows}
    assert drawing.unlabelled >= 20
    largest = sorted(value, key=value.get)[-20:]
    assert all(ident in labelled for ident in largest)  # laid out rising alone, these lost theirs


def test_fonts_are_looked_for_in_font_folders_only(monkeypatch, tmp_path):
    """Not in the working folder (a project could hold a file named like a font), and without a home."""
    from briefgen import chart_paint

    monkeypatch.chdir(tmp_path)
    (tmp_path / "LiberationSans-Regular.ttf").write_bytes(b"not a font")
    folders = chart_paint._font_folders()
    assert all(folder.is_absolute() and tmp_path not in (folder, *folder.parents) for folder in folders)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert chart_paint._font_folders()  # the system's folders still
