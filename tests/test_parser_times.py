"""Time of a line (parser/times.py) on real line formats, and never an exception on junk."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from triagebench.parser import parse_text
from triagebench.parser.times import mask, parse_uptime_seconds

from tests.test_parser_traps import make_file

CAPTURE = "2022-06-14 08:47:08.375877637+00:00"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def doc_with(sections: list[tuple[str, list[str]]], stamp: str = CAPTURE):
    when = datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", stamp))  # ns -> us
    text = make_file(sections, captured=when)
    return parse_text(text)


def number_of(document, needle: str, nth: int = 0) -> int:
    found = [i + 1 for i, line in enumerate(document.lines) if needle in line]
    return found[nth]


JOURNAL = "journalctl --no-pager --no-hostname -n 200 -a -u balena"
# real lines: sample s01 (balenaOS 2.88.4), balena-engine logrus and the openvpn unit
ENGINE = ('Jun 14 08:27:10 balenad[2335]: time="2022-06-14T08:27:10.037243463Z" level=info '
          'msg="loading plugin \\"io.containerd.runtime.v2.task\\"..." type=io.containerd.runtime.v2')
OPENVPN = ("May 26 03:01:14 openvpn[1392]: Thu May 26 03:01:14 2022 RESOLVE: Cannot resolve host "
           "address: vpn.balena-cloud.com:443 (Temporary failure in name resolution)")


def test_capture_time_is_the_first_sections_run_time() -> None:
    document = doc_with([("uptime", [" 08:47:34  up 23 min,  0 users,  load average: 0.67, 0.22, 0.13"])])
    assert document.capture_time == datetime(2022, 6, 14, 8, 47, 8, 375877, tzinfo=UTC)


def test_journal_lines_get_their_year_from_the_capture_and_roll_over() -> None:
    document = doc_with([(JOURNAL, [ENGINE, "Dec 31 23:59:00 balenad[2335]: last year's line"])],
                        stamp="2022-01-01 00:10:00.000000000+00:00")
    engine = document.line_time(number_of(document, "loading plugin"))
    old = document.line_time(number_of(document, "last year's line"))
    # Jun 14 2022 would be months after a 1 Jan 2022 capture: it is from 2021
    assert engine is not None and engine.when == utc(2021, 6, 14, 8, 27, 10)
    assert old is not None and old.when == utc(2021, 12, 31, 23, 59, 0)


def test_reboot_markers_split_boots_in_a_journal_section() -> None:
    document = doc_with([(JOURNAL, [
        "Jun 12 10:00:00 balenad[100]: two boots ago", "-- Reboot --",
        "Jun 13 10:00:00 balenad[100]: previous boot", "-- Boot 296d8c49754653a9dc86909b829d7216 --",
        ENGINE])])
    boots = [document.line_time(number_of(document, needle)).boot
             for needle in ("two boots ago", "previous boot", "loading plugin")]
    assert boots == [-2, -1, 0]


def test_openvpn_line_keeps_the_journal_stamp_and_engine_iso_is_read_in_balena_logs() -> None:
    document = doc_with([("journalctl --no-pager --no-hostname -n 200 -a -u \"openvpn*\"", [OPENVPN]),
                         ("balena logs df49fc7d2cde", [
                             "[\x1b[34minfo\x1b[39m]    Supervisor v12.11.16 starting up...",
                             "[2022-06-14T08:30:01.123Z] [error]   Failed to download image",
                             "[\x1b[34minfo\x1b[39m]    Supervisor v12.11.16 starting up...",
                             "[\x1b[32msuccess\x1b[39m] Image downloaded"])])
    vpn = document.line_time(number_of(document, "RESOLVE"))
    assert vpn is not None and vpn.when == utc(2022, 5, 26, 3, 1, 14) and vpn.own
    failed = document.line_time(number_of(document, "Failed to download"))
    assert failed is not None and failed.when == utc(2022, 6, 14, 8, 30, 1, 123000)
    assert failed.boot == -1  # a supervisor start marker follows it
    done = document.line_time(number_of(document, "Image downloaded"))
    assert done is not None and done.when is None and done.boot == 0


def test_openvpn_log_file_stamp_inside_the_line() -> None:
    document = doc_with([("tail -n 50 /var/log/openvpn.log", [
        "Fri Apr 29 12:00:12 2022 TLS Error: TLS key negotiation failed to occur within 60 seconds"])])
    found = document.line_time(number_of(document, "TLS Error"))
    assert found is not None and found.when == utc(2022, 4, 29, 12, 0, 12)


def test_dmesg_absolute_and_relative_anchored_at_capture_minus_uptime() -> None:
    document = doc_with([
        ("dmesg -T", ["[Tue Jun 14 08:23:46 2022] Booting Linux on physical CPU 0x0000000000 [0x410fd083]"]),
        ("dmesg", ["[    2.071234] mmc0: timeout waiting for hardware interrupt."]),
        ("uptime", [" 08:47:34  up 3 days  2:29,  load average: 0.67, 0.22, 0.13"]),
    ])
    absolute = document.line_time(number_of(document, "Booting Linux"))
    assert absolute is not None and absolute.when == utc(2022, 6, 14, 8, 23, 46) and absolute.boot == 0
    relative = document.line_time(number_of(document, "mmc0: timeout"))
    booted = utc(2022, 6, 14, 8, 47, 8, 375877).timestamp() - (3 * 86400 + 2 * 3600 + 29 * 60)
    assert relative is not None and relative.boot == 0
    assert relative.when is not None and abs(relative.when.timestamp() - (booted + 2.071234)) < 1e-3


def test_relative_dmesg_without_uptime_has_no_time_but_the_current_boot() -> None:
    document = doc_with([("dmesg", ["[    2.071234] mmc0: timeout waiting for hardware interrupt."])])
    found = document.line_time(number_of(document, "mmc0"))
    assert found is not None and found.when is None and found.boot == 0


def test_live_command_output_is_stamped_with_its_run_time() -> None:
    document = doc_with([("CURL_CA_BUNDLE=/tmp/tmp.Xh2kq9aBcD curl https://api.balena-cloud.com/ping", ["OK"])],
                        stamp="2022-06-14 08:47:19.511976701+00:00")
    found = document.line_time(number_of(document, "OK"))
    assert found is not None and found.when == utc(2022, 6, 14, 8, 47, 19, 511976)
    assert found.boot == 0 and not found.own


def test_timedatectl_offset_shifts_local_journal_times() -> None:
    document = doc_with([(JOURNAL, ["Jun 14 10:27:10 balenad[2335]: local line"]),
                         ("timedatectl status", ["                Time zone: Europe/Berlin (CEST, +0200)"])])
    found = document.line_time(number_of(document, "local line"))
    assert found is not None and found.when == utc(2022, 6, 14, 8, 27, 10)


def test_plain_journal_capture_is_the_header_end() -> None:
    document = parse_text(
        "-- Journal begins at Sat 2022-05-14 07:19:57 UTC, ends at Sat 2022-05-14 16:40:06 UTC. --\n"
        "May 14 07:19:57 202fa87 kernel: Booting Linux on physical CPU 0x0000000000 [0x410fd083]\n")
    assert document.capture_time == utc(2022, 5, 14, 16, 40, 6)
    found = document.line_time(2)
    assert found is not None and found.when == utc(2022, 5, 14, 7, 19, 57)


def test_absurd_values_give_no_time() -> None:
    document = doc_with([(JOURNAL, ["Feb 31 10:00:00 balenad[1]: no such day",
                                    "Foo 12 10:00:00 balenad[1]: no such month",
                                    "[Tue Jun 14 08:23:46 99999] absurd year"]),
                         ("dmesg", ["[" + "9" * 10 + ".000001] absurd uptime"]),
                         ("uptime", [" up " + "9" * 50 + " days,  load average: 0"])])
    for needle in ("no such day", "no such month", "absurd year", "absurd uptime"):
        found = document.line_time(number_of(document, needle))
        assert found is None or found.when is None, needle
    assert document.line_time(0) is None and document.line_time(10 ** 9) is None


def test_busybox_and_procps_uptime() -> None:
    assert parse_uptime_seconds(" 08:47:34  up 3 days  2:29,  load average: 0.1") == 3 * 86400 + 8940
    assert parse_uptime_seconds(" 08:47:34  up 23 min,  0 users,  load average: 0.67") == 23 * 60
    assert parse_uptime_seconds(" 10:01:02 up 1 day,  3:02,  1 user,  load average: 0") == 86400 + 10920
    assert parse_uptime_seconds("no uptime here") is None


def test_mask_drops_prefix_and_numbers_so_units_compare_equal() -> None:
    one = "Jun 14 08:28:01 balena-supervisor[1888]: [info]    Supervisor v12.11.16 starting up..."
    two = "Jun 14 08:28:01 df49fc7d2cde[2297]: [info]    Supervisor v12.11.16 starting up..."
    assert mask(one) == mask(two)
    assert mask("[Tue Jun 14 08:23:46 2022] mmc0: error -110") == mask("[    2.071234] mmc0: error -110")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=6))
def test_any_text_never_raises(lines: list[str]) -> None:
    lines = [line.replace("\n", " ") for line in lines]
    document = doc_with([(JOURNAL, lines), ("dmesg", lines)])
    for number in range(1, document.line_count + 1):
        document.line_time(number)


@settings(max_examples=150, deadline=None)
@given(st.datetimes(min_value=datetime(2015, 1, 2), max_value=datetime(2030, 12, 30)))
def test_every_format_reads_back_the_time_it_was_written_with(moment: datetime) -> None:
    moment = moment.replace(microsecond=0, tzinfo=UTC)
    capture = moment + timedelta(hours=1)
    lines = [moment.strftime("%b %d %H:%M:%S") + " balenad[1189]: journal",
             moment.strftime("[%a %b %d %H:%M:%S %Y]") + " dmesg-T",
             moment.strftime('time="%Y-%m-%dT%H:%M:%S.000000000Z"') + " level=info msg=engine",
             moment.strftime("%a %b %d %H:%M:%S %Y") + " TLS: Initial packet"]
    document = doc_with([("tail -n 50 /var/log/openvpn.log", lines)],
                        stamp=capture.strftime("%Y-%m-%d %H:%M:%S.000000000+00:00"))
    for needle in ("journal", "dmesg-T", "engine", "TLS: Initial"):
        found = document.line_time(number_of(document, needle))
        assert found is not None and found.when == moment, (needle, found)
