"""Time, events and recovery (issue #11 classes 1, 2, 3, 7; issue #18's scan budget).

Small test heuristics written here (not the bundled library); lines in the real formats of
journalctl's short output, dmesg -T and the supervisor's event log (log-types.ts).
Capture time of every document: 2022-05-02 16:03:40 UTC (tests.test_heuristics_support).
"""

from __future__ import annotations

from pathlib import Path

from triagebench.heuristics import load_library
from triagebench.heuristics.evaluate import evaluate
from triagebench.heuristics.examples import run_examples
from triagebench.heuristics.lint import lint
from triagebench.parser import parse_text

from tests.test_heuristics_support import diagnostics_text, write_heuristic

JOURNAL = "journalctl --no-pager --no-hostname -pwarning -perr -a"
SUPERVISOR = "journalctl --no-pager --no-hostname -n 200 -a -u balena-supervisor -u resin-supervisor"
DMESG = "dmesg -T"
OS_RELEASE = "cat /etc/os-release"
PING = "CURL_CA_BUNDLE=/tmp/tmp.Xh2kq9aBcD curl https://api.balena-cloud.com/ping"
PING_KEY = "CURL_CA_BUNDLE={tmp} curl https://api.balena-cloud.com/ping"

DOWNLOAD_ERROR = ('{t} balena-supervisor[1888]: [event]   Event: Image download error {{"error":{{"message":'
                  '"Delta failed with Error: read ECONNRESET"}},"image":{{"name":"registry2.balena-cloud.com/'
                  'v2/8f4a5d8b2d2d1e3c@sha256:aa","serviceName":"main"}}}}')
DOWNLOADED = ('{t} balena-supervisor[1888]: [event]   Event: Image downloaded {{"image":{{"name":'
              '"registry2.balena-cloud.com/v2/8f4a5d8b2d2d1e3c@sha256:aa","serviceName":"main"}}}}')


def document(sections: dict[str, list[str]]):
    return parse_text(diagnostics_text(sections), path="device.txt")


def findings(folder: Path, doc, **kw):
    library = load_library([folder], builtin=False)
    assert library.problems == []
    return {f.id: f for f in evaluate(doc, library, **kw).matches}


ENGINE_DIED = """
    [signals.died]
    in = ["journalctl*"]
    regex = 'balena\\.service: Main process exited, code=killed'
"""


def test_an_error_days_before_capture_is_historical_and_low(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "died", ENGINE_DIED, severity="high")
    line = "{t} systemd[1]: balena.service: Main process exited, code=killed, status=6/ABRT"
    old = findings(tmp_path, document({JOURNAL: [line.format(t="Apr 29 10:00:00")]}))["died"]
    assert (old.status, old.severity, old.base_severity) == ("historical", "low", "high")
    assert old.as_dict()["last_seen"] == "2022-04-29T10:00:00Z"
    fresh = findings(tmp_path, document({JOURNAL: [line.format(t="May 02 16:01:00")]}))["died"]
    assert (fresh.status, fresh.severity) == ("active", "high")


def test_history_severity_keeps_a_past_problem_serious(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "died", ENGINE_DIED, severity="critical", extra_top='history_severity = "high"\n')
    line = "Apr 29 10:00:00 systemd[1]: balena.service: Main process exited, code=killed, status=6/ABRT"
    found = findings(tmp_path, document({JOURNAL: [line]}))["died"]
    assert (found.status, found.severity, found.base_severity) == ("historical", "high", "critical")


def test_errors_of_earlier_boots_are_historical_and_boot_current_ignores_them(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "died", ENGINE_DIED)
    write_heuristic(tmp_path, "died-now", ENGINE_DIED + 'boot = "current"\n')
    lines = ["May 02 15:00:00 systemd[1]: balena.service: Main process exited, code=killed, status=6/ABRT",
             "-- Reboot --", "May 02 15:01:10 kernel: Booting Linux on physical CPU 0x0"]
    found = findings(tmp_path, document({JOURNAL: lines}))
    assert found["died"].status == "historical"  # within 24 h, but the device rebooted since
    assert "died-now" not in found


def test_within_ignores_old_lines_but_keeps_undated_ones(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "recent", ENGINE_DIED.replace('["journalctl*"]', '["journalctl*", "balena logs*"]')
                    + 'within = "24h"\n')
    old = "Apr 20 10:00:00 systemd[1]: balena.service: Main process exited, code=killed, status=6/ABRT"
    assert findings(tmp_path, document({JOURNAL: [old]})) == {}
    undated = "balena.service: Main process exited, code=killed, status=6/ABRT"
    assert "recent" in findings(tmp_path, document({JOURNAL: [old], "balena logs 1a2b3c4d5e6f": [undated]}))


RECOVERY = """
    recovered_by = ["downloaded"]
    [signals.failed]
    in = ["journalctl*", "balena logs*"]
    regex = 'Event: Image download error'
    [signals.downloaded]
    in = ["journalctl*", "balena logs*"]
    regex = 'Event: Image downloaded'
"""


def test_a_download_error_followed_by_image_downloaded_is_recovered(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "download", RECOVERY, severity="high")
    lines = [DOWNLOAD_ERROR.format(t="May 02 16:00:01"), DOWNLOADED.format(t="May 02 16:00:30")]
    found = findings(tmp_path, document({SUPERVISOR: lines}))["download"]
    assert (found.status, found.severity, found.base_severity) == ("recovered", "low", "high")
    # the recovery signal is not a symptom: the evidence is the error line only
    assert [e.text for e in found.evidence] == [lines[0]]
    # a download that succeeded before the error does not clear it
    lines = [DOWNLOADED.format(t="May 02 15:00:00"), DOWNLOAD_ERROR.format(t="May 02 16:00:01")]
    found = findings(tmp_path, document({SUPERVISOR: lines}))["download"]
    assert (found.status, found.severity) == ("active", "high")


def test_undated_balena_logs_recovery_is_ordered_by_line(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "download", RECOVERY)
    error = "[event]   Event: Image download error {\"image\":{\"serviceName\":\"main\"}}"
    done = "[event]   Event: Image downloaded {\"image\":{\"serviceName\":\"main\"}}"
    assert findings(tmp_path, document({"balena logs 1a2b3c4d5e6f": [error, done]}))["download"].status == "recovered"
    assert findings(tmp_path, document({"balena logs 1a2b3c4d5e6f": [done, error]}))["download"].status == "active"


def test_live_check_output_counts_as_capture_time_for_recovery(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "dns", f"""
        recovered_by = ["api_ok"]
        [signals.dns]
        in = ["journalctl*"]
        regex = 'getaddrinfo EAI_AGAIN'
        [signals.api_ok]
        in = ["{PING_KEY}"]
        regex = '^OK$'
    """)
    line = ("May 02 15:59:00 balena-supervisor[1888]: [error]   LogBackend: unexpected error: Error: getaddrinfo "
            "EAI_AGAIN api.balena-cloud.com")
    assert findings(tmp_path, document({JOURNAL: [line], PING: ["OK"]}))["dns"].status == "recovered"
    assert findings(tmp_path, document({JOURNAL: [line], PING: ["curl: (6) Could not resolve host"]}))[
        "dns"].status == "active"
    # an undated symptom (balena logs prints no time) is before the capture's own check too
    undated = "[error]   LogBackend: unexpected error: Error: getaddrinfo EAI_AGAIN api.balena-cloud.com"
    assert findings(tmp_path, document({"journalctl --no-pager --no-hostname -n 10": [undated], PING: ["OK"]}))[
        "dns"].status == "recovered"


def test_the_same_supervisor_line_under_two_journal_units_counts_once(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "twice", """
        [signals.failed]
        in = ["journalctl*"]
        regex = 'Event: Image download error'
        min_count = 2
    """)
    one_event = [DOWNLOAD_ERROR.format(t="May 02 16:00:01"),
                 DOWNLOAD_ERROR.format(t="May 02 16:00:01").replace("balena-supervisor[1888]", "df49fc7d2cde[2297]")]
    assert findings(tmp_path, document({SUPERVISOR: one_event})) == {}
    # ... and also when the same line is in a second journal section
    assert findings(tmp_path, document({SUPERVISOR: one_event[:1], JOURNAL: one_event[1:]})) == {}
    two_events = one_event + [DOWNLOAD_ERROR.format(t="May 02 16:02:31")]
    found = findings(tmp_path, document({SUPERVISOR: two_events}))["twice"]
    assert found.count == 2 and len(found.evidence) == 3  # every line is still evidence


MMC = ["[Mon May  2 15:50:10 2022] mmc0: Timeout waiting for hardware interrupt.",
       "[Mon May  2 15:50:10 2022] mmcblk0: error -110 transferring data, sector 2097152, nr 8, cmd response 0x900, "
       "card status 0xb00",
       "[Mon May  2 15:50:11 2022] blk_update_request: I/O error, dev mmcblk0, sector 2097152 op 0x0:(READ) flags "
       "0x80700 phys_seg 1 prio class 0"]


def test_three_lines_of_one_mmc_failure_with_burst_are_one_event(tmp_path: Path) -> None:
    body = f"""
        [signals.mmc]
        in = ["{DMESG}"]
        regex = 'mmc\\d+: Timeout waiting for hardware interrupt|mmcblk\\d+: error -\\d+|I/O error, dev mmcblk\\d+'
        min_count = 2
    """
    write_heuristic(tmp_path, "plain", body)
    write_heuristic(tmp_path, "burst", body + 'burst = "60s"\n')
    found = findings(tmp_path, document({DMESG: MMC}))
    assert sorted(found) == ["plain"]  # without burst: three different messages, three events
    later = [line.replace("15:50:1", "16:01:1") for line in MMC]
    found = findings(tmp_path, document({DMESG: MMC + later}))
    assert found["burst"].count == 2 and found["burst"].signals["mmc"].count == 2


MIGRATION = """
    when = "migration and timeout and old_os"
    [signals.migration]
    in = ["journalctl*"]
    regex = 'Storage migration from aufs to overlay2 starting'
    [signals.timeout]
    in = ["journalctl*"]
    regex = 'balena\\.service: [Ss]tart operation timed out'
    [signals.old_os]
    fact = "os.version"
    below = "2.98.4"
"""


def test_unknown_os_version_still_reports_a_certain_migration_timeout(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "migration", MIGRATION, severity="critical")
    lines = ['May 02 16:02:26 balenad[1189]: time="2022-05-02T16:02:26.102Z" level=info '
             'msg="Storage migration from aufs to overlay2 starting"',
             "May 02 16:03:56 systemd[1]: balena.service: start operation timed out. Terminating."]
    found = findings(tmp_path, document({JOURNAL: lines}))["migration"]  # no os-release section at all
    assert found.unknown_facts == ("os.version",) and found.severity == "critical" and found.status == "active"
    assert found.as_dict()["unknown_facts"] == ["os.version"]
    fixed = document({JOURNAL: lines, OS_RELEASE: ['VERSION_ID="2.113.0"']})
    assert findings(tmp_path, fixed) == {}  # a known, fixed OS still clears it
    old = findings(tmp_path, document({JOURNAL: lines, OS_RELEASE: ['VERSION_ID="2.88.4"']}))["migration"]
    assert old.unknown_facts == ()
    # the log signature is needed: an unknown fact alone never reports
    assert findings(tmp_path, document({JOURNAL: lines[:1]})) == {}


def test_active_findings_sort_before_past_ones_of_higher_severity(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "died", ENGINE_DIED, severity="critical", extra_top='history_severity = "high"\n')
    write_heuristic(tmp_path, "dns", """
        [signals.dns]
        in = ["journalctl*"]
        regex = 'EAI_AGAIN'
    """, severity="medium")
    lines = ["Apr 20 10:00:00 systemd[1]: balena.service: Main process exited, code=killed, status=6/ABRT",
             "May 02 16:00:00 balena-supervisor[1888]: getaddrinfo EAI_AGAIN api.balena-cloud.com"]
    library = load_library([tmp_path], builtin=False)
    matches = evaluate(document({JOURNAL: lines}), library).matches
    assert [(f.id, f.status, f.severity) for f in matches] == [("dns", "active", "medium"),
                                                                ("died", "historical", "high")]


def test_a_spent_scan_budget_skips_scans_and_says_so(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "died", ENGINE_DIED)
    write_heuristic(tmp_path, "old-os", """
        [signals.old]
        fact = "os.version"
        below = "3"
    """)
    line = "May 02 16:00:00 systemd[1]: balena.service: Main process exited, code=killed, status=6/ABRT"
    library = load_library([tmp_path], builtin=False)
    result = evaluate(document({JOURNAL: [line], OS_RELEASE: ['VERSION_ID="2.88.4"']}), library, budget=0)
    assert [f.id for f in result.matches] == ["old-os"]  # facts need no scan
    (error,) = result.errors
    assert error.heuristic == "died" and "budget of 0 s" in error.message


def test_lint_rejects_bad_time_keys(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "bad", """
        within = "1 day"
        recovered_by = ["nope", "a"]
        history_severity = "severe"
        when = "a"
        [signals.a]
        regex = 'x'
        burst = "10"
        boot = "previous"
        [signals.f]
        fact = "os.version"
        below = "3"
        within = "2h"
    """)
    messages = [str(m) for m in lint([tmp_path])]
    expected = ["bad.toml: within: must be a duration", "bad.toml: recovered_by: 'nope' is not a signal",
                "bad.toml: history_severity: 'severe' is not one of", "bad.toml: signals.a.burst: must be a duration",
                "bad.toml: signals.a.boot: must be \"current\"", "bad.toml: signals.f.within: only a regex signal",
                "bad.toml: signals.a: listed in recovered_by, so it must not be used in 'when'",
                "bad.toml: signals.f: defined but not used in 'when'"]
    for start in expected:
        assert any(start in m for m in messages), (start, messages)


def test_examples_check_status_and_severity(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "download", RECOVERY + f"""
        [[examples]]
        name = "recovered a minute later"
        matches = true
        status = "recovered"
        severity = "low"
        [examples.sections]
        "{SUPERVISOR}" = [
            '{DOWNLOAD_ERROR.format(t="May 02 16:00:01")}',
            '{DOWNLOADED.format(t="May 02 16:01:01")}',
        ]

        [[examples]]
        name = "wrong expectation"
        matches = true
        status = "active"
        captured = "2022-05-02T16:05:00Z"
        [examples.sections]
        "{SUPERVISOR}" = ['{DOWNLOAD_ERROR.format(t="May 02 16:00:01")}', '{DOWNLOADED.format(t="May 02 16:01:01")}']

        [[examples]]
        name = "days old"
        matches = true
        status = "historical"
        captured = "2022-05-09T16:05:00Z"
        [examples.sections]
        "{SUPERVISOR}" = ['{DOWNLOAD_ERROR.format(t="May 02 16:00:01")}']
    """)
    results = run_examples(load_library([tmp_path], builtin=False))
    assert [r.passed for r in results] == [True, False, True]
    assert results[1].describe().endswith("examples[2] (wrong expectation): expected status active, but it is "
                                          "recovered")


def test_a_version_read_now_does_not_make_an_old_error_current(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "died-old-engine", ENGINE_DIED + """
        [signals.engine]
        in = ["balena --version"]
        extract = 'version (\\d+\\.\\d+\\.\\d+)'
        below = "20.10.17"
    """)
    line = "Apr 29 10:00:00 systemd[1]: balena.service: Main process exited, code=killed, status=6/ABRT"
    found = findings(tmp_path, document({JOURNAL: [line], "balena --version": [
        "Docker version 19.03.30, build c41a2d5c1a102294994118434aefaa54a76e2814"]}))["died-old-engine"]
    assert found.status == "historical" and found.last_seen is not None and found.last_seen.day == 29


def test_boot_markers_found_by_the_scan_equal_the_parsers(tmp_path: Path, monkeypatch) -> None:
    """The evaluator hands the boot markers it saw while scanning to the parser; they must be
    exactly what the parser finds itself, whatever the chunk size (consecutive markers,
    markers on a chunk's first line, ANSI colour in supervisor logs)."""
    import sys

    from triagebench.parser.times import SectionClock

    module = sys.modules["triagebench.heuristics.evaluate"]
    journal = []
    for day in range(1, 6):
        journal += [f"Apr 2{day} 10:00:0{i} systemd[1]: balena.service: Main process exited, code=killed" for i in
                    range(3)]
        journal += ["-- Reboot --", "-- Boot 296d8c49754653a9dc86909b829d7216 --"] if day % 2 else ["-- Reboot --"]
    logs = []
    for run in range(4):
        logs += ["[\x1b[34minfo\x1b[39m]    Supervisor v12.11.16 starting up...",
                 "[\x1b[31merror\x1b[39m]   balena.service: Main process exited, code=killed"] * (run + 1)
    doc_sections = {JOURNAL: journal, "balena logs 1a2b3c4d5e6f": logs}
    write_heuristic(tmp_path, "died", ENGINE_DIED.replace('["journalctl*"]', '["journalctl*", "balena logs*"]'))
    library = load_library([tmp_path], builtin=False)
    reference = document(doc_sections)
    expected = {s.index: SectionClock(reference, s, None)._stream_markers(s.stdout.first_line)
                for s in reference.sections}
    assert sum(map(len, expected.values())) == 8 + 10
    for chunk_chars in (1, 40, 150, 1 << 22):
        monkeypatch.setattr(module, "CHUNK_CHARS", chunk_chars)
        doc = document(doc_sections)
        result = evaluate(doc, library)
        assert result.matches and result.matches[0].status == "active"  # undated log lines of boot 0
        for section in doc.sections:
            clock = doc.clock.section_clock(section.index)
            if section.index in (s.index for s in doc.sections if s.key in (JOURNAL, "balena logs {id}")):
                assert clock.markers.get(section.stdout.first_line) == expected[section.index], chunk_chars


def test_lint_warns_when_a_recovery_is_never_tested(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "download", RECOVERY)
    warnings = [str(m) for m in lint([tmp_path]) if m.level == "warning"]
    assert any("download.toml: recovered_by: warning: no [[examples]] expects status" in w for w in warnings)


def test_timing_work_is_capped_on_huge_match_counts(tmp_path: Path, monkeypatch) -> None:
    """Past TIME_CAP matching lines only the last ones (file order) are timed: a window keeps
    the recent lines of a long log, and the event count is a lower bound."""
    import sys

    timeline = sys.modules["triagebench.heuristics.timeline"]
    monkeypatch.setattr(timeline, "TIME_CAP", 5)
    write_heuristic(tmp_path, "recent", ENGINE_DIED + 'within = "24h"\nmin_count = 3\n')
    old = [f"Apr 20 10:00:{i:02d} systemd[1]: balena.service: Main process exited, code=killed" for i in range(20)]
    new = [f"May 02 15:00:{i:02d} systemd[1]: balena.service: Main process exited, code=killed" for i in range(4)]
    write_heuristic(tmp_path, "every", ENGINE_DIED + 'min_count = 3\n')
    found = findings(tmp_path, document({JOURNAL: old + new}))
    assert found["recent"].signals["died"].count == 4 and found["recent"].count == 4
    assert [e.time.day for e in found["recent"].evidence] == [2, 2, 2, 2]
    # 24 distinct events, but only the last 5 lines were timed: a lower bound
    assert found["every"].signals["died"].count == 5 and found["every"].count == 5
    assert found["every"].first_seen is not None and found["every"].first_seen.day == 20


def test_a_kernel_line_in_dmesg_and_in_the_journal_is_one_event(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "uv", """
        [signals.uv]
        in = ["dmesg -T", "journalctl *"]
        regex = 'Under-voltage detected!'
        min_count = 2
    """)
    dmesg = ["[Mon May  2 15:50:10 2022] hwmon hwmon1: Undervoltage detected!",
             "[Mon May  2 15:50:10 2022] Under-voltage detected! (0x00050005)"]
    journal = ["May 02 15:50:10 kernel: Under-voltage detected! (0x00050005)"]
    assert findings(tmp_path, document({DMESG: dmesg, JOURNAL: journal})) == {}
    journal.append("May 02 15:58:31 kernel: Under-voltage detected! (0x00050005)")
    assert findings(tmp_path, document({DMESG: dmesg, JOURNAL: journal}))["uv"].count == 2


def test_what_a_finding_says_about_when_in_words(tmp_path: Path) -> None:
    from triagebench.heuristics.describe import seen_text, span_text, unknown_text

    write_heuristic(tmp_path, "died", ENGINE_DIED)
    write_heuristic(tmp_path, "migration", MIGRATION)
    library = load_library([tmp_path], builtin=False)
    died = "{t} systemd[1]: balena.service: Main process exited, code=killed, status=6/ABRT"
    migration = ["May 02 16:02:26 balenad[1189]: level=info msg=\"Storage migration from aufs to overlay2 starting\"",
                 "May 02 16:03:56 systemd[1]: balena.service: start operation timed out. Terminating."]
    result = evaluate(document({JOURNAL: [died.format(t="May 02 16:00:40"), *migration]}), library)
    by_id = {f.id: f for f in result.matches}
    assert seen_text(by_id["died"], result.capture_time) == "last seen 3 min before capture"
    assert unknown_text(by_id["migration"]) == "OS version unknown"
    result = evaluate(document({JOURNAL: [died.format(t="Apr 30 10:00:00")]}), library)
    assert seen_text(result.matches[0], result.capture_time) == "past (last seen 2 days before capture)"
    assert [span_text(s) for s in (40, 200, 7200, 86400, 86400 * 9)] == ["40 s", "3 min", "2 h", "24 h", "9 days"]
