"""Exit codes mean one thing (docs/exit-codes.md): 0 clean, 1 a finding, 2 bad input,
3 an internal error with one line on stderr and the traceback only under ``--debug``."""

from __future__ import annotations

import pytest
from triagebench.cli import main as cli_main
from triagebench.cli import parse as parse_verb
from triagebench.cli.crash import strip_debug

from tests.test_refs import diagnostics_text


@pytest.fixture()
def diag(tmp_path):
    path = tmp_path / "diag.txt"
    path.write_text(diagnostics_text(), encoding="utf-8")
    return path


def crash_loading(monkeypatch) -> None:
    """Make loading a document fail the way a parser bug would (a RecursionError)."""
    def boom(path: str):
        raise RecursionError("maximum recursion depth exceeded while decoding a JSON object")

    monkeypatch.setattr(parse_verb, "load_document", boom)


def test_internal_error_is_exit_3_and_one_line_naming_the_file(monkeypatch, capsys, diag) -> None:
    crash_loading(monkeypatch)
    code = cli_main.main(["parse", str(diag)])
    err = capsys.readouterr().err
    assert code == 3
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert "internal error while reading" in err and str(diag) in err
    assert "RecursionError" in err and "--debug" in err


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_prints_the_traceback(monkeypatch, capsys, diag, where: str) -> None:
    crash_loading(monkeypatch)
    argv = ["--debug", "parse", str(diag)] if where == "before" else ["parse", str(diag), "--debug"]
    code = cli_main.main(argv)
    err = capsys.readouterr().err
    assert code == 3
    assert "Traceback (most recent call last)" in err and "RecursionError" in err


def test_exit_codes_keep_their_meaning(capsys, diag, tmp_path) -> None:
    assert cli_main.main(["parse", str(diag)]) == 0
    assert cli_main.main(["parse", str(tmp_path / "missing.txt")]) == 2
    assert cli_main.main(["parse"]) == 2  # usage
    err = capsys.readouterr().err
    assert "Traceback" not in err


def test_an_uncaught_bad_input_error_is_still_exit_2(monkeypatch, capsys, diag) -> None:
    from triagebench.services.sessions import SessionError

    def refuse(path: str):
        raise SessionError(f"{path}: not a session file")

    monkeypatch.setattr(parse_verb, "load_document", refuse)
    assert cli_main.main(["parse", str(diag)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a session file" in err and "Traceback" not in err


def test_debug_is_global_but_not_after_double_dash() -> None:
    assert strip_debug(["--debug", "scan", "x"]) == (["scan", "x"], True)
    assert strip_debug(["scan", "x", "--debug"]) == (["scan", "x"], True)
    assert strip_debug(["scan", "--", "--debug"]) == (["scan", "--", "--debug"], False)


def test_every_value_option_is_known_so_a_crash_names_the_file() -> None:
    from triagebench.cli.crash import VALUE_OPTIONS, files_named

    takes_value = set()
    parsers = [cli_main.build_parser()] + [cli_main.build_verb_parser(v)[0] for v in cli_main.VERBS]
    for parser in parsers:
        for action in parser._actions:  # argparse has no public list of its options
            if action.option_strings and action.nargs != 0:
                takes_value.update(o for o in action.option_strings if o.startswith("--"))
    assert takes_value <= VALUE_OPTIONS, takes_value - VALUE_OPTIONS
    assert files_named(["--jobs", "2", "--heuristics", "h", "a.txt", "b.txt"]) == ["a.txt", "b.txt"]


def test_the_internal_error_line_stays_one_line_for_a_name_with_a_newline(
        monkeypatch, capsys, tmp_path) -> None:
    crash_loading(monkeypatch)
    odd = tmp_path / "a\nb\x1b[2J.txt"
    odd.write_text(diagnostics_text(), encoding="utf-8")
    assert cli_main.main(["parse", str(odd)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and "a\\nb\\e[2J.txt" in err


CRASH_THE_WORKBENCH = """
import sys
from triagebench.tui import app as tui_app

def boom(self):
    raise RuntimeError("boom in on_mount")

tui_app.TriageApp.on_mount = boom
from triagebench.cli.main import main
raise SystemExit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("debug", [False, True])
def test_a_crashed_workbench_exits_3_with_the_traceback_only_under_debug(diag, debug) -> None:
    import subprocess
    import sys

    args = [sys.executable, "-c", CRASH_THE_WORKBENCH, str(diag)] + (["--debug"] if debug else [])
    result = subprocess.run(args, capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 3
    assert "triage: internal error in the workbench while showing" in result.stderr
    assert ("boom in on_mount" in result.stderr) is debug
    assert ("Traceback" in result.stderr or "RuntimeError" in result.stderr) is debug
