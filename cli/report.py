"""``triage report FILE [CHECKS.json] [--checks CHECKS.json] [--out FILE.md] [--force]
[--heuristics DIR]... [--no-builtin] [--session S.json | --no-bookmarks]
[--timeline-minutes N] [--compare OTHER]``: the Markdown triage report for a ticket
(optionally with ± N minutes of the merged timeline around the worst finding, and the
differences with another capture of the device).

One report is one capture: the diagnostics file and, beside it (a second FILE or
``--checks``), the balena health checks of the same capture, combined into one
analysis (``services.combine``) so a failed check and the lines that explain it
are in one findings list. A zip holding both works too.

Bookmarks and notes come from the file's stored session (what was marked in the
workbench on this machine) or, with ``--session``, from a session a colleague
exported. The analysis is ``services.analysis.analyse`` with the shared library
options (``cli/options.py``), so the report equals the TUI's ``x`` for the same file
and options. Without ``--out`` the report goes to stdout; ``--out`` never replaces
an existing file unless ``--force``. Exit codes (``docs/exit-codes.md``): 0 written,
2 bad input (one line).
"""

from __future__ import annotations

import argparse
import sys

from triagebench.cli.common import InputError, fail
from triagebench.cli.options import add_library_options, library_options
from triagebench.parser import printable
from triagebench.services.analysis import AnalysisOptions, analyse, read_document, read_inputs
from triagebench.services.combine import group_captures
from triagebench.services.library import LibraryError, check_dirs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="diagnostics file, optionally followed by its health checks JSON")
    parser.add_argument("--checks", action="append", default=[], metavar="CHECKS.json",
                        help="balena health checks (checks.sh JSON) of the same capture")
    parser.add_argument("--out", metavar="FILE.md", help="write the report here (default: stdout)")
    parser.add_argument("--force", action="store_true", help="replace an existing --out file")
    parser.add_argument("--timeline-minutes", metavar="N", type=int,
                        help="add a 'Timeline around the worst finding' block of ± N minutes")
    parser.add_argument("--compare", metavar="OTHER",
                        help="add the differences with another capture of the same device "
                             "(OTHER is the later one, as in `triage diff FILE OTHER`)")
    add_library_options(parser)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--session", metavar="S.json",
                       help="take bookmarks and notes from an exported session file")
    group.add_argument("--no-bookmarks", action="store_true",
                       help="leave out bookmarks and notes")


def run(args: argparse.Namespace) -> int:
    from triagebench.services.report import build_report
    from triagebench.services.sessions import (
        SessionError,
        import_session,
        load_stored,
        write_atomic,
    )

    options = AnalysisOptions(library_options(args))
    minutes = args.timeline_minutes
    if minutes is not None and not 1 <= minutes <= 7 * 24 * 60:
        return fail("triage report: --timeline-minutes must be between 1 and 10080")
    try:
        check_dirs(options.library)
    except LibraryError as exc:
        return fail(f"triage report: {printable(str(exc))}")
    documents = []
    try:
        for path in [*args.files, *args.checks]:
            for entry in read_inputs(path):
                if isinstance(entry, InputError):
                    raise entry
                documents.append(entry)
    except InputError as exc:
        return fail(printable(str(exc)))
    groups = group_captures(documents)
    if len(groups) != 1:
        return fail("triage report: a report is one capture: one diagnostics file and its "
                    f"health checks, not {len(groups)} inputs ("
                    + printable(", ".join(d.path for d in documents)) + ")")
    analysis = analyse(groups[0], options)
    for problem in analysis.library.problems:
        print(f"skipped: {printable(str(problem))}", file=sys.stderr)
    doc, findings = analysis.document, analysis.findings

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

    comparison = None
    if args.compare:
        from triagebench.services.compare import DifferentDevices, compare

        try:
            other = read_document(args.compare)
            comparison = compare(doc, other, analysis.library, old_findings=findings)
        except InputError as exc:
            return fail(str(exc))
        except DifferentDevices as exc:
            return fail(f"triage report: --compare: {printable(str(exc))}")
    text = build_report(doc, findings, bookmarks=bookmarks, templates=analysis.templates,
                        inputs=analysis.inputs, state=analysis.state,
                        timeline_minutes=minutes, comparison=comparison,
                        suspicious=analysis.unexplained.suspicious if analysis.unexplained else None)
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
