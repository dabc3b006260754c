"""The triage workbench app: header, command tree, log view, findings, footer.

Layout (wide terminals, >= ``NARROW_WIDTH`` columns)::

    ┌ facts header (device, OS, supervisor, engine, kernel, uptime, capture, file) ┐
    │ command tree │ log view (+ search bar)             │ [Findings] tab pane      │
    └ footer (keys) ───────────────────────────────────────────────────────────────┘

Below ``NARROW_WIDTH`` (e.g. 80x24) the tree is hidden (ctrl+b shows it, docked
left) and the side pane moves under the log view, so the log and the worst
findings are both on the first screen. ctrl+n hides/shows the side pane.

Threading rule: the loading worker computes (parse, load heuristics, match) and
only posts messages (``tui.messages``); the ``on_*`` handlers here own every
state change. ``create_app`` is the one factory used by the CLI, tests and bench.
"""

from __future__ import annotations

import os
import re
import webbrowser
from collections.abc import Mapping
from typing import Any

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Label, ProgressBar, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker
from triagebench.heuristics.model import SEVERITY_RANK, Findings
from triagebench.parser import Document, InputError, printable
from triagebench.parser.refs import RefError, file_label, format_ref, parse_ref, resolve_ref
from triagebench.themes import DEFAULT_THEME, PROJECT_THEMES, SEVERITY_DEFAULTS
from triagebench.tui import loading
from triagebench.tui.clipboard import Clipboard, is_remote
from triagebench.tui.messages import DocumentLoaded, FindingsReady, LoadFailed, LoadProgress
from triagebench.tui.palette import FindingProvider, SectionProvider
from triagebench.tui.screens.detail import DetailScreen
from triagebench.tui.screens.error import ErrorScreen
from triagebench.tui.screens.goto import GotoScreen
from triagebench.tui.settings import Settings, load_settings, save_settings
from triagebench.tui.widgets.command_tree import CommandTree, TreeTarget
from triagebench.tui.widgets.facts_header import FactsHeader
from triagebench.tui.widgets.findings_panel import FindingsPanel
from triagebench.tui.widgets.log_view import LogView
from triagebench.tui.widgets.search_bar import SearchBar

NARROW_WIDTH = 110
WIDE_WIDTH = 160
# Themes ctrl+t cycles through (every theme stays reachable from the palette).
CYCLE_THEMES = ("triage-dark", "triage-light", "triage-contrast", "ansi-dark")


def regex_error(pattern: str) -> str | None:
    """Why ``pattern`` is not a valid regex (one line), or None when it is."""
    try:
        re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        return f"invalid regex: {exc}"
    return None


class TriageApp(App[int]):
    """The workbench for one diagnostics file."""

    CSS_PATH = "app.tcss"
    TITLE = "triage"
    COMMANDS = App.COMMANDS | {SectionProvider, FindingProvider}

    BINDINGS = [
        Binding("slash", "search", "Search", key_display="/"),
        Binding("f", "filter('keep')", "Keep"),
        Binding("F", "filter('hide')", "Hide"),
        Binding("colon,ctrl+g", "goto", "Go to", key_display=":"),
        Binding("y,c", "copy_line", "Copy line", key_display="y"),
        Binding("p", "copy_permalink", "Copy link"),
        Binding("right_square_bracket", "evidence(1)", "Next evidence", key_display="]"),
        Binding("left_square_bracket", "evidence(-1)", "Prev evidence", key_display="[",
                show=False),
        Binding("enter", "open", "Detail", show=False),
        Binding("o", "open", "Open", show=False),
        Binding("escape", "escape", "Clear/cancel", show=False),
        Binding("ctrl+b", "toggle_tree", "Tree"),
        Binding("ctrl+n", "toggle_side", "Panel"),
        Binding("ctrl+t", "cycle_theme", "Theme", show=False),
        Binding("q", "quit", "Quit", show=False),
    ]

    def __init__(self, path: str, *, theme: str | None = None,
                 heuristic_dirs: tuple[str, ...] = (), builtin: bool = True,
                 drafts_dir: str | None = None, env: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.path = path
        self.env = os.environ if env is None else env
        self.options = loading.LoadOptions(tuple(heuristic_dirs), builtin, drafts_dir)
        for project_theme in PROJECT_THEMES:
            self.register_theme(project_theme)
        self.settings = load_settings()
        requested = theme or self.settings.theme or DEFAULT_THEME
        self.theme_warning: str | None = None
        if requested not in self.available_themes:
            self.theme_warning = (f"Unknown theme {requested!r}; using {DEFAULT_THEME}. "
                                  f"Known: {', '.join(sorted(self.available_themes))}")
            requested = DEFAULT_THEME
        self.saved_theme = requested
        self.theme = requested
        if is_remote(self.env):
            self.animation_level = "none"
        self.clipboard_helper = Clipboard(self, self.env)
        self.document: Document | None = None
        self.findings: Findings | None = None
        self.library: Any = None
        self.generation = 0
        self.loading = False
        self.load_worker: Worker[None] | None = None
        self.search_pattern: str | None = None
        self.filter_pattern: str | None = None
        self.filter_mode = "keep"

    # -- themes ------------------------------------------------------------
    def get_theme_variable_defaults(self) -> dict[str, str]:
        """Severity colours for themes that do not define them (Textual's built-ins)."""
        return dict(SEVERITY_DEFAULTS)

    def watch_theme(self, theme: str) -> None:
        """Persist a theme the user picked (palette or ctrl+t); never fatal."""
        if not self.is_mounted or theme == self.saved_theme:
            return
        self.saved_theme = theme
        try:
            save_settings(Settings(theme=theme))
        except OSError as exc:
            self.notify(f"Could not save the theme choice: {exc}", severity="warning",
                        markup=False)
        if self.is_mounted:
            self.query_one(FindingsPanel).refresh_theme()

    def action_cycle_theme(self) -> None:
        names = [name for name in CYCLE_THEMES if name in self.available_themes]
        current = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(current + 1) % len(names)]
        self.notify(f"Theme: {self.theme}", timeout=2)

    # -- layout --------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield FactsHeader(id="facts")
        with Horizontal(id="body"):
            yield CommandTree(id="tree")
            with Horizontal(id="main"):
                with Vertical(id="center"):
                    yield LogView(id="log")
                    yield SearchBar(id="search")
                with TabbedContent(id="side"), TabPane("Findings", id="findings-tab"):
                    # The progress box lives in the side pane so hiding it never changes
                    # the log view's height (the initial centring must not race a relayout).
                    with Vertical(id="loading"):
                        yield Label(Content("opening…"), id="loading-text")
                        yield ProgressBar(total=None, show_eta=False, show_percentage=False,
                                          id="loading-bar")
                    yield FindingsPanel(id="findings")
        yield Footer()

    @property
    def log_view(self) -> LogView:
        return self.query_one("#log", LogView)

    @property
    def tree_view(self) -> CommandTree:
        return self.query_one("#tree", CommandTree)

    @property
    def findings_panel(self) -> FindingsPanel:
        return self.query_one("#findings", FindingsPanel)

    @property
    def search_bar(self) -> SearchBar:
        return self.query_one("#search", SearchBar)

    def on_mount(self) -> None:
        self.query_one(FactsHeader).show_loading(self.path)
        self.update_layout(self.size.width)
        if self.theme_warning:
            self.notify(self.theme_warning, severity="warning", markup=False)
        # Paint the (empty) layout first: the parse thread competes for the GIL and would
        # otherwise delay the first frame on big files.
        self.call_after_refresh(self.start_loading)

    def on_resize(self, event: Any) -> None:
        self.update_layout(event.size.width)

    def update_layout(self, width: int) -> None:
        """Pick the layout for ``width``: wide (three columns), medium (findings under
        the log, tree on the left) or narrow (findings under the log, tree hidden)."""
        screen = self.screen
        screen.set_class(width < NARROW_WIDTH, "-narrow")
        screen.set_class(NARROW_WIDTH <= width < WIDE_WIDTH, "-medium")

    def action_toggle_tree(self) -> None:
        screen = self.screen
        if screen.has_class("-narrow"):
            screen.toggle_class("-show-tree")
        else:
            screen.toggle_class("-hide-tree")
        tree = self.tree_view
        if tree.display and self.document is not None:
            tree.focus()
        elif self.focused is None or not self.focused.display:
            self.log_view.focus()

    def action_toggle_side(self) -> None:
        self.screen.toggle_class("-hide-side")
        if self.screen.has_class("-hide-side"):
            self.log_view.focus()

    # -- loading ---------------------------------------------------------------
    def start_loading(self) -> None:
        self.generation += 1
        self.loading = True
        self.set_loading_text(f"parsing {printable(os.path.basename(self.path))}…")
        self.findings_panel.show_status("waiting for the file…")
        self.load_worker = self.load_in_thread(self.generation)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_in_thread(self, generation: int) -> None:
        """Parse, load heuristics, match; post a message after each step (no widget access)."""
        worker = get_current_worker()

        def progress(stage: str, fraction: float | None) -> None:
            if not worker.is_cancelled:
                self.post_message(LoadProgress(generation, printable(stage), fraction))

        document_shown = False
        try:
            document = loading.read_document(self.path, progress)
            if worker.is_cancelled:
                return
            self.post_message(DocumentLoaded(generation, document))
            document_shown = True
            library = loading.read_library(self.options, progress)
            if worker.is_cancelled:
                return
            findings = loading.match(document, library, progress)
            if worker.is_cancelled:
                return
            self.post_message(FindingsReady(generation, findings, library))
        except InputError as exc:
            self.post_message(LoadFailed(generation, str(exc), document_shown=document_shown))
        except Exception as exc:  # noqa: BLE001 - shown as one line, never a traceback
            name = os.path.basename(self.path)
            self.post_message(LoadFailed(
                generation, f"{name}: could not be loaded ({type(exc).__name__}: {exc})",
                document_shown=document_shown))

    def set_loading_text(self, text: str) -> None:
        self.query_one("#loading-text", Label).update(Content(text + "  (Esc cancels)"))

    def on_load_progress(self, message: LoadProgress) -> None:
        if message.generation != self.generation or not self.loading:
            return
        if self.document is None:
            self.set_loading_text(message.stage)
        else:
            self.findings_panel.show_status(message.stage)

    def on_document_loaded(self, message: DocumentLoaded) -> None:
        if message.generation != self.generation:
            return
        document = message.document
        self.document = document
        self.query_one(FactsHeader).show_document(document)
        self.tree_view.load(document)
        self.log_view.load(document)
        self.query_one("#loading").display = False
        self.findings_panel.show_status("matching heuristics…")
        self.log_view.focus()
        for warning in document.warnings[:3]:
            self.notify(printable(warning), severity="warning", markup=False)

    def on_findings_ready(self, message: FindingsReady) -> None:
        if message.generation != self.generation or self.document is None:
            return
        self.loading = False
        self.findings = message.findings
        self.library = message.library
        heuristic_count = len(getattr(message.library, "heuristics", ()))
        self.log_view.set_findings(message.findings)
        self.tree_view.set_findings(message.findings)
        self.findings_panel.set_findings(message.findings, heuristic_count)
        problems = loading.library_problems(message.library)
        if problems:
            self.notify(f"{len(problems)} heuristic problem(s): {printable(problems[0])}",
                        severity="warning", markup=False, timeout=8)
        # after the layout settled, so centering uses the log view's final height
        self.call_after_refresh(self.open_at_worst)
        self.refresh_bindings()

    def open_at_worst(self) -> None:
        """Start at the first evidence line of the worst critical/high finding that has
        evidence (fact-only findings have none); otherwise stay at the top."""
        findings = self.findings
        if findings is None:
            return
        for finding in findings.matches:
            if SEVERITY_RANK[finding.severity] > SEVERITY_RANK["high"]:
                break
            if finding.evidence:
                self.log_view.goto_line(finding.evidence[0].line)
                return

    def on_load_failed(self, message: LoadFailed) -> None:
        if message.generation != self.generation:
            return
        self.loading = False
        if message.document_shown and self.document is not None:
            self.findings_panel.show_status(f"matching failed: {message.message}")
            self.notify(message.message, severity="error", markup=False, timeout=10)
            return
        self.push_screen(ErrorScreen(message.message, "q quits."))

    def cancel_loading(self) -> None:
        """Esc while loading: stop the worker; without a document there is nothing to show."""
        self.generation += 1
        self.loading = False
        self.workers.cancel_group(self, "load")
        name = os.path.basename(self.path)
        if self.document is None:
            self.push_screen(ErrorScreen(f"{name}: loading cancelled.", "q quits."))
        else:
            self.findings_panel.show_status("matching cancelled: no findings shown "
                                            "(reopen the file to match).")
            self.notify("Matching cancelled.", severity="warning")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that died unexpectedly becomes an error screen, not a traceback."""
        if event.worker is self.load_worker and event.state == WorkerState.ERROR:
            self.post_message(LoadFailed(self.generation, f"{self.path}: {event.worker.error}",
                                         document_shown=self.document is not None))

    # -- navigation ------------------------------------------------------------
    @on(CommandTree.ScopeSelected)
    def scope_from_tree(self, message: CommandTree.ScopeSelected) -> None:
        self.apply_scope(message.target)

    def apply_scope(self, target: TreeTarget) -> None:
        """Scope the log view to ``target`` (a section, or the whole file at a line)."""
        if self.document is None:
            return
        log = self.log_view
        if target.section is not None:
            log.show_section(target.section)
            section = self.document.sections[target.section]
            log.goto_line(section.header_line or section.first_line, center=False)
        else:
            log.show_section(None)
            if target.line:
                log.goto_line(target.line, center=False)

    def scope_to_section(self, index: int) -> None:
        """Palette: scope the log view to section ``index`` and show it in the tree."""
        if self.document is None:
            return
        self.apply_scope(TreeTarget(index, self.document.sections[index].header_line))
        self.tree_view.select_section(index)
        self.log_view.focus()

    def jump_to_finding(self, finding_id: str) -> None:
        """Palette: select the finding and jump to its first evidence line."""
        panel = self.findings_panel
        if panel.select_finding(finding_id):
            self.screen.remove_class("-hide-side")
            panel.jump(0)

    def on_findings_panel_jump_to(self, message: FindingsPanel.JumpTo) -> None:
        log = self.log_view
        log.goto_line(message.line)
        self.notify(f"{printable(message.finding.title)}: evidence {message.index + 1}/"
                    f"{message.count} at line {message.line:,}", timeout=2, markup=False)

    def on_log_view_cursor_moved(self, message: Any) -> None:
        tree = self.tree_view
        if not tree.has_focus:
            tree.select_section(getattr(message, "section_index", None))

    def action_evidence(self, delta: int) -> None:
        if not self.findings_panel.step(delta):
            self.notify("Select a finding with evidence first.", timeout=2)

    def action_goto(self) -> None:
        if self.document is None:
            return
        self.push_screen(GotoScreen(self.resolve_reference, self.document.line_count),
                         self.goto_result)

    def resolve_reference(self, text: str) -> int:
        """``1234`` / ``L1234`` / ``FILE#L1234`` / section refs -> a line of this file."""
        assert self.document is not None
        try:
            return resolve_ref(parse_ref(text), self.document)
        except RefError as exc:
            raise ValueError(str(exc)) from exc

    def goto_result(self, line: int | None) -> None:
        if line is not None:
            self.log_view.goto_line(line)
            self.log_view.focus()

    def action_open(self) -> None:
        """Enter/o: the whole line (log view) or the permalink (findings panel)."""
        focused = self.focused
        if focused is not None and self.findings_panel in focused.ancestors_with_self:
            self.open_permalink()
            return
        if self.document is None:
            return
        line = self.log_view.cursor_line
        self.push_screen(DetailScreen(format_ref(self.document, line),
                                      self.log_view.line_detail(line)))

    def open_permalink(self) -> None:
        finding = self.findings_panel.selected
        if finding is None or not finding.permalink:
            return
        link = finding.permalink
        if is_remote(self.env) or not link.startswith(("https://", "http://")):
            self.copy_text(link, "permalink (not opened: over SSH the browser would open "
                                 "on the remote host)")
            return
        try:
            webbrowser.open(link)
        except Exception:  # noqa: BLE001 - no browser is not an error worth more than a note
            self.copy_text(link, "permalink (no browser available)")

    # -- search and filter --------------------------------------------------------
    def action_search(self) -> None:
        if self.document is not None:
            self.search_bar.open("search", self.search_pattern or "")

    def action_filter(self, mode: str) -> None:
        if self.document is not None:
            current = self.filter_pattern if self.filter_mode == mode else ""
            self.search_bar.open(mode, current or "")

    def apply_pattern(self, mode: str, pattern: str) -> None:
        bar = self.search_bar
        log = self.log_view
        if pattern:
            error = regex_error(pattern)
            if error:
                bar.set_status(error, error=True)
                return
        if mode == "search":
            self.search_pattern = pattern or None
            log.set_search(self.search_pattern)
        else:
            self.filter_pattern = pattern or None
            self.filter_mode = mode
            log.set_filter(self.filter_pattern, exclude=mode == "hide")
        self.refresh_search_status()

    def refresh_search_status(self) -> None:
        """The bar's count: matches (search) or shown/hidden lines (filter)."""
        bar = self.search_bar
        if not bar.is_open or bar.query_one("#search-status").has_class("-error"):
            return
        log = self.log_view
        if bar.mode == "search":
            if self.search_pattern:
                count = log.search_count
                bar.set_status(f"{count:,} match{'es' if count != 1 else ''}")
            else:
                bar.set_status("")
        elif self.filter_pattern:
            bar.set_status(f"{log.hidden_count:,} lines hidden")
        else:
            bar.set_status("")

    @on(SearchBar.Changed)
    def pattern_changed(self, message: SearchBar.Changed) -> None:
        self.apply_pattern(message.mode, message.pattern)

    @on(SearchBar.Submitted)
    def pattern_submitted(self, message: SearchBar.Submitted) -> None:
        if message.pattern and regex_error(message.pattern):
            return
        self.apply_pattern(message.mode, message.pattern)
        self.search_bar.hide()
        self.log_view.focus()
        if message.mode != "search" and self.filter_pattern:
            self.notify(f"{self.log_view.hidden_count:,} lines hidden (Esc clears)", timeout=3)

    @on(SearchBar.Closed)
    def pattern_closed(self, message: SearchBar.Closed) -> None:
        self.apply_pattern(message.mode, "")
        self.search_bar.hide()
        self.log_view.focus()

    def on_log_view_search_changed(self, message: Any) -> None:
        """A worker-computed search finished (big scopes): show its count."""
        self.refresh_search_status()

    def on_log_view_search_error(self, message: Any) -> None:
        self.search_bar.set_status(printable(str(getattr(message, "message", message))),
                                   error=True)

    def on_log_view_filter_changed(self, message: Any) -> None:
        if self.search_bar.is_open and self.search_bar.mode != "search":
            hidden = getattr(message, "hidden", 0)
            shown = getattr(message, "shown", 0)
            self.search_bar.set_status(f"{shown:,} shown, {hidden:,} hidden")

    def action_escape(self) -> None:
        """Esc: cancel loading, else clear the search and the filter."""
        if self.loading:
            self.cancel_loading()
            return
        cleared = []
        if self.search_pattern:
            self.apply_pattern("search", "")
            cleared.append("search")
        if self.filter_pattern:
            self.apply_pattern(self.filter_mode, "")
            cleared.append("filter")
        if cleared:
            self.notify(f"Cleared {' and '.join(cleared)}.", timeout=2)

    # -- copy ------------------------------------------------------------------
    def copy_text(self, text: str, what: str) -> str:
        """Copy through the one clipboard helper (OSC 52 + optional local tool + notify)."""
        return self.clipboard_helper.copy(text, what)

    def action_copy_line(self) -> None:
        """The cursor line (or the selected range) with its ``FILE#L1234`` reference."""
        document = self.document
        if document is None:
            return
        log = self.log_view
        selection = getattr(log, "selection", None)
        if selection:
            first, last = selection
            ref = f"{file_label(document)}#L{first}-L{last}"
            body = "\n".join(document.plain(n) for n in range(first, last + 1))
            self.copy_text(f"{ref}\n{body}", f"lines {first:,}-{last:,}")
            return
        line = log.cursor_line
        ref = format_ref(document, line)
        self.copy_text(f"{ref}  {document.plain(line)}", ref)

    def action_copy_permalink(self) -> None:
        finding = self.findings_panel.selected
        if finding is None or not finding.permalink:
            self.notify("No finding with a permalink is selected.", timeout=2)
            return
        self.copy_text(finding.permalink, f"permalink of {printable(finding.id)}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out keys that need a document or findings."""
        if action in ("search", "filter", "goto", "copy_line", "open") and self.document is None:
            return None
        if action in ("copy_permalink", "evidence") and not (self.findings and
                                                              self.findings.matches):
            return None
        return True

    def get_system_commands(self, screen: Screen[Any]):
        yield from super().get_system_commands(screen)
        yield SystemCommand("Toggle command tree", "Show or hide the command tree (ctrl+b)",
                            self.action_toggle_tree)
        yield SystemCommand("Toggle findings pane", "Show or hide the side pane (ctrl+n)",
                            self.action_toggle_side)
        yield SystemCommand("Go to line", "Jump to 1234 or FILE#L1234 (:)", self.action_goto)


def create_app(path: str, *, theme: str | None = None, heuristic_dirs: tuple[str, ...] = (),
               builtin: bool = True, drafts_dir: str | None = None,
               env: Mapping[str, str] | None = None) -> TriageApp:
    """The one way to build the app (CLI, tests and bench share it)."""
    return TriageApp(path, theme=theme, heuristic_dirs=tuple(heuristic_dirs), builtin=builtin,
                     drafts_dir=drafts_dir, env=env)


__all__ = ["NARROW_WIDTH", "WIDE_WIDTH", "TriageApp", "create_app", "regex_error"]
