"""Comparing two captures of one device (``services.compare``), as an agent reads the result.

The bundled pair is one Raspberry Pi 4 before and after a host OS update
(``pair-before-hup-*`` / ``pair-after-hup-*`` in sample-diagnostics, same device uuid):
the expected changes come from ``ground_truth.json``, not from the code under test.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
from triagebench.heuristics import Library, load_library
from triagebench.parser import Document, parse_file, parse_text
from triagebench.services.compare import SCHEMA, Comparison, DifferentDevices, compare

SAMPLES = Path(__file__).resolve().parent.parent / "sample-diagnostics"
TRUTH = json.loads((SAMPLES / "ground_truth.json").read_text(encoding="utf-8"))
OLD = "pair-before-hup-s14-s28-rpi4-2.88.4.txt"
NEW = "pair-after-hup-s10-rpi4-2.115.18.txt"
# C0 controls except newline, DEL and C1: none may reach a terminal, a file or a JSON string.
CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@cache
def _library() -> Library:
    return load_library(dirs=(), builtin=True)


@cache
def _doc(name: str) -> Document:
    return parse_file(str(SAMPLES / name))


@cache
def _pair() -> Comparison:
    return compare(_doc(OLD), _doc(NEW), _library())


def _heuristics(name: str) -> dict[str, str]:
    return {p["heuristic"]: p["severity"] for p in TRUTH[name]["problems"]}


def _outputs(comparison: Comparison) -> list[str]:
    return [comparison.render_text(), comparison.render_markdown(),
            json.dumps(comparison.as_dict(), ensure_ascii=False)]


# --- the pair ---------------------------------------------------------------------------


def test_the_pair_is_one_device_in_the_ground_truth() -> None:
    old, new = TRUTH[OLD]["device"], TRUTH[NEW]["device"]
    assert old["hostname"] == new["hostname"] and old["device.type"] == new["device.type"]
    assert old["os.version"] != new["os.version"]
    identity = {i.name: (i.old, i.new) for i in _pair().identity}
    uuid_old, uuid_new = identity["uuid"]
    assert uuid_old == uuid_new and uuid_old is not None and uuid_old.startswith(old["hostname"])
    assert not _pair().different_devices and not _pair().forced


def test_changed_versions_are_listed_with_old_and_new_values() -> None:
    changed = {f.name: (f.old, f.new) for f in _pair().changed_facts}
    old, new = TRUTH[OLD]["device"], TRUTH[NEW]["device"]
    for fact in ("os.version", "supervisor.version", "engine.version", "kernel.version"):
        assert changed[fact] == (old[fact], new[fact]), fact
    assert "device.type" not in changed and "arch" not in changed


def test_disk_memory_and_last_boot_changes() -> None:
    facts = {f.name: f for f in _pair().facts}
    disk = facts["disk.data.used_percent"]
    # the old capture is the "data partition full" one, the new one was cleaned up
    assert disk.changed and disk.old_value >= 90 > 50 > disk.new_value
    assert disk.delta == f"{disk.new_value - disk.old_value:+g} points"
    assert facts["memory.available_percent"].changed
    assert facts["uptime.seconds"].new_value == _doc(NEW).facts["uptime.seconds"]
    boot = facts["last_boot"]
    # the new capture was taken a few hours after the update's reboot, on the same day
    assert boot.new is not None and boot.new.startswith(TRUTH[NEW]["device"]["captured_at"][:10])


def test_findings_new_resolved_and_still_present_match_the_ground_truth() -> None:
    before, after = _heuristics(OLD), _heuristics(NEW)
    comparison = _pair()
    new = {f.id: f.new_severity for f in comparison.findings_by_change("new")}
    resolved = {f.id: f.old_severity for f in comparison.findings_by_change("resolved")}
    still = {f.id for f in comparison.findings_by_change("still present")}
    assert {k: v for k, v in new.items() if v != "info"} == {
        k: v for k, v in after.items() if k not in before}
    assert {k: v for k, v in resolved.items() if v != "info"} == {
        k: v for k, v in before.items() if k not in after}
    assert not still & (set(before) | set(after))
    under_voltage = next(f for f in comparison.findings_by_change("new") if f.id == "rpi-under-voltage")
    planted = set(TRUTH[NEW]["problems"][0]["lines"])
    assert under_voltage.new_first in planted and under_voltage.old_lines == 0
    # one event per firmware report, however many journal sections repeat it
    stamps = {re.search(r"\d\d:\d\d:\d\d", _doc(NEW).line(n)).group() for n in planted}
    assert under_voltage.new_events == len(stamps) and under_voltage.old_events == 0
    assert f"({len(stamps)} events, {NEW}#L{under_voltage.new_first})" in comparison.render_text()


def test_error_templates_new_and_gone_with_counts() -> None:
    comparison = _pair()
    new = comparison.templates_by_change("new")
    gone = comparison.templates_by_change("gone")
    voltage = [t for t in new if "Under-voltage detected!" in t.template]
    assert len(voltage) == 1
    planted = [n for n in TRUTH[NEW]["problems"][0]["lines"]
               if "Under-voltage detected!" in _doc(NEW).line(n)]
    assert voltage[0].count == len(planted) and set(voltage[0].examples) <= set(planted)
    assert "dmesg -T" in voltage[0].sections
    enospc = [t for t in gone if "ENOSPC" in t.template]
    assert len(enospc) == 1
    lines = [n for n in range(1, _doc(OLD).line_count + 1) if "Error: ENOSPC" in _doc(OLD).line(n)]
    assert enospc[0].count == len(lines) and enospc[0].examples[0] == lines[0]
    assert not any("ENOSPC" in t.template for t in new)
    assert not any("Under-voltage" in t.template for t in gone)


def test_exit_status_changes_by_section_key() -> None:
    changes = {e.key: (e.old, e.new) for e in _pair().exit_status}
    # killed by `timeout` in the old capture (status 143), completes after the update;
    # the HUP log only exists after the update.
    assert changes == {"balena stats --all --no-stream": (143, 0),
                       "find /mnt/data/*hup/*log -mtime -180 | xargs tail -n 250 -v": (1, 0)}
    text = _pair().render_text()
    assert "balena stats --all --no-stream: 143 (killed by SIGTERM) -> 0" in text
    for change in _pair().exit_status:  # header lines, for jumping to the section in each file
        assert _doc(OLD).line(change.old_line) == f"--- {change.command} ---"
        assert _doc(NEW).line(change.new_line) == f"--- {change.command} ---"


def test_a_capture_compared_with_itself_has_no_differences() -> None:
    same = compare(_doc(OLD), _doc(OLD), _library())
    assert same.changed_facts == [] and same.exit_status == [] and same.templates == []
    assert {f.change for f in same.findings} == {"still present"}
    assert {f.id for f in same.findings} >= set(_heuristics(OLD))


def test_renderings_name_the_changes() -> None:
    text, markdown, dumped = _outputs(_pair())
    for rendering in (text, markdown):
        assert "2.88.4+rev3" in rendering and "2.115.18" in rendering
        assert "rpi-under-voltage" in rendering and "data-partition-full" in rendering
        assert f"{NEW}#L" in rendering and f"{OLD}#L" in rendering
    assert "## Findings" in markdown and "`rpi-under-voltage`" in markdown
    data = json.loads(dumped)
    assert data["schema"] == SCHEMA == "triagebench-diff/1"
    assert [f["id"] for f in data["findings"]["new"]] == ["rpi-under-voltage"]
    assert {f["name"] for f in data["facts"] if f["changed"]} >= {
        "os.version", "supervisor.version", "engine.version", "kernel.version",
        "disk.data.used_percent"}


# --- different devices ------------------------------------------------------------------


def test_two_different_bundled_samples_are_refused_in_one_line() -> None:
    other = "s01-storage-migration-timeout-rpi4-2.88.4.txt"  # same device type and OS as OLD
    with pytest.raises(DifferentDevices) as caught:
        compare(_doc(OLD), _doc(other), _library())
    message = str(caught.value)
    assert "\n" not in message
    assert OLD in message and other in message
    assert TRUTH[OLD]["device"]["hostname"] in message and TRUTH[other]["device"]["hostname"] in message
    assert "device uuid" in message and "--force" in message
    assert "device type" not in message  # both are raspberrypi4-64: only what differs is named


def test_force_compares_different_devices_and_says_so() -> None:
    other = "healthy-rpi0-2w-2.87.16.txt"
    forced = compare(_doc(OLD), _doc(other), _library(), force=True)
    assert forced.forced and forced.different_devices
    assert any("different devices" in note for note in forced.notes)
    assert {i.name for i in forced.identity if i.differs} == {"uuid", "hostname", "device.type"}
    changed = {f.name: (f.old, f.new) for f in forced.changed_facts}
    assert changed["device.type"] == ("raspberrypi4-64", "raspberrypi0-2w-64")
    assert "device type differs" in forced.render_text()
    assert forced.as_dict()["different_devices"] is True


def _journal(host: str, *messages: str) -> Document:
    lines = [f"May 02 16:0{i}:00 {host} app[12]: {m}" for i, m in enumerate(messages)]
    return parse_text("\n".join(lines) + "\n", path=f"{host}.log")


def test_without_a_uuid_the_hostname_decides() -> None:
    a = _journal("d00d001", "error: disk failure")
    b = _journal("beef002", "error: disk failure")
    with pytest.raises(DifferentDevices, match=r"hostname d00d001 vs beef002"):
        compare(a, b, _library())
    same = compare(a, _journal("d00d001", "error: disk failure"), _library())
    assert not same.different_devices and same.templates == []


# --- untrusted text ---------------------------------------------------------------------


def test_outputs_never_carry_control_characters() -> None:
    # Real samples: ANSI-coloured supervisor lines, a NUL after the device-tree model.
    comparisons = [_pair(), compare(_doc("s05-s06-delta-panic-rpi3-armv7-2.88.4.txt"),
                                    _doc("s03-s25-s28-overload-watchdog-nuc-2.98.33.txt"),
                                    _library(), force=True)]
    # Hostile lines: OSC 52 clipboard write, C1 CSI, BEL, tabs, a title-setting OSC.
    hostile_old = _journal("d00d001", "error: \x1b]52;c;ZWNobyBwd25lZA==\x07 clipboard \x9b31m red",
                           "failed:\tthe\x07bell \x1b]0;title\x07 rang")
    hostile_new = _journal("d00d001", "error: \x1b[2J\x1b[H cleared \x1b]8;;http://evil\x1b\\link",
                           "fatal: \x85next line \x00 nul")
    comparisons.append(compare(hostile_old, hostile_new, _library()))
    for comparison in comparisons:
        for output in _outputs(comparison):
            assert not CONTROL_RE.search(output), repr(CONTROL_RE.search(output))
    hostile = comparisons[-1]
    assert hostile.templates_by_change("new") and hostile.templates_by_change("gone")


def test_file_text_never_becomes_markdown() -> None:
    old = _journal("d00d001", "error: nothing to see")
    new = _journal("d00d001", "error: **bold** [click](http://evil) <script>x</script> | cell",
                   "error: ``` fence")
    markdown = compare(old, new, _library()).render_markdown()
    for line in markdown.splitlines():
        if "click" in line or "fence" in line:
            # the template sits inside an inline code span whose delimiter it cannot close
            span = re.search(r"(`+) ?(.*?) ?\1(?!`)", line)
            assert span and ("click" in span.group(2) or "fence" in span.group(2)), line


def test_swapped_files_are_flagged_and_the_changes_reverse() -> None:
    swapped = compare(_doc(NEW), _doc(OLD), _library())
    assert any("captured before OLD" in note for note in swapped.notes)
    assert {f.id for f in swapped.findings_by_change("new")} >= set(_heuristics(OLD))
    assert {f.id for f in swapped.findings_by_change("resolved")} >= set(_heuristics(NEW))
    assert not any("captured before" in note for note in _pair().notes)


def test_compare_imports_neither_textual_nor_the_views() -> None:
    import subprocess
    import sys

    code = ("import sys, triagebench.services.compare; "
            "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith("
            "('textual.', 'triagebench.tui', 'triagebench.cli'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_absurd_numbers_and_escapes_in_a_file_become_unknown_not_errors() -> None:
    text = (SAMPLES / NEW).read_bytes().decode("utf-8", errors="replace")
    text = re.sub(r"(/dev/mmcblk0p6 .*?)\d+% /mnt/data", lambda m: m.group(1) + "9" * 40 + "% /mnt/data",
                  text, count=1)
    text = re.sub(r"up +5:18,", "up 99999999999999999999999 days, 5:18,", text, count=1)
    text = text.replace('"uuid": "', '"uuid": "\x1b]52;c;AAAA\x07', 1)
    hostile = parse_text(text, path="hostile\x1b[31m.txt")
    assert hostile.facts["disk.data.used_percent"] is None  # the parser refuses it (parser/numbers.py)
    comparison = compare(_doc(NEW), hostile, _library())
    facts = {f.name: f for f in comparison.facts}
    assert facts["disk.data.used_percent"].new is None and facts["uptime.seconds"].new is None
    assert facts["last_boot"].new is None
    assert not comparison.different_devices  # the escape is not part of the uuid
    for output in _outputs(comparison):
        assert not CONTROL_RE.search(output)
    line = next(x for x in comparison.render_text().splitlines() if "Data partition used" in x)
    assert line.split()[-1] == "unknown"


def test_findings_already_evaluated_are_used_as_given() -> None:
    from triagebench.heuristics.evaluate import evaluate
    from triagebench.heuristics.model import Findings

    reused = compare(_doc(OLD), _doc(NEW), _library(), old_findings=Findings(),
                     new_findings=evaluate(_doc(NEW), _library()))
    # OLD passed with no findings: everything NEW reports is new, nothing is resolved
    assert reused.findings_by_change("resolved") == []
    assert {f.id for f in reused.findings_by_change("new")} == {
        f.id for f in _pair().findings if f.change in ("new", "still present")}


def test_a_finding_recovered_in_new_counts_as_resolved_and_says_so() -> None:
    from dataclasses import replace

    from triagebench.heuristics.evaluate import evaluate
    from triagebench.heuristics.model import Findings

    active = next(f for f in evaluate(_doc(NEW), _library()).matches if f.id == "rpi-under-voltage")
    assert active.status == "active"
    recovered = replace(active, status="recovered", effective_severity="low")
    comparison = compare(_doc(OLD), _doc(NEW), _library(), old_findings=Findings([active]),
                         new_findings=Findings([recovered]))
    [change] = comparison.findings
    assert (change.change, change.old_status, change.new_status) == ("resolved", "active", "recovered")
    assert "(recovered in NEW)" in comparison.render_text()
    back = compare(_doc(OLD), _doc(NEW), _library(), old_findings=Findings([recovered]),
                   new_findings=Findings([active]))
    assert back.findings[0].change == "new"  # came back: past in OLD, active in NEW
    both = compare(_doc(OLD), _doc(NEW), _library(), old_findings=Findings([recovered]),
                   new_findings=Findings([recovered]))
    assert both.findings[0].change == "still present"
