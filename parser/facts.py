"""Device facts: flat dotted names extracted once from the sections that carry them.

Each fact is looked up in every place it can come from, most authoritative
first; a fact that cannot be found is ``None``, never an exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from .document import Document, Section

FACT_NAMES = (
    "os.name", "os.version", "os.variant", "device.type", "device.model", "arch",
    "kernel.version", "supervisor.version", "engine.version", "diagnose.version",
    "uptime.seconds", "disk.data.used_percent", "memory.available_percent",
    "time.synchronized", "captured_at",
)

ENGINES = r"(?:balena|docker|balena-engine|rce)"
SUPERVISOR_LOGS = r"(?:(?:balena|docker) logs .*|.*supervisor.*|journalctl .*-u balena(?: .*)?)"


def _sections(doc: Document, key_pattern: str, anywhere_in_plain: bool = False) -> Iterator[Section]:
    """Sections whose key matches ``key_pattern``.

    A plain log has no commands: only log-line facts (``anywhere_in_plain``)
    are looked for in it, never command outputs such as the device-tree model.
    """
    if doc.format == "plain-log":
        if anywhere_in_plain:
            yield from doc.sections
        return
    pattern = re.compile(key_pattern)
    for section in doc.sections:
        if pattern.fullmatch(section.key):
            yield section


def _lines(doc: Document, key_pattern: str, stream: str = "stdout",
           anywhere_in_plain: bool = False, needle: str | None = None) -> Iterator[str]:
    """Plain output lines of the matching sections; with ``needle``, only raw lines
    containing it (a cheap test that spares ANSI stripping on big log sections)."""
    lines = doc.lines
    for section in _sections(doc, key_pattern, anywhere_in_plain):
        for number in section.output_line_numbers(stream):
            if needle is None or needle in lines[number - 1]:
                yield doc.output_text(section, number)


def _first(doc: Document, key_pattern: str, regex: str, group: int | str = 1,
           last: bool = False, anywhere_in_plain: bool = False,
           needle: str | None = None) -> str | None:
    compiled = re.compile(regex)
    found = None
    for text in _lines(doc, key_pattern, anywhere_in_plain=anywhere_in_plain, needle=needle):
        match = compiled.search(text)
        if match:
            found = match.group(group)
            if not last:
                return found
    return found


def _os_release(doc: Document) -> dict[str, str]:
    values: dict[str, str] = {}
    for text in _lines(doc, r"cat /etc/os-release"):
        match = re.match(r'^([A-Z_]+)=(?:"(.*)"|(.*))$', text.strip())
        if match:
            values[match.group(1)] = match.group(2) if match.group(2) is not None else match.group(3)
    return values


def _json_section(doc: Document, key_pattern: str) -> dict[str, Any]:
    for section in _sections(doc, key_pattern):
        text = "\n".join(doc.output_text(section, n) for n in section.stdout.line_numbers)
        start = text.find("{")
        if start < 0:
            continue
        try:
            value = json.loads(text[start:])
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return {}


def _strip_v(version: str | None) -> str | None:
    return version[1:] if version and version[:1] in "vV" and version[1:2].isdigit() else version


def parse_uptime(text: str) -> int | None:
    """Seconds from busybox/procps ``uptime`` (``up 3 days,  4:02``, ``up 12 min``)."""
    match = re.search(r"\bup\s+(.*?),\s+(?:\d+\s+users?,\s+)?load average", text)
    if not match:
        return None
    seconds = 0
    parsed = False
    for part in match.group(1).split(","):
        part = part.strip()
        if m := re.fullmatch(r"(\d+)\s+days?", part):
            seconds += int(m.group(1)) * 86400
        elif m := re.fullmatch(r"(\d+):(\d\d)", part):
            seconds += int(m.group(1)) * 3600 + int(m.group(2)) * 60
        elif m := re.fullmatch(r"(\d+)\s+min(?:utes?)?", part):
            seconds += int(m.group(1)) * 60
        elif m := re.fullmatch(r"(\d+)\s+(?:hours?|hrs?)", part):
            seconds += int(m.group(1)) * 3600
        else:
            continue
        parsed = True
    return seconds if parsed else None


def _meminfo_percent(doc: Document) -> float | None:
    values: dict[str, int] = {}
    for text in _lines(doc, r"cat /proc/meminfo"):
        match = re.match(r"^(MemTotal|MemAvailable|MemFree|Buffers|Cached):\s+(\d+)\s*kB", text)
        if match:
            values[match.group(1)] = int(match.group(2))
    total = values.get("MemTotal")
    if not total:
        return _free_percent(doc)
    available = values.get("MemAvailable")
    if available is None:
        available = sum(values.get(k, 0) for k in ("MemFree", "Buffers", "Cached"))
    return round(100.0 * available / total, 1)


def _free_percent(doc: Document) -> float | None:
    header: list[str] | None = None
    for text in _lines(doc, r"free(?: -h)?"):
        fields = text.split()
        if fields and fields[0] == "total":
            header = fields
        elif header and fields and fields[0] == "Mem:":
            numbers = dict(zip(header, fields[1:], strict=False))
            try:
                total = float(numbers["total"])
                available = float(numbers.get("available") or numbers.get("free"))
            except (KeyError, TypeError, ValueError):
                return None
            return round(100.0 * available / total, 1) if total else None
    return None


def _disk_data_percent(doc: Document) -> int | None:
    best: int | None = None
    for text in _lines(doc, r"df(?: -h)?"):
        fields = text.split()
        if len(fields) >= 6 and fields[-1] in ("/mnt/data", "/resin-data", "/mnt/data-disk"):
            match = re.fullmatch(r"(\d+)%", fields[-2])
            if match:
                best = int(match.group(1))
                if fields[-1] == "/mnt/data":
                    return best
    return best


def _arch(doc: Document, uname: str | None) -> str | None:
    if uname:
        match = re.search(r"\s(aarch64|armv[5-8]\w*|x86_64|i[3-6]86|mips\w*|riscv64)\s", uname + " ")
        if match:
            return match.group(1)
    image = _first(doc, rf"{ENGINES} (?:images|ps -a)",
                   r"(?:balena|resin)/([a-z0-9]+)-supervisor")
    if image:
        return image
    # The kernel banner names its cross-compiler: "(aarch64-poky-linux-gcc ...".
    return _first(doc, r"dmesg(?: -T)?|journalctl .*",
                  r"Linux version \S+ .*?\((aarch64|x86_64|i686|riscv64)-\w+-linux",
                  anywhere_in_plain=True, needle="Linux version")


def _captured_at(doc: Document) -> str | None:
    for section in doc.sections:
        if section.started_at:
            return section.started_at
    return _first(doc, r"date", r"^(\w{3} \w{3} +\d+ [\d:]+ \w+ \d{4})$")




def extract_facts(doc: Document) -> dict[str, Any]:
    """Every fact in ``FACT_NAMES`` (``None`` where unknown)."""
    facts: dict[str, Any] = dict.fromkeys(FACT_NAMES)
    release = _os_release(doc)
    pretty = release.get("PRETTY_NAME")
    if pretty:
        match = re.match(r"^(.*?)\s+v?(\d[\w.+-]*)(?:\s+\((.*)\))?$", pretty)
        if match:
            facts["os.name"] = match.group(1)
            facts["os.version"] = match.group(2)
            if match.group(3):
                facts["os.variant"] = match.group(3)
    facts["os.version"] = facts["os.version"] or release.get("VERSION") or release.get("VERSION_ID")
    if not facts["os.name"] and release.get("NAME"):
        facts["os.name"] = release["NAME"]
    variant = release.get("VARIANT") or facts["os.variant"]
    facts["os.variant"] = variant
    config = _json_section(doc, r"cat /mnt/boot/config\.json.*")
    device_type_json = _json_section(doc, r"cat /mnt/boot/device-type\.json")
    facts["device.type"] = (release.get("SLUG") or config.get("deviceType")
                            or device_type_json.get("slug") or release.get("MACHINE"))
    model = None
    for text in _lines(doc, r"cat /proc/device-tree/model"):
        if text.strip():
            model = text.replace("\x00", "").strip()
            break
    facts["device.model"] = (
        model or _first(doc, r"cat /proc/cpuinfo", r"^Model\s*:\s*(.+)$")
        or _first(doc, r"dmesg(?: -T)?|journalctl .*", r"Machine model: (.+?)\s*$",
                  anywhere_in_plain=True, needle="Machine model: "))
    uname = _first(doc, r"uname -a", r"^(Linux .*)$")
    facts["arch"] = _arch(doc, uname)
    kernel = None
    if uname:
        parts = uname.split()
        kernel = parts[2] if len(parts) > 2 else None
    facts["kernel.version"] = kernel or _first(doc, r"dmesg(?: -T)?", r"Linux version (\S+)",
                                              anywhere_in_plain=True, needle="Linux version")
    supervisor = _first(doc, SUPERVISOR_LOGS, r"Supervisor (v?\d+\.\d+\.\d+\S*) starting up",
                        last=True, anywhere_in_plain=True, needle="starting up")
    if not supervisor:
        supervisor = _first(doc, rf"{ENGINES} (?:images|ps -a)",
                            r"(?:supervisor|balena_supervisor)\s*:?\s+(v\d+\.\d+\.\d+\S*)")
    if not supervisor:
        supervisor = _first(doc, rf"{ENGINES} (?:images|ps -a)", r"-supervisor:(v?\d+\.\d+\.\d+\S*)")
    facts["supervisor.version"] = _strip_v(supervisor)
    engine = _first(doc, rf"{ENGINES} --version",
                    r"(?:Docker|balena-engine|balenaEngine|Balena) version (\S+?),?(?:\s|$)")
    if not engine:
        engine = _first(doc, r".*balenad.*", r'msg="Docker daemon".*\bversion=(\S+)',
                        anywhere_in_plain=True, needle="Docker daemon")
    facts["engine.version"] = _strip_v(engine)
    diagnose = None
    for text in doc.lines[:40]:
        match = re.match(r"^--- (?:diagnose|leech / diagnose)\s*(\S*)\s*---\r?$", text)
        if match:
            diagnose = match.group(1) or None
            break
    facts["diagnose.version"] = diagnose
    uptime_text = _first(doc, r"uptime", r"(.*\bup\b.*)")
    facts["uptime.seconds"] = parse_uptime(uptime_text) if uptime_text else None
    facts["disk.data.used_percent"] = _disk_data_percent(doc)
    facts["memory.available_percent"] = _meminfo_percent(doc)
    synced = _first(doc, r"timedatectl(?: status)?",
                    r"(?:System clock synchronized|NTP synchronized):\s*(yes|no)")
    facts["time.synchronized"] = synced
    facts["captured_at"] = _captured_at(doc)
    return facts
