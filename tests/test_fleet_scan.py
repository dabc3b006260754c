"""Fleet: per-file records, aggregation, SQLite output and the ``triage fleet`` CLI."""

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
    DatabaseExistsError,
    FileRecord,
    MatchRecord,
    ScanOptions,
    TemplateRecord,
    aggregate,
    expand_paths,
    scan_file,
    write_sqlite,
)

from tests.test_heuristics_support import diagnostics_text, write_heuristic

OS_RELEASE = "cat /etc/os-release"
DMESG = "dmesg -T"


def _diag(version: str, machine: str, dmesg: list[str]) -> str:
    return diagnostics_text({
        OS_RELEASE: ['ID="balena-os"', f'VERSION="{version}"', f'VERSION_ID="{version}"',
                     f'PRETTY_NAME="balenaOS {version}"', f'MACHINE="{machine}"'],
        DMESG: dmesg,
    })


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


# -- aggregation on hand-made records ---------------------------------------------------

def _record(path: str, version: str | None, device: str, matches: list[str],
            templates: list[tuple[str, int, list[int]]]) -> FileRecord:
    return FileRecord(
        path=path, facts={"os.version": version, "device.type": device},
        matches=[MatchRecord(m, "high", m.title(), [10]) for m in matches],
        templates=[TemplateRecord(DMESG, text, count, lines) for text, count, lines in templates])


def test_aggregate_ranks_patterns_and_templates_by_files() -> None:
    records = [
        _record("/a/one.txt", "2.80.3", "raspberrypi3", ["uv", "oom"],
                [("Under-voltage detected! (<*>)", 50, [12, 13])]),
        _record("/a/two.txt", "2.80.3", "raspberrypi4-64", ["uv"],
                [("EXT4-fs error (device <*>): bad block", 2, [40]),
                 ("Under-voltage detected! (<*>)", 1, [7])]),
        _record("/a/three.txt", None, "raspberrypi3", ["uv"],
                [("EXT4-fs error (device <*>): bad block", 1, [99])]),
        FileRecord(path="/a/bad.txt", error="/a/bad.txt: file is empty"),
    ]
    report = aggregate(records)
    assert (report.files, report.scanned) == (4, 3)
    assert report.errors == [("/a/bad.txt", "/a/bad.txt: file is empty")]
    uv, oom = report.patterns
    assert (uv.id, uv.files, round(uv.share, 3)) == ("uv", 3, 1.0)
    assert uv.by_os == {"2.80.3": 2, "unknown": 1}
    assert uv.by_device == {"raspberrypi3": 2, "raspberrypi4-64": 1}
    assert uv.examples == ["one.txt#L10", "two.txt#L10", "three.txt#L10"]
    assert (oom.id, oom.files) == ("oom", 1)
    assert report.os_totals == {"2.80.3": 2, "unknown": 1}
    # two templates in two files each; ties broken by line count, not by one chatty file
    first, second = report.templates
    assert (first.template, first.files, first.lines) == ("Under-voltage detected! (<*>)", 2, 51)
    assert (second.template, second.files, second.lines) == ("EXT4-fs error (device <*>): bad block", 2, 3)
    assert second.examples == ["two.txt#L40", "three.txt#L99"]
    assert first.section == DMESG


def test_aggregate_merges_the_same_message_mined_differently_in_two_files() -> None:
    records = [_record("/x/a.txt", "1", "d", [], [("probe of mmc0 failed with error <*>", 1, [3])]),
               _record("/x/b.txt", "1", "d", [], [("probe of <*> failed with error <*>", 4, [8])])]
    (template,) = aggregate(records).templates
    assert template.template == "probe of <*> failed with error <*>"
    assert (template.files, template.lines) == (2, 5)


# -- SQLite ------------------------------------------------------------------------------

def test_sqlite_round_trip_and_no_silent_overwrite(tmp_path: Path) -> None:
    records = [_record("/a/one.txt", "2.80.3", "raspberrypi3", ["uv"],
                       [("Under-voltage detected! (<*>)", 5, [12])]),
               FileRecord(path="/a/bad.txt", error="/a/bad.txt: file is empty")]
    report = aggregate(records)
    db = tmp_path / "fleet.sqlite"
    write_sqlite(report, records, db)
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT f.path, f.os_version, x.heuristic, x.severity FROM findings x "
            "JOIN files f ON f.id = x.file_id").fetchall()
        assert rows == [("/a/one.txt", "2.80.3", "uv", "high")]
        assert connection.execute("SELECT error FROM files WHERE path = '/a/bad.txt'").fetchone() \
            == ("/a/bad.txt: file is empty",)
        template, files, lines, examples = connection.execute(
            "SELECT template, files, lines, examples FROM templates").fetchone()
        assert (template, files, lines) == ("Under-voltage detected! (<*>)", 1, 5)
        assert json.loads(examples) == ["one.txt#L12"]
        assert connection.execute(
            "SELECT t.template, f.path, tf.lines FROM template_files tf JOIN templates t "
            "ON t.id = tf.template_id JOIN files f ON f.id = tf.file_id").fetchall() \
            == [("Under-voltage detected! (<*>)", "/a/one.txt", 5)]
    before = db.read_bytes()
    with pytest.raises(DatabaseExistsError):
        write_sqlite(report, records[:1], db)
    assert db.read_bytes() == before
    write_sqlite(report, records[:1], db, force=True)
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT COUNT(*) FROM files").fetchone() == (1,)
    assert [p.name for p in tmp_path.iterdir()] == ["fleet.sqlite"]  # no temp files left


# -- the CLI -----------------------------------------------------------------------------

def test_cli_text_report_with_a_bad_file(fleet_dir: Path, library_dir: Path, capsys) -> None:
    code = main(["fleet", str(fleet_dir), "--jobs", "2", "--no-builtin",
                 "--heuristics", str(library_dir)])
    out, err = capsys.readouterr()
    assert code == 0
    assert "3 of 4 file(s) scanned" in out
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
    assert payload["scanned"] == 3 and payload["files"] == 4
    assert payload["patterns"][0]["id"] == "under-voltage"
    assert payload["patterns"][0]["files"] == 2
    assert payload["templates"][0]["files"] == 3
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM files").fetchone() == (4,)

    assert main([*base, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    kinds = {row["kind"] for row in rows}
    assert kinds == {"pattern", "template", "error"}

    assert main([*base, "--format", "markdown", "--top", "1"]) == 0
    markdown = capsys.readouterr().out
    assert "| files | share |" in markdown and "## Unexplained templates" in markdown

    # an existing database is not overwritten without --force
    assert main([*base, "--db", str(db)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main([*base, "--db", str(db), "--force", "--format", "json"]) == 0


def test_cli_usage_errors(tmp_path: Path, capsys) -> None:
    assert main(["fleet", str(tmp_path / "nope")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    assert main(["fleet", str(tmp_path), "--no-builtin"]) == 2
    assert "no file could be scanned" in capsys.readouterr().err
    assert main(["fleet", str(tmp_path), "--jobs", "0"]) == 2
