"""The fleet store: one SQLite file that grows run after run, keyed by capture content hash.

Why: a fleet is captured every day; today's run must add today's captures to
yesterday's without scanning yesterday's again, and a device captured ten times is
still one device. So every capture is stored once (its content hash is the key), with
its device id (the UUID in ``config.json``, else the capture itself) and capture time;
the report takes each device's *latest* capture (optionally only captures at or after
``since``) and is computed here in SQL, on disk, so the driver's memory does not grow
with the fleet.

Schema (``meta.schema`` = ``triagebench-fleet-store/1``):

``meta(key, value)``; ``paths(path, size, mtime_ns, hash)`` (a file whose size and
mtime did not change is not read again); ``runs(id, started_at, finished_at, inputs,
known, scanned, errors, interrupted)``; ``captures(hash PK, run_id, path, device,
device_known, captured_at, os_version, device_type, arch, supervisor_version, format,
lines, suspicious, unexplained, error)``; ``findings(hash, heuristic, status, severity,
base_severity, title, evidence_lines)`` (``status`` active/recovered/historical,
``evidence_lines`` a JSON array); ``states(hash, item, state)`` (device-state items);
the merged partial aggregates of every run: ``agg_totals(key, value)``,
``agg_patterns(heuristic, status, os_version, device_type, captures)`` (status
``active``/``past``), ``agg_titles(heuristic, title, severity)``, ``agg_states(item,
state, captures)``, ``agg_templates(section, template, files, lines, examples)``; and
``run_patterns(run_id, heuristic, devices_active, devices)``, the snapshot the trend
between runs compares.

A run is one transaction: Ctrl-C commits what finished, a crash leaves the previous run.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triagebench.heuristics.mining import template_regex
from triagebench.heuristics.model import SEVERITY_RANK
from triagebench.services.fleet import (
    ACTIVE,
    FileRecord,
    Partial,
    TemplateCount,
    file_ref,
    mine_templates,
    status_class,
)

if TYPE_CHECKING:
    from triagebench.services.fleet import RunStats

STORE_SCHEMA = "triagebench-fleet-store/1"
REPORT_SCHEMA = "triagebench-fleet/1"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE paths (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, hash TEXT);
CREATE TABLE runs (id INTEGER PRIMARY KEY, started_at TEXT, finished_at TEXT, inputs INTEGER,
    known INTEGER, scanned INTEGER, errors INTEGER, interrupted INTEGER);
CREATE TABLE captures (hash TEXT PRIMARY KEY, run_id INTEGER, path TEXT, device TEXT NOT NULL,
    device_known INTEGER, captured_at TEXT, os_version TEXT, device_type TEXT, arch TEXT,
    supervisor_version TEXT, format TEXT, lines INTEGER, suspicious INTEGER,
    unexplained INTEGER, error TEXT);
CREATE TABLE findings (hash TEXT NOT NULL, heuristic TEXT NOT NULL, status TEXT, severity TEXT,
    base_severity TEXT, title TEXT, evidence_lines TEXT);
CREATE TABLE states (hash TEXT NOT NULL, item TEXT NOT NULL, state TEXT NOT NULL);
CREATE TABLE agg_totals (key TEXT PRIMARY KEY, value INTEGER);
CREATE TABLE agg_patterns (heuristic TEXT, status TEXT, os_version TEXT, device_type TEXT,
    captures INTEGER, PRIMARY KEY (heuristic, status, os_version, device_type));
CREATE TABLE agg_titles (heuristic TEXT PRIMARY KEY, title TEXT, severity TEXT);
CREATE TABLE agg_states (item TEXT, state TEXT, captures INTEGER, PRIMARY KEY (item, state));
CREATE TABLE agg_templates (id INTEGER PRIMARY KEY, section TEXT, template TEXT, files INTEGER,
    lines INTEGER, examples TEXT);
CREATE TABLE run_patterns (run_id INTEGER, heuristic TEXT, devices_active INTEGER,
    devices INTEGER);
CREATE INDEX captures_device ON captures(device, captured_at);
CREATE INDEX findings_hash ON findings(hash);
CREATE INDEX findings_heuristic ON findings(heuristic);
CREATE INDEX states_hash ON states(hash);
"""


class StoreError(Exception):
    """The file is not a fleet store this version can use (one line)."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- the report ---------------------------------------------------------------------------
@dataclass(slots=True)
class PatternLine:
    id: str
    title: str
    severity: str
    devices_active: int  # devices whose latest capture has it active
    share: float  # of devices
    devices_past: int  # latest capture shows it recovered/historical only
    captures_active: int  # all stored captures with it active
    by_os: dict[str, int]  # active devices per OS version
    by_device: dict[str, int]  # active devices per device type
    trend: float | None  # change of ``share`` since the previous run (None: first run)
    examples: list[str]


@dataclass(slots=True)
class StateLine:
    item: str
    devices: int  # devices whose latest capture answers this item
    failed: int
    degraded: int
    share_failed: float


@dataclass(slots=True)
class TemplateLine:
    section: str | None
    template: str
    regex: str
    files: int
    lines: int
    examples: list[str]


@dataclass(slots=True)
class FleetSummary:
    """What a fleet owner reads (``as_dict`` is the ``triagebench-fleet/1`` JSON)."""

    run: dict[str, Any]
    since: str | None
    captures: int  # scanned captures in scope
    devices: int
    unidentified_devices: int  # captures without a device UUID (each counted as a device)
    os_totals: dict[str, int]
    device_totals: dict[str, int]
    patterns: list[PatternLine]
    device_state: list[StateLine]
    templates: list[TemplateLine]
    template_total: int
    errors: list[tuple[str, str]] = field(default_factory=list)
    heuristic_errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": REPORT_SCHEMA, "run": self.run, "since": self.since,
            "captures": self.captures, "devices": self.devices,
            "unidentified_devices": self.unidentified_devices,
            "os_totals": self.os_totals, "device_totals": self.device_totals,
            "patterns": [asdict(p) for p in self.patterns],
            "device_state": [asdict(s) for s in self.device_state],
            "templates": [asdict(t) for t in self.templates],
            "template_total": self.template_total,
            "errors": [{"file": f, "error": e} for f, e in self.errors],
            "heuristic_errors": self.heuristic_errors,
        }


# --- the store ----------------------------------------------------------------------------
class Store:
    """One fleet store (``open_store``); every write belongs to the current run's transaction."""

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self.db = connection
        self.path = path

    # hashes
    def cached_hash(self, path: str, size: int, mtime_ns: int) -> str | None:
        row = self.db.execute("SELECT hash FROM paths WHERE path = ? AND size = ? AND mtime_ns = ?",
                              (path, size, mtime_ns)).fetchone()
        return row[0] if row else None

    def cache_hash(self, path: str, size: int, mtime_ns: int, digest: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO paths VALUES (?, ?, ?, ?)",
                        (path, size, mtime_ns, digest))

    def has_capture(self, digest: str) -> bool:
        return self.db.execute("SELECT 1 FROM captures WHERE hash = ?",
                               (digest,)).fetchone() is not None

    # runs
    def begin_run(self) -> int:
        cursor = self.db.execute("INSERT INTO runs (started_at) VALUES (?)", (_now(),))
        return int(cursor.lastrowid or 0)

    def add_records(self, records: Sequence[FileRecord], run_id: int) -> None:
        for r in records:
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO captures VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (r.hash, run_id, r.path, r.device_id or f"capture:{r.hash}",
                 int(r.device_id is not None), r.captured_at, r.facts.get("os.version"),
                 r.facts.get("device.type"), r.facts.get("arch"),
                 r.facts.get("supervisor.version"), r.format, r.lines, r.suspicious,
                 r.unexplained, r.error))
            if cursor.rowcount != 1:
                continue  # the same content was stored already: its findings too
            self.db.executemany("INSERT INTO findings VALUES (?,?,?,?,?,?,?)", [
                (r.hash, m.id, m.status, m.severity, m.base_severity or m.severity, m.title,
                 json.dumps(m.evidence_lines)) for m in r.matches])
            self.db.executemany("INSERT INTO states VALUES (?,?,?)",
                                [(r.hash, key, state) for key, state in r.state.items()])

    def merge_partial(self, partial: Partial) -> None:
        """Add a run's reduced aggregates to the stored ones."""
        db = self.db
        db.executemany("INSERT INTO agg_totals VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                       "SET value = value + excluded.value",
                       [("files", partial.files), ("scanned", partial.scanned)])
        db.executemany("INSERT INTO agg_patterns VALUES (?,?,?,?,?) ON CONFLICT DO UPDATE "
                       "SET captures = captures + excluded.captures",
                       [(*key, count) for key, count in sorted(partial.patterns.items())])
        db.executemany("INSERT OR IGNORE INTO agg_titles VALUES (?,?,?)",
                       [(key, title, severity)
                        for key, (title, severity) in sorted(partial.titles.items())])
        db.executemany("INSERT INTO agg_states VALUES (?,?,?) ON CONFLICT DO UPDATE "
                       "SET captures = captures + excluded.captures",
                       [(*key, count) for key, count in sorted(partial.states.items())])
        if partial.templates:
            stored = self._templates()
            merged = mine_templates([*stored, *partial.templates]) if stored else partial.templates
            db.execute("DELETE FROM agg_templates")
            db.executemany("INSERT INTO agg_templates VALUES (?,?,?,?,?,?)", [
                (index, t.section, t.template, t.files, t.lines, json.dumps(t.examples))
                for index, t in enumerate(merged, 1)])

    def _templates(self, limit: int | None = None) -> list[TemplateCount]:
        rows = self.db.execute("SELECT section, template, files, lines, examples FROM "
                               "agg_templates ORDER BY id" + (f" LIMIT {int(limit)}"
                                                               if limit else ""))
        return [TemplateCount(s, t, f, n, json.loads(e)) for s, t, f, n, e in rows]

    def finish_run(self, run_id: int, stats: RunStats) -> None:
        self.db.execute("UPDATE runs SET finished_at = ?, inputs = ?, known = ?, scanned = ?, "
                        "errors = ?, interrupted = ? WHERE id = ?",
                        (_now(), stats.inputs, stats.known, stats.scanned, stats.error_count,
                         int(stats.interrupted), run_id))
        devices = self._latest(None)
        rows = self.db.execute(
            "SELECT f.heuristic, COUNT(*) FROM findings f JOIN latest l ON f.hash = l.hash "
            "WHERE f.status = ? GROUP BY f.heuristic", (ACTIVE,)).fetchall()
        self.db.executemany("INSERT INTO run_patterns VALUES (?,?,?,?)",
                            [(run_id, h, n, devices) for h, n in rows])
        self.db.commit()

    def rollback(self) -> None:
        self.db.rollback()

    def close(self) -> None:
        self.db.close()

    # the report
    def _latest(self, since: str | None) -> int:
        """(Re)build temp table ``latest``: each device's latest scanned capture in scope."""
        self.db.execute("DROP TABLE IF EXISTS temp.latest")
        self.db.execute(
            "CREATE TEMP TABLE latest AS SELECT hash, device, device_known, os_version, "
            "device_type, path FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY device ORDER BY "
            "captured_at IS NULL, captured_at DESC, hash DESC) AS rn FROM captures "
            "WHERE error IS NULL AND (? IS NULL OR captured_at >= ?)) WHERE rn = 1",
            (since, since))
        self.db.execute("CREATE INDEX temp.latest_hash ON latest(hash)")
        return int(self.db.execute("SELECT COUNT(*) FROM latest").fetchone()[0])

    def summary(self, stats: RunStats | None = None, since: str | None = None,
                top: int | None = 20, max_examples: int = 3) -> FleetSummary:
        """The fleet report over every stored capture (``since``: captured at or after)."""
        db = self.db
        devices = self._latest(since)
        captures = int(db.execute("SELECT COUNT(*) FROM captures WHERE error IS NULL AND "
                                  "(? IS NULL OR captured_at >= ?)", (since, since)).fetchone()[0])
        unidentified = int(db.execute("SELECT COUNT(*) FROM latest WHERE device_known = 0")
                           .fetchone()[0])

        def totals(column: str) -> dict[str, int]:
            rows = db.execute(f"SELECT COALESCE(NULLIF({column}, ''), 'unknown') AS v, COUNT(*) "
                              "FROM latest GROUP BY v ORDER BY COUNT(*) DESC, v")
            return dict(rows.fetchall())

        titles = {h: (t, s) for h, t, s in db.execute("SELECT * FROM agg_titles")}
        captures_active = dict(db.execute(
            "SELECT heuristic, SUM(captures) FROM agg_patterns WHERE status = ? "
            "GROUP BY heuristic", (ACTIVE,)).fetchall())
        previous = self._previous_shares()
        active: dict[str, dict[str, Any]] = {}
        for heuristic, status, os_version, device_type, count in db.execute(
                "SELECT f.heuristic, f.status, COALESCE(NULLIF(l.os_version, ''), 'unknown'), "
                "COALESCE(NULLIF(l.device_type, ''), 'unknown'), COUNT(*) FROM findings f "
                "JOIN latest l ON f.hash = l.hash GROUP BY 1, 2, 3, 4"):
            entry = active.setdefault(heuristic, {"active": 0, "past": 0, "os": {}, "dev": {}})
            if status_class(status) == ACTIVE:
                entry["active"] += count
                entry["os"][os_version] = entry["os"].get(os_version, 0) + count
                entry["dev"][device_type] = entry["dev"].get(device_type, 0) + count
            else:
                entry["past"] += count
        patterns = []
        for heuristic, entry in active.items():
            title, severity = titles.get(heuristic, (heuristic, "info"))
            share = entry["active"] / devices if devices else 0.0
            examples = [file_ref(path, json.loads(lines)[0]) for path, lines in db.execute(
                "SELECT l.path, f.evidence_lines FROM findings f JOIN latest l ON f.hash = l.hash "
                "WHERE f.heuristic = ? AND f.status = ? AND f.evidence_lines != '[]' "
                "ORDER BY l.path LIMIT ?", (heuristic, ACTIVE, max_examples))]
            patterns.append(PatternLine(
                heuristic, title, severity, entry["active"], round(share, 6), entry["past"],
                int(captures_active.get(heuristic, 0)), _ranked(entry["os"]),
                _ranked(entry["dev"]),
                None if previous is None else round(share - previous.get(heuristic, 0.0), 6),
                examples))
        # Problems first, by active devices; info-level facts and past-only patterns after.
        patterns.sort(key=lambda p: (p.severity == "info", p.devices_active == 0,
                                     -p.devices_active, -p.devices_past,
                                     SEVERITY_RANK.get(p.severity, 99), p.id))
        state_counts: dict[str, dict[str, int]] = {}
        for item, state, count in db.execute(
                "SELECT s.item, s.state, COUNT(*) FROM states s JOIN latest l ON s.hash = l.hash "
                "GROUP BY 1, 2"):
            state_counts.setdefault(item, {})[state] = count
        device_state = []
        for item, counts in state_counts.items():
            known = sum(n for s, n in counts.items() if s != "unknown")
            failed, degraded = counts.get("failed", 0), counts.get("degraded", 0)
            device_state.append(StateLine(item, known, failed, degraded,
                                          round(failed / known, 6) if known else 0.0))
        device_state.sort(key=lambda s: (-s.share_failed, -s.degraded, s.item))
        template_total = int(db.execute("SELECT COUNT(*) FROM agg_templates").fetchone()[0])
        templates = [TemplateLine(t.section, t.template, template_regex(t.template), t.files,
                                  t.lines, t.examples) for t in self._templates(top)]
        run: dict[str, Any] = {}
        if stats is not None:
            run = {"inputs": stats.inputs, "known": stats.known, "scanned": stats.scanned,
                   "errors": stats.error_count, "interrupted": stats.interrupted}
        return FleetSummary(
            run=run, since=since, captures=captures, devices=devices,
            unidentified_devices=unidentified, os_totals=totals("os_version"),
            device_totals=totals("device_type"), patterns=patterns, device_state=device_state,
            templates=templates, template_total=template_total,
            errors=list(stats.errors) if stats else [],
            heuristic_errors=list(stats.heuristic_errors) if stats else [])

    def _previous_shares(self) -> dict[str, float] | None:
        """Active-device shares at the end of the run before the last one (None: no such run)."""
        runs = [r[0] for r in self.db.execute(
            "SELECT id FROM runs WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 2")]
        if len(runs) < 2:
            return None
        shares = {}
        for heuristic, active, devices in self.db.execute(
                "SELECT heuristic, devices_active, devices FROM run_patterns WHERE run_id = ?",
                (runs[1],)):
            shares[heuristic] = active / devices if devices else 0.0
        return shares


def _ranked(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def open_store(path: str | Path, fresh: bool = False) -> Store:
    """Open (or create) the store at ``path``; ``fresh`` replaces an existing one.

    ``StoreError`` when the file exists but is not a fleet store of this version."""
    target = Path(path)
    if target.is_dir():
        raise StoreError(f"{target}: is a directory")
    if fresh:
        target.unlink(missing_ok=True)
    exists = target.exists() and target.stat().st_size > 0
    try:
        connection = sqlite3.connect(str(target))
        if exists:
            row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if not row or row[0] != STORE_SCHEMA:
                connection.close()
                raise StoreError(f"{target}: not a {STORE_SCHEMA} store "
                                 "(use --force to replace it)")
        else:
            connection.executescript(SCHEMA)
            connection.executemany("INSERT INTO meta VALUES (?, ?)",
                                   [("schema", STORE_SCHEMA), ("created_at", _now())])
            connection.commit()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{target}: not a {STORE_SCHEMA} store ({exc}; use --force to "
                         "replace it)") from None
    return Store(connection, str(target))


__all__ = ["REPORT_SCHEMA", "STORE_SCHEMA", "FleetSummary", "PatternLine", "StateLine", "Store",
           "StoreError", "TemplateLine", "open_store"]
