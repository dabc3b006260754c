"""The merged timeline (``services.timeline``), its time expressions (``services.time_expr``)
and the ``triage timeline`` / ``triage diff`` verbs, as a support agent reads them.

Expected orders and lines come from the sample's text (grep the file), not from the code.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from triagebench.cli.main import main
from triagebench.parser import Document, parse_file, parse_text
from triagebench.services.analysis import analyse
from triagebench.services.time_expr import TimeExpressionError, looks_like_time, parse_when
from triagebench.services.timeline import SCHEMA, Timeline, build_timeline

SAMPLES = Path(__file__).resolve().parent.parent / "sample-diagnostics"
SDCARD = SAMPLES / "s10-s12-s13-undervoltage-sdcard-rpi3-2.58.3.txt"
OLD = SAMPLES / "pair-before-hup-s14-s28-rpi4-2.88.4.txt"
NEW = SAMPLES / "pair-after-hup-s10-rpi4-2.115.18.txt"
OTHER = SAMPLES / "s05-s06-delta-panic-rpi3-armv7-2.88.4.txt"
CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
CAPTURE = datetime(2022, 5, 2, 16, 3, 56, tzinfo=UTC)


@cache
def _sdcard() -> Timeline:
    analysis = analyse(str(SDCARD))
    suspicious = analysis.unexplained.suspicious if analysis.unexplained else ()
    return build_timeline(analysis.document, analysis.findings, suspicious)


def _first_line(doc: Document, needle: str) -> int:
    return next(n for n, text in enumerate(doc.lines, 1) if needle in text)


# -- time expressions -----------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("2h", CAPTURE - timedelta(hours=2)),
    ("-30m", CAPTURE - timedelta(minutes=30)),
    ("1h30m", CAPTURE - timedelta(minutes=90)),
    ("+5m", CAPTURE + timedelta(minutes=5)),
    ("11:14", datetime(2022, 5, 2, 11, 14, tzinfo=UTC)),
    ("17:00", datetime(2022, 5, 1, 17, 0, tzinfo=UTC)),  # after the capture: the day before
    ("2022-05-02 11:14", datetime(2022, 5, 2, 11, 14, tzinfo=UTC)),
    ("2022-04-30T01:02:03Z", datetime(2022, 4, 30, 1, 2, 3, tzinfo=UTC)),
])
def test_time_expressions(text: str, expected: datetime) -> None:
    assert looks_like_time(text)
    assert parse_when(text, CAPTURE) == expected


@pytest.mark.parametrize("text", ["25:00", "2022-02-30 10:00", "soon", "9" * 5000 + "h", ""])
def test_bad_time_expressions_are_one_clear_error(text: str) -> None:
    with pytest.raises(TimeExpressionError) as info:
        parse_when(text, CAPTURE)
    assert "\n" not in str(info.value) and len(str(info.value)) < 120


def test_relative_time_without_a_capture_time_says_so() -> None:
    with pytest.raises(TimeExpressionError, match="no capture time"):
        parse_when("2h", None)
    assert not looks_like_time("1234")  # a line number stays a line number


# -- the timeline -----------------------------------------------------------------------
def test_causal_order_voltage_then_io_errors_then_read_only() -> None:
    tl = _sdcard()
    doc = tl.document
    rows = list(tl.view())
    texts = [r.text for r in rows if r.kind == "line"]
    voltage = next(i for i, t in enumerate(texts) if "Under-voltage detected" in t)
    io = next(i for i, t in enumerate(texts) if "I/O error" in t)
    readonly = next(i for i, t in enumerate(texts) if "Remounting filesystem read-only" in t)
    assert voltage < io < readonly
    line = next(r for r in rows if r.kind == "line" and "Remounting filesystem read-only" in r.text)
    assert line.severity in ("critical", "high")  # evidence of a finding, gutter shows it
    assert line.line == _first_line(doc, "Remounting filesystem read-only")
    times = [r.when for r in rows]
    assert times == sorted(times)


def test_copies_in_several_journals_are_shown_once_with_their_sections() -> None:
    tl = _sdcard()
    doc = tl.document
    needle = "mmc0: Timeout waiting for hardware interrupt"
    copies = [n for n, text in enumerate(doc.lines, 1) if needle in text and "11:14:17" in text]
    assert len(copies) >= 2  # the sample has it in dmesg and in journals
    rows = [r for r in tl.view() if r.kind == "line" and needle in r.text and "11:14:17" in r.text]
    assert len(rows) == 1
    assert sorted(rows[0].lines) == sorted(copies)
    assert len(rows[0].sections) >= 2 and any("dmesg" in s for s in rows[0].sections)


def test_capture_marker_and_boot_separators() -> None:
    rows = list(_sdcard().view())
    kinds = [r.kind for r in rows]
    assert kinds.count("capture") == 1
    capture = kinds.index("capture")
    assert rows[capture].when == _sdcard().capture
    assert all(r.when <= rows[capture].when for r in rows[:capture])
    boots = [r for r in rows if r.kind == "boot"]
    assert [b.boot for b in boots][-1] == 0  # the current boot starts after the earlier ones
    first_current = next(i for i, r in enumerate(rows) if r.kind == "boot" and r.boot == 0)
    assert all(r.boot in (0, None) for r in rows[first_current:] if r.kind == "line")


def test_filters_since_until_grep_and_jump() -> None:
    tl = _sdcard()
    since = datetime(2021, 2, 17, 11, 10, tzinfo=UTC)
    until = datetime(2021, 2, 17, 11, 25, tzinfo=UTC)
    view = tl.view(since, until, r"read-only|I/O error")
    lines = [r for r in view if r.kind == "line"]
    assert lines and all(since <= r.when <= until for r in lines)
    assert all(re.search(r"read-only|I/O error", r.text) for r in lines)
    assert "read-only" in lines[-1].text or any("read-only" in r.text for r in lines)
    full = tl.view()
    at = full.row_at(datetime(2021, 2, 17, 11, 14, tzinfo=UTC))
    assert full.row(at).when >= datetime(2021, 2, 17, 11, 14, tzinfo=UTC)
    assert full.row(at - 1).when < datetime(2021, 2, 17, 11, 14, tzinfo=UTC)


def test_a_file_without_stamps_has_an_empty_timeline() -> None:
    doc = parse_text("plain words\nno times here\n", path="x.txt")
    view = build_timeline(doc).view()
    assert [r for r in view if r.kind == "line"] == []


# -- CLI -----------------------------------------------------------------------------------
def test_cli_timeline_filters(capsys) -> None:
    assert main(["timeline", str(SDCARD), "--since", "2021-02-17 11:10", "--until", "11:25",
                 "--grep", "Remounting"]) == 0
    out = capsys.readouterr().out
    body = [line for line in out.splitlines()[3:] if line.strip()]
    assert len(body) == 1 and "Remounting filesystem read-only" in body[0]
    assert body[0].startswith("2021-02-17T11:19:41Z")


def test_cli_timeline_json_and_markdown(capsys) -> None:
    assert main(["timeline", str(SDCARD), "--since", "30m", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert not CONTROL_RE.search(out.replace("\n", " "))
    data = json.loads(out)
    assert data["schema"] == SCHEMA
    assert data["captured_at"] == "2021-02-17T13:05:40Z"
    assert data["rows"][-1]["kind"] in ("capture", "line")
    assert all(row["time"] >= "2021-02-17T12:35:40Z" for row in data["rows"])
    assert main(["timeline", str(SDCARD), "--grep", "Remounting", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("# Timeline") and "```" in md


def test_cli_timeline_bad_time_and_regex_are_one_line(capsys) -> None:
    assert main(["timeline", str(SDCARD), "--since", "25:99"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "25:99" in err
    assert main(["timeline", str(SDCARD), "--grep", "("]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_cli_timeline_keeps_control_characters_out(tmp_path: Path, capsys) -> None:
    path = tmp_path / "evil.txt"
    path.write_text("Feb 17 11:00:00 kernel: \x1b]52;c;ZXZpbA==\x07 boom \x9b31m\n", encoding="utf-8")
    for fmt in ("text", "json", "markdown"):
        assert main(["timeline", str(path), "--format", fmt]) == 0
        out = capsys.readouterr().out
        assert "boom" in out
        assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out


def test_cli_diff_on_the_pair(capsys) -> None:
    assert main(["diff", str(OLD), str(NEW), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "triagebench-diff/1"
    new_ids = {f["id"] for f in data["findings"]["new"]}
    resolved = {f["id"] for f in data["findings"]["resolved"]}
    assert "rpi-under-voltage" in new_ids and "data-partition-full" in resolved
    assert main(["diff", str(OLD), str(NEW)]) == 0
    text = capsys.readouterr().out
    assert "2.88.4+rev3 -> 2.115.18" in text


def test_cli_diff_refuses_different_devices_unless_forced(capsys) -> None:
    assert main(["diff", str(OLD), str(OTHER)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "different devices" in err
    assert main(["diff", str(OLD), str(OTHER), "--force", "--format", "markdown"]) == 0
    assert "different devices" in capsys.readouterr().out


def test_each_line_has_the_time_the_parser_gives_it() -> None:
    """The timeline reads stamps with shortcuts (once per minute for journal stamps): the
    result must be exactly ``Document.line_time`` for every line shown."""
    from triagebench.services.timeline import from_epoch

    for name in ("s10-s12-s13-undervoltage-sdcard-rpi3-2.58.3.txt",
                 "plain-journal-rpi4-undervoltage-dns.txt"):
        doc = parse_file(str(SAMPLES / name))
        tl = build_timeline(doc)
        assert len(tl) > 1000
        for i in range(len(tl)):
            expected = doc.line_time(tl.lines[i])
            assert expected is not None and expected.own
            assert abs((expected.when - from_epoch(tl.times[i])).total_seconds()) < 1e-5


# -- report -------------------------------------------------------------------------------
def test_report_timeline_block_around_the_worst_finding(capsys) -> None:
    assert main(["report", str(SDCARD), "--no-bookmarks", "--timeline-minutes", "5"]) == 0
    out = capsys.readouterr().out
    block = out[out.index("## Timeline around the worst finding (± 5 min)"):]
    block = block[:block.index("\n## ", 5)]
    stamps = re.findall(r"^(2021-02-17T\d\d:\d\d:\d\dZ)", block, re.MULTILINE)
    assert stamps and stamps == sorted(stamps)
    # the worst finding (read-only remount, 11:19:41) with 5 minutes either side
    assert all("2021-02-17T11:14:41Z" <= s <= "2021-02-17T11:24:41Z" for s in stamps)
    doc = parse_file(str(SDCARD))
    remount = _first_line(doc, "Remounting filesystem read-only")
    assert f"#L{remount}" in block
    io_line = next(line for line in block.splitlines() if "I/O error" in line)
    assert block.index(io_line) < block.index(f"#L{remount}")  # cause before consequence
    assert main(["report", str(SDCARD), "--no-bookmarks", "--timeline-minutes", "0"]) == 2


def test_report_with_compare_lists_the_differences(capsys) -> None:
    assert main(["report", str(OLD), "--no-bookmarks", "--compare", str(NEW)]) == 0
    out = capsys.readouterr().out
    assert "## Comparing two captures" in out and "### Device facts that changed" in out
    assert "`2.88.4+rev3` -> `2.115.18`" in out
    assert out.index("## Findings (") < out.index("## Comparing two captures")
    assert main(["report", str(OLD), "--no-bookmarks", "--compare", str(OTHER)]) == 2
    assert "different devices" in capsys.readouterr().err


def test_device_offset_is_applied_and_named(capsys, tmp_path: Path) -> None:
    """Journal and dmesg stamps are the device's local time: with timedatectl saying +0200
    they move two hours back to UTC, and the output says the offset was converted."""
    from tests.test_parser_times import doc_with

    doc = doc_with([("journalctl --no-pager --no-hostname -n 200 -a -u balena",
                     ["Jun 14 10:27:10 balenad[2335]: local line"]),
                    ("timedatectl status",
                     ["                Time zone: Europe/Berlin (CEST, +0200)"])])
    view = build_timeline(doc).view()
    row = next(r for r in view if r.kind == "line" and "local line" in r.text)
    assert row.when == datetime(2022, 6, 14, 8, 27, 10, tzinfo=UTC)
    path = tmp_path / "berlin.txt"
    path.write_text(doc.text(), encoding="utf-8")
    assert main(["timeline", str(path), "--format", "json", "--no-builtin"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["device_offset"] == "+02:00"
    assert [r["time"] for r in data["rows"] if r["kind"] == "line"] == ["2022-06-14T08:27:10Z"]
