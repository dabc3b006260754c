"""``triage heuristics list|lint|test [DIR...]``: inspect, check and test heuristic files.

With no DIR each action works on the bundled library; with DIRs (folders of
``*.toml`` or single files) on those only. Exit codes: ``list`` 0; ``lint`` 1
when there is any error (warnings never fail); ``test`` 1 when any embedded
example fails or a file does not load; 2 for bad usage (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys

from triagebench.heuristics.examples import run_examples
from triagebench.heuristics.format import load_with_messages
from triagebench.heuristics.lint import lint
from triagebench.parser import printable


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("list", "lint", "test"),
                        help="list: one line per heuristic; lint: check files; test: run examples")
    parser.add_argument("dirs", nargs="*", metavar="DIR",
                        help="heuristic folders or .toml files (default: the bundled library)")
    parser.add_argument("--coverage", action="store_true",
                        help="with list: the coverage map (components x failure kinds, from the "
                             "heuristics' tags; docs/coverage.md is the bundled library's)")


def _out(text: str) -> None:
    sys.stdout.write(printable(text) + "\n")


def _list(dirs: list[str]) -> int:
    library, _ = load_with_messages(dirs, builtin=not dirs)
    width = max((len(h.id) for h in library.heuristics), default=2)
    for h in library.heuristics:
        draft = " (draft)" if h.draft else ""
        _out(f"{h.id:<{width}}  {h.severity:<8}  {h.title}{draft}  [{h.source}]")
    for problem in library.problems:
        print(printable(str(problem)), file=sys.stderr)
    _out(f"{len(library.heuristics)} heuristic(s)"
         + (f", {len(library.problems)} file problem(s)" if library.problems else ""))
    return 0


def _lint(dirs: list[str]) -> int:
    messages = lint(dirs)
    errors = [m for m in messages if m.level == "error"]
    warnings = [m for m in messages if m.level != "error"]
    for message in errors + warnings:
        _out(str(message))
    _out(f"{len(errors)} error(s), {len(warnings)} warning(s)")
    return 1 if errors else 0


def _test(dirs: list[str]) -> int:
    library, _ = load_with_messages(dirs, builtin=not dirs)
    results = run_examples(library)
    failed = [r for r in results if not r.passed]
    for problem in library.problems:
        _out(f"{problem}  (not loaded: its examples did not run)")
    for result in failed:
        _out(result.describe())
    without = [h.id for h in library.heuristics if not h.examples]
    if without:
        _out(f"no examples: {', '.join(without)}")
    _out(f"{len(results) - len(failed)}/{len(results)} example(s) passed in "
         f"{len(library.heuristics)} heuristic(s)")
    return 1 if failed or library.problems else 0


def run(args: argparse.Namespace) -> int:
    dirs = list(args.dirs)
    if args.action == "list" and args.coverage:
        from triagebench.heuristics.coverage import coverage_markdown

        library, _ = load_with_messages(dirs, builtin=not dirs)
        sys.stdout.write(printable(coverage_markdown(library)))
        return 0
    if args.action == "list":
        return _list(dirs)
    if args.action == "lint":
        return _lint(dirs)
    return _test(dirs)
