"""Hostile sessions, settings and references (#18): a clear message or a bounded,
correct result, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from triagebench.cli import main as cli_main
from triagebench.parser import parse_file
from triagebench.parser.refs import RefError, parse_ref
from triagebench.services import settings as settings_store
from triagebench.services.sessions import (
    MAX_BOOKMARKS,
    SessionError,
    import_session,
    load_stored,
    read_session_file,
    store_path,
)

from tests.pilot import run_async
from tests.test_refs import diagnostics_text

DEEP = "[" * 100_000 + "]" * 100_000
HUGE = "9" * 5_000


@pytest.fixture()
def diag(tmp_path: Path) -> Path:
    path = tmp_path / "diag.txt"
    path.write_text(diagnostics_text(), encoding="utf-8")
    return path


def session_dict(bookmarks: list[dict], digest: str = "0" * 64) -> dict:
    return {"schema": "triagebench-session", "version": 1, "file": "diag.txt",
            "content_sha256": digest, "bookmarks": bookmarks}


@pytest.mark.parametrize("text", ["x#L" + HUGE, HUGE, "x#section=balena%20logs&line=²",
                                  "x#section=a&line=" + HUGE, "x#section=a&occurrence=²"])
def test_absurd_reference_numbers_are_a_clear_ref_error(text: str) -> None:
    with pytest.raises(RefError) as info:
        parse_ref(text)
    message = str(info.value)
    assert len(message) < 300 and "\n" not in message


@pytest.mark.parametrize("goto", ["L" + HUGE, "diag.txt#section=balena%20logs&line=²"])
def test_goto_with_an_absurd_number_is_one_line_and_exit_2(diag: Path, goto: str) -> None:
    result = subprocess.run([sys.executable, "-m", "triagebench", str(diag), "--goto", goto],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "--goto" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("ref", ["section=balena%20logs%20%7Bid%7D&line=²",
                                 "section=balena%20logs%20%7Bid%7D&line=" + HUGE])
def test_report_session_with_an_absurd_ref_places_the_bookmark_by_line(
        diag: Path, tmp_path: Path, capsys, ref: str) -> None:
    session = tmp_path / "s.json"
    session.write_text(json.dumps(session_dict(
        [{"line": 3, "note": "my note", "ref": ref, "text": "not this text"}])))
    code = cli_main.main(["report", str(diag), "--no-builtin", "--session", str(session)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in err and "my note" in out
    assert "placed by position only" in err
    assert "1 section reference(s) could not be read" in err and "s.json" in err


def test_a_deeply_nested_session_file_is_one_line_and_exit_2(diag: Path, tmp_path: Path,
                                                              capsys) -> None:
    session = tmp_path / "deep.json"
    session.write_text(DEEP)
    with pytest.raises(SessionError, match="nested more than"):
        read_session_file(session)
    code = cli_main.main(["report", str(diag), "--no-builtin", "--session", str(session)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "deep.json" in err and "nested" in err


def test_a_5000_digit_line_number_in_a_session_is_a_clear_error(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    session.write_text(json.dumps(session_dict([{"line": 1}])).replace('"line": 1', '"line": '
                                                                       + HUGE))
    with pytest.raises(SessionError, match=r"bookmarks\[0\]\.line"):
        read_session_file(session)


def test_a_deeply_nested_stored_session_is_moved_aside_and_report_still_runs(
        diag: Path, capsys) -> None:
    doc = parse_file(str(diag))
    session, _ = load_stored(doc)
    stored = store_path(session.content_sha256)
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_text('{"schema": "triagebench-session", "bookmarks": ' + DEEP + "}")
    code = cli_main.main(["report", str(diag), "--no-builtin"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "# " in out and "Traceback" not in err
    assert "nested more than" in err and "moved aside" in err
    assert not stored.exists() and stored.with_name(stored.name + ".bad").exists()


def test_a_deeply_nested_settings_file_gives_defaults_and_a_notice() -> None:
    path = settings_store.settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"theme": ' + DEEP + "}")
    settings, notice = settings_store.read_settings()
    assert settings == settings_store.Settings()
    assert notice is not None and "settings.json" in notice and "default" in notice
    path.write_text('{"theme": "triage-light"}')
    assert settings_store.read_settings() == (settings_store.Settings("triage-light"), None)


def test_a_session_with_20000_bookmarks_is_capped_with_a_message(diag: Path,
                                                                 tmp_path: Path) -> None:
    marks = [{"line": 1 + i % 40, "note": f"n{i}", "ref": f"section=dmesg&line={i + 1}",
              "text": f"gone text {i}"} for i in range(20_000)]
    session = tmp_path / "big.json"
    session.write_text(json.dumps(session_dict(marks)))
    doc = parse_file(str(diag))
    imported, warnings = import_session(session, doc)
    assert any(f"first {MAX_BOOKMARKS:,} bookmarks" in w and "15,000 more" in w
               for w in warnings), warnings
    assert 1 <= len(imported.bookmarks) <= doc.line_count


@run_async
async def test_the_workbench_starts_with_a_deeply_nested_settings_file(diag: Path) -> None:
    from triagebench.tui.app import create_app

    path = settings_store.settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(DEEP)
    notices: list[str] = []
    app = create_app(str(diag), builtin=False, env={})
    original = app.notify

    def record(message: str, **kwargs) -> None:
        notices.append(message)
        original(message, **kwargs)

    app.notify = record  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.document is not None
        assert app.theme == "triage-dark"
    assert any("settings.json" in n and "default settings" in n for n in notices), notices


def test_a_fifo_as_session_or_settings_file_is_refused_not_waited_on(diag: Path,
                                                                      tmp_path: Path) -> None:
    fifo = tmp_path / "s.json"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "triagebench", "report", str(diag),
                             "--no-builtin", "--session", str(fifo)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "not a regular file" in result.stderr
    path = settings_store.settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    settings, notice = settings_store.read_settings()
    assert settings == settings_store.Settings() and notice and "not a regular file" in notice


def test_an_oversized_settings_file_gives_defaults_and_a_notice() -> None:
    path = settings_store.settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"theme": "' + "x" * (2 * 1024 * 1024) + '"}')
    settings, notice = settings_store.read_settings()
    assert settings == settings_store.Settings() and notice and "limit" in notice


def test_opening_a_fifo_in_the_workbench_is_one_line_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "diag.txt"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "triagebench", str(fifo)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "named pipe" in result.stderr
