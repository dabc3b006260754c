"""``triage scan FILE... [--heuristics DIR]... [--no-builtin] [--drafts DIR]...
[--format text|json|markdown] [--fail-on SEVERITY]``: match heuristics, report findings.

Output formats:

* ``text`` (default): per file a header (format, size, key facts), the device state at
  capture (a compact block: verdict, sentence, one line per failed/degraded item with its
  evidence line), then the active findings grouped by severity, then the recovered and
  historical ones under their own heading; each with title, status and when it was seen
  ("active, last seen 3 min before capture, 12 events"), permalink, every signal's value
  (``unknown`` included), evidence lines as ``L1234  <section key>  <text>`` and the remedy.
* ``json``: the contract in ``docs/json-outputs.md``. One file -> one object; several files -> a
  JSON list of those objects, in argument order. A file that cannot be read
  appears in the list as ``{"file": ..., "error": "..."}``.
* ``markdown``: per file the state-at-capture table, a compact findings table (status and
  last seen included) plus each finding's evidence, for tickets.

Inputs: a FILE may be ``-`` (standard input), compressed (gz, xz, bz2, zst) or a zip
archive, each member reported as ``archive.zip:member``. A diagnostics file and
balena health checks (``checks.json``) of the same capture are one analysis: when
the inputs hold exactly one diagnostics file and one or more health-checks files
(``triage scan diag.txt checks.json``, or a zip holding both), they give one set of
findings and one report (``services.combine``); otherwise each input stands alone.

Exit codes (``docs/exit-codes.md``): 0 scanned; 1 a match at or above ``--fail-on`` (drafts included);
2 bad input or usage — a missing heuristics folder, or any FILE that cannot be
read (the other files are still scanned and reported; one line per bad file on
stderr). Heuristic files that fail to load are skipped with one line each on
stderr; the scan goes on. All diagnostics text is passed through
``printable()`` before it reaches the terminal.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from triagebench.cli.common import InputError, fail
from triagebench.cli.crash import set_current_file
from triagebench.cli.options import add_library_options, library_options
from triagebench.heuristics.model import SEVERITIES, Finding, Findings, severity_at_least
from triagebench.parser import Document, printable
from triagebench.services import library as library_policy
from triagebench.services.analysis import DEFAULT_TIMEOUT, AnalysisOptions, analyse, read_inputs
from triagebench.services.combine import group_captures
from triagebench.services.finding_status import (
    INACTIVE_HEADING,
    split_active,
    status_line,
    summary_text,
)
from triagebench.services.integrity import file_warnings
from triagebench.services.labels import HEADLINE_FACTS
from triagebench.services.render_json import SCAN_SCHEMA, write_json
from triagebench.services.render_markdown import cell, code_span, fenced, safe_url
from triagebench.services.render_state import state_table, state_text
from triagebench.services.state import DeviceState

TEXT_EVIDENCE_LIMIT = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="diagnostics file(s) or any text log")
    add_library_options(parser)
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    parser.add_argument("--fail-on", choices=SEVERITIES, default=None, metavar="SEVERITY",
                        help="exit 1 when a match is this severe or worse "
                             f"({' | '.join(SEVERITIES)})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"per-heuristic regex time budget (default {DEFAULT_TIMEOUT:g})")


# -- JSON ---------------------------------------------------------------------

def scan_dict(document: Document, findings: Findings, state: DeviceState,
              inputs: tuple[str, ...] = ()) -> dict[str, Any]:
    """The ``scan --format json`` contract for one capture (``docs/json-outputs.md``)."""
    return {
        "schema": SCAN_SCHEMA,
        "file": document.path,
        "inputs": list(inputs or (document.path,)),
        "format": document.format,
        "facts": document.facts,
        "state": state.as_dict(),
        "warnings": file_warnings(document),
        "matches": [{**f.as_dict(), "source": library_policy.source_label(f.source)}
                    for f in findings.matches],
        "errors": [e.as_dict() for e in findings.errors],
    }


# -- text ---------------------------------------------------------------------

def _value(value: bool | None) -> str:
    return "unknown" if value is None else ("true" if value else "false")


def _signals_line(finding: Finding) -> str:
    parts = []
    for name, result in finding.signals.items():
        text = f"{name}={_value(result.value)}"
        if result.observed is not None:
            text += f" ({result.observed})"
        parts.append(text)
    return ", ".join(parts)


def _evidence_lines(finding: Finding, limit: int | None) -> tuple[list[str], int]:
    evidence = finding.evidence
    more = sum(r.truncated for r in finding.signals.values() if r.value)
    shown = evidence if limit is None else evidence[:limit]
    more += len(evidence) - len(shown)
    return [f"L{e.line}  {e.section}  {e.text}" for e in shown], more


def _headline(document: Document) -> str:
    facts = ", ".join(f"{name} {document.facts[name]}" for name in HEADLINE_FACTS
                      if document.facts.get(name) is not None)
    return (f"{document.path}  ({document.format}, {document.line_count:,} lines"
            + (f"; {facts}" if facts else "") + ")")


def _also(document: Document, inputs: tuple[str, ...]) -> list[str]:
    """The other inputs combined into ``document`` (its health checks)."""
    return [name for name in inputs if name != document.path]


def _text_finding(finding: Finding, capture: datetime | None, prefix: str = "") -> list[str]:
    draft = " [draft]" if finding.draft else ""
    out = [f"  {prefix}{finding.id}{draft}: {finding.title}",
           f"    {status_line(finding, capture)}",
           f"    {finding.permalink}",
           f"    signals: {_signals_line(finding)}"]
    lines, more = _evidence_lines(finding, TEXT_EVIDENCE_LIMIT)
    out.extend(f"    {line}" for line in lines)
    if more:
        out.append(f"    … {more} more matching line(s)")
    if finding.remedy:
        out.append(f"    remedy: {' '.join(finding.remedy.split())}")
    return out


def render_text(document: Document, findings: Findings, state: DeviceState,
                inputs: tuple[str, ...] = ()) -> list[str]:
    """Plain-text report lines (still untrusted: the caller passes them through printable)."""
    out = [_headline(document)]
    out.extend(f"  + health checks: {name}" for name in _also(document, inputs))
    out += [f"  warning: {warning}" for warning in file_warnings(document)]
    out.extend(state_text(state))
    if not findings.matches:
        out.append("  no known problem matched")
    else:
        out.append(f"Findings: {summary_text(findings)}")
    active, inactive = split_active(findings.matches)
    for severity in SEVERITIES:
        group = [f for f in active if f.severity == severity]
        if not group:
            continue
        out.append(f"{severity.upper()} ({len(group)})")
        for finding in group:
            out += _text_finding(finding, findings.capture_time)
    if inactive:
        out.append(f"{INACTIVE_HEADING} ({len(inactive)})")
        for finding in inactive:
            out += _text_finding(finding, findings.capture_time, f"{finding.severity.upper()}  ")
    for error in findings.errors:
        out.append(f"  error: {error.heuristic}: {error.message}")
    counts = [f"{sum(f.severity == s for f in findings.matches)} {s}" for s in SEVERITIES
              if any(f.severity == s for f in findings.matches)]
    out.append(f"  {len(findings.matches)} finding(s)" + (f": {', '.join(counts)}" if counts else "")
               + (f"; {len(findings.errors)} heuristic error(s)" if findings.errors else ""))
    return out


# -- markdown -----------------------------------------------------------------

def _cell(text: str) -> str:
    return cell(text)


def render_markdown(document: Document, findings: Findings, state: DeviceState,
                    inputs: tuple[str, ...] = ()) -> list[str]:
    """The state-at-capture table, a compact findings table (active first, then recovered /
    historical) plus each finding's evidence (all text printable-escaped)."""
    out = [f"## {_cell(Path(document.path).name)}", "",
           f"{code_span(document.path)}: {document.format}, {document.line_count:,} lines", ""]
    also = _also(document, inputs)
    if also:
        out += ["Health checks: " + ", ".join(code_span(name) for name in also), ""]
    facts = [(n, document.facts.get(n)) for n in HEADLINE_FACTS]
    facts = [(n, v) for n, v in facts if v is not None]
    if facts:
        out.append(" · ".join(f"**{n}** {_cell(str(v))}" for n, v in facts))
        out.append("")
    warnings = file_warnings(document)
    if warnings:
        out += [f"> **Warning:** {_cell(warning)}" for warning in warnings] + [""]
    out += ["### State at capture", "", *state_table(state), ""]
    capture = findings.capture_time
    if not findings.matches:
        out.append("No known problem matched.")
    else:
        active, inactive = split_active(findings.matches)
        out += [f"### Findings: {_cell(summary_text(findings))}", "",
                "| severity | heuristic | title | status | evidence |", "|---|---|---|---|---|"]
        for f in active + inactive:
            lines = ", ".join(f"L{e.line}" for e in f.evidence[:5])
            if len(f.evidence) > 5:
                lines += ", …"
            url = safe_url(f.permalink)
            link = f"[{_cell(f.id)}]({url})" if url else _cell(f.id)
            out.append(f"| {f.severity} | {link} | {_cell(f.title)} | "
                       f"{_cell(status_line(f, capture))} | {lines} |")
        for f in active + inactive:
            out += ["", f"#### {_cell(f.title)} ({f.severity}, {f.status})", "",
                    f"Status: {_cell(status_line(f, capture))}", "",
                    f"Signals: {_cell(_signals_line(f))}"]
            if f.remedy:
                out += ["", f"Remedy: {_cell(' '.join(f.remedy.split()))}"]
            lines, more = _evidence_lines(f, 20)
            if lines:
                out += ["", fenced(lines)]
            if more:
                out.append(f"… {more} more matching line(s)")
    if findings.errors:
        out += ["", "Heuristic errors:", ""]
        out += [f"- {code_span(e.heuristic)}: {_cell(e.message)}" for e in findings.errors]
    out.append("")
    return out


# -- run ----------------------------------------------------------------------

def _write(lines: list[str]) -> None:
    sys.stdout.write("".join(printable(line) + "\n" for line in lines))


def _read_all(paths: list[str]) -> list[Document | InputError]:
    """Every input of every path, in argument order (zip members one by one)."""
    entries: list[Document | InputError] = []
    for path in paths:
        set_current_file(path)  # an internal error names this file (cli/crash.py)
        try:
            entries.extend(read_inputs(path))
        except InputError as exc:
            entries.append(exc)
    return entries


def run(args: argparse.Namespace) -> int:
    options = AnalysisOptions(library_options(args), timeout=args.timeout, unexplained=False)
    try:
        library_policy.check_dirs(options.library)
    except library_policy.LibraryError as exc:
        return fail(f"triage scan: {printable(str(exc))}")
    if not args.timeout > 0:
        return fail("triage scan: --timeout must be greater than 0")
    library = library_policy.load(options.library)
    for problem in library.problems:
        print(f"skipped: {printable(str(problem))}", file=sys.stderr)
    entries = _read_all(args.files)
    groups = group_captures([e for e in entries if not isinstance(e, InputError)])
    capture_of = {id(group[0]): group for group in groups}
    bad_input = False
    failing = False
    results: list[dict[str, Any]] = []
    shown = 0
    for entry in entries:
        if isinstance(entry, InputError):
            print(printable(str(entry)), file=sys.stderr)
            bad_input = True
            results.append({"schema": SCAN_SCHEMA, "file": entry.path, "error": str(entry)})
            continue
        group = capture_of.get(id(entry))
        if group is None:
            continue  # health checks combined into the capture's diagnostics file
        set_current_file(entry.path)  # an internal error names this file (cli/crash.py)
        analysis = analyse(group, options, library=library)
        document, findings, inputs = analysis.document, analysis.findings, analysis.inputs
        state = analysis.state
        if args.fail_on and any(severity_at_least(f.severity, args.fail_on) for f in findings.matches):
            failing = True
        if args.format == "json":
            results.append(scan_dict(document, findings, state, inputs))
        elif args.format == "markdown":
            _write(render_markdown(document, findings, state, inputs))
        else:
            if shown:
                _write([""])
            _write(render_text(document, findings, state, inputs))
        shown += 1
    if args.format == "json":
        single = len(results) == 1 and len(args.files) == 1
        payload: Any = results[0] if len(results) == 1 else results
        if not (single and bad_input):
            write_json(payload)
    if bad_input:
        return 2
    return 1 if failing else 0
