"""Template mining: prefix stripping, masking, grouping, regexes, documents."""

from __future__ import annotations

import re

import pytest
from triagebench.heuristics.mining import (
    TemplateMiner,
    mask,
    mine_document,
    preprocess,
    strip_prefix,
    template_regex,
)
from triagebench.parser import parse_text

from tests.test_heuristics_support import diagnostics_text


def _templates(lines: list[str], **kwargs) -> list[str]:
    miner = TemplateMiner(**kwargs)
    for number, line in enumerate(lines, 1):
        miner.add(line, number)
    return [t.template for t in miner.templates()]


# -- prefix stripping ----------------------------------------------------------------

@pytest.mark.parametrize(("line", "message"), [
    ("May 02 16:03:56 dnsmasq[1387]: using nameserver 8.8.8.8#53",
     "using nameserver 8.8.8.8#53"),
    ("May  2 16:03:56 kernel: usb 1-1: new high-speed USB device",
     "usb 1-1: new high-speed USB device"),
    ("May 02 16:03:56 b96a5987452b[890]: app started",  # container logged through balenad
     "app started"),
    ("May 02 16:03:56 a1b2c3d systemd[1]: balena.service: Main process exited",  # status tail with host
     "balena.service: Main process exited"),
    ("[Fri Apr 29 13:35:04 2022] Under-voltage detected! (0x00050005)",
     "Under-voltage detected! (0x00050005)"),
    ("[   12.345678] mmc0: new high speed SDHC card", "mmc0: new high speed SDHC card"),
    ("[info]    Supervisor v12.11.0 starting up...", "Supervisor v12.11.0 starting up..."),
    ("May 02 16:03:56 resin-supervisor[1234]: [error]   LogBackend: unexpected error",
     "LogBackend: unexpected error"),
    ("[api]     GET /v1/healthy 200 - 3.4 ms", "GET /v1/healthy 200 - 3.4 ms"),
    ('May 02 16:03:56 balenad[722]: time="2022-05-02T16:03:56.123456789Z" level=error '
     'msg="failed aufs to overlay2 migration"', 'failed aufs to overlay2 migration"'),
    ("May 02 16:03:56 openvpn[811]: Mon May  2 16:03:56 2022 TCP: connect to [AF_INET]1.2.3.4:443 failed",
     "TCP: connect to [AF_INET]1.2.3.4:443 failed"),
    ("2022-05-02T16:03:56.123Z chronyd: System clock wrong by 5701.217433 seconds",
     "chronyd: System clock wrong by 5701.217433 seconds"),
])
def test_prefix_stripping_per_source(line: str, message: str) -> None:
    assert strip_prefix(line) == message


def test_prefix_stripping_keeps_ordinary_text_and_is_a_suffix() -> None:
    for line in ["balena.service: start operation timed out", "Out of memory: Killed process 12",
                 "[chrony-healthcheck][INFO] No online NTP sources - forcing poll"]:
        assert strip_prefix(line) == line
    raw = "May 02 16:03:56 openvpn[811]: Mon May  2 16:03:56 2022 TLS Error: handshake failed"
    assert raw.endswith(strip_prefix(raw))


# -- masking -----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "masked"), [
    ("Under-voltage detected! (0x00050005)", "Under-voltage detected! (<*>)"),
    ("connect to [AF_INET]10.240.3.4:443 failed", "connect to [AF_INET]<*> failed"),
    ("server [2001:db8::1]:53 unreachable", "server <*> unreachable"),
    ("mac 00:1a:2b:3c:4d:5e up", "mac <*> up"),
    ("container 6f03675a1600a35a099950d836f675cc81e74ef5e8e25d940ed904759531985d died",
     "container <*> died"),
    ("uuid 123e4567-e89b-12d3-a456-426614174000 bad", "uuid <*> bad"),
    ("took 676ms and 1h2m3.5s", "took <*> and <*>"),
    ("wrote 12.5MB of 3GiB", "wrote <*> of <*>"),
    ("Supervisor v12.11.0 starting", "Supervisor <*> starting"),
    ("sector 9781065, nr 8", "sector <*>, nr <*>"),
    ("Failed to download image 'registry2.balena-cloud.com/v2/abc123' due to x",
     "Failed to download image <*> due to x"),
    ("at 2022-05-02T16:03:56.123Z and 16:03:56", "at <*> and <*>"),
])
def test_masks_variable_tokens(text: str, masked: str) -> None:
    assert mask(text) == masked


def test_masking_keeps_device_names_and_words() -> None:
    assert mask("mmcblk0p6: error on eth0 and wlan0") == "mmcblk0p6: error on eth0 and wlan0"
    assert mask("no digits at all: Unknown group 'render'") == "no digits at all: Unknown group 'render'"


# -- grouping ----------------------------------------------------------------------------

def test_under_voltage_codes_share_a_template() -> None:
    lines = ["[Fri Apr 29 13:35:04 2022] Under-voltage detected! (0x00050005)",
             "[Fri Apr 29 13:39:14 2022] Under-voltage detected! (0x00050000)"]
    assert _templates(lines) == ["Under-voltage detected! (<*>)"]


def test_journal_lines_differing_in_time_and_pid_share_a_template() -> None:
    lines = ["May 02 16:03:56 systemd[1]: balena.service: start operation timed out. Terminating.",
             "May 03 09:12:01 systemd[1]: balena.service: start operation timed out. Terminating.",
             "May 02 16:03:56 dnsmasq[1387]: failed to access /etc/resolv.dnsmasq: No such file or directory",
             "May 02 17:00:00 dnsmasq[2001]: failed to access /etc/resolv.dnsmasq: No such file or directory"]
    assert sorted(_templates(lines)) == sorted([
        "balena.service: start operation timed out. Terminating.",
        "failed to access /etc/resolv.dnsmasq: No such file or directory"])


def test_distinct_oom_messages_stay_apart() -> None:
    lines = ["[Mon Jul 17 14:02:31 2023] Out of memory: Killed process 1234 (node) total-vm:1024kB, anon-rss:512kB",
             "[Mon Jul 17 14:02:35 2023] Out of memory: Killed process 999 (python3) total-vm:2048kB, anon-rss:100kB",
             "[Mon Jul 17 14:03:00 2023] Memory cgroup out of memory: Killed process 777 (java) total-vm:4096kB, anon-rss:1kB"]
    templates = _templates(lines)
    assert len(templates) == 2
    assert any(t.startswith("Out of memory: Killed process") for t in templates)
    assert any(t.startswith("Memory cgroup out of memory") for t in templates)


def test_variable_length_parameters_merge() -> None:
    lines = ["Invalid user 1234 from 1.2.3.4", "Invalid user 1235 from 1.2.3.5",
             "Invalid user 12 34 from 1.2.3.6"]
    miner = TemplateMiner()
    for number, line in enumerate(lines):
        miner.add(line, number)
    (template,) = miner.templates()
    assert template.template == "Invalid user <*> from <*>"
    assert template.count == 3
    assert all(re.search(template.regex, line) for line in lines)
    # a literal word is not a parameter: a different user name stays its own template
    assert _templates(["Invalid user admin from 1.2.3.4", "Invalid user 12 34 from 1.2.3.6"]) \
        == ["Invalid user admin from <*>", "Invalid user <*> <*> from <*>"]


def test_counts_examples_and_line_span() -> None:
    miner = TemplateMiner(max_refs=2)
    for number in (5, 9, 30):
        miner.add(f"mmcblk0: error -110 transferring data, sector {number * 1000}", number)
    (template,) = miner.templates()
    assert template.count == 3
    assert template.examples == [5, 9]
    assert (template.first_line, template.last_line) == (5, 30)


def test_groups_never_merge() -> None:
    miner = TemplateMiner()
    miner.add("Service exit: main", 1, group="balena logs {id}")
    miner.add("Service exit: main", 2, group="dmesg -T")
    assert sorted(t.group for t in miner.templates()) == ["balena logs {id}", "dmesg -T"]


# -- template -> regex -----------------------------------------------------------------

def test_template_regex_matches_the_raw_lines_of_its_template() -> None:
    raw = ["May 02 16:03:56 openvpn[811]: Mon May  2 16:03:56 2022 TCP: connect to [AF_INET]1.2.3.4:443 failed: Connection timed out",
           "May 02 16:04:16 openvpn[811]: Mon May  2 16:04:16 2022 TCP: connect to [AF_INET]5.6.7.8:443 failed: Connection timed out",
           "[Fri Apr 29 13:35:04 2022] Under-voltage detected! (0x00050005)",
           "[Fri Apr 29 13:36:04 2022] Under-voltage detected! (0x00050000)"]
    miner = TemplateMiner()
    for number, line in enumerate(raw, 1):
        miner.add(line, number)
    templates = miner.templates()
    assert len(templates) == 2
    for template in templates:
        compiled = re.compile(template_regex(template.template))
        for ref in template.refs:
            assert compiled.search(raw[ref - 1]), (template.template, raw[ref - 1])
    voltage = next(t for t in templates if "voltage" in t.template)
    assert not re.search(voltage.regex, "Voltage normalised (0x00000000)")


def test_template_regex_escapes_literals() -> None:
    regex = template_regex("a.b (<*>) [x] <*>")
    assert re.fullmatch(regex, "a.b (0x1) [x] foo")
    assert not re.fullmatch(regex, "aXb (0x1) [x] foo")


# -- documents ---------------------------------------------------------------------------

def _doc():
    return parse_text(diagnostics_text({
        "dmesg -T": ["[Fri Apr 29 13:35:04 2022] Under-voltage detected! (0x00050005)",
                     "[Fri Apr 29 13:35:09 2022] Under-voltage detected! (0x00050000)",
                     "[Fri Apr 29 13:35:10 2022] Voltage normalised (0x00000000)"],
        "journalctl --no-pager --no-hostname -n 10": [
            "May 02 16:03:56 kernel: Under-voltage detected! (0x00050005)"],
    }), path="diag.txt")


def test_mine_document_per_section_sorted_by_count() -> None:
    doc = _doc()
    templates = mine_document(doc)
    top = templates[0]
    assert top.template == "Under-voltage detected! (<*>)"
    assert top.count == 2 and top.sections == {"dmesg -T"}
    assert [doc.plain(n) for n in top.refs][0].endswith("(0x00050005)")
    # the same message in another section is its own template
    assert any(t.sections == {"journalctl --no-pager --no-hostname -n 10"} for t in templates)


def test_mine_document_over_given_lines_only() -> None:
    doc = _doc()
    first = doc.sections_by_key("dmesg -T")[0].stdout.first_line
    templates = mine_document(doc, lines=[first + 2])
    assert [t.template for t in templates] == ["Voltage normalised (<*>)"]
    assert templates[0].first_line == first + 2


def test_preprocess_combines_strip_and_mask() -> None:
    assert preprocess("May 02 16:03:56 kernel: EXT4-fs error (device mmcblk0p6): block 1234") == \
        "EXT4-fs error (device mmcblk0p6): block <*>"
