"""Hostile heuristic files (issue #18): each is one lint error for that file, never a
traceback, and the rest of the library still loads. The small files live in
``tests/fuzz-corpus/heuristics/`` (file stem = what it tries); big ones are built here."""

from __future__ import annotations

from pathlib import Path

import pytest
from triagebench.cli.main import main
from triagebench.heuristics import load_library
from triagebench.heuristics.format import load_file
from triagebench.heuristics.guards import permalink_problem, regex_problem
from triagebench.heuristics.when import WhenError, parse_when

from tests.test_heuristics_support import diagnostics_text, write_heuristic

CORPUS = Path(__file__).resolve().parent / "fuzz-corpus" / "heuristics"
EXPECTED = {
    "when-350-parens": ("when", "nest over"),
    "when-1000-nots": ("when", "limit"),
    "toml-500-deep": ("toml", "nested too deep"),
    "toml-40-deep": ("toml", "nested over"),
    "threshold-400-digits": ("signals.v.above", "out of range"),
    "threshold-string-400-digits": ("signals.v.below", "400 digits"),
    "threshold-nan": ("signals.v.above", "not a finite number"),
    "regex-nested-counted-repeat": ("signals.s.regex", "1,000,000 copies"),
    "regex-2000-branches": ("signals.s.regex", "2,000 alternatives"),
    "permalink-no-host": ("permalink", "no host"),
    "permalink-script": ("permalink", "'<'"),
    "permalink-zero-width": ("permalink", "U+200B"),
    "permalink-c1": ("permalink", "U+0085"),
    "permalink-bidi": ("permalink", "U+202E"),
    "permalink-userinfo": ("permalink", "user name"),
    "permalink-quote": ("permalink", "'\"'"),
    "permalink-paren": ("permalink", "closes nothing"),
}
GOOD = """
[signals.s]
in = ["dmesg -T"]
regex = 'Under-voltage detected'
"""


def test_every_corpus_file_is_covered() -> None:
    assert sorted(p.stem for p in CORPUS.glob("*.toml")) == sorted(EXPECTED)


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_hostile_file_is_one_lint_error(stem: str) -> None:
    heuristic, messages = load_file(CORPUS / f"{stem}.toml")
    assert heuristic is None
    key, fragment = EXPECTED[stem]
    errors = [str(m) for m in messages if m.level == "error"]
    assert any(f": {key}: " in m and fragment in m for m in errors), errors
    assert all("\n" not in m and "\x1b" not in m for m in errors)


def test_library_loads_around_every_bad_file(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    for path in CORPUS.glob("*.toml"):
        (folder / path.name).write_bytes(path.read_bytes())
    write_heuristic(folder, "good", GOOD)
    library = load_library([folder], builtin=False)
    assert [h.id for h in library] == ["good"]
    assert {Path(p.file).stem for p in library.problems} == set(EXPECTED)


def test_scan_cli_skips_bad_files_with_one_line_each(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    for stem in ("when-350-parens", "toml-500-deep", "threshold-400-digits"):
        (folder / f"{stem}.toml").write_bytes((CORPUS / f"{stem}.toml").read_bytes())
    write_heuristic(folder, "good", GOOD)
    sample = tmp_path / "d.txt"
    sample.write_text(diagnostics_text({"dmesg -T": ["[1.0] Under-voltage detected! (0x00050005)"]}))
    code = main(["scan", str(sample), "--heuristics", str(folder), "--no-builtin"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "good" in captured.out
    assert code in (0, 1)
    for stem in ("when-350-parens", "toml-500-deep", "threshold-400-digits"):
        assert sum(stem in line for line in captured.err.splitlines()) >= 1


def test_huge_alternation_is_refused_before_compiling(tmp_path: Path) -> None:
    words = "|".join(f"word{i}" for i in range(200_000))  # added 65 s to every scan
    assert "characters" in regex_problem(words)
    write_heuristic(tmp_path, "huge", f"[signals.s]\nin = ['dmesg -T']\nregex = '{words}'\n")
    heuristic, messages = load_file(tmp_path / "huge.toml")
    assert heuristic is None and "regex refused" in str(messages[0])


@pytest.mark.parametrize("pattern", [r"(?:\d{1,3}\.){3}\d{1,3}", r"x{2,100}", r"[{}]{3}",
                                     r"\{1000\}", r"(a|b|c){5}", r"a{,5}"])
def test_ordinary_patterns_pass(pattern: str) -> None:
    assert regex_problem(pattern) is None


@pytest.mark.parametrize("pattern", [r"(a{1000}){1000}", r"((a{100}){10}){20}",
                                     r"(?:(?:x{200}){200})", r"[a]{5}(b{20000})"])
def test_costly_repeats_refused(pattern: str) -> None:
    assert "copies" in regex_problem(pattern)


def test_when_limits() -> None:
    with pytest.raises(WhenError, match="nest over"):
        parse_when("not " * 40 + "a", ["a"])
    with pytest.raises(WhenError, match="words"):
        parse_when(" or ".join(["a"] * 600), ["a"])
    assert parse_when("not (" * 15 + "a" + ")" * 15, ["a"]) is not None


@pytest.mark.parametrize("url", [
    "https://github.com/balena-os/meta-balena/issues/1234#issuecomment-99",
    "https://en.wikipedia.org/wiki/Foo_(bar)", "http://192.168.1.1/x", "https://[2001:db8::1]/kb",
    "https://docs.balena.io/reference/OS/diagnostics/?x=1&y=%20z", "https://example.xn--p1ai/",
])
def test_good_permalinks(url: str) -> None:
    assert permalink_problem(url) is None


@pytest.mark.parametrize("url", [
    "https:///etc/passwd", "https://example.com/)<script>", "https://exa\u200bmple.com/",
    "https://example.com/a b", "https://example.com/'x'", "javascript:alert(1)",
    "https://localhost/x", "https://-bad-.com/", "https://example.com:99999/", "https://a..b/",
    "https://example.com/\x7f", "https://example.com/\ufeff", "file:///etc/passwd",
    "https://example.com/x\\y", "https://example.com/`x`", "https://example.com/(a",
])
def test_bad_permalinks(url: str) -> None:
    assert permalink_problem(url) is not None
