"""Template folders: the user's folder and the shipped one → the folders to search, and the audiences.

In: the user's template folder (or None). Out: `template_dirs` (the user's folder first, then the
shipped one) and `available_audiences` (every NAME.html.j2 that is a regular file inside its folder,
with a name of lower-case letters, digits and hyphens). No Jinja here: listing audiences is cheap.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from .errors import BriefgenError, display_path
from .shipped import TEMPLATES as SHIPPED_TEMPLATES

AUDIENCE_SUFFIX = ".html.j2"
AUDIENCE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
NOT_AUDIENCES = {"base"}

__all__ = ["AUDIENCE_NAME", "AUDIENCE_SUFFIX", "NOT_AUDIENCES", "SHIPPED_TEMPLATES", "available_audiences",
           "entry_is_safe", "template_dirs"]


def entry_is_safe(folder: Path, name: str) -> bool:
    """`folder/name` is a regular file whose real path is inside `folder`."""
    path = folder / name
    try:
        real = path.resolve(strict=True)
        return real.is_relative_to(folder.resolve()) and stat.S_ISREG(os.stat(real).st_mode)
    except (OSError, RuntimeError):
        return False


def template_dirs(user_dir: Path | None) -> list[Path]:
    """The folders templates are looked up in: the user's (which must exist), then the shipped one."""
    dirs = []
    if user_dir is not None:
        if not user_dir.is_dir():
            raise BriefgenError(f"{display_path(user_dir)}: templates folder not found")
        dirs.append(user_dir)
    dirs.append(SHIPPED_TEMPLATES)
    return dirs


def available_audiences(user_dir: Path | None = None) -> list[str]:
    """Every audience template (``NAME.html.j2``) in the user's folder or the shipped one; a link out of
    the folder, or anything but a regular file, is not an audience."""
    names = set()
    for folder in template_dirs(user_dir):
        for path in folder.glob(f"*{AUDIENCE_SUFFIX}"):
            if not entry_is_safe(folder, path.name):
                continue
            name = path.name[: -len(AUDIENCE_SUFFIX)]
            # An audience name is lower-case letters, digits and hyphens, as in the facts' `audiences`: it
            # goes into output file names, so "a b", "a+b" and "a-b" can never map to the same file.
            if name not in NOT_AUDIENCES and AUDIENCE_NAME.fullmatch(name):
                names.add(name)
    return sorted(names)
