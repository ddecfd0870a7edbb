"""Project stage: the current folder (or --project) → where this briefing's files are.

In: the folder a command runs in, or the one given with ``--project``, and any
folders given on the command line. Out: a `Project` — the root folder and its
facts, seeds, templates and out folders as absolute paths.

A briefing project is a folder with a ``briefgen.toml`` at its root (a folder
with a ``facts/`` folder and no config file counts too, with the default
layout). Commands find it as git finds a repository: in the current folder or
the nearest folder above it. Every relative path — in the config file or on the
command line — is relative to the project root, so a command means the same
thing from any folder inside the project, and nothing is ever read from the
installed package except the shipped templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import BriefgenError, Problem, display_path
from .suggest import did_you_mean

CONFIG_NAME = "briefgen.toml"
LAYOUT_KEYS = ("facts", "seeds", "templates", "out")
DEFAULT_LAYOUT = {"facts": "facts", "seeds": "seeds", "templates": "templates", "out": "out"}

CONFIG_TEXT = """\
# A briefing project: the folders this briefing's files are in, relative to this file.
# Commands run anywhere inside this folder find it, as git finds a repository.
[paths]
facts = "facts"          # the fact files (YAML)
seeds = "seeds"          # the source documents and their manifest, index.yaml
templates = "templates"  # your templates: searched before the shipped ones, so a file here overrides one
out = "out"              # where `build` writes (keep it out of version control)
"""


@dataclass(frozen=True)
class Project:
    root: Path
    config: Path | None
    facts: Path
    seeds: Path
    templates: Path
    out: Path

    @property
    def user_templates(self) -> Path | None:
        """The project's template folder when it has one (it is searched before the shipped templates)."""
        from .shipped import TEMPLATES

        if not self.templates.is_dir() or self.templates.resolve() == TEMPLATES.resolve():
            return None
        return self.templates

    def resolve(self, path: Path | None, default: Path) -> Path:
        """A folder given on the command line: relative paths are relative to the project root."""
        if path is None:
            return default
        return path if path.is_absolute() else self.root / path


def _read_config(config: Path) -> dict[str, str]:
    import tomllib

    where = display_path(config)
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise BriefgenError(f"{where}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BriefgenError(f"{where}: cannot be read: {exc}") from None
    problems: list[Problem | str] = []
    for key in data:
        if key != "paths":
            problems.append(f"{where}: [{key}]: unknown section; the only section is [paths]")
    paths = data.get("paths", {})
    if not isinstance(paths, dict):
        problems.append(f"{where}: paths: expected a [paths] table of folder names")
        paths = {}
    layout = dict(DEFAULT_LAYOUT)
    for key, value in paths.items():
        if key not in LAYOUT_KEYS:
            hint = did_you_mean(key, list(LAYOUT_KEYS))
            problems.append(f"{where}: paths.{key}: unknown setting{hint}; expected one of {', '.join(LAYOUT_KEYS)}")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: paths.{key}: expected a folder path in quotes, such as \"{key}\"")
        else:
            layout[key] = value
    if problems:
        raise BriefgenError(problems)
    return layout


def find_project(start: Path | None = None, explicit: Path | None = None) -> Project:
    """The project that `explicit` names, or that contains `start` (default: the current folder)."""
    if explicit is not None:
        root = explicit.resolve()
        if not root.is_dir():
            raise BriefgenError(f"{display_path(explicit)}: no such project folder")
        if not (root / CONFIG_NAME).is_file() and not (root / "facts").is_dir():
            raise BriefgenError(f"{display_path(explicit)}: not a briefing project (no {CONFIG_NAME} and no "
                                "facts/ folder); start one there with: briefgen init " + display_path(explicit))
        candidates = [root]
    else:
        here = (start or Path.cwd()).resolve()
        candidates = [here, *here.parents]
    for folder in candidates:
        config = folder / CONFIG_NAME
        if config.is_file():
            layout = _read_config(config)
            return _project(folder, config, layout)
        if (folder / "facts").is_dir():
            return _project(folder, None, DEFAULT_LAYOUT)
    raise BriefgenError(f"no briefing project here: no {CONFIG_NAME} (or facts/ folder) in "
                        f"{display_path(start or Path.cwd()) or '.'} or any folder above it. Start one with "
                        "`briefgen init DIR` (add --example for a worked example), or pass --project DIR.")


def _project(root: Path, config: Path | None, layout: dict[str, str]) -> Project:
    return Project(root=root, config=config, **{key: (root / layout[key]) for key in LAYOUT_KEYS})


class BadFolderOption(Exception):
    """A folder given on the command line that is not a folder: which option, and what was expected."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option
        self.message = message


@dataclass(frozen=True)
class Where:
    """The folders a command works with: the project's, or the ones given, relative to the project root."""

    project: Project
    facts: Path
    seeds: Path
    templates: Path | None  # the user's template folder; None when only the shipped templates are used
    out: Path


def _folder_option(path: Path, option: str, what: str) -> Path:
    if path.exists() and not path.is_dir():
        raise BadFolderOption(option, f"{display_path(path)} is a file; expected {what}")
    return path


def locate(project: Path | None = None, facts: Path | None = None, seeds: Path | None = None,
           templates: Path | None = None, out: Path | None = None) -> Where:
    """Find the project and resolve every folder given against its root. Raises BriefgenError (no
    project) or BadFolderOption (a file given where a folder was expected)."""
    found = find_project(explicit=project)
    facts_dir = _folder_option(found.resolve(facts, found.facts), "--facts", "the folder of fact files")
    seeds_dir = _folder_option(found.resolve(seeds, found.seeds), "--seeds",
                               "the folder of source documents and index.yaml")
    if templates is not None:
        user = _folder_option(found.resolve(templates, found.templates), "--templates", "a template folder")
        from .shipped import TEMPLATES

        user_templates = None if user.is_dir() and user.resolve() == TEMPLATES.resolve() else user
    else:
        user_templates = found.user_templates
    out_dir = _folder_option(found.resolve(out, found.out), "--out", "a folder for the outputs")
    return Where(found, facts_dir, seeds_dir, user_templates, out_dir)


# --------------------------------------------------------------------------- briefgen init

def _starter_files(today: str) -> dict[str, str]:
    """The files of a new, empty briefing project: each one valid and commented with what to add."""
    return {
        CONFIG_NAME: CONFIG_TEXT,
        ".gitignore": "# Outputs are rebuilt from the facts: keep them out of version control.\nout/\n",
        "facts/briefing.yaml": f"""\
# The briefing: its title, owner and date, and the prose every audience prints.
# `briefgen check` explains anything missing or wrong, with the file and line.
briefing:
  title: "Title of the briefing"
  subject: >-
    One or two sentences on what the briefing covers.
  owner: Your team
  date: "{today}"              # the briefing's date, YYYY-MM-DD
  language: en-GB                 # sets how dates and amounts are written (en-US: "July 20, 2021")
  protective_marking: OFFICIAL
  # purpose: >-                   # why the reader has it: opens the minister's front sheet
  # summary: >-                   # background narrative for the officials' pack
  # top_lines: []                 # key points: at most 5, each at most 30 words
  # lines_to_take: []             # lines to use with the public and press
""",
        "facts/events.yaml": """\
# Things that happened, each with a date and the source that says so.
# Uncomment and edit the example once seeds/index.yaml lists its source.
events: []
#  - id: first-event
#    date: "2021-07-20"            # as precise as the source allows: 2021, 2021-07 or 2021-07-20
#    title: "What happened, in a line"
#    summary: >-
#      What happened, in a sentence or two.
#    sources:
#      - seed: my-first-source    # an id from seeds/index.yaml
#        quote: "Words copied exactly from the source that support the event and its date"
""",
        "seeds/index.yaml": """\
# Source documents: put each one in this folder as a .txt file and list it here.
# Every fact quotes one of these, word for word; `briefgen check` verifies each quote.
seeds: []
#  - id: my-first-source
#    file: 2021-07-20_publisher_press-release_subject.txt
#    title: "The document's title"
#    kind: press release           # press release, written parliamentary answer, news story, news article, other
#    publisher: Who published it
#    published: "2021-07-20"
""",
        "templates/README.md": """\
# Your templates

A file here overrides the shipped template of the same name, or adds an audience: `NAME.html.j2`.
Start one with `briefgen new-audience NAME --from official`. `briefgen list` shows every audience.
""",
    }


def init_project(target: Path, example: bool, today: str) -> list[Path]:
    """Create a briefing project in `target` (which may exist if empty). Refuses to overwrite anything."""
    import shutil

    from .shipped import EXAMPLE_FACTS, EXAMPLE_SEEDS

    if target.exists() and not target.is_dir():
        raise BriefgenError(f"{display_path(target)}: is a file; give a folder for the new project")
    if target.is_dir() and any(target.iterdir()):
        raise BriefgenError(f"{display_path(target)}: already exists and is not empty; briefgen init never "
                            "overwrites anything: give a new folder")
    files = _starter_files(today)
    if example:
        del files["facts/briefing.yaml"], files["facts/events.yaml"], files["seeds/index.yaml"]
    written: list[Path] = []
    try:
        for relative, text in files.items():
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
        if example:
            for source, folder, patterns in ((EXAMPLE_FACTS, "facts", ("*.yaml",)),
                                             (EXAMPLE_SEEDS, "seeds", ("*.yaml", "*.txt"))):
                (target / folder).mkdir(parents=True, exist_ok=True)
                for pattern in patterns:
                    for path in sorted(source.glob(pattern)):
                        shutil.copyfile(path, target / folder / path.name)
                        written.append(target / folder / path.name)
    except OSError as exc:
        raise BriefgenError(f"{display_path(target)}: cannot create the project: {exc}") from None
    return written
