"""DOCX backend: semantic HTML → an editable Word document, with python-docx.

In: the HTML from render.py (the small subset our templates produce), the
briefing's metadata (title, subject, author, keywords, language, marking,
date), PNG assets standing in for images the HTML carries as SVG, and
optionally a reference .docx whose named styles the output uses (like pandoc's
--reference-doc). Out: a .docx whose every paragraph carries a real Word style
(Title, Heading 1-3, List Bullet/Number, Caption, ...), tables with repeating
header rows, a Contents field Word refreshes on open, hyperlinks, pictures with
alt text, the protective marking in header and footer, "Page X of Y", and core
properties. The same input gives the same bytes.

Anything outside the subset stops the build with a `BriefgenError` naming the
template, the element and its line: Word output never drops content silently.

The walk is linear in the size of the HTML and quick (a 5,000-paragraph
briefing with a 1,000-row table takes about 1.5 s). python-docx's convenient
calls are neither: `add_paragraph` rescans the body for w:sectPr, assigning a
style object scans every style to compare it with the default, and each run
property searches its siblings' schema order. So paragraphs and tables are
inserted next to a held w:sectPr, style ids are resolved once, and each
distinct paragraph style and run format is built once through python-docx's
proxies and then copied. `make_reference_docx` writes the styles file shipped
as templates/reference.docx.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
import functools
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import lxml.html
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.table import CT_Tbl
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from ..errors import BriefgenError
from . import docx_oxml as ox

# ---------------------------------------------------------------- the HTML subset

# Walked through: their children become paragraphs and tables; they add nothing themselves.
CONTAINERS = frozenset({"div", "section", "article", "header", "footer", "main", "aside", "nav"})
# Become runs inside the current paragraph.
INLINE = frozenset({"strong", "b", "em", "i", "sup", "sub", "a", "br", "code", "abbr", "small", "time", "mark",
                    "span", "img", "svg"})
HEADINGS = {"h1": "Heading 1", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3"}
BLOCKS = frozenset({"p", "ul", "ol", "table", "figure", "figcaption", *HEADINGS}) | CONTAINERS
TABLE_PARTS = frozenset({"caption", "thead", "tbody", "tr", "th", "td", "li"})
SUPPORTED = ", ".join(sorted(CONTAINERS | INLINE | BLOCKS | TABLE_PARTS))
# Classes that start a new page, as briefing.css does for print.
PAGE_BREAK_CLASSES = frozenset({"page-break", "page-break-before", "annex"})
# Ignored wherever they appear: they carry no visible content.
SILENT = frozenset({"head", "title", "meta"})
# What <head> may hold; the page's CSS and metadata do not carry over to Word.
HEAD_TAGS = frozenset({"title", "meta", "style", "link"})
# Link schemes that would be dangerous or meaningless in a Word file.
BLOCKED_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")

_WS = re.compile(r"[ \t\n\r\f]+")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DATA_URI = re.compile(r"data:image/(png|jpeg|jpg|gif);base64,(.*)", re.S | re.I)

PICTURE_WIDTH = Cm(16)
TOC_INSTRUCTION = r'TOC \o "1-2" \h \z \u'
HEADER_FILL = "E6ECF5"   # th background in briefing.css, so Word and PDF tables match
ACCENT = RGBColor(0x1D, 0x4F, 0x91)
GREY = RGBColor(0x44, 0x44, 0x44)

# Styles this backend uses, each with the one to fall back to if a user's reference lacks it.
STYLE_FALLBACKS = {
    "Title": "Heading 1", "Subtitle": "Normal", "Heading 1": "Normal", "Heading 2": "Heading 1",
    "Heading 3": "Heading 2", "Note": "Normal", "Lead": "Normal", "Marking": "Normal", "Caption": "Normal",
    "Figure": "Normal", "Table Text": "Normal", "Table Heading": "Table Text",
    "List Bullet": "Normal", "List Bullet 2": "List Bullet", "List Bullet 3": "List Bullet 2",
    "List Number": "Normal", "List Number 2": "List Number", "List Number 3": "List Number 2",
    "List Continue": "Normal", "List Continue 2": "List Continue", "List Continue 3": "List Continue 2",
    "toc 1": "Normal", "toc 2": "toc 1", "TOC Heading": None, "Header": "Normal", "Footer": "Normal",
    "Briefing Table": "Table Grid", "Table Grid": None,
    "Hyperlink": None, "HTML Code": None, "Small Text": None, "Note Text": None,
}


def write_docx(html: str, path: Path, meta: dict, assets: dict[str, bytes], reference: Path | None = None,
               template_name: str = "template") -> dict:
    """Write the DOCX for `html` to `path` (caller handles temp-file + rename). Returns {"pages": None}."""
    try:
        root = lxml.html.document_fromstring(html)
    except Exception as exc:  # lxml raises ParserError/ValueError for empty or unparsable input
        raise BriefgenError(f"{template_name}: the HTML could not be read for Word output ({exc})") from None
    if reference is None:
        document = Document(io.BytesIO(_reference_bytes()))
    else:
        try:
            document = Document(io.BytesIO(reference.read_bytes()))
        except Exception as exc:  # a zip, package or XML error from python-docx: the file is not a .docx
            raise BriefgenError(f"{reference}: not a usable Word reference document "
                                f"({type(exc).__name__}: {exc})") from None
    document.element.body.clear_content()  # a reference lends its styles and page set-up, never its text
    language = meta.get("language") or root.get("lang") or ""
    writer = _Writer(document, assets, template_name)
    head = root.find("head")
    if head is not None:
        writer.check_head(head)
    body = root.find("body")
    if body is not None:
        writer.write_body(body)
    _finish_document(document, meta, language)
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(_normalise_zip(buffer.getvalue(), _zip_time(meta.get("date"))))
    return {"pages": None}


# ---------------------------------------------------------------- the walker

class _Fmt(NamedTuple):
    """Character formatting in force for a stretch of text."""
    bold: bool = False
    italic: bool = False
    vert: str = ""           # "sup" or "sub"
    char: str | None = None  # a character style name
    link: tuple | None = None  # (href, serial number of the <a>) so adjacent links stay apart


_PLAIN = _Fmt()


class _Inline:
    """Inline content gathered for one paragraph: text, line breaks and pictures, with formatting."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list = []  # ("t", text, fmt), ("br", None, fmt) or ("pic", (png, alt), fmt)

    def take(self) -> list:
        """The gathered items with whitespace collapsed as a browser does, then emptied.

        Runs of spaces, tabs and newlines become one space, also across element
        boundaries; none survives at the start or end of the paragraph or
        around a line break. Neighbouring text with equal formatting is merged
        so the paragraph gets as few runs as possible.
        """
        out: list = []
        space_before = True
        for kind, value, fmt in self.items:
            if kind == "t":
                text = _WS.sub(" ", value)
                if space_before and text.startswith(" "):
                    text = text[1:]
                if not text:
                    continue
                space_before = text.endswith(" ")
                if out and out[-1][0] == "t" and out[-1][2] == fmt:
                    out[-1][1] += text
                else:
                    out.append(["t", text, fmt])
            else:
                if kind == "br":
                    _strip_trailing(out)
                    space_before = True
                else:
                    space_before = False
                out.append([kind, value, fmt])
        _strip_trailing(out)
        self.items = []
        return out


def _strip_trailing(items: list) -> None:
    if items and items[-1][0] == "t" and items[-1][1].endswith(" "):
        items[-1][1] = items[-1][1][:-1]
        if not items[-1][1]:
            items.pop()


class _ListItem:
    """Paragraph styles for one <li>: the first paragraph carries the bullet or number, later ones continue it."""

    __slots__ = ("style", "continue_style", "num_id", "count")

    def __init__(self, style, continue_style, num_id: int | None) -> None:
        self.style = style
        self.continue_style = continue_style
        self.num_id = num_id
        self.count = 0


@dataclass(frozen=True)
class _Ctx:
    """Where paragraphs go and which style bare text and plain <p> get there."""
    sink: object
    text_style: object  # a style name, or a _ListItem inside a list item
    in_table: bool = False
    list_depth: int = 0
    fmt: _Fmt = _PLAIN  # character formatting for bare text (a <ul class="note"> makes it note-sized)


class _BodySink:
    """Adds block items to the document body, just before its final w:sectPr.

    python-docx's own add_paragraph/add_table look the w:sectPr up again on
    every call by scanning all body children, which makes a long document
    quadratic; holding the element once keeps each insertion constant-time.
    """

    def __init__(self, document) -> None:
        self.parent = document._body
        body = document.element.body
        self._body = body
        self._sect_pr = body.sectPr

    def _insert(self, element) -> None:
        if self._sect_pr is not None:
            self._sect_pr.addprevious(element)
        else:
            self._body.append(element)

    def paragraph(self, prototype=None) -> Paragraph:
        p = _clone(prototype) if prototype is not None else OxmlElement("w:p")
        self._insert(p)
        return Paragraph(p, self.parent)

    def table(self, tbl) -> Table:
        self._insert(tbl)
        return Table(tbl, self.parent)


class _CellSink:
    """Adds paragraphs to a table cell; the first reuses the empty paragraph every cell must have."""

    def __init__(self, cell: _Cell) -> None:
        self.parent = cell
        self.unused = cell._tc.p_lst[0] if cell._tc.p_lst else None

    def paragraph(self, prototype=None) -> Paragraph:
        p = _clone(prototype) if prototype is not None else OxmlElement("w:p")
        if self.unused is not None:
            self.unused.addnext(p)  # the cell's own empty paragraph gives way to the new one
            self.parent._tc.remove(self.unused)
            self.unused = None
        else:
            self.parent._tc.append(p)
        return Paragraph(p, self.parent)


class _Writer:
    """One document's walk: HTML elements in, paragraphs and tables appended to `document`'s body.

    Holds what must be decided once per document (style ids, run and
    paragraph prototypes, link relationships, bookmark names, list
    numbering) and the state carried from one element to the next (a
    pending page break, bookmarks waiting for their paragraph).
    """

    def __init__(self, document, assets: dict[str, bytes], template_name: str) -> None:
        self.document = document
        self.assets = assets
        self.template_name = template_name
        self._styles: dict[tuple[str, WD_STYLE_TYPE], object] = {}
        self._style_ids: dict[tuple[str, WD_STYLE_TYPE], str | None] = {}
        self._run_prototypes: dict = {}
        self._paragraph_prototypes: dict = {}
        self._default_paragraph_style = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        self._link_rids: dict[str, str] = {}
        self._link_serial = 0
        self._bookmarks: dict[str, str] = {}  # HTML id → Word bookmark name, for ids that links point at
        self._pending_bookmarks: list[str] = []
        self._placed_bookmarks: set[str] = set()
        self._bookmark_id = 0
        self._page_break = False
        self._numbering = ox.ListNumbering(document)
        section = document.sections[-1]
        # A reference without page size or margins gets Word's own A4 defaults for the arithmetic.
        self.text_width = ((section.page_width or Cm(21)) - (section.left_margin or Cm(2.54))
                           - (section.right_margin or Cm(2.54)))
        self.picture_width = min(PICTURE_WIDTH, self.text_width)

    # ------------------------------------------------------------ errors and styles

    def error(self, message: str) -> BriefgenError:
        return BriefgenError(f"{self.template_name}: {message}")

    def unsupported(self, el, where: str = "") -> BriefgenError:
        place = f" {where}" if where else ""
        return self.error(f"<{el.tag}>{place} is not supported in Word output (line {el.sourceline}); "
                          f"supported: {SUPPORTED}")

    def style(self, name: str | None, kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH):
        """The style called `name` (or its fallback), resolved once per document and cached.

        Looking a style up by name scans every style in styles.xml; doing that
        per paragraph is what makes naive python-docx output slow.
        """
        if name is None:
            return None
        key = (name, kind)
        if key not in self._styles:
            found = None
            candidate: str | None = name
            while candidate is not None and found is None:
                try:
                    style = self.document.styles[candidate]
                    if style.type == kind:
                        found = style
                except KeyError:
                    pass
                if found is None:
                    candidate = STYLE_FALLBACKS.get(candidate)
            self._styles[key] = found
        return self._styles[key]

    def style_id(self, name: str | None, kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH) -> str | None:
        """The w:styleId to write for style `name`; None for the default style or a missing one.

        Assigning a style object through python-docx (`paragraph.style = s`)
        still compares it with the default style by scanning every style in
        the file, about 2 ms a paragraph with Word's 160 built-in styles; the
        id is all the XML needs, so it is worked out once per style here.
        """
        key = (name, kind)
        if key not in self._style_ids:
            style = self.style(name, kind)
            default = self.document.styles.default(kind)
            self._style_ids[key] = None if style is None or style == default else style.style_id
        return self._style_ids[key]

    # ------------------------------------------------------------ document

    def check_head(self, head) -> None:
        """<head> gives no content, but a script there is as unconvertible as one in the body."""
        for el in head:
            if isinstance(el.tag, str) and el.tag not in HEAD_TAGS:
                raise self.unsupported(el, "in <head>")

    def write_body(self, body) -> None:
        self._collect_link_targets(body)
        self._blocks(body, _Ctx(_BodySink(self.document), "Normal"))
        if self._pending_bookmarks:
            # An id on the very last, empty element: give its bookmark a paragraph to live in.
            self._new_paragraph(_Ctx(_BodySink(self.document), "Normal"), "Normal")

    def _collect_link_targets(self, body) -> None:
        """Word bookmark names for every id an internal link points at, decided before the walk.

        Links can point forward (citations to the source list), so names are
        fixed up front. Word wants letters, digits and underscores, at most 40
        characters, starting with a letter.
        """
        targets = sorted({a.get("href")[1:] for a in body.iter("a") if (a.get("href") or "").startswith("#")} - {""})
        used: set[str] = set()
        for target in targets:
            name = re.sub(r"[^A-Za-z0-9_]", "_", target)
            if not name[0].isalpha():
                name = "id_" + name
            if len(name) > 40 or name in used:
                name = name[:31] + "_" + hashlib.sha1(target.encode("utf-8")).hexdigest()[:8]
            used.add(name)
            self._bookmarks[target] = name

    def _note_element(self, el) -> None:
        """Remember an id that links point at; the next paragraph made gets its bookmark."""
        if self._bookmarks:
            ident = el.get("id")
            if ident and ident in self._bookmarks:
                self._pending_bookmarks.append(self._bookmarks[ident])

    # ------------------------------------------------------------ blocks

    def _blocks(self, el, ctx: _Ctx) -> None:
        """Walk `el`'s children as a flow: inline content gathers into paragraphs between block children."""
        buf = _Inline()
        fmt = ctx.fmt
        self._text(buf, el.text, fmt, el)
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):  # comment or processing instruction: only its tail is content
                pass
            elif tag in INLINE:
                self._inline(child, fmt, buf)
            elif tag in SILENT:
                pass
            else:
                self._flush(buf, ctx, ctx.text_style)
                self._block(child, ctx)
            self._text(buf, child.tail, fmt, el)
        self._flush(buf, ctx, ctx.text_style)

    def _block(self, el, ctx: _Ctx) -> None:
        tag = el.tag
        classes = (el.get("class") or "").split()
        if classes and not PAGE_BREAK_CLASSES.isdisjoint(classes):
            self._page_break = True
        self._note_element(el)
        if tag == "p":
            if isinstance(ctx.text_style, _ListItem):
                style = ctx.text_style
            elif "marking" in classes:
                style = "Marking"
            elif "note" in classes:
                style = "Note"
            elif "lead" in classes:
                style = "Lead"
            elif "subtitle" in classes:
                style = "Subtitle"
            else:
                style = ctx.text_style
            self._blocks(el, replace(ctx, text_style=style))
        elif tag in CONTAINERS:
            if tag == "nav" and "toc" in classes:
                self._toc(el, ctx)
            elif "marking" in classes:
                self._blocks(el, replace(ctx, text_style="Marking"))
            else:
                self._blocks(el, ctx)
        elif tag in HEADINGS:
            style = "Title" if tag == "h1" and "doc-title" in classes else HEADINGS[tag]
            self._blocks(el, replace(ctx, text_style=style))
        elif tag in ("ul", "ol"):
            self._list(el, ctx)
        elif tag == "table":
            if ctx.in_table:
                raise self.unsupported(el, "inside a table cell")
            self._table(el, ctx)
        elif tag == "figure":
            self._blocks(el, replace(ctx, text_style="Figure"))
        elif tag == "figcaption":
            self._blocks(el, replace(ctx, text_style="Caption"))
        elif tag in TABLE_PARTS:
            raise self.unsupported(el, "outside a table or list" if tag != "li" else "outside <ul> or <ol>")
        else:
            raise self.unsupported(el)

    def _new_paragraph(self, ctx: _Ctx, style_spec, keep_with_next: bool = False) -> Paragraph:
        """A paragraph in `ctx`'s sink with its style, page break, numbering and bookmarks.

        Paragraph properties are all set here, before any run: python-docx
        appends a late w:pPr after existing children, which Word rejects.
        """
        num_id = None
        if isinstance(style_spec, _KeepWithNext):
            keep_with_next = True
        elif isinstance(style_spec, _ListItem):
            item = style_spec
            if item.count == 0:
                style_spec, num_id = item.style, item.num_id
            else:
                style_spec = item.continue_style
            item.count += 1
        style_id = self.style_id(style_spec) if isinstance(style_spec, str) else self._id_of(style_spec)
        para = ctx.sink.paragraph(self._paragraph_prototype(style_id))
        if self._page_break:
            para.paragraph_format.page_break_before = True
            self._page_break = False
        if keep_with_next:
            para.paragraph_format.keep_with_next = True
        if num_id is not None:
            ox.set_num(para, num_id)
        if self._pending_bookmarks:
            para._p.get_or_add_pPr()  # pPr first, then the bookmarks, then runs
            self._add_pending_bookmarks(para)
        return para

    def _flush(self, buf: _Inline, ctx: _Ctx, style_spec) -> None:
        """Turn the gathered inline content into one paragraph (none if it is only whitespace)."""
        items = buf.take() if buf.items else []
        if items:
            self._emit(self._new_paragraph(ctx, style_spec), items)

    # ------------------------------------------------------------ inline

    def _text(self, buf: _Inline, text: str | None, fmt: _Fmt, el) -> None:
        if text:
            if _NOT_XML.search(text):
                bad = _NOT_XML.search(text).group(0)
                raise self.error(f"control character U+{ord(bad):04X} in the text near <{el.tag}> "
                                 f"(line {el.sourceline}) cannot be stored in Word output")
            buf.items.append(("t", text, fmt))

    def _inline(self, el, fmt: _Fmt, buf: _Inline) -> None:
        tag = el.tag
        if tag in ("strong", "b"):
            fmt = fmt._replace(bold=True)
        elif tag in ("em", "i"):
            fmt = fmt._replace(italic=True)
        elif tag == "sup":
            fmt = fmt._replace(vert="sup")
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
                    raise self.error(f"<a href=\"{href[:40]}\"> (line {el.sourceline}): links with this scheme "
                                     "are not allowed in Word output")
                self._link_serial += 1
                fmt = fmt._replace(link=(href, self._link_serial))
        elif tag == "br":
            buf.items.append(("br", None, fmt))
            return
        elif tag == "img":
            buf.items.append(("pic", self._img(el), fmt))
            return
        elif tag == "svg":
            buf.items.append(("pic", self._svg(el), fmt))
            return
        elif tag in ("abbr", "time", "mark"):
            pass
        elif tag in BLOCKS or tag in TABLE_PARTS:
            raise self.unsupported(el, "inside inline text")
        else:
            raise self.unsupported(el)
        self._note_element(el)
        self._text(buf, el.text, fmt, el)
        for child in el:
            if isinstance(child.tag, str):
                if child.tag in SILENT:
                    raise self.unsupported(child, "inside inline text")
                self._inline(child, fmt, buf)
            self._text(buf, child.tail, fmt, el)

    def _svg(self, el) -> tuple[bytes, str]:
        name = el.get("data-asset") or ""
        alt = (el.get("aria-label") or "").strip()
        if el.get("role") != "img" or not alt or name not in self.assets:
            raise self.error(f"<svg> (line {el.sourceline}) needs role=\"img\", an aria-label and a data-asset "
                             f"naming a PNG asset for Word output (asset {name!r}; have "
                             f"{', '.join(sorted(self.assets)) or 'none'})")
        return self.assets[name], alt

    def _img(self, el) -> tuple[bytes, str]:
        alt = (el.get("alt") or "").strip()
        name = el.get("data-asset")
        if name:
            if name not in self.assets:
                raise self.error(f"<img data-asset=\"{name}\"> (line {el.sourceline}): no such PNG asset for Word "
                                 f"output (have {', '.join(sorted(self.assets)) or 'none'})")
            return self.assets[name], alt
        match = _DATA_URI.match(el.get("src") or "")
        if not match:
            raise self.error(f"<img> (line {el.sourceline}) needs a data:image/png;base64 source or a data-asset "
                             "naming a PNG asset for Word output")
        try:
            return base64.b64decode(match.group(2), validate=False), alt
        except (binascii.Error, ValueError):
            raise self.error(f"<img> (line {el.sourceline}): its data: URI is not valid base64") from None

    def _emit(self, para: Paragraph, items: list) -> None:
        """Runs for the collapsed items; consecutive items of one <a> share one w:hyperlink."""
        container = para._p
        current_link = None
        for kind, value, fmt in items:
            if fmt.link != current_link:
                current_link = fmt.link
                container = self._hyperlink(para, current_link[0]) if current_link else para._p
            if kind == "t":
                r = _clone(self._text_run(fmt))
                r[-1].text = value
                container.append(r)
            else:
                r = _clone(self._run_prototype(fmt))
                container.append(r)
                run = Run(r, para)
                if kind == "br":
                    run.add_break(WD_BREAK.LINE)
                else:
                    self._picture(run, *value)

    def _run_prototype(self, fmt: _Fmt):
        """An empty w:r carrying `fmt`'s character formatting, made once per distinct format.

        The formatting is applied through python-docx's Run/Font proxies;
        each run in the document is then a copy of this element. Setting the
        same properties through the proxies for every run costs ~100 µs a run
        (each property insert searches its siblings' schema order), which was
        most of the time for a long briefing.
        """
        key = fmt[:4] + (fmt.link is not None,)  # which link does not matter, only whether there is one
        proto = self._run_prototypes.get(key)
        if proto is None:
            proto = OxmlElement("w:r")
            run = Run(proto, None)
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
            self._run_prototypes[key] = proto
        return proto

    def _text_run(self, fmt: _Fmt):
        """`fmt`'s prototype run with one w:t; space-preserving, as text may start or end with a space."""
        key = ("t",) + fmt[:4] + (fmt.link is not None,)
        proto = self._run_prototypes.get(key)
        if proto is None:
            proto = _clone(self._run_prototype(fmt))
            proto.add_t(" x ")  # python-docx sets xml:space="preserve" for text with edge spaces
            self._run_prototypes[key] = proto
        return proto

    def _hyperlink(self, para: Paragraph, href: str):
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

    def _picture(self, run: Run, data: bytes, alt: str) -> None:
        try:
            shape = run.add_picture(io.BytesIO(data))
        except Exception as exc:  # python-docx raises its own UnrecognizedImageError and struct errors
            raise self.error(f"an image could not be read for Word output ({type(exc).__name__})") from None
        if shape.width > self.picture_width or shape.width < self.picture_width // 2:
            # Charts are drawn for the full text width; tiny or huge images are scaled to it too.
            ratio = self.picture_width / shape.width
            shape.width = self.picture_width
            shape.height = int(shape.height * ratio)
        ox.set_picture_alt(shape, alt, alt[:100] if alt else None)

    # ------------------------------------------------------------ lists

    def _list(self, el, ctx: _Ctx) -> None:
        ordered = el.tag == "ol"
        depth = min(ctx.list_depth + 1, 3)
        suffix = "" if depth == 1 else f" {depth}"
        style = self.style(("List Number" if ordered else "List Bullet") + suffix)
        continue_style = self.style("List Continue" + suffix)
        num_id = None
        if ordered and style is not None:
            base = ox.style_num_id(style)
            if base is not None:
                try:
                    start = int(el.get("start") or 1)
                except ValueError:
                    start = 1
                num_id = self._numbering.restart(base, start)
        if "note" in (el.get("class") or "").split():
            ctx = replace(ctx, fmt=ctx.fmt._replace(char="Note Text"))
        self._no_stray_text(el.text, el)
        for child in el:
            if isinstance(child.tag, str):
                if child.tag != "li":
                    raise self.unsupported(child, f"directly inside <{el.tag}>")
                self._note_element(child)
                item = _ListItem(style, continue_style, num_id)
                self._blocks(child, replace(ctx, text_style=item, list_depth=depth))
                if item.count == 0:
                    self._new_paragraph(ctx, item)  # an empty <li> still shows its bullet
            self._no_stray_text(child.tail, el)

    def _no_stray_text(self, text: str | None, el) -> None:
        if text and text.strip():
            raise self.error(f"text {text.strip()[:30]!r} directly inside <{el.tag}> (line {el.sourceline}) "
                             "is not supported in Word output; put it in a cell or list item")

    # ------------------------------------------------------------ tables

    def _table(self, el, ctx: _Ctx) -> None:
        caption = None
        rows: list[tuple[object, bool]] = []  # (<tr>, in <thead>)
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

        grid: list[list[tuple[object, int]]] = []
        for tr, _ in rows:
            cells = []
            self._no_stray_text(tr.text, tr)
            for cell in tr:
                if isinstance(cell.tag, str):
                    if cell.tag not in ("td", "th"):
                        raise self.unsupported(cell, "directly inside <tr>")
                    if (cell.get("rowspan") or "1").strip() not in ("", "1"):
                        raise self.error(f"<{cell.tag} rowspan> (line {cell.sourceline}) is not supported in Word "
                                         "output; repeat the cell or restructure the table")
                    cells.append((cell, self._colspan(cell)))
                self._no_stray_text(cell.tail, tr)
            grid.append(cells)
        ncols = max((sum(span for _, span in cells) for cells in grid), default=0)

        if caption is not None:
            self._note_element(caption)
            self._blocks(caption, replace(ctx, text_style=_KeepWithNext("Caption")))
        if not rows or ncols == 0:
            if self._table_has_content(el):
                raise self.error(f"<table> (line {el.sourceline}) has content but no cells")
            return

        widths = self._column_widths(el, ncols)
        tbl = CT_Tbl.new_tbl(len(rows), ncols, self.text_width)
        table = ctx.sink.table(tbl)
        style = self.style("Briefing Table", WD_STYLE_TYPE.TABLE)
        if style is not None:
            table.style = style
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        if widths is not None:
            table.autofit = False
            for column, width in zip(table.columns, widths):
                column.width = width
        else:
            ox.set_table_width_pct(table, 100)

        # Only leading header rows can repeat on each page in Word; a <th> row further down is just bold.
        header_rows = 0
        for (_, in_thead), cells in zip(rows, grid):
            if not (in_thead or (cells and all(c.tag == "th" for c, _ in cells))):
                break
            header_rows += 1
        ox.set_table_look(table, header_rows > 0)

        for index, ((tr_el, _), cells, tr) in enumerate(zip(rows, grid, tbl.tr_lst)):
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
                    cell.width = sum(widths[col:col + span])
                if is_header:
                    ox.shade_cell(cell, HEADER_FILL)
                style_name = "Table Heading" if cell_el.tag == "th" else "Table Text"
                self._note_element(cell_el)
                self._cell(cell, cell_el, ctx, style_name)
                col += span
            for grid_col in range(col, ncols):
                # Cells the HTML row left out: keep the grid rectangular, styled like the rest.
                cell = _Cell(tcs[grid_col], table)
                if widths is not None:
                    cell.width = widths[grid_col]
                if is_header:
                    ox.shade_cell(cell, HEADER_FILL)
                self._cell(cell, None, ctx, "Table Heading" if is_header else "Table Text")
            if is_header:
                ox.mark_header_row(_Row(tr, table))
            else:
                ox.keep_row_together(_Row(tr, table))  # as briefing.css's tr { break-inside: avoid }

    def _cell(self, cell: _Cell, cell_el, ctx: _Ctx, style_name: str) -> None:
        sink = _CellSink(cell)
        if cell_el is not None:
            self._blocks(cell_el, _Ctx(sink, style_name, in_table=True, list_depth=ctx.list_depth))
        if sink.unused is not None:
            # An empty cell keeps its one paragraph; style it so the row is not taller than its neighbours.
            para = Paragraph(sink.unused, cell)
            style_id = self.style_id(style_name)
            if style_id is not None:
                para._p.style = style_id
            if self._pending_bookmarks or self._page_break:
                sink.unused = None
                self._adopt_pending(para)

    def _paragraph_prototype(self, style_id: str | None):
        """An empty w:p with style `style_id`, made once through python-docx and copied per paragraph."""
        proto = self._paragraph_prototypes.get(style_id)
        if proto is None:
            proto = OxmlElement("w:p")
            if style_id is not None:
                proto.style = style_id
            self._paragraph_prototypes[style_id] = proto
        return proto

    def _id_of(self, style) -> str | None:
        """Style id of a style object (list styles are resolved as objects to read their numbering)."""
        if style is None or style == self._default_paragraph_style:
            return None
        return style.style_id

    def _adopt_pending(self, para: Paragraph) -> None:
        if self._page_break:
            para.paragraph_format.page_break_before = True
            self._page_break = False
        if self._pending_bookmarks:
            para._p.get_or_add_pPr()
            self._add_pending_bookmarks(para)

    def _add_pending_bookmarks(self, para: Paragraph) -> None:
        for name in self._pending_bookmarks:
            if name not in self._placed_bookmarks:  # an id used twice in the HTML: the first one wins
                self._placed_bookmarks.add(name)
                self._bookmark_id += 1
                ox.add_bookmark(para, name, self._bookmark_id)
        self._pending_bookmarks = []

    def _colspan(self, cell) -> int:
        raw = (cell.get("colspan") or "1").strip()
        try:
            span = int(raw)
        except ValueError:
            raise self.error(f"<{cell.tag} colspan=\"{raw}\"> (line {cell.sourceline}) is not a whole number") from None
        if not 1 <= span <= 63:  # Word's own limit is 63 columns
            raise self.error(f"<{cell.tag} colspan=\"{raw}\"> (line {cell.sourceline}) must be between 1 and 63")
        return span

    def _column_widths(self, el, ncols: int):
        raw = el.get("data-widths")
        if not raw:
            return None
        try:
            parts = [float(p) for p in raw.split(",")]
        except ValueError:
            parts = []
        if len(parts) != ncols or any(p <= 0 for p in parts):
            raise self.error(f"<table data-widths=\"{raw}\"> (line {el.sourceline}) needs {ncols} positive "
                             "percentages, one per column")
        total = sum(parts)
        return [int(self.text_width * p / total) for p in parts]

    @staticmethod
    def _table_has_content(el) -> bool:
        return bool("".join(el.itertext()).strip()) or any(True for _ in el.iter("img", "svg"))

    # ------------------------------------------------------------ contents

    def _toc(self, nav, ctx: _Ctx) -> None:
        """A Word TOC field in place of the HTML contents list.

        The field's cached result is filled from the nav's own links (one
        linked paragraph per entry), so readers that do not recalculate fields
        (LibreOffice, pandoc, previews) still show the contents; Word rebuilds
        it with page numbers when it opens the file. The cached entries carry
        no page numbers: we cannot know them, and LibreOffice shows a TOC's
        cached text as it is, so dot leaders there would run to nothing.
        """
        label = (nav.get("aria-label") or "Contents").strip() or "Contents"
        heading_style = self.style("TOC Heading")
        heading = self._new_paragraph(ctx, heading_style or "Normal", keep_with_next=True)
        run = heading.add_run(label)
        if heading_style is None:
            run.bold = True

        entries = []
        for a in nav.iter("a"):
            href = a.get("href") or ""
            target = self._bookmarks.get(href[1:]) if href.startswith("#") else None
            if target is None:
                continue
            text = _WS.sub(" ", a.text_content()).strip()
            level = 1
            for ancestor in a.iterancestors():
                if ancestor is nav:
                    break
                classes = (ancestor.get("class") or "").split()
                if ancestor.tag == "li" and "level-2" in classes:
                    level = 2
            entries.append((level, target, text))

        if not entries:
            para = self._new_paragraph(ctx, "Normal")
            ox.begin_field(para, TOC_INSTRUCTION)
            para.add_run("Update this field (F9 in Word) to build the table of contents.")
            ox.end_field(para)
            return
        for index, (level, target, text) in enumerate(entries):
            para = self._new_paragraph(ctx, f"toc {level}")
            if index == 0:
                ox.begin_field(para, TOC_INSTRUCTION)
            link = ox.add_hyperlink(para, anchor=target)
            r = OxmlElement("w:r")
            link.append(r)
            r.add_t(text)
            if index == len(entries) - 1:
                ox.end_field(para)


_clone = copy.deepcopy


class _KeepWithNext(str):
    """A style name whose paragraphs stay on the page of what follows (captions above tables)."""


# ---------------------------------------------------------------- document level

def _finish_document(document, meta: dict, language: str) -> None:
    """Header and footer with the marking and page numbers, field refresh, language, core properties."""
    marking = (meta.get("marking") or "").strip()
    styles = document.styles
    for section in document.sections:
        # The cover shows the marking itself, so its page has none in the header (as in the PDF).
        section.different_first_page_header_footer = True
        for header, with_marking in ((section.header, True), (section.first_page_header, False)):
            header.is_linked_to_previous = False
            _clear(header)
            para = header.add_paragraph(style=_maybe_style(styles, "Header"))
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if marking and with_marking:
                para.add_run(marking).bold = True
        for footer in (section.footer, section.first_page_footer):
            footer.is_linked_to_previous = False
            _clear(footer)
            if marking:
                para = footer.add_paragraph(style=_maybe_style(styles, "Footer"))
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                para.add_run(marking).bold = True
            para = footer.add_paragraph(style=_maybe_style(styles, "Footer"))
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            para.add_run("Page ")
            ox.add_field(para, "PAGE", "1")
            para.add_run(" of ")
            ox.add_field(para, "NUMPAGES", "1")
    ox.set_update_fields(document)
    ox.set_default_language(document, language)

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


def _maybe_style(styles, name: str):
    try:
        return styles[name]
    except KeyError:
        return None


def _clear(header_or_footer) -> None:
    element = header_or_footer._element
    for child in list(element):
        element.remove(child)


WORD_PROPERTY_LIMIT = 255  # Word refuses longer core properties; `check` warns when the subject is cut


def word_property(text: str | None) -> str:
    """Text for a Word core property: whole when it fits, else cut at a word with an ellipsis."""
    text = " ".join((text or "").split())
    if len(text) <= WORD_PROPERTY_LIMIT:
        return text
    return text[: WORD_PROPERTY_LIMIT - 1].rsplit(" ", 1)[0] + "…"


def _meta_datetime(value) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        day = dt.date(1980, 1, 1)
    return dt.datetime(day.year, day.month, day.day)


def _zip_time(value) -> tuple[int, int, int, int, int, int]:
    when = _meta_datetime(value)
    if when.year < 1980:  # the zip format cannot store earlier dates
        return (1980, 1, 1, 0, 0, 0)
    return (when.year, when.month, when.day, 0, 0, 0)


def _normalise_zip(data: bytes, date_time: tuple[int, int, int, int, int, int]) -> bytes:
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


# ---------------------------------------------------------------- reference document

def make_reference_docx(path: Path) -> None:
    """Write the reference document (styles, page set-up) that `write_docx` starts from.

    Generated from python-docx's default template so it can be rebuilt at any
    time: `python -c "from pathlib import Path; from briefgen.backends.docx import
    make_reference_docx; make_reference_docx(Path('templates/reference.docx'))"`.
    Edit it in Word to restyle every briefing; keep the style names.
    """
    Path(path).write_bytes(_reference_bytes())


@functools.lru_cache(maxsize=1)
def _reference_bytes() -> bytes:
    document = Document()
    package = document.part.package
    # The template's preview picture shows python-docx's blank page, and stylesWithEffects
    # duplicates styles.xml for Word 2010; neither belongs in our output.
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[r_id]
    for r_id, rel in list(document.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            del document.part.rels[r_id]
    document.element.body.clear_content()

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.2)
    section.left_margin = section.right_margin = Cm(2)
    section.header_distance = section.footer_distance = Cm(1)
    text_width = section.page_width - section.left_margin - section.right_margin

    font = "Arial"  # Liberation Sans stands in for it, metric for metric, where Arial is absent
    ox.set_document_defaults(document, font, Pt(10), "en-GB")
    styles = document.styles
    P, C, T = WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE

    def get(name, kind=P, base="Normal"):
        try:
            style = styles[name]
        except KeyError:
            style = styles.add_style(name, kind)
            if base:
                style.base_style = styles[base]
        style.hidden = False
        style.unhide_when_used = False
        style.quick_style = kind != T
        return style

    def para(name, size=None, bold=None, italic=False, color=None, before=None, after=None, line=None,
             keep_next=None, align=None, base="Normal"):
        style = get(name, P, base)
        if name != "Normal":
            ox.set_font(style, font)
        f = style.font
        if size is not None:
            f.size = Pt(size)
        if bold is not None:
            f.bold = bold
        f.italic = italic
        if color is not None:
            f.color.rgb = color
        pf = style.paragraph_format
        if before is not None:
            pf.space_before = Pt(before)
        if after is not None:
            pf.space_after = Pt(after)
        if line is not None:
            pf.line_spacing = line
        if keep_next is not None:
            pf.keep_with_next = keep_next
        if align is not None:
            pf.alignment = align
        return style

    normal = para("Normal", size=10, after=5, line=1.1)
    ox.set_font(normal, font)  # also on the style, so Word's style dialog names the font
    title = para("Title", size=22, bold=True, color=ACCENT, after=4, line=1.0)
    title.font.spacing = Pt(0)  # the template's letter spacing looks odd in Arial
    para("Subtitle", size=14, color=GREY, after=12, line=1.0)
    para("Heading 1", size=14, bold=True, color=ACCENT, before=14, after=6, keep_next=True, line=1.0)
    para("Heading 2", size=12.5, bold=True, color=RGBColor(0x11, 0x11, 0x11), before=12, after=4,
         keep_next=True, line=1.0)
    para("Heading 3", size=11, bold=True, italic=True, color=RGBColor(0x11, 0x11, 0x11), before=10, after=3,
         keep_next=True, line=1.0)
    para("TOC Heading", size=15, bold=True, color=ACCENT, before=12, after=6, keep_next=True, line=1.0,
         base="Heading 1")
    for level, indent in ((1, 0), (2, 0.6)):
        toc = para(f"toc {level}", size=10, after=3, line=1.0)
        toc.paragraph_format.left_indent = Cm(indent)
        toc.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    para("Note", size=9, color=GREY, after=4)
    para("Lead", size=11, after=6)
    para("Marking", size=11, bold=True, after=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    para("Caption", size=9.5, bold=True, color=RGBColor(0x11, 0x11, 0x11), before=6, after=4)
    para("Figure", after=4, keep_next=True, align=WD_ALIGN_PARAGRAPH.CENTER, line=1.0)
    para("Table Text", size=9, after=2, line=1.0)
    para("Table Heading", size=9, bold=True, after=2, line=1.0, base="Table Text")
    for name in ("List Bullet", "List Bullet 2", "List Bullet 3", "List Number", "List Number 2",
                 "List Number 3", "List Continue", "List Continue 2", "List Continue 3"):
        para(name, after=2)
    para("Header", size=9, after=0, line=1.0)
    para("Footer", size=8, color=GREY, after=0, line=1.0)

    def char(name, size=None, color=None, underline=None, mono=False):
        style = get(name, C, None)
        if mono:
            ox.set_font(style, "Courier New")
        if size is not None:
            style.font.size = Pt(size)
        if color is not None:
            style.font.color.rgb = color
        if underline is not None:
            style.font.underline = underline
        return style

    char("Hyperlink", color=ACCENT, underline=True)
    char("HTML Code", size=10, mono=True)
    char("Small Text", size=9)
    char("Note Text", size=9, color=GREY)

    table = get("Briefing Table", T, "Table Grid")
    table.font.size = Pt(9)
    table.paragraph_format.space_after = Pt(2)

    buffer = io.BytesIO()
    document.save(buffer)
    return _normalise_zip(buffer.getvalue(), (1980, 1, 1, 0, 0, 0))
