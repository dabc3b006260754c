"""Messages the loading worker posts to the app (the only way it talks to the UI).

Each carries the ``generation`` of the load that produced it, so results of a
cancelled or superseded load are ignored by the handlers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from triagebench.heuristics.format import Library
    from triagebench.heuristics.mining import Template
    from triagebench.heuristics.model import Findings
    from triagebench.parser import Document
    from triagebench.services.prefetch import Delivered
    from triagebench.services.sessions import Session
    from triagebench.services.state import DeviceState


class LoadProgress(Message):
    """What the loader is doing now (``fraction`` None = unknown)."""

    def __init__(self, generation: int, stage: str, fraction: float | None = None) -> None:
        super().__init__()
        self.generation = generation
        self.stage = stage
        self.fraction = fraction

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LoadProgress)


class DocumentLoaded(Message):
    """The file is parsed: the log view, tree and header can fill in."""

    def __init__(self, generation: int, document: Document) -> None:
        super().__init__()
        self.generation = generation
        self.document = document


class Analysed(Message):
    """The whole analysis at once (a child process computed it: ``services.prefetch``),
    with the file's session: shown in one layout pass. Its unexplained lines follow in
    an ``UnexplainedReady``, the library it used in a ``LibraryLoaded``."""

    def __init__(self, generation: int, analysis: Delivered, session: SessionLoaded) -> None:
        super().__init__()
        self.generation = generation
        self.analysis = analysis
        self.session = session


class StateReady(Message):
    """The device state at capture (the capture's live checks), for the state strip."""

    def __init__(self, generation: int, state: DeviceState) -> None:
        super().__init__()
        self.generation = generation
        self.state = state


class FindingsReady(Message):
    """Matching finished: findings (and the library they came from)."""

    def __init__(self, generation: int, findings: Findings, library: Library) -> None:
        super().__init__()
        self.generation = generation
        self.findings = findings
        self.library = library


class LibraryLoaded(Message):
    """The heuristic library, loaded after a child's analysis was shown (the child does
    not send it back: ``services.prefetch.Delivered``); None when loading failed."""

    def __init__(self, generation: int, library: Library | None) -> None:
        super().__init__()
        self.generation = generation
        self.library = library


class LoadFailed(Message):
    """Loading failed; ``message`` is one line naming the file and the problem."""

    def __init__(self, generation: int, message: str, *, document_shown: bool = False) -> None:
        super().__init__()
        self.generation = generation
        self.message = message
        self.document_shown = document_shown


class SessionLoaded(Message):
    """The file's stored session (bookmarks, notes), with an imported one merged in.

    ``warnings`` are for the user; ``error`` (one line) means the ``--session`` file
    could not be read: the stored session is still applied.
    """

    def __init__(self, generation: int, session: Session | None, warnings: list[str],
                 error: str | None = None) -> None:
        super().__init__()
        self.generation = generation
        self.session = session
        self.warnings = warnings
        self.error = error


class UnexplainedReady(Message):
    """Error-like lines no finding explains, mined into templates.

    ``suspicious`` are all error-like lines (for the log view's marks), ``lines``
    those no finding covers, ``templates`` the mined templates of ``lines``;
    ``error`` (one line) when computing them failed.
    """

    def __init__(self, generation: int, suspicious: list[int], lines: list[int],
                 templates: list[Template], error: str | None = None) -> None:
        super().__init__()
        self.generation = generation
        self.suspicious = suspicious
        self.lines = lines
        self.templates = templates
        self.error = error


class Reevaluated(Message):
    """Findings after the library was reloaded (a draft was saved); ``saved`` is the
    draft's path, ``error`` one line when reloading failed."""

    def __init__(self, generation: int, findings: Findings | None, library: Library | None,
                 saved: str | None = None, error: str | None = None) -> None:
        super().__init__()
        self.generation = generation
        self.findings = findings
        self.library = library
        self.saved = saved
        self.error = error
