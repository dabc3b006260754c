"""balena health checks (checks.sh JSON): both shapes become findings, other JSON is an error.

Status strings are the ones scripts/checks.sh prints (balena-io-modules/device-diagnostics
v4.23.1, commit 1387057), e.g.
# source: https://github.com/balena-io-modules/device-diagnostics/blob/1387057cbed238fa394271fa4f4e1650d60a05c2/scripts/checks.sh#L345
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from triagebench.heuristics import load_library
from triagebench.heuristics.evaluate import evaluate
from triagebench.parser import InputError, open_inputs, parse_file, parse_input
from triagebench.parser.checks import CATEGORY, FORMAT, NO_STATUS

from tests.json_schema import validate_output

ROOT = Path(__file__).resolve().parent.parent

# The combined object checks.sh prints last: one compact line (jq -c '$a1 + $a2').
# source: https://github.com/balena-io-modules/device-diagnostics/blob/1387057cbed238fa394271fa4f4e1650d60a05c2/scripts/checks.sh#L629
FAILED_COMBINED = json.dumps({"diagnose_version": "4.23.1", "checks": [
    {"name": "check_balenaOS", "success": True, "status": "Supported balenaOS 2.x detected"},
    {"name": "check_container_engine", "success": True, "status": "No container_engine issues detected"},
    {"name": "check_localdisk", "success": False,
     "status": "Some localdisk issues detected: \ntest_diskspace Low disk space: (df reports 4% free)"},
    {"name": "check_memory", "success": True, "status": "63% memory available"},
    {"name": "check_networking", "success": True, "status": "No networking issues detected"},
    {"name": "check_os_rollback", "success": True, "status": "No OS rollbacks detected"},
    {"name": "check_supervisor", "success": True, "status": "Supervisor is running & healthy"},
    {"name": "check_temperature", "success": True, "status": "No temperature issues detected"},
    {"name": "check_timesync", "success": False, "status": "Time is not being synchronized via NTP"},
    {"name": "check_under_voltage", "success": False,
     "status": "12 under-voltage events detected, check/change the power supply ASAP"},
]}, separators=(",", ":"))

# The raw stream: announce_version (jq -n, pretty) then one compact array per check
# (log_status, jq -cn).
# source: https://github.com/balena-io-modules/device-diagnostics/blob/1387057cbed238fa394271fa4f4e1650d60a05c2/scripts/checks.sh#L84-L100
RAW_STREAM = "\n".join([
    '{\n  "diagnose_version": "4.23.1"\n}',
    '[{"name":"check_balenaOS","success":true,"status":"Supported balenaOS 2.x detected"}]',
    '[{"name":"check_networking","success":false,"status":"Some networking issues detected: '
    '\\ntest_upstream_dns: DNS lookup failed for 0.resinio.pool.ntp.org via upstream: 10.0.0.1'
    '\\ntest_balena_api: Could not contact https://api.balena-cloud.com"}]',
    '[{"name":"check_localdisk","success":false,"status":"Some localdisk issues detected: '
    '\\ntest_data_partition_mounted Data partition not mounted read-write"}]',
    '[{"name":"check_service_main","success":false,'
    '"status":"User service \'main\' is restarting unexpectedly, count: 14"}]',
    '[{"name":"check_timesync","success":true,"status":"Time is synchronized"}]',
]) + "\n"

HEALTHY = json.dumps({"diagnose_version": "4.23.1", "checks": [
    {"name": "check_balenaOS", "success": True, "status": "Supported balenaOS 2.x detected"},
    {"name": "check_localdisk", "success": True, "status": "No localdisk issues detected"},
    {"name": "check_memory", "success": True, "status": "63% memory available"},
    {"name": "check_networking", "success": True, "status": "No networking issues detected"},
    {"name": "check_supervisor", "success": True, "status": "Supervisor is running & healthy"},
    {"name": "check_timesync", "success": True, "status": "Time is synchronized"},
    {"name": "check_under_voltage", "success": True, "status": "No under-voltage events detected"},
    {"name": "check_service_main", "success": True, "status": "User service 'main' is running & healthy"},
]})

# Every check function of checks.sh v4.23.1 (run_checks), and the per-service name.
# source: https://github.com/balena-io-modules/device-diagnostics/blob/1387057cbed238fa394271fa4f4e1650d60a05c2/scripts/checks.sh#L591-L608
CHECK_NAMES = ["check_balenaOS", "check_container_engine", "check_localdisk", "check_memory",
               "check_networking", "check_os_rollback", "check_supervisor", "check_temperature",
               "check_timesync", "check_under_voltage", "check_service_main"]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _findings(path: Path) -> dict[str, str]:
    document = parse_file(str(path))
    result = evaluate(document, load_library(dirs=(), builtin=True))
    assert not result.errors
    return {f.id: f.severity for f in result.matches}


def test_combined_object_becomes_sections_with_status_lines(tmp_path: Path) -> None:
    document = parse_file(str(_write(tmp_path, "checks.json", FAILED_COMBINED)))
    assert document.format == FORMAT
    assert document.facts["diagnose.version"] == "4.23.1"
    assert len(document.sections) == 10
    localdisk = document.sections_by_key("checks.sh: check_localdisk")[0]
    assert localdisk.category == CATEGORY
    assert [document.output_text(localdisk, n) for n in localdisk.output_line_numbers()] == [
        "success: false", "Some localdisk issues detected: ",
        "test_diskspace Low disk space: (df reports 4% free)"]
    assert [p[2] for p in document.places].count("stdout") == 10


def test_combined_object_failed_checks_are_findings_at_their_severity(tmp_path: Path) -> None:
    found = _findings(_write(tmp_path, "checks.json", FAILED_COMBINED))
    assert found == {"health-check-disk-space": "high", "health-check-timesync": "high",
                     "health-check-under-voltage": "high"}


def test_raw_stdout_stream_failed_checks_are_findings(tmp_path: Path) -> None:
    found = _findings(_write(tmp_path, "checks.out", RAW_STREAM))
    assert found == {"health-check-networking": "high", "health-check-data-partition": "critical",
                     "health-check-user-services": "medium"}


def test_finding_evidence_is_the_checks_own_status_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "checks.out", RAW_STREAM)
    document = parse_file(str(path))
    result = evaluate(document, load_library(dirs=(), builtin=True))
    networking = next(f for f in result.matches if f.id == "health-check-networking")
    texts = [document.line(e.line) for e in networking.evidence]
    assert "test_balena_api: Could not contact https://api.balena-cloud.com" in texts
    assert networking.permalink == "https://docs.balena.io/reference/diagnostics/#check_networking"


def test_healthy_checks_raise_nothing(tmp_path: Path) -> None:
    assert _findings(_write(tmp_path, "checks.json", HEALTHY)) == {}


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_every_checks_sh_check_that_fails_is_reported(tmp_path: Path, name: str) -> None:
    """No false all-clear: a failed check of any name checks.sh emits gives a finding."""
    text = json.dumps({"diagnose_version": "4.23.1",
                       "checks": [{"name": name, "success": False, "status": "something failed"}]})
    assert _findings(_write(tmp_path, "checks.json", text))


def test_scan_cli_fails_on_high_for_failed_checks(tmp_path: Path) -> None:
    path = _write(tmp_path, "checks.json", FAILED_COMBINED)
    result = subprocess.run([sys.executable, "-m", "triagebench", "scan", "--fail-on", "high",
                             "--format", "json", str(path)], capture_output=True, timeout=120,
                            cwd=ROOT)
    assert result.returncode == 1, result.stderr.decode()
    payload = json.loads(result.stdout)
    validate_output(payload)
    assert payload["format"] == "health-checks"
    assert {m["id"] for m in payload["matches"]} == {
        "health-check-disk-space", "health-check-timesync", "health-check-under-voltage"}


def test_checks_arrive_compressed_and_in_zips(tmp_path: Path) -> None:
    gz = tmp_path / "checks.json.gz"
    gz.write_bytes(gzip.compress(FAILED_COMBINED.encode()))
    assert parse_file(str(gz)).format == FORMAT
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("checks.json", FAILED_COMBINED)
        archive.writestr("diag.log", "Jan 01 00:00:01 host kernel: hello\n")
    checks, log = (parse_input(i) for i in open_inputs(str(bundle)))
    assert (checks.format, log.format) == (FORMAT, "plain-log")


@pytest.mark.parametrize(("text", "problem"), [
    ('{"status": "ok", "items": [1, 2]}\n', "is JSON but not balena health checks"),
    ('[1, 2, 3]\n', "is JSON but not balena health checks"),
    ('{"diagnose_version": "4.23.1"}\n', "holds no readable health check"),
    ('{"diagnose_version": "4.23.1", "checks": [{"name": "x"}]}\n', "holds no readable health check"),
    ('{"diagnose_version":"4.23.1","checks":[{"name":"check_memory","succ', "health checks JSON is malformed"),
    ("[" * 100_000 + "]" * 100_000, "JSON nested too deeply to be health checks"),
])
def test_unrecognised_json_is_a_one_line_error(tmp_path: Path, text: str, problem: str) -> None:
    path = _write(tmp_path, "other.json", text)
    with pytest.raises(InputError) as caught:
        parse_file(str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: {problem}")
    assert "\n" not in message


def test_unrecognised_json_on_the_cli_exits_two_with_one_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "package.json", '{"name": "app", "version": "1.0.0"}\n')
    result = subprocess.run([sys.executable, "-m", "triagebench", "scan", str(path)],
                            capture_output=True, timeout=120, cwd=ROOT)
    assert result.returncode == 2
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}: is JSON but not balena health checks")


def test_text_log_that_starts_with_a_brace_is_still_a_log(tmp_path: Path) -> None:
    path = _write(tmp_path, "app.log", "{main} starting\nERROR something broke\n")
    document = parse_file(str(path))
    assert document.format == "plain-log"
    assert document.lines == ["{main} starting", "ERROR something broke"]


def test_status_with_raw_newlines_and_blank_status_are_kept_readable(tmp_path: Path) -> None:
    text = ('{"diagnose_version": "4.23.1", "checks": [{"name": "check_service_api", "success": false, '
            '"status": "User service \'api\' healthcheck failed, count: 5\nexit code: 1, output: x"},'
            ' {"name": "check_memory", "success": "false", "status": ""}]}')
    document = parse_file(str(_write(tmp_path, "pasted.json", text)))
    lines = [document.line(n) for s in document.sections for n in s.output_line_numbers()]
    assert lines == ["success: false", "User service 'api' healthcheck failed, count: 5",
                     "exit code: 1, output: x", "success: false", NO_STATUS]


def test_dmesg_log_that_starts_with_a_bracket_is_still_a_log(tmp_path: Path) -> None:
    """``[    0.000000]`` is a JSON array on its own; the rest of the line is not JSON."""
    text = ("[    0.000000] Booting Linux on physical CPU 0x0\n"
            "[    2.113021] Under-voltage detected! (0x00050005)\n")
    document = parse_file(str(_write(tmp_path, "dmesg.log", text)))
    assert document.format == "plain-log"
    assert "rpi-under-voltage" in {f.id for f in evaluate(
        document, load_library(dirs=(), builtin=True)).matches}
