"""The header line: what device this is, in one or two rows, before anything else.

A support agent's first question is "what am I looking at": model/type, OS,
supervisor, engine, kernel, uptime, when the capture was taken and which file.
Values come from ``Document.facts`` (untrusted text, so shown through
``printable``); a missing fact is simply left out rather than shown as "None".
"""

from __future__ import annotations

import os
from typing import Any

from textual.content import Content
from textual.widgets import Static
from triagebench.parser import Document, printable
from triagebench.services.integrity import file_warnings, is_truncated
from triagebench.services.labels import format_capture_time, format_uptime

MAX_VALUE = 48


def format_captured(value: Any) -> str | None:
    """``2022-05-02 16:03:41.105915487+00:00`` -> ``2022-05-02 16:03 UTC`` (minutes are enough)."""
    text = _clean(value)
    return format_capture_time(text, seconds=False) if text is not None else None


def _clean(value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = printable(str(value)).strip()
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def fact_items(document: Document) -> list[tuple[str, str]]:
    """(label, value) pairs in display order, known facts only."""
    facts = document.facts
    device = _clean(facts.get("device.model"))
    dtype = _clean(facts.get("device.type"))
    if device and dtype:
        device = f"{device} ({dtype})"
    os_text = " ".join(x for x in (_clean(facts.get("os.name")), _clean(facts.get("os.version")))
                       if x)
    variant = _clean(facts.get("os.variant"))
    if os_text and variant:
        os_text = f"{os_text} {variant}"
    items = [
        ("device", device or dtype),
        ("os", os_text or None),
        ("supervisor", _clean(facts.get("supervisor.version"))),
        ("engine", _clean(facts.get("engine.version"))),
        ("kernel", _clean(facts.get("kernel.version"))),
        ("up", format_uptime(facts.get("uptime.seconds"))),
        ("captured", format_captured(facts.get("captured_at"))),
    ]
    return [(label, value) for label, value in items if value]


class FactsHeader(Static):
    """One or two rows of device facts plus the file name and size."""

    DEFAULT_CSS = """
    FactsHeader {
        height: 2;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(Content("triage"), id=id, classes=classes)

    def show_loading(self, path: str) -> None:
        """Before the document exists: the file name and a hint that it is loading."""
        name = printable(os.path.basename(path) or path)
        self.update(Content.assemble((name, "bold"), ("  loading…", "$text-muted")))

    def show_document(self, document: Document) -> None:
        """Render the facts of ``document``."""
        name = printable(os.path.basename(document.path) or document.path)
        parts: list[Content | tuple[str, str] | str] = [(name, "bold $accent")]
        parts.append((f" {document.line_count:,} lines", "$text-muted"))
        warnings = file_warnings(document)
        if warnings:  # a cut or damaged capture: said where the eye starts, never cut off
            label = "TRUNCATED" if is_truncated(warnings) else "FILE WARNING"
            parts.append((" ", ""))
            parts.append((f" {label} ", "bold $background on $warning"))
        for label, value in fact_items(document):
            parts.append(("  │ ", "$text-muted"))
            parts.append((f"{label} ", "$text-muted"))
            parts.append((value, "bold"))
        if document.format == "plain-log":
            parts.append(("  │ plain log (no diagnostics sections)", "$text-muted"))
        warnings = file_warnings(document)
        if warnings:  # the whole first warning last: the facts come first
            more = f" (+{len(warnings) - 1} more)" if len(warnings) > 1 else ""
            parts.append((f"  │ {printable(warnings[0])}{more}", "$warning"))
        self.update(Content.assemble(*parts))
