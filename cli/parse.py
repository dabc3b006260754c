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
    """The human-readable summary. File text (path, facts, commands, warnings) goes to
    Rich only as ``Text`` objects, never as markup strings: a device model holding
    ``[/]`` would crash markup parsing and ``[link=...]`` would emit an OSC 8 hyperlink."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    def plain(value: object, style: str = "") -> Text:
        return Text(printable(str(value)), style=style)

    console = Console(highlight=False, emoji=False)
    console.print(Text.assemble(plain(doc.path, "bold"),
                                f"  {doc.format}, {doc.line_count:,} lines, "
                                f"{len(doc.sections)} sections"))
    facts = Table(title="Facts", show_header=False, title_justify="left")
    facts.add_column("fact", style="cyan")
    facts.add_column("value")
    for name, value in doc.facts.items():
        facts.add_row(plain(name), Text("unknown", style="dim") if value is None else plain(value))
    console.print(facts)
    table = Table(title="Sections", title_justify="left")
    for column, justify in (("#", "right"), ("command", "left"), ("category", "left"),
                            ("lines", "right"), ("exit", "right"), ("stderr", "right")):
        table.add_column(column, justify=justify, overflow="fold")
    for s in doc.sections:
        exit_text = "" if s.exit_status is None else str(s.exit_status)
        if s.signal is not None:
            exit_text = f"sig {s.signal}"
        table.add_row(plain(s.index + 1), plain(s.command), plain(s.category or ""),
                      plain(f"{s.first_line}-{s.last_line}"), plain(exit_text),
                      plain(s.stderr_count if s.stderr_count else ""))
    console.print(table)
    for warning in doc.warnings:
        console.print(Text.assemble(("warning:", "yellow"), " ", plain(warning)))


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
