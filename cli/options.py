"""The heuristic-library options every verb shares, meaning the same everywhere.

``--heuristics DIR`` (repeatable) adds a folder, ``--no-builtin`` leaves out the bundled
library, ``--drafts DIR`` names the drafts folder and includes it, ``--include-drafts``
includes the default drafts folder (``$TRIAGE_DRAFTS``, else ``<data dir>/drafts``),
``--no-drafts`` leaves drafts out. ``library_options(args)`` turns them into the
``services.library.LibraryOptions`` policy object. Only the TUI (``open``) includes
drafts by default: it is where drafts are written and checked.
"""

from __future__ import annotations

import argparse

from triagebench.services.library import LibraryOptions


def add_library_options(parser: argparse.ArgumentParser, *, include_drafts: bool = False) -> None:
    """Add the shared options; ``include_drafts`` is this verb's default."""
    parser.add_argument("--heuristics", action="append", default=[], metavar="DIR",
                        help="extra heuristics folder (repeatable)")
    parser.add_argument("--no-builtin", action="store_true",
                        help="do not load the bundled heuristics library")
    parser.add_argument("--drafts", metavar="DIR", default=None,
                        help="drafts folder: its heuristics are loaded and marked as drafts "
                             "(default folder: $TRIAGE_DRAFTS or the user data dir)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--include-drafts", dest="include_drafts", action="store_true",
                       default=include_drafts,
                       help="load the drafts folder too" + (" (default)" if include_drafts else ""))
    group.add_argument("--no-drafts", dest="include_drafts", action="store_false",
                       help="leave drafts out" + ("" if include_drafts else " (default)"))


def library_options(args: argparse.Namespace) -> LibraryOptions:
    """The library policy the parsed options describe (``--drafts DIR`` includes drafts)."""
    return LibraryOptions(
        heuristic_dirs=tuple(args.heuristics),
        builtin=not args.no_builtin,
        drafts_dir=args.drafts,
        include_drafts=bool(args.include_drafts or args.drafts),
    )


__all__ = ["add_library_options", "library_options"]
