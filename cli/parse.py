"""``triage parse FILE [--json]``: the structured document (sections, facts)."""

from __future__ import annotations

import argparse
from typing import Any

from triagebench.cli.common import InputError, fail, load_document
from triagebench.parser import Document, printable
from triagebench.services.render_json import PARSE_SCHEMA, write_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="diagnostics file")
    parser.add_argument("--json", action="store_true", help="print the Document as JSON")


def _stream_dict(doc: Document, section, stream) -> dict[str, Any] | None:
    if stream is None:
        return None
    return {
        "first_line": stream.first_line or None,
        "span": list(stream.span),
        "lines": [doc.output_text(section, n) for n in stream.line_numbers],
    }


def document_dict(doc: Document) -> dict[str, Any]:
    """The ``parse --json`` contract (``docs/json-outputs.md``)."""
    return {
        "schema": PARSE_SCHEMA,
        "file": doc.path,
        "format": doc.format,
        "line_count": doc.line_count,
        "facts": doc.facts,
        "sections": [
            {
                "command": s.command,
                "key": s.key,
                "category": s.category,
                "header_line": s.header_line or None,
                "started_at": s.started_at,
                "exit_status": s.exit_status,
                "signal": s.signal,
                "timing": s.timing.as_dict() if s.timing else None,
                "stdout": _stream_dict(doc, s, s.stdout),
                "stderr": _stream_dict(doc, s, s.stderr),
            }
            for s in doc.sections
        ],
        "warnings": doc.warnings,
    }


def print_text(doc: Document) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    console.print(f"[bold]{printable(doc.path)}[/]  {doc.format}, {doc.line_count:,} lines, "
                  f"{len(doc.sections)} sections")
    facts = Table(title="Facts", show_header=False, title_justify="left")
    facts.add_column("fact", style="cyan")
    facts.add_column("value")
    for name, value in doc.facts.items():
        facts.add_row(name, "[dim]unknown[/]" if value is None else printable(str(value)))
    console.print(facts)
    table = Table(title="Sections", title_justify="left")
    for column, justify in (("#", "right"), ("command", "left"), ("category", "left"),
                            ("lines", "right"), ("exit", "right"), ("stderr", "right")):
        table.add_column(column, justify=justify, overflow="fold")
    for s in doc.sections:
        exit_text = "" if s.exit_status is None else str(s.exit_status)
        if s.signal is not None:
            exit_text = f"sig {s.signal}"
        table.add_row(str(s.index + 1), printable(s.command), s.category or "",
                      f"{s.first_line}-{s.last_line}", exit_text,
                      str(s.stderr_count) if s.stderr_count else "")
    console.print(table)
    for warning in doc.warnings:
        console.print(f"[yellow]warning:[/] {printable(warning)}")


def run(args: argparse.Namespace) -> int:
    try:
        doc = load_document(args.file)
    except InputError as exc:
        return fail(str(exc))
    if args.json:
        write_json(document_dict(doc))
    else:
        print_text(doc)
    return 0
