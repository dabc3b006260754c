"""Device state at capture (services/state.py): every bundled sample against its expected
state (sample-diagnostics/expected_state.json, justified line by line there), and small
captures in the real diagnose 4.22 format for each trap a reader of these sections falls in."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from triagebench.heuristics import load_library
from triagebench.heuristics.evaluate import evaluate
from triagebench.parser import Document, parse_file, parse_text
from triagebench.services.state import GROUPS, ITEM_KEYS, DeviceState, device_state

from tests.realdata import build

SAMPLES = Path(__file__).resolve().parent.parent / "sample-diagnostics"
EXPECTED = json.loads((SAMPLES / "expected_state.json").read_text(encoding="utf-8"))
NAMES = sorted(k for k in EXPECTED if not k.startswith("_"))


@cache
def sample(name: str) -> tuple[Document, DeviceState]:
    document = parse_file(str(SAMPLES / name))
    return document, device_state(document)


CAPTURED = dt.datetime(2022, 5, 9, 10, 21, 14, 526558, tzinfo=dt.UTC)


# -- a tiny capture in the real format ----------------------------------------------------
def capture(sections: dict[str, list[str]], *, stderr: dict[str, list[str]] | None = None,
            status: dict[str, int] | None = None, glued: tuple[str, ...] = (),
            os_version: str = "2.88.4+rev3") -> Document:
    """A diagnose-4.22 file: banner, listing, one block per command (timestamp, output,
    busybox status and time lines; ``glued`` commands print no final newline, so ``real``
    sticks to their last line), then the STDERR part. ``cat /etc/os-release`` is added."""
    sections = {"cat /etc/os-release": [f'PRETTY_NAME="balenaOS {os_version}"',
                                        f'VERSION="{os_version}"'], **sections}
    return parse_text(build.diagnostics_text(sections, stderr=stderr, status=status, glued=glued,
                                              captured=CAPTURED))


def state_of(key: str, document: Document):
    item = device_state(document).item(key)
    assert item is not None
    return item


API = "CURL_CA_BUNDLE=/tmp/tmp.Ab12Cd34Ef curl https://api.balena-cloud.com/ping"
GOOGLE = "CURL_CA_BUNDLE=/tmp/tmp.Ab12Cd34Ef curl https://www.google.co.uk"
HEALTHY = "curl --max-time 5 localhost:48484/v1/healthy"
METER = "\r  0     0    0     0    0     0      0      0 --:--:--  0:00:04 --:--:--     0"
THERMAL = ("for i in /sys/class/thermal/thermal* ; do if [ -e $i/temp ]; then echo $i && "
           "cat $i/temp; fi ; done")
PS_HEADER = ("CONTAINER ID        IMAGE                                COMMAND                  "
             "CREATED             STATUS                PORTS               NAMES")


# -- the bundled samples ---------------------------------------------------------------------
def test_every_bundled_sample_has_an_expected_state() -> None:
    assert set(NAMES) == {p.name for p in SAMPLES.glob("*.txt")}
    for name in NAMES:
        assert set(EXPECTED[name]["items"]) == set(ITEM_KEYS), name


@pytest.mark.parametrize("name", NAMES)
def test_sample_state_matches_expected(name: str) -> None:
    """Each item's state (and the number it shows) is what reading the sample says."""
    _, state = sample(name)
    expected = EXPECTED[name]
    got = {i.key: i.state for i in state.items}
    want = {k: v["state"] for k, v in expected["items"].items()}
    assert got == want
    for key, spec in expected["items"].items():
        if "value_contains" in spec:
            assert spec["value_contains"] in state.item(key).value, (key, state.item(key).value)
    assert state.verdict == expected["verdict"]


@pytest.mark.parametrize("name", NAMES)
def test_sample_evidence_points_at_the_section_it_names(name: str) -> None:
    """A user jumping to an item's evidence lands on that line of that command's section."""
    document, state = sample(name)
    for item in state.items:
        if item.state != "unknown":
            assert item.evidence, item.key
            assert item.command
        for line in item.evidence:
            section = document.section_at(line.line)
            assert section is not None and section.key == line.section, (item.key, line)
            assert line.text[:20] in document.plain(line.line), (item.key, line)


def test_healthy_sample_reads_like_the_issue_asks() -> None:
    _, state = sample("healthy-rpi0-2w-2.87.16.txt")
    assert state.verdict == "ok"
    assert state.sentence == ("Engine up, supervisor healthy, API reachable, VPN connected, "
                              "time synced, disk 12 %, memory 56 % free")
    assert state.counts == {"ok": 14, "degraded": 0, "failed": 0, "unknown": 1}
    assert all(state.group_state(g) == "ok" for g in GROUPS)


def test_undervoltage_sdcard_sample_shows_its_failed_items_first() -> None:
    _, state = sample("s10-s12-s13-undervoltage-sdcard-rpi3-2.58.3.txt")
    assert state.verdict == "failed"
    assert state.sentence.startswith("Data partition read-only, under-voltage since boot")
    assert state.group_state("storage") == "failed"
    assert state.group_state("hardware") == "degraded"


def test_sentence_names_problems_first() -> None:
    _, state = sample("s18-s21-dns-ntp-vpn-clock-in-past-cm4-2.85.2.txt")
    assert state.sentence == ("API unreachable, VPN not connected, time NOT synced, DNS flaky, "
                              "engine up, supervisor healthy, disk 15 %, memory 61 % free")
    _, full = sample("s14-s17-oom-disk-full-fincm3-2.94.4.txt")
    assert full.sentence.startswith("Disk 100 % (full), memory 4 % free (LOW), engine up")


def test_plain_journal_has_no_live_checks_and_says_so() -> None:
    _, state = sample("plain-journal-rpi4-undervoltage-dns.txt")
    assert state.verdict == "unknown"
    assert state.counts["unknown"] == len(ITEM_KEYS)
    assert "unknown" in state.sentence


def test_json_shape() -> None:
    _, state = sample("s18-s21-dns-ntp-vpn-clock-in-past-cm4-2.85.2.txt")
    data = json.loads(json.dumps(state.as_dict()))
    assert set(data) == {"verdict", "counts", "sentence", "items"}
    assert data["verdict"] == "failed"
    assert [i["key"] for i in data["items"]] == list(ITEM_KEYS)
    for item in data["items"]:
        assert set(item) == {"key", "label", "group", "state", "value", "evidence", "command"}
        assert item["group"] in GROUPS
        for line in item["evidence"]:
            assert set(line) == {"line", "section", "text"}
    time = next(i for i in data["items"] if i["key"] == "time")
    assert time["command"] == "chronyc sources"
    assert time["evidence"][0]["line"] == 8994


# The heuristics that describe the device *now* must not contradict the state.
AGREE = (("memory", "low-memory"), ("time", "ntp-not-synchronised"), ("vpn", "vpn-cannot-connect"),
         ("engine", "engine-not-running"), ("data_disk", "data-partition-full"),
         ("failed_units", "failed-systemd-units"), ("supervisor", "supervisor-unhealthy"))


@pytest.mark.parametrize("name", NAMES)
def test_state_and_heuristics_do_not_contradict(name: str) -> None:
    document, state = sample(name)
    found = {f.heuristic.id for f in evaluate(document, load_library()).matches}
    for key, heuristic in AGREE:
        # supervisor-unhealthy also reads history (restarts, old healthcheck failures), so a
        # healthy supervisor now may still have that finding; the reverse must hold.
        item = state.item(key)
        if item.state == "ok" and key != "supervisor":
            assert heuristic not in found, (key, heuristic)
        if item.state == "failed" and key in ("memory", "time", "data_disk", "engine"):
            assert heuristic in found, (key, heuristic)
    if state.item("supervisor").state == "failed":
        assert "supervisor-unhealthy" in found


# -- traps, on small real-format captures ------------------------------------------------------
def test_df_ih_is_inodes_never_disk_space() -> None:
    inodes = ["Filesystem     Inodes IUsed IFree IUse% Mounted on",
              "/dev/mmcblk0p6   911K  870K   41K   95% /mnt/data"]
    only_inodes = capture({"df -ih": inodes})
    assert state_of("data_disk", only_inodes).state == "unknown"
    assert state_of("data_inodes", only_inodes).state == "failed"
    both = capture({"df -h": ["Filesystem     Size Used Avail Use% Mounted on",
                              "/dev/root      295M 247M   35M  88% /",
                              "/dev/mmcblk0p6  14G 1.5G   12G  12% /mnt/data"],
                    "df -ih": inodes})
    disk = state_of("data_disk", both)
    assert (disk.state, disk.value) == ("ok", "/mnt/data 12 % used")
    assert disk.evidence[0].section == "df -h"
    assert state_of("data_inodes", both).value == "/mnt/data 95 % used"


@pytest.mark.parametrize(("percent", "state"), [(79, "ok"), (80, "degraded"), (90, "failed")])
def test_disk_thresholds_follow_checks_sh(percent: int, state: str) -> None:
    doc = capture({"df -h": ["Filesystem     Size Used Avail Use% Mounted on",
                             f"/dev/mmcblk0p6  14G 1.5G   12G  {percent}% /mnt/data"]})
    assert state_of("data_disk", doc).state == state


def test_mmc1_is_the_wifi_chip_not_the_data_card() -> None:
    """mmc1 is the SDIO Wi-Fi on a Pi: its lines say nothing about the data partition, which
    is found by mount point whatever its device (here the SD card is mmcblk1 on a CM4)."""
    doc = capture({
        "for i in /sys/class/mmc_host/mmc*/mmc* ; do if [ -e $i/oemid ]; then echo $i; for j in manfid oemid name hwrev fwrev; do printf $j: && cat $i/$j; fi; done":
            ["/sys/class/mmc_host/mmc0/mmc0:aaaa", "manfid:0x000003", "oemid:0x5344", "name:SR64G"],
        "dmesg -T": ["[Fri May  6 05:59:43 2022] Booting Linux on physical CPU 0x0000000000",
                     "[Fri May  6 05:59:43 2022] mmc1: queuing unknown CIS tuple 0x80 (2 bytes)",
                     "[Fri May  6 05:59:43 2022] mmc1: new high speed SDIO card at address 0001",
                     "[Fri May  6 06:10:01 2022] mmc1: Timeout waiting for hardware interrupt."],
        "mount": ["/dev/mmcblk0p2 on / type ext4 (ro,relatime)",
                  "/dev/mmcblk1p6 on /mnt/data type ext4 (rw,relatime)"],
        "cat /proc/device-tree/model": ["Raspberry Pi Compute Module 4 Rev 1.0"],
    })
    mount = state_of("data_mount", doc)
    assert (mount.state, mount.value) == ("ok", "/mnt/data mounted rw (/dev/mmcblk1p6)")
    assert state_of("throttling", doc).state == "ok"


def test_data_partition_read_only_or_missing_is_failed() -> None:
    ro = capture({"mount": ["/dev/mmcblk0p6 on /mnt/data type ext4 (ro,relatime)"]})
    assert state_of("data_mount", ro).state == "failed"
    missing = capture({"mount": ["/dev/mmcblk0p2 on / type ext4 (ro,relatime)",
                                 "tmpfs on /tmp type tmpfs (rw,nosuid,nodev)"]})
    item = state_of("data_mount", missing)
    assert (item.state, item.value) == ("failed", "no data partition (/mnt/data) in `mount`")


def test_pmic_thermal_zone_is_not_the_cpu() -> None:
    """Jetson's PMIC-Die zone reads a fixed 100000 (checks.sh skips it): not a 100 C CPU."""
    zones = []
    for n, value in enumerate((41500, 43000, 40500, 42000, 100000, 41000)):
        zones += [f"/sys/class/thermal/thermal_zone{n}", str(value)]
    item = state_of("temperature", capture({THERMAL: zones}))
    assert item.state == "ok"
    assert item.value.startswith("43.0 C (thermal_zone1)")
    assert "skipped thermal_zone4" in item.value
    typed = capture({THERMAL: ["/sys/class/thermal/thermal_zone0", "PMIC-Die", "100000",
                               "/sys/class/thermal/thermal_zone1", "CPU-therm", "45500"]})
    assert state_of("temperature", typed).value.startswith("45.5 C")
    hot = capture({THERMAL: ["/sys/class/thermal/thermal_zone0", "84000",
                             "/sys/class/thermal/thermal_zone1", "100000"]})
    assert state_of("temperature", hot).state == "failed"


def test_absurd_numbers_are_unknown_never_ok() -> None:
    doc = capture({
        THERMAL: ["/sys/class/thermal/thermal_zone0", "9" * 5000],
        "cat /proc/meminfo": [f"MemTotal:       {'1' * 300} kB", "MemAvailable:     261025 kB"],
        "free -h": ["              total        used        free      shared  buff/cache   available",
                    "Mem:            nan         nan         nan         nan         nan         nan"],
        "df -h": ["Filesystem     Size Used Avail Use% Mounted on",
                  "/dev/mmcblk0p6  14G 1.5G   12G  250% /mnt/data"],
        "uptime": [" 10:21:42  up 99999 days,  4:21,  0 users,  load average: 0.67, 0.22, 0.13"],
    })
    state = device_state(doc)
    for key in ("temperature", "memory", "data_disk", "uptime"):
        assert state.item(key).state == "unknown", key
    assert state.verdict == "unknown"


def test_memory_below_ten_percent_is_failed() -> None:
    doc = capture({"cat /proc/meminfo": ["MemTotal:         948304 kB", "MemFree:           13941 kB",
                                         "MemAvailable:      39828 kB"]})
    item = state_of("memory", doc)
    assert (item.state, item.value) == ("failed", "4 % available (38 of 926 MiB)")


CHRONY_SELECTED = ["MS Name/IP address         Stratum Poll Reach LastRx Last sample",
                   "===============================================================================",
                   "^* ntp1.hostingco.de           3  13   377   31m   +123us[  +98us] +/-   28ms"]
CHRONY_NONE = ["MS Name/IP address         Stratum Poll Reach LastRx Last sample",
               "===============================================================================",
               "^? 212.29.224.152               0  10     0     -     +0ns[   +0ns] +/-    0ns"]
TD_NO = ["               Local time: Mon 2022-05-09 10:21:42 UTC",
         "System clock synchronized: no", "              NTP service: n/a"]


def test_chrony_synced_wins_over_timedatectl_no() -> None:
    item = state_of("time", capture({"chronyc sources": CHRONY_SELECTED, "timedatectl status": TD_NO}))
    assert item.state == "ok"
    assert "timedatectl says no" in item.value


def test_timedatectl_no_needs_a_second_sign_on_a_chrony_os() -> None:
    alone = state_of("time", capture({"timedatectl status": TD_NO}, os_version="2.88.4+rev3"))
    assert alone.state == "degraded"
    confirmed = state_of("time", capture({"chronyc sources": CHRONY_NONE, "timedatectl status": TD_NO}))
    assert confirmed.state == "failed"
    down = state_of("time", capture({"chronyc sources": [], "timedatectl status": TD_NO},
                                    stderr={"chronyc sources": ["506 Cannot talk to daemon"]},
                                    status={"chronyc sources": 1}))
    assert (down.state, down.value) == ("failed", "not synchronised: chronyd not answering")


def test_timedatectl_is_the_authority_before_chrony() -> None:
    """balenaOS < 2.13.0 used systemd-timesyncd (meta-balena 2.13.0 switched to chrony)."""
    old = state_of("time", capture({"timedatectl status": ["NTP synchronized: no"]},
                                   os_version="2.12.7+rev1"))
    assert old.state == "failed"
    ok = state_of("time", capture({"timedatectl status": ["NTP synchronized: yes"]},
                                  os_version="2.12.7+rev1"))
    assert ok.state == "ok"


@pytest.mark.parametrize(("code", "message", "meaning"), [
    (6, "curl: (6) Could not resolve host: api.balena-cloud.com", "could not resolve host (DNS)"),
    (7, "curl: (7) Failed to connect to api.balena-cloud.com port 443: Connection refused",
     "failed to connect"),
    (28, "curl: (28) Connection timed out after 10001 milliseconds", "timed out"),
    (35, "curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL", "TLS handshake failed"),
    (60, "curl: (60) SSL certificate problem: certificate is not yet valid",
     "TLS certificate not trusted"),
])
def test_curl_exit_codes_are_explained(code: int, message: str, meaning: str) -> None:
    doc = capture({API: []}, status={API: code}, stderr={API: [METER + message]})
    item = state_of("api", doc)
    assert item.state == "failed"
    assert item.value.startswith(f"curl exit {code}: {meaning}")
    assert item.evidence[0].text == message
    dns = state_of("dns", doc)
    assert dns.state == ("failed" if code == 6 else "ok")


def test_glued_okreal_is_ok() -> None:
    doc = capture({API: ["OK"], HEALTHY: ["OK"]}, glued=(API, HEALTHY))
    assert "OKreal" in doc.text()
    assert state_of("api", doc).state == "ok"
    supervisor = state_of("supervisor", doc)
    assert (supervisor.state, supervisor.value) == ("ok", "healthcheck endpoint answered OK")
    not_ok = capture({API: ["Service Unavailable"]}, glued=(API,))
    assert state_of("api", not_ok).state == "failed"


def test_supervisor_not_listening_or_unhealthy() -> None:
    refused = capture({HEALTHY: []}, status={HEALTHY: 7}, stderr={
        HEALTHY: [METER + "curl: (7) Failed to connect to localhost port 48484: Connection refused"]})
    item = state_of("supervisor", refused)
    assert (item.state, item.value) == ("failed", "/v1/healthy: curl exit 7, failed to connect (refused or unreachable)")
    unhealthy = capture({"balena ps -a": [
        PS_HEADER, "2e0fa885bd73        balena/aarch64-supervisor:v12.11.0   \"/usr/src/app/entry.…\"   "
                   "11 months ago       Up 3 days (unhealthy)                     balena_supervisor"]})
    assert state_of("supervisor", unhealthy).state == "failed"
    running_only = capture({"systemctl status balena-supervisor resin-supervisor --no-pager": [
        "● balena-supervisor.service - Balena supervisor",
        "     Active: active (running) since Fri 2022-05-06 05:20:03 UTC; 3 days ago"]})
    assert state_of("supervisor", running_only).state == "unknown"


def test_engine_not_answering_is_failed_even_if_systemd_says_active() -> None:
    doc = capture({"balena ps -a": [], "systemctl status balena --no-pager": [
        "● balena.service - Balena Application Container Engine",
        "     Active: active (running) since Fri 2022-05-06 05:19:55 UTC; 3 days ago"]},
        status={"balena ps -a": 1},
        stderr={"balena ps -a": ["Cannot connect to the balenaEngine daemon at "
                                 "unix:///var/run/balena-engine.sock. Is the balenaEngine daemon running?"]})
    item = state_of("engine", doc)
    assert item.state == "failed"
    assert item.evidence[0].text.startswith("Cannot connect to the balenaEngine daemon")
    info = capture({"balena info": ["Client:", " Debug Mode: false", "", "Server:",
                                     "Server Version: 20.10.17"]})
    assert (state_of("engine", info).state, state_of("engine", info).value) == (
        "ok", "answering (`balena info` replied)")
    inactive = capture({"systemctl status balena --no-pager": [
        "     Active: failed (Result: watchdog) since Fri 2022-05-06 05:19:55 UTC; 3 min ago"]})
    assert state_of("engine", inactive).state == "failed"


OVPN = 'journalctl --no-pager --no-hostname -n 200 -a -u "openvpn*"'


def test_vpn_reads_the_current_boot_and_the_last_event() -> None:
    old_boot_ok = capture({OVPN: [
        "May 06 05:20:00 openvpn[1526]: Fri May  6 05:20:00 2022 Initialization Sequence Completed",
        "-- Boot 296d8c49754653a9dc86909b829d7216 --",
        "May 09 06:09:02 openvpn[1562]: Mon May  9 06:09:02 2022 TCP: connect to [AF_INET]52.125.125.50:443 failed: Connection timed out",
        "May 09 06:09:02 openvpn[1562]: Mon May  9 06:09:02 2022 SIGUSR1[connection failed(soft),init_instance] received, process restarting"]})
    item = state_of("vpn", old_boot_ok)
    assert item.state == "failed"
    assert item.value == ("not connected: TCP: connect to [AF_INET]52.125.125.50:443 failed: "
                          "Connection timed out")
    recovered = capture({OVPN: [
        "May 06 05:19:49 openvpn[1526]: Fri May  6 05:19:49 2022 RESOLVE: Cannot resolve host address: vpn.balena-cloud.com:443 (Temporary failure in name resolution)",
        "May 06 05:20:00 openvpn[1526]: Fri May  6 05:20:00 2022 ERROR: Linux route add command failed: external program exited with error status: 2",
        "May 06 05:20:00 openvpn[1526]: Fri May  6 05:20:00 2022 Initialization Sequence Completed"]})
    assert state_of("vpn", recovered).state == "ok"
    stopped = capture({"systemctl status openvpn-resin --no-pager": [
        "     Active: inactive (dead) since Mon 2022-05-09 06:00:00 UTC; 3h ago"]})
    assert state_of("vpn", stopped).state == "failed"
    skipped = capture({"systemctl status openvpn-resin --no-pager": [
        "     Active: inactive (dead)",
        "  Condition: start condition failed at Mon 2022-05-09 06:00:00 UTC; 3h ago",
        "             └─ ConditionPathExists=/etc/openvpn/openvpn.conf was not met"]})
    assert state_of("vpn", skipped).state == "unknown"


@pytest.mark.parametrize(("flags", "state"), [
    ("0x0", "ok"), ("0x50005", "failed"), ("0x50000", "degraded"), ("0x4", "degraded"),
    ("0x20000", "ok")])
def test_vcgencmd_bits_now_vs_since_boot(flags: str, state: str) -> None:
    item = state_of("throttling", capture({"vcgencmd get_throttled": [f"throttled={flags}"]}))
    assert item.state == state
    if flags == "0x50005":
        assert item.value.startswith("under-voltage NOW")


def test_dmesg_firmware_report_says_whether_under_voltage_is_now() -> None:
    boot = "[Wed Feb 17 00:00:01 2021] Booting Linux on physical CPU 0x0"
    now = capture({"dmesg -T": [boot, "[Wed Feb 17 12:03:22 2021] Under-voltage detected! (0x00050005)"]})
    assert state_of("throttling", now).state == "failed"
    later = capture({"dmesg -T": [boot, "[Wed Feb 17 12:03:22 2021] Under-voltage detected! (0x00050005)",
                                  "[Wed Feb 17 12:03:53 2021] Voltage normalised (0x00000000)"]})
    assert state_of("throttling", later).state == "degraded"


def test_failed_units() -> None:
    section = "systemctl list-units --failed --no-pager"
    engine = capture({section: ["  UNIT           LOAD   ACTIVE SUB    DESCRIPTION",
                                "● balena.service loaded failed failed Balena Application Container Engine",
                                "1 loaded units listed."]})
    item = state_of("failed_units", engine)
    assert (item.state, item.value) == ("failed", "1 failed: balena.service")
    other = capture({section: ["● foo-helper.service loaded failed failed Helper"]})
    assert state_of("failed_units", other).state == "degraded"
    none = capture({section: ["  UNIT LOAD ACTIVE SUB DESCRIPTION", "0 loaded units listed."]})
    assert state_of("failed_units", none).state == "ok"


@pytest.mark.parametrize(("text", "value"), [
    (" 10:21:42 up 3 days,  4:02,  0 users,  load average: 0.67, 0.22, 0.13",
     "up 3 d 4 h, booted 2022-05-06 06:19 UTC (device clock)"),
    (" 10:21:42  up 3 days  4:21,  0 users,  load average: 0.67, 0.22, 0.13",
     "up 3 d 4 h, booted 2022-05-06 06:00 UTC (device clock)"),
    (" 13:06:11  up  16:12,  0 users,  load average: 0.67, 0.22, 0.13",
     "up 16 h 12 min, booted 2022-05-08 18:09 UTC (device clock)"),
    (" 08:47:34  up 23 min,  0 users,  load average: 0.67, 0.22, 0.13",
     "up 23 min, booted 2022-05-09 09:58 UTC (device clock)"),
])
def test_uptime_busybox_forms(text: str, value: str) -> None:
    """The real 4.22.11 capture (diagnostics-to-json tests/data) prints ``up 3 days  2:29``
    with no comma, procps prints ``up 3 days,  2:29``: both read.
    The boot time is the uptime section's timestamp (2022-05-09 10:21:14) minus the uptime."""
    item = state_of("uptime", capture({"uptime": [text]}))
    assert (item.state, item.value) == ("ok", value)


def test_evidence_text_is_safe_to_print() -> None:
    doc = capture({API: ["\x1b]52;c;ZXZpbA==\x07OK\x1b[31m"]})
    item = state_of("api", doc)
    for line in item.evidence:
        assert not any(ord(c) < 32 or 0x7f <= ord(c) <= 0x9f for c in line.text), line


def test_services_never_import_textual() -> None:
    code = ("import sys, triagebench.services.state as s; "
            "print(any(m == 'textual' or m.startswith(('textual.', 'triagebench.tui')) "
            "for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


LIVE_KEYS = ("balena ps -a", "systemctl status balena --no-pager", HEALTHY, API, GOOGLE,
             "ping -c 1 -W 3 google.co.uk", "systemctl status openvpn-resin --no-pager", OVPN,
             "chronyc sources", "chronyc tracking", "timedatectl status", "mount", "df -h",
             "df -ih", "free -h", THERMAL, "dmesg -T", "systemctl list-units --failed --no-pager",
             "uptime", "vcgencmd get_throttled")
FRAGMENTS = ("Active: active (running)", "Active: failed", "OK", "throttled=0x", "^* ", "^? ",
             "System clock synchronized: ", "on /mnt/data type ext4 (", "% /mnt/data",
             "Under-voltage detected! (0x", "/sys/class/thermal/thermal_zone0",
             "Initialization Sequence Completed", "curl: (", "Cannot connect to the balenaEngine daemon at unix://",
             " up ", "load average", "Mem:", "total", "loaded failed failed", "\x1b[31m", "\x00",
             "\x9b", "9" * 400, "nan", "-1", "\r")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(
    st.sampled_from(LIVE_KEYS),
    st.lists(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=6)
             .map("".join).map(lambda t: t.replace("\n", " ")), max_size=5),
    max_size=8))
def test_any_live_section_content_gives_a_valid_state(sections: dict[str, list[str]]) -> None:
    """Whatever the sections hold, every item gets a valid state, evidence that points into
    the file and prints safely, and an unknown item is never counted as ok."""
    document = capture(sections)
    state = device_state(document)
    assert [i.key for i in state.items] == list(ITEM_KEYS)
    for item in state.items:
        assert item.state in ("ok", "degraded", "failed", "unknown")
        for line in item.evidence:
            assert 1 <= line.line <= document.line_count
            assert not any(ord(c) < 32 or 0x7f <= ord(c) <= 0x9f for c in line.text)
    known = [i.state for i in state.items if i.state != "unknown"]
    assert state.verdict == ("unknown" if not known else
                             "failed" if "failed" in known else
                             "degraded" if "degraded" in known else "ok")
