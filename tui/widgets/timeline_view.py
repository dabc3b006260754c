"""TimelineView: the merged timeline of a file, read like the log view (Line API widget).

The rows come from ``services.timeline`` (``TimelineSlice``: one array of row codes, in
time order); only the visible rows are materialised and drawn, through ``log_render``
(the log view's safe renderer), so a 1,000,000-line file scrolls as smoothly as a small
one. Layout, left to right: bookmark mark, severity mark (bar for evidence, dot for an
error-like line), ``MM-DD HH:MM:SS`` (UTC), the section label (``+N`` when the line was
copied into N more journals), the text. Boot separators and the "capture taken" marker
are full-width rules. Row 0 is a header: file time span, filter, match count.

Search and filter match the row's text and run as the log view's do (``log_search.
ScanJobs``: inline within the UI budget, else a thread worker whose result arrives as a
message); their results are sorted arrays of row positions / row codes. Markers are
kept by a filter (they give the story its shape) and never match a search.

Keys on the widget: arrows/j/k, PageUp/PageDown, g/G, ``e``/``E`` next/previous
evidence or error-like row, ``n``/``N`` next/previous match, Enter posts ``OpenLine``
(the screen opens the line in its section of the log view).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from triagebench.services.timeline import (
    BOOT_BASE,
    CAPTURE,
    Row,
    Timeline,
    TimelineSlice,
    boot_label,
)
from triagebench.themes import SEVERITIES, SEVERITY_DEFAULTS
from triagebench.tui.keys import READING_BINDINGS

from .log_index import ScanCancelled, ScanTooSlow, compile_pattern
from .log_render import line_text
from .log_search import ScanJobs

LABEL_WIDTH = 18
STAMP_WIDTH = 14  # MM-DD HH:MM:SS
CHUNK_CHECK = 256


class TimelineView(ScrollView, can_focus=True):
    """The timeline of one document; ``cursor`` is a row position."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *READING_BINDINGS,
        Binding("enter,o", "open_line", "Open in section"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline-view--header", "timeline-view--cursor", "timeline-view--match",
        "timeline-view--dim", "timeline-view--bookmark", "timeline-view--stamp",
        "timeline-view--label", "timeline-view--boot", "timeline-view--capture",
    }

    DEFAULT_CSS = """
    TimelineView {
        background: $surface;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        & > .timeline-view--header { background: $panel; color: $text; text-style: bold; }
        & > .timeline-view--cursor { background: $primary 20%; }
        &:focus > .timeline-view--cursor { background: $primary 40%; }
        & > .timeline-view--match { background: $warning 70%; color: $background; text-style: bold; }
        & > .timeline-view--dim { color: $text-disabled; }
        & > .timeline-view--bookmark { color: $accent; text-style: bold; }
        & > .timeline-view--stamp { color: $text-muted; }
        & > .timeline-view--label { color: $secondary; }
        & > .timeline-view--boot { color: $accent; text-style: bold; }
        & > .timeline-view--capture { color: $success; text-style: bold; }
    }
    """

    cursor: reactive[int] = reactive(0, init=False)

    class OpenLine(Message):
        """Enter on a line: open file line ``line`` in its section."""

        def __init__(self, line: int) -> None:
            super().__init__()
            self.line = line

    class CursorMoved(Message):
        def __init__(self, line: int | None) -> None:
            super().__init__()
            self.line = line

    class Status(Message):
        """Search/filter state changed (``text`` for the status line)."""

        def __init__(self, text: str, error: bool = False) -> None:
            super().__init__()
            self.text = text
            self.error = error

    class ScanDone(Message, bubble=False):
        def __init__(self, kind: str, generation: int, rows: array | None,
                     error: str | None) -> None:
            super().__init__()
            self.kind = kind
            self.generation = generation
            self.rows = rows
            self.error = error

    def __init__(self, timeline: Timeline, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.timeline = timeline
        self.base = timeline.view()
        self.slice: TimelineSlice = self.base
        self.bookmarks: set[int] = set()
        self.search_source: str | None = None
        self.filter_source: str | None = None
        self.hits_only = False
        self._filter_args: tuple[str, bool] | None = None
        self._search = None
        self._matches: array | None = None  # sorted positions in ``slice``
        self._hits = self._hit_positions(self.slice)
        self._jobs = ScanJobs(self, self._apply_scan, TimelineView.ScanDone)
        self._cache: LRUCache[tuple[object, ...], list[Segment]] = LRUCache(1_000)
        self._styles: dict[str | None, Style] = {}
        self._colors: dict[str, Color] | None = None
        self._version = 0
        self._span = ""
        self._offset = ""
        if timeline.offset:
            minutes = int(timeline.offset.total_seconds() // 60)
            sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
            self._offset = f"; device UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
        self._count_key: int | None = None
        self._count = 0
        if len(timeline):
            self._span = (f"{_stamp(timeline.row(0).when, year=True)} → "
                          f"{_stamp(timeline.row(len(timeline) - 1).when, year=True)}")

    # -- public API ---------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self.slice)

    def current_row(self) -> Row | None:
        return self.slice.row(self.cursor) if len(self.slice) else None

    def current_line(self) -> int | None:
        row = self.current_row()
        return row.line if row is not None and row.kind == "line" else None

    def goto_row(self, position: int, *, near_top: bool = False) -> None:
        """Cursor to row ``position``; ``near_top`` (a jump to a time): that row a quarter
        down the screen, so what followed it is in view."""
        if not len(self.slice):
            return
        self.cursor = max(0, min(position, len(self.slice) - 1))
        if near_top:
            self.scroll_to(y=max(0, self.cursor - self._content_rows // 4), animate=False)
        else:
            self._ensure_visible(center=True)

    def goto_line(self, line: int) -> bool:
        """Put the cursor on the row showing file line ``line`` (False: not shown)."""
        at = self.slice.row_of_line(line)
        if at is None:
            return False
        self.goto_row(at)
        return True

    def set_bookmarks(self, lines: Iterable[int]) -> None:
        self.bookmarks = set(lines)
        self._changed()

    def set_search(self, pattern: str | None) -> None:
        self._jobs.cancel("search")
        if not pattern:
            self._search = None
            self.search_source = None
            self._matches = None
            self._changed()
            self._status()
            return
        try:
            compiled = compile_pattern(pattern)
        except Exception as exc:  # regex.error: shown, never raised
            self.post_message(TimelineView.Status(f"invalid pattern: {exc}", True))
            return
        self._search = compiled
        self.search_source = pattern
        shown = self.slice
        self._jobs.run("search", len(shown), self._compute(shown, compiled, positions=True),
                       pattern)

    def set_hits_only(self, on: bool) -> None:
        """Show only evidence and error-like lines (and the markers), or every line."""
        self.hits_only = on
        full = self.timeline.view()
        if on:
            severity, error_like = self.timeline.severity, self.timeline.error_like
            rows = array("l", (c for c in full.rows if c < 0 or severity[c] or error_like[c]))
            self.base = TimelineSlice(self.timeline, rows)
        else:
            self.base = full
        if self._filter_args is not None:
            pattern, exclude = self._filter_args
            self.set_filter(pattern, exclude=exclude)
        else:
            self._show(self.base)

    def set_filter(self, pattern: str | None, *, exclude: bool = False) -> None:
        self._jobs.cancel("filter")
        if not pattern:
            self.filter_source = None
            self._filter_args = None
            self._show(self.base)
            return
        try:
            compiled = compile_pattern(pattern)
        except Exception as exc:
            self.post_message(TimelineView.Status(f"invalid filter: {exc}", True))
            return
        self.filter_source = ("hide " if exclude else "keep ") + pattern
        self._filter_args = (pattern, exclude)
        self._jobs.run("filter", len(self.base),
                       self._compute(self.base, compiled, positions=False, exclude=exclude),
                       pattern)

    def next_hit(self, forward: bool = True) -> None:
        self._step_sorted(self._hits, forward)

    def next_match(self, forward: bool = True) -> None:
        if self._matches is not None:
            self._step_sorted(self._matches, forward)

    @property
    def match_count(self) -> int:
        return len(self._matches) if self._matches is not None else 0

    # -- actions --------------------------------------------------------------------------
    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_page_up(self) -> None:
        self._move(-max(1, self._content_rows - 1))

    def action_page_down(self) -> None:
        self._move(max(1, self._content_rows - 1))

    def action_first_line(self) -> None:
        self.goto_row(0)

    def action_last_line(self) -> None:
        self.goto_row(len(self.slice) - 1)

    def action_next_hit(self) -> None:
        self.next_hit(True)

    def action_prev_hit(self) -> None:
        self.next_hit(False)

    def action_next_match(self) -> None:
        self.next_match(True)

    def action_prev_match(self) -> None:
        self.next_match(False)

    def action_open_line(self) -> None:
        line = self.current_line()
        if line is None:
            self.app.bell()
            return
        self.post_message(TimelineView.OpenLine(line))

    # -- internals ---------------------------------------------------------------------
    @property
    def _content_rows(self) -> int:
        return max(1, self.size.height - 1)

    def _move(self, delta: int) -> None:
        if len(self.slice):
            self.cursor = max(0, min(len(self.slice) - 1, self.cursor + delta))
            self._ensure_visible()

    def _ensure_visible(self, center: bool = False) -> None:
        top = self.scroll_offset.y
        rows = self._content_rows
        if center and not top <= self.cursor < top + rows:
            self.scroll_to(y=max(0, self.cursor - rows // 2), animate=False)
        elif self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False)

    def watch_cursor(self, _old: int, _new: int) -> None:
        self.refresh()
        self.post_message(TimelineView.CursorMoved(self.current_line()))

    def _step_sorted(self, positions: array, forward: bool) -> None:
        if not len(positions):
            self.app.bell()
            return
        if forward:
            at = bisect_right(positions, self.cursor)
            target = positions[at] if at < len(positions) else positions[0]
        else:
            at = bisect_left(positions, self.cursor) - 1
            target = positions[at] if at >= 0 else positions[-1]
        self.goto_row(target)

    def _hit_positions(self, shown: TimelineSlice) -> array:
        severity, error_like = self.timeline.severity, self.timeline.error_like
        return array("l", (at for at, code in enumerate(shown.rows)
                           if code >= 0 and (severity[code] or error_like[code])))

    def _compute(self, shown: TimelineSlice, compiled: object, *, positions: bool,
                 exclude: bool = False) -> Callable[..., array]:
        timeline = self.timeline
        rows = shown.rows
        lines, plain = timeline.lines, timeline.document.plain
        search = compiled.search  # type: ignore[attr-defined]

        def compute(cancelled: Callable[[], bool] | None, deadline: float | None,
                    chunk: int) -> array:
            import time

            out = array("l")
            clock = time.monotonic
            for start in range(0, len(rows), chunk):
                if cancelled is not None and cancelled():
                    raise ScanCancelled
                if deadline is not None and clock() > deadline:
                    raise ScanTooSlow
                for at in range(start, min(start + chunk, len(rows))):
                    code = rows[at]
                    if code < 0:
                        if not positions:
                            out.append(code)
                        continue
                    left = None if deadline is None else max(0.001, deadline - clock())
                    try:
                        found = search(plain(lines[code])[:4000], timeout=left or 0.05)
                    except TimeoutError as exc:
                        raise ScanTooSlow from exc
                    if (found is not None) != exclude:
                        out.append(at if positions else code)
            return out

        return compute

    def on_timeline_view_scan_done(self, message: TimelineView.ScanDone) -> None:
        message.stop()
        self._apply_scan(message.kind, message.generation, message.rows, message.error)

    def _apply_scan(self, kind: str, generation: int, rows: array | None,
                    error: str | None) -> None:
        if not self._jobs.is_current(kind, generation):
            return
        if error is not None or rows is None:
            self.post_message(TimelineView.Status(error or "search failed", True))
            return
        if kind == "search":
            self._matches = rows
            self._changed()
            self._status()
        elif kind == "filter":
            self._show(TimelineSlice(self.timeline, rows))

    def _show(self, shown: TimelineSlice) -> None:
        """Show new rows (a filter result), keeping the cursor near its time."""
        current = self.current_row()
        self.slice = shown
        self._hits = self._hit_positions(shown)
        self._matches = None
        self._changed()
        if current is not None and len(shown):
            self.cursor = shown.row_at(current.when)
            self._ensure_visible(center=True)
        else:
            self.cursor = 0
        if self._search is not None and self.search_source:
            self.set_search(self.search_source)
        self._status()

    def _line_count(self) -> int:
        """Lines shown (markers excluded), counted once per set of rows."""
        key = id(self.slice.rows)
        if self._count_key != key:
            self._count_key, self._count = key, self.slice.line_count()
        return self._count

    def _status(self) -> None:
        parts = [f"{self._line_count():,} lines"]
        if self.hits_only:
            parts.append("evidence and error-like lines only (h: all)")
        if self.filter_source:
            parts.append(f"filter: {self.filter_source}")
        if self.search_source:
            parts.append(f"{self.match_count:,} match(es) for {self.search_source}")
        self.post_message(TimelineView.Status(" · ".join(parts)))

    def _changed(self) -> None:
        self._version += 1
        self._cache.clear()
        self.virtual_size = Size(0, len(self.slice) + 1)
        self.refresh()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._restyle())
        self._changed()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._restyle()

    def on_focus(self) -> None:
        self._restyle()

    def on_blur(self) -> None:
        self._restyle()

    def _restyle(self) -> None:
        self._styles.clear()
        self._colors = None
        self._changed()

    def _style(self, name: str | None = None) -> Style:
        style = self._styles.get(name)
        if style is None:
            base = self.rich_style
            style = base if name is None else base + self.get_component_rich_style(
                name, partial=True)
            self._styles[name] = style
        return style

    def _severity_color(self, name: str) -> Color:
        if self._colors is None:
            variables = getattr(self.app, "theme_variables", {}) or {}
            colors: dict[str, Color] = {}
            for sev in (*SEVERITIES, "suspect"):
                default = SEVERITY_DEFAULTS[f"sev-{sev}"]
                try:
                    colors[sev] = Color.parse(str(variables.get(f"sev-{sev}", default)).split()[0])
                except Exception:  # unparsable theme value -> the default colour
                    colors[sev] = Color.parse(default)
            self._colors = colors
        return self._colors[name]

    # -- drawing --------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if width <= 0:
            return Strip.blank(0)
        if y == 0:
            return self._header(width)
        position = self.scroll_offset.y + y - 1
        if position >= len(self.slice):
            return Strip.blank(width, self._style())
        code = self.slice.rows[position]
        is_cursor = position == self.cursor
        matched = self._matches is not None and _contains(self._matches, position)
        key = (code, width, is_cursor, matched, self._version)
        segments = self._cache.get(key)
        if segments is None:
            segments = self._render_row(code, width, is_cursor, matched)
            self._cache[key] = segments
        return Strip(segments, width)

    def _header(self, width: int) -> Strip:
        text = f" Timeline (UTC{self._offset}) {self._span} · {self._line_count():,} lines"
        if self.hits_only:
            text += " · hits only"
        if self.filter_source:
            text += f" · filter {self.filter_source}"
        if self.search_source is not None:
            text += f" · {self.match_count:,} match(es)"
        text = text[:width].ljust(width)
        return Strip([Segment(text, self._style("timeline-view--header"))], width)

    def _render_row(self, code: int, width: int, is_cursor: bool,
                    matched: bool) -> list[Segment]:
        base = self._style()
        row_style = base + self._style("timeline-view--cursor") if is_cursor else base
        if code == CAPTURE or code <= BOOT_BASE:
            row = self.timeline.row(code)
            if code == CAPTURE:
                label = f"══ capture taken {_stamp(row.when, year=True)} UTC ══"
                style = self._style("timeline-view--capture")
            else:
                label = f"{boot_label(row)} {_stamp(row.when, year=True)}"
                style = self._style("timeline-view--boot")
            body = f"  {label} ".ljust(width, "─" if code != CAPTURE else "═")[:width]
            return [Segment(body, row_style + style)]
        row = self.timeline.row(code)
        bookmark = (Segment("◆", self._style("timeline-view--bookmark"))
                    if any(n in self.bookmarks for n in row.lines) else Segment(" ", row_style))
        if row.severity:
            color = self._severity_color(row.severity)
            mark = Segment("▌", row_style + Style(color=color.rich_color, bold=True))
        elif row.error_like:
            mark = Segment("•", row_style + Style(color=self._severity_color("suspect").rich_color))
        else:
            mark = Segment(" ", row_style)
        stamp = Segment(_stamp(row.when) + " ", row_style + self._style("timeline-view--stamp"))
        label = row.sections[0] if row.sections else ""
        extra = f" +{len(row.sections) - 1}" if len(row.sections) > 1 else ""
        room = LABEL_WIDTH - len(extra)
        label = (label if len(label) <= room else label[:room - 1] + "…") + extra
        label_seg = Segment(label.ljust(LABEL_WIDTH) + " ",
                            row_style + self._style("timeline-view--label"))
        text = line_text(self.timeline.document.lines[row.line - 1])
        if self._search is not None and self._matches is not None:
            if matched:
                try:
                    for found in self._search.finditer(text.plain, timeout=0.05):
                        if found.end() > found.start():
                            text.stylize(self._style("timeline-view--match"), found.start(),
                                         found.end())
                except TimeoutError:
                    pass
            else:
                text.stylize(self._style("timeline-view--dim"))
        used = 2 + STAMP_WIDTH + 1 + LABEL_WIDTH + 1
        body = list(Segment.apply_style(text.render(self.app.console), row_style))
        body = Segment.adjust_line_length(body, max(1, width - used), row_style)
        return Segment.adjust_line_length([bookmark, mark, stamp, label_seg, *body], width,
                                          row_style)


def _stamp(when: object, year: bool = False) -> str:
    from datetime import datetime

    assert isinstance(when, datetime)
    return when.strftime("%Y-%m-%d %H:%M:%S" if year else "%m-%d %H:%M:%S")


def _contains(sorted_values: array, value: int) -> bool:
    at = bisect_left(sorted_values, value)
    return at < len(sorted_values) and sorted_values[at] == value


__all__ = ["TimelineView"]
