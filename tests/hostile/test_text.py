"""Text hygiene at the model boundary: control, invisible and reordering characters in fact text are
located errors (file:line:col: field: message, exit 1), U+2029 becomes a blank line, numbers too large
to format are errors, and nothing a user wrote reaches the terminal unescaped from model.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefgen.facts import LoadedFile
from briefgen.loading import _inner_model, load_fact_base, validate_file
from briefgen.model import FactFile, printable, text_problem

from conftest import CASES, run_cli

EVENT = """events:
  - id: {id}
    date: 2020-01
    title: {title}
    summary: {summary}
    sources:
      - seed: centre-2020
        quote: which became operational in January 2020
"""


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copytree(CASES / "good", tmp_path / "good")
    shutil.copytree(CASES / "_seeds", tmp_path / "_seeds")
    return tmp_path / "good"


def write(project: Path, text: str, name: str = "extra.yaml") -> Path:
    path = project / "facts" / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(project: Path) -> list[str]:
    _, found = load_fact_base(project / "facts", project.parent / "_seeds")
    return [str(p) for p in found]


def event(**fields) -> str:
    values = {"id": "extra-event", "title": "A title", "summary": "A summary."}
    values.update(fields)
    return EVENT.format(**values)


# --------------------------------------------------------------------------- each class of character

REFUSED = [
    ("\\x01", "U+0001", "a control character", "remove it"),
    ("\\x1b", "U+001B", "a control character", "remove it"),
    ("\\x7f", "U+007F", "a control character", "remove it"),
    ("\\x85", "U+0085", "a control character", "remove it"),
    ("\\x9b", "U+009B", "a control character", "remove it"),
    ("\\r", "U+000D", "a control character", "remove it"),
    ("\\u2028", "U+2028", "a line separator", "write a line break (a new line) instead"),
    ("\\ufffe", "U+FFFE", "a noncharacter", "remove it"),
    ("\\uffff", "U+FFFF", "a noncharacter", "remove it"),
    ("\\ufdd0", "U+FDD0", "a noncharacter", "remove it"),
    ("\\U0001FFFF", "U+1FFFF", "a noncharacter", "remove it"),
    ("\\ud800", "U+D800", "half of a character (a surrogate)",
     "write the character itself, or an escape of eight digits such as \\U0001F600"),
    ("\\u202e", "U+202E", "a bidirectional control",
     "remove it (it can make text display in a different order from how it is stored)"),
    ("\\u2066", "U+2066", "a bidirectional control",
     "remove it (it can make text display in a different order from how it is stored)"),
    ("\\u200b", "U+200B", "an invisible zero-width character", "remove it"),
    ("\\u2060", "U+2060", "an invisible zero-width character", "remove it"),
    ("\\ufeff", "U+FEFF", "an invisible zero-width character", "remove it"),
]


@pytest.mark.parametrize("escape, code, what, advice", REFUSED, ids=[r[1] for r in REFUSED])
def test_refused_in_free_text(project, monkeypatch, escape, code, what, advice):
    monkeypatch.chdir(project)
    # Written as a YAML double-quoted escape, so the file itself is plain text the reader accepts.
    write(project, event(summary=f'"Before{escape}after."'))
    assert problems(project) == [
        f"facts/extra.yaml:5:5: events[0].summary: contains {what} ({code}) at character 7; {advice}"]


@pytest.mark.parametrize("field, line", [("title", 4), ("id", 2)])
@pytest.mark.parametrize("escape, code, what", [("\\u200d", "U+200D", "an invisible zero-width character"),
                                                ("\\u200c", "U+200C", "an invisible zero-width character"),
                                                ("\\u202a", "U+202A", "a bidirectional control")])
def test_joiners_and_bidi_are_errors_in_titles_and_identifiers(project, monkeypatch, field, line, escape, code,
                                                               what):
    monkeypatch.chdir(project)
    value = f'"x{escape}y"'
    write(project, event(**{field: value}))
    found = problems(project)
    assert len(found) == 1 and found[0].startswith(
        f"facts/extra.yaml:{line}:5: events[0].{field}: contains {what} ({code}) at character 2; "), found


def test_joiners_are_accepted_in_running_text(project, monkeypatch):
    monkeypatch.chdir(project)
    write(project, event(summary='"The Minister met \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 officials; '
                                 'a family emoji \U0001F468\u200d\U0001F469."'))
    assert problems(project) == []


@pytest.mark.parametrize("field", ["title", "subject", "protective_marking", "owner"])
def test_briefing_fields(project, monkeypatch, field):
    monkeypatch.chdir(project)
    path = project / "facts" / "briefing.yaml"
    text = path.read_text(encoding="utf-8")
    if f"  {field}:" in text:
        text = "\n".join(line for line in text.splitlines() if not line.startswith(f"  {field}:")) + "\n"
    path.write_text(text.replace("briefing:\n", f'briefing:\n  {field}: "OFFICIAL\\u202eLAICIFFO"\n'),
                    encoding="utf-8")
    assert problems(project) == [
        f"facts/briefing.yaml:2:3: briefing.{field}: contains a bidirectional control (U+202E) at character 9; "
        "remove it (it can make text display in a different order from how it is stored)"]


def test_paragraph_separator_becomes_a_blank_line(project, monkeypatch):
    monkeypatch.chdir(project)
    write(project, event(summary='"First paragraph.\\u2029Second paragraph."'))
    base, found = load_fact_base(project / "facts", project.parent / "_seeds")
    assert found == []
    summary = next(e for e in base.events if e.id == "extra-event").summary
    assert summary == "First paragraph.\n\nSecond paragraph."


def test_tab_and_newline_are_text(project, monkeypatch):
    monkeypatch.chdir(project)
    write(project, event(summary='"Tab\\there.\\nNew line."'))
    assert problems(project) == []


def test_key_with_a_control_character_is_reported_escaped(project, monkeypatch):
    monkeypatch.chdir(project)
    write(project, event().replace("    title:", '    "ti\\x1btle": x\n    title:'))
    found = problems(project)
    assert found == ["facts/extra.yaml:2:5: events[0]: the key 'ti\\u001btle' contains a control character "
                     "(U+001B) at character 3; remove it"]
    assert all("\x1b" not in p for p in found)


def test_seed_manifest_is_checked_too(project, monkeypatch):
    monkeypatch.chdir(project)
    manifest = project.parent / "_seeds" / "index.yaml"
    text = manifest.read_text(encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.strip().startswith("title:"))
    column = text.splitlines()[line - 1].index("title:") + 1
    title = text.splitlines()[line - 1].split("title:", 1)[1].strip()
    manifest.write_text(text.replace(f"title: {title}", 'title: "Centre\\u2028report"', 1), encoding="utf-8")
    assert problems(project) == [f"../_seeds/index.yaml:{line}:{column}: seeds[0].title: contains a line separator "
                                 "(U+2028) at character 7; write a line break (a new line) instead"]


# --------------------------------------------------------------------------- through the command line


def test_cli_message_and_exit_status(project):
    write(project, event(title='"Joint \\u202ecentre"'))
    result = run_cli("check", "--seeds", "../_seeds", cwd=project)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ("facts/extra.yaml:4:5: events[0].title: contains a bidirectional control (U+202E) at "
                             "character 7; remove it (it can make text display in a different order from how it "
                             "is stored)\nfailed: 1 error\n")


@pytest.mark.parametrize("raw, code, line, column", [(b"\x00", "0000", 4, 16), (b"\x1b", "001B", 4, 16)])
def test_raw_control_byte_in_a_fact_file_is_a_located_error(project, raw, code, line, column):
    (project / "facts" / "extra.yaml").write_bytes(event().replace("A title", "A ti\0tle").encode().replace(b"\0", raw))
    result = run_cli("check", "--seeds", "../_seeds", cwd=project)
    assert result.returncode == 1, result.stderr
    assert result.stderr == (f"facts/extra.yaml:{line}:{column}: contains a control character (U+{code}); fact files "
                             "hold text, tabs and line breaks only\nfailed: 1 error\n")


HUGE = [("1e100000000", "'1e100000000' is too large; numbers must be below 10^13 (10,000,000,000,000)"),
        ("1" + "0" * 10000, "'" + "1" + "0" * 98 + "\u2026' is 10,001 characters long; a number needs at most 64"),
        ("10000000000000", "'10000000000000' is too large; numbers must be below 10^13 (10,000,000,000,000)"),
        ("1e-100000000", "'1e-100000000' has more than 6 decimal places"),
        ("NaN", "'NaN' is not a finite number")]


@pytest.mark.parametrize("number, message", HUGE, ids=["1e100000000", "10**10000", "10**13", "tiny", "nan"])
def test_huge_numbers_are_clean_errors(project, number, message):
    path = project / "facts" / "events.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('amount: "10000000"', f'amount: "{number}"').replace('value: "40"',
                                                                                      f'value: "{number}"'))
    result = run_cli("check", "--seeds", "../_seeds", cwd=project)
    assert result.returncode == 1, result.stderr
    assert result.stderr == (f"facts/events.yaml:22:5: funding[0].amount: {message}\n"
                             f"facts/events.yaml:34:5: figures[0].value: {message}\nfailed: 2 errors\n")


def test_largest_allowed_number_formats(project):
    path = project / "facts" / "events.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('value: "40"', 'value: "9999999999999.999999"'))
    result = run_cli("check", "--seeds", "../_seeds", cwd=project)
    assert result.returncode == 1  # the value is not in its quote; what matters is that it is not exit 3
    assert "figures[0].value: 9,999,999,999,999.999999 does not appear in the quoted source text" in result.stderr


@pytest.mark.parametrize("name", ["Press", "press office", "-press", "pr\u00e9ss", "press\u200b", "../press"])
def test_audience_names(project, monkeypatch, name):
    monkeypatch.chdir(project)
    path = project / "facts" / "briefing.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("briefing:\n", f'briefing:\n  audiences: ["{name}"]\n'))
    found = problems(project)
    assert len(found) == 1 and found[0].startswith("facts/briefing.yaml:2:15: briefing.audiences[0]: "), found
    assert all(ch.isprintable() for ch in found[0])


# --------------------------------------------------------------------------- the helpers


def test_printable_escapes_everything_a_terminal_acts_on():
    assert printable("a\x1b[31mred\x9b\u202eb\u200bc\u2028d\u2029e\tf\ng") == \
        "a\\u001b[31mred\\u009b\\u202eb\\u200bc\\u2028d\\u2029e\tf\ng"
    assert printable("plain text, caf\u00e9") == "plain text, caf\u00e9"


SECTIONS = [(name, field.annotation) for name, field in FactFile.model_fields.items() if name != "briefing"]


@pytest.mark.parametrize("section", [name for name, _ in SECTIONS])
def test_every_field_of_every_section_is_checked(section):
    """The check runs on the raw data, before the model: every field of every fact, a new one too, is covered."""
    model = _inner_model(dict(SECTIONS)[section])
    fields = [field.alias or name for name, field in model.model_fields.items()]
    assert len(fields) >= 3
    for field in fields:
        loaded = LoadedFile(Path("f.yaml"), {section: [{field: "x\u202ey"}]})
        model_or_none, found = validate_file(loaded, FactFile)
        assert model_or_none is None
        assert [(p.field_path, p.message) for p in found if "U+" in p.message] == [
            (f"{section}[0].{field}", "contains a bidirectional control (U+202E) at character 2; remove it (it can "
                                      "make text display in a different order from how it is stored)")], field


def test_joiners_are_refused_only_where_a_name_is_matched():
    assert text_problem("ok\u200dok") is None
    assert text_problem("ok\u200dok", strict=True) == "contains an invisible zero-width character (U+200D) at " \
                                                       "character 3; remove it"
    for field in ("title", "id", "currency", "seed"):
        loaded = LoadedFile(Path("f.yaml"), {"events": [{field: "a\u200db"}]})
        assert [p.field_path for p in validate_file(loaded, FactFile)[1] if "U+200D" in p.message] == \
            [f"events[0].{field}"]
    for field in ("summary", "purpose", "definition"):
        loaded = LoadedFile(Path("f.yaml"), {"events": [{field: "a\u200db"}]})
        assert not [p for p in validate_file(loaded, FactFile)[1] if "U+200D" in p.message]
