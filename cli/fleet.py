"""``triage fleet PATH... [--scheduler processes|local|tcp://HOST:PORT] [--jobs N]
[--db FILE.sqlite] [--force] [--since TIME] [--format text|json|markdown|csv]
[--heuristics DIR]... [--no-builtin] [--top N]``: scan a fleet's diagnostics files.

Reports, per known pattern, how many *devices* have it active now (their latest capture)
and their share, broken down by OS version and device type, the change since the
previous run, devices where it is only recovered/historical, the share of devices
failing each device-state check, and the top *unexplained* templates across the fleet
(suspicious lines no finding explains), ranked by files, with ``FILE#L123`` examples.

Folders are expanded recursively: every input kind the reader reads (``*.txt``,
``*.log``, ``*.gz``, ``*.xz``, ``*.bz2``, ``*.zst``, ``*.zip``, health-checks ``*.json``,
files without extension; hidden entries and README/LICENSE-like files are skipped), or
with ``--include GLOB`` (repeatable) exactly the files matching a glob; a "skipped N
file(s)" line on stderr counts what was left out. Progress goes to stderr: a progress
bar on a terminal, else a line every few seconds. Files are scanned
in batches on a local process pool (``--scheduler processes``, default, ``--jobs`` worker
processes), a Dask ``LocalCluster`` (``local``) or an existing Dask cluster
(``tcp://HOST:PORT``; Dask is the optional extra ``triagebench[dask]``). ``--db`` keeps
an incremental store (``services.fleet_store``): a second run scans only new files and
the report covers every stored capture; ``--force`` starts the store afresh; ``--since``
only counts captures taken at or after TIME. Ctrl-C stops and keeps what finished.

Exit codes: 0 scanned (even if some files were bad); 2 usage error, a missing path or
heuristics folder, a ``--db`` that is not a fleet store, no Dask for ``--scheduler``, or
no file could be scanned at all; 130 interrupted (what finished is stored).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

from triagebench.cli.common import fail
from triagebench.cli.fleet_progress import FleetProgress
from triagebench.cli.options import add_library_options, library_options
from triagebench.parser import printable
from triagebench.services.fleet import (
    Backend,
    PoolBackend,
    ScanOptions,
    expand_inputs,
    library_for,
    normalise_time,
    run_fleet,
)
from triagebench.services.fleet_dask import DaskMissing, SchedulerError
from triagebench.services.fleet_render import render_csv, render_markdown, render_text
from triagebench.services.fleet_store import Store, StoreError, open_store
from triagebench.services.library import LibraryError, check_dirs
from triagebench.services.render_json import write_json

FORMATS = ("text", "json", "markdown", "csv")
BATCH_SIZE = 8


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="diagnostics files or folders")
    parser.add_argument("--include", action="append", default=[], metavar="GLOB",
                        help="in folders, take exactly the files matching GLOB (name or path "
                             "inside the folder; repeatable), e.g. --include '*.txt.xz'")
    parser.add_argument("--scheduler", default="processes", metavar="WHERE",
                        help="processes (default: local process pool), local (a Dask "
                             "LocalCluster) or tcp://HOST:PORT (an existing Dask scheduler); "
                             "Dask needs: pip install 'triagebench[dask]'")
    parser.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                        help="worker processes (default: CPU count; 1 = no workers)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--db", metavar="FILE.sqlite",
                        help="incremental store: later runs scan only new files")
    parser.add_argument("--force", action="store_true", help="start the --db store afresh")
    parser.add_argument("--since", metavar="TIME",
                        help="only count captures taken at or after TIME (ISO 8601, UTC)")
    add_library_options(parser)
    parser.add_argument("--top", type=int, default=20, metavar="N",
                        help="unexplained templates to show (default 20; 0 = all)")


def _backend(scheduler: str, options: ScanOptions, jobs: int) -> Backend:
    """The scheduler the option names (``DaskMissing``/``SchedulerError`` are one line)."""
    library = library_for(options)
    if scheduler == "processes":
        return PoolBackend(options, library, jobs)
    from triagebench.services.fleet_dask import DaskBackend

    return DaskBackend(options, library, scheduler, jobs=jobs)


def run(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        return fail("triage fleet: --jobs must be at least 1")
    if args.top < 0:
        return fail("triage fleet: --top must be 0 or more")
    if args.scheduler not in ("processes", "local") and not args.scheduler.startswith("tcp://"):
        return fail(f"triage fleet: --scheduler {printable(args.scheduler)}: expected "
                    "processes, local or tcp://HOST:PORT")
    since = None
    if args.since is not None:
        since = normalise_time(args.since if "T" in args.since or " " in args.since
                               else f"{args.since}T00:00:00Z")
        if since is None:
            return fail(f"triage fleet: --since {printable(args.since)}: expected a time "
                        "like 2026-11-01 or 2026-11-01T12:00:00Z")
    policy = library_options(args)
    try:
        check_dirs(policy)
    except LibraryError as exc:
        return fail(f"triage fleet: {printable(str(exc))}")
    expansion = expand_inputs(args.paths, args.include)
    paths, problems = expansion.files, expansion.problems
    if expansion.skipped:
        print(f"triage fleet: skipped {expansion.skipped} file(s) in the folders "
              "(not diagnostics by name or kind" + (", or not --include'd)" if args.include
                                                    else "; --include GLOB takes others)"),
              file=sys.stderr)
    for problem in problems:
        print(printable(f"triage fleet: {problem}"), file=sys.stderr)
    if problems:
        return 2
    if not paths:
        return fail("triage fleet: no diagnostics files found in "
                    + ", ".join(printable(p) for p in args.paths))
    options = ScanOptions(heuristic_dirs=policy.heuristic_dirs, builtin=policy.builtin,
                          drafts_dir=policy.drafts_dir, include_drafts=policy.include_drafts)
    library = library_for(options)  # load once here: report its problems once
    for message in library.problems[:20]:
        print(printable(f"triage fleet: heuristic skipped: {message}"), file=sys.stderr)
    jobs = min(args.jobs or os.cpu_count() or 1, len(paths))
    with tempfile.TemporaryDirectory(prefix="triage-fleet-") as scratch:
        db_path = args.db or str(Path(scratch) / "fleet.sqlite")
        try:
            store = open_store(db_path, fresh=args.force)
        except (StoreError, OSError, sqlite3.Error) as exc:
            return fail(f"triage fleet: {printable(str(exc))}")
        try:
            return _scan_and_report(args, paths, options, jobs, store, since)
        finally:
            store.close()


def _scan_and_report(args: argparse.Namespace, paths: list[str], options: ScanOptions,
                     jobs: int, store: Store, since: str | None) -> int:
    try:
        backend = _backend(args.scheduler, options, jobs)
    except (DaskMissing, SchedulerError) as exc:
        return fail(f"triage fleet: {printable(str(exc))}")
    progress = FleetProgress()
    try:
        stats = run_fleet(paths, store, backend, BATCH_SIZE, progress)
    except sqlite3.Error as exc:
        return fail(f"triage fleet: {printable(store.path)}: cannot write the store: {exc}")
    finally:
        progress.close()
    for _path, error in stats.errors:
        print(printable(f"triage fleet: skipped {error}"), file=sys.stderr)
    summary = store.summary(stats, since=since, top=args.top or None)
    if args.format == "json":
        write_json(summary.as_dict())
    elif args.format == "markdown":
        sys.stdout.write(render_markdown(summary))
    elif args.format == "csv":
        sys.stdout.write(render_csv(summary))
    else:
        for line in render_text(summary):
            print(printable(line))
    if stats.interrupted:
        print("triage fleet: interrupted; every finished batch is stored", file=sys.stderr)
        return 130
    if stats.scanned and stats.scanned == stats.error_count and not summary.captures:
        return fail("triage fleet: no file could be scanned")
    return 0
