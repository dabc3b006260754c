"""``triage fleet PATH... [--jobs N] [--format text|json|markdown|csv] [--db FILE.sqlite]
[--force] [--heuristics DIR]... [--no-builtin] [--top N]``: scan many diagnostics files.

Reports, per known pattern, how many files match (and the share), broken down by
OS version and device type, and the top *unexplained* templates across the fleet
(suspicious lines that no finding explains, mined into templates), ranked by the
number of files they appear in, with ``FILE#L123`` example references.

Folders are expanded recursively: every input kind the reader reads (``*.txt``,
``*.log``, ``*.gz``, ``*.xz``, ``*.bz2``, ``*.zst``, ``*.zip``, health-checks ``*.json``,
files without extension; hidden entries and README/LICENSE-like files are skipped), or
with ``--include GLOB`` (repeatable) exactly the files matching a glob; a "skipped N
file(s)" line on stderr counts what was left out. A zip is one capture (a
diagnostics file, with its health checks if it holds them); a zip of several devices'
files is listed as skipped with its members named (use ``triage scan`` for those). Progress goes to stderr: a progress
bar on a terminal, else one line every few seconds. Files are
scanned in parallel worker processes (``--jobs``, default: CPU count), each
worker loading the heuristic library once. A file that cannot be read is listed
with its problem and skipped. ``--db`` writes an SQLite database (schema in
``triagebench.services.fleet``); an existing database is replaced only with
``--force``.

Exit codes: 0 scanned (even if some files were bad); 2 usage error, a missing
path or heuristics folder, an existing ``--db`` without ``--force``, or no file
could be scanned at all.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from triagebench.cli.common import fail
from triagebench.cli.options import add_library_options, library_options
from triagebench.cli.progress import ProgressLines
from triagebench.parser import printable
from triagebench.services.fleet import (
    DatabaseExistsError,
    FileRecord,
    FleetReport,
    ScanOptions,
    aggregate,
    expand_inputs,
    init_worker,
    library_for,
    scan_file,
    write_sqlite,
)
from triagebench.services.library import LibraryError, check_dirs
from triagebench.services.render_json import FLEET_SCHEMA, write_json
from triagebench.services.render_markdown import cell, code_span

FORMATS = ("text", "json", "markdown", "csv")
PROGRESS_EVERY = 5.0
"""Seconds between progress lines when stderr is not a terminal (CI logs, pipes)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="diagnostics files or folders")
    parser.add_argument("--include", action="append", default=[], metavar="GLOB",
                        help="in folders, take exactly the files matching GLOB (name or path "
                             "inside the folder; repeatable), e.g. --include '*.txt.xz'")
    parser.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                        help="worker processes (default: CPU count; 1 = no workers)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--db", metavar="FILE.sqlite", help="also write an SQLite database")
    parser.add_argument("--force", action="store_true", help="replace an existing --db file")
    add_library_options(parser)
    parser.add_argument("--top", type=int, default=20, metavar="N",
                        help="unexplained templates to show (default 20; 0 = all)")


def _scan_all(paths: list[str], options: ScanOptions, jobs: int,
              every: float = PROGRESS_EVERY) -> list[FileRecord]:
    """Scan every path (in worker processes when ``jobs`` > 1), in input order.

    Progress on stderr: a rich bar on a terminal, else a line every ``every`` seconds."""
    show = sys.stderr.isatty()
    progress = None
    task = None
    lines = None if show else ProgressLines("triage fleet: scanned", len(paths), every=every)
    if show:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        progress = Progress("[progress.description]{task.description}", BarColumn(),
                            MofNCompleteColumn(), TimeRemainingColumn(),
                            console=Console(stderr=True), transient=True)
        progress.start()
        task = progress.add_task("scanning", total=len(paths))
    records: list[FileRecord] = []
    try:
        if jobs <= 1 or len(paths) == 1:
            for path in paths:
                records.append(scan_file(path, options))
                if progress is not None:
                    progress.advance(task)
                if lines is not None:
                    lines.advance()
        else:
            chunk = max(1, min(16, len(paths) // (jobs * 8)))
            with ProcessPoolExecutor(max_workers=jobs, initializer=init_worker,
                                     initargs=(options,)) as pool:
                for record in pool.map(scan_file, paths, [options] * len(paths),
                                       chunksize=chunk):
                    records.append(record)
                    if progress is not None:
                        progress.advance(task)
                    if lines is not None:
                        lines.advance()
    finally:
        if progress is not None:
            progress.stop()
    return records


def _facts_breakdown(counts: dict[str, int], limit: int = 4) -> str:
    items = list(counts.items())
    text = ", ".join(f"{name} {count}" for name, count in items[:limit])
    return text + (f", +{len(items) - limit} more" if len(items) > limit else "")


def render_text(report: FleetReport, top: int | None) -> list[str]:
    """Plain report lines (untrusted: the caller passes them through ``printable``)."""
    out = [f"{report.scanned} of {report.files} file(s) scanned; "
           f"{report.clean_files} without any finding"]
    if report.os_totals:
        out.append(f"  OS versions: {_facts_breakdown(report.os_totals, 6)}")
    if report.device_totals:
        out.append(f"  device types: {_facts_breakdown(report.device_totals, 6)}")
    out.append("")
    out.append("Known patterns (by number of files)")
    if not report.patterns:
        out.append("  none matched")
    for p in report.patterns:
        out.append(f"  {p.files:>5}  {p.share:6.1%}  {p.severity:<8}  {p.id}: {p.title}")
        out.append(f"                   by OS: {_facts_breakdown(p.by_os)}")
        out.append(f"                   by device: {_facts_breakdown(p.by_device)}")
        if p.examples:
            out.append(f"                   e.g. {', '.join(p.examples)}")
    out.append("")
    templates = report.templates if not top else report.templates[:top]
    out.append(f"Unexplained templates (top {len(templates)} of {len(report.templates)}, "
               "by number of files)")
    if not templates:
        out.append("  none")
    for t in templates:
        out.append(f"  {t.files:>5} file(s) {t.lines:>7} line(s)  [{t.section or '-'}]")
        out.append(f"         {t.template}")
        if t.examples:
            out.append(f"         e.g. {', '.join(t.examples)}")
    if report.errors:
        out.append("")
        out.append(f"Skipped {len(report.errors)} file(s):")
        out.extend(f"  {error}" for _, error in report.errors)
    for problem in report.heuristic_errors[:20]:
        out.append(f"heuristic error: {problem}")
    return out


def _md(text: str) -> str:
    return cell(text)


def render_markdown(report: FleetReport, top: int | None) -> str:
    out = [f"# Fleet scan: {report.scanned} of {report.files} file(s)", ""]
    out += ["## Known patterns", ""]
    if report.patterns:
        out += ["| files | share | severity | pattern | by OS version | by device type | examples |",
                "|---:|---:|---|---|---|---|---|"]
        for p in report.patterns:
            out.append(f"| {p.files} | {p.share:.1%} | {p.severity} | {code_span(p.id)} {_md(p.title)} "
                       f"| {_md(_facts_breakdown(p.by_os))} | {_md(_facts_breakdown(p.by_device))} "
                       f"| {_md(', '.join(p.examples))} |")
    else:
        out.append("No known pattern matched.")
    templates = report.templates if not top else report.templates[:top]
    out += ["", "## Unexplained templates", ""]
    if templates:
        out += ["| files | lines | section | template | examples |", "|---:|---:|---|---|---|"]
        for t in templates:
            out.append(f"| {t.files} | {t.lines} | {_md(t.section or '')} | {code_span(t.template).replace('|', chr(92) + '|')} "
                       f"| {_md(', '.join(t.examples))} |")
    else:
        out.append("None.")
    if report.errors:
        out += ["", "## Skipped files", ""]
        out += [f"- {_md(error)}" for _, error in report.errors]
    return "\n".join(out) + "\n"


def render_csv(report: FleetReport, top: int | None) -> str:
    """One table: ``kind`` is ``pattern``, ``template`` or ``error``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["kind", "id_or_template", "section", "severity", "files", "share", "lines",
                     "by_os", "by_device", "examples"])
    for p in report.patterns:
        writer.writerow(["pattern", p.id, "", p.severity, p.files, f"{p.share:.4f}", "",
                         _facts_breakdown(p.by_os, 50), _facts_breakdown(p.by_device, 50),
                         " ".join(p.examples)])
    for t in report.templates if not top else report.templates[:top]:
        writer.writerow(["template", t.template, t.section or "", "", t.files, "", t.lines,
                         "", "", " ".join(t.examples)])
    for path, error in report.errors:
        writer.writerow(["error", error, "", "", "", "", "", "", "", path])
    return printable(buffer.getvalue())


def run(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        return fail("triage fleet: --jobs must be at least 1")
    if args.top < 0:
        return fail("triage fleet: --top must be 0 or more")
    policy = library_options(args)
    try:
        check_dirs(policy)
    except LibraryError as exc:
        return fail(f"triage fleet: {printable(str(exc))}")
    if args.db and Path(args.db).exists() and not args.force:
        return fail(f"triage fleet: {args.db}: already exists (use --force to replace it)")
    expansion = expand_inputs(args.paths, include=tuple(args.include))
    paths, problems = expansion.files, expansion.problems
    for problem in problems:
        print(printable(f"triage fleet: {problem}"), file=sys.stderr)
    if problems:
        return 2
    if expansion.skipped:
        hint = "" if args.include else "; --include GLOB to take them"
        print(f"triage fleet: skipped {expansion.skipped} file(s) in folders "
              f"(not diagnostics by name or kind{hint})", file=sys.stderr)
    if not paths:
        return fail("triage fleet: no diagnostics files found in "
                    + ", ".join(printable(p) for p in args.paths))
    options = ScanOptions(heuristic_dirs=policy.heuristic_dirs, builtin=policy.builtin,
                          drafts_dir=policy.drafts_dir, include_drafts=policy.include_drafts)
    library = library_for(options)  # load once here too: report its problems once
    for message in library.problems[:20]:
        print(printable(f"triage fleet: heuristic skipped: {message}"), file=sys.stderr)
    jobs = args.jobs or os.cpu_count() or 1
    records = _scan_all(paths, options, min(jobs, len(paths)))
    report = aggregate(records)
    for path, error in report.errors:
        print(printable(f"triage fleet: skipped {error}" if path in error
                        else f"triage fleet: skipped {path}: {error}"), file=sys.stderr)
    top = args.top or None
    if args.format == "json":
        write_json({"schema": FLEET_SCHEMA, **report.as_dict(top), "skipped": expansion.skipped})
    elif args.format == "markdown":
        sys.stdout.write(render_markdown(report, top))
    elif args.format == "csv":
        sys.stdout.write(render_csv(report, top))
    else:
        for line in render_text(report, top):
            print(printable(line))
    if args.db:
        try:
            write_sqlite(report, records, args.db, force=args.force)
        except DatabaseExistsError as exc:
            return fail(f"triage fleet: {exc}")
        except (OSError, sqlite3_error()) as exc:
            return fail(f"triage fleet: {args.db}: cannot write the database: {exc}")
    if report.scanned == 0:
        return fail("triage fleet: no file could be scanned")
    return 0


def sqlite3_error() -> type[Exception]:
    import sqlite3

    return sqlite3.Error
