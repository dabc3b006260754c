"""``triage [FILE]``: open the workbench (no FILE: the bundled demo sample).

``triage FILE [--checks CHECKS.json]... [--theme NAME] [--heuristics DIR]... [--no-builtin]
[--drafts DIR] [--corpus DIR] [--goto REF] [--session S.json] [--compare NEW]``

FILE may be compressed (gz, xz, bz2, zst) or a zip: a zip of several devices' files
opens a picker; a zip holding one capture (diagnostics and health checks) opens as
one. ``--checks`` adds the balena health checks of the same capture: one findings
list, and a "Health checks" group in the tree.

``--goto`` and ``--session`` are checked before the terminal switches too: a
reference that does not parse or a session file that cannot be read is one
line and exit 2. A reference that parses but points past the file (its lines
are only known after parsing) is a notification inside the app.

A file of at most a few MB is analysed in a child process started before the UI is
imported (``services.prefetch``), so its findings are ready about when the first frame
is; anything unusual (a big file, a zip of several captures, a failure in the child) takes
the in-process path, which shows every error as before.

Bad input (missing, a directory, unreadable, empty, binary) is caught by a cheap
check of the first 64 KiB *before* the terminal switches to the full-screen app,
so it gets one line on stderr and exit code 2, like every other verb. Whatever
goes wrong later (the file vanishes, is truncated) is shown inside the app on an
error screen. The full parse happens once, in the child or the app's loading worker.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import stat
import sys
import zlib
from typing import TYPE_CHECKING

from triagebench.cli.common import fail
from triagebench.cli.crash import EXIT_INTERNAL, debug_requested
from triagebench.cli.options import add_library_options, library_options
from triagebench.parser import InputError, printable
from triagebench.parser.magic import COMPRESSED, GZIP_MAGIC, looks_binary, sniff

if TYPE_CHECKING:
    from triagebench.services.library import LibraryOptions
    from triagebench.services.prefetch import Prefetch

DEMO_SAMPLE = "s10-s12-s13-undervoltage-sdcard-rpi3-2.58.3.txt"
PRECHECK_BYTES = 65536
TEXTUAL_CRASH_CODE = 1


def demo_path() -> str:
    """Path of the bundled demo sample (shipped as package data)."""
    from importlib import resources

    samples = resources.files("triagebench.samples")
    preferred = samples / DEMO_SAMPLE
    if preferred.is_file():
        return str(preferred)
    candidates = sorted(p for p in samples.iterdir() if p.name.endswith(".txt"))
    return str(candidates[0]) if candidates else str(preferred)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", help="diagnostics file (default: the bundled demo)")
    parser.add_argument("--checks", action="append", default=[], metavar="CHECKS.json",
                        help="balena health checks (checks.sh JSON) of the same capture "
                             "(repeatable)")
    parser.add_argument("--theme", metavar="NAME",
                        help="colour theme for this run (triage-dark, triage-light, "
                             "triage-contrast, ansi-dark or any Textual theme); "
                             "a theme picked inside the app is remembered")
    add_library_options(parser, include_drafts=True)  # new drafts are saved to --drafts
    parser.add_argument("--corpus", metavar="DIR",
                        help="folder of *.txt diagnostics files the draft editor's live preview "
                             "matches against (default: the bundled samples)")
    parser.add_argument("--goto", metavar="REF",
                        help="open at a line reference: 1234, L1234, FILE#L1234 or "
                             "FILE#section=KEY&line=N")
    parser.add_argument("--compare", metavar="NEW",
                        help="compare FILE with a later capture of the same device (opens the "
                             "compare screen)")
    parser.add_argument("--session", metavar="S.json",
                        help="import a session exported with X (bookmarks, notes, position, "
                             "scope, search, filter)")


def precheck(path: str) -> None:
    """Raise ``InputError`` (one line) for a file the app could not show at all."""
    if not os.path.exists(path):
        raise InputError(path, "no such file")
    if os.path.isdir(path):
        raise InputError(path, "is a directory, not a diagnostics file")
    _refuse_non_regular(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(PRECHECK_BYTES)
        if head[:2] == GZIP_MAGIC:
            with gzip.open(path, "rb") as handle:
                head = handle.read(PRECHECK_BYTES)
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(path, f"cannot be read ({exc})") from None
    if not head:
        raise InputError(path, "file is empty")
    if sniff(head) in (*COMPRESSED, "zip"):
        return  # xz, bz2, zstd, zip: read (and any problem shown) by the loading worker
    if looks_binary(head):
        raise InputError(path, "looks like a binary file, not diagnostics text")
    if len(head) < PRECHECK_BYTES and not head.strip():
        raise InputError(path, "file holds only whitespace")


def _refuse_non_regular(path: str) -> None:
    """A FIFO, device or socket: refused before anything opens it (opening a FIFO
    blocks until a writer appears, so the workbench would hang before its first frame)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # the open below words it
    if stat.S_ISFIFO(mode):
        raise InputError(path, "is a named pipe (FIFO), refused so reading cannot hang; "
                               "save it to a file and open that")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise InputError(path, "is a device, not a diagnostics file")
    if stat.S_ISSOCK(mode):
        raise InputError(path, "is a socket, not a diagnostics file")


def check_dirs(dirs: list[str], what: str) -> None:
    for folder in dirs:
        if not os.path.isdir(folder):
            raise InputError(folder, f"{what} folder does not exist")


def run(args: argparse.Namespace) -> int:
    path = args.file or demo_path()
    policy = library_options(args)
    drafts = policy.drafts_dir
    try:
        precheck(path)
        for checks in args.checks:
            precheck(checks)
        check_dirs(list(policy.heuristic_dirs), "heuristics")
    except InputError as exc:
        return fail(str(exc))
    if drafts and os.path.exists(drafts) and not os.path.isdir(drafts):
        return fail(f"{drafts}: drafts folder is a file, not a folder")
    corpus = args.corpus
    if corpus and not os.path.isdir(corpus):
        return fail(f"{corpus}: corpus folder does not exist")
    goto = args.goto
    if goto is not None:
        from triagebench.parser.refs import RefError, parse_ref

        try:
            parse_ref(goto)
        except RefError as exc:
            return fail(f"--goto: {exc}")
    session = args.session
    if session is not None:
        from triagebench.services.sessions import SessionError, read_session_file

        try:
            read_session_file(session)
        except SessionError as exc:
            return fail(str(exc))
    if args.compare is not None:
        try:
            precheck(args.compare)
        except InputError as exc:
            return fail(str(exc))
    # No cyclic garbage collection until the first frame is painted (tui/startup.py):
    # the imports and the first screen allocate much and free next to nothing.
    from triagebench.tui.startup import pause_collector

    pause_collector()
    # A small file is analysed in a child process while this one imports the UI and
    # lays out its first frame (services.prefetch): before the import, so no thread runs.
    from triagebench.services import prefetch as prefetching
    from triagebench.services.analysis import AnalysisOptions

    prefetch = prefetching.start(path, tuple(args.checks), AnalysisOptions(library=policy),
                                 args.session)
    try:
        return _run_app(args, path, policy, prefetch)
    finally:
        if prefetch is not None:
            prefetch.stop()


def _run_app(args: argparse.Namespace, path: str, policy: LibraryOptions,
             prefetch: Prefetch | None) -> int:
    from rich.console import Console
    from triagebench.tui.app import create_app

    app = create_app(path, theme=args.theme, heuristic_dirs=policy.heuristic_dirs,
                     builtin=policy.builtin, drafts_dir=policy.drafts_dir,
                     include_drafts=policy.include_drafts,
                     goto=args.goto, session_path=args.session, corpus_dir=args.corpus,
                     checks=tuple(args.checks), compare_path=args.compare, prefetch=prefetch)
    # Textual prints a crash's traceback (with local variables: file text) on its
    # error console when the app exits; only --debug shows it (docs/exit-codes.md).
    captured = io.StringIO()
    if not debug_requested():
        app.error_console = Console(file=captured, markup=False, highlight=False, width=100)
    result = app.run()
    code = int(result or app.return_code or 0)
    # Textual ends a crashed app with return code 1: that is an internal error (3),
    # not "a finding matched" (1).
    if code == TEXTUAL_CRASH_CODE:
        shown = printable(path).replace("\n", "\\n")
        print(f"triage: internal error in the workbench while showing {shown} "
              f"(exit {EXIT_INTERNAL}; rerun with --debug for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL
    if captured.getvalue():
        sys.stderr.write(printable(captured.getvalue()))  # anything else it had to say
    return code
