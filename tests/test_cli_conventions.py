"""The command line follows the usual conventions: --version, a readable --help, a
suggestion for a mistyped verb, and shell completion for bash, zsh and fish."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from importlib.metadata import version as installed_version
from pathlib import Path

import pytest
from triagebench.cli.main import VERBS, main

from triagebench import __version__

ROOT = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's --help and --version exit
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_version_has_one_source(capsys: pytest.CaptureFixture[str]) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" not in project and "version" in project["dynamic"]
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"triage {__version__}"
    assert installed_version("triagebench") == __version__


def test_help_lists_every_verb_on_its_own_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    lines = out.splitlines()
    for verb, purpose in VERBS.items():
        assert any(line.split() == [verb, *purpose.split()] for line in lines), verb


@pytest.mark.parametrize(("typo", "verb"), [("scna", "scan"), ("fleat", "fleet"),
                                            ("reprot", "report"), ("pars", "parse")])
def test_a_mistyped_verb_gets_a_suggestion(capsys: pytest.CaptureFixture[str],
                                           typo: str, verb: str) -> None:
    code, out, err = run(capsys, typo, "f.txt")
    assert code == 2 and not out
    assert err.strip() == f"triage: unknown verb {typo!r}; did you mean {verb!r}?"


def test_a_word_that_is_no_verb_and_no_file_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "zzz", "f.txt")
    assert code == 2
    assert "unknown verb 'zzz'" in err and "scan" in err and len(err.splitlines()) == 1


def test_a_missing_file_named_like_a_verb_is_a_missing_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "report.txt")
    assert code == 2
    assert err.strip() == "report.txt: no such file"


def test_an_existing_file_named_like_a_verb_still_opens_as_a_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scna").write_bytes(b"\x00\x01\x02" * 100)  # binary: refused before the TUI
    code, _, err = run(capsys, "scna")
    assert code == 2
    assert "scna: looks like a binary file" in err  # read as a file, not as a typo


@pytest.mark.parametrize(("shell", "marker"), [("bash", "complete "), ("zsh", "#compdef triage"),
                                               ("fish", "complete --command triage")])
def test_completion_prints_a_script_for_each_shell(capsys: pytest.CaptureFixture[str],
                                                   shell: str, marker: str) -> None:
    code, out, _ = run(capsys, "completion", shell)
    assert code == 0
    assert marker in out and "_ARGCOMPLETE" in out


def _complete(tmp_path: Path, line: str) -> list[str]:
    """What the shell script gets back for ``line`` (the cursor at its end)."""
    target = tmp_path / "completions.txt"
    env = {**os.environ, "_ARGCOMPLETE": "1", "COMP_LINE": line, "COMP_POINT": str(len(line)),
           "_ARGCOMPLETE_STDOUT_FILENAME": str(target), "_ARGCOMPLETE_IFS": "\n"}
    subprocess.run([sys.executable, "-m", "triagebench.cli.main"], env=env, cwd=tmp_path,
                   check=True, capture_output=True, timeout=60)
    return [w.strip() for w in target.read_text(encoding="utf-8").split("\n") if w.strip()]


def test_completion_answers_verbs_options_and_choices(tmp_path: Path) -> None:
    assert _complete(tmp_path, "triage sc") == ["scan"]
    assert "--fail-on" in _complete(tmp_path, "triage scan --fa")
    assert {"bash", "zsh", "fish"} <= set(_complete(tmp_path, "triage completion "))
