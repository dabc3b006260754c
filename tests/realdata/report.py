"""Print the corpus numbers (recall on problem cases, false alarms on the others).

``python -m tests.realdata.report [--verbose]`` from the repository root; the same scoring as
``tests/test_realdata_corpus.py``, for bench/README.md's before/after table.
"""

from __future__ import annotations

import sys

from .score import score_all


def main(argv: list[str]) -> int:
    verbose = "--verbose" in argv
    results = score_all()
    problems = [r for r in results if r.case.kind == "problem"]
    others = [r for r in results if r.case.kind != "problem"]
    found = sum(r.ok for r in problems)
    alarms = sum(not r.ok for r in others)
    print(f"cases: {len(results)} ({len(problems)} problem, {len(others)} healthy/recovered/benign)")
    print(f"recall: {found}/{len(problems)} problem cases fully found"
          f" ({100 * found / max(1, len(problems)):.0f} %)")
    print(f"false alarms: {alarms}/{len(others)} healthy/recovered/benign cases with a medium+ finding")
    for r in results:
        if verbose or not r.ok:
            print(f"  {'ok  ' if r.ok else 'FAIL'} {r.case.kind:9} {r.case.name}: {'; '.join(r.problems) or 'as expected'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
