"""``triage diff OLD NEW [--format text|json|markdown] [--force]``: what changed between
two captures of one device (``services.compare``).

Device facts that changed, findings new / resolved / still present, error templates new
or gone, sections whose exit status changed. Two files that are clearly different devices
are refused (exit 2, one line) unless ``--force``. Exit codes: 0 done, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys

from triagebench.cli.common import InputError, fail
from triagebench.cli.options import add_library_options, library_options
from triagebench.parser import printable
from triagebench.services.analysis import read_document, read_library
from triagebench.services.library import LibraryError, check_dirs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", help="the earlier diagnostics file")
    parser.add_argument("new", help="the later diagnostics file")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    parser.add_argument("--force", action="store_true",
                        help="compare even when the files are different devices")
    add_library_options(parser)


def run(args: argparse.Namespace) -> int:
    from triagebench.services.compare import DifferentDevices, compare
    from triagebench.services.render_json import write_json

    options = library_options(args)
    try:
        check_dirs(options)
    except LibraryError as exc:
        return fail(f"triage diff: {printable(str(exc))}")
    try:
        old = read_document(args.old)
        new = read_document(args.new)
    except InputError as exc:
        return fail(str(exc))
    library = read_library(options)
    for problem in library.problems:
        print(f"skipped: {printable(str(problem))}", file=sys.stderr)
    try:
        comparison = compare(old, new, library, force=args.force)
    except DifferentDevices as exc:
        return fail(f"triage diff: {printable(str(exc))}")
    if args.format == "json":
        write_json(comparison.as_dict())
    elif args.format == "markdown":
        sys.stdout.write(comparison.render_markdown())
    else:
        sys.stdout.write(comparison.render_text())
    return 0
