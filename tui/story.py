"""The workbench's timeline and compare commands (issue #15), kept out of ``app.py``.

``StoryCommands`` is mixed into ``TriageApp``: ``t`` (``action_timeline``) builds the
merged timeline in a thread worker (``services.timeline``; 1,000,000 lines take ~2 s) and
opens ``TimelineScreen``; ``Enter`` there comes back here and opens the line in its
section of the log view. ``action_compare`` (palette, or ``triage OLD --compare NEW``)
parses NEW and compares it with the open file in a worker (``services.compare``, reusing
the open file's findings) and opens ``CompareScreen``. ``time_line`` turns a time typed at
``:`` into the first line at or after it. Workers only compute and post; the handlers
here change state.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message
from textual.worker import get_current_worker
from triagebench.parser import Document, printable

if TYPE_CHECKING:
    from triagebench.heuristics.model import Findings
    from triagebench.services.compare import Comparison
    from triagebench.services.timeline import Timeline
    from triagebench.tui.app import TriageApp
    from triagebench.tui.screens.compare import Target
    from triagebench.tui.widgets.findings_panel import FindingsPanel


SYNC_LINES = 50_000
"""Files up to this many lines get their timeline built on the spot for ``:`` with a time
(~0.1 s for a 10k-line capture); bigger ones in a worker (``:`` asks to press Enter again)."""


class TimelineBuilt(Message):
    def __init__(self, timeline: Timeline, start: datetime | None, line: int | None) -> None:
        super().__init__()
        self.timeline = timeline
        self.start = start
        self.line = line


class CompareReady(Message):
    def __init__(self, comparison: Comparison | None, new_document: Document | None,
                 error: str | None) -> None:
        super().__init__()
        self.comparison = comparison
        self.new_document = new_document
        self.error = error


class StoryCommands:
    """Timeline and compare for ``TriageApp`` (a mixin: ``self`` is the app)."""

    timeline: Timeline | None = None
    timeline_key: tuple[Findings | None, set[int] | None] | None = None  # what it was built from
    timeline_building = False
    compare_path: str | None = None
    _pending_show: tuple[bool, datetime | None, int | None] = (False, None, None)

    def _app(self) -> TriageApp:
        from triagebench.tui.app import TriageApp

        assert isinstance(self, TriageApp)
        return self

    # -- timeline -------------------------------------------------------------------
    def _timeline_inputs(self) -> tuple[Findings | None, set[int] | None]:
        """What a timeline is built from: the findings (re-evaluated after a draft) and the
        error-like lines (they arrive after the findings): a new one of either, a new build."""
        app = self._app()
        return app.findings, app.log_view.suspicious

    def _timeline_current(self) -> bool:
        key = self.timeline_key
        inputs = self._timeline_inputs()
        return (self.timeline is not None and key is not None
                and key[0] is inputs[0] and key[1] is inputs[1])

    def current_timeline(self) -> Timeline | None:
        """The timeline for the current findings, or None (then one is being built)."""
        app = self._app()
        if self._timeline_current():
            return self.timeline
        document = app.document
        if document is not None and document.line_count <= SYNC_LINES and not self.timeline_building:
            from triagebench.services.timeline import build_timeline

            self.timeline_key = self._timeline_inputs()
            self.timeline = build_timeline(document, app.findings,
                                           sorted(app.log_view.suspicious or ()))
            return self.timeline
        self.build_timeline(None, None)
        return None

    def build_timeline(self, start: datetime | None, line: int | None,
                       show: bool = False) -> None:
        app = self._app()
        document = app.document
        if document is None:
            return
        if self._timeline_current():
            if show:
                self.show_timeline(self.timeline, start, line)
            return
        self._pending_show = (show, start, line)
        if self.timeline_building:
            return
        self.timeline_building = True
        findings = app.findings
        suspicious = sorted(app.log_view.suspicious or ())

        def work() -> None:
            from triagebench.services.timeline import build_timeline

            timeline = build_timeline(document, findings, suspicious)
            if not get_current_worker().is_cancelled:
                app.post_message(TimelineBuilt(timeline, start, line))

        self.timeline_key = self._timeline_inputs()
        app.run_worker(work, name="timeline", group="timeline", thread=True,
                       exit_on_error=False)
        if show:
            app.notify("Building the timeline…", timeout=2)

    def on_timeline_built(self, message: TimelineBuilt) -> None:
        self.timeline = message.timeline
        self.timeline_building = False
        show, start, line = self._pending_show
        self._pending_show = (False, None, None)
        if show:
            self.show_timeline(message.timeline, start, line)

    def show_timeline(self, timeline: Timeline, start: datetime | None,
                      line: int | None) -> None:
        from triagebench.tui.screens.timeline import TimelineScreen

        app = self._app()
        if isinstance(app.screen, TimelineScreen):
            return
        if line is None and start is None and app.document is not None:
            line = app.log_view.cursor_line  # open where the reader is
        marks = set(app.session.bookmarks) if app.session is not None else set()
        app.push_screen(TimelineScreen(timeline, marks, start=start, line=line),
                        self.timeline_closed)

    def action_timeline(self) -> None:
        """t: the merged timeline, at the log view's cursor line (or the nearest time)."""
        self.build_timeline(None, None, show=True)

    def open_timeline_at(self, when: datetime) -> None:
        """Open the timeline at a time (the findings panel's first/last seen)."""
        self.build_timeline(when, None, show=True)

    def action_timeline_seen(self, which: str = "first") -> None:
        """T: the timeline at the selected finding's first seen (``last``: its last seen)."""
        app = self._app()
        finding = app.findings_panel.selected
        if finding is None:
            app.notify("Select a finding first.", timeout=2)
            return
        when = finding.first_seen if which == "first" else finding.last_seen
        if when is None:
            app.notify("This finding has no time (its evidence carries no time stamp).",
                       timeout=3)
            return
        self.open_timeline_at(when)

    def on_findings_panel_show_time(self, message: FindingsPanel.ShowTime) -> None:
        self.open_timeline_at(message.when)

    def timeline_closed(self, line: int | None) -> None:
        app = self._app()
        app.show_bookmarks()
        if line is not None:
            self.open_in_section(line)

    def open_in_section(self, line: int) -> None:
        """Show file line ``line`` in the log view, scoped to its section."""
        app = self._app()
        document = app.document
        if document is None:
            return
        section = document.section_at(line)
        if section is not None:
            app.scope_to_section(section.index)
        app.log_view.goto_line(line)
        app.log_view.focus()

    def time_line(self, text: str) -> int:
        """``:`` with a time: the first timeline line at or after it (ValueError)."""
        from triagebench.services.time_expr import TimeExpressionError, parse_when

        app = self._app()
        assert app.document is not None
        try:
            when = parse_when(text, app.document.capture_time)
        except TimeExpressionError as exc:
            raise ValueError(str(exc)) from exc
        timeline = self.current_timeline()
        if timeline is None:
            raise ValueError("building the timeline… press Enter again in a moment")
        view = timeline.view()
        position = view.row_at(when)
        for at in range(position, len(view)):  # skip boot / capture markers
            row = view.row(at)
            if row.kind == "line":
                return row.line
        for at in range(position - 1, -1, -1):
            row = view.row(at)
            if row.kind == "line":
                return row.line
        raise ValueError("no line of this file carries a time")

    # -- compare ---------------------------------------------------------------------
    def action_compare(self) -> None:
        """Palette: compare the open file with another capture of the device."""
        from triagebench.tui.screens.compare import ComparePathScreen

        app = self._app()
        if app.document is None or app.library is None:
            app.notify("Wait until the file is analysed.", timeout=2)
            return
        if self.compare_path:
            path, self.compare_path = self.compare_path, None
            self.start_compare(path)
            return
        app.push_screen(ComparePathScreen(), self._compare_path_given)

    def _compare_path_given(self, path: str | None) -> None:
        if path:
            self.start_compare(path)

    def start_compare(self, path: str) -> None:
        app = self._app()
        old, library, findings = app.document, app.library, app.findings
        if old is None or library is None:
            return
        app.notify(f"Comparing with {printable(path)}…", timeout=3, markup=False)

        def work() -> None:
            from triagebench.parser import InputError, parse_file
            from triagebench.services.compare import DifferentDevices, compare

            try:
                new = parse_file(path)
                comparison = compare(old, new, library, old_findings=findings)
            except (InputError, DifferentDevices) as exc:
                app.post_message(CompareReady(None, None, printable(str(exc))))
                return
            app.post_message(CompareReady(comparison, new, None))

        app.run_worker(work, name="compare", group="compare", thread=True, exit_on_error=False)

    def on_compare_ready(self, message: CompareReady) -> None:
        from triagebench.tui.screens.compare import CompareScreen

        app = self._app()
        if message.comparison is None or message.new_document is None:
            app.notify(message.error or "comparison failed", severity="error", markup=False,
                       timeout=12)
            return
        app.push_screen(CompareScreen(message.comparison, message.new_document),
                        self._compare_closed)

    def _compare_closed(self, target: Target | None) -> None:
        if target is not None and target.side == "old":
            self.open_in_section(target.line)


__all__ = ["CompareReady", "StoryCommands", "TimelineBuilt"]
