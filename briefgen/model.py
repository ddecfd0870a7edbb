"""Model stage: the schema of fact files and the seed manifest → validated, typed facts.

In: plain mappings from `facts.py` (``facts/*.yaml`` and ``seeds/index.yaml``). Out: pydantic models —
`FactFile` (briefing, events, funding, key figures, people, organisations, glossary, coverage exemptions),
`SeedManifest` and the merged `FactBase` that later stages read. Each field's type decides how its text
becomes a value (values.py: money as `Decimal`, dates as `FactDate`); unknown fields are errors. Reading
the files, checking their text and locating every error is loading.py's job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from .facts import Located
from .suggest import did_you_mean
from .text_hygiene import STRICT_TEXT_FIELDS, printable, shown, text_problem
from .values import (
    CURRENCY_PATTERN,
    MAX_DECIMAL_PLACES,
    MAX_NUMBER_CHARACTERS,
    MAX_NUMBER_DIGITS,
    CurrencyCode,
    DateField,
    FactDate,
    Identifier,
    Money,
    Precision,
    Qualifier,
    ShortText,
    Text,
    babel_locale,
    parse_decimal,
    parse_fact_date,
)

# The schema below, and what other modules and tests have always imported from here.
__all__ = [
    "CURRENCY_PATTERN", "MAX_DECIMAL_PLACES", "MAX_NUMBER_CHARACTERS", "MAX_NUMBER_DIGITS", "STRICT_TEXT_FIELDS",
    "Actor", "Briefing", "CoverageExemption", "CurrencyCode", "DateField", "Equivalent", "Event", "FactBase",
    "FactDate", "FactFile", "Figure", "Funding", "GlossaryTerm", "Identifier", "KeyPoint", "Located", "Money",
    "Named", "Organisation", "Period", "Person", "Precision", "PropertyText", "Qualifier", "QuestionAnswer", "Rate",
    "RateUnit", "Relation", "RelationField", "Seed", "SeedKind", "SeedManifest", "ShortText", "SortHint", "SourceRef",
    "Sources", "SpokenLine", "Strict", "Text", "did_you_mean", "parse_decimal", "parse_fact_date",
    "printable", "shown", "slugify", "text_problem",
]


class Strict(BaseModel):
    """The base of every fact-file model: unknown fields are errors, text is stripped."""

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


def _words_at_most(limit: int) -> Callable[[str], str]:
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


class RateUnit(str, Enum):  # noqa: UP042 - a str Enum: StrEnum would change how values print
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


class Named(Strict):
    """What a person and an organisation both have: an id, a name, a country and the sources naming them."""

    id: Identifier
    name: ShortText
    country: ShortText | None = None
    sources: Sources


class Person(Named):
    roles: list[ShortText] = []  # roles the sources give them, with the year where known


class Organisation(Named):
    acronym: ShortText | None = None
    description: Text | None = None


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


class SeedKind(str, Enum):  # noqa: UP042 - a str Enum: StrEnum would change how values print
    PRESS_RELEASE = "press release"
    WRITTEN_ANSWER = "written parliamentary answer"
    NEWS_STORY = "news story"
    NEWS_ARTICLE = "news article"
    OTHER = "other"


Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Seed(Strict):
    id: Identifier
    file: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*\.txt$")]
    title: ShortText
    kind: SeedKind
    publisher: ShortText
    publisher_inferred: Text | None = None
    published: DateField
    published_inferred: Text | None = None
    # where a reader finds it
    url: Annotated[str, Field(pattern=r"^https?://[^\s<>\"]+$", max_length=2000)] | None = None
    original_name: ShortText | None = None
    # written by `briefgen add-source` (ingest.py); a seed listed by hand has none and is not hash-checked
    original: Annotated[str, Field(pattern=r"^originals/[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=300)] | None = None
    retrieved_from: Annotated[str, Field(pattern=r"^https?://[^\s<>\"]+$", max_length=2000)] | None = None
    retrieved_on: DateField | None = None
    sha256_original: Sha256 | None = None
    sha256_text: Sha256 | None = None


class SeedManifest(Strict):
    seeds: list[Seed] = []  # empty in a new project: `check` says what to add first



# --------------------------------------------------------------------------- the fact base


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
    located: Located = Field(default_factory=Located)

    @cached_property
    def seeds_by_id(self) -> dict[str, Seed]:
        """Each seed by its id, the first listed where two share one (a check problem of its own)."""
        found: dict[str, Seed] = {}
        for seed in self.seeds:
            found.setdefault(seed.id, seed)
        return found

    def seed(self, seed_id: str) -> Seed:
        return self.seeds_by_id[seed_id]

    @property
    def slug(self) -> str:
        return self.briefing.slug or slugify(self.briefing.title)


def slugify(text: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return text[:60].rstrip("-") or "briefing"
