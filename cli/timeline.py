"""``triage timeline FILE [--since 2h|TIME] [--until TIME] [--grep RE] [--format
text|json|markdown]``: every timestamped line of the file, merged by time.

So a ticket can carry "the 30 minutes before the failure": ``--since 11:00 --until
11:30``. Times are read by ``services.time_expr`` (``2h`` / ``-30m`` before the capture,
``11:14`` on the capture's day, ``2022-05-02 11:14``; all UTC), the same parser as the
workbench's go-to prompt. Output: text (default), JSON (``"schema":
"triagebench-timeline/1"``, ``services.timeline.as_dict``) or Markdown (escaped by
``services.render_markdown``). Exit codes: 0 done, 2 bad input or a bad time/regex (one
line).
"""

from __future__ import annotations

import argparse
import sys

from triagebench.cli.common import InputError, fail
from triagebench.cli.options import add_library_options, library_options
from triagebench.parser import printable
from triagebench.services.analysis import AnalysisOptions, analyse
from triagebench.services.library import LibraryError, check_dirs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="diagnostics file")
    parser.add_argument("--since", metavar="TIME",
                        help="from this time: 2h / -30m (before the capture), 11:14, "
                             "'2022-05-02 11:14' (UTC)")
    parser.add_argument("--until", metavar="TIME", help="up to this time (same forms)")
    parser.add_argument("--grep", metavar="RE", help="only lines matching this regex")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    add_library_options(parser)


def run(args: argparse.Namespace) -> int:
    from triagebench.services.render_json import write_json
    from triagebench.services.time_expr import TimeExpressionError, parse_when
    from triagebench.services.timeline import (
        TimelineError,
        as_dict,
        build_timeline,
        render_markdown,
        render_text,
    )

    options = AnalysisOptions(library_options(args))
    try:
        check_dirs(options.library)
    except LibraryError as exc:
        return fail(f"triage timeline: {printable(str(exc))}")
    try:
        analysis = analyse(args.file, options)
    except InputError as exc:
        return fail(str(exc))
    for problem in analysis.library.problems:
        print(f"skipped: {printable(str(problem))}", file=sys.stderr)
    doc = analysis.document
    try:
        since = parse_when(args.since, doc.capture_time) if args.since else None
        until = parse_when(args.until, doc.capture_time) if args.until else None
    except TimeExpressionError as exc:
        return fail(f"triage timeline: {printable(args.file)}: {exc}")
    suspicious = analysis.unexplained.suspicious if analysis.unexplained else ()
    timeline = build_timeline(doc, analysis.findings, suspicious)
    try:
        view = timeline.view(since, until, args.grep)
    except TimelineError as exc:
        return fail(f"triage timeline: {exc}")
    if args.format == "json":
        write_json(as_dict(view))
    elif args.format == "markdown":
        sys.stdout.write(render_markdown(view))
    else:
        sys.stdout.write(render_text(view))
    return 0
