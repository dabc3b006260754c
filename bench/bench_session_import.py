"""Importing a hostile session: 20,000 bookmarks whose text is nowhere in the file.

Run: .venv/bin/python bench/bench_session_import.py
Builds a 30,000-line diagnostics file and a ~3.4 MB exported session with 20,000
bookmarks saved against other content, whose texts match no line (the worst case: each
bookmark looks for its text near its reference, then in its section, then in the file).
Prints how many bookmarks were kept and the import time (target: well under 5 s).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from triagebench.parser import parse_file  # noqa: E402
from triagebench.services.sessions import import_session  # noqa: E402

from tests.test_refs import diagnostics_text  # noqa: E402

BOOKMARKS = 20_000


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        lines = [f"log line {i} value {i * 7}" for i in range(30_000)]
        diag = base / "diag.txt"
        diag.write_text(diagnostics_text(extra=[("dmesg", lines)]), encoding="utf-8")
        doc = parse_file(str(diag))
        marks = [{"line": 50 + i, "note": f"n{i}", "created": "2026-01-01T00:00:00Z",
                  "ref": f"section=dmesg&line={i + 1}", "text": f"gone text {i}"}
                 for i in range(BOOKMARKS)]
        session = base / "s.json"
        session.write_text(json.dumps({
            "schema": "triagebench-session", "version": 1, "file": "diag.txt",
            "content_sha256": "0" * 64, "bookmarks": marks}, indent=2))
        start = time.perf_counter()
        imported, warnings = import_session(session, doc)
        elapsed = time.perf_counter() - start
        print(f"session {session.stat().st_size / 1e6:.1f} MB, {BOOKMARKS:,} bookmarks, "
              f"file {doc.line_count:,} lines: import {elapsed:.2f} s, "
              f"{len(imported.bookmarks):,} kept")
        for warning in warnings:
            print(f"  {warning}")


if __name__ == "__main__":
    main()
