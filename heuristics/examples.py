"""Running a heuristic's embedded ``[[examples]]`` (``triage heuristics test``).

Each example becomes a tiny ``Document`` built directly (no text round trip):
one section per ``[examples.sections]`` key, in the order written, whose stdout
is the listed lines, plus the ``[examples.stderr]`` lines as that section's
stderr (a key only under ``stderr`` gets a section with empty stdout). A key
``echo === NAME ===`` is a category marker, exactly as in a real file: the
sections after it get category NAME, so ``category:`` selectors can be tested.
A single section keyed ``log`` makes a ``plain-log`` document. Facts are what
the parser extracts from those sections, overridden by the example's
``facts``; every other fact is unknown (None).

Time: the example's ``captured`` is the document's capture time and every
section's run time (so live command output is stamped with it). Without it, the
capture is one minute after the latest stamp in the example's lines; yearless
journal stamps are read in the year of the latest stamp that has a year (else in
``parser.times.PROVISIONAL_YEAR``). With no stamp at all there is no capture
time: ``within`` and ``active_within`` then cannot exclude anything.
An example may also expect the finding's ``status`` and shown ``severity``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from triagebench.parser import FACT_NAMES, Document, Section, Stream
from triagebench.parser.facts import extract_facts
from triagebench.parser.keys import category_of_marker
from triagebench.parser.times import JOURNAL, PROVISIONAL_YEAR, RUN

from .evaluate import DEFAULT_TIMEOUT, evaluate
from .format import Example, Heuristic, Library
from .model import Finding, HeuristicError


def example_document(example: Example, name: str = "<example>") -> Document:
    """The tiny Document an example describes (see the module docstring)."""
    keys = list(example.sections)
    keys += [k for k in example.stderr if k not in example.sections]
    lines: list[str] = []
    sections: list[Section] = []
    places: list[tuple[int, int, str, int]] = []
    category: str | None = None
    plain = keys == ["log"]
    for index, key in enumerate(keys):
        output = example.sections.get(key, [])
        if plain:
            first = len(lines) + 1
            lines.extend(output)
            stream = Stream(span=(first, max(first, len(lines))), first_line=first, count=len(output))
            header = 0
        else:
            lines.append(f"--- {key} ---")
            header = len(lines)
            first = len(lines) + 1
            lines.extend(output)
            stream = Stream(span=(header, len(lines)), first_line=first, count=len(output))
        marker = category_of_marker(key)
        if marker:
            category = marker
        section = Section(index=index, command=key, key=key, category=marker or category,
                          header_line=header, stdout=stream, is_category_marker=marker is not None)
        sections.append(section)
        places.append((stream.span[0], stream.span[1], "stdout", index))
    if example.stderr:
        lines.append("STDERR:")
        places.append((len(lines), len(lines), "preamble", -1))
        for section in sections:
            err = example.stderr.get(section.key)
            if not err:
                continue
            lines.append(f"--- {section.key} ---")
            header = len(lines)
            lines.extend(err)
            section.stderr = Stream(span=(header, len(lines)), first_line=header + 1, count=len(err))
            places.append((header, len(lines), "stderr", section.index))
    document = Document(path=name, format="plain-log" if plain else "balena-diagnostics",
                        lines=lines, sections=sections, facts={}, places=places)
    facts = dict.fromkeys(FACT_NAMES)
    # A fact extractor tripping on a tiny document must not fail the example.
    with contextlib.suppress(Exception):
        facts.update({k: v for k, v in extract_facts(document).items() if v is not None})
    facts.update(example.facts)
    document.facts = facts
    captured = example.captured or _default_capture(document)
    if captured is not None:
        stamp = captured.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00:00")
        for section in sections:
            section.started_at = stamp
    document.set_capture_time(captured)
    return document


def _latest(document: Document, with_year: bool) -> datetime | None:
    latest = None
    skip = (RUN, JOURNAL) if with_year else (RUN,)
    for number in range(1, document.line_count + 1):
        found = document.line_time(number)
        if found is not None and found.when is not None and found.source not in skip \
                and (latest is None or found.when > latest):
            latest = found.when
    return latest


def _default_capture(document: Document) -> datetime | None:
    """One minute after the latest stamp (yearless stamps read in the year of the latest stamp
    with a year, else ``PROVISIONAL_YEAR``); None when no line has a stamp."""
    document.set_capture_time(None)  # pass 1: only stamps that carry their year
    with_year = _latest(document, True)
    reference = with_year or datetime(PROVISIONAL_YEAR, 12, 31, 23, 59, 59, tzinfo=UTC)
    document.set_capture_time(reference + timedelta(days=1) if with_year is None else reference)
    latest = _latest(document, False)
    return latest + timedelta(minutes=1) if latest is not None else None


@dataclass(slots=True)
class ExampleResult:
    """One example's outcome: expected vs got, and why when it failed."""

    heuristic: Heuristic
    example: Example
    got: bool | None
    finding: Finding | None = None
    errors: list[HeuristicError] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.got is not None and self.got == self.example.matches and not self._mismatch()

    def _mismatch(self) -> str:
        """What differs from the expected ``status`` / ``severity`` ("" when nothing)."""
        finding, example = self.finding, self.example
        if finding is None:
            return ""
        if example.status is not None and finding.status != example.status:
            return f"expected status {example.status}, but it is {finding.status}"
        if example.severity is not None and finding.severity != example.severity:
            return f"expected severity {example.severity}, but it is {finding.severity}"
        return ""

    def describe(self) -> str:
        """``FILE: examples[N]: ...`` one line for a failure."""
        label = f"examples[{self.example.number}]"
        if self.example.name:
            label += f" ({self.example.name})"
        if self.errors:
            return f"{self.heuristic.source}: {label}: error: {self.errors[0].message}"
        if self.got and self.example.matches and self._mismatch():
            return f"{self.heuristic.source}: {label}: {self._mismatch()}"
        want = "match" if self.example.matches else "no match"
        got = "matched" if self.got else "did not match"
        return f"{self.heuristic.source}: {label}: expected {want}, but it {got}"


def run_example(heuristic: Heuristic, example: Example,
                timeout: float = DEFAULT_TIMEOUT) -> ExampleResult:
    document = example_document(example, f"{heuristic.source}#examples[{example.number}]")
    findings = evaluate(document, [heuristic], timeout=timeout)
    if findings.errors:
        return ExampleResult(heuristic, example, None, errors=list(findings.errors))
    finding = findings.matches[0] if findings.matches else None
    return ExampleResult(heuristic, example, finding is not None, finding=finding)


def run_examples(library: Library, timeout: float = DEFAULT_TIMEOUT) -> list[ExampleResult]:
    """Every embedded example of every heuristic, in library order."""
    return [run_example(h, e, timeout) for h in library.heuristics for e in h.examples]


__all__ = ["ExampleResult", "example_document", "run_example", "run_examples"]
