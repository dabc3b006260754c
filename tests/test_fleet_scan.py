"""Fleet: per-file records, partial aggregates, the incremental store and the CLI."""

from __future__ import annotations

import csv
import io
import json
import pickle
import sqlite3
from pathlib import Path

import pytest
from triagebench.cli.main import main
from triagebench.services import fleet
from triagebench.services.fleet import (
    FileRecord,
    MatchRecord,
    Partial,
    PoolBackend,
    ScanOptions,
    TemplateRecord,
    TreeReducer,
    WorkItem,
    expand_paths,
    library_for,
    merge_partials,
    normalise_time,
    partial_of,
    run_fleet,
    scan_batch,
    scan_bytes,
    scan_file,
)
from triagebench.services.fleet_store import open_store

from tests.test_heuristics_support import diagnostics_text, write_heuristic

OS_RELEASE = "cat /etc/os-release"
DMESG = "dmesg -T"


def _diag(version: str, machine: str, dmesg: list[str], uuid: str | None = None,
          when: str | None = None) -> str:
    sections = {
        OS_RELEASE: ['ID="balena-os"', f'VERSION="{version}"', f'VERSION_ID="{version}"',
                     f'PRETTY_NAME="balenaOS {version}"', f'MACHINE="{machine}"'],
        DMESG: dmesg,
    }
    if uuid:
        sections["cat /mnt/boot/config.json"] = ["{", f'  "uuid": "{uuid}",',
                                                 f'  "deviceType": "{machine}"', "}"]
    text = diagnostics_text(sections)
    return text.replace("2022-05-02 16:03:40", when) if when else text


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "lib"
    write_heuristic(folder, "under-voltage", """
        [signals.uv]
        in = ["dmesg*"]
        regex = 'Under-voltage detected'
        """, severity="high")
    return folder


@pytest.fixture
def fleet_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "fleet"
    (folder / "sub").mkdir(parents=True)
    for index in range(3):
        dmesg = [f"[Mon May  2 15:55:0{index} 2022] sdhci: probe of mmc{index} failed with error -{index + 5}",
                 f"[Mon May  2 15:56:0{index} 2022] usb 1-1: new device number {index}"]
        if index < 2:
            dmesg.insert(0, f"[Mon May  2 15:54:0{index} 2022] Under-voltage detected! (0x0005000{index})")
        version, machine = ("2.80.3", "raspberrypi3") if index else ("2.98.4", "raspberrypi4-64")
        target = folder / ("sub" if index == 2 else ".") / f"device{index}.txt"
        target.write_text(_diag(version, machine, dmesg), encoding="utf-8")
    (folder / "broken.log").write_bytes(b"\x00\x01\x02\xff" * 200)
    (folder / "README.md").write_text("not diagnostics", encoding="utf-8")
    (folder / ".hidden.txt").write_text("skip me", encoding="utf-8")
    return folder


# -- paths -------------------------------------------------------------------------------

def test_expand_paths_walks_folders_and_skips_non_diagnostics(fleet_dir: Path) -> None:
    files, problems = expand_paths([str(fleet_dir), str(fleet_dir / "missing.txt")])
    names = sorted(Path(f).name for f in files)
    assert names == ["broken.log", "device0.txt", "device1.txt", "device2.txt"]
    assert problems == [f"{fleet_dir / 'missing.txt'}: no such file or folder"]


# -- one file ----------------------------------------------------------------------------

def test_scan_file_record(fleet_dir: Path, library_dir: Path) -> None:
    options = ScanOptions(heuristic_dirs=(str(library_dir),), builtin=False)
    record = scan_file(str(fleet_dir / "device0.txt"), options)
    assert record.error is None
    assert record.facts["os.version"] == "2.98.4"
    assert record.facts["device.type"] == "raspberrypi4-64"
    assert [(m.id, m.severity) for m in record.matches] == [("under-voltage", "high")]
    # the under-voltage line is explained; the probe failure is not
    assert [t.template for t in record.templates] == ["sdhci: probe of mmc0 failed with error <*>"]
    assert record.templates[0].section == DMESG
    assert pickle.loads(pickle.dumps(record)) == record  # crosses process boundaries


def test_scan_file_reports_a_bad_file_instead_of_raising(fleet_dir: Path) -> None:
    record = scan_file(str(fleet_dir / "broken.log"), ScanOptions(builtin=False))
    assert record.error is not None and "broken.log" in record.error
    assert "binary" in record.error


def test_library_is_loaded_once_per_process(fleet_dir: Path, library_dir: Path) -> None:
    options = ScanOptions(heuristic_dirs=(str(library_dir),), builtin=False, max_templates=7)
    before = fleet.library_loads()
    for name in ("device0.txt", "device1.txt", "sub/device2.txt"):
        scan_file(str(fleet_dir / name), options)
    assert fleet.library_loads() - before == 1


def test_scan_bytes_gives_the_record_scan_file_gives(fleet_dir: Path, library_dir: Path) -> None:
    options = ScanOptions(heuristic_dirs=(str(library_dir),), builtin=False)
    path = fleet_dir / "device0.txt"
    from_path = scan_file(str(path), options)
    from_bytes = scan_bytes(str(path), path.read_bytes(), options)
    from_path.seconds = from_bytes.seconds = 0.0
    from_path.hash = from_bytes.hash
    assert from_bytes == from_path
    gz = scan_bytes("x.gz", __import__("gzip").compress(path.read_bytes()), options)
    assert gz.error is None and [m.id for m in gz.matches] == ["under-voltage"]
    bad = scan_bytes("bad.bin", (fleet_dir / "broken.log").read_bytes(), options)
    assert bad.error is not None and "bad.bin" in bad.error and "binary" in bad.error


def test_device_id_and_capture_time_are_read_from_the_capture(tmp_path: Path) -> None:
    path = tmp_path / "d.txt"
    path.write_text(_diag("2.98.4", "raspberrypi4-64", [], uuid="ABCDEF0123456789abcdef0123456789",
                          when="2026-11-03 10:00:00"), encoding="utf-8")
    record = scan_file(str(path), ScanOptions(builtin=False))
    assert record.device_id == "abcdef0123456789abcdef0123456789"
    assert record.captured_at == "2026-11-03T10:00:00Z"
    assert normalise_time("Mon May  2 15:55:00 UTC 2022") == "2022-05-02T15:55:00Z"
    assert normalise_time("2022-05-02 16:03:40.941545526+02:00") == "2022-05-02T14:03:40Z"
    assert normalise_time("9" * 5000) is None and normalise_time("NaN") is None


# -- partial aggregates on hand-made records ---------------------------------------------

def _record(path: str, version: str | None, device: str, matches: list[str],
            templates: list[tuple[str, int, list[int]]], status: str = "active") -> FileRecord:
    return FileRecord(
        path=path, facts={"os.version": version, "device.type": device},
        matches=[MatchRecord(m, "high", m.title(), [10], status, "high") for m in matches],
        templates=[TemplateRecord(DMESG, text, count, lines) for text, count, lines in templates],
        state={"engine": "ok", "time": "failed" if "uv" in matches else "ok"})


def test_partials_count_patterns_by_status_os_and_device_and_merge_templates() -> None:
    records = [
        _record("/a/one.txt", "2.80.3", "raspberrypi3", ["uv", "oom"],
                [("Under-voltage detected! (<*>)", 50, [12, 13])]),
        _record("/a/two.txt", "2.80.3", "raspberrypi4-64", ["uv"],
                [("EXT4-fs error (device <*>): bad block", 2, [40]),
                 ("Under-voltage detected! (<*>)", 1, [7])]),
        _record("/a/three.txt", None, "raspberrypi3", ["uv"],
                [("EXT4-fs error (device <*>): bad block", 1, [99])], status="recovered"),
        FileRecord(path="/a/bad.txt", error="/a/bad.txt: file is empty"),
    ]
    whole = partial_of(records)
    assert (whole.files, whole.scanned) == (4, 3)
    assert whole.patterns == {("uv", "active", "2.80.3", "raspberrypi3"): 1,
                              ("uv", "active", "2.80.3", "raspberrypi4-64"): 1,
                              ("uv", "past", "unknown", "raspberrypi3"): 1,
                              ("oom", "active", "2.80.3", "raspberrypi3"): 1}
    assert whole.states[("time", "failed")] == 3 and whole.states[("engine", "ok")] == 3
    # two templates in two files each; ties broken by line count, not by one chatty file
    first, second = whole.templates
    assert (first.template, first.files, first.lines) == ("Under-voltage detected! (<*>)", 2, 51)
    assert (second.template, second.files, second.lines) == ("EXT4-fs error (device <*>): bad block", 2, 3)
    assert second.examples == ["three.txt#L99", "two.txt#L40"]
    # the same counts whichever way the records are split and merged
    split = merge_partials(partial_of(records[2:]), partial_of(records[:2]))
    assert (split.files, split.scanned, split.patterns, split.states) == \
        (whole.files, whole.scanned, whole.patterns, whole.states)
    assert [(t.template, t.files, t.lines, t.examples) for t in split.templates] == \
        [(t.template, t.files, t.lines, t.examples) for t in whole.templates]


def test_partials_merge_the_same_message_mined_differently_in_two_files() -> None:
    records = [_record("/x/a.txt", "1", "d", [], [("probe of mmc0 failed with error <*>", 1, [3])]),
               _record("/x/b.txt", "1", "d", [], [("probe of <*> failed with error <*>", 4, [8])])]
    (template,) = merge_partials(partial_of(records[:1]), partial_of(records[1:])).templates
    assert template.template == "probe of <*> failed with error <*>"
    assert (template.files, template.lines) == (2, 5)


def test_tree_reducer_merges_in_order_as_a_balanced_tree() -> None:
    for count in range(1, 12):
        reducer: TreeReducer[str] = TreeReducer(lambda a, b: f"({a}{b})")
        held = 0
        for index in range(count):
            reducer.push(str(index))
            held = max(held, reducer.held)
        folded = reducer.fold()
        assert folded is not None and folded.replace("(", "").replace(")", "") == \
            "".join(str(i) for i in range(count))
        assert held <= count.bit_length()
    assert TreeReducer(lambda a, b: a + b).fold() is None


# -- the store: incremental runs, devices over time ------------------------------------------

def _write(folder: Path, name: str, version: str, machine: str, uv: bool, uuid: str | None,
           when: str) -> None:
    from datetime import datetime, timedelta

    stamp = (datetime.fromisoformat(when) - timedelta(minutes=5)).strftime("[%a %b %e %H:%M:%S %Y]")
    dmesg = [f"{stamp} Under-voltage detected! (0x{name.encode().hex()})"] if uv else []
    dmesg.append(f"{stamp} sdhci: probe of mmc0 failed with error -{len(name)}")
    (folder / name).write_text(_diag(version, machine, dmesg, uuid=uuid, when=when),
                               encoding="utf-8")


def _run(paths: list[str], db: Path, library_dir: Path, jobs: int = 1, fresh: bool = False):
    options = ScanOptions(heuristic_dirs=(str(library_dir),), builtin=False)
    store = open_store(db, fresh=fresh)
    try:
        stats = run_fleet(paths, store, PoolBackend(options, library_for(options), jobs),
                          batch_size=2)
        return stats, store.summary(stats), store.summary(stats, since="2026-11-02T00:00:00Z")
    finally:
        store.close()


def test_second_run_scans_only_new_files_and_counts_devices_not_captures(
        tmp_path: Path, library_dir: Path) -> None:
    folder = tmp_path / "captures"
    folder.mkdir()
    # device A captured twice: under-voltage on Nov 1, fixed on Nov 3; device B once.
    _write(folder, "a-nov1.txt", "2.98.4", "raspberrypi4-64", True, "a" * 32, "2026-11-01 08:00:00")
    _write(folder, "b-nov1.txt", "2.80.3", "raspberrypi3", True, "b" * 32, "2026-11-01 09:00:00")
    db = tmp_path / "fleet.sqlite"
    stats, summary, _ = _run(expand_paths([str(folder)])[0], db, library_dir)
    assert (stats.inputs, stats.scanned, stats.known) == (2, 2, 0)
    (uv,) = summary.patterns
    assert (summary.devices, uv.devices_active, uv.share, uv.trend) == (2, 2, 1.0, None)
    assert uv.by_os == {"2.80.3": 1, "2.98.4": 1}

    _write(folder, "a-nov3.txt", "2.98.4", "raspberrypi4-64", False, "a" * 32, "2026-11-03 08:00:00")
    stats, summary, recent = _run(expand_paths([str(folder)])[0], db, library_dir)
    assert (stats.inputs, stats.scanned, stats.known) == (3, 1, 2)  # only the new file
    assert (summary.devices, summary.captures) == (2, 3)
    (uv,) = summary.patterns
    assert (uv.devices_active, uv.share, uv.trend) == (1, 0.5, -0.5)  # A's latest is clean
    assert uv.captures_active == 2
    (example,) = uv.examples  # B's capture: A's latest no longer shows it
    name, line = example.split("#L")
    assert name == "b-nov1.txt"
    assert "Under-voltage detected" in (folder / name).read_text().splitlines()[int(line) - 1]
    # only captures since Nov 2: device A alone, clean
    assert (recent.devices, recent.captures, recent.patterns) == (1, 1, [])
    # the templates were merged across runs: the probe line is in all three files
    assert [(t.template, t.files) for t in summary.templates] == \
        [("sdhci: probe of mmc0 failed with error <*>", 3)]


def test_interrupted_run_keeps_finished_batches(tmp_path: Path, library_dir: Path) -> None:
    folder = tmp_path / "captures"
    folder.mkdir()
    for index in range(6):
        _write(folder, f"d{index}.txt", "2.98.4", "raspberrypi4-64", index % 2 == 0,
               f"{index:032x}", f"2026-11-0{index + 1} 08:00:00")
    paths = expand_paths([str(folder)])[0]
    options = ScanOptions(heuristic_dirs=(str(library_dir),), builtin=False)
    db = tmp_path / "fleet.sqlite"
    store = open_store(db)

    def ctrl_c_after_the_first_batch(done: int, total: int) -> None:
        if done >= 2:
            raise KeyboardInterrupt

    stats = run_fleet(paths, store, PoolBackend(options, library_for(options), 2), batch_size=2,
                      progress=ctrl_c_after_the_first_batch)
    assert stats.interrupted and stats.scanned == 2
    store.close()
    stats, summary, _ = _run(paths, db, library_dir)
    assert (stats.known, stats.scanned, summary.captures) == (2, 4, 6)
    assert summary.patterns[0].devices_active == 3


def test_pool_and_serial_runs_give_identical_json(tmp_path: Path, fleet_dir: Path,
                                                  library_dir: Path) -> None:
    paths = expand_paths([str(fleet_dir)])[0]
    serial = _run(paths, tmp_path / "a.sqlite", library_dir, jobs=1)
    pool = _run(paths, tmp_path / "b.sqlite", library_dir, jobs=2)
    assert serial[1].as_dict() == pool[1].as_dict()


def test_batches_ship_records_without_templates(fleet_dir: Path, library_dir: Path) -> None:
    options = ScanOptions(heuristic_dirs=(str(library_dir),), builtin=False)
    items = [WorkItem(str(fleet_dir / "device0.txt"), "h0"),
             WorkItem("device1.txt", "h1", (fleet_dir / "device1.txt").read_bytes())]
    result = scan_batch(items, options, library_for(options))
    assert [r.hash for r in result.records] == ["h0", "h1"]
    assert all(r.templates == [] for r in result.records)
    assert isinstance(result.partial, Partial) and result.partial.scanned == 2
    assert pickle.loads(pickle.dumps(result)).partial.patterns == result.partial.patterns


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path, fleet_dir: Path, capsys) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE files (id INTEGER)")
    before = other.read_bytes()
    assert main(["fleet", str(fleet_dir), "--no-builtin", "--db", str(other)]) == 2
    assert "not a triagebench-fleet-store/1 store" in capsys.readouterr().err
    assert other.read_bytes() == before
    assert main(["fleet", str(fleet_dir), "--no-builtin", "--db", str(other), "--force",
                 "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["captures"] == 3


# -- the CLI -----------------------------------------------------------------------------

def test_cli_text_report_with_a_bad_file(fleet_dir: Path, library_dir: Path, capsys) -> None:
    code = main(["fleet", str(fleet_dir), "--jobs", "2", "--no-builtin",
                 "--heuristics", str(library_dir)])
    out, err = capsys.readouterr()
    assert code == 0
    assert "3 device(s), 3 capture(s)" in out
    assert "4 input file(s), 4 scanned" in out
    assert "under-voltage" in out and "66.7%" in out
    assert "2.98.4 1" in out and "raspberrypi3 1" in out
    assert "sdhci: probe of <*> failed with error <*>" in out
    assert "device0.txt#L" in out
    assert "broken.log" in err and "binary" in err
    assert "Traceback" not in err


def test_cli_json_csv_markdown_and_db(fleet_dir: Path, library_dir: Path, tmp_path: Path,
                                      capsys) -> None:
    db = tmp_path / "out.sqlite"
    base = ["fleet", str(fleet_dir), "--jobs", "1", "--no-builtin", "--heuristics", str(library_dir)]
    assert main([*base, "--format", "json", "--db", str(db)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["schema"] == "triagebench-fleet/1"
    assert payload["run"] == {"inputs": 4, "known": 0, "scanned": 4, "errors": 1,
                              "interrupted": False}
    assert (payload["captures"], payload["devices"]) == (3, 3)
    assert payload["patterns"][0]["id"] == "under-voltage"
    assert payload["patterns"][0]["devices_active"] == 2
    assert payload["templates"][0]["files"] == 3
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM captures").fetchone() == (4,)

    assert main([*base, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    kinds = {row["kind"] for row in rows}
    assert kinds == {"pattern", "state", "template", "error"}

    assert main([*base, "--format", "markdown", "--top", "1"]) == 0
    markdown = capsys.readouterr().out
    assert "| % of devices |" in markdown and "## Unexplained templates" in markdown

    # a second run over the same store scans nothing again; --force starts afresh
    assert main([*base, "--db", str(db), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["run"]["known"] == 4
    assert main([*base, "--db", str(db), "--force", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["run"]["known"] == 0


def test_cli_usage_errors(tmp_path: Path, capsys) -> None:
    assert main(["fleet", str(tmp_path / "nope")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    assert main(["fleet", str(tmp_path), "--no-builtin"]) == 2
    assert "no file could be scanned" in capsys.readouterr().err
    assert main(["fleet", str(tmp_path), "--jobs", "0"]) == 2
    assert main(["fleet", str(tmp_path), "--scheduler", "yarn"]) == 2
    assert "expected processes, local or tcp://HOST:PORT" in capsys.readouterr().err
    assert main(["fleet", str(tmp_path), "--since", "last tuesday"]) == 2
    assert "--since last tuesday: expected a time" in capsys.readouterr().err


def test_progress_without_a_terminal_prints_periodic_lines() -> None:
    from triagebench.cli.fleet_progress import FleetProgress

    stream = io.StringIO()
    progress = FleetProgress(stream=stream, interval=0.0)  # StringIO is no terminal: lines
    for done in (0, 8, 16):
        progress(done, 20)
    progress(20, 20)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "triage fleet: 20 new file(s) to scan"
    assert lines[1].startswith("triage fleet: 8/20 file(s) scanned, ")
    assert lines[2].startswith("triage fleet: 16/20 file(s) scanned, ")
    assert lines[-1].startswith("triage fleet: 20/20 file(s) scanned, ")
    assert "files/s" in lines[-1] and len(lines) == 4
