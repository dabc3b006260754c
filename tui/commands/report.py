"""``triage report FILE [--out FILE.md] [--force] [--heuristics DIR]... [--no-builtin]
[--session S.json | --no-bookmarks]``: the Markdown triage report for a ticket.

Bookmarks and notes come from the file's stored session (what was marked in the
workbench on this machine) or, with ``--session``, from a session a colleague
exported. Without ``--out`` the report goes to stdout; ``--out`` never replaces
an existing file unless ``--force``. Exit codes: 0 written, 2 bad input (one line).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from triagebench.parser import printable
from triagebench.tui.commands.common import InputError, fail, load_document


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="diagnostics file")
    parser.add_argument("--out", metavar="FILE.md", help="write the report here (default: stdout)")
    parser.add_argument("--force", action="store_true", help="replace an existing --out file")
    parser.add_argument("--heuristics", metavar="DIR", action="append", default=[],
                        help="also load heuristic files from DIR (repeatable)")
    parser.add_argument("--no-builtin", action="store_true",
                        help="do not load the bundled heuristic library")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--session", metavar="S.json",
                       help="take bookmarks and notes from an exported session file")
    group.add_argument("--no-bookmarks", action="store_true",
                       help="leave out bookmarks and notes")


def run(args: argparse.Namespace) -> int:
    from triagebench.tui.report import build_report
    from triagebench.tui.session import SessionError, import_session, load_stored, write_atomic

    for folder in args.heuristics:
        if not Path(folder).is_dir():
            return fail(f"triage report: heuristics folder {printable(folder)!r} does not exist")
    try:
        doc = load_document(args.file)
    except InputError as exc:
        return fail(str(exc))
    try:
        from triagebench.heuristics import evaluate, load_library
    except ImportError as exc:  # the engine is part of the package; this is a broken install
        return fail(f"triage report: the heuristics engine is not available ({exc})")
    try:
        library = load_library(dirs=tuple(args.heuristics), builtin=not args.no_builtin)
    except (OSError, ValueError) as exc:
        return fail(f"triage report: cannot load heuristics: {printable(str(exc))}")
    for problem in getattr(library, "problems", []) or []:
        print(f"skipped: {printable(str(problem))}", file=sys.stderr)
    findings = evaluate(doc, library)

    bookmarks = []
    if args.session:
        try:
            session, warnings = import_session(args.session, doc)
        except SessionError as exc:
            return fail(printable(str(exc)))
        for warning in warnings:
            print(f"warning: {printable(warning)}", file=sys.stderr)
        bookmarks = session.sorted_bookmarks()
    elif not args.no_bookmarks:
        session, warnings = load_stored(doc)
        for warning in warnings:
            print(f"warning: {printable(warning)}", file=sys.stderr)
        bookmarks = session.sorted_bookmarks()

    text = build_report(doc, findings, bookmarks=bookmarks)
    if not args.out:
        sys.stdout.write(text)
        return 0
    try:
        path = write_atomic(args.out, text, overwrite=args.force)
    except SessionError as exc:
        return fail(printable(str(exc)))
    print(f"report written to {printable(str(path))} ({len(findings.matches)} finding(s), "
          f"{len(bookmarks)} bookmark(s))", file=sys.stderr)
    return 0
