"""Source integrity: the seed manifest and the files it lists → each source's status and the problems `check` reports.

In: the seeds folder (its `index.yaml` and the files `add-source` wrote: the text
quotes are checked against, and the original under ``originals/``). Out: the
SHA-256 of a file (`sha256`), each seed's status for `briefgen sources`
(`seed_status`), the problems `check` reports for a text or original that changed
since it was added (`integrity_problems`, called from sources.py), and the
manifest rewritten to accept such a change (`accepted_manifest`).

A seed listed by hand has no recorded hash and is not checked: its status says so.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

from .errors import BriefgenError, Problem, display_path
from .model import Seed

OK = "ok"
NOT_RECORDED = "no hash recorded (listed by hand): not checked"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hash_of(path: Path) -> str | None:
    try:
        return sha256(path.read_bytes()) if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


def seed_status(seed: Seed, seeds_dir: Path) -> str:
    """"ok", what changed ("text changed since it was added", "original missing", …), or that nothing is recorded."""
    if seed.sha256_text is None and seed.sha256_original is None:
        return NOT_RECORDED
    found = []
    if seed.sha256_text is not None:
        now = _hash_of(seeds_dir / seed.file)
        if now is None:
            found.append("text missing")
        elif now != seed.sha256_text:
            found.append("text changed since it was added")
    if seed.original is not None and seed.sha256_original is not None:
        now = _hash_of(seeds_dir / seed.original)
        if now is None:
            found.append(f"original missing ({seed.original})")
        elif now != seed.sha256_original:
            found.append(f"original replaced ({seed.original})")
    return "; ".join(found) or OK


def integrity_problems(seeds: Sequence[Seed], seeds_dir: Path) -> list[Problem]:
    """One error per seed whose text or original differs from what `add-source` recorded."""
    problems = []
    for seed in seeds:
        status = seed_status(seed, seeds_dir)
        if status in (OK, NOT_RECORDED):
            continue
        what = "changed since it was added" if status.startswith("text changed") else status
        problems.append(Problem(display_path(seeds_dir / seed.file),
                                message=f"{what}; re-run add-source or accept with: briefgen sources "
                                        f"--accept {seed.id}"))
    return problems


def load_manifest(seeds_dir: Path) -> list[Seed]:
    """The seeds listed in `seeds_dir/index.yaml` (none when there is no manifest yet). Raises BriefgenError."""
    from .facts import load_yaml
    from .loading import validate_file
    from .model import SeedManifest

    path = seeds_dir / "index.yaml"
    if not path.exists():
        return []
    manifest, problems = validate_file(load_yaml(path, seeds_dir), SeedManifest)
    if manifest is None or problems:
        raise BriefgenError(problems or [Problem(display_path(path), message="cannot read the seed manifest")])
    return manifest.seeds


def accepted_manifest(seeds_dir: Path, seed_id: str) -> tuple[bytes, list[str]]:
    """The manifest with seed `seed_id`'s hashes set to its files' current ones, and what was accepted."""
    seeds = {seed.id: seed for seed in load_manifest(seeds_dir)}
    seed = seeds.get(seed_id)
    if seed is None:
        from .suggest import did_you_mean

        raise BriefgenError(f"{display_path(seeds_dir / 'index.yaml')}: no source with id '{seed_id}'"
                            f"{did_you_mean(seed_id, seeds)}")
    text = (seeds_dir / "index.yaml").read_text(encoding="utf-8")
    accepted = []
    for key, recorded, file in (("sha256_text", seed.sha256_text, seed.file),
                                ("sha256_original", seed.sha256_original, seed.original)):
        if recorded is None or file is None:
            continue
        now = _hash_of(seeds_dir / file)
        if now is None:
            raise BriefgenError(f"{display_path(seeds_dir / file)}: missing; re-run add-source for '{seed_id}'")
        if now != recorded:
            text, count = re.subn(rf"(\b{key}:\s*['\"]?){recorded}", rf"\g<1>{now}", text)
            if count != 1:
                raise BriefgenError(f"{display_path(seeds_dir / 'index.yaml')}: cannot find {key} {recorded} "
                                    f"of '{seed_id}' to update; edit it by hand")
            accepted.append(display_path(seeds_dir / file))
    if seed.sha256_text is None and seed.sha256_original is None:
        raise BriefgenError(f"'{seed_id}' has no recorded hash (listed by hand): there is nothing to accept")
    return text.encode("utf-8"), accepted
