"""Bookmarks and notes: persistence by content hash, export/import hand-over, safe writes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from triagebench.parser import parse_file
from triagebench.services.sessions import (
    Session,
    SessionError,
    bookmark_rows,
    export_session,
    import_session,
    load_stored,
    read_session_file,
    save_stored,
    store_path,
    unique_path,
    write_atomic,
)

from tests.test_refs import diagnostics_text, line_of


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data dir: never the user's real one."""
    path = tmp_path / "data"
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(path))
    return path


@pytest.fixture()
def diag(tmp_path: Path) -> Path:
    path = tmp_path / "diag.txt"
    path.write_text(diagnostics_text(), encoding="utf-8")
    return path


def test_bookmarks_and_notes_persist_in_the_data_dir(diag: Path, data_dir: Path) -> None:
    doc = parse_file(str(diag))
    session, warnings = load_stored(doc)
    assert warnings == [] and session.bookmarks == {}
    error = line_of(doc, "LogBackend")
    session.toggle(doc, 3)
    session.set_note(doc, error, "supervisor cannot reach the log backend")
    session.set_position(doc, error)
    path = save_stored(session)
    assert path.parent == data_dir / "sessions"
    assert path.name == f"{session.content_sha256}.json"

    again, _ = load_stored(parse_file(str(diag)))
    assert sorted(again.bookmarks) == [3, error]
    assert again.note_at(error) == "supervisor cannot reach the log backend"
    assert again.note_at(3) == ""
    assert again.position == error


def test_a_renamed_copy_elsewhere_keeps_its_bookmarks(diag: Path, tmp_path: Path) -> None:
    doc = parse_file(str(diag))
    session, _ = load_stored(doc)
    session.set_note(doc, 10, "look here")
    save_stored(session)

    other_dir = tmp_path / "downloads" / "ticket-123"
    other_dir.mkdir(parents=True)
    copy = other_dir / "device-9f2c-diagnostics (1).txt"
    shutil.copyfile(diag, copy)
    copied, _ = load_stored(parse_file(str(copy)))
    assert copied.note_at(10) == "look here"
    assert copied.file_name == copy.name


def test_a_different_file_does_not_see_them(diag: Path, tmp_path: Path) -> None:
    doc = parse_file(str(diag))
    session, _ = load_stored(doc)
    session.toggle(doc, 10)
    save_stored(session)
    other = tmp_path / "other.txt"
    other.write_text(diagnostics_text(container="0123456789ab"), encoding="utf-8")
    assert load_stored(parse_file(str(other)))[0].bookmarks == {}


def test_toggle_unmarks_and_an_empty_note_keeps_the_mark(diag: Path) -> None:
    doc = parse_file(str(diag))
    session = Session.for_document(doc)
    assert session.toggle(doc, 5) is True
    assert session.toggle(doc, 5) is False
    assert not session.is_marked(5)
    session.set_note(doc, 6, "x")
    session.set_note(doc, 6, "   ")
    assert session.is_marked(6) and session.note_at(6) == ""
    with pytest.raises(ValueError, match="outside diag.txt"):
        session.toggle(doc, doc.line_count + 1)


def test_damaged_store_is_moved_aside_not_lost(diag: Path) -> None:
    doc = parse_file(str(diag))
    session, _ = load_stored(doc)
    path = store_path(session.content_sha256)
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    fresh, warnings = load_stored(doc)
    assert fresh.bookmarks == {}
    assert len(warnings) == 1 and "invalid JSON" in warnings[0] and ".bad" in warnings[0]
    assert path.with_name(path.name + ".bad").read_text(encoding="utf-8") == "{not json"


def test_store_file_is_private_and_written_atomically(diag: Path) -> None:
    doc = parse_file(str(diag))
    session, _ = load_stored(doc)
    session.toggle(doc, 2)
    path = save_stored(session)
    assert path.stat().st_mode & 0o077 == 0
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp files left


def test_export_import_round_trip_same_file(diag: Path, tmp_path: Path) -> None:
    doc = parse_file(str(diag))
    session = Session.for_document(doc)
    error = line_of(doc, "LogBackend")
    session.set_note(doc, error, "root cause?\nsecond line of the note")
    session.toggle(doc, 4)
    session.filters = [{"kind": "severity", "at_least": "high"}]
    session.search = "LogBackend"
    session.scope = "balena logs {id}"
    session.set_position(doc, error)
    out = export_session(session, tmp_path / "handover.json")

    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == "triagebench-session" and data["version"] == 1
    assert data["file"] == "diag.txt"
    assert [b["line"] for b in data["bookmarks"]] == [4, error]
    assert data["bookmarks"][1]["created"].endswith("Z")

    colleague_copy = tmp_path / "colleague" / "renamed.txt"
    colleague_copy.parent.mkdir()
    shutil.copyfile(diag, colleague_copy)
    theirs, warnings = import_session(out, parse_file(str(colleague_copy)))
    assert warnings == []
    assert theirs.note_at(error) == "root cause?\nsecond line of the note"
    assert sorted(theirs.bookmarks) == [4, error]
    assert (theirs.search, theirs.scope, theirs.position) == ("LogBackend", "balena logs {id}", error)
    assert theirs.filters == [{"kind": "severity", "at_least": "high"}]
    assert theirs.file_name == "renamed.txt"


def test_import_into_another_capture_warns_and_moves_by_section(diag: Path, tmp_path: Path) -> None:
    doc = parse_file(str(diag))
    session = Session.for_document(doc)
    error = line_of(doc, "LogBackend")
    session.set_note(doc, error, "the error")
    session.set_note(doc, 2, "preamble line")
    session.scope = "balena logs {id}"
    session.set_position(doc, error)
    out = export_session(session, tmp_path / "s.json")

    recapture = tmp_path / "recapture.txt"
    recapture.write_text(diagnostics_text(container="0123456789ab", shift=["a", "b", "c"]),
                         encoding="utf-8")
    new_doc = parse_file(str(recapture))
    theirs, warnings = import_session(out, new_doc)
    assert "different content" in warnings[0] and "diag.txt" in warnings[0]
    moved_to = line_of(new_doc, "LogBackend")
    assert moved_to == error + 3
    assert theirs.note_at(moved_to) == "the error"
    assert theirs.note_at(2) == "preamble line"  # no section: same line, same text
    assert warnings[1:] == []  # every bookmark confirmed by its text: nothing to check
    assert theirs.position == moved_to
    assert theirs.scope == "balena logs {id}"


def test_import_follows_the_text_when_the_section_window_slid(diag: Path, tmp_path: Path) -> None:
    """``journalctl -n 1000`` shows a sliding window: in a later capture the same message
    sits further down its section. The line text finds it; a changed line is flagged."""
    doc = parse_file(str(diag))
    session = Session.for_document(doc)
    error = line_of(doc, "LogBackend")
    info = line_of(doc, "Supervisor v12.11.0")
    session.set_note(doc, error, "the error")
    session.set_note(doc, info, "startup")
    out = export_session(session, tmp_path / "s.json")

    text = diagnostics_text().replace("[\x1b[34minfo", "new first line\n[\x1b[34minfo")
    text = text.replace("Supervisor v12.11.0 starting", "Supervisor v14.0.0 starting")
    later = tmp_path / "later.txt"
    later.write_text(text, encoding="utf-8")
    new_doc = parse_file(str(later))
    theirs, warnings = import_session(out, new_doc)
    # Same section line number now holds another line; the text still finds the error.
    assert theirs.note_at(line_of(new_doc, "LogBackend")) == "the error"
    assert "1 bookmark(s) found by their line text" in " ".join(warnings)
    # The startup line changed: placed by its section reference, flagged for checking.
    assert theirs.note_at(line_of(new_doc, "Supervisor v14.0.0") - 1) == "startup"
    assert "1 bookmark(s) placed by position only" in " ".join(warnings)


def test_import_drops_lines_past_the_end_and_unknown_scope(diag: Path, tmp_path: Path) -> None:
    doc = parse_file(str(diag))
    session = Session.for_document(doc)
    session.set_note(doc, doc.line_count, "last line")
    session.scope = "cat /etc/os-release"
    out = export_session(session, tmp_path / "s.json")
    short = tmp_path / "short.txt"
    short.write_text("one\ntwo\n", encoding="utf-8")
    theirs, warnings = import_session(out, parse_file(str(short)))
    assert theirs.bookmarks == {}
    assert any("1 bookmark(s) dropped" in w for w in warnings)
    assert any("section 'cat /etc/os-release' is not in short.txt" in w for w in warnings)
    assert theirs.scope is None


def test_export_never_overwrites_silently(diag: Path, tmp_path: Path) -> None:
    doc = parse_file(str(diag))
    session = Session.for_document(doc)
    target = tmp_path / "s.json"
    target.write_text("precious", encoding="utf-8")
    with pytest.raises(SessionError, match="already exists; not overwritten"):
        export_session(session, target)
    assert target.read_text(encoding="utf-8") == "precious"
    assert unique_path(target) == tmp_path / "s-2.json"
    export_session(session, unique_path(target))
    assert unique_path(target) == tmp_path / "s-3.json"
    export_session(session, target, force=True)
    assert read_session_file(target).file_name == "diag.txt"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("content,message", [
    ("[1, 2]", "not a triagebench session"),
    ('{"schema": "triagebench-session", "version": 9, "file": "a", "content_sha256": "b"}',
     "newer triagebench"),
    ('{"schema": "triagebench-session", "version": 1, "file": "a", "content_sha256": "b", '
     '"bookmarks": [{"line": 0}]}', r"bookmarks\[0\].line must be a positive integer"),
    ('{"schema": "triagebench-session", "version": 1, "file": "a", "content_sha256": "b", '
     '"search": 3}', '"search" must be a string'),
    ("{", "invalid JSON at line 1"),
])
def test_bad_session_files_get_one_line_naming_the_file(tmp_path: Path, diag: Path,
                                                        content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(SessionError, match=message) as info:
        import_session(bad, parse_file(str(diag)))
    assert str(info.value).startswith(str(bad)) and "\n" not in str(info.value)


def test_missing_session_file_and_unwritable_target(tmp_path: Path) -> None:
    with pytest.raises(SessionError, match="no such file"):
        read_session_file(tmp_path / "nope.json")
    with pytest.raises(SessionError, match=r"is a directory"):
        read_session_file(tmp_path)
    with pytest.raises(SessionError, match=r"missing-dir/x.json: cannot write"):
        write_atomic(tmp_path / "missing-dir" / "x.json", "{}", overwrite=False)


def test_bookmark_rows_name_the_section(diag: Path) -> None:
    doc = parse_file(str(diag))
    session = Session.for_document(doc)
    error = line_of(doc, "LogBackend")
    session.set_note(doc, error, "n")
    session.toggle(doc, 1)
    assert bookmark_rows(doc, session.bookmarks.values()) == [
        (1, "", ""), (error, "balena logs b96a5987452b", "n")]


def test_merge_keeps_both_notes(diag: Path) -> None:
    doc = parse_file(str(diag))
    mine = Session.for_document(doc)
    mine.set_note(doc, 10, "mine")
    theirs = Session.for_document(doc)
    theirs.set_note(doc, 10, "theirs")
    theirs.set_note(doc, 11, "only theirs")
    theirs.search = "error"
    mine.merge(theirs)
    assert mine.note_at(10) == "mine | theirs"
    assert mine.note_at(11) == "only theirs"
    assert mine.search == "error"


def test_session_for_open_merges_an_import_into_the_stored_one(diag: Path, tmp_path: Path) -> None:
    from triagebench.services.sessions import default_export_path, session_for_open

    doc = parse_file(str(diag))
    mine, _ = load_stored(doc)
    mine.set_note(doc, 10, "mine")
    save_stored(mine)
    theirs = Session.for_document(doc)
    theirs.set_note(doc, 12, "theirs")
    theirs.search = "error"
    path = export_session(theirs, default_export_path(doc, ".session.json", tmp_path))
    assert path.name == "diag.session.json"
    assert default_export_path(doc, ".session.json", tmp_path).name == "diag.session-2.json"

    opened, warnings = session_for_open(doc, path)
    assert warnings == []
    assert (opened.note_at(10), opened.note_at(12), opened.search) == ("mine", "theirs", "error")
    assert session_for_open(doc)[0].note_at(12) == ""  # importing does not save by itself
