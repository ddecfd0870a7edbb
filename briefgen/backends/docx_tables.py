"""HTML tables into Word tables: <table> with caption, header rows, colspans and column widths in, a w:tbl out.

In: a <table> element (caption, thead/tbody/tr, th/td with colspan), the
PDF's measured column widths for it if known, else its data-widths. Out: a
caption paragraph kept with the table, then a Word table in the "Briefing
Table" style with leading header rows that repeat on each page, shaded header
cells, rows kept whole, and each cell's content written as paragraphs through
the block walker. Part of the Word writer: `TableWriter` is a mixin of
docx_blocks.Writer.
"""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.table import CT_Tbl
from docx.shared import Emu, Pt
from docx.styles.style import _TableStyle
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph

from . import docx_oxml as ox
from .docx_measures import CELL_PARAGRAPH_GAP, HEADER_FILL, TABLE_GAP
from .docx_walk import PLAIN, BodySink, CellSink, Ctx, Fmt, HtmlElement, KeepWithNext
from .docx_writer import WriterBase, WriterInput


class TableWriter(WriterBase):
    """Writes <table>s; owns the PDF's column widths and which table of the document is being written."""

    def __init__(self, document: DocumentObject, source: WriterInput) -> None:
        super().__init__(document, source)
        self.measured_columns = source.column_widths
        self._table_index = -1

    def _table(self, el: HtmlElement, ctx: Ctx, sink: BodySink) -> None:
        """`el` as a Word table in the body (`sink`): tables do not nest in Word output."""
        self._table_index += 1  # tables in document order, as the PDF layout lists them
        caption, rows = self._table_rows(el)
        grid = [self._row_cells(tr) for tr, _ in rows]
        ncols = max((sum(span for _, span in cells) for cells in grid), default=0)

        if caption is not None:
            self._note_element(caption)
            self._blocks(caption, replace(ctx, text_style=KeepWithNext("Table Caption")))
        if not rows or ncols == 0:
            if self._table_has_content(el):
                raise self.error(f"<table> ({self.where(el)}) has content but no cells")
            return

        widths = self._measured_widths(ncols) or self._column_widths(el, ncols)
        if self._after_table:
            # Two tables in a row would merge into one in Word; a paragraph as tall as the gap keeps them apart.
            spacer = self._new_paragraph(ctx, "Normal")
            spacer.paragraph_format.space_before = 0
            spacer.paragraph_format.space_after = 0
            spacer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            spacer.paragraph_format.line_spacing = TABLE_GAP
        tbl = CT_Tbl.new_tbl(len(rows), ncols, self.text_width)
        table = sink.table(tbl)
        style = self.style("Briefing Table", WD_STYLE_TYPE.TABLE)
        if style is not None:
            table.style = cast(_TableStyle, style)  # a style of table type is a _TableStyle
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        if widths is not None:
            table.autofit = False
            for column, width in zip(table.columns, widths, strict=True):
                column.width = width
        else:
            ox.set_table_width_pct(table, 100)

        # Only leading header rows can repeat on each page in Word; a <th> row further down is just bold.
        header_rows = 0
        for (_, in_thead), cells in zip(rows, grid, strict=True):
            if not (in_thead or (cells and all(c.tag == "th" for c, _ in cells))):
                break
            header_rows += 1
        ox.set_table_look(table, header_rows > 0)

        for index, ((tr_el, _), cells, tr) in enumerate(zip(rows, grid, tbl.tr_lst, strict=True)):
            row_fmt = self._look(tr_el, PLAIN)[1]
            self._note_element(tr_el)
            is_header = index < header_rows
            tcs = list(tr.tc_lst)
            col = 0
            for cell_el, span in cells:
                tc = tcs[col]
                cell = _Cell(tc, table)
                if span > 1:
                    for extra in tcs[col + 1:col + span]:
                        tr.remove(extra)
                    ox.span_columns(cell, span)
                if widths is not None:
                    cell.width = Emu(sum(widths[col:col + span]))
                if is_header:
                    ox.shade_cell(cell, HEADER_FILL)
                style_name = "Table Heading" if cell_el.tag == "th" else "Table Text"
                self._note_element(cell_el)
                self._cell(cell, cell_el, ctx, style_name, self._look(cell_el, row_fmt)[1])
                col += span
            for grid_col in range(col, ncols):
                # Cells the HTML row left out: keep the grid rectangular, styled like the rest.
                cell = _Cell(tcs[grid_col], table)
                if widths is not None:
                    cell.width = Emu(widths[grid_col])
                if is_header:
                    ox.shade_cell(cell, HEADER_FILL)
                self._cell(cell, None, ctx, "Table Heading" if is_header else "Table Text")
            if is_header:
                ox.mark_header_row(_Row(tr, table))
            else:
                ox.keep_row_together(_Row(tr, table))  # as briefing.css's tr { break-inside: avoid }
        self._after_table = True

    def _table_rows(self, el: HtmlElement) -> tuple[HtmlElement | None, list[tuple[HtmlElement, bool]]]:
        """The table's <caption> (if any) and its rows, each with whether it is in <thead>."""
        caption = None
        rows: list[tuple[HtmlElement, bool]] = []
        self._no_stray_text(el.text, el)
        for child in el:
            tag = child.tag
            if isinstance(tag, str):
                if tag == "caption":
                    caption = child
                elif tag in ("thead", "tbody"):
                    self._no_stray_text(child.text, child)
                    for tr in child:
                        if isinstance(tr.tag, str):
                            if tr.tag != "tr":
                                raise self.unsupported(tr, f"directly inside <{tag}>")
                            rows.append((tr, tag == "thead"))
                        self._no_stray_text(tr.tail, child)
                elif tag == "tr":
                    rows.append((child, False))
                else:
                    raise self.unsupported(child, "directly inside <table>")
            self._no_stray_text(child.tail, el)
        return caption, rows

    def _row_cells(self, tr: HtmlElement) -> list[tuple[HtmlElement, int]]:
        """A row's <td> and <th> elements, each with its column span."""
        cells = []
        self._no_stray_text(tr.text, tr)
        for cell in tr:
            if isinstance(cell.tag, str):
                if cell.tag not in ("td", "th"):
                    raise self.unsupported(cell, "directly inside <tr>")
                if (cell.get("rowspan") or "1").strip() not in ("", "1"):
                    raise self.error(f"<{cell.tag} rowspan> ({self.where(cell)}) is not supported in Word "
                                     "output; repeat the cell or restructure the table")
                cells.append((cell, self._colspan(cell)))
            self._no_stray_text(cell.tail, tr)
        return cells

    def _cell(self, cell: _Cell, cell_el: HtmlElement | None, ctx: Ctx, style_name: str, fmt: Fmt = PLAIN) -> None:
        sink = CellSink(cell)
        if cell_el is not None:
            self._blocks(cell_el, Ctx(sink, style_name, in_table=True, list_depth=ctx.list_depth, fmt=fmt))
            paragraphs = cell._tc.p_lst
            for p in paragraphs[:-1]:
                # Table styles have no space after; paragraphs in one cell keep briefing.css's small gap.
                Paragraph(p, cell).paragraph_format.space_after = CELL_PARAGRAPH_GAP
        if sink.unused is not None:
            # An empty cell keeps its one paragraph; style it so the row is not taller than its neighbours.
            para = Paragraph(sink.unused, cell)
            style_id = self.style_id(style_name)
            if style_id is not None:
                para._p.style = style_id
            if self._pending_bookmarks or self._page_break:
                sink.unused = None
                self._adopt_pending(para)

    def _colspan(self, cell: HtmlElement) -> int:
        raw = (cell.get("colspan") or "1").strip()
        try:
            span = int(raw)
        except ValueError:
            raise self.error(f"<{cell.tag} colspan=\"{raw}\"> ({self.where(cell)}) is not a whole number") from None
        if not 1 <= span <= 63:  # Word's own limit is 63 columns
            raise self.error(f"<{cell.tag} colspan=\"{raw}\"> ({self.where(cell)}) must be between 1 and 63")
        return span

    def _measured_widths(self, ncols: int) -> list[int] | None:
        """This table's column widths from the PDF's layout, scaled to the text width; None if not measured."""
        measured = self.measured_columns[self._table_index] if self._table_index < len(self.measured_columns) \
            else None
        if not measured or len(measured) != ncols or min(measured) <= 0:
            return None
        widths = [int(Pt(w)) for w in measured]
        total = sum(widths)
        if total > self.text_width:  # never wider than the text
            widths = [int(self.text_width * w / total) for w in widths]
        # A column the PDF shrank to its longest unbreakable value (a date, an amount) fits that value to
        # the point; Word and LibreOffice set the same text a hair wider, so give such columns a little
        # room, taken from the widest column, rather than let "(€7m)" lose its bracket to the next line.
        slack, widest = int(Pt(4)), widths.index(max(widths))
        for index, width in enumerate(widths):
            if index != widest and width < sum(widths) / 4 and widths[widest] - slack > width:
                widths[index] += slack
                widths[widest] -= slack
        return widths

    def _column_widths(self, el: HtmlElement, ncols: int) -> list[int] | None:
        """Column widths from the table's data-widths (percentages), or None for equal columns."""
        raw = el.get("data-widths")
        if not raw:
            return None
        try:
            parts = [float(p) for p in raw.split(",")]
        except ValueError:
            parts = []
        if len(parts) != ncols or any(p <= 0 for p in parts):
            raise self.error(f"<table data-widths=\"{raw}\"> ({self.where(el)}) needs {ncols} positive "
                             "percentages, one per column")
        total = sum(parts)
        return [int(self.text_width * p / total) for p in parts]

    @staticmethod
    def _table_has_content(el: HtmlElement) -> bool:
        return any(text.strip() for text in el.itertext()) or any(True for _ in el.iter("img", "svg"))
