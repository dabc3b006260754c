"""Bookmarks, notes and the view state of one file, persisted and handed over.

No Textual here: the report and the headless verbs use it too.

* Persistence: one JSON file per diagnostics file, keyed by the sha256 of the
  file's bytes, in ``<data dir>/sessions/<sha256>.json`` (data dir:
  ``services.paths.data_dir()``). A
  renamed or re-downloaded copy has the same bytes, so it finds its bookmarks.
* Hand-over: ``export_session`` writes the same JSON (schema
  ``triagebench-session`` version 1) to a file a colleague opens with
  ``triage FILE --session S.json``; ``import_session`` applies it to their
  document. When the content hash differs (another capture), bookmarks move by
  their stable section reference where it resolves, else stay on their line,
  and the caller gets warnings to show.
* Every write goes through ``services.files.write_atomic``; exports
  never overwrite an existing file (``unique_path`` offers ``name-2.json``).
"""

from __future__ import annotations

import bisect
import contextlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from triagebench.parser import Document, Section
from triagebench.parser.refs import RefError, file_label, format_ref, parse_ref, resolve_ref
from triagebench.services import files, paths
from triagebench.services.jsonfile import JSONFileError, loads_small, read_small_text

SCHEMA = "triagebench-session"
VERSION = 1
MAX_NOTE_CHARS = 20_000
MAX_LINE_KEY = 300
MAX_SESSION_BYTES = 32 * 1024 * 1024  # 5,000 bookmarks with 20,000-character notes fit
MAX_BOOKMARKS = 5_000  # far more than a person marks; a bigger file is cut with a warning


class SessionError(Exception):
    """A session that cannot be read or written; ``str()`` is one line naming the file."""


def now_iso() -> str:
    """The current UTC time as ``2024-05-02T16:03:41Z`` (what ``created`` holds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- content hash and storage locations ------------------------------------------

def content_hash_of_file(path: str | os.PathLike[str]) -> str:
    """sha256 (hex) of the file's bytes, read in chunks (a 100 MB file costs ~0.1 s)."""
    import hashlib  # here: the workbench unpickles sessions before its first frame

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def content_hash(doc: Document) -> str:
    """The key of ``doc``'s stored session: the hash of its file, or of its text when
    it was parsed from memory (no file on disk)."""
    try:
        return content_hash_of_file(doc.path)
    except OSError:
        import hashlib

        return hashlib.sha256(doc.text().encode("utf-8", "surrogateescape")).hexdigest()



def store_path(digest: str) -> Path:
    """The stored-session file for a content hash."""
    return paths.sessions_dir() / f"{digest}.json"


# -- atomic, no-silent-overwrite writes ------------------------------------------

def write_atomic(path: str | os.PathLike[str], text: str, *, overwrite: bool,
                 mode: int = 0o644) -> Path:
    """``services.files.write_atomic`` with its errors as one-line ``SessionError``."""
    try:
        return files.write_atomic(path, text, overwrite=overwrite, mode=mode)
    except files.FileExists as exc:
        raise SessionError(f"{exc.path}: already exists; not overwritten "
                           f"(choose another name or use --force)") from None
    except files.WriteError as exc:
        raise SessionError(str(exc)) from exc


def unique_path(path: str | os.PathLike[str]) -> Path:
    """``path`` if free, else ``stem-2.ext``, ``stem-3.ext``... (for default export names)."""
    target = Path(path)
    if not target.exists():
        return target
    for n in range(2, 10_000):
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
        if not candidate.exists():
            return candidate
    raise SessionError(f"{target}: too many existing copies")


# -- the model -------------------------------------------------------------------

@dataclass(slots=True)
class Bookmark:
    """A marked line, with an optional note. ``ref`` (the stable section reference
    fragment, ``section=...&line=n``) and ``text`` (the line's plain text, capped) are
    what re-applies it to another capture: the reference says where to look, the text
    confirms it or finds the line when the section's window slid (``journalctl -n``)."""

    line: int
    note: str = ""
    created: str = field(default_factory=now_iso)
    ref: str | None = None
    text: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line, "note": self.note, "created": self.created}
        if self.ref:
            out["ref"] = self.ref
        if self.text is not None:
            out["text"] = self.text
        return out


@dataclass(slots=True)
class Session:
    """Everything needed to reopen the same view of a file: bookmarks and notes,
    filters and search, the current line and the section scope."""

    file_name: str
    content_sha256: str
    bookmarks: dict[int, Bookmark] = field(default_factory=dict)
    filters: list[Any] = field(default_factory=list)
    search: str | None = None
    position: int | None = None
    scope: str | None = None
    position_ref: str | None = None
    # Bookmarks left out when the file was read (over MAX_BOOKMARKS); not saved.
    bookmarks_dropped: int = 0

    @classmethod
    def for_document(cls, doc: Document, digest: str | None = None) -> Session:
        """An empty session for ``doc`` (hashing its file unless ``digest`` is given)."""
        return cls(file_label(doc), digest or content_hash(doc))

    # bookmarks ----------------------------------------------------------------
    def sorted_bookmarks(self) -> list[Bookmark]:
        return [self.bookmarks[n] for n in sorted(self.bookmarks)]

    def is_marked(self, line: int) -> bool:
        return line in self.bookmarks

    def mark(self, doc: Document, line: int, note: str | None = None) -> Bookmark:
        """Bookmark ``line`` (keeping an existing note unless ``note`` is given)."""
        _check_line(doc, line)
        bookmark = self.bookmarks.get(line)
        if bookmark is None:
            bookmark = Bookmark(line, ref=_stable_fragment(doc, line), text=_line_key(doc, line))
            self.bookmarks[line] = bookmark
        if note is not None:
            bookmark.note = _clean_note(note)
        return bookmark

    def toggle(self, doc: Document, line: int) -> bool:
        """Mark ``line`` or, if marked, unmark it (dropping its note); True when now marked."""
        if line in self.bookmarks:
            del self.bookmarks[line]
            return False
        self.mark(doc, line)
        return True

    def set_note(self, doc: Document, line: int, note: str) -> Bookmark:
        """Attach ``note`` to ``line`` (bookmarking it); an empty note clears the text
        but keeps the bookmark."""
        return self.mark(doc, line, note)

    def unmark(self, line: int) -> None:
        self.bookmarks.pop(line, None)

    def note_at(self, line: int) -> str:
        bookmark = self.bookmarks.get(line)
        return bookmark.note if bookmark else ""

    def set_position(self, doc: Document, line: int | None) -> None:
        """Remember the current line (and its stable reference for other captures)."""
        if line is None or not 1 <= line <= doc.line_count:
            self.position, self.position_ref = None, None
            return
        self.position, self.position_ref = line, _stable_fragment(doc, line)

    def merge(self, other: Session) -> None:
        """Add ``other``'s bookmarks; where both have a note on a line and they differ,
        keep both (``mine | theirs``). View state (filters, search, position, scope)
        comes from ``other`` when it has any: importing means "show me your view"."""
        for line, theirs in other.bookmarks.items():
            mine = self.bookmarks.get(line)
            if mine is None:
                self.bookmarks[line] = Bookmark(line, theirs.note, theirs.created, theirs.ref,
                                                theirs.text)
            elif theirs.note and theirs.note != mine.note:
                mine.note = f"{mine.note} | {theirs.note}" if mine.note else theirs.note
        if other.filters:
            self.filters = list(other.filters)
        if other.search is not None:
            self.search = other.search
        if other.position is not None:
            self.position, self.position_ref = other.position, other.position_ref
        if other.scope is not None:
            self.scope = other.scope

    # JSON -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "version": VERSION,
            "file": self.file_name,
            "content_sha256": self.content_sha256,
            "bookmarks": [b.as_dict() for b in self.sorted_bookmarks()],
            "filters": self.filters,
            "search": self.search,
            "position": {"line": self.position, "ref": self.position_ref}
            if self.position else None,
            "scope": self.scope,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: Any, source: str) -> Session:
        """Validate and load a session dict; ``SessionError`` names ``source`` and the field."""
        def bad(problem: str) -> SessionError:
            return SessionError(f"{source}: {problem}")

        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise bad("not a triagebench session (no \"schema\": \"triagebench-session\")")
        version = data.get("version")
        if not isinstance(version, int) or version < 1:
            raise bad("\"version\" must be a positive integer")
        if version > VERSION:
            raise bad(f"made by a newer triagebench (session version {version}, "
                      f"this one reads {VERSION})")
        file_name = data.get("file")
        digest = data.get("content_sha256")
        if not isinstance(file_name, str) or not isinstance(digest, str):
            raise bad("\"file\" and \"content_sha256\" must be strings")
        raw_marks = data.get("bookmarks", [])
        if not isinstance(raw_marks, list):
            raise bad("\"bookmarks\" must be a list")
        bookmarks: dict[int, Bookmark] = {}
        dropped = max(0, len(raw_marks) - MAX_BOOKMARKS)
        for i, item in enumerate(raw_marks[:MAX_BOOKMARKS]):
            if not isinstance(item, dict):
                raise bad(f"bookmarks[{i}] must be an object")
            line = item.get("line")
            if not isinstance(line, int) or isinstance(line, bool) or line < 1:
                raise bad(f"bookmarks[{i}].line must be a positive integer")
            note = item.get("note", "")
            created = item.get("created", "")
            ref = item.get("ref")
            text = item.get("text")
            if not isinstance(note, str) or not isinstance(created, str):
                raise bad(f"bookmarks[{i}]: \"note\" and \"created\" must be strings")
            if ref is not None and not isinstance(ref, str):
                raise bad(f"bookmarks[{i}].ref must be a string")
            if text is not None and not isinstance(text, str):
                raise bad(f"bookmarks[{i}].text must be a string")
            bookmarks[line] = Bookmark(line, _clean_note(note), created, ref, text)
        filters = data.get("filters") or []
        if not isinstance(filters, list):
            raise bad("\"filters\" must be a list")
        search = data.get("search")
        if search is not None and not isinstance(search, str):
            raise bad("\"search\" must be a string")
        scope = data.get("scope")
        if scope is not None and not isinstance(scope, str):
            raise bad("\"scope\" must be a section key (a string)")
        position, position_ref = None, None
        raw_position = data.get("position")
        if raw_position is not None:
            if not isinstance(raw_position, dict):
                raise bad("\"position\" must be an object {\"line\": n}")
            position = raw_position.get("line")
            position_ref = raw_position.get("ref")
            if position is not None and (not isinstance(position, int) or position < 1):
                raise bad("position.line must be a positive integer")
            if position_ref is not None and not isinstance(position_ref, str):
                raise bad("position.ref must be a string")
        return cls(file_name, digest, bookmarks, filters, search, position, scope, position_ref,
                   dropped)


def _cap_warnings(session: Session, path: Path) -> list[str]:
    if not session.bookmarks_dropped:
        return []
    return [f"{path.name}: only the first {MAX_BOOKMARKS:,} bookmarks were read; "
            f"{session.bookmarks_dropped:,} more left out"]


def _bad_ref_warnings(session: Session, path: Path) -> list[str]:
    """One warning for the section references in ``session`` that do not parse (they
    are ignored: those bookmarks are placed by their text or line instead)."""
    bad: list[str] = []
    refs = [b.ref for b in session.sorted_bookmarks() if b.ref] + (
        [session.position_ref] if session.position_ref else [])
    for ref in refs:
        try:
            parse_ref(ref)
        except RefError as exc:
            bad.append(str(exc))
    if not bad:
        return []
    return [f"{path.name}: {len(bad):,} section reference(s) could not be read and were "
            f"ignored (first: {bad[0]})"]


def _check_line(doc: Document, line: int) -> None:
    if not 1 <= line <= doc.line_count:
        raise ValueError(f"line {line} is outside {file_label(doc)} (1-{doc.line_count})")


def _clean_note(note: str) -> str:
    """Notes are free text; trailing whitespace is dropped and size is capped."""
    return note.rstrip()[:MAX_NOTE_CHARS]


def _line_key(doc: Document, line: int) -> str:
    """What identifies a line's content across captures: its plain text, capped."""
    return doc.plain(line)[:MAX_LINE_KEY]


def _stable_fragment(doc: Document, line: int) -> str | None:
    ref = format_ref(doc, line, stable=True)
    fragment = ref.rpartition("#")[2]
    return fragment if fragment.startswith("section=") else None


def _read_json(path: Path) -> Any:
    try:
        text = read_small_text(path, MAX_SESSION_BYTES)
    except JSONFileError as exc:
        raise SessionError(f"{path}: not a session file ({exc})") from None
    except FileNotFoundError:
        raise SessionError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SessionError(f"{path}: is a directory, not a session file") from None
    except UnicodeDecodeError:
        raise SessionError(f"{path}: not a session file (not UTF-8 text)") from None
    except OSError as exc:
        raise SessionError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        return loads_small(text)
    except JSONFileError as exc:
        raise SessionError(f"{path}: {exc}") from None


# -- stored sessions (per content hash) ------------------------------------------

def load_stored(doc: Document, digest: str | None = None) -> tuple[Session, list[str]]:
    """The stored session of ``doc`` (empty when none), plus warnings to show.

    A damaged store file is moved aside to ``<hash>.json.bad`` (nothing lost) and an
    empty session is returned, so a bad file never stops the app from opening.
    """
    digest = digest or content_hash(doc)
    path = store_path(digest)
    if not path.exists():
        return Session.for_document(doc, digest), []
    try:
        session = Session.from_dict(_read_json(path), str(path))
    except SessionError as exc:
        aside = path.with_name(path.name + ".bad")
        with contextlib.suppress(OSError):
            os.replace(path, aside)
        return Session.for_document(doc, digest), [f"{exc}; moved aside to {aside.name}"]
    session.file_name = file_label(doc)
    session.bookmarks = {n: b for n, b in session.bookmarks.items() if n <= doc.line_count}
    return session, _cap_warnings(session, path)


def save_stored(session: Session) -> Path:
    """Persist ``session`` under its content hash (atomic; creates the directory)."""
    path = store_path(session.content_sha256)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SessionError(f"{path.parent}: cannot create ({exc.strerror or exc})") from None
    return write_atomic(path, session.to_json(), overwrite=True, mode=0o600)


# -- export / import ---------------------------------------------------------------

def export_session(session: Session, path: str | os.PathLike[str], *,
                   force: bool = False) -> Path:
    """Write ``session`` to ``path`` for a colleague; refuses an existing file unless
    ``force`` (``SessionError``)."""
    return write_atomic(path, session.to_json(), overwrite=force)


def read_session_file(path: str | os.PathLike[str]) -> Session:
    """Read and validate an exported session file."""
    source = Path(path)
    return Session.from_dict(_read_json(source), str(source))


def import_session(path: str | os.PathLike[str], doc: Document,
                   digest: str | None = None) -> tuple[Session, list[str]]:
    """Apply an exported session to ``doc``; returns it (keyed by ``doc``'s hash) and
    warnings for the user.

    Same content: lines apply as they are. Different content (another capture or an
    edited file): each bookmark moves to where its stable section reference points,
    else stays on its line if the file is long enough, else is dropped; the
    position and scope likewise. Nothing here raises for a mismatch; only an
    unreadable or invalid session file raises ``SessionError``.
    """
    imported = read_session_file(path)
    digest = digest or content_hash(doc)
    name = file_label(doc)
    session = Session(name, digest, filters=list(imported.filters), search=imported.search)
    warnings: list[str] = _cap_warnings(imported, Path(path))
    if imported.content_sha256 == digest:
        session.bookmarks = {n: b for n, b in imported.bookmarks.items() if n <= doc.line_count}
        session.position, session.position_ref = imported.position, imported.position_ref
        session.scope = imported.scope
        return session, warnings

    warnings.append(f"{Path(path).name} was saved for {imported.file_name} with different "
                    f"content (sha256 {imported.content_sha256[:12]}, this file "
                    f"{digest[:12]}); applying by section reference where possible, else by line")
    finder = _TextFinder(doc)
    warnings += _bad_ref_warnings(imported, Path(path))
    counts = {"ref": 0, "text": 0, "line": 0, "unverified": 0, "dropped": 0}
    for bookmark in imported.sorted_bookmarks():
        line, how = _relocate(doc, bookmark, finder)
        counts[how] += 1
        if line is None:
            continue
        existing = session.bookmarks.get(line)
        if existing is not None and existing.note and bookmark.note:
            existing.note = f"{existing.note} | {bookmark.note}"
            continue
        session.bookmarks[line] = Bookmark(line, bookmark.note, bookmark.created,
                                           _stable_fragment(doc, line), _line_key(doc, line))
    if counts["text"]:
        warnings.append(f"{counts['text']} bookmark(s) found by their line text (the section's "
                        f"content shifted)")
    if counts["unverified"]:
        warnings.append(f"{counts['unverified']} bookmark(s) placed by position only: their "
                        f"line's text is not in {name} (check them)")
    if counts["dropped"]:
        warnings.append(f"{counts['dropped']} bookmark(s) dropped: past the end of {name}")
    if imported.position is not None:
        line, _ = _relocate(doc, Bookmark(imported.position, ref=imported.position_ref), finder)
        session.set_position(doc, line)
    if imported.scope is not None:
        if doc.sections_by_key(imported.scope):
            session.scope = imported.scope
        else:
            warnings.append(f"section {imported.scope!r} is not in {name}; showing the whole file")
    return session, warnings


NEAR_WINDOW = 2000
SCAN_BUDGET = 200_000


class _TextFinder:
    """Lines of ``doc`` by their text, indexed lazily per section (or for the whole
    file) the first time a bookmark needs it."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.indexes: dict[int, dict[str, list[int]]] = {}
        self.scanned = 0  # lines compared by _scan_near so far, against SCAN_BUDGET

    def _scan_near(self, text: str, around: int, section: Section | None) -> int | None:
        """Closest line within ``NEAR_WINDOW`` of ``around`` whose text is ``text``."""
        doc = self.doc
        if section is None:
            valid = [(1, doc.line_count)]
        else:
            valid = [(st.first_line, st.last_line) for st in (section.stdout, section.stderr)
                     if st is not None and st.count]

        def inside(n: int) -> bool:
            return any(first <= n <= last for first, last in valid)

        for distance in range(NEAR_WINDOW + 1):
            for n in (around - distance, around + distance) if distance else (around,):
                if 1 <= n <= doc.line_count and inside(n):
                    self.scanned += 1
                    if _line_key(doc, n) == text:
                        return n
        return None

    def _index(self, section: Section | None) -> dict[str, list[int]]:
        key = section.index if section is not None else -1
        index = self.indexes.get(key)
        if index is None:
            index = {}
            lines = (section.output_line_numbers() if section is not None
                     else range(1, self.doc.line_count + 1))
            for n in sorted(lines):
                index.setdefault(_line_key(self.doc, n), []).append(n)
            self.indexes[key] = index
        return index

    def nearest(self, text: str, around: int, section: Section | None) -> int | None:
        """The line with exactly ``text`` closest to ``around`` (in ``section`` if given).

        Looks outward from ``around`` first (a slid window moves lines a little), and
        only builds the full index when that fails (a million-line section costs ~2 s).
        Once ``SCAN_BUDGET`` lines were compared that way in this import (many bookmarks
        whose text is nowhere near: a 20,000-bookmark session took over a minute), the
        index is used straight away; both give the same line (closest, then lowest)."""
        if self.scanned < SCAN_BUDGET:
            near = self._scan_near(text, around, section)
            if near is not None:
                return near
        lines = self._index(section).get(text)
        if not lines:
            return None
        i = bisect.bisect_left(lines, around)
        return min(lines[max(0, i - 1):i + 1], key=lambda n: (abs(n - around), n))


def _relocate(doc: Document, bookmark: Bookmark, finder: _TextFinder) -> tuple[int | None, str]:
    """Where a bookmark saved against another capture belongs in ``doc``, and how it was
    found: ``ref`` (its section reference, text confirmed or not recorded), ``text``
    (same text elsewhere in that section, or in the file), ``line`` (same line
    number, same text), ``unverified`` (by position, text differs) or ``dropped``."""
    candidate, section = None, None
    if bookmark.ref:
        try:
            parsed = parse_ref(bookmark.ref)
            candidate = resolve_ref(parsed, doc)
            section = doc.section_at(candidate)
        except RefError:
            candidate = None
    in_file = bookmark.line if bookmark.line <= doc.line_count else None
    if bookmark.text is None:  # a session written without line texts
        if candidate is not None:
            return candidate, "ref"
        return (in_file, "unverified") if in_file else (None, "dropped")
    if candidate is not None and _line_key(doc, candidate) == bookmark.text:
        return candidate, "ref"
    if in_file is not None and _line_key(doc, in_file) == bookmark.text:
        return in_file, "line"
    around = candidate or in_file or bookmark.line
    found = finder.nearest(bookmark.text, around, section) if section is not None else None
    if found is None:
        found = finder.nearest(bookmark.text, around, None)
    if found is not None:
        return found, "text"
    if candidate is not None:
        return candidate, "unverified"
    return (in_file, "unverified") if in_file else (None, "dropped")


def session_for_open(doc: Document, import_path: str | os.PathLike[str] | None = None,
                     digest: str | None = None) -> tuple[Session, list[str]]:
    """What ``triage FILE [--session S.json]`` starts with: the file's stored session,
    with an exported session merged in when given (its view state wins). Warnings are
    for the user; only an unreadable ``import_path`` raises ``SessionError``."""
    digest = digest or content_hash(doc)
    session, warnings = load_stored(doc, digest)
    if import_path is not None:
        imported, more = import_session(import_path, doc, digest)
        session.merge(imported)
        warnings += more
    return session, warnings


@dataclass
class OpenedSession:
    """What a front-end starts a file with (``open_session``): the session (None only
    when even the stored one could not be read), warnings for the user, and one line
    when the ``--session`` file could not be imported (the stored session still is)."""

    session: Session | None
    warnings: list[str]
    error: str | None = None


def open_session(doc: Document, import_path: str | os.PathLike[str] | None = None) -> OpenedSession:
    """``session_for_open`` that never raises: bookmarks must never stop a file opening.
    An unreadable ``import_path`` falls back to the stored session, with the error."""
    try:
        session, warnings = session_for_open(doc, import_path)
        return OpenedSession(session, warnings)
    except SessionError as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - bookmarks must never stop the file opening
        error = f"bookmarks unavailable ({type(exc).__name__}: {exc})"
    try:
        session, warnings = session_for_open(doc)
    except Exception:  # noqa: BLE001
        session, warnings = None, []
    return OpenedSession(session, warnings, error)


def default_export_path(doc: Document, suffix: str, directory: str | os.PathLike[str] = ".") -> Path:
    """A free file name for an export next to the user: ``<stem><suffix>``, or with
    ``-2``, ``-3``... when taken (``suffix`` e.g. ``.session.json`` or ``.triage.md``)."""
    stem = Path(file_label(doc)).stem or "diagnostics"
    return unique_path(Path(directory) / f"{stem}{suffix}")


def bookmark_rows(doc: Document, bookmarks: Iterable[Bookmark]) -> list[tuple[int, str, str]]:
    """(line, section command or "", note) per bookmark, in line order: what the
    bookmarks panel and the report list. Text is raw: callers escape it for display."""
    rows = []
    for bookmark in sorted(bookmarks, key=lambda b: b.line):
        section = doc.section_at(bookmark.line) if bookmark.line <= doc.line_count else None
        rows.append((bookmark.line, section.command if section else "", bookmark.note))
    return rows


__all__ = [
    "SCHEMA", "VERSION", "Bookmark", "OpenedSession", "Session", "SessionError",
    "bookmark_rows", "content_hash", "content_hash_of_file", "default_export_path",
    "export_session", "import_session", "load_stored", "open_session", "read_session_file",
    "save_stored",
    "session_for_open", "store_path", "unique_path", "write_atomic",
]
