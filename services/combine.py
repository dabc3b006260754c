"""Several inputs of one capture -> one Document, so they feed one set of findings.

balena's dashboard gives two files for a device: the diagnostics text and the
health checks JSON (``checks.sh``). Read apart, a failed health check and the
kernel lines that explain it land in two reports; ``combine`` appends each
health-checks Document's sections (category ``CHECKS``) after the diagnostics
Document's own lines, so heuristics, the findings list, the report and the TUI
tree see one capture.

The diagnostics file keeps its line numbers (evidence ``L1234`` still points into
it, and its stored session still applies: the combined Document keeps its path);
health-check lines follow, numbered on from the diagnostics file's last line.
"""

from __future__ import annotations

from collections.abc import Sequence

from triagebench.parser import Document, Section, Stream
from triagebench.parser.checks import FORMAT as CHECKS_FORMAT

EPILOGUE = "epilogue"


def is_checks(document: Document) -> bool:
    """True for a balena health-checks Document (``parser/checks.py``)."""
    return document.format == CHECKS_FORMAT


def _shifted(stream: Stream, offset: int) -> Stream:
    return Stream(span=(stream.span[0] + offset, stream.span[1] + offset),
                  first_line=stream.first_line + offset if stream.count else 0,
                  count=stream.count,
                  overrides={n + offset: text for n, text in stream.overrides.items()})


def combine(primary: Document, extras: Sequence[Document]) -> Document:
    """``primary`` with every section of ``extras`` appended (a new Document).

    ``extras`` are health-checks Documents of the same capture; their preamble
    line becomes an epilogue line of the combined file. Facts the primary does
    not know (``diagnose.version``) are taken from the extras; their warnings
    are kept, prefixed with the input they came from.
    """
    if not extras:
        return primary
    lines = list(primary.lines)
    sections = list(primary.sections)
    places = list(primary.places)
    facts = dict(primary.facts)
    warnings = list(primary.warnings)
    size = primary.size_bytes
    for extra in extras:
        offset = len(lines)
        base = len(sections)
        lines.extend(extra.lines)
        for section in extra.sections:
            sections.append(Section(
                index=base + section.index, command=section.command, key=section.key,
                category=section.category, header_line=section.header_line + offset,
                stdout=_shifted(section.stdout, offset),
                stderr=_shifted(section.stderr, offset) if section.stderr else None,
                started_at=section.started_at, exit_status=section.exit_status,
                signal=section.signal, timing=section.timing,
                is_category_marker=section.is_category_marker))
        for first, last, kind, index in extra.places:
            places.append((first + offset, last + offset,
                           EPILOGUE if index < 0 else kind, base + index if index >= 0 else -1))
        for name, value in extra.facts.items():
            if facts.get(name) is None and value is not None:
                facts[name] = value
        warnings.extend(f"{extra.path}: {warning}" for warning in extra.warnings)
        size += extra.size_bytes
    return Document(path=primary.path, format=primary.format, lines=lines, sections=sections,
                    facts=facts, places=places, warnings=warnings, final_newline=True,
                    replaced_chars=primary.replaced_chars, size_bytes=size)


def group_captures(documents: Sequence[Document]) -> list[list[Document]]:
    """Which documents form one capture, in input order.

    With exactly one diagnostics input and one or more health-checks inputs, they
    are one capture (``triage scan diag.txt checks.json``, or a ticket's zip
    holding both). Otherwise every input stands alone (``triage scan a.txt b.txt``
    scans two devices)."""
    texts = [d for d in documents if not is_checks(d)]
    checks = [d for d in documents if is_checks(d)]
    if len(texts) == 1 and checks:
        return [[texts[0], *checks]]
    return [[d] for d in documents]


__all__ = ["combine", "group_captures", "is_checks"]
