"""LogView: the main pane where a diagnostics file is read (Line API widget).

Built like toolong's ``LogLines`` and Textual's ``Log``: a ``ScrollView`` whose
``render_line`` draws only the visible rows, with LRU caches for the styled text
of a line and for the finished ``Strip``. Nothing is created per file line up
front, so a 1,000,000-line file opens as fast as a small one: rows map to file
lines through a ``RowMap`` (a few ranges, or one ``array('I')`` when a filter is
active), search and filter results are ``array('I')`` of line numbers computed
by ``log_search.ScanJobs`` (inline within a ~50 ms UI budget so typing feels
instant, else in a thread worker), and evidence lines come from ``Findings.by_line``.

Layout of the widget, left to right: bookmark mark, file line number, a mark
(severity bar for evidence lines, a quiet dot for lines that merely look like an
error), the text (cut with ``…`` at the edge unless wrapped; ``line_detail`` has
the whole line), and a one-column minimap of hits (evidence by severity, search matches,
draft-preview lines) over the current scope. Row 0 is a sticky header naming the
section (command) that owns the top visible line.

Decisions where the agreed interface was silent:

* ``goto_line`` to a line outside the current section switches the scope to the
  whole file (the sticky header still names the owning section), and to a line
  hidden by the filter clears the filter: the user asked to see that line.
* ``cursor_line`` is always a shown line; setting it to a hidden one moves it to
  the nearest shown line at or after it.
* Search and filter match the plain text (ANSI and NULs removed) of each line;
  ``search_count`` counts matching *lines* among the shown rows.
* n/N, e/E and u/U wrap around at the ends of the scope; e/E stop on evidence
  lines and on lines that look like an error (the ``•`` lines), and say so when
  there is none.
* The search runs over the whole file even in a section scope, so the bar can
  say how many matches lie outside it (``outside_count``); the scope's matches
  are a cheap slice of the file's.
* Wrap (``w``): the scroll unit stays one file line, so a 1M-line file never
  needs every line measured; a frame lays out only the lines from the top row
  down (``_layout``) and the end of the scroll range is found from the last
  screenful. Wrap off: ``h``/``l`` (←/→) scroll every line sideways by 8 cells,
  ``«`` marks a line with more to the left.
* A single trailing ``\\r`` (CRLF files) is not shown; every other control
  character is shown escaped.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from triagebench.parser import Document, plain_text, printable
from triagebench.themes import (
    SEVERITIES,
    SEVERITY_DEFAULTS,  # fallback $sev-* colours, one definition
    SEVERITY_RANK,
)
from triagebench.tui.keys import READING_BINDINGS
from triagebench.tui.marks import (
    BOOKMARK_MARK,
    CUT_MARK,
    DRAFT_MARK,
    EVIDENCE_MARK,
    LEFT_MARK,
    SUSPECT_MARK,
    WRAP_MARK,
)

from .log_index import (
    RowMap,
    compile_pattern,
    contains_sorted,
    count_between,
    intersect_sorted,
    next_in,
    prev_in,
    scan_lines,
)
from .log_render import lexer_for, line_text, load_judge, syntax_spans
from .log_search import ScanJobs

if TYPE_CHECKING:
    import regex
    from triagebench.heuristics.model import Finding, Findings


CUT_MARKER = CUT_MARK
LEFT_MARKER = LEFT_MARK
MAX_WRAP_ROWS = 200
"""A wrapped line shows at most this many rows (Enter shows the whole line)."""
HSCROLL_STEP = 8

SYNTAX_BLOCK = 200
"""Output lines lexed together for syntax highlighting (lazily, per block)."""


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A compiled search or filter pattern and how it was asked for."""

    source: str
    pattern: regex.Pattern[str]
    exclude: bool = False


class LogView(ScrollView, can_focus=True, inherit_bindings=False):
    """Scrollable, highlighted view of one Document (see the module docstring)."""

    ALLOW_SELECT = False  # mouse drag selects whole lines (our own selection)

    BINDINGS: ClassVar[list[BindingType]] = [
        *READING_BINDINGS,
        Binding("v", "toggle_selection", "Select"),
        Binding("shift+up", "extend_up", "Extend up", show=False),
        Binding("shift+down", "extend_down", "Extend down", show=False),
        Binding("escape", "clear_selection", "Clear selection"),
        Binding("w", "toggle_wrap", "Wrap", show=False),
        Binding("left,h", "scroll_left_cells", "Scroll left", show=False),
        Binding("right,l", "scroll_right_cells", "Scroll right", show=False),
        Binding("u", "next_bookmark", "Next bookmark", show=False),
        Binding("U", "prev_bookmark", "Previous bookmark", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log-view--gutter",
        "log-view--header",
        "log-view--header-tag",
        "log-view--scope",
        "log-view--cursor",
        "log-view--selection",
        "log-view--match",
        "log-view--dim",
        "log-view--bookmark",
        "log-view--extra",
        "log-view--cut",
    }

    DEFAULT_CSS = """
    LogView {
        background: $surface;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        & > .log-view--gutter { color: $text-muted; }
        & > .log-view--header { background: $panel; color: $text; text-style: bold; }
        & > .log-view--header-tag { background: $panel; color: $text-muted; }
        & > .log-view--scope { background: $accent; color: $background; text-style: bold; }
        & > .log-view--cursor { background: $primary 20%; }
        &:focus > .log-view--cursor { background: $primary 40%; }
        & > .log-view--selection { background: $secondary 50%; }
        & > .log-view--match { background: $warning 70%; color: $background; text-style: bold; }
        & > .log-view--dim { text-style: dim; }
        & > .log-view--bookmark { color: $accent; text-style: bold; }
        & > .log-view--extra { background: $accent 30%; }
        & > .log-view--cut { color: $text-muted; }
    }
    """

    cursor_line: reactive[int] = reactive(1, init=False, always_update=False)
    """The cursor's FILE line number (1-based); always a shown line."""


    # -- messages ----------------------------------------------------------
    class CursorMoved(Message):
        """The cursor moved to file ``line`` (inside section ``section_index`` or None)."""

        def __init__(self, line: int, section_index: int | None) -> None:
            super().__init__()
            self.line = line
            self.section_index = section_index

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LogView.CursorMoved)

    class ScopeChanged(Message):
        """The view now shows section ``section_index`` (None: the whole file)."""

        def __init__(self, section_index: int | None) -> None:
            super().__init__()
            self.section_index = section_index

    class SearchError(Message):
        """The search (or filter) pattern is invalid or too slow; ``message`` says why."""

        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    class SearchChanged(Message):
        """Search results are ready: ``count`` matching lines among the shown rows."""

        def __init__(self, pattern: str | None, count: int) -> None:
            super().__init__()
            self.pattern = pattern
            self.count = count

    class FilterChanged(Message):
        """The filter changed: ``shown`` rows, ``hidden`` lines of the scope hidden."""

        def __init__(self, shown: int, hidden: int, pattern: str | None = None) -> None:
            super().__init__()
            self.shown = shown
            self.hidden = hidden
            self.pattern = pattern

    class SelectionChanged(Message):
        """The line selection changed (inclusive file lines, or None)."""

        def __init__(self, selection: tuple[int, int] | None) -> None:
            super().__init__()
            self.selection = selection

    class JudgeReady(Message, bubble=False):
        """(worker -> widget) The test for error-looking lines is loaded."""

        def __init__(self, judge: Callable[[str], bool]) -> None:
            super().__init__()
            self.judge = judge

    class ScanDone(Message, bubble=False):
        """A search/filter worker finished (internal: handled by the LogView itself)."""

        def __init__(self, kind: str, generation: int, lines: array | None,
                     error: str | None) -> None:
            super().__init__()
            self.kind = kind
            self.generation = generation
            self.lines = lines
            self.error = error

    # -- construction --------------------------------------------------------
    def __init__(self, document: Document | None = None, findings: Findings | None = None,
                 *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.document: Document | None = None
        self.findings: Findings | None = None
        self.scope: int | None = None
        self.bookmarks: set[int] = set()
        self.extra_highlights: set[int] = set()
        self.extra_label: str | None = None
        self.suspicious: set[int] | None = None  # None: judged per line by its text
        self._judge: Callable[[str], bool] | None = None  # loaded in a worker (load_judge)
        self._judged: dict[int, bool] = {}  # line -> judged by its text (per document)
        self._scope_rows = RowMap()
        self._rows = RowMap()
        self._filter: _Compiled | None = None
        self._filter_pending = False
        self._search: _Compiled | None = None
        self._file_matches: array | None = None  # search matches over the whole file
        self._scope_matches: array | None = None  # ... within the scope
        self._matches: array | None = None  # ... among the shown (filtered) rows
        self._jobs = ScanJobs(self, self._apply_scan, LogView.ScanDone)
        self._evidence = array("I")
        self._severity: dict[int, str] = {}
        self._anchor: int | None = None
        self._sel_end = 1
        self._selecting = False
        self._dragging = False
        self._drag_start = 1
        self._version = 0
        self._text_cache: LRUCache[int, Text] = LRUCache(2_000)
        self._strip_cache: LRUCache[tuple[object, ...], list[Segment]] = LRUCache(2_000)
        self._header_cache: LRUCache[tuple[object, ...], Strip] = LRUCache(16)
        self._styles: dict[str | None, Style] = {}
        self._syntax: dict[tuple[int, int], dict[int, list[tuple[int, int, Style]]]] = {}
        self._minimap_cache: tuple[tuple[object, ...], list[Style | None], list[str]] | None = None
        self._colors: dict[str, Color] | None = None
        self.wrap = False
        """Long lines wrap onto continuation rows (``w``); off: cut, scrolled with h/l."""
        self.hscroll = 0
        """Cells of every line scrolled off to the left (wrap off)."""
        self._hits = array("I")  # evidence and error-like lines (e/E)
        self._wrap_slots: tuple[tuple[object, ...], list[tuple[int, int] | None]] | None = None
        if document is not None:
            self.load(document, findings)

    # -- public API ----------------------------------------------------------
    @property
    def sync_limit(self) -> int:
        """Scopes with more lines than this go straight to a worker (``log_search``)."""
        return self._jobs.sync_limit

    @sync_limit.setter
    def sync_limit(self, value: int) -> None:
        self._jobs.sync_limit = value

    def load(self, document: Document, findings: Findings | None = None) -> None:
        """Show ``document`` (whole file, cursor on line 1); search/filter are re-run."""
        self.document = document
        self.scope = None
        self.bookmarks = set()
        self.extra_highlights = set()
        self.extra_label = None
        self.suspicious = None
        self._judged = {}
        if self._judge is None and self.is_mounted:
            # after the paint: the worker's imports would compete with it for the GIL
            self.call_after_refresh(self._load_judge)
        self._anchor = None
        self._selecting = False
        self._syntax.clear()
        self._set_findings(findings)
        self._scope_rows = RowMap([(1, document.line_count)])
        self._rows = self._scope_rows
        self.set_reactive(LogView.cursor_line, 1)
        self._changed()
        self._rescan()
        if self.is_mounted:
            self.scroll_to(y=0, animate=False)

    def set_findings(self, findings: Findings | None) -> None:
        """Re-highlight evidence lines (e.g. after a heuristic draft was saved)."""
        self._set_findings(findings)
        self._changed()

    def set_bookmarks(self, lines: Iterable[int]) -> None:
        """Mark these file lines as bookmarked (shown in the gutter)."""
        self.bookmarks = set(lines)
        self._changed()

    def set_suspicious(self, lines: Iterable[int] | None) -> None:
        """The lines that look like an error (the quiet dot), as computed by
        ``heuristics.suspicious`` with section context; None: judge each line's text."""
        self.suspicious = None if lines is None else set(lines)
        self._update_hits()
        self._changed()

    def set_extra_highlights(self, lines: Iterable[int], label: str | None = None) -> None:
        """Tint these file lines (draft preview); ``label`` is shown in the header."""
        self.extra_highlights = set(lines)
        self.extra_label = label if self.extra_highlights else None
        self._changed()

    def show_section(self, index: int | None) -> None:
        """Show only section ``index`` (its stdout span then its stderr span); None: all."""
        if self.document is None or index == self.scope:
            return
        if index is not None and not 0 <= index < len(self.document.sections):
            raise IndexError(f"no section {index}")
        old_cursor = self.cursor_line
        self.scope = index
        self._scope_rows = self._rows_for_scope(index)
        self._rows = self._scope_rows
        self._rescan(new_document=False)
        if index is None:
            self._move_cursor(old_cursor, center=True)
        else:
            self._move_cursor(self._rows.line_at(0) if len(self._rows) else 1, top=True)
        self._changed()
        self.post_message(LogView.ScopeChanged(index))

    def goto_line(self, n: int, center: bool = True) -> None:
        """Move the cursor to file line ``n`` and scroll it into view.

        A line outside the current section switches to the whole file; a line
        hidden by the filter clears the filter (see the module docstring).
        """
        if self.document is None or not self.document.line_count:
            return
        n = max(1, min(n, self.document.line_count))
        if self.scope is not None and not self._scope_rows.contains(n):
            self.show_section(None)
        if self._filter is not None and not self._rows.contains(n):
            self.set_filter(None)
        self._move_cursor(n, center=center)

    def line_detail(self, n: int) -> str:
        """The whole line ``n`` as plain, printable text (escapes shown escaped)."""
        if self.document is None or not 1 <= n <= self.document.line_count:
            return ""
        return printable(plain_text(self.document.line(n)))

    @property
    def selection(self) -> tuple[int, int] | None:
        """Selected file lines (first, last), inclusive, or None."""
        if self._anchor is None:
            return None
        return (min(self._anchor, self._sel_end), max(self._anchor, self._sel_end))

    def set_search(self, pattern: str | None, *, regex: bool = True,
                   case_sensitive: bool = False) -> None:
        """Highlight lines matching ``pattern`` (None/empty clears); never raises."""
        if not pattern:
            self._search = None
            self._file_matches = self._scope_matches = self._matches = None
            self._cancel("search")
            self._cancel("derive")
            self._changed()
            self.post_message(LogView.SearchChanged(None, 0))
            return
        try:
            compiled = compile_pattern(pattern, regex_mode=regex, case_sensitive=case_sensitive)
        except (regex_module_error(), ValueError, OverflowError) as exc:
            self.post_message(LogView.SearchError(f"invalid pattern: {exc}"))
            return
        self._search = _Compiled(pattern, compiled)
        self._file_matches = self._scope_matches = self._matches = None
        self._start_scan("search")

    @property
    def search_count(self) -> int:
        """Number of shown lines matching the search (0 while none or computing)."""
        return len(self._matches) if self._matches is not None else 0

    @property
    def busy(self) -> bool:
        """True while a filter or search result is still being computed."""
        return self._filter_pending or self.search_pending

    @property
    def search_pending(self) -> bool:
        """True while a search is active but its results are not in yet."""
        return self._search is not None and self._matches is None

    def set_filter(self, pattern: str | None, *, exclude: bool = False) -> None:
        """Show only lines matching ``pattern`` (``exclude``: hide them); None clears."""
        if not pattern:
            self._filter = None
            self._cancel("filter")
            self._filter_pending = False
            self._apply_rows(self._scope_rows)
            return
        try:
            compiled = compile_pattern(pattern)
        except (regex_module_error(), ValueError, OverflowError) as exc:
            self.post_message(LogView.SearchError(f"invalid filter: {exc}"))
            return
        self._filter = _Compiled(pattern, compiled, exclude)
        self._start_scan("filter")

    @property
    def hidden_count(self) -> int:
        """Lines of the current scope hidden by the filter."""
        return len(self._scope_rows) - len(self._rows)

    @property
    def shown_count(self) -> int:
        """Rows currently shown (scope after filter)."""
        return len(self._rows)

    def next_match(self) -> None:
        """Move to the next shown line matching the search (wraps)."""
        if self._matches:
            self._goto_sorted(self._matches, forward=True, wrap=True)

    def prev_match(self) -> None:
        """Move to the previous shown line matching the search (wraps)."""
        if self._matches:
            self._goto_sorted(self._matches, forward=False, wrap=True)

    def next_hit(self) -> None:
        """Move to the next evidence or error-like line in view (wraps)."""
        self._step_to(self._hits, True, "No evidence or error-like line in this view.")

    def prev_hit(self) -> None:
        """Move to the previous evidence or error-like line in view (wraps)."""
        self._step_to(self._hits, False, "No evidence or error-like line in this view.")

    def next_bookmark(self) -> None:
        """``u``: the next bookmarked line (lnav's key; wraps)."""
        self._step_to(array("I", sorted(self.bookmarks)), True,
                      "No bookmark in this view (m marks a line).")

    def prev_bookmark(self) -> None:
        """``U``: the previous bookmarked line (wraps)."""
        self._step_to(array("I", sorted(self.bookmarks)), False,
                      "No bookmark in this view (m marks a line).")

    def _step_to(self, lines: array, forward: bool, nothing: str) -> None:
        if not self._goto_sorted(lines, forward=forward, wrap=True, shown_only=True):
            self.notify(nothing, severity="warning", timeout=3)

    def first_match_from(self, line: int) -> int | None:
        """The first shown search match at or after ``line`` (wrapping to the first)."""
        if not self._matches:
            return None
        target = next_in(self._matches, line - 1)
        return target if target is not None else self._matches[0]

    @property
    def outside_count(self) -> int:
        """Search matches in the file outside the current scope (0 for the whole file)."""
        if self._file_matches is None or self._scope_matches is None:
            return 0
        return len(self._file_matches) - len(self._scope_matches)

    def next_evidence(self, finding: Finding) -> None:
        """Go to the finding's next evidence line after the cursor (wraps; may change scope)."""
        lines = [e.line for e in finding.evidence]
        if lines:
            target = next_in(lines, self.cursor_line)
            self.goto_line(target if target is not None else lines[0])

    def prev_evidence(self, finding: Finding) -> None:
        """Go to the finding's previous evidence line before the cursor (wraps)."""
        lines = [e.line for e in finding.evidence]
        if lines:
            target = prev_in(lines, self.cursor_line)
            self.goto_line(target if target is not None else lines[-1])

    def severity_of(self, line: int) -> str | None:
        """Worst severity of the findings with evidence on ``line``."""
        return self._severity.get(line)

    # -- actions ---------------------------------------------------------------
    def action_cursor_up(self) -> None:
        self._step(-1)

    def action_cursor_down(self) -> None:
        self._step(1)

    def action_page_up(self) -> None:
        self._page(-1)

    def action_page_down(self) -> None:
        self._page(1)

    def action_first_line(self) -> None:
        if len(self._rows):
            self._move_cursor(self._rows.line_at(0), top=True)

    def action_last_line(self) -> None:
        if len(self._rows):
            self._move_cursor(self._rows.line_at(len(self._rows) - 1))

    def action_next_hit(self) -> None:
        self.next_hit()

    def action_prev_hit(self) -> None:
        self.prev_hit()

    def action_next_match(self) -> None:
        self.next_match()

    def action_prev_match(self) -> None:
        self.prev_match()

    def action_next_bookmark(self) -> None:
        self.next_bookmark()

    def action_prev_bookmark(self) -> None:
        self.prev_bookmark()

    def action_toggle_selection(self) -> None:
        """``v``: start a selection at the cursor, or stop extending it."""
        if self._selecting:
            self._selecting = False
            return
        self._selecting = True
        self._set_anchor(self.cursor_line)

    def action_extend_up(self) -> None:
        self._extend(-1)

    def action_extend_down(self) -> None:
        self._extend(1)

    def action_clear_selection(self) -> None:
        self._selecting = False
        self._set_anchor(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Esc only belongs to the log view while there is a selection to clear."""
        if action == "clear_selection":
            return self._anchor is not None
        return True

    # -- cursor / scrolling internals ----------------------------------------
    @property
    def _content_rows(self) -> int:
        return max(1, self.size.height - 1)  # row 0 is the sticky header

    def _cursor_row(self) -> int:
        row = self._rows.row_of(self.cursor_line)
        return row if row is not None else self._rows.nearest_row(self.cursor_line)

    def _step(self, delta: int) -> None:
        if not len(self._rows):
            return
        row = max(0, min(len(self._rows) - 1, self._cursor_row() + delta))
        self._move_cursor(self._rows.line_at(row))

    def _page(self, direction: int) -> None:
        """Move cursor and view by one page, keeping the cursor's screen position."""
        if not len(self._rows):
            return
        page = max(1, self._visible_rows() - 1)
        row = max(0, min(len(self._rows) - 1, self._cursor_row() + direction * page))
        self.scroll_to(y=max(0, self.scroll_offset.y + direction * page), animate=False)
        self._move_cursor(self._rows.line_at(row))

    def _extend(self, delta: int) -> None:
        """shift+up/down: grow the selection from its anchor (starting one if needed)."""
        if self._anchor is None:
            self._set_anchor(self.cursor_line)
        if not len(self._rows):
            return
        row = max(0, min(len(self._rows) - 1, self._cursor_row() + delta))
        self._move_cursor(self._rows.line_at(row), extend=True)

    def _set_anchor(self, line: int | None) -> None:
        """Start a selection at ``line`` (one line long) or clear it (None)."""
        before = self.selection
        self._anchor = line
        if line is not None:
            self._sel_end = line
        if self.selection != before:
            self._selection_changed()

    def _selection_changed(self) -> None:
        self._version += 1
        self._minimap_cache = None
        self.refresh()
        self.refresh_bindings()
        self.post_message(LogView.SelectionChanged(self.selection))

    def _move_cursor(self, line: int, *, center: bool = False, top: bool = False,
                     scroll: bool = True, extend: bool = False) -> None:
        """Move the cursor; while selecting (v, shift, drag) the selection follows."""
        self.cursor_line = line
        following = extend or self._selecting or self._dragging
        if self._anchor is not None and following and self._sel_end != self.cursor_line:
            self._sel_end = self.cursor_line
            self._selection_changed()
        if scroll:
            self._ensure_visible(center=center, top=top)

    def _ensure_visible(self, center: bool = False, top: bool = False) -> None:
        if not self.size.height:
            self.call_after_refresh(self._ensure_visible, center, top)
            return
        row = self._cursor_row()
        height = self._visible_rows()
        scroll_y = self.scroll_offset.y
        near_edge = row - scroll_y < 2 or row - scroll_y > height - 3
        if top:
            target = row
        elif center and (not scroll_y <= row < scroll_y + height or near_edge):
            target = self._top_for_center(row)
        elif row < scroll_y:
            target = row
        elif row >= scroll_y + height:
            target = self._top_for_bottom(row) if self.wrap else row - height + 1
        else:
            return
        self.scroll_to(y=max(0, target), animate=False)

    def validate_cursor_line(self, line: int) -> int:
        """Keep the cursor on a shown line."""
        if not len(self._rows):
            return 1
        if self._rows.contains(line):
            return line
        return self._rows.line_at(self._rows.nearest_row(line))

    def watch_cursor_line(self, old: int, new: int) -> None:
        for line in (old, new):
            row = self._rows.row_of(line)
            if row is not None:
                self.refresh_lines(row + 1, 1)  # +1: row 0 of the widget is the header
        if self.is_mounted:
            self._ensure_visible()  # also when the app sets cursor_line directly
        section = self.document.section_at(new) if self.document is not None else None
        self.post_message(LogView.CursorMoved(new, section.index if section else None))

    def _goto_sorted(self, lines: array | list[int], *, forward: bool, wrap: bool,
                     shown_only: bool = False) -> bool:
        """Move to the next/previous value of a sorted line list that is shown;
        False (and a bell) when there is none."""
        if not len(lines):
            self.app.bell()
            return False
        current = self.cursor_line
        probe = current
        for _ in range(2):
            while True:
                target = next_in(lines, probe) if forward else prev_in(lines, probe)
                if target is None:
                    break
                if not shown_only or self._rows.contains(target):
                    self._move_cursor(target, center=True)
                    return True
                probe = target
            if not wrap:
                break
            probe = 0 if forward else (self.document.line_count + 1 if self.document else 0)
        self.app.bell()
        return False

    # -- scope / scan internals -------------------------------------------------
    def _rows_for_scope(self, index: int | None) -> RowMap:
        assert self.document is not None
        if index is None:
            return RowMap([(1, self.document.line_count)])
        section = self.document.sections[index]
        ranges = [section.stdout.span]
        if section.stderr is not None:
            ranges.append(section.stderr.span)
        return RowMap(ranges)

    def _set_findings(self, findings: Findings | None) -> None:
        self.findings = findings
        self._severity = {}
        if findings is not None:
            for line in findings.by_line:
                worst = findings.worst_at(line)
                if worst is not None:
                    self._severity[line] = worst
        self._evidence = array("I", sorted(self._severity))
        self._update_hits()

    def _update_hits(self) -> None:
        """e/E stops: evidence lines and lines that look like an error (``•``)."""
        hits = set(self._evidence)
        if self.suspicious is not None:
            hits.update(self.suspicious)
        self._hits = array("I", sorted(hits))

    def _cancel(self, kind: str) -> None:
        self._jobs.cancel(kind)

    def _rescan(self, new_document: bool = True) -> None:
        """Re-run filter and search over a new scope or document (results arrive later).
        The search runs over the whole file, so a new scope only narrows its matches."""
        self._scope_matches = None
        self._matches = None
        if new_document:
            self._file_matches = None
        if self._filter is not None:
            self._start_scan("filter")
        if self._search is not None:
            if self._file_matches is not None:
                self._scope_matches = self._in_scope(self._file_matches)
                if self._filter is None:
                    self._derive_matches()
            else:
                self._start_scan("search")

    def _in_scope(self, lines: array) -> array:
        """The sorted ``lines`` inside the current scope's ranges."""
        if self.scope is None:
            return lines
        kept = array("I")
        for first, last in self._scope_rows.ranges:
            kept.extend(lines[bisect_left(lines, first):bisect_right(lines, last)])
        return kept

    def _start_scan(self, kind: str) -> None:
        """Scan the scope for the filter or the search pattern."""
        if self.document is None:
            return
        compiled = self._filter if kind == "filter" else self._search
        assert compiled is not None
        # the search runs over the whole file: matches outside the scope are counted
        rows = self._scope_rows if kind == "filter" else RowMap([(1, self.document.line_count)])
        lines = self.document.lines
        if kind == "filter":
            self._filter_pending = True
        else:
            self._cancel("derive")

        def compute(cancelled: Callable[[], bool] | None, deadline: float | None,
                    chunk: int) -> array:
            return scan_lines(lines, rows, compiled.pattern, invert=compiled.exclude,
                              cancelled=cancelled, deadline=deadline, chunk=chunk,
                              concurrent=cancelled is not None)

        self._jobs.run(kind, len(rows), compute, compiled.source)

    def on_log_view_scan_done(self, message: LogView.ScanDone) -> None:
        message.stop()
        self._apply_scan(message.kind, message.generation, message.lines, message.error)

    def _apply_scan(self, kind: str, generation: int, lines: array | None,
                    error: str | None) -> None:
        if not self._jobs.is_current(kind, generation):
            return  # superseded by a newer pattern or scope
        if error is not None or lines is None:
            self.post_message(LogView.SearchError(error or "search failed"))
            if kind == "filter":
                self._filter = None
                self._filter_pending = False
                self._apply_rows(self._scope_rows)
            else:
                self._search = None
                self._file_matches = self._scope_matches = self._matches = None
                self._changed()
            return
        if kind == "filter":
            self._filter_pending = False
            self._apply_rows(RowMap.from_lines(lines))
        elif kind == "search":
            self._file_matches = lines
            self._scope_matches = self._in_scope(lines)
            self._derive_matches()
        else:
            self._set_matches(lines)

    def _apply_rows(self, rows: RowMap) -> None:
        """Show a new set of rows (filter result), keep the cursor near its line."""
        self._rows = rows
        self._matches = None
        self._changed()
        if len(rows):
            self._move_cursor(self.cursor_line, center=True)
        self.post_message(LogView.FilterChanged(
            len(rows), self.hidden_count, self._filter.source if self._filter else None))
        self._derive_matches()

    def _derive_matches(self) -> None:
        """Shown matches = scope matches, intersected with the filter's rows if any."""
        if self._search is None or self._scope_matches is None:
            return
        shown = self._rows.explicit
        if shown is None:
            self._cancel("derive")
            self._set_matches(self._scope_matches)
            return
        matches = self._scope_matches
        self._matches = None

        def compute(cancelled: Callable[[], bool] | None, deadline: float | None,
                    chunk: int) -> array:
            return intersect_sorted(matches, shown, cancelled=cancelled, deadline=deadline)

        self._jobs.run("derive", min(len(matches), len(shown)), compute, self._search.source)

    def _set_matches(self, lines: array) -> None:
        self._matches = lines
        self._changed()
        self.post_message(LogView.SearchChanged(
            self._search.source if self._search else None, len(lines)))

    def _changed(self, strips: bool = True) -> None:
        """State affecting rendering changed: invalidate caches, resize, repaint."""
        self._version += 1
        self._minimap_cache = None
        if strips:
            self._strip_cache.clear()
        self._wrap_slots = None
        if self.wrap and self.size.height:
            # scroll unit = one file line; room so the last line can reach the bottom
            self.virtual_size = Size(0, self._max_top() + self.size.height)
        else:
            self.virtual_size = Size(0, len(self._rows) + 1)
        self.refresh()

    def on_resize(self, _event: events.Resize) -> None:
        if self.wrap:
            self._changed()

    # -- theme -------------------------------------------------------------------
    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        if self.document is not None and self._judge is None:
            self.call_after_refresh(self._load_judge)
        self._changed()

    def _theme_changed(self, _theme: object) -> None:
        self._clear_style_caches()

    def notify_style_update(self) -> None:
        """CSS/theme changed: cached strips carry old colours."""
        super().notify_style_update()
        self._clear_style_caches()

    def on_focus(self) -> None:
        self._clear_style_caches()  # the cursor colour differs with focus

    def on_blur(self) -> None:
        self._clear_style_caches()

    def _clear_style_caches(self) -> None:
        self._colors = None
        self._styles.clear()
        self._text_cache.clear()
        self._strip_cache.clear()
        self._syntax.clear()
        self._minimap_cache = None
        self._version += 1
        self.refresh()

    def _severity_colors(self) -> dict[str, Color]:
        """``$sev-*`` theme colours (falling back to defaults), parsed once per theme."""
        if self._colors is None:
            variables = getattr(self.app, "theme_variables", {}) or {}
            colors: dict[str, Color] = {}
            for name in (*SEVERITIES, "suspect"):
                default = SEVERITY_DEFAULTS[f"sev-{name}"]
                value = variables.get(f"sev-{name}", default)
                try:
                    colors[name] = Color.parse(str(value).split()[0])
                except Exception:  # any unparsable theme value -> the default colour
                    colors[name] = Color.parse(default)
            background = self.styles.background
            if background.a == 0:
                background = Color.parse(variables.get("surface", "#1e1e1e").split()[0])
            colors["_background"] = background
            self._colors = colors
        return self._colors

    def _severity_styles(self, severity: str) -> tuple[Style, Style]:
        """(mark style, line tint style) for a severity."""
        colors = self._severity_colors()
        color = colors[severity]
        tint = colors["_background"].blend(color, 0.22)
        return Style(color=color.rich_color, bold=True), Style(bgcolor=tint.rich_color)

    # -- rendering -------------------------------------------------------------
    def _base_text(self, line: int) -> Text:
        """Safe styled Text of a file line (ANSI colour, syntax), cached."""
        cached = self._text_cache.get(line)
        if cached is not None:
            return cached
        assert self.document is not None
        raw = self.document.lines[line - 1]
        spans = None
        section = self.document.section_at(line)
        if section is not None and section.stdout.first_line <= line <= section.stdout.last_line:
            spans = self._section_syntax(section.index, line).get(line)
        text = line_text(raw, spans)
        self._text_cache[line] = text
        return text

    def _section_syntax(self, index: int, line: int) -> dict[int, list[tuple[int, int, Style]]]:
        """Syntax spans for the block of ``SYNTAX_BLOCK`` output lines holding ``line``.

        Lexing block by block (each block starts at a line boundary, which suits
        pretty-printed JSON and key=value text) keeps the first paint of a huge
        ``balena inspect`` section as fast as any other.
        """
        assert self.document is not None
        section = self.document.sections[index]
        first = section.stdout.first_line
        block = (line - first) // SYNTAX_BLOCK
        cached = self._syntax.get((index, block))
        if cached is None:
            lexer = lexer_for(section.command)
            cached = {}
            if lexer is not None:
                start = first + block * SYNTAX_BLOCK
                count = min(SYNTAX_BLOCK, section.stdout.last_line - start + 1)
                dark = getattr(self.app.current_theme, "dark", True)
                cached = syntax_spans(self.document.lines, start, count, lexer, dark=dark)
            self._syntax[(index, block)] = cached
        return cached

    def _gutter_width(self) -> int:
        digits = len(str(self.document.line_count)) if self.document else 1
        return digits + 3  # bookmark, number, mark, space

    def _style(self, name: str | None = None) -> Style:
        """The widget's base Rich style, or base + a component class (memoised).

        ``rich_style`` and component lookups walk the CSS each call; a screenful
        of rows asks for them hundreds of times, so they are cached until the
        theme, CSS or focus changes.
        """
        style = self._styles.get(name)
        if style is None:
            base = self.rich_style
            style = base if name is None else base + self.get_component_rich_style(
                name, partial=True)
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if self.document is None or width <= 0:
            return Strip.blank(width, self._style())
        if y == 0:
            return self._render_header(width)
        tick = self._tick(y - 1)
        if self.wrap:
            slot = self._layout()[y - 1] if y - 1 < self._content_rows else None
            if slot is None:
                return Strip([Segment(" " * (width - 1), self._style()), tick], width)
            row, part = slot
        else:
            row, part = self.scroll_offset.y + y - 1, 0
        if row >= len(self._rows):
            return Strip([Segment(" " * (width - 1), self._style()), tick], width)
        parts = self._row_parts(self._rows.line_at(row), width - 1)
        return Strip([*parts[min(part, len(parts) - 1)], tick], width)

    def _row_parts(self, line: int, width: int) -> list[list[Segment]]:
        """The screen rows of file ``line`` (one unless wrapped), cached."""
        selection = self.selection
        selected = selection is not None and selection[0] <= line <= selection[1]
        is_cursor = line == self.cursor_line
        key = (line, width, is_cursor, selected, self._version, self.wrap, self.hscroll)
        parts = self._strip_cache.get(key)
        if parts is None:
            parts = self._render_row(line, width, is_cursor, selected)
            self._strip_cache[key] = parts
        return parts

    def _render_row(self, line: int, width: int, is_cursor: bool,
                    selected: bool) -> list[list[Segment]]:
        """Gutter + text segments for one file line: rows of exactly ``width`` cells."""
        assert self.document is not None
        base = self._style()
        severity = self._severity.get(line)
        row_style = base
        if severity is not None:
            mark_style, tint = self._severity_styles(severity)
            row_style = base + tint
            mark = Segment(EVIDENCE_MARK, base + mark_style)
        elif line in self.extra_highlights:
            mark = Segment(DRAFT_MARK, self._style("log-view--bookmark"))
        elif (line in self.suspicious if self.suspicious is not None
              else self._judge_line(line)):
            suspect = self._severity_colors()["suspect"]
            mark = Segment(SUSPECT_MARK, base + Style(color=suspect.rich_color))
        else:
            mark = Segment(" ", base)
        if line in self.extra_highlights:
            row_style = row_style + self._style("log-view--extra")
        if selected:
            row_style = row_style + self._style("log-view--selection")
        elif is_cursor:
            row_style = row_style + self._style("log-view--cursor")
        bookmark = (Segment(BOOKMARK_MARK, self._style("log-view--bookmark"))
                    if line in self.bookmarks else Segment(" ", base))
        digits = self._gutter_width() - 3
        number_style = self._style("log-view--gutter")
        if is_cursor:
            number_style = number_style + Style(bold=True)
        gutter = [bookmark, Segment(f"{line:>{digits}}", number_style), mark, Segment(" ", base)]

        text = self._base_text(line).copy()
        text_width = max(2, width - self._gutter_width())
        if self._search is not None and self._matches is not None:
            if contains_sorted(self._matches, line):
                match_style = self._style("log-view--match")
                try:
                    for found in self._search.pattern.finditer(text.plain, timeout=0.05):
                        if found.end() > found.start():
                            text.stylize(match_style, found.start(), found.end())
                except TimeoutError:
                    pass
            else:
                # dim, not recolour: ANSI and syntax colours stay (legible in every theme);
                # "before" so the line's own colour spans win over the base colour
                text.stylize_before(self._style("log-view--dim"))
        body = Strip(Segment.apply_style(text.render(self.app.console), row_style))
        length = body.cell_length
        cut_style = row_style + self._style("log-view--cut")
        if self.wrap and length > text_width:
            cuts = list(range(text_width, length, text_width))[:MAX_WRAP_ROWS - 1] + [length]
            pieces = body.divide(cuts)
            blank = [Segment(" " * (self._gutter_width() - 2), base),
                     Segment(WRAP_MARK, self._style("log-view--cut")), Segment(" ", base)]
            rows = []
            for index, piece in enumerate(pieces[:MAX_WRAP_ROWS]):
                head = gutter if index == 0 else blank
                rows.append(Segment.adjust_line_length(
                    [*head, *piece.adjust_cell_length(text_width, row_style)], width, base))
            return rows
        start = 0 if self.wrap else self.hscroll
        if start:
            body = body.crop(start, length)
            length = max(0, length - start)
        segments = list(body)
        if start and length <= 0:
            segments = [Segment(LEFT_MARKER, cut_style)]
        elif start:
            segments = [Segment(LEFT_MARKER, cut_style),
                        *Strip(segments).crop(1, length)]
        if Strip(segments).cell_length > text_width:
            segments = Segment.adjust_line_length(segments, text_width - 1, row_style)
            segments.append(Segment(CUT_MARKER, cut_style))
        else:
            segments = Segment.adjust_line_length(segments, text_width, row_style)
        return [Segment.adjust_line_length([*gutter, *segments], width, base)]

    def _judge_line(self, line: int) -> bool:
        """Does ``line`` look like an error by its text alone (before the Unexplained
        worker's ``set_suspicious``)? Judged once per line; False (no dot) until the
        vocabulary is loaded, the rows are repainted then (``on_log_view_judge_ready``)."""
        judged = self._judged.get(line)
        if judged is None:
            if self._judge is None or self.document is None:
                return False
            judged = self._judged[line] = self._judge(self.document.plain(line))
        return judged

    @work(thread=True, exclusive=True, group="log-view-judge", exit_on_error=False)
    def _load_judge(self) -> None:
        """(worker) Import and compile the error vocabulary off the UI thread."""
        self.post_message(self.JudgeReady(load_judge()))

    def on_log_view_judge_ready(self, message: LogView.JudgeReady) -> None:
        self._judge = message.judge
        self._judged = {}
        if self.suspicious is None:
            self._changed()  # the rows painted without their dots

    # -- wrap layout -----------------------------------------------------------
    def _line_height(self, row: int) -> int:
        """Screen rows file row ``row`` takes (1 unless wrapped)."""
        if not self.wrap:
            return 1
        width = self.size.width - 1
        return len(self._row_parts(self._rows.line_at(row), width))

    def _layout(self) -> list[tuple[int, int] | None]:
        """(row, part) for each content screen row, from the top row down (wrap on)."""
        height = self._content_rows
        top = self.scroll_offset.y
        key = (top, self.size.width, height, self._version, self.cursor_line, len(self._rows))
        if self._wrap_slots is not None and self._wrap_slots[0] == key:
            return self._wrap_slots[1]
        slots: list[tuple[int, int] | None] = []
        row = top
        while len(slots) < height and row < len(self._rows):
            for part in range(self._line_height(row)):
                slots.append((row, part))
            row += 1
        slots = slots[:height] + [None] * max(0, height - len(slots))
        self._wrap_slots = (key, slots)
        return slots

    def _top_for_bottom(self, row: int) -> int:
        """The highest top row that still shows all of ``row`` (wrap on)."""
        used = 0
        top = row
        while top >= 0:
            used += self._line_height(top)
            if used > self._content_rows:
                return min(row, top + 1)
            top -= 1
        return 0

    def _top_for_center(self, row: int) -> int:
        """The top row that puts ``row`` near the middle of the screen."""
        half = self._content_rows // 2
        if not self.wrap:
            return row - half
        used, top = 0, row
        while top > 0 and used + self._line_height(top - 1) <= half:
            used += self._line_height(top - 1)
            top -= 1
        return top

    def _max_top(self) -> int:
        """The top row that shows the last line at the bottom."""
        if not len(self._rows):
            return 0
        if not self.wrap:
            return max(0, len(self._rows) - self._content_rows)
        return self._top_for_bottom(len(self._rows) - 1)

    def _visible_rows(self) -> int:
        """How many file rows are wholly on screen from the current top."""
        if not self.wrap:
            return self._content_rows
        slots = self._layout()
        rows = {slot[0] for slot in slots if slot is not None}
        last = slots[-1]
        if last is not None and last[1] < self._line_height(last[0]) - 1:
            rows.discard(last[0])  # cut at the bottom: not wholly shown
        return max(1, len(rows))

    def set_wrap(self, on: bool) -> None:
        """Wrap long lines onto continuation rows (on) or cut them (off)."""
        if on == self.wrap:
            return
        self.wrap = on
        self.hscroll = 0
        self._changed()
        if self.is_mounted:
            self._ensure_visible()

    def action_toggle_wrap(self) -> None:
        self.set_wrap(not self.wrap)
        self.notify("Wrap on: long lines continue below (w: off)" if self.wrap
                    else "Wrap off: h/l or ←/→ scroll long lines sideways", timeout=2)

    def action_scroll_left_cells(self) -> None:
        self._scroll_sideways(-HSCROLL_STEP)

    def action_scroll_right_cells(self) -> None:
        self._scroll_sideways(HSCROLL_STEP)

    def _scroll_sideways(self, delta: int) -> None:
        if self.wrap:
            self.notify("Wrap is on: every line is shown whole (w turns it off).", timeout=2)
            return
        new = max(0, self.hscroll + delta)
        if new != self.hscroll:
            self.hscroll = new
            self._changed()

    def _render_header(self, width: int) -> Strip:
        """Row 0: the command of the section owning the top visible line."""
        assert self.document is not None
        style = self._style("log-view--header")
        tag_style = self._style("log-view--header-tag")
        top_row = self.scroll_offset.y
        title, tag = self.header_text(top_row)
        key = (title, tag, width, self._version, self.scope)
        cached = self._header_cache.get(key)
        if cached is not None:
            return cached
        tag_text = f" {tag} " if tag else ""
        chip = self.scope_chip
        chip_text = f" {chip} " if chip else ""
        if chip:  # scoped: the chip names the section, the title says how to leave
            title = "W: whole file"
        room = max(1, width - len(tag_text) - len(chip_text))
        head = f" {title}"
        if len(head) > room:
            head = head[:room - 1] + CUT_MARKER
        strip = Strip([Segment(chip_text, self._style("log-view--scope")),
                       Segment(head.ljust(room), style), Segment(tag_text, tag_style)])
        strip = strip.adjust_cell_length(width, style)
        self._header_cache[key] = strip
        return strip

    @property
    def scope_chip(self) -> str | None:
        """``section: dmesg -T`` while the view shows one section, else None."""
        if self.document is None or self.scope is None:
            return None
        return f"section: {printable(self.document.sections[self.scope].command, keep_tabs=False)}"

    def header_text(self, top_row: int | None = None) -> tuple[str, str]:
        """(title, tag) of the sticky header for the given top row (default: current)."""
        if self.document is None or not len(self._rows):
            return ("(empty)", "")
        if top_row is None:
            top_row = self.scroll_offset.y
        line = self._rows.line_at(max(0, min(top_row, len(self._rows) - 1)))
        place = self.document.place_of(line)
        tags = []
        if place is None or place[3] < 0:
            kind = place[2] if place else "preamble"
            title = f"({kind})"
        else:
            section = self.document.sections[place[3]]
            title = printable(section.command, keep_tabs=False)
            if place[2] == "stderr":
                tags.append("stderr")
        if self._filter is not None:
            tags.append(f"{self.hidden_count} hidden")
        if self.extra_label:
            tags.append(printable(self.extra_label, keep_tabs=False))
        return title, " · ".join(tags)

    # -- minimap -------------------------------------------------------------------
    def _tick(self, screen_row: int) -> Segment:
        """The minimap cell for content row ``screen_row`` (0 = first row under the header)."""
        height = self._content_rows
        styles, chars = self._minimap(height)
        if 0 <= screen_row < height and styles[screen_row] is not None:
            return Segment(chars[screen_row], styles[screen_row])
        return Segment(" ", self._style())

    def _minimap(self, height: int) -> tuple[list[Style | None], list[str]]:
        """Per screen row: the worst hit in that slice of the scope (cached)."""
        key = (height, len(self._rows), self._version)
        if self._minimap_cache is not None and self._minimap_cache[0] == key:
            return self._minimap_cache[1], self._minimap_cache[2]
        styles: list[Style | None] = [None] * height
        chars = [" "] * height
        total = len(self._rows)
        if total:
            def bucket(row: int) -> int:
                return min(height - 1, row * height // total) if total > height else row

            base = self._style()
            if self._matches:
                match_style = self._style("log-view--match")
                for b in range(min(height, total)):
                    if total > height:
                        lo, hi = (b * total + height - 1) // height, ((b + 1) * total - 1) // height
                    else:
                        lo = hi = b
                    if lo > hi or hi >= total:
                        continue
                    first, last = self._rows.line_at(lo), self._rows.line_at(hi)
                    if count_between(self._matches, first, last):
                        styles[b], chars[b] = match_style, "▪"
            if self.extra_highlights:
                extra_style = self._style("log-view--bookmark")
                for line in self.extra_highlights:
                    row = self._rows.row_of(line)
                    if row is not None and bucket(row) < height:
                        styles[bucket(row)], chars[bucket(row)] = extra_style, "+"
            ranks: list[int] = [len(SEVERITIES)] * height
            for line in self._evidence:
                row = self._rows.row_of(line)
                if row is None:
                    continue
                b = bucket(row)
                severity = self._severity[line]
                if b < height and SEVERITY_RANK[severity] < ranks[b]:
                    ranks[b] = SEVERITY_RANK[severity]
                    mark_style, _tint = self._severity_styles(severity)
                    styles[b], chars[b] = base + mark_style, "█"
        self._minimap_cache = (key, styles, chars)
        return styles, chars

    # -- mouse -------------------------------------------------------------------------
    def _line_at_screen(self, y: int) -> int | None:
        if not len(self._rows):
            return None
        row = self.scroll_offset.y + max(1, y) - 1
        row = max(0, min(len(self._rows) - 1, row))
        return self._rows.line_at(row)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        line = self._line_at_screen(offset.y)
        if line is None:
            return
        self._dragging = True
        self.capture_mouse()
        self._selecting = False
        self._set_anchor(None)
        self._drag_start = line
        self._move_cursor(line)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        offset = event.get_content_offset_capture(self)
        line = self._line_at_screen(offset.y)
        if line is None:
            return
        if offset.y < 1:
            self._step(-1)
            line = self.cursor_line
        elif offset.y >= self.size.height:
            self._step(1)
            line = self.cursor_line
        if line != self._drag_start and self._anchor is None:
            self._set_anchor(self._drag_start)
        self._move_cursor(line)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()


def regex_module_error() -> type[Exception]:
    """The exception type the ``regex`` module raises for a bad pattern."""
    import regex

    return regex.error
