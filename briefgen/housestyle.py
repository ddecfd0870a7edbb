"""House style: dates, periods, amounts and counts → the words a briefing prints.

In: values from the model (`FactDate`, `Period`, `Decimal` amounts with an
ISO currency code and a `Qualifier`) and the briefing's `language` (a
BCP 47 tag such as en-GB or en-US). Out: text, always the same for the same
value, so every audience and every format prints a value one way.

Babel (CLDR) gives the locale's currency symbols, digit grouping and date
patterns; the house style on top of it is UK public-sector briefing style:

* dates in full: "20 July 2021" (en-GB), "July 20, 2021" (en-US), "July 2009",
  "2018"; a period "2014 to 2017";
* amounts short with the currency once: "£44.5m", "€1.2bn", "CHF 30m",
  "US$76m" — or "$76m" when only one dollar currency appears in the
  briefing; never "m" above 999m, never a rounded figure: an amount that
  cannot be written exactly in millions or billions is written in full
  ("£1,234,567"); thousands separators throughout;
* a code-like symbol (CHF, NOK) is joined to its number by a no-break space,
  as is a qualifier, so an amount never wraps across lines.

Prose written by people (the briefing's summary, key points, lines to take,
event summaries, glossary definitions) goes through `prose()`, which puts it
in the same style: amounts and dates rewritten as above, curly quotation
marks and apostrophes, common compounds hyphenated ("cross-border"),
organisation names capitalised as the organisations list spells them.
Anything inside quotation marks is the source's own words and keeps its
spelling; only the quotation marks themselves become curly.
A person is named with the office they held at the time: "President Macron",
"Home Secretary Theresa May" (a short title first, as news and GOV.UK do),
or "Claude Gueant (French minister, the Home Secretary's counterpart)".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from .model import FactDate, Period, Precision, Qualifier, RateUnit
from .patterns import alternation
from .values import babel_locale

if TYPE_CHECKING:
    from babel import Locale

NBSP = "\u00a0"

QUALIFIER_WORDS = {Qualifier.EXACT: "", Qualifier.OVER: "over", Qualifier.AT_LEAST: "at least",
                   Qualifier.ALMOST: "almost", Qualifier.UNDER: "under", Qualifier.UP_TO: "up to",
                   Qualifier.ABOUT: "about"}
# Counted things read better with "more than" / "fewer than" (GOV.UK style).
COUNT_QUALIFIER_WORDS = QUALIFIER_WORDS | {Qualifier.OVER: "more than", Qualifier.UNDER: "fewer than"}
RATE_WORDS = {RateUnit.YEAR: "a year", RateUnit.QUARTER: "a quarter", RateUnit.MONTH: "a month",
              RateUnit.WEEK: "a week", RateUnit.DAY: "a day"}

_MILLION = Decimal(10) ** 6
_BILLION = Decimal(10) ** 9
_MAX_SCALED_DECIMALS = 3  # "£44.125m" is still exact and readable; "£44.1234m" is written in full


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@dataclass(frozen=True)
class HouseStyle:
    language: str = "en-GB"
    currencies_in_play: frozenset[str] = field(default_factory=frozenset)

    @property
    def locale(self) -> Locale:
        return babel_locale(self.language)

    @property
    def english(self) -> bool:
        language: str = self.locale.language
        return language == "en"

    # ------------------------------------------------------------------ dates

    def date(self, date: FactDate | None) -> str:
        """2014-09-20 → "20 September 2014" (en-GB) or "September 20, 2014" (en-US); 2010-03 → "March 2010"."""
        from babel.dates import format_date, format_skeleton

        if date is None:
            return ""
        if date.precision is Precision.YEAR:
            return str(date.year)
        if date.precision is Precision.MONTH:
            return format_skeleton("yMMMM", dt.date(date.year, date.month or 1, 1), locale=self.locale)
        return format_date(date.earliest, "long", locale=self.locale)

    def period(self, period: Period | None) -> str:
        if period is None:
            return ""
        start, end = self.date(period.start), self.date(period.end)
        if not end or end == start:
            return start
        if self.english:
            return f"{start} to {end}"
        return f"{start}\u2013{end}"

    # ------------------------------------------------------------------ money

    def symbol(self, currency: str) -> str:
        """The locale's symbol; "US$"/"A$"/"JP¥" lose their prefix when no other currency shares the sign."""
        from babel.numbers import get_currency_symbol

        symbol = get_currency_symbol(currency, self.locale)
        stripped = symbol.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if stripped and stripped != symbol and not stripped.isalpha():
            sharing = [c for c in self.currencies_in_play if c != currency and
                       get_currency_symbol(c, self.locale).endswith(stripped)]
            if not sharing:
                return stripped
        return symbol

    def _number(self, value: Decimal) -> str:
        from babel.numbers import format_decimal

        return format_decimal(value, format="#,##0.###############", locale=self.locale)

    def _scaled(self, amount: Decimal) -> str | None:
        """"44.5m" / "1.2bn" when the amount is exactly that; None when it would need rounding."""
        for divisor, suffix in ((_BILLION, "bn"), (_MILLION, "m")):
            if amount >= divisor:
                scaled = (amount / divisor).normalize()
                if _decimals(scaled) <= _MAX_SCALED_DECIMALS and scaled < 1000:
                    return self._number(scaled) + suffix
                if divisor == _BILLION:
                    continue  # try millions — unless that would put "m" above 999m
                return None
        return None

    def money(self, amount: Decimal, currency: str, qualifier: Qualifier = Qualifier.EXACT,
              short: bool = True) -> str:
        """Decimal → "£44.5m" (short) or "£44,500,000" (full), with the source's qualifier: "almost €150m"."""
        number = None
        if short and self.english:
            scaled = self._scaled(amount)
            if scaled is not None and not (amount >= _BILLION and scaled.endswith("m")):
                number = scaled
        elif short:
            number = self._compact(amount, currency)
            if number is not None:
                return self._qualified(number, qualifier)
        if number is None:
            number = self._number(amount)
        symbol = self.symbol(currency)
        text = f"{symbol}{NBSP}{number}" if symbol[-1:].isalpha() else f"{symbol}{number}"
        return self._qualified(text, qualifier)

    def amount_in_message(self, amount: Decimal, currency: str | None = None) -> str:
        """An amount as a check's message names it: in full, with its currency when it has one, and plain
        spaces for a terminal: "NOK 6,200,000,000", "£1,000,000", "9,999,999,999,999.999999"."""
        text = self.money(amount, currency, short=False) if currency else self._number(amount)
        return text.replace(NBSP, " ")

    def _compact(self, amount: Decimal, currency: str) -> str | None:
        from babel.numbers import format_compact_currency

        if amount < _MILLION:
            return None
        scaled = amount / (_BILLION if amount >= _BILLION else _MILLION)
        if _decimals(scaled) > _MAX_SCALED_DECIMALS:
            return None
        return format_compact_currency(amount, currency, locale=self.locale,
                                       fraction_digits=_MAX_SCALED_DECIMALS).replace(" ", NBSP)

    def _qualified(self, text: str, qualifier: Qualifier, words: dict[Qualifier, str] | None = None) -> str:
        word = (words or QUALIFIER_WORDS)[qualifier]
        return f"{word}{NBSP}{text}" if word else text

    def rate(self, amount: Decimal, currency: str, per: RateUnit, qualifier: Qualifier = Qualifier.EXACT) -> str:
        return f"{self.money(amount, currency, qualifier)} {RATE_WORDS[per]}"

    # ------------------------------------------------------------------ counts

    def count(self, value: Decimal, unit: str, qualifier: Qualifier = Qualifier.EXACT) -> str:
        """A key figure: "more than 9,700 attempts"; a unit that is a currency code gives money: "£4.25m"."""
        from .values import is_currency_code

        if len(unit) == 3 and unit.isupper() and is_currency_code(unit):
            return self.money(value, unit, qualifier)
        if value >= _MILLION and _decimals(value / _MILLION) <= _MAX_SCALED_DECIMALS:
            digits = f"{self._number(value / _MILLION)} million"
        else:
            digits = self._number(value)
        if value == 1 and unit.endswith("s") and " " not in unit:
            unit = unit[:-1]  # "1 tonne", not "1 tonnes"
        return self._qualified(f"{digits} {unit}", qualifier, COUNT_QUALIFIER_WORDS)


# --------------------------------------------------------------------------- prose

# Compounds written open or closed in fact files, and the one form a briefing prints. Matched as whole
# words, case-insensitively; the first letter keeps the case it had. Extend the table, not the templates.
COMPOUNDS = {
    "cross border": "cross-border", "crossborder": "cross-border",
    "cross channel": "cross-Channel", "cross-channel": "cross-Channel",
    "small boat related": "small-boat-related", "small boats related": "small-boat-related",
    "long term": "long-term", "short term": "short-term", "people smuggling": "people-smuggling",
    "e-mail": "email", "on-line": "online", "web site": "website",
}
_COMPOUND = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(COMPOUNDS, key=len, reverse=True))
                       + r")\b", re.I)
# A quotation: straight or curly double quotes, or single quotes that open after a non-letter and close
# before one (so "France's" is an apostrophe, not a quotation).
_QUOTATION = re.compile(r'"[^"\n]*"|\u201c[^\u201d\n]*\u201d'
                        r'|(?<![\w\u2019\'])[\'\u2018][^\'\u2018\u2019\n]+[\'\u2019](?!\w)')
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)|(?<=s)'(?=\s)")
_SHORT_TITLE_WORDS = 5


def _keep_case(found: str, replacement: str) -> str:
    return replacement[0].upper() + replacement[1:] if found[:1].isupper() else replacement


def person_with_office(name: str, office: str | None) -> str:
    """ "Macron" + "President" → "President Macron"; a long or descriptive role goes after the name."""
    if not office:
        return name
    office = office.strip()
    words = office.split()
    is_title = (len(words) <= _SHORT_TITLE_WORDS and not re.search(r"[,;:()]", office)
                and all(w[:1].isupper() or w in {"of", "for", "and", "the"} for w in words))
    return f"{office} {name}" if is_title else f"{name} ({office})"


def curly_quotes(text: str) -> str:
    """Straight quotation marks and apostrophes → curly ones."""
    def quote(match: re.Match[str]) -> str:
        inner = match.group(0)[1:-1]
        return f"\u201c{inner}\u201d" if match.group(0)[0] in '"\u201c' else f"\u2018{inner}\u2019"
    return _APOSTROPHE.sub("\u2019", _QUOTATION.sub(quote, text))


def _prose_segment(style: HouseStyle, text: str, names: tuple[str, ...]) -> str:
    from .read_dates import find_dates
    from .read_money import money_mentions

    text = _APOSTROPHE.sub("\u2019", text)
    pieces: list[tuple[int, int, str]] = []
    for mention in money_mentions(text):
        currencies = set(mention.currencies)
        if len(currencies) > 1:
            currencies &= set(style.currencies_in_play)
        if len(currencies) == 1:
            pieces.append((mention.start, mention.end,
                           style.money(mention.value, currencies.pop(), mention.qualifier)))
    for stated in find_dates(text):
        if stated.kind != "point" or stated.worked_out or len(stated.candidates) != 1:
            continue
        if any(start < stated.end and stated.start < end for start, end, _ in pieces):
            continue
        first = stated.candidates[0][0]
        if stated.precision is Precision.DAY:
            date = FactDate(year=first.year, month=first.month, day=first.day)
        elif stated.precision is Precision.MONTH:
            date = FactDate(year=first.year, month=first.month)
        else:
            continue  # a bare year is already in house style
        pieces.append((stated.start, stated.end, style.date(date)))
    for start, end, replacement in sorted(pieces, reverse=True):
        text = text[:start] + replacement + text[end:]
    text = _COMPOUND.sub(lambda m: _keep_case(m.group(0), COMPOUNDS[m.group(0).lower()]), text)
    if names:
        pattern, spelling = _names_pattern(names)
        text = pattern.sub(lambda m: spelling.get(m.group(0).lower(), m.group(0)), text)
    return re.sub(r"(?<=\S)  +(?=\S)", " ", text)


@lru_cache(maxsize=8)
def _names_pattern(names: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for all the names, and each name's spelling by its lower-case form.

    The pattern is a trie (one branch per next character, the longest name tried first), so a text is
    read once however many organisations a briefing has; one `re.sub` per name made the context's cost
    grow with events x organisations."""
    spelling: dict[str, str] = {}
    for name in names:  # two names alike but for case ("IOM", "Iom"): the first listed wins
        if name:
            spelling.setdefault(name.lower(), name)
    return re.compile(rf"(?<![\w-]){alternation(list(spelling))}(?![\w-])", re.I), spelling


def prose(style: HouseStyle, text: str | None, names: tuple[str, ...] = ()) -> str:
    """People's prose → house style, leaving quoted source words as they are (with curly marks)."""
    if not text:
        return text or ""
    out, last = [], 0
    for match in _QUOTATION.finditer(text):
        out.append(_prose_segment(style, text[last:match.start()], names))
        out.append(curly_quotes(match.group(0)))
        last = match.end()
    out.append(_prose_segment(style, text[last:], names))
    return "".join(out)
