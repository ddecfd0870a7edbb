"""Reading numbers and money in source text: "over £6 million (€7m)" → amounts.

In: any text (a quote, or a whole source document). Out: `NumberMention`s —
the value as a `Decimal` with its scale applied ("£44.5m" → 44500000), the
currencies the words could mean, the qualifier ("almost", "at least", …) and
where the mention stands in the text.

Currency data comes from Babel (CLDR): every ISO 4217 code, its English
names ("Swiss francs", "US dollars") and symbols ("US$", "JP¥"). On top of
that sits a small table of signs people write that CLDR does not list for
English ("$" for any dollar, "kr" for any krone, "U.S. dollars"). A sign that
several currencies share ("$", "kroner", "¥") yields all of them, so "$5m" is
consistent with USD or AUD but contradicts JPY.

Number words are read ("seven million" → 7000000, "twenty-five" → 25), as
are thousands separators, scales (thousand/k, million/m/mn/mln,
billion/bn/bln, trillion/tn) and spaces between sign and number
("US$ 8.8 billion", "€ 150 million").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from .patterns import alternation
from .values import Qualifier, currency_codes

# Words a source puts before an amount, and what they mean for the amount.
QUALIFIER_WORDS: dict[str, Qualifier] = {
    "almost": Qualifier.ALMOST, "nearly": Qualifier.ALMOST, "just under": Qualifier.ALMOST,
    "close to": Qualifier.ALMOST, "not quite": Qualifier.ALMOST,
    "over": Qualifier.OVER, "more than": Qualifier.OVER, "in excess of": Qualifier.OVER,
    "just over": Qualifier.OVER, "well over": Qualifier.OVER, "upwards of": Qualifier.OVER,
    "at least": Qualifier.AT_LEAST, "a minimum of": Qualifier.AT_LEAST, "no less than": Qualifier.AT_LEAST,
    "up to": Qualifier.UP_TO, "as much as": Qualifier.UP_TO, "a maximum of": Qualifier.UP_TO,
    "less than": Qualifier.UNDER, "under": Qualifier.UNDER, "fewer than": Qualifier.UNDER,
    "about": Qualifier.ABOUT, "around": Qualifier.ABOUT, "approximately": Qualifier.ABOUT, "approx.": Qualifier.ABOUT,
    "roughly": Qualifier.ABOUT, "some": Qualifier.ABOUT, "an estimated": Qualifier.ABOUT, "estimated": Qualifier.ABOUT,
    "circa": Qualifier.ABOUT, "c.": Qualifier.ABOUT,
}

SCALES: dict[str, Decimal] = {
    "thousand": Decimal(10) ** 3, "k": Decimal(10) ** 3,
    "million": Decimal(10) ** 6, "m": Decimal(10) ** 6, "mn": Decimal(10) ** 6, "mln": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9, "bn": Decimal(10) ** 9, "bln": Decimal(10) ** 9, "b": Decimal(10) ** 9,
    "trillion": Decimal(10) ** 12, "tn": Decimal(10) ** 12,
}

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
NUMBER_WORDS: dict[str, int] = {w: i for i, w in enumerate(_UNITS)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}

# Signs that CLDR's English data does not give but English-language sources use. Each maps to every
# currency it can mean; the reader keeps the whole set.
_DOLLARS = ["USD", "AUD", "CAD", "NZD", "HKD", "SGD", "TWD", "BSD", "BBD", "BMD", "BND", "BZD", "FJD", "GYD", "JMD",
            "KYD", "LRD", "NAD", "SBD", "SRD", "TTD", "XCD", "MXN", "ARS", "CLP", "COP", "CUP", "DOP", "UYU"]
_EXTRA_SIGNS: dict[str, tuple[str, ...]] = {
    "$": tuple(_DOLLARS), "US$": ("USD",), "U.S.$": ("USD",), "USD$": ("USD",), "AU$": ("AUD",), "A$": ("AUD",),
    "C$": ("CAD",), "CA$": ("CAD",), "NZ$": ("NZD",), "HK$": ("HKD",), "S$": ("SGD",), "NT$": ("TWD",),
    "R$": ("BRL",), "Mex$": ("MXN",), "¥": ("JPY", "CNY"), "JP¥": ("JPY",), "CN¥": ("CNY",), "RMB": ("CNY",),
    "£": ("GBP",), "€": ("EUR",),
    "kr": ("NOK", "SEK", "DKK", "ISK"), "kr.": ("NOK", "SEK", "DKK", "ISK"), "Kr": ("NOK", "SEK", "DKK", "ISK"),
    "Fr.": ("CHF",), "SFr.": ("CHF",), "Rs": ("INR", "PKR", "LKR", "NPR"), "Rs.": ("INR", "PKR", "LKR", "NPR"),
    "₹": ("INR",), "₩": ("KRW",), "₽": ("RUB",), "₺": ("TRY",), "₪": ("ILS",), "₦": ("NGN",), "₱": ("PHP",),
    "₫": ("VND",), "฿": ("THB",), "₴": ("UAH",), "zł": ("PLN",), "Kč": ("CZK",), "Ft": ("HUF",), "lei": ("RON",),
}
_EXTRA_NAMES: dict[str, tuple[str, ...]] = {
    "u.s. dollars": ("USD",), "u.s. dollar": ("USD",), "us dollars": ("USD",), "american dollars": ("USD",),
    "pounds sterling": ("GBP",), "pound sterling": ("GBP",), "sterling": ("GBP",), "euro": ("EUR",),
    "euros": ("EUR",), "swiss franc": ("CHF",), "yen": ("JPY",), "yuan": ("CNY",), "renminbi": ("CNY",),
    "krone": ("NOK", "DKK"), "kroner": ("NOK", "DKK"), "kroners": ("NOK", "DKK"), "krona": ("SEK", "ISK"),
    "kronor": ("SEK", "ISK"), "kronur": ("ISK",), "crowns": ("NOK", "SEK", "DKK", "ISK", "CZK"),
}
# Generic words that are also everyday English and so never read as a currency on their own.
_NOT_CURRENCY_WORDS = {"won", "real", "reals", "rand", "mark", "marks", "dram", "drams", "pula", "vatu", "tala",
                       "lek", "som", "leone", "leones", "kip", "lari", "cedi", "cedis", "naira", "rial"}

_DATA_DATE = dt.date(2026, 1, 1)  # fixed, so that reading does not change with the day it runs


@dataclass(frozen=True)
class CurrencyTables:
    codes: frozenset[str]                  # every ISO 4217 code Babel knows, historic ones included
    signs: dict[str, frozenset[str]]       # symbol or code as written → currencies it may mean
    names: dict[str, frozenset[str]]       # lower-case name ("swiss francs", "dollars") → currencies


@lru_cache(maxsize=1)
def currency_tables() -> CurrencyTables:
    from babel import Locale
    from babel.numbers import get_currency_name, get_currency_symbol, get_territory_currencies

    codes = currency_codes()
    current: set[str] = set()
    for territory in map(str, Locale("en").territories):
        try:
            current.update(get_territory_currencies(territory, _DATA_DATE))
        except Exception:
            continue
    signs: dict[str, set[str]] = {}
    names: dict[str, set[str]] = {}
    for code in sorted(current):
        signs.setdefault(code, set()).add(code)
        for locale in ("en_GB", "en_US"):
            symbol = get_currency_symbol(code, locale)
            if symbol != code:
                signs.setdefault(symbol, set()).add(code)
        for count in (1, 2):
            name = get_currency_name(code, count=count, locale="en").lower()
            names.setdefault(name, set()).add(code)
            last = name.split()[-1]
            if last not in _NOT_CURRENCY_WORDS:
                names.setdefault(last, set()).add(code)
    for code in codes - current:
        signs.setdefault(code, set()).add(code)  # historic codes are still read when written as a code
    for sign, meant in _EXTRA_SIGNS.items():
        signs.setdefault(sign, set()).update(meant)
    for name, meant in _EXTRA_NAMES.items():
        names.setdefault(name, set()).update(meant)
    return CurrencyTables(codes, {k: frozenset(v) for k, v in signs.items()},
                          {k: frozenset(v) for k, v in names.items()})


_WORD_NUMBER = (rf"(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_UNITS[1:10])}))?|(?:{'|'.join(reversed(_UNITS))})"
                r"|a|one|an")
_WORD_NUMBER_FULL = rf"(?:{_WORD_NUMBER})(?:\s+hundred(?:\s+(?:and\s+)?(?:{_WORD_NUMBER}))?)?"


@lru_cache(maxsize=1)
def _amount_pattern() -> re.Pattern[str]:
    tables = currency_tables()
    letter_signs = [s for s in tables.signs if s[0].isalpha()]
    # A sign that starts with a letter must not be the end of a word ("plus" is not "US"); one that ends
    # in a letter must not run into a word either ("USD"), but one that ends in a symbol ("US$", "A$",
    # "R$") may run straight into its number: "US$101 million".
    # A currency code may run into its digits, as financial writing has it: "EUR5m", "USD 5m" alike.
    code_signs = [s for s in letter_signs if s.isupper() and len(s) == 3 and s.isalpha()]
    worded_signs = [s for s in letter_signs if s[-1].isalpha() and s not in code_signs]
    marked_signs = [s for s in letter_signs if not s[-1].isalpha()]
    other_signs = [s for s in tables.signs if not s[0].isalpha()]
    # Digits start a number after no word character, or straight after the sign read just before them
    # (only a currency code may run into its digits, by its own look-ahead above).
    digits_start = r"(?(pre)(?<![.,'’])|(?<![\w.,'’]))"
    qualifiers = alternation(list(QUALIFIER_WORDS))
    names = alternation(list(tables.names))
    codes = alternation([s for s in letter_signs if s.isupper() and len(s) == 3])
    return re.compile(
        rf"(?:(?<![\w])(?P<qual>(?i:{qualifiers}))\s+)?"
        rf"(?:(?P<pre>(?<![\w])(?:{alternation(worded_signs)})(?![\w])"
        rf"|(?<![\w])(?:{alternation(code_signs)})(?![^\W\d])"
        rf"|(?<![\w])(?:{alternation(marked_signs)})|(?:{alternation(other_signs)}))\s?)?"
        rf"(?P<num>{digits_start}\d{{1,3}}(?:[,'’]\d{{3}})+(?:\.\d+)?(?![\d])"
        rf"|{digits_start}\d+(?:\.\d+)?(?![\d])"
        rf"|(?<![\w-])(?i:{_WORD_NUMBER_FULL})(?![\w-]))"
        r"(?:\s?(?P<long>(?i:thousand|million|billion|trillion))(?![\w])"
        r"|\s?(?P<abbr>(?i:mn|mln|bn|bln|tn))(?![\w])"
        r"|(?P<short>[mMkKB])(?![\w]))?"
        rf"(?:\s?(?P<post>(?<![\w])(?:{codes})(?![\w])|(?<=\s)(?i:{names})(?![\w])))?",
    )


@dataclass(frozen=True)
class NumberMention:
    value: Decimal
    currencies: frozenset[str]  # empty when the text gives no currency
    qualifier: Qualifier
    text: str
    start: int
    end: int
    from_words: bool = False

    @property
    def currency(self) -> str | None:
        """The one currency meant, when the words leave no doubt."""
        return next(iter(self.currencies)) if len(self.currencies) == 1 else None


def _word_value(text: str) -> int | None:
    words = re.split(r"[\s-]+", text.lower())
    words = [w for w in words if w != "and"]
    if words and words[0] in ("a", "an"):
        words[0] = "one"
    value = 0
    for word in words:
        if word == "hundred":
            value = (value or 1) * 100
        elif word in NUMBER_WORDS:
            value += NUMBER_WORDS[word]
        else:
            return None
    return value


def find_numbers(text: str, words: bool = False) -> list[NumberMention]:
    """Every number in `text`, with its scale applied, the currencies it may be in and its qualifier.

    Numbers written as words are returned when they carry a scale or a currency ("seven million",
    "ten pounds"), or always with ``words=True`` (for counted figures such as "nine gangs").
    """
    tables = currency_tables()
    found: list[NumberMention] = []
    for match in _amount_pattern().finditer(text):
        raw = match["num"]
        from_words = not raw[0].isdigit()
        scale_word = (match["long"] or match["abbr"] or match["short"] or "").lower()
        pre, post = match["pre"], match["post"]
        if from_words:
            value_int = _word_value(raw)
            if value_int is None:
                continue
            if raw.lower() in ("a", "an", "one") and not scale_word:
                continue  # "a" on its own is an article, "one" on its own rarely an amount
            if not (words or scale_word or pre or post):
                continue
            value = Decimal(value_int)
        else:
            value = Decimal(re.sub(r"[,'’]", "", raw))
        if match["short"] and match["short"] == "B" and not (pre or post):
            scale_word = ""  # "3B" is a label, not three billion, unless money is meant
        if scale_word:
            value *= SCALES[scale_word]
        currencies: frozenset[str] = frozenset()
        if pre:
            currencies = tables.signs.get(pre, frozenset())
        if post:
            meant = tables.signs.get(post) or tables.names.get(post.lower(), frozenset())
            currencies = (currencies & meant) or currencies or meant
        qualifier = QUALIFIER_WORDS[match["qual"].lower()] if match["qual"] else Qualifier.EXACT
        end = match.end()
        if match["short"] and match["short"] == "B" and not scale_word:
            end -= 1
        found.append(NumberMention(value.normalize(), currencies, qualifier, text[match.start():end].strip(),
                                   match.start(), end, from_words))
    return found


def money_mentions(text: str) -> list[NumberMention]:
    """Every amount of money in `text`: a number with a currency sign, code or name."""
    return [n for n in find_numbers(text) if n.currencies]
