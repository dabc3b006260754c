"""The draft editor: turn selected lines into a heuristic draft without leaving the terminal.

``app.push_screen(DraftEditor(document, selected_lines, facts, drafts_dir,
corpus_paths, source_regex=None), callback)``. The lines are generalised into
signal regexes (``heuristics.drafts.build_draft``); the author edits id, title,
severity, permalink, description, remedy, tags, the regexes and the optional
version signal, and sees as they type (debounced):

* the heuristic file (TOML, highlighted with pygments through rich ``Syntax``);
* lint errors from the same linter as ``triage heuristics lint`` (examples run too);
* a live preview: matching lines in this file (count and the first lines, with
  numbers) and how many corpus files the draft matches (N/M).

Lint and preview run in one exclusive thread worker (a newer edit cancels the
running one; the corpus loop checks the cancel flag between files) that only
posts messages; the handlers update the widgets. ``DraftEditor.PreviewLines`` is
posted with the matching line numbers so the app can highlight them in the log.

Ctrl+S saves atomically into the drafts folder and never overwrites: on a clash
the id field is filled with a free id (``<id>-2``) and the editor stays open; a
read-only or missing folder is reported and nothing typed is lost. A successful
save dismisses with the saved path (``str``) so the app can load the draft and
re-evaluate; Esc dismisses with ``None`` (twice if something was edited).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from typing import Any

from rich.syntax import Syntax
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Checkbox, Input, Label, Select, Static
from textual.worker import get_current_worker
from triagebench.heuristics.drafts import (
    Draft,
    DraftError,
    DraftExistsError,
    LintMessage,
    Preview,
    build_draft,
    lint_draft,
    preview,
    render_toml,
    slugify,
    usable_lines,
)
from triagebench.heuristics.generalise import SCOPES
from triagebench.heuristics.model import SEVERITIES
from triagebench.parser import Document, printable
from triagebench.services.drafts import save_draft

DEBOUNCE_SECONDS = 0.3
PREVIEW_LINES = 8


class DraftEditor(ModalScreen[str | None]):
    """Edit a heuristic draft built from selected lines; Ctrl+S saves, Esc cancels."""

    DEFAULT_CSS = """
    DraftEditor {
        align: center middle;
    }
    DraftEditor > #draft-box {
        width: 96%;
        height: 94%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    DraftEditor #draft-columns {
        height: 1fr;
    }
    DraftEditor #draft-form {
        width: 1fr;
        min-width: 36;
    }
    DraftEditor #draft-side {
        width: 1fr;
    }
    DraftEditor .field-label {
        color: $text-muted;
        height: 1;
    }
    DraftEditor Input, DraftEditor Select {
        width: 100%;
    }
    DraftEditor #draft-side {
        padding-left: 1;
    }
    DraftEditor #draft-lint {
        height: auto;
    }
    DraftEditor #draft-preview {
        height: auto;
        border-top: solid $primary-darken-2;
    }
    DraftEditor #draft-toml {
        height: auto;
        border-top: solid $primary-darken-2;
    }
    DraftEditor Checkbox {
        margin-top: 1;
    }
    DraftEditor #draft-status {
        height: auto;
        max-height: 3;
    }
    DraftEditor #draft-buttons {
        height: auto;
        align-horizontal: right;
    }
    DraftEditor Button {
        margin-left: 1;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save draft", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    class PreviewLines(Message):
        """The lines of the open file the draft currently matches (for highlighting)."""

        def __init__(self, lines: list[int]) -> None:
            super().__init__()
            self.lines = lines

    class DraftChecked(Message):
        """Worker -> handler: lint messages (and, later, the preview) for one edit."""

        def __init__(self, generation: int, lint: list[LintMessage] | None,
                     result: Preview | None) -> None:
            super().__init__()
            self.generation = generation
            self.lint = lint
            self.result = result

    def __init__(self, document: Document, selected_lines: Sequence[int],
                 facts: Mapping[str, Any] | None = None,
                 drafts_dir: str | os.PathLike[str] | None = None,
                 corpus_paths: Sequence[str] = (), source_regex: str | None = None) -> None:
        super().__init__()
        from triagebench.services.drafts import default_drafts_dir

        self.document = document
        self.drafts_dir = default_drafts_dir(drafts_dir)
        self.create_parents = drafts_dir is None
        self.corpus_paths = list(corpus_paths)
        self.draft: Draft | None = None
        self.error: str | None = None
        self.notes: list[str] = []
        self.edited = False
        self._initial_toml = ""
        self.toml_text = ""  # what the TOML pane shows (the file ctrl+s would write)
        self.saved_path: str | None = None
        self._generation = 0
        self._timer: Timer | None = None
        self._escape_armed = False
        self._id_follows_title = True  # until the author types an id of their own
        self._lint: list[LintMessage] = []
        kept, skipped = usable_lines(document, selected_lines)
        if skipped and kept:
            self.notes.append(f"{len(skipped)} selected line(s) that are not command output "
                              "(headers, timestamps, blank) were left out")
        try:
            self.draft = build_draft(document, kept, source_regex=source_regex)
        except DraftError as exc:
            self.error = str(exc) if kept or source_regex else (
                "nothing to promote: select command output lines (not headers or blank lines)")
        version = (facts or {}).get("os.version") if facts is not None else None
        if self.draft is not None and version and self.draft.version is not None:
            self.draft.version.value = str(version)
        if self.draft is not None:
            for proposal in self.draft.proposals:
                self.notes.extend(f"signals.{proposal.name}: {w}" for w in proposal.warnings)

    # -- layout -------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="draft-box"):
            yield Label(Content.styled("New heuristic draft", "bold"), id="draft-heading")
            if self.draft is None:
                yield Static(Content(printable(self.error or "cannot build a draft")),
                             id="draft-status")
                with Horizontal(id="draft-buttons"):
                    yield Button("Close (Esc)", id="cancel")
                return
            draft = self.draft
            with Horizontal(id="draft-columns"):
                with VerticalScroll(id="draft-form"):
                    yield from self._field("id", "id (file name)", draft.id)
                    yield from self._field("title", "title", draft.title)
                    yield Label("severity", classes="field-label")
                    yield Select([(s, s) for s in SEVERITIES], value=draft.severity,
                                 allow_blank=False, id="severity", compact=True)
                    yield from self._field("permalink", "permalink (http/https)",
                                           draft.permalink)
                    yield from self._field("description", "description", draft.description)
                    yield from self._field("remedy", "remedy", draft.remedy)
                    yield from self._field("tags", "tags (comma-separated)",
                                           ", ".join(draft.tags))
                    for index, signal in enumerate(draft.signals):
                        yield Label(Content.styled(f"signals.{signal.name}", "bold"),
                                    classes="field-label")
                        yield Input(signal.regex, id=f"signal-{index}", compact=True)
                        yield Label("  searched in", classes="field-label")
                        choices = [(label, key) for key, label in SCOPES.items()]
                        if signal.scope not in SCOPES:
                            choices.append(("custom (edited below)", signal.scope))
                        yield Select(choices, value=signal.scope, allow_blank=False,
                                     id=f"scope-{index}", compact=True)
                        yield Input(", ".join(signal.selectors), id=f"in-{index}",
                                    compact=True, tooltip="section selectors: keys, globs "
                                    "(journalctl *), category:NAME or *")
                    version = draft.version
                    yield Checkbox(
                        f"only when {version.fact} <= {printable(version.value)}" if version
                        else "version signal (no os.version on this device)",
                        value=bool(version and version.enabled), disabled=version is None,
                        id="version")
                with VerticalScroll(id="draft-side"):
                    yield Static("", id="draft-lint")
                    yield Static("", id="draft-preview")
                    yield Static("", id="draft-toml")
            yield Static(Content(printable("; ".join(self.notes))), id="draft-status")
            with Horizontal(id="draft-buttons"):
                yield Button("Cancel (Esc)", id="cancel")
                yield Button("Save (Ctrl+S)", variant="primary", id="save")

    def _field(self, name: str, label: str, value: str) -> ComposeResult:
        yield Label(label, classes="field-label")
        yield Input(value, id=name, compact=True)

    def on_mount(self) -> None:
        if self.draft is None:
            self.query_one("#cancel", Button).focus()
            return
        self.query_one("#title", Input).focus()
        initial = self._collect()
        self._initial_toml = render_toml(initial) if initial is not None else ""
        self._refresh()

    # -- edits --------------------------------------------------------------------
    def _collect(self) -> Draft | None:
        """The draft as the fields say now (a copy: the worker gets its own)."""
        if self.draft is None:
            return None
        draft = copy.deepcopy(self.draft)
        draft.id = self.query_one("#id", Input).value.strip()
        draft.title = self.query_one("#title", Input).value.strip()
        severity = self.query_one("#severity", Select).value
        draft.severity = severity if isinstance(severity, str) else draft.severity
        draft.permalink = self.query_one("#permalink", Input).value.strip()
        draft.description = self.query_one("#description", Input).value.strip()
        draft.remedy = self.query_one("#remedy", Input).value.strip()
        tags = self.query_one("#tags", Input).value
        draft.tags = [t.strip() for t in tags.split(",") if t.strip()]
        for index, signal in enumerate(draft.signals):
            signal.regex = self.query_one(f"#signal-{index}", Input).value
            where = self.query_one(f"#in-{index}", Input).value
            signal.selectors = [part.strip() for part in where.split(",") if part.strip()]
        if draft.version is not None:
            draft.version.enabled = self.query_one("#version", Checkbox).value
        return draft

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _edited(self, event: Message) -> None:
        if self.draft is None or not self.is_mounted:
            return
        if isinstance(event, Input.Changed) and event.input.id in ("title", "id"):
            self._sync_id(event.input.id, event.value)
        if isinstance(event, Select.Changed) and (event.select.id or "").startswith("scope-"):
            self._apply_scope(int((event.select.id or "")[len("scope-"):]), event.value)
        if isinstance(event, Input.Changed) and (event.input.id or "").startswith("in-"):
            self._selectors_typed(int((event.input.id or "")[len("in-"):]), event.value)
        self._escape_armed = False
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, self._refresh)

    def _apply_scope(self, index: int, scope: object) -> None:
        """A scope picked in the menu fills the selectors field (still editable)."""
        assert self.draft is not None
        signal = self.draft.signals[index]
        if not isinstance(scope, str) or scope not in signal.scopes:
            return
        field = self.query_one(f"#in-{index}", Input)
        text = ", ".join(signal.scopes[scope])
        if field.value != text:
            with field.prevent(Input.Changed):
                field.value = text

    def _selectors_typed(self, index: int, value: str) -> None:
        """Selectors typed by hand: the menu says which scope they are, or nothing."""
        assert self.draft is not None
        typed = [part.strip() for part in value.split(",") if part.strip()]
        menu = self.query_one(f"#scope-{index}", Select)
        scopes = self.draft.signals[index].scopes
        if scopes.get(str(menu.value)) == typed:
            return  # the menu already names these selectors
        for key, selectors in scopes.items():
            if selectors == typed:
                with menu.prevent(Select.Changed):
                    menu.value = key
                return

    def _sync_id(self, changed: str, value: str) -> None:
        """The id follows the title (as a slug) until the author edits the id itself."""
        id_input = self.query_one("#id", Input)
        if changed == "title" and self._id_follows_title:
            slug = slugify(value)
            if id_input.value != slug:
                id_input.value = slug
        elif changed == "id":
            title = self.query_one("#title", Input).value
            self._id_follows_title = value == slugify(title)

    def _refresh(self) -> None:
        """Re-render the TOML now; lint and preview in the worker."""
        draft = self._collect()
        if draft is None:
            return
        toml_text = render_toml(draft)
        self.toml_text = toml_text
        self.edited = toml_text != self._initial_toml
        theme = "ansi_dark" if getattr(self.app.current_theme, "dark", True) else "ansi_light"
        self.query_one("#draft-toml", Static).update(
            Syntax(toml_text, "toml", theme=theme, word_wrap=True,
                   background_color="default"))
        self._generation += 1
        self.query_one("#draft-preview", Static).update(Content.styled("matching…", "dim"))
        self._check(draft, self._generation)

    @work(thread=True, exclusive=True, group="draft-preview")
    def _check(self, draft: Draft, generation: int) -> None:
        """Lint, then preview; posts each result. Stops early when a newer edit comes."""
        worker = get_current_worker()
        try:
            lint = lint_draft(draft)
        except Exception as exc:  # noqa: BLE001 - shown to the author, never a traceback
            lint = [LintMessage(file="<draft>", key="", message=f"linter failed: {exc}")]
        if worker.is_cancelled:
            return
        self.post_message(self.DraftChecked(generation, lint, None))
        try:
            result = preview(draft, self.document, self.corpus_paths, max_lines=PREVIEW_LINES,
                             cancelled=lambda: worker.is_cancelled)
        except Exception as exc:  # noqa: BLE001 - a broken regex is shown, not raised
            result = Preview(errors=[str(exc)], corpus_total=len(self.corpus_paths))
        if not worker.is_cancelled and not result.cancelled:
            self.post_message(self.DraftChecked(generation, None, result))

    @on(DraftChecked)
    def _show_checked(self, message: DraftChecked) -> None:
        if message.generation != self._generation:
            return  # an older edit's result
        if message.lint is not None:
            self._lint = message.lint
            self.query_one("#draft-lint", Static).update(self._lint_content(message.lint))
        if message.result is not None:
            self.query_one("#draft-preview", Static).update(
                self._preview_content(message.result))
            self.post_message(self.PreviewLines(list(message.result.all_lines)))

    @staticmethod
    def _lint_content(messages: list[LintMessage]) -> Content:
        if not messages:
            return Content.styled("lint: clean", "green")
        parts: list[tuple[str, str] | str] = []
        for m in messages:
            style = "bold red" if m.level == "error" else "yellow"
            where = f"{m.key}: " if m.key else ""
            parts.append((f"{m.level}: ", style))
            parts.append(printable(f"{where}{m.message}", keep_tabs=False) + "\n")
        return Content.assemble(*parts).rstrip()

    @staticmethod
    def _preview_content(result: Preview) -> Content:
        parts: list[tuple[str, str] | str] = []
        count = result.line_count
        parts.append((f"{count} matching line{'s' if count != 1 else ''} in this file", "bold"))
        parts.append("" if result.matches_here else ("  (the draft as a whole does not match "
                                                     "here)", "yellow"))
        for number, text in result.lines:
            parts.append("\n")
            parts.append((f"{number:>7} ", "dim"))
            parts.append(printable(text[:200], keep_tabs=False))
        if count > len(result.lines):
            parts.append(("\n        … and more", "dim"))
        if result.corpus_total:
            parts.append("\n")
            parts.append((f"corpus: matches {len(result.corpus_matched)}/"
                          f"{result.corpus_total} files", "bold"))
        for error in result.errors[:3]:
            parts.append("\n")
            parts.append((printable(f"error: {error}", keep_tabs=False), "red"))
        return Content.assemble(*parts)

    # -- save / cancel ---------------------------------------------------------------
    def _status(self, text: str, style: str = "") -> None:
        self.query_one("#draft-status", Static).update(
            Content.styled(printable(text, keep_tabs=False), style))

    def action_save(self) -> None:
        # Ctrl+S is a priority binding: it runs before the focused input has handled the
        # keys typed just before it (they wait in its queue). Save from that queue, so
        # the draft holds every typed character.
        focused = self.focused
        if focused is None:
            self.save_now()
        else:
            focused.call_later(self.save_now)

    def save_now(self) -> None:
        if self.saved_path is not None:
            return  # a second Ctrl+S queued behind the first
        draft = self._collect()
        if draft is None:
            return
        # The quick gate (loader + examples); the slow checks ran in the worker.
        errors = [m for m in lint_draft(draft, slow=False) if m.level == "error"]
        errors += [m for m in self._lint if m.level == "error" and "catastrophic" in m.message
                   and render_toml(draft) == self.toml_text]
        if errors:
            first = errors[0]
            where = f"{first.key}: " if first.key else ""
            self._status(f"not saved: fix the lint errors first ({where}{first.message})",
                         "bold red")
            return
        try:
            path = save_draft(draft, self.drafts_dir, create_parents=self.create_parents)
        except DraftExistsError as exc:
            self._id_follows_title = False
            self.query_one("#id", Input).value = exc.suggestion
            self._status(f"{exc.path.name} already exists in {exc.path.parent}: not overwritten."
                         f" The id is now {exc.suggestion!r}; Ctrl+S again to save as that.",
                         "bold yellow")
            return
        except DraftError as exc:
            self._status(f"{exc} (nothing lost: change the folder or fix permissions, "
                         "then Ctrl+S again)", "bold red")
            return
        self.saved_path = str(path)
        self.edited = False
        self._status(f"saved {path}", "bold green")
        self.dismiss(str(path))

    def action_cancel(self) -> None:
        draft = self._collect()
        if draft is not None:
            self.edited = render_toml(draft) != self._initial_toml
        if self.edited and not self._escape_armed:
            self._escape_armed = True
            self._status("unsaved changes: Esc again to discard, Ctrl+S to save", "bold yellow")
            return
        self.workers.cancel_group(self, "draft-preview")
        self.dismiss(None)

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()
