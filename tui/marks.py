"""The symbols the workbench draws, defined once: the tree's hit marks, the log
gutter's marks. The README's legend is built from here (``keys.readme_legend``), so
a symbol cannot mean two things nor drift from what the app shows."""

from __future__ import annotations

SEVERITY_MARKS: dict[str, str] = {"critical": "●", "high": "▲", "medium": "◆", "low": "▪",
                                  "info": "·"}
"""Tree hit counts per severity (``●3`` = three critical evidence lines)."""
EXIT_MARK = "✗"
"""Tree: the command exited non-zero (``✗1``) or by a signal (``✗sig 9``)."""
STDERR_MARK = "⚠"
"""Tree: the command wrote to stderr."""
EVIDENCE_MARK = "▌"
"""Log gutter: an evidence line, coloured by its worst severity."""
SUSPECT_MARK = "•"
"""Log gutter: a line that looks like an error (no finding explains it)."""
BOOKMARK_MARK = "★"
"""Log gutter: a bookmarked line."""
DRAFT_MARK = "+"
"""Log gutter: a line the draft being edited matches (preview)."""
WRAP_MARK = "↪"
"""Log gutter: a continuation row of a wrapped line (``w``)."""
CUT_MARK = "…"
"""The end of a cut line or tree row."""
LEFT_MARK = "«"
"""A line scrolled sideways (``h``/``l``): there is more to the left."""

__all__ = ["BOOKMARK_MARK", "CUT_MARK", "DRAFT_MARK", "EVIDENCE_MARK", "EXIT_MARK",
           "LEFT_MARK", "SEVERITY_MARKS", "STDERR_MARK", "SUSPECT_MARK", "WRAP_MARK"]
