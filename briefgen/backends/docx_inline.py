"""Inline HTML into Word runs: text, emphasis, links, line breaks and pictures within one paragraph.

In: inline elements (strong, em, sup, a, code, br, img, svg, ...) and the
text between them, gathered into an `InlineBuffer`, then a paragraph to write
them into. Out: runs carrying the character formatting in force (copies of one
prototype w:r per distinct format, for speed), w:hyperlink elements for
external links and links to bookmarks, and pictures scaled to the text width
with their alt text and, for SVG sources, the SVG itself for Word 2016+.
Part of the Word writer: `InlineWriter` is a mixin of docx_blocks.Writer.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import io
import re

from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK
from docx.image.image import Image as DocxImage
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml.text.run import CT_R
from docx.shared import Emu, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from . import docx_oxml as ox
from .docx_document import cut_at_word
from .docx_measures import CITATION_PADDING
from .docx_walk import (
    BLOCKED_SCHEMES,
    BLOCKS,
    SILENT,
    TABLE_PARTS,
    Fmt,
    HtmlElement,
    InlineBuffer,
    LineBreak,
    Picture,
    Piece,
    Text,
)
from .docx_writer import WriterBase, WriterInput

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DATA_URI = re.compile(r"data:image/(png|jpeg|jpg|gif);base64,(.*)", re.S | re.I)
_SVG_DATA_URI = re.compile(r"data:image/svg\+xml;base64,(.*)", re.S | re.I)

PICTURE_DPI = 300  # a raster is never placed larger than this resolution allows (print quality)
PICTURE_TITLE_LIMIT = 100  # a picture's short title (docPr title); its description carries the whole alt text

# The part of a Fmt that decides a run's formatting: all but which link (only whether there is one).
_RunKey = tuple[bool, bool, str, str | None, str | None, bool]


def picture_width(pixels: int, text_width: int) -> int:
    """Width (EMU) to place a raster `pixels` wide: the text width, as briefing.css's figures, unless that
    would print it below PICTURE_DPI; then as wide as PICTURE_DPI allows, if that is at least half the text
    width (a smaller image cannot be sharp at any useful size and is placed full width)."""
    sharp = int(pixels * 914400 / PICTURE_DPI)  # 914,400 EMU to the inch
    return sharp if text_width // 2 <= sharp < text_width else text_width


class InlineWriter(WriterBase):
    """Gathers inline content and writes it as runs; owns run prototypes, link and picture relationships."""

    def __init__(self, document: DocumentObject, source: WriterInput) -> None:
        super().__init__(document, source)
        self.assets = source.assets
        self._run_prototypes: dict[_RunKey, CT_R] = {}
        self._text_prototypes: dict[_RunKey, CT_R] = {}
        self._link_rids: dict[str, str] = {}
        self._link_serial = 0
        self._svg_rids: dict[str, str] = {}

    # ------------------------------------------------------------ gathering

    def _text(self, buf: InlineBuffer, text: str | None, fmt: Fmt, el: HtmlElement) -> None:
        if text:
            bad = _NOT_XML.search(text)
            if bad:
                raise self.error(f"control character U+{ord(bad.group(0)):04X} in the text near <{el.tag}> "
                                 f"({self.where(el)}) cannot be stored in Word output")
            buf.items.append(Text(text, fmt))

    def _inline(self, el: HtmlElement, fmt: Fmt, buf: InlineBuffer) -> None:
        tag = el.tag
        if tag in ("strong", "b"):
            fmt = fmt._replace(bold=True)
        elif tag in ("em", "i"):
            fmt = fmt._replace(italic=True)
        elif tag == "sup":
            fmt = fmt._replace(vert="sup")
            if "cite" in (el.get("class") or "").split() and self._has_citation_style():
                # The Citation style raises and sizes the numbers itself, as briefing.css does (7.5pt):
                # Word and LibreOffice shrink superscript text each by their own ratio.
                fmt = fmt._replace(vert="", char="Citation")
        elif tag == "sub":
            fmt = fmt._replace(vert="sub")
        elif tag == "code":
            fmt = fmt._replace(char="HTML Code")
        elif tag == "small":
            fmt = fmt._replace(char="Small Text")
        elif tag == "span":
            if "note" in (el.get("class") or "").split():
                fmt = fmt._replace(char="Note Text")
        elif tag == "a":
            href = (el.get("href") or "").strip()
            if href:
                if href.lower().startswith(BLOCKED_SCHEMES):
                    raise self.error(f"<a href=\"{href[:40]}\"> ({self.where(el)}): links with this scheme "
                                     "are not allowed in Word output")
                self._link_serial += 1
                fmt = fmt._replace(link=(href, self._link_serial))
                if "note-ref" in (el.get("class") or "").split():
                    fmt = fmt._replace(char="Note Text")
        elif tag == "br":
            buf.items.append(LineBreak(fmt))
            return
        elif tag == "img":
            buf.items.append(Picture(*self._img(el), fmt))
            return
        elif tag == "svg":
            buf.items.append(Picture(*self._svg(el), fmt))
            return
        elif tag in ("abbr", "time", "mark"):
            pass
        elif tag in BLOCKS or tag in TABLE_PARTS:
            raise self.unsupported(el, "inside inline text")
        else:
            raise self.unsupported(el)
        fmt = self._look(el, fmt)[1]
        self._note_element(el)
        self._text(buf, el.text, fmt, el)
        for child in el:
            if isinstance(child.tag, str):
                if child.tag in SILENT:
                    raise self.unsupported(child, "inside inline text")
                self._inline(child, fmt, buf)
            self._text(buf, child.tail, fmt, el)

    def _has_citation_style(self) -> bool:
        style = self.style("Citation", WD_STYLE_TYPE.CHARACTER)
        return style is not None and style.name == "Citation"

    def _svg(self, el: HtmlElement) -> tuple[bytes, str, bytes | None]:
        name = el.get("data-asset") or ""
        alt = (el.get("aria-label") or "").strip()
        if el.get("role") != "img" or not alt or name not in self.assets:
            raise self.error(f"<svg> ({self.where(el)}) needs role=\"img\", an aria-label and a data-asset "
                             f"naming a PNG asset for Word output (asset {name!r}; have "
                             f"{', '.join(sorted(self.assets)) or 'none'})")
        return self.assets[name], alt, None

    def _img(self, el: HtmlElement) -> tuple[bytes, str, bytes | None]:
        """(PNG or other raster, alt text, the SVG it stands in for if the source is an SVG data: URI)."""
        alt = (el.get("alt") or "").strip()
        name = el.get("data-asset")
        if name:
            if name not in self.assets:
                raise self.error(f"<img data-asset=\"{name}\"> ({self.where(el)}): no such PNG asset for Word "
                                 f"output (have {', '.join(sorted(self.assets)) or 'none'})")
            svg = _SVG_DATA_URI.match(el.get("src") or "")
            try:
                svg_bytes = base64.b64decode(svg.group(1), validate=False) if svg else None
            except (binascii.Error, ValueError):
                svg_bytes = None  # the PNG stands in for it anyway
            return self.assets[name], alt, svg_bytes
        match = _DATA_URI.match(el.get("src") or "")
        if not match:
            raise self.error(f"<img> ({self.where(el)}) needs a data:image/png;base64 source or a data-asset "
                             "naming a PNG asset for Word output")
        try:
            return base64.b64decode(match.group(2), validate=False), alt, None
        except (binascii.Error, ValueError):
            raise self.error(f"<img> ({self.where(el)}): its data: URI is not valid base64") from None

    # ------------------------------------------------------------ writing runs

    def _emit(self, para: Paragraph, items: list[Piece]) -> None:
        """Runs for the collapsed items; consecutive items of one <a> share one w:hyperlink."""
        container: etree._Element = para._p
        current_link = None
        for item in items:
            fmt = item.fmt
            if fmt.link != current_link:
                current_link = fmt.link
                container = self._hyperlink(para, current_link[0]) if current_link else para._p
            if isinstance(item, Text):
                value = item.text
                padded = fmt.link is not None and fmt.char == "Citation" and len(value) > 0
                if padded and len(value) > 1:  # all but the last character as they are
                    r = copy.deepcopy(self._text_run(fmt))
                    r[-1].text = value[:-1]
                    container.append(r)
                    value = value[-1]
                r = copy.deepcopy(self._text_run(fmt))
                r[-1].text = value
                container.append(r)
                if padded:
                    # sup.cite a { padding: 0 0.1em }: as much space after the link's last character.
                    ox.set_letter_spacing(Run(r, para), CITATION_PADDING)
            else:
                r = copy.deepcopy(self._run_prototype(fmt))
                container.append(r)
                run = Run(r, para)
                if isinstance(item, LineBreak):
                    run.add_break(WD_BREAK.LINE)
                else:
                    self._picture(run, item)

    @staticmethod
    def _run_key(fmt: Fmt) -> _RunKey:
        return fmt.bold, fmt.italic, fmt.vert, fmt.char, fmt.color, fmt.link is not None

    def _run_prototype(self, fmt: Fmt) -> CT_R:
        """An empty w:r carrying `fmt`'s character formatting, made once per distinct format.

        The formatting is applied through python-docx's Run/Font proxies;
        each run in the document is then a copy of this element. Setting the
        same properties through the proxies for every run costs ~100 µs a run
        (each property insert searches its siblings' schema order), which was
        most of the time for a long briefing.
        """
        key = self._run_key(fmt)
        proto = self._run_prototypes.get(key)
        if proto is None:
            proto = ox.new_run()
            run = Run(proto, None)  # type: ignore[arg-type]  # a detached prototype: its font needs no story part
            char = fmt.char or ("Hyperlink" if fmt.link else None)
            if char:
                style_id = self.style_id(char, WD_STYLE_TYPE.CHARACTER)
                if style_id is not None:
                    proto.style = style_id
            if fmt.bold:
                run.bold = True
            if fmt.italic:
                run.italic = True
            if fmt.vert == "sup":
                run.font.superscript = True
            elif fmt.vert == "sub":
                run.font.subscript = True
            if fmt.color:
                run.font.color.rgb = RGBColor.from_string(fmt.color)
            self._run_prototypes[key] = proto
        return proto

    def _text_run(self, fmt: Fmt) -> CT_R:
        """`fmt`'s prototype run with one w:t; space-preserving, as text may start or end with a space."""
        key = self._run_key(fmt)
        proto = self._text_prototypes.get(key)
        if proto is None:
            proto = copy.deepcopy(self._run_prototype(fmt))
            proto.add_t(" x ")  # python-docx sets xml:space="preserve" for text with edge spaces
            self._text_prototypes[key] = proto
        return proto

    def _hyperlink(self, para: Paragraph, href: str) -> etree._Element:
        if href.startswith("#"):
            name = self._bookmarks.get(href[1:])
            if name is None:
                return para._p  # "#" alone links nowhere; keep the text as plain text
            return ox.add_hyperlink(para, anchor=name)
        r_id = self._link_rids.get(href)
        if r_id is None:
            # python-docx scans every relationship per lookup; one per distinct URL keeps that linear.
            r_id = self.document.part.relate_to(href, RT.HYPERLINK, is_external=True)
            self._link_rids[href] = r_id
        return ox.add_hyperlink(para, r_id=r_id)

    # ------------------------------------------------------------ pictures

    def _picture(self, run: Run, picture: Picture) -> None:
        data = picture.data
        try:
            shape = run.add_picture(io.BytesIO(data))
            pixels = DocxImage.from_blob(data).px_width
        except Exception as exc:  # python-docx raises its own UnrecognizedImageError and struct errors
            raise self.error(f"an image could not be read for Word output ({type(exc).__name__})") from None
        width = picture_width(pixels, self.text_width)
        if shape.width > width or shape.width < width // 2:
            # Charts are drawn for the text width; tiny or huge images are scaled to it too.
            shape.height = Emu(int(shape.height * width / shape.width))
            shape.width = Emu(width)
        if picture.svg:
            ox.add_svg_version(shape, self._svg_part(picture.svg))
        alt = picture.alt
        ox.set_picture_alt(shape, alt, cut_at_word(alt, PICTURE_TITLE_LIMIT) if alt else None)

    def _svg_part(self, svg: bytes) -> str:
        """Relationship id of an image part holding `svg`, added once per distinct SVG."""
        key = hashlib.sha1(svg).hexdigest()
        r_id = self._svg_rids.get(key)
        if r_id is None:
            package = self.document.part.package
            part = Part(package.next_partname("/word/media/image%d.svg"), "image/svg+xml", svg, package)
            r_id = self._svg_rids[key] = self.document.part.relate_to(part, RT.IMAGE)
        return r_id
