"""A small diagnostics file in the real diagnose 4.2x layout, for the draft tests.

Lines are the real failure signatures of reference §6 (journal, ``dmesg -T``,
supervisor with ANSI colour, engine logfmt). ``make_text`` builds the file;
``line_of`` finds a line by content. The one test checks the fixture parses the
way the tests assume (sections by key, facts), so a parser change that breaks
the assumptions fails here with a clear name.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from triagebench.parser import Document, parse_text

from tests.realdata import build

CAPTURED = dt.datetime(2022, 5, 2, 16, 3, 41, 105915, tzinfo=dt.UTC)
DMESG = "dmesg -T"
BALENAD = "journalctl --no-pager --no-hostname -n 1000 -at balenad"
WARN = "journalctl --no-pager --no-hostname -pwarning -perr -a"
SUPERVISOR = "balena logs b96a5987452b"
SUPERVISOR_KEY = "balena logs {id}"

SECTIONS: list[tuple[str, list[str], list[str]]] = [
    ("echo === OS ===", ["=== OS ==="], []),
    ("cat /etc/os-release", ['ID="balena-os"', 'NAME="balenaOS"', 'VERSION="2.87.16+rev1"',
                             'VERSION_ID="2.87.16+rev1"', 'PRETTY_NAME="balenaOS 2.87.16+rev1"',
                             'MACHINE="raspberrypi4-64"'], []),
    (DMESG, [
        "[Fri Apr 29 13:35:02 2022] vc_sm_cma_vchi_init: failed to open VCHI service (-1)",
        "[Fri Apr 29 13:35:02 2022] bcm2835_mmal_vchiq: Failed to open VCHI service connection (status=-1)",
        "[Fri Apr 29 13:35:04 2022] Under-voltage detected! (0x00050005)",
        "[Fri Apr 29 13:35:10 2022] Voltage normalised (0x00000000)",
        "[Fri Apr 29 13:40:04 2022] Under-voltage detected! (0x00050000)",
        "[Fri Apr 29 13:40:10 2022] Voltage normalised (0x00000000)",
        "[Fri Apr 29 13:45:01 2022] brcmf_netdev_set_mac_address: Setting cur_etheraddr failed, -52",
        "[Fri Apr 29 13:50:04 2022] Under-voltage detected! (0x00050005)",
        "[Fri Apr 29 13:51:00 2022] mmc0: Timeout waiting for hardware interrupt.",
        "[Fri Apr 29 13:51:00 2022] mmcblk0: error -110 transferring data, sector 2048, nr 8, cmd response 0x900, card status 0xb00",
        "[Fri Apr 29 13:51:01 2022] mmcblk0: error -110 transferring data, sector 77824, nr 16, cmd response 0x900, card status 0xb00",
    ], []),
    (BALENAD, [
        'May 02 16:02:26 balenad[1189]: time="2022-05-02T16:02:26.155Z" level=info msg="Starting up"',
        'May 02 16:02:26 balenad[1189]: time="2022-05-02T16:02:26.155Z" level=info msg="Storage migration from aufs to overlay2 starting"',
        'May 02 16:02:27 balenad[1189]: time="2022-05-02T16:02:27.201Z" level=warning msg="Your kernel does not support cgroup rt period"',
        'May 02 16:09:41 balenad[2210]: time="2022-05-02T16:09:41.007Z" level=info msg="Storage migration from aufs to overlay2 starting"',
        'May 02 16:09:44 balenad[2210]: time="2022-05-02T16:09:44.312Z" level=info msg="Pruned 3 unused graph driver layers"',
    ], []),
    (WARN, [
        "May 02 16:03:56 systemd[1]: balena.service: start operation timed out. Terminating.",
        "May 02 16:03:57 dnsmasq[1387]: failed to access /etc/resolv.dnsmasq: No such file or directory",
        "May 02 16:11:12 systemd[1]: balena.service: start operation timed out. Terminating.",
        "May 02 16:20:40 dnsmasq[1402]: failed to access /etc/resolv.dnsmasq: No such file or directory",
        "May 02 16:21:00 openvpn[811]: Mon May  2 16:21:00 2022 TCP: connect to [AF_INET]52.4.252.97:443 failed: Connection timed out",
    ], []),
    (SUPERVISOR, [
        "[\x1b[34minfo\x1b[39m]    Supervisor v14.0.8 starting up...",
        "[\x1b[34minfo\x1b[39m]    Reported current state to the cloud",
        "[\x1b[31merror\x1b[39m]   LogBackend: unexpected error: Error: getaddrinfo EAI_AGAIN api.balena-cloud.com",
        "[\x1b[34minfo\x1b[39m]    Reported current state to the cloud",
        "[\x1b[31merror\x1b[39m]   LogBackend: unexpected error: Error: getaddrinfo EAI_AGAIN api.balena-cloud.com",
        "[\x1b[31merror\x1b[39m]   Failed to download image 'registry2.balena-cloud.com/v2/9a8f7e6d5c4b3a29@sha256:0a1b2c3d4e5f' due to 'no space left on device'",
        "",
        "[\x1b[34minfo\x1b[39m]    Reported current state to the cloud",
    ], ["(node:1) [DEP0005] DeprecationWarning: Buffer() is deprecated due to security and usability issues."]),
    ("cat /var/log/provisioning-progress.log", [],
     ["cat: /var/log/provisioning-progress.log: No such file or directory"]),
]


def make_text(sections: list[tuple[str, list[str], list[str]]] | None = None) -> str:
    """The diagnostics text: STDOUT:, banners, listing, sections, STDERR: with headers."""
    sections = SECTIONS if sections is None else sections
    return build.diagnostics_text([(command, stdout) for command, stdout, _ in sections],
                                  stderr={command: stderr for command, _, stderr in sections},
                                  status={command: 1 for command, _, stderr in sections if stderr},
                                  captured=CAPTURED)


def make_document(path: str = "device.txt") -> Document:
    return parse_text(make_text(), path=path)


def write_file(folder: Path, name: str = "device.txt", text: str | None = None) -> Path:
    path = folder / name
    path.write_text(make_text() if text is None else text, encoding="utf-8")
    return path


def line_of(doc: Document, needle: str, nth: int = 0) -> int:
    """1-based number of the ``nth`` line containing ``needle``."""
    found = [n for n in range(1, doc.line_count + 1) if needle in doc.lines[n - 1]]
    return found[nth]


def lines_of(doc: Document, needle: str) -> list[int]:
    return [n for n in range(1, doc.line_count + 1) if needle in doc.lines[n - 1]]


def test_fixture_parses_into_the_sections_the_draft_tests_use() -> None:
    doc = make_document()
    assert doc.format == "balena-diagnostics"
    keys = {s.key for s in doc.sections}
    assert {DMESG, BALENAD, WARN, SUPERVISOR_KEY} <= keys
    assert doc.facts["os.version"] == "2.87.16+rev1"
    n = line_of(doc, "Under-voltage detected!")
    assert doc.section_at(n).key == DMESG
    stderr_line = line_of(doc, "DeprecationWarning")
    assert doc.stream_of(stderr_line) == "stderr"
