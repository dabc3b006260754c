"""The parser against every trap of reference §2.4, older formats and error paths."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest
from triagebench.parser import InputError, parse_file, parse_text
from triagebench.parser.document import PREAMBLE, STDERR, STDOUT

from tests.realdata import build

CAPTURED = dt.datetime(2022, 5, 2, 16, 3, 41, 105915, tzinfo=dt.UTC)


def make_file(sections: list[tuple[str, list[str]]], stderr: dict[str, list[str]] | None = None,
              extra: dict[str, dict] | None = None, with_stderr_part: bool = True,
              captured: dt.datetime = CAPTURED) -> str:
    """A file in the real 4.2x layout (the one builder, every command stamped ``captured``);
    ``extra`` gives a command ``{"status": N}`` and/or ``{"glued": True}``."""
    extra = extra or {}
    return build.diagnostics_text(
        sections, stderr=stderr, captured=captured, step=dt.timedelta(0), real="0m 0.21s",
        status={c: e["status"] for c, e in extra.items() if "status" in e},
        glued={c for c, e in extra.items() if e.get("glued")}, stderr_part=with_stderr_part)


PING = "ping -c 1 -W 3 google.co.uk"
API = "CURL_CA_BUNDLE=/tmp/tmp.Xh2kq9aBcD curl https://api.balena-cloud.com/ping"
SECTIONS = [
    ("echo === BALENA ===", ["=== BALENA ==="]),
    ("balena --version", ["Docker version 19.03.30, build c41a2d5c1a102294994118434aefaa54a76e2814"]),
    ("balena logs b96a5987452b", ["[\x1b[34minfo\x1b[39m]    Supervisor v12.11.0 starting up...",
                                  "[\x1b[31merror\x1b[39m]   LogBackend: unexpected error"]),
    ("echo === NETWORK ===", ["=== NETWORK ==="]),
    (API, ["OK"]),
    (PING, ["PING google.co.uk (142.250.180.3): 56 data bytes",
            "64 bytes from 142.250.180.3: seq=0 ttl=117 time=21.392 ms", "",
            "--- google.co.uk ping statistics ---",
            "1 packets transmitted, 1 packets received, 0% packet loss"]),
    ("journalctl --no-pager --no-hostname  --list-boots", [" 0 abc Fri 2022-04-29 12:00:02 UTC—Mon"]),
    ("cat /var/log/provisioning-progress.log", []),
    ("md5sum --quiet -c ", ["34324"]),
]


@pytest.fixture()
def doc():
    text = make_file(SECTIONS, stderr={
        "cat /var/log/provisioning-progress.log":
            ["cat: /var/log/provisioning-progress.log: No such file or directory"],
        API: ["  % Total    % Received\r100     2  100     2    0     0     10      0 --:--:--\r"],
    }, extra={API: {"glued": True}, "cat /var/log/provisioning-progress.log": {"status": 1}})
    return parse_text(text, path="t.txt")


def test_sections_follow_the_listing_not_false_headers(doc) -> None:
    assert [s.command for s in doc.sections] == [c for c, _ in SECTIONS]
    ping = doc.sections[5]
    texts = [doc.output_text(ping, n) for n in ping.stdout.line_numbers]
    assert "--- google.co.uk ping statistics ---" in texts
    assert texts[-1].startswith("1 packets transmitted")


def test_glued_real_keeps_the_output(doc) -> None:
    api = doc.sections[4]
    assert [doc.output_text(api, n) for n in api.stdout.line_numbers] == ["OK"]
    assert api.timing.real == "0m 0.21s"
    assert doc.line(api.stdout.first_line) == "OKreal\t0m 0.21s"


def test_keys_normalise_ids_and_mktemp_but_keep_spaces(doc) -> None:
    keys = [s.key for s in doc.sections]
    assert "balena logs {id}" in keys
    assert "CURL_CA_BUNDLE={tmp} curl https://api.balena-cloud.com/ping" in keys
    assert "journalctl --no-pager --no-hostname  --list-boots" in keys
    assert "md5sum --quiet -c " in keys  # trailing space kept


def test_categories_timestamps_status_and_timing(doc) -> None:
    by_key = {s.key: s for s in doc.sections}
    assert by_key["echo === BALENA ==="].is_category_marker
    assert by_key["balena --version"].category == "BALENA"
    assert by_key[PING].category == "NETWORK"
    assert by_key["balena --version"].started_at == "2022-05-02 16:03:41.105915000+00:00"
    failed = by_key["cat /var/log/provisioning-progress.log"]
    assert failed.exit_status == 1 and failed.stdout.count == 0
    assert by_key["md5sum --quiet -c "].stdout.count == 1  # '34324' is output, not a timestamp
    assert by_key["balena --version"].timing.real_seconds == pytest.approx(0.21)


def test_stderr_is_joined_back_by_header(doc) -> None:
    by_key = {s.key: s for s in doc.sections}
    failed = by_key["cat /var/log/provisioning-progress.log"]
    assert [doc.plain(n) for n in failed.stderr.line_numbers] == [
        "cat: /var/log/provisioning-progress.log: No such file or directory"]
    assert failed.stderr.first_line > failed.last_line
    assert by_key["balena --version"].stderr.count == 0


def test_ansi_is_stripped_for_matching_but_kept_raw(doc) -> None:
    logs = doc.sections_by_key("balena logs {id}")[0]
    first = logs.stdout.first_line
    assert "\x1b[34m" in doc.line(first)
    assert doc.plain(first) == "[info]    Supervisor v12.11.0 starting up..."


def test_every_line_has_exactly_one_place(doc) -> None:
    covered = []
    for first, last, kind, index in doc.places:
        assert kind in (PREAMBLE, STDOUT, STDERR, "epilogue")
        covered.extend(range(first, last + 1))
        if kind in (STDOUT, STDERR):
            assert index >= 0
    assert covered == list(range(1, doc.line_count + 1))
    assert doc.section_at(doc.sections[5].header_line).command == PING
    assert doc.place_of(1)[2] == PREAMBLE


def test_facts_from_sections(doc) -> None:
    assert doc.facts["engine.version"] == "19.03.30"
    assert doc.facts["supervisor.version"] == "12.11.0"
    assert doc.facts["diagnose.version"] == "4.22.11"
    assert doc.facts["captured_at"].startswith("2022-05-02 16:03:41")
    assert doc.facts["os.version"] is None  # missing is None, not a crash


def test_crlf_nul_and_cr_survive_and_roundtrip() -> None:
    text = make_file([("cat /proc/device-tree/model", ["Raspberry Pi Zero 2 Rev 1.0\x00"])],
                     extra={"cat /proc/device-tree/model": {"glued": True}})
    crlf = text.replace("\n", "\r\n")
    for variant in (text, crlf):
        doc = parse_text(variant)
        assert doc.text() == variant
        section = doc.sections[0]
        assert section.command == "cat /proc/device-tree/model"
        assert [doc.output_text(section, n) for n in section.stdout.line_numbers] == [
            "Raspberry Pi Zero 2 Rev 1.0"]
        assert doc.facts["device.model"] == "Raspberry Pi Zero 2 Rev 1.0"


def test_missing_stderr_part_and_truncated_file() -> None:
    text = make_file(SECTIONS[:3], with_stderr_part=False)
    doc = parse_text(text)
    assert len(doc.sections) == 3 and all(s.stderr is None for s in doc.sections)
    assert any("STDERR" in w for w in doc.warnings)
    full = make_file(SECTIONS)
    cut = full[: full.index("--- echo === NETWORK === ---\n\n2022")]
    doc = parse_text(cut)
    assert [s.command for s in doc.sections] == [c for c, _ in SECTIONS[:3]]
    assert any("truncated" in w for w in doc.warnings)
    assert doc.text() == cut


def test_legacy_format_without_timestamps_or_time_lines() -> None:
    text = "\n".join([
        "", "--- leech / diagnose  ---", "", "--- CHECKS ---", "", "MEM: OK (75% available.)",
        "DOCKER: OK (docker is running.)", "", "--- docker --version ---", "",
        "Docker version 17.03.1-ce, build c6d412e", "", "--- ping -c 1 -W 3 google.co.uk ---", "",
        "PING google.co.uk (1.2.3.4): 56 data bytes", "", "--- google.co.uk ping statistics ---",
        "1 packets transmitted, 1 packets received, 0% packet loss", "",
        "--- cat /etc/os-release ---", "", 'PRETTY_NAME="Resin OS 2.2.0+rev1"', "",
    ]) + "\n"
    doc = parse_text(text)
    assert doc.format == "diagnostics-legacy"
    assert [s.command for s in doc.sections] == [
        "CHECKS", "docker --version", "ping -c 1 -W 3 google.co.uk", "cat /etc/os-release"]
    assert doc.facts["engine.version"] == "17.03.1-ce"
    assert doc.facts["os.name"] == "Resin OS" and doc.facts["os.version"] == "2.2.0+rev1"
    assert doc.text() == text


def test_plain_log_is_one_section() -> None:
    text = "May 02 16:03:56 kernel: Under-voltage detected! (0x00050005)\nsecond line\n"
    doc = parse_text(text)
    assert doc.format == "plain-log"
    assert len(doc.sections) == 1 and doc.sections[0].key == "log"
    assert list(doc.sections[0].output_line_numbers()) == [1, 2]


def test_invalid_utf8_is_replaced_counted_and_warned(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(make_file(SECTIONS[:2]).encode() + b"caf\xe9 \xff\n")
    doc = parse_file(str(path))
    assert doc.replaced_chars == 2
    assert any("UTF-8" in w for w in doc.warnings)
    assert "\ufffd" in doc.lines[-1]


def test_gzip_is_read_transparently(tmp_path: Path) -> None:
    path = tmp_path / "d.txt.gz"
    path.write_bytes(gzip.compress(make_file(SECTIONS).encode()))
    assert len(parse_file(str(path)).sections) == len(SECTIONS)


@pytest.mark.parametrize(("setup", "problem"), [
    ("missing", "no such file"),
    ("dir", "is a directory"),
    ("empty", "file is empty"),
    ("binary", "binary"),
])
def test_bad_input_gives_one_clear_error(tmp_path: Path, setup: str, problem: str) -> None:
    path = tmp_path / "input"
    if setup == "dir":
        path.mkdir()
    elif setup == "empty":
        path.write_bytes(b"")
    elif setup == "binary":
        path.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(InputError) as caught:
        parse_file(str(path))
    message = str(caught.value)
    assert message.startswith(str(path)) and problem in message and "\n" not in message


def test_plain_log_facts_come_only_from_log_lines() -> None:
    text = ("Raspberry Pi 4 Model B\n"
            "Apr 29 13:35:04 kernel: Linux version 5.10.78-v8 (oe-user@oe-host) #1 SMP\n"
            "Apr 29 13:35:09 balena-supervisor[1]: [info]    Supervisor v14.4.4 starting up...\n")
    doc = parse_text(text)
    assert doc.facts["device.model"] is None
    assert doc.facts["kernel.version"] == "5.10.78-v8"
    assert doc.facts["supervisor.version"] == "14.4.4"
