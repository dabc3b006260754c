"""The ``triage`` command: ``triage [FILE]`` opens the TUI, ``triage VERB ...`` runs headless.

Each verb lives in ``cli/<verb>.py`` with ``add_arguments(parser)`` and
``run(args) -> int``, registered by one line in ``VERBS`` below (module name and
help); this module only dispatches, so adding a verb never touches another verb's
code. Exit codes (``docs/exit-codes.md``): 0 done, 1 a finding at or above
``--fail-on``, 2 bad input or usage (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Protocol

# verb -> one-line help; the module is ``triagebench.cli.<verb>`` (``open`` is the TUI).
VERBS: dict[str, str] = {
    "parse": "the structured document (sections, facts)",
    "scan": "match heuristics and report findings",
    "heuristics": "list, lint or test heuristic files",
    "draft": "promote lines to a heuristic draft, headless",
    "fleet": "scan many files: pattern prevalence and unexplained templates",
    "report": "a Markdown triage report for a ticket",
    "serve": "share the TUI in a browser (textual-serve)",
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="triage",
        description="Triage device diagnostics: `triage FILE` opens the workbench; "
                    "`triage VERB --help` for the headless commands.",
        epilog="verbs: " + "; ".join(f"{v} ({h})" for v, h in VERBS.items()),
    )
    open_tui = _verb_module("open")
    open_tui.add_arguments(parser)
    return parser


def build_verb_parser(verb: str) -> tuple[argparse.ArgumentParser, Verb]:
    module = _verb_module(verb)
    parser = _Parser(prog=f"triage {verb}", description=VERBS[verb])
    module.add_arguments(parser)
    return parser, module


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
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
