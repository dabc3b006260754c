"""balena device health checks (``checks.sh`` JSON) -> a ``Document`` heuristics can read.

``scripts/checks.sh`` in balena-io-modules/device-diagnostics prints either

* the combined object ``{"diagnose_version": "4.23.1", "checks": [{"name",
  "success", "status"}, ...]}`` (one compact line, what the dashboard stores), or
* the raw stream of its pieces: ``{"diagnose_version": ...}`` then one
  ``[{"name", "success", "status"}]`` array per check (``log_status``).

Statuses may hold newlines (composite checks: ``"Some networking issues
detected: \\ntest_upstream_dns: ..."``). Each check becomes one section keyed
``checks.sh: <name>`` (category ``CHECKS``) whose output lines are
``success: true|false`` and then the status text, one line per status line, so
bundled heuristics match failed checks with ordinary ``in``/``regex`` signals.

The Document's lines are this rendering, not the JSON text (line numbers in
evidence point into it). A JSON input that is not health checks is an
``InputError``: reading it as a one-line log would report a false all-clear.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .document import STDOUT, Document, Section, Stream
from .errors import InputError
from .facts import FACT_NAMES

FORMAT = "health-checks"
CATEGORY = "CHECKS"
KEY_PREFIX = "checks.sh: "
PREAMBLE = "balena device health checks (checks.sh)"
NO_STATUS = "(no status text)"
HINT_BYTES = 4096
MAX_CHECKS = 10_000
EXPECTED = ('expected checks.sh output: {"diagnose_version": ..., "checks": '
            '[{"name", "success", "status"}, ...]}')


@dataclass(frozen=True, slots=True)
class Check:
    """One health check result as checks.sh reports it."""

    name: str
    success: bool
    status: str


def section_key(name: str) -> str:
    """The section key of check ``name`` (``checks.sh: check_timesync``)."""
    return KEY_PREFIX + name


MAX_JSON_BYTES = 64 << 20
"""Larger inputs are not tried as JSON (health checks are kilobytes; a big log may start with ``[``)."""


def looks_like_json(lines: list[str], size_bytes: int = 0) -> bool:
    """True when the first non-blank character of the input opens a JSON object or array.

    An input over ``MAX_JSON_BYTES`` counts only when its start names health-check keys.
    """
    if size_bytes > MAX_JSON_BYTES:
        head = "\n".join(lines[:20])[:HINT_BYTES]
        if '"diagnose_version"' not in head and '"checks"' not in head:
            return False
    for line in lines[:50]:
        stripped = line.lstrip("\ufeff \t\r")
        if stripped:
            return stripped[0] in "{["
    return False


def _values(text: str) -> list[Any]:
    """Every JSON value of a whitespace-separated stream (``JSONDecodeError``, RecursionError)."""
    decoder = json.JSONDecoder(strict=False)  # a status pasted with raw newlines still reads
    values: list[Any] = []
    index = 0
    length = len(text)
    while True:
        while index < length and text[index] in " \t\r\n\ufeff":
            index += 1
        if index >= length:
            return values
        value, index = decoder.raw_decode(text, index)
        values.append(value)


def _check(entry: Any) -> Check | None:
    """A check from one ``{"name", "success", "status"}`` entry; None when it is not one."""
    if not isinstance(entry, dict):
        return None
    name, success, status = entry.get("name"), entry.get("success"), entry.get("status", "")
    if not isinstance(name, str) or not name.strip():
        return None
    if isinstance(success, str) and success.lower() in ("true", "false"):
        success = success.lower() == "true"
    if not isinstance(success, bool):
        return None
    if status is None:
        status = ""
    elif not isinstance(status, str):
        status = json.dumps(status, ensure_ascii=False)
    return Check(name.strip(), success, status)


def extract(values: list[Any]) -> tuple[str | None, list[Any]] | None:
    """``(diagnose_version, raw entries)`` of checks.sh output in either shape, else None."""
    version: str | None = None
    entries: list[Any] = []
    recognised = False
    for value in values:
        if isinstance(value, dict):
            known = {"diagnose_version", "checks"} & set(value)
            if not known:
                return None
            if "diagnose_version" in value:
                version = str(value["diagnose_version"])[:64]
                recognised = True
            if "checks" in value:
                if not isinstance(value["checks"], list):
                    return None
                entries.extend(value["checks"])
                recognised = True
        elif isinstance(value, list):
            if not all(isinstance(e, dict) and "name" in e and "success" in e for e in value):
                return None
            entries.extend(value)
            recognised = recognised or bool(value)
        else:
            return None
    return (version, entries) if recognised else None


def read_checks(lines: list[str], name: str) -> tuple[str | None, list[Check], int]:
    """Parse checks.sh output: ``(diagnose_version, checks, skipped entries)`` or ``InputError``."""
    text = "\n".join(lines)
    try:
        values = _values(text)
    except RecursionError:
        raise InputError(name, "JSON nested too deeply to be health checks") from None
    except ValueError as exc:  # JSONDecodeError, or an integer past the digit limit
        if "diagnose_version" in text[:HINT_BYTES] or '"checks"' in text[:HINT_BYTES]:
            raise InputError(name, f"health checks JSON is malformed ({_one_line(exc)})") from None
        raise
    found = extract(values)
    if found is None:
        raise InputError(name, f"is JSON but not balena health checks ({EXPECTED})")
    version, entries = found
    if len(entries) > MAX_CHECKS:
        raise InputError(name, f"refused: {len(entries):,} health checks (limit {MAX_CHECKS:,})")
    checks = [c for c in (_check(e) for e in entries) if c is not None]
    if not checks:
        raise InputError(name, f"holds no readable health check ({EXPECTED})")
    return version, checks, len(entries) - len(checks)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def checks_document(checks: list[Check], *, path: str, version: str | None,
                    size_bytes: int = 0, skipped: int = 0) -> Document:
    """The Document of a list of checks (see the module docstring for its layout)."""
    lines = [PREAMBLE + (f", diagnose_version {version}" if version else "")]
    places: list[tuple[int, int, str, int]] = [(1, 1, "preamble", -1)]
    sections: list[Section] = []
    for index, check in enumerate(checks):
        key = section_key(check.name)
        lines.append(f"--- {key} ---")
        header = len(lines)
        lines.append(f"success: {'true' if check.success else 'false'}")
        status = check.status.replace("\r\n", "\n")
        lines.extend(status.split("\n") if status.strip() else [NO_STATUS])
        stream = Stream(span=(header, len(lines)), first_line=header + 1,
                        count=len(lines) - header)
        sections.append(Section(index=index, command=key, key=key, category=CATEGORY,
                                header_line=header, stdout=stream))
        places.append((header, len(lines), STDOUT, index))
    warnings = []
    if skipped:
        warnings.append(f"{skipped} health check entr{'y' if skipped == 1 else 'ies'} without "
                        "a name and a true/false success were skipped")
    facts: dict[str, Any] = dict.fromkeys(FACT_NAMES)
    facts["diagnose.version"] = version
    return Document(path=path, format=FORMAT, lines=lines, sections=sections, facts=facts,
                    places=places, warnings=warnings, final_newline=True, size_bytes=size_bytes)


def parse_checks(lines: list[str], *, path: str, size_bytes: int = 0) -> Document:
    """checks.sh output (either shape) -> Document; ``InputError`` for any other JSON.

    Raises ``ValueError`` (not ``InputError``) when the text is not JSON at all and
    does not look like health checks, so the caller can read it as a text log.
    """
    version, checks, skipped = read_checks(lines, path)
    return checks_document(checks, path=path, version=version, size_bytes=size_bytes,
                           skipped=skipped)


__all__ = [
    "CATEGORY", "FORMAT", "KEY_PREFIX", "Check", "checks_document", "extract", "looks_like_json",
    "parse_checks", "read_checks", "section_key",
]
