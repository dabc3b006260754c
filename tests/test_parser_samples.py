"""The parser on every bundled sample: sections, facts against the ground truth, `triage parse`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from triagebench.cli.main import main
from triagebench.parser import parse_file

SAMPLES = Path(__file__).resolve().parent.parent / "sample-diagnostics"
TRUTH = json.loads((SAMPLES / "ground_truth.json").read_text(encoding="utf-8"))
FACTS = ("os.name", "os.version", "device.type", "device.model", "arch", "kernel.version",
         "supervisor.version", "engine.version", "diagnose.version")


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_sample_facts_match_ground_truth(name: str) -> None:
    """Every fact whose true value is written in the file is found, with that value."""
    doc = parse_file(str(SAMPLES / name))
    text = doc.text()
    device = TRUTH[name]["device"]
    checked = 0
    for fact in FACTS:
        value = device.get(fact)
        if value is not None and str(value) in text:
            assert doc.facts[fact] == value, f"{name}: {fact}"
            checked += 1
    assert checked >= 4
    assert doc.line_count == TRUTH[name].get("line_count", doc.line_count)


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_sample_sections_are_the_listing(name: str) -> None:
    doc = parse_file(str(SAMPLES / name))
    if doc.format == "balena-diagnostics":
        # 7 category markers + 88 commands, each joined to its stderr part.
        assert len(doc.sections) == 95
        assert sum(s.is_category_marker for s in doc.sections) == 7
        assert all(s.stderr is not None for s in doc.sections)
        assert all(s.started_at for s in doc.sections)
        assert doc.sections_by_key("balena logs {id}")
        ping = doc.sections_by_key("ping -c 1 -W 3 google.co.uk")[0]
        assert ping.category == "NETWORK"
    elif doc.format == "diagnostics-legacy":
        assert len(doc.sections) > 20
        assert all(s.started_at is None and s.timing is None for s in doc.sections)
    else:
        assert doc.format == "plain-log" and len(doc.sections) == 1
    with open(SAMPLES / name, "rb") as handle:
        raw = handle.read()
    assert doc.text() == raw.decode("utf-8", errors="replace")


def test_parse_cli_prints_facts_and_sections(capsys) -> None:
    name = "s05-s06-delta-panic-rpi3-armv7-2.88.4.txt"
    assert main(["parse", str(SAMPLES / name)]) == 0
    out = capsys.readouterr().out
    assert "armv7l" in out and "2.88.4+rev3" in out or "2.88.4" in out
    assert "balena logs {id}" not in out  # the text table shows commands as written
    assert "dmesg -T" in out and "HARDWARE" in out


def test_parse_cli_json_contract(capsys) -> None:
    name = "healthy-rpi0-2w-2.87.16.txt"
    assert main(["parse", str(SAMPLES / name), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "balena-diagnostics"
    assert data["facts"]["device.type"] == "raspberrypi0-2w-64"
    section = next(s for s in data["sections"] if s["key"] == "balena logs {id}")
    assert section["category"] == "SUPERVISOR"
    assert section["command"].startswith("balena logs ") and section["command"] != section["key"]
    assert section["stdout"]["first_line"] > section["header_line"]
    assert set(section) >= {"command", "key", "category", "started_at", "exit_status", "timing",
                            "stdout", "stderr"}
    api = next(s for s in data["sections"] if s["key"].endswith("api.balena-cloud.com/ping"))
    assert api["stdout"]["lines"] == ["OK"]


def test_parse_cli_bad_input_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["parse", str(tmp_path / "nope.txt")]) == 2
    err = capsys.readouterr().err
    assert err.strip().endswith("no such file") and err.count("\n") == 1


def test_demo_sample_is_bundled_and_shows_problems() -> None:
    from triagebench.cli.open import DEMO_SAMPLE, demo_path

    assert Path(demo_path()).name == DEMO_SAMPLE
    assert any(p["severity"] == "critical" for p in TRUTH[DEMO_SAMPLE]["problems"])
