"""Load stage: YAML files → plain mappings with the line and column of every value.

In: a path to a YAML file. Out: `LoadedFile`, holding the data (dicts, lists,
strings and None only) and a table from each field path to where it stands in
the file, so later stages can say ``facts/events.yaml:12:5: events[3].date: …``.

The loader is deliberately stricter than PyYAML's `safe_load`, because fact
files come from colleagues and are the single source of truth:

* every scalar stays a string (or None for an empty value): ``NO`` is the text
  "NO", not False, and ``1.10`` is not the float 1.1. The model layer turns
  text into dates and Decimals, field by field, where the type is known;
* explicit tags (``!!python/object``, ``!!float``, any ``!custom``) are errors;
* anchors and aliases are errors (no alias bombs, no hidden sharing);
* duplicate keys are errors naming both lines;
* one document per file; files over `MAX_FILE_BYTES` or nested deeper than
  `MAX_DEPTH` are errors;
* a file that is not a regular file inside its folder (a symlink out of it, a
  FIFO, a device, a directory named x.yaml) is refused before it is read
  (briefgen/safe_files.py); `fact_file_paths` lists a facts folder so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

import yaml
from yaml.composer import Composer
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from .errors import BriefgenError, Problem, display_path
from .safe_files import FACT_FILE_MAX, read_inside, yaml_files_in

MAX_FILE_BYTES = FACT_FILE_MAX
MAX_DEPTH = 32

# Path of a value inside a file: keys and list indexes, e.g. ("events", 3, "date").
FieldPath = tuple[str | int, ...]


def format_field_path(path: FieldPath) -> str:
    """("events", 3, "date") → "events[3].date"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


# Any character the terminal or a reader could be fooled by (text_hygiene.py says which are refused and
# why): a quick test before the slow one, character by character. Here so that load_yaml can tell at
# once that a file holds none, nor any escape that could make one.
SUSPECT_CHARACTERS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\u200b-\u200d\u2060\ufeff"
    "\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
    "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
    "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
    "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]")


@dataclass
class LoadedFile:
    """One YAML file's data plus where each value stands in it (1-based line and column)."""

    path: Path
    data: Any
    locations: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    # The file's text has no suspect character and no backslash (so no escape that could write one):
    # nothing in `data` needs the character-by-character look (text_hygiene.clean_data).
    plain_text: bool = False

    @property
    def name(self) -> str:
        return display_path(self.path)

    def location(self, path: FieldPath) -> tuple[int, int]:
        """The position of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.locations:
                return self.locations[path]
            path = path[:-1]
        return self.locations.get((), (1, 1))

    def problem(self, path: FieldPath, message: str, warning: bool = False) -> Problem:
        line, column = self.location(path)
        return Problem(self.name, line, column, format_field_path(path), message, warning)


class _YamlInputError(Exception):
    def __init__(self, line: int, column: int, message: str):
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


class _Mark(Protocol):
    line: int
    column: int


def _position(mark: _Mark | None) -> tuple[int, int]:
    """A YAML mark as a 1-based (line, column); (1, 1) when PyYAML gives none."""
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


class _StrictComposer(Composer):
    """Composer that refuses anchors, aliases and explicit tags, and limits nesting."""

    peek_event: Callable[[], Event]  # yaml.parser.Parser's, in _StrictLoader (PyYAML's stubs leave it untyped)

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()
        line, column = _position(event.start_mark)
        anchor = getattr(event, "anchor", None)
        if isinstance(event, AliasEvent):
            raise _YamlInputError(line, column, f"alias '*{anchor}' is not allowed; write the value out in full")
        if anchor:
            raise _YamlInputError(line, column, f"anchor '&{anchor}' is not allowed; write each value out in full")
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            tag = str(tag).replace("tag:yaml.org,2002:", "!!")
            raise _YamlInputError(line, column,
                                  f"tag '{tag}' is not allowed; fact files hold plain text, lists and mappings only")
        if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _YamlInputError(line, column, f"nested more than {MAX_DEPTH} levels deep")
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)


class _PlainResolver(BaseResolver):
    """Resolves nothing: every scalar is a string, so no value changes type behind the author's back."""


class _StrictLoader(Reader, Scanner, Parser, _StrictComposer, _PlainResolver):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _StrictComposer.__init__(self)
        _PlainResolver.__init__(self)


class _NotPlain(Exception):
    """The fast reading met something it leaves to the strict composer (which says what is wrong)."""


def _c_parser() -> type[Any] | None:
    try:
        from yaml._yaml import CParser
    except ImportError:  # PyYAML built without libyaml
        return None
    return cast("type[Any]", CParser)


_CParser = _c_parser()


def _read_events(path: Path, text: str) -> LoadedFile:
    """libyaml's parser events turned straight into data and positions: no node tree, no second walk
    (about 3 times faster than the composer over the same C parser, 40 times the pure-Python one).

    It reads only what the strict composer accepts, and accepts nothing it refuses: at anything else
    (an anchor, an alias, a tag, a complex or '<<' or repeated key, deep nesting, a second document, a
    YAML error) it raises `_NotPlain`, and `load_yaml` reads the file again with the strict composer,
    which gives the message. The result is the composer's, value for value and position for position
    (tests/test_loader_and_model.py compares the two)."""
    assert _CParser is not None
    Reader(text)  # raises on a character the pure-Python reader refuses: the same files refused either way
    parser = _CParser(text)
    locations: dict[FieldPath, tuple[int, int]] = {}
    # Each open container: [the dict or list, its path, the pending key (mappings), the key's position].
    stack: list[list[Any]] = []
    data: Any = None
    try:
        parser.get_event()  # StreamStart
        event = parser.get_event()
        if isinstance(event, StreamEndEvent):
            return LoadedFile(path, None, {(): (1, 1)})
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind is DocumentEndEvent:
                break
            if kind is MappingEndEvent or kind is SequenceEndEvent:
                stack.pop()
                continue
            if kind is AliasEvent or event.anchor is not None or event.tag not in (None, "!"):
                raise _NotPlain
            mark = event.start_mark
            position = (mark.line + 1, mark.column + 1)
            parent = stack[-1] if stack else None
            if parent is not None and type(parent[0]) is dict and parent[2] is None:  # a key
                if kind is not ScalarEvent or event.value == "<<" or event.value in parent[0]:
                    raise _NotPlain
                parent[2], parent[3] = event.value, position
                continue
            if parent is None:
                node_path: FieldPath = ()
            elif type(parent[0]) is list:
                node_path = parent[1] + (len(parent[0]),)
            else:
                node_path = parent[1] + (parent[2],)
            locations[node_path] = position
            if kind is ScalarEvent:
                value: Any = None if not event.style and event.value in _NULL_WORDS else event.value
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                value = {} if kind is MappingStartEvent else []
                if len(stack) >= MAX_DEPTH:
                    raise _NotPlain
            else:
                raise _NotPlain
            if parent is None:
                data = value
            elif type(parent[0]) is list:
                parent[0].append(value)
            else:
                parent[0][parent[2]] = value
                locations[node_path] = parent[3]  # a key's own position serves messages about the field
                parent[2] = None
            if kind is not ScalarEvent:
                stack.append([value, node_path, None, None])
        if not isinstance(parser.get_event(), StreamEndEvent):
            raise _NotPlain  # a second document
    finally:
        parser.dispose()
    return LoadedFile(path, data, locations)


_NULL_WORDS = {"", "~", "null", "Null", "NULL"}


def _to_python(node: Node, path: FieldPath, locations: dict[FieldPath, tuple[int, int]]) -> Any:
    locations[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, ScalarNode):
        # Only a plain (unquoted) empty/null word is None; quoted "null" is text. (A plain scalar's
        # style is None from the Python parser, "" from libyaml's.)
        if not node.style and node.value in _NULL_WORDS:
            return None
        return node.value
    if isinstance(node, SequenceNode):
        return [_to_python(item, path + (i,), locations) for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.value == "<<":
                raise _YamlInputError(key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                      "keys must be plain names (no complex keys or '<<' merges)")
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in first_seen:
                raise _YamlInputError(line, key_node.start_mark.column + 1,
                                      f"duplicate key '{key}' (first at line {first_seen[key]}); "
                                      "each key may appear once per mapping")
            first_seen[key] = line
            result[key] = _to_python(value_node, path + (key,), locations)
            # A key's own position is more useful than its value's for messages about the field.
            locations[path + (key,)] = (line, key_node.start_mark.column + 1)
        return result
    raise _YamlInputError(1, 1, "unsupported YAML node")  # pragma: no cover - PyYAML has no other kinds


def fact_file_paths(facts_dir: Path) -> list[Path]:
    """Every *.yaml / *.yml under `facts_dir`, sorted; symlinked folders are not followed.

    A directory named x.yaml, a symlink out of the folder or a FIFO is listed too, so that
    `load_yaml` says why it is refused instead of the file being skipped silently."""
    return yaml_files_in(facts_dir)


def load_yaml(path: Path, folder: Path | None = None) -> LoadedFile:
    """Read one YAML file strictly. Raises `BriefgenError` with a located problem.

    The file must be a regular file inside `folder` (default: the folder it is listed in) of at most
    `MAX_FILE_BYTES`; see briefgen/safe_files.py."""
    name = display_path(path)
    raw = read_inside(path, Path(path).parent if folder is None else folder, "fact file", MAX_FILE_BYTES,
                      hint="split it into several files")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BriefgenError(Problem(name, line, 1, message="file is not valid UTF-8 text")) from None
    text = text.removeprefix("\ufeff")
    loaded = None
    if _CParser is not None:
        try:
            loaded = _read_events(path, text)
        except (_NotPlain, yaml.YAMLError, RecursionError):
            pass  # the strict composer reads it again and says what is wrong, in the same words everywhere
    if loaded is None:
        loaded = _parse(path, name, text, _StrictLoader)
    loaded.plain_text = "\\" not in text and SUSPECT_CHARACTERS.search(text) is None
    return loaded


def _parse(path: Path, name: str, text: str, loader_class: type[Any]) -> LoadedFile:
    """Parse one fact file's text with the strict composer over `loader_class`'s events."""
    loader = loader_class(text)
    locations: dict[FieldPath, tuple[int, int]] = {}
    try:
        loader.get_event()  # StreamStart
        if loader.check_event(StreamEndEvent):
            return LoadedFile(path, None, {(): (1, 1)})
        document = loader.compose_document()
        if not loader.check_event(StreamEndEvent):
            line, column = _position(loader.peek_event().start_mark)
            raise _YamlInputError(line, column,
                                  "a second YAML document ('---') is not allowed; use one document per file")
        data = _to_python(document, (), locations) if document is not None else None
    except _YamlInputError as exc:
        raise BriefgenError(Problem(name, exc.line, exc.column, message=exc.message)) from None
    except yaml.MarkedYAMLError as exc:
        line, column = _position(exc.problem_mark or exc.context_mark)
        detail = exc.problem or "not valid YAML"
        if exc.context:
            detail = f"{exc.context}, {detail}"
        raise BriefgenError(Problem(name, line, column, message=f"invalid YAML: {detail}")) from None
    except yaml.YAMLError as exc:  # e.g. reader errors on control characters
        mark = getattr(exc, "problem_mark", None)
        raise BriefgenError(Problem(name, (mark.line + 1) if mark else 1, 1, message=f"invalid YAML: {exc}")) \
            from None
    except RecursionError:
        raise BriefgenError(Problem(name, 1, 1, message=f"nested more than {MAX_DEPTH} levels deep")) from None
    finally:
        loader.dispose()
    return LoadedFile(path, data, locations)


class Located:
    """Remembers which file and field path a model object came from, for later error messages."""

    def __init__(self) -> None:
        self._where: dict[int, tuple[LoadedFile, FieldPath]] = {}

    def remember(self, obj: object, loaded: LoadedFile, path: FieldPath) -> None:
        self._where[id(obj)] = (loaded, path)

    def problem(self, obj: object, sub_path: FieldPath, message: str, warning: bool = False) -> Problem:
        loaded, path = self._where[id(obj)]
        return loaded.problem(path + tuple(sub_path), message, warning)
