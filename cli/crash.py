"""The one place an unexpected exception becomes exit code 3 and one line on stderr.

``cli/main.py`` runs every verb through ``guarded``. Exit codes
(``docs/exit-codes.md``): a verb returns 0 / 1 / 2 itself; what escapes it is

* a known bad-input error (``InputError``, ``SessionError``, ``RefError``,
  ``WriteError``): its own one-line message, exit 2 (a verb forgot to catch it;
  the user still gets the contract);
* anything else (a bug, ``RecursionError``, ``MemoryError``...): exit 3 and one line
  ``triage: internal error while reading FILE: KIND: message`` (the file when the
  command names one), plus a hint to rerun with ``--debug``. Only under ``--debug``
  is the traceback printed, so CI logs stay readable and a crash is never mistaken
  for "a finding matched" (exit 1).

``--debug`` is a global option: ``strip_debug`` takes it out of the arguments
wherever it appears before ``--``, so ``triage --debug scan x`` and
``triage scan x --debug`` both work and no verb has to declare it.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence

from triagebench.parser import InputError, printable

DEBUG_OPTION = "--debug"
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
MESSAGE_CHARS = 300

# The file the current command is working on; a verb going through several files
# calls ``set_current_file`` with the one in hand so a crash names it.
_current: list[str] = []


_debug: list[bool] = [False]


def debug_requested() -> bool:
    """Was ``--debug`` given to this run (for verbs that report errors themselves)?"""
    return _debug[0]


def set_current_file(path: str | None) -> None:
    """Name the file a crash from now on is about (``None``: none in particular)."""
    _current[:] = [path] if path else []


def strip_debug(argv: Sequence[str]) -> tuple[list[str], bool]:
    """``argv`` without ``--debug`` (before a ``--``), and whether it was there."""
    args = list(argv)
    end = args.index("--") if "--" in args else len(args)
    head = [a for a in args[:end] if a != DEBUG_OPTION]
    return head + args[end:], len(head) != end


def files_named(argv: Sequence[str]) -> list[str]:
    """The command's positional arguments that look like input files (after the verb)."""
    out = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg.startswith("-"):
            # An option with a separate value: the value is not a file we read.
            skip = "=" not in arg and arg in VALUE_OPTIONS
            continue
        out.append(arg)
    return out


# Every option of every verb that takes a value (tests/test_exit_codes.py keeps this in
# step with the verbs' parsers), so its value is not taken for the file.
VALUE_OPTIONS = frozenset({
    "--checks", "--corpus", "--db", "--drafts", "--fail-on", "--format", "--goto", "--heuristics", "--host",
    "--id", "--include", "--jobs", "--lines", "--max-sessions", "--out", "--port", "--public-url",
    "--section", "--session", "--severity", "--theme", "--timeout", "--title", "--top",
    "--scheduler", "--since", "--until", "--grep", "--compare", "--timeline-minutes"})


def internal_error_line(exc: BaseException, file: str | None) -> str:
    """The one line shown for an unexpected exception."""
    message = " ".join(str(exc).split())
    if len(message) > MESSAGE_CHARS:
        message = message[:MESSAGE_CHARS] + " …"
    kind = type(exc).__name__
    where = f" while reading {file}" if file else ""
    text = f"triage: internal error{where}: {kind}" + (f": {message}" if message else "")
    one_line = printable(text).replace("\n", "\\n")  # a file name may hold a newline
    return one_line + f" (exit {EXIT_INTERNAL}; rerun with {DEBUG_OPTION} for the traceback)"


def bad_input_errors() -> tuple[type[Exception], ...]:
    """The known bad-input errors, imported when one may have escaped (not at start-up:
    the sessions and refs modules would be imported by every command)."""
    from triagebench.parser.refs import RefError
    from triagebench.services.files import WriteError
    from triagebench.services.sessions import SessionError

    return (InputError, SessionError, RefError, WriteError)


def guarded(dispatch: Callable[[], int], argv: Sequence[str], debug: bool) -> int:
    """Run ``dispatch``; map what escapes it to exit 2 (bad input) or 3 (internal error).

    ``argv``: the command's arguments after the verb (its files are named in the line)."""
    _current.clear()
    _debug[0] = debug
    try:
        return dispatch()
    except Exception as exc:  # noqa: BLE001 - the whole point: no traceback by default
        if debug:
            traceback.print_exc()
        if isinstance(exc, bad_input_errors()):
            print(printable(str(exc)), file=sys.stderr)
            return EXIT_BAD_INPUT
        named = _current[:1] or files_named(argv)[:1]
        file = named[0] if named else None
        print(internal_error_line(exc, file), file=sys.stderr)
        return EXIT_INTERNAL


__all__ = ["DEBUG_OPTION", "EXIT_INTERNAL", "debug_requested", "guarded", "internal_error_line",
           "set_current_file", "strip_debug"]
