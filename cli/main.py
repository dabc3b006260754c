"""The ``triage`` command: ``triage [FILE]`` opens the TUI, ``triage VERB ...`` runs headless.

Each verb lives in ``cli/<verb>.py`` with ``add_arguments(parser)`` and
``run(args) -> int``, registered by one line in ``VERBS`` below (module name and
help); this module only dispatches, so adding a verb never touches another verb's
code. Exit codes (``docs/exit-codes.md``): 0 done, 1 a finding at or above
``--fail-on``, 2 bad input or usage (one line on stderr, never a traceback), 3 an
internal error (one line; the traceback only under the global ``--debug``).
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Protocol

from triagebench.cli.crash import guarded, strip_debug

# verb -> one-line help; the module is ``triagebench.cli.<verb>`` (``open`` is the TUI).
VERBS: dict[str, str] = {
    "parse": "the structured document (sections, facts)",
    "scan": "match heuristics and report findings",
    "heuristics": "list, lint or test heuristic files",
    "draft": "promote lines to a heuristic draft, headless",
    "fleet": "scan many files: pattern prevalence and unexplained templates",
    "report": "a Markdown triage report for a ticket",
    "serve": "share the TUI in a browser (textual-serve)",
    "completion": "print a shell completion script (bash, zsh or fish)",
    "timeline": "every timestamped line merged by time (--since/--until/--grep)",
    "diff": "compare two captures of one device (facts, findings, templates)",
}


class UsageError(Exception):
    """Bad command-line usage; the message is printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # noqa: D401 - argparse hook
        raise UsageError(f"{self.prog}: {message}")


class Verb(Protocol):
    """What a verb module provides."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def _verb_module(verb: str) -> Verb:
    module: Verb = importlib.import_module(f"triagebench.cli.{verb}")  # type: ignore[assignment]
    return module


def version() -> str:
    """The installed version (one source: ``triagebench.__version__``, which
    pyproject.toml reads as the package version)."""
    from triagebench import __version__

    return __version__


def verbs_epilog() -> str:
    """The verbs, one per line with their one-line purpose (``triage --help``)."""
    width = max(len(verb) for verb in VERBS) + 2
    lines = [f"  {verb:<{width}}{purpose}" for verb, purpose in VERBS.items()]
    return "verbs (triage VERB --help for each):\n" + "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="triage",
        description="Triage device diagnostics: `triage FILE` opens the workbench; "
                    "`triage VERB ...` runs headless.",
        epilog=verbs_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"triage {version()}")
    open_tui = _verb_module("open")
    open_tui.add_arguments(parser)
    return parser


def completion_parser() -> argparse.ArgumentParser:
    """Every verb as a sub-command of one parser: what shell completion walks."""
    parser = _Parser(prog="triage")
    parser.add_argument("--version", action="version", version=f"triage {version()}")
    verbs = parser.add_subparsers(dest="verb")
    for verb, purpose in VERBS.items():
        _verb_module(verb).add_arguments(verbs.add_parser(verb, help=purpose))
    return parser


def suggest_verb(word: str) -> str | None:
    """The verb ``word`` is most likely a typo of (``scna`` -> ``scan``), if any."""
    close = difflib.get_close_matches(word, list(VERBS), n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown_verb(args_list: list[str]) -> str | None:
    """One line for ``triage WORD ...`` when WORD is no verb and no file (else None)."""
    if (not args_list or args_list[0] in VERBS or args_list[0].startswith("-")
            or os.path.exists(args_list[0])):
        return None
    word = args_list[0]
    if "." in word or "/" in word or os.sep in word:
        return None  # a path that does not exist: the TUI says "no such file"
    guess = suggest_verb(word)
    if guess is not None:
        return f"triage: unknown verb {word!r}; did you mean {guess!r}?"
    if len(args_list) > 1 and not args_list[1].startswith("-"):
        return (f"triage: unknown verb {word!r} (and no such file); "
                f"verbs: {', '.join(VERBS)}")
    return None


def _complete() -> None:
    """Answer a shell's completion request (``_ARGCOMPLETE`` set) and exit."""
    import argcomplete

    argcomplete.autocomplete(completion_parser())


def build_verb_parser(verb: str) -> tuple[argparse.ArgumentParser, Verb]:
    module = _verb_module(verb)
    parser = _Parser(prog=f"triage {verb}", description=VERBS[verb])
    module.add_arguments(parser)
    return parser, module


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None and "_ARGCOMPLETE" in os.environ:
        _complete()
    # Exit 3 + one line for an internal error, the traceback only under --debug (cli/crash.py).
    args_list, debug = strip_debug(sys.argv[1:] if argv is None else argv)
    inputs = args_list[1:] if args_list and args_list[0] in VERBS else args_list
    return guarded(lambda: _dispatch(args_list), inputs, debug)


def _dispatch(args_list: list[str]) -> int:
    try:
        unknown = _unknown_verb(args_list)
        if unknown is not None:
            raise UsageError(unknown)
        if args_list and args_list[0] in VERBS:
            parser, module = build_verb_parser(args_list[0])
            args = parser.parse_args(args_list[1:])
            return int(module.run(args) or 0)
        open_tui = _verb_module("open")
        args = build_parser().parse_args(args_list)
        return int(open_tui.run(args) or 0)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("triage: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
