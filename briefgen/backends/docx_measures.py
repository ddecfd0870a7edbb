"""briefing.css's numbers in Word's terms: the face, type scale, colours and gaps the Word modules share.

In: nothing (constants read off templates/briefing.css, which the Word output
follows so that it lays out as the PDF does). Out: sizes in points, CSS line
heights converted to Word's line spacing, colours, the vertical gaps CSS puts
where Word has no property of its own, and a section's text width. The
reference document's styles (docx_reference.py), the page-stylesheet reader
(docx_css.py) and the writer (docx_writer.py and its mixins) all take their
numbers from here, so a change to briefing.css's scale is made in one place.
"""

from __future__ import annotations

from docx.section import Section
from docx.shared import Cm, Emu, Length, Pt, RGBColor

# Sizes in points; line heights as CSS's, in ems.
FONT = "Arial"      # Liberation Sans stands in for it, metric for metric, where Arial is absent
BODY_SIZE, BODY_LINE = 11, 1.35          # html { font-size: 11pt; line-height: 1.35 }
TABLE_SIZE, TABLE_LINE = 10, 1.3         # table { font-size: 10pt; line-height: 1.3 }
TABLE_BORDER = 0.6                       # th, td { border: 0.6pt solid }
NOTE_SIZE = 9.5                          # .note, figcaption, ol.sources li
TABLE_NOTE_SIZE = 9                      # td .note
TITLE_SIZE, TITLE_LINE = 22, 1.15        # .doc-title
SUBTITLE_SIZE = 13                       # .subtitle
H2_SIZE, H3_SIZE, HEADING_LINE = 15, 12.5, 1.2   # h2, h3 { line-height: 1.2 }
MARGIN_BOX_SIZE = 9                      # @page margin boxes: marking and page numbers
CITATION_SIZE, CITATION_RAISE = 7.5, 2   # sup.cite { font-size: 7.5pt }, raised 2pt (kept within a line)
CITATION_PADDING = round(CITATION_SIZE * 0.2 * 20)  # sup.cite a { padding: 0 0.1em }, in twentieths of a point
PAGE_MARGINS_MM = (22, 20, 22, 20)       # @page { margin: top right bottom left }
# One line of Arial (and Liberation Sans) at "single" spacing in Word and LibreOffice, in ems: ascent,
# descent and line gap from the font's hhea table, (1854 + 434 + 67) / 2048. A CSS line height of
# 1.35em is Word's "multiple" 1.35 / 1.1499.
ARIAL_SINGLE_LINE = 1.1499

HEADER_FILL = "E6ECF5"   # th background in briefing.css, so Word and PDF tables match
ACCENT = RGBColor(0x1D, 0x4F, 0x91)
GREY = RGBColor(0x44, 0x44, 0x44)
TEXT = RGBColor(0x11, 0x11, 0x11)

# Vertical gaps CSS puts where Word has no property of its own (briefing.css's em at the element's size).
TABLE_GAP = Pt(9)         # table { margin-bottom: 0.9em } at 10pt: Word tables have no space after
LIST_GAP = Pt(6.6)        # ul, ol { margin-bottom: 0.6em }, after a list's last item
CELL_PARAGRAPH_GAP = Pt(3)  # td p { margin: 0 0 0.3em } and td p:last-child { margin-bottom: 0 }


def word_line_spacing(css_line_height: float) -> float:
    """Word's "multiple" line spacing that gives CSS's `line-height` (in ems) in Arial, to Word's 1/240 of a line."""
    return round(css_line_height / ARIAL_SINGLE_LINE * 240) / 240


def section_text_width(section: Section) -> Length:
    """The width between `section`'s margins; a reference without page size or margins gets Word's own A4
    defaults for the arithmetic."""
    return Emu((section.page_width or Cm(21)) - (section.left_margin or Cm(2.54))
               - (section.right_margin or Cm(2.54)))
