"""The command tree as a person uses it: what its rows read at 120 and 80 columns, the
keys and clicks that move its cursor, open and close groups and scope the log view, and
what it never lets through (markup, control characters).

The sample (``test_tui_app_helpers``) has three groups: BALENA and OS with hits (open),
TIME without (closed, holding ``uptime``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from triagebench.tui.app import TriageApp
from triagebench.tui.widgets.command_tree import CommandTree

from tests.pilot import run_async
from tests.realdata import build
from tests.test_tui_app import loaded, make_app
from tests.test_tui_app_helpers import CAPTURED, cursor_text, tree_rows, write_sample

ROWS_120 = [
    "▼ device-diag.txt ●3 ◆1",
    "├ ▼ BALENA ●1",
    "│ ├ balena --version",
    "│ └ journalctl --no-pager… ●1",
    "├ ▼ OS ●2 ◆1",
    "│ ├ cat /etc/os-release",
    "│ ├ cat /proc/device-tree/mo…",
    "│ ├ uname -a",
    "│ ├ journalctl --no-pa… ●2 ◆1",
    "│ └ cat /var/log/provis… ✗1 ⚠",
    "└ ▶ TIME",
]
ROWS_80 = [  # the tree docked over the log view (b) is wider: less is cut
    "▼ device-diag.txt ●3 ◆1",
    "├ ▼ BALENA ●1",
    "│ ├ balena --version",
    "│ └ journalctl --no-pager --n… ●1",
    "├ ▼ OS ●2 ◆1",
    "│ ├ cat /etc/os-release",
    "│ ├ cat /proc/device-tree/model",
    "│ ├ uname -a",
    "│ ├ journalctl --no-pager … ●2 ◆1",
    "│ └ cat /var/log/provisioni… ✗1 ⚠",
    "└ ▶ TIME",
]


@pytest.fixture()
def sample(tmp_path: Path) -> Path:
    return write_sample(tmp_path)


def section_of(app: TriageApp, command: str) -> int:
    assert app.document is not None
    return next(s.index for s in app.document.sections if s.command == command)


def shown(tree: CommandTree) -> list[str]:
    """The rows with text (the blank rows under the last one left out)."""
    return [row for row in tree_rows(tree) if row]


@pytest.mark.parametrize(("size", "expected"), [((120, 40), ROWS_120), ((80, 24), ROWS_80)])
@run_async
async def test_rows_show_groups_counts_marks_and_cut_labels(
        sample: Path, size: tuple[int, int], expected: list[str]) -> None:
    app = make_app(sample)
    async with app.run_test(size=size) as pilot:
        await loaded(app, pilot)
        if size[0] < 110:
            await pilot.press("b")  # narrow: the tree is hidden until b docks it
            await pilot.pause()
        tree = app.tree_view
        assert shown(tree) == expected
        width = tree.scrollable_content_region.width
        assert all(len(row) <= width for row in tree_rows(tree))


@run_async
async def test_keys_move_the_cursor_open_close_groups_and_scope_the_log_view(
        sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        tree, log = app.tree_view, app.log_view
        tree.focus()
        await pilot.press("home")
        assert cursor_text(tree) == "device-diag.txt ●3 ◆1"
        await pilot.press("down", "down")
        assert cursor_text(tree) == "balena --version"
        await pilot.press("enter")  # scopes the log view to that command
        await pilot.pause()
        version = section_of(app, "balena --version")
        assert log.scope == version
        section = app.document.sections[version]
        assert section.first_line <= log.cursor_line <= section.last_line
        # left closes the group (from a command: first to the group), right opens it
        await pilot.press("left")
        assert cursor_text(tree) == "BALENA ●1"
        await pilot.press("left")
        assert shown(tree)[1:3] == ["├ ▶ BALENA ●1", "├ ▼ OS ●2 ◆1"]
        await pilot.press("right")
        assert shown(tree) == ROWS_120
        # Enter on a group toggles it and shows its marker in the whole file
        await pilot.press("enter")
        await pilot.pause()
        assert shown(tree)[1] == "├ ▶ BALENA ●1" and log.scope is None
        await pilot.press("space")  # Space only toggles a group
        assert shown(tree) == ROWS_120
        await pilot.press("pagedown")
        assert cursor_text(tree) == "TIME"
        await pilot.press("pageup")
        assert cursor_text(tree) == "device-diag.txt ●3 ◆1"
        await pilot.press("end", "space")
        assert shown(tree)[-2:] == ["└ ▼ TIME", "  └ uptime"]
        await pilot.press("down", "space")  # Space on a command selects it
        await pilot.pause()
        assert cursor_text(tree) == "uptime" and log.scope == section_of(app, "uptime")
        await pilot.press("up")
        assert cursor_text(tree) == "TIME"


@run_async
async def test_a_click_selects_a_row_and_a_click_on_an_arrow_toggles_the_group(
        sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        tree, log = app.tree_view, app.log_view
        time_row = shown(tree).index("└ ▶ TIME")
        await pilot.click(CommandTree, offset=(2, time_row))  # the arrow
        await pilot.pause()
        assert shown(tree)[time_row:] == ["└ ▼ TIME", "  └ uptime"]
        assert log.scope is None  # the arrow only opens the group
        await pilot.click(CommandTree, offset=(6, time_row + 1))
        await pilot.pause()
        assert cursor_text(tree) == "uptime" and log.scope == section_of(app, "uptime")
        await pilot.click(CommandTree, offset=(10, 2))
        await pilot.pause()
        assert cursor_text(tree) == "balena --version"
        assert log.scope == section_of(app, "balena --version")


@run_async
async def test_select_section_opens_its_group_and_scrolls_it_into_view(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 12)) as pilot:
        await loaded(app, pilot)
        tree = app.tree_view
        height = tree.scrollable_content_region.height
        assert height < 12  # the 12 rows with TIME open do not fit
        tree.select_section(section_of(app, "uptime"))
        await pilot.pause()
        assert cursor_text(tree) == "uptime"
        rows = shown(tree)
        assert rows[-1] == "  └ uptime" and rows[-2] == "└ ▼ TIME"
        tree.select_section(None)  # the whole file: the root row, scrolled back up
        await pilot.pause()
        assert tree.scroll_offset.y == 0 and cursor_text(tree) == "device-diag.txt ●3 ◆1"


@run_async
async def test_the_cursor_colours_the_label_only_and_differs_with_focus(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        tree = app.tree_view
        tree.select_section(section_of(app, "balena --version"))
        await pilot.pause()

        def backgrounds() -> tuple[object, object]:
            """(guides, label) background colours of the cursor row."""
            segments = list(tree.render_line(2))
            return segments[0].style.bgcolor, segments[-2].style.bgcolor

        guides, blurred = backgrounds()
        assert guides != blurred
        tree.focus()
        await pilot.pause()
        guides_focused, focused = backgrounds()
        assert guides_focused != focused and focused != blurred
        other = list(tree.render_line(3))  # no cursor: one background
        assert len({segment.style.bgcolor for segment in other}) == 1


@run_async
async def test_a_theme_change_recolours_the_counts(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        tree = app.tree_view

        def critical_colour() -> str:
            segment = next(s for s in tree.render_line(0) if "●" in s.text)
            assert segment.style.color is not None and segment.style.bold
            return segment.style.color.name

        assert critical_colour() == app.theme_variables["sev-critical"]
        app.theme = "triage-light"
        await pilot.pause()
        assert critical_colour() == app.theme_variables["sev-critical"]


@run_async
async def test_labels_are_shown_as_text_never_as_markup_or_control_characters(
        tmp_path: Path) -> None:
    command = "echo '[bold red]boom[/]' \x1b[2J\x07"
    path = tmp_path / "hostile.txt"
    path.write_text(build.diagnostics_text(
        [("echo === OS ===", ["=== OS ==="]), (command, ["boom"])], status={command: 3},
        captured=CAPTURED), encoding="utf-8")
    app = make_app(path)
    async with app.run_test(size=(200, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("b", "b")  # docked again and focused
        tree = app.tree_view
        tree.select_section(section_of(app, command))
        await pilot.pause()
        row = cursor_text(tree)
        assert row is not None and row.startswith("echo '[bold red]boom[/]' ") and "✗3" in row
        text = "".join(tree.render_line(y).text for y in range(tree.size.height))
        assert not any(ord(char) < 32 or ord(char) == 127 for char in text)


class TreeOnly(App[None]):
    def compose(self) -> ComposeResult:
        yield CommandTree()


@run_async
async def test_before_a_file_is_loaded_the_tree_says_so() -> None:
    app = TreeOnly()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        tree = app.query_one(CommandTree)
        assert shown(tree) == ["▶ (no file)"]
        tree.focus()
        await pilot.press("down", "enter")  # nothing to scope yet, nothing breaks
        assert cursor_text(tree) == "(no file)"
