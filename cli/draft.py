"""``triage draft FILE --lines A-B [--lines C-D ...]``: promote lines to a heuristic draft.

The headless twin of the TUI draft editor (same ``heuristics.drafts`` code): the
selected lines are generalised into signal regexes, embedded as the draft's
matching example (with the rest of their section as the non-matching one),
linted like ``triage heuristics lint``, and saved atomically as ``<id>.toml`` in
the drafts folder (``--out DIR``, else ``$TRIAGE_DRAFTS``, else the user data
dir). An existing draft is never overwritten. Prints the saved path on stdout;
notes (over-general proposals, lint warnings, how many lines here and corpus
files the draft matches) go to stderr.
Exit codes: 0 saved, 2 bad input or usage (one line on stderr).
"""

from __future__ import annotations

import argparse
import re
import sys

from triagebench.cli.common import InputError, fail, load_document
from triagebench.heuristics.model import SEVERITIES
from triagebench.parser import printable

_RANGE_RE = re.compile(r"^\s*(\d+)\s*(?:[-:]\s*(\d+))?\s*$")


def parse_ranges(values: list[str]) -> list[int]:
    """``["10-12", "20", "30,31"]`` -> ``[10, 11, 12, 20, 30, 31]``; ValueError if bad."""
    numbers: list[int] = []
    for value in values:
        for part in value.split(","):
            match = _RANGE_RE.match(part)
            if not match:
                raise ValueError(f"--lines {value!r}: expected A-B or N (1-based line numbers)")
            first = int(match.group(1))
            last = int(match.group(2) or first)
            if first < 1 or last < first:
                raise ValueError(f"--lines {value!r}: expected 1 <= A <= B")
            if last - first > 10_000:
                raise ValueError(f"--lines {value!r}: more than 10,000 lines selected")
            numbers.extend(range(first, last + 1))
    return sorted(set(numbers))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="diagnostics file")
    parser.add_argument("--lines", metavar="A-B", action="append", required=True,
                        help="lines to promote (1-based, inclusive; repeatable; also N or A,B)")
    parser.add_argument("--section", metavar="KEY", action="append", default=[],
                        help="section selector(s) the signals search instead of the lines' own "
                             "sections (exact key, glob or category:NAME; repeatable)")
    parser.add_argument("--title", help="title (default: derived from the lines)")
    parser.add_argument("--id", dest="draft_id", help="id / file stem (default: from the title)")
    parser.add_argument("--severity", default="medium", choices=SEVERITIES,
                        help="severity (default: medium)")
    parser.add_argument("--version-signal", action="store_true",
                        help="add the signal 'os.version at most this device's version'")
    parser.add_argument("--out", "--drafts", dest="out", metavar="DIR",
                        help="drafts folder (default: $TRIAGE_DRAFTS or the user data dir)")
    parser.add_argument("--print", dest="print_only", action="store_true",
                        help="print the draft TOML instead of saving it")
    parser.add_argument("--corpus", metavar="DIR",
                        help="also report how many *.txt files in DIR the draft matches "
                             "(default: the bundled sample files)")


def run(args: argparse.Namespace) -> int:
    from triagebench.heuristics.drafts import (
        DraftError,
        build_draft,
        corpus_paths,
        lint_draft,
        preview,
        render_toml,
    )
    from triagebench.services.drafts import default_drafts_dir, save_draft

    try:
        numbers = parse_ranges(args.lines)
    except ValueError as exc:
        return fail(f"triage draft: {exc}")
    try:
        doc = load_document(args.file)
    except InputError as exc:
        return fail(str(exc))
    if numbers[-1] > doc.line_count:
        return fail(f"triage draft: {printable(args.file)}: line {numbers[-1]} is past the end "
                    f"of the file ({doc.line_count} lines)")
    try:
        draft = build_draft(doc, numbers, title=args.title, severity=args.severity,
                            selectors=args.section or None, draft_id=args.draft_id)
    except DraftError as exc:
        return fail(f"triage draft: {printable(args.file)}: {printable(str(exc))}")
    if args.version_signal:
        if draft.version is None:
            return fail(f"triage draft: {printable(args.file)}: no os.version fact for "
                        "--version-signal")
        draft.version.enabled = True
    for proposal in draft.proposals:
        for warning in proposal.warnings:
            print(f"note: signal {proposal.name}: {printable(warning)}", file=sys.stderr)
    try:
        problems = lint_draft(draft)
    except ImportError:  # the engine's linter is part of the package; broken install
        problems = []
    errors = [p for p in problems if p.level == "error"]
    for problem in problems:
        if problem.level != "error":
            where = f"{problem.key}: " if problem.key else ""
            print(f"note: {printable(where + problem.message)}", file=sys.stderr)
    if errors:
        first = errors[0]
        return fail(f"triage draft: the draft does not lint: {printable(first.key)}: "
                    f"{printable(first.message)}")
    try:
        corpus = corpus_paths(args.corpus)
    except DraftError as exc:
        return fail(f"triage draft: {printable(str(exc))}")
    result = preview(draft, doc, corpus)
    summary = f"matches {result.line_count} line(s) in {args.file}"
    if corpus:
        summary += f"; {len(result.corpus_matched)}/{result.corpus_total} corpus file(s)"
    print(f"note: {printable(summary)}", file=sys.stderr)
    for error in result.errors[:3]:
        print(f"note: {printable(error)}", file=sys.stderr)
    if args.print_only:
        sys.stdout.write(render_toml(draft))
        return 0
    folder = default_drafts_dir(args.out)
    try:
        path = save_draft(draft, folder, create_parents=args.out is None)
    except DraftError as exc:
        return fail(f"triage draft: {printable(str(exc))}")
    print(printable(str(path)))
    return 0
