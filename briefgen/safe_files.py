"""Safe reading: a path in a project → its bytes, only when it is a regular file inside its folder, not too big.

In: a path, the folder it must be inside, what kind of file it is and a size
cap. Out: its bytes (or text), or a `BriefgenError` naming the file. Fact
files, seeds, templates and reference.docx come from colleagues and from
shared folders, so a file may be a symlink to ``/etc/passwd`` or to a secret
outside the project, a FIFO that would hang a read forever, ``/dev/zero``
that would fill memory, a directory named ``x.yaml``, or simply huge. Each is
refused before a byte is read:

* the path is resolved (following every symlink) and must lie inside the
  folder, itself resolved: ``{file}: not a regular file inside {folder}``;
* ``os.stat`` of the resolved path must be a regular file (not a FIFO,
  device, socket or directory) — same message;
* its size must be within the cap for its kind:
  ``{file}: file is {size} bytes; the limit is {cap} bytes for a {kind}``;
* it is then opened with ``O_NOFOLLOW | O_NONBLOCK`` (a FIFO swapped in after
  the check cannot block the open, a symlink swapped in cannot be followed),
  the open descriptor is ``fstat``-ed and must still be the same regular file,
  and at most cap + 1 bytes are read, so a file that grows after the check is
  still refused rather than read whole.

Caps, per kind of file (generous for real inputs, small enough that a hostile
one costs little):

=================  ========  ==================================================
fact file          2 MiB     ``FACT_FILE_MAX`` (= facts.MAX_FILE_BYTES)
seed               5 MiB     ``SEED_MAX``: a long report as plain text
template           1 MiB     ``TEMPLATE_MAX``: a Jinja template or CSS file
reference.docx     10 MiB    ``REFERENCE_DOCX_MAX``: compressed; its unpacked
                             parts are checked separately (docx_reference_parts)
=================  ========  ==================================================

`safe_template_source(folder, name)` is the helper for a Jinja loader: it
returns the template's text under the same rule (or raises `BriefgenError`).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import BriefgenError, Problem, display_path

MIB = 1024 * 1024
FACT_FILE_MAX = 2 * MIB
SEED_MAX = 5 * MIB
TEMPLATE_MAX = 1 * MIB
REFERENCE_DOCX_MAX = 10 * MIB

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) \
    | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _refuse(name: str, folder: Path | str) -> BriefgenError:
    return BriefgenError(Problem(name, message=f"not a regular file inside {display_path(folder)}"))


def _too_big(name: str, size: int, kind: str, cap: int, hint: str) -> BriefgenError:
    return BriefgenError(Problem(name, message=f"file is {size:,} bytes; the limit is {cap:,} bytes for a {kind}"
                                               + (f" ({hint})" if hint else "")))


def _cannot_read(name: str, exc: OSError) -> BriefgenError:
    return BriefgenError(Problem(name, message=f"cannot read file: {exc.strerror or exc}"))


def resolve_inside(path: Path | str, folder: Path | str) -> Path | None:
    """`path` with every symlink resolved if it lies inside `folder` (resolved too), else None.

    Raises OSError when the path does not exist (a dangling symlink included)."""
    real_folder = Path(folder).resolve()
    try:
        real = Path(path).resolve(strict=True)
    except RuntimeError:  # a symlink loop on older Pythons
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP)) from None
    if real != real_folder and real_folder not in real.parents:
        return None
    return real


def read_inside(path: Path | str, folder: Path | str, kind: str, max_bytes: int, hint: str = "") -> bytes:
    """The bytes of `path`, a regular file inside `folder` of at most `max_bytes`; else `BriefgenError`.

    `kind` names the file in the size message ("a {kind}"), `hint` is added to it in brackets."""
    name = display_path(path)
    try:
        real = resolve_inside(path, folder)
    except OSError as exc:
        raise _cannot_read(name, exc) from None
    if real is None:
        raise _refuse(name, folder)
    try:
        before = os.stat(real)
    except OSError as exc:
        raise _cannot_read(name, exc) from None
    if not stat.S_ISREG(before.st_mode):
        raise _refuse(name, folder)
    if before.st_size > max_bytes:
        raise _too_big(name, before.st_size, kind, max_bytes, hint)
    try:
        fd = os.open(real, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR):  # swapped for a symlink, FIFO or folder
            raise _refuse(name, folder) from None
        raise _cannot_read(name, exc) from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
            raise _refuse(name, folder)
        if opened.st_size > max_bytes:
            raise _too_big(name, opened.st_size, kind, max_bytes, hint)
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 * MIB, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:  # grew after the check
            raise _too_big(name, total, kind, max_bytes, hint)
        return b"".join(chunks)
    except OSError as exc:
        raise _cannot_read(name, exc) from None
    finally:
        os.close(fd)


def read_text_inside(path: Path | str, folder: Path | str, kind: str, max_bytes: int, hint: str = "") -> str:
    """`read_inside` decoded as UTF-8; invalid UTF-8 is a `BriefgenError` giving the line."""
    raw = read_inside(path, folder, kind, max_bytes, hint)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BriefgenError(Problem(display_path(path), line, 1, message="file is not valid UTF-8 text")) from None


def safe_template_source(folder: Path | str, name: str, cap: int = TEMPLATE_MAX) -> str:
    """The text of template `name` (a '/'-separated name relative to `folder`) under the rule above.

    For a Jinja loader's get_source: raises `BriefgenError` for a template that is a symlink out of
    the folder, not a regular file, too big or not UTF-8; `FileNotFoundError` when it does not exist,
    so the loader can go on to the next folder."""
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise _refuse(name, folder)
    path = Path(folder).joinpath(*parts)
    if not os.path.lexists(path):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))
    return read_text_inside(path, folder, "template", cap)


def yaml_files_in(folder: Path | str) -> list[Path]:
    """Every name ending .yaml or .yml under `folder`, sorted, without following symlinked folders.

    Entries that are not regular files inside the folder (a directory named x.yaml, a symlink out of
    the folder, a FIFO) are listed too, so that reading them reports why they are refused rather than
    skipping them silently."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for entry in (*dirnames, *filenames):
            if entry.endswith((".yaml", ".yml")):
                found.append(Path(dirpath) / entry)
    return sorted(found)
