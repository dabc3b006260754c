"""``triage report`` end to end: real heuristics library, real evaluation, files on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from triagebench.cli.main import main
from triagebench.parser import parse_file
from triagebench.services.sessions import Session, export_session, load_stored, save_stored

from tests.test_refs import diagnostics_text

BALENAD = "journalctl --no-pager --no-hostname -n 1000 -at balenad"
WARNINGS = "journalctl --no-pager --no-hostname -pwarning -perr -a"
MIGRATION = ('May 02 16:02:26 balenad[1189]: time="2022-05-02T16:02:26.155Z" level=info '
             'msg="Storage migration from aufs to overlay2 starting"')
TIMEOUT = "May 02 16:03:56 systemd[1]: balena.service: start operation timed out. Terminating."


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture()
def diag(tmp_path: Path) -> Path:
    """balenaOS 2.87.16 whose engine was killed during the storage migration."""
    path = tmp_path / "device-diag.txt"
    path.write_text(diagnostics_text(extra=[(BALENAD, [MIGRATION]), (WARNINGS, [TIMEOUT])]),
                    encoding="utf-8")
    return path


def line_number(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(i for i, text in enumerate(lines, 1) if needle in text)


def test_report_to_stdout_names_the_finding_and_cites_evidence(diag: Path, capsys) -> None:
    assert main(["report", str(diag)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Triage report: device-diag.txt\n")
    assert "[CRITICAL] Engine killed by systemd start timeout" in out
    assert "- **Fixed in:** 2.98.4" in out
    assert "https://github.com/balena-os/balena-engine/issues/289" in out
    # The two log lines alone prove the start timeout (issue #11 class 7: no OS-version gate).
    assert "balenaOS 2.87.16+rev1" in out
    assert f"device-diag.txt#L{line_number(diag, 'Storage migration from aufs')}  " in out
    assert f"device-diag.txt#L{line_number(diag, 'start operation timed out')}  " in out


def test_out_refuses_to_overwrite_unless_forced(diag: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "ticket.md"
    assert main(["report", str(diag), "--out", str(out)]) == 0
    first = out.read_text(encoding="utf-8")
    assert "storage migration" in first
    assert "report written to" in capsys.readouterr().err

    out.write_text("edited by hand", encoding="utf-8")
    assert main(["report", str(diag), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists; not overwritten" in err
    assert out.read_text(encoding="utf-8") == "edited by hand"

    assert main(["report", str(diag), "--out", str(out), "--force"]) == 0
    assert out.read_text(encoding="utf-8") == first


def test_no_builtin_and_extra_heuristics_dir(diag: Path, tmp_path: Path, capsys) -> None:
    assert main(["report", str(diag), "--no-builtin"]) == 0
    assert "## Findings (0)" in capsys.readouterr().out
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "supervisor-log-backend.toml").write_text(
        'id = "supervisor-log-backend"\n'
        'title = "Supervisor log backend errors"\n'
        'severity = "medium"\n'
        'permalink = "https://example.com/kb/log-backend"\n'
        'description = "The supervisor could not ship logs."\n'
        '[signals.error]\n'
        'in = ["balena logs {id}"]\n'
        "regex = 'LogBackend: unexpected error'\n", encoding="utf-8")
    assert main(["report", str(diag), "--no-builtin", "--heuristics", str(mine)]) == 0
    out = capsys.readouterr().out
    assert "## Findings (1)" in out and "[MEDIUM] Supervisor log backend errors" in out


def test_stored_bookmarks_and_an_exported_session(diag: Path, tmp_path: Path, capsys) -> None:
    doc = parse_file(str(diag))
    stored, _ = load_stored(doc)
    stored.set_note(doc, 45, "my own note")
    save_stored(stored)
    assert main(["report", str(diag)]) == 0
    assert "> my own note" in capsys.readouterr().out

    theirs = Session.for_document(doc)
    theirs.set_note(doc, 50, "colleague's note")
    handover = export_session(theirs, tmp_path / "handover.json")
    assert main(["report", str(diag), "--session", str(handover)]) == 0
    out = capsys.readouterr().out
    assert "> colleague's note" in out and "my own note" not in out

    assert main(["report", str(diag), "--no-bookmarks"]) == 0
    assert "Bookmarks and notes" not in capsys.readouterr().out


@pytest.mark.parametrize("args,message", [
    (["report", "/nonexistent/diag.txt"], "/nonexistent/diag.txt"),
    (["report", "{diag}", "--session", "{tmp}/missing.json"], "missing.json: no such file"),
    (["report", "{diag}", "--out", "{tmp}/no/such/dir/r.md"], "cannot write"),
    (["report"], "the following arguments are required: FILE"),
    (["report", "{diag}", "--heuristics", "{tmp}/nope"], "heuristics folder"),
])
def test_bad_input_gets_one_line_and_exit_2(diag: Path, tmp_path: Path, capsys,
                                            args: list[str], message: str) -> None:
    argv = [a.format(diag=diag, tmp=tmp_path) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_report_against_sample_ground_truth(capsys) -> None:
    """Every planted problem of every sample with ground truth is named in its report,
    with planted evidence lines cited as references (evidence is capped per signal, so
    not every planted line of a frequent message is cited)."""
    samples = Path(__file__).resolve().parent.parent / "sample-diagnostics"
    truth_file = samples / "ground_truth.json"
    if not truth_file.exists():
        pytest.skip("sample-diagnostics/ground_truth.json not generated yet")
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    checked = 0
    for name, expected in _ground_truth_files(truth):
        path = samples / name
        if not path.exists():
            continue
        assert main(["report", str(path), "--no-bookmarks"]) == 0
        out = capsys.readouterr().out
        for heuristic_id, lines in expected:
            assert f"`{heuristic_id}`" in out, f"{name}: {heuristic_id} missing from the report"
            cited = [line for line in lines if f"{name}#L{line}" in out]
            assert cited, f"{name}: no planted line of {heuristic_id} cited"
            checked += 1
    assert checked, "ground truth lists no planted problem with a heuristic id"


def _ground_truth_files(truth) -> list[tuple[str, list[tuple[str, list[int]]]]]:
    """(file name, [(heuristic id, evidence lines)]) from ground_truth.json."""
    files = truth.get("files", truth) if isinstance(truth, dict) else truth
    items = files.items() if isinstance(files, dict) else ((f.get("file"), f) for f in files)
    result = []
    for name, info in items:
        problems = info.get("problems") or info.get("planted") or []
        expected = []
        for problem in problems:
            heuristic_id = problem.get("heuristic") or problem.get("heuristic_id")
            if heuristic_id:
                expected.append((heuristic_id, list(problem.get("lines") or [])))
        result.append((name, expected))
    return result
