"""Reading the capture's live-check sections defensively, for the device state.

Every regex here is a ``regex`` pattern searched with a timeout on at most ``LINE_CAP``
characters of a line; a timeout counts as "no match". Numbers are parsed with explicit
digit limits, so a 5,000-digit or NaN value is "unreadable", never an exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from triagebench.parser import Document, Section, printable

if TYPE_CHECKING:
    import regex

from .state_model import EvidenceLine, StateItem

LINE_CAP = 4096
EVIDENCE_CAP = 300
REGEX_TIMEOUT = 0.05
ENGINES = r"(?:balena|docker|balena-engine|rce)"

# curl's exit codes (man curl, "EXIT CODES") that the diagnostics' curls hit in practice.
CURL_EXIT = {
    5: "could not resolve proxy",
    6: "could not resolve host (DNS)",
    7: "failed to connect (refused or unreachable)",
    18: "partial transfer",
    22: "HTTP error",
    28: "timed out",
    35: "TLS handshake failed",
    52: "empty reply from server",
    56: "failure receiving data (connection reset)",
    60: "TLS certificate not trusted (TLS-intercepting firewall, or the clock is wrong)",
    143: "killed by the diagnostics' 10 s timeout",
}


class BoundedPattern:
    """A ``regex`` pattern compiled the first time it is used. The state modules define
    ~60 at import; a capture's sections use some of them, and compiling all of them
    (the ``regex`` module's parser is pure Python) was ~12 ms of every analysis."""

    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: regex.Pattern[str] | None = None

    @property
    def compiled(self) -> regex.Pattern[str]:
        if self._compiled is None:
            import regex

            self._compiled = regex.compile(self.pattern, self.flags)
        return self._compiled

    def search(self, text: str, *, timeout: float) -> regex.Match[str] | None:
        return self.compiled.search(text, timeout=timeout)

    def fullmatch(self, text: str, *, timeout: float) -> regex.Match[str] | None:
        return self.compiled.fullmatch(text, timeout=timeout)

    def finditer(self, text: str, *, timeout: float) -> Iterator[regex.Match[str]]:
        return self.compiled.finditer(text, timeout=timeout)


def compile_bounded(pattern: str, flags: int = 0) -> BoundedPattern:
    return BoundedPattern(pattern, flags)


def search(pattern: BoundedPattern, text: str) -> regex.Match[str] | None:
    """``pattern.search`` on the first ``LINE_CAP`` characters, with a timeout (-> None)."""
    try:
        return pattern.search(text[:LINE_CAP], timeout=REGEX_TIMEOUT)
    except TimeoutError:
        return None


def to_int(text: str, max_digits: int = 12) -> int | None:
    """A non-negative integer of at most ``max_digits`` digits, else None."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > max_digits:
        return None
    return int(text)


def to_signed_int(text: str, max_digits: int = 9) -> int | None:
    text = text.strip()
    if text.startswith("-"):
        value = to_int(text[1:], max_digits)
        return -value if value is not None else None
    return to_int(text, max_digits)


class Capture:
    """The Document seen as live-check sections (a plain log has none)."""

    def __init__(self, document: Document) -> None:
        self.doc = document

    @property
    def has_commands(self) -> bool:
        return self.doc.format != "plain-log"

    def sections(self, key_pattern: str) -> list[Section]:
        """Non-marker sections whose key fully matches ``key_pattern``, in file order."""
        if not self.has_commands:
            return []
        pattern = compile_bounded(key_pattern)
        found = []
        for section in self.doc.sections:
            if section.is_category_marker:
                continue
            try:
                if pattern.fullmatch(section.key[:LINE_CAP], timeout=REGEX_TIMEOUT):
                    found.append(section)
            except TimeoutError:
                continue
        return found

    def lines(self, section: Section, stream: str = "stdout",
              needles: tuple[str, ...] = ()) -> Iterator[tuple[int, str]]:
        """``(line number, plain text)`` of a section's output (glued ``real`` removed).

        With ``needles``, only lines whose raw text contains one of them (a cheap test that
        spares cleaning every line of a 100,000-line log section)."""
        if not needles:
            for number in section.output_line_numbers(stream):
                yield number, self.doc.output_text(section, number)[:LINE_CAP]
            return
        streams = []
        if stream in ("stdout", "any"):
            streams.append(section.stdout)
        if stream in ("stderr", "any") and section.stderr is not None:
            streams.append(section.stderr)
        for block in streams:
            if not block.count:
                continue
            first = block.first_line
            chunk = self.doc.lines[first - 1:first - 1 + block.count]
            hits: set[int] = set()
            for needle in needles:  # one C-speed pass per needle, not a generator per line
                hits.update(i for i, text in enumerate(chunk) if needle in text)
            for index in sorted(hits):
                yield first + index, self.doc.output_text(section, first + index)[:LINE_CAP]

    def evidence(self, section: Section, number: int) -> EvidenceLine:
        text = self.doc.output_text(section, number)
        if len(text) > EVIDENCE_CAP:
            text = text[:EVIDENCE_CAP] + "…"
        return EvidenceLine(number, section.key, printable(text.strip(), keep_tabs=False))

    def header(self, section: Section) -> EvidenceLine:
        """The section's header line: evidence for "this command printed nothing"."""
        return EvidenceLine(section.header_line, section.key,
                            printable(f"--- {section.command} ---"[:EVIDENCE_CAP], keep_tabs=False))

    def status_evidence(self, section: Section) -> EvidenceLine:
        """The ``Command exited with non-zero status N`` line of a failed section, if found."""
        first, last = section.stdout.span
        for number in range(last, max(first, last - 4) - 1, -1):
            text = self.doc.plain(number)
            if text.startswith("Command exited with non-zero status") or text.startswith(
                    "Command terminated by signal"):
                return EvidenceLine(number, section.key, printable(text, keep_tabs=False))
        return self.header(section)


def curl_error(capture: Capture, section: Section) -> tuple[int | None, EvidenceLine | None]:
    """curl's exit code for a section: the busybox status line, else ``curl: (N)`` in stderr.

    Returns ``(code, evidence)``; ``(None, None)`` when curl did not fail (as far as the
    file says). A failing curl's message is glued to its progress meter in stderr.
    """
    message = compile_bounded(r"curl: \((\d{1,3})\)[^\r]*")
    stderr_hit: tuple[int, EvidenceLine] | None = None
    for stream in ("stderr", "stdout"):
        for number, text in capture.lines(section, stream):
            match = search(message, text)
            if match:
                code = to_int(match.group(1), 3)
                if code is not None:
                    line = capture.evidence(section, number)
                    stderr_hit = (code, line._replace(text=printable(match.group(0)[:EVIDENCE_CAP])))
    if section.exit_status:
        status = section.exit_status
        if stderr_hit and stderr_hit[0] == status:
            return status, stderr_hit[1]
        return status, capture.status_evidence(section)
    if section.signal is not None:
        return 128 + section.signal, capture.status_evidence(section)
    if stderr_hit:
        return stderr_hit
    return None, None


def curl_meaning(code: int) -> str:
    return CURL_EXIT.get(code, "failed")


def first_output(capture: Capture, section: Section) -> tuple[int, str] | None:
    """The first non-blank stdout line of a section."""
    for number, text in capture.lines(section):
        if text.strip():
            return number, text.strip()
    return None


# systemctl status: "     Active: active (running) since Fri 2022-05-06 05:19:55 UTC; 3 days ago"
ACTIVE_RE = compile_bounded(r"^\s*Active:\s+([a-z-]+)(?:\s+\(([^)]{0,80})\))?")


def make_item(key: str, label: str, group: str, state: str, value: str,
              evidence: list[EvidenceLine], command: str | None, phrase: str = "") -> StateItem:
    """A ``StateItem`` with at most 8 evidence lines (the first is the jump target)."""
    return StateItem(key=key, label=label, group=group, state=state, value=value,
                     evidence=evidence[:8], command=command, phrase=phrase)


def unit_states(capture: Capture, sections: list[Section]
                ) -> list[tuple[str, str, EvidenceLine, Section]]:
    """``(active, sub, evidence, section)`` of every ``Active:`` line of systemctl status."""
    found = []
    for section in sections:
        for number, text in capture.lines(section):
            match = search(ACTIVE_RE, text)
            if match:
                found.append((match.group(1), match.group(2) or "",
                              capture.evidence(section, number), section))
    return found


__all__ = [
    "ACTIVE_RE", "CURL_EXIT", "ENGINES", "LINE_CAP", "Capture", "compile_bounded", "curl_error",
    "curl_meaning", "first_output", "make_item", "search", "to_int", "to_signed_int", "unit_states",
]
