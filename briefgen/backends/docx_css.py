"""The page's own stylesheet read for Word: CSS text in, a `Look` (emphasis, colour, rules, breaks) per element out.

In: the text of the rendered page's <style> elements, then elements of that
page. Out: for each element, what the CSS says about it as far as Word output
uses it: bold, italic, colour, page breaks before and after, solid top, bottom
and left borders with their padding, and top and bottom margins. The writer
(docx_writer.py) applies a Look to the runs and paragraphs it makes, so Word
agrees with the PDF on class-driven formatting. Sizes, line heights and the
spacing of ordinary elements are the reference document's styles' business
(docx_reference.py).
"""

from __future__ import annotations

import re
from typing import NamedTuple, TypeAlias

from .docx_measures import BODY_SIZE
from .docx_walk import HtmlElement

# A CSS border as Word draws it: (side, width in eighths of a point, "RRGGBB", space to the text in points).
Border: TypeAlias = tuple[str, int, str, float]


class _Selector(NamedTuple):
    tag: str | None
    classes: frozenset[str]
    first_child: bool = False

    def matches(self, el: HtmlElement) -> bool:
        if self.tag is not None and self.tag != el.tag:
            return False
        if not self.classes <= set((el.get("class") or "").split()):
            return False
        return not self.first_child or not any(isinstance(e.tag, str) for e in el.itersiblings(preceding=True))


class _Rule(NamedTuple):
    subject: _Selector
    ancestor: _Selector | None  # "A B": B inside an A
    properties: dict[str, str]


class Look(NamedTuple):
    """What the CSS says about one element, as far as the Word backend uses it (None: nothing said)."""
    bold: bool | None = None
    italic: bool | None = None
    color: str | None = None          # "B5482A"
    break_before: bool = False
    break_after: bool = False
    borders: tuple[Border, ...] = ()
    margin_top: float | None = None   # points
    margin_bottom: float | None = None


NO_LOOK = Look()
_SIMPLE = re.compile(r"^([a-z][a-z0-9]*)?((?:\.[A-Za-z_][\w-]*)*)(:first-child)?$")
_BREAK_VALUES = frozenset({"page", "left", "right", "recto", "verso", "always"})
_USED = frozenset({"font-weight", "font-style", "color", "break-before", "break-after", "page-break-before",
                   "page-break-after", "border", "border-top", "border-bottom", "border-left", "padding",
                   "padding-top", "padding-bottom", "padding-left", "margin", "margin-top", "margin-bottom"})


class StyleSheet:
    """What the page's own CSS says about emphasis, colour, rules and page breaks, so Word agrees with the PDF.

    Read: rules outside @media and @page whose selector is a simple selector
    with a class (`td.amount`, `.lead`), or a class-bearing simple selector, a
    space, and a simple selector (`.not-for-use h2`, `td .note`); a simple
    selector may end in :first-child. Used:
    font-weight and font-style (bold, italic), color, break-before/after (and
    the page-break- forms), solid top, bottom and left borders with their
    padding, and top and bottom margins of bordered or breaking blocks. Sizes,
    line heights and the spacing of ordinary elements are the reference
    document's styles' business (see make_reference_docx); a rule or value
    this reader cannot use is skipped, never an error. Lengths in em are taken
    at the body size, BODY_SIZE.
    """

    def __init__(self, rules: list[_Rule]) -> None:
        self.rules = rules
        self._by_subject: dict[tuple[str, str], list[_Rule]] = {}

    @classmethod
    def from_head(cls, head: HtmlElement) -> StyleSheet | None:
        texts = [el.text or "" for el in head.iter("style")]
        return cls.parse("\n".join(texts)) if texts else None

    @classmethod
    def parse(cls, css: str) -> StyleSheet:
        import tinycss2  # WeasyPrint's CSS parser, so always installed with it

        rules: list[_Rule] = []
        for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule":
                continue  # @media, @page and the like: not about the printed body's elements
            properties: dict[str, str] = {}
            for decl in tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True):
                if decl.type == "declaration" and decl.lower_name in _USED:
                    properties[decl.lower_name] = " ".join(tinycss2.serialize(decl.value).split()).lower()
            if not properties:
                continue
            selectors: str = tinycss2.serialize(rule.prelude)
            for selector in selectors.split(","):
                parts = [_simple(part) for part in selector.split()]
                if len(parts) == 1:
                    (subject,) = parts
                    if subject is not None and subject.classes:
                        rules.append(_Rule(subject, None, properties))
                elif len(parts) == 2:
                    ancestor, subject = parts
                    if ancestor is not None and subject is not None and ancestor.classes:
                        rules.append(_Rule(subject, ancestor, properties))
        return cls(rules)

    def look(self, el: HtmlElement) -> Look:
        """The element's Look: matching rules merged in source order (a later rule wins, as with equal specificity)."""
        key = (el.tag, el.get("class") or "")
        candidates = self._by_subject.get(key)
        if candidates is None:  # the rules whose subject could match, by tag and classes (first-child aside)
            candidates = self._by_subject[key] = [r for r in self.rules if r.subject._replace(first_child=False)
                                                  .matches(el)]
        if not candidates:
            return NO_LOOK
        merged: dict[str, str] = {}
        for rule in candidates:
            if not rule.subject.matches(el):
                continue
            if rule.ancestor is None or any(rule.ancestor.matches(a) for a in el.iterancestors()):
                merged.update(rule.properties)
        return _look(merged) if merged else NO_LOOK


def _simple(text: str) -> _Selector | None:
    match = _SIMPLE.match(text)
    if not match or not text:
        return None
    return _Selector(match.group(1), frozenset(c for c in match.group(2).split(".") if c), bool(match.group(3)))


def _look(p: dict[str, str]) -> Look:
    def breaks(*names: str) -> bool:
        return any(p.get(n) in _BREAK_VALUES for n in names)

    boxes = {side: _box(p, "padding", side) for side in ("top", "bottom", "left")}
    margins = {side: _box(p, "margin", side) for side in ("top", "bottom")}
    borders = []
    for side in ("top", "bottom", "left"):
        border = _border(p.get(f"border-{side}") or p.get("border"))
        if border:
            borders.append((side, border[0], border[1], boxes[side] or 0.0))
    return Look(bold=_weight(p.get("font-weight")), italic=_italic(p.get("font-style")), color=_color(p.get("color")),
                break_before=breaks("break-before", "page-break-before"),
                break_after=breaks("break-after", "page-break-after"), borders=tuple(borders),
                margin_top=margins["top"], margin_bottom=margins["bottom"])


def _length(value: str) -> float | None:
    """A CSS length in points (px, pt, mm, cm, in, em at BODY_SIZE; a bare 0), or None."""
    match = re.fullmatch(r"(-?[\d.]+)(px|pt|mm|cm|in|em|rem)?", value)
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2)
    if unit is None:
        return 0.0 if number == 0 else None
    scale = {"px": 0.75, "pt": 1, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72, "em": BODY_SIZE, "rem": BODY_SIZE}
    return number * scale[unit]


def _box(p: dict[str, str], name: str, side: str) -> float | None:
    """One side of a margin or padding, from its own property or the shorthand (1 to 4 values)."""
    if f"{name}-{side}" in p:
        return _length(p[f"{name}-{side}"])
    if name not in p:
        return None
    values = p[name].split()
    index = {"top": 0, "right": 1, "bottom": 2, "left": 3}[side]
    pick = {1: (0, 0, 0, 0), 2: (0, 1, 0, 1), 3: (0, 1, 2, 1), 4: (0, 1, 2, 3)}.get(len(values))
    return _length(values[pick[index]]) if pick else None


def _border(value: str | None) -> tuple[int, str] | None:
    """A solid CSS border ("2px solid #1d4f91") as (width in eighths of a point, "RRGGBB"); None for none."""
    if not value or "solid" not in value.split():
        return None
    width = next((w for w in (_length(v) for v in value.split()) if w), None)
    color = next((c for c in (_color(v) for v in value.split()) if c), "000000")
    if not width:
        return None
    return max(2, min(96, round(width * 8))), color  # Word's range: 1/4 to 12 points


def _color(value: str | None) -> str | None:
    if not value:
        return None
    match = re.fullmatch(r"#([0-9a-f]{3}|[0-9a-f]{6})", value.strip())
    if not match:
        return None
    digits = match.group(1)
    return (digits if len(digits) == 6 else "".join(c * 2 for c in digits)).upper()


def _weight(value: str | None) -> bool | None:
    if value is None:
        return None
    if value in ("bold", "bolder"):
        return True
    if value in ("normal", "lighter"):
        return False
    return int(value) >= 600 if value.isdigit() else None


def _italic(value: str | None) -> bool | None:
    if value is None:
        return None
    if value.startswith(("italic", "oblique")):
        return True
    return False if value == "normal" else None
