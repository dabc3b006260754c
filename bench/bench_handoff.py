"""Hand-over benchmark: content hash, line references, session store, report.

Run: .venv/bin/python bench/bench_handoff.py [--lines 1000000]
Builds a diagnostics file in the real layout whose ``balena --version`` section holds
``--lines`` extra lines (into bench/data/, git-ignored), plus a typical 10,000-line one,
and times what a user waits for: hashing the file to find its session, copying and
following references, saving/loading 1,000 bookmarks, importing them into another
capture (relocation by section reference), and building the Markdown report.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from triagebench.heuristics.model import Evidence, Finding, Findings, SignalResult  # noqa: E402
from triagebench.parser import parse_file, parse_text  # noqa: E402
from triagebench.parser.refs import format_ref, parse_ref, resolve_ref  # noqa: E402
from triagebench.services.report import build_report  # noqa: E402
from triagebench.services.sessions import (  # noqa: E402
    Session,
    content_hash_of_file,
    export_session,
    import_session,
    load_stored,
    save_stored,
)

from tests.test_refs import diagnostics_text  # noqa: E402


def best(fn, repeat: int = 5) -> float:
    """Best wall time of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def make_file(path: Path, extra: int) -> Path:
    if not path.exists():
        lines = [f"May 02 16:03:{i % 60:02d} balenad[1189]: level=info msg=\"line {i}\""
                 for i in range(extra)]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(diagnostics_text(shift=lines), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    data = ROOT / "bench" / "data"
    small = make_file(data / "handoff-10k.txt", 10_000 - 113)
    big = make_file(data / f"handoff-{args.lines}.txt", args.lines)
    os.environ["TRIAGE_DATA_DIR"] = tempfile.mkdtemp(prefix="triage-bench-")
    print(f"machine: {os.cpu_count()} cpu(s), python {sys.version.split()[0]}")
    for path in (small, big):
        doc = parse_file(str(path))
        size = path.stat().st_size / 1e6
        print(f"\n{path.name}: {doc.line_count:,} lines, {size:.1f} MB")
        t = best(lambda p=path: content_hash_of_file(p), 3)
        print(f"  sha256 of the file (find its session)   {t * 1000:9.1f} ms")

        probe = list(range(1, doc.line_count + 1, max(1, doc.line_count // 1000)))[:1000]
        t = best(lambda d=doc, p=probe: [format_ref(d, n, stable=True) for n in p])
        print(f"  format_ref stable, per line             {t / len(probe) * 1e6:9.1f} us")
        refs = [parse_ref(format_ref(doc, n, stable=True)) for n in probe]
        t = best(lambda d=doc, r=refs: [resolve_ref(x, d) for x in r])
        print(f"  parse+resolve, per reference            {t / len(refs) * 1e6:9.1f} us")

        digest = content_hash_of_file(path)
        session = Session.for_document(doc, digest)
        for n in probe:
            session.set_note(doc, n, f"note on {n}")
        t = best(lambda s=session: save_stored(s))
        k = len(probe)
        print(f"  save {k:,} bookmarks (atomic)           {t * 1000:9.1f} ms")
        t = best(lambda d=doc, h=digest: load_stored(d, h))
        print(f"  load {k:,} bookmarks                    {t * 1000:9.1f} ms")
        out = Path(tempfile.mkdtemp()) / "s.json"
        export_session(session, out)
        t = best(lambda d=doc, o=out: import_session(o, d, "0" * 64))
        print(f"  import {k:,} into another capture       {t * 1000:9.1f} ms  (same text at the ref)")
        text = path.read_text(encoding="utf-8")
        anchor = "Docker version 19.03.30"  # first line of the section holding the bulk
        slid = parse_text(text.replace(anchor, "inserted line\n" + anchor, 1), path=path.name)
        t = best(lambda d=slid, o=out: import_session(o, d, "0" * 64), 3)
        print(f"  import {k:,}, section window slid by 1   {t * 1000:9.1f} ms  (found by text)")

        heuristic = SimpleNamespace(id="x", title="X", severity="high",
                                    permalink="https://example.com", description="d",
                                    remedy="r", source="s", draft=False, fixed_in="1.0")
        evidence = [Evidence(n, "", doc.plain(n)) for n in probe]
        findings = Findings([Finding(heuristic, {"s": SignalResult("s", True, evidence)})])
        marks = session.sorted_bookmarks()
        t = best(lambda d=doc, f=findings, m=marks: build_report(d, f, bookmarks=m,
                                                                 templates=()))
        print(f"  build_report ({k:,} evidence, {k:,} notes) {t * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
