"""Loader and linter: every message is one line ``FILE: KEY: what is wrong``; bad files are skipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from triagebench.heuristics import load_library, run_examples
from triagebench.heuristics.format import load_file
from triagebench.heuristics.lint import lint, lint_heuristic

from tests.test_heuristics_support import write_heuristic

GOOD_SIGNAL = """
[signals.s]
in = ["dmesg -T"]
regex = 'Under-voltage detected'
"""


def messages(path: Path) -> list[str]:
    heuristic, found = load_file(path)
    assert heuristic is None, "expected the file to be rejected"
    return [str(m) for m in found]


def expect(path: Path, key: str, fragment: str) -> None:
    found = messages(path)
    wanted = [m for m in found if m.startswith(f"{path.name}: {key}: ") or
              m.split(": ", 2)[1:2] == [key]]
    assert any(fragment in m for m in wanted), found
    assert all("\n" not in m for m in found)


def test_good_file_loads(tmp_path: Path) -> None:
    path = write_heuristic(tmp_path, "good", GOOD_SIGNAL)
    heuristic, found = load_file(path)
    assert heuristic is not None and found == []
    assert heuristic.when == "s" and heuristic.source.endswith("good.toml")


def test_invalid_toml_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('id = "broken"\ntitle = "x\n', encoding="utf-8")
    (message,) = messages(path)
    assert "broken.toml: toml: invalid TOML:" in message and "line 2" in message and "column" in message


def test_top_level_key_after_a_table_is_detected(tmp_path: Path) -> None:
    path = write_heuristic(tmp_path, "late", GOOD_SIGNAL + 'severity = "high"\n', extra_top="")
    text = path.read_text().replace('severity = "high"\n', "", 1)
    path.write_text(text)
    found = messages(path)
    assert any("signals.s.severity: key 'severity' is inside [signals.s]: move it above the first [table]"
               in m for m in found), found
    assert not any("severity: required key is missing" in m for m in found)


def test_top_level_key_after_examples(tmp_path: Path) -> None:
    body = GOOD_SIGNAL + '[[examples]]\nmatches = true\n[examples.sections]\n"dmesg -T" = ["x"]\nwhen = "s"\n'
    path = write_heuristic(tmp_path, "late2", body)
    expect(path, "examples[1].sections.when", "key 'when' is inside [examples.sections]")


@pytest.mark.parametrize(("body", "key", "fragment"), [
    ('colour = "red"\n' + GOOD_SIGNAL, "colour", "unknown key"),
    (GOOD_SIGNAL + "flags = 'i'\n", "signals.s.flags", "unknown key"),
    ('when = "s and t"\n' + GOOD_SIGNAL, "when", "unknown signal 't'"),
    ('when = "s"\n' + GOOD_SIGNAL + "[signals.t]\nregex = 'x'\n", "signals.t", "defined but not used"),
    ('when = "(s"\n' + GOOD_SIGNAL, "when", "missing ')'"),
    ("[signals.s]\nin = ['dmesg -T']\n", "signals.s", "needs exactly one of regex / fact / extract (has none)"),
    ("[signals.s]\nregex = 'a'\nfact = 'os.version'\nbelow = '2'\n", "signals.s",
     "has regex and fact"),
    ("[signals.s]\nregex = '(unclosed'\n", "signals.s.regex", "regex does not compile"),
    ("[signals.s]\nfact = 'os.version'\n", "signals.s", "needs a comparator"),
    ("[signals.s]\nextract = 'v(\\d+)'\n", "signals.s", "needs a comparator"),
    ("[signals.s]\nextract = 'v\\d+'\nabove = 1\n", "signals.s.extract", "needs a capture group"),
    ("[signals.s]\nregex = 'x'\nbelow = '2.0'\n", "signals.s.below", "comparators need fact or extract"),
    ("[signals.s]\nfact = 'os.verison'\nbelow = '2.0'\n", "signals.s.fact", "unknown fact 'os.verison'"),
    ("[signals.s]\nfact = 'os.version'\nbelow = 'soon'\n", "signals.s.below", "is not a version or a number"),
    ("[signals.s]\nfact = 'os.version'\nin = ['x']\nbelow = '2'\n", "signals.s.in", "remove it"),
    ("[signals.s]\nfact = 'os.version'\nmatches = '('\n", "signals.s.matches", "does not compile"),
    ("[signals.s]\nregex = 'x'\nstream = 'both'\n", "signals.s.stream", "must be one of stdout, stderr, any"),
    ("[signals.s]\nregex = 'x'\nmin_count = 0\n", "signals.s.min_count", "whole number >= 1"),
    ("[signals.s]\nregex = 'x'\nabsent = 'yes'\n", "signals.s.absent", "true or false"),
    ("[signals.s]\nregex = 'x'\nin = ['category:NETWRK']\n", "signals.s.in", "unknown category 'NETWRK'"),
    ("[signals.s]\nregex = 'x'\nin = []\n", "signals.s.in", "non-empty list"),
    ("[signals.s]\nfact = 'os.version'\nbelow = '2'\nmin_count = 2\n", "signals.s.min_count",
     "only a regex signal"),
    ('fixed_in = "someday"\n' + GOOD_SIGNAL, "fixed_in", "is not a version string"),
    (GOOD_SIGNAL + "[[examples]]\nfacts = { 'os.version' = '2.0' }\n", "examples[1].matches", "required"),
    (GOOD_SIGNAL + "[[examples]]\nmatches = true\n", "examples[1]", "needs sections, stderr or facts"),
    (GOOD_SIGNAL + "[[examples]]\nmatches = true\nfacts = { 'os.vers' = '2' }\n", "examples[1].facts",
     "unknown fact"),
    (GOOD_SIGNAL + "[[examples]]\nmatches = true\nexpect = 'match'\nfacts = { 'os.version' = '2' }\n",
     "examples[1].expect", "unknown key"),
])
def test_each_message(tmp_path: Path, body: str, key: str, fragment: str) -> None:
    expect(write_heuristic(tmp_path, "h", body), key, fragment)


@pytest.mark.parametrize(("field", "value", "fragment"), [
    ("severity", "urgent", "is not one of critical, high, medium, low, info"),
    ("permalink", "javascript:alert(1)", "must be an http(s) URL"),
    ("permalink", "ftp://example.com/x", "must be an http(s) URL"),
    ("id", "other-name", "must equal the file name stem 'h'"),
    ("title", "", "must not be empty"),
])
def test_top_level_values(tmp_path: Path, field: str, value: str, fragment: str) -> None:
    path = write_heuristic(tmp_path, "h", GOOD_SIGNAL)
    lines = [f'{field} = "{value}"' if line.startswith(f"{field} = ") else line
             for line in path.read_text().splitlines()]
    path.write_text("\n".join(lines) + "\n")
    expect(path, field, fragment)


def test_missing_required_keys(tmp_path: Path) -> None:
    path = tmp_path / "bare.toml"
    path.write_text('id = "bare"\n' + GOOD_SIGNAL)
    found = messages(path)
    for key in ("title", "severity", "permalink", "description"):
        assert f"{path}: {key}: required key is missing" in found


def test_bad_file_is_skipped_rest_load_and_duplicates_reported(tmp_path: Path) -> None:
    write_heuristic(tmp_path / "a", "good", GOOD_SIGNAL)
    write_heuristic(tmp_path / "a", "bad", "[signals.s]\nregex = '('\n")
    write_heuristic(tmp_path / "b", "good", GOOD_SIGNAL)
    library = load_library([tmp_path / "a", tmp_path / "b"], builtin=False)
    assert [h.id for h in library.heuristics] == ["good"]
    problems = [str(p) for p in library.problems]
    assert any("bad.toml: signals.s.regex: regex does not compile" in p for p in problems)
    assert any("good.toml: id: duplicate id 'good'" in p for p in problems)


def test_drafts_are_marked(tmp_path: Path) -> None:
    write_heuristic(tmp_path / "drafts", "mine", GOOD_SIGNAL)
    library = load_library(builtin=False, drafts=[tmp_path / "drafts"])
    assert [(h.id, h.draft) for h in library.heuristics] == [("mine", True)]


def test_redos_lint(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "nested", "[signals.s]\nin = ['dmesg -T']\nregex = '(foo+)+bar'\n")
    write_heuristic(tmp_path, "explodes", "[signals.s]\nin = ['dmesg -T']\nregex = '^(a|aa)*$'\n")
    found = [str(m) for m in lint([tmp_path])]
    assert any(m.startswith(f"{tmp_path / 'explodes.toml'}: signals.s.regex: catastrophic backtracking")
               for m in found), found
    assert any(m.startswith(f"{tmp_path / 'nested.toml'}: signals.s.regex: warning: a repeated group "
                            "contains another") for m in found), found


def test_selector_matching_no_sample_section_is_a_warning(tmp_path: Path) -> None:
    path = write_heuristic(tmp_path, "typo", "[signals.s]\nin = ['dmseg -T', 'dmesg*']\nregex = 'x'\n")
    heuristic, _ = load_file(path)
    found = [str(m) for m in lint_heuristic(heuristic, [("dmesg -T", "HARDWARE")])]
    assert found == [f"{path}: signals.s.in: warning: selector 'dmseg -T' matches no section in "
                     "the bundled samples"]


def test_examples_run_and_failures_name_file_and_number(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "uv", GOOD_SIGNAL + """
[[examples]]
matches = true
[examples.sections]
"dmesg -T" = ['[Fri Apr 29 13:35:04 2022] Under-voltage detected! (0x00050005)']

[[examples]]
name = "wrong on purpose"
matches = true
[examples.sections]
"dmesg -T" = ['all fine']

[[examples]]
matches = false
[examples.sections]
"uname -a" = ['Under-voltage detected in another section']
""")
    results = run_examples(load_library([tmp_path], builtin=False))
    assert [r.passed for r in results] == [True, False, True]
    assert results[1].describe() == (f"{tmp_path / 'uv.toml'}: examples[2] (wrong on purpose): expected match, "
                                     "but it did not match")


def test_examples_facts_stderr_and_categories(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "combo", """
when = "err and old and net"
[signals.err]
in = ["df -h"]
stream = "stderr"
regex = 'Permission denied'
[signals.old]
fact = "os.version"
below = "2.98.4"
[signals.net]
in = ["category:NETWORK"]
regex = 'packet loss'

[[examples]]
matches = true
facts = { "os.version" = "2.87.16+rev1" }
[examples.sections]
"echo === NETWORK ===" = ["=== NETWORK ==="]
"ping -c 1 google.co.uk" = ["100% packet loss"]
[examples.stderr]
"df -h" = ["df: /x: Permission denied"]

[[examples]]
matches = false
facts = { "os.version" = "2.87.16+rev1" }
[examples.sections]
"ping -c 1 google.co.uk" = ["100% packet loss"]
[examples.stderr]
"df -h" = ["df: /x: Permission denied"]
""")
    results = run_examples(load_library([tmp_path], builtin=False))
    assert [r.passed for r in results] == [True, True]
