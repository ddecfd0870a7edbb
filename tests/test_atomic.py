"""atomic.write_atomically: the target is replaced in one step, by a new file, and nothing else is left.

A reader that has the old file open keeps reading the old, complete contents (the new contents are a
new file, renamed over the name); a failure part-way leaves the target as it was and no other file.
Both ways of writing are checked: the nameless O_TMPFILE file and the named fallback.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from briefgen import atomic
from briefgen.atomic import TEMP_PREFIX, write_atomically


@pytest.fixture(params=["nameless", "named"])
def way(request, monkeypatch):
    if request.param == "named":
        monkeypatch.setattr(atomic, "_write_anonymous", lambda *args: False)
    else:
        assert hasattr(os, "O_TMPFILE"), "Linux has O_TMPFILE"
    return request.param


def test_replaces_the_target_with_a_new_file(tmp_path, way):
    target = tmp_path / "brief.pdf"
    target.write_bytes(b"old contents")
    with target.open("rb") as reader:
        write_atomically(target, b"new contents")
        assert reader.read() == b"old contents"  # an in-place rewrite would show the new bytes here
    assert target.read_bytes() == b"new contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.pdf"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_new_file_and_its_mode(tmp_path, way):
    target = tmp_path / "draft.eml"
    write_atomically(target, b"x" * 300_000, mode=0o600)
    assert target.read_bytes() == b"x" * 300_000
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.eml"]


def test_a_failure_part_way_leaves_the_target_and_nothing_else(tmp_path, way, monkeypatch):
    target = tmp_path / "brief.docx"
    target.write_bytes(b"old contents")

    def disk_full(handle, data):
        os.write(handle, data[:3])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic, "_write_all", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, b"new contents")
    assert target.read_bytes() == b"old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.docx"]


def test_the_temporary_name_is_the_callers_and_names_this_process(tmp_path):
    name = atomic.temp_name_for(tmp_path / "a.html")
    assert name.parent == tmp_path and name.suffix == ".html"
    assert name.name.startswith(f"{TEMP_PREFIX}{os.getpid()}-")
    assert atomic.temp_name_for(tmp_path / "a.html") != name


def test_the_nameless_way_is_taken_on_linux(tmp_path, monkeypatch):
    """While the bytes are written, the folder holds no file for them at all."""
    seen: list[list[str]] = []
    real = atomic._write_all

    def watching(handle, data):
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        real(handle, data)

    monkeypatch.setattr(atomic, "_write_all", watching)
    write_atomically(tmp_path / "a.pdf", b"contents")
    assert seen == [[]]
    assert (tmp_path / "a.pdf").read_bytes() == b"contents"


def test_a_read_only_folder_is_an_os_error_and_leaves_nothing(tmp_path, way):
    if os.geteuid() == 0:
        folder = Path("/proc/self")  # root ignores permissions; /proc refuses new files to anyone
        with pytest.raises(OSError):
            write_atomically(folder / "x.pdf", b"contents")
        return
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(PermissionError):
            write_atomically(tmp_path / "x.pdf", b"contents")
        assert list(tmp_path.iterdir()) == []
    finally:
        tmp_path.chmod(0o700)
