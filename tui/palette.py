"""Command palette providers (ctrl+p): every key-bound command, and a jump to any
command section or finding by name.

Fuzzy matching is Textual's own ``Matcher``. The candidates are read from the
app's current document and findings when the palette opens (``startup``), so
they are always those of the open file. Labels are escaped with ``printable``.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from triagebench.parser import printable

if TYPE_CHECKING:
    from triagebench.tui.app import TriageApp


class SectionProvider(Provider):
    """"Go to command …": every section of the document."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates: list[tuple[str, str, int]] = []

    async def startup(self) -> None:
        app = cast("TriageApp", self.app)
        document = app.document
        if document is None:
            return
        self.candidates = [
            (f"Go to command: {printable(s.command)}",
             f"{s.category or 'no category'} · lines {s.first_line}-{s.last_line}", s.index)
            for s in document.sections if not s.is_category_marker
        ]

    async def search(self, query: str) -> Hits:
        app = cast("TriageApp", self.app)
        matcher = self.matcher(query)
        for text, help_text, index in self.candidates:
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(app.scope_to_section, index),
                          text=text, help=help_text)

    async def discover(self) -> Hits:
        app = cast("TriageApp", self.app)
        for text, help_text, index in self.candidates[:20]:
            yield DiscoveryHit(text, partial(app.scope_to_section, index), text=text,
                               help=help_text)


class FindingProvider(Provider):
    """"Finding …": every matched pattern; picking one selects it and jumps to evidence."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates: list[tuple[str, str, str]] = []

    async def startup(self) -> None:
        app = cast("TriageApp", self.app)
        findings = app.findings
        if findings is None:
            return
        self.candidates = [
            (f"Finding: {printable(f.title)}", f"{f.severity} · {printable(f.id)}", f.id)
            for f in findings.matches
        ]

    async def search(self, query: str) -> Hits:
        app = cast("TriageApp", self.app)
        matcher = self.matcher(query)
        for text, help_text, finding_id in self.candidates:
            score = matcher.match(f"{text} {help_text}")
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(app.jump_to_finding, finding_id),
                          text=text, help=help_text)

    async def discover(self) -> Hits:
        app = cast("TriageApp", self.app)
        for text, help_text, finding_id in self.candidates:
            yield DiscoveryHit(text, partial(app.jump_to_finding, finding_id), text=text,
                               help=help_text)


class ActionProvider(Provider):
    """Every command that has a key (bookmark, note, promote, export, ...), with its key
    in the title, from the app's ``palette_commands()``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates: list[tuple[str, str, Any]] = []

    async def startup(self) -> None:
        app = cast("TriageApp", self.app)
        self.candidates = list(app.palette_commands())

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, callback in self.candidates:
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, text=text, help=help_text)

    async def discover(self) -> Hits:
        for text, help_text, callback in self.candidates:
            yield DiscoveryHit(text, callback, text=text, help=help_text)
