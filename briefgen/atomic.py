"""Atomic file writing: bytes + a target path → the target replaced in one step.

In: the complete contents and where they go. Out: the target holds either its
old contents or the new ones, never a mix, never a short file; nothing else is
left in the folder, even when the process is killed (SIGKILL, power off).

On Linux the bytes go into an anonymous file in the target's folder
(`O_TMPFILE`): it has no name while it is written, so a kill leaves nothing
behind. Once complete and on disk it is linked to a hidden name
(`.briefgen-partial-…`) and renamed over the target; only a kill in the few
microseconds between those two calls leaves that (complete) hidden file, which
the next build removes. Where `O_TMPFILE` is missing (other systems, some
file systems, no /proc) the bytes go to the hidden name first, with the same
rename — then a kill while writing can leave a partial hidden file.

Every writer in briefgen uses `write_atomically`: the build's outputs, email
drafts, new templates and the briefing file that `new-audience` edits.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import secrets
from pathlib import Path

TEMP_PREFIX = ".briefgen-partial-"


def temp_name_for(target: Path, owner: int | None = None) -> Path:
    """A fresh hidden name beside `target`. It starts with the owning process id, so a build clearing
    stale files (`build.remove_stale_partials`) leaves alone those of a build still running."""
    owner = os.getpid() if owner is None else owner
    return target.parent / f"{TEMP_PREFIX}{owner}-{secrets.token_hex(6)}{target.suffix}"


def write_atomically(target: Path, data: bytes, *, temp: Path | None = None, mode: int = 0o644) -> None:
    """Replace `target` with `data` in one step (see the module docstring). `temp` is the hidden name
    used on the way (the caller may choose it to remove it after an interrupt); `mode` the file's
    permissions. Raises OSError as the system reports it; the target is then unchanged."""
    target = Path(target)
    temp = temp if temp is not None else temp_name_for(target)
    if not _write_anonymous(target.parent, data, temp, mode):
        _write_named(data, temp, mode)
    try:
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _write_anonymous(folder: Path, data: bytes, temp: Path, mode: int) -> bool:
    """Write `data` to a nameless file in `folder`, then link it as `temp`. False if the system
    cannot (the caller falls back to a named file); OSError for real failures (disk full…)."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None:
        return False
    try:
        handle = os.open(folder, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), mode)
    except OSError as exc:
        if exc.errno in _UNSUPPORTED:
            return False
        raise
    try:
        _write_all(handle, data)
        os.fchmod(handle, mode)  # O_TMPFILE's mode is masked by the umask, as a named file's would be
        os.fsync(handle)
        if not _give_name(handle, temp):
            return False
    finally:
        os.close(handle)
    return True


def _give_name(handle: int, temp: Path) -> bool:
    """Link the anonymous file open as `handle` to the name `temp`; False if the system will not.

    linkat(fd, "", AT_EMPTY_PATH) first: allowed for a file its caller opened from Linux 6.10, and
    for root before. Then the older route through /proc/self/fd (AT_SYMLINK_FOLLOW), which some
    kernels and sandboxes refuse with EXDEV."""
    libc = _libc()
    if libc is not None:
        if libc.linkat(handle, b"", _AT_FDCWD, os.fsencode(temp), _AT_EMPTY_PATH) == 0:
            return True
        if ctypes.get_errno() not in _REFUSED:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(temp))
    try:
        os.link(f"/proc/self/fd/{handle}", temp, follow_symlinks=True)
    except OSError as exc:
        if exc.errno in _REFUSED:
            return False
        raise
    return True


@functools.lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.linkat  # noqa: B018 - present in glibc and musl; absent elsewhere
    except (OSError, AttributeError):
        return None
    return libc


_AT_FDCWD = -100
_AT_EMPTY_PATH = 0x1000
# Refusals that mean "not this way" (ENOENT: no AT_EMPTY_PATH support, or no /proc); anything else
# (disk full, read-only folder) is a real failure.
_REFUSED = {errno.ENOENT, errno.EPERM, errno.EXDEV, errno.EINVAL, errno.EACCES, errno.EOPNOTSUPP}

# EISDIR and EOPNOTSUPP: kernel or file system without O_TMPFILE; EINVAL: flag unknown.
_UNSUPPORTED = {errno.EISDIR, errno.EOPNOTSUPP, errno.EINVAL, errno.ENOTSUP}


def _write_named(data: bytes, temp: Path, mode: int) -> None:
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_CLOEXEC", 0), mode)
    try:
        _write_all(handle, data)
        os.fchmod(handle, mode)
        os.fsync(handle)
    except BaseException:
        os.close(handle)
        temp.unlink(missing_ok=True)
        raise
    os.close(handle)


def _write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view):]
