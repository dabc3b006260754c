"""Device-state readers for resources and hardware: data partition (mount flags, space,
inodes), memory, CPU temperature, power/throttling flags.

Thresholds are checks.sh's where it has one (disk < 10 % free, memory < 10 % available,
80 C), so the state and the heuristics that mirror checks.sh agree.
"""

from __future__ import annotations

from typing import NamedTuple

from triagebench.parser import Section

from .state_model import EvidenceLine, StateItem
from .state_probes import (
    Capture,
    compile_bounded,
    make_item,
    search,
    to_int,
    to_signed_int,
)

# -- storage ---------------------------------------------------------------------------
DATA_MOUNTS = ("/mnt/data", "/resin-data", "/mnt/data-disk")
MOUNT_RE = compile_bounded(r"^(\S+) on (\S+) type (\S+) \(([^)]{0,400})\)")
PERCENT_RE = compile_bounded(r"^(\d{1,3})%$")


def check_data_mount(capture: Capture) -> StateItem:
    """Data partition mounted read-write: the ``mount`` line for ``/mnt/data`` (older:
    ``/resin-data``, or a ``resin-data`` labelled device) has ``rw`` first in its options,
    as checks.sh's ``test_data_partition_mounted`` reads /proc/mounts. ``ro`` is failed,
    no such line in a non-empty ``mount`` output is failed (not mounted)."""
    key, label, group = "data_mount", "Data partition mounted read-write", "storage"
    sections = capture.sections(r"mount|cat /proc/mounts")
    if not sections:
        return make_item(key, label, group, "unknown", "no `mount` output in the capture", [], None)
    seen_any = False
    for section in sections:
        for number, text in capture.lines(section):
            match = search(MOUNT_RE, text)
            if not match:
                continue
            seen_any = True
            device, point, _, options = match.groups()
            if point in DATA_MOUNTS or "resin-data" in device or "balena-data" in device:
                flags = options.split(",")
                line = capture.evidence(section, number)
                if "rw" in flags:
                    return make_item(key, label, group, "ok", f"{point} mounted rw ({device})", [line],
                                     section.command, "data rw")
                if "ro" in flags:
                    return make_item(key, label, group, "failed", f"{point} mounted READ-ONLY ({device})",
                                     [line], section.command, "data partition read-only")
                return make_item(key, label, group, "unknown", f"{point}: no rw/ro flag", [line],
                                 section.command)
    if seen_any:
        section = sections[0]
        return make_item(key, label, group, "failed", "no data partition (/mnt/data) in `mount`",
                         [capture.header(section)], section.command, "data partition not mounted")
    return make_item(key, label, group, "unknown", "`mount` printed nothing readable",
                     [capture.header(sections[0])], sections[0].command)


class DfRow(NamedTuple):
    """The data partition's row of a df section (``present``: such a section exists)."""

    percent: int | None
    point: str | None
    line: EvidenceLine | None
    section: Section | None
    present: bool


def _df_row(capture: Capture, key_pattern: str, column: str) -> DfRow:
    """The data partition row of a df section whose header has ``column`` (``Use%`` for
    ``df -h``, ``IUse%`` for ``df -ih``): the header decides, not only the command."""
    sections = capture.sections(key_pattern)
    for section in sections:
        header: list[str] | None = None
        best = None
        for number, text in capture.lines(section):
            fields = text.split()
            if "Mounted" in fields and "on" in fields:
                header = fields
                continue
            if header is None or column not in header or len(fields) < 6:
                continue
            point = fields[-1]
            if point not in DATA_MOUNTS:
                continue
            match = search(PERCENT_RE, fields[-2])
            percent = to_int(match.group(1), 3) if match else None
            if percent is not None and percent > 100:
                percent = None
            row = DfRow(percent, point, capture.evidence(section, number), section, True)
            if point == "/mnt/data":
                return row
            best = best or row
        if best:
            return best
    return DfRow(None, None, None, sections[0] if sections else None, bool(sections))


def _percent_item(key: str, label: str, what: str, found: DfRow, fail_at: int, warn_at: int,
                  phrase_word: str) -> StateItem:
    percent, point, line, section, present = found
    if not present:
        return make_item(key, label, "storage", "unknown", f"no `{what}` output in the capture", [], None)
    command = section.command if section else None
    if line is None:
        return make_item(key, label, "storage", "unknown", f"no /mnt/data row in `{what}`", [], command)
    if percent is None:
        return make_item(key, label, "storage", "unknown", f"unreadable use % for {point}", [line], command)
    value = f"{point} {percent} % used"
    phrase = f"{phrase_word} {percent} %"
    if percent >= fail_at:
        return make_item(key, label, "storage", "failed", value, [line], command, phrase + " (full)")
    if percent >= warn_at:
        return make_item(key, label, "storage", "degraded", value, [line], command, phrase)
    return make_item(key, label, "storage", "ok", value, [line], command, phrase)


def check_data_disk(capture: Capture) -> StateItem:
    """Data partition space: ``df -h`` (never ``df -ih``, whose % is inodes) ``Use%`` of
    ``/mnt/data``. 90 % or more is failed (checks.sh ``test_diskspace``: < 10 % free),
    80 % or more degraded."""
    return _percent_item("data_disk", "Data partition space used", "df -h",
                         _df_row(capture, r"df(?: -h)?", "Use%"), 90, 80, "disk")


def check_data_inodes(capture: Capture) -> StateItem:
    """Data partition inodes: ``df -ih`` ``IUse%`` of ``/mnt/data`` (same thresholds)."""
    return _percent_item("data_inodes", "Data partition inodes used", "df -ih",
                         _df_row(capture, r"df -i(?:h)?", "IUse%"), 90, 80, "inodes")


# -- memory ----------------------------------------------------------------------------
MEMINFO_RE = compile_bounded(r"^(MemTotal|MemAvailable|MemFree|Buffers|Cached):\s+(\d{1,15})\s*kB")


def check_memory(capture: Capture) -> StateItem:
    """Memory available: ``MemAvailable / MemTotal`` from ``/proc/meminfo`` (else
    ``free``'s ``available`` column; very old kernels: free + buffers + cached), the
    number checks.sh's ``check_memory`` uses. Below 10 % failed (its threshold), below
    15 % degraded. A total of 0 or available above total is unreadable."""
    key, label, group = "memory", "Memory available", "memory"
    values: dict[str, int] = {}
    lines: dict[str, EvidenceLine] = {}
    command = None
    for section in capture.sections(r"cat /proc/meminfo"):
        command = section.command
        for number, text in capture.lines(section):
            match = search(MEMINFO_RE, text)
            if match and match.group(1) not in values:
                value = to_int(match.group(2), 15)
                if value is not None:
                    values[match.group(1)] = value
                    lines[match.group(1)] = capture.evidence(section, number)
    total = values.get("MemTotal")
    available = values.get("MemAvailable")
    evidence = [lines[k] for k in ("MemAvailable", "MemTotal") if k in lines]
    if total and available is None and all(k in values for k in ("MemFree", "Buffers", "Cached")):
        available = values["MemFree"] + values["Buffers"] + values["Cached"]
        evidence = [lines[k] for k in ("MemFree", "Buffers", "Cached", "MemTotal")]
    if not total or available is None:
        total, available, evidence, command = _free_numbers(capture)
    if total is None or available is None:
        return make_item(key, label, group, "unknown", "no readable memory figures in the capture",
                         evidence, command)
    if total <= 0 or available > total:
        return make_item(key, label, group, "unknown", "unreadable memory figures", evidence, command)
    percent = round(100.0 * available / total)
    value = f"{percent} % available ({available // 1024} of {total // 1024} MiB)"
    phrase = f"memory {percent} % free"
    if percent < 10:
        return make_item(key, label, group, "failed", value, evidence, command, phrase + " (LOW)")
    if percent < 15:
        return make_item(key, label, group, "degraded", value, evidence, command, phrase)
    return make_item(key, label, group, "ok", value, evidence, command, phrase)


def _free_numbers(capture: Capture) -> tuple[int | None, int | None, list[EvidenceLine], str | None]:
    for section in capture.sections(r"free(?: -[hmk])?"):
        header: list[str] | None = None
        for number, text in capture.lines(section):
            fields = text.split()
            if fields and fields[0] == "total":
                header = fields
            elif header and fields and fields[0] == "Mem:":
                numbers = dict(zip(header, fields[1:], strict=False))
                total = to_int(numbers.get("total", ""), 15)
                available = to_int(numbers.get("available", "") or numbers.get("free", ""), 15)
                if "available" not in numbers and all(k in numbers for k in ("buffers", "cached")):
                    parts = [to_int(numbers.get(k, ""), 15) for k in ("free", "buffers", "cached")]
                    available = sum(p for p in parts if p is not None) if None not in parts else None
                return total, available, [capture.evidence(section, number)], section.command
    return None, None, [], None


# -- hardware --------------------------------------------------------------------------
ZONE_RE = compile_bounded(r"^(/sys/class/thermal/thermal_zone\d{1,3})\s*$")
PMIC_DUMMY = 100000  # Jetson PMIC-Die reports a fixed 100 C (checks.sh ignores that zone)


def check_temperature(capture: Capture) -> StateItem:
    """CPU temperature now: the hottest plausible zone of the thermal loop (``echo
    $i && cat $i/temp``, millidegrees C). A zone typed ``PMIC-Die`` (when a type is
    printed), or reading exactly 100000 next to normal zones, is the Jetson PMIC dummy,
    not the CPU, and is skipped (checks.sh skips it too). Values outside -40..150 C are
    unreadable. 80 C or more is failed (checks.sh's threshold), 75 C or more degraded."""
    key, label, group = "temperature", "CPU temperature", "hardware"
    sections = capture.sections(r"for i in /sys/class/thermal/.*")
    if not sections:
        return make_item(key, label, group, "unknown", "no thermal zones in the capture", [], None)
    section = sections[0]
    zones: list[tuple[str, int, EvidenceLine, str]] = []
    zone = None
    zone_type = ""
    for number, text in capture.lines(section):
        stripped = text.strip()
        match = search(ZONE_RE, stripped)
        if match:
            zone, zone_type = match.group(1), ""
            continue
        value = to_signed_int(stripped, 7)
        if zone is not None and value is not None:
            zones.append((zone, value, capture.evidence(section, number), zone_type))
            zone = None
        elif zone is not None and stripped.lstrip("-").isdigit():
            zone = None  # a reading too long to be a temperature: unreadable, skipped
        elif zone is not None and stripped:
            zone_type = stripped[:40]  # a type line, where a variant of the loop prints it
    plausible = [z for z in zones if -40000 <= z[1] <= 150000]
    skipped = [z for z in plausible if "PMIC" in z[3].upper()]
    rest = [z for z in plausible if z not in skipped]
    if len(rest) > 1:
        dummies = [z for z in rest if z[1] == PMIC_DUMMY]
        if dummies and len(dummies) < len(rest):
            skipped += dummies
            rest = [z for z in rest if z not in dummies]
    if not rest:
        why = "no readable zone temperature" if not zones else "only implausible/PMIC zones"
        return make_item(key, label, group, "unknown", why, [z[2] for z in zones][:3], section.command)
    hottest = max(rest, key=lambda z: z[1])
    celsius = hottest[1] / 1000
    name = hottest[0].rsplit("/", 1)[-1]
    value = f"{celsius:.1f} C ({name})"
    if skipped:
        value += f"; skipped {', '.join(z[0].rsplit('/', 1)[-1] for z in skipped)} (PMIC dummy)"
    evidence = [hottest[2]]
    phrase = f"CPU {celsius:.0f} C"
    if celsius >= 80:
        return make_item(key, label, group, "failed", value, evidence, section.command, phrase + " (HOT)")
    if celsius >= 75:
        return make_item(key, label, group, "degraded", value, evidence, section.command, phrase)
    return make_item(key, label, group, "ok", value, evidence, section.command, phrase)


THROTTLED_RE = compile_bounded(r"throttled=0x([0-9a-fA-F]{1,8})\b")
FIRMWARE_RE = compile_bounded(
    r"(Under-?voltage detected!|Voltage normalised)(?:\s*\(0x([0-9a-fA-F]{1,8})\))?")
TEMP_THROTTLE_RE = compile_bounded(r"[Tt]emperature above threshold, cpu clock throttled")
BOOT_RE = compile_bounded(r"Booting Linux on physical CPU|Linux version \S+|^\[\s*0\.0{6}\]")
NOW_BITS = {0: "under-voltage", 1: "ARM frequency capped", 2: "throttled", 3: "soft temperature limit"}


def _decode(flags: int) -> tuple[list[str], list[str]]:
    now = [name for bit, name in NOW_BITS.items() if flags & (1 << bit)]
    since = [name for bit, name in NOW_BITS.items() if flags & (1 << (bit + 16))]
    return now, since


def check_throttling(capture: Capture, is_rpi: bool) -> StateItem:
    """Throttling / under-voltage now (Raspberry Pi firmware flags). ``vcgencmd
    get_throttled`` (``throttled=0x50005``) where present; otherwise the firmware's own
    dmesg lines of this boot, which carry the same flags: the last ``Under-voltage
    detected! (0x00050005)`` / ``Voltage normalised (0x00000000)`` says whether it is
    under-voltage *now*. Bits 0-3 are now (under-voltage, frequency capped, throttled,
    soft temperature limit), 16-19 since boot. Under-voltage now: failed; other now-bits
    or under-voltage since boot: degraded; ``Temperature above threshold, cpu clock
    throttled`` in dmesg (checks.sh ``test_throttling_dmesg``): degraded. An RPi whose
    dmesg starts at boot and has none of these is ok; other hardware: unknown."""
    key, label, group = "throttling", "Power and throttling now", "hardware"
    for section in capture.sections(r"vcgencmd get_throttled"):
        for number, text in capture.lines(section):
            match = search(THROTTLED_RE, text)
            if match:
                flags = int(match.group(1), 16)
                return _flags_item(capture, flags, [capture.evidence(section, number)],
                                   section.command, f"vcgencmd throttled=0x{flags:x}")
    dmesg = capture.sections(r"dmesg(?: -T)?")
    if not dmesg:
        return make_item(key, label, group, "unknown", "no dmesg or vcgencmd output in the capture",
                         [], None)
    section = dmesg[-1]
    last_firmware: tuple[str, int | None, EvidenceLine] | None = None
    under_count = 0
    temp_throttles: list[EvidenceLine] = []
    from_boot = False
    for index, (_, text) in enumerate(capture.lines(section)):
        if index >= 5:
            break
        if search(BOOT_RE, text):
            from_boot = True
    for number, text in capture.lines(section, needles=("oltage", "threshold")):
        if "oltage" in text:
            match = search(FIRMWARE_RE, text)
            if match:
                code = int(match.group(2), 16) if match.group(2) else None
                if match.group(1).lower().startswith("under"):
                    under_count += 1
                last_firmware = (match.group(1), code, capture.evidence(section, number))
        if "threshold" in text and search(TEMP_THROTTLE_RE, text):
            temp_throttles.append(capture.evidence(section, number))
    if last_firmware is not None:
        word, code, line = last_firmware
        if code is not None:
            flags = code | ((1 << 16) if under_count else 0)
            item = _flags_item(capture, flags, [line], section.command,
                               f"last firmware report: {word} (0x{code:08x})",
                               under_count=under_count)
        elif word.lower().startswith("under"):
            item = make_item(key, label, group, "failed", "under-voltage (last firmware report)",
                             [line], section.command, "UNDER-VOLTAGE")
        else:
            item = make_item(key, label, group, "degraded",
                             f"under-voltage {under_count}x since boot, normalised now", [line],
                             section.command, "under-voltage since boot")
        if temp_throttles and item.state == "ok":
            return make_item(key, label, group, "degraded",
                             f"{len(temp_throttles)} CPU thermal throttling events since boot",
                             temp_throttles[-1:], section.command, "CPU throttled since boot")
        return item
    if temp_throttles:
        return make_item(key, label, group, "degraded",
                         f"{len(temp_throttles)} CPU thermal throttling events since boot",
                         temp_throttles[-1:], section.command, "CPU throttled since boot")
    if is_rpi and from_boot:
        return make_item(key, label, group, "ok", "no under-voltage or throttling reported since boot",
                         [capture.header(section)], section.command, "power ok")
    why = "dmesg does not reach back to boot" if is_rpi else "no firmware throttling flags on this hardware"
    return make_item(key, label, group, "unknown", why, [], section.command)


def _flags_item(capture: Capture, flags: int, evidence: list[EvidenceLine], command: str,
                source: str, under_count: int = 0) -> StateItem:
    key, label, group = "throttling", "Power and throttling now", "hardware"
    now, since = _decode(flags)
    if "under-voltage" in now:
        return make_item(key, label, group, "failed", f"under-voltage NOW ({source})", evidence,
                         command, "UNDER-VOLTAGE now")
    if now:
        return make_item(key, label, group, "degraded", f"{', '.join(now)} now ({source})",
                         evidence, command, ", ".join(now) + " now")
    if "under-voltage" in since:
        times = f" {under_count}x" if under_count else ""
        return make_item(key, label, group, "degraded",
                         f"under-voltage{times} since boot, normalised now ({source})",
                         evidence, command, "under-voltage since boot")
    if since:
        return make_item(key, label, group, "ok", f"nothing now; since boot: {', '.join(since)} ({source})",
                         evidence, command, "no throttling now")
    return make_item(key, label, group, "ok", f"no throttling or under-voltage ({source})",
                     evidence, command, "power ok")


__all__ = ["check_data_disk", "check_data_inodes", "check_data_mount", "check_memory", "check_temperature", "check_throttling"]
