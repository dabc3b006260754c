"""LogView behaviour a support agent notices, driven through Textual's Pilot.

Each test mounts the real widget in a tiny host app on a small diagnostics text in
the real diagnose.sh format and checks what is on screen (``render_line``) or
what the widget reports (cursor, counts, selection, messages).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import SimpleNamespace

from textual.app import App, ComposeResult
from textual.message import Message
from textual.pilot import Pilot
from textual.theme import Theme
from triagebench.heuristics.model import Evidence, Finding, Findings, SignalResult
from triagebench.parser import Document, parse_text
from triagebench.tui.widgets.log_view import LogView

JOURNAL = "journalctl --no-pager --no-hostname -n 1000 -at balenad"
OSC52 = "\x1b]52;c;aGVsbG8=\x07"
LONG_TAIL = "x" * 300

SAMPLE = f"""
real\t0m 0.00s
user\t0m 0.00s
sys\t0m 0.00s

--- diagnose 4.22.11 ---


--- COMMANDS ---


--- prefixing commands with 'date --utc --rfc-3339=ns ; /usr/bin/time -o /dev/stdout timeout --preserve-status --kill-after=20 -v 10 bash -c' ---

echo === BALENA ===
balena --version
cat /etc/os-release
{JOURNAL}

--- echo === BALENA === ---

2022-05-02 16:03:40.941545526+00:00
=== BALENA ===
real\t0m 0.01s
user\t0m 0.00s
sys\t0m 0.00s

--- balena --version ---

2022-05-02 16:03:41.105915487+00:00
Docker version 19.03.30, build c41a2d5c1a102294994118434aefaa54a76e2814
real\t0m 0.21s
user\t0m 0.18s
sys\t0m 0.09s

--- cat /etc/os-release ---

2022-05-02 16:03:41.205915487+00:00
ID="balena-os"
NAME="balenaOS"
VERSION="2.87.16+rev1"
real\t0m 0.01s
user\t0m 0.00s
sys\t0m 0.00s

--- {JOURNAL} ---

2022-05-02 16:03:42.105915487+00:00
May 02 16:03:56 balenad[1387]: level=info msg="Storage migration from aufs to overlay2 starting"
May 02 16:03:57 balenad[1387]: [\x1b[31merror\x1b[39m] failed to start container
May 02 16:03:58 balenad[1387]: clip {OSC52} link \x1b]8;;http://evil.example\x07here\x1b]8;;\x07 wipe \x1b[2J\x1b[H nul\x00 cr\rend
May 02 16:03:59 balenad[1387]: {LONG_TAIL}
real\t0m 0.30s
user\t0m 0.00s
sys\t0m 0.00s

STDERR:

--- {JOURNAL} ---

journalctl: warning something
"""

# File line numbers of interesting lines in SAMPLE (1-based; the text starts with "\n").
MIGRATION, ANSI_ERROR, ESCAPES, LONG = 48, 49, 50, 51
OS_RELEASE_ID = 38
STDERR_LINE = 60


def make_doc() -> Document:
    doc = parse_text(SAMPLE)
    assert doc.line(MIGRATION).endswith("overlay2 starting\"")
    assert doc.line(STDERR_LINE) == "journalctl: warning something"
    return doc


def finding(fid: str, severity: str, lines: list[int], doc: Document) -> Finding:
    heuristic = SimpleNamespace(id=fid, title=fid.replace("-", " "), severity=severity,
                                permalink="https://example.com/" + fid, description="",
                                remedy="", source=f"{fid}.toml", draft=False,
                                positive_signals={"s"})
    evidence = [Evidence(n, JOURNAL, doc.plain(n)) for n in lines]
    return Finding(heuristic=heuristic, signals={"s": SignalResult("s", True, evidence)})


def make_findings(doc: Document) -> Findings:
    return Findings([finding("engine-migration", "critical", [MIGRATION], doc),
                     finding("container-start", "low", [ANSI_ERROR], doc)])


class Host(App[None]):
    """The smallest app embedding a LogView, recording every message it sees."""

    def __init__(self, doc: Document | None = None, findings: Findings | None = None) -> None:
        super().__init__()
        self.doc = doc if doc is not None else make_doc()
        self.findings = findings

    def compose(self) -> ComposeResult:
        yield LogView(self.doc, self.findings)


def run(test: Callable[[Pilot[None], LogView, list[Message]], Awaitable[None]],
        host: Host | None = None, size: tuple[int, int] = (100, 30)) -> None:
    """Run ``test`` inside a headless app with a mounted, focused LogView."""
    messages: list[Message] = []

    async def main() -> None:
        app = host or Host()
        async with app.run_test(size=size, message_hook=messages.append) as pilot:
            view = app.query_one(LogView)
            view.focus()
            await pilot.pause()
            await test(pilot, view, messages)

    asyncio.run(main())


def screen_rows(view: LogView) -> list[str]:
    return [view.render_line(y).text for y in range(view.size.height)]


def row_of_line(view: LogView, line: int) -> int:
    """Screen y of a file line (asserts that it is on screen)."""
    for y, text in enumerate(screen_rows(view)):
        if y and text.split() and text.lstrip("★ ").split()[0].rstrip("▌•+") == str(line):
            return y
    raise AssertionError(f"line {line} is not on screen: {screen_rows(view)}")


def sent(messages: list[Message], kind: type[Message]) -> list[Message]:
    """Messages of one kind, each once (the hook sees a message at every hop)."""
    seen: dict[int, Message] = {}
    for message in messages:
        if isinstance(message, kind):
            seen.setdefault(id(message), message)
    return list(seen.values())


async def settle(pilot: Pilot[None], view: LogView) -> None:
    """Wait until background search/filter results have been applied."""
    for _ in range(200):
        await pilot.pause(0.01)
        if not view.busy:
            return
    raise AssertionError("search/filter never finished")


# -- gutter, header, scope ------------------------------------------------------
def test_gutter_shows_file_line_numbers_under_a_sticky_header() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        rows = screen_rows(view)
        assert rows[0].strip() == "(preamble)"
        assert rows[2].split()[:3] == ["2", "real", "0m"]
        assert rows[6].split() == ["6", "---", "diagnose", "4.22.11", "---"]
        assert view.cursor_line == 1

    run(check)


def test_lines_that_read_like_errors_get_the_quiet_dot_before_any_analysis() -> None:
    """The error vocabulary loads in a worker (not on the first frame); once it is in,
    the shown rows are repainted with the dot on error-looking lines only."""
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        for _ in range(200):
            if sent(messages, LogView.JudgeReady):
                break
            await pilot.pause(0.01)
        await pilot.pause()
        rows = screen_rows(view)
        gutter = {line: rows[row_of_line(view, line)].split()[0] for line in
                  (MIGRATION, ANSI_ERROR)}
        assert gutter == {MIGRATION: str(MIGRATION), ANSI_ERROR: f"{ANSI_ERROR}•"}

    run(check, size=(100, 60))


def test_show_section_scopes_to_its_stdout_then_stderr_lines() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        view.show_section(3)
        await pilot.pause()
        rows = screen_rows(view)
        assert view.scope == 3
        # a visible scope chip naming the section, and how to leave it
        assert rows[0].strip() == f"section: {JOURNAL}  W: whole file"
        numbers = [int(r.split()[0].rstrip("▌•")) for r in rows[1:] if r.strip()]
        section = view.document.sections[3]
        expected = [*range(section.stdout.span[0], section.stdout.span[1] + 1),
                    *range(section.stderr.span[0], section.stderr.span[1] + 1)]
        assert numbers == expected
        assert "journalctl: warning something" in rows[1 + expected.index(STDERR_LINE)]
        assert view.cursor_line == section.header_line
        assert sent(messages, LogView.ScopeChanged)[-1].section_index == 3
        view.show_section(None)
        await pilot.pause()
        assert view.scope is None and view.shown_count == view.document.line_count

    run(check)


def test_sticky_header_names_the_section_of_the_top_line() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        view.scroll_to(y=STDERR_LINE - 3, animate=False)  # the stderr block at the top
        await pilot.pause()
        assert view.render_line(1).text.split()[1:] == ["---", *JOURNAL.split(), "---"]
        assert view.render_line(3).text.split()[:2] == [str(STDERR_LINE), "journalctl:"]
        header = view.render_line(0).text
        assert JOURNAL in header and "stderr" in header
        view.scroll_to(y=36, animate=False)  # line 37: inside cat /etc/os-release
        await pilot.pause()
        assert "cat /etc/os-release" in view.render_line(0).text

    run(check, size=(100, 4))


def test_goto_line_outside_the_section_switches_to_the_whole_file() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        view.goto_line(ESCAPES)
        await pilot.pause()
        assert view.cursor_line == ESCAPES
        assert row_of_line(view, ESCAPES) > 0
        moved = sent(messages, LogView.CursorMoved)[-1]
        assert (moved.line, moved.section_index) == (ESCAPES, 3)
        view.show_section(1)
        await pilot.pause()
        view.goto_line(MIGRATION)
        await pilot.pause()
        assert view.scope is None and view.cursor_line == MIGRATION
        assert row_of_line(view, MIGRATION) > 0

    run(check)


def test_movement_keys() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        await pilot.press("j", "j", "down")
        assert view.cursor_line == 4
        await pilot.press("k")
        assert view.cursor_line == 3
        await pilot.press("G")
        assert view.cursor_line == view.document.line_count
        assert row_of_line(view, view.document.line_count) > 0
        await pilot.press("g")
        assert view.cursor_line == 1
        await pilot.press("pagedown")
        assert view.cursor_line == 1 + view.size.height - 2
        assert view.scroll_offset.y > 0
        await pilot.press("pageup")
        assert view.cursor_line == 1
        view.cursor_line = STDERR_LINE  # the app may set the reactive directly
        await pilot.pause()
        assert row_of_line(view, STDERR_LINE) > 0

    run(check)


def test_click_moves_the_cursor_and_drag_selects() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        await pilot.click(LogView, offset=(8, 5))
        assert view.cursor_line == 5
        await pilot.mouse_down(LogView, offset=(8, 6))
        await pilot.hover(LogView, offset=(8, 9))
        await pilot.mouse_up(LogView, offset=(8, 9))
        await pilot.pause()
        assert view.selection == (6, 9)

    run(check)


# -- findings ----------------------------------------------------------------------
def test_e_and_E_jump_between_evidence_lines_with_severity_marks() -> None:
    doc = make_doc()

    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        await pilot.press("e")
        assert view.cursor_line == MIGRATION
        await pilot.press("e")
        assert view.cursor_line == ANSI_ERROR
        await pilot.press("E")
        assert view.cursor_line == MIGRATION
        await pilot.press("E")  # wraps to the last hit
        assert view.cursor_line == ANSI_ERROR
        rows = screen_rows(view)
        assert f"{MIGRATION}▌" in rows[row_of_line(view, MIGRATION)]
        strip = view.render_line(row_of_line(view, MIGRATION))
        assert any(seg.style and seg.style.bgcolor for seg in strip if seg.text.strip())
        # the minimap column shows a tick for the hits
        assert any(row.endswith("█") for row in rows[1:])

    run(check, Host(doc, make_findings(doc)))


def test_next_evidence_of_one_finding_and_set_findings() -> None:
    doc = make_doc()

    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        low = make_findings(doc).matches[1]
        view.next_evidence(low)
        assert view.cursor_line == ANSI_ERROR
        view.set_findings(None)
        await pilot.pause()
        await pilot.press("g", "e")
        assert view.cursor_line == 1  # no hits left: the cursor stays
        assert "▌" not in view.render_line(row_of_line(view, 1)).text

    run(check, Host(doc, make_findings(doc)))


def test_theme_severity_colours_are_used_for_marks() -> None:
    doc = make_doc()

    class Themed(Host):
        def on_mount(self) -> None:
            self.register_theme(Theme(name="t", primary="#336699", dark=True,
                                      variables={"sev-critical": "#00ff00"}))
            self.theme = "t"

    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        view.goto_line(MIGRATION)
        await pilot.pause()
        strip = view.render_line(row_of_line(view, MIGRATION))
        marks = [seg for seg in strip if seg.text == "▌"]
        assert marks and marks[0].style.color.triplet.hex == "#00ff00"

    run(check, Themed(doc, make_findings(doc)))


def test_looks_like_error_lines_get_a_quiet_mark() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        view.goto_line(ANSI_ERROR)
        await pilot.pause()
        assert f"{ANSI_ERROR}•" in view.render_line(row_of_line(view, ANSI_ERROR)).text
        assert f"{MIGRATION} " in view.render_line(row_of_line(view, MIGRATION)).text

    run(check)


def test_bookmarks_and_draft_preview_highlights() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        view.set_bookmarks({3})
        view.set_extra_highlights({5, 6}, "draft: my-pattern")
        await pilot.pause()
        rows = screen_rows(view)
        assert rows[3].startswith("★")
        assert rows[5].split()[0] == "5+"
        assert "draft: my-pattern" in rows[0]

    run(check)


# -- text safety and rendering ----------------------------------------------------
def test_escape_sequences_are_shown_escaped_never_raw() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        view.goto_line(ESCAPES)
        await pilot.pause(0.2)
        y = row_of_line(view, ESCAPES)
        view.styles.width = 400  # wide enough to see the whole line
        await pilot.pause()
        text = view.render_line(y).text
        assert r"\e]52;c;aGVsbG8=\x07" in text
        assert r"\e]8;;http://evil.example\x07here" in text
        assert r"\e[2J\e[H" in text
        assert r"nul\0 cr\rend" in text
        for row in range(view.size.height):
            for segment in view.render_line(row):
                assert "\x1b" not in segment.text and "\x07" not in segment.text
                assert "\r" not in segment.text and "\x00" not in segment.text
        detail = view.line_detail(ESCAPES)
        assert "clip  link here wipe  nul cr\\rend" in detail and "\x1b" not in detail

    run(check, size=(100, 30))


def test_ansi_colour_is_rendered_as_style() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        view.goto_line(ANSI_ERROR)
        await pilot.pause()
        strip = view.render_line(row_of_line(view, ANSI_ERROR))
        assert "[error] failed" in strip.text
        red = [seg for seg in strip if seg.text == "error"]
        assert red and red[0].style.color is not None and red[0].style.color.number == 1

    run(check)


def test_long_lines_are_cut_with_a_marker_and_detail_has_all() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        view.goto_line(LONG)
        await pilot.pause()
        text = view.render_line(row_of_line(view, LONG)).text
        assert len(text) == view.size.width
        assert text.rstrip().endswith("x…")
        assert view.line_detail(LONG).endswith(LONG_TAIL)

    run(check)


def test_key_value_sections_are_syntax_highlighted() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        view.goto_line(OS_RELEASE_ID)
        await pilot.pause()
        strip = view.render_line(row_of_line(view, OS_RELEASE_ID))
        colours = {seg.style.color.name for seg in strip
                   if seg.text.strip() and seg.style and seg.style.color and seg.text in
                   ('ID', '"balena-os"', "ID=", '=')}
        assert len(colours) >= 1
        plain = view.render_line(row_of_line(view, OS_RELEASE_ID + 4))  # "real ..." line
        assert not any(seg.style.color for seg in plain if "real" in seg.text)

    run(check)


# -- search, filter, selection ------------------------------------------------------
def test_search_counts_highlights_and_n_N_move() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        view.set_search("balenad\\[")
        await pilot.pause()
        assert view.search_count == 4
        assert sent(messages, LogView.SearchChanged)[-1].count == 4
        await pilot.press("n")
        assert view.cursor_line == MIGRATION
        await pilot.press("n", "n", "n")
        assert view.cursor_line == LONG
        await pilot.press("n")  # wraps
        assert view.cursor_line == MIGRATION
        await pilot.press("N")
        assert view.cursor_line == LONG
        strip = view.render_line(row_of_line(view, MIGRATION))
        hit = [seg for seg in strip if seg.text == "balenad["]
        assert hit and hit[0].style.bold
        other = view.render_line(row_of_line(view, MIGRATION) - 1)  # timestamp line: dimmed
        assert not [seg for seg in other if seg.style and seg.style.bold]
        view.set_search("BALENAD", case_sensitive=True)
        await pilot.pause()
        assert view.search_count == 0
        view.set_search("diagnose 4.22", regex=False)
        await pilot.pause()
        assert view.search_count == 1
        view.set_search(None)
        await pilot.pause()
        assert view.search_count == 0

    run(check)


def test_invalid_search_posts_an_error_and_never_raises() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        view.set_search("(unclosed")
        view.set_filter("[bad")
        await pilot.pause()
        errors = sent(messages, LogView.SearchError)
        assert len(errors) == 2 and "invalid" in errors[0].message
        assert view.hidden_count == 0

    run(check)


def test_filter_shows_only_matching_lines_and_reports_hidden() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        total = view.document.line_count
        view.set_filter("^May 02")
        await pilot.pause()
        assert view.hidden_count == total - 4
        changed = sent(messages, LogView.FilterChanged)[-1]
        assert (changed.shown, changed.hidden) == (4, total - 4)
        rows = [r for r in screen_rows(view)[1:] if r.strip()]
        assert [int(r.split()[0].rstrip("▌•")) for r in rows] == [48, 49, 50, 51]
        assert "hidden" in view.render_line(0).text
        view.set_search("balenad")
        view.set_filter("container|starting")  # search counts only the shown lines
        await pilot.pause()
        assert view.search_count == 2
        view.set_filter(None)
        await pilot.pause()
        assert view.search_count == 7  # 4 journal lines, the listing and two headers
        view.set_search(None)
        view.set_filter("^May 02", exclude=True)
        await pilot.pause()
        assert view.hidden_count == 4
        # filtering composes with the section scope
        view.set_filter("real")
        view.show_section(3)
        await pilot.pause()
        section = view.document.sections[3]
        scope_size = sum(b - a + 1 for a, b in (section.stdout.span, section.stderr.span))
        assert view.shown_count == 1 and view.hidden_count == scope_size - 1
        view.set_filter(None)
        await pilot.pause()
        assert view.hidden_count == 0

    run(check)


def test_goto_a_filtered_out_line_clears_the_filter() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        view.set_filter("^May 02")
        await pilot.pause()
        view.goto_line(OS_RELEASE_ID)
        await pilot.pause()
        assert view.cursor_line == OS_RELEASE_ID and view.hidden_count == 0

    run(check)


def test_selection_with_v_and_shift_down_then_escape() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        view.goto_line(MIGRATION)
        await pilot.pause()
        await pilot.press("v", "shift+down", "shift+down")
        assert view.selection == (MIGRATION, MIGRATION + 2)
        assert sent(messages, LogView.SelectionChanged)[-1].selection == (MIGRATION,
                                                                           MIGRATION + 2)
        selected = view.render_line(row_of_line(view, MIGRATION + 1))
        unselected = view.render_line(row_of_line(view, MIGRATION + 3))
        assert {s.style.bgcolor for s in selected} != {s.style.bgcolor for s in unselected}
        await pilot.press("v", "down")  # v stops: the range stays while the cursor moves
        assert view.selection == (MIGRATION, MIGRATION + 2)
        await pilot.press("escape")
        assert view.selection is None
        assert sent(messages, LogView.SelectionChanged)[-1].selection is None

    run(check)


def test_escape_reaches_the_app_when_nothing_is_selected() -> None:
    class EscHost(Host):
        BINDINGS = [("escape", "closed", "Close")]
        closed = 0

        def action_closed(self) -> None:
            self.closed += 1

    host = EscHost()

    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        await pilot.press("v", "escape")
        assert view.selection is None and host.closed == 0
        await pilot.press("escape")
        assert host.closed == 1

    run(check, host)


def test_search_and_filter_in_a_worker_for_big_scopes() -> None:
    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        view.sync_limit = 0  # force the thread-worker path
        view.set_search("zzz-never")
        view.set_search("balenad\\[")  # supersedes the first one
        assert view.busy
        await settle(pilot, view)
        assert view.search_count == 4
        assert [m.count for m in sent(messages, LogView.SearchChanged)] == [4]
        view.set_filter("^May 02")
        await settle(pilot, view)
        assert view.shown_count == 4 and view.search_count == 4
        view.set_filter("(a+)+$", exclude=True)
        view.set_filter(None)
        await settle(pilot, view)
        assert view.hidden_count == 0

    run(check)


def test_plain_log_and_empty_view() -> None:
    doc = parse_text("one\ntwo error\nthree\n", path="plain.log")

    async def check(pilot: Pilot[None], view: LogView, messages: list[Message]) -> None:
        rows = screen_rows(view)
        assert rows[0].strip() == view.document.sections[0].command
        assert rows[2].split() == ["2•", "two", "error"]

    run(check, Host(doc))

    class Empty(App[None]):
        def compose(self) -> ComposeResult:
            yield LogView()

    async def empty() -> None:
        async with Empty().run_test(size=(60, 10)) as pilot:
            view = pilot.app.query_one(LogView)
            await pilot.press("j", "e", "n", "v")
            assert view.render_line(1).text.strip() == ""
            view.load(doc)
            await pilot.pause()
            assert view.render_line(1).text.split()[0] == "1"

    asyncio.run(empty())
