"""The finished Word package: a written document plus the briefing's metadata in, stable .docx bytes out.

In: a python-docx Document whose body the writer has filled, the briefing's
metadata (title, subject, author, keywords, marking, date) and language.
Out: headers and footers with the protective marking and "Page X of Y" (as
briefing.css's @page rules), no "update fields?" prompt, the proofing
language, core properties (cut to Word's limits), and `normalise_zip`, which
gives the saved package fixed timestamps, entry order and compression so
equal input gives equal bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.section import _Footer, _Header
from docx.styles.style import ParagraphStyle
from docx.styles.styles import Styles
from docx.text.paragraph import Paragraph

from . import docx_oxml as ox
from . import docx_oxml_styles as oxs
from .docx_measures import TEXT, section_text_width

WORD_PROPERTY_LIMIT = 255  # Word refuses longer core properties; `check` warns when the subject is cut
ZipTime = tuple[int, int, int, int, int, int]


def finish_document(document: DocumentObject, meta: dict[str, Any], language: str) -> None:
    """Header and footer with the marking and page numbers, no field-update prompt, language, core properties.

    As briefing.css's @page rules: the header has the marking in the centre
    (not on the first page, whose cover shows it); the footer is one line with
    the marking in the centre and "Page X of Y" at the right, on every page.
    """
    marking = (meta.get("marking") or "").strip()
    styles = document.styles
    for section in document.sections:
        width = section_text_width(section)
        section.different_first_page_header_footer = True
        for header, with_marking in ((section.header, True), (section.first_page_header, False)):
            header.is_linked_to_previous = False
            _clear(header)
            para = header.add_paragraph(style=_maybe_style(styles, "Header"))
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if marking and with_marking:
                _marking_run(para, marking)
        for footer in (section.footer, section.first_page_footer):
            footer.is_linked_to_previous = False
            _clear(footer)
            para = footer.add_paragraph(style=_maybe_style(styles, "Footer"))
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT
            _set_tab_stops(para, [(width // 2, WD_TAB_ALIGNMENT.CENTER), (width, WD_TAB_ALIGNMENT.RIGHT)])
            para.add_run("\t")
            if marking:
                _marking_run(para, marking)
            para.add_run("\t")
            para.add_run("Page ")  # grey, as the Footer style: fields take their paragraph's formatting
            ox.add_field(para, "PAGE", "1")
            para.add_run(" of ")
            ox.add_field(para, "NUMPAGES", "1")
    oxs.remove_update_fields(document)
    oxs.set_default_language(document, language)

    when = _meta_datetime(meta.get("date"))
    props = document.core_properties
    props.title = word_property(meta.get("title"))
    props.subject = word_property(meta.get("subject"))
    props.author = word_property(meta.get("author"))
    props.last_modified_by = word_property(meta.get("author"))
    props.keywords = word_property(meta.get("keywords"))
    props.language = language
    props.comments = ""
    props.category = ""
    props.content_status = marking
    props.revision = 1
    props.created = when
    props.modified = when
    props.last_printed = when


def _marking_run(para: Paragraph, marking: str) -> None:
    run = para.add_run(marking)
    run.bold = True
    run.font.color.rgb = TEXT  # the footer's page numbers are grey; the marking is not
    ox.set_letter_spacing(run, 14)  # briefing.css: letter-spacing 0.08em at 9pt, in twentieths of a point


def _set_tab_stops(para: Paragraph, stops: list[tuple[int, WD_TAB_ALIGNMENT]]) -> None:
    """Exactly these tab stops on `para`: its style's others are cleared (Word's Footer style has its own)."""
    wanted = {position for position, _ in stops}
    style = para.style
    while style is not None:
        for stop in style.paragraph_format.tab_stops:
            if stop.position not in wanted:
                para.paragraph_format.tab_stops.add_tab_stop(stop.position, WD_TAB_ALIGNMENT.CLEAR)
        style = style.base_style
    for position, alignment in stops:
        para.paragraph_format.tab_stops.add_tab_stop(position, alignment)


def _maybe_style(styles: Styles, name: str) -> ParagraphStyle | None:
    try:
        style: ParagraphStyle = styles[name]
    except KeyError:
        return None
    return style


def _clear(header_or_footer: _Header | _Footer) -> None:
    element = header_or_footer._element
    for child in list(element):
        element.remove(child)


def word_property(text: str | None) -> str:
    """Text for a Word core property: whole when it fits, else cut at a word with an ellipsis."""
    return cut_at_word(text, WORD_PROPERTY_LIMIT)


def cut_at_word(text: str | None, limit: int) -> str:
    """`text` with white space collapsed: whole if it has at most `limit` characters, else cut after a
    whole word, with an ellipsis, within `limit` (a single word longer than that is cut, never dropped)."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    room = text[: limit - 1]  # one character for the ellipsis
    if text[limit - 1] != " " and " " in room:
        room = room.rsplit(" ", 1)[0]  # the cut fell inside a word: end at the one before
    return room.rstrip(" ,;:–—-") + "…"


def _meta_datetime(value: object) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        day = dt.date(1980, 1, 1)
    return dt.datetime(day.year, day.month, day.day)


def zip_time(value: object) -> ZipTime:
    """The zip timestamp for a briefing dated `value` (an ISO date; 1980-01-01 when there is none)."""
    when = _meta_datetime(value)
    if when.year < 1980:  # the zip format cannot store earlier dates
        return (1980, 1, 1, 0, 0, 0)
    return (when.year, when.month, when.day, 0, 0, 0)


def normalise_zip(data: bytes, date_time: ZipTime) -> bytes:
    """The same package with fixed timestamps, entry order and compression, so equal input gives equal bytes.

    python-docx stamps each entry with the current time; [Content_Types].xml
    goes first as Word writes it, the rest in name order.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        names = sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for name in names:
                info = zipfile.ZipInfo(name, date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 0
                info.external_attr = 0
                target.writestr(info, source.read(name), compresslevel=6)
    return out.getvalue()


def saved(document: DocumentObject, date_time: ZipTime) -> bytes:
    """`document` saved as a .docx with `normalise_zip`'s stable bytes."""
    buffer = io.BytesIO()
    document.save(buffer)
    return normalise_zip(buffer.getvalue(), date_time)

