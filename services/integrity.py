"""What is wrong with a diagnostics file itself: truncated, damaged bytes, missing parts.

One list for every front-end: the TUI header, ``triage scan`` (text, JSON ``warnings``,
Markdown) and the Markdown report all show ``file_warnings``, so a capture cut short by a
flaky upload is never judged as if it were whole (a finding can be missing because its
section was never captured).
"""

from __future__ import annotations

from triagebench.parser import Document

NO_FINAL_NEWLINE = ("the file does not end with a newline: its last line may be cut "
                    "(file truncated?)")


def file_warnings(document: Document) -> list[str]:
    """The parser's warnings (replaced bytes, commands without a section, no STDERR part…)
    plus a last line without its newline; empty for a whole, clean file."""
    warnings = list(document.warnings)
    if not document.final_newline and document.line_count and document.format != "plain-log":
        warnings.append(NO_FINAL_NEWLINE)
    return warnings


def is_truncated(warnings: list[str]) -> bool:
    """True when a warning says the file looks cut short."""
    return any("truncated" in warning or "no STDERR" in warning for warning in warnings)


__all__ = ["NO_FINAL_NEWLINE", "file_warnings", "is_truncated"]
