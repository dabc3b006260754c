"""Hostile diagnostics files (issue #18): absurd numbers, deep JSON, huge lines and
headers give a bounded, correct result, never a traceback or NaN in the JSON.

The small crashers live in ``tests/fuzz-corpus/`` (one file each); the large ones
are built here. Before the fix each of these raised (ValueError over 4,300 digits,
OverflowError, RecursionError), wrote ``NaN``/``Infinity`` into ``triage parse
--json``, or ran for 6-84 s (the timings are in bench/README.md, not asserted here).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from triagebench.cli.main import main
from triagebench.parser import parse_file, parse_text
from triagebench.parser.facts import MAX_JSON_DEPTH, loads_bounded, parse_uptime
from triagebench.parser.keys import normalise_key
from triagebench.parser.numbers import bounded_float, bounded_int

from tests.realdata import build
from tests.test_heuristics_support import diagnostics_text

CORPUS = Path(__file__).resolve().parent / "fuzz-corpus"


def strict_json(doc) -> str:
    """What ``triage parse --json`` carries, dumped as strict JSON (no NaN/Infinity)."""
    timings = [s.timing.as_dict() for s in doc.sections if s.timing]
    statuses = [(s.exit_status, s.signal) for s in doc.sections]
    return json.dumps({"facts": doc.facts, "timings": timings, "statuses": statuses},
                      allow_nan=False)


def section(doc, key: str):
    return doc.sections_by_key(key)[0]


def test_exit_status_and_signal_with_5000_digits_are_unknown() -> None:
    doc = parse_file(str(CORPUS / "exit-status-5000-digits.txt"))
    ls = section(doc, "ls /mnt/data")
    assert ls.exit_status is None
    # The status line is still GNU time's, not command output.
    assert [doc.output_text(ls, n) for n in ls.output_line_numbers("stdout")] == ["x"]
    doc = parse_file(str(CORPUS / "signal-5000-digits.txt"))
    assert section(doc, "ls /mnt/data").signal is None


def test_real_exit_status_and_signal_still_read() -> None:
    text = diagnostics_text({"a": ["x", "Command exited with non-zero status 3"],
                             "b": ["Command terminated by signal 9"]})
    doc = parse_text(text)
    assert section(doc, "a").exit_status == 3 and section(doc, "b").signal == 9


def test_time_line_over_4096_characters_is_output() -> None:
    doc = parse_file(str(CORPUS / "timing-hours-5000-digits.txt"))
    ls = section(doc, "ls /mnt/data")
    assert ls.timing is None
    assert doc.output_text(ls, ls.stdout.last_line) == "sys\t0m 0.00s"
    strict_json(doc)


@pytest.mark.parametrize("name", ["timing-hours-400-digits.txt", "timing-seconds-400-digits.txt"])
def test_absurd_timings_are_unknown_and_still_recognised(name: str) -> None:
    doc = parse_file(str(CORPUS / name))
    ls = section(doc, "ls /mnt/data")
    assert ls.timing is not None and ls.timing.real_seconds is None
    assert ls.timing.user == "0m 0.00s"
    assert [doc.output_text(ls, n) for n in ls.output_line_numbers("stdout")] == ["x"]
    strict_json(doc)


def test_glued_real_line_is_still_split() -> None:
    text = build.diagnostics_text({"a": ["first", "OK"]}, glued={"a"}, real="0m 0.38s")
    assert "OKreal\t0m 0.38s\n" in text
    doc = parse_text(text)
    a = section(doc, "a")
    assert [doc.output_text(a, n) for n in a.output_line_numbers("stdout")] == ["first", "OK"]
    assert a.timing.real_seconds == pytest.approx(0.38)


@pytest.mark.parametrize("name", ["uptime-5000-digits.txt", "df-5000-digits.txt",
                                  "meminfo-400-digits.txt", "meminfo-5000-digits.txt",
                                  "free-nan.txt", "free-inf.txt"])
def test_absurd_fact_numbers_are_unknown(name: str) -> None:
    doc = parse_file(str(CORPUS / name))
    assert doc.facts["uptime.seconds"] is None
    assert doc.facts["disk.data.used_percent"] is None
    assert doc.facts["memory.available_percent"] is None
    strict_json(doc)


def test_parse_json_cli_never_writes_nan(capsys) -> None:
    assert main(["parse", "--json", str(CORPUS / "free-nan.txt")]) == 0
    out = capsys.readouterr().out
    assert "NaN" not in out and "Infinity" not in out
    json.loads(out)


@pytest.mark.parametrize("name", ["config-json-nested-objects.txt", "config-json-nested-arrays.txt"])
def test_deeply_nested_config_json_is_unknown(name: str) -> None:
    doc = parse_file(str(CORPUS / name))
    assert doc.facts["device.type"] is None and doc.facts["development_mode"] is None


def test_config_json_with_absurd_numbers_keeps_its_good_keys() -> None:
    doc = parse_file(str(CORPUS / "config-json-huge-number.txt"))
    assert doc.facts["device.type"] == "raspberrypi4-64"
    assert doc.facts["development_mode"] is True  # written as the string "true"


def test_loads_bounded_depth_limit() -> None:
    assert loads_bounded("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    with pytest.raises(ValueError, match="nested"):
        loads_bounded("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
    # Brackets inside strings do not count.
    assert loads_bounded('{"a": "' + "[" * 500 + '"}') == {"a": "[" * 500}
    assert loads_bounded('{"n": 1e999, "m": NaN, "k": ' + "7" * 40 + ', "ok": 2.5}') == {
        "n": None, "m": None, "k": None, "ok": 2.5}


def test_bounded_numbers() -> None:
    assert bounded_int("42") == 42 and bounded_int("-3") == -3
    assert bounded_int("9" * 31) is None and bounded_int("²") is None and bounded_int("") is None
    assert bounded_int("300", high=255) is None and bounded_int("0", low=1) is None
    assert bounded_float("1.5") == 1.5
    for bad in ("nan", "inf", "-inf", "1e5", "9" * 400, "1.2.3", "."):
        assert bounded_float(bad) is None, bad


# -- huge lines: each ran 6-84 s before (regexes on uncapped lines) -----------------

def test_huge_uptime_line_is_unknown() -> None:
    for line in (" up" + " " * 100_000 + "x", "up ," * 25_000, "up " + "9" * 100_000 + " days,"):
        doc = parse_text(diagnostics_text({"uptime": [line]}))
        assert doc.facts["uptime.seconds"] is None


def test_huge_pretty_name_and_model_lines() -> None:
    doc = parse_text(diagnostics_text({
        "cat /etc/os-release": ['PRETTY_NAME="' + " " * 50_000 + 'x"', 'VERSION="2.88.4"'],
        "cat /proc/device-tree/model": ["Raspberry Pi " * 5_000],
        "dmesg": ["[    0.000000] Machine model: " + " " * 50_000 + "x"],
    }))
    assert doc.facts["os.version"] == "2.88.4"  # read from VERSION instead
    assert doc.facts["device.model"] is None  # a 65 KB model is not a model
    doc = parse_text(diagnostics_text({"dmesg": ["[    0.000000] Machine model: " + " " * 50_000 + "x"]}))
    assert doc.facts["device.model"] is None
    doc = parse_text(diagnostics_text({"dmesg": ["[    0.000000] Machine model: Raspberry Pi 4   "]}))
    assert doc.facts["device.model"] == "Raspberry Pi 4"


def test_long_mktemp_header_key() -> None:
    long = "/a" * 50_000
    assert normalise_key(long) == long  # was 60 s (quadratic regex)
    assert normalise_key(long + "/tmp.AbCdEf12 curl") == "{tmp} curl"
    assert normalise_key("CURL_CA_BUNDLE=/tmp/tmp.2XTMWFM4ES curl https://x") == \
        "CURL_CA_BUNDLE={tmp} curl https://x"
    assert normalise_key("a/b/tmp.ABCDEFG y /tmp.xyzxyz") == "a{tmp} y {tmp}"
    assert normalise_key("x//tmp.abcdef") == "x/{tmp}"


def test_100k_headers_parse() -> None:
    text = "".join(f"--- c{i} ---\n\n" for i in range(100_000))  # 1.6 MB
    doc = parse_text(text)
    assert len(doc.sections) == 100_000 and doc.sections[-1].key == "c99999"


# -- issue #11 item 9: busybox uptime, development mode, fact lines ---------------

@pytest.mark.parametrize(("line", "seconds"), [
    (" 11:16:03  up 4 days  2:01,  0 users,  load average: 9.84, 9.12, 8.77", 4 * 86400 + 7260),
    (" 10:21:42  up 3 days  2:29,", 3 * 86400 + 2 * 3600 + 29 * 60),
    (" 08:47:34  up 2 min,  0 users,  load average: 0.60, 0.50, 0.40", 120),
    (" 15:40:40  up  1:02,  0 users,  load average: 0.67, 0.5, 0.4", 3720),
    (" 15:40:40 up 1 day, 50 min,  1 user,  load average: 0.00, 0.01, 0.05", 86400 + 3000),
    (" 15:40:40 up 3 days,  4:02,  2 users,  load average: 0.1, 0.1, 0.1", 3 * 86400 + 4 * 3600 + 120),
    ("  1:55pm  up  2:30, load average: 0.09, 0.04, 0.00", 9000),
    (" 10:00:00 up 1 day,  1 user,  load average: 0.1, 0.1, 0.1", 86400),
    (" 10:00:00 up 12 min", 720),
])
def test_uptime_formats(line: str, seconds: int) -> None:
    assert parse_uptime(line) == seconds


@pytest.mark.parametrize("line", ["", "uptime: command not found", " 10:00 up 3:75, x",
                                  " 10:00 up 99999999 days,  1:00, load average: 0"])
def test_uptime_unreadable(line: str) -> None:
    assert parse_uptime(line) is None


CONFIG = "cat /mnt/boot/config.json"


@pytest.mark.parametrize(("sections", "expected"), [
    ({CONFIG: ['{', '  "deviceType": "raspberrypi4-64",', '  "developmentMode": true', '}']}, True),
    ({CONFIG: ['{"developmentMode": "true"}']}, True),
    ({CONFIG: ['{"developmentMode": "false"}']}, False),
    ({CONFIG: ['{"developmentMode": false}']}, False),
    ({CONFIG: ['{"developmentMode": "maybe"}']}, None),
    ({"cat /etc/os-release": ['VARIANT="Development"', 'VARIANT_ID="dev"']}, True),
    ({"cat /etc/os-release": ['VARIANT="Production"', 'VARIANT_ID="prod"']}, False),
    ({"cat /etc/os-release": ['PRETTY_NAME="Resin OS 2.3.0+rev1 (dev)"']}, True),
    ({"cat /etc/os-release": ['PRETTY_NAME="balenaOS 2.88.4+rev3"']}, None),
    # config.json (balenaOS >= 2.85) wins over an old variant marker
    ({CONFIG: ['{"developmentMode": true}'], "cat /etc/os-release": ['VARIANT_ID="prod"']}, True),
])
def test_development_mode(sections: dict[str, list[str]], expected: bool | None) -> None:
    doc = parse_text(diagnostics_text(sections))
    assert doc.facts["development_mode"] is expected
    if expected is not None:
        line = doc.line(doc.fact_lines["development_mode"])
        assert "developmentMode" in line or "dev" in line.lower() or "prod" in line.lower()


def test_fact_lines_cite_the_line_each_fact_was_read_from() -> None:
    doc = parse_text(diagnostics_text({
        "cat /etc/os-release": ['ID="balena-os"', 'PRETTY_NAME="balenaOS 2.88.4+rev3"',
                                'SLUG="raspberrypi4-64"'],
        CONFIG: ['{', '  "deviceType": "raspberrypi4-64",', '  "developmentMode": "true"', '}'],
        "cat /proc/meminfo": ["MemTotal:        3884376 kB", "MemFree:          500000 kB",
                              "MemAvailable:    2215991 kB"],
        "df -h": ["Filesystem      Size  Used Avail Use% Mounted on",
                  "/dev/mmcblk0p6  58G 7.1G   48G  13% /mnt/data"],
        "uptime": [" 08:47:34  up 3 days  2:29,  0 users,  load average: 0.60, 0.50, 0.40"],
    }))
    expect = {
        "os.version": 'PRETTY_NAME="balenaOS 2.88.4+rev3"', "os.name": "PRETTY_NAME=",
        "device.type": 'SLUG="raspberrypi4-64"', "development_mode": '"developmentMode": "true"',
        "memory.available_percent": "MemAvailable:", "disk.data.used_percent": "/mnt/data",
        "uptime.seconds": "up 3 days  2:29", "diagnose.version": "--- diagnose 4.22.11 ---",
        "captured_at": "2022-05-02 16:03:40",
    }
    for fact, text in expect.items():
        assert text in doc.line(doc.fact_lines[fact]), fact
    assert doc.facts["uptime.seconds"] == 3 * 86400 + 2 * 3600 + 29 * 60
    assert doc.facts["memory.available_percent"] == 57.0
    # Unknown facts cite nothing.
    assert "kernel.version" not in doc.fact_lines and doc.facts["kernel.version"] is None
