"""Model stage: raw mappings → validated, typed facts.

In: `LoadedFile`s from `facts.py` (the files under ``facts/`` and the seed
manifest ``seeds/index.yaml``). Out: a `FactBase` — briefing metadata, events,
funding commitments, key figures, people, organisations, glossary terms and
coverage exemptions — plus the `SeedIndex` of source documents.

Validation is pydantic v2. Because the loader hands over text only, each field
type below decides how its text becomes a value: money through `Decimal`
(never float), dates through `FactDate` (which keeps the precision the author
wrote), booleans only from ``true``/``false``. Unknown fields are errors with a
did-you-mean hint; every error is reported against the line it comes from.

Text hygiene: before validation every string (values and keys, in fact files
and the seed manifest) is checked for characters that have no place in a
briefing and could hide or reorder what a reader sees: C0 controls other than
tab and line feed, DEL, C1 controls, the line separator U+2028, surrogates
(from YAML escapes such as "\\ud800"), noncharacters (U+FDD0 to U+FDEF and
U+xFFFE/U+xFFFF), bidirectional controls (U+202A to U+202E, U+2066 to U+2069)
and zero-width characters (U+200B, U+2060, U+FEFF; U+200C and U+200D too in
titles, subjects, the protective marking, identifiers and keys, but not in
other text, where Persian and Indic scripts and emoji need them). Each is an
error at the field's line and column. One decision is a normalisation rather
than an error: the paragraph separator U+2029 becomes a blank line ("\\n\\n"),
which is what its writer meant. Numbers (amounts and figure values) must be
below 10**13 with at most 6 decimal places, so no amount is too large to
compare, format or draw.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import BriefgenError, Problem
from .facts import FieldPath, LoadedFile, load_yaml

# --------------------------------------------------------------------------- text hygiene

_BIDI_CONTROLS = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
_ZERO_WIDTH = {0x200B, 0x2060, 0xFEFF}
_JOINERS = {0x200C, 0x200D}  # ZWNJ and ZWJ: needed by Persian, Indic scripts and emoji in running text
# Any character the terminal or a reader could be fooled by, for quick rejection before the slow path.
_SUSPECT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\u200b-\u200d\u2060\ufeff"
                      "\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff"
                      "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
                      "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
                      "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
                      "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]")
# Fields where no invisible or reordering character is acceptable, joiners included: names a reader
# or a program matches on (identifiers, keys) and the lines on every page and in the email subject.
STRICT_TEXT_FIELDS = {"title", "subject", "protective_marking", "id", "seed", "event", "person", "organisation",
                      "slug", "tags", "audiences", "from", "to", "part_of", "overlaps", "sort_hint", "currency",
                      "language", "file", "url", "unit", "qualifier", "per", "kind"}


def _is_noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def _character_problem(char: str, strict: bool) -> tuple[str, str] | None:
    """What is wrong with one character in fact text and what to do, or None if it is fine there."""
    code = ord(char)
    if char in "\t\n":
        return None
    if code < 0x20 or code == 0x7F or 0x80 <= code <= 0x9F:
        return "a control character", "remove it"
    if 0xD800 <= code <= 0xDFFF:  # from a YAML escape such as "\ud83d\ude00": half of a character
        return ("half of a character (a surrogate)", "write the character itself, or an escape of eight digits "
                "such as \\U0001F600")
    if code == 0x2028:
        return "a line separator", "write a line break (a new line) instead"
    if _is_noncharacter(code):
        return "a noncharacter", "remove it"
    if code in _BIDI_CONTROLS:
        return ("a bidirectional control", "remove it (it can make text display in a different order from how "
                "it is stored)")
    if code in _ZERO_WIDTH or (strict and code in _JOINERS):
        return "an invisible zero-width character", "remove it"
    return None


def text_problem(text: str, strict: bool = False) -> str | None:
    """The first disallowed character in `text` as a message (without the field), or None."""
    if not _SUSPECT.search(text):
        return None
    for index, char in enumerate(text):
        found = _character_problem(char, strict)
        if found:
            what, advice = found
            return f"contains {what} (U+{ord(char):04X}) at character {index + 1}; {advice}"
    return None


def printable(text: str) -> str:
    """`text` safe to print on a terminal: controls, bidi and zero-width characters as \\uXXXX escapes."""
    if not _SUSPECT.search(text):
        return text
    return "".join(f"\\u{ord(c):04x}" if c != "\n" and (_character_problem(c, True) or c == "\u2029") else c
                   for c in text)


def shown(value: Any, limit: int = 100) -> str:
    """A user's value echoed in a message: printable, and cut short when long."""
    text = printable(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clean(value: Any, path: tuple, loaded: LoadedFile, problems: list[Problem], bad: set) -> Any:
    """`value` with U+2029 normalised; every disallowed character reported at its field."""
    if isinstance(value, str):
        field = next((p for p in reversed(path) if isinstance(p, str)), "")
        message = text_problem(value, strict=field in STRICT_TEXT_FIELDS)
        if message:
            problems.append(loaded.problem(path, message))
            bad.add(path)
            return printable(value)
        return value.replace("\u2029", "\n\n") if "\u2029" in value else value
    if isinstance(value, list):
        return [_clean(item, path + (index,), loaded, problems, bad) for index, item in enumerate(value)]
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            message = text_problem(key, strict=True) if isinstance(key, str) else None
            if message:
                safe = printable(key)
                problems.append(loaded.problem(path, f"the key '{safe}' {message}"))
                bad.add(path + (safe,))
                key = safe
            cleaned[key] = _clean(item, path + (key,), loaded, problems, bad)
        return cleaned
    return value


# --------------------------------------------------------------------------- value types


class Precision(str, Enum):
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
        raise ValueError(f"'{shown(value)}' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2018-01 for January 2018)")
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"'{value}' has month {month}; expected 01 to 12")
    if day is not None:
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
        raise ValueError(f"'{shown(value)}' is not a number; expected digits such as 44500000 (no currency sign or 'm')")
    if not number.is_finite():
        raise ValueError(f"'{shown(value)}' is not a finite number")
    if number != 0 and number.adjusted() >= MAX_NUMBER_DIGITS:
        raise ValueError(f"'{shown(value)}' is too large; numbers must be below 10^{MAX_NUMBER_DIGITS} "
                         f"(10,000,000,000,000)")
    if number.as_tuple().exponent < -MAX_DECIMAL_PLACES:  # type: ignore[operator]
        raise ValueError(f"'{shown(value)}' has more than {MAX_DECIMAL_PLACES} decimal places")
    return number


Money = Annotated[Decimal, BeforeValidator(parse_decimal), PlainSerializer(str)]


def parse_strict_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError(f"expected true or false, got '{shown(value)}'")


StrictBool = Annotated[bool, BeforeValidator(parse_strict_bool)]

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
Text = Annotated[str, Field(min_length=1, max_length=20_000)]
ShortText = Annotated[str, Field(min_length=1, max_length=400)]

# Any ISO 4217 code is accepted (Babel's list, historic codes included); the quote's currency sign, code
# or name is cross-checked against it for every currency (read_money.py).
CURRENCY_PATTERN = r"^[A-Z]{3}$"


def _known_currency(value: str) -> str:
    from .read_money import is_currency_code

    if not is_currency_code(value):
        raise ValueError(f"'{value}' is not an ISO 4217 currency code; expected a code such as EUR, USD, JPY or CHF")
    return value


CurrencyCode = Annotated[str, Field(pattern=CURRENCY_PATTERN), AfterValidator(_known_currency)]


class Qualifier(str, Enum):
    """How the source words an amount. Rendered before the amount: "almost €150m"."""

    EXACT = "exact"
    OVER = "over"          # "over", "more than", "in excess of"
    AT_LEAST = "at least"  # "at least", "no less than"
    ALMOST = "almost"      # "almost", "nearly", "just under"
    UNDER = "under"        # "less than", "under"
    UP_TO = "up to"
    ABOUT = "about"        # "about", "around", "approximately", "roughly", "some"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)


# --------------------------------------------------------------------------- facts


class SourceRef(Strict):
    """A seed document and a short verbatim quote from it that supports the fact."""

    seed: Identifier
    quote: Annotated[str, Field(min_length=10, max_length=2000)]


Sources = Annotated[list[SourceRef], Field(min_length=1)]


class Period(Strict):
    start: DateField
    end: DateField | None = None
    inferred: Text | None = None  # why, when the source does not state the period outright

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end is not None and self.end.latest < self.start.earliest:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class QuestionAnswer(Strict):
    question: Text
    answer: Text


# Word keeps a document's title, author and similar properties in at most 255 characters; the
# same limit is checked here so that every format can carry them whole.
PropertyText = Annotated[str, Field(min_length=1, max_length=255)]


def _words_at_most(limit: int):
    """A validator for text a reader takes in at a glance: a key point or a line to take."""
    def check(value: str) -> str:
        words = len(value.split())
        if words > limit:
            raise ValueError(f"{words} words; keep it to {limit} words or fewer so it can be read at a glance")
        return value
    return check


# A key point on a minister's front sheet: one idea, read in a few seconds (at most 30 words).
KeyPoint = Annotated[Text, AfterValidator(_words_at_most(30))]
# A line to take or an "if pressed" line: something a person can say aloud in one breath.
SpokenLine = Annotated[Text, AfterValidator(_words_at_most(45))]


class Briefing(Strict):
    title: PropertyText
    subject: Text
    slug: Identifier | None = None
    protective_marking: PropertyText = "OFFICIAL"
    owner: PropertyText
    funding_title: ShortText = "Funding commitments"  # caption of the funding table and chart
    date: DateField
    audiences: Annotated[list[Identifier], Field(min_length=1)] = ["minister", "official", "press"]
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")] = "en-GB"
    purpose: Text | None = None        # why the reader has this briefing: the occasion, what is asked of them
    summary: Text | None = None        # the background narrative (the officials' pack)
    top_lines: Annotated[list[KeyPoint], Field(max_length=5)] = []  # the key points of the front sheet
    lines_to_take: Annotated[list[SpokenLine], Field(max_length=8)] = []
    if_pressed: list[SpokenLine] = []  # said only when a journalist pushes on a point
    questions: list[QuestionAnswer] = []
    background_not_for_use: list[Text] = []  # context for the press office, not to be quoted
    do_not_say: list[Text] = []        # things to avoid saying, and why

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        from .housestyle import babel_locale

        babel_locale(value)  # raises ValueError with a message for a language Babel does not know
        return value

    @field_validator("date")
    @classmethod
    def _day_precision(cls, value: FactDate) -> FactDate:
        if value.precision is not Precision.DAY:
            raise ValueError("the briefing date needs a day: YYYY-MM-DD")
        return value


class Actor(Strict):
    """Who took part: a person (with their role at the time) or an organisation."""

    person: Identifier | None = None
    organisation: Identifier | None = None
    role: ShortText | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Actor:
        if (self.person is None) == (self.organisation is None):
            raise ValueError("give exactly one of 'person' or 'organisation'")
        return self


SortHint = Annotated[str, Field(pattern=r"^(before|after) [a-z0-9][a-z0-9-]*$")]


class Event(Strict):
    id: Identifier
    date: DateField
    date_inferred: Text | None = None  # the reasoning, when the source does not state the date outright
    date_note: Text | None = None      # why the date differs from a date its quotes give
    sort_hint: SortHint | None = None  # "before ID" / "after ID": order among dates of mixed precision
    title: ShortText
    summary: Text
    actors: list[Actor] = []
    places: list[ShortText] = []
    tags: list[Identifier] = []
    sources: Sources


class Equivalent(Strict):
    """Another-currency figure that the source itself states next to the amount ("£6m (€7m)")."""

    amount: Money
    currency: CurrencyCode
    qualifier: Qualifier = Qualifier.EXACT


class Relation(Strict):
    """Another commitment this one is related to, the note that says how, and the quote where a source says so.

    In a fact file either just the other commitment's id (``overlaps: [other-id]``) or a mapping
    (``part_of: {id: other-id, note: "...", sources: [...]}``).
    """

    id: Identifier
    note: Text | None = None
    sources: list[SourceRef] = []


def _relation_from_id(value: Any) -> Any:
    return {"id": value} if isinstance(value, str) else value


RelationField = Annotated[Relation, BeforeValidator(_relation_from_id)]


class RateUnit(str, Enum):
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"
    WEEK = "week"
    DAY = "day"


class Rate(Strict):
    """Money stated per unit of time ("£4m a year"), in the commitment's currency."""

    amount: Money
    per: RateUnit = RateUnit.YEAR
    qualifier: Qualifier = Qualifier.EXACT


class Funding(Strict):
    """A commitment of money, in the currency the source gives, by `from` to `to` (organisation ids)."""

    id: Identifier
    event: Identifier
    title: ShortText
    amount: Money | None = None  # the total; may be left out when the source states only a rate
    currency: CurrencyCode
    qualifier: Qualifier = Qualifier.EXACT
    rate: Rate | None = None
    per_year: Money | None = None  # shorthand for rate: {amount: …, per: year}
    period: Period | None = None
    purpose: Text
    giver: Identifier | None = Field(default=None, alias="from")
    recipient: Identifier | None = Field(default=None, alias="to")
    equivalents: list[Equivalent] = []
    part_of: RelationField | None = None   # this money is included in another commitment
    overlaps: list[RelationField] = []     # other commitments that may count the same money
    overlap_note: Text | None = None       # one note for every overlap that has no note of its own
    date_note: Text | None = None          # why the event's date differs from dates the quotes give
    sources: Sources

    @field_validator("amount", "per_year")
    @classmethod
    def _positive(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value <= 0:
            raise ValueError("must be greater than zero")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Funding:
        if self.per_year is not None:
            if self.rate is not None:
                raise ValueError("give either 'per_year' or 'rate', not both")
            self.rate = Rate(amount=self.per_year, per=RateUnit.YEAR)
            self.per_year = None  # kept in one place from here on
        if self.rate is not None and self.rate.amount <= 0:
            raise ValueError("rate.amount must be greater than zero")
        if self.amount is None and self.rate is None:
            raise ValueError("give 'amount' (the total) or 'rate' (e.g. rate: {amount: 4000000, per: year}), "
                             "or both")
        if self.amount is None and self.qualifier is not Qualifier.EXACT:
            raise ValueError("'qualifier' describes 'amount', which is missing; put it under 'rate'")
        if any(r.note is None for r in self.overlaps) and not self.overlap_note:
            raise ValueError("'overlaps' needs a note saying how the commitments may overlap: "
                             "'overlap_note', or 'note' on each overlap")
        return self

    @property
    def overlap_ids(self) -> list[str]:
        return [r.id for r in self.overlaps]


class Figure(Strict):
    id: Identifier
    label: ShortText
    value: Money
    qualifier: Qualifier = Qualifier.EXACT
    unit: ShortText  # "attempts", "arrests", "tonnes"; for money, the ISO currency code
    period: Period
    event: Identifier | None = None
    note: Text | None = None
    date_note: Text | None = None  # why the period differs from dates the quotes give
    sources: Sources


class Person(Strict):
    id: Identifier
    name: ShortText
    country: ShortText | None = None
    roles: list[ShortText] = []  # roles the sources give them, with the year where known
    sources: Sources


class Organisation(Strict):
    id: Identifier
    name: ShortText
    acronym: ShortText | None = None
    country: ShortText | None = None
    description: Text | None = None
    sources: Sources


class GlossaryTerm(Strict):
    term: ShortText
    definition: Text
    sources: list[SourceRef] = []


class CoverageExemption(Strict):
    """A money amount or dated statement in a seed that deliberately has no fact, and why."""

    seed: Identifier
    text: ShortText  # the amount or date as it appears in the seed
    reason: Text


class FactFile(Strict):
    """What one YAML file under facts/ may hold. Any section may be spread over several files."""

    briefing: Briefing | None = None
    events: list[Event] = []
    funding: list[Funding] = []
    figures: list[Figure] = []
    people: list[Person] = []
    organisations: list[Organisation] = []
    glossary: list[GlossaryTerm] = []
    coverage_exemptions: list[CoverageExemption] = []


# --------------------------------------------------------------------------- seeds


class SeedKind(str, Enum):
    PRESS_RELEASE = "press release"
    WRITTEN_ANSWER = "written parliamentary answer"
    NEWS_STORY = "news story"
    NEWS_ARTICLE = "news article"
    OTHER = "other"


class Seed(Strict):
    id: Identifier
    file: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*\.txt$")]
    title: ShortText
    kind: SeedKind
    publisher: ShortText
    publisher_inferred: Text | None = None
    published: DateField
    published_inferred: Text | None = None
    url: Annotated[str, Field(pattern=r"^https?://[^\s<>\"]+$", max_length=2000)] | None = None  # where a reader finds it
    original_name: ShortText | None = None


class SeedManifest(Strict):
    seeds: list[Seed] = []  # empty in a new project: `check` says what to add first


# --------------------------------------------------------------------------- the fact base


class Located:
    """Remembers which file and field path a model object came from, for later error messages."""

    def __init__(self) -> None:
        self._where: dict[int, tuple[LoadedFile, FieldPath]] = {}

    def remember(self, obj: object, loaded: LoadedFile, path: FieldPath) -> None:
        self._where[id(obj)] = (loaded, path)

    def problem(self, obj: object, sub_path: FieldPath, message: str, warning: bool = False) -> Problem:
        loaded, path = self._where[id(obj)]
        return loaded.problem(path + tuple(sub_path), message, warning)


class FactBase(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    briefing: Briefing
    events: list[Event]
    funding: list[Funding]
    figures: list[Figure]
    people: list[Person]
    organisations: list[Organisation]
    glossary: list[GlossaryTerm]
    coverage_exemptions: list[CoverageExemption]
    seeds: list[Seed]
    seed_texts: dict[str, str]
    seeds_dir: Path
    facts_dir: Path
    located: Any = None

    def seed(self, seed_id: str) -> Seed:
        return next(s for s in self.seeds if s.id == seed_id)

    @property
    def slug(self) -> str:
        return self.briefing.slug or slugify(self.briefing.title)


def slugify(text: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return text[:60].rstrip("-") or "briefing"


# --------------------------------------------------------------------------- validation with locations


def did_you_mean(word: str, allowed) -> str:
    """"; did you mean 'x'?" for the closest of `allowed`, or "" when nothing is close."""
    close = difflib.get_close_matches(word, list(allowed), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _expected_fields(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names the model allows at the mapping that holds `loc`'s last key."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(part) or next(
            (f for f in current.model_fields.values() if f.alias == part), None)
        if field is None:
            return []
        current = _inner_model(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [field.alias or name for name, field in current.model_fields.items()]
    return []


def _inner_model(annotation: Any, depth: int = 0) -> Any:
    """The pydantic model inside an annotation such as list[Event] or Period | None, if any."""
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if depth > 5:
        return None
    for arg in typing.get_args(annotation):
        found = _inner_model(arg, depth + 1)
        if found is not None:
            return found
    return None


def _message_for(error: dict, model: type[BaseModel]) -> str:
    kind = error["type"]
    loc = error["loc"]
    if kind == "extra_forbidden":
        allowed = _expected_fields(model, loc)
        hint = did_you_mean(str(loc[-1]), allowed)
        return f"unknown field '{shown(loc[-1])}'{hint}" + ("" if hint else f" (allowed: {', '.join(allowed)})")
    if kind == "missing":
        return "required field is missing"
    if kind == "enum":
        return f"'{shown(error.get('input'))}' is not allowed; expected {error['ctx']['expected']}"
    if kind == "string_pattern_mismatch":
        field = str(loc[-1]) if loc and not isinstance(loc[-1], int) else ""
        if field == "currency" or "[A-Z]{3}" in error["ctx"]["pattern"]:
            return f"'{shown(error.get('input'))}' is not an ISO 4217 currency code; expected three capital letters such as EUR or USD"
        if error["ctx"]["pattern"].startswith("^(before|after)"):
            return (f"'{shown(error.get('input'))}' is not a sort hint; expected 'before ID' or 'after ID', "
                    "e.g. 'before summit-2019'")
        if "a-z0-9" in error["ctx"]["pattern"]:
            return f"'{shown(error.get('input'))}' is not a valid id; expected lower-case letters, digits and hyphens, e.g. sandhurst-treaty"
        return f"'{shown(error.get('input'))}' does not match the expected form {error['ctx']['pattern']}"
    if kind in ("list_type",):
        return "expected a list (lines starting with '- ')"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "expected a mapping of fields (key: value lines)"
    if kind == "string_type":
        return "expected text"
    if kind == "string_too_short":
        return f"is too short; expected at least {error['ctx']['min_length']} characters"
    if kind == "string_too_long":
        limit = error["ctx"]["max_length"]
        why = " (the most a Word document property can hold)" if limit == 255 else ""
        return f"is {len(str(error.get('input', '')))} characters long; expected at most {limit}{why}"
    if kind == "too_short":
        return f"needs at least {error['ctx']['min_length']} item(s)"
    msg = error["msg"]
    return printable(msg.removeprefix("Value error, "))


def validate_file(loaded: LoadedFile, model: type[BaseModel]) -> tuple[BaseModel | None, list[Problem]]:
    """Validate one loaded file against `model`, turning every pydantic error into a located Problem."""
    data = loaded.data if loaded.data is not None else {}
    if not isinstance(data, dict):
        return None, [loaded.problem((), "expected a mapping of sections at the top of the file (e.g. 'events:')")]
    # Empty sections ("events:" with nothing under it) mean an empty list, not an error.
    data = {k: ([] if v is None and k != "briefing" else v) for k, v in data.items()}
    hygiene: list[Problem] = []
    bad: set[tuple] = set()
    data = _clean(data, (), loaded, hygiene, bad)
    try:
        validated = model.model_validate(data)
    except ValidationError as exc:
        problems = list(hygiene)
        errors = exc.errors()
        # A misspelt field ("ammount") also makes the real one missing; the did-you-mean says it all.
        suggested = set()
        for error in errors:
            if error["type"] == "extra_forbidden":
                close = difflib.get_close_matches(str(error["loc"][-1]), _expected_fields(model, error["loc"]),
                                                  n=1, cutoff=0.6)
                suggested.update(tuple(error["loc"][:-1]) + (name,) for name in close)
        for error in errors:
            loc = tuple(part for part in error["loc"] if not isinstance(part, str) or not part.startswith("function-"))
            if error["type"] == "missing" and loc in suggested:
                continue
            if any(loc[:len(path)] == path for path in bad):
                continue  # the disallowed character is the problem there; say it once
            problems.append(loaded.problem(loc, _message_for(error, model)))
        return None, sorted(set(problems))
    if hygiene:
        return None, sorted(set(hygiene))
    return validated, []


def _record_locations(located: Located, loaded: LoadedFile, fact_file: FactFile) -> None:
    for section in ("events", "funding", "figures", "people", "organisations", "glossary", "coverage_exemptions"):
        for index, item in enumerate(getattr(fact_file, section)):
            located.remember(item, loaded, (section, index))
    if fact_file.briefing is not None:
        located.remember(fact_file.briefing, loaded, ("briefing",))


def _load(path: Path, folder: Path | None = None) -> LoadedFile:
    """facts.load_yaml, with PyYAML's reader errors (a raw NUL, ESC or other control character in the
    file, which it reports before the loader's own error handling starts) made a located problem."""
    import yaml

    try:
        return load_yaml(path, folder)
    except yaml.reader.ReaderError as exc:
        from .errors import display_path

        line, column = 1, 1
        try:
            text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
            line = text.count("\n", 0, exc.position) + 1
            column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        except (OSError, UnicodeError):
            pass
        character = exc.character if isinstance(exc.character, int) else 0
        raise BriefgenError(Problem(display_path(path), line, column,
                                    message=f"contains a control character (U+{character:04X}); fact files hold "
                                            "text, tabs and line breaks only")) from None


def load_fact_base(facts_dir: Path, seeds_dir: Path) -> tuple[FactBase | None, list[Problem]]:
    """Load and validate every fact file and the seed manifest. Returns the base (None if unusable) and problems."""
    from .errors import display_path
    from .facts import fact_file_paths
    from .sources import read_seed

    problems: list[Problem] = []
    located = Located()

    manifest_path = seeds_dir / "index.yaml"
    seeds: list[Seed] = []
    seed_texts: dict[str, str] = {}
    if not manifest_path.is_file():
        problems.append(Problem(display_path(manifest_path), message="seed manifest not found; "
                                "expected seeds/index.yaml listing each source document"))
    else:
        try:
            loaded = _load(manifest_path)
            manifest, file_problems = validate_file(loaded, SeedManifest)
            problems += file_problems
            if manifest is not None:
                seen: dict[str, int] = {}
                for index, seed in enumerate(manifest.seeds):
                    located.remember(seed, loaded, ("seeds", index))
                    if seed.id in seen:
                        problems.append(loaded.problem(("seeds", index, "id"),
                                                       f"duplicate seed id '{seed.id}' (also seeds[{seen[seed.id]}])"))
                        continue
                    seen[seed.id] = index
                    try:
                        seed_texts[seed.id] = read_seed(seeds_dir, seed.file)
                    except BriefgenError as exc:
                        problems += [loaded.problem(("seeds", index, "file"), f"cannot read seed file {p}")
                                     for p in exc.problems]
                        continue
                    seeds.append(seed)
        except BriefgenError as exc:
            problems += exc.problems

    fact_paths = fact_file_paths(facts_dir) if facts_dir.is_dir() else []
    if not facts_dir.is_dir():
        problems.append(Problem(display_path(facts_dir), message="facts folder not found"))
    elif not fact_paths:
        problems.append(Problem(display_path(facts_dir), message="no fact files (*.yaml) found"))

    merged: dict[str, list] = {k: [] for k in ("events", "funding", "figures", "people", "organisations",
                                                "glossary", "coverage_exemptions")}
    briefings: list[tuple[Briefing, LoadedFile]] = []
    for path in fact_paths:
        try:
            loaded = _load(path, facts_dir)
        except BriefgenError as exc:
            problems += exc.problems
            continue
        fact_file, file_problems = validate_file(loaded, FactFile)
        problems += file_problems
        if fact_file is None:
            continue
        _record_locations(located, loaded, fact_file)
        for key in merged:
            merged[key] += getattr(fact_file, key)
        if fact_file.briefing is not None:
            briefings.append((fact_file.briefing, loaded))

    if len(briefings) > 1:
        first = briefings[0][1].name
        for _, loaded in briefings[1:]:
            problems.append(loaded.problem(("briefing",), f"a second 'briefing' section (the first is in {first}); "
                                                          "give the briefing metadata once"))
    if not briefings and fact_paths and not problems:
        problems.append(Problem(display_path(facts_dir), message="no 'briefing' section found; one fact file must "
                                                                 "give the briefing's title, owner and date"))
    if problems or not briefings:
        return None, problems
    base = FactBase(briefing=briefings[0][0], seeds=seeds, seed_texts=seed_texts, seeds_dir=seeds_dir,
                    facts_dir=facts_dir, located=located, **merged)
    return base, problems
