"""The closest-passage search for a quote not found in its seed is bounded in time.

It used to compare the quote with every window of the seed character by character (75-93 s of CPU
for a 1,999-character quote against a 4 KB seed); now it is linear in the seed with a time budget.
"""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

from conftest import CASES, run_cli

WORDS = ["border", "agency", "officers", "centre", "cooperation", "funding", "police", "french", "british", "joint",
         "patrols", "migrants", "channel", "ports", "security", "agreement", "minister", "announced", "investment",
         "million", "pounds", "euros", "year"]


def seed_text(size: int = 4096) -> str:
    rng = random.Random(7)
    words = []
    while len(" ".join(words)) < size - 20:
        words.append(rng.choice(WORDS))
    return " ".join(words)[: size - 1] + "\n"


def project_with(tmp_path: Path, quotes: list[str]) -> Path:
    project = tmp_path / "project"
    shutil.copytree(CASES / "good" / "facts", project / "facts")
    (project / "seeds").mkdir()
    (project / "seeds" / "index.yaml").write_text(
        (CASES / "_seeds" / "index.yaml").read_text(encoding="utf-8")
        + "  - id: long\n    file: long.txt\n    title: Long\n    kind: other\n    publisher: Home Office\n"
          "    published: 2020-03-03\n", encoding="utf-8")
    shutil.copy(CASES / "_seeds" / "centre-2020.txt", project / "seeds")
    (project / "seeds" / "long.txt").write_text(seed_text(), encoding="utf-8")
    lines = ["glossary:"]
    for index, quote in enumerate(quotes):
        lines += [f"  - term: T{index}", "    definition: d", "    sources:", "      - seed: long",
                  f"        quote: \"{quote}\""]
    (project / "facts" / "quotes.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return project


def long_quote(seed: int) -> str:
    rng = random.Random(seed)
    words = []
    while len(" ".join(words)) < 1999:
        words.append(rng.choice(WORDS) + rng.choice("xyz"))
    return " ".join(words)[:1999].rstrip()


def test_a_1999_character_quote_against_a_4_kb_seed(tmp_path):
    quote = long_quote(1)
    assert len(quote) >= 1990
    project = project_with(tmp_path, [quote])
    (project / "facts" / "quotes.yaml").read_text()
    started = time.monotonic()
    result = run_cli("check", cwd=project, timeout=60)
    elapsed = time.monotonic() - started
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if "quote not found" in line]
    assert errors == ["facts/quotes.yaml:6:9: glossary[0].sources[0].quote: quote not found in seed 'long' "
                      "(seeds/long.txt)"]
    assert elapsed < 2 + 3, elapsed  # 2 s for the search, the rest for starting Python and the check


def test_a_near_miss_long_quote_still_shows_its_passage(tmp_path):
    seed = seed_text()
    words = seed.split()[:200]
    words[100] = "elephant"
    quote = " ".join(words)
    project = project_with(tmp_path, [quote])
    result = run_cli("check", cwd=project, timeout=60)
    errors = [line for line in result.stderr.splitlines() if "quote not found" in line]
    passage = " ".join(seed.split()[:200])
    # 199 of the 200 words match: a ratio of 0.995, shown as 100%.
    assert errors == ["facts/quotes.yaml:6:9: glossary[0].sources[0].quote: quote not found in seed 'long' "
                      f"(seeds/long.txt); closest passage (100% alike): \"{passage}\""]


def test_a_thousand_long_quotes_in_one_fact_file(tmp_path):
    project = project_with(tmp_path, [long_quote(n) for n in range(1000)])
    started = time.monotonic()
    result = run_cli("check", cwd=project, timeout=120)
    elapsed = time.monotonic() - started
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "quote not found" in line]
    assert len(errors) == 1000
    assert errors[0] == ("facts/quotes.yaml:6:9: glossary[0].sources[0].quote: quote not found in seed 'long' "
                         "(seeds/long.txt)")
    assert elapsed < 20, elapsed
