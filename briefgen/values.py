"""Value types: the text of one fact-file field → a typed value (date, amount, code, qualifier).

In: a scalar as the strict loader gives it (always text, or None). Out: the
value pydantic stores, or a ValueError whose message says what was expected.
Money goes through `Decimal` (never float) and must be below 10**13 with at
most 6 decimal places, so no amount is too large to compare, format or draw;
dates go through `FactDate`, which keeps the precision the author wrote
(``2018``, ``2018-01`` or ``2018-01-18``); a currency is any ISO 4217 code
Babel knows.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from .text_hygiene import shown

if TYPE_CHECKING:
    from babel import Locale


class Precision(str, Enum):  # noqa: UP042 - Python 3.10 (requires-python) has no StrEnum
    YEAR = "year"
    MONTH = "month"
    DAY = "day"


class FactDate(BaseModel):
    """A date as precise as the source allows: ``2018``, ``2018-01`` or ``2018-01-18``."""

    model_config = ConfigDict(frozen=True)

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    @property
    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> dt.date:
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return dt.date(self.year, month, day)

    @property
    def sort_key(self) -> tuple[int, int, int]:
        # A month-only date sorts after the days of that month it could not be placed among,
        # but before the next month: (year, month, 0) would put it first; 32 puts it last.
        return (self.year, self.month or 13, self.day or 32)

    def iso(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def __str__(self) -> str:
        return self.iso()


_DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_fact_date(value: Any) -> FactDate:
    if isinstance(value, FactDate):
        return value
    if isinstance(value, dt.date):
        return FactDate(year=value.year, month=value.month, day=value.day)
    if not isinstance(value, str):
        raise ValueError("expected a date written YYYY, YYYY-MM or YYYY-MM-DD")
    match = _DATE_PATTERN.match(value.strip())
    if not match:
        raise ValueError(f"'{shown(value)}' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD "
                         "(e.g. 2018-01 for January 2018)")
    year = int(match[1])
    month = int(match[2]) if match[2] else None
    day = int(match[3]) if match[3] else None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"'{value}' has month {month}; expected 01 to 12")
    if day is not None and month is not None:  # the pattern gives a day only with a month
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise ValueError(f"'{value}' has day {day}; {calendar.month_name[month]} {year} has {last} days")
    return FactDate(year=year, month=month, day=day)


DateField = Annotated[FactDate, BeforeValidator(parse_fact_date), PlainSerializer(lambda d: d.iso())]


MAX_NUMBER_DIGITS = 13      # below 10**13 (ten trillion): Babel formats 13 digits with 15 decimals in 28
MAX_DECIMAL_PLACES = 6
MAX_NUMBER_CHARACTERS = 64  # "44_500_000", "4.45e7", "1,000,000.50": never longer than this


def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise ValueError("amounts must be written as text, not binary floats")
    if isinstance(value, int):
        return Decimal(value)
    if not isinstance(value, str):
        raise ValueError("expected a number such as 44500000 or 44.5e6")
    text = value.strip().replace("_", "")
    if re.search(r"\d,\d{3}", text):
        text = text.replace(",", "")
    if len(text) > MAX_NUMBER_CHARACTERS:
        raise ValueError(f"'{shown(value)}' is {len(text):,} characters long; a number needs at most "
                         f"{MAX_NUMBER_CHARACTERS}")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"'{shown(value)}' is not a number; expected digits such as 44500000 "
                         "(no currency sign or 'm')") from None
    if not number.is_finite():
        raise ValueError(f"'{shown(value)}' is not a finite number")
    if number != 0 and number.adjusted() >= MAX_NUMBER_DIGITS:
        raise ValueError(f"'{shown(value)}' is too large; numbers must be below 10^{MAX_NUMBER_DIGITS} "
                         f"(10,000,000,000,000)")
    if number.as_tuple().exponent < -MAX_DECIMAL_PLACES:  # type: ignore[operator]
        raise ValueError(f"'{shown(value)}' has more than {MAX_DECIMAL_PLACES} decimal places")
    return number


Money = Annotated[Decimal, BeforeValidator(parse_decimal), PlainSerializer(str)]

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
Text = Annotated[str, Field(min_length=1, max_length=20_000)]
ShortText = Annotated[str, Field(min_length=1, max_length=400)]

# Any ISO 4217 code is accepted (Babel's list, historic codes included); the quote's currency sign, code
# or name is cross-checked against it for every currency (read_money.py).
CURRENCY_PATTERN = r"^[A-Z]{3}$"


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    """Every ISO 4217 code Babel knows, historic ones included."""
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def is_currency_code(code: str) -> bool:
    return code in currency_codes()


@lru_cache(maxsize=32)
def babel_locale(language: str) -> Locale:
    """The Babel locale for a BCP 47 tag; raises ValueError for one Babel does not know."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"'{language}' is not a language Babel knows; expected a tag such as en-GB or en-US") \
            from exc


def _known_currency(value: str) -> str:
    if not is_currency_code(value):
        raise ValueError(f"'{value}' is not an ISO 4217 currency code; expected a code such as EUR, USD, JPY or CHF")
    return value


CurrencyCode = Annotated[str, Field(pattern=CURRENCY_PATTERN), AfterValidator(_known_currency)]


class Qualifier(str, Enum):  # noqa: UP042 - Python 3.10 (requires-python) has no StrEnum
    """How the source words an amount. Rendered before the amount: "almost €150m"."""

    EXACT = "exact"
    OVER = "over"          # "over", "more than", "in excess of"
    AT_LEAST = "at least"  # "at least", "no less than"
    ALMOST = "almost"      # "almost", "nearly", "just under"
    UNDER = "under"        # "less than", "under"
    UP_TO = "up to"
    ABOUT = "about"        # "about", "around", "approximately", "roughly", "some"
