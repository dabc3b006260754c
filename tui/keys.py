"""The one key registry of the workbench: BINDINGS, footer, palette, ``?`` help and README.

Each ``KeySpec`` is one row: the Textual key names, how the key is shown, the app
action it runs (empty for keys a widget owns, such as the log view's ``v``), the short
footer label, the palette title and the help text. From this tuple:

* ``bindings()`` builds ``TriageApp.BINDINGS``: the footer shows the ``footer=True``
  keys (in this order) and Textual's ``?`` help panel lists them all;
* ``palette_entries()`` gives the command palette's rows (``ctrl+p``);
* ``readme_table()`` is the README's key table (a test keeps the README equal to it).

A new key = one ``KeySpec`` line here plus its ``action_*`` method on the app.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from textual.binding import Binding
from triagebench.tui.marks import (
    BOOKMARK_MARK,
    CUT_MARK,
    DRAFT_MARK,
    EVIDENCE_MARK,
    EXIT_MARK,
    LEFT_MARK,
    SEVERITY_MARKS,
    STDERR_MARK,
    SUSPECT_MARK,
    WRAP_MARK,
)

READING_BINDINGS: tuple[Binding, ...] = (
    Binding("up,k", "cursor_up", "Up", show=False),
    Binding("down,j", "cursor_down", "Down", show=False),
    Binding("pageup", "page_up", "Page up", show=False),
    Binding("pagedown,space", "page_down", "Page down", show=False),
    Binding("home,g", "first_line", "Top", show=False),
    Binding("end,G", "last_line", "Bottom", show=False),
    Binding("e", "next_hit", "Next hit"),
    Binding("E", "prev_hit", "Prev hit", show=False),
    Binding("n", "next_match", "Next match"),
    Binding("N", "prev_match", "Prev match", show=False),
)
"""The reading keys the log view and the timeline both bind, with the same meaning (each
widget has the ``action_*`` methods); the widgets add their own keys after these."""

CYCLE_THEMES = ("triage-dark", "triage-light", "triage-contrast", "ansi-dark")
"""Themes ``ctrl+t`` cycles through (every theme stays reachable from the palette)."""


@dataclass(frozen=True, slots=True)
class KeySpec:
    """One key (or key pair) of the workbench."""

    keys: str
    """Textual key names, comma-separated ("" when a widget binds it)."""
    display: str
    """How the key is written for people, e.g. ``: ctrl+g``."""
    action: str
    """The app action; "" when a widget owns the key (listed, not bound here)."""
    label: str
    """Short label (footer, ``?`` help)."""
    title: str
    """Palette title."""
    help: str
    """One line: what the key does."""
    footer: bool = False


KEYS: tuple[KeySpec, ...] = (
    KeySpec("slash", "/", "search", "Search", "Search",
            "regex search as you type: moves to the first match after the cursor, Enter "
            "keeps it, Esc goes back; n/N next/previous match", True),
    KeySpec("colon,ctrl+g", ": ctrl+g", "goto", "Go to", "Go to line",
            "1234, L1234, FILE#L1234 or a section reference", True),
    KeySpec("y,c", "y c", "copy_line", "Copy", "Copy line",
            "the cursor line (or selection) with its FILE#L reference", True),
    KeySpec("m", "m", "bookmark", "Mark", "Bookmark line",
            "toggle a bookmark on the cursor line or selection", True),
    KeySpec("a", "a", "annotate", "Note", "Note on line",
            "write or edit the note on the cursor line", True),
    KeySpec("p", "p", "promote", "Promote", "Promote to draft",
            "turn the selection (or cursor line, or a template) into a heuristic draft", True),
    KeySpec("x", "x", "export_report", "Report", "Export report",
            "Markdown report next to the file, also copied to the clipboard", True),
    KeySpec("right_square_bracket", "]", "evidence(1)", "Evidence", "Next evidence",
            "next evidence line of the selected finding", True),
    KeySpec("f", "f", "filter('keep')", "Keep", "Keep lines",
            "show only lines matching a regex (Esc clears)", True),
    KeySpec("question_mark", "?", "toggle_help", "Keys", "Keys",
            "show or hide the key help", True),
    KeySpec("F", "F", "filter('hide')", "Hide", "Hide lines",
            "hide lines matching a regex (Esc clears)"),
    KeySpec("P", "P", "copy_permalink", "Copy link", "Copy permalink",
            "the selected finding's write-up link"),
    KeySpec("X", "X", "export_session", "Export session", "Export session",
            "bookmarks, notes and view as JSON for `triage FILE --session S.json`"),
    KeySpec("left_square_bracket", "[", "evidence(-1)", "Prev evidence", "Previous evidence",
            "previous evidence line of the selected finding"),
    KeySpec("enter,o", "enter o", "open", "Open", "Open",
            "the whole line (log view), the permalink (findings), next template line"),
    KeySpec("", "v", "", "Select", "Select",
            "start/stop a line selection in the log view (shift+up/down extend)"),
    KeySpec("", "e E", "", "Next hit", "Next/previous hit",
            "next/previous evidence or error-like line in the log"),
    KeySpec("", "n N", "", "Next match", "Next/previous",
            "search match (log), template line (Unexplained)"),
    KeySpec("", "u U", "", "Next bookmark", "Next/previous bookmark",
            "next/previous bookmarked line in the log view (lnav's keys)"),
    KeySpec("", "w", "", "Wrap", "Wrap long lines",
            "wrap long lines onto continuation rows (again: cut them)"),
    KeySpec("", "left right h l", "", "Sideways", "Scroll sideways",
            "scroll long lines left/right in the log view (wrap off)"),
    KeySpec("", "up down k j pageup pagedown home end g G", "", "Move", "Move",
            "move in the log view"),
    KeySpec("", "tab shift+tab", "", "Pane", "Next/previous pane", "move between panes"),
    KeySpec("t", "t", "timeline", "Timeline", "Timeline",
            "every timestamped line merged by time; Enter opens a line in its section"),
    KeySpec("T", "T", "timeline_seen('first')", "Timeline at finding", "Timeline at first seen",
            "the timeline at the selected finding's first seen"),
    KeySpec("", "ctrl+p", "timeline_seen('last')", "Timeline at last seen", "Timeline at last seen",
            "the timeline at the selected finding's last seen"),
    KeySpec("", "ctrl+p", "compare", "Compare", "Compare with another capture",
            "what changed since another capture of this device (also triage OLD --compare NEW)"),
    KeySpec("b,ctrl+b", "b ctrl+b", "toggle_tree", "Tree", "Toggle command tree",
            "show or hide the command tree (in tmux ctrl+b is the prefix: use b)"),
    KeySpec("W", "W", "whole_file", "Whole file", "Whole file",
            "leave a section scope (the chip in the log header) for the whole file"),
    KeySpec("ctrl+n", "ctrl+n", "toggle_side", "Panel", "Toggle side pane",
            "show or hide Findings/Unexplained/Bookmarks"),
    KeySpec("ctrl+t", "ctrl+t", "cycle_theme", "Theme", "Next theme",
            "cycle the themes (the choice is remembered)"),
    KeySpec("", "ctrl+p", "", "Palette", "Command palette",
            "every command, section and finding by name"),
    KeySpec("escape", "esc", "escape", "Clear/cancel", "Clear",
            "clear search and filter (cancel loading)"),
    KeySpec("q", "q", "quit", "Quit", "Quit", "quit the workbench"),
)


def _display(spec: KeySpec) -> str | None:
    first = spec.display.split()[0]
    return first if first != spec.keys.split(",")[0] else None


def bindings() -> list[Binding]:
    """``TriageApp.BINDINGS``: footer keys first (in registry order), then the rest."""
    bound = [spec for spec in KEYS if spec.keys and spec.action]
    ordered = [s for s in bound if s.footer] + [s for s in bound if not s.footer]
    return [Binding(spec.keys, spec.action, spec.label, show=spec.footer,
                    key_display=_display(spec)) for spec in ordered]


MAIN_VIEW_ACTIONS = frozenset({"search", "filter('keep')", "filter('hide')", "goto", "copy_line",
                               "bookmark", "annotate", "promote", "evidence(1)", "evidence(-1)",
                               "open", "copy_permalink", "toggle_tree", "toggle_side",
                               "timeline", "timeline_seen('first')", "escape"})
"""Actions that act on the main screen's log view, tree or panels."""


def blocked_bindings(handled: str = "") -> list[Binding]:
    """For a screen over the main one (timeline, compare): the main view's keys, bound to
    the screen's ``blocked`` action so they do not act on the hidden log view; ``handled``
    (comma-separated key names) are the screen's own and left alone."""
    own = {key.strip() for key in handled.split(",") if key.strip()}
    out = []
    for spec in KEYS:
        if not spec.keys or spec.action not in MAIN_VIEW_ACTIONS:
            continue
        keys = [key for key in spec.keys.split(",") if key not in own]
        if keys:
            out.append(Binding(",".join(keys), "blocked", show=False))
    return out


def palette_entries() -> list[tuple[str, str, str]]:
    """(title with key, help, action) for every app command except quit."""
    return [(f"{spec.title} ({spec.display})", spec.help, spec.action)
            for spec in KEYS if spec.action and spec.action != "quit"]


def readme_table() -> list[str]:
    """The README's key table, one Markdown row per key."""
    rows = ["| key | does |", "|---|---|"]
    for spec in KEYS:
        keys = " ".join(f"`{key}`" for key in spec.display.split())
        rows.append(f"| {keys} | {spec.title}: {spec.help} |")
    return rows


def _paragraph(text: str) -> list[str]:
    return textwrap.wrap(text, width=92, break_on_hyphens=False, break_long_words=False)


def readme_legend() -> list[str]:
    """The README's legend of the tree and gutter symbols (from ``tui.marks``)."""
    severities = ", ".join(f"`{mark}` {name}" for name, mark in SEVERITY_MARKS.items())
    return _paragraph(
        "The header holds the device facts. The tree lists categories and commands with hit "
        f"counts by severity ({severities}), `{EXIT_MARK}N` for a non-zero exit "
        f"(`{EXIT_MARK}sig N` for a signal) and `{STDERR_MARK}` for stderr output; a row "
        f"too long for the tree ends in `{CUT_MARK}`. In the log view the gutter shows "
        f"`{BOOKMARK_MARK}` for bookmarks, the file line number, `{EVIDENCE_MARK}` for "
        f"evidence lines (coloured by severity), `{SUSPECT_MARK}` for lines that look like "
        f"errors, `{DRAFT_MARK}` for a draft's preview matches and `{WRAP_MARK}` for the "
        f"continuation of a wrapped line (`w`); a cut line ends in `{CUT_MARK}` and starts "
        f"with `{LEFT_MARK}` when scrolled sideways. A view scoped to one command shows a "
        "`section: …` chip in its header (`W` returns to the whole file). The right edge "
        "marks where hits are. The findings panel lists the matched patterns worst first "
        "with signal values, description, remedy and permalink.")


def readme_themes() -> list[str]:
    """The README's theme sentence: what ``ctrl+t`` cycles."""
    names = ", ".join(f"`{name}`" for name in CYCLE_THEMES[:-1])
    return _paragraph(
        f"Themes: `ctrl+t` cycles {names} and `{CYCLE_THEMES[-1]}` (the terminal's own "
        "colours); `--theme NAME` or the palette (`ctrl+p`, \"theme\") picks any of "
        "Textual's built-in themes too. The choice is remembered.")


__all__ = ["CYCLE_THEMES", "KEYS", "MAIN_VIEW_ACTIONS", "KeySpec", "blocked_bindings", "bindings",
           "palette_entries", "readme_legend", "readme_table", "readme_themes"]
