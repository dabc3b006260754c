"""``triage scan`` on the bundled samples: the device state comes first in every format, and
findings say their status and when they were seen, active ones before the others."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from triagebench.cli.main import main
from triagebench.services.finding_status import INACTIVE_HEADING

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "sample-diagnostics").glob("*.txt"))
UNDERVOLTAGE = next(p for p in SAMPLES if p.name.startswith("s10-"))


def scan(capsys: pytest.CaptureFixture[str], path: Path, fmt: str) -> str:
    assert main(["scan", str(path), "--format", fmt]) == 0
    return capsys.readouterr().out


def test_json_state_of_the_undervoltage_sample(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(scan(capsys, UNDERVOLTAGE, "json"))
    items = {item["key"]: item for item in data["state"]["items"]}
    assert data["state"]["verdict"] == "failed"
    assert items["data_mount"]["state"] == "failed" and "READ-ONLY" in items["data_mount"]["value"]
    assert items["data_mount"]["evidence"][0]["line"] == 4580
    assert items["throttling"]["state"] == "degraded"
    assert items["engine"]["state"] == "ok"


def test_text_and_markdown_name_the_failed_items_first(capsys: pytest.CaptureFixture[str]) -> None:
    text = scan(capsys, UNDERVOLTAGE, "text")
    lines = text.splitlines()
    assert lines[1].startswith("  warning: ")  # the sample's ISO-8859-1 bytes, said first
    head = [line for line in lines[1:] if not line.startswith("  warning: ")][:4]
    assert head[0].startswith("State at capture: FAILED (1 failed, 1 degraded")
    assert head[2].split()[:2] == ["FAILED", "storage"] and head[2].endswith("L4580")
    assert head[3].split()[:2] == ["DEGRADED", "hardware"]
    markdown = scan(capsys, UNDERVOLTAGE, "markdown")
    rows = [line for line in markdown.splitlines() if line.startswith("| Data partition mounted")]
    assert rows == ["| Data partition mounted read-write | **failed** | /mnt/data mounted READ-ONLY "
                    "(/dev/mmcblk0p6) | `L4580` |"]
    assert markdown.index("### State at capture") < markdown.index("### Findings")


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:12])
def test_every_finding_says_status_and_when(capsys: pytest.CaptureFixture[str], path: Path) -> None:
    matches = json.loads(scan(capsys, path, "json"))["matches"]
    text = scan(capsys, path, "text")
    lines = text.splitlines()
    inactive_at = next((n for n, line in enumerate(lines) if line.startswith(INACTIVE_HEADING)),
                       len(lines))
    for match in matches:
        title_at = next(n for n, line in enumerate(lines) if f"{match['id']}: " in line)
        status = lines[title_at + 1].strip()
        assert status.startswith("active" if match["status"] == "active"
                                 else ("recovered", "historical")), status
        assert (title_at > inactive_at) == (match["status"] != "active")
        if match["last_seen"]:
            assert "last seen" in status and "capture" in status
        if match["count"]:
            assert f"{match['count']:,} event" in status


def test_some_sample_has_a_finding_that_is_not_active(capsys: pytest.CaptureFixture[str]) -> None:
    statuses = {m["status"] for path in SAMPLES for m in json.loads(scan(capsys, path, "json"))["matches"]}
    assert statuses > {"active"}
