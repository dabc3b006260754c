"""The findings panel: matched known patterns, worst first, with their evidence.

The list shows the active findings first, then, under a "Not active at capture" rule,
the recovered and historical ones dimmed. Each finding is two rows: severity badge and
title, then its status, when it was last seen, its event count and how many evidence lines
(words from ``services.finding_status``, the same as ``triage scan`` and the report);
below it, the highlighted finding in full: signals with their values
(true / false / unknown) and observed values, description, remedy and the
permalink. Enter jumps to the first evidence line; ``]`` / ``[`` (bound by the
app so they also work from the log view) walk through the evidence. Evaluation
errors (a heuristic's regex timing out, ...) are listed after the findings:
they mean "this pattern could not be checked", which an agent must know.

All text shown here comes from heuristic files or the diagnostics file, so it
is built as ``Content`` from plain strings (never parsed as markup).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from triagebench.parser import printable

if TYPE_CHECKING:
    from datetime import datetime

    from triagebench.heuristics.model import Finding, Findings

SEVERITY_BADGES = {"critical": "CRIT", "high": "HIGH", "medium": "MED ", "low": "LOW ",
                   "info": "INFO"}
VALUE_MARKS = {True: ("✓ true   ", "$success"), False: ("✗ false  ", "$text-muted"),
               None: ("? unknown", "$warning")}


def _safe(text: object) -> str:
    return printable(str(text or "")).strip()


class FindingsPanel(Vertical, can_focus=False):
    """List of findings plus the detail of the highlighted one."""

    DEFAULT_CSS = """
    FindingsPanel {
        height: 1fr;
    }
    FindingsPanel > OptionList {
        height: auto;
        max-height: 60%;
        border: none;
        padding: 0;
    }
    FindingsPanel > #finding-detail {
        height: 1fr;
        padding: 0 1;
        border-top: hkey $panel;
    }
    """

    class JumpTo(Message):
        """Show ``line`` (evidence ``index`` of ``count`` for ``finding``) in the log view."""

        def __init__(self, finding: Finding, line: int, index: int, count: int) -> None:
            super().__init__()
            self.finding = finding
            self.line = line
            self.index = index
            self.count = count

    class ShowTime(Message):
        """Open the timeline at ``when`` (a first / last seen entry; ``tui/story.py``)."""

        def __init__(self, when: datetime) -> None:
            super().__init__()
            self.when = when

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.findings: Findings | None = None
        self.evidence_index: dict[str, int] = {}
        self.status = "waiting for the file…"

    def compose(self) -> ComposeResult:
        yield OptionList(id="finding-list")
        with VerticalScroll(id="finding-detail"):
            yield Static(Content(""), id="finding-text")

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#finding-list", OptionList)

    # -- state -------------------------------------------------------------
    def show_status(self, text: str) -> None:
        """Before findings exist: say what is happening (parsing, matching N heuristics)."""
        self.status = text
        if self.findings is None:
            self.option_list.set_options([Option(Content.styled(text, "$text-muted"),
                                                 disabled=True)])
            self.query_one("#finding-text", Static).update(Content(""))

    def set_findings(self, findings: Findings, heuristic_count: int | None = None) -> None:
        """Show ``findings`` (worst first, as ``Findings`` sorts them) and their errors."""
        self.findings = findings
        self.evidence_index = {}
        from triagebench.services.finding_status import (
            INACTIVE_HEADING,
            split_active,
            summary_text,
        )

        options: list[Option | None] = []
        index_of = {id(f): n for n, f in enumerate(findings.matches)}
        active, inactive = split_active(findings.matches)
        if inactive and not active:  # say it in words before the past ones
            options.append(Option(Content.styled(summary_text(findings), "bold $success"),
                                  disabled=True))
        for finding in active:
            options.append(Option(self.finding_prompt(finding), id=f"f{index_of[id(finding)]}"))
        if inactive:
            options.append(Option(Content.styled(f"── {INACTIVE_HEADING} ──", "$text-muted"),
                                  disabled=True))
            for finding in inactive:
                options.append(Option(self.finding_prompt(finding),
                                      id=f"f{index_of[id(finding)]}"))
        if not findings.matches:
            checked = f" ({heuristic_count} checked)" if heuristic_count is not None else ""
            options.append(Option(Content.styled(f"No known problem matched{checked}.",
                                                 "$text-muted"), disabled=True))
        if findings.errors:
            options.append(None)
            for error in findings.errors:
                options.append(Option(Content.assemble(
                    ("ERR  ", "bold $error"), (_safe(error.heuristic), "bold"),
                    ": ", _safe(error.message)), disabled=True))
        option_list = self.option_list
        option_list.set_options(options)
        if findings.matches:
            option_list.highlighted = option_list.get_option_index(
                f"f{index_of[id((active or inactive)[0])]}")
        self.show_detail()

    def finding_prompt(self, finding: Finding) -> Content:
        """Two rows: badge and title; then status, last seen, events and evidence lines
        (the whole prompt dimmed when the finding is recovered or historical)."""
        from triagebench.services.finding_status import status_line

        count = len(finding.evidence)
        # Evidence is capped per signal; say how many more lines matched.
        more = sum(r.truncated for r in finding.signals.values() if r.value)
        sev = finding.severity
        active = finding.status == "active"
        parts: list[Content | tuple[str, str] | str] = [
            (f"{SEVERITY_BADGES.get(sev, sev.upper()[:4])} ",
             f"bold $sev-{sev}" if active else "$text-muted"),
        ]
        if finding.draft:  # first, so a long title cut at the edge never hides it
            parts.append(("DRAFT ", "bold reverse $warning"))
        title_style = ("bold" if sev in ("critical", "high") else "") if active else "$text-muted"
        parts.append((_safe(finding.title), title_style))
        when = [_safe(status_line(finding, self.capture_time))]
        if count:
            total = f"{count}+" if more else str(count)
            when.append(f"{total} line{'s' if count != 1 else ''}")
        parts.append((f"\n     {' · '.join(when)}", "$text-muted" if active else "dim $text-muted"))
        return Content.assemble(*parts)

    @property
    def capture_time(self) -> datetime | None:
        return self.findings.capture_time if self.findings is not None else None

    @property
    def selected(self) -> Finding | None:
        """The highlighted finding, if any."""
        if self.findings is None:
            return None
        option = self.option_list.highlighted_option
        if option is None or not option.id or not option.id.startswith("f"):
            return None
        return self.findings.matches[int(option.id[1:])]

    def select_finding(self, finding_id: str) -> bool:
        """Highlight the finding with heuristic id ``finding_id``; False if absent."""
        if self.findings is None:
            return False
        for index, finding in enumerate(self.findings.matches):
            if finding.id == finding_id:
                self.option_list.highlighted = self.option_list.get_option_index(f"f{index}")
                self.show_detail()
                return True
        return False

    # -- detail --------------------------------------------------------------
    def detail_content(self, finding: Finding) -> Content:
        from triagebench.services.finding_status import moment_text, status_line

        sev = finding.severity
        lines: list[Content] = [
            Content.styled(_safe(finding.title), "bold"),
            Content.assemble((sev.upper(), f"bold $sev-{sev}"), ("  " + _safe(finding.id),
                                                                 "$text-muted")),
            Content.assemble(("Status: ", "bold"),
                             _safe(status_line(finding, self.capture_time))),
        ]
        seen = [(label, moment_text(when, self.capture_time)) for label, when in
                (("First seen ", finding.first_seen), ("Last seen ", finding.last_seen))
                if when is not None]
        for label, text in seen:
            lines.append(Content.assemble((label, "$text-muted"), text))
        lines.append(Content(""))
        for name, result in finding.signals.items():
            mark, style = VALUE_MARKS.get(result.value, VALUE_MARKS[None])
            row: list[Content | tuple[str, str] | str] = [(mark, style), " ", (_safe(name), "bold")]
            if result.observed is not None:
                row.append(("  observed ", "$text-muted"))
                row.append(_safe(result.observed))
            if result.evidence:
                shown = ", ".join(f"L{e.line}" for e in result.evidence[:4])
                more = len(result.evidence) - 4 + result.truncated
                if more > 0:
                    shown += f" +{more}"
                row.append((f"  {shown}", "$text-muted"))
            lines.append(Content.assemble(*row))
        if finding.description:
            lines += [Content(""), Content(_safe(finding.description))]
        if finding.remedy:
            lines += [Content(""), Content.assemble(("Remedy: ", "bold"), _safe(finding.remedy))]
        if finding.permalink:
            lines += [Content(""), Content.assemble(("Link: ", "bold"),
                                                   (_safe(finding.permalink), "underline $accent"),
                                                   ("  (P copy)", "$text-muted"))]
        evidence = finding.evidence
        if evidence:
            index = self.evidence_index.get(finding.id)
            where = f"{index + 1}/{len(evidence)}" if index is not None else f"{len(evidence)} lines"
            lines += [Content(""), Content.styled(
                f"Evidence {where}: Enter jump, ] next, [ previous", "$text-muted")]
        return Content("\n").join(lines)

    def show_detail(self) -> None:
        finding = self.selected
        text = self.query_one("#finding-text", Static)
        text.update(self.detail_content(finding) if finding is not None else Content(""))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.show_detail()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.jump(0)

    # -- evidence navigation --------------------------------------------------
    def jump(self, index: int) -> bool:
        """Jump to evidence ``index`` of the selected finding; False when there is none."""
        finding = self.selected
        if finding is None:
            return False
        evidence = finding.evidence
        if not evidence:
            return False
        index %= len(evidence)
        self.evidence_index[finding.id] = index
        self.show_detail()
        self.post_message(self.JumpTo(finding, evidence[index].line, index, len(evidence)))
        return True

    def step(self, delta: int) -> bool:
        """Next (+1) / previous (-1) evidence line of the selected finding, wrapping."""
        finding = self.selected
        if finding is None:
            return False
        current = self.evidence_index.get(finding.id)
        return self.jump(0 if current is None and delta > 0 else
                         -1 if current is None else current + delta)

    def refresh_theme(self) -> None:
        """Re-render prompts (their severity colours are theme variables)."""
        if self.findings is not None:
            highlighted = self.option_list.highlighted
            self.set_findings(self.findings)
            self.option_list.highlighted = highlighted
