"""``triage draft FILE --lines A-B``: the saved draft lints, its examples pass, it matches FILE."""

from __future__ import annotations

from pathlib import Path

import pytest
from triagebench.cli.main import main
from triagebench.heuristics import load_file
from triagebench.heuristics.evaluate import evaluate
from triagebench.parser import parse_file

from tests.test_drafts_fixture import DMESG, line_of, lines_of, make_document, write_file


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["draft", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_draft_saves_a_file_that_lints_tests_and_matches_its_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_file(tmp_path)
    doc = parse_file(str(source))
    first, last = lines_of(doc, "transferring data")
    out_dir = tmp_path / "drafts"
    code, out, err = _run(capsys, str(source), "--lines", f"{first}-{last}", "--severity", "high",
                          "--out", str(out_dir))
    assert code == 0, err
    path = Path(out.strip())
    assert path.parent == out_dir and path.suffix == ".toml"
    assert "placeholder" in err  # the permalink note
    assert f"matches 2 line(s) in {source}" in err
    # the same linter and example runner as `triage heuristics lint|test`
    assert main(["heuristics", "lint", str(out_dir)]) == 0
    assert main(["heuristics", "test", str(out_dir)]) == 0
    capsys.readouterr()
    heuristic, messages = load_file(path, draft=True)
    assert heuristic is not None and heuristic.severity == "high"
    findings = evaluate(doc, [heuristic])
    assert len(findings.matches) == 1
    evidence = [e.line for e in findings.matches[0].evidence]
    assert first in evidence and last in evidence


def test_second_draft_with_the_same_id_is_refused_with_a_free_id(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_file(tmp_path)
    n = line_of(parse_file(str(source)), "Under-voltage")
    args = (str(source), "--lines", str(n), "--out", str(tmp_path / "d"))
    assert _run(capsys, *args)[0] == 0
    code, out, err = _run(capsys, *args)
    assert code == 2 and out == ""
    assert err.strip().splitlines()[-1].endswith(
        "not overwritten (try id 'under-voltage-detected-2')")
    code, out, _ = _run(capsys, *args, "--id", "under-voltage-detected-2")
    assert code == 0 and out.strip().endswith("under-voltage-detected-2.toml")


def test_several_ranges_title_and_section_selector(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    source = write_file(tmp_path)
    doc = make_document()
    a = line_of(doc, "Storage migration from aufs")
    b = line_of(doc, "balena.service: start operation timed out")
    code, out, err = _run(capsys, str(source), "--lines", str(a), "--lines", f"{b}-{b}",
                          "--title", "Engine killed mid migration", "--section", "journalctl *",
                          "--version-signal", "--out", str(tmp_path / "d"))
    assert code == 0, err
    path = Path(out.strip())
    assert path.name == "engine-killed-mid-migration.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count("in = [\"journalctl *\"]") == 2
    assert 'at_most = "2.87.16+rev1"' in text
    heuristic, _ = load_file(path, draft=True)
    assert evaluate(parse_file(str(source)), [heuristic]).matches


def test_print_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_file(tmp_path)
    n = line_of(make_document(), "Under-voltage")
    code, out, _ = _run(capsys, str(source), "--lines", str(n), "--print",
                        "--out", str(tmp_path / "d"))
    assert code == 0 and out.startswith('id = "under-voltage-detected"')
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize("lines, message", [
    ("1-3", "line 1 is outside any section"),
    ("x-3", "--lines 'x-3': expected A-B or N"),
    ("9-3", "expected 1 <= A <= B"),
    ("99999", "past the end of the file"),
])
def test_bad_selections_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             lines: str, message: str) -> None:
    source = write_file(tmp_path)
    code, out, err = _run(capsys, str(source), "--lines", lines, "--out", str(tmp_path / "d"))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err
    assert "Traceback" not in err


def test_header_and_blank_only_selections(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_file(tmp_path)
    doc = make_document()
    header = line_of(doc, f"--- {DMESG} ---")
    code, _, err = _run(capsys, str(source), "--lines", str(header))
    assert code == 2 and f"line {header} is not command output" in err
    blank = line_of(doc, "Failed to download image") + 1
    assert doc.lines[blank - 1] == ""
    code, _, err = _run(capsys, str(source), "--lines", str(blank), "--out", str(tmp_path / "d"))
    assert code == 2 and "blank" in err and len(err.strip().splitlines()) == 1


def test_missing_file_and_missing_drafts_parent(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, str(tmp_path / "nope.txt"), "--lines", "3")
    assert code == 2 and "nope.txt" in err and len(err.strip().splitlines()) == 1
    source = write_file(tmp_path)
    n = line_of(make_document(), "Under-voltage")
    code, _, err = _run(capsys, str(source), "--lines", str(n),
                        "--out", str(tmp_path / "no" / "such" / "dir"))
    assert code == 2 and "does not exist" in err.strip().splitlines()[-1]


def test_corpus_count_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_file(corpus, "one.txt")
    (corpus / "two.txt").write_text("just a log line\n", encoding="utf-8")
    source = write_file(tmp_path)
    n = line_of(make_document(), "Under-voltage")
    code, _, err = _run(capsys, str(source), "--lines", str(n), "--print",
                        "--corpus", str(corpus))
    assert code == 0 and "1/2 corpus file(s)" in err
    code, _, err = _run(capsys, str(source), "--lines", str(n), "--corpus", str(tmp_path / "x"))
    assert code == 2 and "corpus folder" in err


def test_env_drafts_folder_is_used(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_DRAFTS", str(tmp_path / "env-drafts"))
    source = write_file(tmp_path)
    n = line_of(make_document(), "Under-voltage")
    code, out, _ = _run(capsys, str(source), "--lines", str(n))
    assert code == 0 and Path(out.strip()).parent == tmp_path / "env-drafts"
