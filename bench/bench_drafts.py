"""Promote-lines-to-draft timings: generalise, build, lint, preview (here and on a corpus).

Usage: .venv/bin/python bench/bench_drafts.py [FILE] [--corpus DIR]

FILE defaults to ``bench/data/heuristics-synthetic-1m.txt`` (made by
``bench/bench_heuristics.py``) when present. For each of a few lines (the first
line containing each needle) it times what the pattern author waits for:
``propose`` (the generaliser, including counting matches over the whole file),
``build_draft``, ``lint_draft`` (loader + ReDoS + examples) and ``preview``
(matching lines here + the draft evaluated on every corpus file). Parsing is
timed once and reported separately (it happens when the file is opened).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from triagebench.heuristics.drafts import build_draft, corpus_paths, lint_draft, preview
from triagebench.heuristics.generalise import propose, selection_lines
from triagebench.parser import parse_file

NEEDLES = ["Under-voltage detected", "request timed out", 'level=error msg="Handler for GET',
           "GET /v1/healthy 200", "LogBackend: unexpected error"]
DEFAULT_FILE = Path(__file__).parent / "data" / "heuristics-synthetic-1m.txt"


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
    parser.add_argument("--corpus", help="folder of *.txt files (default: bundled samples)")
    args = parser.parse_args()
    if not os.path.exists(args.file):
        print(f"{args.file}: missing (run bench/bench_heuristics.py to make it)", file=sys.stderr)
        return 2
    doc, parse_s = timed(parse_file, args.file)
    corpus = corpus_paths(args.corpus)
    print(f"file: {args.file} ({doc.line_count:,} lines), parse {parse_s:.2f} s; "
          f"corpus: {len(corpus)} files; cpus: {os.cpu_count()}")
    print(f"{'line':>8}  {'propose':>8}  {'build':>7}  {'lint':>6}  {'preview':>8}  "
          f"{'here':>7}  corpus  regex")
    for needle in NEEDLES:
        number = next((n for n in range(1, doc.line_count + 1) if needle in doc.lines[n - 1]),
                      None)
        if number is None:
            continue
        selected = selection_lines(doc, [number])
        proposals, propose_s = timed(propose, selected, doc)
        draft, build_s = timed(build_draft, doc, [number])
        _, lint_s = timed(lint_draft, draft)
        result, preview_s = timed(preview, draft, doc, corpus)
        print(f"{number:>8}  {propose_s:>7.2f}s  {build_s:>6.2f}s  {lint_s:>5.2f}s  "
              f"{preview_s:>7.2f}s  {result.line_count:>7}  {len(result.corpus_matched)}/"
              f"{result.corpus_total}    {proposals[0].regex[:60]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
