"""The Markdown triage report a support agent pastes into a ticket. No Textual here.

``build_report(doc, findings, bookmarks=..., templates=...)`` is used by
``triage report`` and by the TUI's export key, so both produce the same text.

Rules the output keeps:
* GitHub-flavoured Markdown that also reads as plain text: headings, short
  tables, lists, block quotes, fenced code. No HTML at all.
* Diagnostics text is untrusted: every line from the file goes through
  ``plain_text`` + ``printable`` (escape sequences shown escaped, never raw) and
  into a code span or a fenced block whose fence is longer than any backtick run
  inside it, so a line full of backticks cannot break out. Other text from the
  file (facts, section headers) is Markdown-escaped.
* Every evidence line carries its reference (``FILE#L1234``), the same format the
  TUI copies and ``triage FILE --goto`` opens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from importlib import metadata
from typing import Any
from urllib.parse import quote, urlsplit

from triagebench.parser import Document, plain_text, printable
from triagebench.parser.refs import file_label, format_ref

MAX_EVIDENCE_PER_FINDING = 12
MAX_LINE_CHARS = 400
MAX_TEMPLATES = 10

FACT_ROWS: tuple[tuple[str, str], ...] = (
    ("device.model", "Device"),
    ("device.type", "Device type"),
    ("arch", "Architecture"),
    ("os.version", "OS version"),
    ("os.variant", "OS variant"),
    ("kernel.version", "Kernel"),
    ("supervisor.version", "Supervisor"),
    ("engine.version", "Engine"),
    ("diagnose.version", "diagnose.sh"),
    ("uptime.seconds", "Uptime"),
    ("disk.data.used_percent", "Data partition used"),
    ("memory.available_percent", "Memory available"),
    ("time.synchronized", "Clock synchronised"),
)

_BACKTICKS_RE = re.compile(r"`+")
_MD_SPECIAL_RE = re.compile(r"([\\`*\[\]<|])|(?<!\w)_|_(?!\w)")
_STAMP_RE = re.compile(r"^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.\d+)?(?:\+00:00|Z)$")


# -- Markdown helpers ------------------------------------------------------------

def safe_text(text: str) -> str:
    """One line of untrusted text made printable (no escape sequences, no newlines)."""
    text = printable(plain_text(text))
    return text if len(text) <= MAX_LINE_CHARS else text[:MAX_LINE_CHARS] + " …"


def md_escape(text: str) -> str:
    """Escape the Markdown characters that would change how ``text`` renders
    (emphasis, links, code, tables, HTML tags); word-internal ``_`` and ``>`` (harmless
    without a ``<``) are left alone so plain-text readers see ``a->b``, not ``a-\\>b``."""
    return _MD_SPECIAL_RE.sub(lambda m: "\\" + m.group(0), safe_text(text))


def code_span(text: str) -> str:
    """``text`` as inline code, with a delimiter longer than any backtick run inside."""
    text = safe_text(text)
    longest = max((len(run) for run in _BACKTICKS_RE.findall(text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fenced(lines: Sequence[str], info: str = "text") -> str:
    """A fenced code block whose fence no line inside can close."""
    longest = max((len(run) for line in lines for run in _BACKTICKS_RE.findall(line)), default=0)
    fence = "`" * max(3, longest + 1)
    return "\n".join([f"{fence}{info}", *lines, fence])


def safe_url(url: str | None) -> str | None:
    """``url`` if it is http(s), with characters that would break a Markdown link quoted."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=":/?#@!$&'*+,;=%-._~")


def author_text(text: str) -> str:
    """Heuristic-author text (title, description, remedy): Markdown kept, HTML tags
    (``<``) and control characters neutralised."""
    text = printable(text.strip(), keep_tabs=True)
    return text.replace("<", "\\<")


def capture_time(value: Any) -> str | None:
    """``2022-05-02 16:03:41.105915487+00:00`` -> ``2022-05-02 16:03:41 UTC``."""
    if not value:
        return None
    match = _STAMP_RE.match(str(value))
    return f"{match.group(1)} {match.group(2)} UTC" if match else str(value)


def _fact_value(name: str, value: Any) -> str:
    if name == "uptime.seconds" and isinstance(value, int | float):
        seconds = int(value)
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes = rest // 60
        text = f"{days}d {hours}h {minutes}m" if days else f"{hours}h {minutes}m"
        return text
    if name.endswith("_percent") and isinstance(value, int | float):
        return f"{value:g} %"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _version() -> str:
    try:
        return metadata.version("triagebench")
    except metadata.PackageNotFoundError:
        return "dev"


# -- sections of the report ------------------------------------------------------

def _title(doc: Document) -> list[str]:
    name = file_label(doc)
    facts = doc.facts
    head = [f"# Triage report: {md_escape(name)}", ""]
    captured = capture_time(facts.get("captured_at"))
    os_text = " ".join(str(facts[k]) for k in ("os.name", "os.version") if facts.get(k))
    details = [f"Captured {captured}" if captured else "Capture time unknown"]
    if os_text:
        details.append(md_escape(os_text))
    details.append(f"{doc.line_count:,} lines")
    details.append(f"format {doc.format}")
    head.append(" · ".join(details))
    head.append("")
    head.append(f"Generated by triagebench {_version()}. References like "
                f"`{name}#L123` open in the workbench with `triage {name} --goto REF`.")
    return head


def _facts_table(doc: Document) -> list[str]:
    rows = [(label, _fact_value(name, doc.facts.get(name))) for name, label in FACT_ROWS
            if doc.facts.get(name) is not None]
    out = ["", "## Device", ""]
    if not rows:
        out.append("No device facts found (not a diagnostics file, or the sections that "
                   "carry them are missing).")
        return out
    out += ["| fact | value |", "|---|---|"]
    out += [f"| {label} | {md_escape(value)} |" for label, value in rows]
    return out


def _signal_summary(finding: Any) -> str:
    parts = []
    for name, result in finding.signals.items():
        value = {True: "true", False: "false", None: "unknown"}[result.value]
        text = f"{code_span(name)} = {value}"
        extra = []
        if result.observed is not None:
            extra.append(f"observed {code_span(str(result.observed))}")
        count = len(result.evidence) + result.truncated
        if result.value and count:
            extra.append(f"{count} line{'s' if count != 1 else ''}")
        if extra:
            text += f" ({', '.join(extra)})"
        parts.append(text)
    return "; ".join(parts)


def _evidence_block(doc: Document, finding: Any) -> list[str]:
    evidence = finding.evidence
    if not evidence:
        return []
    shown = evidence[:MAX_EVIDENCE_PER_FINDING]
    refs = [format_ref(doc, item.line) if item.line <= doc.line_count
            else f"{file_label(doc)}#L{item.line}" for item in shown]
    width = max(len(ref) for ref in refs)
    lines = [f"{ref.ljust(width)}  {safe_text(item.text)}" for ref, item in zip(refs, shown,
                                                                                  strict=True)]
    out = ["", "Evidence:", "", fenced(lines)]
    more = len(evidence) - len(shown) + sum(r.truncated for r in finding.signals.values()
                                            if r.value)
    if more:
        out += ["", f"… and {more:,} more matching line{'s' if more != 1 else ''} "
                    f"(open the file in the workbench to see them all)."]
    return out


def _findings(doc: Document, findings: Any) -> list[str]:
    matches = list(findings.matches) if findings is not None else []
    out = ["", f"## Findings ({len(matches)})", ""]
    if not matches:
        out.append("No known problem matched this file.")
    else:
        out += ["| # | severity | finding | fixed in |", "|---|---|---|---|"]
        for n, finding in enumerate(matches, 1):
            fixed = getattr(finding.heuristic, "fixed_in", None)
            draft = " (draft)" if finding.draft else ""
            out.append(f"| {n} | {finding.severity} | {md_escape(finding.title)}{draft} | "
                       f"{md_escape(str(fixed)) if fixed else ''} |")
    for n, finding in enumerate(matches, 1):
        out += ["", f"### {n}. [{finding.severity.upper()}] {author_text(finding.title)}", ""]
        facts = [f"- **Severity:** {finding.severity}",
                 f"- **Heuristic:** {code_span(finding.id)}"
                 + (" (draft, not reviewed)" if finding.draft else "")]
        url = safe_url(finding.permalink)
        if url:
            facts.append(f"- **Write-up:** <{url}>")
        fixed = getattr(finding.heuristic, "fixed_in", None)
        if fixed:
            facts.append(f"- **Fixed in:** {md_escape(str(fixed))}")
        facts.append(f"- **Signals:** {_signal_summary(finding)}")
        out += facts
        if finding.description:
            out += ["", author_text(finding.description)]
        if finding.remedy:
            out += ["", f"**Remedy:** {author_text(finding.remedy)}"]
        out += _evidence_block(doc, finding)
    errors = list(getattr(findings, "errors", []) or [])
    if errors:
        out += ["", "### Heuristics that could not be evaluated", ""]
        out += [f"- {code_span(e.heuristic)}: {md_escape(e.message)}" for e in errors]
    return out


def _template_fields(item: Any) -> tuple[str, int, list[int]]:
    """(template text, count, example line numbers) from a mining result, whatever its shape."""
    def pick(*names: str) -> Any:
        for name in names:
            if isinstance(item, dict) and name in item:
                return item[name]
            if hasattr(item, name):
                return getattr(item, name)
        return None

    text = pick("template", "text", "pattern")
    count = pick("count", "size", "occurrences")
    lines = pick("lines", "line_numbers", "examples", "example_lines")
    if isinstance(lines, int):
        lines = [lines]
    numbers = [n for n in (lines or []) if isinstance(n, int)]
    return str(text if text is not None else item), int(count or len(numbers) or 0), numbers


def _templates(doc: Document, templates: Iterable[Any]) -> list[str]:
    items = [_template_fields(t) for t in list(templates)[:MAX_TEMPLATES]]
    if not items:
        return []
    out = ["", "## Unexplained error lines (top templates)", "",
           "Error-like lines that no heuristic explains, grouped into templates "
           "(`<*>` stands for a varying part). Candidates for a new heuristic.", "",
           "| count | first seen | template |", "|---|---|---|"]
    for text, count, lines in items:
        where = code_span(format_ref(doc, lines[0])) if lines and lines[0] <= doc.line_count else ""
        out.append(f"| {count:,} | {where} | {code_span(text).replace('|', chr(92) + '|')} |")
    return out


def _bookmarks(doc: Document, bookmarks: Iterable[Any]) -> list[str]:
    marks = sorted(bookmarks, key=lambda b: b.line)
    marks = [b for b in marks if 1 <= b.line <= doc.line_count]
    if not marks:
        return []
    out = ["", f"## Bookmarks and notes ({len(marks)})"]
    for bookmark in marks:
        section = doc.section_at(bookmark.line)
        where = f" in {code_span(section.command)}" if section else ""
        out += ["", f"**{md_escape(format_ref(doc, bookmark.line))}**{where}", ""]
        note = (bookmark.note or "").strip()
        if note:
            out += ["> " + author_text(line) if line.strip() else ">"
                    for line in note.splitlines()]
            out.append("")
        out.append(fenced([safe_text(doc.line(bookmark.line))]))
    return out


def default_templates(doc: Document, findings: Any) -> list[Any]:
    """The top templates of the unexplained error-like lines (``heuristics.suspicious``
    minus every finding's evidence), mined with ``heuristics.mining``. Both are
    optional here: when either is missing the section is left out of the report."""
    try:
        from triagebench.heuristics.mining import mine_document
        from triagebench.heuristics.suspicious import unexplained
    except ImportError:
        return []
    try:
        lines = unexplained(doc, findings)
        return list(mine_document(doc, lines=lines))[:MAX_TEMPLATES] if lines else []
    except Exception:  # noqa: BLE001 - an optional section never breaks the report
        return []


def build_report(doc: Document, findings: Any, *, bookmarks: Iterable[Any] = (),
                 templates: Iterable[Any] | None = None) -> str:
    """The Markdown report for ``doc``: title, device facts, findings by severity with
    evidence references, top unexplained templates (``templates``; ``None`` = mine them
    when the miner is available), then bookmarks and notes."""
    if templates is None:
        templates = default_templates(doc, findings)
    parts = _title(doc) + _facts_table(doc) + _findings(doc, findings)
    parts += _templates(doc, templates) + _bookmarks(doc, bookmarks)
    return "\n".join(parts).rstrip() + "\n"


__all__ = ["build_report", "code_span", "default_templates", "fenced", "md_escape", "safe_url"]
