"""The triage workbench app: header, command tree, log view, findings, footer.

Layout (wide terminals, >= ``NARROW_WIDTH`` columns)::

    ┌ facts header (device, OS, supervisor, engine, kernel, uptime, capture, file) ┐
    │ command tree │ log view (+ search bar)             │ [Findings] tab pane      │
    └ footer (keys) ───────────────────────────────────────────────────────────────┘

Below ``NARROW_WIDTH`` (e.g. 80x24) the tree is hidden (t shows it, docked
left) and the side pane moves under the log view, so the log and the worst
findings are both on the first screen. ctrl+n hides/shows the side pane.

The side pane has three tabs: Findings (known problems), Unexplained (templates
of error-like lines no finding covers; ``p`` there promotes one to a draft) and
Bookmarks (marked lines and notes, persisted per file content, exported with
``X``). ``p`` in the log view promotes the selection to a heuristic draft; after
a save the library is reloaded and the file re-evaluated in a worker.

Threading rule: the loading worker computes (parse, load heuristics, match) and
only posts messages (``tui.messages``); the ``on_*`` handlers here own every
state change. ``create_app`` is the one factory used by the CLI, tests and bench.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import time
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Label
from textual.worker import Worker, WorkerState, get_current_worker
from triagebench.parser import Document, InputError, printable
from triagebench.parser.refs import RefError, file_label, format_ref, parse_ref, resolve_ref
from triagebench.services import analysis, files
from triagebench.services.library import LibraryOptions
from triagebench.services.settings import Settings, read_settings, save_settings
from triagebench.themes import DEFAULT_THEME, PROJECT_THEMES, SEVERITY_DEFAULTS, SEVERITY_RANK
from triagebench.tui import keys
from triagebench.tui.clipboard import Clipboard, is_remote
from triagebench.tui.messages import (
    Analysed,
    DocumentLoaded,
    FindingsReady,
    LibraryLoaded,
    LoadFailed,
    LoadProgress,
    Reevaluated,
    SessionLoaded,
    StateReady,
    UnexplainedReady,
)
from triagebench.tui.palette import ActionProvider, FindingProvider, SectionProvider
from triagebench.tui.screens.input_picker import InputsToPick
from triagebench.tui.startup import (
    freeze_first_document,
    freeze_startup_objects,
    resume_collector,
)
from triagebench.tui.story import StoryCommands
from triagebench.tui.widgets.bookmarks_panel import BookmarksPanel
from triagebench.tui.widgets.command_tree import CommandTree, TreeTarget
from triagebench.tui.widgets.facts_header import FactsHeader
from triagebench.tui.widgets.findings_panel import FindingsPanel
from triagebench.tui.widgets.keys_footer import KeysFooter
from triagebench.tui.widgets.log_index import compile_pattern
from triagebench.tui.widgets.log_view import LogView
from triagebench.tui.widgets.search_bar import SearchBar
from triagebench.tui.widgets.side_tabs import SidePane, SideTabs
from triagebench.tui.widgets.state_strip import COMPACT_HEIGHT, StateStrip
from triagebench.tui.widgets.unexplained_panel import UnexplainedPanel

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from triagebench.heuristics.format import Library
    from triagebench.heuristics.mining import Template
    from triagebench.heuristics.model import Findings
    from triagebench.services.prefetch import Delivered, Prefetch
    from triagebench.services.sessions import OpenedSession, Session
    from triagebench.services.state import DeviceState
    from triagebench.tui.screens.draft_editor import DraftEditor

# Not needed for the first frame, so imported where used: the heuristics engine (in
# the loading worker), sessions (worker, then on first bookmark), the modal screens,
# the key help (Markdown), webbrowser.

NARROW_WIDTH = 110
# How long the first paint may wait for the child's analysis, in all (the inline wait in
# show_prefetched_now, then hold_first_frame for a frame too big to unpickle inline): it
# is usually in before the UI is styled; a slower child gets the loading screen.
FIRST_FRAME_WAIT = 0.3
WIDE_WIDTH = 160
# More lines than this in one ``m`` (a selection) is almost certainly a slip.
MAX_MARK_LINES = 500


def regex_error(pattern: str) -> str | None:
    """Why ``pattern`` is not a valid regex (one line), or None when it is. The same
    ``regex`` module and flags as the log view's search, so what validates, runs."""
    import regex  # imported by the first search, not at start-up

    try:
        compile_pattern(pattern)
    except (regex.error, ValueError, OverflowError) as exc:
        return f"invalid regex: {exc}"
    return None


class MainScreen(Screen[Any]):
    """The workbench's screen. The log view has the focus from the first frame (not the
    first focusable widget, then the log view once the file is in: each focus change
    restyles the focused widgets and their ancestors)."""

    AUTO_FOCUS = "#log"


class TriageApp(StoryCommands, App[int]):
    """The workbench for one diagnostics file."""

    CSS_PATH = "app.tcss"
    NOTIFICATION_TIMEOUT = 4  # toasts sit over the findings pane: short, 5 s at most
    TITLE = "triage"
    COMMANDS = App.COMMANDS | {ActionProvider, SectionProvider, FindingProvider}

    # Built from the one key registry (tui/keys.py): the footer shows its footer keys,
    # the rest are in the palette (ctrl+p) and the key help (?).
    BINDINGS = keys.bindings()

    def __init__(self, path: str, *, theme: str | None = None,
                 heuristic_dirs: tuple[str, ...] = (), builtin: bool = True,
                 drafts_dir: str | None = None, env: Mapping[str, str] | None = None,
                 goto: str | None = None, session_path: str | None = None,
                 corpus_dir: str | None = None, include_drafts: bool = True,
                 checks: tuple[str, ...] = (), compare_path: str | None = None,
                 prefetch: Prefetch | None = None) -> None:
        super().__init__()
        # The analysis the CLI started in a child process before importing the UI
        # (services.prefetch); used once, by the first load of the same inputs.
        self.prefetch = prefetch
        self.compare_path = compare_path  # --compare NEW: opens once findings are ready
        self.path = path
        # Health checks of the same capture, combined into the one Document (and a
        # "Health checks" group in the tree); ``member``: the file picked in an archive.
        self.checks = tuple(checks)
        self.member: str | None = None
        self.env = os.environ if env is None else env
        # The library policy (services.library), the same as scan/report/fleet with the
        # same options; drafts_dir None: $TRIAGE_DRAFTS or the data dir's drafts.
        self.options = LibraryOptions(tuple(heuristic_dirs), builtin, drafts_dir, include_drafts)
        self.goto = goto
        self.session_path = session_path
        self.corpus_dir = corpus_dir
        for project_theme in PROJECT_THEMES:
            self.register_theme(project_theme)
        self.settings, self.settings_notice = read_settings()
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
        self.state: DeviceState | None = None
        self.library: Library | None = None
        self.generation = 0
        self.loading = False
        self.load_worker: Worker[None] | None = None
        self.search_pattern: str | None = None
        self.filter_pattern: str | None = None
        self.filter_mode = "keep"
        self.session: Session | None = None
        self.removed_notes: dict[int, str] = {}  # notes of bookmarks removed this run
        self.templates: list[Template] | None = None
        self.unexplained_lines: list[int] = []
        self.start_applied = False  # --goto / an imported position took the cursor
        self.user_moved = False  # a key or click in the log before the findings: keep it
        self.search_origin: int | None = None  # cursor when / opened (Esc returns there)
        self.draft_open = False
        self.running_prefetch: Prefetch | None = None  # the child the load worker reads
        self.first_results = asyncio.Event()  # set once the first load showed something
        self.first_frame_hold: Worker[None] | None = None
        # When the first paint stops waiting for the child (show_prefetched_now, then
        # hold_first_frame share this one FIRST_FRAME_WAIT budget; set on mount).
        self.first_paint_deadline = 0.0

    def get_default_screen(self) -> Screen[Any]:
        return MainScreen(id="_default")

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
        names = [name for name in keys.CYCLE_THEMES if name in self.available_themes]
        current = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(current + 1) % len(names)]
        self.notify(f"Theme: {self.theme}", timeout=2)

    # -- layout --------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # The layout class first, so the widgets are styled once, not again on mount.
        self.update_layout(self.size.width)
        yield FactsHeader(id="facts")
        with Horizontal(id="body"):
            yield CommandTree(id="tree")
            with Horizontal(id="main"):
                with Vertical(id="center"):
                    # compact from the start on short terminals: no restyle on mount
                    yield StateStrip(id="state", classes="-compact"
                                     if self.size.height < COMPACT_HEIGHT else None)
                    yield LogView(id="log")
                    # the search bar is mounted on first use (search_bar)
                with SideTabs(id="side"):
                    with SidePane("Findings", id="findings-tab"):
                        # The loading box (set_loading_text) is mounted here when a load
                        # shows progress: usually the child's analysis is laid out in
                        # the first frame, which then needs no loading box at all.
                        yield FindingsPanel(id="findings")
                    # Hidden at start: their lists are composed after the first frame.
                    with SidePane("Unexplained …", id="unexplained-tab"):
                        yield UnexplainedPanel(id="unexplained", defer=True)
                    with SidePane("Bookmarks", id="bookmarks-tab"):
                        yield BookmarksPanel(id="bookmarks", defer=True)
        yield KeysFooter(compact=True)

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
    def search_bar(self) -> SearchBar | None:
        """The search/filter bar, None until ``/``, ``f`` or ``F`` first opened it (it is
        not on the first frame: ``widgets.search_bar``)."""
        for bar in self.query("#search").results(SearchBar):
            return bar
        return None

    def open_search_bar(self, mode: str, pattern: str) -> None:
        """Open the bar in ``mode``, mounting it under the log view the first time."""
        bar = self.search_bar
        if bar is None:
            bar = SearchBar(id="search")
            self.query_one("#center").mount(bar)
        bar.open(mode, pattern)

    @property
    def unexplained_panel(self) -> UnexplainedPanel:
        return self.query_one("#unexplained", UnexplainedPanel)

    @property
    def bookmarks_panel(self) -> BookmarksPanel:
        return self.query_one("#bookmarks", BookmarksPanel)

    @property
    def side_tabs(self) -> SideTabs:
        return self.query_one("#side", SideTabs)

    def set_tab_label(self, pane_id: str, label: str) -> None:
        self.side_tabs.get_tab(pane_id).label = Content(label)

    def show_tab(self, pane_id: str) -> None:
        """Make ``pane_id`` the visible tab (and the side pane visible)."""
        self.screen.remove_class("-hide-side")
        self.side_tabs.active = pane_id

    async def on_event(self, event: events.Event) -> None:
        """Note that the user acted (a key or a click) while the file was shown but the
        findings were not in yet: the opening jump must not undo what they did."""
        if (self.document is not None and self.findings is None and not self.user_moved
                and isinstance(event, events.Key | events.MouseDown | events.MouseScrollDown
                               | events.MouseScrollUp)):
            self.user_moved = True
        await super().on_event(event)

    def on_mount(self) -> None:
        self.call_after_refresh(resume_collector)  # the CLI paused it until the first paint
        self.query_one(FactsHeader).show_loading(self.path)
        self.update_layout(self.size.width)
        self.fit_state_strip(self.size.height)
        if self.theme_warning:
            self.notify(self.theme_warning, severity="warning", markup=False)
        if self.settings_notice:
            self.notify(printable(self.settings_notice), severity="warning", markup=False,
                        timeout=10)
        if self.prefetch is not None:
            # A child process analyses the file. Usually its result is in already, or
            # within the first paint's budget: it is laid out now, before the first
            # paint. A result too big to unpickle here is read by the worker (the first
            # paint waits for it, briefly); a slower child gets the loading screen.
            if self.show_prefetched_now():
                return
            if self.prefetch.first_frame_size() is not None:
                self.first_frame_hold = self.hold_first_frame()
            self.start_loading()
        else:
            # Paint the (empty) layout first: the parse thread competes for the GIL and
            # would otherwise delay the first frame on big files.
            self.call_after_refresh(self.start_loading)

    @work(exclusive=True, group="first-frame")
    async def hold_first_frame(self) -> None:
        """Hold the first paint (``App.batch_update``) until the child's analysis is shown,
        at most ``FIRST_FRAME_WAIT``: mounting and styling go on meanwhile, then the
        document and the findings are laid out and painted once, instead of an empty
        loading frame first and a second pass over everything (~50 ms). A slower child
        gets the loading screen after the wait."""
        with self.batch_update(), contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.first_results.wait(),
                                   max(0.0, self.first_paint_deadline - time.monotonic()))

    def on_resize(self, event: Any) -> None:
        self.update_layout(event.size.width)
        self.fit_state_strip(event.size.height)

    def fit_state_strip(self, height: int) -> None:
        """Two-row state strip on short terminals, so the log keeps its room."""
        for strip in self.query(StateStrip):  # none while another screen is shown
            strip.set_compact(height < COMPACT_HEIGHT)

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

    def action_whole_file(self) -> None:
        """W: leave the section scope for the whole file, cursor kept, tree as it is."""
        log = self.log_view
        if log.scope is None:
            self.notify("Already showing the whole file.", timeout=2)
            return
        log.show_section(None)
        self.tree_view.select_section(None)
        log.focus()
        self.refresh_search_status()

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
        self.load_worker = self.load_in_thread(self.generation, self.take_prefetch())

    def show_prefetched_now(self) -> bool:
        """Show the child's analysis here on the UI thread when it arrives within
        ``FIRST_FRAME_WAIT`` and is small enough (``INLINE_FRAME_BYTES``: ~10 ms to
        unpickle), so the first layout and paint already have the document and the
        findings; False otherwise (the loading worker reads it).

        The wait blocks the event loop before anything is painted (a bounded budget:
        there is nothing to show or answer yet, keys typed meanwhile are queued); it
        saves the loading worker's thread start, its message and a second layout."""
        from triagebench.services.prefetch import INLINE_FRAME_BYTES

        prefetch = self.prefetch
        if prefetch is None or not self.prefetch_fits(prefetch):
            return False
        self.first_paint_deadline = time.monotonic() + FIRST_FRAME_WAIT
        prefetch.frame_ready(FIRST_FRAME_WAIT)  # at once when the frame is in already
        size = prefetch.first_frame_size()
        if size is None or size > INLINE_FRAME_BYTES:
            return False
        delivered = prefetch.wait(timeout=0)
        if delivered is None:
            return False  # not loadable: the worker falls back to the pipeline
        self.prefetch = None
        self.generation += 1
        self.loading = True
        generation = self.generation
        self.on_analysed(Analysed(generation, delivered, self.read_session(
            generation, delivered.document, delivered.session)))
        self.running_prefetch = prefetch  # Esc and quit stop it until the worker has it

        def finish() -> None:  # after the first paint: its thread would compete for the GIL
            if generation == self.generation:
                self.load_worker = self.finish_prefetched(generation, prefetch, delivered)
            else:
                prefetch.close()

        self.call_after_refresh(finish)
        return True

    def take_prefetch(self) -> Prefetch | None:
        """The child analysis started by the CLI, if it covers what is loaded now (the
        first load; not a member picked in an archive); handed out once."""
        prefetch, self.prefetch = self.prefetch, None
        if prefetch is not None and not self.prefetch_fits(prefetch):
            prefetch.close()  # no reader owns it yet: close its pipe too
            return None
        return prefetch

    def prefetch_fits(self, prefetch: Prefetch) -> bool:
        """Does the child analyse what is loaded now (the first load of these inputs and
        this --session; not a member picked in an archive)?"""
        return self.member is None and prefetch.covers(self.path, self.checks,
                                                        self.session_path)

    def stop_prefetch(self) -> None:
        """Kill a child analysis still running (Esc, quit): its reader sees EOF."""
        if self.prefetch is not None:  # never handed to a reader: close its pipe too
            self.prefetch.close()
            self.prefetch = None
        if self.running_prefetch is not None:
            self.running_prefetch.stop()

    def load_prefetched(self, generation: int, prefetch: Prefetch) -> bool:
        """(worker) Show the child's analysis in one message; False when the child
        failed, so the caller runs the pipeline here (and words any error itself)."""
        worker = get_current_worker()
        result = prefetch.wait(timeout=0.1)
        while result is None and prefetch.pending and not worker.is_cancelled:
            result = prefetch.wait(timeout=0.1)  # in slices: a cancelled load stops waiting
        if result is None or worker.is_cancelled:
            prefetch.close()
            return worker.is_cancelled
        session = self.read_session(generation, result.document, result.session)
        self.post_message(Analysed(generation, result, session))
        self.read_prefetch_rest(generation, prefetch, result)
        return True

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def finish_prefetched(self, generation: int, prefetch: Prefetch, delivered: Delivered) -> None:
        """(worker) After the child's analysis was shown inline: the rest of its frames."""
        self.running_prefetch = prefetch
        try:
            self.read_prefetch_rest(generation, prefetch, delivered)
        finally:
            self.running_prefetch = None

    def read_prefetch_rest(self, generation: int, prefetch: Prefetch,
                           delivered: Delivered) -> None:
        """(worker) What follows the child's first frame: its unexplained lines (else
        computed here) and the library it used (loaded here, from the cache)."""
        worker = get_current_worker()
        files.sweep_own_folders(self.options.drafts_dir)  # temp files of killed saves
        while prefetch.pending and not worker.is_cancelled and not prefetch.frame_ready(0.1):
            pass
        unexplained = None if worker.is_cancelled else prefetch.wait_unexplained(timeout=0)
        prefetch.close()
        if worker.is_cancelled:
            return
        if unexplained is None:
            self.post_message(self.find_unexplained(generation, delivered.document,
                                                    delivered.findings))
        else:
            self.post_message(UnexplainedReady(generation, unexplained.suspicious,
                                               unexplained.lines, unexplained.templates))
        try:
            library = analysis.read_library(self.options)
        except Exception:  # noqa: BLE001 - the findings are shown; compare says to wait
            library = None
        if not worker.is_cancelled:
            self.post_message(LibraryLoaded(generation, library))

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_in_thread(self, generation: int, prefetch: Prefetch | None = None) -> None:
        """Parse, load heuristics, match; post a message after each step (no widget access).
        With ``prefetch`` (a child already analysing the file), wait for its result."""
        worker = get_current_worker()
        if prefetch is not None:
            self.running_prefetch = prefetch
            try:
                if self.load_prefetched(generation, prefetch):
                    return
            finally:
                self.running_prefetch = None

        def progress(stage: str, fraction: float | None) -> None:
            if not worker.is_cancelled:
                self.post_message(LoadProgress(generation, printable(stage), fraction))

        document_shown = False
        try:
            document = analysis.read_capture(self.path, self.checks, self.member, progress)
            if worker.is_cancelled:
                return
            self.post_message(DocumentLoaded(generation, document))
            document_shown = True
            self.post_message(self.read_session(generation, document))
            self.post_message(StateReady(generation, analysis.read_state(document)))
            files.sweep_own_folders(self.options.drafts_dir)  # temp files of killed saves
            library = analysis.read_library(self.options, progress)
            if worker.is_cancelled:
                return
            findings = analysis.match(document, library, progress)
            if worker.is_cancelled:
                return
            self.post_message(FindingsReady(generation, findings, library))
            self.post_message(self.find_unexplained(generation, document, findings))
        except analysis.SeveralInputs as exc:
            self.post_message(InputsToPick(generation, exc.path, exc.names))
        except InputError as exc:
            self.post_message(LoadFailed(generation, str(exc), document_shown=document_shown))
        except Exception as exc:  # noqa: BLE001 - shown as one line, never a traceback
            name = os.path.basename(self.path)
            self.post_message(LoadFailed(
                generation, f"{name}: could not be loaded ({type(exc).__name__}: {exc})",
                document_shown=document_shown))

    def on_inputs_to_pick(self, message: InputsToPick) -> None:
        """An archive of several files: ask which one, then load it (Esc quits)."""
        self.first_results.set()
        if message.generation != self.generation:
            return
        from triagebench.tui.screens.input_picker import InputPicker

        def picked(name: str | None) -> None:
            if name is None:
                self.exit()
                return
            self.member = name
            self.start_loading()

        self.push_screen(InputPicker(message.path, message.names), picked)

    def read_session(self, generation: int, document: Document,
                     opened: OpenedSession | None = None) -> SessionLoaded:
        """(worker) The stored session, with ``--session`` merged in (``opened``: as the
        child process read it already); never raises."""
        if opened is None:
            from triagebench.services.sessions import open_session

            opened = open_session(document, self.session_path)
        return SessionLoaded(generation, opened.session, opened.warnings,
                             None if opened.error is None else printable(opened.error))

    @staticmethod
    def find_unexplained(generation: int, document: Document,
                         findings: Findings | None) -> UnexplainedReady:
        """(worker) Error-like lines no finding covers, mined into templates."""
        try:
            found = analysis.find_unexplained(document, findings)
        except Exception as exc:  # noqa: BLE001 - an optional view never breaks loading
            return UnexplainedReady(generation, [], [], [],
                                    printable(f"{type(exc).__name__}: {exc}"))
        return UnexplainedReady(generation, found.suspicious, found.lines, found.templates)

    @work(thread=True, exclusive=True, group="reevaluate", exit_on_error=False)
    def reevaluate(self, generation: int, document: Document, saved: str | None) -> None:
        """Reload the library (drafts included) and match again, e.g. after a draft save."""
        worker = get_current_worker()
        try:
            library = analysis.read_library(self.options.with_drafts())
            findings = analysis.match(document, library)
        except Exception as exc:  # noqa: BLE001 - shown as one line
            self.post_message(Reevaluated(generation, None, None, saved,
                                          printable(f"{type(exc).__name__}: {exc}")))
            return
        if worker.is_cancelled:
            return
        self.post_message(Reevaluated(generation, findings, library, saved))
        self.post_message(self.find_unexplained(generation, document, findings))

    def set_loading_text(self, text: str) -> None:
        """The loading box's text, mounting the box first if this load has none. It
        lives in the side pane so hiding it never changes the log view's height (the
        initial centring must not race a relayout). Text only: an animated bar would
        repaint 15 times a second while the worker needs the CPU (GIL)."""
        content = Content(text + "  (Esc cancels)")
        for label in self.query("#loading-text").results(Label):
            label.update(content)
            return
        self.query_one("#findings-tab").mount(
            Vertical(Label(content, id="loading-text"), id="loading"), before="#findings")

    def on_load_progress(self, message: LoadProgress) -> None:
        if message.generation != self.generation or not self.loading:
            return
        if self.document is None:
            self.set_loading_text(message.stage)
        else:
            self.findings_panel.show_status(message.stage)

    def on_analysed(self, message: Analysed) -> None:
        """The child's whole analysis at once: one layout pass for the document, the
        device state and the findings (the same steps as the messages below)."""
        if message.generation != self.generation:
            return
        analysed = message.analysis
        self.show_document(analysed.document, analysed.findings)
        self.on_session_loaded(message.session)
        self.on_state_ready(StateReady(message.generation, analysed.state))
        self.findings_shown(analysed.findings, analysed.heuristic_count,
                            analysed.library_problems)
        self.first_results.set()  # the first paint may happen now
        freeze_first_document()

    def on_document_loaded(self, message: DocumentLoaded) -> None:
        self.first_results.set()  # the child failed: show the file as it comes
        if message.generation != self.generation:
            return
        self.show_document(message.document)
        freeze_first_document()

    def show_document(self, document: Document, findings: Findings | None = None) -> None:
        """Fill the header, tree and log view; ``findings`` when they are already known
        (the child's analysis): the tree is then built with its counts once, not twice."""
        self.document = document
        self.query_one(FactsHeader).show_document(document)
        self.tree_view.load(document, findings)
        self.log_view.load(document)
        for box in self.query("#loading"):
            box.display = False
        self.findings_panel.show_status("matching heuristics…")
        self.log_view.focus()
        for warning in document.warnings[:3]:  # also a chip in the header
            self.notify_after_paint(printable(warning), severity="warning")

    def notify_after_paint(self, message: str, *, severity: SeverityLevel = "information",
                           timeout: float | None = None) -> None:
        """A toast about the load being shown (``message`` is plain text, never markup),
        put up after the next paint: while the file opens, the first frame must not wait
        for a toast to be mounted and styled."""
        self.call_after_refresh(self.notify, message, severity=severity, markup=False,
                                timeout=timeout)

    def on_state_ready(self, message: StateReady) -> None:
        if message.generation != self.generation or self.document is None:
            return
        self.state = message.state
        self.query_one(StateStrip).set_state(message.state)

    def on_state_strip_jump_to(self, message: StateStrip.JumpTo) -> None:
        if message.line is None:
            self.notify(f"{printable(message.label)}: no evidence line in this capture.",
                        timeout=3, markup=False)
            return
        self.log_view.goto_line(message.line)
        self.notify(f"{printable(message.label)}: line {message.line:,}", timeout=2,
                    markup=False)

    def on_findings_ready(self, message: FindingsReady) -> None:
        if message.generation != self.generation or self.document is None:
            return
        self.library = message.library
        self.findings_shown(message.findings, *analysis.library_facts(message.library))

    def on_library_loaded(self, message: LibraryLoaded) -> None:
        """The library behind a child's findings (compare needs it)."""
        if message.generation == self.generation and self.library is None:
            self.library = message.library
            if self.compare_path and message.library is not None:
                self.action_compare()

    def findings_shown(self, findings: Findings, heuristic_count: int,
                       problems: Sequence[str]) -> None:
        """The load's findings are in: show them, then open at the worst one."""
        self.loading = False
        self.show_findings(findings, heuristic_count, problems)
        # after the layout settled, so centering uses the log view's final height
        self.call_after_refresh(self.open_at_worst)
        if self.compare_path and self.library is not None:
            self.call_after_refresh(self.action_compare)

    def show_findings(self, findings: Findings, heuristic_count: int,
                      problems: Sequence[str]) -> None:
        self.findings = findings
        self.log_view.set_findings(findings)
        self.tree_view.set_findings(findings)
        self.findings_panel.set_findings(findings, heuristic_count)
        # The findings in words on the first screen ("No active problem found; 2 historical").
        from triagebench.services.finding_status import is_problem, summary_text

        self.query_one(StateStrip).set_summary(summary_text(findings),
                                               any(is_problem(f) for f in findings.matches))
        drafts = sum(1 for f in findings.matches if f.draft)
        self.set_tab_label("findings-tab", f"Findings {len(findings.matches)}"
                           + (f" ({drafts} draft)" if drafts else ""))
        if problems:
            self.notify_after_paint(
                f"{len(problems)} heuristic problem(s): {printable(problems[0])}",
                severity="warning", timeout=5)
        self.refresh_bindings()

    def on_unmount(self) -> None:
        """Quitting: a child analysis still running is killed, so the worker reading it
        ends (the interpreter waits for worker threads before it exits)."""
        self.stop_prefetch()

    def on_unexplained_ready(self, message: UnexplainedReady) -> None:
        if message.generation != self.generation or self.document is None:
            return
        if message.error:
            self.set_tab_label("unexplained-tab", "Unexplained ?")
            self.notify(f"Unexplained lines not computed: {message.error}",
                        severity="warning", markup=False)
            return
        self.templates = message.templates
        self.unexplained_lines = message.lines
        self.log_view.set_suspicious(message.suspicious)
        self.unexplained_panel.show(self.document, message.templates)
        self.set_tab_label("unexplained-tab", f"Unexplained {len(message.templates)}")

    def on_reevaluated(self, message: Reevaluated) -> None:
        if message.generation != self.generation or self.document is None:
            return
        if message.findings is None or message.library is None:
            self.notify(f"Re-evaluation failed: {message.error}", severity="error",
                        markup=False, timeout=5)
            return
        self.library = message.library
        self.show_findings(message.findings, *analysis.library_facts(message.library))
        if message.saved is None:
            return
        draft_id = Path(message.saved).stem
        if self.findings_panel.select_finding(draft_id):
            self.show_tab("findings-tab")
            finding = self.findings_panel.selected
            count = len(finding.evidence) if finding is not None else 0
            self.notify(f"Draft {printable(draft_id)} matches this file ({count} line"
                        f"{'s' if count != 1 else ''}); shown in Findings as DRAFT.",
                        markup=False)
        else:
            self.notify(f"Draft {printable(draft_id)} saved but does not match this file "
                        "(check its signals and version condition).", severity="warning",
                        markup=False, timeout=5)

    def open_at_worst(self) -> None:
        """Start at the first evidence line of the worst finding that has evidence
        (fact-only findings have none), whatever its severity: never the preamble when
        there is a finding. A --goto reference, an imported session position, or a key
        the user already pressed (e.g. ``G`` while matching a big file) wins."""
        findings = self.findings
        if findings is None or self.start_applied or self.user_moved:
            return
        ranked = sorted(findings.matches, key=lambda f: SEVERITY_RANK[f.severity])
        for finding in ranked:
            if finding.evidence:
                self.log_view.goto_line(finding.evidence[0].line)
                return

    def on_load_failed(self, message: LoadFailed) -> None:
        from triagebench.tui.screens.error import ErrorScreen

        self.first_results.set()
        if message.generation != self.generation:
            return
        self.loading = False
        if message.document_shown and self.document is not None:
            self.findings_panel.show_status(f"matching failed: {message.message}")
            self.notify(message.message, severity="error", markup=False, timeout=5)
            return
        self.push_screen(ErrorScreen(message.message, "q quits."))

    def cancel_loading(self) -> None:
        """Esc while loading: stop the worker; without a document there is nothing to show."""
        self.generation += 1
        self.loading = False
        self.workers.cancel_group(self, "load")
        self.stop_prefetch()
        name = os.path.basename(self.path)
        if self.document is None:
            from triagebench.tui.screens.error import ErrorScreen

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

    # -- session: start position, bookmarks, notes ------------------------------
    def on_session_loaded(self, message: SessionLoaded) -> None:
        if message.generation != self.generation or self.document is None:
            return
        self.session = message.session
        if message.error:
            self.notify_after_paint(f"Session not imported: {message.error}",
                                    severity="error", timeout=5)
        for warning in message.warnings[:5]:
            self.notify_after_paint(printable(warning), severity="warning", timeout=5)
        if self.session is None:
            self.set_tab_label("bookmarks-tab", "Bookmarks ?")
        else:
            self.show_bookmarks()
        start: int | None = None
        if self.session is not None and self.session_path and not message.error:
            start = self.apply_view(self.session)
        if self.goto:
            try:
                ref = parse_ref(self.goto)
                start = resolve_ref(ref, self.document)
            except RefError as exc:
                self.notify_after_paint(f"--goto: {printable(str(exc))}", severity="error",
                                        timeout=5)
            else:
                if ref.file and os.path.basename(ref.file) != file_label(self.document):
                    self.notify_after_paint(f"--goto names {printable(ref.file)}; applied to "
                                            f"{printable(file_label(self.document))}",
                                            timeout=5)
        if start is not None:
            self.start_applied = True
            self.call_after_refresh(self.log_view.goto_line, start)

    def apply_view(self, session: Session) -> int | None:
        """Apply an imported session's scope, search and filter; its position is returned
        (the caller moves there once the layout settled)."""
        document = self.document
        assert document is not None
        if session.scope:
            sections = document.sections_by_key(session.scope)
            if sections:
                section = sections[0]
                self.apply_scope(TreeTarget(section.index, section.header_line))
                self.tree_view.select_section(section.index)
        if session.search:
            self.apply_pattern("search", session.search)
        for item in session.filters:
            if isinstance(item, dict) and item.get("kind") == "regex" and \
                    isinstance(item.get("pattern"), str) and item.get("mode") in ("keep", "hide"):
                self.apply_pattern(item["mode"], item["pattern"])
                break
        return session.position

    def show_bookmarks(self) -> None:
        """Push the session's bookmarks to the log view gutter, the tab and its label."""
        if self.session is None or self.document is None:
            return
        self.log_view.set_bookmarks(self.session.bookmarks)
        self.bookmarks_panel.show(self.document, self.session.sorted_bookmarks())
        count = len(self.session.bookmarks)
        self.set_tab_label("bookmarks-tab", f"Bookmarks {count}" if count else "Bookmarks")

    def session_changed(self) -> None:
        """Save the session (atomically) and refresh what shows it."""
        self.show_bookmarks()
        if self.session is None:
            return
        from triagebench.services.sessions import SessionError, save_stored

        try:
            save_stored(self.session)
        except SessionError as exc:
            self.notify(f"Bookmarks not saved: {printable(str(exc))} (kept while the app is "
                        "open; X exports them)", severity="error", markup=False, timeout=5)

    def target_lines(self) -> list[int]:
        """The log view's selection, or its cursor line."""
        log = self.log_view
        selection = log.selection
        if selection:
            return list(range(selection[0], selection[1] + 1))
        return [log.cursor_line]

    def action_bookmark(self) -> None:
        """m: bookmark the cursor line (or every selected line); again: remove the mark.
        A mark carrying a note is kept (delete it in the Bookmarks tab)."""
        document, session = self.document, self.session
        if document is None or session is None:
            return
        lines = self.target_lines()
        if len(lines) > MAX_MARK_LINES:
            self.notify(f"{len(lines):,} lines selected: mark at most {MAX_MARK_LINES} at once.",
                        severity="warning")
            return
        where = format_ref(document, lines[0]) + (f" +{len(lines) - 1}" if len(lines) > 1
                                                   else "")
        if any(not session.is_marked(n) for n in lines):
            for n in lines:
                if not session.is_marked(n):
                    session.mark(document, n, self.removed_notes.pop(n, None))
            self.notify(f"Bookmarked {printable(where)}", timeout=2, markup=False)
        else:
            kept = [n for n in lines if session.note_at(n)]
            for n in lines:
                if n not in kept:
                    session.unmark(n)
            text = f"Removed bookmark {printable(where)}"
            if kept:
                text += (f"; kept {len(kept)} with a note (delete those in the Bookmarks tab)")
            self.notify(text, timeout=3, markup=False)
        self.session_changed()

    def action_annotate(self) -> None:
        """a: write or edit the note on the cursor line (bookmarking it)."""
        if self.document is not None and self.session is not None:
            self.edit_note(self.log_view.cursor_line)

    def edit_note(self, line: int) -> None:
        document, session = self.document, self.session
        if document is None or session is None:
            return
        from triagebench.tui.screens.note_editor import NoteEditor

        self.push_screen(NoteEditor(format_ref(document, line), document.plain(line),
                                    session.note_at(line)), partial(self.note_result, line))

    def note_result(self, line: int, text: str | None) -> None:
        if text is None or self.document is None or self.session is None:
            return
        self.session.set_note(self.document, line, text)
        self.removed_notes.pop(line, None)
        self.session_changed()
        self.notify(f"Note saved on {format_ref(self.document, line)}", timeout=2,
                    markup=False)

    def on_bookmarks_panel_jump_to(self, message: BookmarksPanel.JumpTo) -> None:
        self.log_view.goto_line(message.line)

    def on_bookmarks_panel_edit_note(self, message: BookmarksPanel.EditNote) -> None:
        self.edit_note(message.line)

    def on_bookmarks_panel_remove(self, message: BookmarksPanel.Remove) -> None:
        if self.session is None or self.document is None:
            return
        note = self.session.note_at(message.line)
        self.session.unmark(message.line)
        text = f"Removed bookmark {format_ref(self.document, message.line)}"
        if note:
            self.removed_notes[message.line] = note
            text += " and its note (m on that line restores it)"
        self.session_changed()
        self.notify(text, timeout=4, markup=False)

    # -- drafts ----------------------------------------------------------------------
    def action_promote(self) -> None:
        """p: promote the selection (or the cursor line) to a heuristic draft."""
        if self.document is not None:
            self.open_draft_editor(self.target_lines())

    def on_unexplained_panel_jump_to(self, message: UnexplainedPanel.JumpTo) -> None:
        self.log_view.goto_line(message.line)

    def on_unexplained_panel_promote(self, message: UnexplainedPanel.Promote) -> None:
        self.open_draft_editor(message.lines, message.template_regex)

    def open_draft_editor(self, lines: list[int], source_regex: str | None = None) -> None:
        document = self.document
        if document is None or self.draft_open:
            return
        from triagebench.heuristics.drafts import DraftError, corpus_paths
        from triagebench.tui.screens.draft_editor import DraftEditor

        try:
            corpus = corpus_paths(self.corpus_dir)
        except DraftError as exc:
            self.notify(f"Corpus: {printable(str(exc))}", severity="warning", markup=False)
            corpus = []
        self.draft_open = True
        self.push_screen(DraftEditor(document, lines, document.facts, self.options.drafts_dir,
                                     corpus, source_regex), self.draft_closed)

    def on_draft_editor_preview_lines(self, message: DraftEditor.PreviewLines) -> None:
        if self.draft_open:
            self.log_view.set_extra_highlights(message.lines, "draft preview")

    def draft_closed(self, saved: str | None) -> None:
        self.draft_open = False
        self.log_view.set_extra_highlights((), None)
        if saved and self.document is not None:
            self.log_view.action_clear_selection()
            self.notify(f"Draft saved: {printable(saved)}; re-evaluating…", timeout=4,
                        markup=False)
            self.reevaluate(self.generation, self.document, saved)

    # -- exports ---------------------------------------------------------------------
    def write_export(self, suffix: str, text: str, write: Any = None) -> Path:
        """Write ``text`` to a free ``<file stem><suffix>`` next to the diagnostics file,
        else in the current folder; atomic, never replacing a file."""
        from triagebench.services.sessions import SessionError, default_export_path, write_atomic

        assert self.document is not None
        folders = dict.fromkeys([os.path.dirname(os.path.abspath(self.path)), os.getcwd()])
        error: SessionError | None = None
        for folder in folders:
            for _ in range(3):  # a name taken between choosing and linking: next one
                try:
                    target = default_export_path(self.document, suffix, folder)
                    if write is not None:
                        return write(target)
                    return write_atomic(target, text, overwrite=False)
                except SessionError as exc:
                    error = exc
                    if not target.exists():
                        break
        assert error is not None
        raise error

    def action_export_report(self) -> None:
        """x: the Markdown report, written next to the file and copied to the clipboard."""
        document, findings = self.document, self.findings
        if document is None or findings is None:
            return
        from triagebench.services.report import build_report
        from triagebench.services.sessions import SessionError

        bookmarks = self.session.sorted_bookmarks() if self.session is not None else ()
        report = build_report(document, findings, bookmarks=bookmarks, templates=self.templates,
                              state=self.state)
        self.copy_text(report, "Markdown report")
        try:
            path = self.write_export(".triage.md", report)
        except SessionError as exc:
            self.notify(f"Report not written: {printable(str(exc))} (it is on the clipboard)",
                        severity="error", markup=False, timeout=5)
            return
        self.notify(f"Report written to {printable(display_path(path))}", title="Export",
                    markup=False, timeout=5)

    def action_export_session(self) -> None:
        """X: bookmarks, notes and the current view as a session file for a colleague."""
        document, session = self.document, self.session
        if document is None or session is None:
            return
        from triagebench.services.sessions import SessionError, export_session

        log = self.log_view
        session.set_position(document, log.cursor_line)
        session.scope = document.sections[log.scope].key if log.scope is not None else None
        session.search = self.search_pattern
        session.filters = ([{"kind": "regex", "mode": self.filter_mode,
                             "pattern": self.filter_pattern}] if self.filter_pattern else [])
        self.session_changed()
        try:
            path = self.write_export(".session.json", "",
                                     write=lambda target: export_session(session, target))
        except SessionError as exc:
            self.notify(f"Session not exported: {printable(str(exc))}", severity="error",
                        markup=False, timeout=5)
            return
        shown = display_path(path)
        command = f"triage {shlex.quote(file_label(document))} --session {shlex.quote(shown)}"
        self.notify(f"Session exported to {printable(shown)}\nA colleague opens it with:\n"
                    f"{printable(command)}", title="Export", markup=False, timeout=5)

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

    def on_log_view_cursor_moved(self, message: LogView.CursorMoved) -> None:
        # No tree when another screen is on top or the app is closing (the message may
        # arrive after the main screen's widgets are gone).
        for tree in self.query(CommandTree):
            if not tree.has_focus:
                tree.select_section(message.section_index)

    def action_evidence(self, delta: int) -> None:
        if not self.findings_panel.step(delta):
            self.notify("Select a finding with evidence first.", timeout=2)

    def action_goto(self) -> None:
        if self.document is None:
            return
        from triagebench.tui.screens.goto import GotoScreen

        self.push_screen(GotoScreen(self.resolve_reference, self.document.line_count),
                         self.goto_result)

    def resolve_reference(self, text: str) -> int:
        """``1234`` / ``L1234`` / ``FILE#L1234`` / section refs -> a line of this file."""
        assert self.document is not None
        from triagebench.services.time_expr import looks_like_time

        if looks_like_time(text):  # 11:14, 2022-05-02 11:14, -2h (tui/story.py)
            return self.time_line(text)
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
        from triagebench.tui.screens.detail import DetailScreen

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
        import webbrowser

        try:
            webbrowser.open(link)
        except Exception:  # noqa: BLE001 - no browser is not an error worth more than a note
            self.copy_text(link, "permalink (no browser available)")

    # -- search and filter --------------------------------------------------------
    def action_search(self) -> None:
        if self.document is not None:
            self.search_origin = self.log_view.cursor_line
            self.open_search_bar("search", self.search_pattern or "")

    def action_filter(self, mode: str) -> None:
        if self.document is not None:
            current = self.filter_pattern if self.filter_mode == mode else ""
            self.open_search_bar(mode, current or "")

    def apply_pattern(self, mode: str, pattern: str) -> None:
        bar = self.search_bar
        log = self.log_view
        if pattern:
            error = regex_error(pattern)
            if error:
                if bar is not None:
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
        if bar is None or not bar.is_open or bar.has_error:
            return
        log = self.log_view
        if bar.mode == "search":
            if self.search_pattern and log.search_pending:
                bar.set_status("searching…")
            elif self.search_pattern:
                bar.set_status(search_status(log.search_count, log.outside_count,
                                             log.scope_chip))
            else:
                bar.set_status("")
        elif self.filter_pattern:
            bar.set_status(f"{log.hidden_count:,} lines hidden")
        else:
            bar.set_status("")

    def hide_search_bar(self) -> None:
        if self.search_bar is not None:
            self.search_bar.hide()

    @on(SearchBar.Changed)
    def pattern_changed(self, message: SearchBar.Changed) -> None:
        self.apply_pattern(message.mode, message.pattern)

    @on(SearchBar.Submitted)
    def pattern_submitted(self, message: SearchBar.Submitted) -> None:
        if message.pattern and regex_error(message.pattern):
            return
        self.apply_pattern(message.mode, message.pattern)
        self.hide_search_bar()
        if not (message.mode == "search" and self.log_view.search_pending):
            self.search_origin = None  # else the first match is still to come
        self.log_view.focus()
        if message.mode != "search" and self.filter_pattern:
            self.notify(f"{self.log_view.hidden_count:,} lines hidden (Esc clears)", timeout=3)

    @on(SearchBar.Closed)
    def pattern_closed(self, message: SearchBar.Closed) -> None:
        self.apply_pattern(message.mode, "")
        self.hide_search_bar()
        if message.mode == "search" and self.search_origin is not None:
            self.log_view.goto_line(self.search_origin)  # Esc: back where / was pressed
        self.search_origin = None
        self.log_view.focus()

    def on_log_view_search_changed(self, message: LogView.SearchChanged) -> None:
        """Search results are in: show the count and, while typing, move to the first
        match at or after where ``/`` was pressed (less/vim/lnav incremental search)."""
        self.refresh_search_status()
        bar = self.search_bar
        bar_open = bar is not None and bar.is_open
        if (message.pattern and message.pattern == self.search_pattern
                and self.search_origin is not None
                and (not bar_open or (bar is not None and bar.mode == "search"))):
            target = self.log_view.first_match_from(self.search_origin)
            if target is not None:
                self.log_view.goto_line(target)
            if not bar_open:
                self.search_origin = None  # Enter came first: confirmed now

    def on_log_view_search_error(self, message: LogView.SearchError) -> None:
        bar = self.search_bar
        if bar is not None:
            bar.set_status(printable(message.message), error=True)

    def on_log_view_filter_changed(self, message: LogView.FilterChanged) -> None:
        bar = self.search_bar
        if bar is not None and bar.is_open and bar.mode != "search":
            bar.set_status(f"{message.shown:,} shown, {message.hidden:,} hidden")

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
        selection = log.selection
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

    def action_toggle_help(self) -> None:
        """?: show or hide the key help panel (every key of the focused widget and app)."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out keys that need a document, a session or findings."""
        if action in ("search", "filter", "goto", "copy_line", "open", "promote") \
                and self.document is None:
            return None
        if action in ("bookmark", "annotate", "export_session") and self.session is None:
            return None
        if action == "export_report" and self.findings is None:
            return None
        if action in ("copy_permalink", "evidence") and not (self.findings and
                                                              self.findings.matches):
            return None
        return True

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        """(title with key, help, callback) for every key-bound command (ctrl+p)."""
        return [(title, help_text, partial(self.run_action, action))
                for title, help_text, action in keys.palette_entries()]

    def get_system_commands(self, screen: Screen[Any]):
        yield from super().get_system_commands(screen)
        yield SystemCommand("Toggle command tree", "Show or hide the command tree (t)",
                            self.action_toggle_tree)
        yield SystemCommand("Toggle findings pane", "Show or hide the side pane (ctrl+n)",
                            self.action_toggle_side)
        for pane_id, title in (("findings-tab", "Findings"), ("unexplained-tab", "Unexplained"),
                               ("bookmarks-tab", "Bookmarks")):
            yield SystemCommand(f"Show the {title} tab", f"Side pane: {title}",
                                partial(self.show_tab, pane_id))


def search_status(count: int, outside: int, chip: str | None) -> str:
    """The search bar's count: matches shown, and those outside the scope."""
    text = f"{count:,} match{'es' if count != 1 else ''}"
    if chip:
        text += f" in {chip}"
    if outside:
        text += f"; {outside:,} more in the whole file (W)"
    return text


def display_path(path: Path | str) -> str:
    """``path`` relative to the current folder when inside it, else absolute."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    return absolute if relative.startswith("..") else relative


def create_app(path: str, *, theme: str | None = None, heuristic_dirs: tuple[str, ...] = (),
               builtin: bool = True, drafts_dir: str | None = None,
               env: Mapping[str, str] | None = None, goto: str | None = None,
               session_path: str | None = None, corpus_dir: str | None = None,
               include_drafts: bool = True, checks: tuple[str, ...] = (),
               compare_path: str | None = None, prefetch: Prefetch | None = None) -> TriageApp:
    """The one way to build the app (CLI, tests and bench share it). ``prefetch``: the
    analysis of ``path`` the caller started in a child (``services.prefetch.start``)."""
    freeze_startup_objects()  # the collector skips start-up objects (tui/startup.py)
    return TriageApp(path, theme=theme, heuristic_dirs=tuple(heuristic_dirs), builtin=builtin,
                     drafts_dir=drafts_dir, env=env, goto=goto, session_path=session_path,
                     corpus_dir=corpus_dir, include_drafts=include_drafts, checks=tuple(checks),
                     compare_path=compare_path, prefetch=prefetch)


__all__ = ["NARROW_WIDTH", "WIDE_WIDTH", "TriageApp", "create_app", "display_path",
           "regex_error"]
