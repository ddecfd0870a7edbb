"""Chart painting: a laid-out `Drawing` (shapes in points) → SVG text and PNG bytes.

In: a `Drawing` from chart_layout.py: rectangles, lines and text, each with its
place in points from the top left. Out: the same picture twice, as standalone
SVG (for HTML and PDF) and as PNG at print resolution painted with Pillow (for
Word), so the two cannot disagree; and `text_width`, the measure the layout
places labels by.

Text is measured and painted with the face the document's stylesheet asks for
(Arial, or Liberation Sans, its metric twin; DejaVu Sans, then Pillow's own
face, where neither is installed), so labels placed clear of each other stay
clear when WeasyPrint or Word draws the SVG. Anything a fact file wrote is
escaped, and characters XML cannot hold are dropped, so no text can break the
picture.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .errors import BriefgenError

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

# The picture is 6.3 in wide: 320 dpi keeps at least 300 dpi when Word stretches it to the 6.7 in text width.
PNG_DPI = 320
WIDTH = 6.3 * 72  # points
# The stylesheet's face first; the SVG names the whole list, so Word and browsers draw it in Arial and
# WeasyPrint in whichever is installed. The PNG and the measuring use the first of these files found.
FONT_FAMILY = "Arial, Liberation Sans, DejaVu Sans, sans-serif"
_FONT_FILES = {False: ("Arial.ttf", "arial.ttf", "LiberationSans-Regular.ttf", "DejaVuSans.ttf"),
               True: ("Arial_Bold.ttf", "arialbd.ttf", "LiberationSans-Bold.ttf", "DejaVuSans-Bold.ttf")}
INK = "#000000"
# Arial's (and Liberation Sans's) heights, as fractions of the size: digits and capitals rise 0.72,
# descenders drop 0.21. A label's box is its text between these, so boxes are tight but never clip.
RISE, DROP = 0.75, 0.22


@dataclass(frozen=True)
class Rect:
    """A bar: corners in points from the top left; hatched bars are white with lines of `stroke`."""
    x0: float
    y0: float
    x1: float
    y1: float
    fill: str
    stroke: str
    stroke_width: float = 1.0
    hatched: bool = False


@dataclass(frozen=True)
class Blank:
    """White ground under a label (corners in points), so that lines passing behind it do not cross it."""
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Line:
    points: tuple[tuple[float, float], ...]
    colour: str
    width: float
    dash: tuple[float, float] | None = None  # on, off (points)


@dataclass(frozen=True)
class Text:
    """Text on a baseline at (x, y); `anchor` says which end of it (or its middle) is at x.
    `upright` text reads from bottom to top, its baseline the vertical line through x."""
    x: float
    y: float
    text: str
    size: float
    anchor: Literal["start", "middle", "end"] = "start"
    bold: bool = False
    upright: bool = False


@dataclass(frozen=True)
class Label:
    """An amount's label as placed, with the box it covers (points, y down) and the panel it is in."""
    panel: int
    row_id: str
    text: Text
    box: tuple[float, float, float, float]


@dataclass
class Drawing:
    width: float
    height: float
    shapes: list[Rect | Blank | Line | Text] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    # For checking the picture: each panel's plot area (x0, y0, x1, y1) and the value at its top.
    plots: list[tuple[float, float, float, float]] = field(default_factory=list)
    tops: list[float] = field(default_factory=list)
    year_labels: list[Text] = field(default_factory=list)
    unlabelled: int = 0  # marks too close to others for a clear label


def _font_folders() -> list[Path]:
    """The system's and the user's font folders (Linux, macOS, Windows): never the working folder, so a
    file a project happens to hold under a font's name is not what gets read."""
    folders = [Path(d) / "fonts" for d in os.environ.get("XDG_DATA_DIRS", "/usr/local/share:/usr/share").split(":")]
    folders += [Path("/Library/Fonts"), Path("/System/Library/Fonts/Supplemental"),
                Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts"]
    try:
        home = Path.home()
    except RuntimeError:  # no HOME and no password entry (a bare container): the system's folders only
        pass
    else:
        folders += [home / ".local/share/fonts", home / ".fonts", home / "Library/Fonts"]
    return [folder for folder in folders if folder.is_absolute()]


@functools.cache
def _font_file(bold: bool) -> Path | None:
    """The first of `_FONT_FILES` found in the font folders, by file name."""
    found: dict[str, Path] = {}
    wanted = set(_FONT_FILES[bold])
    for folder in _font_folders():
        for parent, _dirs, files in os.walk(folder):
            for name in wanted.intersection(files):
                found.setdefault(name, Path(parent) / name)
    return next((found[name] for name in _FONT_FILES[bold] if name in found), None)


@functools.cache
def _font(bold: bool, pixels: int) -> FreeTypeFont:
    """The document's face at a size in pixels, else Pillow's own scalable face, so a machine with none
    of the faces still draws (its labels measured a little differently from what a reader's fonts show)."""
    from PIL import ImageFont

    path = _font_file(bold)
    if path is not None:
        try:
            return ImageFont.truetype(str(path), pixels, layout_engine=ImageFont.Layout.BASIC)
        except OSError:
            pass
    fallback = ImageFont.load_default(pixels)
    if not isinstance(fallback, ImageFont.FreeTypeFont):  # a Pillow built without FreeType
        raise BriefgenError("the chart needs Pillow with FreeType (the wheels from PyPI have it)")
    return fallback


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The advance width of `text` in points at `size` points, measured at 1,000 pixels for precision."""
    return _font(bold, 1000).getlength(text) * size / 1000


def _hatch(rect: Rect, spacing: float = 6.0) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Lines rising to the right ("////") across a rectangle, clipped to it: x + y = c for c on a grid
    fixed to the picture, so neighbouring bars' hatching lines up."""
    lines = []
    c = math.floor((rect.x0 + rect.y0) / spacing + 1) * spacing
    while c < rect.x1 + rect.y1:
        low, high = max(rect.x0, c - rect.y1), min(rect.x1, c - rect.y0)
        if low < high:
            lines.append(((low, c - low), (high, c - high)))
        c += spacing
    return lines


# --------------------------------------------------------------------------- SVG

def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _xml_text(text: str) -> str:
    """Text escaped for XML, without the characters XML 1.0 cannot hold at all (control characters,
    lone surrogates, U+FFFE/U+FFFF), which would make the whole picture unreadable."""
    kept = "".join(ch for ch in text if ch in "\t\n\r" or ("\x20" <= ch <= "\ud7ff") or ("\ue000" <= ch <= "\ufffd")
                   or ch >= "\U00010000")
    return kept.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def svg_text(drawing: Drawing) -> str:
    """The drawing as a standalone SVG document (sizes in points)."""
    width, height = _number(drawing.width), _number(drawing.height)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}pt" height="{height}pt" '
           f'viewBox="0 0 {width} {height}" font-family="{FONT_FAMILY}">',
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>']
    for shape in drawing.shapes:
        if isinstance(shape, Rect):
            box = (f'x="{_number(shape.x0)}" y="{_number(shape.y0)}" width="{_number(shape.x1 - shape.x0)}" '
                   f'height="{_number(shape.y1 - shape.y0)}"')
            stroke = f'stroke="{shape.stroke}" stroke-width="{_number(shape.stroke_width)}"'
            if shape.hatched:
                hatching = " ".join(f"M{_number(a[0])} {_number(a[1])}L{_number(b[0])} {_number(b[1])}"
                                    for a, b in _hatch(shape))
                out.append(f'<rect {box} fill="{shape.fill}"/>')
                if hatching:
                    out.append(f'<path d="{hatching}" stroke="{shape.stroke}" stroke-width="0.8" fill="none"/>')
                out.append(f'<rect {box} fill="none" {stroke}/>')
            else:
                out.append(f'<rect {box} fill="{shape.fill}" {stroke}/>')
        elif isinstance(shape, Blank):
            out.append(f'<rect x="{_number(shape.x0)}" y="{_number(shape.y0)}" width="{_number(shape.x1 - shape.x0)}" '
                       f'height="{_number(shape.y1 - shape.y0)}" fill="#ffffff"/>')
        elif isinstance(shape, Line):
            points = " ".join(f"{_number(x)},{_number(y)}" for x, y in shape.points)
            dash = f' stroke-dasharray="{_number(shape.dash[0])} {_number(shape.dash[1])}"' if shape.dash else ""
            out.append(f'<polyline points="{points}" fill="none" stroke="{shape.colour}" '
                       f'stroke-width="{_number(shape.width)}"{dash}/>')
        else:
            weight = ' font-weight="bold"' if shape.bold else ""
            place = (f'transform="translate({_number(shape.x)} {_number(shape.y)}) rotate(-90)"' if shape.upright
                     else f'x="{_number(shape.x)}" y="{_number(shape.y)}"')
            out.append(f'<text {place} font-size="{_number(shape.size)}" text-anchor="{shape.anchor}"{weight}>'
                       f'{_xml_text(shape.text)}</text>')
    out.append("</svg>")
    return "\n".join(out)


# --------------------------------------------------------------------------- PNG

def png_bytes(drawing: Drawing, dpi: int = PNG_DPI) -> bytes:
    """The drawing painted at `dpi` with Pillow, the same places and sizes as the SVG."""
    from PIL import Image, ImageDraw

    scale = dpi / 72
    picture = Image.new("RGB", (round(drawing.width * scale), round(drawing.height * scale)), "#ffffff")
    pen = ImageDraw.Draw(picture)

    def px(value: float) -> float:
        return value * scale

    def line(a: tuple[float, float], b: tuple[float, float], colour: str, width: float) -> None:
        pen.line([(px(a[0]), px(a[1])), (px(b[0]), px(b[1]))], fill=colour, width=max(1, round(px(width))))

    for shape in drawing.shapes:
        if isinstance(shape, Rect):
            pen.rectangle([px(shape.x0), px(shape.y0), px(shape.x1), px(shape.y1)], fill=shape.fill)
            if shape.hatched:
                for a, b in _hatch(shape):
                    line(a, b, shape.stroke, 0.8)
            half = shape.stroke_width / 2  # Pillow draws an outline inside the box; SVG on its edge
            pen.rectangle([px(shape.x0 - half), px(shape.y0 - half), px(shape.x1 + half), px(shape.y1 + half)],
                          outline=shape.stroke, width=max(1, round(px(shape.stroke_width))))
        elif isinstance(shape, Blank):
            pen.rectangle([px(shape.x0), px(shape.y0), px(shape.x1), px(shape.y1)], fill="#ffffff")
        elif isinstance(shape, Line):
            for a, b in itertools.pairwise(shape.points):
                if shape.dash is None:
                    line(a, b, shape.colour, shape.width)
                    continue
                on, off = shape.dash
                length = math.dist(a, b)
                at = 0.0
                while at < length:
                    stop = min(length, at + on)
                    line(_along(a, b, at / length), _along(a, b, stop / length), shape.colour, shape.width)
                    at = stop + off
        else:
            font = _font(shape.bold, max(1, round(px(shape.size))))
            if not shape.upright:
                pen.text((px(shape.x), px(shape.y)), shape.text, fill=INK, font=font,
                         anchor={"start": "ls", "middle": "ms", "end": "rs"}[shape.anchor])
                continue
            ascent, descent = font.getmetrics()
            width = math.ceil(font.getlength(shape.text)) + 2
            mask = Image.new("L", (width, ascent + descent), 0)
            ImageDraw.Draw(mask).text((1, ascent), shape.text, fill=255, font=font, anchor="ls")
            mask = mask.rotate(90, expand=True)  # reads bottom to top; the baseline is now x = ascent
            picture.paste(INK, (round(px(shape.x)) - ascent, round(px(shape.y) - width / 2)), mask)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def _along(a: tuple[float, float], b: tuple[float, float], share: float) -> tuple[float, float]:
    return a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share


