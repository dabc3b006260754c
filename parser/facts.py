"""Device facts: flat dotted names extracted once from the sections that carry them.

Each fact is looked up in every place it can come from, most authoritative
first; a fact that cannot be found is ``None``, never an exception. The file
line a fact was read from is kept in ``Document.fact_lines`` so a fact-based
finding can cite its evidence.

The file is untrusted, so extraction is bounded (issue #18):

* every regex is a ``regex``-module pattern run with ``REGEX_TIMEOUT`` on at most
  ``MAX_LINE`` characters of a line (a timeout counts as "no match");
* a command section is read for at most ``MAX_SECTION_LINES`` output lines, and a
  log section (dmesg, journal) hands at most ``MAX_CANDIDATES`` lines containing
  the lookup's literal needle to a regex;
* numbers go through ``numbers.bounded_int``/``bounded_float`` (digit and range
  limits, never NaN); a text value longer than ``MAX_VALUE`` is unknown;
* the ``config.json`` section is decoded only when it is under ``MAX_JSON_CHARS``
  and nests at most ``MAX_JSON_DEPTH`` deep (no ``RecursionError``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import regex

from .document import Document, Section
from .json_depth import MAX_JSON_DEPTH, json_depth_ok
from .numbers import MAX_DIGITS, bounded_float, bounded_int, finite

FACT_NAMES = (
    "os.name", "os.version", "os.variant", "device.type", "device.model", "arch",
    "kernel.version", "supervisor.version", "engine.version", "diagnose.version",
    "uptime.seconds", "disk.data.used_percent", "memory.available_percent",
    "time.synchronized", "development_mode", "captured_at",
)

ENGINES = r"(?:balena|docker|balena-engine|rce)"
SUPERVISOR_LOGS = r"(?:(?:balena|docker) logs .*|.*supervisor.*|journalctl .*-u balena(?: .*)?)"

MAX_LINE = 4096
MAX_SECTION_LINES = 2000
MAX_CANDIDATES = 10_000
MAX_VALUE = 256
MAX_JSON_CHARS = 1_000_000
REGEX_TIMEOUT = 0.05
MAX_UPTIME_DAYS = 36_500  # a hundred years

_patterns: dict[str, Any] = {}
_key_patterns: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> Any:
    found = _patterns.get(pattern)
    if found is None:
        found = _patterns[pattern] = regex.compile(pattern)
    return found


def _search(pattern: str, text: str, *, full: bool = False) -> Any:
    """``pattern`` searched (or full-matched) in the first ``MAX_LINE`` characters of
    ``text`` under ``REGEX_TIMEOUT``; ``None`` on no match or timeout."""
    compiled = _compiled(pattern)
    text = text[:MAX_LINE]
    try:
        if full:
            return compiled.fullmatch(text, timeout=REGEX_TIMEOUT)
        return compiled.search(text, timeout=REGEX_TIMEOUT)
    except TimeoutError:
        return None


def _value(text: str | None) -> str | None:
    """A text fact as kept: stripped, and unknown when empty or absurdly long."""
    if text is None:
        return None
    text = text.strip()
    return text if text and len(text) <= MAX_VALUE else None


class _Reader:
    """Line access for one document: sections by key pattern (each distinct key
    tested once per pattern), bounded line iteration, and the fact -> line record."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.fact_lines: dict[str, int] = {}
        self._by_key: dict[str, list[Section]] = {}
        for section in doc.sections:
            self._by_key.setdefault(section.key, []).append(section)
        self._resolved: dict[tuple[str, bool], list[Section]] = {}

    def sections(self, key_pattern: str, anywhere_in_plain: bool = False) -> list[Section]:
        """Sections whose key fully matches ``key_pattern``, in file order.

        A plain log has no commands: only log-line facts (``anywhere_in_plain``)
        are looked for in it, never command outputs such as the device-tree model.
        """
        if self.doc.format == "plain-log":
            return list(self.doc.sections) if anywhere_in_plain else []
        cache_key = (key_pattern, anywhere_in_plain)
        found = self._resolved.get(cache_key)
        if found is None:
            # Key patterns are ours and linear (no nested repeats), and keys are
            # capped, so the stdlib engine without a timeout is safe here; it is
            # the hot path on a file with 100,000 headers.
            compiled = _key_patterns.get(key_pattern)
            if compiled is None:
                compiled = _key_patterns[key_pattern] = re.compile(key_pattern)
            found = []
            for key, sections in self._by_key.items():
                if compiled.fullmatch(key, 0, MAX_LINE):
                    found.extend(sections)
            found.sort(key=lambda s: s.index)
            self._resolved[cache_key] = found
        return found

    def lines(self, key_pattern: str, stream: str = "stdout", anywhere_in_plain: bool = False,
              needle: str | None = None, reverse: bool = False) -> Iterator[tuple[int, str]]:
        """(line number, plain text) of the matching sections' output lines.

        Without ``needle`` at most ``MAX_SECTION_LINES`` lines of each section are
        read (command outputs are short); with it every raw line is tested for the
        needle (a cheap ``in`` that spares ANSI stripping on big log sections) and
        at most ``MAX_CANDIDATES`` lines containing it are yielded in all.
        """
        doc = self.doc
        raw = doc.lines
        sections = self.sections(key_pattern, anywhere_in_plain)
        candidates = 0
        for section in reversed(sections) if reverse else sections:
            numbers = list(section.output_line_numbers(stream))
            if needle is None:
                numbers = numbers[:MAX_SECTION_LINES]
            if reverse:
                numbers.reverse()
            for number in numbers:
                if needle is not None:
                    if needle not in raw[number - 1]:
                        continue
                    candidates += 1
                    if candidates > MAX_CANDIDATES:
                        return
                yield number, doc.output_text(section, number)

    def first(self, key_pattern: str, pattern: str, group: int | str = 1, last: bool = False,
              anywhere_in_plain: bool = False, needle: str | None = None) -> tuple[str, int] | None:
        """The ``group`` of the first (or ``last``) line matching ``pattern``, and its line."""
        for number, text in self.lines(key_pattern, anywhere_in_plain=anywhere_in_plain,
                                       needle=needle, reverse=last):
            match = _search(pattern, text)
            if match and match.group(group) is not None:
                return match.group(group), number
        return None

    def keep(self, facts: dict[str, Any], name: str, value: Any, line: int | None) -> None:
        """Set ``facts[name]`` and remember its line when the value is known."""
        facts[name] = value
        if value is not None and line:
            self.fact_lines[name] = line
        else:
            self.fact_lines.pop(name, None)


def _found(hit: tuple[str, int] | None) -> tuple[str | None, int | None]:
    return hit if hit is not None else (None, None)


def _os_release(reader: _Reader) -> dict[str, tuple[str, int]]:
    values: dict[str, tuple[str, int]] = {}
    for number, text in reader.lines(r"cat /etc/os-release"):
        match = _search(r'^([A-Z_]{1,64})=(?:"(.*)"|(.*))$', text.strip())
        if match:
            value = match.group(2) if match.group(2) is not None else match.group(3)
            values.setdefault(match.group(1), (value, number))
    return values


def _json_float(text: str) -> float | None:
    """A JSON fraction/exponent number: unknown past ``MAX_DIGITS`` digits or when
    not finite (``1e999`` overflows to infinity)."""
    if sum(c.isdigit() for c in text) > MAX_DIGITS:
        return None
    try:
        return finite(float(text))
    except ValueError:
        return None


def _reject_constant(_name: str) -> None:
    return None  # NaN / Infinity written in the file: unknown


def loads_bounded(text: str) -> Any:
    """``json.loads`` for untrusted text: size and depth limits, absurd numbers
    and NaN/Infinity become ``None``. Raises ``ValueError`` when it cannot be read."""
    if len(text) > MAX_JSON_CHARS:
        raise ValueError(f"over {MAX_JSON_CHARS} characters")
    if not json_depth_ok(text):
        raise ValueError(f"nested over {MAX_JSON_DEPTH} deep")
    try:
        return json.loads(text, parse_int=bounded_int, parse_float=_json_float,
                          parse_constant=_reject_constant)
    except RecursionError as exc:  # pragma: no cover - the depth check comes first
        raise ValueError("nested too deep") from exc


def _json_section(reader: _Reader, key_pattern: str) -> tuple[dict[str, Any], Section | None]:
    doc = reader.doc
    for section in reader.sections(key_pattern):
        numbers = section.stdout.line_numbers
        if sum(len(doc.lines[n - 1]) for n in numbers) > MAX_JSON_CHARS:
            continue
        text = "\n".join(doc.output_text(section, n) for n in numbers)
        start = text.find("{")
        if start < 0:
            continue
        try:
            value = loads_bounded(text[start:])
        except ValueError:
            continue
        if isinstance(value, dict):
            return value, section
    return {}, None


def _json_key_line(reader: _Reader, section: Section | None, key: str) -> int | None:
    """The file line of ``"key":`` in a JSON section (first occurrence)."""
    if section is None:
        return None
    needle = f'"{key}"'
    for number in section.stdout.line_numbers:
        if needle in reader.doc.lines[number - 1]:
            return number
    return None


def _strip_v(version: str | None) -> str | None:
    return version[1:] if version and version[:1] in "vV" and version[1:2].isdigit() else version


_UPTIME_TIME = (r"(?:(?P<hours>\d{1,2}):(?P<minutes>\d\d)"
                r"|(?P<mins>\d{1,4})[ \t]{1,4}min(?:utes?|s)?"
                r"|(?P<hrs>\d{1,4})[ \t]{1,4}(?:hours?|hrs?))")
UPTIME_RE = (r"\bup[ \t]{1,4}(?:(?P<days>\d{1,6})[ \t]{1,4}days?(?:,?[ \t]{1,4}" + _UPTIME_TIME
             + r")?|" + _UPTIME_TIME + r")(?=[ \t]*,|[ \t]*$)")


def parse_uptime(text: str) -> int | None:
    """Seconds from an ``uptime`` line, procps or busybox: ``up 3 days,  4:02,``,
    ``up 3 days  2:29,`` (busybox 1.3x), ``up 12 min,``, ``up  1:02,``, ``up 1 day, 50 min``.
    Values with absurd digit counts or a minutes field over 59 are unknown."""
    match = _search(UPTIME_RE, text)
    if not match:
        return None
    days = bounded_int(match.group("days"), high=MAX_UPTIME_DAYS) if match.group("days") else 0
    if days is None:
        return None
    seconds = days * 86400
    if match.group("hours") is not None:
        minutes = int(match.group("minutes"))
        if minutes > 59:
            return None
        seconds += int(match.group("hours")) * 3600 + minutes * 60
    elif match.group("mins") is not None:
        seconds += int(match.group("mins")) * 60
    elif match.group("hrs") is not None:
        seconds += int(match.group("hrs")) * 3600
    return seconds


def _meminfo_percent(reader: _Reader) -> tuple[float | None, int | None]:
    values: dict[str, tuple[int, int]] = {}
    for number, text in reader.lines(r"cat /proc/meminfo"):
        match = _search(r"^(MemTotal|MemAvailable|MemFree|Buffers|Cached):[ \t]+(\d+)[ \t]*kB", text)
        if match and match.group(1) not in values:
            value = bounded_int(match.group(2))
            if value is None:
                return None, None  # an absurd count: the meminfo section cannot be trusted
            values[match.group(1)] = (value, number)
    total = values.get("MemTotal")
    if not total or not total[0]:
        return _free_percent(reader)
    available = values.get("MemAvailable")
    if available is None:
        line = values.get("MemFree", (0, total[1]))[1]
        available = (sum(values.get(k, (0, 0))[0] for k in ("MemFree", "Buffers", "Cached")), line)
    percent = finite(round(100.0 * available[0] / total[0], 1), low=0, high=100)
    return percent, available[1] if percent is not None else None


def _free_percent(reader: _Reader) -> tuple[float | None, int | None]:
    header: list[str] | None = None
    for number, text in reader.lines(r"free(?: -h)?"):
        fields = text.split()
        if fields and fields[0] == "total":
            header = fields
        elif header and fields and fields[0] == "Mem:":
            numbers = dict(zip(header, fields[1:], strict=False))
            total = bounded_float(numbers.get("total"), low=0)
            available = bounded_float(numbers.get("available") or numbers.get("free"), low=0)
            if not total or available is None:
                return None, None
            percent = finite(round(100.0 * available / total, 1), low=0, high=100)
            return percent, number if percent is not None else None
    return None, None


def _disk_data_percent(reader: _Reader) -> tuple[int | None, int | None]:
    best: tuple[int | None, int | None] = (None, None)
    for number, text in reader.lines(r"df(?: -h)?"):
        fields = text.split()
        if len(fields) >= 6 and fields[-1] in ("/mnt/data", "/resin-data", "/mnt/data-disk"):
            used = fields[-2]
            value = bounded_int(used[:-1], low=0, high=100) if used.endswith("%") else None
            if value is not None:
                best = (value, number)
                if fields[-1] == "/mnt/data":
                    return best
    return best


def _arch(reader: _Reader, uname: str | None) -> tuple[str | None, int | None]:
    if uname:
        match = _search(r"\s(aarch64|armv[5-8]\w{0,16}|x86_64|i[3-6]86|mips\w{0,16}|riscv64)\s",
                        uname + " ")
        if match:
            return match.group(1), None
    image = reader.first(rf"{ENGINES} (?:images|ps -a)", r"(?:balena|resin)/([a-z0-9]{1,32})-supervisor")
    if image:
        return image
    # The kernel banner names its cross-compiler: "(aarch64-poky-linux-gcc ...".
    return _found(reader.first(r"dmesg(?: -T)?|journalctl .*",
                               r"Linux version \S+ .*?\((aarch64|x86_64|i686|riscv64)-\w+-linux",
                               anywhere_in_plain=True, needle="Linux version"))


def _timestamp_line(doc: Document, section: Section) -> int | None:
    """The line holding a section's start timestamp (right after the header, or after
    the blank line that follows it)."""
    for number in (section.header_line + 1, section.header_line + 2):
        if 0 < number <= len(doc.lines) and doc.lines[number - 1].rstrip("\r") == section.started_at:
            return number
    return None


def _captured_at(reader: _Reader) -> tuple[str | None, int | None]:
    for section in reader.doc.sections:
        if section.started_at:
            return section.started_at, _timestamp_line(reader.doc, section)
    return _found(reader.first(r"date", r"^(\w{3} \w{3} {1,2}\d{1,2} \d\d:\d\d:\d\d \w{1,8} \d{4})$"))


def _pretty_name(pretty: str) -> tuple[str | None, str | None, str | None]:
    """``balenaOS 2.87.16+rev1`` / ``Resin OS 2.2.0+rev1 (dev)`` -> (name, version, variant):
    the last word is the version, an optional trailing ``(...)`` the variant."""
    text = pretty.strip()
    variant = None
    if text.endswith(")") and " (" in text:
        head, _, tail = text.rpartition(" (")
        if "(" not in tail and ")" not in tail[:-1]:
            text, variant = head.rstrip(), tail[:-1]
    parts = text.rsplit(None, 1)
    if len(parts) != 2 or not parts[0].strip():
        return None, None, None
    name, version = parts
    if version[:1] in "vV":
        version = version[1:]
    if not _search(r"\d[\w.+-]*", version, full=True):
        return None, None, None
    return name.strip(), version, variant or None


_TRUE = ("true", "yes", "1", "on")
_FALSE = ("false", "no", "0", "off")


def flag(value: Any) -> bool | None:
    """A boolean written by a human or a tool: ``true``, ``"true"``, ``"1"``, ``"on"``
    (any case) -> True; the opposites -> False; anything else unknown."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def _development_mode(reader: _Reader, config: dict[str, Any], config_section: Section | None,
                      release: dict[str, tuple[str, int]],
                      os_variant: tuple[str | None, int | None]) -> tuple[bool | None, int | None]:
    """``developmentMode`` in config.json (balenaOS >= 2.85, booleans sometimes written as
    strings), else the development/production image variant of older releases
    (os-release ``VARIANT``/``VARIANT_ID``, or a ``(dev)``/``(prod)`` PRETTY_NAME suffix)."""
    if "developmentMode" in config:
        value = flag(config["developmentMode"])
        if value is not None:
            return value, _json_key_line(reader, config_section, "developmentMode")
    candidates = [release.get("VARIANT_ID"), release.get("VARIANT")]
    if os_variant[0] is not None:
        candidates.append((os_variant[0], os_variant[1] or 0))
    for candidate in candidates:
        if candidate is None:
            continue
        text = candidate[0].strip().lower()
        if text in ("dev", "development"):
            return True, candidate[1]
        if text in ("prod", "production"):
            return False, candidate[1]
    return None, None


def extract_facts(doc: Document) -> dict[str, Any]:
    """Every fact in ``FACT_NAMES`` (``None`` where unknown); fills ``doc.fact_lines``."""
    reader = _Reader(doc)
    facts: dict[str, Any] = dict.fromkeys(FACT_NAMES)
    keep = reader.keep
    release = _os_release(reader)

    pretty = release.get("PRETTY_NAME")
    variant: tuple[str | None, int | None] = (None, None)
    if pretty:
        name, version, pretty_variant = _pretty_name(pretty[0][:MAX_LINE])
        keep(facts, "os.name", _value(name), pretty[1])
        keep(facts, "os.version", _value(version), pretty[1])
        variant = (_value(pretty_variant), pretty[1])
    if facts["os.version"] is None:
        for key in ("VERSION", "VERSION_ID"):
            if key in release and _value(release[key][0]):
                keep(facts, "os.version", _value(release[key][0]), release[key][1])
                break
    if facts["os.name"] is None and "NAME" in release:
        keep(facts, "os.name", _value(release["NAME"][0]), release["NAME"][1])
    if "VARIANT" in release and _value(release["VARIANT"][0]):
        keep(facts, "os.variant", _value(release["VARIANT"][0]), release["VARIANT"][1])
    else:
        keep(facts, "os.variant", variant[0], variant[1])

    config, config_section = _json_section(reader, r"cat /mnt/boot/config\.json.*")
    device_type_json, device_type_section = _json_section(reader, r"cat /mnt/boot/device-type\.json")
    device_type: tuple[Any, int | None] = (None, None)
    if "SLUG" in release:
        device_type = release["SLUG"]
    elif isinstance(config.get("deviceType"), str):
        device_type = (config["deviceType"], _json_key_line(reader, config_section, "deviceType"))
    elif isinstance(device_type_json.get("slug"), str):
        device_type = (device_type_json["slug"], _json_key_line(reader, device_type_section, "slug"))
    elif "MACHINE" in release:
        device_type = release["MACHINE"]
    keep(facts, "device.type", _value(device_type[0]), device_type[1])

    model: tuple[str | None, int | None] = (None, None)
    for number, text in reader.lines(r"cat /proc/device-tree/model"):
        if text.strip():
            model = (_value(text[:MAX_LINE].replace("\x00", "")), number)
            break
    if model[0] is None:
        model = _found(reader.first(r"cat /proc/cpuinfo", r"^Model[ \t]*+:[ \t]*+(.+)$"))
    if model[0] is None:
        model = _found(reader.first(r"dmesg(?: -T)?|journalctl .*", r"Machine model: (.+)",
                                    anywhere_in_plain=True, needle="Machine model: "))
    keep(facts, "device.model", _value(model[0]), model[1])

    uname, uname_line = _found(reader.first(r"uname -a", r"^(Linux .*)$"))
    arch, arch_line = _arch(reader, uname)
    keep(facts, "arch", _value(arch), arch_line or uname_line)
    kernel: tuple[str | None, int | None] = (None, None)
    if uname:
        parts = uname.split()
        if len(parts) > 2:
            kernel = (parts[2], uname_line)
    if kernel[0] is None:
        kernel = _found(reader.first(r"dmesg(?: -T)?", r"Linux version (\S+)",
                                     anywhere_in_plain=True, needle="Linux version"))
    keep(facts, "kernel.version", _value(kernel[0]), kernel[1])

    supervisor = reader.first(SUPERVISOR_LOGS, r"Supervisor (v?\d+\.\d+\.\d+\S*) starting up",
                              last=True, anywhere_in_plain=True, needle="starting up")
    if not supervisor:
        supervisor = reader.first(rf"{ENGINES} (?:images|ps -a)",
                                  r"(?:supervisor|balena_supervisor)\s*+:?\s+(v\d+\.\d+\.\d+\S*)")
    if not supervisor:
        supervisor = reader.first(rf"{ENGINES} (?:images|ps -a)", r"-supervisor:(v?\d+\.\d+\.\d+\S*)")
    value, line = _found(supervisor)
    keep(facts, "supervisor.version", _value(_strip_v(value)), line)

    engine = reader.first(rf"{ENGINES} --version",
                          r"(?:Docker|balena-engine|balenaEngine|Balena) version (\S+?),?(?:\s|$)")
    if not engine:
        engine = reader.first(r".*balenad.*", r'msg="Docker daemon".*\bversion=(\S+)',
                              anywhere_in_plain=True, needle="Docker daemon")
    value, line = _found(engine)
    keep(facts, "engine.version", _value(_strip_v(value)), line)

    for number, text in enumerate(doc.lines[:40], start=1):
        match = _search(r"^--- (?:diagnose|leech / diagnose)(?:\s++(\S+))?\s*+---\r?$", text)
        if match:
            keep(facts, "diagnose.version", _value(match.group(1)), number)
            break

    for number, text in reader.lines(r"uptime"):
        seconds = parse_uptime(text)
        if seconds is not None:
            keep(facts, "uptime.seconds", seconds, number)
            break

    percent, line = _disk_data_percent(reader)
    keep(facts, "disk.data.used_percent", percent, line)
    percent, line = _meminfo_percent(reader)
    keep(facts, "memory.available_percent", percent, line)
    synced = reader.first(r"timedatectl(?: status)?",
                          r"(?:System clock synchronized|NTP synchronized):[ \t]*+(yes|no)\b")
    value, line = _found(synced)
    keep(facts, "time.synchronized", value, line)
    mode, line = _development_mode(reader, config, config_section, release, variant)
    keep(facts, "development_mode", mode, line)
    value, line = _captured_at(reader)
    keep(facts, "captured_at", value, line)
    doc.fact_lines = reader.fact_lines
    return facts
