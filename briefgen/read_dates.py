"""Reading dates in source text: "today (Tuesday 20 July)" → the days it may mean.

In: text (a quote, the sentence around it, or a whole source document) and
the date of the source it comes from, which anchors words such as "today",
"last month" and "24 January" (no year). Out: `DateMention`s, each with the
intervals of days it may mean, its precision, and whether it was worked
out from the source's date rather than stated.

Forms read: "20 July 2021", "20th July", "Tuesday 20 July", "20 Sep 2014",
"July 20, 2021", "May 20," (US order), "July 2009", "November last year",
"2009", "2016–2020" and "2019/20" (periods), "04.06.2020" (day first),
"04/06/2020" (day first, or month first for en-US), ISO dates and
timestamps ("2020-06-04T10:00:00Z"), "today", "yesterday", "this week",
"last month", "next year", "over the last 4 years", "in the past year".
A weekday given with a date must fall on it, which rules out wrong years.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from .patterns import alternation
from .values import FactDate, Precision

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_WEEKDAYS |= {name.lower(): i for i, name in enumerate(calendar.day_abbr)}
_COUNT_WORDS = {w: i for i, w in enumerate(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                                             "nine", "ten", "eleven", "twelve"])}
_COUNT_WORDS |= {"a": 1, "an": 1, "the": 1}

_MONTH_WORDS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov",
                "Dec"]
_WEEKDAY_WORDS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Mon", "Tue", "Tues",
                  "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun"]
# Written as tries (patterns.py): what is tried at every word of every source costs least that way.
_M = r"(?P<{n}>(?i:" + alternation(_MONTH_WORDS).replace("{", "{{").replace("}", "}}") + r"))\.?"
# A weekday starts a word: "sat 20 July" (the committee sat) is no Saturday; and tried only where a
# word starts, the optional weekday costs half as much to look for (find_dates is most of `check`).
_W = r"(?:(?<![\w])(?P<wd>(?i:" + alternation(_WEEKDAY_WORDS) + r"))\.?,?\s+)?"
_Y = r"(?P<{n}>(?:1[89]|20|21)\d{{2}})"
_ORD = r"(?:st|nd|rd|th)?"

_PATTERNS: list[tuple[str, str]] = [
    ("iso", r"(?<![\d-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
            r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\d])"),
    ("numeric", r"(?<![\d.,/])(?P<a>\d{1,2})(?P<sep>[./])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})(?![\d])"),
    ("day-month", _W + r"(?:the\s+)?(?<![\d.])(?P<d>\d{1,2})" + _ORD + r"(?:\s+of)?\s+" + _M.format(n="m")
                  + r"(?:,?\s+" + _Y.format(n="y") + r"(?![\d]))?"),
    ("month-day", _W + r"(?<![\w])" + _M.format(n="m") + r"\s+(?:the\s+)?(?P<d>\d{1,2})" + _ORD + r"(?![\d:])"
                  + r"(?:,?\s+" + _Y.format(n="y") + r"(?![\d]))?"),
    ("month-relyear", r"(?<![\w])" + _M.format(n="m") + r"\s+(?P<rel>(?i:last|this|next))\s+(?i:year)\b"),
    ("relmonth", r"(?<![\w])(?P<rel>(?i:last|this|next))\s+" + _M.format(n="m")),
    ("month-year", r"(?<![\w])" + _M.format(n="m") + r"(?:\s+of)?,?\s+" + _Y.format(n="y") + r"(?![\d])"),
    ("year-range", r"(?i:(?:from|between)\s+)?(?<![\d])" + _Y.format(n="y")
                   + r"(?:\s*[-–—/]\s*(?P<y2>(?:1[89]|20|21)?\d{2})|\s+(?i:to|until|through|and)\s+"
                   + _Y.format(n="y3") + r")(?![\d])"),
    ("year", r"(?<![\d.,/-])" + _Y.format(n="y") + r"(?![\d])"),
    ("relperiod", r"(?i:(?:over|in|during|for|within)\s+)?(?i:the\s+)(?P<dir>(?i:last|past|previous|next|coming))"
                  r"(?:\s+(?P<n>\d{1,3}|(?i:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)))?"
                  r"\s+(?P<unit>(?i:years?|months?|weeks?|days))\b"),
    ("relpoint", r"(?<![\w])(?P<rel>(?i:today|tonight|yesterday|tomorrow|this\s+(?:morning|afternoon|evening|week|month"
                 r"|year)|last\s+(?:night|week|month|year)|next\s+(?:week|month|year)))(?![\w])"),
    ("month", r"(?<![\w])(?P<m>January|February|March|April|June|July|August|September|October|November|December)"
              r"(?![\w])"),
]


@lru_cache(maxsize=1)
def _compiled() -> list[tuple[str, re.Pattern[str]]]:
    return [(kind, re.compile(pattern)) for kind, pattern in _PATTERNS]


Interval = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class DateMention:
    text: str
    start: int
    end: int
    kind: str                       # "point" or "period"
    precision: Precision
    candidates: tuple[Interval, ...]  # the intervals of days the words may mean
    worked_out: bool                # resolved from the source's date: "last month", "24 January" (no year)
    dateline: bool = False          # needs only the source's date, no reasoning: "today", "24 January"

    def agrees(self, earliest: dt.date, latest: dt.date) -> bool:
        return any(start <= latest and earliest <= end for start, end in self.candidates)


def _month_interval(year: int, month: int) -> Interval:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _year_interval(year: int) -> Interval:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _shift_months(date: dt.date, months: int) -> dt.date:
    index = date.year * 12 + date.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(date.day, calendar.monthrange(year, month + 1)[1]))


def _count(text: str | None) -> int:
    if not text:
        return 1
    return int(text) if text.isdigit() else _COUNT_WORDS.get(text.lower(), 1)


# What one match means: (kind, precision, candidates, worked_out, dateline); see DateMention.
Resolved = tuple[str, Precision, list[Interval], bool, bool]


def _resolve(kind: str, m: re.Match[str], reference: dt.date | None, month_first: bool) -> Resolved | None:
    """(kind, precision, candidates, worked_out, dateline) for one match, or None if it means no date."""
    groups = m.groupdict()
    weekday = _WEEKDAYS.get((groups.get("wd") or "").lower())

    def days(year: int, month: int, day: int) -> list[Interval]:
        date = _day(year, month, day)
        if date is None or (weekday is not None and date.weekday() != weekday):
            return []
        return [(date, date)]

    if kind == "iso":
        found = days(int(m["y"]), int(m["m"]), int(m["d"]))
        return ("point", Precision.DAY, found, False, False) if found else None
    if kind == "numeric":
        a, b, year = int(m["a"]), int(m["b"]), int(m["y"])
        day, month = (b, a) if (m["sep"] == "/" and month_first and a <= 12) else (a, b)
        found = days(year, month, day)
        return ("point", Precision.DAY, found, False, False) if found else None
    if kind in ("day-month", "month-day"):
        month, day = _MONTHS[m["m"].lower().rstrip(".")], int(m["d"])
        if m["y"]:
            found = days(int(m["y"]), month, day)
            return ("point", Precision.DAY, found, False, False) if found else None
        if reference is None:
            return None
        # No year: the nearest such day on or before the source's date, or the next one after it.
        found = []
        for year in (reference.year - 1, reference.year, reference.year + 1):
            found += days(year, month, day)
        before = [c for c in found if c[0] <= reference][-1:]
        after = [c for c in found if c[0] > reference][:1]
        return ("point", Precision.DAY, before + after, True, True) if before + after else None
    if kind == "month-relyear":
        if reference is None:
            return None
        year = reference.year + {"last": -1, "this": 0, "next": 1}[m["rel"].lower()]
        return "point", Precision.MONTH, [_month_interval(year, _MONTHS[m["m"].lower().rstrip(".")])], True, False
    if kind == "relmonth":
        if reference is None:
            return None
        month = _MONTHS[m["m"].lower().rstrip(".")]
        rel = m["rel"].lower()
        year = reference.year
        if rel == "last" and month >= reference.month:
            year -= 1
        if rel == "next" and month <= reference.month:
            year += 1
        return "point", Precision.MONTH, [_month_interval(year, month)], True, False
    if kind == "month-year":
        return "point", Precision.MONTH, [_month_interval(int(m["y"]), _MONTHS[m["m"].lower().rstrip(".")])], \
            False, False
    if kind == "year-range":
        first, second = int(m["y"]), m["y2"] or m["y3"]
        last = int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
        if last <= first or last - first > 50:
            return None
        return "period", Precision.YEAR, [(dt.date(first, 1, 1), dt.date(last, 12, 31))], False, False
    if kind == "year":
        return "point", Precision.YEAR, [_year_interval(int(m["y"]))], False, False
    if kind == "relperiod":
        if reference is None:
            return None
        count = _count(m["n"])
        unit = m["unit"].lower().rstrip("s")
        months = {"year": 12 * count, "month": count}.get(unit)
        span = dt.timedelta(days=(7 if unit == "week" else 1) * count)
        forward = m["dir"].lower() in ("next", "coming")
        if months is not None:
            other = _shift_months(reference, months if forward else -months)
        else:
            other = reference + span if forward else reference - span
        interval = (reference, other) if forward else (other, reference)
        return "period", Precision.DAY, [interval], True, False
    if kind == "relpoint":
        if reference is None:
            return None
        rel = " ".join(m["rel"].lower().split())
        if rel in ("today", "tonight", "this morning", "this afternoon", "this evening", "last night"):
            return "point", Precision.DAY, [(reference, reference)], True, True
        if rel in ("yesterday", "tomorrow"):
            date = reference + dt.timedelta(days=-1 if rel == "yesterday" else 1)
            return "point", Precision.DAY, [(date, date)], True, True
        step = {"last": -1, "this": 0, "next": 1}[rel.split()[0]]
        unit = rel.split()[1]
        if unit == "week":
            monday = reference - dt.timedelta(days=reference.weekday()) + dt.timedelta(weeks=step)
            return "point", Precision.DAY, [(monday, monday + dt.timedelta(days=6))], True, False
        if unit == "month":
            month_start = _shift_months(reference.replace(day=1), step)
            return "point", Precision.MONTH, [_month_interval(month_start.year, month_start.month)], True, False
        return "point", Precision.YEAR, [_year_interval(reference.year + step)], True, False
    if kind == "month":
        if reference is None:
            return None
        month = _MONTHS[m["m"].lower()]
        year = reference.year if month <= reference.month else reference.year - 1
        return "point", Precision.MONTH, [_month_interval(year, month), _month_interval(year + 1, month)], True, False
    return None  # pragma: no cover - every kind is handled above


def find_dates(text: str, reference: FactDate | None = None, month_first: bool = False) -> list[DateMention]:
    """Every date or period stated in `text`; `reference` is the date of the source the text comes from."""
    ref = reference.earliest if reference is not None and reference.precision is Precision.DAY else None
    return list(_dates_in(text, ref, month_first))


@lru_cache(maxsize=4096)
def _dates_in(text: str, ref: dt.date | None, month_first: bool) -> tuple[DateMention, ...]:
    """find_dates, remembered: the checks read one sentence again for each quote it holds."""
    matches: list[tuple[int, int, str, re.Match[str]]] = []
    for kind, pattern in _compiled():
        for match in pattern.finditer(text):
            matches.append((match.start(), -match.end(), kind, match))
    matches.sort(key=lambda item: (item[0], item[1]))
    found: list[DateMention] = []
    taken_until = -1
    for start, negative_end, kind, match in matches:
        if start < taken_until:
            continue  # inside a longer mention already read ("2009" in "July 2009")
        resolved = _resolve(kind, match, ref, month_first)
        if resolved is None:
            continue
        mention_kind, precision, candidates, worked_out, dateline = resolved
        found.append(DateMention(match.group(0), start, -negative_end, mention_kind, precision, tuple(candidates),
                                 worked_out, dateline))
        taken_until = -negative_end
    return tuple(found)


# --------------------------------------------------------------------------- where a quote sits

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9•\-])|\n\s*\n|\n\s*[•\-*]\s")


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n\s*(?=[•\-*]\s)")


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence(s) that hold text[start:end]."""
    left = 0
    # Look a little past `start`: a boundary's look-ahead must see the capital a quote may begin with, and
    # with `endpos` at `start` itself, a quote starting a sentence would take in the sentence before.
    for boundary in _SENTENCE_END.finditer(text, 0, min(len(text), start + 2)):
        if boundary.end() <= start:
            left = boundary.end()
    right_match = _SENTENCE_END.search(text, end)
    right = right_match.start() + 1 if right_match else len(text)
    return left, max(right, end)


def preceding_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence holding text[start:end] with the sentence before it, within its paragraph.

    Only the sentence before: a sentence is usually set up by the one before it ("The treaty, signed in
    January 2018, … This includes £44.5m"), while the one after often moves on to something else.
    """
    left, right = sentence_span(text, start, end)
    # A paragraph ends at a blank line or where a list item starts.
    breaks = list(_PARAGRAPH_BREAK.finditer(text))
    paragraph_left = max((b.end() for b in breaks if b.end() <= start), default=0)
    if left > paragraph_left:
        left = max(paragraph_left, sentence_span(text, max(0, left - 2), max(0, left - 2))[0])
    return left, right
