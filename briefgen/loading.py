"""Positioned loading: fact files and the seed manifest → a validated `FactBase`, or located problems.

In: the facts folder and the seeds folder. Out: the `FactBase` of model.py (or
None when anything is wrong) and every problem found, each located at the
file, line, column and field path it comes from (``facts/events.yaml:12:5:
events[3].date: …``).

Each file is read strictly (facts.py), its text checked (text_hygiene.py) and
validated against the schema (model.py); pydantic's errors become plain
messages, an unknown field gets a did-you-mean hint, and a misspelt field is
not reported a second time as missing. `Located` remembers where each model
object came from, so later stages (sources.py, funding.py, date_checks.py)
can report against the same lines.
"""

from __future__ import annotations

import difflib
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .errors import BriefgenError, Problem, display_path
from .facts import FieldPath, LoadedFile, Located, fact_file_paths, load_yaml
from .suggest import did_you_mean
from .text_hygiene import clean_data, printable, shown

if TYPE_CHECKING:
    from .model import Briefing, FactBase, FactFile, Seed

ModelT = typing.TypeVar("ModelT", bound=BaseModel)


def _expected_fields(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
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
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if depth > 5:
        return None
    for arg in typing.get_args(annotation):
        found = _inner_model(arg, depth + 1)
        if found is not None:
            return found
    return None


def _message_for(error: ErrorDetails, model: type[BaseModel]) -> str:
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
            return (f"'{shown(error.get('input'))}' is not an ISO 4217 currency code; expected three capital "
                    "letters such as EUR or USD")
        if error["ctx"]["pattern"].startswith("^(before|after)"):
            return (f"'{shown(error.get('input'))}' is not a sort hint; expected 'before ID' or 'after ID', "
                    "e.g. 'before summit-2019'")
        if "a-z0-9" in error["ctx"]["pattern"]:
            return (f"'{shown(error.get('input'))}' is not a valid id; expected lower-case letters, digits and "
                    "hyphens, e.g. sandhurst-treaty")
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


def validate_file(loaded: LoadedFile, model: type[ModelT]) -> tuple[ModelT | None, list[Problem]]:
    """Validate one loaded file against `model`, turning every pydantic error into a located Problem."""
    data = loaded.data if loaded.data is not None else {}
    if not isinstance(data, dict):
        return None, [loaded.problem((), "expected a mapping of sections at the top of the file (e.g. 'events:')")]
    # Empty sections ("events:" with nothing under it) mean an empty list, not an error.
    data = {k: ([] if v is None and k != "briefing" else v) for k, v in data.items()}
    hygiene: list[Problem] = []
    bad: set[FieldPath] = set()
    data = clean_data(data, (), loaded, hygiene, bad)
    try:
        validated = model.model_validate(data)
    except ValidationError as exc:
        problems = list(hygiene)
        errors = exc.errors()
        # A misspelt field ("ammount") also makes the real one missing; the did-you-mean says it all.
        suggested: set[tuple[int | str, ...]] = set()
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


def _problems(error: BriefgenError, path: Path) -> list[Problem]:
    """The error's problems; a bare message (the file readers give none) as a problem of the file read."""
    return [p if isinstance(p, Problem) else Problem(display_path(path), message=p) for p in error.problems]


def _load(path: Path, folder: Path | None = None) -> LoadedFile:
    """facts.load_yaml, with PyYAML's reader errors (a raw NUL, ESC or other control character in the
    file, which it reports before the loader's own error handling starts) made a located problem."""
    import yaml

    try:
        return load_yaml(path, folder)
    except yaml.reader.ReaderError as exc:
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
    from .model import FactBase, FactFile, SeedManifest
    from .quotes import read_seed

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
            problems += _problems(exc, manifest_path)

    fact_paths = fact_file_paths(facts_dir) if facts_dir.is_dir() else []
    if not facts_dir.is_dir():
        problems.append(Problem(display_path(facts_dir), message="facts folder not found"))
    elif not fact_paths:
        problems.append(Problem(display_path(facts_dir), message="no fact files (*.yaml) found"))

    merged: dict[str, list[Any]] = {k: [] for k in ("events", "funding", "figures", "people", "organisations",
                                                "glossary", "coverage_exemptions")}
    briefings: list[tuple[Briefing, LoadedFile]] = []
    for path in fact_paths:
        try:
            loaded = _load(path, facts_dir)
        except BriefgenError as exc:
            problems += _problems(exc, path)
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
