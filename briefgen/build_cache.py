"""Build cache: what an output depends on → whether the output in out/ is still the one it would be.

In: the fact and seed folders, the template files each output's rendering read (recorded when it was
built), the audience, format and options. Out: a key per output; `BuildCache` remembers, in
`out/.briefgen-cache.json`, the key each output was built from and the SHA-256 of the file written.
An output is up to date when its key is unchanged and the file in out/ is the very file written
(same SHA-256), so an unchanged rebuild skips the check, the rendering and the backends:
`all_up_to_date` answers that for a whole build, as `Output` records.

The key covers everything an output's bytes depend on:

* every file in the fact and seed folders (bytes and names), so changing any fact or any source
  rebuilds every output — over-cautious, but a fact can appear in any audience;
* the template files this audience's rendering read (its own template, what it extends and includes,
  the stylesheet), and every non-template file in the template folders (images, reference.docx):
  editing one audience's template rebuilds that audience only;
* the audience, the format and `--since`;
* briefgen's own code and the versions of the libraries that shape the output (WeasyPrint,
  python-docx, Jinja2, Pillow, Babel…), so an upgrade rebuilds.

Outputs are byte-for-byte reproducible (the tests check it), which is what makes skipping safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

CACHE_FILE = ".briefgen-cache.json"
CACHE_VERSION = 1
_LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "python-docx", "Jinja2", "MarkupSafe", "Babel",
              "lxml", "pikepdf", "fonttools", "Pillow", "pydantic", "PyYAML")
_TEMPLATE_SUFFIX = ".j2"


MAX_HASHED_BYTES = 64 * 1024 * 1024  # a larger file is keyed by its size and time instead of its bytes


def _file_digest(path: Path, folder: Path) -> bytes:
    """A file's SHA-256, or a marker for what cannot or should not be read: anything but a regular file
    inside `folder` (a FIFO would hang, /dev/zero would never end; the build refuses them anyway)."""
    try:
        real = path.resolve(strict=True)
        info = os.stat(real)
    except (OSError, RuntimeError):
        return b"\x00missing"
    if not stat.S_ISREG(info.st_mode) or not real.is_relative_to(folder.resolve()):
        return b"\x00not a regular file inside its folder"
    if info.st_size > MAX_HASHED_BYTES:
        return f"\x00large {info.st_size} {info.st_mtime_ns}".encode()
    try:
        return hashlib.sha256(real.read_bytes()).digest()
    except OSError:
        return b"\x00unreadable"


def _hash_files(digest: Any, folder: Path, paths: Iterable[Path]) -> None:
    for path in sorted(paths):
        digest.update(f"{path.relative_to(folder).as_posix() if path.is_relative_to(folder) else path}\0".encode())
        digest.update(_file_digest(path, folder))


def _files_in(folder: Path) -> list[Path]:
    """Every regular file under `folder` (not following links to folders), hidden ones aside."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        found += [Path(dirpath) / name for name in filenames if not name.startswith(".")]
    return found


def _installed_versions(names: Iterable[str]) -> dict[str, str]:
    """Each library's installed version, as `importlib.metadata.version` finds it (the first on
    sys.path wins), read from the names of the `NAME-VERSION.dist-info` folders: a folder listing
    per sys.path entry instead of a METADATA file parsed per library (which costs an unchanged
    rebuild a fifth of its time). Anything not found that way is asked of importlib.metadata."""
    import re
    import sys

    def normal(name: str) -> str:
        return re.sub(r"[-_.]+", "_", name).lower()

    wanted = {normal(name): name for name in names}
    versions: dict[str, str] = {}
    for entry in sys.path:
        try:
            listing = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in listing:
            if not folder.endswith(".dist-info"):
                continue
            dist, _, version = folder[: -len(".dist-info")].partition("-")
            name = wanted.get(normal(dist))
            if name is not None and version and name not in versions:
                versions[name] = version
    missing = [name for name in wanted.values() if name not in versions]
    if missing:
        from importlib import metadata

        for name in missing:
            try:
                versions[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                versions[name] = "-"
    return versions


def _code_and_libraries() -> bytes:
    """briefgen's own source and the versions of the libraries that shape an output."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    _hash_files(digest, package, [p for p in _files_in(package) if p.suffix == ".py"])
    versions = _installed_versions(_LIBRARIES)
    for name in _LIBRARIES:
        digest.update(f"{name}={versions[name]}\0".encode())
    return digest.digest()


def inputs_key(facts: Path, seeds: Path, template_dirs: list[Path], since: str | None) -> str:
    """The part of every output's key that does not depend on the audience: facts, sources, the
    template folders' non-template files, code and library versions, options."""
    digest = hashlib.sha256(f"briefgen-cache {CACHE_VERSION}\0{since or ''}\0".encode())
    for folder in (facts, seeds):
        _hash_files(digest, folder, _files_in(folder))
        digest.update(b"\1")
    for folder in template_dirs:
        _hash_files(digest, folder, [p for p in _files_in(folder) if not p.name.endswith(_TEMPLATE_SUFFIX)])
        digest.update(b"\1")
    digest.update(_code_and_libraries())
    return digest.hexdigest()


def output_key(inputs: str, audience: str, fmt: str, templates_read: list[str]) -> str:
    """One output's key: the shared inputs, this audience and format, and the template files it read."""
    digest = hashlib.sha256(f"{inputs}\0{audience}\0{fmt}\0".encode())
    _hash_files(digest, Path("/"), [Path(p) for p in templates_read])
    return digest.hexdigest()


def _file_sha256(path: Path) -> str | None:
    """An output's SHA-256; None if it is not a regular file (missing, or replaced by something else)."""
    digest = _file_digest(path, path.parent)
    return None if digest.startswith(b"\x00") else digest.hex()


@dataclass
class Output:
    """An output asked for: written by this build, or found up to date in the out folder."""

    audience: str
    format: str
    path: str  # as the user sees it (errors.display_path)
    bytes: int
    pages: int | None
    up_to_date: bool = False  # not rebuilt: the file in out/ is what these inputs make

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Entry:
    name: str  # the output's file name in the out folder
    key: str
    sha256: str  # of the file as written
    templates: list[str]  # the template files the rendering read (absolute paths)
    bytes: int
    pages: int | None


class BuildCache:
    """The record of what each output in one out folder was built from."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / CACHE_FILE
        self.entries: dict[str, Entry] = {}
        self.audiences: dict[str, list[str]] = {}  # inputs key → the briefing's own audiences
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") == CACHE_VERSION:
                self.entries = {name: Entry(**entry) for name, entry in data.get("outputs", {}).items()}
                self.audiences = dict(data.get("audiences", {}))
        except (OSError, ValueError, TypeError):  # none yet, or unreadable: everything is built
            pass

    def up_to_date(self, out_dir: Path, inputs: str, audience: str, fmt: str) -> Entry | None:
        """The entry for this output if the file in `out_dir` is the one its unchanged inputs would make."""
        entry = self.entries.get(f"{audience}/{fmt}")
        if entry is None or entry.key != output_key(inputs, audience, fmt, entry.templates):
            return None
        return entry if _file_sha256(out_dir / entry.name) == entry.sha256 else None

    def record(self, target: Path, inputs: str, audience: str, fmt: str, templates: list[str],
               pages: int | None) -> None:
        """Remember the output just written to `target`, and what it was built from."""
        sha = _file_sha256(target)
        if sha is None:
            return
        self.entries[f"{audience}/{fmt}"] = Entry(target.name, output_key(inputs, audience, fmt, templates), sha,
                                                  templates, target.stat().st_size, pages)

    def save(self) -> None:
        data = {"version": CACHE_VERSION, "audiences": self.audiences,
                "outputs": {name: vars(entry) for name, entry in sorted(self.entries.items())}}
        from .atomic import write_atomically  # only when there is something to save

        try:
            write_atomically(self.path, (json.dumps(data, indent=1) + "\n").encode("utf-8"))
        except OSError:  # a cache that cannot be written only costs the next build its shortcut
            pass


def fresh_outputs(cache: BuildCache, inputs: str, out_dir: Path, audiences: list[str],
                  formats: list[str]) -> dict[tuple[str, str], Output]:
    """The outputs asked for that need no rebuilding, as Output records marked up_to_date."""
    from .errors import display_path

    fresh = {}
    for audience in audiences:
        for fmt in formats:
            entry = cache.up_to_date(out_dir, inputs, audience, fmt)
            if entry is not None:
                fresh[(audience, fmt)] = Output(audience, fmt, display_path(out_dir / entry.name), entry.bytes,
                                                entry.pages, up_to_date=True)
    return fresh


def all_up_to_date(facts: Path, seeds: Path, user_templates: Path | None, out_dir: Path,
                   audiences: list[str] | None, formats: list[str],
                   since: str | None) -> tuple[str, list[Output] | None]:
    """(the inputs key, every output asked for when all are up to date, else None). `audiences` None
    means the briefing's own, as recorded by the last build from these very inputs. This is the whole
    of an unchanged rebuild: `briefgen build` (cli/build.py) and its fast path (launch.py) both ask it."""
    from .template_folders import template_dirs

    inputs = inputs_key(facts, seeds, template_dirs(user_templates), since)
    cache = BuildCache(out_dir)
    wanted = audiences if audiences is not None else cache.audiences.get(inputs)
    if not wanted:
        return inputs, None
    fresh = fresh_outputs(cache, inputs, out_dir, wanted, formats)
    if len(fresh) != len(wanted) * len(formats):
        return inputs, None
    return inputs, [fresh[(audience, fmt)] for audience in wanted for fmt in formats]


def outputs_json(outputs: list[Output]) -> str:
    """`build --json`: every output, with its absolute path, whatever folder the command ran in."""
    return json.dumps([o.as_dict() | {"path": str(Path(o.path).resolve())} for o in outputs], indent=2)
